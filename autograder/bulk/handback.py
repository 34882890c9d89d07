"""``python -m autograder feedback a1``: the feedback pages rendered again from what is graded, without running
any student code: after hand grading in Formgrader, the pages show the hand scores and comments.

For each submission it reads ``autograded/<student>/<assignment>/<notebook>.ipynb`` (the executed notebook the grader
wrote, with the notes of how grading went in its metadata) and the gradebook (automatic and hand scores, comments,
extra credit), runs nbgrader's own steps after SaveAutoGrades again (``AssignLatePenalties`` with the course's
plugin, so that a penalty that depends on the score follows the hand grades), and renders the page with the same
renderer as ``grade`` (``feedback.render``: nbgrader's feedback template, hidden tests removed). A notebook that
was never graded as a notebook (missing, unreadable) keeps the page ``grade`` wrote. Then the grades CSV is
written again, and the totals printed.

nbgrader's own ``generate_feedback`` is the reference behaviour: the same scores, comments and late penalty (one
difference: nbgrader keeps the late penalty computed at autograde even after hand grades change the score).
"""

import sys
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .. import course, results
from . import feedback, store, summary
from .jobs import Job, NotebookJob, NotebookResult
from .prepare import hand_grades


def render_again(assignment, course_root, db_url=None, students=None, out=sys.stdout):
    """Render the feedback of ``students`` (default: everyone with a submission) again; returns {student:
    [notebooks rendered]}. Holds the assignment's run lock (``store.run_lock``): never while ``grade`` runs."""
    course_root = Path(course_root).resolve()
    db_url = course.database_url(db_url, course_root)
    config = course.nbgrader_config(course_root, db_url)
    done = {}
    with store.run_lock(course_root, assignment):
        with Gradebook(db_url) as gb:
            try:
                a = gb.find_assignment(assignment)
            except MissingEntry:
                raise ValueError(f"{assignment} is not in the gradebook {db_url}: grade it first") from None
            names = [nb.name for nb in a.notebooks]
            submitted = sorted(s.student.id for s in a.submissions)
        unknown = sorted(set(students or ()) - set(submitted))
        if unknown:
            raise ValueError(f"no graded submission of {assignment} for {', '.join(unknown)}")
        for student in students or submitted:
            done[student] = [name for name in names
                             if render_one(course_root, db_url, config, assignment, student, name)]
            store.hand_back_files(course_root, assignment, student)
    questions, scores = results.collect(db_url, assignment)
    csv_path = results.write_rows({assignment: (questions, scores)}, course_root / f"grades-{assignment}.csv")
    rendered = sum(len(v) for v in done.values())
    print(f"{assignment}: feedback rendered again for {len(done)} students ({rendered} notebooks), from the "
          f"gradebook and autograded/, nothing run\nfeedback:   {course_root / 'feedback'}/<student>/{assignment}/\n"
          f"grades CSV: {csv_path}\n\n{summary.totals(db_url, assignment)}", file=out)
    return done


def render_one(course_root, db_url, config, assignment, student, name):
    """The page of one notebook, rendered again; False when there is no autograded notebook to render from."""
    course_root = Path(course_root)
    path = course_root / "autograded" / student / assignment / f"{name}.ipynb"
    if not path.is_file() or path.is_symlink():
        return False
    text = path.read_text(encoding="utf-8")
    store.late_steps(course_root, db_url, assignment, student, [(name, text)], config)
    with Gradebook(db_url) as gb:
        sub = gb.find_submission_notebook(name, assignment, student)
        grades = {g.name: (g.auto_score, g.max_score) for g in sub.grades}
        comments = {c.name: c.auto_comment for c in sub.comments}
        hand = hand_grades(gb, assignment, student, name)
        late = float(sub.late_submission_penalty or 0.0)
        seconds_late = float(sub.assignment.total_seconds_late or 0.0)
        max_score = float(sub.max_score)
    nb = nbformat.reads(text, as_version=4)
    job = Job(assignment, student, fingerprint="", seconds_late=seconds_late)
    entry = NotebookJob(name, max_score, hand, notebook=nb)
    result = NotebookResult(name, grades=grades, comments=comments, notes=feedback.kept_notes(nb), autograded=text)
    store.write_atomic(course_root / "feedback" / student / assignment / f"{name}.html",
                       feedback.render(job, entry, result, config, late=late))
    return True
