"""Reading scores back out of an nbgrader gradebook: the per-question table and the grades CSV."""

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


def collect(db_url, assignment):
    """``(questions, scores)`` of one assignment.

    questions: [(grade_id, max_score, autograded)] in notebook order;
    scores: {student: {grade_id: score or None (not graded yet)}} for every student with a submission.
    """
    with Gradebook(db_url) as gb:
        a = gb.find_assignment(assignment)
        questions = []
        for nb in a.notebooks:
            for cell in nb.grade_cells:
                questions.append((cell.name, cell.max_score, cell.cell_type == "code"))
        scores = {}
        for student in sorted(s.id for s in gb.students):
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            scores[student] = {g.name: g.score if not g.needs_manual_grade else None
                               for nb in sub.notebooks for g in nb.grades}
    return questions, scores


def format_table(assignment, questions, scores):
    """A plain-text table: one row per student, one column per autograded question, and the total."""
    auto = [(q, m) for q, m, is_auto in questions if is_auto]
    manual = sum(m for _, m, is_auto in questions if not is_auto)
    names = [q.removeprefix("test_") for q, _ in auto]
    width = max([len("student")] + [len(s) for s in scores]) + 2
    cols = [max(len(n), 5) for n in names]
    head = "student".ljust(width) + " ".join(n.rjust(c) for n, c in zip(names, cols)) + "   total"
    out = [f"{assignment}: autograded points" + (f" (plus {manual:g} graded by hand)" if manual else ""), head,
           "-" * len(head)]
    out.append("max".ljust(width) + " ".join(f"{m:g}".rjust(c) for (_, m), c in zip(auto, cols))
               + f"   {sum(m for _, m in auto):g}")
    for student, got in scores.items():
        cells = [got.get(q) for q, _ in auto]
        total = sum(v for v in cells if v is not None)
        out.append(student.ljust(width) + " ".join(("-" if v is None else f"{v:g}").rjust(c)
                                                   for v, c in zip(cells, cols)) + f"   {total:g}")
    return "\n".join(out)


def write_csv(db_url, assignments, path):
    """One row per student, assignment and question: score, max score, and whether it awaits a hand grade."""
    return write_rows({a: collect(db_url, a) for a in assignments}, path)


def write_rows(collected, path):
    """``write_csv`` from what ``collect`` returned: ``collected`` is {assignment: (questions, scores)}."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "assignment", "question", "score", "max_score", "needs_manual_grade"])
        for a, (questions, scores) in collected.items():
            for student, got in scores.items():
                for q, max_score, _ in questions:
                    score = got.get(q)
                    writer.writerow([student, a, q, "" if score is None else score, max_score, score is None])
    return path
