"""Grading one job (in a pool worker or a Dask worker): run the cells, score them as nbgrader does, render the
feedback. Nothing here touches the gradebook: the main process is its only writer.

Scores come from nbgrader's own ``utils.determine_grade`` on the executed cells, after nbgrader's own
post-execution preprocessors (read from ``Autograde.autograde_preprocessors``), so a cell scores exactly what
``nbgrader autograde`` would give it for the same outputs.
"""

import ctypes
import os
import signal
import time

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import Execute, SaveAutoGrades

from .. import secret
from ..grading import is_test_cell, parse_test_cell
from . import feedback, kernel
from .jobs import NotebookResult, Result
from .prepare import nbgrader_list


SAVED_NOTE = "[the output the student saved: the grader did not run this cell again]\n"


def _keep_saved(nb, kept):
    """Gives each cell the grader did not run the outputs the student saved for it (``prepare.kept_outputs``),
    under a line that says so."""
    for i, saved in sorted(kept.items()):
        note = nbformat.v4.new_output("stream", name="stdout", text=SAVED_NOTE)
        nb.cells[i].outputs = [note] + [nbformat.from_dict(o) for o in saved["outputs"]]
        nb.cells[i].execution_count = saved["execution_count"]


def _execute(nb, run, files, options, assignment):
    """Runs the selected cells of ``nb``: test cells on this side (``trusted``), the others in a student process;
    fills outputs and execution counts. (Events, {grade_id: [ids of checks that could not complete]})."""
    indices = [i for i, keep in enumerate(run) if keep]
    tests = {position: _salted(parse_test_cell(nb.cells[i].source), options, assignment)
             for position, i in enumerate(indices) if is_test_cell(nb.cells[i])}
    runs, events = kernel.run_cells([nb.cells[i].source for i in indices], files,
                                    cell_timeout=options.cell_timeout, timeout=options.timeout,
                                    memory_mb=options.memory_mb, tests=tests, sandboxed=options.sandbox,
                                    assignment=assignment)
    incomplete = {}
    for i, result in zip(indices, runs):
        cell = nb.cells[i]
        cell.outputs = [nbformat.from_dict(o) for o in result.outputs]
        cell.execution_count = result.execution_count
        if result.incomplete:
            incomplete[cell.metadata.nbgrader["grade_id"]] = result.incomplete
        if result.event:
            events.notes.append((cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {i + 1}", result.event))
    return events, incomplete


def _salted(test, options, assignment):
    """(question id, the hidden seed salted with the course's secret) of a parsed test cell, or None."""
    if test is None:
        return None
    question_id, seed = test
    return question_id, secret.salted(seed, options.secret.encode() if options.secret else None, assignment)


def after_execute(config):
    """The preprocessors nbgrader's autograde runs between executing a notebook and saving its grades
    (``Autograde.autograde_preprocessors`` between ``Execute`` and ``SaveAutoGrades``: IgnorePattern,
    ClearMetadataPreprocessor, LimitOutput by default), read from nbgrader, as the course's config sets them."""
    from nbgrader.converters import Autograde

    steps = nbgrader_list(Autograde, "autograde_preprocessors", config)
    first = steps.index(Execute) + 1 if Execute in steps else 0
    return steps[first:steps.index(SaveAutoGrades)] if SaveAutoGrades in steps else steps[first:]


def _score(nb, config):
    """({grade_id: (auto_score, max_score)}, {grade_id: auto_comment}) as nbgrader's SaveAutoGrades computes."""
    resources = {}
    for cls in after_execute(config):  # as nbgrader: only the enabled ones run
        nb, resources = cls(config=config)(nb, resources)
    grades, comments = {}, {}
    for cell in nb.cells:
        if utils.is_grade(cell):
            try:
                grades[cell.metadata.nbgrader["grade_id"]] = utils.determine_grade(cell)
            except ValueError:  # a value above the cell's points: nbgrader gives up on the whole submission
                grades[cell.metadata.nbgrader["grade_id"]] = (0.0, float(cell.metadata.nbgrader["points"]))
        if utils.is_solution(cell) or utils.is_task(cell):
            unchanged = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
            comments[cell.metadata.nbgrader["grade_id"]] = "No response." if unchanged and not utils.is_task(cell) \
                else None
    return nb, grades, comments


def die_with(parent):
    """This process is killed when ``parent`` (the process that forked it) dies, however it dies (``kill -9``
    included): Linux's PR_SET_PDEATHSIG. If ``parent`` is gone already, this process ends now."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def start_worker(parent, lock_fd, options):
    """A local pool worker's start: it dies with the main process (and its sandbox with it: bwrap's
    --die-with-parent), does not keep the main process's run lock, and warms its zygote for the assignment."""
    die_with(parent)
    try:
        os.close(lock_fd)  # (inherited by fork: a worker must not hold the lock after the main process is gone)
    except OSError:
        pass
    kernel.use_scratch(options.scratch)
    kernel.zygote(options.sandbox, options.assignment)


def grade_job(job, options):
    """The Result of one Job (``jobs``): per notebook the autograded notebook, grades, comments, feedback, events."""
    from .. import course

    start = time.monotonic()
    config = course.nbgrader_config(options.course_root, options.db_url, cell_timeout=options.cell_timeout)
    result = Result(job.student, job.assignment, job.fingerprint, job.timestamp)
    for entry in job.notebooks:
        graded = NotebookResult(entry.name, problem=entry.problem, renamed_from=entry.renamed_from)
        if entry.notebook is not None:
            nb = nbformat.from_dict(entry.notebook)
            events, graded.incomplete = _execute(nb, entry.run, job.files, options, job.assignment)
            _keep_saved(nb, entry.kept)
            nb, graded.grades, graded.comments = _score(nb, config)
            graded.notes = feedback.renamed(entry) + feedback.notes(events, entry.restored, options)
            if entry.kept:
                graded.notes.append(f"{len(entry.kept)} code cell(s) were not run by the grader, since nothing in them "
                                    f"can change an autograded score: they show the outputs you saved, under a line "
                                    f"that says so.")
            graded.notes += [f"`{grade_id}`: the grader could not complete {len(ids)} of its checks; each "
                             f"earns 0 and its message under the test cell says why."
                             for grade_id, ids in sorted(graded.incomplete.items())]
            graded.sandboxed, graded.timeouts, graded.deaths = events.sandboxed, events.timeouts, events.deaths
            graded.submission_timeout = events.submission_timeout
            feedback.keep_notes(nb, graded.notes)  # for `python -m autograder feedback` to show them again
            graded.autograded = nbformat.writes(nb)
        graded.feedback = feedback.render(job, entry, graded, config)
        result.notebooks.append(graded)
    result.seconds = time.monotonic() - start
    return result
