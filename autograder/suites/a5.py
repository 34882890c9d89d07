"""Assignment 5: optimization (reference: backprop.optim, plus one reference kept here, see below).

The optimizer questions never compare one stored array. Each check runs the student's update rule and the
reference side by side for several steps on a test function whose gradient depends on where the weights are,
and compares the *trajectories* w_1, ..., w_T. Any algebraically equivalent way of writing a rule (momentum as
``v = mu v - lr g; w += v`` or as ``v = mu v + g; w -= lr v``; Adam with the bias correction folded into the
step size; ...) gives the same trajectory up to rounding and passes; what the rule stores in ``state`` is the
student's business, as long as the hyper-parameters are read from it under the library's names.
"""

import copy

import numpy as np

from backprop import optim as ref

from ..checks import CheckFailed, as_array, expect_close, expect_shape
from ..question import Question

TOL = 1e-6  # equivalent forms differ by rounding only; a wrong rule differs by far more after a few steps


# ------------------------------------------------------------------------------------ shared helpers

def _call_rule(student, w, g, state, what):
    """One step of the student's rule; checks that it returned (w_new, state) with w_new shaped like w."""
    result = student(w, g, state)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (w_new, state); got {type(result).__name__}.",
                          hint="End with `return w_new, state` (the same dict, with your running quantities in it).")
    w_new, new_state = result
    if not isinstance(new_state, dict):
        raise CheckFailed(f"{what} returned {type(new_state).__name__} as its state; expected the state dict.",
                          hint="Return the dict you were given, after storing your running quantities in it.")
    return expect_shape(w_new, np.shape(w), f"{what}: w_new"), new_state


def _trajectory(student, reference, hyper, grad, w0, steps, what, hint, show=False):
    """Run the student's rule and the reference from w0 for ``steps`` steps, comparing every iterate.

    ``grad(w)`` is the test function's gradient, so a wrong step changes every later gradient too.
    The student's state starts as a copy of ``hyper`` (hyper-parameters only, no running quantities).
    """
    w_s, state_s = np.array(w0, dtype=float), dict(hyper)
    w_r, state_r = np.array(w0, dtype=float), dict(hyper)
    for step in range(1, steps + 1):
        w_s, state_s = _call_rule(student, w_s, grad(w_s), state_s, what)
        w_r, state_r = reference(w_r, grad(w_r), state_r)
        expect_close(w_s, w_r, f"{what}: w after step {step} of {steps}", tol=TOL, hint=hint, show=show)


def _quadratic(rng, shape):
    """An ill-conditioned separable quadratic f(w) = 1/2 sum c (w - w*)^2: curvatures c span 0.5 .. 8."""
    c = rng.uniform(0.5, 8.0, size=shape)
    w_star = rng.normal(size=shape)
    return lambda w: c * (w - w_star)


def _rosenbrock_grad(w):
    a, b = w[0], w[1]
    return np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])


def _random_shape(rng):
    return tuple(int(k) for k in rng.integers(1, 5, size=int(rng.integers(1, 3))))


def _optimizer_question(name, reference, hint, public_hyper, random_hyper, points=(1, 1, 1, 1)):
    """A question for one update rule, with four checks:

    - public: a fixed trajectory on a 2-D quadratic (shown on failure);
    - public: the first step from a state with hyper-parameters only (starting the running quantities);
    - hidden: trajectories of random shapes and random hyper-parameters, and on the Rosenbrock function;
    - hidden: two parameters updated in turn, each with its own state (running quantities live in state).
    """
    question = Question(f"a5.{name}", name, references=[reference])
    what = f"{name}(w, dw, state)"

    def public_trajectory(student, rng):
        grad = lambda w: np.array([1.0, 6.0]) * (w - np.array([0.5, -0.25]))
        _trajectory(student, reference, public_hyper, grad, [-1.5, 1.0], 6, what, hint, show=True)

    public_trajectory.__doc__ = f"follows the written formula for 6 steps on a 2-D quadratic ({_fmt(public_hyper)})"

    def first_step(student, rng):
        g = np.array([[0.5, -2.0, 1.5], [-0.25, 3.0, -1.0]])
        w = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]])
        w_new, state = _call_rule(student, w, g, dict(public_hyper), what)
        expected, _ = reference(w, g, dict(public_hyper))
        expect_close(w_new, expected, f"{what}: the first step, starting from a state holding only "
                     f"{sorted(public_hyper)}", tol=TOL, show=True,
                     hint="On the first call your running quantities are not in state yet: start them at zero "
                          "(for example state.get('v', np.zeros_like(w))). " + hint)
        missing = [k for k in public_hyper if k not in state]
        if missing:
            raise CheckFailed(f"the state returned by {what} lost the hyper-parameters {missing}.",
                              hint="Add your running quantities to the dict you were given; keep what was in it.")

    first_step.__doc__ = "starts its running quantities at zero on the first call, on a (2, 3) array"

    def random_trajectories(student, rng):
        for _ in range(3):
            shape = _random_shape(rng)
            hyper = random_hyper(rng)
            _trajectory(student, reference, hyper, _quadratic(rng, shape), rng.normal(size=shape), 8,
                        f"{what} on a random quadratic", hint)
        hyper = random_hyper(rng)
        hyper["lr"] = hyper["lr"] * (0.01 if name not in ("adagrad", "adadelta") else 0.2)
        _trajectory(student, reference, hyper, _rosenbrock_grad, [-1.2, 1.0] + 0.1 * rng.normal(size=2), 10,
                    f"{what} on the Rosenbrock function", hint)

    random_trajectories.__doc__ = ("follows the reference for several steps on random shapes and hyper-parameters, "
                                   "and on the Rosenbrock function")

    def separate_states(student, rng):
        shapes = [_random_shape(rng), _random_shape(rng)]
        grads = [_quadratic(rng, s) for s in shapes]
        hyper = random_hyper(rng)
        ws = [rng.normal(size=s) for s in shapes]
        w_s, s_s = [w.copy() for w in ws], [dict(hyper), dict(hyper)]
        w_r, s_r = [w.copy() for w in ws], [dict(hyper), dict(hyper)]
        for step in range(1, 6):
            for k in range(2):
                w_s[k], s_s[k] = _call_rule(student, w_s[k], grads[k](w_s[k]), s_s[k], what)
                w_r[k], s_r[k] = reference(w_r[k], grads[k](w_r[k]), s_r[k])
                expect_close(w_s[k], w_r[k], f"{what}: parameter {k + 1} of 2 after step {step}, the two "
                             f"updated in turn with their own states", tol=TOL,
                             hint="Keep every running quantity in `state` (not in a global variable or a "
                                  "default argument): each parameter array has its own state dict. " + hint)

    separate_states.__doc__ = "keeps its running quantities in state: two parameters updated in turn"

    question.check(points=points[0], public=True)(public_trajectory)
    question.check(points=points[1], public=True)(first_step)
    question.check(points=points[2])(random_trajectories)
    question.check(points=points[3])(separate_states)
    return question


def _fmt(hyper):
    return ", ".join(f"{k}={v:g}" for k, v in hyper.items())


# ---------------------------------------------------------------------- Q1 one epoch of mini-batch GD
#
# REFERENCE KEPT HERE: backprop has no single-epoch mini-batch step on least squares (train.fit runs whole
# trainings on Sequential models), so the reference for this question lives in this suite module.

def reference_minibatch_epoch(w, X, y, lr, batch_size, rng):
    """One epoch of mini-batch gradient descent on L_B(w) = 1/(2|B|) ||X_B w - y_B||^2.

    order = rng.permutation(n) (one call per epoch); batches order[0:B], order[B:2B], ... (the last one may be
    smaller); each step w <- w - lr X_B^T (X_B w - y_B) / |B|. Returns the weights after every step, (steps, d).
    """
    order = rng.permutation(len(X))
    path = []
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        Xb, yb = X[idx], y[idx]
        w = w - lr * Xb.T @ (Xb @ w - yb) / len(idx)
        path.append(w)
    return np.array(path)


minibatch = Question("a5.minibatch", "minibatch_epoch")
MB_HINT = ("Shuffle once with order = rng.permutation(n); take the batches order[0:B], order[B:2B], ... (the last "
           "may be smaller); step w - lr * X_B^T (X_B w - y_B) / |B|, dividing by the batch's own size; return "
           "the weights after every step, stacked: shape (number of steps, d).")


def _regression(rng, n, d):
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, size=d)
    y = X @ rng.normal(size=d) + 0.3 * rng.normal(size=n)
    return X, y


def _expect_epoch(student, w, X, y, lr, batch_size, rng, what, show=False):
    steps = -(-len(X) // batch_size)
    got = student(w, X, y, lr, batch_size, copy.deepcopy(rng))
    got = expect_shape(got, (steps, len(w)), f"{what}: the weights after each of its {steps} steps")
    expect_close(got, reference_minibatch_epoch(w, X, y, lr, batch_size, copy.deepcopy(rng)), what, tol=1e-9,
                 hint=MB_HINT, show=show)


@minibatch.check(points=1, public=True)
def full_batch_is_one_gradient_step(student, rng):
    """with batch_size = n it takes exactly one step of batch gradient descent (whatever the order)"""
    X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.0, 0.0], [2.0, 1.0]])
    y = np.array([1.0, 0.0, -1.0, 2.0])
    w = np.array([0.2, -0.1])
    got = expect_shape(student(w, X, y, 0.1, 4, np.random.default_rng(0)), (1, 2),
                       "minibatch_epoch(w, X, y, lr=0.1, batch_size=4, rng) with n = 4")
    expected = w - 0.1 * X.T @ (X @ w - y) / 4
    expect_close(got[0], expected, "the one step of batch gradient descent", tol=1e-9, show=True,
                 hint="The gradient of 1/(2n) ||X w - y||^2 is X^T (X w - y) / n.")


@minibatch.check(points=1, public=True)
def sgd_visits_the_shuffled_samples(student, rng):
    """with batch_size = 1 it takes one step per sample, in the order rng.permutation(n) gives"""
    X, y = _regression(np.random.default_rng(5), 6, 2)
    _expect_epoch(student, np.zeros(2), X, y, 0.05, 1, np.random.default_rng(1),
                  "minibatch_epoch(w, X, y, lr=0.05, batch_size=1, rng)", show=True)


@minibatch.check(points=2)
def mini_batches_of_random_sizes(student, rng):
    """matches the reference on random data with batch sizes that do not divide n (a smaller last batch)"""
    for _ in range(3):
        n, d = int(rng.integers(7, 40)), int(rng.integers(1, 6))
        X, y = _regression(rng, n, d)
        batch = int(rng.integers(2, n))
        if n % batch == 0:
            batch += 1
        shuffler = np.random.default_rng(int(rng.integers(1 << 30)))
        _expect_epoch(student, rng.normal(size=d), X, y, float(rng.uniform(0.01, 0.2)), batch, shuffler,
                      "minibatch_epoch with a batch size that does not divide n")


# ---------------------------------------------------------------------------------- Q2 .. Q7 the rules

def _lr(rng, low, high):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


momentum = _optimizer_question(
    "momentum", ref.momentum,
    "v <- mu v - lr g;  w <- w + v (or the same with v <- mu v + g;  w <- w - lr v). Read lr and mu from state.",
    {"lr": 0.05, "mu": 0.8},
    lambda rng: {"lr": _lr(rng, 0.01, 0.1), "mu": float(rng.uniform(0.5, 0.95))},
)

nesterov = _optimizer_question(
    "nesterov", ref.nesterov,
    "With the gradient g taken at the stored w: v_prev = v;  v <- mu v - lr g;  w <- w - mu v_prev + (1 + mu) v "
    "(equivalently w <- w + mu v - lr g with the new v).",
    {"lr": 0.05, "mu": 0.8},
    lambda rng: {"lr": _lr(rng, 0.01, 0.1), "mu": float(rng.uniform(0.5, 0.95))},
)

adagrad = _optimizer_question(
    "adagrad", ref.adagrad,
    "G <- G + g^2 (the squares, summed over all steps, never decayed);  w <- w - lr g / (sqrt(G) + eps).",
    {"lr": 0.5, "eps": 1e-8},
    lambda rng: {"lr": _lr(rng, 0.05, 1.0), "eps": 1e-8},
    points=(1, 0.5, 1, 0.5),
)

rmsprop = _optimizer_question(
    "rmsprop", ref.rmsprop,
    "s <- rho s + (1 - rho) g^2;  w <- w - lr g / (sqrt(s) + eps): eps outside the square root.",
    {"lr": 0.05, "rho": 0.9, "eps": 1e-8},
    lambda rng: {"lr": _lr(rng, 0.005, 0.1), "rho": float(rng.uniform(0.8, 0.99)), "eps": 1e-8},
    points=(1, 0.5, 1, 0.5),
)

adadelta = _optimizer_question(
    "adadelta", ref.adadelta,
    "s <- rho s + (1 - rho) g^2;  delta = -sqrt(u + eps) / sqrt(s + eps) * g;  u <- rho u + (1 - rho) delta^2 "
    "(the unscaled delta, after computing it);  w <- w + lr delta.",
    {"lr": 1.0, "rho": 0.9, "eps": 1e-3},
    lambda rng: {"lr": float(rng.choice([1.0, 0.5])), "rho": float(rng.uniform(0.8, 0.99)),
                 "eps": float(rng.choice([1e-3, 1e-4]))},
)

adam = _optimizer_question(
    "adam", ref.adam,
    "t <- t + 1;  m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;  m_hat = m / (1 - beta1^t);  "
    "v_hat = v / (1 - beta2^t);  w <- w - lr m_hat / (sqrt(v_hat) + eps). The bias correction is what makes the "
    "first steps about lr long.",
    {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    lambda rng: {"lr": _lr(rng, 0.01, 0.2), "beta1": float(rng.uniform(0.8, 0.95)),
                 "beta2": float(rng.uniform(0.99, 0.9999)), "eps": 1e-12},  # tiny: the form with the
    # corrections folded into the step size, w - lr_t m / (sqrt(v) + eps), differs only in where eps sits
    points=(1, 1, 2, 1),
)


# ------------------------------------------------------------------------------------ Q8 clipping

clip = Question("a5.clip", "clip_by_global_norm", references=[ref.clip_grad_norm])
CLIP_HINT = ("N = sqrt(sum over every array and every entry of g^2), one number for all the arrays together; if "
             "N > max_norm multiply every array by max_norm / N, else leave them alone. Return (new dict, N).")


def _expect_clip(student, grads, max_norm, what, show=False):
    result = student(grads, max_norm)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (clipped, norm); got {type(result).__name__}.", hint=CLIP_HINT)
    clipped, norm = result
    if not isinstance(clipped, dict) or sorted(clipped) != sorted(grads):
        raise CheckFailed(f"{what}: `clipped` must be a dict with the same keys as grads, {sorted(grads)}.",
                          hint=CLIP_HINT)
    expected = {k: v.copy() for k, v in grads.items()}
    expected_norm = ref.clip_grad_norm(expected, max_norm)
    expect_close(as_array(norm, f"{what}: norm"), expected_norm, f"{what}: the norm it returns (before clipping)",
                 tol=1e-9, hint=CLIP_HINT, show=show)
    for k in grads:
        expect_close(clipped[k], expected[k], f"{what}: clipped[{k!r}]", tol=1e-9, hint=CLIP_HINT, show=show)


@clip.check(points=1, public=True)
def small_gradients_untouched(student, rng):
    """leaves gradients whose global norm is below max_norm unchanged"""
    grads = {"W1": np.array([[0.3, -0.4]]), "b1": np.array([0.0, 0.0])}
    _expect_clip(student, grads, 1.0, "clip_by_global_norm(grads, max_norm=1) with a norm of 0.5", show=True)


@clip.check(points=1, public=True)
def large_gradients_scaled_together(student, rng):
    """scales all arrays by the same factor when the global norm exceeds max_norm"""
    grads = {"W1": np.array([[3.0, 0.0], [0.0, 0.0]]), "b1": np.array([4.0, 0.0]), "W2": np.array([[12.0]])}
    _expect_clip(student, grads, 6.5, "clip_by_global_norm(grads, max_norm=6.5) with a norm of 13", show=True)


@clip.check(points=1)
def random_sets_of_gradients(student, rng):
    """matches the reference on random sets of arrays, above and below the threshold"""
    for scale in (0.1, 10.0, 1000.0):
        grads = {f"W{k}": scale * rng.normal(size=_random_shape(rng)) for k in range(1, int(rng.integers(2, 5)))}
        grads["b1"] = scale * rng.normal(size=3)
        _expect_clip(student, grads, float(rng.uniform(0.5, 5.0)), "clip_by_global_norm on random gradients")
