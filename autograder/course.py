"""The course's nbgrader set-up, in code: the config, building release/ and running nbgrader on a course folder.

A course folder (nbgrader's ``CourseDirectory.root``) holds ``source/<assignment>/``, ``release/``,
``submitted/<student>/<assignment>/``, ``autograded/``, ``feedback/`` and the gradebook. The repository itself is
the course folder for building release/; the demo class and real grading runs use their own folders
(``build/...``) whose ``source`` links to the repository's, so generated grading files never land in the repo.
"""

import importlib
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import nbformat
from traitlets.config import Config

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "nn-from-first-principles"

# nbgrader runs the `alembic` executable of this environment when it creates a gradebook.
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")


# nbgrader 0.9.6's Gradebook.add_submission builds a submission through relationships that SQLAlchemy 2 no longer
# cascades into the session, so autoflush warns three times for every new submission (SubmittedAssignment along
# Student.submissions and Assignment.submissions, SubmittedNotebook along Notebook.submissions), and goes on to add
# them explicitly: nothing is lost. Exactly those warnings, from nbgrader's own gradebook code, are silenced.
warnings.filterwarnings("ignore", message=r"Object of type <Submitted(Assignment|Notebook)> not in session",
                        module=r"nbgrader\.api")


def assignments(root=REPO):
    """Assignment ids (a1, a2, ...) that have a source notebook, in order."""
    found = [p.parent.name for p in Path(root, "source").glob("*/*.ipynb")]
    return sorted(set(found), key=lambda a: (len(a), a))


def database_url(db_url, root):
    """The gradebook's SQLAlchemy URL: by default SQLite in the course folder ``root``. A PostgreSQL URL that
    names no driver gets psycopg2, the driver installed with the course (SQLAlchemy 2.1 would look for psycopg 3)."""
    if not db_url:
        return f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"
    scheme, sep, rest = db_url.partition("://")
    if sep and scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg2://{rest}"
    return db_url


def nbgrader_config(root, db_url=None, cell_timeout=120):
    """The traitlets Config every nbgrader call of the course uses."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    root = Path(root).resolve()
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = database_url(db_url, root)
    # jupytext text pairs (*.py) sit beside the source notebooks; students get only the notebooks.
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py"]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    # a markdown cell may keep a worked derivation in a solution region without being a graded answer: the
    # release shows the stub there, inviting the student's own working
    c.ClearSolutions.enforce_metadata = False
    c.Execute.timeout = cell_timeout
    # Deleted or renamed test cells are put back before grading.
    c.OverwriteCells.add_missing_cells = True
    # Feedback never shows hidden tests.
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    c.ClearHiddenTests.enforce_metadata = False
    c.Exchange.root = str(root / "exchange")
    c.merge(_course_file(root))
    return c


_loading = set()


def _course_file(root):
    """The instructor's own settings in ``<course>/nbgrader_config.py`` (late penalties, for one:
    ``c.LateSubmissionPlugin.penalty_method = "zero"``), which nbgrader's own tools started there read too. The file
    ``write_config_file`` writes calls ``nbgrader_config`` itself; that inner call does not read the file again."""
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(root, "nbgrader_config.py")
    if str(path) in _loading or not path.is_file():
        return Config()
    _loading.add(str(path))
    try:
        return PyFileConfigLoader(path.name, str(path.parent)).load_config()
    finally:
        _loading.discard(str(path))


def api(root, db_url=None, **config):
    """An ``NbGraderAPI`` on a course folder (``root``) with the course's config."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    c = nbgrader_config(root, db_url, **config)
    Path(root, "exchange").mkdir(parents=True, exist_ok=True)
    return NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)


def _ok(result, what):
    if not result.get("success"):
        raise RuntimeError(f"nbgrader {what} failed:\n{result.get('error') or result.get('log')}")
    return result


def link_source(course_root):
    """Make ``course_root/source`` point at the repository's source/ (so nbgrader sees the same notebooks)."""
    course_root = Path(course_root)
    course_root.mkdir(parents=True, exist_ok=True)
    link = course_root / "source"
    if not link.exists():
        link.symlink_to(REPO / "source", target_is_directory=True)
    return course_root


class NonstandardTestCell(ValueError):
    """A source notebook has a test cell the grader could not run on its own side."""


def check_test_cells(root, ids):
    """Refuse test cells of any other form than ``grading.TEST_CELL_FORM``: at grading only that form is checked on
    the grader's side, and any other code in a test cell would run in the student's process, which grades nothing."""
    from .grading import TEST_CELL_FORM, is_test_cell, parse_test_cell

    bad = []
    for a in ids:
        for path in sorted(Path(root, "source", a).glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                if is_test_cell(cell) and parse_test_cell(cell.source) is None:
                    bad.append(f"{path.relative_to(root)}: test cell {cell.metadata.nbgrader.get('grade_id')!r}")
    if bad:
        raise NonstandardTestCell(
            "these test cells are not in the form the grader can check on its own side:\n  " + "\n  ".join(bad)
            + "\nWrite each test cell as exactly (seed and question id your own):\n\n" + TEST_CELL_FORM
            + "\n\nand put the checks in the question's suite (autograder/suites/aN.py; docs/authoring.md).")


def generate_release(out_dir, ids=None):
    """Run ``nbgrader generate_assignment`` for every assignment into ``out_dir/<a>/``, and strip jupytext metadata.

    It runs in a scratch course folder under build/ so the repository gains no gradebook. Source notebooks whose test
    cells are not all in the standard form are refused (``check_test_cells``).
    """
    check_test_cells(REPO, ids or assignments())
    (REPO / "build").mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="release-course-", dir=REPO / "build"))
    link_source(scratch)
    grader = api(scratch)
    for a in ids or assignments():
        _ok(grader.generate_assignment(a, force=True), f"generate_assignment {a}")
        target = Path(out_dir) / a
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(scratch / "release" / a, target)
        for nb_path in target.glob("*.ipynb"):
            nb = nbformat.read(nb_path, as_version=4)
            if nb.metadata.pop("jupytext", None) is not None:
                nbformat.write(nb, nb_path)
        hand_out(target, a)
    shutil.rmtree(scratch)
    return Path(out_dir)


def handouts(assignment):
    """{solution cell grade_id: the code the release hands out there} of the debug questions of ``assignment``.

    A debug question (``kind="debug"``) hands the student code with planted bugs to find and fix in place: the
    source keeps the fixed version in its solution cell (so the instructor's notebook scores full marks), and the
    release shows the question's ``handout`` there instead of nbgrader's stub."""
    from .question import REGISTRY

    try:
        importlib.import_module(f"autograder.suites.{assignment}")
    except ModuleNotFoundError:
        return {}
    return {q.function: q.handout for qid, q in REGISTRY.items()
            if qid.startswith(f"{assignment}.") and getattr(q, "handout", None)}


def hand_out(release_dir, assignment):
    """Put each debug question's handout in its cell of the release notebooks in ``release_dir`` (``handouts``)."""
    code = handouts(assignment)
    if not code:
        return
    for nb_path in Path(release_dir).glob("*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") in code]
        for cell in cells:
            cell.source = code[cell.metadata.nbgrader.grade_id]
        if cells:
            nbformat.write(nb, nb_path)


def prepare(course_root, ids=None, db_url=None):
    """A fresh grading folder: source/ linked, the assignments generated (which records them in the gradebook)."""
    course_root = link_source(course_root)
    grader = api(course_root, db_url)
    for a in ids or assignments():
        _ok(grader.generate_assignment(a, force=True), f"generate_assignment {a}")
        hand_out(course_root / "release" / a, a)
    return grader


def autograde(grader, assignment, student):
    """nbgrader's own serial autograde of one submission, then its feedback HTML."""
    _ok(grader.autograde(assignment, student, force=True), f"autograde {assignment} {student}")
    _ok(grader.generate_feedback(assignment, student, force=True), f"generate_feedback {assignment} {student}")


def write_config_file(course_root, db_url=None):
    """Write ``course_root/nbgrader_config.py`` so that nbgrader's own tools (Formgrader in JupyterLab, the
    ``nbgrader`` command) started in that folder use the course's config."""
    path = Path(course_root) / "nbgrader_config.py"
    marker = "# The course's own settings go below"
    example = "# c.LateSubmissionPlugin.penalty_method = 'zero'\n"
    text = path.read_text() if path.is_file() else ""
    kept = text[text.index(marker):].split("\n", 1)[1].removeprefix(example) if marker in text else ""
    path.write_text(
        "# Written by the course's autograder: nbgrader's tools started here use the course's config.\n"
        "from autograder.course import nbgrader_config\n\n"
        "c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)\n"
        f"c.merge(nbgrader_config({str(Path(course_root).resolve())!r}, {db_url!r}))\n\n"
        f"{marker} (the grader reads them too; kept when this file is written again), for example late "
        f"penalties:\n{example}{kept}"
    )
    return path
