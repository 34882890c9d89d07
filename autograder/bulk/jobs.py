"""The grader's typed data: a run's options, a job (one submission, prepared), its result, and what can happen to a
cell while it is graded.

They travel only between trusted processes (the main process and its workers, through the process pool or Dask),
never to a student's process (``autograder.crossing`` says what crosses that boundary, and it is never a pickle).
The resume state the main process keeps is JSON (``store.State``).
"""

import hashlib
from dataclasses import dataclass, field
from enum import Enum


class CellEvent(str, Enum):
    """What happened to a cell, or to a whole notebook, that its feedback explains (``feedback.WHAT``)."""

    TIMEOUT = "timeout"  # a cell ran past --cell-timeout and was stopped
    DIED = "died"  # the process died while running the cell (os._exit, a crash)
    SUBMISSION_TIMEOUT = "submission-timeout"  # the notebook ran past --timeout: the cell was not run
    MEMORY = "memory"  # the cell raised MemoryError: later cells run in a fresh process without it
    NOT_RUN = "not-run"  # the process kept dying: the cell was not run
    DIED_IN_CHECK = "died-in-check"  # a test cell: the process died while answering the grader's calls
    TIMEOUT_IN_CHECK = "timeout-in-check"  # a test cell: the student's function did not answer in time
    NONSTANDARD_TEST = "nonstandard-test"  # a test cell not in the one form the grader checks
    OUTPUTS = "outputs"  # the notebook: outputs over the budget were dropped
    FILES = "files"  # the notebook: the submission's other files did not fit the scratch folder


@dataclass(frozen=True)
class Options:
    """A run's options (the command line's), as every worker sees them."""

    course_root: str
    db_url: str
    assignment: str
    cell_timeout: float = 120
    timeout: float = 600
    memory_mb: int = 2048
    run_all: bool = False
    sandbox: bool = True
    scratch: str = None  # the run's private scratch root (local workers only)
    secret: str = None  # the course's secret (``autograder.secret``), which salts every hidden seed, or None

    def outcome(self):
        """The options that can change a score (part of every submission's fingerprint; the secret by its hash)."""
        salt = hashlib.sha256(self.secret.encode()).hexdigest()[:16] if self.secret else None
        return {"db_url": self.db_url, "cell_timeout": float(self.cell_timeout or 0),
                "timeout": float(self.timeout or 0), "memory_mb": int(self.memory_mb or 0),
                "run_all": bool(self.run_all), "sandbox": bool(self.sandbox), "secret": salt}


@dataclass
class NotebookJob:
    """One notebook of a submission: sanitized by nbgrader and ready to run, or the problem that scores it 0."""

    name: str
    max_score: float = 0.0
    hand: dict = field(default_factory=dict)  # {grade_id: {manual_score, extra_credit, comment}} given by hand
    problem: str = None  # why every question of it scores 0 (missing, unreadable, over budget), or None
    notebook: object = None  # the nbformat NotebookNode, when there is no problem
    run: list = field(default_factory=list)  # per cell: run it or not (prepare.cells_to_run)
    kept: dict = field(default_factory=dict)  # {index of a cell not run: its outputs as saved (prepare.saved_outputs)}
    restored: list = field(default_factory=list)  # grade ids of test cells nbgrader put back
    renamed_from: str = None  # the file name of a lone notebook graded as this one (``prepare.find_notebooks``)


@dataclass
class Job:
    """One submission, prepared in the main process (``prepare.build_job``)."""

    assignment: str
    student: str
    fingerprint: str
    files: dict = field(default_factory=dict)  # {relative name: bytes}: the submission's other files
    notebooks: list = field(default_factory=list)  # [NotebookJob]
    timestamp: str = None  # ISO time of the submission, as nbgrader reads timestamp.txt
    seconds_late: float = 0.0  # past the due date (with any extension), as nbgrader's total_seconds_late


@dataclass
class NotebookResult:
    """One notebook graded: its grades and comments as nbgrader computes them, its files, how grading went."""

    name: str
    problem: str = None
    grades: dict = field(default_factory=dict)  # {grade_id: (auto_score, max_score)}
    comments: dict = field(default_factory=dict)  # {grade_id: auto_comment}
    notes: list = field(default_factory=list)  # sentences for the feedback's "How grading went"
    incomplete: dict = field(default_factory=dict)  # {grade_id: [ids of checks the grader could not complete]}
    sandboxed: bool = False
    timeouts: int = 0
    deaths: int = 0
    submission_timeout: bool = False
    autograded: str = None  # the executed notebook, as nbformat writes it
    feedback: str = ""  # the feedback page's HTML
    late_penalty: float = 0.0  # what the feedback shows (the gradebook's is nbgrader's AssignLatePenalties')
    renamed_from: str = None  # graded from a notebook of another name (the summary counts them)


@dataclass
class Result:
    """One job graded (``worker.grade_job``): what the main process writes."""

    student: str
    assignment: str
    fingerprint: str
    timestamp: str = None
    notebooks: list = field(default_factory=list)  # [NotebookResult]
    seconds: float = 0.0

    @property
    def timed_out(self):
        return any(nb.timeouts or nb.submission_timeout for nb in self.notebooks)

    @property
    def incomplete(self):
        return sorted(grade_id for nb in self.notebooks for grade_id in nb.incomplete)
