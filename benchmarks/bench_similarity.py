"""Time of the similarity report (autograder/bulk/similarity.py) on a synthetic class of assignment 1.

    python benchmarks/bench_similarity.py              # 1000 students
    python benchmarks/bench_similarity.py --n 200

Each student's four longer graded functions (the short ones stay the release's stubs) are one of three
independently written solutions (tests/grader/test_similarity.py's INDEPENDENT) with the local variables renamed at
random and four to eight statements of the student's own added at random places. Two students who drew the same
solution and few additions can come out near-identical by construction: those are the "other pairs flagged".
Planted among them: students who pasted the library's reference (variables renamed) and pairs of students who share
a function (one renamed the other's variables and added a line). The class is written as notebooks in a temporary
course folder, so reading and parsing count. It prints the time (and the part of it spent reading and parsing),
how many planted cases were found and how many other pairs were flagged.
"""

import argparse
import inspect
import json
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "grader"))

from autograder import course  # noqa: E402
from autograder.bulk import similarity  # noqa: E402
from backprop import linear_models as ref  # noqa: E402
from test_similarity import INDEPENDENT, NB  # noqa: E402

EXTRA = ["{v} = np.asarray({a}, dtype=float)", "assert np.all(np.isfinite({a})), 'not finite: {k}'",
         "if np.ndim({a}) > {k}:\n    raise ValueError('too many dimensions')", "{v} = len({a}) + {k}",
         "print('step', {k}, np.shape({a}))", "{v} = [{k}] * {k}", "{v} = np.zeros({k}) + {a}.sum()",
         "for {v} in range({k}):\n    pass", "{v} = {{'k': {k}, 'shape': np.shape({a})}}",
         "{v} = max({k}, int(np.size({a})))"]
WORDS = ["alpha", "beta", "gamma", "delta_", "eps", "zeta", "theta", "kappa", "lam", "mu", "nu", "xi", "rho", "tau",
         "phi", "chi", "psi", "omega", "tmp", "aux", "buf", "acc", "val", "item", "elem", "thing", "stuff", "q", "r", "s"]


def rename(source, rng):
    """The local names of a function (not its parameters) renamed at random."""
    for name in sorted(set(re.findall(r"^\s+(\w+)\s*[+-/]?=", source, re.M)), key=len, reverse=True):
        source = re.sub(rf"\b{name}\b", f"{rng.choice(WORDS)}{rng.randrange(100)}", source)
    return source


def personal(source, rng, extra=3):
    """``source`` with ``extra`` random statements of the student's own inserted in its body."""
    lines = source.rstrip("\n").split("\n")
    params = re.findall(r"\w+", lines[0].split("(", 1)[1].split(")")[0])
    for _ in range(extra):
        at = rng.randrange(1, len(lines))
        indent = re.match(r"\s*", lines[at]).group(0) or "    "
        stmt = rng.choice(EXTRA).format(v=f"{rng.choice(WORDS)}_{rng.randrange(1000)}", a=rng.choice(params[:2]),
                                        k=rng.randrange(2, 50))
        lines[at:at] = [indent + s for s in stmt.split("\n")]
    return "\n".join(lines) + "\n"


def build(root, n, rng):
    shutil.copytree(course.REPO / "release" / "a1", root / "release" / "a1")
    release = json.loads((root / "release" / "a1" / NB).read_text())
    copied = re.sub(r"\bwrong\b", "bad", inspect.getsource(ref.batch_perceptron_update)).replace("lr=1.0", "lr")
    planted_refs, planted_pairs = set(), set()
    functions = {}
    for i in range(n):
        student = f"s{i:04d}"
        functions[student] = {name: personal(rename(rng.choice(codes), rng), rng, rng.randrange(4, 9))
                              for name, codes in INDEPENDENT.items()}
        if i % 100 == 7:
            functions[student]["batch_perceptron_update"] = copied
            planted_refs.add(student)
        if i % 100 == 50:  # copies the previous student's train_perceptron, renamed, with a line added
            other = f"s{i - 1:04d}"
            functions[student]["train_perceptron"] = personal(rename(functions[other]["train_perceptron"], rng), rng, 1)
            planted_pairs.add((other, student))
    for student, cells in functions.items():
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in cells:
                cell["source"] = cells[grade_id]
        (root / "submitted" / student / "a1").mkdir(parents=True)
        (root / "submitted" / student / "a1" / NB).write_text(json.dumps(nb))
    return planted_refs, planted_pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="students (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    similarity.questions("a1")  # the suite's import is not the report's time
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        planted_refs, planted_pairs = build(root, args.n, random.Random(args.seed))
        names = {q.function for q in similarity.questions("a1")}
        start = time.perf_counter()
        similarity.collect(root, "a1", [p.name for p in (root / "submitted").iterdir()], names)
        reading = time.perf_counter() - start
        start = time.perf_counter()
        report = similarity.run(root, "a1")
        seconds = time.perf_counter() - start
        assert not report.error, report.error
        found_refs = {m.student for m in report.reference_matches}
        found_pairs = set(report.pairs)
        functions = len(INDEPENDENT)
        print(f"similarity report, a1, {args.n} students x {functions} functions "
              f"({functions * args.n * (args.n - 1) // 2:,} student pairs): {seconds:.2f} s, of which reading and parsing "
              f"the notebooks about {reading:.2f} s")
        print(f"  functions compared: {report.compared}")
        print(f"  pasted references found: {len(found_refs & planted_refs)} of {len(planted_refs)}; "
              f"other reference matches: {len(found_refs - planted_refs)}")
        print(f"  planted pairs found: {len(found_pairs & planted_pairs)} of {len(planted_pairs)}; "
              f"other pairs flagged: {len(found_pairs - planted_pairs)}")
        print(f"  {report.line(root)}")


if __name__ == "__main__":
    main()
