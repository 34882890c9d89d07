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
from ..checks import CheckFailed, as_array, expect_close, expect_shape, expect_tuple, rel_error
from ..question import Derivation, Question

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


def _check_activation(student, z, ref_value, ref_grad, what, value_hint, grad_hint, args=(), show=False, tol=1e-7):
    """Value against the reference, then the derivative by a gradient check of the reference forward pass."""
    value, grad = _pair(student(z, *args), what)
    expect_close(value, ref_value(z, *args), f"the value of {what}", tol=tol, hint=value_hint, show=show)
    grad = expect_shape(grad, z.shape, f"the derivative returned by {what}")
    dout = np.random.default_rng(z.size).normal(size=z.shape)  # a random upstream gradient, never all ones
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
                          f"(allowed {GRAD_TOL:.0e}).", hint=grad_hint, detail=detail)


def _check_loss(student, pred, y, ref, what, value_hint, grad_hint, show=False, tol=1e-7):
    value, grad = _pair(student(pred, y), what, names=("value", "gradient"))
    value = as_array(value, f"the value of {what}")
    if value.shape not in ((), (1,)):
        raise CheckFailed(f"the value of {what} must be one number (the mean over the batch); got shape {value.shape}.",
                          hint="Average the per-sample losses over the batch: a float, not an array.")
    expect_close(float(value.reshape(())), ref(pred, y)[0], f"the value of {what}", tol=tol, hint=value_hint, show=show)
    grad = expect_shape(grad, np.shape(pred), f"the gradient returned by {what}")
    if not np.isfinite(grad).all():
        raise CheckFailed(f"the gradient returned by {what} contains NaN or infinity.", hint=grad_hint)
    numeric = G.numerical_gradient(lambda v: ref(v, y)[0], np.array(pred, dtype=np.float64))
    err = rel_error(grad, numeric)
    if err > GRAD_TOL:
        raise CheckFailed(f"gradient check of {what}: your gradient differs from central differences of the reference "
                          f"loss, relative error {err:.1e} (allowed {GRAD_TOL:.0e}).", hint=grad_hint)


# ------------------------------------------------------------------------------------ Q1 numerical gradient
numgrad = Question("a2.numerical_gradient", "numerical_gradient",
                   references=[G.numerical_gradient, G.numerical_gradient_array, G.check_model_gradients])
NUMGRAD_HINT = ("For each entry i: (f(x + h e_i) - f(x - h e_i)) / (2h), a step on both sides (the one-sided "
                "difference is only accurate to O(h)); put x[i] back before moving to the next entry.")


@numgrad.check(points=1, public=True)
def gradient_of_a_quadratic(student, rng):
    """returns the gradient of f(x) = sum(x^2) at a vector x (that is 2x), with x's shape"""
    x = np.array([1.0, -2.0, 0.5])
    expect_close(student(props.sum_of_squares, x), 2 * x, "numerical_gradient(f, x) for f(x) = sum(x**2)",
                 tol=1e-7, hint=NUMGRAD_HINT, show=True)


@numgrad.check(points=1, public=True)
def central_not_one_sided(student, rng):
    """is accurate to O(h^2): matches the exact gradient of sum(exp(x)) to 1e-8"""
    x = np.array([0.3, -1.2, 2.0, 0.0])
    expect_close(student(props.sum_of_exp, x), np.exp(x),
                 "numerical_gradient(f, x) for f(x) = sum(exp(x))", tol=1e-8, hint=NUMGRAD_HINT, show=True)


@numgrad.check(points=2)
def matrices_coupled_functions_and_h(student, rng):
    """works on matrices, for functions that mix the entries, and uses the step h it is given"""
    for _ in range(2):
        shape = (int(rng.integers(2, 5)), int(rng.integers(2, 5)))
        x, M = rng.normal(size=shape), rng.normal(size=shape)
        f = functools.partial(props.coupled, M=M)
        expect_close(student(f, x.copy()), G.numerical_gradient(f, x.copy()),
                     "numerical_gradient(f, X) for a matrix X and a function coupling its entries", tol=1e-7,
                     hint=NUMGRAD_HINT + " A wrong answer here often means x was not restored after a step.")
    x, h = rng.normal(size=5), float(rng.choice([1e-2, 3e-3]))
    # the central difference of x^3 is 3x^2 + h^2 exactly: the answer shows which h was used
    expect_close(student(props.sum_of_cubes, x, h), 3 * x ** 2 + h ** 2,
                 "numerical_gradient(f, x, h) with a large h", tol=1e-8,
                 hint="Use the argument h, not a constant of your own, and step by h on both sides.")


# ---------------------------------------------------------------------------------------- Q2 relative error

relerr = Question("a2.rel_error", "rel_error", references=[G.rel_error, checks.rel_error])
REL_HINT = ("Elementwise |a - b| / max(1e-8, |a| + |b|), then the largest entry: the absolute value in the "
            "numerator, the sum of magnitudes (floored at 1e-8) in the denominator.")


def _expect_rel(student, a, b, what, show=False):
    got = as_array(student(a, b), what)
    if got.size != 1:
        raise CheckFailed(f"{what} must return one number; got shape {got.shape}.", hint="Take the max over all entries.")
    expect_close(float(got.reshape(())), G.rel_error(a, b), what, tol=1e-9, hint=REL_HINT, show=show)


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

sigmoid_derivative = Derivation(
    "a2.sigmoid_derivative", answers=["dsigma_in_z", "dsigma_in_s"],
    topic="σ' by the chain rule, then written with σ itself (notes 000, 004)",
    withheld=[r"\(1-(s|σ|\\sigma|σ\(z\)|\\sigma\(z\))\)", r"(s|σ|\\sigma)-(s|σ|\\sigma)(\*\*|\^)\{?2",
              r"e\^\{?-z\}?\}?\{?\(1\+e\^\{?-z\}?\)\^\{?2", r"exp\(-z\)/\(1\+exp\(-z\)\)\*\*2"])
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
    derive.expect_expression(answers, "dsigma_in_s", "s - s**2", {"s": (0.01, 0.99)}, hint=SIG_IN_S_HINT, rng=rng)


sigmoid = Question("a2.sigmoid", "sigmoid", references=[A.sigmoid, A.sigmoid_grad, layers.sigmoid_forward,
                                                        layers.sigmoid_backward])
SIG_VALUE_HINT = "sigma(z) = 1 / (1 + e^-z); for z < 0 use the equal form e^z / (1 + e^z), so exp never overflows."
SIG_GRAD_HINT = "sigma'(z) = sigma(z) (1 - sigma(z)): the sigmoid times one minus the sigmoid, not the sigmoid itself."
_sig_value = lambda z: A.sigmoid(z)
_sig_grad = lambda z: A.sigmoid_grad(z)


@sigmoid.check(points=1, public=True)
def sigmoid_value_and_derivative(student, rng):
    """value and derivative on a few inputs: the derivative passes a gradient check"""
    _check_activation(student, np.array([-2.0, -0.5, 0.0, 1.0, 3.0]), _sig_value, _sig_grad, "sigmoid(z)",
                      SIG_VALUE_HINT, SIG_GRAD_HINT, show=True)


@sigmoid.check(points=2)
def sigmoid_any_shape_and_extremes(student, rng):
    """any shape, and finite exact values at z = +-1000"""
    z = rng.uniform(-6, 6, size=_random_shape(rng))
    _check_activation(student, z, _sig_value, _sig_grad, "sigmoid(z)", SIG_VALUE_HINT, SIG_GRAD_HINT)
    z = np.array([-1000.0, -40.0, 40.0, 1000.0])
    value, grad = _pair(student(z), "sigmoid(z)")
    expect_close(value, A.sigmoid(z), "sigmoid(z) at very large |z|", hint=SIG_VALUE_HINT)
    expect_close(grad, A.sigmoid_grad(z), "sigmoid's derivative at very large |z|", hint=SIG_GRAD_HINT)


# ------------------------------------------------------------------------------------------------ Q4 tanh

tanh = Question("a2.tanh", "tanh", references=[A.tanh, A.tanh_grad, layers.tanh_forward, layers.tanh_backward])
TANH_HINT = "tanh'(z) = 1 - tanh(z)^2 (np.tanh is welcome for the value)."


@tanh.check(points=1, public=True)
def tanh_value_and_derivative(student, rng):
    """value and derivative on a few inputs: the derivative passes a gradient check"""
    _check_activation(student, np.array([-2.0, -0.5, 0.0, 1.0, 3.0]), lambda z: np.tanh(z),
                      lambda z: A.tanh_grad(z), "tanh(z)", "tanh(z) = (e^z - e^-z) / (e^z + e^-z)", TANH_HINT,
                      show=True)


@tanh.check(points=1)
def tanh_any_shape_and_extremes(student, rng):
    """any shape, and exactly +-1 with derivative 0 at z = +-1000"""
    z = rng.uniform(-4, 4, size=_random_shape(rng))
    _check_activation(student, z, lambda v: np.tanh(v), lambda v: A.tanh_grad(v), "tanh(z)", TANH_HINT, TANH_HINT)
    z = np.array([-1000.0, 1000.0])
    value, grad = _pair(student(z), "tanh(z)")
    expect_close(value, np.tanh(z), "tanh(z) at z = +-1000",
                 hint="e^1000 overflows: use np.tanh, or 2 sigma(2z) - 1 with a stable sigmoid.")
    expect_close(grad, np.zeros(2), "tanh's derivative at z = +-1000", hint=TANH_HINT)


# ------------------------------------------------------------------------------------------- Q5 rectifier

rectifier = Question("a2.rectifier", "rectifier",
                     references=[A.relu, A.relu_grad, A.leaky_relu, A.leaky_relu_grad, A.abs_relu, A.abs_relu_grad,
                                 A.step, layers.relu_forward, layers.relu_backward, layers.leaky_relu_forward,
                                 layers.leaky_relu_backward, layers.abs_relu_forward, layers.abs_relu_backward])
RECT_VALUE_HINT = "g(z) = max(0, z) + alpha min(0, z): z where z >= 0, alpha z where z < 0."
RECT_GRAD_HINT = "g'(z) = 1 where z >= 0 and alpha where z < 0 (the slope of each piece)."


@rectifier.check(points=1, public=True)
def relu_and_leaky_relu(student, rng):
    """ReLU (alpha = 0) and leaky ReLU (alpha = 0.01) on a few inputs, with a gradient check"""
    z = np.array([-2.0, -0.5, 0.3, 1.0, 3.0])
    for alpha in (0.0, 0.01):
        _check_activation(student, z, _rectifier, _rectifier_grad, f"rectifier(z, alpha={alpha})", RECT_VALUE_HINT,
                          RECT_GRAD_HINT, args=(alpha,), show=True)


@rectifier.check(points=2)
def absolute_value_and_random_slopes(student, rng):
    """absolute-value rectification (alpha = -1) and random slopes, any shape, off the kink"""
    for alpha in (-1.0, float(rng.uniform(0.05, 0.5))):
        z = _off_kinks(rng, _random_shape(rng))
        _check_activation(student, z, _rectifier, _rectifier_grad, "rectifier(z, alpha)", RECT_VALUE_HINT,
                          RECT_GRAD_HINT, args=(alpha,))


# -------------------------------------------------------------------------------------------- Q6 softplus

softplus = Question("a2.softplus", "softplus", references=[A.softplus, A.softplus_grad, A.sigmoid, A.sigmoid_grad,
                                                           layers.softplus_forward, layers.softplus_backward],
                    uses={"sigmoid": _sigmoid_pair})
SP_VALUE_HINT = ("log(1 + e^z) overflows for large z: use max(0, z) + log(1 + e^-|z|), which is the same number "
                 "(np.logaddexp(0, z) computes it too).")
SP_GRAD_HINT = "The derivative of log(1 + e^z) is e^z / (1 + e^z) = sigma(z)."


@softplus.check(points=1, public=True)
def softplus_value_and_derivative(student, rng):
    """value and derivative on a few inputs: the derivative passes a gradient check"""
    _check_activation(student, np.array([-3.0, -0.5, 0.0, 1.0, 4.0]), lambda z: A.softplus(z),
                      lambda z: A.softplus_grad(z), "softplus(z)", SP_VALUE_HINT, SP_GRAD_HINT, show=True)


@softplus.check(points=2)
def softplus_any_shape_and_extremes(student, rng):
    """any shape, and finite exact values at z = +-1000 (softplus(1000) = 1000)"""
    z = rng.uniform(-8, 8, size=_random_shape(rng))
    _check_activation(student, z, lambda v: A.softplus(v), lambda v: A.softplus_grad(v), "softplus(z)",
                      SP_VALUE_HINT, SP_GRAD_HINT)
    z = np.array([-1000.0, -50.0, 50.0, 1000.0])
    value, grad = _pair(student(z), "softplus(z)")
    expect_close(value, A.softplus(z), "softplus(z) at very large |z|", hint=SP_VALUE_HINT)
    expect_close(grad, A.softplus_grad(z), "softplus's derivative at very large |z|", hint=SP_GRAD_HINT)


# ---------------------------------------------------------------------------------------------- Q7 maxout

maxout = Question("a2.maxout", "maxout", references=[A.maxout_forward, A.maxout_backward])
MAXOUT_HINT = ("Reshape z (n, m*k) to (n, m, k): unit i's group is columns i*k ... i*k + k - 1. The output is the "
               "max over the last axis; the mask has a 1 where z_j is its group's max and 0 elsewhere, shaped like z.")


def _check_maxout(student, z, k, show=False):
    out, mask = _pair(student(z, k), f"maxout(z, k={k})", names=("out", "mask"))
    expect_close(out, A.maxout_forward(z, k)[0], f"the output of maxout(z, k={k})", hint=MAXOUT_HINT, show=show)
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
                          if show else None)


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

squared = Question("a2.squared_error", "squared_error", references=[L.squared_error])
SQ_VALUE_HINT = "L = 1/(2n) sum ||pred_i - y_i||^2: half the squared error, summed over outputs, averaged over the n rows."
SQ_GRAD_HINT = "dL/dpred = (pred - y) / n: the 1/2 cancels the 2 of the square, and the mean brings 1/n."


@squared.check(points=1, public=True)
def squared_small_batch(student, rng):
    """value and gradient on a small batch"""
    _check_loss(student, np.array([0.5, 2.0, -1.0]), np.array([1.0, 2.0, 0.0]), L.squared_error,
                "squared_error(pred, y)", SQ_VALUE_HINT, SQ_GRAD_HINT, show=True)


@squared.check(points=1)
def squared_random_batches(student, rng):
    """random batches with one or several outputs per sample"""
    for shape in [(int(rng.integers(2, 9)),), (int(rng.integers(2, 9)), int(rng.integers(2, 4)))]:
        _check_loss(student, rng.normal(size=shape), rng.normal(size=shape), L.squared_error,
                    "squared_error(pred, y)", SQ_VALUE_HINT, SQ_GRAD_HINT)


# ------------------------------------------------------------------------------------ Q9 absolute error

absolute = Question("a2.absolute_error", "absolute_error", references=[L.absolute_error])
ABS_VALUE_HINT = "L = 1/n sum ||pred_i - y_i||_1: absolute differences, summed over outputs, averaged over the n rows."
ABS_GRAD_HINT = "dL/dpred = sign(pred - y) / n: +1/n where the prediction is above the target, -1/n below."


@absolute.check(points=1, public=True)
def absolute_small_batch(student, rng):
    """value and gradient on a small batch"""
    _check_loss(student, np.array([0.5, 2.5, -1.0]), np.array([1.0, 2.0, 0.0]), L.absolute_error,
                "absolute_error(pred, y)", ABS_VALUE_HINT, ABS_GRAD_HINT, show=True)


@absolute.check(points=1)
def absolute_random_batches(student, rng):
    """random batches with one or several outputs per sample (no prediction equal to its target)"""
    for shape in [(int(rng.integers(2, 9)),), (int(rng.integers(2, 9)), int(rng.integers(2, 4)))]:
        y = rng.normal(size=shape)
        _check_loss(student, y + _off_kinks(rng, shape, gap=0.05), y, L.absolute_error, "absolute_error(pred, y)",
                    ABS_VALUE_HINT, ABS_GRAD_HINT)


# ------------------------------------------------------------------------- Q10 binary cross-entropy (logits)

bce = Question("a2.bce_from_logits", "bce_from_logits",
               references=[L.bce_from_logits, L.bce_from_probs, A.softplus, A.softplus_grad, A.sigmoid,
                           A.sigmoid_grad],
               uses={"sigmoid": _sigmoid_pair, "softplus": _softplus_pair})
BCE_VALUE_HINT = ("L = 1/n sum softplus((1 - 2y) z), with a softplus that never overflows; computing sigma(z) first "
                  "and then log(sigma) gives log(0) = -inf once |z| is large.")
BCE_GRAD_HINT = "dL/dz = (sigma(z) - y) / n."


@bce.check(points=1, public=True)
def bce_small_batch(student, rng):
    """value and gradient on a small batch of logits and 0/1 labels"""
    _check_loss(student, np.array([2.0, -1.0, 0.5, -3.0]), np.array([1.0, 1.0, 0.0, 0.0]), L.bce_from_logits,
                "bce_from_logits(z, y)", BCE_VALUE_HINT, BCE_GRAD_HINT, show=True)


@bce.check(points=1, public=True)
def bce_logits_of_1000(student, rng):
    """stays finite and exact for logits of +-1000, confidently right and confidently wrong"""
    z, y = np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([1.0, 0.0, 0.0, 1.0])
    value, grad = _pair(student(z, y), "bce_from_logits(z, y)", names=("value", "gradient"))
    expect_close(value, L.bce_from_logits(z, y)[0], "bce_from_logits at logits +-1000", hint=BCE_VALUE_HINT,
                 show=True)
    expect_close(grad, L.bce_from_logits(z, y)[1], "the gradient of bce_from_logits at logits +-1000",
                 hint=BCE_GRAD_HINT, show=True)


@bce.check(points=2)
def bce_random_batches(student, rng):
    """random batches, one or several outputs per sample, and large logits mixed in"""
    for shape in [(int(rng.integers(2, 9)),), (int(rng.integers(2, 9)), int(rng.integers(2, 4)))]:
        z, y = rng.normal(scale=3.0, size=shape), rng.integers(0, 2, size=shape).astype(float)
        _check_loss(student, z, y, L.bce_from_logits, "bce_from_logits(z, y)", BCE_VALUE_HINT, BCE_GRAD_HINT)
    z, y = rng.choice([-1.0, 1.0], size=6) * rng.uniform(300, 800, size=6), rng.integers(0, 2, size=6).astype(float)
    value, grad = _pair(student(z, y), "bce_from_logits(z, y)", names=("value", "gradient"))
    expect_close(value, L.bce_from_logits(z, y)[0], "bce_from_logits at large logits", hint=BCE_VALUE_HINT)
    expect_close(grad, L.bce_from_logits(z, y)[1], "the gradient of bce_from_logits at large logits",
                 hint=BCE_GRAD_HINT)


# --------------------------------------------------------------------------- Q11 softmax cross-entropy

softmax_ce = Question("a2.softmax_cross_entropy", "softmax_cross_entropy",
                      references=[L.softmax_cross_entropy, A.softmax, A.log_sum_exp, layers.softmax_forward,
                                  layers.softmax_backward, *SCIPY_SOFTMAX])
SCE_VALUE_HINT = ("-log softmax(s)_y = LSE(s) - s_y with LSE(s) = m + log sum_j e^(s_j - m) and m = max_j s_j: "
                  "subtract the row's max before exponentiating, and never take the log of a softmax.")
SCE_GRAD_HINT = "dL/ds = (softmax(s) - onehot(y)) / n: the softmax of each row, minus 1 at the true class, over n."


def _check_sce_exact(student, scores, y, what, show=False):
    value, grad = _pair(student(scores, y), what, names=("value", "gradient"))
    expected_value, expected_grad = L.softmax_cross_entropy(scores, y)
    expect_close(value, expected_value, f"the value of {what}", hint=SCE_VALUE_HINT, show=show)
    expect_close(grad, expected_grad, f"the gradient of {what}", hint=SCE_GRAD_HINT, show=show)


@softmax_ce.check(points=1, public=True)
def sce_small_batch(student, rng):
    """value and gradient on a small batch of scores and integer labels"""
    _check_loss(student, np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0]]), np.array([0, 1]), L.softmax_cross_entropy,
                "softmax_cross_entropy(scores, y)", SCE_VALUE_HINT, SCE_GRAD_HINT, show=True)


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
                SCE_GRAD_HINT)
    shift = float(rng.choice([-1.0, 1.0]) * rng.uniform(700, 1000))
    _check_sce_exact(student, scores + shift, y, "softmax_cross_entropy with every score shifted by a large constant")
