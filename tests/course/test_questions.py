"""One list of questions, and releases that keep the derived results back.

The suites declare every question (kind, points, lecture topic, withheld forms); ``python -m autograder questions``
lists them, each source notebook shows the same table at its top, and no release cell, stub docstring, hint or
check message shows a form its question withholds.
"""

import json
import subprocess
import sys

import nbformat
import pytest

from autograder import catalog, course, withheld

ASSIGNMENTS = course.assignments()
# The share of each assignment's autograded points that derive questions carry (issue: derive, then implement).
DERIVE_SHARE = {"a1": 1 / 4, "a2": 1 / 3, "a3": 1 / 4, "a4": 1 / 3, "a5": 1 / 3, "a6": 1 / 3}


def _notebook(folder, assignment):
    return next((course.REPO / folder / assignment).glob("*.ipynb"))


def test_the_questions_command_lists_every_question_as_json():
    out = subprocess.run([sys.executable, "-m", "autograder", "questions", "--json"], capture_output=True, text=True,
                         check=True, cwd=course.REPO).stdout
    listed = json.loads(out)
    ids = {q["id"] for q in listed["questions"]}
    assert ids == {r.id for a in ASSIGNMENTS for r in catalog.questions(a)}
    for q in listed["questions"]:
        assert q["kind"] in ("derive", "implement", "debug", "explain") and q["topic"], q["id"]
        assert q["auto_points"] == q["public_points"] + q["hidden_points"]


@pytest.mark.parametrize("assignment", sorted(DERIVE_SHARE))
def test_derive_questions_carry_their_share_of_the_points(assignment):
    share = catalog.shares(catalog.questions(assignment))["derive"]
    assert share >= DERIVE_SHARE[assignment] - 1e-9, \
        f"{assignment}: derive questions carry {share:.0%} of the autograded points, at least " \
        f"{DERIVE_SHARE[assignment]:.0%} wanted"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_notebook_shows_the_questions_table(assignment):
    nb = nbformat.read(_notebook("source", assignment), as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert catalog.table(assignment) in text, \
        f"the table at the top of {assignment} differs from `python -m autograder questions`: paste " \
        f"catalog.table({assignment!r})"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_hand_graded_answer_is_declared_with_its_points(assignment):
    nb = nbformat.read(_notebook("source", assignment), as_version=4)
    cells = {f"{assignment}.{c.metadata.nbgrader.grade_id}": c.metadata.nbgrader.points for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade") and c.metadata.nbgrader.get("solution")}
    declared = {r.id: r.hand_points for r in catalog.questions(assignment) if r.kind == "explain"}
    assert declared == cells


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_release_keeps_every_withheld_form_back(assignment):
    texts = withheld.release_texts(_notebook("release", assignment)) + withheld.message_texts(assignment)
    found = withheld.scan(texts, assignment)
    assert found == [], "\n".join(f"{f.where}: {f.question} shows {f.pattern}" for f in found)


def test_a_withheld_form_put_back_is_found_in_a_cell_a_docstring_and_a_hint(monkeypatch):
    assignment = "a2"
    put_back = [("markdown", r"so $\sigma'(z) = \sigma(z)\,\big(1 - \sigma(z)\big)$"),
                ("docstring", 'def sigmoid(z):\n    """Return s and s * (1 - s)."""'),
                ("hint", "Hint: the derivative is s*(1 − s).")]
    for where, text in put_back:
        assert [f.where for f in withheld.scan([(where, text)], assignment)] == [where], where
    import autograder.suites.a2 as suite
    monkeypatch.setattr(suite, "SIG_IN_S_HINT", "It is s (1 - s).")
    assert any("suites/a2.py" in f.where for f in withheld.scan(withheld.message_texts(assignment), assignment))
