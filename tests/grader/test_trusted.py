"""The recorded score is the grader's: attacks that forged a grade through the student's process earn nothing.

Each attack is a submission graded by the bulk grader beside the reference and the untouched release of the same
assignment; each must score 0 on what it did not solve, nobody else may lose a point, and nothing may "fail".
"""

import nbformat
import pytest
from nbgrader import utils

from autograder import course, demo, results
from sandboxing import GRADING

# a7's one question goes through the same calls as the others' and its reference trains a network three times per
# submission: the demo class grades it on the grader's side already, so its attacks are left out here
ASSIGNMENTS = [a for a in course.assignments() if a != "a7"]
LIMITS = {"cell_timeout": 10, "timeout": 240, "memory_mb": 1536, **GRADING}

# Lines in the first solution cell that silence grade() in the notebook (the old re-check trusted the notebook's own
# score whenever it could not carry a value back). At grading the student's process has no grading modules at all.
SILENCE = ("import autograder\nautograder.grade = lambda *a, **k: 4.0\ntry:\n"
           "    import autograder.grading as _g; _g.Grader.__call__ = lambda self, *a, **k: "
           "float(__import__('autograder.grading').grading.find_question(a[0]).points)\nexcept ImportError:\n    pass")

# Graded functions that return values the old re-check could not carry: each solution cell becomes one of these.
UNCARRIABLE = {
    "dict-with-int-keys": "return {1: 2}",
    "object-array": "return np.array([object(), 1.0], dtype=object)",
    "a-function": "return lambda *a: 0",
}

# The student's half of the grader's calls, replaced inside the student's process.
REPLACED_SERVE = {
    "serve-returns-a-list": "_s.serve = lambda header, blobs, ns, session: ([1, 2], [])",
    "serve-claims-ok-with-a-bad-blob": ("_s.serve = lambda header, blobs, ns, session: "
                                        "({'kind': 'ok', 'value': {'t': 'npy', 'i': 3}, 'after': {}}, [])"),
    "serve-refers-to-the-graders-objects": ("_s.serve = lambda header, blobs, ns, session: "
                                            "({'kind': 'ok', 'value': {'t': 'ref', 'id': 0, 'old': True}, "
                                            "'after': {'0': {'t': 'dict', 'v': [['data', 1.0]]}}}, [])"),
    "serve-answers-none": "_s.serve = lambda header, blobs, ns, session: ({'kind': 'ok', 'value': None}, [])",
    "serve-sends-garbage": ("import autograder.bulk.channel as _c\n"
                            "_s.serve = lambda header, blobs, ns, session: (_c.__dict__.__setitem__("
                            "'send', lambda conn, h, b=(): conn.send_bytes(b'\\x00\\x00\\x00\\x09not json!')) "
                            "or ({'kind': 'ok', 'value': 1.0}, []))"),
    "serve-never-answers": "import time\n_s.serve = lambda header, blobs, ns, session: time.sleep(3600)",
    # a second reply slipped in ahead of the real one, with the right labels for the public check's input
    "answers-out-of-turn": (
        "import gc\nfrom multiprocessing.connection import Connection\nfrom autograder import crossing\n"
        "_conn = next(o for o in gc.get_objects() if isinstance(o, Connection))\n"
        "_forged = crossing.pack({'kind': 'ok', 'value': [1, -1, 1, 1, -1, 1], 'after': {}, 'blobs': []}, [])\n"
        "_s.serve = lambda header, blobs, ns, session: (_conn.send_bytes(_forged), ({'kind': 'ok', 'value': None}, "
        "[]))[1]"),
}


def _first_solution_cell(nb):
    """The first cell the student writes (locked cells are put back from the gradebook before grading)."""
    return next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))


def _with_first_cell(nb, code):
    nb = nbformat.from_dict(nb)
    cell = _first_solution_cell(nb)
    cell.source = code + "\n" + cell.source
    return nb


def _solutions_replaced(nb, body):
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            cell.source = f"import numpy as np\ndef {meta['grade_id']}(*args, **kwargs):\n    {body}\n"
    return nb


def _attacks(assignment, subs):
    """{student: {notebook name: notebook}} of the attacks on one assignment."""
    out = {"silenced-stubs": {name: _with_first_cell(nb, SILENCE) for name, nb in subs["untouched"].items()}}
    if assignment == "a1":
        for label, body in UNCARRIABLE.items():
            out[f"silenced-{label}"] = {name: _with_first_cell(_solutions_replaced(nb, body), SILENCE)
                                        for name, nb in subs["untouched"].items()}
        for label, code in REPLACED_SERVE.items():
            out[label] = {name: _with_first_cell(nb, "import autograder.bulk.student_side as _s\n" + code)
                          for name, nb in subs["untouched"].items()}
    return out


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """{assignment: (gradebook url, Outcome, [attack students])}: each assignment's reference, untouched release
    and attacks, graded by the bulk grader."""
    from autograder import bulk

    root = tmp_path_factory.mktemp("trusted-course")
    db_url = course.prepare(root).coursedir.db_url
    graded = {}
    for a in ASSIGNMENTS:
        subs = demo.submissions(a, root / "release")
        students = {"reference": subs["reference"], "untouched": subs["untouched"], **_attacks(a, subs)}
        for student, notebooks in students.items():
            folder = root / "submitted" / student / a
            folder.mkdir(parents=True)
            for name, nb in notebooks.items():
                nbformat.write(nb, folder / name)
        limits = {**LIMITS, "cell_timeout": 4} if a == "a1" else LIMITS  # a1's attacks include one that hangs
        outcome = bulk.grade(a, root, db_url=db_url, progress=False, **limits)
        graded[a] = (db_url, outcome, sorted(set(students) - {"reference", "untouched"}))
    return root, graded


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_attacks_score_zero_and_cost_nobody_else(attacked, assignment):
    root, graded = attacked
    db_url, outcome, attackers = graded[assignment]
    assert outcome.failed == {}
    questions, scores = results.collect(db_url, assignment)
    auto = {q: m for q, m, is_auto in questions if is_auto}
    assert {q: scores["reference"][q] for q in auto} == auto
    assert "reference" not in outcome.incomplete
    for student in ["untouched", *attackers]:
        earned = {q: scores[student][q] for q in auto if scores[student][q]}
        assert earned == {}, f"{assignment}/{student} kept points: {earned}"


def test_every_attack_on_a1_is_graded_and_says_what_happened(attacked):
    root, graded = attacked
    _, outcome, attackers = graded["a1"]
    assert set(REPLACED_SERVE) <= set(attackers)
    assert sorted(outcome.graded) == sorted(["reference", "untouched", *attackers])
    for student in ["serve-claims-ok-with-a-bad-blob", "serve-refers-to-the-graders-objects", "answers-out-of-turn"]:
        page = next((root / "feedback" / student / "a1").glob("*.html")).read_text()
        assert "could not complete" in page, student
        assert student in outcome.incomplete
    assert "checks the grader could not complete" in outcome.text


def test_test_cells_show_the_graders_report_not_the_notebooks(attacked):
    """The silenced grade() would have printed the full points; the autograded notebook shows the grader's 0."""
    root, _ = attacked
    nb = nbformat.read(next((root / "autograded" / "silenced-stubs" / "a1").glob("*.ipynb")), as_version=4)
    shown = [o for c in nb.cells if utils.is_grade(c) and c.cell_type == "code" for o in c.outputs
             if o.output_type == "execute_result"]
    assert shown and all(float(o.data["text/plain"]) == 0 for o in shown)
