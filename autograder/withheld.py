"""What the release keeps back: the forms of a derived result that no student-facing text may show.

Each question declares ``withheld`` patterns: regular expressions of its formula and its code line (``s*(1-s)``,
``X.T@G``). They are matched against text with all white space removed and the typographic signs written plainly
(− as -, · and × as *, LaTeX's ``\\big`` and ``\\,`` dropped, σ kept), so a pattern need not spell every spacing. Scanned are: every cell of the release
notebook (markdown, code and the stubs' docstrings in it) and every hint and failure message a suite's checks can
print (the string literals given as ``hint=`` or as a message to ``CheckFailed``).

The library's docstrings and the walkthroughs stay worked out on purpose (public, for after trying), and the
source notebook keeps the derivation inside solution regions, which the release drops: neither is scanned.
"""

import ast
import importlib
import inspect
import re
from dataclasses import dataclass

import nbformat

from .question import REGISTRY

_PLAIN = str.maketrans({"−": "-", "·": "*", "×": "*", "⋅": "*", "’": "'"})


@dataclass(frozen=True)
class Finding:
    """A withheld form found where a student can read it."""

    question: str
    pattern: str
    where: str


_LATEX = re.compile(r"\\(big|Big|bigg|Bigg|left|right)\b|\\[,;:! ]")


def normalize(text):
    """``text`` with white space and LaTeX's sizing and spacing commands removed, and − · × ``\\cdot`` written as
    - * * *."""
    text = _LATEX.sub("", text.translate(_PLAIN)).replace("\\cdot", "*").replace("\\times", "*")
    return re.sub(r"\s+", "", text)


def patterns(assignment):
    """[(question id, compiled pattern)] of ``assignment``."""
    importlib.import_module(f"autograder.suites.{assignment}")
    return [(qid, re.compile(p)) for qid, q in REGISTRY.items() if qid.startswith(f"{assignment}.")
            for p in q.withheld]


def scan(texts, assignment):
    """Findings of ``assignment``'s patterns in ``texts``, an iterable of (where, text)."""
    found = []
    compiled = patterns(assignment)
    for where, text in texts:
        flat = normalize(text)
        found += [Finding(qid, p.pattern, where) for qid, p in compiled if p.search(flat)]
    return found


def release_texts(path):
    """(where, text) of every cell of a release notebook."""
    nb = nbformat.read(path, as_version=4)
    return [(f"{path.name} cell {i} ({cell.cell_type})", cell.source) for i, cell in enumerate(nb.cells)]


def message_texts(assignment):
    """(where, text) of every hint and failure message written in the suite of ``assignment``: the literal parts of
    each ``hint=`` argument and of each ``CheckFailed(...)`` message."""
    module = importlib.import_module(f"autograder.suites.{assignment}")
    tree = ast.parse(inspect.getsource(module))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        values = [k.value for k in node.keywords if k.arg == "hint"]
        if getattr(node.func, "id", getattr(node.func, "attr", None)) == "CheckFailed" and node.args:
            values.append(node.args[0])
        for value in values:
            parts = [n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            parts += [getattr(module, n.id) for n in ast.walk(value)  # a hint kept in a module-level constant
                      if isinstance(n, ast.Name) and isinstance(getattr(module, n.id, None), str)]
            text = "".join(parts)
            if text:
                found.append((f"suites/{assignment}.py line {node.lineno}", text))
    return found
