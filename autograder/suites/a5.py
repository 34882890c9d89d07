"""Assignment 5: optimization (reference: backprop.optim, plus one reference kept here, see below).

The optimizer questions never compare one stored array. Each check runs the student's update rule and the
reference side by side for several steps on a test function whose gradient depends on where the weights are,
and compares the *trajectories* w_1, ..., w_T. Any algebraically equivalent way of writing a rule (momentum as
``v = mu v - lr g; w += v`` or as ``v = mu v + g; w -= lr v``; Adam with the bias correction folded into the
step size; ...) gives the same trajectory up to rounding and passes; what the rule stores in ``state`` is the
student's business, as long as the hyper-parameters are read from it under the library's names.
"""

import copy
import functools

import numpy as np

from backprop import optim as ref

from .. import derive
from ..checks import CheckFailed, Mistake, as_array, expect_close, expect_inputs_unchanged, expect_shape, rel_error
from ..question import Derivation, Question, Written

TOL = 1e-6  # equivalent forms differ by rounding only; a wrong rule differs by far more after a few steps


# ------------------------------------------------------------------------------------ shared helpers

def _call_rule(student, w, g, state, what):
    """One step of the student's rule; checks that it returned (w_new, state) with w_new shaped like w."""
    result = student(w, g, state)
    expect_inputs_unchanged(student, what, which=("argument 1",))  # the text: return a new array, not w -= ...
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (w_new, state); got {type(result).__name__}.",
                          hint="End with `return w_new, state` (the same dict, with your running quantities in it).")
    w_new, new_state = result
    if not isinstance(new_state, dict):
        raise CheckFailed(f"{what} returned {type(new_state).__name__} as its state; expected the state dict.",
                          hint="Return the dict you were given, after storing your running quantities in it.")
    return expect_shape(w_new, np.shape(w), f"{what}: w_new"), new_state


def _trajectory(student, reference, hyper, grad, w0, steps, what, hint, show=False, variants=()):
    """Run the student's rule and the reference from w0 for ``steps`` steps, comparing every iterate.

    ``grad(w)`` is the test function's gradient, so a wrong step changes every later gradient too.
    The student's state starts as a copy of ``hyper`` (hyper-parameters only, no running quantities).
    ``variants``: the rule's classic mistakes, (sentence, buggy rule); on a failing step each buggy rule is run
    from the same start for as many steps, and the one that lands where the student's did is named.
    """
    w_s, state_s = np.array(w0, dtype=float), dict(hyper)
    w_r, state_r = np.array(w0, dtype=float), dict(hyper)
    for step in range(1, steps + 1):
        w_s, state_s = _call_rule(student, w_s, grad(w_s), state_s, what)
        w_r, state_r = reference(w_r, grad(w_r), state_r)
        mistakes = [Mistake(sentence, functools.partial(_run_rule, rule, hyper, grad, w0, step))
                    for sentence, rule in variants]
        _expect_close(w_s, w_r, f"{what}: w after step {step} of {steps}", tol=TOL, hint=hint, show=show,
                      mistakes=mistakes)


def _run_rule(rule, hyper, grad, w0, steps):
    """Where ``rule`` (a buggy variant, run on the grader's side) is after ``steps`` steps from w0."""
    w, state = np.array(w0, dtype=float), dict(hyper)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w, state = rule(w, grad(w), state)
    return w


def _expect_close(value, expected, what, mistakes=(), **options):
    """``expect_close``, and when the answer holds NaN or infinity, the catalogue is still consulted (a buggy
    variant that takes the square root of a negative number gives NaN in the same places)."""
    try:
        return expect_close(value, expected, what, mistakes=mistakes, **options)
    except CheckFailed as failure:
        if failure.diagnosis is None:
            failure.diagnosis = _matching(value, expected, mistakes)
        raise


def _matching(value, expected, mistakes):
    """The sentence of the first mistake whose answer equals ``value``, NaN and infinity in the same places."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    for mistake in mistakes:
        try:
            with np.errstate(all="ignore"):
                alt = np.asarray(mistake.answer() if callable(mistake.answer) else mistake.answer, dtype=float)
        except Exception:  # noqa: BLE001 (a variant that does not apply to these inputs)
            continue
        if alt.shape != arr.shape or alt.shape != np.shape(expected):
            continue
        finite = np.isfinite(alt)
        if not np.array_equal(finite, np.isfinite(arr)) or not np.array_equal(alt[~finite], arr[~finite],
                                                                              equal_nan=True):
            continue
        if rel_error(arr[finite], alt[finite]) <= 1e-6 and (not finite.all() or rel_error(alt, expected) > 1e-6):
            return mistake.sentence
    return None


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


def _optimizer_question(name, reference, hint, public_hyper, random_hyper, points=(1, 1, 1, 1), topic="",
                        withheld=(), variants=()):
    """A question for one update rule, with four checks:

    - public: a fixed trajectory on a 2-D quadratic (shown on failure);
    - public: the first step from a state with hyper-parameters only (starting the running quantities);
    - hidden: trajectories of random shapes and random hyper-parameters, and on the Rosenbrock function;
    - hidden: two parameters updated in turn, each with its own state (running quantities live in state).
    """
    question = Question(f"a5.{name}", name, references=[reference], topic=topic, withheld=withheld)
    what = f"{name}(w, dw, state)"

    def public_trajectory(student, rng):
        grad = lambda w: np.array([1.0, 6.0]) * (w - np.array([0.5, -0.25]))
        _trajectory(student, reference, public_hyper, grad, [-1.5, 1.0], 6, what, hint, show=True, variants=variants)

    public_trajectory.__doc__ = f"follows the written formula for 6 steps on a 2-D quadratic ({_fmt(public_hyper)})"

    def first_step(student, rng):
        g = np.array([[0.5, -2.0, 1.5], [-0.25, 3.0, -1.0]])
        w = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]])
        w_new, state = _call_rule(student, w, g, dict(public_hyper), what)
        expected, _ = reference(w, g, dict(public_hyper))
        _expect_close(w_new, expected, f"{what}: the first step, starting from a state holding only "
                      f"{sorted(public_hyper)}", tol=TOL, show=True,
                      mistakes=[Mistake(sentence, functools.partial(_run_rule, rule, public_hyper, lambda _: g, w, 1))
                                for sentence, rule in variants],
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
                        f"{what} on a random quadratic", hint, variants=variants)
        hyper = random_hyper(rng)
        hyper["lr"] = hyper["lr"] * (0.01 if name not in ("adagrad", "adadelta") else 0.2)
        _trajectory(student, reference, hyper, _rosenbrock_grad, [-1.2, 1.0] + 0.1 * rng.normal(size=2), 10,
                    f"{what} on the Rosenbrock function", hint, variants=variants)

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
                _expect_close(w_s[k], w_r[k], f"{what}: parameter {k + 1} of 2 after step {step}, the two "
                              f"updated in turn with their own states", tol=TOL,
                              mistakes=[Mistake(sentence, functools.partial(_run_rule, rule, hyper, grads[k], ws[k],
                                                                            step)) for sentence, rule in variants],
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


minibatch = Question("a5.minibatch", "minibatch_epoch", topic="batch, stochastic and mini-batch gradient descent "
                     "(notes 000, 003, 004)",
                     withheld=[r"X_B\.T@\(X_B@w-y_B\)/(len\(batch\)|len\(idx\)|\|B\|)"])
MB_HINT = ("Revisit the recipe of Q1 step by step: one call to rng.permutation for the whole epoch, consecutive "
           "slices of that order (the last one may be shorter), one step per slice on the mean loss of that slice "
           "alone, and one row of the result per step.")


def _regression(rng, n, d):
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, size=d)
    y = X @ rng.normal(size=d) + 0.3 * rng.normal(size=n)
    return X, y


# The classic mistakes of one epoch, each a buggy variant of the reference (run on the grader's side only).

def _minibatch_variant(w, X, y, lr, batch_size, rng, summed=False, divide_by_B=False, whole_data=False,
                       no_shuffle=False, reshuffle=False, aliased=False):
    order = np.arange(len(X)) if no_shuffle else rng.permutation(len(X))
    path = []
    for start in range(0, len(X), batch_size):
        idx = (rng.permutation(len(X)) if reshuffle and start else order)[start:start + batch_size]
        Xb, yb = (X, y) if whole_data else (X[idx], y[idx])
        size = 1 if summed else batch_size if divide_by_B else len(yb)
        w = w - lr * Xb.T @ (Xb @ w - yb) / size
        path.append(w)
    return np.array([path[-1]] * len(path) if aliased else path)


MINIBATCH_MISTAKES = [
    ("the gradient is summed over the batch where the batch's mean loss was asked: each step is |B| times too long. "
     "Revisit the batch loss L_B of Q1 (a mean over the batch).", dict(summed=True)),
    ("the last, shorter batch is divided by batch_size instead of by its own size: the mean runs over the samples "
     "the batch really holds.", dict(divide_by_B=True)),
    ("each step uses the gradient of the whole data set, not of its batch: slice X and y with the batch's indices.",
     dict(whole_data=True)),
    ("the batches follow the samples in their stored order: shuffle once with rng.permutation(n) and cut that "
     "order into consecutive slices.", dict(no_shuffle=True)),
    ("the order is shuffled again for every batch: call rng.permutation once per epoch, so that every sample is "
     "used exactly once.", dict(reshuffle=True)),
    ("every row is the final weights: w was updated in place (w -= ...) and the same array appended at each step, "
     "so all the rows show the last value. Build a new array at each step.", dict(aliased=True)),
]


def _expect_epoch(student, w, X, y, lr, batch_size, rng, what, show=False):
    steps = -(-len(X) // batch_size)
    got = student(w, X, y, lr, batch_size, copy.deepcopy(rng))
    expect_inputs_unchanged(student, what, which=("argument 1",))  # the text: w itself is not modified
    _expect_steps(got, steps, len(w), f"{what}: the weights after each of its {steps} steps")
    mistakes = [Mistake(sentence, functools.partial(_minibatch_variant, w, X, y, lr, batch_size, copy.deepcopy(rng),
                                                    **how)) for sentence, how in MINIBATCH_MISTAKES]
    expect_close(got, reference_minibatch_epoch(w, X, y, lr, batch_size, copy.deepcopy(rng)), what, tol=1e-9,
                 hint=MB_HINT, show=show, mistakes=mistakes)


def _expect_steps(got, steps, d, what):
    """The path has one row per step; a row too many or too few gets its own diagnosis (one step off)."""
    arr = as_array(got, what)
    if arr.ndim == 2 and arr.shape[1] == d and abs(arr.shape[0] - steps) == 1:
        more = arr.shape[0] > steps
        raise CheckFailed(f"{what} has shape {arr.shape}; expected {(steps, d)}.", hint=MB_HINT,
                          diagnosis="one step off: " + (
                              "a row too many (the starting weights kept as a row, or a step after the last batch)."
                              if more else "a row missing (the last, shorter batch dropped, or the last step not "
                                           "recorded). There is one step, and one row, per batch, the shorter "
                                           "last one included."))
    return expect_shape(arr, (steps, d), what, hint=MB_HINT)


@minibatch.check(points=1, public=True)
def full_batch_is_one_gradient_step(student, rng):
    """with batch_size = n it takes exactly one step of batch gradient descent (whatever the order)"""
    X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.0, 0.0], [2.0, 1.0]])
    y = np.array([1.0, 0.0, -1.0, 2.0])
    w = np.array([0.2, -0.1])
    what = "minibatch_epoch(w, X, y, lr=0.1, batch_size=4, rng) with n = 4"
    got = student(w, X, y, 0.1, 4, np.random.default_rng(0))
    expect_inputs_unchanged(student, what, which=("argument 1",))
    got = _expect_steps(got, 1, 2, what)
    expected = w - 0.1 * X.T @ (X @ w - y) / 4
    expect_close(got[0], expected, "the one step of batch gradient descent", tol=1e-9, show=True, n=4,
                 mistakes=[Mistake(MINIBATCH_MISTAKES[0][0], w - 0.1 * X.T @ (X @ w - y))],
                 hint="With one batch holding every sample, the epoch is a single step on the mean loss of section 1: "
                      "recheck its gradient and the size you divide by.")


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


reflection_step_size = Written("a5.reflection_step_size", 2, topic="learning rates, SGD's noise floor and a decaying "
                               "step size (notes 000, 004)")


# ---------------------------------------------------------------------------------- Q3 .. Q12 the rules

def _lr(rng, low, high):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _by_hand(rule, hyper, w0, grad, steps):
    """The iterate after ``steps`` steps of a library rule from w0 (a scalar problem worked in the notebook)."""
    w, state = np.array([w0], dtype=float), dict(hyper)
    with np.errstate(all="ignore"):  # a buggy variant may divide by zero
        for _ in range(steps):
            w, state = rule(w, grad(w), state)
    return float(w[0])


# The numbers of the by-hand questions: f(w) = w^2 (gradient 2w) from w0 = 1, computed with the reference so that
# they follow the library. The notebook states the same problems.
MOMENTUM_W2 = _by_hand(ref.momentum, {"lr": 0.1, "mu": 0.9}, 1.0, lambda w: 2 * w, 2)
RMSPROP_W2 = _by_hand(ref.rmsprop, {"lr": 0.1, "rho": 0.9, "eps": 0.0}, 1.0, lambda w: 2 * w, 2)

momentum_steps = Derivation(
    "a5.momentum_steps", answers=["momentum_limit", "momentum_w2"],
    topic="momentum: the velocity as a geometric sum, and two steps by hand (notes 004)",
    withheld=[r"1/\(1-(mu|μ|\\mu)\)", r"\\frac\{1\}\{1-(\\mu|μ|mu)\}", r"\{1-(\\mu|μ)\}", r"/\(1-(mu|μ|\\mu)\)",
              r"0\.46(?!\d)"])
MOMENTUM_LIMIT_HINT = ("Unroll the velocity for a gradient that never changes: it becomes a geometric sum of powers "
                       "of mu. Count its terms from the current step (that one has mu to the power 0), let t grow "
                       "without bound, and divide by the size of one plain step.")
MOMENTUM_W2_HINT = ("Work the two steps in order, each with the gradient 2 w at the weight you have then: first the "
                    "velocity (it starts at zero), then the weight. Mind the sign of each term.")


MOMENTUM_LIMIT_MISTAKES = [
    Mistake("your geometric sum starts one power too high: the current step counts too, with mu to the power 0. "
            "Recount the terms of the unrolled velocity.", "mu / (1 - mu)"),
    Mistake("your result is upside down: with mu close to 1 the steps pile up, so the multiple grows without bound "
            "(recheck the sum of the geometric series).", "1 - mu"),
    Mistake("your sum stops after two terms (the two steps worked by hand): the long run lets the number of terms "
            "grow without bound.", "1 + mu"),
]


def _by_hand_mistakes(rule, hyper, variants):
    """The numbers two steps by hand give with each classic slip: the rule's own mistakes, the second gradient taken
    at the starting weight, and plain gradient descent."""
    slips = [Mistake(sentence, _by_hand(variant, hyper, 1.0, lambda w: 2 * w, 2)) for sentence, variant in variants]
    slips.append(Mistake("the second step uses the gradient at the starting weight: take the gradient 2 w at the "
                         "weight after the first step.", _by_hand(rule, hyper, 1.0, lambda w: 2.0 + 0 * w, 2)))
    slips.append(Mistake("these are two plain gradient-descent steps: the running quantity the rule keeps changes "
                         "the second step.", _by_hand(ref.sgd, {"lr": hyper["lr"]}, 1.0, lambda w: 2 * w, 2)))
    return slips


@momentum_steps.check(points=2, public=True)
def momentum_limit_in_mu(answers, rng):
    "the long-run step for a constant gradient, as a multiple of a plain step, in mu"
    derive.expect_expression(answers, "momentum_limit", "1/(1 - mu)", {"mu": (0.0, 0.95)}, hint=MOMENTUM_LIMIT_HINT,
                             rng=rng, mistakes=MOMENTUM_LIMIT_MISTAKES)


@momentum_steps.check(points=2, public=True)
def two_momentum_steps_by_hand(answers, rng):
    "w after two momentum steps on f(w) = w^2, by hand"
    derive.expect_number(answers, "momentum_w2", MOMENTUM_W2, hint=MOMENTUM_W2_HINT, mistakes=_by_hand_mistakes(
        ref.momentum, {"lr": 0.1, "mu": 0.9}, MOMENTUM_MISTAKES))


# The rules' classic mistakes, each a buggy variant of the library's rule (run on the grader's side only, to name the
# mistake a student's path matches). Hyper-parameters are read as the reference reads them.

def _momentum_no_decay(w, dw, state):
    state["v"] = state.get("v", 0.0) - state["lr"] * dw
    return w + state["v"], state


def _momentum_old_velocity(w, dw, state):
    v_old = state.get("v", 0.0)
    state["v"] = state["mu"] * v_old - state["lr"] * dw
    return w + v_old, state


def _momentum_uphill(w, dw, state):
    state["v"] = state["mu"] * state.get("v", 0.0) + state["lr"] * dw
    return w + state["v"], state


def _momentum_damped(w, dw, state):
    state["v"] = state["mu"] * state.get("v", 0.0) - (1 - state["mu"]) * state["lr"] * dw
    return w + state["v"], state


MOMENTUM_MISTAKES = [
    ("the velocity never fades: the old velocity must shrink by the factor mu before this step's gradient term "
     "joins it (the definition in 5.1).", _momentum_no_decay),
    ("one step off: the weight moves by the velocity of the previous step. Update the velocity first, then move the "
     "weight by the new one.", _momentum_old_velocity),
    ("the gradient term points uphill: the velocity must collect steps against the gradient (a descent step).",
     _momentum_uphill),
    ("the gradient term is damped by (1 - mu), as in an average of gradients; in 5.1 it joins the velocity with the "
     "full step size lr.", _momentum_damped),
]


def _nesterov_no_correction(w, dw, state):
    v_prev = state.get("v", 0.0)
    state["v"] = state["mu"] * v_prev - state["lr"] * dw
    return w + (1 + state["mu"]) * state["v"], state


NESTEROV_MISTAKES = [
    ("this is plain momentum: the look-ahead is missing. The move from one stored point to the next uses the old "
     "velocity as well as the new one (keep the old one before you overwrite it).",
     lambda w, dw, state: ref.momentum(w, dw, state)),
    ("a term is missing: the move keeps the new velocity's part but not the part that takes back the old velocity's "
     "look-ahead.", _nesterov_no_correction),
] + MOMENTUM_MISTAKES[2:3]


def _adagrad_sums_g(w, dw, state):
    state["G"] = state.get("G", 0.0) + dw
    return w - state["lr"] * dw / (np.sqrt(state["G"]) + state["eps"]), state


def _adagrad_old_sum(w, dw, state):
    G_old = state.get("G", 0.0)
    state["G"] = G_old + dw * dw
    return w - state["lr"] * dw / (np.sqrt(G_old) + state["eps"]), state


def _adagrad_no_root(w, dw, state):
    state["G"] = state.get("G", 0.0) + dw * dw
    return w - state["lr"] * dw / (state["G"] + state["eps"]), state


ADAGRAD_MISTAKES = [
    ("Adagrad accumulates the gradients themselves instead of their squares: a sum of signed gradients shrinks, "
     "changes sign, and its square root is not a size.", _adagrad_sums_g),
    ("one step off: the step divides by the accumulated sum from before this step's squared gradient was added. "
     "Add it first, then step.", _adagrad_old_sum),
    ("the square root is missing: the step divides by the root of the accumulated squares (a size in the units of "
     "the gradient).", _adagrad_no_root),
]


def _rmsprop_swapped(w, dw, state):
    state["s"] = (1 - state["rho"]) * state.get("s", 0.0) + state["rho"] * dw * dw
    return w - state["lr"] * dw / (np.sqrt(state["s"]) + state["eps"]), state


def _rmsprop_full_weight(w, dw, state):
    state["s"] = state["rho"] * state.get("s", 0.0) + dw * dw
    return w - state["lr"] * dw / (np.sqrt(state["s"]) + state["eps"]), state


def _rmsprop_no_root(w, dw, state):
    state["s"] = state["rho"] * state.get("s", 0.0) + (1 - state["rho"]) * dw * dw
    return w - state["lr"] * dw / (state["s"] + state["eps"]), state


def _rmsprop_old_average(w, dw, state):
    s_old = state.get("s", 0.0)
    state["s"] = state["rho"] * s_old + (1 - state["rho"]) * dw * dw
    return w - state["lr"] * dw / (np.sqrt(s_old) + state["eps"]), state


RMSPROP_MISTAKES = [
    ("the weights of the running average are swapped: the old average keeps the share rho, the new squared "
     "gradient gets the rest.", _rmsprop_swapped),
    ("the new squared gradient enters the running average with its full weight instead of the share 1 - rho.",
     _rmsprop_full_weight),
    ("the square root is missing: the step divides by the root of the running average of squares.", _rmsprop_no_root),
    ("one step off: the step divides by the running average from before this step's gradient joined it. Update the "
     "average first, then step.", _rmsprop_old_average),
]


def _adadelta(w, dw, state, new_u_first=False, scaled=False, old_s=False):
    rho, eps, lr = state["rho"], state["eps"], state["lr"]
    s_old = state.get("s", 0.0)
    s = rho * s_old + (1 - rho) * dw * dw
    delta = -np.sqrt(state.get("u", 0.0) + eps) / np.sqrt((s_old if old_s else s) + eps) * dw
    step = lr * delta if scaled else delta
    state["s"], state["u"] = s, rho * state.get("u", 0.0) + (1 - rho) * step * step
    return w + lr * delta, state


def _adadelta_eps_outside(w, dw, state):
    rho, eps, lr = state["rho"], state["eps"], state["lr"]
    s = rho * state.get("s", 0.0) + (1 - rho) * dw * dw
    delta = -(np.sqrt(state.get("u", 0.0)) + eps) / (np.sqrt(s) + eps) * dw
    state["s"], state["u"] = s, rho * state.get("u", 0.0) + (1 - rho) * delta * delta
    return w + lr * delta, state


ADADELTA_MISTAKES = [
    ("one step off: the step divides by the average of squared gradients from before this step's gradient joined "
     "it. Update that average first (the order of 5.5).", functools.partial(_adadelta, old_s=True)),
    ("the average of squared steps collects the step scaled by lr; it collects the unscaled step (lr only scales "
     "the move of the weight).", functools.partial(_adadelta, scaled=True)),
    ("eps sits outside the square roots; in Adadelta it sits inside both (that is what makes the first step "
     "nonzero).", _adadelta_eps_outside),
]


def _adam(w, dw, state, correct=True, late_count=False, same_beta=False, root=True):
    b1, b2, eps, lr = state["beta1"], state["beta2"], state["eps"], state["lr"]
    t = state.get("t", 0) + (0 if late_count else 1)
    m = b1 * state.get("m", 0.0) + (1 - b1) * dw
    v = b2 * state.get("v", 0.0) + (1 - b2) * dw * dw
    state["t"], state["m"], state["v"] = (t + 1 if late_count else t), m, v
    if correct:
        m, v = m / (1 - b1 ** t), v / (1 - (b1 if same_beta else b2) ** t)
    return w - lr * m / ((np.sqrt(v) if root else v) + eps), state


ADAM_MISTAKES = [
    ("the bias correction is missing: m and v start at zero, so early on they are too small (Q11); divide each by "
     "its correction factor before the step.", functools.partial(_adam, correct=False)),
    ("one step off: the step count is still 0 on the first step (count the step first, so that it uses t = 1); "
     "the correction then divides by zero.", functools.partial(_adam, late_count=True)),
    ("the squared gradients' average is corrected with beta1's factor; it needs its own, with beta2.",
     functools.partial(_adam, same_beta=True)),
    ("the square root of the corrected second moment is missing: the step divides by a size in the units of the "
     "gradient.", functools.partial(_adam, root=False)),
]


MOMENTUM_CODE = [r"(mu|state\[.mu.\])\*[^,;=]*v[^,;=]*-(state\[.lr.\]|lr|eta)\*(dw|g)\b"]
momentum = _optimizer_question(
    "momentum", ref.momentum,
    "Compare your step with the definition in 5.1: the old velocity fades by mu before the new gradient term joins "
    "it, the gradient term points downhill, and the weight moves by the new velocity. Read lr and mu from state.",
    {"lr": 0.05, "mu": 0.8},
    lambda rng: {"lr": _lr(rng, 0.01, 0.1), "mu": float(rng.uniform(0.5, 0.95))},
    topic="momentum (notes 004)", withheld=MOMENTUM_CODE,
    variants=MOMENTUM_MISTAKES,
)

nesterov = _optimizer_question(
    "nesterov", ref.nesterov,
    "The gradient you are given is taken at the stored point, which is the look-ahead point. Keep the old velocity "
    "before you overwrite it: the move from one stored point to the next uses both the old and the new velocity.",
    {"lr": 0.05, "mu": 0.8},
    lambda rng: {"lr": _lr(rng, 0.01, 0.1), "mu": float(rng.uniform(0.5, 0.95))},
    topic="Nesterov's look-ahead, written for the gradient at the stored point (notes 004)",
    withheld=[r"-(mu|state\[.mu.\])\*v_prev\+\(1\+(mu|state\[.mu.\])\)\*v"],
    variants=NESTEROV_MISTAKES,
)

adagrad = _optimizer_question(
    "adagrad", ref.adagrad,
    "Check what you accumulate (the squares of the gradients, summed over every step and never decayed) and where "
    "eps sits (outside the square root, as in 5.3).",
    {"lr": 0.5, "eps": 1e-8},
    lambda rng: {"lr": _lr(rng, 0.05, 1.0), "eps": 1e-8},
    points=(1, 0.5, 1, 0.5), topic="adaptive step sizes: Adagrad (notes 000, 004)",
    variants=ADAGRAD_MISTAKES,
)

rmsprop_by_hand = Derivation(
    "a5.rmsprop_by_hand", answers=["rmsprop_w2"],
    topic="RMSprop: two steps by hand (notes 000, 004)", withheld=[r"0\.498[0-9]", r"0\.499(?!\d)"])
RMSPROP_W2_HINT = ("Work the two steps in order: the running average first (it starts at zero and takes only the "
                   "share 1 - rho of the new squared gradient), then the step with its square root; the second "
                   "gradient is 2 w at the weight after the first step.")


@rmsprop_by_hand.check(points=2, public=True)
def two_rmsprop_steps_by_hand(answers, rng):
    "w after two RMSprop steps on f(w) = w^2, by hand"
    derive.expect_number(answers, "rmsprop_w2", RMSPROP_W2, hint=RMSPROP_W2_HINT, mistakes=_by_hand_mistakes(
        ref.rmsprop, {"lr": 0.1, "rho": 0.9, "eps": 0.0}, RMSPROP_MISTAKES))


rmsprop = _optimizer_question(
    "rmsprop", ref.rmsprop,
    "Check the running average (a decaying average of the squared gradients, weights rho and 1 - rho) and where "
    "eps sits: outside the square root here.",
    {"lr": 0.05, "rho": 0.9, "eps": 1e-8},
    lambda rng: {"lr": _lr(rng, 0.005, 0.1), "rho": float(rng.uniform(0.8, 0.99)), "eps": 1e-8},
    points=(1, 0.5, 1, 0.5), topic="adaptive step sizes: RMSprop (notes 000, 004)",
    variants=RMSPROP_MISTAKES,
)

adadelta_first_step = Derivation(
    "a5.adadelta_first_step", answers=["adadelta_first_step"],
    topic="Adadelta: the size of its first step (notes 004)",
    withheld=[r"(sqrt|\\sqrt)\{?\(?(eps|ε|\\epsilon|\\varepsilon)\}?\)?/\(?1-(rho|ρ|\\rho)",
              r"\\frac\{(\\epsilon|ε|\\varepsilon)\}\{1-(\\rho|ρ)\}",
              r"(sqrt|\\sqrt)\{?\(?(eps|ε|\\epsilon|\\varepsilon)\}?\)?/(sqrt|\\sqrt)\{?\(?1-(rho|ρ|\\rho)"])
ADADELTA_FIRST_HINT = ("Write out the first step from zero running averages: what is s after one step, and what "
                       "is u before it? Then let the gradient be large compared with eps, so that eps is negligible "
                       "where it is added to a squared gradient but not where it stands alone.")


ADADELTA_FIRST_MISTAKES = [
    Mistake("after one step s holds only the share 1 - rho of the squared gradient (it starts at zero), not the whole "
            "of it: recheck s after one step.", "sqrt(eps)"),
    Mistake("the factor 1 - rho lands on the wrong side of the fraction: it comes from s, under the square root of "
            "the denominator.", "sqrt(eps * (1 - rho))"),
    Mistake("the square root is missing: the step is a ratio of two root-mean-squares.", "eps / (1 - rho)"),
]


@adadelta_first_step.check(points=2, public=True)
def first_step_size(answers, rng):
    "the size of Adadelta's first step for a large gradient, in eps and rho"
    derive.expect_expression(answers, "adadelta_first_step", "sqrt(eps / (1 - rho))",
                             {"eps": (1e-6, 1e-2), "rho": (0.5, 0.99)}, hint=ADADELTA_FIRST_HINT, rng=rng,
                             mistakes=ADADELTA_FIRST_MISTAKES)


adadelta = _optimizer_question(
    "adadelta", ref.adadelta,
    "Check the order of 5.5: update the average of squared gradients, compute the step with the *old* average of "
    "squared steps, then update that average with the unscaled step; eps sits inside both square roots.",
    {"lr": 1.0, "rho": 0.9, "eps": 1e-3},
    lambda rng: {"lr": float(rng.choice([1.0, 0.5])), "rho": float(rng.uniform(0.8, 0.99)),
                 "eps": float(rng.choice([1e-3, 1e-4]))},
    topic="adaptive step sizes: Adadelta (notes 004)",
    variants=ADADELTA_MISTAKES,
)

ADAM_FACTOR_FORMS = [r"1-(beta1|b1|β1|β_1|β_\{1\}|\\beta_1|\\beta_\{1\})(\*\*|\^)\{?\(?t",
                     r"\((1|1\.0)-(beta1|b1|β1|β_1|\\beta_1|\\beta_\{1\})\)/(np\.)?(sqrt|\\sqrt)",
                     r"\\frac\{1-(\\beta_1|\\beta_\{1\}|β_1)\}\{\\sqrt"]
adam_bias = Derivation(
    "a5.adam_bias", answers=["adam_mean_factor", "adam_first_step_uncorrected"],
    topic="Adam: the bias of averages started at zero, and its correction (notes 004)",
    withheld=ADAM_FACTOR_FORMS)
ADAM_MEAN_HINT = ("Unroll the recursion from m_0 = 0 into a weighted sum of the gradients; take the expectation "
                  "with a constant mean gradient, and sum the geometric series of t terms (a finite sum, not the "
                  "infinite one).")
ADAM_UNCORRECTED_HINT = ("Write m_1 and v_1 from zero averages, divide as the step does with eps = 0, and express "
                         "the length of the step in units of lr (for a positive gradient).")


ADAM_MEAN_MISTAKES = [
    Mistake("that is the infinite geometric series: after t steps the sum has only t terms (a finite sum).", "1"),
    Mistake("one step off: the unrolled sum has t terms, the first with beta1 to the power 0 (count them again).",
            "1 - beta1**(t + 1)"),
    Mistake("one step off: the unrolled sum has t terms, the first with beta1 to the power 0 (count them again).",
            "1 - beta1**(t - 1)"),
    Mistake("each weight of the sum carries the factor 1 - beta1 in front of a power of beta1: sum the series "
            "with that factor outside.", "(1 - beta1)**t"),
]
ADAM_UNCORRECTED_MISTAKES = [
    Mistake("the step divides by v_1 itself; it divides by its square root.", "(1 - beta1) / (1 - beta2)"),
    Mistake("that is the corrected first step: without the correction m_1 and v_1 keep their factors.", "1"),
    Mistake("your result is upside down: m_1 is in the numerator of the step, v_1 under the root in the denominator.",
            "sqrt(1 - beta2) / (1 - beta1)"),
    Mistake("the square root covers the whole ratio; it applies to v_1 only.", "sqrt((1 - beta1) / (1 - beta2))"),
]


@adam_bias.check(points=2, public=True)
def first_moment_factor(answers, rng):
    "E[m_t] divided by the constant mean gradient, in beta1 and t"
    derive.expect_expression(answers, "adam_mean_factor", "1 - beta1**t", {"beta1": (0.5, 0.99), "t": (1.0, 40.0)},
                             hint=ADAM_MEAN_HINT, rng=rng, mistakes=ADAM_MEAN_MISTAKES)


@adam_bias.check(points=3, public=True)
def uncorrected_first_step(answers, rng):
    "the first step without the correction, in units of lr, in beta1 and beta2"
    derive.expect_expression(answers, "adam_first_step_uncorrected", "(1 - beta1) / sqrt(1 - beta2)",
                             {"beta1": (0.5, 0.99), "beta2": (0.9, 0.9999)}, hint=ADAM_UNCORRECTED_HINT, rng=rng,
                             mistakes=ADAM_UNCORRECTED_MISTAKES)


adam = _optimizer_question(
    "adam", ref.adam,
    "Check the order: count the step first (the first step uses t = 1), update both averages, correct each by the "
    "factor you derived in Q11 (with beta2 for the squared gradients), then step; eps sits outside the square root.",
    {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    lambda rng: {"lr": _lr(rng, 0.01, 0.2), "beta1": float(rng.uniform(0.8, 0.95)),
                 "beta2": float(rng.uniform(0.99, 0.9999)), "eps": 1e-12},  # tiny: the form with the
    # corrections folded into the step size, w - lr_t m / (sqrt(v) + eps), differs only in where eps sits
    points=(1, 1, 2, 1), topic="Adam (notes 004)",
    withheld=ADAM_FACTOR_FORMS + [r"m/\(1-(b1|beta1|state\[.beta1.\])\*\*t\)"],
    variants=ADAM_MISTAKES,
)


# ------------------------------------------------------------------------------------ Q13, Q14 clipping

CLIP_FACTOR_FORMS = [r"(?<![a-z_])(c|max_norm|\\texttt\{max\\_norm\})/(N|norm)(?![a-z_])", r"\\frac\{c\}\{N\}",
                     r"\\frac\{\\texttt\{max\\_norm\}\}\{N\}"]
clip_factor = Derivation(
    "a5.clip_factor", answers=["clip_factor", "clip_b"],
    topic="exploding gradients: the scale factor of clipping by the global norm (notes 004)",
    withheld=CLIP_FACTOR_FORMS)
CLIP_FACTOR_HINT = ("Multiplying every array by one number k multiplies the global norm by |k|: choose k > 0 so that "
                    "the norm after scaling is exactly the threshold.")
CLIP_B_HINT = ("First the global norm of all the entries of both arrays together (one number), then the common "
               "factor, then the entry of b.")


CLIP_FACTOR_MISTAKES = [
    Mistake("the factor is upside down: it must shrink the norm down to the threshold, so it is below 1 when N > c.",
            "N / c"),
    Mistake("the factor normalizes to norm 1 and forgets the threshold: after scaling, the norm must equal c.",
            "1 / N"),
    Mistake("the factor subtracts: scaling multiplies every array by one number, which multiplies the norm by it.",
            "N - c"),
]


@clip_factor.check(points=2, public=True)
def factor_in_c_and_n(answers, rng):
    "the factor that scales every array when N > c, in c and N"
    derive.expect_expression(answers, "clip_factor", "c / N", {"c": (0.1, 5.0), "N": (5.0, 50.0)},
                             hint=CLIP_FACTOR_HINT, rng=rng, mistakes=CLIP_FACTOR_MISTAKES)


@clip_factor.check(points=1, public=True)
def clipped_entry_by_hand(answers, rng):
    "one entry of a clipped gradient, by hand"
    grads = {"W": np.array([[1.0, -2.0], [2.0, 0.0]]), "b": np.array([4.0, 0.0])}
    slips = [Mistake(sentence, float(_clip_variant(grads, 2.0, **how)[0]["b"][0])) for sentence, how in CLIP_MISTAKES]
    ref.clip_grad_norm(grads, 2.0)
    derive.expect_number(answers, "clip_b", float(grads["b"][0]), hint=CLIP_B_HINT, mistakes=slips)


clip = Question("a5.clip", "clip_by_global_norm", references=[ref.clip_grad_norm],
                topic="gradient clipping by the global norm (notes 004)", withheld=CLIP_FACTOR_FORMS)
CLIP_HINT = ("The norm is global: one number from every entry of every array together, taken before any scaling. "
             "Scale only when it exceeds max_norm, every array by the same factor (Q13), into a new dict.")


# The classic mistakes of clipping, each a buggy variant (run on the grader's side only): (clipped dict, norm).

def _clip_variant(grads, max_norm, per_array=False, no_root=False, after=False, inverted=False, always=False,
                  by_value=False, summed_norms=False):
    if summed_norms:
        norm = sum(np.sqrt(np.sum(g * g)) for g in grads.values())
    else:
        norm = sum(np.sum(g * g) for g in grads.values())
        norm = norm if no_root else np.sqrt(norm)
    if per_array or by_value:
        out = {}
        for k, g in grads.items():
            own = np.sqrt(np.sum(g * g))
            out[k] = np.clip(g, -max_norm, max_norm) if by_value else g * max_norm / own if own > max_norm else g
        return out, norm
    factor = (norm / max_norm if inverted else max_norm / norm) if (always or norm > max_norm) else 1.0
    out = {k: g * factor for k, g in grads.items()}
    if after:
        norm = np.sqrt(sum(np.sum(g * g) for g in out.values()))
    return out, norm


CLIP_MISTAKES = [
    ("each array is clipped by its own norm; the threshold applies to the global norm, one number from every entry "
     "of every array together, and every array is scaled by the same factor.", dict(per_array=True)),
    ("the entries are clipped one by one (by value); clipping by the global norm scales every array by one common "
     "factor and keeps the direction.", dict(by_value=True)),
    ("the square root is missing: the global norm is the root of the sum of all the squared entries.",
     dict(no_root=True)),
    ("the norms of the arrays are added; the global norm is the norm of all the entries together (square them all, "
     "add, then take one root).", dict(summed_norms=True)),
    ("the norm returned is the one after clipping; the question asks for N before clipping (what you compare with "
     "max_norm).", dict(after=True)),
    ("the scale factor is upside down: after scaling, the global norm must be exactly the threshold (Q13).",
     dict(inverted=True)),
    ("the gradients are scaled even when their norm is below the threshold: small gradients are left as they are.",
     dict(always=True)),
]


def _expect_clip(student, grads, max_norm, what, show=False):
    result = student(grads, max_norm)
    expect_inputs_unchanged(student, what)  # the text: the input is not modified, a new dict is returned
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (clipped, norm); got {type(result).__name__}.", hint=CLIP_HINT)
    clipped, norm = result
    if not isinstance(clipped, dict) or sorted(clipped) != sorted(grads):
        raise CheckFailed(f"{what}: `clipped` must be a dict with the same keys as grads, {sorted(grads)}.",
                          hint=CLIP_HINT)
    expected = {k: v.copy() for k, v in grads.items()}
    expected_norm = ref.clip_grad_norm(expected, max_norm)
    variants = [(sentence, functools.partial(_clip_variant, grads, max_norm, **how)) for sentence, how in CLIP_MISTAKES]
    expect_close(as_array(norm, f"{what}: norm"), expected_norm, f"{what}: the norm it returns (before clipping)",
                 tol=1e-9, hint=CLIP_HINT, show=show,
                 mistakes=[Mistake(sentence, lambda v=v: v()[1]) for sentence, v in variants])
    for k in grads:
        expect_close(clipped[k], expected[k], f"{what}: clipped[{k!r}]", tol=1e-9, hint=CLIP_HINT, show=show,
                     mistakes=[Mistake(sentence, lambda v=v, k=k: v()[0][k]) for sentence, v in variants])


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


reflection_gradients = Written("a5.reflection_gradients", 2, topic="vanishing and exploding gradients, "
                               "initialization, clipping (notes 004)")
