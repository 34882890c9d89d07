"""The one writer: the main process stores each result in the gradebook and on disk, then marks it done.

Order matters for resuming: the gradebook rows (one transaction per submission), then autograded/ and
feedback/, and only then the submission's fingerprint in ``<course>/autograded/.bulk-<assignment>.json``. A crash
between two steps leaves the fingerprint unrecorded, so the next run grades that submission again; writing the
same rows twice is harmless. Every file is written whole or not at all (``write_atomic``), and one run at a time
grades an assignment of a course (``run_lock``).
"""

import contextlib
import fcntl
import json
import os
import socket
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.api import Gradebook


_UMASK = os.umask(0o022)
os.umask(_UMASK)


class Busy(RuntimeError):
    """Another run is grading this assignment of this course."""


@contextlib.contextmanager
def run_lock(course_root, assignment, **facts):
    """Hold ``<course>/.grading-<assignment>.lock`` (``flock``) for the run, or raise Busy at once, saying who holds
    it. Yields (the lock's file descriptor, what the previous holder wrote in it: {} or its ``facts``). The lock dies
    with its holder (the kernel releases it), so a run killed with -9 leaves no lock behind."""
    path = Path(course_root) / f".grading-{assignment}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise Busy(f"cannot take the lock {path} ({exc.strerror}): is the course folder writable?") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_facts(fd)
            who = f"pid {holder['pid']} on {holder.get('host')}, since {holder.get('since')}" if "pid" in holder \
                else "another process"
            raise Busy(f"{assignment} of {Path(course_root)} is being graded by another run ({who}); this one "
                       f"stops. Wait for that run to finish (or stop it), then run the command again: it grades "
                       f"only what is left.") from None
        previous = read_facts(fd)
        mine = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S"),
                **facts}
        write_facts(fd, mine)
        sweep_temporary(course_root, assignment)
        yield fd, previous
    finally:
        os.close(fd)


def write_facts(fd, facts):
    """Who holds the lock, for the message a second run prints (only informative: a full disk does not stop the
    run here, whatever it writes next will fail and say so)."""
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(facts).encode(), 0)
    except OSError:
        pass


def read_facts(fd):
    try:
        facts = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return facts if isinstance(facts, dict) else {}
    except ValueError:
        return {}


def write_atomic(path, data):
    """``path`` holds ``data`` (str or bytes) whole, or keeps what it held: written to a temporary file in the same
    folder, flushed to the disk (``fsync``: a power cut after the rename cannot leave an empty file), then renamed
    over it (a symbolic link at ``path`` is replaced, never followed). A temporary file left by a run killed
    mid-write is removed by the next run of the assignment (``sweep_temporary``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def sweep_temporary(course_root, assignment):
    """Remove the temporary files ``write_atomic`` left in this assignment's folders (autograded/, feedback/, the
    resume file's) when a run was killed mid-write. Called by the run that holds the lock, so no other run of the
    assignment is writing them."""
    for pattern in (f"autograded/*/{assignment}/.*.tmp", f"feedback/*/{assignment}/.*.tmp",
                    f"autograded/..bulk-{assignment}.json.*.tmp"):
        for path in Path(course_root).glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()


class State:
    """{student: fingerprint} of the submissions already graded, kept in a small JSON file."""

    def __init__(self, course_root, assignment):
        self.path = Path(course_root, "autograded", f".bulk-{assignment}.json")
        try:
            self.done = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.done = {}

    def is_done(self, student, fingerprint):
        return self.done.get(student) == fingerprint

    def mark(self, student, fingerprint):
        self.done[student] = fingerprint
        write_atomic(self.path, json.dumps(self.done, indent=1, sort_keys=True))


class Writer:
    def __init__(self, course_root, db_url, assignment, config=None):
        self.root, self.db_url, self.assignment = Path(course_root), db_url, assignment
        self.config = config
        self.gb = Gradebook(db_url)
        self.state = State(course_root, assignment)

    def close(self):
        self.gb.close()

    def save(self, result):
        """Gradebook rows, the late penalties, then files, then the fingerprint."""
        self._rows(result)
        differs = self._late(result)
        self._files(result)
        if differs:  # a worker without the course's config (a Dask worker elsewhere): the gradebook's penalty wins
            from . import handback

            for name in differs:
                handback.render_one(self.root, self.db_url, self.config, self.assignment, result.student, name)
        self.state.mark(result.student, result.fingerprint)

    def _previous_answers(self, student, name):
        """{grade_id: source} of the graded cells in the autograded notebook this run is about to replace, or None."""
        import nbformat

        path = self.root / "autograded" / student / self.assignment / f"{name}.ipynb"
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:
            return None
        return {c.metadata.nbgrader["grade_id"]: c.source for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id")}

    def _rows(self, result):
        """As nbgrader's SaveAutoGrades, with one difference: a grade given by hand is kept on a regrade and not
        flagged for review again, unless what it graded changed (the answer's text for a written answer, the
        automatic score for an autograded cell given a score by hand); then it is flagged, the hand score kept."""
        import nbformat

        gb, a, s = self.gb, self.assignment, result.student
        try:
            gb.update_or_create_student(s)
            kwargs = {"timestamp": datetime.fromisoformat(result.timestamp)} if result.timestamp else {}
            gb.update_or_create_submission(a, s, **kwargs)
            for nb in result.notebooks:
                sub = gb.find_submission_notebook(nb.name, a, s)
                before = after = None
                if any(g.manual_score is not None for g in sub.grades):
                    before = self._previous_answers(s, nb.name)
                    after = {c.metadata.nbgrader["grade_id"]: c.source
                             for c in nbformat.reads(nb.autograded, as_version=4).cells
                             if c.metadata.get("nbgrader", {}).get("grade_id")} if nb.autograded else {}
                for grade in sub.grades:
                    auto = nb.grades.get(grade.name, (0 if nb.problem else None, None))[0]
                    previous, grade.auto_score = grade.auto_score, auto
                    if grade.manual_score is None:
                        grade.needs_manual_grade = auto is None
                    elif before is None or before.get(grade.name) != after.get(grade.name) \
                            or (auto is not None and previous != auto):
                        grade.needs_manual_grade = True
                for comment in sub.comments:
                    if comment.name in nb.comments:
                        comment.auto_comment = nb.comments[comment.name]
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise

    def _late(self, result):
        """nbgrader's own steps after SaveAutoGrades in ``Autograde.autograde_preprocessors`` (AssignLatePenalties,
        with the course's late-submission plugin, and CheckCellMetadata by default), on each notebook graded. The
        names of the notebooks whose feedback shows another penalty than the gradebook now has."""
        graded = [nb for nb in result.notebooks if nb.autograded]
        late_steps(self.root, self.db_url, self.assignment, result.student,
                   [(nb.name, nb.autograded) for nb in graded], self.config)
        self.gb.db.expire_all()
        recorded = {nb.name: self.gb.find_submission_notebook(nb.name, self.assignment, result.student)
                    .late_submission_penalty or 0.0 for nb in graded}
        return [nb.name for nb in graded if abs(recorded[nb.name] - (nb.late_penalty or 0.0)) > 1e-9]

    def _files(self, result):
        a, s = self.assignment, result.student
        for nb in result.notebooks:
            if nb.autograded:
                write_atomic(self.root / "autograded" / s / a / f"{nb.name}.ipynb", nb.autograded)
            write_atomic(self.root / "feedback" / s / a / f"{nb.name}.html", nb.feedback)
        hand_back_files(self.root, a, s)


def late_steps(course_root, db_url, assignment, student, notebooks, config=None):
    """Run the preprocessors nbgrader's autograde runs after SaveAutoGrades (read from nbgrader, as the course's
    config sets them) on ``notebooks`` ([(name, the autograded notebook as text)]): they write the late penalty."""
    import nbformat
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import SaveAutoGrades

    from .. import course
    from .prepare import nbgrader_list

    config = config or course.nbgrader_config(course_root, db_url)
    steps = nbgrader_list(Autograde, "autograde_preprocessors", config)
    steps = steps[steps.index(SaveAutoGrades) + 1:] if SaveAutoGrades in steps else []
    for name, text in notebooks:
        nb = nbformat.reads(text, as_version=4)
        resources = {"nbgrader": {"notebook": name, "assignment": assignment, "student": student, "db_url": db_url}}
        for cls in steps:
            nb, resources = cls(config=config)(nb, resources)


def hand_back_files(course_root, assignment, student):
    """What nbgrader's own autograde and generate_feedback copy beside the notebooks, and its release_feedback
    needs: ``timestamp.txt`` and ``submission_secret.txt`` in autograded/ and feedback/. A submission collected
    from an LMS has no secret (``nbgrader submit`` makes it): one is made, once, and kept in feedback/."""
    import secrets

    root = Path(course_root)
    submitted = root / "submitted" / student / assignment
    feedback = root / "feedback" / student / assignment
    for name in ("timestamp.txt", "submission_secret.txt"):
        source = submitted / name
        data = source.read_bytes() if source.is_file() and not source.is_symlink() else None
        if data is None and name == "submission_secret.txt":
            kept = feedback / name
            data = kept.read_bytes() if kept.is_file() and not kept.is_symlink() else secrets.token_hex(64).encode()
        folders = [root / "autograded" / student / assignment, feedback]
        if data is None:  # no submission time known: when feedback was made, in feedback/ only (for release_feedback)
            kept = feedback / name
            data = kept.read_bytes() if kept.is_file() and not kept.is_symlink() else \
                (datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC") + "\n").encode()
            folders = [feedback]
        for folder in folders:
            write_atomic(folder / name, data)
