"""Assignment 1: the perceptron, the batch perceptron and ADALINE (reference: backprop.linear_models)."""

import numpy as np

from backprop import data
from backprop import linear_models as ref
from backprop.gradcheck import numerical_gradient

from .. import derive
from ..checks import CheckFailed, Mistake, as_array, expect_close, expect_inputs_unchanged, expect_shape
from ..question import Derivation, Question, Written

ESTIMATORS = [ref.Perceptron, ref.Adaline]


def _random_problem(rng, separable=True):
    """Random linearly separable (or not) data of random size: (X, y, w_true) with labels +-1."""
    n, d = int(rng.integers(8, 40)), int(rng.integers(1, 6))
    center = rng.uniform(-5, 5, size=d)  # data away from the origin, so the bias matters
    X = center + 2 * rng.normal(size=(n, d))
    w = rng.normal(size=d)
    w_true = np.append(w, -w @ center + rng.normal())  # the boundary crosses the data cloud
    scores = ref.add_bias(X) @ w_true
    if separable:  # keep a margin so that training converges quickly
        X, scores = X[np.abs(scores) > 0.5], scores[np.abs(scores) > 0.5]
    y = np.where(scores >= 0, 1, -1)
    if not separable:
        y[rng.choice(len(y), size=max(2, len(y) // 5), replace=False)] *= -1
    return X, y, w_true


# ----------------------------------------------------------------------------------------------- Q1 predict

predict = Question("a1.predict", "perceptron_predict", references=[ref.perceptron_predict, *ESTIMATORS],
                   topic="the perceptron's decision rule, the bias as one more weight (notes 000)",
                   withheld=[r"where\(scores>=0,1,-1\)"])
BIAS_HINT = ("w holds the d weights followed by the bias: a sample's score uses all d + 1 entries (add_bias appends "
             "the constant input of the bias).")


@predict.check(points=1, public=True)
def one_label_per_sample(student, rng):
    """returns one label, +1 or -1, per sample"""
    X, w = rng.normal(size=(6, 2)), rng.normal(size=3)
    labels = expect_shape(student(w, X), (6,), "perceptron_predict(w, X) for X of shape (6, 2)")
    if not np.isin(labels, [-1, 1]).all():
        raise CheckFailed(f"labels must be -1 or +1; got the values {sorted(set(labels.tolist()))}.",
                          hint="Turn each score into a label: +1 on one side of 0 (0 included), -1 on the other; "
                               "np.where chooses between two values elementwise.")


TIE_PREDICT_HINT = ("Reread the question's rule for a point exactly on the boundary (a score of 0): which label does it "
                    "get? Then check which comparison your code uses there.")


def _predict_signed(w, X):
    """np.sign of the score: 0 on the boundary."""
    return np.sign(ref.add_bias(X) @ w)


def _predict_strict(w, X):
    """+1 only for a positive score: the boundary gets -1."""
    return np.where(ref.add_bias(X) @ w > 0, 1, -1)


def _predict_no_bias(w, X):
    return np.where(np.asarray(X, dtype=float) @ w[:-1] >= 0, 1, -1)


def _predict_bias_first(w, X):
    return np.where(np.asarray(X, dtype=float) @ w[1:] + w[0] >= 0, 1, -1)


def _expect_labels(labels, w, X, what, show=False):
    """The labels equal the reference's; when not, the classic mistake they match (with the hint of its step)."""
    expected = ref.perceptron_predict(w, X)
    arr = expect_shape(labels, expected.shape, what)
    if np.array_equal(arr, expected):
        return
    catalogue = [
        (_predict_signed, "a tie broken the other way: a score of exactly 0 gets the label 0 (np.sign returns 0 "
                          "there), but a point on the boundary is a sample of the +1 class.", TIE_PREDICT_HINT),
        (_predict_strict, "a tie broken the other way: a point exactly on the boundary (score 0) gets -1, but the "
                          "question gives it +1; revisit the comparison with 0.", TIE_PREDICT_HINT),
        (_predict_no_bias, "the bias is left out: the score uses only the d weights, so the boundary always passes "
                           "through the origin. Revisit how the last entry of w enters the score.", BIAS_HINT),
        (_predict_bias_first, "the bias is read from the wrong end of w: the weights come first and the bias is the "
                              "last entry.", BIAS_HINT),
    ]
    diagnosis, hint = None, BIAS_HINT
    for variant, sentence, variant_hint in catalogue:
        if np.array_equal(arr, variant(w, X)):
            diagnosis, hint = sentence, variant_hint
            break
    wrong = np.argwhere(arr != expected)
    first = tuple(int(i) for i in wrong[0])
    where = f", the first at index {first} (got {arr[first]:g}, expected {expected[first]:g})" if show else ""
    raise CheckFailed(f"{what}: {len(wrong)} of {arr.size} entries differ from the reference{where}.", hint=hint,
                      diagnosis=diagnosis)


@predict.check(points=1, public=True)
def lecture_example(student, rng):
    """matches the reference on the pass/fail example, a point on the boundary counting as +1"""
    X = np.array([[4.0, 5.0], [2.0, 1.0], [5.0, 8.0], [6.0, 5.0], [0.0, 11.0]])
    w = np.array([1.0, 1.0, -11.0])
    _expect_labels(student(w, X), w, X, "perceptron_predict(w, X)", show=True)


@predict.check(points=2)
def random_data(student, rng):
    """matches the reference on random data of other sizes, points on the boundary included"""
    for _ in range(3):
        X, _, w = _random_problem(rng)
        _expect_labels(student(w, X), w, X, "perceptron_predict(w, X)")
    X = np.round(rng.uniform(-4, 4, size=(int(rng.integers(6, 12)), 2)))  # integer points, a few on the boundary
    w = np.array([1.0, -1.0, 0.0])
    X[: len(X) // 3, 1] = X[: len(X) // 3, 0]
    _expect_labels(student(w, X), w, X, "perceptron_predict(w, X) with points on the boundary")


# ------------------------------------------------------------------------------- Q2 derive: the perceptron rule

# The forms of the update no student-facing text may show: w + y x (any spelling), its code line, the gradient -y x.
UPDATE_FORMS = [r"w(_j)?\+y(_i)?\*?(\\tilde\{?)?(x|\[x)", r"w\+y\*x_aug", r"-y(_i)?\*?(\\tilde\{?)?x",
                r"[+-]\(?(\\tilde\{?)?x(\})?\)?for(a|the)?(positive|negative)"]
perceptron_rule = Derivation(
    "a1.perceptron_rule", answers=["dJ_dw", "w_next", "margin_gain"],
    topic="the perceptron's update derived from its mistake condition (notes 000, 003)", withheld=UPDATE_FORMS)
DJ_HINT = ("On a mistake J is a sum of products w_j x_j times a constant factor: differentiate it with respect to one "
           "w_j, keeping the factor and its sign.")
W_NEXT_HINT = ("A gradient step goes against the gradient: the new weight is the old one minus the step size times "
               "your dJ_dw (the step size is 1 here). Mind the two minus signs.")
MARGIN_HINT = ("Write the new margin y (w + change) . x with your update as the change, expand the dot product, and "
               "subtract the old margin; then use that y * y = 1 for a label.")


@perceptron_rule.check(points=1, public=True)
def criterion_gradient(answers, rng):
    "∂J/∂w_j on a mistake, in y and x"
    derive.expect_expression(answers, "dJ_dw", "-y * x", {"y": (-2.0, 2.0), "x": (-3.0, 3.0)}, hint=DJ_HINT,
                             rng=rng, mistakes=[Mistake("the criterion's minus sign was dropped: on a mistake J is "
                                                        "minus a margin, and the factor of w_j keeps that sign.",
                                                        "y * x")])


@perceptron_rule.check(points=1, public=True)
def one_step_of_size_one(answers, rng):
    "the new weight w_j after one gradient step of size 1, in w, y and x"
    derive.expect_expression(answers, "w_next", "w + y * x", {"w": (-3.0, 3.0), "y": (-2.0, 2.0),
                                                              "x": (-3.0, 3.0)}, hint=W_NEXT_HINT, rng=rng,
                             mistakes=[Mistake("the step goes along the gradient instead of against it: the update "
                                               "moves away from the sample. Revisit the step from dJ_dw to w_next "
                                               "and its two minus signs.", "w - y * x"),
                                       Mistake("the old weight is missing: the step changes w, it does not replace "
                                               "it.", "y * x")])


@perceptron_rule.check(points=1, public=True)
def margin_grows(answers, rng):
    "how much the sample's margin grows with the update, in q = ||x||^2"
    derive.expect_expression(answers, "margin_gain", "q", {"q": (0.1, 20.0)}, hint=MARGIN_HINT, rng=rng,
                             mistakes=[Mistake("the gain has the wrong sign: an update makes the margin grow; "
                                               "recheck y * y for a label.", "-q")])


# ------------------------------------------------------------------------------------------------ Q3 update

update = Question("a1.update", "perceptron_update", references=[ref.perceptron_update, *ESTIMATORS],
                  topic="the perceptron's update in code, and its tie rule (notes 000, 003)", withheld=UPDATE_FORMS)
SIGN_HINT = ("On a mistake move w towards the sample's side, as you derived in Q2 (check the sign for y = +1 and for "
             "y = -1 separately); [x, 1] is add_bias(x).")
TIE_HINT = ("Reread the tie rule of section 3: what does a score of exactly 0 count as, for a label of +1 and for "
            "-1? Then check the comparison in your mistake test.")


def _update_away(w, x, y):
    """The step with the wrong sign: away from the sample."""
    x_aug = ref.add_bias(x)
    return w - y * x_aug if y * (x_aug @ w) <= 0 else w.copy()


def _update_strict(w, x, y):
    """A score of exactly 0 counted as right: from w = 0 nothing moves."""
    x_aug = ref.add_bias(x)
    return w + y * x_aug if y * (x_aug @ w) < 0 else w.copy()


def _update_by_prediction(w, x, y):
    """A mistake when the predicted label differs: a positive sample on the boundary counts as right."""
    x_aug = ref.add_bias(x)
    return w + y * x_aug if (1 if x_aug @ w >= 0 else -1) != y else w.copy()


def _update_no_bias(w, x, y):
    """The bias weight never moves (x not augmented with its 1)."""
    x_aug = ref.add_bias(x)
    return w + y * np.append(x, 0.0) if y * (x_aug @ w) <= 0 else w.copy()


def _update_always(w, x, y):
    """Every sample moves w, mistake or not."""
    return w + y * ref.add_bias(x)


def _update_mistakes(w, x, y):
    return [Mistake("the step moves away from the sample: its sign is flipped. Revisit the gradient step of Q2 (the "
                    "two minus signs) and check it for y = +1 and y = -1.", lambda: _update_away(w, x, y)),
            Mistake("a tie broken the other way: a score of exactly 0 is counted as right, so from w = 0 nothing "
                    "ever moves. Revisit the mistake test: a point on the boundary is a mistake for either label.",
                    lambda: _update_strict(w, x, y)),
            Mistake("a tie broken the other way: the mistake test uses the predicted label, which is +1 on the "
                    "boundary, so a positive sample with a score of 0 is counted as right. Revisit the mistake test.",
                    lambda: _update_by_prediction(w, x, y)),
            Mistake("the bias is not updated: the step must use the augmented sample, whose last entry is the "
                    "constant 1.", lambda: _update_no_bias(w, x, y)),
            Mistake("w changes on every sample: the mistake test is missing, so a correctly classified sample moves "
                    "the weights too.", lambda: _update_always(w, x, y))]


def _expect_update(student, w, x, y, what, hint, show=False):
    """One call on (w, x, y): the answer matches the reference, and the caller's w and x are unchanged."""
    got = student(w, x, y)
    expect_inputs_unchanged(student, what)
    try:
        expect_close(got, ref.perceptron_update(w, x, y), what, hint=hint, show=show,
                     mistakes=_update_mistakes(w, x, y))
    except CheckFailed as failure:  # the hint of the step the diagnosis names, not of the step the check tests
        if failure.diagnosis and "tie" not in failure.diagnosis and hint is TIE_HINT:
            failure.hint = SIGN_HINT
        raise


@update.check(points=1, public=True)
def mistake_on_a_positive(student, rng):
    """corrects a misclassified positive sample, and leaves the caller's w unchanged (no change in place)"""
    w, x = np.array([0.5, -1.0, 0.2]), np.array([1.0, 2.0])
    _expect_update(student, w, x, 1, "perceptron_update(w, x, y=+1)", SIGN_HINT, show=True)


@update.check(points=1)
def correct_sample_unchanged(student, rng):
    """leaves w unchanged when the sample is already on its side"""
    w, x = np.array([0.5, -1.0, 0.2]), np.array([3.0, 0.5])
    _expect_update(student, w, x, 1, "perceptron_update(w, x, y=+1) for a correctly classified x",
                   "Only a mistake changes w; revisit the mistake test.")


@update.check(points=1)
def negatives_and_boundary(student, rng):
    """corrects misclassified negatives, treats a point on the boundary as a mistake, any dimension"""
    for _ in range(4):
        d = int(rng.integers(1, 6))
        w, x = rng.normal(size=d + 1), rng.normal(size=d)
        y = -1 if ref.add_bias(x) @ w > 0 else 1
        _expect_update(student, w, x, y, "perceptron_update on a mistake", SIGN_HINT)
    for w, x in [(np.array([1.0, 1.0, -3.0]), np.array([1.0, 2.0]))]:  # exactly on the boundary, both labels
        for label in (-1, 1):
            _expect_update(student, w, x, label, f"perceptron_update on the boundary, y={label:+d}", TIE_HINT)


@update.check(points=1, public=True)
def ties_from_zero(student, rng):
    """from w = 0 (every score 0) a sample of either label counts as a mistake and is corrected"""
    w, x = np.zeros(3), np.array([2.0, -1.0])
    for label in (1, -1):
        _expect_update(student, w, x, label, f"perceptron_update(w=0, x, y={label:+d})", TIE_HINT, show=True)


# ------------------------------------------------------------------------------ Q4 derive: one epoch by hand

# The four samples of the notebook's table, visited in order from w = 0 (two of the four scores are exactly 0).
BY_HAND_X = np.array([[1.0, 2.0], [2.0, -1.0], [0.0, 1.0], [3.0, 1.0]])
BY_HAND_Y = np.array([1, -1, 1, 1])


def _by_hand_epoch(rule=None):
    """(w after one epoch from w = 0, mistakes in it) with the reference rule, or with a buggy ``rule(w, x, y)``."""
    w, mistakes = np.zeros(3), 0
    for x, label in zip(BY_HAND_X, BY_HAND_Y):
        new = (rule or ref.perceptron_update)(w, x, label)
        mistakes += int(not np.array_equal(new, w))
        w = new
    return w, mistakes


def _by_hand_mistakes(entry):
    """The by-hand trace's classic slips: what ``entry`` (0, 1, 2: w_1, w_2, b; 3: the count) comes out as."""
    def value(rule):
        w, count = _by_hand_epoch(rule)
        return float(count if entry == 3 else w[entry])
    found = [Mistake("a tie broken the other way: a score of exactly 0 was counted as right, so from w = 0 nothing "
                    "moves. Revisit the tie rule: a score of 0 is a mistake for either label.", value(_update_strict)),
            Mistake("a tie broken the other way: a positive sample with a score of 0 was counted as right (the "
                    "prediction's rule, not the mistake test's). Revisit the tie rule of section 3.",
                    value(_update_by_prediction)),
            Mistake("the bias did not move with the updates: its input is the constant 1, so it changes on every "
                    "mistake.", value(_update_no_bias)),
            Mistake("the updates move away from the samples: recheck the sign of the step you derived in Q2.",
                    value(_update_away))]
    values = [m.answer for m in found]
    return [m for m in found if values.count(m.answer) == 1]  # a value two slips share names neither


perceptron_by_hand = Derivation(
    "a1.perceptron_by_hand", answers=["w1_after_epoch", "w2_after_epoch", "b_after_epoch", "mistakes_in_epoch"],
    topic="one epoch of the perceptron traced by hand, ties included (notes 003)")
BY_HAND_HINT = ("Trace the table one row at a time: the score of the current weights (bias included), then the "
                "mistake test (with its tie rule), then the update of Q2 before the next row.")


@perceptron_by_hand.check(points=1, public=True)
def first_weight(answers, rng):
    "w_1 after the epoch"
    derive.expect_number(answers, "w1_after_epoch", _by_hand_epoch()[0][0], hint=BY_HAND_HINT,
                         mistakes=_by_hand_mistakes(0))


@perceptron_by_hand.check(points=1, public=True)
def second_weight(answers, rng):
    "w_2 after the epoch"
    derive.expect_number(answers, "w2_after_epoch", _by_hand_epoch()[0][1], hint=BY_HAND_HINT,
                         mistakes=_by_hand_mistakes(1))


@perceptron_by_hand.check(points=1, public=True)
def bias_weight(answers, rng):
    "the bias b after the epoch"
    derive.expect_number(answers, "b_after_epoch", _by_hand_epoch()[0][2],
                         hint=BY_HAND_HINT + " The bias moves with every update too: its input is the constant 1.",
                         mistakes=_by_hand_mistakes(2))


@perceptron_by_hand.check(points=1, public=True)
def mistakes_counted(answers, rng):
    "the number of mistakes in the epoch"
    derive.expect_number(answers, "mistakes_in_epoch", _by_hand_epoch()[1],
                         hint="Count every row whose mistake test fires, a score of exactly 0 included.",
                         mistakes=_by_hand_mistakes(3))


# ------------------------------------------------------------------------------------------------- Q5 train

train = Question("a1.train", "train_perceptron", references=[ref.train_perceptron, *ESTIMATORS],
                 uses={"perceptron_update": ref.perceptron_update, "perceptron_predict": ref.perceptron_predict},
                 topic="epochs, and convergence on separable data (notes 003)")
TRAIN_HINT = ("Where does w start, in which order are the samples visited, what counts as a mistake (ties "
              "included), and when does the loop stop? Check each against the text of Q5.")


def _train_variant(X, y, max_epochs, strict=False, keep_going=False, drop_last=False):
    """A training loop with one classic slip: ties counted as right (``strict``, with the update's own rule the
    same), no stop after a clean epoch, or the clean epoch's 0 not recorded."""
    rule = _update_strict if strict else ref.perceptron_update
    w, mistakes = np.zeros(X.shape[1] + 1), []
    for _ in range(max_epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            new = rule(w, x_i, y_i)
            count += int(not np.array_equal(new, w))
            w = new
        if count == 0 and drop_last:
            break
        mistakes.append(count)
        if count == 0 and not keep_going:
            break
    return w, mistakes


TRAIN_MISTAKES = [
    (dict(strict=True), "a tie broken the other way: a score of exactly 0 counted as right, so from w = 0 the first "
                        "epoch sees no mistake and nothing moves. Revisit the mistake test's tie rule."),
    (dict(keep_going=True), "the loop does not stop after the first epoch without mistakes: it runs all max_epochs. "
                            "Revisit the stopping rule."),
    (dict(drop_last=True), "the epoch without mistakes is not recorded: the list must end with its 0. Revisit where "
                           "the count is appended and where the loop stops."),
]


def _expect_training(student, X, y, max_epochs, what):
    result = student(X, y, max_epochs)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (w, mistakes); got {type(result).__name__}.")
    w_ref, mistakes_ref = ref.train_perceptron(X, y, max_epochs)
    got = as_array(result[1], f"{what}: mistakes per epoch")
    if got.shape != np.shape(mistakes_ref) or not np.array_equal(got, mistakes_ref):
        diagnosis = None
        for slip, sentence in TRAIN_MISTAKES:
            variant = np.asarray(_train_variant(X, y, max_epochs, **slip)[1], dtype=float)
            if variant.shape == got.shape and np.array_equal(variant, got) and not np.array_equal(variant, mistakes_ref):
                diagnosis = sentence
                break
        raise CheckFailed(f"{what}: the mistakes per epoch differ from the reference ({got.size} epochs counted, "
                          f"{len(mistakes_ref)} expected).", hint=TRAIN_HINT, diagnosis=diagnosis)
    expect_close(result[0], w_ref, f"{what}: final w", hint=TRAIN_HINT)


@train.check(points=1, public=True)
def converges_on_separable_data(student, rng):
    """converges on separable pass/fail data: every sample right, last epoch without mistakes"""
    X, y = data.will_i_pass(40, separable=True, seed=1)
    result = student(X, y, 200)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed("train_perceptron must return a pair (w, mistakes).")
    w, mistakes = result
    errors = int(np.sum(ref.perceptron_predict(np.asarray(w, dtype=float), X) != y))
    if errors or not len(mistakes) or mistakes[-1] != 0:
        raise CheckFailed(f"after training, {errors} of {len(y)} samples are misclassified and the last epoch "
                          f"counted {mistakes[-1] if len(mistakes) else 'nothing'}.", hint=TRAIN_HINT)


@train.check(points=1, public=True)
def same_trajectory_as_reference(student, rng):
    """mistakes per epoch and final w match the reference on the same data"""
    X, y = data.will_i_pass(30, separable=True, seed=2)
    _expect_training(student, X, y, 200, "train_perceptron(X, y, 200)")


@train.check(points=2)
def random_and_non_separable(student, rng):
    """matches the reference on random data, and stops after max_epochs when no line separates the classes"""
    X, y, _ = _random_problem(rng)
    _expect_training(student, X, y, 500, "train_perceptron on separable data")
    X, y, _ = _random_problem(rng, separable=False)
    _expect_training(student, X, y, 7, "train_perceptron on non-separable data with max_epochs=7")


# ------------------------------------------------------------------------------------- Q6 batch perceptron

batch_update = Question("a1.batch_update", "batch_perceptron_update",
                        references=[ref.batch_perceptron_update, ref.train_batch_perceptron, *ESTIMATORS],
                        topic="the batch perceptron and its ε stop (notes 003)")
BATCH_HINT = ("Revisit the formula of section 5 term by term: which samples enter the sum (ties included), what each "
              "contributes (the bias's input included), and what the sum is divided by.")


def _batch_delta(w, X, y, strict=False, by_mistakes=False, no_bias=False):
    """The batch perceptron's delta with one classic slip."""
    X_aug = ref.add_bias(X)
    scores = y * (X_aug @ w)
    wrong = scores < 0 if strict else scores <= 0
    if no_bias:
        X_aug = np.append(np.asarray(X, dtype=float), np.zeros((len(X), 1)), axis=1)
    total = (y[wrong, None] * X_aug[wrong]).sum(axis=0)
    return total / max(1, wrong.sum()) if by_mistakes else total / len(X)


def _batch_mistakes(w, X, y):
    return [Mistake("a tie broken the other way: a score of exactly 0 counted as right, so from w = 0 (every score "
                    "0) nothing is ever corrected. Revisit the mask of mistakes: a tie is a mistake.",
                    lambda: _batch_delta(w, X, y, strict=True)),
            Mistake("averaged over the misclassified samples only: divide by n, the number of all samples (a correct "
                    "sample contributes 0 to the average, but still counts).",
                    lambda: _batch_delta(w, X, y, by_mistakes=True)),
            Mistake("the bias's entry is missing: each sample enters with its constant input 1.",
                    lambda: _batch_delta(w, X, y, no_bias=True))]


def _expect_batch(student, w, X, y, lr, what, show=False):
    result = student(w, X, y, lr)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (w_new, delta); got {type(result).__name__}.")
    w_ref, delta_ref = ref.batch_perceptron_update(w, X, y, lr)
    expect_close(result[1], delta_ref, f"{what}: delta", hint=BATCH_HINT, show=show, n=len(X),
                 mistakes=_batch_mistakes(w, X, y))
    expect_close(result[0], w_ref, f"{what}: w_new", show=show,
                 hint="Your delta is right: revisit the last step, from delta and lr to the new weights.",
                 mistakes=[Mistake("the learning rate is not used: the step must be lr times delta.",
                                   lambda: w + np.asarray(delta_ref)),
                           Mistake("the step goes the wrong way: delta points towards the misclassified samples' "
                                   "side, so w moves along it.", lambda: w - lr * np.asarray(delta_ref))])


@batch_update.check(points=1, public=True)
def averaged_update(student, rng):
    """delta averages y [x, 1] over the misclassified samples; from w = 0 (every score a tie) every sample counts"""
    X = np.array([[1.0, 2.0], [3.0, 1.0], [-1.0, -2.0], [0.5, -1.0]])
    y = np.array([1, -1, -1, 1])
    _expect_batch(student, np.array([0.2, 0.1, -0.1]), X, y, 1.0, "batch_perceptron_update(w, X, y, lr=1)", show=True)
    _expect_batch(student, np.zeros(3), X, y, 1.0, "batch_perceptron_update(w=0, X, y, lr=1)", show=True)


@batch_update.check(points=1, public=True)
def uses_learning_rate(student, rng):
    """w_new = w + lr * delta with lr = 0.25"""
    X, y = data.will_i_pass(12, seed=3)
    _expect_batch(student, np.array([0.1, -0.2, 0.3]), X, y, 0.25, "batch_perceptron_update(w, X, y, lr=0.25)")


@batch_update.check(points=1)
def random_data_batch(student, rng):
    """matches the reference on random data and learning rates, from w = 0 and with points on the boundary"""
    for _ in range(3):
        X, y, _ = _random_problem(rng, separable=False)
        _expect_batch(student, rng.normal(size=X.shape[1] + 1), X, y, float(rng.uniform(0.1, 2)),
                      "batch_perceptron_update")
    _expect_batch(student, np.zeros(X.shape[1] + 1), X, y, float(rng.uniform(0.1, 2)),
                  "batch_perceptron_update from w = 0")
    X = np.round(rng.uniform(-4, 4, size=(int(rng.integers(6, 12)), 2)))  # integer points, a third on the boundary
    X[: len(X) // 3, 1] = X[: len(X) // 3, 0]
    y = np.where(rng.uniform(size=len(X)) < 0.5, 1, -1)
    _expect_batch(student, np.array([1.0, -1.0, 0.0]), X, y, 1.0, "batch_perceptron_update with points on the boundary")


# ----------------------------------------------------------------------------- Q7 derive: the delta (LMS) rule

# The delta rule's forms: (d - z) x, (z - d) x, the step w + lr (d - z) x, δ = d - z, and its code line.
LMS_FORMS = [r"\(d-z\)\*?(\\tilde\{?)?(x|\[x)", r"\(z-d\)\*?(\\tilde\{?)?(x|\[x)", r"-\(d-z\)",
             r"(\\eta|eta|lr|η)\*?\\?(\\delta|δ|delta)\*?(x|\\tilde)", r"(\\delta|δ|delta)=d-z",
             r"(\\eta|eta|lr|η)\*?\(d-z\)"]
delta_rule = Derivation(
    "a1.delta_rule", answers=["dErr_dz", "dErr_dw", "w_next_lms"],
    topic="ADALINE: the delta (LMS) rule derived by the chain rule (notes 000)", withheld=LMS_FORMS)


@delta_rule.check(points=1, public=True)
def error_gradient_in_z(answers, rng):
    "∂Err/∂z, in d and z"
    derive.expect_expression(answers, "dErr_dz", "z - d", {"d": (-1.5, 1.5), "z": (-3.0, 3.0)},
                             hint="Differentiate the square of a difference with respect to z: the power rule, then "
                                  "the inner derivative of (d - z) with respect to z, with its sign.", rng=rng)


@delta_rule.check(points=1, public=True)
def error_gradient_in_w(answers, rng):
    "∂Err/∂w_j, in d, z and x (x standing for x_j)"
    derive.expect_expression(answers, "dErr_dw", "(z - d) * x", {"d": (-1.5, 1.5), "z": (-3.0, 3.0),
                                                                 "x": (-3.0, 3.0)},
                             hint="Chain rule through z: your dErr_dz times ∂z/∂w_j, the factor that w_j multiplies "
                                  "in z.", rng=rng,
                             mistakes=[Mistake("the chain rule stops at z: the factor from z to w_j (the input that "
                                               "w_j multiplies) is missing.", "z - d"),
                                       Mistake("the chain rule stops at z: the factor from z to w_j (the input that "
                                               "w_j multiplies) is missing, and the sign is flipped.", "d - z")])


@delta_rule.check(points=1, public=True)
def lms_step(answers, rng):
    "the new w_j after one gradient step of size eta, in w, eta, d, z and x"
    derive.expect_expression(answers, "w_next_lms", "w - eta * (z - d) * x",
                             {"w": (-2.0, 2.0), "eta": (0.01, 0.5), "d": (-1.5, 1.5), "z": (-3.0, 3.0),
                              "x": (-3.0, 3.0)},
                             hint="A gradient step subtracts eta times the gradient you found for dErr_dw.", rng=rng,
                             mistakes=[Mistake("the chain rule stops at z: the step misses the factor from z to w_j "
                                               "(the input that w_j multiplies).", "w + eta * (d - z)"),
                                       Mistake("the step goes along the gradient instead of against it: revisit "
                                               "the sign of the step.", "w + eta * (z - d) * x"),
                                       Mistake("the learning rate eta is missing from the step.",
                                               "w + (d - z) * x")])


# ----------------------------------------------------------------------------------------------- Q8 LMS rule

lms = Question("a1.lms", "adaline_update", references=[ref.adaline_update, *ESTIMATORS],
               topic="ADALINE's online update in code (notes 000)", withheld=LMS_FORMS)
LMS_HINT = ("Use the linear output z = w . [x, 1], not the thresholded label, in the step you derived in Q7; the "
            "bias's input is the constant 1.")


def _lms_mistakes(w, x, d, lr):
    """ADALINE's classic slips on one step, as the weights they return."""
    x_aug = ref.add_bias(x)
    z = x_aug @ w
    label = 1.0 if z >= 0 else -1.0
    return [Mistake("the thresholded output (the label +-1) is used in the step instead of the linear output z: the "
                    "delta rule learns from the error of z itself.", lambda: w + lr * (d - label) * x_aug),
            Mistake("the step goes along the gradient instead of against it: revisit the sign of the step you "
                    "derived in Q7.", lambda: w - lr * (d - z) * x_aug),
            Mistake("the bias is not updated: the step uses the augmented sample, whose last entry is the constant "
                    "1.", lambda: w + lr * (d - z) * np.append(x, 0.0)),
            Mistake("the learning rate is not used: the step is lr times the correction.",
                    lambda: w + (d - z) * x_aug)]


@lms.check(points=1, public=True)
def one_lms_step(student, rng):
    """one step from a non-zero w matches the reference, with z the linear output"""
    w, x, d, lr = np.array([0.1, 0.05, -0.2]), np.array([2.0, 1.0]), 1.0, 0.1
    expect_close(student(w, x, d, lr), ref.adaline_update(w, x, d, lr), "adaline_update(w, x, d=1, lr=0.1)",
                 hint=LMS_HINT, show=True, mistakes=_lms_mistakes(w, x, d, lr))


@lms.check(points=1, public=True)
def step_is_minus_lr_times_gradient(student, rng):
    """the step equals -lr times the numerical gradient of Err = 1/2 (d - z)^2"""
    w, x, d, lr = np.array([0.3, -0.4, 0.5]), np.array([1.5, -0.5]), -1.0, 0.05
    err = lambda v: 0.5 * (d - ref.add_bias(x) @ v) ** 2
    expected = w - lr * numerical_gradient(err, w.copy())
    expect_close(student(w, x, d, lr), expected, "adaline_update(w, x, d=-1, lr=0.05)", tol=1e-6, hint=LMS_HINT,
                 show=True, mistakes=_lms_mistakes(w, x, d, lr))


@lms.check(points=2)
def random_lms_steps(student, rng):
    """matches the reference on random samples, targets and learning rates"""
    for _ in range(5):
        dim = int(rng.integers(1, 6))
        w, x = rng.normal(size=dim + 1), rng.normal(size=dim)
        d, lr = float(rng.choice([-1.0, 1.0])), float(rng.uniform(0.001, 0.5))
        expect_close(student(w, x, d, lr), ref.adaline_update(w, x, d, lr), "adaline_update", hint=LMS_HINT,
                     mistakes=_lms_mistakes(w, x, d, lr))


# ----------------------------------------------------------------------- Q9 derive: the batch gradient of E

# The batch gradient's forms: X^T (d - X w), X^T (X w - d) in LaTeX or code, and the code line with X_aug.
MSE_FORMS = [r"\^\{?T\}?\((d|\\tilded)-", r"\^\{?T\}?\((\\tilde)?X(\\tilde)?w-",
             r"\.T@\((d|X|X_aug)", r"X_aug\.T@", r"\.T@X(_aug)?@w", r"\(d_i-[^)]*\)(\\tilde)?x_i"]
BY_HAND_GRAD = {"X": np.array([[1.0], [2.0]]), "d": np.array([1.0, -1.0]), "w": np.array([1.0, 0.0])}


def _by_hand_gradient():
    """∇E at w~ = (1, 0) for the two samples x = 1, 2 with targets 1, -1 (the notebook's small example)."""
    X_aug = ref.add_bias(BY_HAND_GRAD["X"])
    return -X_aug.T @ (BY_HAND_GRAD["d"] - X_aug @ BY_HAND_GRAD["w"]) / len(X_aug)


def _by_hand_gradient_mistakes(entry):
    """The small example's classic slips, as the number they give for ``entry`` (0: the weight, 1: the bias)."""
    n = len(BY_HAND_GRAD["d"])
    return [Mistake("the 1/n of the mean is missing: the gradient of an average keeps that factor.",
                    float(_by_hand_gradient()[entry] * n)),
            Mistake("off by a factor 2: the 1/2 in E cancels the 2 that the square's derivative brings down.",
                    float(_by_hand_gradient()[entry] * 2))]


mse_gradient = Derivation(
    "a1.mse_gradient", answers=["grad_E", "dE_dw1", "dE_db"],
    topic="the gradient of the mean squared error over a batch, in matrix form (notes 000)", withheld=MSE_FORMS)
GRAD_E_HINT = ("Write E as (1/(2n)) r^T r with the residual r = d - X w; differentiate r^T r by the chain rule (r "
               "depends on w through X), then keep the 1/n. The gradient has the shape of w.")


@mse_gradient.check(points=2, public=True)
def gradient_in_matrix_form(answers, rng):
    "∇E as an expression in X (n, k), w (k, 1), d (n, 1) and n"
    derive.expect_matrix_expression(answers, "grad_E", "-X.T @ (d - X @ w) / n",
                                    {"X": (5, 3), "w": (3, 1), "d": (5, 1), "n": ()}, hint=GRAD_E_HINT, rng=rng,
                                    mistakes=[Mistake("the 1/n of the mean is missing: E averages over the n samples, "
                                                      "so its gradient keeps that factor.", "-X.T @ (d - X @ w)"),
                                              Mistake("off by a factor 2: the 1/2 in E cancels the 2 that the "
                                                      "square's derivative brings down.", "-2 * X.T @ (d - X @ w) / n"),
                                              Mistake("your result is transposed: a row where the gradient is a "
                                                      "column shaped like w. Check which factor of the product "
                                                      "needs the transpose.", "(X @ w - d).T @ X / n")])


@mse_gradient.check(points=1, public=True)
def gradient_by_hand_weight(answers, rng):
    "∂E/∂w_1 on the two-sample example"
    derive.expect_number(answers, "dE_dw1", _by_hand_gradient()[0], mistakes=_by_hand_gradient_mistakes(0),
                         hint="First the two linear outputs and residuals at the given weights, then your grad_E "
                              "with the augmented inputs (x, 1) as the rows of X; the weight's entry comes first.")


@mse_gradient.check(points=1, public=True)
def gradient_by_hand_bias(answers, rng):
    "∂E/∂b on the two-sample example"
    derive.expect_number(answers, "dE_db", _by_hand_gradient()[1], mistakes=_by_hand_gradient_mistakes(1),
                         hint="The bias's input is the constant 1 in every row: its entry of grad_E averages the "
                              "residuals with that input.")


# ----------------------------------------------------------------------------------------- Q10 batch ADALINE

batch_step = Question("a1.batch_step", "adaline_batch_step",
                      references=[ref.adaline_batch_step, ref.adaline_loss, *ESTIMATORS],
                      topic="batch gradient descent on the mean squared error, and least squares (notes 000)",
                      withheld=MSE_FORMS)
BATCH_STEP_HINT = ("Build X~ = add_bias(X), compute the gradient you derived in Q9 (a vector shaped like w, averaged "
                   "over the n samples), and step against it by lr.")


def _batch_step_mistakes(w, X, d, lr):
    """Batch ADALINE's classic slips on one step, as the weights they return."""
    X_aug = ref.add_bias(X)
    residual = np.asarray(d, dtype=float) - X_aug @ w
    return [Mistake("the learning rate is not used: the step is lr times the gradient.",
                    lambda: w + X_aug.T @ residual / len(X)),
            Mistake("the gradient is summed over the samples, not averaged: it misses the 1/n of the mean, so the "
                    "step is n times too large.", lambda: w + lr * X_aug.T @ residual),
            Mistake("the step goes along the gradient instead of against it: revisit the sign of the gradient you "
                    "derived in Q9 and of the step.", lambda: w - lr * X_aug.T @ residual / len(X)),
            Mistake("the bias is not updated: the gradient uses the augmented inputs, whose last column is the "
                    "constant 1.", lambda: w + lr * np.append(np.asarray(X, float).T @ residual, 0.0) / len(X))]


@batch_step.check(points=1, public=True)
def batch_step_is_gradient_step(student, rng):
    """the step equals -lr times the numerical gradient of E(w) = 1/(2n) sum (d - X~ w)^2"""
    X, d = data.will_i_pass(10, seed=4)
    w, lr = np.array([0.05, -0.02, 0.1]), 0.01
    expected = w - lr * numerical_gradient(lambda v: ref.adaline_loss(v, X, d), w.copy())
    expect_close(student(w, X, d, lr), expected, "adaline_batch_step(w, X, d, lr=0.01)", tol=1e-6,
                 hint=BATCH_STEP_HINT, show=True, mistakes=_batch_step_mistakes(w, X, d, lr))


@batch_step.check(points=1, public=True)
def reaches_least_squares(student, rng):
    """repeated steps reach the least-squares solution of a small problem"""
    X = np.array([[-1.0, 0.5], [1.0, -1.0], [0.5, 1.0], [-0.5, -0.5], [0.0, 0.0]])
    d = np.array([-1.0, -1.0, 1.0, 1.0, 1.0])
    w = np.zeros(3)
    for _ in range(400):
        w = np.asarray(student(w, X, d, 0.5), dtype=float)
    best = np.linalg.lstsq(ref.add_bias(X), d, rcond=None)[0]
    expect_close(w, best, "w after 400 steps of adaline_batch_step(lr=0.5)", tol=1e-6, hint=BATCH_STEP_HINT, show=True)


@batch_step.check(points=1)
def random_batch_steps(student, rng):
    """matches the reference on random data and learning rates"""
    for _ in range(3):
        X, y, _ = _random_problem(rng, separable=False)
        w, lr = rng.normal(size=X.shape[1] + 1), float(rng.uniform(0.001, 0.3))
        expect_close(student(w, X, y.astype(float), lr), ref.adaline_batch_step(w, X, y, lr), "adaline_batch_step",
                     hint=BATCH_STEP_HINT, mistakes=_batch_step_mistakes(w, X, y, lr))


# ------------------------------------------------------------------------------------------- Q11 written answer

reflection = Written("a1.reflection", 2, topic="the perceptron and ADALINE compared: what each minimizes")
