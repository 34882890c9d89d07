"""The demo class graded by nbgrader: each submission scores what it should, and only where it should."""

import csv

import nbformat
import pytest

from autograder import course, demo, results

ASSIGNMENTS = course.assignments()


def scores(demo_class, assignment):
    questions, got = results.collect(demo_class.graded(assignment).db_url, assignment)
    auto = {q: m for q, m, is_auto in questions if is_auto}
    return auto, got


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_has_full_marks(demo_class, assignment):
    auto, got = scores(demo_class, assignment)
    assert {q: got["reference"][q] for q in auto} == auto


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_check_completes_on_the_graders_side(demo_class, assignment):
    """Every check of every question runs on the grader's side for every demo student (the reference, the correct
    but different variants, the classic bugs, the untouched release): each answer crossed, none was lost."""
    assert demo_class.graded(assignment).outcomes[assignment].incomplete == {}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_scores_zero_and_says_not_implemented(demo_class, assignment):
    auto, got = scores(demo_class, assignment)
    assert all(got["untouched"][q] == 0 for q in auto)
    for path in (demo_class.root / "autograded" / "untouched" / assignment).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
                text = "".join(o.get("text", "") for o in cell.outputs)
                assert "not implemented yet" in text or "not answered yet" in text
                assert not [o for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("bug", [b for a in ASSIGNMENTS for b in demo.bugs(a)], ids=lambda b: b.student)
def test_a_classic_bug_loses_points_exactly_on_its_question(demo_class, bug):
    assignment = bug.student.split("-")[0]
    auto, got = scores(demo_class, assignment)
    lost = sorted(q for q, m in auto.items() if got[bug.student][q] < m)
    assert lost == sorted(bug.loses), bug.about


def _reports(demo_class, assignment, student):
    """{test cell grade_id: the report under it} of a demo student's autograded notebook."""
    reports = {}
    for path in (demo_class.graded(assignment).root / "autograded" / student / assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
                reports[cell.metadata.nbgrader.grade_id] = "".join(o.get("text", "") for o in cell.outputs)
    return reports


DIAGNOSED = [b for a in ASSIGNMENTS if a != "a7" for b in demo.bugs(a) if b.loses]


@pytest.mark.parametrize("bug", DIAGNOSED, ids=lambda b: b.student)
def test_a_classic_bug_gets_a_diagnosis_that_names_it(demo_class, bug):
    """The report under each question the bug loses points on names the mistake: a ``Likely mistake:`` line with the
    bug's own words (``Bug.diagnosis``), not only what differed."""
    assert bug.diagnosis, f"{bug.student} declares no diagnosis words"
    reports = _reports(demo_class, bug.student.split("-")[0], bug.student)
    for grade_id in bug.loses:
        lines = [line for line in reports[grade_id].splitlines() if "Likely mistake:" in line]
        assert any(bug.diagnosis.lower() in line.lower() for line in lines), \
            f"{bug.student} on {grade_id}: no 'Likely mistake:' line with {bug.diagnosis!r}:\n{reports[grade_id]}"


@pytest.mark.parametrize("bug", [b for a in ASSIGNMENTS for b in demo.bugs(a) if not b.loses] +
                         [demo.Bug(f"reference-{a}", "the reference", {}) for a in ASSIGNMENTS],
                         ids=lambda b: b.student)
def test_a_correct_but_different_answer_gets_no_diagnosis(demo_class, bug):
    assignment = bug.student.split("-")[-1] if bug.student.startswith("reference-") else bug.student.split("-")[0]
    student = "reference" if bug.student.startswith("reference-") else bug.student
    assert not [g for g, text in _reports(demo_class, assignment, student).items() if "Likely mistake:" in text]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_assignment_has_classic_bug_students(assignment):
    capstone = assignment == "a7"  # graded on a held-out set: a weak model is its classic mistake
    assert len([b for b in demo.bugs(assignment) if b.loses]) >= (1 if capstone else 3)


def test_feedback_is_written_and_hides_hidden_tests(graded_demo):
    root, _, students = graded_demo
    for a, names in students.items():
        for s in names:
            pages = list((root / "feedback" / s / a).glob("*.html"))
            assert pages, f"no feedback for {s}/{a}"
            html = pages[0].read_text()
            assert "HIDDEN TESTS" not in html and "with_hidden" not in html
            assert "points" in html


def test_grades_csv_has_a_row_per_student_and_question(graded_demo, tmp_path):
    root, db_url, students = graded_demo
    path = results.write_csv(db_url, ASSIGNMENTS, tmp_path / "grades.csv")
    rows = list(csv.DictReader(open(path)))
    for a, names in students.items():
        questions, _ = results.collect(db_url, a)
        assert sum(r["assignment"] == a for r in rows) == len(names) * len(questions)
    reference = [r for r in rows if r["student"] == "reference" and r["needs_manual_grade"] == "False"]
    assert all(float(r["score"]) == float(r["max_score"]) for r in reference)
