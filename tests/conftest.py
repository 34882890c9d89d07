"""Shared fixtures: the demo class is built once per test session and graded, by the bulk grader (whose scores
equal nbgrader autograde's: tests/grader and benchmarks/bench_grading.py hold it to that), an assignment at a
time when a test first asks for it."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# nbgrader runs the `alembic` executable of this environment.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


# The fast tier (`make check`) leaves these out: they grade classes, execute notebooks or drive a browser.
SLOW = ("tests/grader/", "tests/notebooks/", "tests/browser/", "tests/autograder/test_demo_class.py",
        "tests/course/test_walkthroughs.py")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: grades a class, executes notebooks or drives a browser (not in "
                                       "`make check`)")


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).resolve().parent.parent
    for item in items:
        if Path(item.fspath).resolve().relative_to(root).as_posix().startswith(SLOW):
            item.add_marker(pytest.mark.slow)


def pytest_report_header(config):
    from sandboxing import NO_SANDBOX

    return f"sandbox: {'bubblewrap' if NO_SANDBOX is None else 'none (' + NO_SANDBOX + ')'}"


class DemoClass:
    """The demo class in a course folder; each assignment is graded the first time a test asks for it, so that
    `pytest -k a4` grades a4 only."""

    def __init__(self, root):
        from autograder import course, demo

        self.root = root
        self.db_url = course.prepare(root).coursedir.db_url
        self.students = demo.build_class(root)
        self.outcomes = {}  # assignment -> the bulk grader's Outcome

    def graded(self, *assignments):
        """Grade the given assignments (all when none is given) unless already done; returns self."""
        from autograder import bulk

        for a in assignments or self.students:
            if a not in self.outcomes:
                from sandboxing import GRADING

                outcome = bulk.grade(a, self.root, db_url=self.db_url, progress=False, **GRADING)
                assert not outcome.failed, outcome.failed
                self.outcomes[a] = outcome
        return self


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory):
    """The demo class, built once per session and graded an assignment at a time, on demand."""
    return DemoClass(tmp_path_factory.mktemp("demo-course"))


@pytest.fixture(scope="session")
def graded_demo(demo_class):
    """(course folder, gradebook url, {assignment: [students]}) of the demo class with every assignment graded."""
    demo_class.graded()
    return demo_class.root, demo_class.db_url, demo_class.students
