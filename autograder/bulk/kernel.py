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
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

from .. import crossing
from ..grading import find_question
from . import channel, trusted

MAX_RESTARTS = 3
UID_BASE = 200_000

_zygote = None


def _error(ename, evalue):
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": [f"{ename}: {evalue}"]}


@dataclass
class CellRun:
    outputs: list
    execution_count: int = None
    event: str = None  # None, "timeout", "died", "submission-timeout", "not-run", "memory", "died-in-check",
    # "timeout-in-check", "nonstandard-test"
    incomplete: list = field(default_factory=list)  # checks of a test cell the grader could not complete


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
        self.control = ours  # file descriptors travel on the socket, messages on a Connection over the same one
        self.messages = channel.connection(socket.socket(fileno=os.dup(ours.fileno())))
        channel.receive(self.messages, time.monotonic() + 120)
        atexit.register(self.close)

    def spawn(self, request):
        """(pid, Connection) of a new student process."""
        channel.send(self.messages, request)
        _, fds, _, _ = socket.recv_fds(self.control, 1, 1)
        reply, _ = channel.receive(self.messages, time.monotonic() + 30)
        return reply["pid"], channel.connection(socket.socket(fileno=fds[0]))

    def close(self):
        try:
            self.messages.close()
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
        self.pid, self.conn = zygote().spawn(request)
        hello, _ = channel.receive(self.conn, time.monotonic() + 60)  # sent before any student code runs
        self.isolated = hello.get("isolated", False)
        self.remote = trusted.Remote(self.conn, self.pid, None, None)  # the grader's end for test cells

    def run(self, source, deadline):
        """The reply to one cell: {"outputs": [...], "execution_count": n}."""
        dog = channel.watchdog()
        dog.arm(self.pid, deadline)
        nonce = secrets.token_hex(8)
        try:
            channel.send(self.conn, {"op": "cell", "source": source, "nonce": nonce})
            reply, _ = channel.receive(self.conn, deadline)
        except (OSError, crossing.Uncrossable):  # gone, or answering in a way no honest process does
            raise channel.Closed() from None
        finally:
            dog.disarm()
        if reply.get("nonce") != nonce or not isinstance(reply.get("outputs"), list):
            raise channel.Closed()  # a reply to something else, or of the wrong shape: the process is replaced
        return reply

    def signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def close(self):
        self.signal(signal.SIGKILL)
        self.conn.close()


def _deadline(cell_timeout, end):
    """When the next step must be done: ``cell_timeout`` seconds from now, but not after ``end`` (None: never)."""
    deadline = time.monotonic() + cell_timeout if cell_timeout else None
    if end is not None:
        deadline = end if deadline is None else min(deadline, end)
    return deadline


def _test_cell(process, test, cell_timeout, end):
    """The CellRun of a test cell, graded on this side (``trusted``); the Remote tells whether the process survived."""
    if test is None:
        message = ("this test cell is not a standard `grade(...)` call, so the grader cannot check it on its own "
                   "side; it scores 0")
        return CellRun([_error("NonstandardTestCell", message)], event="nonstandard-test"), None
    question_id, seed = test
    remote = process.remote
    remote.deadline, remote.limit = _deadline(cell_timeout, end), cell_timeout
    outputs, incomplete = trusted.grade_cell(remote, find_question(question_id), seed)
    event = {"timeout": "timeout-in-check"}.get(remote.lost, "died-in-check" if remote.lost else None)
    return CellRun(outputs, event=event, incomplete=incomplete), remote


def run_cells(sources, scratch, hide=(), cell_timeout=120, timeout=600, memory_mb=None, tests=None):
    """[CellRun] for each source, and the Events of the run (see the module docstring).

    ``tests`` {index: (question id, hidden seed), or None for a test cell of another form}: those cells are not run
    in the student's process; the grader runs their checks itself (``trusted``), calling the student's functions
    there."""
    tests = tests or {}
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
            except (channel.Closed, channel.TimedOut):
                process.close()
                process = None
                restarts += 1
                runs[index] = CellRun([_error("KernelDied", "the notebook's process could not be restarted")],
                                      event="not-run")
                continue
        if index in tests:
            runs[index], remote = _test_cell(process, tests[index], cell_timeout, end)
            if remote is None or not remote.lost:
                continue
            if remote.lost == "timeout":
                events.timeouts += 1
            else:
                events.deaths += 1
            process.close()
            process = None
            restarts += 1
            continue
        deadline = _deadline(cell_timeout, end)
        try:
            reply = process.run(source, deadline)
            runs[index] = CellRun(reply["outputs"], reply.get("execution_count"))
            if any(o.get("output_type") == "error" and o.get("ename") == "MemoryError" for o in reply["outputs"]):
                # what it allocated may still be held: later cells run in a fresh process, without this one
                runs[index].event = "memory"
                events.deaths += 1
            else:
                ran_ok.append(index)
                continue
        except channel.TimedOut:
            if end is not None and time.monotonic() >= end:
                events.submission_timeout = True
                message = (f"the whole notebook ran past the grader's limit of {timeout:g} s; this cell was "
                           f"stopped")
                runs[index] = CellRun([_error("SubmissionTimeoutError", message)], event="submission-timeout")
            else:
                events.timeouts += 1
                runs[index] = CellRun([_error("CellTimeoutError",
                                              f"this cell ran for more than {cell_timeout:g} s and was stopped")],
                                      event="timeout")
        except channel.Closed:
            events.deaths += 1
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
            channel.send(process.conn, {"op": "stop"})
        except OSError:
            pass
        process.close()
    return runs, events
