"""Source notebooks are edited as jupytext percent scripts (source/aN/name.py) and paired with the .ipynb.

The .py is what reviewers read in a diff; the .ipynb is what nbgrader reads. ``sync`` writes every notebook
from its script; ``out_of_sync`` lists the pairs that differ (the test suite fails on any). nbgrader's cell
metadata travels as JSON in each ``# %%`` header; cell ids are the nbgrader
grade_id or the cell's position, so the same script always gives the same notebook. Notebooks carry no jupytext metadata, so the student's
release carries none either.
"""

from pathlib import Path

import jupytext
import nbformat

from .course import REPO


def pairs(root=REPO, ids=None):
    """(script, notebook) for every paired source notebook (of the assignments ``ids``, or all)."""
    scripts = sorted(Path(root, "source").glob("*/*.py"))
    return [(py, py.with_suffix(".ipynb")) for py in scripts if ids is None or py.parent.name in ids]


def notebook_from_script(script):
    nb = jupytext.read(script, fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    for index, cell in enumerate(nb.cells):  # stable ids, so an unchanged script gives an identical notebook
        cell.id = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell-{index}"
    return nb


def render(nb):
    return nbformat.writes(nb) + "\n"


def sync(root=REPO, ids=None):
    """Write each notebook from its script. Returns the notebooks that changed."""
    changed = []
    for script, notebook in pairs(root, ids):
        text = render(notebook_from_script(script))
        if not notebook.exists() or notebook.read_text() != text:
            notebook.write_text(text)
            changed.append(notebook)
    return changed


def out_of_sync(root=REPO):
    return [nb for script, nb in pairs(root)
            if not nb.exists() or nb.read_text() != render(notebook_from_script(script))]
