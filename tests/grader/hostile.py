"""Bad and hostile submissions of assignment 1, built from the demo class's reference submission.

Each entry: student id -> (how to damage the reference notebook, the test cells it must lose, a phrase its
feedback must contain). Every other test cell must keep full marks: a hostile cell costs its author the question
it touches, nothing more, and other students nothing at all.
"""

import copy
import json

import nbformat
from sandboxing import NO_SANDBOX

NB = "perceptron_adaline.ipynb"


def _find(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _append(grade_id, code):
    def damage(nb, paths):
        nb.cells[_find(nb, grade_id)].source += "\n" + code.format(**paths) + "\n"
    return damage


def _prepend(grade_id, code):
    def damage(nb, paths):
        cell = nb.cells[_find(nb, grade_id)]
        cell.source = code.format(**paths) + "\n" + cell.source
    return damage


def _delete(grade_id):
    def damage(nb, paths):
        del nb.cells[_find(nb, grade_id)]
    return damage


def _duplicate(grade_id):
    def damage(nb, paths):
        i = _find(nb, grade_id)
        nb.cells.insert(i, copy.deepcopy(nb.cells[i]))
    return damage


def _split(grade_id):
    """The solution cell cut in two: a helper in a new cell of its own (no nbgrader metadata), then the function."""
    def damage(nb, paths):
        i = _find(nb, grade_id)
        nb.cells.insert(i, nbformat.v4.new_code_cell("def _sign(s):\n    return np.where(s >= 0, 1, -1)\n"))
        nb.cells[i + 1].source = ("def perceptron_predict(w, X):\n    return _sign(add_bias(X) @ w)\n")
    return damage


def _move_after_test(grade_id, test_id):
    def damage(nb, paths):
        cell = nb.cells.pop(_find(nb, grade_id))
        nb.cells.insert(_find(nb, test_id) + 1, cell)
    return damage


def _replace(grade_id, code):
    def damage(nb, paths):
        nb.cells[_find(nb, grade_id)].source = code.format(**paths)
    return damage


def _markdown(chars):
    """A markdown cell of ``chars`` characters after the first cell (a pasted log, say)."""
    def damage(nb, paths):
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(("A very long answer. " * (chars // 20 + 1))[:chars]))
    return damage


def _invalid_json(nb, paths):
    return "{ this is not a notebook"


def _invalid_cell_type(nb, paths):
    """A cell of a type nbformat does not know (one without nbgrader metadata: nbgrader puts those back)."""
    cell = next(c for c in nb.cells if "nbgrader" not in c.metadata)
    cell.cell_type = "weird"
    return json.dumps(nb)


def _surrogate_in_source(nb, paths):
    """A lone surrogate in a markdown cell, as JSON can spell it (no UTF-8 file can hold it)."""
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("SURROGATE-SOURCE \udcff here"))
    return json.dumps(nb)


def _stubs(nb, paths):
    """Back to the release's stubs (the function cells raise NotImplementedError)."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            name = meta["grade_id"]
            cell.source = f"def {name}(*args, **kwargs):\n    raise NotImplementedError()\n"


def _forged_outputs(nb, paths):
    """The release's stubs, every code cell saved with outputs that claim full marks (an execute_result of 4, which
    nbgrader reads as a test cell's partial credit), and one more cell after the last test saved the same way."""
    _stubs(nb, paths)
    nb.cells.append(nbformat.v4.new_code_cell("print('my experiments')"))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "4"}, execution_count=1),
                            nbformat.v4.new_output("stream", name="stdout", text="FORGED: all checks passed\n")]


def _saved_after_the_tests(source, *outputs):
    """One more cell of the student's after the last test cell, saved with ``outputs``."""
    def damage(nb, paths):
        nb.cells.append(nbformat.v4.new_code_cell(source, outputs=list(outputs), execution_count=1))
    return damage


def _nested(depth):
    value = "bottom"
    for _ in range(depth):
        value = {"deeper": value}
    return value


def _then(*steps):
    def damage(nb, paths):
        for step in steps:
            step(nb, paths)
    return damage


SNOOP = '''
import os, sqlite3
found = []
for path in [{source_nb!r}, {gradebook!r}, {course!r} + "/gradebook.db"]:
    try:
        with open(path) as f:
            found.append(path + ": " + f.read(80))
    except OSError as e:
        pass
try:
    db = sqlite3.connect({gradebook!r})
    db.execute("UPDATE grade SET auto_score = 100")
    db.commit()
    found.append("wrote the gradebook")
except Exception:
    pass
import socket
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1).close()
    found.append("reached the network")
except OSError:
    pass
try:
    socket.create_connection(("pypi.org", 443), timeout=1).close()
    found.append("reached the internet")
except OSError:
    pass
print("SNOOP:", found if found else "nothing readable")
'''

TAMPER_GRADE = '''
import autograder
autograder.grade = lambda question_id, namespace=None: 4.0
try:
    import autograder.grading
    autograder.grading.Grader.__call__ = lambda self, question_id, namespace=None: 4.0
except ImportError:
    pass
'''

TAMPER_INTERNALS = '''
import numpy as np
np.allclose = lambda *a, **k: True
try:  # (at grading, the student's process has no grading modules to tamper with)
    import autograder.question, autograder.checks
    autograder.question.Question.run_check = lambda self, check, student, rng: (True, "", None)
    autograder.checks.expect_equal = lambda *a, **k: None
except ImportError:
    pass
'''

DELEGATE = '''def perceptron_predict(w, X):
    from backprop.linear_models import perceptron_predict as reference
    return reference(w, X)
'''

COPY_OF_REFERENCE = '''import types
import backprop.linear_models as _L
_copy = types.FunctionType(_L.perceptron_predict.__code__, _L.perceptron_predict.__globals__)

def perceptron_predict(w, X):
    return _copy(w, X)
'''

SOURCE_OF_REFERENCE = '''import inspect
import backprop.linear_models as _L
_ns = {{}}
exec(inspect.getsource(_L.perceptron_predict), dict(vars(_L)), _ns)
perceptron_predict = _ns["perceptron_predict"]
'''

LOOKS_FOR_THE_SUITE = '''
try:
    import autograder.suites.a1
    print("SUITE: found")
except ImportError:
    print("SUITE: hidden")
import sys
print("GRADING MODULES:", sorted(m for m in sys.modules if m in ("autograder.grading", "autograder.question",
      "autograder.checks", "autograder.report", "nbgrader", "sqlalchemy")) or "none")
'''

CASES = {
    # student: (damage, lost test cells, phrase in the feedback)
    "x-invalid-json": (_invalid_json, "all", "could not be read as a notebook"),
    "x-invalid-cell-type": (_invalid_cell_type, "all", "could not be read as a notebook"),
    "x-surrogate-in-source": (_surrogate_in_source, [], "SURROGATE-SOURCE ? here"),
    "x-deleted-test-cell": (_delete("test_update"), [], "was missing from your notebook"),
    "x-deleted-solution-cell": (_delete("perceptron_update"), ["test_update"], "is not defined in this notebook"),
    "x-duplicated-cell": (_duplicate("perceptron_predict"), [], "all checks passed"),
    "x-split-cell": (_split("perceptron_predict"), [], "all checks passed"),
    "x-reordered-cells": (_move_after_test("adaline_update", "test_lms"), ["test_lms"], "is not defined"),
    "x-renamed-function": (_replace("perceptron_predict", "def predict(w, X):\n    return np.sign(add_bias(X) @ w)\n"),
                           ["test_predict"], "is not defined in this notebook"),
    "x-infinite-loop": (_append("perceptron_update", "while True:\n    pass"), ["test_update"],
                        "ran past the time limit"),
    "x-memory-bomb": (_prepend("adaline_batch_step", "hog = []\nwhile True:\n    hog.append(np.empty(25_000_000))"),
                      ["test_batch_step"], "ran out of memory (limit: 1024 MB)"),
    "x-sys-exit": (_append("batch_perceptron_update", "import sys\nsys.exit(1)"), [], "SystemExit"),
    "x-os-exit": (_append("adaline_update", "import os\nos._exit(3)"), ["test_lms"], "process die"),
    "x-kernel-crash": (_append("perceptron_predict", "import ctypes\nctypes.string_at(0)"), ["test_predict"],
                       "process die"),
    "x-huge-output": (_append("train_perceptron", "print('spam ' * 5_000_000)"), [], "truncated by the grader"),
    "x-huge-display": (_append("train_perceptron", "from IPython.display import display\n"
                                                   "for _ in range(8):\n    display('x' * 1_000_000)"), [],
                       "truncated by the grader"),
    "x-huge-display-unlimited": (_append("train_perceptron", "_zygote = get_ipython().display_pub.publish.__globals__\n"
                                                             "_zygote['OUTPUT_LIMIT'] = 10 ** 12\n"
                                                             "from IPython.display import display\n"
                                                             "for _ in range(8):\n    display('x' * 1_000_000)"), [],
                                 "showed more output than the grader keeps"),
    "x-lone-surrogate": (_append("perceptron_predict", "print('SURROGATE:', '\\udcff')"), [], "SURROGATE:"),
    "x-huge-notebook": (_markdown(3_000_000), "all", "over the grader"),
    "x-long-markdown": (_markdown(500_000), [], "more characters, not shown here"),
    "x-redefines-allclose": (_then(_replace("perceptron_predict", "def perceptron_predict(w, X):\n"
                                                                  "    return np.where(X @ w[:-1] >= 0, 1, -1)\n"),
                                   _prepend("perceptron_predict", TAMPER_INTERNALS)),
                             ["test_predict"], "some checks failed"),
    "x-patches-grade": (_then(_stubs, _prepend("perceptron_predict", TAMPER_GRADE)), "all-auto",
                        "not implemented yet"),
    "x-forged-outputs": (_forged_outputs, "all-auto", "were not run by the grader"),
    "x-saved-widget": (_saved_after_the_tests("print('a widget')", nbformat.v4.new_output(
        "display_data", {"application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0}})),
        [], "could not be rendered"),
    "x-saved-deep-json": (_saved_after_the_tests("print('DEEP: run again')", nbformat.v4.new_output(
        "display_data", {"application/json": _nested(300)})), [], "DEEP: run again"),
    "x-edits-test-cell": (_then(_replace("perceptron_predict", "def perceptron_predict(w, X):\n"
                                                               "    return np.where(X @ w[:-1] >= 0, 1, -1)\n"),
                                _replace("test_predict", "4")), ["test_predict"], "some checks failed"),
    "x-calls-the-reference": (_replace("perceptron_predict", DELEGATE), ["test_predict"],
                              "reference implementation"),
    "x-copies-the-reference": (_replace("perceptron_predict", COPY_OF_REFERENCE), ["test_predict"],
                               "reference implementation"),
    "x-execs-the-reference-source": (_replace("perceptron_predict", SOURCE_OF_REFERENCE), ["test_predict"],
                                     "reference implementation"),
    "x-looks-for-the-suite": (_append("perceptron_predict", LOOKS_FOR_THE_SUITE), [], "GRADING MODULES: none"),
    "x-snoops": (_append("perceptron_predict", SNOOP), [], "nothing readable"),
}


def _symlink_to_source(nb, paths):
    return ("symlink", paths["source_nb"])


CASES["x-symlink-to-source"] = (_symlink_to_source, "all", "is a symbolic link")


KILLS_EVERYTHING = """
import os, signal
mine = os.getpid()
for pid in sorted((int(p) for p in os.listdir("/proc") if p.isdigit()), reverse=True):
    if pid != mine:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
for target in (os.getppid(), -1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
print("KILLER: still alive")
"""

if NO_SANDBOX is None:  # without the sandbox it would kill every process of this user, the test run included
    CASES["x-kills-everything"] = (_append("perceptron_predict", KILLS_EVERYTHING), ["test_predict"], "process die")


def write(course_root, reference_nb, paths):
    """Write every hostile submission into ``course_root/submitted/``. Returns the student ids."""
    for student, (damage, _, _) in CASES.items():
        nb = copy.deepcopy(reference_nb)
        text = damage(nb, paths)
        folder = course_root / "submitted" / student / "a1"
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(text, tuple):  # ("symlink", target)
            (folder / NB).symlink_to(text[1])
        elif isinstance(text, str):
            (folder / NB).write_text(text)
        else:
            nbformat.write(nb, folder / NB)
    return list(CASES)
