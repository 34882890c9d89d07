"""The grader's side of a student process: start it, run cells under time limits, survive its death.

``run_cells(cells, ...)`` runs a list of code sources in one student process (see ``zygote``) and returns, for
each, its outputs and what happened:

- a cell that runs past ``cell_timeout`` is stopped (its process killed, as below) and gets a
  ``CellTimeoutError`` output, as nbgrader records a cell it interrupts on timeout;
- a cell that raises MemoryError (the address-space limit) keeps its output, and the process is replaced as
  below, since what the cell allocated may still be held;
- a process that dies (``os._exit``, a crash, the memory limit) gives that cell a ``KernelDied`` output; a new
  process replays the cells that ran before it (their outputs discarded) and goes on with the next cell, so
  the death costs the questions that needed that cell, not the whole notebook;
- past ``timeout`` seconds for the whole submission the process is killed and every cell not yet run gets a
  ``SubmissionTimeoutError`` output.

One zygote per grading process (pool worker or Dask worker), started on first use.
"""

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

from . import verify, wire

MAX_RESTARTS = 3
UID_BASE = 200_000

_zygote = None


def _error(ename, evalue):
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": [f"{ename}: {evalue}"]}


def _scores_zero(outputs):
    """True when nbgrader would score these outputs 0 (an error or stderr first, or a first value of 0)."""
    for output in outputs:
        if output.get("output_type") == "error" or (output.get("output_type") == "stream"
                                                     and output.get("name") == "stderr"):
            return True
        if output.get("output_type") == "execute_result":
            try:
                return float(output.get("data", {}).get("text/plain", "")) == 0
            except ValueError:
                return False
    return False


@dataclass
class CellRun:
    outputs: list
    execution_count: int = None
    event: str = None  # None, "timeout", "died", "submission-timeout", "not-run"
    verified: float = None  # the score the grader's own re-check gives (test cells only; see verify)


@dataclass
class Events:
    notes: list = field(default_factory=list)  # what a student reads in the feedback about how grading went
    timeouts: int = 0
    deaths: int = 0
    submission_timeout: bool = False
    isolated: bool = False


class Zygote:
    def __init__(self):
        ours, theirs = socket.socketpair()
        env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        self.process = subprocess.Popen([sys.executable, "-m", "autograder.bulk.zygote", str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self.control = ours
        wire.receive(self.control, time.monotonic() + 120)
        atexit.register(self.close)

    def spawn(self, request):
        """(pid, socket) of a new student process."""
        wire.send(self.control, request)
        _, fds, _, _ = socket.recv_fds(self.control, 1, 1)
        reply = wire.receive(self.control, time.monotonic() + 30)
        return reply["pid"], socket.socket(fileno=fds[0])

    def close(self):
        try:
            self.control.close()
            self.process.wait(timeout=5)
        except Exception:
            self.process.kill()


def zygote():
    global _zygote
    if _zygote is None or _zygote.process.poll() is not None:
        _zygote = Zygote()
    return _zygote


class StudentProcess:
    def __init__(self, scratch, hide, memory_mb):
        request = {"scratch": str(scratch), "hide": [str(p) for p in hide], "memory_mb": memory_mb,
                   "uid_base": UID_BASE}
        self.pid, self.sock = zygote().spawn(request)
        hello = wire.receive(self.sock, time.monotonic() + 60)
        self.isolated = hello.get("isolated", False)

    def run(self, source, deadline):
        return self.ask({"source": source}, deadline)

    def ask(self, message, deadline):
        wire.send(self.sock, message)
        return wire.receive(self.sock, deadline)

    def signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def close(self):
        self.signal(signal.SIGKILL)
        self.sock.close()


def _deadline(cell_timeout, end):
    """When the next step must be done: ``cell_timeout`` seconds from now, but not after ``end`` (None: never)."""
    deadline = time.monotonic() + cell_timeout if cell_timeout else None
    if end is not None:
        deadline = end if deadline is None else min(deadline, end)
    return deadline


def run_cells(sources, scratch, hide=(), cell_timeout=120, timeout=600, memory_mb=None, rechecks=None):
    """[CellRun] for each source, and the Events of the run (see the module docstring).

    ``rechecks`` {index: (question id, hidden seed)}: right after that cell, its question is checked again by
    this process, calling the student's function in the student's process (``verify``)."""
    rechecks = rechecks or {}
    events = Events()
    runs = [None] * len(sources)
    start = time.monotonic()
    end = start + timeout if timeout else None
    process, ran_ok = None, []  # indices that ran in the current process (replayed after a death)
    restarts = 0
    for index, source in enumerate(sources):
        if end is not None and time.monotonic() >= end:
            events.submission_timeout = True
            runs[index] = CellRun([_error("SubmissionTimeoutError",
                                          f"the whole notebook ran past the grader's limit of {timeout:g} s; "
                                          f"this cell was not run")], event="submission-timeout")
            continue
        if process is None:
            if restarts > MAX_RESTARTS:
                runs[index] = CellRun([_error("KernelDied", "the notebook's process died too many times; this "
                                                            "cell was not run")], event="not-run")
                continue
            process = StudentProcess(scratch, hide, memory_mb)
            events.isolated = process.isolated
            try:
                for earlier in ran_ok:  # replay, outputs discarded
                    process.run(sources[earlier], end)
            except (wire.Closed, wire.TimedOut):
                process.close()
                process = None
                restarts += 1
                runs[index] = CellRun([_error("KernelDied", "the notebook's process could not be restarted")],
                                      event="not-run")
                continue
        deadline = _deadline(cell_timeout, end)
        try:
            reply = process.run(source, deadline)
            runs[index] = CellRun(reply["outputs"], reply.get("execution_count"))
            if index in rechecks and not _scores_zero(reply["outputs"]):  # the lower of the two is 0 anyway
                question_id, seed = rechecks[index]
                check_deadline = _deadline(cell_timeout, end)
                runs[index].verified = verify.recheck(question_id, seed,
                                                      lambda m: process.ask(m, check_deadline))
            if any(o.get("output_type") == "error" and o.get("ename") == "MemoryError" for o in reply["outputs"]):
                # what it allocated may still be held: later cells run in a fresh process, without this one
                runs[index].event = "memory"
                events.deaths += 1
            else:
                ran_ok.append(index)
                continue
        except wire.TimedOut:
            if runs[index] is not None:  # stuck while the grader re-checked the question: no points
                events.timeouts += 1
                runs[index].verified, runs[index].event = 0.0, "timeout-in-recheck"
            elif end is not None and time.monotonic() >= end:
                events.submission_timeout = True
                message = (f"the whole notebook ran past the grader's limit of {timeout:g} s; this cell was "
                           f"stopped")
                runs[index] = CellRun([_error("SubmissionTimeoutError", message)], event="submission-timeout")
            else:
                events.timeouts += 1
                runs[index] = CellRun([_error("CellTimeoutError",
                                              f"this cell ran for more than {cell_timeout:g} s and was stopped")],
                                      event="timeout")
        except wire.Closed:
            events.deaths += 1
            if runs[index] is not None:  # it died while the grader re-checked the question: no points
                runs[index].verified, runs[index].event = 0.0, "died-in-recheck"
            else:
                runs[index] = CellRun([_error("KernelDied",
                                          "the notebook's process died while running this cell (os._exit, a "
                                          "crash, or the memory limit); the cells after it ran in a new "
                                          "process")], event="died")
        # the process is in an unknown state: interrupted cells may leave it half-done; start afresh
        process.close()
        process = None
        restarts += 1
    if process is not None:
        try:
            wire.send(process.sock, {"stop": True})
        except OSError:
            pass
        process.close()
    return runs, events
