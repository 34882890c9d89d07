"""Throughput of the bulk grader against nbgrader's own serial autograde, on the same class, in the same run.

    python benchmarks/bench_grading.py                      # 200 submissions of assignment 1
    python benchmarks/bench_grading.py --n 40               # a quicker look
    python benchmarks/bench_grading.py --assignment a4      # a heavier notebook (it trains on digits)
    python benchmarks/bench_grading.py --baseline 10da502   # also an earlier commit's bulk grader, side by side

The class is the demo class of an assignment scaled up: the reference solution, the untouched release and the
classic-bug students, repeated under distinct student ids. Each copy gets a markdown cell of its own, so no two
submissions are byte-identical (nothing can be cached by content). Two course folders receive the same
submissions; one is graded by nbgrader (autograde, then feedback, one student after the other, as
``course.autograde`` does), the other by ``python -m autograder grade``'s code with all cores. It prints both
times, the ratio, and whether every score of every student agrees. ``--baseline REV`` grades a third copy with the
bulk grader of commit REV (checked out in a temporary git worktree, run in this environment), to measure what a
change to the grader costs.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import course, demo, results  # noqa: E402


def build(root, n, assignment):
    """``n`` submissions in ``root/submitted``: the demo class's students in turn, under distinct ids."""
    kinds = demo.submissions(assignment, course.REPO / "release")
    names = sorted(kinds)
    students = []
    for i in range(n):
        kind = names[i % len(names)]
        student = f"s{i:03d}-{kind}"
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        for name, nb in kinds[kind].items():
            nb = nbformat.from_dict(nb)
            nb.cells.append(nbformat.v4.new_markdown_cell(f"Submitted by {student}."))
            nbformat.write(nb, folder / name)
        students.append(student)
    return students


def grade_command(tree, root, assignment, workers):
    """Seconds ``python -m autograder grade`` of the checkout ``tree`` takes on ``root`` (a prepared course folder),
    the whole command as an instructor runs it (start-up included)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tree), str(tree / "lib")]))
    command = [sys.executable, "-m", "autograder", "grade", assignment, "--course", str(root), "--no-progress"]
    if workers:
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    subprocess.run(command, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def grade_at(rev, root, assignment, workers, base):
    """Seconds the bulk grader of commit ``rev`` takes on ``root``, checked out in a temporary git worktree."""
    tree = base / f"baseline-{rev}"
    subprocess.run(["git", "-C", str(course.REPO), "worktree", "add", "--detach", str(tree), rev], check=True,
                   capture_output=True)
    try:
        return grade_command(tree, root, assignment, workers)
    finally:
        subprocess.run(["git", "-C", str(course.REPO), "worktree", "remove", "--force", str(tree)], check=False,
                       capture_output=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--workers", type=int, help="bulk grader workers (default: all cores)")
    parser.add_argument("--assignment", default="a1", help="which assignment's demo class (default a1)")
    parser.add_argument("--baseline", help="also time the bulk grader of this commit, on a copy of the same class")
    parser.add_argument("--no-serial", action="store_true", help="skip nbgrader's serial autograde (with --baseline)")
    parser.add_argument("--keep", action="store_true", help="keep the two course folders")
    args = parser.parse_args(argv)
    a = args.assignment
    warnings.filterwarnings("ignore")

    (course.REPO / "build").mkdir(exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="bench-grading-", dir=course.REPO / "build"))
    serial_root, bulk_root = base / "serial", base / "bulk"
    grader = course.prepare(serial_root, [a])
    bulk_grader = course.prepare(bulk_root, [a])
    students = build(serial_root, args.n, a)
    shutil.copytree(serial_root / "submitted", bulk_root / "submitted")
    print(f"{args.n} submissions of {a} ({len(set(s.split('-', 1)[1] for s in students))} kinds) in {base}")

    bulk_seconds = grade_command(course.REPO, bulk_root, a, args.workers)

    if args.baseline:
        baseline_root = base / "baseline"
        baseline_db = course.prepare(baseline_root, [a]).coursedir.db_url
        shutil.copytree(serial_root / "submitted", baseline_root / "submitted")
        baseline_seconds = grade_at(args.baseline, baseline_root, a, args.workers, base)

    from tqdm import tqdm

    if args.no_serial and args.baseline:
        _, baseline_scores = results.collect(baseline_db, a)
        _, bulk_scores = results.collect(bulk_grader.coursedir.db_url, a)
        same = all(baseline_scores.get(s) == bulk_scores.get(s) for s in students)
        print(f"bulk grader at {args.baseline}: {baseline_seconds:.1f} s ({baseline_seconds / args.n:.2f} s per "
              f"submission); this commit: {bulk_seconds:.1f} s ({bulk_seconds / args.n:.2f} s per submission, "
              f"{bulk_seconds / baseline_seconds:.2f} x); same scores: {same}")
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        return 0 if same else 1
    start = time.perf_counter()
    for student in tqdm(students, desc="nbgrader autograde, serial", unit="submission"):
        course.autograde(grader, a, student)
    serial_seconds = time.perf_counter() - start

    _, serial_scores = results.collect(grader.coursedir.db_url, a)
    _, bulk_scores = results.collect(bulk_grader.coursedir.db_url, a)
    differ = sorted(s for s in students if serial_scores.get(s) != bulk_scores.get(s))
    print()
    if args.baseline:
        _, baseline_scores = results.collect(baseline_db, a)
        same = all(baseline_scores.get(s) == bulk_scores.get(s) for s in students)
        print(f"bulk grader at {args.baseline}:{' ' * max(1, 22 - len(args.baseline))}{baseline_seconds:8.1f} s  "
              f"({baseline_seconds / args.n:.2f} s per submission; this commit takes "
              f"{bulk_seconds / baseline_seconds:.2f} x its time; same scores: {same})")
    print(f"serial nbgrader autograde + feedback: {serial_seconds:8.1f} s  ({serial_seconds / args.n:.2f} s per submission)")
    print(f"bulk grader:                          {bulk_seconds:8.1f} s  ({bulk_seconds / args.n:.2f} s per submission)")
    print(f"speed-up:                             {serial_seconds / bulk_seconds:8.1f} x")
    print(f"scores agree for all {args.n} submissions: {not differ}" + (f"  (differ: {', '.join(differ)})" if differ else ""))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if not differ else 1


if __name__ == "__main__":
    sys.exit(main())
