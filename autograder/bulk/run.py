"""Grading a class: jobs out to parallel workers (a local process pool, or a Dask cluster), results back to the
one writer, a progress bar on the way, a summary at the end."""

import contextlib
import functools
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from .. import course
from .. import secret
from . import prepare, similarity, store, summary
from .jobs import Options
from .store import Busy, Writer, run_lock  # noqa: F401 (Busy: bulk.Busy)
from .worker import grade_job, start_worker


@dataclass
class Outcome:
    graded: list = field(default_factory=list)     # students graded in this run
    skipped: list = field(default_factory=list)    # already graded, unchanged since
    failed: dict = field(default_factory=dict)     # student -> why the grader itself failed
    timed_out: list = field(default_factory=list)  # students with a cell or the notebook stopped by a limit
    incomplete: dict = field(default_factory=dict)  # student -> test cells with checks the grader could not complete
    renamed: dict = field(default_factory=dict)  # student -> [(file name submitted, notebook graded as)]
    zeroed: dict = field(default_factory=dict)  # student -> [why a whole notebook scored 0 (missing, unreadable)]
    worker_deaths: int = 0  # times a local worker died (killed from outside) and the pool was started again
    seconds: float = 0.0
    csv: Path = None
    plot: Path = None
    text: str = ""
    similarity: object = None  # similarity.Report: the instructor's similarity report (similarity.py)


@contextlib.contextmanager
def _executor(scheduler, workers, initargs):
    """A ``concurrent.futures`` executor: the standard library's process pool on this machine (its workers die with
    this process: ``worker.start``), or a Dask cluster's (``Client.get_executor``)."""
    if scheduler:
        from distributed import Client

        with Client(scheduler, timeout="30s") as client:
            yield client.get_executor(pure=False)
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"), initializer=start_worker,
                               initargs=initargs)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _scratch(previous):
    """A scratch root private to this run (``mkdtemp``: 0700, this user's): the workers' views of the course's code
    and, without a sandbox, the students' working folders live under it. Removed at the end; one left by a run that
    was killed (named in the lock it held) is removed by the next."""
    stale = previous.get("scratch")
    if isinstance(stale, str) and Path(stale).name.startswith("autograder-run-") and Path(stale).is_dir() \
            and Path(stale).stat().st_uid == os.geteuid() and not Path(stale).is_symlink():
        shutil.rmtree(stale, ignore_errors=True)
    root = tempfile.mkdtemp(prefix="autograder-run-")
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


class NoSandbox(RuntimeError):
    """No sandbox can be drawn here and --no-sandbox was not given: the run refuses to grade."""


def _check_sandbox(sandbox, scheduler, out):
    """Refuse to grade when no sandbox can be drawn (unless told not to use one); say so when told."""
    from . import sandbox as bwrap

    if not sandbox:
        print("warning: grading without a sandbox (--no-sandbox): student code runs with this user's rights, can "
              "read what this user can read, and what it starts may outlive the run (docs/grading.md)", file=out)
    elif scheduler is None and bwrap.problem():
        raise NoSandbox(f"refusing to grade: {bwrap.problem()}")


def grade(assignment, course_root, workers=None, db_url=None, scheduler=None, cell_timeout=120, timeout=600,
          memory_mb=2048, run_all=False, progress=True, out=sys.stdout, students=None, sandbox=True):
    """Grade every submission of ``assignment`` in ``course_root/submitted/`` that is new or changed. Student code
    runs in a bubblewrap sandbox (``sandbox.py``); with ``sandbox=False`` it does not (a warning says what that
    means); without it and with no sandbox possible here, NoSandbox says why. One run at a time per course and
    assignment: a second one raises ``store.Busy`` at once (the command stops with its message)."""
    _check_sandbox(sandbox, scheduler, out)
    start = time.monotonic()
    course_root = Path(course_root).resolve()
    db_url = course.database_url(db_url, course_root)
    course.link_source(course_root)
    with contextlib.ExitStack() as stack:
        lock_fd, previous = stack.enter_context(run_lock(course_root, assignment))
        scratch = stack.enter_context(_scratch(previous))
        _note_scratch(lock_fd, scratch)
        _ensure_assignment(course_root, assignment, db_url, out)
        key = secret.read(course_root)
        if key is None:
            print(secret.NO_SECRET, file=out)
        options = Options(str(course_root), db_url, assignment, cell_timeout, timeout, memory_mb, bool(run_all),
                          bool(sandbox), scratch, key.decode() if key else None)
        writer = stack.enter_context(contextlib.closing(Writer(
            course_root, db_url, assignment, course.nbgrader_config(course_root, db_url, cell_timeout=cell_timeout))))
        outcome = Outcome()
        todo = _plan(course_root, assignment, students, options, writer, outcome)
        workers = workers or os.cpu_count() or 1
        if todo:
            open_pool = functools.partial(_executor, scheduler, workers, (os.getpid(), lock_fd, options))
            _grade_all(open_pool, todo, workers, options, writer, outcome, progress)
    outcome.seconds = time.monotonic() - start
    outcome.similarity = similarity.run(course_root, assignment)
    outcome.csv, outcome.plot, outcome.text = summary.report(course_root, db_url, assignment, outcome)
    print(outcome.text, file=out)
    return outcome


def _note_scratch(lock_fd, scratch):
    """The scratch root goes into the lock file, so that the next run can remove it if this one is killed."""
    store.write_facts(lock_fd, {**store.read_facts(lock_fd), "scratch": scratch})


def _plan(course_root, assignment, students, options, writer, outcome):
    """[(student, fingerprint)] of the submissions to grade; those graded already and unchanged go to skipped (unless
    named in ``students``: those are graded again)."""
    base = prepare.grader_fingerprint(course_root, assignment, options.outcome())
    todo = []
    submitted = prepare.students(course_root, assignment)
    unknown = sorted(set(students or ()) - set(submitted))
    if unknown:
        raise ValueError(f"no submission of {assignment} in {course_root}/submitted/ for {', '.join(unknown)}")
    for student in students or submitted:
        fingerprint = prepare.submission_fingerprint(course_root, assignment, student, base)
        if students is None and writer.state.is_done(student, fingerprint):
            outcome.skipped.append(student)
        else:
            todo.append((student, fingerprint))
    return todo


POOL_RESTARTS = 5  # a run whose pool dies more often stops: something outside the submissions kills the workers

WORKER_DIED = ("not graded: the grading worker died while this submission was being graded alone, after a first "
               "death with other submissions (killed from outside the grader, or the machine ran out of memory); "
               "nothing was recorded for it, and the next run grades it (or: grade --student {student})")


def _grade_all(open_pool, todo, workers, options, writer, outcome, progress):
    """Jobs out to the executor (at most two per worker in flight: a job holds a whole submission), results back to
    the writer as they come.

    A local worker killed from outside (the OOM killer, an administrator) breaks the whole standard-library pool,
    and every submission in flight with it. The pool is started again (``open_pool``), and those submissions are
    graded again one at a time, before any other, so that a second death is the fault of the one submission then
    in flight: that one is reported as failed, not graded, and the run goes on. A run whose pool dies more than
    POOL_RESTARTS times stops with WorkersDying. (Student code cannot reach the workers: it runs in the sandbox's
    own process tree under a memory limit.)"""
    course_root, assignment, db_url = options.course_root, options.assignment, options.db_url
    config = course.nbgrader_config(course_root, db_url, cell_timeout=options.cell_timeout)
    pending, queue, alone = {}, list(todo), []  # alone: in flight at a death, graded again one at a time

    def submit(executor, student, fingerprint, solo, bar):
        """Send one job; False when the pool is broken (the student goes back where it came from)."""
        try:
            job = prepare.build_job(course_root, assignment, student, db_url, fingerprint, options.run_all, config)
        except Exception as exc:
            outcome.failed[student] = f"could not prepare: {type(exc).__name__}: {exc}"
            bar.update(1)
            return True
        try:
            pending[executor.submit(grade_job, job, options)] = (student, fingerprint, solo)
        except BrokenProcessPool:
            (alone if solo else queue).insert(0, (student, fingerprint))
            return False
        return True

    def collect(future, bar):
        """Record one finished job; False when its worker died."""
        student, fingerprint, solo = pending.pop(future)
        try:
            _record(student, future.result(), writer, outcome)
        except BrokenProcessPool:
            if solo:
                outcome.failed[student] = WORKER_DIED.format(student=student)
                bar.update(1)
            else:
                alone.append((student, fingerprint))
            return False
        except Exception as exc:
            outcome.failed[student] = f"{type(exc).__name__}: {exc}"
        bar.update(1)
        return True

    with contextlib.ExitStack() as pools, tqdm(total=len(todo), desc="grading", unit="submission", file=sys.stderr,
                                               smoothing=0.1, disable=not progress) as bar:
        executor = pools.enter_context(open_pool())
        while queue or pending or alone:
            healthy = True
            if alone:  # one at a time, and nothing beside it
                if not pending:
                    healthy = submit(executor, *alone.pop(0), True, bar)
            else:
                while queue and len(pending) < 2 * workers and healthy:
                    healthy = submit(executor, *queue.pop(0), False, bar)
            if pending and healthy:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                healthy = all([collect(future, bar) for future in done])
            if not healthy:  # every job still in flight failed with the pool: collect them all, then a new pool
                for future in wait(list(pending))[0]:
                    collect(future, bar)
                outcome.worker_deaths += 1
                if outcome.worker_deaths > POOL_RESTARTS:
                    raise WorkersDying(
                        f"stopped: the grading workers died {outcome.worker_deaths} times in this run (killed from "
                        f"outside the grader, or the machine is out of memory); {len(outcome.graded)} submissions "
                        f"graded in it are recorded, and the next run grades the rest")
                pools.close()
                executor = pools.enter_context(open_pool())


def _record(student, result, writer, outcome):
    writer.save(result)
    outcome.graded.append(student)
    if result.timed_out:
        outcome.timed_out.append(student)
    if result.incomplete:
        outcome.incomplete[student] = result.incomplete
    for nb in result.notebooks:
        if nb.renamed_from and not nb.problem:
            outcome.renamed.setdefault(student, []).append((nb.renamed_from, f"{nb.name}.ipynb"))
        if nb.problem:
            outcome.zeroed.setdefault(student, []).append(nb.problem)


class WorkersDying(RuntimeError):
    """The local workers died POOL_RESTARTS times in one run: the run stops (what was graded is recorded)."""


class SourceChanged(RuntimeError):
    """source/ differs from what the gradebook recorded, and nbgrader could not record it again."""


def _ensure_assignment(course_root, assignment, db_url, out):
    """The assignment as source/ has it must be what the gradebook recorded (nbgrader restores test and locked cells
    from there into every submission): generated when missing, generated again when source/ changed since (with a
    line saying so), or SourceChanged saying what to do when nbgrader refuses (a cell added or removed after
    submissions were graded)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
            changes = prepare.changed_since_recorded(course_root, assignment, db_url)
        except MissingEntry:
            changes = None
    if changes == []:
        return
    if changes:
        print(f"source/{assignment} changed since the gradebook recorded it ({'; '.join(changes)}): recording it "
              f"again with nbgrader generate_assignment", file=out)
    done = course.api(course_root, db_url).generate_assignment(assignment, force=True)
    if not done.get("success"):
        raise SourceChanged(
            f"source/{assignment} differs from what the gradebook recorded ({'; '.join(changes or [])}) and nbgrader "
            f"could not record it again:\n{(done.get('error') or done.get('log') or '').strip()[-1500:]}\nGrading with "
            f"the recorded cells would use the old test cells; this run stops. Undo the change in source/, or "
            f"record the new version yourself (`nbgrader generate_assignment {assignment} --force` in {course_root}) "
            f"once its consequences for the submissions already graded are clear.")
