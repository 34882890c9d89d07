"""The feedback page a student gets: nbgrader's feedback template, hidden tests removed, and a note at the top
when something happened while grading (a cell stopped by the time limit, the process dying, a test cell put
back, a notebook that could not be read).

Rendered in the worker, from the scores the worker computed and the hand grades the job carries, exactly as
nbgrader's GetGrades would read them from the gradebook afterwards (hand score over auto score, plus extra
credit). Hidden tests are removed by nbgrader's own ClearHiddenTests, as course.nbgrader_config sets it up.
"""

import html
import json
import os

import nbformat
from jupyter_core.paths import jupyter_config_dir
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests
from traitlets.config import Config

from ..guard import CheckTimeout, time_limit
from . import budget
from .jobs import CellEvent

WHAT = {
    CellEvent.TIMEOUT: "was stopped: it ran past the time limit of {cell_timeout:g} s per cell",
    CellEvent.DIED: "made the notebook's process die (os._exit, a crash, or more memory than the {memory} limit); "
            "the cells after it ran in a fresh process",
    CellEvent.SUBMISSION_TIMEOUT: "was not run: the whole notebook ran past the time limit of {timeout:g} s",
    CellEvent.MEMORY: "ran out of memory (limit: {memory}); the cells after it ran in a fresh process without it",
    CellEvent.NOT_RUN: "was not run: the notebook's process kept dying",
    CellEvent.DIED_IN_CHECK: "was checked by the grader, but the notebook's process died while answering its calls; "
                     "the checks it did not finish score 0",
    CellEvent.TIMEOUT_IN_CHECK: "was checked by the grader, but your function did not answer within {cell_timeout:g} s; "
                        "the checks it did not finish score 0",
    CellEvent.NONSTANDARD_TEST: "is not a standard test cell, so the grader could not check it; it scores 0",
    CellEvent.OUTPUTS: "showed more output than the grader keeps; the rest was dropped (a note says where)",
    CellEvent.FILES: "has files that did not fit the grader's scratch folder (its size limit); code that reads them fails",
}


def notes(events, restored, options):
    """Sentences for the student about how the grading of this notebook went (``events.notes``: [(where, CellEvent)])."""
    memory = f"{options.memory_mb} MB" if options.memory_mb else "machine's"
    out = [f"`{where}` " + WHAT[event].format(memory=memory, cell_timeout=options.cell_timeout,
                                              timeout=options.timeout) + "." for where, event in events.notes]
    out += [f"Test cell `{grade_id}` was missing from your notebook; the grader put the original back and ran it."
            for grade_id in restored]
    return out


def renamed(entry):
    """The sentence for a notebook graded from a file of another name (``prepare.find_notebooks``)."""
    if not entry.renamed_from:
        return []
    return [f"Your notebook was named `{entry.renamed_from}`; it was graded as `{entry.name}.ipynb`, the "
            f"assignment's notebook. Keep that name when you submit."]


NOTES_KEY = "autograder"


def keep_notes(nb, notes):
    """The notes go into the autograded notebook's metadata, so that feedback rendered again later
    (``python -m autograder feedback``) says them again without grading again."""
    nb.metadata[NOTES_KEY] = {"notes": list(notes)}


def kept_notes(nb):
    return list(nb.metadata.get(NOTES_KEY, {}).get("notes", []))


class Pending:
    """The score of an answer graded by hand that nobody has graded yet: the page says "not graded yet" where
    nbgrader's template would print 0 (its ``float`` filter is replaced by ``_float`` for this)."""

    def __str__(self):
        return "not graded yet"

    def __round__(self, ndigits=None):
        return self


PENDING = Pending()


def _float(value, default=0.0):
    if isinstance(value, Pending):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def late_penalty(config, student, score, seconds_late):
    """The late penalty of a notebook scoring ``score``, ``seconds_late`` past its due date: nbgrader's own
    ``AssignLatePenalties`` with the plugin the course's config names (``AssignLatePenalties.plugin_class``,
    ``LateSubmissionPlugin.penalty_method``), bounded as there to [0, score]."""
    if not seconds_late or seconds_late <= 0:
        return 0.0
    from types import SimpleNamespace

    from nbgrader.preprocessors import AssignLatePenalties

    assign = AssignLatePenalties(config=config)
    assign.init_plugin()
    penalty = assign.plugin_inst.late_submission_penalty(student, score, seconds_late)
    if penalty is None:
        return 0.0
    return float(assign._check_late_penalty(SimpleNamespace(score=score), penalty))


class _Scores:
    """What nbgrader's GetGrades puts on each cell and in the resources, from the worker's own results (or the
    gradebook's, ``handback``): hand score over auto score, plus extra credit; the hand comment over the automatic
    one; an answer graded by hand that is not graded yet is ``PENDING``."""

    def __init__(self, grades, comments, hand):
        self.grades, self.comments, self.hand = grades, comments, hand
        self.pending = []

    def score(self, grade_id):
        hand = self.hand.get(grade_id, {})
        extra = hand.get("extra_credit") or 0.0
        if hand.get("manual_score") is not None:
            return hand["manual_score"] + extra
        auto = self.grades.get(grade_id, (None, 0))[0]
        return (auto + extra) if auto is not None else PENDING

    def __call__(self, nb, resources):
        total = 0.0
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if utils.is_solution(cell) or utils.is_task(cell):
                comment = self.hand.get(grade_id, {}).get("comment")
                meta["comment"] = comment if comment is not None else self.comments.get(grade_id)
            if utils.is_grade(cell) or utils.is_task(cell):
                meta["score"] = self.score(grade_id)
                meta["points"] = self.grades.get(grade_id, (None, meta.get("points", 0)))[1]
                if meta["score"] is PENDING:
                    self.pending.append((grade_id, meta["points"]))
                else:
                    total += meta["score"]
        resources["nbgrader"]["score"] = total
        resources["nbgrader"]["late_penalty"] = 0
        return nb, resources


class _Exporter(HTMLExporter):
    """nbconvert's HTMLExporter with its two pure, costly filters memoised (markdown to HTML, code highlighting):
    most cells of a class's notebooks are the instructor's, the same for every student."""

    _memo = {}

    @pass_context
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        key = ("md", source, json.dumps(cell.get("attachments", {}), sort_keys=True),
               context.get("resources", {}).get("metadata", {}).get("path", ""))
        if key not in self._memo:
            self._memo[key] = HTMLExporter.markdown2html(self, context, source)
        return self._memo[key]

    _highlighters = {}

    def from_notebook_node(self, nb, resources=None, **kw):
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        if lexer not in self._highlighters:
            plain = Highlight2HTML(pygments_lexer=lexer, parent=self)

            def highlight(source, language=None, metadata=None):
                key = ("code", lexer, source, language)
                if key not in self._memo:
                    self._memo[key] = plain(source, language, metadata)
                return self._memo[key]

            self._highlighters[lexer] = highlight
        if self.filters.get("highlight_code") is not self._highlighters[lexer]:
            # (changing `filters` makes nbconvert rebuild its Jinja environment: only when the lexer changes)
            self.filters = {**self.filters, "highlight_code": self._highlighters[lexer]}
        if len(self._memo) > 20000:
            self._memo.clear()
        return super().from_notebook_node(nb, resources, **kw)


_exporter = None


def _html_exporter():
    global _exporter
    if _exporter is None:
        import nbgrader

        base = os.path.dirname(nbgrader.__file__)
        c = Config()
        c.HTMLExporter.template_name = "feedback"
        c.HTMLExporter.extra_template_basedirs = [os.path.join(base, "server_extensions", "formgrader", "templates")]
        c.HTMLExporter.extra_template_paths = [os.path.join(base, "server_extensions", "formgrader", "static",
                                                            "node_modules", "bootstrap", "dist", "css")]
        _exporter = _Exporter(config=c)
        _exporter.filters = {**_exporter.filters, "float": _float}
    return _exporter


def _page(title, score, max_score, message):
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
            f"<h4>{html.escape(title)} (Score: {score:g} / {max_score:g} points)</h4>"
            f"<p>{html.escape(message)}</p></body></html>")


def render(job, entry, result, config, late=None):
    """The feedback HTML of one notebook (``entry``, a NotebookJob) of one Job, from its NotebookResult. The late
    penalty is ``late`` when given (the gradebook's), else what the course's late-submission plugin gives for
    ``job.seconds_late`` (``late_penalty``); it is kept in ``result.late_penalty``."""
    if entry.notebook is None:
        return _page(entry.name, 0, entry.max_score or 0, result.problem)
    nb = budget.shown(nbformat.reads(result.autograded, as_version=4))
    nb.metadata.pop(NOTES_KEY, None)
    scores = _Scores(result.grades, result.comments, entry.hand)
    resources = {"nbgrader": {"notebook": entry.name, "assignment": job.assignment, "student": job.student,
                              "max_score": entry.max_score or 0},
                 "config_dir": jupyter_config_dir()}
    nb, resources = scores(nb, resources)
    if late is None:
        late = late_penalty(config, job.student, resources["nbgrader"]["score"], getattr(job, "seconds_late", 0))
    result.late_penalty = late
    resources["nbgrader"]["late_penalty"] = late
    resources["nbgrader"]["score"] -= late  # as nbgrader's GetGrades: the score after the penalty
    notes = list(result.notes)
    if late:
        notes.append(f"Submitted {_duration(job.seconds_late)} after the due date: the late penalty is "
                     f"{late:g} point{'s' if late != 1 else ''}.")
    if scores.pending:
        notes.append("Not graded yet: " + ", ".join(f"`{g}` ({p:g} point{'s' if p != 1 else ''})"
                                                     for g, p in scores.pending)
                     + ", graded by hand; the score above does not count it yet.")
    if notes:
        text = "**How grading went.**\n\n" + "\n".join(f"- {n}" for n in notes)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(text))
    clear = ClearHiddenTests(config=config)
    nb, resources = clear.preprocess(nb, resources)
    nb, resources = CSSHTMLHeaderPreprocessor(config=config).preprocess(nb, resources)
    try:
        with time_limit(budget.RENDER_SECONDS):
            body, _ = _html_exporter().from_notebook_node(nb, resources=resources)
    except CheckTimeout:
        return _page(entry.name, resources["nbgrader"]["score"], entry.max_score or 0,
                     f"This notebook's feedback page took more than {budget.RENDER_SECONDS} s to render and is not "
                     f"shown; your scores are above and in the gradebook. Ask your instructor for the graded notebook.")
    except Exception as exc:  # an output nbconvert cannot render (a widget without its model, JSON nested too deep)
        return _page(entry.name, resources["nbgrader"]["score"], entry.max_score or 0,
                     f"This notebook's feedback page could not be rendered ({type(exc).__name__}; most often an "
                     f"output nbconvert cannot show, such as a widget saved without its state) and is not shown; "
                     f"your scores are above and in the gradebook. Ask your instructor for the graded notebook.")
    return body


def _duration(seconds):
    seconds = float(seconds or 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds / size
            return f"{n:.1f} {unit}s" if n != 1 else f"1 {unit}"
    return f"{seconds:.0f} seconds"
