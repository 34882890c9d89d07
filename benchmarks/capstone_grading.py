"""What grading one capstone (a7) submission costs, with and without the outputs a student saves.

    OPENBLAS_NUM_THREADS=1 python benchmarks/capstone_grading.py

The capstone's notebook trains about a dozen networks after its only test cell (the experiments behind the
written answers). A submission saved with its outputs keeps them for the hand grader and those cells are not
run again (``autograder.bulk.prepare.cells_to_run``); one saved without outputs runs them all, as nbgrader
would. The reference solution is graded both ways, in the sandbox when there is one; it prints the seconds of
each, that the scores agree, and what a class of 1000 costs on two cores either way.
"""

import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import course, demo  # noqa: E402
from autograder.bulk import prepare, sandbox, worker  # noqa: E402
from autograder.bulk.jobs import Options  # noqa: E402

NB = "capstone.ipynb"


def grade(root, db_url, student, notebook, options):
    """(seconds, NotebookResult) of grading ``notebook`` as ``student``'s submission."""
    folder = root / "submitted" / student / "a7"
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / NB)
    start = time.perf_counter()
    graded = worker.grade_job(prepare.build_job(root, "a7", student, db_url, "benchmark"), options)
    return time.perf_counter() - start, graded.notebooks[0]


def main():
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db_url = course.prepare(root, ["a7"]).coursedir.db_url
        options = Options(str(root), db_url, "a7", sandbox=sandbox.problem() is None)
        reference = nbformat.from_dict(demo.submissions("a7", root / "release")["reference"][NB])
        cleared, run = grade(root, db_url, "cleared", reference, options)
        saved, kept = grade(root, db_url, "saved", nbformat.reads(run.autograded, as_version=4), options)
    points = {k: v[0] for k, v in run.grades.items()}
    print(f"sandbox: {'bubblewrap' if options.sandbox else 'none (' + sandbox.problem() + ')'}")
    print(f"{'submission':32s} {'seconds':>8s}  {'1000 students, 2 cores':>22s}  points")
    for name, seconds, result in (("saved without outputs (all run)", cleared, run),
                                  ("saved with outputs (kept)", saved, kept)):
        print(f"{name:32s} {seconds:8.1f}  {seconds * 1000 / 2 / 3600:20.1f} h  "
              f"{sum(v[0] for v in result.grades.values() if v[0] is not None)}")
    same = {k: v[0] for k, v in kept.grades.items()} == points
    print(f"same scores: {same}; speed-up {cleared / saved:.1f}x")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
