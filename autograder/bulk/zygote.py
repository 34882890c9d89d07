"""The warm interpreter every student process is forked from, and what a forked student process does.

``python -m autograder.bulk.zygote FD`` imports once what every notebook imports (numpy, matplotlib,
IPython, the student's side of autograder as the view shows it, the backprop library) and builds an IPython shell, then waits on the
socket FD for requests. It never reads a notebook: it holds no hidden test and no other student's work.

It runs inside the worker's sandbox (``sandbox.py``: bubblewrap), made non-dumpable so that a student forked from
it can neither ptrace it nor read its memory. For each request it writes the submission's other files into the
scratch folder, forks a *student process* and hands the grader one end of a fresh socket pair (passed as a file
descriptor); when the grader is done with that student it asks the zygote to ``clean``: every other process in the
sandbox killed, the scratch folder, /tmp and /dev/shm emptied. The student process, before it runs any student code:

- moves to the scratch folder that holds only this submission's files;
- sets resource limits: address space (``--memory``), file size, CPU time, number of processes, no core dumps;
- sends stdout/stderr of C code to /dev/null, reads stdin from /dev/null.

Then it runs cells one at a time as the grader sends them and answers with the cell's outputs in nbformat
shape (streams, display data, execute_result, error), exactly what a Jupyter kernel would have produced for
nbgrader to score.
"""

import base64
import ctypes
import io
import os
import pkgutil
import resource
import shutil
import signal
import socket
import sys
import time

from . import channel, student_side

STREAM_LIMIT = 2_000_000  # characters of printed text kept per cell (nbgrader's LimitOutput trims lines later)
OUTPUT_LIMIT = 4_000_000  # characters of all of a cell's outputs (budget.CELL_OUTPUT_CHARS, as JSON)
FILE_LIMIT = 256 * 1024 * 1024  # bytes in one file a student writes (the tmpfs caps them all together)


# ------------------------------------------------------------------------------------------- capture

class _Capture:
    def __init__(self):
        self.outputs, self.size, self.truncated = [], 0, False

    def stream(self, name, text):
        if not isinstance(text, str):
            text = str(text)
        if self.size >= STREAM_LIMIT:
            self.truncated = True
            return
        text = text[: STREAM_LIMIT - self.size]
        self.size += len(text)
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def add(self, output):
        """A display or result, unless the cell's outputs are already over the grader's budget (budget.py, which
        the grader applies again to what comes back: this only saves building and sending a huge reply)."""
        import json

        n = len(json.dumps(output, separators=(",", ":")))
        if self.size + n > OUTPUT_LIMIT:
            self.truncated = True
            return
        self.size += n
        self.outputs.append(output)


CAPTURE = _Capture()


class _Stream(io.TextIOBase):
    def __init__(self, name):
        self.name = name

    def write(self, text):
        CAPTURE.stream(self.name, text)
        return len(text)

    def writable(self):
        return True

    def flush(self):
        pass

    def isatty(self):
        return False

    @property
    def encoding(self):
        return "utf-8"


def _clean(data):
    """Display data as nbformat stores it: text, base64 for bytes."""
    if isinstance(data, bytes):
        return base64.b64encode(data).decode("ascii")
    if isinstance(data, dict):
        return {str(k): _clean(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_clean(v) for v in data]
    if data is None or isinstance(data, (str, int, float, bool)):
        return data
    return str(data)


def _make_shell():
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type
    from traitlets.config import Config

    class Hook(DisplayHook):
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            CAPTURE.add({"output_type": "execute_result", "data": _clean(format_dict),
                         "metadata": _clean(md_dict or {}), "execution_count": self.shell.execution_count})

        def finish_displayhook(self):
            pass

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            CAPTURE.add({"output_type": "display_data", "data": _clean(data), "metadata": _clean(metadata or {})})

        def clear_output(self, wait=False):
            CAPTURE.outputs.clear()

    class Shell(InteractiveShell):
        displayhook_class = Type(Hook)
        display_pub_class = Type(Publisher)

        def _showtraceback(self, etype, evalue, stb):
            try:
                ename, text = etype.__name__, str(evalue)
            except BaseException:
                ename, text = "Error", "(an exception that cannot be printed)"
            CAPTURE.add({"output_type": "error", "ename": ename, "evalue": text, "traceback": list(stb)})

        def ask_exit(self):  # exit() / quit() in a cell: nothing to leave, the grader decides when to stop
            pass

        def enable_gui(self, gui=None):
            pass

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "linux"
    return Shell.instance(config=config)


def warm_up():
    """Import what every notebook imports, and build the shell (done once, in the zygote)."""
    import matplotlib
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401

    import autograder  # noqa: F401  (what a notebook imports: in the view, nothing of grading)
    import autograder.guard  # noqa: F401  (it snapshots numpy before any student code runs)
    import autograder.props  # noqa: F401  (what checks hand the student's functions)
    import backprop

    for info in pkgutil.walk_packages(backprop.__path__, "backprop."):
        __import__(info.name)
    try:
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:
        pass
    matplotlib.use("Agg")
    return _make_shell()


# ------------------------------------------------------------------------------------ scratch and limits

SANDBOXED = os.environ.get("AUTOGRADER_SANDBOX") == "1"  # started inside sandbox.command (bubblewrap)
WIPED = ["/tmp", "/dev/shm"]  # the sandbox's private tmpfs, emptied after every student with the scratch folder
_scratch = None


def scratch_root():
    """The student's working folders live here: the sandbox's /scratch tmpfs, or (with --no-sandbox) a private
    folder of this process's own."""
    global _scratch
    if _scratch is None:
        if SANDBOXED:
            _scratch = "/scratch"
        else:
            import tempfile

            # 0700, this process's own, under its grading process's own folder (which is under the run's)
            _scratch = tempfile.mkdtemp(prefix="zygote-", dir=os.environ.get("AUTOGRADER_SCRATCH") or None)
    return _scratch


def _empty(folder):
    for entry in os.scandir(folder):
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def clean(student_pid):
    """After a student: every process they started killed, their files gone. In the sandbox that is every process
    but this one (the PID namespace holds nothing else of ours) and every file in its tmpfs; without it, the
    student's session and the scratch folder. Returns how many processes were still there."""
    left = 0
    if SANDBOXED:
        for _ in range(50):
            try:
                os.kill(-1, signal.SIGKILL)  # every process this one may signal, itself and init excepted
            except ProcessLookupError:
                pass
            others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
            left = len(others)
            if not others:
                break
            time.sleep(0.01)
        for folder in WIPED:
            _empty(folder)
    else:
        try:
            os.killpg(student_pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    _empty(scratch_root())
    return left


def _write_files(folder, names, blobs):
    """The submission's other files, written into its working folder (names that climb out of it are skipped)."""
    base = os.path.realpath(folder)
    for name, blob in zip(names, blobs):
        target = os.path.realpath(os.path.join(base, str(name)))
        if not target.startswith(base + os.sep):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(blob)


def _limits(request):
    """Per-student resource limits (they hold without root: the sandbox runs as an unprivileged uid)."""
    mb = request.get("memory_mb")
    if mb:
        resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
    if request.get("cpu_seconds"):
        seconds = int(request["cpu_seconds"]) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    if request.get("nproc") and os.getuid() != 0:  # the kernel does not count processes for uid 0
        resource.setrlimit(resource.RLIMIT_NPROC, (request["nproc"], request["nproc"]))


def _die_with_parent():
    """Killed when the process that started this one dies (PR_SET_PDEATHSIG); False if that happened already."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    return os.getppid() == parent


def _student_process(sock, request, shell):
    if not _die_with_parent():  # (in the sandbox its PID namespace does it anyway)
        os._exit(1)
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    work = os.path.join(scratch_root(), "work")
    os.chdir(work)
    os.environ["HOME"] = work
    _limits(request)
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    sys.stdin = open(os.devnull)
    sys.path.insert(0, work)
    conn = channel.connection(sock)
    channel.send(conn, {"ready": True, "sandboxed": SANDBOXED, "uid": os.getuid()})
    session = student_side.Session()
    while True:
        message, blobs = channel.receive(conn)
        if message.get("op") == "stop":
            break
        if message.get("op") != "cell":  # the grader's check calls the student's code
            CAPTURE.outputs, CAPTURE.size = [], 0
            nonce = message.get("nonce")

            def ask(question, question_blobs, nonce=nonce):
                channel.send(conn, {**question, "nonce": nonce}, question_blobs)
                return channel.receive(conn)

            reply, reply_blobs = student_side.serve(message, blobs, shell.user_ns, session, ask)
            sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
            channel.send(conn, {**reply, "nonce": message.get("nonce")}, reply_blobs)
            continue
        CAPTURE.outputs, CAPTURE.size, CAPTURE.truncated = [], 0, False
        try:
            result = shell.run_cell(message["source"], store_history=True, silent=False)
            ok = result.success
        except BaseException:  # a KeyboardInterrupt landing outside the cell, for instance
            ok = False
        sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")  # whatever the cell did to them
        if CAPTURE.truncated:
            CAPTURE.size = 0
            CAPTURE.outputs.append({"output_type": "stream", "name": "stdout",
                                    "text": "\n... output truncated by the grader ...\n"})
        channel.send(conn, {"outputs": CAPTURE.outputs, "ok": ok, "execution_count": shell.execution_count - 1,
                            "nonce": message.get("nonce")})


def main(fd):
    _die_with_parent()  # die with the grading process that started us, never linger as an orphan
    if not SANDBOXED and str(os.getppid()) != os.environ.get("AUTOGRADER_PARENT", str(os.getppid())):
        return  # it died before we could ask (in the sandbox, bwrap's init is our parent and dies with it)
    try:  # a student forked from us may not ptrace us, nor read our memory
        ctypes.CDLL(None).prctl(4, 0)  # PR_SET_DUMPABLE
    except (OSError, AttributeError):
        pass
    control = socket.socket(fileno=fd)
    messages = channel.connection(socket.socket(fileno=os.dup(fd)))
    shell = warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked students are reaped automatically
    channel.send(messages, {"ready": True, "sandboxed": SANDBOXED})
    while True:
        try:
            request, blobs = channel.receive(messages)
        except channel.Closed:
            return
        if request.get("op") == "clean":
            channel.send(messages, {"left": clean(request.get("pid"))})
            continue
        if request.get("op") == "ping":  # the grader asks after each cell whether its student left us alive
            channel.send(messages, {"alive": True})
            continue
        work = os.path.join(scratch_root(), "work")
        try:
            os.makedirs(work, exist_ok=True)
            _write_files(work, request.get("files", []), blobs)
            problem = None
        except OSError as exc:  # the submission's files do not fit the scratch budget
            problem = f"its files could not be written ({exc.strerror})"
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                messages.close()
                control.close()
                ours.close()
                _student_process(theirs, request, shell)
            except BaseException:
                code = 1
                if os.environ.get("AUTOGRADER_DEBUG"):
                    import traceback
                    with open(os.environ["AUTOGRADER_DEBUG"], "a") as log:
                        traceback.print_exc(file=log)
            os._exit(code)
        theirs.close()
        socket.send_fds(control, [b"x"], [ours.fileno()])
        channel.send(messages, {"pid": pid, "problem": problem})
        ours.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
