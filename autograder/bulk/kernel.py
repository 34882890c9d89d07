"""The grader's side of a student process: start it, run cells under time limits, survive its death.

``run_cells(cells, ...)`` runs a list of code sources in one student process (see ``zygote``) and returns, for
each, its outputs and what happened (a ``jobs.CellEvent``); ``CellRunner`` holds one policy per failure, each
tested on its own with a stand-in process (tests/grader/test_cells.py):

- a cell that runs past ``cell_timeout`` is stopped (its process killed, as below) and gets a
  ``CellTimeoutError`` output, as nbgrader records a cell it interrupts on timeout;
- a cell that raises MemoryError (the address-space limit) keeps its output, and the process is replaced as
  below, since what the cell allocated may still be held;
- a process that dies (``os._exit``, a crash, the memory limit) gives that cell a ``KernelDied`` output; a new
  process replays the cells that ran before it (their outputs discarded) and goes on with the next cell, so
  the death costs the questions that needed that cell, not the whole notebook;
- past ``timeout`` seconds for the whole submission the process is killed and every cell not yet run gets a
  ``SubmissionTimeoutError`` output;
- a test cell is not run there at all: its question is checked on this side (``trusted``), calling the student's
  functions in that process; if the process dies or stops answering meanwhile, the checks left earn 0.

One zygote per grading process (pool worker or Dask worker), in that worker's sandbox (``sandbox``), started on
first use. "Killing" a student process in the sandbox means killing the sandbox: its pids are not this machine's.
"""

import atexit
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from .. import crossing
from ..grading import find_question
from . import budget, channel, sandbox, trusted, view
from .jobs import CellEvent

MAX_RESTARTS = 3

_zygote = None
_scratch = None


def use_scratch(root):
    """Where this grading process keeps its files (the views of the course's code; without a sandbox, the students'
    working folders): a folder of its own under the run's private scratch root ``root`` when it has one here (a
    local worker), else a private folder of its own (``mkdtemp``: a Dask worker on another machine)."""
    global _scratch
    if _scratch is not None and _scratch.startswith(str(root or "")) and os.path.isdir(_scratch):
        return _scratch
    usable = root and os.path.isdir(root) and not os.path.islink(root) and os.stat(root).st_uid == os.geteuid() \
        and os.stat(root).st_mode & 0o077 == 0
    _scratch = tempfile.mkdtemp(prefix=f"worker-{os.getpid()}-" if usable else "autograder-worker-",
                                dir=root if usable else None)
    return _scratch


def _error(ename, evalue):
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": [f"{ename}: {evalue}"]}


@dataclass
class CellRun:
    outputs: list
    execution_count: int = None
    event: CellEvent = None  # what happened to it, when something did
    incomplete: list = field(default_factory=list)  # checks of a test cell the grader could not complete


@dataclass
class Events:
    notes: list = field(default_factory=list)  # [(where, CellEvent)]: how grading went, for the feedback
    timeouts: int = 0
    deaths: int = 0
    submission_timeout: bool = False
    sandboxed: bool = False


class Zygote:
    """The worker's warm interpreter, in the worker's sandbox (``sandbox.command``) unless ``sandboxed`` is False,
    seeing the course's code as ``view.build(assignment)`` shows it (without what ``assignment`` grades)."""

    def __init__(self, sandboxed=True, assignment=None):
        ours, theirs = socket.socketpair()
        scratch = use_scratch(None) if _scratch is None else _scratch
        env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1",
                   AUTOGRADER_SANDBOX="1" if sandboxed else "0", AUTOGRADER_SCRATCH=scratch,
                   AUTOGRADER_PARENT=str(os.getpid()))
        argv = [sys.executable, "-m", "autograder.bulk.zygote", str(theirs.fileno())]
        if not sandboxed and assignment:  # no sandbox to bind the view in: it goes first on the import path
            env["PYTHONPATH"] = os.pathsep.join([str(view.build(assignment, scratch)),
                                                 *filter(None, [os.environ.get("PYTHONPATH")])])
        if sandboxed:
            problem = sandbox.problem()
            if problem:
                raise RuntimeError(f"cannot grade in a sandbox: {problem}")
            self.uid = sandbox.UID_BASE + os.getpid() % 50_000 if os.geteuid() == 0 else None
            argv = sandbox.command(argv, uid=self.uid, view=view.build(assignment, scratch) if assignment else None)
        self.sandboxed, self.assignment, self.dead = sandboxed, assignment, False
        self.process = subprocess.Popen(argv, pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self.control = ours  # file descriptors travel on the socket, messages on a Connection over the same one
        self.messages = channel.connection(socket.socket(fileno=os.dup(ours.fileno())))
        channel.receive(self.messages, time.monotonic() + 120)
        atexit.register(self.close)

    def spawn(self, request, files):
        """(pid as the zygote sees it, Connection, problem) of a new student process with ``files`` {name: bytes}
        in its working folder."""
        names = sorted(files)
        channel.send(self.messages, {**request, "files": names}, [files[n] for n in names])
        _, fds, _, _ = socket.recv_fds(self.control, 1, 1)
        if not fds:
            raise channel.Closed()
        reply, _ = channel.receive(self.messages, time.monotonic() + 30)
        return reply["pid"], channel.connection(socket.socket(fileno=fds[0])), reply.get("problem")

    def clean(self, pid):
        """Every process of the last student killed and their files removed (see zygote.clean)."""
        channel.send(self.messages, {"op": "clean", "pid": pid})
        reply, _ = channel.receive(self.messages, time.monotonic() + 30)
        return reply.get("left", 0)

    def alive(self):
        """Whether this zygote still answers. A student can kill it from inside (every process in the sandbox is
        the student's to signal); the cell that did is then treated as a death, and a new sandbox starts."""
        if self.dead:
            return False
        try:
            channel.send(self.messages, {"op": "ping"})
            reply, _ = channel.receive(self.messages, time.monotonic() + 10)
            return reply.get("alive") is True
        except (OSError, channel.Closed, channel.TimedOut, crossing.Uncrossable):
            return False

    def kill(self):
        """The whole sandbox, at once: everything in it dies with it (its PID namespace). Never used again."""
        self.dead = True
        self.process.kill()

    def close(self):
        try:
            self.messages.close()
            self.control.close()
            self.process.wait(timeout=5)
        except Exception:
            self.process.kill()


def zygote(sandboxed=True, assignment=None):
    """This worker's zygote (a new one when the last died, was killed, or was made for other settings)."""
    global _zygote
    if _zygote is None or _zygote.dead or _zygote.process.poll() is not None or \
            (_zygote.sandboxed, _zygote.assignment) != (sandboxed, assignment):
        if _zygote is not None:
            _zygote.kill()
        _zygote = Zygote(sandboxed, assignment)
    return _zygote


def _processes_of(uid):
    """How many processes ``uid`` has on this machine now (a non-root sandbox shares the grader's uid, and the
    kernel's process limit counts them all)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


class StudentProcess:
    """One student process, forked from the worker's zygote, with the submission's files in its working folder."""

    PROCESSES = 64  # processes one student may start

    def __init__(self, files, memory_mb, cpu_seconds, sandboxed=True, assignment=None, passed=None):
        self.zygote = zygote(sandboxed, assignment)
        nproc = self.PROCESSES + (1 if self.zygote.sandboxed and self.zygote.uid is not None
                                  else _processes_of(os.getuid()))
        request = {"memory_mb": memory_mb, "cpu_seconds": cpu_seconds, "nproc": nproc}
        self.pid, self.conn, self.problem = self.zygote.spawn(request, files)
        hello, _ = channel.receive(self.conn, time.monotonic() + 60)  # sent before any student code runs
        self.sandboxed = hello.get("sandboxed", False)
        self.remote = trusted.Remote(self.conn, self.kill, None, None, passed)  # the grader's end for test cells

    def run(self, source, deadline):
        """The reply to one cell: {"outputs": [...], "execution_count": n}."""
        dog = channel.watchdog()
        dog.arm(self.kill, deadline)
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

    def intact(self):
        """Whether the sandbox this process came from is still whole (its zygote answers)."""
        return self.zygote.alive()

    def kill(self):
        """Stop this student at once. In the sandbox the zygote's pids are not this machine's: the whole sandbox
        goes (a new one starts for the next process); without it, the student's session."""
        if self.zygote.sandboxed:
            self.zygote.kill()
        else:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self):
        """The student is done: their process and everything they started stopped, their files removed."""
        try:
            self.conn.close()
            self.zygote.clean(self.pid)
        except (OSError, channel.Closed, channel.TimedOut, crossing.Uncrossable):
            self.zygote.kill()  # a sandbox that cannot clean up is not used again


def _deadline(cell_timeout, end):
    """When the next step must be done: ``cell_timeout`` seconds from now, but not after ``end`` (None: never)."""
    deadline = time.monotonic() + cell_timeout if cell_timeout else None
    if end is not None:
        deadline = end if deadline is None else min(deadline, end)
    return deadline


_NOT_RUN = "the whole notebook ran past the grader's limit of {timeout:g} s; this cell was {what}"


def submission_timeout(timeout, what="not run"):
    """The CellRun of a cell the notebook's time limit stopped or never reached."""
    return CellRun([_error("SubmissionTimeoutError", _NOT_RUN.format(timeout=timeout, what=what))],
                   event=CellEvent.SUBMISSION_TIMEOUT)


def cell_timeout_run(cell_timeout):
    """The CellRun of a cell stopped at its own time limit."""
    return CellRun([_error("CellTimeoutError", f"this cell ran for more than {cell_timeout:g} s and was stopped")],
                   event=CellEvent.TIMEOUT)


def died():
    """The CellRun of a cell during which the process died."""
    return CellRun([_error("KernelDied", "the notebook's process died while running this cell (os._exit, a crash, "
                                         "or the memory limit); the cells after it ran in a new process")],
                   event=CellEvent.DIED)


def not_run(why):
    """The CellRun of a cell that could not be run: no process to run it in."""
    return CellRun([_error("KernelDied", why)], event=CellEvent.NOT_RUN)


def out_of_memory(reply):
    """Whether a cell's reply is a MemoryError: what it allocated may still be held, so the process is replaced."""
    return any(o.get("output_type") == "error" and o.get("ename") == "MemoryError" for o in reply["outputs"])


class CellRunner:
    """Runs one notebook's cells in order in a student process, each failure with its policy (module docstring).

    ``start(files, memory_mb, cpu_seconds, sandboxed, assignment, passed)`` makes the student process
    (``StudentProcess``; tests give a stand-in)."""

    def __init__(self, sources, files, cell_timeout=120, timeout=600, memory_mb=None, tests=None, sandboxed=True,
                 assignment=None, start=None):
        self.sources, self.files, self.tests = sources, files, tests or {}
        self.cell_timeout, self.timeout, self.memory_mb = cell_timeout, timeout, memory_mb
        self.sandboxed, self.assignment, self.start = sandboxed, assignment, start or StudentProcess
        self.events, self.outputs = Events(), budget.Outputs()
        self.passed = set()  # functions whose question passed every check (trusted.Remote.passed), across restarts
        self.end = time.monotonic() + timeout if timeout else None
        self.process, self.ran_ok, self.restarts = None, [], 0  # ran_ok: indices replayed after a restart

    def __call__(self):
        runs = [self.cell(index) for index in range(len(self.sources))]
        if self.process is not None:
            self.process.close()
        if self.outputs.exceeded:
            self.events.notes.append(("the notebook", CellEvent.OUTPUTS))
        return runs, self.events

    def cell(self, index):
        """The CellRun of cell ``index``."""
        if self.end is not None and time.monotonic() >= self.end:
            self.events.submission_timeout = True
            return submission_timeout(self.timeout)
        if self.process is None:
            if self.restarts > MAX_RESTARTS:
                return not_run("the notebook's process died too many times; this cell was not run")
            if not self._started():
                return not_run("the notebook's process could not be restarted")
        if index in self.tests:
            return self._test_cell(self.tests[index])
        return self._student_cell(index)

    def _started(self):
        """A new student process, with the cells that ran before replayed (outputs discarded); False if it fails."""
        try:
            self.process = self.start(self.files, self.memory_mb, self.timeout, self.sandboxed, self.assignment,
                                      self.passed)
            self.events.sandboxed = self.process.sandboxed
            if self.process.problem and ("the submission", CellEvent.FILES) not in self.events.notes:
                self.events.notes.append(("the submission", CellEvent.FILES))
            for earlier in self.ran_ok:
                self.process.run(self.sources[earlier], self.end)
            return True
        except (channel.Closed, channel.TimedOut, crossing.Uncrossable, OSError):
            if self.process is not None:
                self.process.close()
            elif _zygote is not None:
                _zygote.kill()
            self._replace(None)
            return False

    def _replace(self, event):
        """The process is in an unknown state after ``event`` (or gone): the next cell starts a fresh one."""
        if event in (CellEvent.TIMEOUT, CellEvent.TIMEOUT_IN_CHECK):
            self.events.timeouts += 1
        elif event in (CellEvent.DIED, CellEvent.MEMORY, CellEvent.DIED_IN_CHECK):
            self.events.deaths += 1
        if self.process is not None and event is not None:
            self.process.close()
        self.process = None
        self.restarts += 1

    def _test_cell(self, test):
        """A test cell, graded on this side (``trusted``); the process is replaced if it was lost meanwhile."""
        if test is None:
            message = ("this test cell is not a standard `grade(...)` call, so the grader cannot check it on its own "
                       "side; it scores 0")
            return CellRun([_error("NonstandardTestCell", message)], event=CellEvent.NONSTANDARD_TEST)
        question_id, seed = test
        remote = self.process.remote
        remote.deadline, remote.limit = _deadline(self.cell_timeout, self.end), self.cell_timeout
        outputs, incomplete = trusted.grade_cell(remote, find_question(question_id), seed)
        run = CellRun(outputs, incomplete=incomplete)
        if remote.lost:
            run.event = CellEvent.TIMEOUT_IN_CHECK if remote.lost == "timeout" else CellEvent.DIED_IN_CHECK
            self._replace(run.event)
        elif not self.process.intact():  # the student's code, called by a check, killed its sandbox
            run.event = CellEvent.DIED_IN_CHECK
            self._replace(run.event)
        return run

    def _student_cell(self, index):
        """A cell run in the student's process, and what its failure costs (module docstring)."""
        try:
            reply = self.process.run(self.sources[index], _deadline(self.cell_timeout, self.end))
        except channel.TimedOut:
            if self.end is not None and time.monotonic() >= self.end:
                self.events.submission_timeout = True
                run = submission_timeout(self.timeout, "stopped")
                self._replace(CellEvent.SUBMISSION_TIMEOUT)
                return run
            run = cell_timeout_run(self.cell_timeout)
        except channel.Closed:
            run = died()
        else:
            run = CellRun(self.outputs.keep(reply["outputs"]), reply.get("execution_count"))
            if out_of_memory(reply):
                run.event = CellEvent.MEMORY
            elif self.process.intact():
                self.ran_ok.append(index)
                return run
            else:  # the cell killed the sandbox it ran in: a death, and the cell is not replayed
                run.outputs.extend(died().outputs)
                run.event = CellEvent.DIED
        self._replace(run.event)
        return run


def run_cells(sources, files, cell_timeout=120, timeout=600, memory_mb=None, tests=None, sandboxed=True,
              assignment=None):
    """[CellRun] for each source, and the Events of the run (see the module docstring and ``CellRunner``).

    ``tests`` {index: (question id, hidden seed), or None for a test cell of another form}: those cells are not run
    in the student's process; the grader runs their checks itself (``trusted``), calling the student's functions
    there."""
    return CellRunner(sources, files, cell_timeout, timeout, memory_mb, tests, sandboxed, assignment)()
