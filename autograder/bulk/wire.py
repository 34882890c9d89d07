"""Length-prefixed JSON messages over a socket: the only language the grader and a student's process share.

JSON and nothing else: the grader never unpickles what a student's process sends back.
"""

import json
import socket
import struct
import time

_HEADER = struct.Struct("!Q")
MAX_MESSAGE = 64 * 1024 * 1024  # a reply larger than this is a hostile one


class Closed(Exception):
    """The other end went away (the process died or closed its socket)."""


class TimedOut(Exception):
    """No complete message before the deadline."""


def send(sock, obj):
    data = json.dumps(obj).encode()
    sock.sendall(_HEADER.pack(len(data)) + data)


def _read(sock, n, deadline):
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimedOut()
            sock.settimeout(left)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(min(n - got, 1 << 20))
        except socket.timeout:
            raise TimedOut() from None
        except OSError:
            raise Closed() from None
        if not chunk:
            raise Closed()
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def receive(sock, deadline=None):
    """The next message; ``deadline`` is a time.monotonic() value (None: wait for ever)."""
    (size,) = _HEADER.unpack(_read(sock, _HEADER.size, deadline))
    if size > MAX_MESSAGE:
        raise Closed()
    return json.loads(_read(sock, size, deadline))
