"""Grading a class: jobs out to parallel workers (a local process pool, or a Dask cluster), results back to the
one writer, a progress bar on the way, a summary at the end."""

import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from .. import course
from . import kernel, prepare, similarity, summary
from .store import Writer
from .worker import grade_job


@dataclass
class Outcome:
    graded: list = field(default_factory=list)     # students graded in this run
    skipped: list = field(default_factory=list)    # already graded, unchanged since
    failed: dict = field(default_factory=dict)     # student -> why the grader itself failed
    timed_out: list = field(default_factory=list)  # students with a cell or the notebook stopped by a limit
    incomplete: dict = field(default_factory=dict)  # student -> test cells with checks the grader could not complete
    seconds: float = 0.0
    csv: Path = None
    plot: Path = None
    text: str = ""
    similarity: object = None  # similarity.Report: the instructor's similarity report (similarity.py)


def _init_worker():
    kernel.zygote()  # warm the zygote before the first job arrives


class _Local:
    def __init__(self, workers):
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                                        initializer=_init_worker)

    def submit(self, job, options):
        return self.pool.submit(grade_job, job, options)

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    def __init__(self, scheduler):
        from distributed import Client

        self.client = Client(scheduler, timeout="30s")

    def submit(self, job, options):
        return self.client.submit(grade_job, job, options, pure=False)

    def close(self):
        self.client.close()


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
    means); without it and with no sandbox possible here, NoSandbox says why."""
    _check_sandbox(sandbox, scheduler, out)
    start = time.monotonic()
    course_root = Path(course_root).resolve()
    db_url = course.database_url(db_url, course_root)
    course.link_source(course_root)
    _ensure_assignment(course_root, assignment, db_url)
    options = {"course_root": str(course_root), "db_url": db_url, "cell_timeout": cell_timeout,
               "timeout": timeout, "memory_mb": memory_mb, "run_all": run_all, "sandbox": bool(sandbox)}
    base = prepare.grader_fingerprint(course_root, assignment,
                                      {"db_url": db_url, "cell_timeout": float(cell_timeout or 0),
                                       "timeout": float(timeout or 0), "memory_mb": int(memory_mb or 0),
                                       "run_all": bool(run_all), "sandbox": bool(sandbox)})
    writer = Writer(course_root, db_url, assignment)
    outcome = Outcome()
    todo = []
    for student in students or prepare.students(course_root, assignment):
        fingerprint = prepare.submission_fingerprint(course_root, assignment, student, base)
        if writer.state.is_done(student, fingerprint):
            outcome.skipped.append(student)
        else:
            todo.append((student, fingerprint))
    config = course.nbgrader_config(course_root, db_url, cell_timeout=cell_timeout)
    workers = workers or os.cpu_count() or 1
    engine = (_Dask(scheduler) if scheduler else _Local(workers)) if todo else None
    bar = tqdm(total=len(todo), desc="grading", unit="submission", file=sys.stderr, smoothing=0.1,
               disable=not progress)
    pending, queue = {}, list(todo)
    try:
        while queue or pending:
            while queue and len(pending) < 2 * workers:
                student, fingerprint = queue.pop(0)
                try:
                    job = prepare.build_job(course_root, assignment, student, db_url, fingerprint, run_all, config)
                except Exception as exc:
                    outcome.failed[student] = f"could not prepare: {type(exc).__name__}: {exc}"
                    bar.update(1)
                    continue
                pending[engine.submit(job, options)] = student
            if not pending:
                continue
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED) if not scheduler else _dask_wait(pending)
            for future in done:
                student = pending.pop(future)
                try:
                    result = future.result()
                    writer.save(result)
                    outcome.graded.append(student)
                    if any(nb.get("timeouts") or nb.get("submission_timeout") for nb in result["notebooks"]):
                        outcome.timed_out.append(student)
                    cells = sorted(g for nb in result["notebooks"] for g in nb.get("incomplete", {}))
                    if cells:
                        outcome.incomplete[student] = cells
                except Exception as exc:
                    outcome.failed[student] = f"{type(exc).__name__}: {exc}"
                bar.update(1)
    finally:
        bar.close()
        if engine is not None:
            engine.close()
        writer.close()
    outcome.seconds = time.monotonic() - start
    outcome.similarity = similarity.run(course_root, assignment)
    outcome.csv, outcome.plot, outcome.text = summary.report(course_root, db_url, assignment, outcome)
    print(outcome.text, file=out)
    return outcome


def _dask_wait(pending):
    from distributed import wait as dask_wait

    done = dask_wait(list(pending), return_when="FIRST_COMPLETED").done
    return done, None


def _ensure_assignment(course_root, assignment, db_url):
    """The assignment must be in the gradebook (nbgrader generate_assignment records it); add it if missing."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    course._ok(course.api(course_root, db_url).generate_assignment(assignment, force=True),
               f"generate_assignment {assignment}")
