"""The warm interpreter every student process is forked from, and what a forked student process does.

``python -m autograder.bulk.zygote FD`` imports once what every notebook imports (numpy, matplotlib,
IPython, the autograder and its suites, the backprop library) and builds an IPython shell, then waits on the
socket FD for requests. It never reads a notebook: it holds no hidden test and no other student's work.

For each request it forks a *student process* and hands the grader one end of a fresh socket pair (passed as
a file descriptor). The student process, before it runs any student code:

- when started as root, enters its own mount and network namespaces (no network) and hides the course folder, the repository's source/
  (hidden tests) and any other path it is told to, under empty read-only tmpfs mounts, then drops to its own
  unprivileged uid (one per process, so students cannot signal each other);
- moves to a scratch folder that holds only this submission's files;
- sets resource limits: address space (``--memory``), file size, number of processes, no core dumps;
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
import signal
import socket
import sys

from . import channel, student_side

STREAM_LIMIT = 2_000_000  # characters of printed text kept per cell (nbgrader's LimitOutput trims lines later)


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

    import autograder  # noqa: F401  (its guard snapshots numpy before any student code runs)
    import autograder.suites
    import backprop

    for package in (autograder.suites, backprop):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            __import__(info.name)
    try:
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:
        pass
    matplotlib.use("Agg")
    return _make_shell()


# ---------------------------------------------------------------------------------- isolation (root)

_CLONE_NEWNS, _CLONE_NEWNET = 0x00020000, 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 1, 2, 4, 4096, 16384, 1 << 18


def _unreachable_top(path):
    """The outermost folder above ``path`` that other users may not enter (None when every one is open)."""
    parts = os.path.realpath(path).split(os.sep)
    for i in range(2, len(parts) + 1):
        folder = os.sep.join(parts[:i]) or os.sep
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _hide(paths, expose, holder):
    """Own mount namespace; each path in ``paths`` covered by an empty read-only tmpfs (a file: by /dev/null);
    each folder in ``expose`` (Python's own files under a private home, say) made reachable on its own, the
    rest of its private parent hidden. Returns False when the kernel refuses (then nothing is hidden)."""
    libc = ctypes.CDLL(None, use_errno=True)
    # a network namespace of its own too (no interface but a loopback that is down): no network at all
    if libc.unshare(_CLONE_NEWNS | _CLONE_NEWNET) != 0 and libc.unshare(_CLONE_NEWNS) != 0:
        return False
    libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None)
    for path in expose:
        top = _unreachable_top(path)
        if top is None:
            continue
        real = os.path.realpath(path)
        os.makedirs(holder, exist_ok=True)
        if libc.mount(os.fsencode(real), os.fsencode(holder), None, _MS_BIND | _MS_REC, None) != 0:
            return False
        if libc.mount(b"tmpfs", os.fsencode(top), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=64k,mode=0755") != 0:
            return False
        os.makedirs(real, mode=0o755, exist_ok=True)
        libc.mount(os.fsencode(holder), os.fsencode(real), None, _MS_BIND | _MS_REC, None)
        libc.umount2(os.fsencode(holder), 2)  # MNT_DETACH
        os.rmdir(holder)
    for path in paths:
        if not os.path.exists(path):
            continue
        target = os.fsencode(os.path.realpath(path))
        if os.path.isdir(path):
            ok = libc.mount(b"tmpfs", target, b"tmpfs", _MS_RDONLY | _MS_NOSUID | _MS_NODEV, b"size=4k,mode=0555")
        else:
            ok = libc.mount(b"/dev/null", target, None, _MS_BIND, None)
        if ok != 0:
            return False
    return True


def _reachable_by_others(path):
    """True when a process of another uid can walk down to ``path`` (every folder on the way has o+x)."""
    return _unreachable_top(path) is None


def can_isolate():
    """Root, with the virtualenv and the checkout reachable by other uids. A checkout inside a private (0700)
    folder cannot be isolated by uid and mounts; it is then graded like a run without root."""
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.geteuid() == 0 and _reachable_by_others(sys.prefix) and _reachable_by_others(checkout)


def _isolate(request):
    """Everything a student process does to itself before any student code runs."""
    scratch = request["scratch"]
    isolated = False
    if can_isolate():
        expose = [sys.base_prefix, sys.prefix, os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        isolated = _hide(request.get("hide", []), expose, os.path.join(scratch, ".python"))
        uid = request["uid_base"] + os.getpid() % 1_000_000
        for folder, _, files in os.walk(scratch):
            os.chown(folder, uid, uid)
            for name in files:
                os.chown(os.path.join(folder, name), uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.chdir(scratch)
    os.environ["HOME"] = scratch
    os.environ["TMPDIR"] = scratch
    mb = request.get("memory_mb")
    if mb:
        resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024 * 1024, 256 * 1024 * 1024))
    if os.geteuid() != 0 and isolated:
        resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))
    return isolated


def _student_process(sock, request, shell):
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    isolated = _isolate(request)
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    sys.stdin = open(os.devnull)
    sys.path.insert(0, request["scratch"])
    conn = channel.connection(sock)
    channel.send(conn, {"ready": True, "isolated": isolated, "uid": os.getuid()})
    session = student_side.Session()
    while True:
        message, blobs = channel.receive(conn)
        if message.get("op") == "stop":
            break
        if message.get("op") != "cell":  # the grader's check calls the student's code
            CAPTURE.outputs, CAPTURE.size = [], 0
            reply, reply_blobs = student_side.serve(message, blobs, shell.user_ns, session)
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
            CAPTURE.stream("stdout", f"\n... output truncated by the grader after {STREAM_LIMIT:,} characters ...\n")
        channel.send(conn, {"outputs": CAPTURE.outputs, "ok": ok, "execution_count": shell.execution_count - 1,
                            "nonce": message.get("nonce")})


def main(fd):
    try:  # die with the grading process that started us (Linux), never linger as an orphan
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        return
    control = socket.socket(fileno=fd)
    messages = channel.connection(socket.socket(fileno=os.dup(fd)))
    shell = warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked students are reaped automatically
    channel.send(messages, {"ready": True})
    while True:
        try:
            request, _ = channel.receive(messages)
        except channel.Closed:
            return
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
        channel.send(messages, {"pid": pid})
        ours.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
