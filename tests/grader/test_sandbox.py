"""The sandbox (bubblewrap): nothing a student starts or writes outlives their grading, the disk and process
budgets hold, and the course's files are out of reach. Each attack is a submission of a1 built from the reference;
it is graded beside the reference, which must keep full marks."""

import os
import uuid
from pathlib import Path

import nbformat
import pytest

from autograder import course, demo, results
from sandboxing import GRADING, NO_SANDBOX

pytestmark = pytest.mark.skipif(bool(NO_SANDBOX), reason=f"no sandbox can be drawn here: {NO_SANDBOX}")

NB = "perceptron_adaline.ipynb"
MARK = uuid.uuid4().hex[:10]  # names this run's leftovers, so that nothing else on the machine is mistaken for one

ATTACKS = {
    "sb-leaves-processes": f'''
import os, subprocess, sys
subprocess.Popen(["sleep", "4242{MARK[:3]}"], start_new_session=True)
subprocess.Popen([sys.executable, "-c", "while True: pass  # spinner {MARK}"], start_new_session=True)
if os.fork() == 0:  # a daemon: double fork, new session
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "4243{MARK[:3]}"])
    os._exit(0)
print("STARTED")
''',
    "sb-fills-the-disk": f'''
written = []
for path in ["/tmp/left-{MARK}", "/dev/shm/left-{MARK}", "big-1", "big-2", "big-3"]:
    try:
        with open(path, "wb") as f:
            f.write(b"x" * (200 * 1024 * 1024))
        written.append(path)
    except OSError as e:
        written.append(f"{{path}}: {{e.strerror}}")
print("WRITTEN", written)
''',
    "sb-reads-the-course": '''
import os
found = []
for path in SECRET_PATHS:
    try:
        found.append(path + ": " + (str(os.listdir(path))[:60] if os.path.isdir(path) else open(path).read(40)))
    except OSError:
        pass
print("SECRETS", found or "none")
''',
    "sb-forks-many": '''
import subprocess
started = 0
try:
    for _ in range(80):
        subprocess.Popen(["sleep", "30"])
        started += 1
except OSError as e:
    pass
print("FORKED", started)
''',
}


@pytest.fixture(scope="module")
def sandboxed_class(tmp_path_factory):
    from autograder import bulk

    root = tmp_path_factory.mktemp("sandbox-course")
    db_url = course.prepare(root, ["a1"]).coursedir.db_url
    reference = demo.submissions("a1", root / "release")["reference"][NB]
    secrets = [str(course.REPO / "source" / "a1" / NB), str(root / "gradebook.db"), str(root / "submitted"),
               str(course.REPO / ".git"), "/etc/shadow", "/root/.bashrc"]
    for student, code in {"reference": "", **ATTACKS}.items():
        nb = nbformat.from_dict(reference)
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "perceptron_predict")
        cell.source += "\n" + code.replace("SECRET_PATHS", repr(secrets))
        folder = root / "submitted" / student / "a1"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NB)
    outcome = bulk.grade("a1", root, workers=2, db_url=db_url, progress=False, cell_timeout=20, timeout=120,
                         memory_mb=1024, **GRADING)
    return root, db_url, outcome


def _printed(root, student):
    nb = nbformat.read(root / "autograded" / student / "a1" / NB, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "perceptron_predict")
    return "".join(o.get("text", "") for o in cell.outputs)


def _running(marker):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                found.append(pid)
        except OSError:
            pass
    return found


def test_every_attack_is_graded_and_costs_nobody_anything(sandboxed_class):
    root, db_url, outcome = sandboxed_class
    assert outcome.failed == {}
    questions, scores = results.collect(db_url, "a1")
    auto = {q: m for q, m, is_auto in questions if is_auto}
    for student in ["reference", *ATTACKS]:
        assert {q: scores[student][q] for q in auto} == auto, student


def test_nothing_a_student_starts_outlives_their_grading(sandboxed_class):
    root, _, _ = sandboxed_class
    assert "STARTED" in _printed(root, "sb-leaves-processes")
    assert _running(MARK) == [] and _running(f"4242{MARK[:3]}") == [] and _running(f"4243{MARK[:3]}") == []


def test_nothing_a_student_writes_outlives_them_and_the_disk_budget_holds(sandboxed_class):
    root, _, _ = sandboxed_class
    printed = _printed(root, "sb-fills-the-disk")
    assert "WRITTEN" in printed and "No space left on device" in printed  # three 200 MB files do not all fit
    assert not Path(f"/tmp/left-{MARK}").exists() and not Path(f"/dev/shm/left-{MARK}").exists()


def test_the_course_the_gradebook_and_the_hidden_tests_are_out_of_reach(sandboxed_class):
    root, _, _ = sandboxed_class
    assert "SECRETS none" in _printed(root, "sb-reads-the-course")


def test_a_student_cannot_start_more_than_the_process_limit(sandboxed_class):
    root, _, _ = sandboxed_class
    printed = _printed(root, "sb-forks-many")
    started = int(printed.split("FORKED")[1].split()[0])
    assert started < 64, printed
