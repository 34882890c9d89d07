"""Structured check results, and the expectations a check uses to compare a student's answer.

A check is a small function ``check(student, rng)`` that calls the student's function through ``student``
(see ``guard.StudentFunction``), compares the answer with the reference, and either returns (passed) or raises
``CheckFailed`` with a message that teaches: what differed, by how much, what was expected, and a hint.

``detail`` is shown only for public checks: it may name the inputs. Hidden checks show ``message`` and ``hint``,
which must never reveal their inputs.
"""

from dataclasses import dataclass

import numpy as np

# Captured when the autograder is imported, before any student code runs: a notebook that rebinds
# np.abs or np.max later does not change what the checks compute with.
_abs, _max, _maximum, _asarray, _isfinite = np.abs, np.max, np.maximum, np.asarray, np.isfinite


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``points`` is what it is worth, ``earned`` what the student got."""

    id: str
    points: float
    passed: bool
    message: str
    public: bool = True
    incomplete: bool = False  # the grader could not complete the check (see CheckIncomplete): 0 points


    @property
    def earned(self):
        return self.points if self.passed else 0.0


class CheckFailed(Exception):
    """Raised by a check: ``message`` says what differed, ``hint`` which step to revisit, ``detail`` (public only)
    shows data, ``diagnosis`` names the classic mistake the answer matches (``Likely mistake: ...``; shown for hidden
    checks too, so it never quotes inputs or expected values)."""

    def __init__(self, message, hint=None, detail=None, diagnosis=None):
        super().__init__(message)
        self.message, self.hint, self.detail, self.diagnosis = message, hint, detail, diagnosis


@dataclass(frozen=True)
class Mistake:
    """A classic mistake of one question: ``sentence`` names it and the step to revisit; ``answer`` is what a
    function with that mistake returns on the check's own inputs (an array, or a callable computing it)."""

    sentence: str
    answer: object


class CheckIncomplete(Exception):
    """The grader could not complete a check (an answer that cannot be read, a process that died or stopped
    answering): the check earns 0, and the message says what happened in plain words. ``lost``: the student's
    process is gone, so the question's later checks cannot run either."""

    def __init__(self, message, lost=False):
        super().__init__(message)
        self.lost = lost


def kind_of(value):
    """The name of a value's type as the student wrote it (for an object left in the student's process, its
    class there)."""
    from .crossing import HandleBase

    return object.__getattribute__(value, "_type") if isinstance(value, HandleBase) else type(value).__name__


def rel_error(a, b):
    """max |a - b| / max(1e-8, |a| + |b|): the course's relative error, on the autograder's own numpy references."""
    a = _asarray(a, dtype=np.float64)
    b = _asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    return float(_max(_abs(a - b) / _maximum(1e-8, _abs(a) + _abs(b))))


def as_array(value, what):
    """The student's answer as a float64 array, or a CheckFailed that says what came back instead."""
    if value is None:
        raise CheckFailed(f"{what} returned None.", hint="Did you forget a `return` statement?")
    try:
        arr = _asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} returned a {kind_of(value)}, which is not a numeric array.") from None
    return arr


def expect_shape(value, shape, what, hint=None):
    """The answer must have exactly ``shape`` (no broadcasting hides a wrong shape)."""
    arr = as_array(value, what)
    shape = tuple(shape)
    if arr.shape != shape:
        raise CheckFailed(f"{what} has shape {arr.shape}; expected {shape}.",
                          hint=hint or "Check which axis holds the samples: rows are samples, X has shape (n, d).",
                          diagnosis=shape_mistake(arr.shape, shape))
    return arr


def shape_mistake(got, want):
    """A ``Likely mistake`` sentence for an answer of the wrong shape, or None."""
    if len(got) == 2 and got == want[::-1]:
        return ("your result is transposed. A gradient has the shape of the quantity it is taken with respect to: "
                "check which factor of the product needs the transpose.")
    if len(got) == len(want) + 1 and got[-1] == got[-2] and want and want[-1] == got[-1]:
        return ("your result gained an axis: adding a column of shape (n, 1) to a row of shape (n,) broadcasts to "
                "an (n, n) matrix. Check the shape of each term you add.")
    if len(got) + 1 == len(want) and want[-1] == 1 or (len(got) == len(want) - 1 and got == want[:-1]):
        return "your result lost an axis: a sum or mean without keepdims, or an index that drops a dimension."
    if len(got) == len(want) and sorted(got) != sorted(want) and any(g == 1 for g in got):
        return "your result kept an axis of size 1 where it should have summed or kept all entries: check the axis."
    return None


def likely_mistake(arr, expected, tol=1e-6, n=None, mistakes=()):
    """The ``Likely mistake`` sentence for an answer ``arr`` of the right shape that differs from ``expected``:
    the question's own catalogue first (``mistakes``: ``Mistake``s, each answer computed on the same inputs), then
    the generic ones (the sign flipped, a constant factor such as n, 1/n or 2, transposed). None when none
    matches."""
    for mistake in mistakes:
        try:
            alternative = mistake.answer() if callable(mistake.answer) else mistake.answer
            alternative = _asarray(alternative, dtype=np.float64)
        except Exception:  # noqa: BLE001 (a catalogue entry that does not apply to these inputs)
            continue
        if alternative.shape == arr.shape and rel_error(arr, alternative) <= tol and rel_error(expected, alternative) > tol:
            return mistake.sentence
    if arr.size == 0 or not _isfinite(arr).all() or not _max(_abs(expected), initial=0.0) > 0:
        return None
    if rel_error(arr, -expected) <= tol:
        return "the sign is flipped. Recheck the sign of each factor: a derivative of (d - z) or of exp(-z) brings a minus."
    scale = float(np.vdot(arr.ravel(), expected.ravel()) / np.vdot(expected.ravel(), expected.ravel()))
    if abs(scale) > 1e-12 and abs(scale - 1) > 1e-6 and rel_error(arr, scale * expected) <= tol:
        for factor, sentence in _factors(n):
            if abs(scale / factor - 1) < 1e-6:
                return sentence
        if arr.size == 1:  # one number is always some multiple of another: only the named factors say something
            return None
        return (f"off by a constant factor (about {scale:.3g}). Recheck the constant factors of your derivation: a "
                f"1/2, a 2, or a 1/n of an average.")
    if arr.ndim == 2 and arr.shape[0] == arr.shape[1] and arr.shape[0] > 1 and rel_error(arr.T, expected) <= tol:
        return ("your result is transposed. A gradient has the shape of the quantity it is taken with respect to: "
                "check which factor of the product needs the transpose.")
    return None


def _factors(n):
    """(factor, sentence) of the classic constant-factor mistakes."""
    found = [(2.0, "off by a factor 2: the 1/2 in front of a squared error cancels the 2 its derivative brings "
                   "down; keep exactly one of them."),
             (0.5, "off by a factor 1/2: the derivative of a square brings a factor 2 down (unless a 1/2 in front "
                   "cancels it)."),
             (-1.0, "the sign is flipped.")]
    if n and n > 2:
        found += [(float(n), f"off by a factor n (the number of samples, here {n}): the loss is an average, so "
                             f"its gradient carries a 1/n; you summed where the mean was asked, or divided twice."),
                  (1.0 / n, "off by a factor 1/n: you averaged twice, or averaged where a sum was asked.")]
    return found


def expect_inputs_unchanged(student, what, which=None):
    """After a call of ``student``: it modified none of its array arguments in place (``which``: only these, as
    "argument 2" or a keyword name). For every question whose text forbids changing an input; the caller's arrays
    are compared with a copy taken before the call, in whichever process ran the function."""
    changed = [name for name in getattr(student, "changed", ()) if which is None or name in which]
    if changed:
        raise CheckFailed(f"{what} modified its input in place ({', '.join(changed)}): the caller's array changed.",
                          hint="Work on a copy (or build a new array) instead of assigning into the argument.",
                          diagnosis="an input modified in place: an assignment into the argument (x[...] = ..., "
                                    "x += ...) changes the caller's array too.")


def expect_tuple(result, what, names, hint=None):
    """The answer must be a tuple of ``len(names)`` entries; ``names`` says what each one is. Returns it."""
    if not (isinstance(result, tuple) and len(result) == len(names)):
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else kind_of(result)
        raise CheckFailed(f"{what} must return a tuple ({', '.join(names)}); got {got}.", hint=hint)
    return result


def expect_close(value, expected, what, tol=1e-7, hint=None, show=False, n=None, mistakes=()):
    """Relative error of the answer against the reference below ``tol``; shape checked first. When it differs, the
    answer is compared with ``mistakes`` and the generic classic mistakes (``likely_mistake``; ``n`` the number of
    samples, for the factor-n mistake)."""
    expected = _asarray(expected, dtype=np.float64)
    arr = expect_shape(value, expected.shape, what, hint=hint)
    if not _isfinite(arr).all():
        raise CheckFailed(f"{what} contains NaN or infinity.", hint=hint or "Look for a division by zero or an overflow.")
    err = rel_error(arr, expected)
    if err > tol:
        detail = None
        if show:
            detail = f"expected {np.array2string(expected, precision=4)}\n     got {np.array2string(arr, precision=4)}"
        raise CheckFailed(f"{what} differs from the reference{_where_wrong(arr, expected, tol, show)}; relative "
                          f"error {err:.1e} (allowed {tol:.0e}).", hint=hint, detail=detail,
                          diagnosis=likely_mistake(arr, expected, max(tol, 1e-6), n=n, mistakes=mistakes))
    return arr


def _where_wrong(arr, expected, tol, show):
    """Where an answer is off: how many entries and the first one (for an array); the values themselves only
    when ``show`` (a hidden check never reveals its expected values)."""
    if arr.ndim == 0:
        return f": got {float(arr):.6g}, expected {float(expected):.6g}" if show else ""
    wrong = np.argwhere(_abs(arr - expected) / _maximum(1e-8, _abs(arr) + _abs(expected)) > tol)
    first = tuple(int(i) for i in wrong[0])
    values = f" (got {float(arr[first]):.6g}, expected {float(expected[first]):.6g})" if show else ""
    return f": {len(wrong)} of {arr.size} entries wrong, the first at index {first}{values}"


def expect_equal(value, expected, what, hint=None, show=False):
    """Exact equality (for labels and counts)."""
    expected = _asarray(expected)
    arr = expect_shape(value, expected.shape, what)
    wrong = np.argwhere(arr != expected)
    if arr.ndim == 0 and len(wrong):
        raise CheckFailed(f"{what}: got {arr.item():g}, expected {expected.item():g}." if show
                          else f"{what} differs from the reference.", hint=hint)
    if len(wrong):
        first = tuple(int(i) for i in wrong[0])
        where = f", the first at index {first} (got {arr[first]:g}, expected {expected[first]:g})" if show else ""
        raise CheckFailed(f"{what}: {len(wrong)} of {arr.size} entries differ from the reference{where}.", hint=hint)
    return arr
