"""The run itself: it dies whole, one at a time per course and assignment, in a scratch root of its own, writes
whole files, and regrades when anything that can change a score changes (source/, the grader's or the library's
code). The unit tests take milliseconds; the others grade a few students of the hostile class again."""

import contextlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from autograder import bulk, course, results
from autograder.bulk import kernel, prepare, run, store
from conftest import LIMITS

STUDENTS = ["reference", "a1-no-bias", "x-os-exit", "x-infinite-loop"]  # (scores that do not depend on the load)
NB = "perceptron_adaline.ipynb"


def small_class(hostile_class, target, students=STUDENTS, copy_source=False):
    """A new course folder with a few students of the hostile class (source/ a copy of a1's when asked)."""
    if copy_source:
        shutil.copytree(course.REPO / "source" / "a1", target / "source" / "a1")
    course.link_source(target)
    for student in students:
        shutil.copytree(hostile_class[0] / "submitted" / student, target / "submitted" / student)
    return target


def scores_of(root):
    return results.collect(course.database_url(None, root), "a1")[1]


def expected(hostile_class, students=STUDENTS):
    got = scores_of(hostile_class[0])
    return {s: got[s] for s in students}


# ------------------------------------------------------------------------------------------- unit tests

def test_a_second_run_on_the_same_assignment_stops_and_says_who_holds_it(tmp_path):
    with store.run_lock(tmp_path, "a1") as (fd, previous):
        assert previous == {}
        with pytest.raises(store.Busy) as busy:
            with store.run_lock(tmp_path, "a1"):
                pass
        assert f"pid {os.getpid()}" in str(busy.value) and "another run" in str(busy.value)
        with store.run_lock(tmp_path, "a2"):  # another assignment is another lock
            pass
    with store.run_lock(tmp_path, "a1") as (fd, previous):  # released with its holder
        assert previous["pid"] == os.getpid()


def _refuses_the_lock(folder):
    with pytest.raises(store.Busy, match="writable"):
        with store.run_lock(folder, "a1"):
            pass


def test_the_lock_is_refused_clearly_in_a_read_only_course_folder():
    folder = Path(tempfile.mkdtemp(dir="/tmp"))  # /tmp: a folder any user can reach, unlike pytest's (0700)
    folder.chmod(0o555)
    try:
        if os.geteuid() != 0:
            _refuses_the_lock(folder)
            return
        pid = os.fork()  # root writes into read-only folders: the check runs as nobody
        if pid == 0:
            code = 1
            try:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
                _refuses_the_lock(folder)
                code = 0
            finally:
                os._exit(code)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        assert not (folder / ".grading-a1.lock").exists()
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_files_are_written_whole_and_a_link_in_their_place_is_replaced_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    target = tmp_path / "feedback" / "s" / "a1" / "nb.html"
    target.parent.mkdir(parents=True)
    target.symlink_to(outside)
    store.write_atomic(target, "page")
    assert target.read_text() == "page" and not target.is_symlink() and outside.read_text() == "keep me"
    (tmp_path / "dir.html").mkdir()
    with pytest.raises(OSError):
        store.write_atomic(tmp_path / "dir.html", "page")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_temporary_files_of_a_killed_write_are_swept_by_the_next_run_of_that_assignment(tmp_path):
    stale = [tmp_path / "autograded" / "s" / "a1" / ".nb.ipynb.x1y2.tmp", tmp_path / "feedback" / "s" / "a1" /
             ".nb.html.x1y2.tmp", tmp_path / "autograded" / "..bulk-a1.json.x1y2.tmp"]
    kept = [tmp_path / "feedback" / "s" / "a2" / ".nb.html.x1y2.tmp", tmp_path / "feedback" / "s" / "a1" / "nb.html",
            tmp_path / "submitted" / "s" / "a1" / ".scratch.tmp"]
    for path in stale + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half")
    with store.run_lock(tmp_path, "a1"):
        assert [p for p in stale if p.exists()] == [] and all(p.exists() for p in kept)


def test_the_scratch_root_is_private_to_the_run_and_a_killed_runs_is_removed(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    tmp_path.chmod(0o1777)
    other = tmp_path / "autograder-run-other"  # not named by our lock: left alone
    other.mkdir()
    with run._scratch({}) as root:
        stat = os.stat(root)
        assert stat.st_uid == os.geteuid() and stat.st_mode & 0o777 == 0o700
        stale = root
    assert not Path(stale).exists()
    killed = tmp_path / "autograder-run-killed"
    (killed / "view").mkdir(parents=True)
    link = tmp_path / "autograder-run-link"
    link.symlink_to(other)
    for previous in ({"scratch": str(killed)}, {"scratch": str(link)}, {"scratch": "/etc"}):
        with run._scratch(previous):
            pass
    assert not killed.exists() and other.exists() and link.is_symlink()


def test_a_worker_uses_the_runs_root_only_when_it_is_private_and_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(kernel, "_scratch", None)
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    assert Path(kernel.use_scratch(str(private))).parent == private
    monkeypatch.setattr(kernel, "_scratch", None)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # pre-created by anybody: not used
    mine = Path(kernel.use_scratch(str(shared)))
    assert mine.parent != shared and os.stat(mine).st_mode & 0o777 == 0o700
    shutil.rmtree(mine)


def test_the_fingerprint_covers_every_file_of_the_grader_and_the_library(tmp_path):
    folders = []
    for package in prepare.code_folders():
        shutil.copytree(package, tmp_path / package.name)
        folders.append(tmp_path / package.name)
    base = prepare.grader_fingerprint(course.REPO, "a1", {}, folders)
    assert prepare.grader_fingerprint(course.REPO, "a1", {}, folders) == base
    (tmp_path / "backprop" / "__pycache__").mkdir(exist_ok=True)
    (tmp_path / "backprop" / "__pycache__" / "junk.py").write_text("# compiled leftovers\n")
    assert prepare.grader_fingerprint(course.REPO, "a1", {}, folders) == base
    for edited in sorted((tmp_path / "backprop").rglob("*.py"))[:1] + [tmp_path / "autograder" / "bulk" / "store.py"]:
        original = edited.read_text()
        edited.write_text(original + "\n# a change\n")
        assert prepare.grader_fingerprint(course.REPO, "a1", {}, folders) != base, edited
        edited.write_text(original)
    assert prepare.grader_fingerprint(course.REPO, "a1", {"memory_mb": 1}, folders) != base


def test_nbgraders_preprocessor_lists_are_read_from_nbgrader():
    from nbgrader.converters import Autograde
    from traitlets.config import Config

    default = prepare.nbgrader_list(Autograde, "sanitize_preprocessors", Config())
    assert default == list(Autograde.class_traits()["sanitize_preprocessors"].default())
    c = Config()
    c.Autograde.sanitize_preprocessors = default[:2]
    assert prepare.nbgrader_list(Autograde, "sanitize_preprocessors", c) == default[:2]


# ------------------------------------------------------------------------------------ the run, for real

def _grader(root, env=None, output=subprocess.PIPE):
    """The command an instructor runs, started (``output``: where its output goes)."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"], **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", "a1", "--course", str(root), "--no-progress",
                             "--workers", "2", "--cell-timeout", str(LIMITS["cell_timeout"]), "--timeout", "120",
                             "--memory", "1024", *([] if LIMITS["sandbox"] else ["--no-sandbox"])],
                            stdout=output, stderr=output, text=True, env=env)


def _processes_marked(mark):
    """Processes whose environment carries ``mark`` (everything a run starts inherits it)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if mark.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def _zygotes(mark):
    found = []
    for pid in _processes_marked(mark):
        try:
            if b"autograder.bulk.zygote" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


def test_two_graders_at_once_one_grades_the_other_stops_and_says_why(hostile_class, tmp_path):
    root = small_class(hostile_class, tmp_path / "course", STUDENTS[:2])
    course.prepare(root, ["a1"])
    first, second = _grader(root), _grader(root)
    outs = [p.communicate(timeout=300) for p in (first, second)]
    codes = sorted([first.returncode, second.returncode])
    assert codes[0] == 0 and codes[1] != 0, outs
    stopped = next(err for (out, err), p in zip(outs, (first, second)) if p.returncode)
    assert "being graded by another run" in stopped
    assert scores_of(root) == expected(hostile_class, STUDENTS[:2])


@pytest.mark.skipif(os.geteuid() != 0, reason="reading the environment of the sandbox's processes needs root")
def test_kill_9_at_random_moments_leaves_nothing_running_and_a_rerun_gives_the_same_results(hostile_class, tmp_path):
    root = small_class(hostile_class, tmp_path / "course")
    course.prepare(root, ["a1"])
    rng = random.Random(int(os.environ.get("KILL_SEED", "14")))
    moments = [("starting", lambda mark, t0: True), ("warm interpreters up", lambda mark, t0: _zygotes(mark)),
               ("writing results", lambda mark, t0: any(p.stat().st_mtime > t0 for p in
                                                        (root / "autograded").glob("*/a1/*.ipynb")))]
    for name, ready in moments:  # each kill lands a random time after the run reached that moment
        mark = f"AUTOGRADER_TEST_RUN={uuid.uuid4().hex}"
        started = time.time()
        grader = _grader(root, env=dict([mark.split("=")]), output=subprocess.DEVNULL)  # (no pipe to hold)
        deadline = time.monotonic() + 120
        while not ready(mark, started) and grader.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.5))
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        deadline = time.monotonic() + 10
        while _processes_marked(mark) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_marked(mark) == [], f"left running after kill -9 while {name}"
    final = _grader(root)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err[-2000:]
    assert scores_of(root) == expected(hostile_class)
    for student in STUDENTS:
        nbformat.read(root / "autograded" / student / "a1" / NB, as_version=4)
        assert (root / "feedback" / student / "a1" / NB.replace(".ipynb", ".html")).read_text().rstrip().endswith(
            "</html>")
    lock = json.loads((root / ".grading-a1.lock").read_text())
    assert not Path(lock["scratch"]).exists()


def _children(pid):
    """The processes whose parent is ``pid``."""
    found = []
    for child in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{child}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(child))
    return found


def _cmdline(pid):
    """The command line of ``pid``, or None when it has ended."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def test_a_worker_killed_mid_run_is_replaced_and_costs_nobody_their_grade(hostile_class, tmp_path):
    root = small_class(hostile_class, tmp_path / "course")
    course.prepare(root, ["a1"])
    grader = _grader(root)
    deadline, killed = time.monotonic() + 120, False
    while not killed and grader.poll() is None and time.monotonic() < deadline:
        # A worker is a fork of the grader (the same command line) with its sandbox under it once warm; the grader's
        # other children (the sandbox probe, `bwrap /bin/true`) come and go, so they are never the target.
        workers = [pid for pid in _children(grader.pid) if _cmdline(pid) == _cmdline(grader.pid)]
        for worker in filter(_children, workers):
            try:
                os.kill(worker, signal.SIGKILL)
                killed = True
                break
            except ProcessLookupError:  # it ended between the look and the kill: look again
                continue
        time.sleep(0.05)
    assert killed, "no grading worker started its sandbox"
    out, err = grader.communicate(timeout=300)
    assert grader.returncode == 0, err[-2000:]
    assert "a grading worker died 1 time(s)" in out and "failed: " not in out, out
    assert scores_of(root) == expected(hostile_class)


def test_a_run_whose_workers_keep_dying_stops_and_keeps_what_it_graded(monkeypatch):
    class Broken:
        def submit(self, *args):
            raise run.BrokenProcessPool("a worker died")

    opened = []

    @contextlib.contextmanager
    def open_pool():
        opened.append(1)
        yield Broken()

    monkeypatch.setattr(run.prepare, "build_job", lambda *args: None)
    monkeypatch.setattr(run.course, "nbgrader_config", lambda *args, **kwargs: None)
    outcome = run.Outcome()
    options = run.Options("/nonexistent", None, "a1", 1, 1, 1, False, False, "/nonexistent", None)
    with pytest.raises(run.WorkersDying, match="died 6 times"):
        run._grade_all(open_pool, [("s1", "f"), ("s2", "f")], 1, options, None, outcome, progress=False)
    assert len(opened) == run.POOL_RESTARTS + 1 and outcome.failed == {}


def test_after_a_worker_dies_the_submissions_in_flight_are_graded_alone_and_only_the_deadly_one_fails(monkeypatch):
    from concurrent.futures import Future

    class Pool:
        """Grades at once; a job of "deadly" kills the pool, and every job in it not finished yet."""
        def __init__(self):
            self.broken, self.futures = False, []

        def submit(self, fn, job, options):
            if self.broken:
                raise run.BrokenProcessPool("a worker died")
            future = Future()
            self.futures.append(future)
            if job == "deadly":
                self.broken = True
                for f in self.futures:
                    if not f.done():
                        f.set_exception(run.BrokenProcessPool("a worker died"))
            else:
                future.set_result(job)
            return future

    @contextlib.contextmanager
    def open_pool():
        yield Pool()

    monkeypatch.setattr(run.prepare, "build_job", lambda course_root, assignment, student, *args: student)
    monkeypatch.setattr(run.course, "nbgrader_config", lambda *args, **kwargs: None)
    monkeypatch.setattr(run, "_record", lambda student, result, writer, outcome: outcome.graded.append(result))
    outcome = run.Outcome()
    options = run.Options("/nonexistent", None, "a1", 1, 1, 1, False, False, "/nonexistent", None)
    todo = [(s, "f") for s in ("a", "deadly", "b", "c", "d")]
    run._grade_all(open_pool, todo, 2, options, None, outcome, progress=False)
    assert sorted(outcome.graded) == ["a", "b", "c", "d"] and list(outcome.failed) == ["deadly"]
    assert "being graded alone" in outcome.failed["deadly"] and outcome.worker_deaths == 2


def test_an_edited_test_cell_in_source_is_recorded_again_and_used(hostile_class, tmp_path):
    root = small_class(hostile_class, tmp_path / "course", ["reference"], copy_source=True)
    db_url = course.prepare(root, ["a1"]).coursedir.db_url
    assert prepare.changed_since_recorded(root, "a1", db_url) == []
    bulk.grade("a1", root, db_url=db_url, workers=1, progress=False, **LIMITS)
    path = root / "source" / "a1" / NB
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_predict")
    cell.source = cell.source.replace("grade(", "# edited by the instructor\ngrade(")
    nbformat.write(nb, path)
    assert prepare.changed_since_recorded(root, "a1", db_url) == [f"{NB}: cell `test_predict` edited"]
    said = io.StringIO()
    again = bulk.grade("a1", root, db_url=db_url, workers=1, progress=False, out=said, **LIMITS)
    assert again.graded == ["reference"] and "test_predict` edited): recording it again" in said.getvalue()
    graded = nbformat.read(root / "autograded" / "reference" / "a1" / NB, as_version=4)
    test = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_predict")
    assert "# edited by the instructor" in test.source
    assert prepare.changed_since_recorded(root, "a1", db_url) == []
    # a cell added after submissions were graded: nbgrader refuses to record it, and the run stops saying so
    nb.cells.append(nbformat.from_dict({**nbformat.v4.new_code_cell("grade('a1.predict')"), "metadata": {"nbgrader": {
        "grade": True, "grade_id": "test_new", "locked": True, "points": 1, "schema_version": 3, "solution": False}}}))
    nbformat.write(nb, path)
    with pytest.raises(run.SourceChanged, match="generate_assignment a1 --force"):
        bulk.grade("a1", root, db_url=db_url, workers=1, progress=False, **LIMITS)


def test_an_edited_library_reference_regrades_everyone(hostile_class, tmp_path, monkeypatch):
    root = small_class(hostile_class, tmp_path / "course", STUDENTS[:2])
    folders = []
    for package in prepare.code_folders():
        shutil.copytree(package, tmp_path / "code" / package.name, ignore=shutil.ignore_patterns("__pycache__"))
        folders.append(tmp_path / "code" / package.name)
    monkeypatch.setattr(prepare, "code_folders", lambda: folders)
    first = bulk.grade("a1", root, workers=2, progress=False, **LIMITS)
    assert sorted(first.graded) == sorted(STUDENTS[:2])
    assert bulk.grade("a1", root, workers=2, progress=False, **LIMITS).graded == []
    reference = tmp_path / "code" / "backprop" / "linear_models.py"
    reference.write_text(reference.read_text() + "\n# the reference, edited\n")
    again = bulk.grade("a1", root, workers=2, progress=False, **LIMITS)
    assert sorted(again.graded) == sorted(STUDENTS[:2]) and again.skipped == []


def test_the_preprocessors_after_execution_are_nbgraders_own():
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import IgnorePattern, LimitOutput
    from traitlets.config import Config

    from autograder.bulk import worker

    assert worker.after_execute(Config()) == [IgnorePattern, ClearMetadataPreprocessor, LimitOutput]
