"""Late penalties, hand grades, renamed notebooks and feedback handed back: each compared with what nbgrader's own
tools do (``nbgrader autograde``, ``generate_feedback``, ``release_feedback``) on a small class."""

import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import bulk, course, demo, export, results
from autograder.bulk import handback
from sandboxing import GRADING

sys.path.insert(0, str(Path(__file__).parent))

NB = "perceptron_adaline.ipynb"
DUE = datetime(2026, 9, 1, 23, 59)
# student: (demo submission, submitted at)
CLASS = {
    "ontime": ("reference", "2026-09-01 20:00:00 UTC"),
    "late-ref": ("reference", "2026-09-03 10:00:00 UTC"),  # 1.4 days late
    "late-bug": ("a1-wrong-sign", "2026-09-02 01:00:00 UTC"),  # an hour late
    "ontime-bug": ("a1-no-bias", "2026-09-01 23:00:00 UTC"),
}
POLICIES = {
    "zero": "c.LateSubmissionPlugin.penalty_method = 'zero'\n",
    "per-day": "c.AssignLatePenalties.plugin_class = 'lateplugin.TenPercentPerDay'\n",
}


def _class(root, policy):
    """A course folder for a1 with the class above, a due date in the gradebook and the late policy configured."""
    grader = course.prepare(root, ["a1"])
    config = course.write_config_file(root, grader.coursedir.db_url)
    config.write_text(config.read_text() + POLICIES[policy])
    subs = demo.submissions("a1", root / "release")
    for student, (which, when) in CLASS.items():
        folder = root / "submitted" / student / "a1"
        folder.mkdir(parents=True)
        nbformat.write(subs[which][NB], folder / NB)
        (folder / "timestamp.txt").write_text(when + "\n")
    with Gradebook(grader.coursedir.db_url) as gb:
        gb.update_or_create_assignment("a1", duedate=DUE)
    return course.api(root, grader.coursedir.db_url), grader.coursedir.db_url


def _header(html):
    """(the notebook's score line, the late penalty line or None) of a feedback page."""
    head = re.search(r"<h4>[^<]*\(Score: ([^)]*)\)</h4>", html).group(1)
    late = re.search(r"Late submission penalty \(Score: ([^)]*)\)", html)
    return head, late.group(1) if late else None


@pytest.fixture(scope="module", params=sorted(POLICIES))
def graded_both_ways(request, tmp_path_factory):
    """The class graded by ``nbgrader autograde`` + ``generate_feedback`` and by the bulk grader."""
    policy = request.param
    serial_root, bulk_root = tmp_path_factory.mktemp(f"serial-{policy}"), tmp_path_factory.mktemp(f"bulk-{policy}")
    serial, serial_db = _class(serial_root, policy)
    for student in CLASS:
        course.autograde(serial, "a1", student)
    _, bulk_db = _class(bulk_root, policy)
    outcome = bulk.grade("a1", bulk_root, db_url=bulk_db, progress=False, **GRADING)
    return policy, (serial_root, serial_db), (bulk_root, bulk_db), outcome


def test_late_penalties_equal_nbgrader_autograde_score_for_score(graded_both_ways):
    policy, (serial_root, serial_db), (bulk_root, bulk_db), outcome = graded_both_ways
    assert not outcome.failed
    expected = {t.student: t for t in export.totals(serial_db, "a1")}
    got = {t.student: t for t in export.totals(bulk_db, "a1")}
    print(f"\n{policy}: nbgrader autograde vs bulk grader (auto, hand, late, total)")
    for s in CLASS:
        print(f"  {s:<11} {expected[s].autograded:g} {expected[s].hand_graded:g} {expected[s].late_penalty:g} "
              f"{expected[s].total:g}  |  {got[s].autograded:g} {got[s].hand_graded:g} {got[s].late_penalty:g} "
              f"{got[s].total:g}")
    assert got == expected
    assert results.collect(bulk_db, "a1") == results.collect(serial_db, "a1")
    assert got["late-ref"].late_penalty > 0 and got["late-bug"].late_penalty > 0
    assert got["ontime"].late_penalty == got["ontime-bug"].late_penalty == 0
    if policy == "zero":
        assert got["late-ref"].total == 0
    # the feedback's header and late-penalty line say what nbgrader's generate_feedback says
    for s in CLASS:
        ours = (bulk_root / "feedback" / s / "a1" / "perceptron_adaline.html").read_text()
        theirs = (serial_root / "feedback" / s / "a1" / "perceptron_adaline.html").read_text()
        assert _header(ours) == _header(theirs), s
    # and nbgrader's release_feedback takes what the bulk grader wrote
    assert (bulk_root / "feedback" / "late-ref" / "a1" / "timestamp.txt").read_text().startswith("2026-09-03 10:00")
    assert course.api(bulk_root, bulk_db).release_feedback("a1")["success"]
    assert len(list((bulk_root / "exchange" / course.COURSE_ID / "feedback").glob("*.html"))) == len(CLASS)


def test_the_summary_ends_with_per_student_totals(graded_both_ways):
    _, _, (_, bulk_db), outcome = graded_both_ways
    tail = outcome.text.split("a1: totals per student\n")[1]
    assert tail == export.format_totals(export.totals(bulk_db, "a1"))
    assert "late-ref" in tail and "(written answers not graded yet)" in tail


def _hand_grade(db_url, student, score, comment):
    """What Formgrader does when a grader saves a score and a comment on the written answer."""
    with Gradebook(db_url) as gb:
        grade = gb.find_grade("reflection", "perceptron_adaline", "a1", student)
        grade.manual_score, grade.needs_manual_grade = score, False
        gb.find_comment("reflection", "perceptron_adaline", "a1", student).manual_comment = comment
        gb.db.commit()


def _reflection(db_url, student):
    with Gradebook(db_url) as gb:
        g = gb.find_grade("reflection", "perceptron_adaline", "a1", student)
        return g.manual_score, g.needs_manual_grade


def test_hand_grades_round_trip_through_feedback_csv_and_regrade(graded_both_ways):
    policy, _, (root, db_url), _ = graded_both_ways
    page = root / "feedback" / "late-ref" / "a1" / "perceptron_adaline.html"
    before = page.read_text()
    assert "Score: not graded yet / 2.0" in before and "0.0 / 2.0" not in before
    _hand_grade(db_url, "late-ref", 1.5, "A clear argument; say why the margin matters.")
    handback.render_again("a1", root, db_url=db_url, out=sys.stderr)
    after = page.read_text()
    assert "Score: 1.5 / 2.0" in after and "say why the margin matters" in after and "not graded yet" not in after
    rows = {(r.split(",")[0], r.split(",")[2]): r for r in (root / "grades-a1.csv").read_text().splitlines()}
    assert rows[("late-ref", "reflection")].split(",")[3] == "1.5"
    total = {t.student: t for t in export.totals(db_url, "a1")}["late-ref"]
    assert total.hand_graded == 1.5 and not total.needs_hand_grading
    # the late penalty follows the score with the hand grade (nbgrader's own AssignLatePenalties, run again)
    if policy == "per-day":
        assert total.late_penalty == pytest.approx(round((total.autograded + 1.5) * 0.2, 6))
    assert _header(after)[1] == f"-{round(total.late_penalty, 2)}"
    # a regrade keeps the hand grade, unflagged, while the answer is the same ...
    bulk.grade("a1", root, db_url=db_url, progress=False, students=["late-ref"], **GRADING)
    assert _reflection(db_url, "late-ref") == (1.5, False)
    assert "Score: 1.5 / 2.0" in page.read_text()
    # ... and flags it for review again (keeping the score) when the student's answer changed
    path = root / "submitted" / "late-ref" / "a1" / NB
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "reflection")
    cell.source += "\n\nA sentence added after the hand grade."
    nbformat.write(nb, path)
    bulk.grade("a1", root, db_url=db_url, progress=False, **GRADING)
    assert _reflection(db_url, "late-ref") == (1.5, True)


@pytest.mark.parametrize("graded_both_ways", ["zero"], indirect=True)  # one policy is enough
def test_a_lone_notebook_under_another_name_is_graded_with_a_note(graded_both_ways, tmp_path):
    _, _, (root, db_url), _ = graded_both_ways
    shutil.copytree(root / "submitted" / "ontime", root / "submitted" / "renamed")
    (root / "submitted" / "renamed" / "a1" / NB).rename(root / "submitted" / "renamed" / "a1" / "perceptron_adaline (1).ipynb")
    two = root / "submitted" / "two" / "a1"
    shutil.copytree(root / "submitted" / "renamed" / "a1", two)
    shutil.copy(two / "perceptron_adaline (1).ipynb", two / "copy.ipynb")
    broken = root / "submitted" / "broken" / "a1"
    broken.mkdir(parents=True)
    (broken / "perceptron_adaline-final.ipynb").write_text("{ not json")
    garbage = root / "submitted" / "garbage-time" / "a1"
    shutil.copytree(root / "submitted" / "ontime" / "a1", garbage)
    (garbage / "timestamp.txt").write_text("last tuesday-ish\n")
    outcome = bulk.grade("a1", root, db_url=db_url, progress=False, **GRADING)
    assert sorted(outcome.graded) == ["broken", "renamed", "two"]
    assert "timestamp.txt is not a time nbgrader can read" in outcome.failed["garbage-time"]
    _, scores = results.collect(db_url, "a1")
    assert scores["renamed"] == scores["ontime"] and sum(v or 0 for v in scores["ontime"].values()) > 0
    page = (root / "feedback" / "renamed" / "a1" / "perceptron_adaline.html").read_text()
    assert "Your notebook was named <code>perceptron_adaline (1).ipynb</code>" in page
    assert outcome.renamed == {"renamed": [("perceptron_adaline (1).ipynb", "perceptron_adaline.ipynb")]}
    assert "cannot tell which one" in outcome.zeroed["two"][0] and "`copy.ipynb`" in outcome.zeroed["two"][0]
    assert "named `perceptron_adaline-final.ipynb`" in outcome.zeroed["broken"][0]
    assert "could not be read as a notebook" in outcome.zeroed["broken"][0]
    assert "1 graded under another notebook name, 2 with a notebook missing or unreadable" in outcome.text
    assert "graded under another name: renamed: `perceptron_adaline (1).ipynb` as `perceptron_adaline.ipynb`" \
        in outcome.text


@pytest.mark.parametrize("graded_both_ways", ["per-day"], indirect=True)  # one policy is enough
def test_feedback_follows_the_gradebook_when_a_worker_computed_another_penalty(graded_both_ways, monkeypatch):
    """A worker without the course's config (a Dask worker on another machine) renders no penalty: the writer sees
    that the gradebook's differs and renders that page again."""
    _, _, (root, db_url), _ = graded_both_ways
    from autograder.bulk import feedback

    monkeypatch.setattr(feedback, "late_penalty", lambda *args: 0.0)  # the pool's workers are forked after this
    bulk.grade("a1", root, db_url=db_url, progress=False, students=["late-bug"], **GRADING)
    late = {t.student: t for t in export.totals(db_url, "a1")}["late-bug"].late_penalty
    assert late > 0
    page = (root / "feedback" / "late-bug" / "a1" / "perceptron_adaline.html").read_text()
    assert _header(page)[1] == f"-{round(late, 2)}"
