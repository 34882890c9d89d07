"""Assignment 1: the perceptron, the batch perceptron and ADALINE (reference: backprop.linear_models)."""

import numpy as np

from backprop import data
from backprop import linear_models as ref
from backprop.gradcheck import numerical_gradient

from ..checks import CheckFailed, expect_close, expect_equal, expect_shape
from ..question import Question

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

predict = Question("a1.predict", "perceptron_predict", references=[ref.perceptron_predict, *ESTIMATORS])
BIAS_HINT = "w holds the d weights followed by the bias: compare [x, 1] . w with 0 (add_bias appends the 1)."


@predict.check(points=1, public=True)
def one_label_per_sample(student, rng):
    """returns one label, +1 or -1, per sample"""
    X, w = rng.normal(size=(6, 2)), rng.normal(size=3)
    labels = expect_shape(student(w, X), (6,), "perceptron_predict(w, X) for X of shape (6, 2)")
    if not np.isin(labels, [-1, 1]).all():
        raise CheckFailed(f"labels must be -1 or +1; got the values {sorted(set(labels.tolist()))}.",
                          hint="np.where(scores >= 0, 1, -1) turns scores into labels.")


@predict.check(points=1, public=True)
def lecture_example(student, rng):
    """matches the reference on the pass/fail example, a point on the boundary counting as +1"""
    X = np.array([[4.0, 5.0], [2.0, 1.0], [5.0, 8.0], [6.0, 5.0], [0.0, 11.0]])
    w = np.array([1.0, 1.0, -11.0])
    expect_equal(student(w, X), ref.perceptron_predict(w, X), "perceptron_predict(w, X)", hint=BIAS_HINT, show=True)


@predict.check(points=2)
def random_data(student, rng):
    """matches the reference on random data of other sizes"""
    for _ in range(3):
        X, _, w = _random_problem(rng)
        expect_equal(student(w, X), ref.perceptron_predict(w, X), "perceptron_predict(w, X)", hint=BIAS_HINT)


# ------------------------------------------------------------------------------------------------ Q2 update

update = Question("a1.update", "perceptron_update", references=[ref.perceptron_update, *ESTIMATORS])
SIGN_HINT = "On a mistake move w towards the sample's side: w + y [x, 1] (adds x for y = +1, subtracts for y = -1)."


@update.check(points=1, public=True)
def mistake_on_a_positive(student, rng):
    """adds [x, 1] to w when a positive sample is misclassified"""
    w, x = np.array([0.5, -1.0, 0.2]), np.array([1.0, 2.0])
    expect_close(student(w, x, 1), ref.perceptron_update(w, x, 1), "perceptron_update(w, x, y=+1)",
                 hint=SIGN_HINT, show=True)


@update.check(points=1, public=True)
def correct_sample_unchanged(student, rng):
    """leaves w unchanged when the sample is already on its side"""
    w, x = np.array([0.5, -1.0, 0.2]), np.array([3.0, 0.5])
    expect_close(student(w, x, 1), w, "perceptron_update(w, x, y=+1) for a correctly classified x",
                 hint="Only a mistake, y * (w . [x, 1]) <= 0, changes w.", show=True)


@update.check(points=2)
def negatives_and_boundary(student, rng):
    """subtracts on misclassified negatives, treats a point on the boundary as a mistake, any dimension"""
    for _ in range(4):
        d = int(rng.integers(1, 6))
        w, x = rng.normal(size=d + 1), rng.normal(size=d)
        y = -1 if ref.add_bias(x) @ w > 0 else 1
        expect_close(student(w, x, y), ref.perceptron_update(w, x, y), "perceptron_update on a mistake", hint=SIGN_HINT)
    w, x = np.array([1.0, 1.0, -3.0]), np.array([1.0, 2.0])  # exactly on the boundary
    expect_close(student(w, x, -1), ref.perceptron_update(w, x, -1), "perceptron_update on the boundary",
                 hint="A score of exactly 0 is a mistake: the test is y * (w . [x, 1]) <= 0.")


# ------------------------------------------------------------------------------------------------- Q3 train

train = Question("a1.train", "train_perceptron", references=[ref.train_perceptron, *ESTIMATORS],
                 uses={"perceptron_update": ref.perceptron_update, "perceptron_predict": ref.perceptron_predict})
TRAIN_HINT = ("Start from w = 0, visit the samples in order, count a mistake when y * (w . [x, 1]) <= 0, and stop "
              "after the first epoch without mistakes (its 0 is the last count).")


def _expect_training(student, X, y, max_epochs, what):
    result = student(X, y, max_epochs)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (w, mistakes); got {type(result).__name__}.")
    w_ref, mistakes_ref = ref.train_perceptron(X, y, max_epochs)
    expect_equal(np.asarray(result[1]), np.asarray(mistakes_ref), f"{what}: mistakes per epoch", hint=TRAIN_HINT)
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


# ------------------------------------------------------------------------------------- Q4 batch perceptron

batch_update = Question("a1.batch_update", "batch_perceptron_update",
                        references=[ref.batch_perceptron_update, ref.train_batch_perceptron, *ESTIMATORS])
BATCH_HINT = "Delta sums y_i [x_i, 1] over the misclassified samples only, then divides by n, the number of all samples."


def _expect_batch(student, w, X, y, lr, what, show=False):
    result = student(w, X, y, lr)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (w_new, delta); got {type(result).__name__}.")
    w_ref, delta_ref = ref.batch_perceptron_update(w, X, y, lr)
    expect_close(result[1], delta_ref, f"{what}: delta", hint=BATCH_HINT, show=show)
    expect_close(result[0], w_ref, f"{what}: w_new", hint="w_new = w + lr * delta.", show=show)


@batch_update.check(points=1, public=True)
def averaged_update(student, rng):
    """delta averages y [x, 1] over the misclassified samples"""
    X = np.array([[1.0, 2.0], [3.0, 1.0], [-1.0, -2.0], [0.5, -1.0]])
    y = np.array([1, -1, -1, 1])
    _expect_batch(student, np.array([0.2, 0.1, -0.1]), X, y, 1.0, "batch_perceptron_update(w, X, y, lr=1)", show=True)


@batch_update.check(points=1, public=True)
def uses_learning_rate(student, rng):
    """w_new = w + lr * delta with lr = 0.25"""
    X, y = data.will_i_pass(12, seed=3)
    _expect_batch(student, np.array([0.1, -0.2, 0.3]), X, y, 0.25, "batch_perceptron_update(w, X, y, lr=0.25)")


@batch_update.check(points=1)
def random_data_batch(student, rng):
    """matches the reference on random data and learning rates"""
    for _ in range(3):
        X, y, _ = _random_problem(rng, separable=False)
        _expect_batch(student, rng.normal(size=X.shape[1] + 1), X, y, float(rng.uniform(0.1, 2)),
                      "batch_perceptron_update")


# ----------------------------------------------------------------------------------------------- Q5 LMS rule

lms = Question("a1.lms", "adaline_update", references=[ref.adaline_update, *ESTIMATORS])
LMS_HINT = "Use the linear output z = w . [x, 1], not the thresholded label: w_new = w + lr (d - z) [x, 1]."


@lms.check(points=1, public=True)
def one_lms_step(student, rng):
    """one step from a non-zero w matches w + lr (d - z) [x, 1] with z the linear output"""
    w, x, d, lr = np.array([0.1, 0.05, -0.2]), np.array([2.0, 1.0]), 1.0, 0.1
    expect_close(student(w, x, d, lr), ref.adaline_update(w, x, d, lr), "adaline_update(w, x, d=1, lr=0.1)",
                 hint=LMS_HINT, show=True)


@lms.check(points=1, public=True)
def step_is_minus_lr_times_gradient(student, rng):
    """the step equals -lr times the numerical gradient of Err = 1/2 (d - z)^2"""
    w, x, d, lr = np.array([0.3, -0.4, 0.5]), np.array([1.5, -0.5]), -1.0, 0.05
    err = lambda v: 0.5 * (d - ref.add_bias(x) @ v) ** 2
    expected = w - lr * numerical_gradient(err, w.copy())
    expect_close(student(w, x, d, lr), expected, "adaline_update(w, x, d=-1, lr=0.05)", tol=1e-6, hint=LMS_HINT,
                 show=True)


@lms.check(points=2)
def random_lms_steps(student, rng):
    """matches the reference on random samples, targets and learning rates"""
    for _ in range(5):
        dim = int(rng.integers(1, 6))
        w, x = rng.normal(size=dim + 1), rng.normal(size=dim)
        d, lr = float(rng.choice([-1.0, 1.0])), float(rng.uniform(0.001, 0.5))
        expect_close(student(w, x, d, lr), ref.adaline_update(w, x, d, lr), "adaline_update", hint=LMS_HINT)


# ----------------------------------------------------------------------------------------- Q6 batch ADALINE

batch_step = Question("a1.batch_step", "adaline_batch_step",
                      references=[ref.adaline_batch_step, ref.adaline_loss, *ESTIMATORS])
BATCH_STEP_HINT = "grad E = -(1/n) X~^T (d - X~ w) with X~ = add_bias(X); the step is w - lr * grad E."


@batch_step.check(points=1, public=True)
def batch_step_is_gradient_step(student, rng):
    """the step equals -lr times the numerical gradient of E(w) = 1/(2n) sum (d - X~ w)^2"""
    X, d = data.will_i_pass(10, seed=4)
    w, lr = np.array([0.05, -0.02, 0.1]), 0.01
    expected = w - lr * numerical_gradient(lambda v: ref.adaline_loss(v, X, d), w.copy())
    expect_close(student(w, X, d, lr), expected, "adaline_batch_step(w, X, d, lr=0.01)", tol=1e-6,
                 hint=BATCH_STEP_HINT, show=True)


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
                     hint=BATCH_STEP_HINT)
