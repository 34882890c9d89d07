"""A course's own secret: it salts every hidden seed, so reading the public repository tells nothing of a course's
hidden inputs (the hidden checks' data, the capstone's held-out split).

The secret lives in the course folder, never in the repository: ``<course>/course_secret`` (mode 0600, created by
``python -m autograder secret``). At grading, the grader's side replaces each test cell's hidden seed by
``salted(seed, secret, assignment)``; the notebook and the student's process never see the secret or the salted
seed. Without a secret the seeds are the public ones, and the grader says so once per run.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

FILE = "course_secret"


def path(course_root):
    return Path(course_root, FILE)


def read(course_root):
    """The course's secret (bytes), or None when the course has none. A secret readable by others is refused."""
    p = path(course_root)
    if not p.exists():
        return None
    if p.stat().st_mode & 0o077:
        raise PermissionError(f"{p} can be read by other users: `chmod 600 {p}` (it salts the hidden seeds)")
    text = p.read_text().strip()
    if len(text) < 16:
        raise ValueError(f"{p} holds fewer than 16 characters: make a new one with `python -m autograder secret`")
    return text.encode()


def create(course_root):
    """Write a new random secret (256 bits) to the course folder, readable by its owner only. Returns its path."""
    p = path(course_root)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")
    return p


def salted(seed, secret, assignment):
    """The hidden seed a course with ``secret`` uses in place of the notebook's ``seed`` (a 63-bit integer)."""
    if secret is None:
        return seed
    digest = hmac.new(secret, f"{assignment}:{int(seed)}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


NO_SECRET = ("note: this course has no secret, so the hidden checks use the seeds written in the public notebooks; "
             "`python -m autograder secret --course <folder>` makes one (then grade again).")
