"""Assignment 4: the multilayer perceptron in matrix form (reference: backprop.layers, backprop.losses).

Questions: the dense layer forward and backward (Y = XW + b), the ReLU and sigmoid backward passes, softmax
cross-entropy with its gradient (p - y)/n, a network's backward pass over a list of layers, notes 002's MLP with
ReLU, cross-entropy and weight decay (whole-network gradient check by parameter name), one epoch of mini-batch SGD.

Every gradient is checked against central differences of the *reference* forward pass, with a random upstream
gradient, so a forward/backward pair that agrees with itself but is wrong still fails.
"""

import numpy as np

from backprop import activations, gradcheck, layers, losses, train
from backprop.gradcheck import numerical_gradient, numerical_gradient_array

from .. import derive
from ..props import GraderLayer
from ..checks import (CheckFailed, Mistake, shape_mistake, expect_close, expect_equal, expect_shape, expect_tuple,
                      rel_error)
from ..guard import StudentError
from ..question import Derivation, Question, Written

# ------------------------------------------------------------------------------------------------------------
# REFERENCES KEPT HERE, NOT IN backprop: the library has no function for notes 002's two-layer MLP with weight
# decay in the params-dict form of this assignment, nor a network backward pass that returns the gradients by
# name for a plain list of layers. They are built only from backprop's own pieces.
# ------------------------------------------------------------------------------------------------------------

MLP_KEYS = ("W1", "b1", "W2", "b2")


def reference_mlp_loss(params, X, y, lam):
    """J = softmax cross-entropy of relu(X W1 + b1) W2 + b2 + lam (||W1||^2 + ||W2||^2), and its gradients."""
    U1, dense1 = layers.dense_forward(X, params["W1"], params["b1"])
    H, relu = layers.relu_forward(U1)
    U2, dense2 = layers.dense_forward(H, params["W2"], params["b2"])
    data_loss, G = losses.softmax_cross_entropy(U2, y)
    dH, dW2, db2 = layers.dense_backward(G, dense2)
    _, dW1, db1 = layers.dense_backward(layers.relu_backward(dH, relu), dense1)
    penalty = lam * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    grads = {"W1": dW1 + 2 * lam * params["W1"], "b1": db1, "W2": dW2 + 2 * lam * params["W2"], "b2": db2}
    return data_loss + penalty, grads


def reference_network_backward(net, dout):
    """Backward pass over a list of layers in reverse; the k-th layer with parameters gives W{k}, b{k}."""
    grads, k = {}, sum(1 for layer in net if layer.params)
    for layer in reversed(net):
        dout = layer.backward(dout)
        if layer.params:
            for key, value in layer.grads.items():
                grads[f"{key}{k}"] = value
            k -= 1
    return dout, grads


def reference_sgd_epoch(params, X, y, lr, batch_size, lam, rng):
    """One epoch: order = default_rng(rng).permutation(n); one step w <- w - lr dJ/dw per slice of the order.
    ``rng`` is a Generator or an int seed (both cross to the student's process)."""
    order = np.random.default_rng(rng).permutation(len(X))
    params, batch_losses = dict(params), []
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        value, grads = reference_mlp_loss(params, X[rows], y[rows], lam)
        batch_losses.append(value)
        params = {k: params[k] - lr * grads[k] for k in params}
    return params, batch_losses


class _Dense(GraderLayer):
    """The grader's own dense layer (the same interface as the notebook's Dense). It crosses to the student's
    process as a ``props.GraderLayer``, whose ``backward`` the grader answers with this one's."""

    def __init__(self, W, b):
        self.params, self.grads = {"W": W, "b": b}, {}

    def forward(self, X):
        out, self.cache = layers.dense_forward(X, self.params["W"], self.params["b"])
        return out

    def backward(self, dout):
        dX, self.grads["W"], self.grads["b"] = layers.dense_backward(dout, self.cache)
        return dX


class _Activation(GraderLayer):
    def __init__(self, forward, backward):
        self.params, self.grads, self._forward, self._backward = {}, {}, forward, backward

    def forward(self, X):
        out, self.cache = self._forward(X)
        return out

    def backward(self, dout):
        return self._backward(dout, self.cache)


def _relu_layer():
    return _Activation(layers.relu_forward, layers.relu_backward)


def _sigmoid_layer():
    return _Activation(layers.sigmoid_forward, layers.sigmoid_backward)


# ------------------------------------------------------------------------------------------------ helpers

def _scalar(value, what):
    """The student's loss as a float, or a CheckFailed that says what came back instead."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} must be a number; got a {type(value).__name__}.") from None
    if arr.size != 1:
        raise CheckFailed(f"{what} must be one number (the mean over the batch); got an array of shape {arr.shape}.",
                          hint="Average the per-sample losses: a loss is a scalar.")
    return float(arr.reshape(()))


def _random_dense(rng, n=None):
    n = int(rng.integers(1, 9)) if n is None else n
    d_in, d_out = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    return rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)


def _off_kinks(shape, rng, margin=0.05):
    """Normal values kept at least ``margin`` away from 0 (so +-h never crosses ReLU's kink)."""
    z = rng.normal(size=shape)
    return np.where(np.abs(z) < margin, np.sign(z + 1e-12) * margin + z, z)


def _mlp_problem(rng, n=None, d=None, h=None, c=None):
    """Random params of a d-h-c MLP and a batch, with hidden pre-activations kept away from ReLU's kink."""
    n = int(rng.integers(3, 9)) if n is None else n
    d = int(rng.integers(2, 6)) if d is None else d
    h = int(rng.integers(2, 7)) if h is None else h
    c = int(rng.integers(2, 5)) if c is None else c
    while True:
        params = {"W1": rng.normal(size=(d, h)), "b1": 0.1 * rng.normal(size=h),
                  "W2": rng.normal(size=(h, c)), "b2": 0.1 * rng.normal(size=c)}
        X, y = rng.normal(size=(n, d)), rng.integers(0, c, size=n)
        if np.abs(X @ params["W1"] + params["b1"]).min() > 1e-3:
            return params, X, y


# ------------------------------------------------------------------------------------- Q1 dense forward

dense_fwd = Question("a4.dense_forward", "dense_forward", references=[layers.dense_forward, layers.Dense],
                     topic="the affine map of a batch, shape checks (notes 002, 004)")
FWD_HINT = ("Compare your Z with the lecture's pre-activation in the code column of section 1's table: write the shape "
            "of each term next to it and check which term is off.")


def _expect_forward(student, X, W, b, what, show=False):
    Z, cache = expect_tuple(student(X, W, b), what, ["Z", "cache"])
    expect_close(Z, X @ W + b, f"{what}: Z", hint=FWD_HINT, show=show,
                 mistakes=[Mistake("the bias is missing from Z: every row gets b added.", lambda: X @ W)])
    return cache


# NumPy's own messages for a product or a sum of shapes that do not fit: an error that says one of these came from
# NumPy's arithmetic, not from a check of the student's (whose message is then right only by chance).
NUMPY_SHAPE_ERRORS = ("matmul:", "gufunc signature", "not aligned", "could not be broadcast", "core dimension")
SHAPE_CHECK_HINT = ("Check the shapes yourself before computing (the notebook's check_shape does it): a ValueError "
                    "whose message names the expected shape.")
NUMPY_OWN = ("{arg}'s shape is not checked: the ValueError came from NumPy's own arithmetic (its message happens to "
             "contain a size), not from a check of yours. Check {arg}'s shape before computing, so that the error "
             "names what was expected.")
BROADCASTS = ("b's shape is not checked, and NumPy broadcasting hides it: a bias of shape (1,), (n, d_out) or a column "
              "(n, 1) is added without complaint and gives Z the right shape with the wrong values. Check that b has "
              "exactly d_out entries before computing.")


def _expect_refused(student, x_shape, w_shape, b_shape, expected, what, arg):
    """dense_forward on inputs of the wrong shape must raise its own ValueError naming ``expected``."""
    try:
        student(np.ones(x_shape), np.ones(w_shape), np.ones(b_shape))
    except StudentError as error:
        message = str(error.exc)
        if not isinstance(error.exc, ValueError):
            raise CheckFailed(f"when {what}, dense_forward raised {type(error.exc).__name__}, not ValueError.",
                              hint=SHAPE_CHECK_HINT) from None
        if any(marker in message for marker in NUMPY_SHAPE_ERRORS):
            raise CheckFailed(f"when {what}, the ValueError is NumPy's own ({message[:240]!r}), not a check of the "
                              f"shapes.", hint=SHAPE_CHECK_HINT, diagnosis=NUMPY_OWN.format(arg=arg)) from None
        if expected not in message:
            raise CheckFailed(f"when {what}, the ValueError says {message!r}, which does not name the "
                              f"expected size {expected}.",
                              hint="A good shape message says what was expected, e.g. 'X has shape (4, 3); "
                                   "expected (n, 5)'.") from None
        return
    if arg == "b":
        raise CheckFailed(f"when {what}, dense_forward returned without complaint.", hint=SHAPE_CHECK_HINT,
                          diagnosis=BROADCASTS)
    raise CheckFailed(f"when {what}, dense_forward returned without complaint.", hint=SHAPE_CHECK_HINT)


@dense_fwd.check(points=1, public=True)
def affine_map_of_a_batch(student, rng):
    """returns (Z, cache) with Z = X W + b for a batch of 3 samples"""
    X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
    W = np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 0.25, -0.5, 1.0]])
    b = np.array([0.1, 0.2, 0.3, 0.4])
    _expect_forward(student, X, W, b, "dense_forward(X (3, 2), W (2, 4), b (4,))", show=True)


@dense_fwd.check(points=0.5, public=True)
def wrong_input_shape_is_refused(student, rng):
    """refuses an X whose columns do not match W's rows with its own ValueError naming the expected size"""
    _expect_refused(student, (4, 3), (5, 2), (2,), "5", "X has 3 columns but W has 5 rows", "X")


@dense_fwd.check(points=0.5, public=True)
def wrong_bias_shape_is_refused(student, rng):
    """refuses a b without d_out entries, the shapes NumPy would broadcast silently too: (1,), (n, d_out), (n, 1)"""
    cases = [((4, 5), (5, 3), (1,), "b has shape (1,) but W has 3 columns"),
             ((4, 5), (5, 3), (4, 3), "b has shape (n, d_out) = (4, 3)"),
             ((4, 5), (5, 3), (4, 1), "b is a column of shape (4, 1)"),
             ((4, 5), (5, 2), (3,), "b has 3 entries but W has 2 columns")]
    for x_shape, w_shape, b_shape, what in cases:
        _expect_refused(student, x_shape, w_shape, b_shape, str(w_shape[1]), what, "b")


CACHE_HINT = "Revisit what the cache must hold: the two arrays dense_backward needs, in the order it unpacks them."


@dense_fwd.check(points=1)
def random_batches_and_cache(student, rng):
    """matches X W + b for random shapes (one sample, one output too) and caches (X, W) for the backward pass"""
    for n in (1, None, None):
        X, W, b = _random_dense(rng, n)
        cache = _expect_forward(student, X, W, b, "dense_forward on a random batch")
        if not (isinstance(cache, tuple) and len(cache) == 2):
            raise CheckFailed("the cache must be the pair (X, W) that dense_backward unpacks.")
        expect_close(cache[0], X, "cache[0] (should be X)", hint=CACHE_HINT)
        expect_close(cache[1], W, "cache[1] (should be W)", hint=CACHE_HINT)


# ------------------------------------------------------------------------------------ Q2 dense backward

# The matrix chain rule's results, as formulas and as code lines, in the names the notebook uses.
DENSE_FORMS = [r"(X|A|H|x)(\.T|\^\{?T\}?|\^\\top)(@|\\,)?(G|dZ|dY|dout|\\nabla)", r"(G|dZ|dY|dout)(@)?(W|w)(\.T|\^\{?T\}?)",
               r"(G|dZ|dY)\.sum\(axis=0\)", r"sum\((G|dZ|dY),axis=0\)", r"columnsumsof\$?G", r"\(X\^TG\)"]
dense_derivation = Derivation(
    "a4.dense_derivation", answers=["dL_dW", "dL_dX", "dL_db"],
    topic="the matrix chain rule for Y = XW + b: each gradient in X, W and G = ∂L/∂Y (notes 002, 003, 004)",
    withheld=DENSE_FORMS)
DW_HINT = ("Write one entry: ∂L/∂W_kj = Σ over every entry Y_ij that W_kj touches of G_ij ∂Y_ij/∂W_kj. Then recognise "
           "the sum over i as an entry of a matrix product, and check the shape: (d_in, d_out).")
DX_HINT = ("Write one entry: X_ik touches Y_ij for every unit j of its own row. Recognise the sum over j as an entry "
           "of a matrix product of shape (n, d_in).")
DB_HINT = "b_j is added to Y_ij for every sample i: which entries of G does ∂L/∂b_j collect? Its shape is (d_out,)."
DENSE_SHAPES = {"X": (5, 3), "W": (3, 4), "G": (5, 4)}


@dense_derivation.check(points=3, public=True)
def weight_gradient(answers, rng):
    "∂L/∂W in X, W and G, shape (d_in, d_out)"
    derive.expect_matrix_expression(answers, "dL_dW", "X.T @ G", DENSE_SHAPES, hint=DW_HINT, rng=rng, mistakes=[
        Mistake("your result is transposed: ∂L/∂W has W's shape (d_in, d_out). Revisit the order of the two factors "
                "once the sum over i is recognised as a product.", "G.T @ X")])


@dense_derivation.check(points=2, public=True)
def input_gradient(answers, rng):
    "∂L/∂X in X, W and G, shape (n, d_in)"
    derive.expect_matrix_expression(answers, "dL_dX", "G @ W.T", DENSE_SHAPES, hint=DX_HINT, rng=rng, mistakes=[
        Mistake("your result is transposed: ∂L/∂X has X's shape (n, d_in). Revisit the order of the two factors.",
                "W @ G.T")])


@dense_derivation.check(points=2, public=True)
def bias_gradient(answers, rng):
    "∂L/∂b in G, shape (d_out,)"
    derive.expect_matrix_expression(answers, "dL_db", "sum(G, axis=0)", DENSE_SHAPES, hint=DB_HINT, rng=rng, mistakes=[
        Mistake("the sum runs over the wrong axis: b_j collects G_ij over the samples i, one entry per unit j.",
                "sum(G, axis=1)"),
        Mistake("an average where a sum is asked: b_j is added to every row, and each row's gradient counts in "
                "full (any 1/n of a mean loss is already inside G).", "mean(G, axis=0)")])


dense_bwd = Question("a4.dense_backward", "dense_backward", references=[layers.dense_backward, layers.Dense],
                     topic="the dense layer's backward pass in code (002, 003, 004)", withheld=DENSE_FORMS)
GRAD_HINTS = {
    "dX": "Use your derived ∂L/∂X with dZ as G: its shape is the shape of X, (n, d_in).",
    "dW": "Use your derived ∂L/∂W with dZ as G: its shape is the shape of W, and it sums over the samples.",
    "db": "Use your derived ∂L/∂b: b is added to every row, so its gradient has shape (d_out,).",
}


def _numerical_dense(X, W, b, dZ):
    f = lambda X_, W_, b_: layers.dense_forward(X_, W_, b_)[0]
    return {"dX": numerical_gradient_array(lambda v: f(v, W, b), X.copy(), dZ),
            "dW": numerical_gradient_array(lambda v: f(X, v, b), W.copy(), dZ),
            "db": numerical_gradient_array(lambda v: f(X, W, v), b.copy(), dZ)}


def _numpy_message(left, right):
    """NumPy's messages for ``left @ right`` and ``np.dot(left, right)``; empty when the product fits."""
    found = set()
    for product in (np.matmul, np.dot):
        try:
            product(left, right)
        except ValueError as error:
            found.add(str(error))
    return found


def _product_mistake(message, dZ, X, W):
    """The ``Likely mistake`` for a dense_backward that raised NumPy's error for a product of two of its arrays as
    they are (a transpose missing, or the factors in the wrong order): the pair whose product gives exactly that
    message, or None."""
    arrays = {"dZ": dZ, "X": X, "W": W}
    for (a, left), (b, right) in ((p, q) for p in arrays.items() for q in arrays.items() if p[0] != q[0]):
        if message in _numpy_message(left, right):
            return (f"a missing transpose (or the factors in the wrong order): a product of {a} {left.shape} with {b} "
                    f"{right.shape} as they are, whose inner sizes ({left.shape[-1]} and {right.shape[0]}) do not agree. "
                    f"Revisit which factor of that derived gradient is transposed: the result must have the shape of "
                    f"the variable it is the gradient of.")
    return None


def _student_dense_grads(student, X, W, dZ, what):
    try:
        result = student(dZ, (X, W))
    except StudentError as error:
        diagnosis = _product_mistake(str(error.exc), dZ, X, W) if isinstance(error.exc, ValueError) else None
        if diagnosis is None:
            raise
        raise CheckFailed(f"`dense_backward` raised {error}. It was called with dZ {dZ.shape} and the cache "
                          f"(X {X.shape}, W {W.shape}); dX must have X's shape, dW W's shape and db ({W.shape[1]},).",
                          hint="Write the shape of each factor next to each product of your code.",
                          diagnosis=diagnosis) from None
    return dict(zip(["dX", "dW", "db"], expect_tuple(result, what, ["dX", "dW", "db"])))


def _expect_shape_named(value, shape, name, what):
    arr = np.asarray(value, dtype=float) if value is not None else None
    if arr is None:
        raise CheckFailed(f"{what}: {name} is None.", hint="Did you forget to return it?")
    if arr.shape != tuple(shape):
        raise CheckFailed(f"{what}: {name} has shape {arr.shape}; expected {tuple(shape)} (the shape of "
                          f"{name[1:]}).", hint=GRAD_HINTS[name], diagnosis=shape_mistake(arr.shape, tuple(shape)))
    return arr


DENSE_SLIPS = {
    "dX": [("a missing transpose in dX: W enters the input gradient transposed (here W is square, so the product "
            "fits but gives the wrong values).", lambda X, W, dZ: dZ @ W)],
    "dW": [("dW is transposed: the weight gradient has W's shape (d_in, d_out) (here W is square, so the shapes "
            "agree). Revisit which factor of ∂L/∂W is transposed.", lambda X, W, dZ: (X.T @ dZ).T)],
    "db": [("the bias gradient averages dZ over the batch where it must sum: the 1/n of the mean loss is already in "
            "dZ, so averaging again divides by n twice.", lambda X, W, dZ: dZ.mean(axis=0)),
           ("the bias gradient sums over the wrong axis: b_j collects dZ_ij over the samples i.",
            lambda X, W, dZ: dZ.sum(axis=1))],
}


def _dense_mistakes(name, X, W, dZ):
    return [Mistake(sentence, lambda slip=slip: slip(X, W, dZ)) for sentence, slip in DENSE_SLIPS[name]]


@dense_bwd.check(points=1, public=True)
def gradients_have_the_shapes_of_their_variables(student, rng):
    """returns (dX, dW, db), each with the shape of its variable: X (5, 3), W (3, 2), b (2,)"""
    X, W, dZ = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    got = _student_dense_grads(student, X, W, dZ, "dense_backward(dZ (5, 2), (X (5, 3), W (3, 2)))")
    for name, shape in (("dX", X.shape), ("dW", W.shape), ("db", (2,))):
        _expect_shape_named(got[name], shape, name, "dense_backward")


@dense_bwd.check(points=1, public=True)
def matches_central_differences(student, rng):
    """dX, dW and db agree with central differences of Z = X W + b for a random upstream dZ"""
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dZ = rng.normal(size=(4, 2))
    got = _student_dense_grads(student, X, W, dZ, "dense_backward")
    for name, expected in _numerical_dense(X, W, b, dZ).items():
        _expect_shape_named(got[name], expected.shape, name, "dense_backward")
        expect_close(got[name], expected, f"{name} (vs central differences)", tol=1e-6, hint=GRAD_HINTS[name],
                     show=True, n=len(X), mistakes=_dense_mistakes(name, X, W, dZ))


def _hidden_grad_check(name):
    def check(student, rng):
        for n in (1, None, None):
            X, W, b = _random_dense(rng, n)
            dZ = rng.normal(size=(len(X), W.shape[1]))
            got = _student_dense_grads(student, X, W, dZ, "dense_backward")
            expected = _numerical_dense(X, W, b, dZ)[name]
            _expect_shape_named(got[name], expected.shape, name, "dense_backward on a random batch")
            expect_close(got[name], expected, f"{name} on a random batch", tol=1e-6, hint=GRAD_HINTS[name],
                         n=len(X), mistakes=_dense_mistakes(name, X, W, dZ))
    check.__name__ = f"random_{name}"
    check.__doc__ = f"{name} matches central differences for random shapes, a batch of one sample included"
    return check


for _name in ("dX", "dW", "db"):
    dense_bwd.check(points=1)(_hidden_grad_check(_name))


# -------------------------------------------------------------------------------------- Q3 ReLU backward

ACTIVATION_FORMS = [r"step\((Z|z|cache)\)", r"\*\(?(Z|z|cache)>=0", r"\\mathrm\{step\}\(Z\)",
                    r"(A|cache)\*\(1(\.0)?-(A|cache)\)", r"(A|cache)\\odot\(1-(A|cache)\)", r"A\(1-A\)"]
activation_derivation = Derivation(
    "a4.activation_derivation", answers=["dZ_relu", "dZ_sigmoid"],
    topic="an elementwise activation's backward pass: ReLU's gate, the sigmoid from its own output (004)",
    withheld=ACTIVATION_FORMS)
RELU_DERIVE_HINT = ("The Jacobian of an elementwise map is diagonal: ∂L/∂Z_ij = ∂L/∂A_ij · g'(Z_ij). What is the "
                    "derivative of max(0, z) on each side of 0 (and at 0, by the lecture's convention)?")
SIGMOID_DERIVE_HINT = ("The same diagonal Jacobian, with the sigmoid's derivative written from its output A, which "
                       "the forward pass kept (assignment 2).")


@activation_derivation.check(points=1, public=True)
def relu_gate_derived(answers, rng):
    "∂L/∂Z of A = max(0, Z), in dA and Z (`step(...)` is the unit step)"
    derive.expect_matrix_expression(answers, "dZ_relu", "dA * step(Z)", {"dA": (4, 3), "Z": (4, 3)},
                                    hint=RELU_DERIVE_HINT, rng=rng)


@activation_derivation.check(points=1, public=True)
def sigmoid_from_its_output(answers, rng):
    "∂L/∂Z of A = σ(Z), in dA and A"
    derive.expect_matrix_expression(answers, "dZ_sigmoid", "dA * (A - A * A)", {"dA": (4, 3), "A": (4, 3)},
                                    hint=SIGMOID_DERIVE_HINT, rng=rng)


relu_bwd = Question("a4.relu_backward", "relu_backward",
                    references=[layers.relu_backward, activations.relu_grad, layers.ReLU],
                    topic="ReLU's backward pass in code (004)", withheld=ACTIVATION_FORMS)
RELU_HINT = ("Revisit your derived `dZ_relu`, with the cache as Z: on which side of 0 does the gradient pass, and "
             "what multiplies it there?")
RELU_TIE = ("the tie at exactly 0 is broken the other way: a strict comparison blocks the gradient where Z is exactly "
            "0, but the lecture's convention sets ReLU's derivative at 0 to 1 (step(0) = 1).")


def _relu_mistakes(dA, Z):
    return [Mistake(RELU_TIE, lambda: dA * (Z > 0)),
            Mistake("the gate is flipped: the gradient passes where the unit was inactive and is blocked where it was "
                    "active.", lambda: dA * (Z < 0)),
            Mistake("the upstream gradient is missing: the gate (0 or 1) is returned instead of dA gated.",
                    lambda: (Z >= 0).astype(float)),
            Mistake("the gate is applied to the cache's values instead of being 0 or 1: the forward output max(0, Z) "
                    "multiplies dA where the derivative (0 or 1) should.", lambda: dA * np.maximum(Z, 0.0))]


@relu_bwd.check(points=1, public=True)
def relu_gate(student, rng):
    """passes dA where Z > 0 and blocks it where Z < 0"""
    Z = np.array([[1.5, -2.0, 0.3], [-0.1, 4.0, -3.0]])
    dA = np.array([[0.7, -1.2, 0.4], [2.0, -0.5, 0.9]])
    expect_close(student(dA, Z), layers.relu_backward(dA, Z), "relu_backward(dA, Z)", hint=RELU_HINT, show=True,
                 mistakes=_relu_mistakes(dA, Z))


@relu_bwd.check(points=0.5)
def relu_matches_central_differences(student, rng):
    """matches central differences of max(0, Z) on random shapes (away from the kink)"""
    for _ in range(3):
        shape = (int(rng.integers(1, 7)), int(rng.integers(1, 7)))
        Z, dA = _off_kinks(shape, rng), rng.normal(size=shape)
        expected = numerical_gradient_array(lambda v: np.maximum(v, 0.0), Z.copy(), dA)
        expect_close(student(dA, Z), expected, "relu_backward on random inputs", tol=1e-6, hint=RELU_HINT,
                     mistakes=_relu_mistakes(dA, Z))


@relu_bwd.check(points=0.5)
def relu_at_the_kink(student, rng):
    """at Z = 0 follows the lecture's convention step(0) = 1: the gradient passes"""
    Z = np.zeros((3, 4))
    Z[0, 0], Z[2, 3] = -1.0, 1.0
    dA = rng.normal(size=Z.shape)
    expect_close(student(dA, Z), layers.relu_backward(dA, Z), "relu_backward where Z is exactly 0",
                 hint="Revisit the lecture's convention for ReLU's derivative at exactly 0: does a unit sitting at 0 "
                      "let the gradient through?", mistakes=_relu_mistakes(dA, Z))


# ----------------------------------------------------------------------------------- Q4 sigmoid backward

sigmoid_bwd = Question("a4.sigmoid_backward", "sigmoid_backward",
                       references=[layers.sigmoid_backward, activations.sigmoid_grad, layers.Sigmoid],
                       topic="the sigmoid's backward pass from its cached output (003, 004)", withheld=ACTIVATION_FORMS)
SIGMOID_HINT = ("Revisit what the cache holds (the forward pass's output, not Z) and your derived `dZ_sigmoid`, written "
                "from that output.")


def _sigmoid_mistakes(dA, A):
    s = activations.sigmoid(A)
    return [Mistake("the sigmoid is applied again to the cache, which already holds the output A = σ(Z): the "
                    "derivative is written from A directly, with no exponential.", lambda: dA * s * (1 - s)),
            Mistake("a factor of the sigmoid's derivative is missing: written from its output, it has two factors.",
                    lambda: dA * A),
            Mistake("a factor of the sigmoid's derivative is missing: written from its output, it has two factors.",
                    lambda: dA * (1 - A)),
            Mistake("the upstream gradient dA is missing: the local derivative alone is returned.",
                    lambda: A * (1 - A))]


def _sigmoid_case(rng, shape, scale=1.0):
    Z = scale * rng.normal(size=shape)
    return Z, activations.sigmoid(Z), rng.normal(size=shape)


@sigmoid_bwd.check(points=1, public=True)
def sigmoid_matches_central_differences(student, rng):
    """dZ agrees with central differences of sigma(Z); the cache holds the output A = sigma(Z)"""
    Z, A, dA = _sigmoid_case(rng, (3, 4))
    expected = numerical_gradient_array(activations.sigmoid, Z.copy(), dA)
    expect_close(student(dA, A), expected, "sigmoid_backward(dA, A)", tol=1e-6, hint=SIGMOID_HINT, show=True,
                 mistakes=_sigmoid_mistakes(dA, A))


@sigmoid_bwd.check(points=1)
def sigmoid_random_and_saturated(student, rng):
    """matches the reference on random shapes, saturated units (|Z| up to 40) included"""
    for scale in (1.0, 15.0):
        Z, A, dA = _sigmoid_case(rng, (int(rng.integers(1, 7)), int(rng.integers(1, 7))), scale)
        expect_close(student(dA, A), layers.sigmoid_backward(dA, A), "sigmoid_backward on random inputs",
                     hint=SIGMOID_HINT, mistakes=_sigmoid_mistakes(dA, A))


# ------------------------------------------------------------------------------ Q5 softmax cross-entropy

SOFTMAX_FORMS = [r"\(P-Y\)/n", r"\\frac\{1\}\{n\}\(P-Y\)", r"\\frac\{P-Y\}\{n\}", r"P-Y(?![a-z_])",
                 r"p_c-\[c=y\]", r"p-e(?![a-z_])", r"p_c-\\mathbb"]
softmax_derivation = Derivation(
    "a4.softmax_derivation", answers=["dl_ds", "dL_dS"],
    topic="softmax cross-entropy's gradient, for one sample and for a batch with its mean (notes 002, 003)",
    withheld=SOFTMAX_FORMS)
CE_NO_MEAN = ("the 1/n of the mean is missing: the batch loss is the mean of the n per-sample losses, so each row's "
              "gradient carries the factor 1/n.")
DL_DS_HINT = ("Write ℓ = -s_y + log Σ_j exp(s_j) and differentiate with respect to each s_c: the log-sum-exp term gives "
              "one thing for every c, the -s_y term only for c = y (that is what e, the one-hot row, encodes).")
DL_DS_BATCH_HINT = ("The batch loss is the mean of the n per-sample losses, and row i of S enters only the i-th "
                    "of them: stack the per-sample gradients, and keep the factor the mean brings.")


@softmax_derivation.check(points=1, public=True)
def one_sample(answers, rng):
    "∂ℓ/∂s for one sample, a row (1, C), in its probabilities p and one-hot label e"
    derive.expect_matrix_expression(answers, "dl_ds", "p - e", {"p": (1, 5), "e": (1, 5)}, hint=DL_DS_HINT, rng=rng)


@softmax_derivation.check(points=3, public=True)
def a_batch(answers, rng):
    "∂L/∂S for the mean loss of a batch, (n, C), in P, Y and the batch size n"
    derive.expect_matrix_expression(answers, "dL_dS", "(P - Y) / n", {"P": (6, 4), "Y": (6, 4), "n": ()},
                                    hint=DL_DS_BATCH_HINT, rng=rng, mistakes=[Mistake(CE_NO_MEAN, "P - Y")])


sce = Question("a4.softmax_cross_entropy", "softmax_cross_entropy",
               references=[losses.softmax_cross_entropy, activations.softmax, activations.log_sum_exp,
                           layers.softmax_forward, layers.softmax_backward],
               topic="softmax + negative log-likelihood in code, log-sum-exp (002, 003)", withheld=SOFTMAX_FORMS)
LOSS_HINT = ("Revisit the loss of one row (section 5: the negative log-probability of its true class, written with "
             "log-sum-exp), then how the rows combine; the shift by each row's maximum keeps large scores finite.")
SCE_GRAD_HINT = ("Revisit your derived `dL_dS`, and where its probabilities come from: the same shifted scores as the "
                 "loss.")


def _sce_mistakes(scores, y):
    """The classic slips of softmax cross-entropy's gradient, on these scores."""
    _, grad = losses.softmax_cross_entropy(scores, y)
    n = len(scores)
    onehot = np.zeros_like(scores)
    onehot[np.arange(n), y] = 1.0
    return [Mistake(CE_NO_MEAN, lambda: n * grad),
            Mistake("the one-hot labels are not subtracted: the gradient of the true class's -s_y term is missing.",
                    lambda: grad + onehot / n),
            Mistake("the labels' term has the wrong sign: the one-hot rows are added where they are subtracted.",
                    lambda: grad + 2 * onehot / n)]


def _sce_loss_mistakes(scores, y):
    value, _ = losses.softmax_cross_entropy(scores, y)
    return [Mistake("the per-row losses are summed where the mean is asked: the loss is an average over the n rows.",
                    lambda: len(scores) * value),
            Mistake("the loss has the wrong sign: it is minus the log-probability of the true class, a positive "
                    "number.", lambda: -value)]


SCE_UNSTABLE = ("the unstable form where the stable one was asked: exp of scores in the thousands overflows to inf "
                "(and inf / inf is nan) unless each row's maximum is subtracted first, in the loss and in the "
                "probabilities alike.")


def _expect_sce(student, scores, y, what, tol=1e-7, show=False, check_loss=True, check_grad=True):
    value, grad = expect_tuple(student(scores, y), what, ["loss", "dscores"])
    ref_value, ref_grad = losses.softmax_cross_entropy(scores, y)
    if check_loss:
        expect_close(_scalar(value, f"{what}: loss"), ref_value, f"{what}: loss", tol=tol,
                     hint=LOSS_HINT, show=show, mistakes=_sce_loss_mistakes(scores, y))
    if check_grad:
        expect_close(grad, ref_grad, f"{what}: dscores", tol=tol, hint=SCE_GRAD_HINT, show=show,
                     mistakes=_sce_mistakes(scores, y))


@sce.check(points=1, public=True)
def loss_of_a_small_batch(student, rng):
    """the loss of 3 samples and 4 classes is the mean negative log-probability of the true class"""
    scores = np.array([[2.0, 1.0, 0.1, -1.0], [0.5, 2.5, 0.3, 0.0], [-1.0, 0.0, 1.0, 3.0]])
    _expect_sce(student, scores, np.array([0, 1, 2]), "softmax_cross_entropy(scores (3, 4), y)", show=True,
                check_grad=False)


@sce.check(points=1, public=True)
def gradient_is_p_minus_y_over_n(student, rng):
    """dscores agrees with central differences of the loss (it is (P - Y) / n)"""
    scores, y = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    _, grad = expect_tuple(student(scores, y), "softmax_cross_entropy", ["loss", "dscores"])
    expected = numerical_gradient(lambda s, y=y: losses.softmax_cross_entropy(s, y)[0], scores.copy())
    expect_close(grad, expected, "dscores (vs central differences)", tol=1e-6, hint=SCE_GRAD_HINT, show=True,
                 mistakes=_sce_mistakes(scores, y))


@sce.check(points=1)
def random_losses(student, rng):
    """loss matches the reference for random batch sizes and numbers of classes"""
    for _ in range(3):
        n, c = int(rng.integers(1, 9)), int(rng.integers(2, 8))
        _expect_sce(student, 3 * rng.normal(size=(n, c)), rng.integers(0, c, size=n), "softmax_cross_entropy",
                    check_grad=False)


@sce.check(points=1)
def random_gradients(student, rng):
    """dscores matches central differences for random batch sizes and numbers of classes"""
    for _ in range(3):
        n, c = int(rng.integers(1, 9)), int(rng.integers(2, 8))
        scores, y = rng.normal(size=(n, c)), rng.integers(0, c, size=n)
        _, grad = expect_tuple(student(scores, y), "softmax_cross_entropy", ["loss", "dscores"])
        expected = numerical_gradient(lambda s, y=y: losses.softmax_cross_entropy(s, y)[0], scores.copy())
        expect_close(grad, expected, "dscores on a random batch", tol=1e-6, hint=SCE_GRAD_HINT,
                     mistakes=_sce_mistakes(scores, y))


@sce.check(points=1)
def stable_for_large_scores(student, rng):
    """stays finite and correct when scores are in the thousands (log-sum-exp with the maximum subtracted)"""
    n, c = 4, 5
    scores = 1000 * rng.normal(size=(n, c))
    y = rng.integers(0, c, size=n)
    value, grad = expect_tuple(student(scores, y), "softmax_cross_entropy with scores ~1e3", ["loss", "dscores"])
    for name, got in (("loss", value), ("dscores", grad)):
        try:
            finite = np.isfinite(np.asarray(got, dtype=float)).all()
        except (TypeError, ValueError):
            finite = True  # not a number at all: the comparison below says what came back
        if not finite:
            raise CheckFailed(f"softmax_cross_entropy with scores ~1e3: the {name} contains NaN or infinity.",
                              hint=LOSS_HINT, diagnosis=SCE_UNSTABLE)
    _expect_sce(student, scores, y, "softmax_cross_entropy with scores ~1e3", tol=1e-6)


# ------------------------------------------------------------------------------- Q6 network backward pass

net_bwd = Question("a4.network_backward", "network_backward",
                   references=[reference_network_backward, layers.Sequential, layers.mlp],
                   topic="back-propagation over a list of layers, gradients by name (003, 004)")
NET_HINT = ("Revisit the order of the backward pass over the list, what each layer's backward hands to the layer "
            "before it, and how the names are numbered (the last dense layer of a net with three is W3, b3).")


def _random_net(rng, depth, activation):
    sizes = [int(s) for s in rng.integers(1, 6, size=depth + 1)]
    net = []
    for k, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        net.append(_Dense(rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)))
        if k < depth - 1:
            net.append(activation())
    return net, sizes


def _same(a, b):
    """Whether the student's array ``a`` equals ``b`` (shape and values)."""
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == np.shape(b) and rel_error(a, b) <= 1e-7


def _expect_network_backward(student, net, X, rng, what):
    out = X
    for layer in net:
        out = layer.forward(out)
    dout = rng.normal(size=out.shape)
    result = expect_tuple(student(net, dout), what, ["dX", "grads"])
    dX_ref, grads_ref = reference_network_backward(net, dout)
    grads = result[1]
    if not isinstance(grads, dict):
        raise CheckFailed(f"{what}: grads must be a dict of arrays by name; got {type(grads).__name__}.", hint=NET_HINT)
    if sorted(grads) != sorted(grads_ref):
        raise CheckFailed(f"{what}: grads has the names {sorted(grads)}; expected {sorted(grads_ref)}.", hint=NET_HINT)
    dense = sum(1 for layer in net if layer.params)
    renumbered = {f"{name[0]}{dense + 1 - int(name[1:])}": value for name, value in grads_ref.items()}
    if dense > 1 and all(_same(grads[name], renumbered[name]) for name in grads_ref) \
            and not all(_same(grads[name], grads_ref[name]) for name in grads_ref):
        raise CheckFailed(f"{what}: every gradient is there, under another layer's name.", hint=NET_HINT,
                          diagnosis="the layers are numbered from the output: W1 is the first dense layer of the "
                                    "net (the one nearest the input), whatever the order the backward pass visits "
                                    "them in.")
    for name in grads_ref:
        expect_close(grads[name], grads_ref[name], f"{what}: grads[{name!r}]", hint=NET_HINT)
    expect_close(result[0], dX_ref, f"{what}: dX", hint=NET_HINT)


@net_bwd.check(points=1, public=True)
def two_layer_network(student, rng):
    """Dense, ReLU, Dense: returns dX and the gradients named W1, b1, W2, b2"""
    net = [_Dense(rng.normal(size=(3, 4)), rng.normal(size=4)), _relu_layer(),
           _Dense(rng.normal(size=(4, 2)), rng.normal(size=2))]
    _expect_network_backward(student, net, _off_kinks((5, 3), rng), rng, "network_backward(Dense, ReLU, Dense)")


@net_bwd.check(points=2)
def deeper_networks(student, rng):
    """random depth (1 to 4 dense layers) with ReLU or sigmoid in between"""
    for depth, activation in ((1, _relu_layer), (3, _sigmoid_layer), (4, _relu_layer)):
        net, sizes = _random_net(rng, depth, activation)
        _expect_network_backward(student, net, rng.normal(size=(int(rng.integers(1, 6)), sizes[0])), rng,
                                 f"network_backward with {depth} dense layers")


# ---------------------------------------------------------------------- Q7 the MLP of notes 002, with decay

MLP_FORMS = [r"G@W2\.T", r"GW\^\{?\(2\)T", r"GW\^\{\(2\)\}\^?T", r"2\*?lam\*?W1", r"2\\lambdaW\^\{?\(1\)",
             r"X\.T@\(\(G@W2"]
mlp_derivation = Derivation(
    "a4.mlp_derivation", answers=["dJ_dH", "dJ_dW1", "dJ_db1"],
    topic="the hidden layer's gradients of notes 002's MLP: two layers down, a ReLU gate, two paths (002)",
    withheld=MLP_FORMS)
MLP_SHAPES = {"X": (6, 3), "W1": (3, 5), "U1": (6, 5), "W2": (5, 4), "G": (6, 4), "lam": ()}
PENALTY_PATH = ("the penalty's path is dropped: J reaches W1 twice, through the data loss and through "
                "lam ||W1||^2, and the two paths add.")
PENALTY_FACTOR = ("the penalty's gradient lost its factor 2: the derivative of a squared norm brings a 2 down.")
DJ_DH_HINT = "H is the input of the second dense layer, whose upstream gradient is G: your Q2 result, one layer up."
DJ_DW1_HINT = ("Three steps down from ∂J/∂H: through ReLU (your Q4 result, with U1), through the first dense layer "
               "(Q2, with X); then remember that J reaches W1 along a second path, the penalty.")
DJ_DB1_HINT = "The first layer's bias sees the same upstream gradient as W1, but not the penalty (biases are not decayed)."


@mlp_derivation.check(points=2, public=True)
def hidden_output_gradient(answers, rng):
    "∂J/∂H in G and W2, shape (n, h)"
    derive.expect_matrix_expression(answers, "dJ_dH", "G @ W2.T", MLP_SHAPES, hint=DJ_DH_HINT, rng=rng)


@mlp_derivation.check(points=3, public=True)
def first_layer_weights(answers, rng):
    "∂J/∂W1 in X, U1, W1, W2, G and lam, shape (d, h), weight decay included"
    derive.expect_matrix_expression(answers, "dJ_dW1", "X.T @ ((G @ W2.T) * step(U1)) + 2 * lam * W1", MLP_SHAPES,
                                    hint=DJ_DW1_HINT, rng=rng, mistakes=[
                                        Mistake(PENALTY_PATH, "X.T @ ((G @ W2.T) * step(U1))"),
                                        Mistake(PENALTY_FACTOR, "X.T @ ((G @ W2.T) * step(U1)) + lam * W1")])


@mlp_derivation.check(points=1, public=True)
def first_layer_bias(answers, rng):
    "∂J/∂b1, shape (h,)"
    derive.expect_matrix_expression(answers, "dJ_db1", "sum((G @ W2.T) * step(U1), axis=0)", MLP_SHAPES,
                                    hint=DJ_DB1_HINT, rng=rng)


mlp_q = Question("a4.mlp_loss", "mlp_loss",
                 references=[reference_mlp_loss, layers.Sequential, layers.mlp, gradcheck.check_model_gradients],
                 uses={"dense_forward": layers.dense_forward, "dense_backward": layers.dense_backward,
                       "relu_backward": layers.relu_backward, "softmax_cross_entropy": losses.softmax_cross_entropy},
                 topic="the MLP with ReLU, cross-entropy and weight decay in code, checked by parameter (002)",
                 withheld=MLP_FORMS)
MLP_HINT = ("Go backwards from the data loss's gradient through your functions, layer by layer, as in your Q10 "
            "answers; then the penalty's path, for the weights only. The failing names say which layer to look at.")


def _decay_variants(params, X, y, lam):
    """(sentence, gradients) of the classic slips with the weight decay, on these inputs."""
    _, grads = reference_mlp_loss(params, X, y, lam)
    out = []
    for sentence, scale, on_biases in (
            ("the weight decay's gradient is missing: the penalty is in J but not in the gradients; J reaches each "
             "weight matrix along a second path, through the penalty, and the two paths add.", -2.0, False),
            (PENALTY_FACTOR, -1.0, False),
            ("the biases are decayed too: the penalty is on W1 and W2 only, so the biases' gradients have no decay "
             "term.", 2.0, True)):
        wrong = dict(grads)
        for name in (("b1", "b2") if on_biases else ("W1", "W2")):
            wrong[name] = grads[name] + scale * lam * params[name]
        out.append((sentence, wrong))
    return out


def _matching(grads, variant):
    return all(_same(grads[name], variant[name]) for name in MLP_KEYS)


def _mlp_result(student, params, X, y, lam, what):
    value, grads = expect_tuple(student(params, X, y, lam), what, ["J", "grads"])
    if not isinstance(grads, dict) or sorted(grads) != sorted(MLP_KEYS):
        got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        raise CheckFailed(f"{what}: grads must be a dict with the keys {list(MLP_KEYS)}; got {got}.")
    return _scalar(value, f"{what}: J"), grads


def _gradient_check_by_name(student, params, X, y, lam, what, show=False):
    """The whole-network gradient check: for every parameter name, the student's gradient against central
    differences of the reference loss. Reports every parameter that fails, with its relative error."""
    _, grads = _mlp_result(student, params, X, y, lam, what)
    report = []
    for name in MLP_KEYS:
        expect_shape(grads[name], params[name].shape, f"{what}: grads[{name!r}]")

        def f(v, name=name):
            return reference_mlp_loss({**params, name: v}, X, y, lam)[0]

        err = rel_error(grads[name], numerical_gradient(f, params[name].copy()))
        if not np.isfinite(err) or err > 1e-6:
            report.append(f"{name}: relative error {err:.1e}")
    if report:
        diagnosis = next((sentence for sentence, variant in _decay_variants(params, X, y, lam)
                          if _matching(grads, variant)), None) if lam > 0 else None
        raise CheckFailed(f"{what}: the gradient check fails for " + "; ".join(report) + " (allowed 1e-06).",
                          hint=MLP_HINT, detail=f"lam = {lam}" if show else None, diagnosis=diagnosis)


@mlp_q.check(points=1, public=True)
def mlp_loss_value(student, rng):
    """J is the cross-entropy of the scores plus lam (||W1||^2 + ||W2||^2)"""
    params, X, y = _mlp_problem(np.random.default_rng(4), n=6, d=3, h=5, c=3)
    value, _ = _mlp_result(student, params, X, y, 0.1, "mlp_loss(params, X, y, lam=0.1)")
    penalty = 0.1 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    expect_close(value, reference_mlp_loss(params, X, y, 0.1)[0], "J", show=True,
                 hint="Revisit the two parts of J: the data loss of the network's scores, and the penalty (which "
                      "parameters it covers).",
                 mistakes=[Mistake("the penalty is left out of J: J is the data loss plus the weight decay.",
                                   lambda: reference_mlp_loss(params, X, y, 0.1)[0] - penalty)])


@mlp_q.check(points=1, public=True)
def mlp_gradient_check_by_name(student, rng):
    """every gradient W1, b1, W2, b2 agrees with central differences of J (lam = 0.1)"""
    params, X, y = _mlp_problem(np.random.default_rng(5), n=6, d=3, h=5, c=3)
    _gradient_check_by_name(student, params, X, y, 0.1, "mlp_loss", show=True)


@mlp_q.check(points=1)
def mlp_random_gradient_checks(student, rng):
    """gradient check by parameter name on random sizes and weight decays"""
    for lam in (0.0, float(rng.uniform(0.01, 1.0))):
        params, X, y = _mlp_problem(rng)
        _gradient_check_by_name(student, params, X, y, lam, "mlp_loss on a random network")


@mlp_q.check(points=1)
def weight_decay_on_weights_only(student, rng):
    """the decay adds exactly lam (||W1||^2 + ||W2||^2) to J, and nothing for the biases"""
    params, X, y = _mlp_problem(rng)
    lam = float(rng.uniform(0.1, 2.0))
    j0, _ = _mlp_result(student, params, X, y, 0.0, "mlp_loss with lam = 0")
    j1, _ = _mlp_result(student, params, X, y, lam, "mlp_loss with lam > 0")
    expected = lam * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    with_biases = expected + lam * (np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))
    expect_close(j1 - j0, expected, "J(lam) - J(0)",
                 hint="Revisit which parameters the penalty covers and how it is scaled (section 8).",
                 mistakes=[Mistake("the biases are decayed too: the penalty is on W1 and W2 only.", with_biases),
                           Mistake("the penalty has a 1/2 the question does not have.", expected / 2),
                           Mistake("the penalty is left out of J.", 0.0)])


# ------------------------------------------------------------------- the debugging lab: planted bugs, then the record

# What the release hands out in the cell of `mlp_gradients_by_sample` (course.hand_out puts it there; the source
# keeps the fixed version). Four bugs are planted on purpose, each where a gradient check by parameter finds it:
#   - a missing 1/n: b2's accumulator is not divided by n (breaks b2 only);
#   - a transposed product: W2's outer product has its factors swapped (breaks W2 only; the notebook's network has
#     as many hidden units as classes, so the shapes agree and only the check finds it);
#   - one path of a sum dropped: W1's weight-decay path is missing (breaks W1 only);
#   - a ReLU mask from the wrong cache: the gate is taken from the output layer's u2 instead of u1 (breaks W1, b1).
# The withheld scan of the release never flags these lines: this question declares no withheld forms, and the
# handout's per-sample products are assignment 3's results (the batch forms this assignment derives stay back).
HANDOUT = '''def mlp_gradients_by_sample(params, X, y, lam):
    """The gradients of mlp_loss's J, worked out one sample at a time and averaged: notes 003's accumulators.

    params = {"W1" (d, h), "b1" (h,), "W2" (h, C), "b2" (C,)}, X (n, d), integer labels y (n,), the weight decay
    lam. Returns {"W1", "b1", "W2", "b2"}, each shaped like its parameter: the gradient of
    J = mean cross-entropy + lam (||W1||^2 + ||W2||^2), the same J as mlp_loss.

    HANDED OUT WITH BUGS PLANTED ON PURPOSE: find each with a gradient check by parameter, and fix it here, in place.
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = len(X)
    Delta = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(n):
        x = X[i]                                     # one sample, shape (d,)
        u1 = x @ W1 + b1                             # (h,)
        h = np.maximum(u1, 0.0)
        u2 = h @ W2 + b2                             # (C,)
        _, g2 = softmax_cross_entropy(u2[None, :], y[i:i + 1])
        g2 = g2[0]                                   # this sample's d loss / d u2, shape (C,)
        Delta["W2"] += np.outer(g2, h) / n
        Delta["b2"] += g2
        dh = W2 @ g2                                 # this sample's d loss / d h, shape (h,)
        g1 = dh * (u2 > 0)                           # through the ReLU
        Delta["W1"] += np.outer(x, g1) / n
        Delta["b1"] += g1 / n
    return {"W1": Delta["W1"],
            "b1": Delta["b1"],
            "W2": Delta["W2"] + 2 * lam * W2,
            "b2": Delta["b2"]}
'''


def _handed_out():
    """The handout as a function on the grader's side (course code, not the student's), to recognise a cell that
    was never touched; the softmax cross-entropy is the library's."""
    space = {"np": np, "softmax_cross_entropy": losses.softmax_cross_entropy}
    exec(compile(HANDOUT, "<a4 handout>", "exec"), space)  # noqa: S102 (our own text)
    return space["mlp_gradients_by_sample"]


def reference_mlp_gradients_by_sample(params, X, y, lam):
    """The fixed version: the same gradients as reference_mlp_loss."""
    return reference_mlp_loss(params, X, y, lam)[1]


debug_fix = Question("a4.debug_fix", "mlp_gradients_by_sample",
                     references=[reference_mlp_gradients_by_sample, reference_mlp_loss, layers.Sequential, layers.mlp,
                                 gradcheck.check_model_gradients],
                     uses={"softmax_cross_entropy": losses.softmax_cross_entropy}, kind="debug",
                     topic="debugging a backward pass with gradient checks, parameter by parameter (002, 003)")
debug_fix.handout = HANDOUT
DEBUG_HINT = ("Run your own gradient check on each parameter separately (numerical_gradient of mlp_loss's J against "
              "this function's gradient, rel_error per name), read the lines that feed each failing name, fix one "
              "bug, and check again: a name can hide more than one bug.")


def _debug_problem(rng, square):
    """A batch and an MLP kept off ReLU's kinks; with ``square`` as many hidden units as classes (the notebook's)."""
    if square:
        c = int(rng.integers(3, 5))
        return _mlp_problem(rng, n=int(rng.integers(5, 8)), h=c, c=c)
    while True:
        params, X, y = _mlp_problem(rng)
        if params["W2"].shape[0] != params["W2"].shape[1]:
            return params, X, y


def _debug_grads(student, params, X, y, lam, what):
    grads = student(params, X, y, lam)
    if not isinstance(grads, dict) or sorted(grads) != sorted(MLP_KEYS):
        got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        raise CheckFailed(f"{what} must return the dict of gradients {list(MLP_KEYS)}; got {got}.", hint=DEBUG_HINT)
    return grads


def _numerical(params, X, y, lam, name):
    return numerical_gradient(lambda v: reference_mlp_loss({**params, name: v}, X, y, lam)[0], params[name].copy())


@debug_fix.check(points=1, public=True)
def every_parameter_passes_its_check(student, rng):
    """on the notebook's network (as many hidden units as classes), every gradient passes its check"""
    params, X, y = _debug_problem(np.random.default_rng(41), square=True)
    lam = 0.1
    grads = _debug_grads(student, params, X, y, lam, "mlp_gradients_by_sample")
    handed_out = _handed_out()(params, X, y, lam)
    if all(np.shape(grads[k]) == np.shape(handed_out[k]) and np.allclose(grads[k], handed_out[k], rtol=1e-12,
                                                                        atol=1e-15) for k in MLP_KEYS):
        raise CheckFailed("`mlp_gradients_by_sample` is not answered yet: it still returns what the handed-out "
                          "version returns. Find its bugs with a gradient check by parameter and fix them in place.",
                          hint=DEBUG_HINT)
    failing = []
    for name in MLP_KEYS:
        expect_shape(grads[name], params[name].shape, f"grads[{name!r}]")
        err = rel_error(grads[name], _numerical(params, X, y, lam, name))
        if not np.isfinite(err) or err > 1e-6:
            failing.append(f"{name} (relative error {err:.1e})")
    if failing:
        raise CheckFailed("some gradients still fail their check: " + ", ".join(failing) + ".", hint=DEBUG_HINT)


PLANTED = {
    "mean": "b2's accumulator still misses the 1/n of the mean",
    "transposed": "W2's outer product still has its two factors swapped (the shapes agree only because the network "
                  "is square)",
    "path": "W1's gradient still misses the weight decay's path",
    "mask": "the ReLU's gate is still taken from the wrong cache (the output layer's pre-activation instead of the "
            "hidden layer's own)",
}


def _by_sample_with(params, X, y, lam, left):
    """The handed-out function with only the planted bugs in ``left`` still in place (grader's side)."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = len(X)
    Delta = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(n):
        x = X[i]
        u1 = x @ W1 + b1
        h = np.maximum(u1, 0.0)
        u2 = h @ W2 + b2
        g2 = losses.softmax_cross_entropy(u2[None, :], y[i:i + 1])[1][0]
        Delta["W2"] += (np.outer(g2, h) if "transposed" in left else np.outer(h, g2)) / n
        Delta["b2"] += g2 if "mean" in left else g2 / n
        g1 = (W2 @ g2) * ((u2 > 0) if "mask" in left else (u1 > 0))
        Delta["W1"] += np.outer(x, g1) / n
        Delta["b1"] += g1 / n
    return {"W1": Delta["W1"] + (0.0 if "path" in left else 2 * lam * W1), "b1": Delta["b1"],
            "W2": Delta["W2"] + 2 * lam * W2, "b2": Delta["b2"]}


def _planted_sentence(left):
    return "a planted bug is still in place: " + "; ".join(PLANTED[k] for k in PLANTED if k in left) + "."


def _planted_subsets():
    return sorted((frozenset(k for k, bit in zip(PLANTED, range(4)) if mask >> bit & 1) for mask in range(1, 16)),
                  key=len)


def _planted_error(message, params, X, y, lam):
    """The smallest set of planted bugs whose handout raises exactly ``message`` on these inputs, or None."""
    for left in _planted_subsets():
        try:
            _by_sample_with(params, X, y, lam, left)
        except ValueError as error:
            if str(error) == message:
                return left
    return None


def _planted_mistakes(name, params, X, y, lam):
    """For the hidden per-parameter checks only (the public check keeps the lab's design: a gradient check's verdict
    by name): the planted bugs still in place, the smallest set first."""
    return [Mistake(_planted_sentence(left), lambda left=left: _by_sample_with(params, X, y, lam, left)[name])
            for left in _planted_subsets()]


def _debug_parameter_check(name):
    def check(student, rng):
        for square in (True, False):
            params, X, y = _debug_problem(rng, square)
            lam = float(rng.uniform(0.05, 0.5))
            try:
                grads = _debug_grads(student, params, X, y, lam, "mlp_gradients_by_sample on a random network")
            except StudentError as error:
                left = _planted_error(str(error.exc), params, X, y, lam)
                if left is None:
                    raise
                raise CheckFailed(f"`mlp_gradients_by_sample` raised {error} on a random network.", hint=DEBUG_HINT,
                                  diagnosis=_planted_sentence(left)) from None
            expect_shape(grads[name], params[name].shape, f"grads[{name!r}] on a random network")
            expect_close(grads[name], _numerical(params, X, y, lam, name), f"grads[{name!r}] on a random network",
                         tol=1e-6, hint=DEBUG_HINT, mistakes=_planted_mistakes(name, params, X, y, lam))
    check.__name__ = f"gradient_{name}_fixed"
    check.__doc__ = f"{name}'s gradient passes its check on random networks, square or not, with weight decay"
    return check


for _name in MLP_KEYS:
    debug_fix.check(points=1)(_debug_parameter_check(_name))


BUG_RECORD = {"bug_mean": {"b2"}, "bug_transposed": {"W2"}, "bug_path": {"W1"}, "bug_mask": {"W1", "b1"}}
debug_record = Derivation("a4.debug_record", answers=list(BUG_RECORD), kind="debug",
                          topic="the debugging record: which parameter's check exposed which bug (002, 003)")
RECORD_HINT = ("Undo one fix at a time (or reason from the lines each gradient is computed from) and list every "
               "parameter whose check that bug alone makes fail.")


@debug_record.check(points=0, public=True)
def record_is_readable(answers, rng):
    "each record names parameters of the network (W1, b1, W2, b2); graded when the notebook is graded"
    for name in BUG_RECORD:
        try:
            derive.expect_choice(answers, name, list(MLP_KEYS), BUG_RECORD[name], hint=RECORD_HINT)
        except derive.NotAnswered:
            raise
        except derive.Unreadable:
            raise
        except CheckFailed:
            pass  # right or wrong is graded by the hidden checks: a public verdict would invite guessing


def _record_mistake(raw, expected):
    """How a wrong record relates to the right one, in words that never say which parameter is which: it names only
    part of what the bug breaks, more than it breaks, or another set."""
    text = derive.answer_text(raw) or ""
    named = {w for w in text.replace(",", " ").replace('"', " ").replace("'", " ").split() if w in MLP_KEYS}
    if named < expected:
        return ("your record names only part of what that bug breaks: a bug in a step that feeds several gradients "
                "makes each of their checks fail. Undo that one fix and run the check on every parameter.")
    if named > expected:
        return ("your record names more than that bug breaks: with only that bug undone, some of the parameters you "
                "name pass their check. Undo one fix at a time, never two.")
    return ("your record names parameters whose check that bug does not break: undo that one fix alone and read which "
            "checks fail.")


def _record_check(name):
    def check(answers, rng):
        try:
            derive.expect_choice(answers, name, list(MLP_KEYS), BUG_RECORD[name], hint=RECORD_HINT)
        except (derive.NotAnswered, derive.Unreadable):
            raise
        except CheckFailed as failure:
            raise CheckFailed(failure.message, hint=failure.hint,
                              diagnosis=_record_mistake(answers.get(name), BUG_RECORD[name])) from None
    check.__name__ = f"record_{name}"
    check.__doc__ = f"`{name}` names the parameters whose check that bug makes fail"
    return check


for _name in BUG_RECORD:
    debug_record.check(points=1)(_record_check(_name))


# ------------------------------------------------------------------------------ Q8 one epoch of mini-batch SGD

sgd_q = Question("a4.sgd_epoch", "sgd_epoch", references=[reference_sgd_epoch, train.fit],
                 uses={"mlp_loss": reference_mlp_loss}, topic="mini-batch SGD, the training pseudocode (003, 004)")
SGD_HINT = ("Compare your loop with the contract in the markdown: one permutation drawn once from the generator the "
            "question describes, consecutive slices of it (the last may be shorter), the loss recorded before each "
            "step, and every parameter stepped against its gradient.")


def _sgd_variant(params, X, y, lr, batch_size, lam, rng, slip):
    """The classic slips of one epoch: ``"no shuffle"`` walks the rows in their order; ``"after"`` records each
    loss after its step; ``"plus"`` steps along the gradient."""
    order = np.arange(len(X)) if slip == "no shuffle" else np.random.default_rng(rng).permutation(len(X))
    params, batch_losses = dict(params), []
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        value, grads = reference_mlp_loss(params, X[rows], y[rows], lam)
        params = {k: params[k] + (1 if slip == "plus" else -1) * lr * grads[k] for k in params}
        batch_losses.append(reference_mlp_loss(params, X[rows], y[rows], lam)[0] if slip == "after" else value)
    return params, batch_losses


SGD_SLIPS = {"no shuffle": "the rows are taken in their stored order: the epoch draws one permutation of the rows "
                           "from the generator and walks its slices.",
             "after": "each loss is recorded after its step: the contract records the batch's loss before the "
                      "parameters move.",
             "plus": "the step goes along the gradient, uphill: gradient descent moves against it."}


def _sgd_mistakes(args, which):
    return [Mistake(sentence, lambda slip=slip: which(_sgd_variant(*args, slip))) for slip, sentence in SGD_SLIPS.items()]


def _sgd_result(student, params, X, y, lr, batch_size, lam, seed, what):
    try:
        result = expect_tuple(student(params, X, y, lr, batch_size, lam, seed), what, ["params", "losses"])
    except StudentError as error:
        if "'int' object has no attribute" not in str(error.exc):
            raise
        raise CheckFailed(f"{what} was given an int seed as rng and raised {type(error.exc).__name__}: {error.exc}.",
                          hint="rng may be a Generator or an int seed: start with np.random.default_rng(rng), which "
                               "turns a seed into a Generator and returns a Generator unchanged.") from None
    new, batch_losses = result
    if not isinstance(new, dict) or sorted(new) != sorted(MLP_KEYS):
        raise CheckFailed(f"{what}: the first result must be the dict of parameters {list(MLP_KEYS)}.", hint=SGD_HINT)
    try:
        return new, np.asarray(batch_losses, dtype=float).ravel()
    except (TypeError, ValueError):
        raise CheckFailed(f"{what}: the second result must be the list of the batches' losses (numbers).",
                          hint=SGD_HINT) from None


@sgd_q.check(points=1, public=True)
def full_batch_is_one_gradient_step(student, rng):
    """with batch_size = n the epoch is one gradient step w - lr dJ/dw, whatever the order, and one loss"""
    params, X, y = _mlp_problem(np.random.default_rng(6), n=8, d=3, h=4, c=3)
    lr, lam = 0.3, 0.01
    new, batch_losses = _sgd_result(student, params, X, y, lr, 8, lam, 0, "sgd_epoch(batch_size = n = 8)")
    value, grads = reference_mlp_loss(params, X, y, lam)
    expect_equal(np.array(len(batch_losses)), np.array(1), "number of recorded losses", hint=SGD_HINT)
    expect_close(batch_losses[0], value, "the recorded loss (before the step)", hint=SGD_HINT, show=True)
    for name in MLP_KEYS:
        expect_close(new[name], params[name] - lr * grads[name], f"{name} after the step", hint=SGD_HINT)


@sgd_q.check(points=1)
def same_run_as_reference(student, rng):
    """with the same seed, the same batches, losses and final parameters as the reference"""
    for batch_size in (4, 5):
        params, X, y = _mlp_problem(rng, n=int(rng.integers(9, 15)))
        lr, lam, seed = float(rng.uniform(0.01, 0.5)), float(rng.uniform(0, 0.1)), int(rng.integers(10 ** 6))
        new, batch_losses = _sgd_result(student, params, X, y, lr, batch_size, lam, seed, "sgd_epoch")
        ref_new, ref_losses = reference_sgd_epoch(params, X, y, lr, batch_size, lam, seed)
        args = (params, X, y, lr, batch_size, lam, seed)
        expect_close(batch_losses, ref_losses, f"losses per mini-batch (batch_size={batch_size})", hint=SGD_HINT,
                     mistakes=_sgd_mistakes(args, lambda run: run[1]))
        for name in MLP_KEYS:
            expect_close(new[name], ref_new[name], f"{name} after one epoch", hint=SGD_HINT,
                         mistakes=_sgd_mistakes(args, lambda run, name=name: run[0][name]))


@sgd_q.check(points=1)
def stochastic_gradient_descent(student, rng):
    """batch_size = 1 takes one step per sample and lowers the loss of a small problem"""
    params, X, y = _mlp_problem(rng, n=10)
    new, batch_losses = _sgd_result(student, params, X, y, 0.05, 1, 0.0, 1, "sgd_epoch(batch_size=1)")
    expect_equal(np.array(len(batch_losses)), np.array(len(X)), "number of recorded losses with batch_size=1",
                 hint=SGD_HINT)
    before, after = reference_mlp_loss(params, X, y, 0.0)[0], reference_mlp_loss(new, X, y, 0.0)[0]
    if not after < before:
        raise CheckFailed(f"one epoch of SGD with lr=0.05 did not lower the loss ({before:.3f} -> {after:.3f}).",
                          hint="Revisit the direction of each step: which way does the loss decrease?")


# ------------------------------------------------------------------------------------------------ graded by hand

Written("a4.reflection_init", 2, topic="initialization and symmetry (003, 004)")
Written("a4.reflection_depth", 2, topic="universal approximation, width and depth (002)")
