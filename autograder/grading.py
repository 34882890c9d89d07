"""``grade``: the one call a notebook's test cell makes.

    from autograder import grade
    ### BEGIN HIDDEN TESTS
    grade = grade.with_hidden(seed=1234)
    ### END HIDDEN TESTS
    grade("a1.predict")

It finds the student's function by name in the notebook, runs the question's checks, prints the report and
returns the score as the cell's value, which nbgrader records as partial credit. In the student's release the
hidden block is gone and only the public checks run; the score shown is then the question's points scaled by
the share of public points earned, so that a notebook passing every public check validates cleanly.
"""

import importlib
import re
import sys

from . import progress
from .guard import TAMPERED_AT_IMPORT, pristine_numpy
from .question import REGISTRY
from .report import format_report


# The one form of a test cell the grader accepts: the import, the hidden seed in a hidden-test block, one call.
TEST_CELL = re.compile(r'\Afrom autograder import grade\n### BEGIN HIDDEN TESTS\ngrade = grade\.with_hidden\(seed=(\d+)\)\n'
                       r'### END HIDDEN TESTS\ngrade\("(a\d+\.\w+)"\)\s*\Z')
TEST_CELL_FORM = ('from autograder import grade\n### BEGIN HIDDEN TESTS\ngrade = grade.with_hidden(seed=<a number>)\n'
                  '### END HIDDEN TESTS\ngrade("<assignment>.<question>")')


def is_test_cell(cell):
    """An autograder test cell: a graded code cell that is not the student's answer (a code answer graded by hand
    has ``solution`` too, and nbgrader scores it by hand, not from its outputs)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def parse_test_cell(source):
    """(question id, hidden seed) of a test cell written in the one accepted form (``TEST_CELL_FORM``), else None.
    Only such a cell can be graded on the grader's side: any other code in it would run in the student's process,
    whose numbers the grader never records. Comment lines before it are allowed (nbgrader puts one on a test cell it
    restores)."""
    lines = source.strip().splitlines()
    while lines and (not lines[0].strip() or (lines[0].startswith("#") and not lines[0].startswith("###"))):
        lines.pop(0)
    match = TEST_CELL.match("\n".join(lines) + "\n")
    return (match.group(2), int(match.group(1))) if match else None


def find_question(question_id):
    """The Question with this id ("a1.predict"), importing its suite module ``autograder.suites.a1``."""
    if question_id not in REGISTRY:
        importlib.import_module(f"autograder.suites.{question_id.split('.')[0]}")
    return REGISTRY[question_id]


class Grader:
    def __init__(self, hidden_seed=None):
        self.hidden_seed = hidden_seed

    def with_hidden(self, seed):
        """The same grader, with the hidden checks switched on (used only in hidden-test blocks)."""
        return Grader(hidden_seed=seed)

    def run(self, question_id, namespace):
        """(question, results, notes) without printing: the building block of ``__call__``."""
        question = find_question(question_id)
        if TAMPERED_AT_IMPORT:
            message = (f"numpy was modified before the grader was loaded ({', '.join(TAMPERED_AT_IMPORT)}), "
                       f"so no check can be trusted. Remove the code that replaces numpy's functions.")
            results = [question._result(c, False, message) for c in question.checks
                       if c.public or self.hidden_seed is not None]
            return question, results, []
        with pristine_numpy() as changed:
            results = question.run(namespace, self.hidden_seed)
        notes = [f"this notebook replaces {name}; the checks ran with the original." for name in changed]
        return question, results, notes

    def __call__(self, question_id, namespace=None):
        namespace = sys._getframe(1).f_globals if namespace is None else namespace
        question, results, notes = self.run(question_id, namespace)
        print(format_report(question, results, hidden=self.hidden_seed is not None, notes=notes))
        earned = sum(r.earned for r in results)
        progress.record(question_id, sum(r.earned for r in results if r.public), question.public_points)
        if self.hidden_seed is None and question.public_points:
            earned = question.points * earned / question.public_points
        return round(earned, 6)


grade = Grader()
