"""Messages between the grader and the processes it starts: one ``crossing`` frame per message over the standard
library's ``Connection.send_bytes`` / ``recv_bytes`` (never ``send``/``recv``, which pickle).

A deadline bounds every exchange with a student's process. ``poll`` waits for the start of a reply; a process that
starts a message and then stalls, or stops reading what the grader sends, is killed by the ``Watchdog`` (one thread
per grading process), which turns the blocked read or write into ``Closed``.
"""

import threading
import time
from multiprocessing.connection import Connection

from .. import crossing


class Closed(Exception):
    """The other end went away (its process died, closed the connection, or was killed at its deadline)."""


class TimedOut(Exception):
    """No reply before the deadline (the process has been killed)."""


def connection(sock):
    """A Connection that owns ``sock``'s file descriptor."""
    return Connection(sock.detach())


def send(conn, header, blobs=()):
    blobs = list(blobs)
    conn.send_bytes(crossing.pack({**header, "blobs": [len(b) for b in blobs]}, blobs))


def receive(conn, deadline=None):
    """(header, blobs) of the next message; ``deadline`` a time.monotonic() value (None: wait for ever)."""
    try:
        if deadline is not None and not conn.poll(max(0.0, deadline - time.monotonic())):
            raise TimedOut()
        data = conn.recv_bytes(crossing.MAX_MESSAGE)
    except (EOFError, OSError):
        raise Closed() from None
    return crossing.unpack(data)


class Watchdog:
    """Kills a process that is still in one exchange past its deadline (a half-sent message, a full pipe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.kill = self.deadline = None
        self.fired = False
        threading.Thread(target=self._watch, daemon=True, name="student-watchdog").start()

    def arm(self, kill, deadline):
        """``kill()`` stops the process at the other end if this exchange is still going at ``deadline``."""
        with self.lock:
            self.kill, self.deadline, self.fired = kill, deadline, False

    def disarm(self):
        with self.lock:
            self.kill = self.deadline = None

    def _watch(self):
        while True:
            time.sleep(0.2)
            with self.lock:
                if self.kill is not None and self.deadline is not None and time.monotonic() > self.deadline + 1.0:
                    self.kill()
                    self.fired, self.kill = True, None


_watchdog = None


def watchdog():
    global _watchdog
    if _watchdog is None:
        _watchdog = Watchdog()
    return _watchdog
