"""What of the course's own code a student's process sees while one assignment is graded: a generated view.

The sandbox (``sandbox.py``) binds this view where the packages normally are. It holds:

- of ``autograder``, only the student's side: a package ``__init__`` of its own (``STUDENT_INIT``: ``when_ready``,
  and a ``grade`` that only says the grader checks this question on its side), the guard, what crosses
  (``crossing``, ``props``) and the student's end of the grader (``bulk.zygote``, ``student_side``, ``channel``);
  nothing of grading (no ``grading``, ``question``, ``checks``, ``report``), not the question suites (the checks and
  their references), not the grader's side, not the demo class;
- ``backprop`` whole, except that every function the assignment grades (its questions' ``references`` in the
  library; for a class, each of its methods) keeps its signature and docstring but not its body: calling it, or a
  copy of it made in an earlier cell, raises ``ReferenceUsed``, and the grader's report says so.

Pieces graded in *earlier* assignments stay: a later notebook may use them.
"""

import ast
import atexit
import functools
import importlib
import inspect
import shutil
import tempfile
import types
from pathlib import Path

STUDENT_SIDE = ["notebook.py", "guard.py", "crossing.py", "props.py", "bulk/__init__.py", "bulk/zygote.py",
                "bulk/student_side.py", "bulk/channel.py"]

STUDENT_INIT = '''"""autograder as a student's process sees it while the grader grades: nothing of grading is here.

A test cell is checked by the grader on its own side; ``grade`` here only says so, for a cell of the student's own
that calls it. ``when_ready`` is the notebook helper.
"""

from .notebook import when_ready


def grade(question_id, namespace=None):
    print(f"({question_id}: checked by the grader on its own side, not in this notebook's process)")


def summary(assignment):
    print(f"({assignment}: the grader checks every question on its own side; the feedback has your scores)")


__all__ = ["grade", "summary", "when_ready"]
'''


def hidden(assignment):
    """{backprop module name: sorted qualified names} of the library functions ``assignment`` grades."""
    from ..question import REGISTRY

    importlib.import_module(f"autograder.suites.{assignment}")
    found = {}
    for question_id, question in REGISTRY.items():
        if not question_id.startswith(f"{assignment}."):
            continue
        for reference in question.references:
            if not getattr(reference, "__module__", "").startswith("backprop"):
                continue
            functions = [v for v in vars(reference).values() if isinstance(v, types.FunctionType)] \
                if isinstance(reference, type) else [reference]
            for fn in functions:
                found.setdefault(fn.__module__, set()).add(fn.__qualname__)
    return {module: sorted(names) for module, names in sorted(found.items())}


def _stubbed(source, qualnames, module):
    """``source`` with the body of each function named in ``qualnames`` replaced by a raise (docstring kept)."""
    tree = ast.parse(source)

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and prefix + node.name in qualnames:
                doc = [node.body[0]] if ast.get_docstring(node) is not None else []
                raise_ = ast.parse(f"raise __import__('autograder.guard', fromlist=['ReferenceUsed'])"
                                   f".ReferenceUsed({module + '.' + prefix + node.name!r})").body
                node.body = doc + raise_

    visit(tree.body, "")
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


@functools.lru_cache(maxsize=None)
def build(assignment, under=None):
    """The folder holding the view for ``assignment`` (``autograder/`` and ``backprop/``), made once per process
    in a new private folder under ``under`` (the grading process's scratch folder)."""
    import autograder
    import backprop

    root = Path(tempfile.mkdtemp(prefix=f"view-{assignment}-", dir=under))
    atexit.register(shutil.rmtree, root, True)
    source = Path(autograder.__file__).parent
    for rel in STUDENT_SIDE:
        target = root / "autograder" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target)
    (root / "autograder" / "__init__.py").write_text(STUDENT_INIT)
    library = Path(backprop.__file__).parent
    shutil.copytree(library, root / "backprop", ignore=shutil.ignore_patterns("__pycache__"))
    for module, names in hidden(assignment).items():
        path = root / "backprop" / Path(*module.split(".")[1:]).with_suffix(".py")
        original = inspect.getsource(importlib.import_module(module))
        path.write_text(_stubbed(original, set(names), module))
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    root.chmod(0o755)
    return root
