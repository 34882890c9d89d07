"""``python -m autograder collect a1 --from FILE_OR_FOLDER``: submissions downloaded from an LMS, put where nbgrader
looks for them.

Takes a Canvas or Moodle "download all submissions" zip (or the folder it unpacks to), or a plain folder of notebooks
named by student id (``<id>.ipynb`` or ``<id>/<anything>.ipynb``), and writes each student's notebook to
``<course>/submitted/<id>/<assignment>/<the assignment's notebook name>`` with nbgrader's ``timestamp.txt`` (the
submission time, which late penalties read). A roster CSV maps the LMS's names and ids to the course's student ids.
What it cannot place (no roster entry, not a notebook, an unreadable zip member) is listed, never dropped silently.

The file names each LMS writes (documented by each; checked against their downloads):
- Canvas: ``<sortable name>_[LATE_]<user id>_<submission id>_<the student's file name>``; a file a student uploaded
  again under the same name gets ``-1``, ``-2`` before its extension (the highest is the latest).
- Moodle: ``<full name>_<participant id>_assignsubmission_file_<file name>`` (flat), or a folder
  ``<full name>_<participant id>_assignsubmission_file_/`` holding the files.

Nothing here reads a notebook's content: a file that is not valid JSON is still placed, and the grader reports it.
"""

import csv
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

CANVAS = re.compile(r"^(?P<name>[^_/]+)_(?P<late>LATE_)?(?P<lms_id>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>[^/]+?)_(?P<lms_id>\d+)_assignsubmission_file_/?(?P<file>.*)$")
RESUBMITTED = re.compile(r"-(\d+)$")
MAX_NOTEBOOK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Entry:
    """One file of the download: its path in the download, who it names, and when it was submitted."""

    path: str
    lms_name: str
    lms_id: str
    file: str
    time: datetime
    late: bool = False

    @property
    def version(self):
        """Canvas's resubmission number (``name-2.ipynb`` → 2; none → 0)."""
        match = RESUBMITTED.search(PurePosixPath(self.file).stem)
        return int(match.group(1)) if match else 0


@dataclass
class Collected:
    """What ``collect`` did: {student id: the entry placed}, and (path, why) of everything it could not place."""

    placed: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    superseded: list = field(default_factory=list)


@dataclass(frozen=True)
class Student:
    """A roster row: the course's id, and the names and ids an LMS knows the student by."""

    id: str
    keys: frozenset


def read_roster(path):
    """Students of a roster CSV with a column ``id`` (the course's student id) and any of ``lms_id``,
    ``canvas_id``, ``moodle_id``, ``name``, ``sortable_name``, ``email``."""
    students = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            if not row.get("id"):
                continue
            keys = {_key(row[k]) for k in ("id", "lms_id", "canvas_id", "moodle_id", "name", "sortable_name",
                                            "email") if row.get(k)}
            students.append(Student(row["id"], frozenset(keys)))
    return students


def _key(text):
    """A name or id as a lookup key: lower case, letters and digits only (Canvas drops spaces and punctuation)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def entries(source):
    """Every file of a download (a zip or a folder), as ``Entry``s or (path, why) for files no LMS pattern fits."""
    source = Path(source)
    if source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as z:
            members = [(m.filename, datetime(*m.date_time, tzinfo=timezone.utc)) for m in z.infolist()
                       if not m.is_dir()]
    elif source.is_dir():
        members = [(p.relative_to(source).as_posix(),
                    datetime.fromtimestamp(p.stat().st_mtime, tz=timezone.utc))
                   for p in sorted(source.rglob("*")) if p.is_file()]
    else:
        raise FileNotFoundError(f"{source} is neither a zip file nor a folder")
    found, odd = [], []
    for path, time in members:
        entry = _parse(path, time)
        (found.append(entry) if isinstance(entry, Entry) else odd.append((path, entry)))
    return found, odd


def _parse(path, time):
    """The ``Entry`` of one downloaded file, or the reason it is not one."""
    posix = PurePosixPath(path)
    if any(part.startswith(".") or part == "__MACOSX" for part in posix.parts):
        return "a hidden or system file"
    name = posix.name
    for pattern in (MOODLE, CANVAS):
        match = pattern.match(path if pattern is MOODLE else name)
        if match and match.group("file"):
            late = bool(match.groupdict().get("late"))
            return Entry(path, match.group("name"), match.group("lms_id"), PurePosixPath(match.group("file")).name,
                         time, late)
    if len(posix.parts) == 2:  # a plain folder: <id>/<file>
        return Entry(path, posix.parts[0], posix.parts[0], name, time)
    if len(posix.parts) == 1:  # <id>.ipynb
        return Entry(path, posix.stem, posix.stem, name, time)
    return "not in a layout the collector knows (Canvas, Moodle, <id>.ipynb or <id>/<file>)"


def collect(assignment, source, course_root, roster=None, notebook_name=None):
    """Place the notebooks of a download (``source``) in ``course_root/submitted``. ``roster``: the rows of
    ``read_roster`` (without one, the LMS's name or id must be the course's student id). ``notebook_name``: the file
    name the assignment's notebook has in the release. Returns ``Collected``."""
    found, odd = entries(source)
    result = Collected(skipped=[(p, why) for p, why in odd])
    lookup = {}
    for student in roster or []:
        for key in student.keys:
            lookup.setdefault(key, set()).add(student.id)
    latest = {}
    for entry in found:
        if not entry.file.endswith(".ipynb"):
            result.skipped.append((entry.path, "not a notebook (.ipynb)"))
            continue
        ids = _who(entry, lookup, roster is not None)
        if len(ids) != 1:
            why = "matches several students of the roster" if ids else "matches no student of the roster"
            result.skipped.append((entry.path, f"{why} (name {entry.lms_name!r}, LMS id {entry.lms_id})"))
            continue
        (student,) = ids
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}", student):
            result.skipped.append((entry.path, f"the student id {student!r} is not a safe folder name"))
            continue
        if student in latest:
            older, newer = sorted([latest[student], entry], key=lambda e: (e.time, e.version))
            result.superseded.append((older.path, f"an earlier submission of {student}"))
            latest[student] = newer
        else:
            latest[student] = entry
    for student, entry in sorted(latest.items()):
        _place(entry, source, Path(course_root, "submitted", student, assignment), notebook_name or entry.file)
        result.placed[student] = entry
    return result


def _who(entry, lookup, has_roster):
    """The course ids an entry names (by LMS id first, then by name)."""
    if not has_roster:
        return {entry.lms_name} if entry.lms_name == entry.lms_id else {entry.lms_id}
    for key in (_key(entry.lms_id), _key(entry.lms_name)):
        if key and key in lookup:
            return lookup[key]
    return set()


def _place(entry, source, folder, name):
    """Write the entry's notebook as ``folder/name`` with ``timestamp.txt``, replacing an earlier collection."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    source = Path(source)
    if source.is_dir():
        data = (source / entry.path).read_bytes()[:MAX_NOTEBOOK_BYTES + 1]
    else:
        with zipfile.ZipFile(source) as z, z.open(entry.path) as member:
            data = member.read(MAX_NOTEBOOK_BYTES + 1)  # never more than the grader would read
    (folder / name).write_bytes(data)
    (folder / "timestamp.txt").write_text(entry.time.strftime("%Y-%m-%d %H:%M:%S.%f %Z") + "\n")


def report(result, assignment):
    """The lines ``python -m autograder collect`` prints."""
    lines = [f"{assignment}: placed {len(result.placed)} submission{'s' if len(result.placed) != 1 else ''}"
             + (f" ({sum(e.late for e in result.placed.values())} marked late by the LMS)"
                if any(e.late for e in result.placed.values()) else "")]
    for path, why in result.superseded:
        lines.append(f"  kept the latest: {path} ({why})")
    if result.skipped:
        lines.append(f"could not place {len(result.skipped)} file{'s' if len(result.skipped) != 1 else ''}:")
        lines += [f"  {path}: {why}" for path, why in result.skipped]
    return "\n".join(lines)
