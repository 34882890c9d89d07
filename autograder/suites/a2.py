"""Assignment 2: gradient checking, activations and their derivatives, losses from likelihoods.

References: ``backprop.gradcheck``, ``backprop.activations`` and ``backprop.losses``. In the notebook every
activation returns the pair ``(g(z), g'(z))`` (maxout: the output and the 0/1 mask of each group's winner), and
every loss the pair ``(value, gradient)`` like ``backprop.losses``.

Gradient checks follow DESIGN: float64 central differences (h = 1e-5) of the *reference* forward pass, a random
upstream gradient, the relative error max |a - b| / max(1e-8, |a| + |b|), inputs kept off kinks.
"""

import functools

import numpy as np

from backprop import activations as A
from backprop import gradcheck as G
from backprop import layers
from backprop import losses as L

from .. import checks, derive, props
from ..checks import (CheckFailed, Mistake, as_array, expect_close, expect_inputs_unchanged, expect_shape,
                      expect_tuple, likely_mistake, rel_error)
from ..question import Derivation, Question, Written

try:  # scipy comes with scikit-learn; its log-sum-exp and softmax would do Q11's work, so they are switched off too
    from scipy import special as _scipy_special
    SCIPY_SOFTMAX = [_scipy_special.logsumexp, _scipy_special.softmax, _scipy_special.log_softmax]
except ImportError:  # pragma: no cover
    SCIPY_SOFTMAX = []

GRAD_TOL = 1e-6  # analytic vs central differences; the step's own error is about 1e-10 on these inputs


# ------------------------------------------------------------------------------------------------------------
# Self-contained reference pairs in the notebook's API, swapped in (``uses``) for the student's own sigmoid and
# softplus while *other* questions are checked, so a bug there is paid for once. They must not call backprop:
# its functions are poisoned while a student's function runs. (Not a library gap: the library keeps g and g'
# as two functions, the notebook returns them as one pair.)

def _sigmoid_pair(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return s, s * (1.0 - s)


def _softplus_pair(z):
    z = np.asarray(z, dtype=np.float64)
    return np.logaddexp(0.0, z), _sigmoid_pair(z)[0]


def _rectifier(z, alpha):
    return np.where(z >= 0, z, alpha * z)


def _rectifier_grad(z, alpha):
    return np.where(z >= 0, 1.0, alpha)


# ------------------------------------------------------------------------------------------------------------
# helpers

def _pair(result, what, names=("value", "derivative")):
    return expect_tuple(result, what, names, hint=f"End with `return {names[0]}, {names[1]}`: one tuple of two things.")


def _off_kinks(rng, shape, scale=3.0, gap=0.05):
    """Random values of the given shape, none closer than ``gap`` to 0 (so +-h never crosses a kink)."""
    z = rng.uniform(-scale, scale, size=shape)
    return np.where(np.abs(z) < gap, np.sign(z + 1e-12) * gap + z, z)


def _random_shape(rng):
    return tuple(int(s) for s in rng.integers(1, 6, size=int(rng.integers(1, 4))))


def _check_activation(student, z, ref_value, ref_grad, what, value_hint, grad_hint, args=(), show=False, tol=1e-7,
                      mistakes=None):
    """Value against the reference, then the derivative by a gradient check of the reference forward pass.
    ``mistakes(z, *args)``: the question's catalogue, a pair (value mistakes, derivative mistakes)."""
    value_mistakes, grad_mistakes = mistakes(z, *args) if mistakes else ((), ())
    value, grad = _pair(student(z, *args), what)
    expect_close(value, ref_value(z, *args), f"the value of {what}", tol=tol, hint=value_hint, show=show,
                 mistakes=value_mistakes)
    grad = expect_shape(grad, z.shape, f"the derivative returned by {what}")
    # a random upstream gradient, never all ones, and away from 0: a tiny entry would make the relative error of
    # the central difference itself (about 1e-11 absolute) look like a mistake
    up = np.random.default_rng(z.size)
    dout = up.choice([-1.0, 1.0], size=z.shape) * up.uniform(0.5, 1.5, size=z.shape)
    numeric = G.numerical_gradient_array(lambda v: ref_value(v, *args), z.copy(), dout)
    err = rel_error(dout * grad, numeric)
    if not np.isfinite(grad).all() or err > GRAD_TOL:
        detail = None
        if show:
            detail = (f"z        = {np.array2string(z, precision=3)}\n"
                      f"expected g'(z) = {np.array2string(ref_grad(z, *args), precision=4)}\n"
                      f"     got g'(z) = {np.array2string(grad, precision=4)}")
        raise CheckFailed(f"gradient check of {what}: your derivative times a random upstream gradient differs from "
                          f"central differences of the reference forward pass, relative error {err:.1e} "
                          f"(allowed {GRAD_TOL:.0e}).", hint=grad_hint, detail=detail,
                          diagnosis=likely_mistake(grad, np.asarray(ref_grad(z, *args), dtype=float), GRAD_TOL,
                                                   mistakes=grad_mistakes) if np.isfinite(grad).all() else None)


UNSTABLE = ("the unstable form: an exponential of a large number overflows to inf, or a probability rounds to 0 and "
            "its log is -inf. Revisit the rewriting that never exponentiates a large positive number.")


def _expect_stable(value, expected, what, hint, show=False, n=None, mistakes=()):
    """``expect_close``, where an answer with NaN or infinity for finite expected values is the unstable form."""
    arr = as_array(value, what)
    if arr.shape == np.shape(expected) and not np.isfinite(arr).all():
        raise CheckFailed(f"{what} contains NaN or infinity; the exact values are finite.", hint=hint,
                          diagnosis=UNSTABLE)
    return expect_close(arr, expected, what, hint=hint, show=show, n=n, mistakes=mistakes)


def _check_loss(student, pred, y, ref, what, value_hint, grad_hint, show=False, tol=1e-7, mistakes=None):
    """Value and gradient of a loss; ``mistakes(pred, y)``: the question's catalogue, a pair (value mistakes,
    gradient mistakes)."""
    value_mistakes, grad_mistakes = mistakes(pred, y) if mistakes else ((), ())
    n = len(pred)
    value, grad = _pair(student(pred, y), what, names=("value", "gradient"))
    value = as_array(value, f"the value of {what}")
    if value.shape not in ((), (1,)):
        raise CheckFailed(f"the value of {what} must be one number (the mean over the batch); got shape {value.shape}.",
                          hint="Average the per-sample losses over the batch: a float, not an array.")
    _expect_stable(float(value.reshape(())), ref(pred, y)[0], f"the value of {what}", hint=value_hint, show=show,
                   n=n, mistakes=[Mistake(m.sentence, _scalar_of(m.answer)) for m in value_mistakes])
    grad = expect_shape(grad, np.shape(pred), f"the gradient returned by {what}")
    if not np.isfinite(grad).all():
        raise CheckFailed(f"the gradient returned by {what} contains NaN or infinity.", hint=grad_hint,
                          diagnosis=UNSTABLE)
    numeric = G.numerical_gradient(lambda v: ref(v, y)[0], np.array(pred, dtype=np.float64))
    err = rel_error(grad, numeric)
    if err > GRAD_TOL:
        raise CheckFailed(f"gradient check of {what}: your gradient differs from central differences of the reference "
                          f"loss, relative error {err:.1e} (allowed {GRAD_TOL:.0e}).", hint=grad_hint,
                          diagnosis=likely_mistake(grad, numeric, GRAD_TOL, n=n, mistakes=grad_mistakes))


def _scalar_of(answer):
    """A catalogued loss value as one number (lazily)."""
    return lambda: float(np.asarray(answer() if callable(answer) else answer, dtype=float).reshape(()))


# ------------------------------------------------------------------------------------ Q1 numerical gradient
numgrad = Question("a2.numerical_gradient", "numerical_gradient",
                   references=[G.numerical_gradient, G.numerical_gradient_array, G.check_model_gradients],
                   topic="gradient checking by central differences")
NUMGRAD_HINT = ("Compare your difference quotient with the Taylor expansions of the text: which two points, how far "
                "apart, and is x[i] back to its value before the next entry?")


def _one_sided(f, x, h=1e-5):
    """The forward difference, accurate only to O(h)."""
    x = np.array(x, dtype=np.float64)
    grad, f_x = np.zeros_like(x), f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f_x) / h
        x[i] = old
    return grad


def _not_restored(f, x, h=1e-5):
    """Central differences that leave each entry at x[i] - h before moving on."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        grad[i] = (f_plus - f(x)) / (2 * h)
    return grad


def _numgrad_mistakes(f, x, h=1e-5):
    return [Mistake("the one-sided difference: a step on one side only is accurate to O(h), not O(h^2). Revisit "
                    "the Taylor expansions: which difference cancels the h^2 term?", lambda: _one_sided(f, x, h)),
            Mistake("x[i] is not put back after its two steps, so every later entry is evaluated at a shifted x. "
                    "Restore each entry before moving to the next.", lambda: _not_restored(f, x, h)),
            Mistake("the step h is not the one given: use the argument h, not a constant of your own.",
                    lambda: G.numerical_gradient(f, np.array(x, dtype=float), 1e-5))]


def _expect_numgrad(student, f, x, expected, what, tol, hint=NUMGRAD_HINT, h=None, show=False):
    """One call of the student's numerical_gradient on (f, x[, h]): the caller's x unchanged, the answer close."""
    got = student(f, x) if h is None else student(f, x, h)
    expect_inputs_unchanged(student, what)
    expect_close(got, expected, what, tol=tol, hint=hint, show=show,
                 mistakes=_numgrad_mistakes(f, x, 1e-5 if h is None else h))


@numgrad.check(points=1, public=True)
def gradient_of_a_quadratic(student, rng):
    """returns the gradient of f(x) = sum(x^2) at a vector x (that is 2x), with x's shape; the caller's x unchanged"""
    x = np.array([1.0, -2.0, 0.5])
    _expect_numgrad(student, props.sum_of_squares, x, 2 * x, "numerical_gradient(f, x) for f(x) = sum(x**2)", 1e-7,
                    show=True)


@numgrad.check(points=1, public=True)
def central_not_one_sided(student, rng):
    """is accurate to O(h^2): matches the exact gradient of sum(exp(x)) to 1e-8"""
    x = np.array([0.3, -1.2, 2.0, 0.0])
    _expect_numgrad(student, props.sum_of_exp, x, np.exp(x), "numerical_gradient(f, x) for f(x) = sum(exp(x))", 1e-8,
                    show=True)


@numgrad.check(points=2)
def matrices_coupled_functions_and_h(student, rng):
    """works on matrices, for functions that mix the entries, and uses the step h it is given"""
    for _ in range(2):
        shape = (int(rng.integers(2, 5)), int(rng.integers(2, 5)))
        x, M = rng.normal(size=shape), rng.normal(size=shape)
        f = functools.partial(props.coupled, M=M)
        _expect_numgrad(student, f, x, G.numerical_gradient(f, x.copy()),
                        "numerical_gradient(f, X) for a matrix X and a function coupling its entries", 1e-7,
                        hint=NUMGRAD_HINT + " A wrong answer here often means x was not restored after a step.")
    x, h = rng.normal(size=5), float(rng.choice([1e-2, 3e-3]))
    # the central difference of x^3 is 3x^2 + h^2 exactly: the answer shows which h was used
    _expect_numgrad(student, props.sum_of_cubes, x, 3 * x ** 2 + h ** 2, "numerical_gradient(f, x, h) with a large h",
                    1e-8, hint="Use the argument h, not a constant of your own, and step by h on both sides.", h=h)


# ---------------------------------------------------------------------------------------- Q2 relative error

relerr = Question("a2.rel_error", "rel_error", references=[G.rel_error, checks.rel_error],
                  topic="comparing two gradients: the relative error")
REL_HINT = ("Compare your code with the definition term by term: what the numerator measures (a size, never "
            "negative), what the denominator adds up and floors, and how the entries are combined into one number.")


def _rel_mistakes(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return [Mistake("the absolute value is missing in the numerator: a difference a - b can be negative, so the "
                    "'error' depends on the order of a and b.",
                    lambda: np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))),
            Mistake("the denominator adds the signed values instead of their magnitudes, so entries of opposite "
                    "signs cancel.", lambda: np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a + b)))),
            Mistake("the entries are averaged instead of taking the largest: one bad entry must show.",
                    lambda: np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))]


def _expect_rel(student, a, b, what, show=False):
    got = as_array(student(a, b), what)
    if got.size != 1:
        raise CheckFailed(f"{what} must return one number; got shape {got.shape}.", hint="Take the max over all entries.")
    expect_close(float(got.reshape(())), G.rel_error(a, b), what, tol=1e-9, hint=REL_HINT, show=show,
                 mistakes=_rel_mistakes(a, b))


@relerr.check(points=1, public=True)
def small_example(student, rng):
    """matches max |a - b| / max(1e-8, |a| + |b|) on a small example"""
    _expect_rel(student, np.array([1.0, 2.0, -3.0]), np.array([1.1, 2.0, -3.0]), "rel_error(a, b)", show=True)


@relerr.check(points=2)
def sign_scale_and_zeros(student, rng):
    """does not depend on the order of a and b, is relative (scale-free), and is 0 for two zero arrays"""
    shape = _random_shape(rng)
    a = rng.normal(size=shape)
    b = a + 1e-3 * np.abs(rng.normal(size=shape)) + 1e-3  # b > a everywhere: a - b is negative
    _expect_rel(student, a, b, "rel_error(a, b) when every a < b")
    _expect_rel(student, b, a, "rel_error(b, a)")
    scale = float(rng.choice([1e-6, 1e6]))
    _expect_rel(student, scale * a, scale * b, "rel_error of the same arrays scaled by a large or small factor")
    _expect_rel(student, np.zeros(shape), np.zeros(shape), "rel_error of two zero arrays")


# --------------------------------------------------------------------------------------------- Q3 sigmoid

# σ' in its forms: s (1 - s) with s, σ, σ(z) or sigmoid(z) (code: 1.0 - s), s - s², and e^-z / (1 + e^-z)². Each
# form matches one pattern only (tests/course/test_questions.py counts the findings).
SIGMOID_FORMS = [r"\(1(\.0)?-(s|σ|\\sigma|sigma)(\(z\)|\(z\)\[0\])?\)", r"(s|σ|\\sigma)-(s|σ|\\sigma)(\*\*|\^)\{?2",
                 r"e\^\{?-z\}?\}?\{?\(1\+e\^\{?-z\}?\)\^\{?2", r"exp\(-z\)/\(1\+exp\(-z\)\)\*\*2"]
sigmoid_derivative = Derivation(
    "a2.sigmoid_derivative", answers=["dsigma_in_z", "dsigma_in_s"],
    topic="σ' by the chain rule, then written with σ itself (notes 000, 004)",
    withheld=SIGMOID_FORMS)
SIG_IN_Z_HINT = ("Write σ(z) as a power of an inner function of z and apply the chain rule: the outer power's "
                 "derivative times the inner function's derivative. Mind the sign each factor brings.")
SIG_IN_S_HINT = ("Take your result in z and split it into a product of two fractions; each of them is a function "
                 "of σ(z). Then replace σ(z) by s.")


@sigmoid_derivative.check(points=1, public=True)
def derivative_in_z(answers, rng):
    "σ'(z) as an expression in z"
    derive.expect_expression(answers, "dsigma_in_z", "exp(-z) / (1 + exp(-z))**2", {"z": (-4.0, 4.0)},
                             hint=SIG_IN_Z_HINT, rng=rng)


@sigmoid_derivative.check(points=2, public=True)
def derivative_in_s(answers, rng):
    "σ'(z) written with s = σ(z) only"
    derive.expect_expression(answers, "dsigma_in_s", "s - s**2", {"s": (0.01, 0.99)}, hint=SIG_IN_S_HINT, rng=rng,
                             mistakes=[Mistake("that is the sigmoid itself, not its derivative: the chain rule's "
                                               "factors are still to be written with s.", "s"),
                                       Mistake("one of the two fractions is missing: the result in z splits into a "
                                               "product of two functions of σ(z), keep both.", "1 - s")])


sigmoid = Question("a2.sigmoid", "sigmoid", references=[A.sigmoid, A.sigmoid_grad, layers.sigmoid_forward,
                                                        layers.sigmoid_backward],
                   topic="the sigmoid and its derivative in code, without overflow",
                   withheld=[r"\(1\.0-s\)"])  # the code line; the derived forms are sigmoid_derivative's
SIG_VALUE_HINT = ("Check the sign in the exponent, then the large |z| on each side: for which sign of z does your "
                  "exp get a large positive argument? The text's second form avoids it there.")
SIG_GRAD_HINT = ("Return the derivative in the form you derived in Q3 in terms of s = sigma(z) (your dsigma_in_s), "
                 "computed from the s you already have; not the sigmoid itself.")
_sig_value = lambda z: A.sigmoid(z)
_sig_grad = lambda z: A.sigmoid_grad(z)


def _sigmoid_mistakes(z):
    s = _sigmoid_pair(z)[0]
    return ([Mistake("the sign of the exponent is flipped: that is σ(-z), which decreases with z.", 1.0 - s)],
            [Mistake("the derivative returned is the sigmoid itself: return σ'(z), the form in s you derived in Q3.",
                     s),
             Mistake("one factor of the derivative is missing: your dsigma_in_s is a product of two factors.",
                     1.0 - s),
             Mistake("the derivative is computed from z instead of s: the form you derived in Q3 takes s = σ(z).",
                     np.asarray(z, dtype=float) * (1.0 - np.asarray(z, dtype=float)))])


@sigmoid.check(points=1, public=True)
def sigmoid_value_and_derivative(student, rng):
    """value and derivative on a few inputs: the derivative passes a gradient check"""
    _check_activation(student, np.array([-2.0, -0.5, 0.0, 1.0, 3.0]), _sig_value, _sig_grad, "sigmoid(z)",
                      SIG_VALUE_HINT, SIG_GRAD_HINT, show=True, mistakes=_sigmoid_mistakes)


@sigmoid.check(points=2)
def sigmoid_any_shape_and_extremes(student, rng):
    """any shape, and finite exact values at z = +-1000"""
    z = rng.uniform(-6, 6, size=_random_shape(rng))
    _check_activation(student, z, _sig_value, _sig_grad, "sigmoid(z)", SIG_VALUE_HINT, SIG_GRAD_HINT,
                      mistakes=_sigmoid_mistakes)
    z = np.array([-1000.0, -40.0, 40.0, 1000.0])
    value, grad = _pair(student(z), "sigmoid(z)")
    _expect_stable(value, A.sigmoid(z), "sigmoid(z) at very large |z|", hint=SIG_VALUE_HINT,
                   mistakes=_sigmoid_mistakes(z)[0])
    _expect_stable(grad, A.sigmoid_grad(z), "sigmoid's derivative at very large |z|", hint=SIG_GRAD_HINT,
                   mistakes=_sigmoid_mistakes(z)[1])


# ------------------------------------------------------------------------------------------------ Q4 tanh

# tanh' in its forms: 1 - t², 1 - tanh(z)², sech², 4 / (e^z + e^-z)², and the code line.
TANH_FORMS = [r"1(\.0)?-(t|\\tanh|tanh)(\(z\))?(\*\*|\^)\{?2", r"1(\.0)?-(\\tanh|tanh)(\^|\*\*)\{?2", r"sech",
              r"4/\((e\^\{?z\}?|exp\(z\))\+", r"\\frac\{4\}\{\(e\^", r"1(\.0)?-t\*t"]
tanh_derivative = Derivation(
    "a2.tanh_derivative", answers=["dtanh_in_z", "dtanh_in_t"],
    topic="tanh' by the quotient rule, then written with tanh itself (notes 000, 004)", withheld=TANH_FORMS)


@tanh_derivative.check(points=1, public=True)
def tanh_derivative_in_z(answers, rng):
    "tanh'(z) as an expression in z"
    derive.expect_expression(answers, "dtanh_in_z", "4 / (exp(z) + exp(-z))**2", {"z": (-3.0, 3.0)},
                             hint="Quotient rule on u / v with u = e^z - e^-z and v = e^z + e^-z: first the derivatives "
                                  "of u and of v (each is the other), then u'v - uv' over v squared, and simplify the "
                                  "numerator.", rng=rng,
                             mistakes=[Mistake("the quotient rule's two terms are added instead of subtracted (or "
                                               "the square of v is missing): recheck u'v - uv' over v squared.",
                                               "2 * (exp(2*z) + exp(-2*z)) / (exp(z) + exp(-z))**2")])


@tanh_derivative.check(points=2, public=True)
def tanh_derivative_in_t(answers, rng):
    "tanh'(z) written with t = tanh(z) only"
    derive.expect_expression(answers, "dtanh_in_t", "1 - t**2", {"t": (-0.99, 0.99)},
                             hint="Before simplifying the quotient rule's numerator, split the fraction (u'v - uv') / v² "
                                  "into two fractions: each of them is a function of u / v = t.", rng=rng,
                             mistakes=[Mistake("the square is missing: the second fraction is t times t.", "1 - t"),
                                       Mistake("the two fractions are added: the quotient rule subtracts the second "
                                               "one.", "1 + t**2")])


tanh = Question("a2.tanh", "tanh", references=[A.tanh, A.tanh_grad, layers.tanh_forward, layers.tanh_backward],
                topic="tanh and its derivative in code", withheld=TANH_FORMS)
TANH_HINT = ("Return the derivative in the form you derived in Q5 in terms of t = tanh(z) (np.tanh is welcome for the "
             "value); a derivative that is too large or has the wrong sign points at that form.")


def _tanh_mistakes(z):
    z = np.asarray(z, dtype=float)
    t = np.tanh(z)
    return ([], [Mistake("the derivative is computed from z instead of t: the form you derived in Q5 takes "
                         "t = tanh(z).", 1.0 - z ** 2),
                 Mistake("the derivative returned is tanh itself: return tanh'(z), the form in t you derived in Q5.",
                         t),
                 Mistake("the square is missing in the derivative's form in t.", 1.0 - t)])


@tanh.check(points=1, public=True)
def tanh_value_and_derivative(student, rng):
    """value and derivative on a few inputs: the derivative passes a gradient check"""
    _check_activation(student, np.array([-2.0, -0.5, 0.0, 1.0, 3.0]), lambda z: np.tanh(z),
                      lambda z: A.tanh_grad(z), "tanh(z)", "Compare your value with np.tanh on a few numbers, or "
                      "recheck which exponential is subtracted.", TANH_HINT, show=True, mistakes=_tanh_mistakes)


@tanh.check(points=1)
def tanh_any_shape_and_extremes(student, rng):
    """any shape, and exactly +-1 with derivative 0 at z = +-1000"""
    z = rng.uniform(-4, 4, size=_random_shape(rng))
    _check_activation(student, z, lambda v: np.tanh(v), lambda v: A.tanh_grad(v), "tanh(z)", TANH_HINT, TANH_HINT,
                      mistakes=_tanh_mistakes)
    z = np.array([-1000.0, 1000.0])
    value, grad = _pair(student(z), "tanh(z)")
    _expect_stable(value, np.tanh(z), "tanh(z) at z = +-1000",
                   hint="e^1000 overflows: use np.tanh, or 2 sigma(2z) - 1 with a stable sigmoid.")
    _expect_stable(grad, np.zeros(2), "tanh's derivative at z = +-1000", hint=TANH_HINT)


# ------------------------------------------------------------------------------------------- Q5 rectifier

rectifier = Question("a2.rectifier", "rectifier", topic="ReLU, leaky ReLU, absolute-value rectification (notes 002, 004)",
                     references=[A.relu, A.relu_grad, A.leaky_relu, A.leaky_relu_grad, A.abs_relu, A.abs_relu_grad,
                                 A.step, layers.relu_forward, layers.relu_backward, layers.leaky_relu_forward,
                                 layers.leaky_relu_backward, layers.abs_relu_forward, layers.abs_relu_backward])
RECT_VALUE_HINT = "Check each side of 0 separately: which piece applies there, and does alpha multiply the right one?"
RECT_GRAD_HINT = ("The derivative is the slope of each piece; at z = 0 exactly, reread the course's convention for "
                  "the step.")
RECT_TIE = ("a tie broken the other way: at z = 0 exactly the derivative is the slope of the negative side, but "
            "the course's convention (step(0) = 1) takes the slope of the z >= 0 piece. Revisit the comparison with 0.")


def _rectifier_mistakes(z, alpha):
    z = np.asarray(z, dtype=float)
    return ([Mistake("alpha multiplies the wrong side: the positive side is z itself, the negative side is scaled.",
                     np.where(z >= 0, alpha * z, z))],
            [Mistake(RECT_TIE, np.where(z > 0, 1.0, alpha)),
             Mistake("the derivative ignores alpha: the negative side's slope is alpha, not 0.",
                     np.where(z >= 0, 1.0, 0.0)),
             Mistake("the derivative returned is the value: return the slope of each piece.", _rectifier(z, alpha))])


def _check_rectifier_tie(student, alpha, show=False):
    """At z = 0 exactly the derivative follows the course's convention, step(0) = 1."""
    z = np.array([-1.5, 0.0, 2.0])
    value, grad = _pair(student(z, alpha), f"rectifier(z, alpha={alpha:g})")
    expect_close(value, _rectifier(z, alpha), f"the value of rectifier(z, alpha={alpha:g}) with z = 0 included",
                 hint=RECT_VALUE_HINT, show=show, mistakes=_rectifier_mistakes(z, alpha)[0])
    expect_close(grad, _rectifier_grad(z, alpha), f"the derivative of rectifier(z, alpha={alpha:g}) at a z of "
                 f"exactly 0", hint=RECT_GRAD_HINT, show=show, mistakes=_rectifier_mistakes(z, alpha)[1])


@rectifier.check(points=1, public=True)
def relu_and_leaky_relu(student, rng):
    """ReLU (alpha = 0) and leaky ReLU (alpha = 0.01) on a few inputs, with a gradient check; at z = 0 the slope is 1"""
    z = np.array([-2.0, -0.5, 0.3, 1.0, 3.0])
    for alpha in (0.0, 0.01):
        _check_activation(student, z, _rectifier, _rectifier_grad, f"rectifier(z, alpha={alpha})", RECT_VALUE_HINT,
                          RECT_GRAD_HINT, args=(alpha,), show=True, mistakes=_rectifier_mistakes)
    _check_rectifier_tie(student, 0.0, show=True)


@rectifier.check(points=2)
def absolute_value_and_random_slopes(student, rng):
    """absolute-value rectification (alpha = -1) and random slopes, any shape, off the kink and at z = 0"""
    for alpha in (-1.0, float(rng.uniform(0.05, 0.5))):
        z = _off_kinks(rng, _random_shape(rng))
        _check_activation(student, z, _rectifier, _rectifier_grad, "rectifier(z, alpha)", RECT_VALUE_HINT,
                          RECT_GRAD_HINT, args=(alpha,), mistakes=_rectifier_mistakes)
        _check_rectifier_tie(student, alpha)


# -------------------------------------------------------------------------------------------- Q6 softplus

# ζ' in its forms: σ(z) (as a statement ζ' = σ), e^z / (1 + e^z), and the code line.
SOFTPLUS_FORMS = [r"(ζ|\\zeta)'(\(z\))?=(σ|\\sigma|sigma)", r"(ζ|\\zeta)'(\(z\))?=\\?(frac\{)?e\^\{?z",
                  r"e\^\{?z\}?\}?\{?/?\(?1\+e\^\{?z\}?\)?\}?=(σ|\\sigma|sigma)",
                  r"derivative(is|was)(the|a|just)?(sigmoid|σ|\$\\sigma)", r",sigmoid\(z\)\[0\]$",
                  r"exp\(z\)/\(1\+exp\(z\)\)"]
softplus_derivative = Derivation(
    "a2.softplus_derivative", answers=["dsoftplus", "d2softplus_in_s"],
    topic="softplus' and softplus'' by the chain rule (notes 000, 002)", withheld=SOFTPLUS_FORMS)


@softplus_derivative.check(points=2, public=True)
def softplus_first_derivative(answers, rng):
    "ζ'(z) as an expression in z"
    derive.expect_expression(answers, "dsoftplus", "1 / (1 + exp(-z))", {"z": (-4.0, 4.0)},
                             hint="The derivative of log(u) is u'/u; here u = 1 + e^z. Then compare the result with the "
                                  "functions you already know (a fraction with e^z on top can be rewritten with e^-z).",
                             rng=rng, mistakes=[Mistake("the sign of the exponent was lost when the fraction was "
                                                        "rewritten: dividing top and bottom by e^z turns e^z into "
                                                        "e^-z in the denominator.", "1 / (1 + exp(z))")])


@softplus_derivative.check(points=1, public=True)
def softplus_second_derivative(answers, rng):
    "ζ''(z) written with s = σ(z) only"
    derive.expect_expression(answers, "d2softplus_in_s", "s * (1 - s)", {"s": (0.01, 0.99)},
                             hint="Differentiate your dsoftplus once more: it is a function you have met earlier in "
                                  "this notebook, so reuse what you derived there, written with s.", rng=rng,
                             mistakes=[Mistake("that is the first derivative again (the sigmoid itself): "
                                               "differentiate it once more.", "s")])


softplus = Question("a2.softplus", "softplus", references=[A.softplus, A.softplus_grad, A.sigmoid, A.sigmoid_grad,
                                                           layers.softplus_forward, layers.softplus_backward],
                    uses={"sigmoid": _sigmoid_pair}, topic="softplus without overflow, and its derivative in code",
                    withheld=SOFTPLUS_FORMS)
SP_VALUE_HINT = ("log(1 + e^z) overflows for large z: split off the part that grows linearly, so that the exponential "
                 "only ever sees a negative argument (np.logaddexp computes such a form too).")
SP_GRAD_HINT = ("Return the derivative you derived in Q8, computed without overflow (your own stable functions may "
                "be called).")


def _softplus_mistakes(z):
    s = _sigmoid_pair(z)[0]
    return ([], [Mistake("the sign of the exponent is flipped in the derivative: that is σ(-z), which decreases "
                         "with z. Revisit the rewriting of the fraction in Q8.", 1.0 - s),
                 Mistake("the derivative returned is the value: return ζ'(z), the function you derived in Q8.",
                         np.logaddexp(0.0, z))])


@softplus.check(points=1, public=True)
def softplus_value_and_derivative(student, rng):
    """value and derivative on a few inputs: the derivative passes a gradient check"""
    _check_activation(student, np.array([-3.0, -0.5, 0.0, 1.0, 4.0]), lambda z: A.softplus(z),
                      lambda z: A.softplus_grad(z), "softplus(z)", SP_VALUE_HINT, SP_GRAD_HINT, show=True,
                      mistakes=_softplus_mistakes)


@softplus.check(points=2)
def softplus_any_shape_and_extremes(student, rng):
    """any shape, and finite exact values at z = +-1000 (softplus(1000) = 1000)"""
    z = rng.uniform(-6, 6, size=_random_shape(rng))  # (beyond, the derivative is too small for a relative check)
    _check_activation(student, z, lambda v: A.softplus(v), lambda v: A.softplus_grad(v), "softplus(z)",
                      SP_VALUE_HINT, SP_GRAD_HINT, mistakes=_softplus_mistakes)
    z = np.array([-1000.0, -50.0, 50.0, 1000.0])
    value, grad = _pair(student(z), "softplus(z)")
    _expect_stable(value, A.softplus(z), "softplus(z) at very large |z|", hint=SP_VALUE_HINT)
    _expect_stable(grad, A.softplus_grad(z), "softplus's derivative at very large |z|", hint=SP_GRAD_HINT,
                   mistakes=_softplus_mistakes(z)[1])


# ---------------------------------------------------------------------------------------------- Q7 maxout

maxout = Question("a2.maxout", "maxout", references=[A.maxout_forward, A.maxout_backward],
                  topic="maxout units, and a maxout that is a ReLU (notes 002)")
MAXOUT_HINT = ("Check which columns form unit i's group (consecutive ones), which axis the max runs over after your "
               "reshape, and where the mask has its 1s: one per group, shaped like z.")


def _maxout_mistakes(z, k):
    """(output mistakes, mask mistakes) of maxout on z."""
    n, width = z.shape
    strided = z.reshape(n, k, width // k).max(axis=1)  # groups of every (width / k)-th column
    winners = np.repeat(A.maxout_forward(z, k)[0], k, axis=1)
    return ([Mistake("the groups are taken as every m-th column instead of k consecutive columns: check the order "
                     "of the axes in your reshape.", strided),
             Mistake("the max runs over the units instead of over each group's pieces: check the axis.",
                     z.reshape(n, width // k, k).max(axis=1))],
            [Mistake("the mask marks every piece of a group, not only its winner: the gradient flows to the "
                     "largest entry alone.", np.ones_like(z)),
             Mistake("the mask marks the group's smallest entry, not its largest.",
                     (z == np.repeat(z.reshape(n, width // k, k).min(axis=2), k, axis=1)).astype(float)),
             Mistake("the mask holds the winning values instead of 1s: it should be 0/1.", np.where(z == winners, z, 0.0))])


def _check_maxout(student, z, k, show=False):
    out_mistakes, mask_mistakes = _maxout_mistakes(z, k)
    out, mask = _pair(student(z, k), f"maxout(z, k={k})", names=("out", "mask"))
    expect_close(out, A.maxout_forward(z, k)[0], f"the output of maxout(z, k={k})", hint=MAXOUT_HINT, show=show,
                 mistakes=out_mistakes)
    mask = expect_shape(mask, z.shape, f"the mask returned by maxout(z, k={k})")
    dout = np.random.default_rng(z.size).normal(size=(len(z), z.shape[1] // k))  # random upstream gradient
    dz = np.repeat(dout, k, axis=1) * mask  # each group's upstream gradient, sent to its winner by the mask
    numeric = G.numerical_gradient_array(lambda v: A.maxout_forward(v, k)[0], z.copy(), dout)
    err = rel_error(dz, numeric)
    if err > GRAD_TOL:
        raise CheckFailed(f"gradient check of maxout(z, k={k}): repeat(dout, k) * mask differs from central "
                          f"differences of the reference maxout, relative error {err:.1e} (allowed {GRAD_TOL:.0e}).",
                          hint=MAXOUT_HINT, detail=(f"expected mask {np.array2string(numeric / np.repeat(dout, k, 1), precision=2)}"
                                                    f"\n     got mask {np.array2string(mask, precision=2)}")
                          if show else None,
                          diagnosis=likely_mistake(mask, (z == np.repeat(A.maxout_forward(z, k)[0], k, axis=1)).astype(float),
                                                   mistakes=mask_mistakes))


@maxout.check(points=1, public=True)
def two_pieces(student, rng):
    """two pieces per unit on a small example: output and mask of the winners"""
    z = np.array([[1.0, -2.0, 0.5, 3.0], [-1.0, -0.5, 2.0, 1.5]])
    _check_maxout(student, z, 2, show=True)


@maxout.check(points=2)
def many_pieces_and_units(student, rng):
    """random numbers of samples, units and pieces per unit"""
    for _ in range(3):
        n, m, k = (int(v) for v in rng.integers(1, 5, size=3))
        k += 1
        z = rng.permutation(np.linspace(-3, 3, n * m * k)).reshape(n, m * k)  # distinct values: no ties, no kinks
        _check_maxout(student, z, k)


# ------------------------------------------------------------------------------------- Q8 squared error

# The squared error's gradient in its forms: (o - y) / n, o - y for one sample, and the code line.
SQUARED_FORMS = [r"\((o|a|pred)(_i)?-y(_i)?\)/n", r"\\frac\{(o|a)(_i)?-y(_i)?\}\{n\}", r"diff/n",
                 r"(^|[^0-9a-z])2\((o|a)-y\)", r"(o|a)(_i)?-y(_i)?\)?\$?(isthe|=)(per-sample)?(gradient|derivative)",
                 r"\\partial(L|l|\\ell)\}?\{?/?\\partial(o|a)(_i)?\}?=\\?(frac\{)?\(?(o|a)"]
squared_error_gradient = Derivation(
    "a2.squared_error_gradient", answers=["dl_do", "dL_do_batch"],
    topic="the gradient of the squared error, for one sample and for a batch mean (notes 002, 004)",
    withheld=SQUARED_FORMS)


@squared_error_gradient.check(points=1, public=True)
def squared_error_one_sample(answers, rng):
    "∂ℓ/∂o of ℓ = ½ (o - y)² for one sample, in o and y"
    derive.expect_expression(answers, "dl_do", "o - y", {"o": (-3.0, 3.0), "y": (-3.0, 3.0)},
                             hint="The power rule on the square, then the inner derivative of o - y with respect to o; "
                                  "the ½ is there to meet the power's factor.", rng=rng,
                             mistakes=[Mistake("the opposite sign: the inner derivative of o - y with respect to o is "
                                               "+1 (it is y - o whose inner derivative is -1).", "y - o")])


@squared_error_gradient.check(points=1, public=True)
def squared_error_batch_mean(answers, rng):
    "∂L/∂o_i of the batch mean L, in o (for o_i), y (for y_i) and n"
    derive.expect_expression(answers, "dL_do_batch", "(o - y) / n", {"o": (-3.0, 3.0), "y": (-3.0, 3.0),
                                                                     "n": (1.0, 64.0)},
                             hint="Of the n terms of the mean only sample i's depends on o_i; the others differentiate "
                                  "to 0, and the mean's factor stays.", rng=rng,
                             mistakes=[Mistake("the batch mean's factor is missing: L averages the n per-sample "
                                               "losses, and that factor stays in every sample's derivative.", "o - y"),
                                       Mistake("the batch mean's factor is missing and the sign is flipped.",
                                               "y - o")])


squared = Question("a2.squared_error", "squared_error", references=[L.squared_error], withheld=SQUARED_FORMS,
                   topic="Gaussian likelihood to squared error, which learns the conditional mean (notes 002, 004)")
SQ_VALUE_HINT = ("Check the three steps of the loss: the square of each difference, the constant in front, and what "
                 "is summed (the outputs of a row) and what is averaged (the n rows).")


def _squared_mistakes(pred, y):
    diff = np.asarray(pred, dtype=float) - y
    return ([Mistake("averaged over every entry instead of over the n rows: the outputs of one row are summed.",
                     lambda: 0.5 * float(np.mean(diff ** 2)))] if diff.ndim > 1 else [],
            [Mistake("averaged over every entry instead of over the n rows: the gradient's factor is 1/n.",
                     lambda: diff / diff.size)] if diff.ndim > 1 else [])
SQ_GRAD_HINT = ("Return the batch gradient you derived in Q11, for every entry at once, shaped like pred; the mean "
                "over the n rows brings its factor.")


@squared.check(points=1, public=True)
def squared_small_batch(student, rng):
    """value and gradient on a small batch"""
    _check_loss(student, np.array([0.5, 2.0, -1.0]), np.array([1.0, 2.0, 0.0]), L.squared_error,
                "squared_error(pred, y)", SQ_VALUE_HINT, SQ_GRAD_HINT, show=True, mistakes=_squared_mistakes)


@squared.check(points=1)
def squared_random_batches(student, rng):
    """random batches with one or several outputs per sample"""
    for shape in [(int(rng.integers(2, 9)),), (int(rng.integers(2, 9)), int(rng.integers(2, 4)))]:
        _check_loss(student, rng.normal(size=shape), rng.normal(size=shape), L.squared_error,
                    "squared_error(pred, y)", SQ_VALUE_HINT, SQ_GRAD_HINT, mistakes=_squared_mistakes)


# ------------------------------------------------------------------------------------ Q9 absolute error

absolute = Question("a2.absolute_error", "absolute_error", references=[L.absolute_error],
                    topic="Laplace likelihood to absolute error, which learns the conditional median (notes 002, 004)")
ABS_VALUE_HINT = ("Check the steps of the loss: the size of each difference, what is summed (the outputs of a row) "
                  "and what is averaged (the n rows).")
ABS_GRAD_HINT = ("The derivative of |o - y| on each side of the kink, at the kink the course's convention for sign(0), "
                 "and the batch mean's factor.")
ABS_TIE = ("a tie broken the other way: where a prediction equals its target the course takes sign(0) = +1, but "
           "your gradient gives another value there (np.sign returns 0). Revisit the convention for the tie.")


def _absolute_mistakes(pred, y):
    diff = np.asarray(pred, dtype=float) - y
    n = len(diff)
    return ([], [Mistake(ABS_TIE, lambda: np.sign(diff) / n), Mistake(ABS_TIE, lambda: np.where(diff > 0, 1.0, -1.0) / n),
                 Mistake("the gradient's sign is flipped where the prediction is off: it is + where the prediction is "
                         "above its target.", lambda: np.where(diff >= 0, -1.0, 1.0) / n)])


def _check_absolute_tie(student, pred, y, what, show=False):
    """Where a prediction equals its target the gradient is +1/n (the course's sign(0) = +1)."""
    value, grad = _pair(student(pred, y), what, names=("value", "gradient"))
    expect_close(grad, L.absolute_error(pred, y)[1], f"the gradient of {what} where a prediction equals its target",
                 hint=ABS_GRAD_HINT, show=show, n=len(pred), mistakes=_absolute_mistakes(pred, y)[1])


@absolute.check(points=1, public=True)
def absolute_small_batch(student, rng):
    """value and gradient on a small batch, and +1/n where a prediction equals its target (sign(0) = +1)"""
    _check_loss(student, np.array([0.5, 2.5, -1.0]), np.array([1.0, 2.0, 0.0]), L.absolute_error,
                "absolute_error(pred, y)", ABS_VALUE_HINT, ABS_GRAD_HINT, show=True, mistakes=_absolute_mistakes)
    _check_absolute_tie(student, np.array([0.5, 2.0, -1.0]), np.array([1.0, 2.0, 0.0]), "absolute_error(pred, y)",
                        show=True)


@absolute.check(points=1)
def absolute_random_batches(student, rng):
    """random batches with one or several outputs per sample, and ties (a prediction equal to its target)"""
    for shape in [(int(rng.integers(2, 9)),), (int(rng.integers(2, 9)), int(rng.integers(2, 4)))]:
        y = rng.normal(size=shape)
        _check_loss(student, y + _off_kinks(rng, shape, gap=0.05), y, L.absolute_error, "absolute_error(pred, y)",
                    ABS_VALUE_HINT, ABS_GRAD_HINT, mistakes=_absolute_mistakes)
    y = rng.normal(size=(int(rng.integers(3, 9)), 2))
    pred = y + _off_kinks(rng, y.shape, gap=0.05)
    pred[::2, 0] = y[::2, 0]  # ties
    _check_absolute_tie(student, pred, y, "absolute_error(pred, y)")


# ------------------------------------------------------------------------- Q10 binary cross-entropy (logits)

# The binary cross-entropy's gradients in their forms: σ(z) - y, a - y, p - y, (p - y) / (p (1 - p)), y/p - (1-y)/(1-p).
BCE_FORMS = [r"(σ|\\sigma|sigma)(\(z(_i)?\)|\(z\)\[0\])?-y", r"(^|[^a-zA-Z_\\])(a|p)(_i)?-y(_i)?(?!\)(\^|\*\*))($|[^a-zA-Z_(])",
             r"y/(a|p)-\(1-y\)/\(1-(a|p)\)", r"\\frac\{y\}\{(a|p)\}-\\frac\{1-y\}\{1-(a|p)\}",
             r"\\frac\{(a|p)-y\}", r"\((a|p)-y\)/\((a|p)\*?\(1-(a|p)\)\)"]
bce_gradient = Derivation(
    "a2.bce_gradient", answers=["dL_da", "dL_dz"],
    topic="the gradient of the binary cross-entropy through a sigmoid output (notes 002, 003)", withheld=BCE_FORMS)


@bce_gradient.check(points=2, public=True)
def bce_gradient_in_a(answers, rng):
    "∂L/∂a of L = -(y log a + (1 - y) log(1 - a)), in a and y"
    derive.expect_expression(answers, "dL_da", "-(y / a - (1 - y) / (1 - a))", {"a": (0.02, 0.98), "y": (0.0, 1.0)},
                             hint="Differentiate each logarithm with respect to a: the derivative of log(u) is u'/u, "
                                  "and the inner derivative of 1 - a carries a sign. Keep the minus sign in front.",
                             rng=rng, mistakes=[Mistake("the inner derivative of log(1 - a) lost its minus sign: the "
                                                        "two fractions must have opposite signs.",
                                                        "-(y / a + (1 - y) / (1 - a))")])


@bce_gradient.check(points=2, public=True)
def bce_gradient_in_z(answers, rng):
    "∂L/∂z with a = σ(z), in a and y"
    derive.expect_expression(answers, "dL_dz", "a - y", {"a": (0.02, 0.98), "y": (0.0, 1.0)},
                             hint="Chain rule: your dL_da times da/dz, with da/dz the sigmoid's derivative written in "
                                  "a (Q3). Put the two fractions of dL_da over one denominator before multiplying.",
                             rng=rng, mistakes=[Mistake("a factor that should cancel is still there: the sigmoid's "
                                                        "derivative a (1 - a) cancels the denominator of dL_da; "
                                                        "multiply the two and simplify.", "(a - y) * a * (1 - a)"),
                                                Mistake("the chain rule stops at a: dL_da still has to be multiplied "
                                                        "by da/dz.", "-(y / a - (1 - y) / (1 - a))")])


bce = Question("a2.bce_from_logits", "bce_from_logits", withheld=BCE_FORMS,
               topic="Bernoulli likelihood, sigmoid output, the loss in softplus form (notes 002, 003)",
               references=[L.bce_from_logits, L.bce_from_probs, A.softplus, A.softplus_grad, A.sigmoid,
                           A.sigmoid_grad],
               uses={"sigmoid": _sigmoid_pair, "softplus": _softplus_pair})
BCE_VALUE_HINT = ("Write the loss with the softplus of the text, computed so that it never overflows; computing "
                  "sigma(z) first and then its log gives log(0) = -inf once |z| is large.")


def _bce_mistakes(z, y):
    p = _sigmoid_pair(z)[0]
    return ([], [Mistake("the chain rule stops at the probability: that is the derivative with respect to a = σ(z); "
                         "multiply by da/dz and simplify.", lambda: -(y / p - (1 - y) / (1 - p)) / len(z))])
BCE_GRAD_HINT = ("Return the gradient you derived in Q14 for each logit, written with a stable sigmoid of z, and "
                 "the batch mean's factor.")


@bce.check(points=1, public=True)
def bce_small_batch(student, rng):
    """value and gradient on a small batch of logits and 0/1 labels"""
    _check_loss(student, np.array([2.0, -1.0, 0.5, -3.0]), np.array([1.0, 1.0, 0.0, 0.0]), L.bce_from_logits,
                "bce_from_logits(z, y)", BCE_VALUE_HINT, BCE_GRAD_HINT, show=True, mistakes=_bce_mistakes)


@bce.check(points=1, public=True)
def bce_logits_of_1000(student, rng):
    """stays finite and exact for logits of +-1000, confidently right and confidently wrong"""
    z, y = np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([1.0, 0.0, 0.0, 1.0])
    value, grad = _pair(student(z, y), "bce_from_logits(z, y)", names=("value", "gradient"))
    _expect_stable(value, L.bce_from_logits(z, y)[0], "bce_from_logits at logits +-1000", hint=BCE_VALUE_HINT,
                   show=True)
    _expect_stable(grad, L.bce_from_logits(z, y)[1], "the gradient of bce_from_logits at logits +-1000",
                   hint=BCE_GRAD_HINT, show=True, n=len(z))


@bce.check(points=2)
def bce_random_batches(student, rng):
    """random batches, one or several outputs per sample, and large logits mixed in"""
    for shape in [(int(rng.integers(2, 9)),), (int(rng.integers(2, 9)), int(rng.integers(2, 4)))]:
        z, y = rng.normal(scale=3.0, size=shape), rng.integers(0, 2, size=shape).astype(float)
        _check_loss(student, z, y, L.bce_from_logits, "bce_from_logits(z, y)", BCE_VALUE_HINT, BCE_GRAD_HINT,
                    mistakes=_bce_mistakes)
    z, y = rng.choice([-1.0, 1.0], size=6) * rng.uniform(300, 800, size=6), rng.integers(0, 2, size=6).astype(float)
    value, grad = _pair(student(z, y), "bce_from_logits(z, y)", names=("value", "gradient"))
    _expect_stable(value, L.bce_from_logits(z, y)[0], "bce_from_logits at large logits", hint=BCE_VALUE_HINT)
    _expect_stable(grad, L.bce_from_logits(z, y)[1], "the gradient of bce_from_logits at large logits",
                   hint=BCE_GRAD_HINT, n=len(z))


# --------------------------------------------------------------------------- Q11 softmax cross-entropy

# The softmax cross-entropy's gradients in their forms: softmax - onehot, P - Y, p - 1 at the true class, the code line.
SOFTMAX_FORMS = [r"softmax\((z|s|scores)\)(_j|_y)?-", r"(softmax|probabilities|probs?)(ofeachrow)?minus(the)?(one-?hot|1)",
                 r"\((P|probs?)-(Y|onehot)", r"grad\[rows,y\]-=1", r"(^|[^a-zA-Z_])p(_j|_y)?-1($|[^0-9.e])",
                 r"-\[j=y\]", r"\\partial(\\operatorname\{LSE\}|LSE)\(?z?\)?/\\partialz_j=",
                 r"LSE\}?/\\partialz_j\}?=", r"(-|minus)(the)?onehot"]
softmax_ce_gradient = Derivation(
    "a2.softmax_ce_gradient", answers=["dlse_dz", "dL_dz_true", "dL_dz_other", "dL_dZ"],
    topic="the gradient of softmax cross-entropy, per component and for a batch (notes 002)", withheld=SOFTMAX_FORMS)


@softmax_ce_gradient.check(points=1, public=True)
def log_sum_exp_gradient(answers, rng):
    "∂LSE/∂z_j, in z (for z_j) and S = Σ_k e^(z_k)"
    derive.expect_expression(answers, "dlse_dz", "exp(z) / S", {"z": (-3.0, 3.0), "S": (0.5, 30.0)},
                             hint="The derivative of log(S) is S'/S; of the sum S only one term depends on z_j.",
                             rng=rng)


@softmax_ce_gradient.check(points=1, public=True)
def softmax_ce_true_class(answers, rng):
    "∂L/∂z_j for j the true class y, in p = softmax(z)_j"
    derive.expect_expression(answers, "dL_dz_true", "p - 1", {"p": (0.01, 0.99)},
                             hint="L = LSE(z) - z_y: your dlse_dz written as a softmax, minus the derivative of z_y "
                                  "with respect to z_j when j is y.", rng=rng)


@softmax_ce_gradient.check(points=1, public=True)
def softmax_ce_other_class(answers, rng):
    "∂L/∂z_j for a class j other than y, in p = softmax(z)_j"
    derive.expect_expression(answers, "dL_dz_other", "p", {"p": (0.01, 0.99)},
                             hint="L = LSE(z) - z_y: what does z_y contribute to the derivative when j is not y?",
                             rng=rng)


@softmax_ce_gradient.check(points=1, public=True)
def softmax_ce_batch(answers, rng):
    "∂L/∂Z of the batch mean, in P (softmax rows), Y (one-hot rows) and n"
    derive.expect_matrix_expression(answers, "dL_dZ", "(P - Y) / n", {"P": (4, 3), "Y": (4, 3), "n": ()},
                                    hint="Put the two per-component results of one row together with the one-hot row "
                                         "of its label; then the batch mean's factor. The result is shaped like Z.",
                                    rng=rng, mistakes=[Mistake("the batch mean's factor is missing: the loss averages "
                                                               "the n rows.", "P - Y"),
                                                       Mistake("your result is transposed: the gradient is shaped "
                                                               "like Z, one row per sample.", "(P - Y).T / n")])


softmax_ce = Question("a2.softmax_cross_entropy", "softmax_cross_entropy", withheld=SOFTMAX_FORMS,
                      topic="Multinoulli likelihood, softmax output, log-sum-exp without overflow (notes 002)",
                      references=[L.softmax_cross_entropy, A.softmax, A.log_sum_exp, layers.softmax_forward,
                                  layers.softmax_backward, *SCIPY_SOFTMAX])
SCE_VALUE_HINT = ("Write the loss with the log-sum-exp of the text, shifted by each row's max before exponentiating, "
                  "and never take the log of a softmax.")


def _sce_mistakes(scores, y):
    scores = np.asarray(scores, dtype=float)
    n, rows = len(scores), np.arange(len(scores))
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    e0 = np.exp(scores - scores.max(axis=0, keepdims=True))
    probs0 = e0 / e0.sum(axis=0, keepdims=True)
    minus = probs0.copy()
    minus[rows, y] -= 1.0
    return ([], [Mistake("the true class's -1 is missing: the loss's second term, -s_y, adds it to each row's "
                         "gradient.", lambda: probs / n),
                 Mistake("the softmax is normalized over the samples (axis 0) instead of over each row's classes.",
                         lambda: minus / n)])
SCE_GRAD_HINT = ("Return the batch gradient you derived in Q16, shaped like scores, with the softmax of each row "
                 "computed from the shifted scores; mind the true class of each row and the batch mean's factor.")


def _check_sce_exact(student, scores, y, what, show=False):
    value, grad = _pair(student(scores, y), what, names=("value", "gradient"))
    expected_value, expected_grad = L.softmax_cross_entropy(scores, y)
    _expect_stable(value, expected_value, f"the value of {what}", hint=SCE_VALUE_HINT, show=show)
    _expect_stable(grad, expected_grad, f"the gradient of {what}", hint=SCE_GRAD_HINT, show=show, n=len(scores),
                   mistakes=_sce_mistakes(scores, y)[1])


@softmax_ce.check(points=1, public=True)
def sce_small_batch(student, rng):
    """value and gradient on a small batch of scores and integer labels"""
    _check_loss(student, np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0]]), np.array([0, 1]), L.softmax_cross_entropy,
                "softmax_cross_entropy(scores, y)", SCE_VALUE_HINT, SCE_GRAD_HINT, show=True, mistakes=_sce_mistakes)


@softmax_ce.check(points=1, public=True)
def sce_scores_of_1000(student, rng):
    """stays finite and exact for scores of +-1000"""
    scores = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [1000.0, 1000.0, -1000.0]])
    _check_sce_exact(student, scores, np.array([1, 2, 0]), "softmax_cross_entropy at scores of +-1000", show=True)


@softmax_ce.check(points=2)
def sce_random_batches_and_shift(student, rng):
    """random batches and class counts, gradient-checked; a large shift of every score changes nothing"""
    n, C = int(rng.integers(2, 7)), int(rng.integers(2, 6))
    scores, y = rng.normal(scale=2.0, size=(n, C)), rng.integers(0, C, size=n)
    _check_loss(student, scores, y, L.softmax_cross_entropy, "softmax_cross_entropy(scores, y)", SCE_VALUE_HINT,
                SCE_GRAD_HINT, mistakes=_sce_mistakes)
    shift = float(rng.choice([-1.0, 1.0]) * rng.uniform(700, 1000))
    _check_sce_exact(student, scores + shift, y, "softmax_cross_entropy with every score shifted by a large constant")


# ------------------------------------------------------------------------------------------ written answers

reflection_mean_median = Written("a2.reflection_mean_median", 2,
                                 topic="mean or median: which loss for a skewed target (notes 002)")
reflection_output_units = Written("a2.reflection_output_units", 2,
                                  topic="output units and losses chosen together (notes 002, 004)")
