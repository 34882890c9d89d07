"""``python -m autograder export a1 --format canvas|moodle|csv``: one row per student, in the format an LMS imports.

Totals come from nbgrader's gradebook: the autograded points (code cells), the points graded by hand (written
answers), the late penalty nbgrader's ``LateSubmissionPlugin`` recorded, and the total after it. A submission whose
written answers are not graded yet is exported with its total so far and ``needs hand grading`` (CSV) or left blank
(Canvas and Moodle, which would otherwise record a grade that is not final).

- ``canvas``: Canvas's gradebook CSV (Student, ID, SIS User ID, SIS Login ID, Section, then one column named
  ``<assignment title> (<Canvas assignment id>)``; Canvas matches rows on ID or SIS Login ID).
- ``moodle``: an identifier column (``Email address`` or ``ID number``) and a grade column, what Moodle's "Import
  grades from CSV" maps.
- ``csv``: every number, for the instructor's own records.
"""

import csv
import io
from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry


@dataclass(frozen=True)
class Total:
    """One student's totals for an assignment."""

    student: str
    autograded: float
    hand_graded: float
    late_penalty: float
    max_score: float
    needs_hand_grading: bool
    submitted: bool

    @property
    def total(self):
        return max(0.0, self.autograded + self.hand_graded - self.late_penalty)


def totals(db_url, assignment):
    """``Total`` of every student of the gradebook (with ``submitted=False`` for those without a submission)."""
    rows = []
    with Gradebook(db_url) as gb:
        maximum = gb.find_assignment(assignment).max_score
        for student in sorted(s.id for s in gb.students):
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                rows.append(Total(student, 0.0, 0.0, 0.0, maximum, False, False))
                continue
            rows.append(Total(student, float(sub.code_score), float(sub.written_score),
                              float(sub.late_submission_penalty or 0.0), float(sub.max_score),
                              bool(sub.needs_manual_grade), True))
    return rows


def as_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "autograded", "hand_graded", "late_penalty", "total", "max_score",
                     "needs_hand_grading", "submitted"])
    for t in rows:
        writer.writerow([t.student, f"{t.autograded:g}", f"{t.hand_graded:g}", f"{t.late_penalty:g}",
                         f"{t.total:g}", f"{t.max_score:g}", t.needs_hand_grading, t.submitted])
    return out.getvalue()


def as_canvas(rows, roster, title, canvas_assignment_id=None):
    """Canvas's gradebook import: a student not on the roster is left out (Canvas could not match the row)."""
    out = io.StringIO()
    writer = csv.writer(out)
    column = f"{title} ({canvas_assignment_id})" if canvas_assignment_id else title
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
    for t in rows:
        r = roster.get(t.student)
        if r is None:
            continue
        grade = "" if t.needs_hand_grading else f"{t.total:g}"
        writer.writerow([r.get("sortable_name") or r.get("name", ""), r.get("canvas_id") or r.get("lms_id", ""),
                         r.get("sis_user_id", ""), r.get("sis_login_id") or r.get("email", ""), r.get("section", ""),
                         grade])
    return out.getvalue()


def as_moodle(rows, roster, title):
    """Moodle's grade import: matched on the email address when the roster has one, else on the ID number."""
    out = io.StringIO()
    writer = csv.writer(out)
    by_email = all(roster.get(t.student, {}).get("email") for t in rows if t.student in roster)
    writer.writerow(["Email address" if by_email else "ID number", title])
    for t in rows:
        r = roster.get(t.student)
        if r is None:
            continue
        writer.writerow([r.get("email") if by_email else (r.get("moodle_id") or r.get("lms_id") or t.student),
                         "" if t.needs_hand_grading else f"{t.total:g}"])
    return out.getvalue()


def read_roster(path):
    """{course id: roster row as a dict with lower-case keys} (see ``collect.read_roster`` for its columns)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(f)]
    return {r["id"]: r for r in rows if r.get("id")}


def format_totals(rows):
    """The per-student totals the grade command ends with."""
    width = max([len("student")] + [len(t.student) for t in rows]) + 2
    lines = ["student".ljust(width) + "  auto  hand  late  total"]
    for t in rows:
        if not t.submitted:
            lines.append(t.student.ljust(width) + "  (no submission)")
            continue
        hand = "  ..." if t.needs_hand_grading else f"{t.hand_graded:6g}"
        lines.append(f"{t.student.ljust(width)}{t.autograded:6g}{hand}{-t.late_penalty if t.late_penalty else 0:6g}{t.total:7g} / "
                     f"{t.max_score:g}" + ("  (written answers not graded yet)" if t.needs_hand_grading else ""))
    return "\n".join(lines)
