"""The bulk grader itself: nbgrader's scores, resuming, determinism, the command line, its outputs."""

import json
import os
import shutil
import subprocess
import sys

import nbformat

from autograder import bulk, course, results
from autograder.bulk import prepare, worker
from autograder.bulk.jobs import Options
from autograder.grading import is_test_cell
from conftest import LIMITS
from hostile import NB

SAME_AS_NBGRADER = ["reference", "a1-no-bias", "x-split-cell"]


def test_scores_equal_nbgrader_autograde_on_the_same_submissions(hostile_class, tmp_path):
    root, db_url, _, _ = hostile_class
    serial = tmp_path / "serial"
    grader = course.prepare(serial, ["a1"])
    for student in SAME_AS_NBGRADER:
        shutil.copytree(root / "submitted" / student, serial / "submitted" / student)
        course.autograde(grader, "a1", student)
    _, expected = results.collect(grader.coursedir.db_url, "a1")
    _, got = results.collect(db_url, "a1")
    assert {s: got[s] for s in SAME_AS_NBGRADER} == expected


def test_a_second_run_grades_nothing_and_a_changed_submission_is_graded_again(hostile_class):
    root, db_url, _, students = hostile_class
    again = bulk.grade("a1", root, workers=2, db_url=db_url, progress=False, **LIMITS)
    assert again.graded == [] and sorted(again.skipped) == sorted(students)
    path = root / "submitted" / "a1-no-bias" / "a1" / "perceptron_adaline.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("I fixed nothing, but I changed the file."))
    nbformat.write(nb, path)
    changed = bulk.grade("a1", root, workers=2, db_url=db_url, progress=False, **LIMITS)
    assert changed.graded == ["a1-no-bias"]
    state = json.loads((root / "autograded" / ".bulk-a1.json").read_text())
    assert sorted(state) == sorted(students)


def test_grading_the_same_submission_twice_gives_the_same_score_and_feedback(hostile_class):
    root, db_url, _, _ = hostile_class
    options = Options(str(root), db_url, "a1", **LIMITS)
    for student in ["a1-wrong-sign", "x-sys-exit"]:
        job = prepare.build_job(root, "a1", student, db_url, "fingerprint")
        first, second = worker.grade_job(job, options), worker.grade_job(job, options)
        for a, b in zip(first.notebooks, second.notebooks):
            assert a.grades == b.grades and a.feedback == b.feedback and a.autograded == b.autograded


def test_demonstration_cells_are_skipped_and_everything_the_student_wrote_runs(hostile_class):
    root, db_url, _, _ = hostile_class
    job = prepare.build_job(root, "a1", "x-split-cell", db_url, "fingerprint")
    entry = job.notebooks[0]
    release = nbformat.read(root / "release" / "a1" / "perceptron_adaline.ipynb", as_version=4)
    demo_cells = {c.source for c in release.cells if c.cell_type == "code" and "nbgrader" not in c.metadata}
    for cell, run in zip(entry.notebook.cells, entry.run):
        if cell.cell_type != "code":
            continue
        if "nbgrader" in cell.metadata or cell.source not in demo_cells:
            assert run, cell.source[:60]  # the student's helper cell, solution, test and locked cells
    assert not all(r for c, r in zip(entry.notebook.cells, entry.run) if c.cell_type == "code")


def test_outputs_csv_plot_feedback_and_summary(hostile_class):
    root, db_url, outcome, students = hostile_class
    assert outcome.csv.exists() and outcome.plot.exists() and outcome.plot.stat().st_size > 1000
    assert "graded" in outcome.text and "test_predict" in outcome.text and "mean" in outcome.text
    for student in students:
        assert (root / "feedback" / student / "a1" / "perceptron_adaline.html").exists()


def test_the_command_line_grades_and_resumes(hostile_class):
    root, db_url, _, _ = hostile_class
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "a1", "--course", str(root), "--db-url", db_url,
                           "--cell-timeout", "5", "--timeout", "120", "--memory", "1024", "--no-progress"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "0 graded" in done.stdout and "grades CSV" in done.stdout


def test_without_a_sandbox_the_grader_refuses_unless_told_and_then_warns(monkeypatch, tmp_path, capsys):
    from autograder.bulk import run, sandbox

    monkeypatch.setattr(sandbox, "problem", lambda: "bubblewrap (`bwrap`) is not installed")
    try:
        run._check_sandbox(True, None, sys.stdout)
        raise AssertionError("graded without a sandbox, unasked")
    except bulk.NoSandbox as refused:
        assert "refusing to grade" in str(refused) and "bwrap" in str(refused)
    run._check_sandbox(False, None, sys.stdout)
    assert "without a sandbox" in capsys.readouterr().out
    env = dict(os.environ, PATH="/nonexistent")  # no bwrap on this PATH: the command refuses, and says why
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "a1", "--course", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode != 0 and "refusing to grade" in done.stderr


def test_database_url_defaults_to_sqlite_and_names_the_postgresql_driver(tmp_path):
    assert course.database_url(None, tmp_path) == f"sqlite:///{tmp_path.resolve() / 'gradebook.db'}"
    assert course.database_url("postgresql://u@h/db", tmp_path) == "postgresql+psycopg2://u@h/db"
    assert course.database_url("postgres://u@h/db", tmp_path) == "postgresql+psycopg2://u@h/db"
    for kept in ("postgresql+psycopg2://u@h/db", "sqlite:////srv/g.db", "mysql://u@h/db"):
        assert course.database_url(kept, tmp_path) == kept


def test_cells_after_the_last_test_keep_the_outputs_the_student_saved_and_are_not_run(hostile_class, tmp_path):
    """A capstone's experiments come after its last test cell: graded again they would cost minutes and could change
    no autograded score. The cells the student saved outputs for keep them (under a line that says so); the others
    run, and so does every cell before the last test, whatever it saved."""
    root = tmp_path / "course"
    course.link_source(root)
    shutil.copytree(hostile_class[0] / "submitted" / "reference", root / "submitted" / "saved")
    db_url = course.prepare(root, ["a1"]).coursedir.db_url
    path = root / "submitted" / "saved" / "a1" / NB
    nb = nbformat.read(path, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell("print('an experiment, run again')"),  # saved with outputs: kept
                 nbformat.v4.new_code_cell("print('not saved, so run')")]  # saved without: run
    for cell in nb.cells[:-1]:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"SAVED {cell.id}\n")]
            cell.execution_count = 7
    nbformat.write(nb, path)
    last_test = max(i for i, c in enumerate(nb.cells) if is_test_cell(c))
    experiment, unsaved = len(nb.cells) - 2, len(nb.cells) - 1

    job = prepare.build_job(root, "a1", "saved", db_url, "fingerprint")
    entry = job.notebooks[0]
    assert len(entry.notebook.cells) == len(nb.cells)
    assert not entry.run[experiment] and experiment in entry.kept and entry.run[unsaved]
    assert all(entry.run[i] for i, c in enumerate(entry.notebook.cells)
               if c.cell_type == "code" and i <= last_test and "nbgrader" in c.metadata)

    options = Options(str(root), db_url, "a1", **LIMITS)
    graded = worker.grade_job(job, options).notebooks[0]
    cells = nbformat.reads(graded.autograded, as_version=4).cells
    assert [o.text for o in cells[experiment].outputs] == [worker.SAVED_NOTE, f"SAVED {nb.cells[experiment].id}\n"]
    assert cells[experiment].execution_count == 7
    assert [o.text for o in cells[unsaved].outputs] == ["not saved, so run\n"]
    for i, cell in enumerate(cells):
        if i != experiment:  # (an instructor's demonstration cell is not run either, and shows nothing saved)
            assert "SAVED" not in json.dumps(cell.get("outputs", [])), f"cell {i} kept its saved outputs"

    plain = worker.grade_job(prepare.build_job(root, "a1", "saved", db_url, "fingerprint", run_all=True), options)
    assert plain.notebooks[0].grades == graded.grades
    assert "SAVED" not in plain.notebooks[0].autograded
    assert [o.text for o in nbformat.reads(plain.notebooks[0].autograded, as_version=4).cells[experiment].outputs] \
        == ["an experiment, run again\n"]


def test_saved_outputs_are_kept_only_when_nbformat_accepts_them_and_there_are_few():
    cells = [nbformat.v4.new_code_cell(f"print({i})", outputs=[nbformat.v4.new_output("stream", text=f"{i}\n")])
             for i in range(3)]
    nb = nbformat.v4.new_notebook(cells=cells)
    saved = prepare.saved_outputs(nb)
    assert sorted(prepare.kept_outputs(nb, [1, 2], saved)) == [1, 2]
    saved[cells[2].id]["outputs"] = [{"output_type": "forged"}]
    assert prepare.kept_outputs(nb, [1, 2], saved) == {}, "an output nbformat rejects was kept"
    deep = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", {"application/json": {}})])
    value = deep.outputs[0].data["application/json"]
    for _ in range(prepare.MAX_OUTPUT_DEPTH):
        value["deeper"] = {}
        value = value["deeper"]
    assert deep.id not in prepare.saved_outputs(nbformat.v4.new_notebook(cells=[deep]))
    many = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("stream", text="s")])
        for _ in range(prepare.MAX_KEPT_CELLS + 1)])
    assert prepare.kept_outputs(many, list(range(len(many.cells))), prepare.saved_outputs(many)) == {}
