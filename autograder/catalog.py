"""The list of every question: ``python -m autograder questions`` and the table at the top of each notebook.

One source: the suites (``autograder/suites/aN.py``) declare every question in the order the notebook asks them,
the autograded ones (``Question``, ``Derivation``) with their checks and the hand-graded ones (``Written``). The
table a notebook shows is ``table(assignment)``; a test checks that each source notebook carries it unchanged.
"""

import importlib
import json
from dataclasses import asdict, dataclass

from .question import KINDS, REGISTRY


@dataclass(frozen=True)
class QuestionInfo:
    """One row of the list: points split by who grades them (auto/hand) and by when they are seen (public/hidden)."""

    id: str
    number: int
    kind: str
    answer: str  # the function or the variables the student writes, or "a written answer"
    auto_points: float
    hand_points: float
    public_points: float
    hidden_points: float
    topic: str


def questions(assignment):
    """The ``QuestionInfo`` of each question of ``assignment`` ("a1"), in the notebook's order."""
    importlib.import_module(f"autograder.suites.{assignment}")
    rows = []
    for qid, q in REGISTRY.items():
        if not qid.startswith(f"{assignment}."):
            continue
        names = getattr(q, "answers", None) or ((q.function,) if q.function else ())
        answer = ", ".join(f"`{n}`" for n in names) or "a written answer"
        rows.append(QuestionInfo(qid, len(rows) + 1, q.kind, answer, q.points, q.hand_points, q.public_points,
                                 q.points - q.public_points, q.topic))
    return rows


def shares(rows):
    """{kind: share of the autograded points} of a list of ``QuestionInfo``."""
    total = sum(r.auto_points for r in rows) or 1.0
    return {kind: sum(r.auto_points for r in rows if r.kind == kind) / total for kind in KINDS}


def table(assignment):
    """The markdown table at the top of the notebook of ``assignment``."""
    lines = ["| question | kind | what you write | points | lecture topic |", "|---|---|---|---|---|"]
    for r in questions(assignment):
        points = f"{r.auto_points:g}" if r.auto_points else f"{r.hand_points:g} (graded by hand)"
        lines.append(f"| Q{r.number} | {r.kind} | {r.answer} | {points} | {r.topic} |")
    return "\n".join(lines)


def as_json(assignments):
    """Every question of ``assignments`` as JSON: {"questions": [...], "shares": {assignment: {kind: share}}}."""
    rows = {a: questions(a) for a in assignments}
    return json.dumps({"questions": [asdict(r) for a in assignments for r in rows[a]],
                       "shares": {a: shares(rows[a]) for a in assignments}}, indent=1)


def as_text(assignments):
    """A plain-text listing, one block per assignment, ending with its shares by kind."""
    out = []
    for a in assignments:
        rows = questions(a)
        out.append(f"{a}  ({sum(r.auto_points for r in rows):g} autograded + {sum(r.hand_points for r in rows):g} "
                   f"by hand)")
        for r in rows:
            out.append(f"  Q{r.number:<3}{r.id:<34}{r.kind:<10}auto {r.auto_points:>4g} (public {r.public_points:g}, "
                       f"hidden {r.hidden_points:g})  hand {r.hand_points:g}  {r.topic}")
        share = shares(rows)
        out.append("  shares of autograded points: " + ", ".join(f"{k} {v:.0%}" for k, v in share.items() if v))
    return "\n".join(out)
