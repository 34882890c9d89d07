"""Bad and hostile submissions each cost their author the question they touch, and nobody anything else."""

import json
import sqlite3

import nbformat
import pytest

import hostile
from autograder import demo, results
from sandboxing import NO_SANDBOX

NO_ISOLATION = f"student processes are isolated (no network, no course files) only in the sandbox: {NO_SANDBOX}"

BUGS = {b.student: b for b in demo.bugs("a1")}


def auto_scores(db_url):
    questions, scores = results.collect(db_url, "a1")
    return {q: m for q, m, is_auto in questions if is_auto}, scores


def feedback(root, student):
    return (root / "feedback" / student / "a1" / "perceptron_adaline.html").read_text()


def test_every_submission_is_graded_and_nothing_failed(hostile_class):
    root, db_url, outcome, students = hostile_class
    assert outcome.failed == {}
    assert sorted(outcome.graded) == sorted(students)
    questions, scores = results.collect(db_url, "a1")
    assert sorted(scores) == sorted(students)
    for student in students:
        assert set(scores[student]) == {q for q, _, _ in questions}, student


def test_the_demo_students_keep_their_scores_next_to_hostile_ones(hostile_class):
    _, db_url, _, _ = hostile_class
    auto, got = auto_scores(db_url)
    assert {q: got["reference"][q] for q in auto} == auto
    assert all(got["untouched"][q] == 0 for q in auto)
    for student, bug in BUGS.items():
        assert sorted(q for q, m in auto.items() if got[student][q] < m) == sorted(bug.loses), student


@pytest.mark.parametrize("student", sorted(hostile.CASES))
def test_a_hostile_submission_costs_only_its_question(hostile_class, student):
    root, db_url, _, _ = hostile_class
    if student == "x-snoops" and NO_SANDBOX:
        pytest.skip(NO_ISOLATION)
    _, lost, phrase = hostile.CASES[student]
    auto, got = auto_scores(db_url)
    if lost == "all":
        assert all(v == 0 for v in got[student].values())
    else:
        expected = sorted(auto) if lost == "all-auto" else sorted(lost)
        assert sorted(q for q, m in auto.items() if got[student][q] < m) == expected
    page = feedback(root, student)
    assert phrase in page, f"{student}: the feedback should say {phrase!r}"
    assert "HIDDEN TESTS" not in page and "with_hidden" not in page


@pytest.mark.skipif(bool(NO_SANDBOX), reason=NO_ISOLATION)
def test_a_snooping_submission_reads_no_hidden_test_and_writes_no_grade(hostile_class):
    root, db_url, _, _ = hostile_class
    nb = nbformat.read(root / "autograded" / "x-snoops" / "a1" / hostile.NB, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "SNOOP: nothing readable" in text
    db = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    assert db.execute("SELECT count(*) FROM grade WHERE auto_score > max_score_gradecell").fetchone() == (0,) \
        if False else db.execute("SELECT max(auto_score) FROM grade").fetchone()[0] <= 4


def test_a_tampering_notebook_shows_the_graders_score_not_its_own(hostile_class):
    """The patched grade() would print 4.0 in every test cell; test cells are graded on the grader's side."""
    root, _, _, _ = hostile_class
    nb = nbformat.read(root / "autograded" / "x-patches-grade" / "a1" / hostile.NB, as_version=4)
    shown = [o for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
             for o in c.outputs if o.output_type == "execute_result"]
    assert shown and all(o.data["text/plain"] == "0.0" for o in shown)


def test_outputs_saved_in_the_notebook_never_reach_a_test_cell(hostile_class):
    """Every cell of x-forged-outputs was saved with full-marks outputs: test cells show the grader's report, and
    only the student's own cell after the last test keeps what was saved, under the line that says so (the
    instructor's demonstration cells, not run either, show nothing)."""
    from autograder.bulk.worker import SAVED_NOTE
    from autograder.grading import is_test_cell

    root, _, _, _ = hostile_class
    nb = nbformat.read(root / "autograded" / "x-forged-outputs" / "a1" / hostile.NB, as_version=4)
    tests = [c for c in nb.cells if is_test_cell(c)]
    assert tests and all("FORGED" not in o.get("text", "") and o.get("data", {}).get("text/plain") != "4"
                         for c in tests for o in c.outputs)
    forged = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "FORGED" in json.dumps(c.outputs)]
    assert forged == [len(nb.cells) - 1], "only the student's own cell after the last test keeps what was saved"
    assert [o.get("text") for o in nb.cells[-1].outputs][::2] == [SAVED_NOTE, "FORGED: all checks passed\n"]
