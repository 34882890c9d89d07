"""Calling a student's function safely, so that one question's check can only cost that question.

``StudentFunction`` wraps the student's function for a check. Each call:
- passes copies of the arguments (a function that modifies its inputs cannot corrupt the check);
- poisons the library's reference implementations of the question (a graded function that only calls
  ``backprop`` earns nothing for it), by swapping their code objects, so every alias is caught;
- swaps the other graded functions it calls for the reference versions (a bug is paid for once, on its own
  question);
- silences the student's prints, warnings and floating-point warnings (a warning on stderr would zero the
  cell in nbgrader);
- stops the call after a time limit (an infinite loop costs the question, not the notebook).

``pristine_numpy`` undoes, for the duration of the checks, any rebinding of numpy's or the builtins'
functions made by the notebook (``np.allclose = lambda *a, **k: True`` earns nothing).
"""

import builtins
import contextlib
import copy
import functools
import io
import signal
import threading
import traceback
import types
import warnings

import numpy as np


class NotImplementedYet(Exception):
    """The stub still raises NotImplementedError; ``where`` names the function whose stub it is."""

    def __init__(self, name, where=None):
        super().__init__(name)
        self.where = where or name


class StudentError(Exception):
    """The student's function raised; ``where`` is the line of the student's code that raised; ``shapes`` the shapes
    of the array arguments it was called with (for a message about a product or a sum of the wrong shapes)."""

    def __init__(self, exc, where, shapes=()):
        super().__init__(f"{type(exc).__name__}: {exc}")
        self.exc, self.where, self.shapes = exc, where, tuple(shapes)


def array_snapshot(args, kwargs):
    """{argument name: a copy} of the numpy arrays among a call's arguments (only arrays: copying anything else
    could run the student's code)."""
    return {name: value.copy() for name, value in _arrays_of(args, kwargs).items()}


def _arrays_of(args, kwargs):
    """{name: array} of a call's array arguments, and of the arrays held one level down in a dict argument
    ("argument 1['W1']", "running['mean']"): a dict of arrays (gradients, running averages) is an input too."""
    named = [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())
    found = {}
    for name, value in named:
        if type(value) is np.ndarray:
            found[name] = value
        elif type(value) is dict:
            found.update({f"{name}[{key!r}]": v for key, v in value.items() if type(v) is np.ndarray})
    return found


def changed_arguments(before, after):
    """Names ("argument 2", or the keyword) of the array arguments whose contents differ between ``before``
    (``array_snapshot`` taken before the call) and ``after`` ((args, kwargs) the function received): what it
    modified in place."""
    now = _arrays_of(*after)
    return tuple(name for name, old in before.items() if type(now.get(name)) is not np.ndarray
                 or now[name].shape != old.shape or not np.array_equal(now[name], old, equal_nan=True))


def argument_shapes(args, kwargs):
    """[(name or position, shape)] of the array arguments of a call."""
    named = [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())
    return [(name, value.shape) for name, value in named if isinstance(value, np.ndarray)]


class ReferenceUsed(BaseException):
    """A poisoned reference implementation was called. BaseException: `except Exception` cannot hide it."""


class CheckTimeout(BaseException):
    """The student's function ran past the time limit."""


# ------------------------------------------------------------------------------------ pristine numpy

_PROTECTED = [np, np.linalg, np.random, builtins]
# The kernel itself rebinds a few builtins (input, display ...), so only these are watched there.
_BUILTINS = ["abs", "all", "any", "bool", "float", "int", "isinstance", "len", "list", "max", "min", "range",
             "round", "sorted", "sum", "tuple", "type", "zip"]
_SNAPSHOT = [dict(vars(module)) for module in _PROTECTED[:-1]] + [{n: getattr(builtins, n) for n in _BUILTINS}]


def _rebound_before_import():
    """Names of numpy functions that a notebook had already replaced when the autograder was imported."""
    return sorted(
        f"np.{name}" for name, value in _SNAPSHOT[0].items()
        if callable(value) and getattr(value, "__module__", "numpy") == "__main__"
    )


TAMPERED_AT_IMPORT = _rebound_before_import()


@contextlib.contextmanager
def pristine_numpy():
    """Put back numpy's and the builtins' own functions for the duration of the block; yields what was changed."""
    changed = []
    for module, snapshot in zip(_PROTECTED, _SNAPSHOT):
        current = vars(module)
        for name, original in snapshot.items():
            if current.get(name, original) is not original:
                changed.append((module, name, current[name]))
                setattr(module, name, original)
    try:
        yield [f"{getattr(m, '__name__', 'builtins')}.{n}" for m, n, _ in changed]
    finally:
        for module, name, value in changed:
            setattr(module, name, value)


# ------------------------------------------------------------------------------------- the student call

@functools.lru_cache(maxsize=None)
def _raiser_code(qualname):
    source = (
        "def _poisoned(*args, **kwargs):\n"
        f"    raise __import__('autograder.guard', fromlist=['x']).ReferenceUsed({qualname!r})\n"
    )
    namespace = {}
    exec(source, namespace)
    return namespace["_poisoned"].__code__


def _functions_of(obj):
    """The plain functions behind a reference: the function itself, or every method of a class."""
    if isinstance(obj, type):
        return [v for v in vars(obj).values() if isinstance(v, types.FunctionType)]
    return [obj]


@contextlib.contextmanager
def poisoned(references):
    """While active, calling any of ``references`` (functions or classes) raises ReferenceUsed."""
    saved = []
    for ref in references:
        for fn in _functions_of(ref):
            if fn.__code__.co_freevars:  # a closure's code cannot be swapped; such references are not graded
                continue
            saved.append((fn, fn.__code__))
            fn.__code__ = _raiser_code(f"{fn.__module__}.{fn.__qualname__}")
    try:
        yield
    finally:
        for fn, code in saved:
            fn.__code__ = code


def fresh_copy(fn):
    """A new function object with the reference's code: poisoning the original does not reach it."""
    clone = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    clone.__kwdefaults__ = fn.__kwdefaults__
    return clone


@contextlib.contextmanager
def swapped(namespace, replacements):
    """Temporarily bind ``namespace[name] = fresh_copy(ref)`` for each (name, ref) in ``replacements``."""
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    namespace.update({name: fresh_copy(ref) for name, ref in replacements.items()})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


@contextlib.contextmanager
def time_limit(seconds):
    """Raise CheckTimeout in the main thread after ``seconds`` (pure-Python loops are interrupted)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise CheckTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def quiet():
    """Swallow prints, warnings and floating-point warnings of the student's code."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), warnings.catch_warnings(), \
            np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _student_line(exc):
    """'line N: <code>' of the innermost frame that is the student's, not numpy's or the grader's."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "site-packages" not in f.filename and "/autograder/" not in f.filename
              and "/lib/backprop/" not in f.filename and not f.filename.startswith("<")]
    if not frames:
        return None
    frame = frames[-1]
    return f"line {frame.lineno} of {frame.name}: {frame.line}" if frame.line else f"in {frame.name}"


class StudentFunction:
    """A student's function, called the safe way (see the module docstring)."""

    def __init__(self, fn, name, references=(), uses=None, seconds=20.0, copy_args=True, namespace=None):
        self.fn, self.name, self.references, self.uses, self.seconds = fn, name, references, uses or {}, seconds
        self.copy_args, self.namespace = copy_args, namespace

    changed = ()  # the array arguments the last call modified in place (see ``changed_arguments``)

    def __call__(self, *args, **kwargs):
        before = array_snapshot(args, kwargs)
        if self.copy_args:
            args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        namespace = self.namespace if self.namespace is not None else getattr(self.fn, "__globals__", {})
        with poisoned(self.references), swapped(namespace, self.uses), quiet(), time_limit(self.seconds):
            try:
                value = self.fn(*args, **kwargs)
                self.changed = changed_arguments(before, (args, kwargs))
                return value
            except NotImplementedError as exc:
                frames = traceback.extract_tb(exc.__traceback__)
                raise NotImplementedYet(self.name, frames[-1].name if frames else None) from None
            except Exception as exc:
                raise StudentError(exc, _student_line(exc), argument_shapes(args, kwargs)) from None

    def wrap(self, obj, name, seconds=None):
        """Another callable of the student's (one their function returned), called the same guarded way."""
        return StudentFunction(obj, name, seconds=seconds or self.seconds)

    def scenario(self, run):
        """``run(fn)`` with the student's function or class, all of it inside the guard (calling a class guards only
        its constructor; a scenario that drives its methods runs them guarded too)."""
        return StudentFunction(lambda: run(self.fn), self.name, self.references, None, self.seconds)()
