"""The demo class: a handful of submissions per assignment, each with a known outcome.

For every assignment there is
- ``reference``: the source notebook's solutions in the release notebook (full marks expected);
- ``untouched``: the release as handed out (zero expected, every question reported as not implemented);
- one student per classic bug, declared in ``autograder/demo/aN.py`` as ``Bug`` entries: the reference
  submission with some solution cells replaced. ``loses`` names the test cells (grade ids) where points must be
  lost; every other autograded cell must keep full marks (tests/autograder/test_demo_class.py holds them to it).
"""

import importlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .. import course

_MARKERS = re.compile(r"^\s*#* *(BEGIN|END) SOLUTION\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Bug:
    student: str           # student id in the gradebook, e.g. "a1-wrong-sign"
    about: str             # one line: the classic mistake
    cells: dict            # solution cell grade_id -> the buggy source of that cell
    loses: list = field(default_factory=list)  # test cell grade_ids expected to lose points
    # words the report's "Likely mistake:" line must contain under each lost question: the diagnosis names this bug
    diagnosis: str = ""


def bugs(assignment):
    """The Bug list of an assignment (an empty list when it declares none)."""
    try:
        module = importlib.import_module(f"autograder.demo.{assignment}")
    except ModuleNotFoundError:
        return []
    return list(module.BUGS)


def solution_text(source):
    """A solution cell's source without nbgrader's BEGIN/END SOLUTION marker lines."""
    return _MARKERS.sub("", source).replace("\n\n\n", "\n\n").strip("\n") + "\n"


def _solutions(source_nb):
    return {c.metadata["nbgrader"]["grade_id"]: solution_text(c.source)
            for c in source_nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def submissions(assignment, release_dir):
    """{student: {notebook file name: notebook}} for the demo class of one assignment."""
    out = {}
    for release_path in sorted(Path(release_dir, assignment).glob("*.ipynb")):
        release_nb = nbformat.read(release_path, as_version=4)
        source_nb = nbformat.read(course.REPO / "source" / assignment / release_path.name, as_version=4)
        answers = _solutions(source_nb)
        variants = {"untouched": {}, "reference": answers}
        for bug in bugs(assignment):
            variants[bug.student] = {**answers, **bug.cells}
        for student, cells in variants.items():
            nb = nbformat.from_dict(release_nb)  # a deep copy
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in cells:
                    cell.source = cells[grade_id]
            out.setdefault(student, {})[release_path.name] = nb
    return out


def build_class(course_root, assignments=None):
    """Write every demo submission to ``course_root/submitted/<student>/<assignment>/``. Returns the students."""
    course_root = Path(course_root)
    students = {}
    for a in assignments or course.assignments():
        for student, notebooks in submissions(a, course_root / "release").items():
            target = course_root / "submitted" / student / a
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for name, nb in notebooks.items():
                nbformat.write(nb, target / name)
            students.setdefault(a, []).append(student)
    return students


def run(out, assignments=None, workers=None):
    """Build the demo class in the course folder ``out``, grade it with the bulk grader, print the table and
    where the outputs are."""
    import warnings

    from sqlalchemy.exc import SAWarning

    from .. import bulk, results
    from ..bulk import sandbox

    warnings.filterwarnings("ignore", category=SAWarning)  # raised inside nbgrader's own gradebook code
    sandboxed = sandbox.problem() is None
    if not sandboxed:  # the demo class is the course's own code: it may run without one, and says so
        print(f"note: the demo class is graded without a sandbox here: {sandbox.problem()}")

    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    ids = assignments or course.assignments()
    grader = course.prepare(out, ids)
    build_class(out, ids)
    db_url = grader.coursedir.db_url
    for a in ids:
        bulk.grade(a, out, workers=workers, db_url=db_url, sandbox=sandboxed)
    collected = {a: results.collect(db_url, a) for a in ids}
    for a, (questions, scores) in collected.items():
        print()
        print(results.format_table(a, questions, scores))
    csv_path = results.write_rows(collected, out / "grades.csv")
    print(f"\nfeedback HTML: {out / 'feedback'}/<student>/<assignment>/")
    print(f"grades CSV:    {csv_path}")
    print(f"gradebook:     {db_url}")
