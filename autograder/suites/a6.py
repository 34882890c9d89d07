"""Assignment 6: regularization (reference: backprop.optim.l2_penalty and backprop.regularizers).

The notebook's functions differ from the library's in two places, so that every check can read what it needs
from the return value (the grader passes copies of the arguments, so in-place updates are invisible to it):
- ``batchnorm_forward`` returns the new running averages ``{"mean", "var"}`` instead of updating them in place;
- the caches of batch and layer normalization are fixed to ``(xhat, inv_std, gamma)``, so that the backward
  questions can be graded with a cache built by the reference (a forward bug is paid for once, on its question).
``_bn_reference`` adapts the library's batch norm to these signatures (its layer norm already has them).
"""

import functools

import numpy as np

from backprop import layers, optim, train
from backprop import regularizers as ref
from backprop.gradcheck import numerical_gradient, numerical_gradient_array

from .. import derive
from ..props import Callbacks, Toy
from ..checks import (CheckFailed, Mistake, as_array, expect_close, expect_inputs_unchanged, expect_shape,
                      expect_tuple)
from ..question import Derivation, Question, Written


# ------------------------------------------------------------------------------------ the derive questions' helper

def _expect_on_data(answers, name, names, expected, problem, hint, rng, draws=3, broadcast=True, mistakes=()):
    """The answer ``name``, a matrix expression in ``names``, equals ``expected(values)`` on the values of
    ``problem(rng)`` (real normalized data, so identities such as "x̂ has mean 0 over the batch" hold, as they do in
    the derivation). A result that broadcasts to the expected shape is compared after broadcasting (a contribution
    that is the same for every sample may be written once). When it differs, the question's own ``mistakes``
    (``Mistake``s whose answer is the wrong expression, a string in the same names) are compared on the same values,
    then a sign flip or a constant factor; the one that matches is the ``Likely mistake``."""
    parsed = derive.read(answers, name, set(names), matrices=True)
    for _ in range(draws):
        values = problem(rng)
        want = np.asarray(expected(values), dtype=float)
        try:
            got = _fitted(derive.evaluate(parsed, values), want.shape, broadcast)
        except ValueError:
            raise CheckFailed(f"`{name}` has sizes that do not fit: its result does not have the shape "
                              f"{want.shape} of the quantity asked for (nor one that broadcasts to it).",
                              hint=hint, diagnosis=_known(parsed, values, names, want.shape, broadcast, mistakes,
                                                          None)) from None
        if got.shape != want.shape:
            raise CheckFailed(f"`{name}` has shape {got.shape}, but the quantity asked for has shape {want.shape}.",
                              hint=hint, diagnosis=_known(parsed, values, names, want.shape, broadcast, mistakes,
                                                          None))
        if not np.allclose(got, want, rtol=1e-8, atol=1e-10):
            diagnosis = _known(parsed, values, names, want.shape, broadcast, mistakes, got)
            if diagnosis is None and np.allclose(got, -want, rtol=1e-8, atol=1e-10):
                diagnosis = ("the sign is flipped. Recheck the sign of each factor of the chain rule (a minus from "
                             "differentiating x - mu, or from a power -1/2).")
            elif diagnosis is None:
                scale = float(np.vdot(got, want) / max(np.vdot(want, want), 1e-300))
                if abs(scale) > 1e-9 and np.allclose(got, scale * want, rtol=1e-7, atol=1e-10):
                    diagnosis = (f"off by a constant factor ({scale:.4g}). Recheck the constant factors: a 2 from a "
                                 f"square, a 1/2 from a square root, a 1/n from a mean.")
            raise CheckFailed(f"`{name}` does not equal the quantity asked for (compared on several random draws).",
                              hint=hint, diagnosis=diagnosis)


def _fitted(value, shape, broadcast):
    """A result compared with the expected ``shape``: broadcast to it, or reshaped when only the layout differs."""
    got = np.asarray(value, dtype=float)
    if broadcast:
        return np.broadcast_to(got, shape)
    return got.reshape(shape) if got.size == int(np.prod(shape)) else got


def _known(parsed, values, names, shape, broadcast, mistakes, got):
    """The sentence of the first catalogued mistake that gives the student's result on these values (or, for a
    result of the wrong shape, ``got`` None, the one that the student's expression equals as written)."""
    with np.errstate(all="ignore"):
        try:
            mine = np.asarray(derive.evaluate(parsed, values), dtype=float)
        except ValueError:
            mine = None
        for mistake in mistakes:
            wrong = derive.parse(mistake.answer, set(names), matrices=True, what="a catalogued mistake")
            try:
                theirs = np.asarray(derive.evaluate(wrong, values), dtype=float)
            except ValueError:
                continue
            if got is not None:
                try:
                    theirs = _fitted(theirs, shape, broadcast)
                except ValueError:
                    continue
                if theirs.shape == got.shape and np.allclose(got, theirs, rtol=1e-8, atol=1e-10):
                    return mistake.sentence
            elif mine is not None and theirs.shape == mine.shape and np.allclose(mine, theirs, rtol=1e-8, atol=1e-10):
                return mistake.sentence
    return None


# ------------------------------------------------------------------------------------------ Q1, Q2 weight decay

WD_FORMS = [r"2(\*)?(lam|λ|\\lambda)(\*)?(W|\\eta|eta|η)", r"1-2(\*)?(lam|λ|\\lambda)", r"(lam|λ|\\lambda)\*?W/abs",
            r"(lam|λ|\\lambda)(\*)?(np\.)?(sign|\\operatorname\{sign\}|\\mathrm\{sign\})\(W"]
weight_decay = Derivation(
    "a6.weight_decay", answers=["l2_grad", "decay_factor", "l1_subgrad"],
    topic="weight decay from the L2 penalty, and the L1 penalty's subgradient (notes 002, 004)", withheld=WD_FORMS)
L2_GRAD_HINT = ("Differentiate the penalty with respect to one entry W_ij: only one term of the double sum "
                "contains it. Then collect the entries back into a matrix of W's shape.")
DECAY_HINT = ("Write one gradient-descent step on the penalized objective with a zero data gradient, and factor W "
              "out of the right-hand side.")
L1_HINT = ("Differentiate |W_ij| on each side of 0 (W has no zero entries here); the grader knows abs but no sign "
           "function, so write the sign with what it knows.")


def _scalar_and_matrix(rng):
    return {"W": rng.normal(size=(3, 4)), "lam": float(rng.uniform(0.01, 2.0))}


L2_GRAD_MISTAKES = [
    Mistake("the factor 2 that the square brings down is missing: differentiate W_ij squared.", "lam * W"),
    Mistake("that is the penalty of each entry, not its derivative: differentiate the square.", "lam * W**2"),
    Mistake("lam is missing: the penalty's weight multiplies its gradient too.", "2 * W"),
]
DECAY_MISTAKES = [
    Mistake("the factor 2 of the penalty's gradient is missing (your Q1 result carries it into the step).",
            "1 - lam*eta"),
    Mistake("the step goes against the gradient, so weight decay shrinks W: recheck the sign in the step.",
            "1 + 2*lam*eta"),
    Mistake("the W that stays is missing: the step is W minus eta times the gradient; factor W out of both terms.",
            "2*lam*eta"),
]
L1_MISTAKES = [
    Mistake("the derivative of |w| is its sign (plus or minus one), not |w| itself.", "lam * abs(W)"),
    Mistake("the sign is missing: for a negative entry |w| decreases as w grows, so its slope is negative there.",
            "lam"),
    Mistake("that is the L2 penalty's gradient; the absolute value has a slope of constant size.", "2 * lam * W"),
]


@weight_decay.check(points=2, public=True)
def l2_gradient(answers, rng):
    "the gradient of lam * ||W||^2 with respect to W"
    _expect_on_data(answers, "l2_grad", ["W", "lam"], lambda v: 2 * v["lam"] * v["W"], _scalar_and_matrix,
                    L2_GRAD_HINT, rng, mistakes=L2_GRAD_MISTAKES)


@weight_decay.check(points=1, public=True)
def decay_factor_in_lam_and_eta(answers, rng):
    "the factor that multiplies W in one step, in lam and eta"
    derive.expect_expression(answers, "decay_factor", "1 - 2*lam*eta", {"lam": (0.0, 0.1), "eta": (0.0, 1.0)},
                             hint=DECAY_HINT, rng=rng, mistakes=DECAY_MISTAKES)


@weight_decay.check(points=2, public=True)
def l1_subgradient(answers, rng):
    "the gradient of lam * sum |W_ij| at a W with no zero entry"
    _expect_on_data(answers, "l1_subgrad", ["W", "lam"], lambda v: v["lam"] * np.sign(v["W"]), _scalar_and_matrix,
                    L1_HINT, rng, mistakes=L1_MISTAKES)


l2 = Question("a6.l2_penalty", "l2_penalty", references=[optim.l2_penalty], topic="weight decay: the penalty and "
              "its gradient in code (notes 002, 004)", withheld=WD_FORMS)
L2_HINT = "Check the value (a float, summed over every entry) and that the gradient is your Q1 result, shaped like W."


def _l2_value_mistakes(W, lam):
    return [Mistake("lam is missing from the value: the penalty is lam times the sum of squares.", np.sum(W * W)),
            Mistake("the square root of the sum: the penalty is the squared norm, not the norm.",
                    lam * np.sqrt(np.sum(W * W))),
            Mistake("that is the L1 penalty: the L2 penalty sums the squares of the entries.", lam * np.sum(np.abs(W))),
            Mistake("a 1/2 in front that the question does not have (off by a factor 1/2).", lam * np.sum(W * W) / 2)]


def _l2_grad_mistakes(W, lam):
    return [Mistake("the factor 2 that the square brings down is missing (your Q1 result has it).", lam * W),
            Mistake("lam is missing from the gradient: the penalty's weight multiplies its gradient too.", 2 * W),
            Mistake("that is the gradient of the L1 penalty; the L2 penalty's gradient is proportional to W.",
                    lam * np.sign(W))]


def _expect_l2(student, W, lam, what, show=False):
    value, grad = expect_tuple(student(W, lam), what, ["value", "grad"])
    expect_close(np.asarray(value, dtype=float), lam * np.sum(W * W), f"{what}: value", hint=L2_HINT, show=show,
                 mistakes=_l2_value_mistakes(W, lam))
    expect_close(grad, 2 * lam * W, f"{what}: grad", hint=L2_HINT, show=show, mistakes=_l2_grad_mistakes(W, lam))


@l2.check(points=1, public=True)
def penalty_and_gradient(student, rng):
    """the penalty's value and gradient on a 2 x 3 matrix"""
    W = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    _expect_l2(student, W, 0.1, "l2_penalty(W, lam=0.1)", show=True)


@l2.check(points=2)
def gradient_matches_numerical(student, rng):
    """the gradient equals the numerical gradient of lam ||W||^2, any shape and lam"""
    for _ in range(3):
        W = rng.normal(size=(int(rng.integers(1, 7)), int(rng.integers(1, 7))))
        lam = float(rng.uniform(1e-4, 1.0))
        value, grad = expect_tuple(student(W, lam), "l2_penalty", ["value", "grad"])
        numerical = numerical_gradient(lambda V, lam=lam: lam * np.sum(V * V), W.copy())
        expect_close(grad, numerical, "l2_penalty: grad against central differences", tol=1e-6, hint=L2_HINT,
                     mistakes=_l2_grad_mistakes(W, lam))
        expect_close(np.asarray(value, dtype=float), lam * np.sum(W * W), "l2_penalty: value", hint=L2_HINT,
                     mistakes=_l2_value_mistakes(W, lam))


# ---------------------------------------------------------------------------------------- Q2 early stopping

def _early_problem(rng, script, in_place):
    """(model, steps, callbacks): the model the student's function trains, each array's step per epoch, and the
    ``props.Callbacks`` that hold ``train_epoch`` and ``val_loss``."""
    model = Toy(rng)
    steps = {group: {k: rng.normal(size=v.shape) for k, v in getattr(model, group).items()}
             for group in ("params", "buffers")}
    return model, steps, Callbacks(steps, script, in_place)


def _expected_stop(script, max_epochs, patience, ties_improve=False, late=0):
    """(best epoch, losses seen): improvement means strictly below the best so far. The classic mistakes:
    ``ties_improve`` (a tie counted as an improvement), ``late`` (stopping one epoch after the count reaches
    patience)."""
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(script[:max_epochs], start=1):
        if loss < best or (ties_improve and loss == best):
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience + late:
                return best_epoch, list(script[:epoch])
    return best_epoch, list(script[:max_epochs])


def _stop_mistake(script, max_epochs, patience, got_best, got_losses):
    """The sentence of the classic stopping mistake that gives the student's (best_epoch, losses), or None."""
    right = _expected_stop(script, max_epochs, patience)
    for how, sentence in [
            (dict(ties_improve=True), "a tie counted as an improvement: an epoch improves only when its loss is "
                                      "strictly below the best so far; an equal loss adds to the count."),
            (dict(late=1), "one epoch off: the loop stops one epoch after the count of epochs without improvement "
                           "reaches patience (compare the count with patience right after you increase it)."),
            (dict(late=-1), "one epoch off: the loop stops one epoch before the count of epochs without "
                            "improvement reaches patience.")]:
        best, losses = _expected_stop(script, max_epochs, patience, **how)
        if (best, losses) != right and losses == got_losses and best == got_best:
            return sentence
    if got_losses == right[1] and got_best == right[0] - 1:
        return "one epoch off: epochs count from 1 (the first epoch trained is epoch 1), not from 0."
    return None


EARLY_HINT = ("After each epoch compare the validation loss with the best so far (strictly smaller is an "
              "improvement); count the epochs without improvement and stop when the count reaches `patience`.")
RESTORE_HINT = ("Save copies (np.copy) of every array in model.params and model.buffers when the loss improves: a "
                "saved reference changes with the model. At the end write the saved values back into the model.")


def _expect_early(student, rng, script, max_epochs, patience, in_place, what, show=False):
    model, steps, callbacks = _early_problem(rng, script, in_place)
    start = {g: {k: v.copy() for k, v in getattr(model, g).items()} for g in ("params", "buffers")}
    result = expect_tuple(student(model, callbacks.train_epoch, callbacks.val_loss, max_epochs, patience), what,
                          ["best_epoch", "val_losses"])
    best_epoch, losses = _expected_stop(script, max_epochs, patience)
    try:
        got_losses = [float(v) for v in result[1]]
        diagnosis = _stop_mistake(script, max_epochs, patience, int(result[0]), got_losses)
    except (TypeError, ValueError):
        diagnosis = None
    if diagnosis is not None:
        raise CheckFailed(f"{what} stopped after {len(got_losses)} epochs with best_epoch = {result[0]}, which is "
                          f"not where early stopping with this patience stops.", hint=EARLY_HINT, diagnosis=diagnosis)
    expect_close(np.asarray(result[1], dtype=float), np.asarray(losses, dtype=float),
                 f"{what}: the list of validation losses (one per epoch trained)", hint=EARLY_HINT, show=show)
    if int(result[0]) != best_epoch:
        raise CheckFailed(f"{what} returned best_epoch = {result[0]}; the lowest validation loss was at epoch "
                          f"{best_epoch} (epochs count from 1).", hint=EARLY_HINT)
    if not callbacks.seen:
        raise CheckFailed(f"{what} never called train_epoch(model) and val_loss(model).")
    final = callbacks.seen[-1]
    ran = len(losses)
    for group in ("params", "buffers"):
        for k, step in steps[group].items():
            expected = start[group][k] + best_epoch * step
            last = start[group][k] + ran * step
            expect_close(getattr(final, group)[k], expected,
                         f"{what}: model.{group}['{k}'] at the end (should be the values after epoch {best_epoch})",
                         hint=RESTORE_HINT, mistakes=[
                             Mistake("the weights put back are those of the last epoch: what was saved were references "
                                     "to the model's arrays, not copies, and training changed them in place after "
                                     "the best epoch.", last) if in_place else
                             Mistake("the weights are those of the last epoch: the saved values of the best epoch were "
                                     "never written back into the model.", last),
                             Mistake("the weights put back are those of the epoch before the best one: save after "
                                     "training the epoch that improved (epochs count from 1).",
                                     start[group][k] + (best_epoch - 1) * step)])


early = Question("a6.early_stopping", "train_with_early_stopping", references=[ref.EarlyStopping, train.fit],
                 topic="early stopping, the best weights restored (notes 000, 004)")


@early.check(points=1, public=True)
def stops_after_patience(student, rng):
    """stops once `patience` epochs bring no improvement, and returns the best epoch and the losses"""
    script = [2.0, 1.5, 1.2, 1.3, 1.25, 1.4, 0.9, 0.8, 0.7, 0.6]
    _expect_early(student, rng, script, 10, 3, in_place=False, what="train_with_early_stopping(patience=3)",
                  show=True)


@early.check(points=1, public=True)
def restores_best_weights(student, rng):
    """puts back the parameters and buffers of the best epoch, even when training changes the arrays in place"""
    script = [2.0, 1.0, 1.1, 1.2, 1.3, 0.5]
    _expect_early(student, rng, script, 6, 3, in_place=True, what="train_with_early_stopping(patience=3)")


@early.check(points=2)
def random_loss_curves(student, rng):
    """random validation curves and patience; ties are no improvement; runs max_epochs when always improving"""
    for trial in range(4):
        max_epochs, patience = int(rng.integers(8, 20)), int(rng.integers(1, 5))
        script = list(np.round(2 + 0.1 * rng.normal(size=max_epochs).cumsum(), 1))  # rounding makes ties
        _expect_early(student, rng, script, max_epochs, patience, in_place=bool(trial % 2),
                      what="train_with_early_stopping")
    script = [3.0, 2.0, 2.0, 2.0, 1.0]  # a tie is not an improvement: stops at epoch 4 with patience 2
    _expect_early(student, rng, script, 5, 2, in_place=True, what="train_with_early_stopping with a tie")
    script = list(np.linspace(2, 1, 7))  # always improving: every epoch runs, the last is the best
    _expect_early(student, rng, script, 7, 2, in_place=True, what="train_with_early_stopping, always improving")


# ------------------------------------------------------------------------------------------- Q3 input noise

noise = Question("a6.input_noise", "add_input_noise", references=[ref.gaussian_noise_forward, layers.GaussianNoise],
                 topic="perturbing the inputs with Gaussian noise (notes 004)")
NOISE_HINT = ("While training, add independent zero-mean noise of standard deviation sigma to every entry, drawn from "
              "the rng argument; at prediction time nothing is added.")


def _noise_mistake(eps, sigma):
    """The classic mistake the statistics of the added noise point to, or None."""
    std, mean = float(eps.std()), float(eps.mean())
    if abs(std - np.sqrt(sigma)) < 0.05 * np.sqrt(sigma) and abs(np.sqrt(sigma) - sigma) > 0.1 * sigma:
        return "sigma used as the variance: it is the standard deviation of the noise (the scale of a normal draw)."
    if abs(std - sigma ** 2) < 0.05 * sigma ** 2 and abs(sigma ** 2 - sigma) > 0.1 * sigma:
        return "the noise has the standard deviation sigma squared: sigma itself is the scale of the normal draw."
    if abs(mean) > 0.3 * sigma and abs(std - np.sqrt(sigma ** 2 / 12)) < 0.1 * sigma:
        return "uniform noise on [0, sigma): the noise is Gaussian with mean 0 (a normal draw)."
    if eps.ndim == 2 and eps.shape[1] > 1 and np.allclose(eps, eps[:, :1]):
        return "one draw shared by every feature of a sample: draw independent noise for every entry, shape x.shape."
    return None


def _noise_of(student, x, sigma, what, seed):
    out = expect_shape(student(x, sigma, True, np.random.default_rng(seed)), x.shape, what)
    return out - x


@noise.check(points=1, public=True)
def zero_mean_noise_of_size_sigma(student, rng):
    """while training, the added noise has mean 0 and standard deviation sigma"""
    x = np.tile(np.linspace(-2, 2, 8), (2500, 1))
    eps = _noise_of(student, x, 0.3, "add_input_noise(x, sigma=0.3, train=True, rng)", 0)
    if abs(eps.mean()) > 0.01 or abs(eps.std() - 0.3) > 0.01:
        raise CheckFailed(f"out - x has mean {eps.mean():.3f} and standard deviation {eps.std():.3f}; expected "
                          f"about 0 and 0.3 (from 20000 values).", hint=NOISE_HINT,
                          diagnosis=_noise_mistake(eps, 0.3))


@noise.check(points=1, public=True)
def identity_at_prediction(student, rng):
    """returns x unchanged at prediction time (train=False)"""
    x = rng.normal(size=(5, 4))
    expect_close(student(x, 0.5, False, np.random.default_rng(0)), x, "add_input_noise(x, 0.5, train=False)",
                 tol=0, hint=NOISE_HINT)


@noise.check(points=2)
def random_sigma_and_reproducible(student, rng):
    """random shapes and sigma; independent noise per entry; the same seeded rng gives the same noise"""
    for _ in range(3):
        shape = (int(rng.integers(800, 1500)), int(rng.integers(3, 8)))
        sigma, seed = float(rng.uniform(0.05, 2.0)), int(rng.integers(1 << 30))
        x = rng.normal(size=shape)
        eps = _noise_of(student, x, sigma, "add_input_noise", seed)
        corr = np.corrcoef(eps[:, 0], eps[:, 1])[0, 1]
        if abs(eps.mean()) > 0.1 * sigma or abs(eps.std() / sigma - 1) > 0.06 or abs(corr) > 0.15:
            raise CheckFailed(f"for sigma = {sigma:.2f} the noise had mean {eps.mean():.3f}, standard deviation "
                              f"{eps.std():.3f} and correlation {corr:.2f} between two columns.", hint=NOISE_HINT,
                              diagnosis=_noise_mistake(eps, sigma))
        again = _noise_of(student, x, sigma, "add_input_noise", seed)
        expect_close(again, eps, "add_input_noise called twice with the same seeded rng", tol=1e-12,
                     hint="Draw the noise from the `rng` argument, not from np.random directly.")


# ---------------------------------------------------------------------------------------------- Q4 dropout

dropout_fwd = Question("a6.dropout_forward", "dropout_forward",
                       references=[ref.dropout_forward, ref.dropout_backward, layers.Dropout],
                       topic="dropout, the expectation kept (notes 000, 004)")
DROP_HINT = ("Keep each unit with probability 1 - p (the draw the question gives), scale the kept ones so that the "
             "expected output is unchanged, and return the scaled mask you multiplied x with; at prediction time "
             "return (x, None).")


def _dropout(student, x, p, seed, what):
    out, mask = expect_tuple(student(x, p, True, np.random.default_rng(seed)), what, ["out", "mask"])
    out = expect_shape(out, x.shape, f"{what}: out")
    mask = expect_shape(mask, x.shape, f"{what}: mask")
    return out, mask


@dropout_fwd.check(points=1, public=True)
def kept_units_are_scaled(student, rng):
    """kept units are multiplied by 1 / (1 - p), dropped ones are 0, and out = x * mask"""
    x, p = np.full((40, 10), 2.0), 0.25
    out, mask = _dropout(student, x, p, 0, "dropout_forward(x, p=0.25, train=True, rng)")
    values = sorted(set(np.round(out.ravel(), 9).tolist()))
    if values != [0.0, round(2.0 / 0.75, 9)]:
        known = {(0.0, 2.0): "the kept units are not rescaled: without the scale the expected output shrinks to "
                             "(1 - p) x. Revisit how the expectation is kept.",
                 (0.0, 1.5): "the kept units are multiplied by the keep probability where they must be divided by it.",
                 (0.0, 8.0): "the kept units are divided by p, the drop probability; the expectation is kept by "
                             "dividing by the keep probability."}
        raise CheckFailed(f"with every x = 2 and p = 0.25, out should hold only 0 and 2 / 0.75 = 2.667; it holds "
                          f"{values[:6]}.", hint=DROP_HINT, diagnosis=known.get(tuple(values)))
    dropped = np.count_nonzero(out == 0) / out.size
    if abs(dropped - 0.75) < 0.1:
        raise CheckFailed(f"with p = 0.25 a share {dropped:.2f} of the units was dropped.", hint=DROP_HINT,
                          diagnosis="p is the probability to drop a unit; your mask keeps units with probability p.")
    mask_values = sorted(set(np.round(as_array(mask, "mask").ravel(), 9).tolist()))
    expect_close(out, x * mask, "out against x * mask", hint="Return the scaled mask you multiplied x with.",
                 mistakes=[Mistake("the mask returned is the 0/1 mask, not the scaled one you multiplied x with: the "
                                   "backward pass needs the scale too.", x * mask / 0.75)]
                 if mask_values == [0.0, 1.0] else [])


@dropout_fwd.check(points=1, public=True)
def identity_at_prediction_time(student, rng):
    """returns (x, None) at prediction time: nothing dropped, nothing scaled"""
    x = rng.normal(size=(4, 6))
    result = expect_tuple(student(x, 0.5, False, np.random.default_rng(0)), "dropout_forward(x, 0.5, train=False)",
                          ["out", "mask"])
    expect_close(result[0], x, "dropout_forward(x, 0.5, train=False): out", tol=0, hint=DROP_HINT)
    if result[1] is not None:
        raise CheckFailed("at prediction time the mask should be None (nothing was dropped).")


@dropout_fwd.check(points=2)
def keeps_the_expectation(student, rng):
    """drops a fraction p of the units and keeps the expectation: the average over many draws is x"""
    for _ in range(2):
        p = float(rng.uniform(0.2, 0.7))
        x = rng.uniform(0.5, 2.0, size=(30, 8))
        total, dropped = np.zeros_like(x), 0
        draws = 800
        for _ in range(draws):
            out, mask = _dropout(student, x, p, int(rng.integers(1 << 30)), "dropout_forward")
            total += out
            dropped += np.count_nonzero(mask == 0)
        share, ratio = dropped / (draws * x.size), (total / draws).mean() / x.mean()
        if abs(share - p) > 0.02:
            raise CheckFailed(f"with p = {p:.2f} a share {share:.3f} of the units was dropped.", hint=DROP_HINT,
                              diagnosis="p is the probability to drop a unit; your mask keeps units with probability "
                                        "p." if abs(share - (1 - p)) < 0.02 else None)
        if abs(ratio - 1) > 0.03:
            raise CheckFailed(f"with p = {p:.2f} the average of out over {draws} draws is {ratio:.3f} times x; the "
                              f"expectation must stay x.", hint="Work out E[out] for one unit, kept with "
                              "probability 1 - p and then scaled: it must equal x.",
                              diagnosis="the kept units are not rescaled: without the scale the expected output "
                                        "shrinks to (1 - p) x." if abs(ratio - (1 - p)) < 0.03 else
                                        "the kept units are multiplied by the keep probability where they must be "
                                        "divided by it." if abs(ratio - (1 - p) ** 2) < 0.03 else None)


@dropout_fwd.check(points=1)
def reproducible_and_p_zero(student, rng):
    """the same seeded rng gives the same mask; p = 0 drops nothing"""
    x = rng.normal(size=(int(rng.integers(3, 20)), int(rng.integers(2, 9))))
    seed = int(rng.integers(1 << 30))
    first = _dropout(student, x, 0.5, seed, "dropout_forward")[1]
    expect_close(_dropout(student, x, 0.5, seed, "dropout_forward")[1], first,
                 "dropout_forward twice with the same seeded rng: mask", tol=0,
                 hint="Draw the mask from the `rng` argument, not from np.random directly.")
    out = student(x, 0.0, True, np.random.default_rng(seed))[0]
    expect_close(out, x, "dropout_forward(x, p=0, train=True): out", hint="With p = 0 nothing is dropped.")


dropout_gradient = Derivation(
    "a6.dropout_gradient", answers=["dropout_dx"], topic="dropout's backward pass (notes 004)",
    withheld=[r"(G|dout)\*(m|mask)/\(1-p\)", r"(G|dout)\*(mask|M)(?![a-z_])",
              r"\\partial(L|\\mathcal\{L\})/\\partial\\text\{out\}\\odot"])
DROP_DX_HINT = ("Write one entry of out in terms of the same entry of x: the mask entry is a constant for this "
                "forward pass. Then apply the chain rule entry by entry, keeping every factor of the forward pass.")


DROP_DX_MISTAKES = [
    Mistake("the mask alone passes the gradient, but the forward pass also scaled the kept units: that scale is part "
            "of each entry's slope.", "G * m"),
    Mistake("multiplies by the keep probability where the forward pass divided by it.", "G * m * (1 - p)"),
    Mistake("the mask is missing: a dropped unit passes no gradient.", "G / (1 - p)"),
    Mistake("divides by the drop probability; the kept units were scaled by one over the keep probability.",
            "G * m / p"),
]


@dropout_gradient.check(points=2, public=True)
def gradient_through_the_scaled_mask(answers, rng):
    "dL/dx in the upstream gradient G, the 0/1 mask m and p"
    derive.expect_matrix_expression(answers, "dropout_dx", "G * m / (1 - p)",
                                    {"G": (4, 5), "m": (4, 5), "p": ()}, hint=DROP_DX_HINT, rng=rng,
                                    mistakes=DROP_DX_MISTAKES)


dropout_bwd = Question("a6.dropout_backward", "dropout_backward", references=[ref.dropout_backward, layers.Dropout],
                       topic="dropout's backward pass in code",
                       withheld=[r"(G|dout)\*(mask|M)(?![a-z_])"])
DROP_BACK_HINT = ("Use your Q6 result with the mask the forward pass returned (it is already scaled); with mask None "
                  "nothing was dropped.")


def _drop_back_mistakes(dout, mask, p):
    return [Mistake("the mask is not applied: a dropped unit passes no gradient.", dout),
            Mistake("the mask is scaled a second time: the forward pass returned it already scaled, so use it as it "
                    "is.", dout * mask / (1 - p)),
            Mistake("only the 0/1 pattern of the mask is used: the mask the forward pass returned carries its scale, "
                    "and the gradient needs it.", dout * (mask != 0))]


@dropout_bwd.check(points=1, public=True)
def gradient_through_the_mask(student, rng):
    """matches the numerical gradient of x * mask for a random upstream gradient"""
    x, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    mask = (rng.random((4, 5)) >= 0.4) / 0.6
    numerical = numerical_gradient_array(lambda z: z * mask, x.copy(), dout)
    expect_close(student(dout, mask), numerical, "dropout_backward(dout, mask)", tol=1e-6, hint=DROP_BACK_HINT,
                 show=True, mistakes=_drop_back_mistakes(dout, mask, 0.4))


@dropout_bwd.check(points=1)
def random_masks_and_none(student, rng):
    """random shapes and drop rates; a mask of None passes the gradient through unchanged"""
    for _ in range(3):
        shape = (int(rng.integers(1, 9)), int(rng.integers(1, 9)))
        p = float(rng.uniform(0.1, 0.8))
        mask, dout = (rng.random(shape) >= p) / (1 - p), rng.normal(size=shape)
        expect_close(student(dout, mask), dout * mask, "dropout_backward", hint=DROP_BACK_HINT,
                     mistakes=_drop_back_mistakes(dout, mask, p))
    dout = rng.normal(size=(3, 4))
    expect_close(student(dout, None), dout, "dropout_backward(dout, None)", hint=DROP_BACK_HINT)


# --------------------------------------------------------------------------------------- Q5 batch norm

def _bn_reference(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    """The library's batch norm with this notebook's signature: returns (out, (xhat, inv_std, gamma), running)."""
    r = {"running_mean": np.array(running["mean"], dtype=float), "running_var": np.array(running["var"], dtype=float)}
    out, cache = ref.batchnorm_forward(x, gamma, beta, r, train, momentum, eps)
    return out, cache[:3], {"mean": r["running_mean"], "var": r["running_var"]}


def _bn_problem(rng, n=None, d=None):
    n, d = n or int(rng.integers(4, 12)), d or int(rng.integers(2, 7))
    x = rng.normal(loc=rng.uniform(-3, 3, size=d), scale=rng.uniform(0.5, 3, size=d), size=(n, d))
    gamma, beta = rng.uniform(0.5, 2, size=d), rng.normal(size=d)
    running = {"mean": rng.normal(size=d), "var": rng.uniform(0.5, 2, size=d)}
    return x, gamma, beta, running


bn_fwd = Question("a6.batchnorm_forward", "batchnorm_forward",
                  references=[ref.batchnorm_forward, ref._standardize, layers.BatchNorm],
                  topic="covariate shift; batch normalization with its scale and shift (notes 004)")
BN_HINT = ("In training, check the axis of the statistics (each feature over the batch), that the variance divides "
           "by n, where eps goes, and the scale and shift at the end.")
RUNNING_HINT = ("Check the weights of the running averages (momentum on the old value, the rest on the batch's "
                "statistic) and that you return them in a new dict.")
EVAL_HINT = ("At prediction time (train=False) standardize with running['mean'] and running['var'], not with the "
             "batch's statistics, and return the running averages unchanged.")


def _bn_variant(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5, eval_batch=False, axis1=False, ddof=0,
                eps_outside=False, swapped=False, running_std=False, update_in_eval=False, unstable=False,
                running_unbiased=False):
    """Batch norm with one classic mistake (run on the grader's side only): (out, cache, running)."""
    axis = 1 if axis1 else 0
    mu = x.mean(axis=axis, keepdims=axis1)
    var = (x * x).mean(axis=axis, keepdims=axis1) - mu * mu if unstable else x.var(axis=axis, ddof=ddof,
                                                                                  keepdims=axis1)
    new = dict(running)
    if train or update_in_eval:
        stat = x.var(axis=0, ddof=1) if running_unbiased else np.sqrt(var) if running_std else var
        keep, take = (1 - momentum, momentum) if swapped else (momentum, 1 - momentum)
        new = {"mean": keep * running["mean"] + take * mu, "var": keep * running["var"] + take * stat}
    if not train and not eval_batch:
        mu, var = running["mean"], running["var"]
    inv_std = 1 / (np.sqrt(var) + eps) if eps_outside else 1 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma), new


BN_MISTAKES = [
    ("at prediction time the batch's own mean and variance are used: standardize with the running averages, so that "
     "a prediction does not depend on the other samples of its batch.", dict(eval_batch=True)),
    ("wrong axis: the statistics are taken over the features of each sample (axis 1); batch norm takes each feature "
     "over the samples of the batch (axis 0).", dict(axis1=True)),
    ("the variance divides by n - 1; batch norm's variance divides by n (np.var's default).", dict(ddof=1)),
    ("eps is added outside the square root; it goes inside, with the variance.", dict(eps_outside=True)),
    ("the unstable form of the variance: the mean of the squares minus the square of the mean loses every digit "
     "when the mean is large next to the spread (catastrophic cancellation). Take the mean of the squared "
     "deviations from the mean (np.var) instead.", dict(unstable=True)),
    ("the weights of the running average are swapped: the old value keeps the share momentum, the batch's statistic "
     "gets the rest.", dict(swapped=True)),
    ("the running variance collects the standard deviation; it averages the batch variances.", dict(running_std=True)),
    ("the running variance collects the unbiased variance (n - 1, as PyTorch does); here it averages the batch "
     "variance as used in the standardization (dividing by n).", dict(running_unbiased=True)),
    ("the running averages move at prediction time: they are updated only while training; at prediction they are "
     "returned unchanged.", dict(update_in_eval=True)),
]


def _bn_mistakes(args, pick):
    """``Mistake``s for one part of the answer (``pick`` of (out, cache, running)), on the check's own inputs."""
    def answer(how):
        with np.errstate(all="ignore"):
            return pick(_bn_variant(*args, **how))
    return [Mistake(sentence, functools.partial(answer, how)) for sentence, how in BN_MISTAKES]


def _expect_bn(student, args, what, parts=("out", "cache", "running"), show=False):
    x, gamma, beta, running, train_, momentum, eps = args
    result = expect_tuple(student(x, gamma, beta, running, train_, momentum, eps), what, ["out", "cache", "running"])
    # the text: running is not modified (a new dict is returned); the other arguments are inputs like any other
    expect_inputs_unchanged(student, what, which=("argument 4['mean']", "argument 4['var']"))
    out, cache, new = _bn_reference(*args)
    hint = BN_HINT if train_ else EVAL_HINT
    if "out" in parts:
        expect_close(result[0], out, f"{what}: out", hint=hint, show=show, mistakes=_bn_mistakes(args, lambda r: r[0]))
    if "running" in parts:
        if not isinstance(result[2], dict) or not {"mean", "var"} <= set(result[2]):
            raise CheckFailed(f"{what} must return the running averages as a dict with keys 'mean' and 'var'.")
        for key in ("mean", "var"):
            expect_close(result[2][key], new[key], f"{what}: running[{key!r}]",
                         hint=RUNNING_HINT if train_ else EVAL_HINT, show=show,
                         mistakes=_bn_mistakes(args, lambda r, key=key: r[2][key]))
    if "cache" in parts:
        cache_s = expect_tuple(tuple(result[1]) if isinstance(result[1], (tuple, list)) else result[1],
                               f"{what}: cache", ["xhat", "inv_std", "gamma"])
        for index, (name, got, want) in enumerate(zip(["xhat", "inv_std", "gamma"], cache_s, cache)):
            expect_close(np.ravel(as_array(got, name)), np.ravel(want), f"{what}: cache entry {name}", hint=hint,
                         mistakes=_bn_mistakes(args, lambda r, index=index: np.ravel(r[1][index])))


@bn_fwd.check(points=1, public=True)
def training_mode_output(student, rng):
    """training mode: standardizes each feature over the batch, then scales by gamma and shifts by beta"""
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])
    args = (x, np.array([1.0, 2.0]), np.array([0.0, -1.0]), {"mean": np.zeros(2), "var": np.ones(2)}, True, 0.9, 1e-5)
    _expect_bn(student, args, "batchnorm_forward(x, gamma, beta, running, train=True)", ("out", "cache"), show=True)


@bn_fwd.check(points=1, public=True)
def updates_running_averages(student, rng):
    """training mode returns running averages moved towards the batch mean and variance"""
    x, gamma, beta, running = _bn_problem(rng, 6, 3)
    _expect_bn(student, (x, gamma, beta, running, True, 0.8, 1e-5), "batchnorm_forward(..., train=True, momentum=0.8)",
               ("running",), show=True)


@bn_fwd.check(points=1, public=True)
def prediction_uses_running_averages(student, rng):
    """prediction mode standardizes with the running averages, so one sample alone gets the same output"""
    x, gamma, beta, running = _bn_problem(rng, 5, 3)
    args = (x, gamma, beta, running, False, 0.9, 1e-5)
    _expect_bn(student, args, "batchnorm_forward(..., train=False)", ("out", "running"), show=True)


@bn_fwd.check(points=2)
def random_batches(student, rng):
    """random shapes, momentum and eps in training mode: output, cache and running averages"""
    for _ in range(3):
        x, gamma, beta, running = _bn_problem(rng)
        args = (x, gamma, beta, running, True, float(rng.uniform(0.5, 0.99)), float(rng.choice([1e-5, 1e-3, 0.1])))
        _expect_bn(student, args, "batchnorm_forward(train=True)")
    x, gamma, beta, running = _bn_problem(rng)  # features far from 0 next to their spread: the stable variance only
    x = x + rng.choice([-1.0, 1.0], size=x.shape[1]) * 1e6
    running = {"mean": x.mean(axis=0) + rng.normal(size=x.shape[1]), "var": running["var"]}
    _expect_bn(student, (x, gamma, beta, running, True, 0.9, 1e-5), "batchnorm_forward(train=True) on features "
               "whose mean is large next to their spread", ("out",))


@bn_fwd.check(points=1)
def prediction_of_single_samples(student, rng):
    """prediction mode on random batches and on a batch of one sample, running averages unchanged"""
    x, gamma, beta, running = _bn_problem(rng)
    running = {"mean": x.mean(axis=0) + rng.uniform(1, 3, size=x.shape[1]), "var": x.var(axis=0) * 4}
    _expect_bn(student, (x, gamma, beta, running, False, 0.9, 1e-5), "batchnorm_forward(train=False)",
               ("out", "running"))
    _expect_bn(student, (x[:1], gamma, beta, running, False, 0.9, 1e-5),
               "batchnorm_forward(train=False) on one sample", ("out", "running"))


def _bn_values(rng):
    """A real batch (n, d) through batch norm: G = dL/dout, gamma, Xh = x̂, sigma = sqrt(var + eps), s = 1 / sigma, n."""
    n, d = int(rng.integers(3, 9)), int(rng.integers(2, 6))
    x = rng.normal(loc=rng.uniform(-3, 3, size=d), scale=rng.uniform(0.5, 3, size=d), size=(n, d))
    sigma = np.sqrt(x.var(axis=0) + 1e-5)
    return {"G": rng.normal(size=(n, d)), "gamma": rng.uniform(0.5, 2.0, size=d), "Xh": (x - x.mean(axis=0)) / sigma,
            "sigma": sigma, "s": 1 / sigma, "n": float(n)}


BN_NAMES = ["G", "gamma", "Xh", "sigma", "s", "n"]
BN_FORMS = [r"dxhat-dxhat\.mean\(", r"xhat\*\(dxhat\*xhat\)\.(mean|sum)\(", r"\\hat ?x_\{?k\}?\\frac\{?1\}?\{?n\}?\\sum",
            r"-\\frac\{?s\}?\{?n\}?\\hat ?x_k", r"\(g_k-\\frac1n\\sum", r"mean\((G|D|dout)\*gamma\*Xh",
            r"-(s|inv_std)\*mean\((G|D|dout)\*gamma"]
batchnorm_paths = Derivation(
    "a6.batchnorm_paths", answers=["bn_direct", "bn_through_mean", "bn_through_var", "bn_dgamma"],
    topic="batch norm's backward pass: the three paths from x to x̂ (notes 004)", withheld=BN_FORMS)
BN_DIRECT_HINT = ("Hold the batch mean and variance fixed: x̂ is then an affine function of x, and out an affine "
                  "function of x̂. Multiply the two slopes with G, entry by entry.")
BN_MEAN_HINT = ("First dL/dmu: every x̂_i of the feature depends on mu, so sum over the batch. Then multiply by "
                "dmu/dx_k, which is the same for every sample.")
BN_VAR_HINT = ("First dL/dvar: differentiate x̂_i with respect to the variance (a power -1/2) and sum over the batch. "
               "Then multiply by dvar/dx_k; the part of it that goes through mu sums to zero. Write x - mu with x̂.")
BN_DGAMMA_HINT = "gamma_j multiplies x̂_ij in every sample of the batch: add up its contributions over the samples."


WRONG_AXIS = ("the mean runs over the features (axis 1); batch norm's statistics, and so their paths, run over the "
              "samples of the batch (axis 0).")
SUM_FOR_MEAN = ("a sum where a mean belongs: the batch mean and variance are averages, so their derivatives bring a "
                "1/n (off by a factor n).")
BN_DIRECT_MISTAKES = [
    Mistake("the slope of x̂ in x is missing: x̂ divides x - mu by sigma.", "G * gamma"),
    Mistake("gamma is missing: out scales x̂ by gamma.", "G * s"),
    Mistake("x̂ divides by sigma, so its slope is one over sigma, not sigma.", "G * gamma * sigma"),
]
BN_MEAN_MISTAKES = [
    Mistake("the path through the batch mean has the wrong sign: raising mu lowers every x̂ of the feature, so this "
            "path enters with a minus.", "s * mean(G * gamma, axis=0)"),
    Mistake(SUM_FOR_MEAN, "-s * sum(G * gamma, axis=0)"),
    Mistake("the slope of x̂ in mu is missing: x̂ divides by sigma.", "-mean(G * gamma, axis=0)"),
    Mistake("gamma is missing: the gradient reaching x̂ is G times gamma.", "-s * mean(G, axis=0)"),
    Mistake(WRONG_AXIS, "-s * mean(G * gamma, axis=1, keepdims=True)"),
]
BN_VAR_MISTAKES = [
    Mistake("the path through the batch variance has the wrong sign: a larger variance shrinks every x̂ towards 0.",
            "s * Xh * mean(G * gamma * Xh, axis=0)"),
    Mistake(SUM_FOR_MEAN, "-s * Xh * sum(G * gamma * Xh, axis=0)"),
    Mistake("the x̂ inside the mean is missing: dL/dvar sums each sample's gradient times its own x̂.",
            "-s * Xh * mean(G * gamma, axis=0)"),
    Mistake("the x̂ outside the mean is missing: dvar/dx_k is proportional to x_k - mu, which you write with x̂_k.",
            "-s * mean(G * gamma * Xh, axis=0)"),
    Mistake("off by a factor 1/2: the 1/2 of the power -1/2 cancels against the 2 that dvar/dx brings down.",
            "-s * Xh * mean(G * gamma * Xh, axis=0) / 2"),
    Mistake(WRONG_AXIS, "-s * Xh * mean(G * gamma * Xh, axis=1, keepdims=True)"),
]
BN_DGAMMA_MISTAKES = [
    Mistake("that is beta's gradient: gamma multiplies x̂, so each contribution carries x̂.", "sum(G, axis=0)"),
    Mistake("an average where the contributions add up: gamma_j takes part in every sample (off by a factor 1/n).",
            "mean(G * Xh, axis=0)"),
    Mistake("summed over the features (axis 1); gamma_j is shared by the samples, so sum over the batch (axis 0).",
            "sum(G * Xh, axis=1)"),
    Mistake("not summed over the batch: gamma has one entry per feature, shape (d,).", "G * Xh"),
]


@batchnorm_paths.check(points=1, public=True)
def direct_path(answers, rng):
    "the contribution of the direct path from x to x̂"
    _expect_on_data(answers, "bn_direct", BN_NAMES, lambda v: v["G"] * v["gamma"] * v["s"], _bn_values,
                    BN_DIRECT_HINT, rng, mistakes=BN_DIRECT_MISTAKES)


@batchnorm_paths.check(points=2, public=True)
def path_through_the_mean(answers, rng):
    "the contribution of the path through the batch mean"
    _expect_on_data(answers, "bn_through_mean", BN_NAMES,
                    lambda v: np.broadcast_to(-v["s"] * (v["G"] * v["gamma"]).mean(axis=0), v["G"].shape),
                    _bn_values, BN_MEAN_HINT, rng, mistakes=BN_MEAN_MISTAKES)


@batchnorm_paths.check(points=3, public=True)
def path_through_the_variance(answers, rng):
    "the contribution of the path through the batch variance"
    _expect_on_data(answers, "bn_through_var", BN_NAMES,
                    lambda v: -v["s"] * v["Xh"] * (v["G"] * v["gamma"] * v["Xh"]).mean(axis=0), _bn_values,
                    BN_VAR_HINT, rng, mistakes=BN_VAR_MISTAKES)


@batchnorm_paths.check(points=1, public=True)
def gamma_gradient(answers, rng):
    "dL/dgamma, shape (d,)"
    _expect_on_data(answers, "bn_dgamma", BN_NAMES, lambda v: (v["G"] * v["Xh"]).sum(axis=0), _bn_values,
                    BN_DGAMMA_HINT, rng, broadcast=False, mistakes=BN_DGAMMA_MISTAKES)


bn_bwd = Question("a6.batchnorm_backward", "batchnorm_backward",
                  references=[ref.batchnorm_backward, ref._normalize_backward, layers.BatchNorm],
                  topic="backprop through the batch statistics in code (notes 004)", withheld=BN_FORMS)
BN_BACK_HINT = ("Add the three paths of Q9, each with its own sign, with dout * gamma in the place of G * gamma; "
                "the means run over the batch (axis 0).")
DGAMMA_HINT = "Your Q9 result for dgamma, with the cache's xhat."
DBETA_HINT = "beta is added to every sample of the batch: add up the upstream gradient over the samples."


def _norm_back_variant(dout, cache, axis, no_mean=False, no_var=False, mean_sign=False, var_sign=False, summed=False,
                       other_axis=False, no_gamma=False, gamma_outside=False):
    """dx of batch norm (``axis`` 0) or layer norm (``axis`` 1) with one classic mistake (grader's side only)."""
    xhat, inv_std, gamma = cache
    xhat, inv_std = np.asarray(xhat, dtype=float), np.asarray(inv_std, dtype=float)
    axis = 1 - axis if other_axis else axis
    average = (lambda a: a.sum(axis=axis, keepdims=True)) if summed else (lambda a: a.mean(axis=axis, keepdims=True))
    if gamma_outside:
        return gamma * inv_std * (dout - average(dout) - xhat * average(dout * xhat))
    dxhat = dout if no_gamma else dout * gamma
    through_mean = 0 if no_mean else (1 if mean_sign else -1) * average(dxhat)
    through_var = 0 if no_var else (1 if var_sign else -1) * xhat * average(dxhat * xhat)
    return inv_std * (dxhat + through_mean + through_var)


def _norm_back_mistakes(dout, cache, axis):
    statistics = "the batch mean" if axis == 0 else "each sample's mean"
    variance = "the batch variance" if axis == 0 else "each sample's variance"
    cases = [(f"the path through {statistics} is missing: every x of the {'feature' if axis == 0 else 'sample'} "
              f"moves the mean, which every x̂ uses; add its contribution.", dict(no_mean=True)),
             (f"the path through {variance} is missing: every x moves the variance, which every x̂ divides by; add "
              f"its contribution.", dict(no_var=True)),
             (f"the path through {statistics} has the wrong sign: raising the mean lowers every x̂.",
              dict(mean_sign=True)),
             (f"the path through {variance} has the wrong sign: a larger variance shrinks every x̂ towards 0.",
              dict(var_sign=True)),
             ("sums where means belong: the statistics are averages, so their paths carry a 1/n.", dict(summed=True)),
             ("wrong axis: the means of the paths run over the features (axis 1); batch norm's statistics run over "
              "the samples (axis 0)." if axis == 0 else
              "wrong axis: the means of the paths run over the batch (axis 0), as in batch norm; layer norm's run over "
              "each sample's features (axis 1, keepdims=True).", dict(other_axis=True)),
             ("gamma is missing: the gradient reaching x̂ is dout times gamma.", dict(no_gamma=True))]
    if axis == 1:
        cases.append(("gamma is taken out of means over the features, where gamma varies from feature to feature: "
                      "keep gamma with dout inside each mean.", dict(gamma_outside=True)))

    def answer(how):
        with np.errstate(all="ignore"):
            return _norm_back_variant(dout, cache, axis, **how)
    return [Mistake(sentence, functools.partial(answer, how)) for sentence, how in cases]


def _param_back_mistakes(dout, xhat, which):
    """Mistakes of dgamma (``which`` "gamma") or dbeta ("beta")."""
    if which == "gamma":
        return [Mistake("that is dbeta: gamma multiplies x̂, so each contribution carries x̂ (or dgamma and dbeta "
                        "are swapped).", dout.sum(axis=0)),
                Mistake("summed over the features (axis 1) or not at all: gamma has one entry per feature, and its "
                        "contributions add up over the samples (axis 0).", (dout * xhat).sum(axis=1))]
    return [Mistake("that is dgamma (dgamma and dbeta swapped?): beta is added to every sample, so its gradient is "
                    "the upstream gradient summed over the samples.", (dout * xhat).sum(axis=0))]


def _expect_bn_backward(student, x, gamma, beta, dout, what, show=False):
    eps = 1e-5
    forward = lambda xx, gg, bb: _bn_reference(xx, gg, bb, {"mean": np.zeros_like(gg), "var": np.ones_like(gg)},
                                               True, 0.9, eps)[0]
    cache = _bn_reference(x, gamma, beta, {"mean": np.zeros_like(gamma), "var": np.ones_like(gamma)})[1]
    dx, dgamma, dbeta = expect_tuple(student(dout, cache), what, ["dx", "dgamma", "dbeta"])
    num_gamma = numerical_gradient_array(lambda g: forward(x, g, beta), gamma.copy(), dout)
    num_beta = numerical_gradient_array(lambda b: forward(x, gamma, b), beta.copy(), dout)
    n = x.shape[0]
    expect_close(dbeta, num_beta, f"{what}: dbeta", tol=1e-6, hint=DBETA_HINT, show=show, n=n,
                 mistakes=_param_back_mistakes(dout, cache[0], "beta"))
    expect_close(dgamma, num_gamma, f"{what}: dgamma", tol=1e-6, hint=DGAMMA_HINT, show=show, n=n,
                 mistakes=_param_back_mistakes(dout, cache[0], "gamma"))
    num_x = numerical_gradient_array(lambda z: forward(z, gamma, beta), x.copy(), dout)
    expect_close(dx, num_x, f"{what}: dx", tol=1e-5, hint=BN_BACK_HINT, show=show,
                 mistakes=_norm_back_mistakes(dout, cache, 0))
    return as_array(dx, "dx")


@bn_bwd.check(points=1, public=True)
def gamma_and_beta_gradients(student, rng):
    """dgamma and dbeta match the numerical gradients (random upstream gradient)"""
    x, gamma, beta, _ = _bn_problem(rng, 5, 3)
    dout = rng.normal(size=x.shape)
    cache = _bn_reference(x, gamma, beta, {"mean": np.zeros(3), "var": np.ones(3)})[1]
    _, dgamma, dbeta = expect_tuple(student(dout, cache), "batchnorm_backward(dout, cache)", ["dx", "dgamma", "dbeta"])
    f = lambda g, b: _bn_reference(x, g, b, {"mean": np.zeros(3), "var": np.ones(3)})[0]
    expect_close(dbeta, numerical_gradient_array(lambda b: f(gamma, b), beta.copy(), dout),
                 "batchnorm_backward: dbeta", tol=1e-6, hint=DBETA_HINT, show=True, n=5,
                 mistakes=_param_back_mistakes(dout, cache[0], "beta"))
    expect_close(dgamma, numerical_gradient_array(lambda g: f(g, beta), gamma.copy(), dout),
                 "batchnorm_backward: dgamma", tol=1e-6, hint=DGAMMA_HINT, show=True, n=5,
                 mistakes=_param_back_mistakes(dout, cache[0], "gamma"))


@bn_bwd.check(points=1, public=True)
def input_gradient(student, rng):
    """dx matches the numerical gradient of the forward pass in training mode (random upstream gradient)"""
    x, gamma, beta, _ = _bn_problem(rng, 6, 4)
    _expect_bn_backward(student, x, gamma, beta, rng.normal(size=x.shape), "batchnorm_backward(dout, cache)",
                        show=True)


@bn_bwd.check(points=2)
def random_shapes_and_invariant(student, rng):
    """random shapes and scales; dx sums to zero over the batch for every feature"""
    for _ in range(3):
        x, gamma, beta, _ = _bn_problem(rng)
        x = x * float(rng.choice([0.1, 1.0, 20.0]))
        dx = _expect_bn_backward(student, x, gamma, beta, rng.normal(size=x.shape), "batchnorm_backward")
        if np.abs(dx.sum(axis=0)).max() > 1e-6 * max(1.0, np.abs(dx).max()):
            raise CheckFailed("dx does not sum to zero over the batch for every feature.",
                              hint="Shifting every sample of a feature by the same amount leaves xhat unchanged, "
                                   "so the gradient along that direction must vanish. " + BN_BACK_HINT)


@bn_bwd.check(points=1)
def tiny_batches(student, rng):
    """batches of 3 and 4 samples, where the paths through the mean and the variance matter most"""
    for n in (3, 4):
        x, gamma, beta, _ = _bn_problem(rng, n, int(rng.integers(2, 5)))
        _expect_bn_backward(student, x, gamma, beta, rng.normal(size=x.shape), f"batchnorm_backward, batch of {n}")


# --------------------------------------------------------------------------------------- Q6 layer norm

def _ln_problem(rng, n=None, d=None):
    n, d = n or int(rng.integers(1, 8)), d or int(rng.integers(3, 9))
    x = rng.normal(loc=rng.uniform(-3, 3, size=(n, 1)), scale=rng.uniform(0.5, 3, size=(n, 1)), size=(n, d))
    return x, rng.uniform(0.5, 2, size=d), rng.normal(size=d)


ln_fwd = Question("a6.layernorm_forward", "layernorm_forward",
                  references=[ref.layernorm_forward, ref._standardize, layers.LayerNorm],
                  topic="layer normalization: each sample over its own features")
LN_HINT = ("Layer norm standardizes each sample over its own features: check the axis of the statistics, that they "
           "keep a shape that broadcasts along each row, and the scale and shift per feature.")


def _ln_variant(x, gamma, beta, eps, axis0=False, eps_outside=False, ddof=0, unstable=False):
    """Layer norm with one classic mistake (grader's side only): (out, (xhat, inv_std, gamma))."""
    axis = 0 if axis0 else 1
    mu = x.mean(axis=axis, keepdims=True)
    var = (x * x).mean(axis=axis, keepdims=True) - mu * mu if unstable else x.var(axis=axis, ddof=ddof, keepdims=True)
    inv_std = 1 / (np.sqrt(var) + eps) if eps_outside else 1 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma)


LN_MISTAKES = [
    ("wrong axis: the statistics are taken over the batch (axis 0), as in batch norm; layer norm standardizes each "
     "sample over its own features (axis 1, keepdims=True).", dict(axis0=True)),
    ("eps is added outside the square root; it goes inside, with the variance.", dict(eps_outside=True)),
    ("the variance divides by d - 1; it divides by the number of values averaged (np.var's default).", dict(ddof=1)),
    ("the unstable form of the variance (the mean of the squares minus the square of the mean): take the mean of "
     "the squared deviations (np.var).", dict(unstable=True)),
]


def _ln_mistakes(x, gamma, beta, eps, pick):
    def answer(how):
        with np.errstate(all="ignore"):
            return pick(_ln_variant(x, gamma, beta, eps, **how))
    return [Mistake(sentence, functools.partial(answer, how)) for sentence, how in LN_MISTAKES]


def _expect_ln(student, x, gamma, beta, eps, what, show=False):
    out, cache = expect_tuple(student(x, gamma, beta, eps), what, ["out", "cache"])
    ref_out, ref_cache = ref.layernorm_forward(x, gamma, beta, eps)
    expect_close(out, ref_out, f"{what}: out", hint=LN_HINT, show=show,
                 mistakes=_ln_mistakes(x, gamma, beta, eps, lambda r: r[0]))
    cache = expect_tuple(tuple(cache) if isinstance(cache, (tuple, list)) else cache, f"{what}: cache",
                         ["xhat", "inv_std", "gamma"])
    for index, (name, got, want) in enumerate(zip(["xhat", "inv_std", "gamma"], cache, ref_cache)):
        expect_close(np.ravel(as_array(got, name)), np.ravel(want), f"{what}: cache entry {name}", hint=LN_HINT,
                     mistakes=_ln_mistakes(x, gamma, beta, eps, lambda r, index=index: np.ravel(r[1][index])))


@ln_fwd.check(points=1, public=True)
def standardizes_each_sample(student, rng):
    """standardizes each row over its features, then scales and shifts"""
    x = np.array([[1.0, 2.0, 100.0, 3.0], [4.0, 5.0, 6.0, 9.0]])
    _expect_ln(student, x, np.array([1.0, 2.0, 1.0, 0.5]), np.array([0.0, 1.0, 0.0, -1.0]), 1e-5,
               "layernorm_forward(x, gamma, beta)", show=True)


@ln_fwd.check(points=2)
def random_rows_and_single_sample(student, rng):
    """random shapes and eps; a batch of one sample; each row's output does not depend on the other rows"""
    for _ in range(3):
        x, gamma, beta = _ln_problem(rng)
        _expect_ln(student, x, gamma, beta, float(rng.choice([1e-5, 1e-3])), "layernorm_forward")
    x, gamma, beta = _ln_problem(rng, 5)
    whole = student(x, gamma, beta, 1e-5)[0]
    alone = student(x[2:3], gamma, beta, 1e-5)[0]
    expect_close(alone, np.asarray(whole)[2:3], "layernorm_forward of row 2 alone against the same row in a batch",
                 hint=LN_HINT)


def _ln_values(rng):
    """A real batch (n, d) through layer norm: G, gamma (d,), Xh, sigma and s of shape (n, 1), d."""
    n, d = int(rng.integers(2, 6)), int(rng.integers(3, 8))
    x = rng.normal(loc=rng.uniform(-3, 3, size=(n, 1)), scale=rng.uniform(0.5, 3, size=(n, 1)), size=(n, d))
    sigma = np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    return {"G": rng.normal(size=(n, d)), "gamma": rng.uniform(0.5, 2.0, size=d),
            "Xh": (x - x.mean(axis=1, keepdims=True)) / sigma, "sigma": sigma, "s": 1 / sigma, "d": float(d)}


def _ln_dx(v):
    g = v["G"] * v["gamma"]
    return v["s"] * (g - g.mean(axis=1, keepdims=True) - v["Xh"] * (g * v["Xh"]).mean(axis=1, keepdims=True))


LN_NAMES = ["G", "gamma", "Xh", "sigma", "s", "d"]
LN_FORMS = [r"dxhat-dxhat\.mean\(axis=1", r"xhat\*\(dxhat\*xhat\)\.(mean|sum)\(axis=1",
            r"mean\((G|D|dout)\*gamma,axis=1", r"mean\((G|D|dout)\*gamma\*Xh,axis=1"]
layernorm_gradient = Derivation(
    "a6.layernorm_gradient", answers=["ln_dx", "ln_dgamma"],
    topic="layer norm's backward pass: what changes from batch norm", withheld=LN_FORMS)
LN_DX_HINT = ("Redo the three paths of Q9 for one sample: its mean and variance run over its own d features. Check "
              "where gamma now sits: is it constant along the axis you average over?")
LN_DGAMMA_HINT = ("gamma_j is shared by every sample, whatever axis the statistics use: add up its contributions "
                  "over the samples.")


LN_DX_MISTAKES = [
    Mistake("gamma is taken out of means that now run over the features, where gamma varies from feature to feature: "
            "keep gamma with G inside each mean.",
            "s * gamma * (G - mean(G, axis=1, keepdims=True) - Xh * mean(G * Xh, axis=1, keepdims=True))"),
    Mistake("the means run over the batch (axis 0), as in batch norm; layer norm's statistics, and so their paths, "
            "run over each sample's own features (axis 1).",
            "s * (G * gamma - mean(G * gamma, axis=0) - Xh * mean(G * gamma * Xh, axis=0))"),
    Mistake("the path through the mean is missing: each sample's mean depends on every one of its features.",
            "s * (G * gamma - Xh * mean(G * gamma * Xh, axis=1, keepdims=True))"),
    Mistake("the path through the variance is missing: each sample's variance depends on every one of its features.",
            "s * (G * gamma - mean(G * gamma, axis=1, keepdims=True))"),
]
LN_DGAMMA_MISTAKES = [
    Mistake("summed over the features (axis 1): gamma_j is shared by every sample, so its contributions add up over "
            "the samples (axis 0), whatever axis the statistics use.", "sum(G * Xh, axis=1)"),
    Mistake("that is beta's gradient: gamma multiplies x̂, so each contribution carries x̂.", "sum(G, axis=0)"),
]


@layernorm_gradient.check(points=4, public=True)
def layer_norm_input_gradient(answers, rng):
    "dL/dx of layer normalization, shape (n, d)"
    _expect_on_data(answers, "ln_dx", LN_NAMES, _ln_dx, _ln_values, LN_DX_HINT, rng, mistakes=LN_DX_MISTAKES)


@layernorm_gradient.check(points=1, public=True)
def layer_norm_gamma_gradient(answers, rng):
    "dL/dgamma of layer normalization, shape (d,)"
    _expect_on_data(answers, "ln_dgamma", LN_NAMES, lambda v: (v["G"] * v["Xh"]).sum(axis=0), _ln_values,
                    LN_DGAMMA_HINT, rng, broadcast=False, mistakes=LN_DGAMMA_MISTAKES)


ln_bwd = Question("a6.layernorm_backward", "layernorm_backward",
                  references=[ref.layernorm_backward, ref._normalize_backward, layers.LayerNorm],
                  topic="layer norm's backward pass in code", withheld=LN_FORMS)
LN_BACK_HINT = ("Your Q12 results in code, with dout in the place of G: check the axis of each mean and of each "
                "sum, and that the means keep a shape that broadcasts along each row.")


def _expect_ln_backward(student, x, gamma, beta, dout, what, show=False):
    cache = ref.layernorm_forward(x, gamma, beta)[1]
    dx, dgamma, dbeta = expect_tuple(student(dout, cache), what, ["dx", "dgamma", "dbeta"])
    f = lambda xx, gg, bb: ref.layernorm_forward(xx, gg, bb)[0]
    expect_close(dbeta, numerical_gradient_array(lambda b: f(x, gamma, b), beta.copy(), dout), f"{what}: dbeta",
                 tol=1e-6, hint=LN_BACK_HINT, show=show, n=x.shape[0],
                 mistakes=_param_back_mistakes(dout, cache[0], "beta"))
    expect_close(dgamma, numerical_gradient_array(lambda g: f(x, g, beta), gamma.copy(), dout), f"{what}: dgamma",
                 tol=1e-6, hint=LN_BACK_HINT, show=show, n=x.shape[0],
                 mistakes=_param_back_mistakes(dout, cache[0], "gamma"))
    expect_close(dx, numerical_gradient_array(lambda z: f(z, gamma, beta), x.copy(), dout), f"{what}: dx", tol=1e-5,
                 hint=LN_BACK_HINT, show=show, mistakes=_norm_back_mistakes(dout, cache, 1))
    return as_array(dx, "dx")


@ln_bwd.check(points=1, public=True)
def layer_norm_gradients(student, rng):
    """dx, dgamma and dbeta match the numerical gradients (random upstream gradient)"""
    x, gamma, beta = _ln_problem(rng, 3, 5)
    _expect_ln_backward(student, x, gamma, beta, rng.normal(size=x.shape), "layernorm_backward(dout, cache)",
                        show=True)


@ln_bwd.check(points=2)
def random_shapes_rows_sum_to_zero(student, rng):
    """random shapes; dx sums to zero along each row"""
    for _ in range(3):
        x, gamma, beta = _ln_problem(rng)
        dx = _expect_ln_backward(student, x, gamma, beta, rng.normal(size=x.shape), "layernorm_backward")
        if np.abs(dx.sum(axis=1)).max() > 1e-6 * max(1.0, np.abs(dx).max()):
            raise CheckFailed("dx does not sum to zero along each row.", hint=LN_BACK_HINT)


reflection_methods = Written("a6.reflection_methods", 2, topic="comparing the regularizers")
reflection_normalization = Written("a6.reflection_normalization", 2, topic="normalization at prediction time")
