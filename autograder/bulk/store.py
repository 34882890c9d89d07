"""The one writer: the main process stores each result in the gradebook and on disk, then marks it done.

Order matters for resuming: the gradebook rows (one transaction per submission), then autograded/ and
feedback/, and only then the submission's fingerprint in ``<course>/autograded/.bulk-<assignment>.json``. A crash
between two steps leaves the fingerprint unrecorded, so the next run grades that submission again; writing the
same rows twice is harmless.
"""

import json
import os
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook


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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.done, indent=1, sort_keys=True))
        os.replace(tmp, self.path)


class Writer:
    def __init__(self, course_root, db_url, assignment):
        self.root, self.db_url, self.assignment = Path(course_root), db_url, assignment
        self.gb = Gradebook(db_url)
        self.state = State(course_root, assignment)

    def close(self):
        self.gb.close()

    def save(self, result):
        """Gradebook rows, then files, then the fingerprint."""
        self._rows(result)
        self._files(result)
        self.state.mark(result["student"], result["fingerprint"])

    def _rows(self, result):
        gb, a, s = self.gb, self.assignment, result["student"]
        try:
            gb.update_or_create_student(s)
            kwargs = {}
            if result.get("timestamp"):
                kwargs["timestamp"] = datetime.fromisoformat(result["timestamp"])
            gb.update_or_create_submission(a, s, **kwargs)
            for nb in result["notebooks"]:
                sub = gb.find_submission_notebook(nb["name"], a, s)
                for grade in sub.grades:
                    auto = nb["grades"].get(grade.name, (0 if nb["problem"] else None, None))[0]
                    grade.auto_score = auto
                    grade.needs_manual_grade = grade.manual_score is not None or auto is None
                for comment in sub.comments:
                    if comment.name in nb["comments"]:
                        comment.auto_comment = nb["comments"][comment.name]
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise

    def _files(self, result):
        a, s = self.assignment, result["student"]
        for nb in result["notebooks"]:
            if nb.get("autograded"):
                target = self.root / "autograded" / s / a / f"{nb['name']}.ipynb"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(nb["autograded"])
            page = self.root / "feedback" / s / a / f"{nb['name']}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(nb["feedback"])
        # The submission's timestamp.txt and submission_secret.txt go along, byte for byte, as nbgrader's autograde
        # and generate_feedback copy them: `nbgrader release_feedback` reads both from feedback/ and names the
        # released page after them and the notebook, which is how each student's fetch_feedback finds their own page
        # in the exchange (and nobody else's).
        for name in ("timestamp.txt", "submission_secret.txt"):
            kept = self.root / "submitted" / s / a / name
            if kept.is_file() and not kept.is_symlink():
                for folder in ("autograded", "feedback"):
                    target = self.root / folder / s / a / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(kept.read_bytes())
