"""Shared fixtures: the demo class is built and graded once per test session, by the bulk grader (whose scores
equal nbgrader autograde's: tests/grader and benchmarks/bench_grading.py hold it to that)."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# nbgrader runs the `alembic` executable of this environment.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture(scope="session")
def graded_demo(tmp_path_factory):
    """(course folder, gradebook url, {assignment: [students]}) of the graded demo class."""
    from autograder import bulk, course, demo

    root = tmp_path_factory.mktemp("demo-course")
    grader = course.prepare(root)
    students = demo.build_class(root)
    for a in students:
        outcome = bulk.grade(a, root, db_url=grader.coursedir.db_url, progress=False)
        assert not outcome.failed, outcome.failed
    return root, grader.coursedir.db_url, students
