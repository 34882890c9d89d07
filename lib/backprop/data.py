"""Datasets of the course, generated from a seed or loaded from a package (nothing is downloaded).

Lecture topics: the "Will I pass this class?" example (notes 000), learning XOR and non-linear decision
regions (notes 002), a real classification task (handwritten digits), a task that needs depth, initialization,
normalization and regularization together (the capstone's spiral arms hidden among noise features), and a
regression whose noise makes the conditional mean and median differ (notes 002, cost functions from maximum
likelihood).
"""

from pathlib import Path
from typing import NamedTuple

import numpy as np

_DIGITS = Path(__file__).resolve().parent / "datasets" / "digits.npz"


def will_i_pass(n=100, separable=True, seed=0):
    """The lecture's two-feature example: will a student pass, from lectures attended and project hours?

    Features (n, 2): ``x1`` lectures attended (0 to 12) and ``x2`` hours spent on the final project (0 to 12).
    Labels (n,): +1 pass, -1 fail. A student passes when ``x1 + x2`` is above about 11.

    ``separable=True`` keeps a margin of at least 1 around the line x1 + x2 = 11 (so the perceptron
    converges); ``separable=False`` flips the label of about 10 % of the students near the line, so no line
    separates the classes (the perceptron cycles; ADALINE still settles).

    Returns ``(X, y)``: X float64 (n, 2), y int (n,) with values -1 and +1.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((0, 2))
    while len(X) < n:  # rejection sampling keeps the margin without biasing the class balance much
        cand = rng.uniform(0, 12, size=(2 * n, 2))
        if separable:
            cand = cand[np.abs(cand.sum(axis=1) - 11) >= 1]
        X = np.concatenate([X, cand])
    X = X[:n]
    y = np.where(X.sum(axis=1) > 11, 1, -1)
    if not separable:
        near = np.flatnonzero(np.abs(X.sum(axis=1) - 11) < 3)
        flip = rng.choice(near, size=max(2, n // 10), replace=False)
        y[flip] = -y[flip]
    return X, y


# ---------------------------------------------------------------------------------- classification toys

def xor(n=None, noise=0.1, seed=0):
    """The XOR problem: label 1 when exactly one of the two inputs is on. No line separates the classes.

    ``n=None`` returns the four points of the truth table, X = [[0, 0], [0, 1], [1, 0], [1, 1]] and
    y = [0, 1, 1, 0]. An int n returns n noisy copies: a random corner plus N(0, noise^2) per coordinate.

    Returns ``(X, y)``: X float64 (n, 2), y int (n,) in {0, 1}. Topic: learning XOR, why hidden units (notes 002).
    """
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    if n is None:
        return corners, np.array([0, 1, 1, 0])
    rng = np.random.default_rng(seed)
    X = corners[rng.integers(0, 4, size=n)]
    y = (X[:, 0] != X[:, 1]).astype(int)
    return X + noise * rng.standard_normal(X.shape), y


def two_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles, a standard non-linear binary problem.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half circle shifted by (1, -0.5);
    Gaussian noise of std ``noise`` is added. Returns ``(X float64 (n, 2), y int (n,) in {0, 1})``.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0.0, np.pi, size=n)
    X = np.column_stack([np.cos(angle), np.sin(angle)])
    X[y == 1] = np.column_stack([1.0 - np.cos(angle[y == 1]), 0.5 - np.sin(angle[y == 1])])
    return X + noise * rng.standard_normal(X.shape), y


def spirals(n_per_class=100, classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms, one per class: a problem no linear classifier solves.

    Arm c is r (sin t, cos t) with r from 0 to 1 and t = 4 r + 2 pi c / classes + noise * N(0, 1).
    Returns ``(X float64 (classes * n_per_class, 2), y int in 0 .. classes-1)``.
    """
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), classes)
    y = np.repeat(np.arange(classes), n_per_class)
    t = 4.0 * r + 2.0 * np.pi * y / classes + noise * rng.standard_normal(len(r))
    return np.column_stack([r * np.sin(t), r * np.cos(t)]), y


def spiral_arms(n, seed=0, world=0, arms=5, turns=2.0, dims=12, noise=0.02, units=2.0, latent=False):
    """Many-armed spirals hidden in a random plane among noise features, measured in mixed units: the capstone's task.

    Each sample picks its class k (0 .. arms-1) uniformly and a radius r in [0.05, 1] uniformly over the disc's
    area, and lies on arm k of a spiral with ``turns`` turns: the angle is t = 2 pi turns r + 2 pi k / arms and
    the point p = r (cos t, sin t) + noise N(0, 1) per coordinate. p / 0.5 (each coordinate of unit spread) is
    completed with dims - 2 features of pure N(0, 1) noise, and the whole vector is turned by a random rotation
    Q of R^dims: Z = [p / 0.5, noise] Q. Every direction of Z has about the same spread, so neither its
    coordinates nor their principal components show which plane holds the spiral: a model must find it from
    the labels, and learn the winding arms inside it, while ignoring dims - 2 directions that carry nothing.

    Each feature is then reported in its own unit, as measurements of different quantities are (grams beside
    kilometres): X_j = s_j (Z_j + m_j), with log10 s_j uniform in [-units, units] and the offset m_j ~ N(0, 3^2).
    Standardizing each feature with the training set's mean and spread gives Z back up to a small error;
    ``units=0`` gives Z itself.

    ``seed`` draws the samples, ``world`` the rotation Q and the units: draws with the same world and different
    seeds are independent samples of one task (train, validation, test); another world is the same task turned
    another way and measured in other units. Class balance is random (multinomial), not exact.

    Returns ``(X, y)``: X float64 (n, dims), y int (n,) in 0 .. arms-1; with ``latent=True`` also the points p
    in their plane, float64 (n, 2), for plots. Topic: why depth, initialization, normalization and
    regularization each matter (the capstone; notes 002, 004).
    """
    if dims < 2:
        raise ValueError("dims must be at least 2 (the plane of the spiral)")
    world_rng = np.random.default_rng([world, 71])
    Q, R = np.linalg.qr(world_rng.standard_normal((dims, dims)))
    Q *= np.sign(np.diag(R))  # the QR of a Gaussian matrix, signs fixed: a uniformly random rotation
    scale = 10.0 ** world_rng.uniform(-units, units, size=dims)
    offset = 3.0 * world_rng.standard_normal(dims)
    rng = np.random.default_rng([seed, 72])
    y = rng.integers(0, arms, size=n)
    r = np.sqrt(rng.uniform(0.05 ** 2, 1.0, size=n))
    t = 2.0 * np.pi * (turns * r + y / arms)
    p = r[:, None] * np.column_stack([np.cos(t), np.sin(t)]) + noise * rng.standard_normal((n, 2))
    Z = np.concatenate([p / 0.5, rng.standard_normal((n, dims - 2))], axis=1) @ Q
    X = scale * (Z + offset) if units else Z
    return (X, y, p) if latent else (X, y)


# ------------------------------------------------------------------------------------------------- digits

class Split(NamedTuple):
    """Train, validation and test arrays; unpack it or read its fields (``data.X_train``)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_digits():
    """The 8x8 handwritten digits, as they ship inside this package (``backprop/datasets/digits.npz``).

    1797 images of 10 classes (about 180 each): the test set of the UCI "Optical Recognition of Handwritten
    Digits" data (CC BY 4.0; source and licence in ``backprop/datasets/README.md``), the same arrays as
    scikit-learn's ``load_digits(return_X_y=True)``.

    Returns ``(X, y)``: X float64 (1797, 64), each row an 8x8 image read row by row, integer pixels 0..16;
    y int64 (1797,) in 0..9.
    """
    with np.load(_DIGITS) as f:
        return f["pixels"].astype(np.float64), f["labels"].astype(np.int64)


def _approximate_mode(counts, n_draws, rng):
    """How many of ``n_draws`` to take from each class: the floor of each class's share, then one more for the
    classes with the largest remainders, ties broken by ``rng`` (scikit-learn's ``_approximate_mode``)."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add = min(len(inds), need)
            floored[rng.choice(inds, size=add, replace=False)] += 1
            need -= add
            if need == 0:
                break
    return floored.astype(int)


def stratified_split(X, y, test_size=0.2, seed=0):
    """Split ``X, y`` into a training and a test part with each class in the same proportion in both.

    ``test_size`` is a fraction in (0, 1): the test part gets ``ceil(test_size * n)`` samples. The split is fixed
    by ``seed`` and is exactly scikit-learn's ``train_test_split(X, y, test_size=test_size, stratify=y,
    random_state=seed)`` (its ``StratifiedShuffleSplit`` algorithm with a ``np.random.RandomState(seed)``), so
    code written with scikit-learn gets the same arrays without it.

    Returns ``(X_train, X_test, y_train, y_test)``, in scikit-learn's order.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = len(y)
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    n_test = int(np.ceil(test_size * n))
    n_train = n - n_test
    classes, y_indices, counts = np.unique(y, return_inverse=True, return_counts=True)
    if counts.min() < 2 or min(n_train, n_test) < len(classes):
        raise ValueError("every class needs at least 2 samples, and each part at least one sample per class")
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(counts)[:-1])
    rng = np.random.RandomState(seed)
    n_i = _approximate_mode(counts, n_train, rng)
    t_i = _approximate_mode(counts - n_i, n_test, rng)
    train, test = [], []
    for i in range(len(classes)):
        members = class_indices[i].take(rng.permutation(counts[i]), mode="clip")
        train.extend(members[:n_i[i]])
        test.extend(members[n_i[i]:n_i[i] + t_i[i]])
    train, test = rng.permutation(train), rng.permutation(test)
    return X[train], X[test], y[train], y[test]


def digits(test_size=0.2, val_size=0.1, seed=0, standardize=True):
    """The 8x8 handwritten digits (1797 images, 10 classes; ``load_digits``), split and standardized.

    The split is stratified and fixed by ``seed`` (``stratified_split``): a fraction ``test_size`` of all images
    for testing, ``val_size`` for validation (may be 0), the rest for training. With ``standardize=True`` each of
    the 64 pixels is centred and scaled with the *training* mean and standard deviation only (pixels constant over
    the training set are only centred), so no information leaks from the validation and test sets.

    Returns a ``Split``: X float64 (m, 64), y int (m,) in 0..9, for train, validation and test.
    """
    X, y = load_digits()
    X_rest, X_test, y_rest, y_test = stratified_split(X, y, test_size=test_size, seed=seed)
    if val_size:
        X_train, X_val, y_train, y_val = stratified_split(X_rest, y_rest, test_size=val_size / (1 - test_size),
                                                          seed=seed)
    else:
        X_train, X_val, y_train, y_val = X_rest, X_rest[:0], y_rest, y_rest[:0]
    if standardize:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std[std == 0] = 1.0
        X_train, X_val, X_test = ((part - mean) / std for part in (X_train, X_val, X_test))
    return Split(X_train, y_train, X_val, y_val, X_test, y_test)


# --------------------------------------------------------------------------------------------- regression

class Regression(NamedTuple):
    """A 1-D regression set with the true conditional mean and median at each x."""

    X: np.ndarray
    y: np.ndarray
    mean: np.ndarray
    median: np.ndarray


def skewed_regression(n=300, seed=0):
    """1-D regression with right-skewed noise, so that the conditional mean and median differ.

    x ~ Uniform[-3, 3] and y = sin(x) + s(x) (E - 1) with E ~ Exponential(1) and a noise scale
    s(x) = 0.3 + 0.2 |x|. The noise has mean 0 and median ln 2 - 1 < 0, so
        E[y | x] = sin(x),     Median[y | x] = sin(x) + s(x) (ln 2 - 1).
    A network trained with ``losses.squared_error`` approaches the first curve, one trained with
    ``losses.absolute_error`` the second (notes 002: Gaussian -> mean, Laplace -> median).

    Returns a ``Regression``: X float64 (n, 1), y (n, 1), and the true ``mean`` and ``median`` (n, 1) at X.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, size=(n, 1))
    scale = 0.3 + 0.2 * np.abs(x)
    y = np.sin(x) + scale * (rng.exponential(1.0, size=(n, 1)) - 1.0)
    return Regression(x, y, np.sin(x), np.sin(x) + scale * (np.log(2.0) - 1.0))
