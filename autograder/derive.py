"""Derivation answers: a result the student derived, written as an expression in a string and checked by the grader.

A derive question asks for the mathematics before the code: σ' in terms of σ, ∂L/∂z of a sigmoid unit with
cross-entropy, ∂L/∂W of Y = XW in terms of X, W and G = ∂L/∂Y. The student writes the result as a Python-style
expression in a string variable, between the quotes of the answer cell::

    sigma_prime = \"\"\"
    s * (1 - s)
    \"\"\"

nbgrader's solution region sits between those quotes, so the release shows its usual stub there (two lines the
student replaces) and the cell still runs.

Reading the text is the grader's work, never ``eval`` and never ``sympy.parse_expr`` (which calls ``eval``): the
text is parsed by ``ast`` and every node is checked against a whitelist (numbers, the question's own names, + - * /
** @, unary minus, ``.T`` and a handful of functions), then built with SymPy constructors (``to_sympy``) or
evaluated on NumPy arrays (``evaluate``) by the same walker. At grading this happens in the grader's process; the
student's process only hands over the string.

Three ways to check an answer, one per kind of derivation:
- ``expect_expression``: a scalar expression in named symbols, accepted in any equivalent form. It is compared with
  the expected expression at random points of each symbol's domain and, when it differs, says how (a symbol of the
  expected result missing, from SymPy's free symbols; the sign or a constant factor, from the values) for the
  ``Likely mistake`` line. Nothing here asks SymPy to simplify: on a hostile expression that can run for ever;
- ``expect_number``: a number worked out by hand (arithmetic allowed), within a tolerance;
- ``expect_matrix_expression``: an expression in named matrices, evaluated on random matrices of the question's
  shapes and compared with the expected expression evaluated the same way.
"""

import ast
import fractions
import functools
import math
from dataclasses import dataclass

import numpy as np
import sympy

from .checks import CheckFailed, shape_mistake, likely_mistake

STUB_LINE = "raise NotImplementedError()"  # what nbgrader's release puts between the quotes
MAX_CHARS, MAX_NODES, MAX_POWERS, MAX_EXPONENT = 600, 250, 12, 64

SCALAR_FUNCTIONS = {"exp", "log", "sqrt", "tanh", "abs", "sigmoid", "step"}
ARRAY_FUNCTIONS = SCALAR_FUNCTIONS | {"sum", "mean"}
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@"}
_MODULES = {"np", "numpy", "math"}


class NotAnswered(CheckFailed):
    """The answer is still the release's stub, or empty."""


class Unreadable(CheckFailed):
    """The answer is not an expression the grader reads (a name it does not know, a statement, a syntax error)."""


def answer_text(raw):
    """The expression in an answer string: its lines without comments, joined; None when nothing is written yet."""
    if not isinstance(raw, str):
        return None
    lines = [line.split("#", 1)[0].strip() for line in raw.splitlines()]
    text = " ".join(line for line in lines if line)
    return None if not text or STUB_LINE in text or text == "..." else text


@dataclass(frozen=True)
class Parsed:
    """A whitelisted expression: its ``ast`` tree and the names it reads."""

    tree: ast.expr
    names: frozenset


def parse(text, names, matrices=False, what="your answer"):
    """``text`` as a ``Parsed`` expression that reads only ``names`` (and, with ``matrices``, uses ``@``, ``.T`` and
    ``sum``/``mean`` with ``axis``/``keepdims``). Raises ``Unreadable`` with a sentence a student can act on."""
    if len(text) > MAX_CHARS:
        raise Unreadable(f"{what} is longer than {MAX_CHARS} characters: write the derived result, not a program.")
    try:
        tree = ast.parse(text.replace("^", "**") if "^" in text else text, mode="eval").body
    except SyntaxError as error:
        raise Unreadable(f"{what} is not an expression the grader can read ({error.msg}, column "
                         f"{error.offset}). Write it like Python arithmetic: `*` for products, `**` for powers.") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise Unreadable(f"{what} is too long to be the derived result ({len(nodes)} parts; at most {MAX_NODES}).")
    if sum(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in nodes) > MAX_POWERS:
        raise Unreadable(f"{what} has more than {MAX_POWERS} powers.")
    used = set()
    _check(tree, set(names), matrices, used, what)
    return Parsed(tree, frozenset(used))


def _check(node, names, matrices, used, what):
    """Refuse every node outside the whitelist (see the module docstring)."""
    functions = ARRAY_FUNCTIONS if matrices else SCALAR_FUNCTIONS
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise Unreadable(f"{what} contains {node.value!r}, which is not a number.")
        if not math.isfinite(node.value) or abs(node.value) > 1e12:
            raise Unreadable(f"{what} contains a number the grader does not accept ({node.value!r}).")
        return
    if isinstance(node, ast.Name):
        if node.id not in names:
            known = ", ".join(f"`{n}`" for n in sorted(names)) or "no names at all (numbers only)"
            raise Unreadable(f"{what} uses `{node.id}`, which this question does not define: it may use {known}.")
        used.add(node.id)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _check(node.operand, names, matrices, used, what)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        if isinstance(node.op, ast.MatMult) and not matrices:
            raise Unreadable(f"{what} uses `@`, but this answer is a scalar expression: use `*`.")
        if isinstance(node.op, ast.Pow):
            exponent = node.right
            if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(exponent)):
                raise Unreadable(f"{what} has a power inside an exponent; the grader does not read towers of powers.")
            if isinstance(exponent, ast.Constant) and isinstance(exponent.value, (int, float)) \
                    and abs(exponent.value) > MAX_EXPONENT:
                raise Unreadable(f"{what} has an exponent larger than {MAX_EXPONENT}.")
        _check(node.left, names, matrices, used, what)
        return _check(node.right, names, matrices, used, what)
    if isinstance(node, ast.Attribute) and node.attr == "T" and matrices:
        return _check(node.value, names, matrices, used, what)
    if isinstance(node, ast.Call):
        name = _function_name(node.func, matrices)
        if name not in functions:
            allowed = ", ".join(sorted(functions))
            raise Unreadable(f"{what} calls something the grader does not read; the functions it knows are {allowed}.")
        keywords = {k.arg for k in node.keywords}
        if keywords - {"axis", "keepdims"} or (keywords and name not in {"sum", "mean"}):
            raise Unreadable(f"{what} passes arguments the grader does not read (only `axis=` and `keepdims=` of "
                             f"sum and mean).")
        for k in node.keywords:
            if not (isinstance(k.value, ast.Constant) and type(k.value.value) in (int, bool)):
                raise Unreadable(f"{what}: `{k.arg}=` takes a plain number or True/False.")
        receiver = [node.func.value] if isinstance(node.func, ast.Attribute) and name in {"sum", "mean"} \
            and not _is_module(node.func.value) else []
        arguments = receiver + list(node.args)
        if len(arguments) != 1:
            raise Unreadable(f"{what}: `{name}` takes one argument.")
        return _check(arguments[0], names, matrices, used, what)
    raise Unreadable(f"{what} contains `{ast.unparse(node)[:40]}`, which the grader does not read: use numbers, the "
                     f"question's names, + - * / ** {'@ .T ' if matrices else ''}and the functions "
                     f"{', '.join(sorted(functions))}.")


def _is_module(node):
    return isinstance(node, ast.Name) and node.id in _MODULES


def _function_name(func, matrices):
    """``exp`` for ``exp``, ``np.exp`` or ``math.exp``; ``sum`` for ``x.sum``; else None."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        if _is_module(func.value):
            return func.attr
        if matrices and func.attr in {"sum", "mean"}:
            return func.attr
    return None


# ------------------------------------------------------------------------------------------------ the two backends

def _build(node, name, number, binary, negate, call, transpose):
    """The walker both backends share: a whitelisted tree (``parse``) turned into a value."""
    def walk(n):
        if isinstance(n, ast.Constant):
            return number(n.value)
        if isinstance(n, ast.Name):
            return name(n.id)
        if isinstance(n, ast.UnaryOp):
            value = walk(n.operand)
            return negate(value) if isinstance(n.op, ast.USub) else value
        if isinstance(n, ast.BinOp):
            return binary(_OPERATORS[type(n.op)], walk(n.left), walk(n.right))
        if isinstance(n, ast.Attribute):  # .T (the only attribute ``parse`` lets through)
            return transpose(walk(n.value))
        fname = _function_name(n.func, True)
        receiver = [n.func.value] if isinstance(n.func, ast.Attribute) and not _is_module(n.func.value) else []
        keywords = {k.arg: k.value.value for k in n.keywords}
        return call(fname, walk((receiver + list(n.args))[0]), keywords)
    return walk(node)


_SYMPY_FUNCTIONS = {"exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "tanh": sympy.tanh,
                    "abs": sympy.Abs, "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
                    "step": lambda x: sympy.Heaviside(x, 1)}


def to_sympy(parsed, symbols):
    """The SymPy expression of a scalar ``Parsed`` answer; ``symbols`` maps names to SymPy symbols."""
    def number(v):
        return sympy.Integer(v) if isinstance(v, int) else sympy.Rational(repr(v))

    return _build(parsed.tree, symbols.__getitem__, number, _sympy_binary, lambda a: -a,
                  lambda f, a, k: _SYMPY_FUNCTIONS[f](a), lambda a: a)


def _sympy_binary(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return sympy.Pow(a, b)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _step(x):
    """The unit step with step(0) = 1 (the derivative of ReLU, by the course's convention)."""
    return np.where(np.asarray(x) >= 0, 1.0, 0.0)


_NUMPY_FUNCTIONS = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "tanh": np.tanh, "abs": np.abs,
                    "sigmoid": _sigmoid, "step": _step}


def evaluate(parsed, values):
    """The value of a ``Parsed`` answer with NumPy, each name read from ``values`` (arrays or floats). Raises
    ``ValueError`` when shapes do not fit (a product of the wrong sizes)."""
    def binary(op, a, b):
        if op == "@":
            return np.matmul(a, b)
        if op == "+":
            return np.add(a, b)
        if op == "-":
            return np.subtract(a, b)
        if op == "*":
            return np.multiply(a, b)
        if op == "/":
            return np.divide(a, b)
        return np.power(a, b)

    def call(f, a, keywords):
        if f in {"sum", "mean"}:
            return getattr(np, f)(a, axis=keywords.get("axis"), keepdims=bool(keywords.get("keepdims", False)))
        return _NUMPY_FUNCTIONS[f](a)

    with np.errstate(all="ignore"):
        return _build(parsed.tree, values.__getitem__, float, binary, np.negative, call, np.transpose)


# ------------------------------------------------------------------------------------------------ the checks

def written(answers, name, what="result"):
    """The text of the answer stored under ``name``; raises ``NotAnswered`` while it is the stub or missing."""
    raw = answers.get(name)
    text = answer_text(raw)
    if text is None:
        where = "between the quotes" if isinstance(raw, str) else "as a string"
        raise NotAnswered(f"`{name}` is not answered yet: write your {what} {where}, replacing the stub lines.")
    return text


def read(answers, name, names, matrices=False):
    """The ``Parsed`` answer stored under ``name``; raises ``NotAnswered`` or ``Unreadable``."""
    return parse(written(answers, name), names, matrices=matrices, what=f"`{name}`")


def expect_expression(answers, name, expected, domains, hint, points=24, rng=None, mistakes=()):
    """The answer ``name`` equals ``expected`` (a string in the same names) as a function of the symbols in
    ``domains`` ({name: (low, high)}, where each is sampled); any equivalent form passes.

    When it differs, the question's own catalogue comes first (``mistakes``: ``checks.Mistake``s whose ``answer`` is
    the wrong expression, a string in the same names, compared at the same points); then a symbol of the expected
    result missing (SymPy's free symbols), the opposite sign or a constant factor becomes a ``Likely mistake`` line
    (none of which shows the expected form)."""
    names = set(domains)
    student = read(answers, name, names)
    target = parse(expected, names, what="the expected answer")
    rng = rng if rng is not None else np.random.default_rng(0)
    points_at = [{n: float(rng.uniform(*domains[n])) for n in sorted(names)} for _ in range(points)]
    got = np.array([_scalar(evaluate(student, p)) for p in points_at])
    want = np.array([_scalar(evaluate(target, p)) for p in points_at])
    keep = np.isfinite(want)
    if keep.any() and np.all(np.isfinite(got[keep])) and np.allclose(got[keep], want[keep], rtol=1e-8, atol=1e-12):
        return
    known = _known_mistake(got, mistakes, lambda wrong: np.array([_scalar(evaluate(wrong, p)) for p in points_at]),
                           names, matrices=False)
    raise CheckFailed(f"`{name}` is not equal to the quantity asked for.", hint=hint,
                      diagnosis=known or _diagnosis(student, target, names, name, got, want))


def _known_mistake(got, mistakes, values_of, names, matrices):
    """The sentence of the first catalogued mistake whose expression gives the student's values, or None."""
    for mistake in mistakes:
        wrong = parse(mistake.answer, names, matrices=matrices, what="a catalogued mistake")
        theirs = np.asarray(values_of(wrong), dtype=np.float64)
        if theirs.shape == got.shape and np.allclose(got, theirs, rtol=1e-8, atol=1e-12, equal_nan=True):
            return mistake.sentence
    return None


def _scalar(value):
    array = np.asarray(value, dtype=np.float64)
    return float(array) if array.ndim == 0 else float("nan")


def _diagnosis(student, target, names, name, got, want):
    """The ``Likely mistake`` sentence for an answer that differs: a symbol of the expected result missing (SymPy's
    free symbols of both expressions: built, never simplified, since simplifying a hostile expression can take
    forever), else the opposite sign or a constant factor, read from the values at the check's points; or None."""
    symbols = {n: sympy.Symbol(n, positive=True) for n in names}
    try:
        with sympy.evaluate(False):  # built as written: a tower of integer powers is never computed
            missing = sorted(str(v) for v in to_sympy(target, symbols).free_symbols
                             - to_sympy(student, symbols).free_symbols)
    except (TypeError, ValueError, ZeroDivisionError, AttributeError, RecursionError):
        missing = []
    if missing:
        return (f"`{name}` does not depend on {', '.join(missing)}, but the quantity asked for does. Follow each "
                f"factor of the chain rule back to the variables it depends on.")
    keep = np.isfinite(got) & np.isfinite(want) & (np.abs(want) > 1e-12)
    if not keep.any():
        return None
    ratio = got[keep] / want[keep]
    if not np.allclose(ratio, ratio[0], rtol=1e-8, atol=0.0) or abs(ratio[0]) < 1e-12:
        return None
    if np.isclose(ratio[0], -1.0, rtol=1e-8):
        return ("your result has the opposite sign. Recheck the sign of each derivative factor (a minus sign from "
                "differentiating a difference, or from exp(-z)).")
    factor = fractions.Fraction(float(ratio[0])).limit_denominator(64)
    shown = str(factor) if abs(float(factor) - ratio[0]) <= 1e-9 * abs(ratio[0]) else f"{ratio[0]:.4g}"
    return (f"your result is off by a constant factor ({shown}). Recheck the constant factors: a 1/2 that the "
            f"square's derivative cancels, a 1/n from an average, a 2 from a power.")


def expect_number(answers, name, expected, hint, rtol=1e-3, atol=1e-4, mistakes=()):
    """The answer ``name``, a number worked out by hand (arithmetic on numbers allowed), is ``expected`` within a
    tolerance that forgives rounding at the third significant digit. ``mistakes``: ``checks.Mistake``s whose
    ``answer`` is the number a classic slip gives."""
    value = _scalar(evaluate(read(answers, name, set()), {}))
    if not np.isfinite(value):
        raise CheckFailed(f"`{name}` is not a finite number.", hint=hint)
    if abs(value - expected) > atol + rtol * abs(expected):
        diagnosis = next((m.sentence for m in mistakes if abs(value - m.answer) <= atol + rtol * abs(m.answer)), None)
        if diagnosis is None and abs(value + expected) <= atol + rtol * abs(expected):
            diagnosis = "the sign is flipped; recheck the sign of each factor you multiplied."
        raise CheckFailed(f"`{name}` = {value:.6g} is not the value asked for (checked to about three significant "
                          f"digits).", hint=hint, diagnosis=diagnosis)


def expect_matrix_expression(answers, name, expected, shapes, hint, draws=3, rng=None, n=None, mistakes=()):
    """The answer ``name``, an expression in the matrices of ``shapes`` ({name: shape}; the shape ``()`` is a
    positive scalar such as a batch size n), equals ``expected`` on random matrices of those shapes: same shape, same
    values. A result of the transposed shape, the opposite sign or a
    constant multiple (``n``: the batch size, for the factor-n mistake) gets a ``Likely mistake`` line, after the
    question's own ``mistakes`` (``checks.Mistake``s whose ``answer`` is the wrong expression, a string)."""
    student = read(answers, name, set(shapes), matrices=True)
    target = parse(expected, set(shapes), matrices=True, what="the expected answer")
    rng = rng if rng is not None else np.random.default_rng(0)
    for _ in range(draws):
        values = {key: rng.standard_normal(shape) if shape != () else float(rng.uniform(2.0, 10.0))  # (): a count
                  for key, shape in shapes.items()}
        want = np.asarray(evaluate(target, values))
        try:
            got = np.asarray(evaluate(student, values))
        except ValueError:
            given = ", ".join(f"{key} {shapes[key]}" for key in sorted(student.names))
            raise CheckFailed(f"`{name}` cannot be computed with these shapes ({given}): a product whose sizes do not "
                              f"fit, or a sum over an axis that is not there.", hint=hint) from None
        if got.shape == want.shape and np.allclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        known = _known_mistake(got, mistakes, functools.partial(_evaluated, values=values), set(shapes), matrices=True)
        if got.shape != want.shape:
            raise CheckFailed(f"`{name}` has shape {got.shape}, but the quantity asked for has shape {want.shape}.",
                              hint=hint, diagnosis=known or shape_mistake(got.shape, want.shape))
        raise CheckFailed(f"`{name}` has the right shape but not the right values.", hint=hint,
                          diagnosis=known or likely_mistake(got, want, 1e-7, n=n))


def _evaluated(parsed, values):
    """``evaluate``, with a product of sizes that do not fit giving NaN rather than an error (a catalogued
    mistake that does not apply)."""
    try:
        return np.asarray(evaluate(parsed, values), dtype=np.float64)
    except ValueError:
        return np.array(np.nan)


def expect_choice(answers, name, allowed, expected, hint):
    """The answer ``name`` names exactly the items ``expected`` (one string, or a collection of strings when the answer
    is a set) among ``allowed``: written as the names separated by commas or spaces, in any order. A name outside
    ``allowed`` is refused with a sentence that lists them; a wrong choice gets ``hint`` (which should say how to find
    out, never which it is). Used for records such as "which parameter's gradient check exposed this bug"."""
    text = written(answers, name, what="answer")
    words = [w for w in text.replace(",", " ").replace('"', " ").replace("'", " ").split() if w]
    unknown = sorted({w for w in words if w not in allowed})
    if unknown or not words:
        known = ", ".join(f"`{a}`" for a in allowed)
        raise Unreadable(f"`{name}` should name {'one or more' if not isinstance(expected, str) else 'one'} of "
                         f"{known}" + (f"; it has {', '.join(repr(u) for u in unknown)}." if unknown else "."))
    want = {expected} if isinstance(expected, str) else set(expected)
    if set(words) != want:
        raise CheckFailed(f"`{name}` is not the record asked for.", hint=hint)
