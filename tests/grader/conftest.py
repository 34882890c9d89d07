"""One class of assignment 1, graded once per session by the bulk grader: the demo students (reference,
untouched, classic bugs) and the hostile ones of ``hostile.py``."""

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import hostile  # noqa: E402
from sandboxing import GRADING  # noqa: E402

LIMITS = {"cell_timeout": 5, "timeout": 120, "memory_mb": 1024, **GRADING}


@pytest.fixture(scope="session")
def hostile_class(tmp_path_factory):
    """(course folder, gradebook url, bulk Outcome, {student: [demo students]})."""
    from autograder import bulk, course, demo

    root = tmp_path_factory.mktemp("hostile-course")
    grader = course.prepare(root, ["a1"])
    db_url = grader.coursedir.db_url
    students = demo.build_class(root, ["a1"])["a1"]
    reference = nbformat.read(root / "submitted" / "reference" / "a1" / hostile.NB, as_version=4)
    paths = {"source_nb": str(root / "source" / "a1" / hostile.NB), "gradebook": str(root / "gradebook.db"),
             "course": str(root)}
    students += hostile.write(root, reference, paths)
    outcome = bulk.grade("a1", root, workers=2, db_url=db_url, progress=False, **LIMITS)
    return root, db_url, outcome, students
