"""Submissions from an LMS: a Canvas or Moodle download, or a plain folder, placed where nbgrader looks."""

import zipfile
from datetime import datetime

import pytest

from autograder import collect
from autograder.__main__ import main

ROSTER = "id,name,sortable_name,canvas_id\nalice,Alice Doe,\"Doe, Alice\",101\nbob,Bob Roe,\"Roe, Bob\",102\n" \
         "carol,Carol Poe,\"Poe, Carol\",103\n"


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, (data, when) in members.items():
            info = zipfile.ZipInfo(name, date_time=when)
            z.writestr(info, data)
    return path


@pytest.fixture()
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    return collect.read_roster(path)


def test_a_canvas_zip_is_placed_with_times_resubmissions_and_what_it_could_not_place(tmp_path, roster):
    download = _zip(tmp_path / "submissions.zip", {
        "doealice_101_9001_perceptron_adaline.ipynb": (b'{"old": 1}', (2026, 9, 1, 10, 0, 0)),
        "doealice_101_9002_perceptron_adaline-1.ipynb": (b'{"new": 1}', (2026, 9, 1, 12, 0, 0)),
        "roebob_LATE_102_9003_perceptron_adaline (1).ipynb": (b'{"bob": 1}', (2026, 9, 3, 9, 30, 0)),
        "poecarol_103_9004_notes.pdf": (b"%PDF", (2026, 9, 1, 9, 0, 0)),
        "someone_999_9005_perceptron_adaline.ipynb": (b"{}", (2026, 9, 1, 9, 0, 0)),
    })
    course = tmp_path / "course"
    result = collect.collect("a1", download, course, roster=roster, notebook_name="perceptron_adaline.ipynb")
    assert sorted(result.placed) == ["alice", "bob"]
    alice = course / "submitted" / "alice" / "a1"
    assert (alice / "perceptron_adaline.ipynb").read_bytes() == b'{"new": 1}'
    assert (alice / "timestamp.txt").read_text().strip() == "2026-09-01 12:00:00.000000 UTC"
    assert (course / "submitted" / "bob" / "a1" / "perceptron_adaline.ipynb").exists()
    assert result.placed["bob"].late
    skipped = dict(result.skipped)
    assert "not a notebook" in skipped["poecarol_103_9004_notes.pdf"]
    assert "no student of the roster" in skipped["someone_999_9005_perceptron_adaline.ipynb"]
    assert [p for p, _ in result.superseded] == ["doealice_101_9001_perceptron_adaline.ipynb"]


def test_the_highest_canvas_resubmission_wins_when_times_are_equal(tmp_path, roster):
    when = (2026, 9, 1, 10, 0, 0)
    download = _zip(tmp_path / "s.zip", {"doealice_101_1_a-2.ipynb": (b"2", when), "doealice_101_1_a-1.ipynb": (b"1", when),
                                         "doealice_101_1_a.ipynb": (b"0", when)})
    collect.collect("a1", download, tmp_path / "c", roster=roster, notebook_name="n.ipynb")
    assert (tmp_path / "c" / "submitted" / "alice" / "a1" / "n.ipynb").read_bytes() == b"2"


def test_a_moodle_download_maps_full_names(tmp_path, roster):
    folder = tmp_path / "moodle"
    (folder / "Carol Poe_55_assignsubmission_file_").mkdir(parents=True)
    (folder / "Carol Poe_55_assignsubmission_file_" / "my notebook.ipynb").write_text("{}")
    (folder / "Bob Roe_56_assignsubmission_file_perceptron_adaline.ipynb").write_text("{}")
    result = collect.collect("a1", folder, tmp_path / "c", roster=roster, notebook_name="n.ipynb")
    assert sorted(result.placed) == ["bob", "carol"] and not result.skipped


def test_a_plain_folder_needs_no_roster_and_refuses_unsafe_ids(tmp_path):
    folder = tmp_path / "plain"
    (folder / "dave").mkdir(parents=True)
    (folder / "dave" / "whatever.ipynb").write_text("{}")
    (folder / "erin.ipynb").write_text("{}")
    (folder / "...ipynb").write_text("{}")
    result = collect.collect("a1", folder, tmp_path / "c", notebook_name="n.ipynb")
    assert sorted(result.placed) == ["dave", "erin"]
    assert (tmp_path / "c" / "submitted" / "dave" / "a1" / "n.ipynb").exists()
    assert all("submitted" not in str(p) for p in (tmp_path / "c").rglob("..*"))


def test_zip_paths_never_escape_the_course_folder(tmp_path):
    download = _zip(tmp_path / "evil.zip", {"../../etc/x.ipynb": (b"{}", (2026, 1, 1, 0, 0, 0)),
                                            "a/../../b.ipynb": (b"{}", (2026, 1, 1, 0, 0, 0))})
    result = collect.collect("a1", download, tmp_path / "c", notebook_name="n.ipynb")
    assert result.placed == {} and len(result.skipped) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.zip"]


def test_the_command_prints_what_it_placed_and_what_it_could_not(tmp_path, capsys):
    download = _zip(tmp_path / "s.zip", {"frank.ipynb": (b"{}", (2026, 9, 1, 8, 0, 0)),
                                         "readme.txt": (b"x", (2026, 9, 1, 8, 0, 0))})
    code = main(["collect", "a1", "--from", str(download), "--course", str(tmp_path / "c")])
    out = capsys.readouterr().out
    assert code == 1 and "placed 1 submission" in out and "readme.txt: not a notebook" in out
    assert datetime.strptime((tmp_path / "c/submitted/frank/a1/timestamp.txt").read_text().strip(),
                             "%Y-%m-%d %H:%M:%S.%f UTC")
