"""Datasets: shapes, labels, determinism from the seed, the digits split, the skewed regression's truth."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop import data


def test_xor_truth_table_and_noisy_samples():
    X, y = data.xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    X, y = data.xor(n=200, noise=0.05, seed=1)
    assert X.shape == (200, 2) and set(y) == {0, 1}
    assert np.array_equal(y, np.round(X[:, 0]) != np.round(X[:, 1]))


@pytest.mark.parametrize("make, n, classes", [(lambda s: data.two_moons(150, seed=s), 150, 2),
                                              (lambda s: data.spirals(50, classes=3, seed=s), 150, 3),
                                              (lambda s: data.xor(150, seed=s), 150, 2)])
def test_toy_sets_are_balanced_and_reproducible(make, n, classes):
    X, y = make(0)
    assert X.shape == (n, 2) and X.dtype == np.float64 and np.issubdtype(y.dtype, np.integer)
    assert set(y) == set(range(classes)) and min(np.bincount(y)) > 0.3 * n / classes
    assert np.array_equal(make(0)[0], X) and not np.array_equal(make(1)[0], X)


def test_two_moons_lie_on_two_offset_half_circles():
    X, y = data.two_moons(400, noise=0.0, seed=0)
    assert np.allclose(np.linalg.norm(X[y == 0], axis=1), 1.0) and np.all(X[y == 0, 1] >= 0)
    assert np.allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0) and np.all(X[y == 1, 1] <= 0.5)


def test_digits_split_is_stratified_disjoint_standardized_and_fixed():
    d = data.digits(test_size=0.2, val_size=0.1, seed=0)
    assert [len(d.y_train), len(d.y_val), len(d.y_test)] == [1257, 180, 360]
    assert d.X_train.shape[1] == 64 and set(d.y_test) == set(range(10))
    assert np.allclose(d.X_train.mean(axis=0), 0.0)
    std = d.X_train.std(axis=0)
    assert np.allclose(std[std > 0], 1.0)
    assert abs(d.X_test.mean()) < 0.1  # test set scaled with the training statistics only
    rows = {tuple(r) for r in d.X_train}
    assert not rows & {tuple(r) for r in d.X_test} and not rows & {tuple(r) for r in d.X_val}
    assert np.array_equal(data.digits(seed=0).X_test, d.X_test)
    raw = data.digits(val_size=0.0, standardize=False)
    assert len(raw.y_val) == 0 and len(raw.y_train) == 1437 and raw.X_train.max() == 16


def test_digits_ship_inside_the_package_with_their_licence():
    root = Path(data.__file__).parent / "datasets"
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X)) and np.bincount(y).min() >= 170
    assert (root / "digits.npz").stat().st_size < 100_000
    licence = (root / "README.md").read_text()
    assert "CC BY 4.0" in licence and "BSD 3-Clause" in licence and "Alpaydin" in licence


def test_loading_the_digits_imports_no_scikit_learn():
    code = "from backprop import data; data.digits(); import sys; print('sklearn' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_stratified_split_keeps_class_proportions_and_is_fixed_by_the_seed():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.arange(100)[:, None]
    X_tr, X_te, y_tr, y_te = data.stratified_split(X, y, test_size=0.3, seed=4)
    assert len(y_te) == 30 and np.bincount(y_te).tolist() == [15, 9, 6]
    assert sorted(np.concatenate([X_tr, X_te]).ravel().tolist()) == list(range(100))
    assert np.array_equal(y[X_tr.ravel()], y_tr)
    assert np.array_equal(data.stratified_split(X, y, 0.3, seed=4)[1], X_te)
    assert not np.array_equal(data.stratified_split(X, y, 0.3, seed=5)[1], X_te)
    with pytest.raises(ValueError):
        data.stratified_split(X, y, test_size=1.5)


def test_digits_and_their_splits_equal_scikit_learns():
    sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed (the dev install has it): "
                                                    "nothing to compare the shipped digits with")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    ours = data.load_digits()
    assert np.array_equal(ours[0], X) and np.array_equal(ours[1], y), f"digits.npz differs from scikit-learn {sklearn.__version__}'s"
    for test_size, seed in [(0.2, 0), (0.1 / 0.8, 0), (0.25, 3), (0.3, 12345), (0.05, 7)]:
        theirs = train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
        for a, b in zip(data.stratified_split(X, y, test_size=test_size, seed=seed), theirs):
            assert np.array_equal(a, b), (test_size, seed)
    # digits() as it was written with scikit-learn
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.1 / 0.8, stratify=y_rest,
                                                      random_state=0)
    raw = data.digits(standardize=False)
    for a, b in zip(raw, (X_train, y_train, X_val, y_val, X_test, y_test)):
        assert np.array_equal(a, b)


def test_skewed_regression_mean_and_median_are_the_true_ones():
    r = data.skewed_regression(n=40000, seed=0)
    assert r.X.shape == r.y.shape == r.mean.shape == r.median.shape == (40000, 1)
    residual = r.y - r.mean
    assert abs(residual.mean()) < 0.01
    assert abs(np.mean(r.y < r.median) - 0.5) < 0.01
    assert np.all(r.median < r.mean)  # right-skewed noise: the median lies below the mean


def test_spiral_arms_hide_a_spiral_plane_among_noise_directions():
    Z, y, p = data.spiral_arms(3000, seed=1, world=0, units=0, latent=True)
    assert Z.shape == (3000, 12) and Z.dtype == np.float64 and p.shape == (3000, 2)
    assert set(y) == set(range(5)) and min(np.bincount(y)) > 0.15 * 3000
    assert np.allclose(Z.std(axis=0), 1.0, atol=0.1)  # every feature of about the same spread
    singular = np.linalg.svd(Z - Z.mean(axis=0), compute_uv=False)
    assert singular.max() / singular.min() < 1.3  # and every direction: PCA does not reveal the plane
    # the spiral itself: on arm k the angle minus 2 pi turns r is 2 pi k / 5, up to the point noise (arms 1.26 apart)
    r, t = np.hypot(p[:, 0], p[:, 1]), np.arctan2(p[:, 1], p[:, 0])
    phase = np.angle(np.exp(1j * (t - 2 * np.pi * (2.0 * r + y / 5))))
    assert np.mean(np.abs(phase[r > 0.3]) < 0.6) > 0.95
    # Z is [p / 0.5, noise] turned by a rotation: distances are kept, and the plane is recovered by least squares
    coef = np.linalg.lstsq(Z, p / 0.5, rcond=None)[0]
    assert np.allclose(Z @ coef, p / 0.5, atol=1e-8)


def test_spiral_arms_record_each_feature_in_its_own_unit():
    Z, y = data.spiral_arms(3000, seed=1, world=0, units=0)
    X, y_units = data.spiral_arms(3000, seed=1, world=0)
    assert np.array_equal(y_units, y)
    scale = X.std(axis=0) / Z.std(axis=0)
    assert np.allclose(X, scale * Z + (X - scale * Z).mean(axis=0), atol=1e-9)  # X_j = s_j (Z_j + m_j), s_j > 0
    assert scale.max() / scale.min() > 100 and np.all((scale > 1e-2 - 1e-12) & (scale < 1e2 + 1e-9))
    assert np.abs(X.mean(axis=0) / X.std(axis=0)).max() > 1  # not centred: the offsets are of the noise's size
    standardized = (X - X.mean(axis=0)) / X.std(axis=0)  # standardizing gives Z back, up to its sample statistics
    assert np.allclose(standardized, (Z - Z.mean(axis=0)) / Z.std(axis=0), atol=1e-9)
    assert np.allclose(data.spiral_arms(3000, seed=2, world=0)[0].std(axis=0) / X.std(axis=0), 1.0, atol=0.1)


def test_spiral_arms_seed_draws_samples_and_world_turns_the_task():
    X, y = data.spiral_arms(500, seed=1, world=0)
    assert np.array_equal(data.spiral_arms(500, seed=1, world=0)[0], X)
    X_other, y_other = data.spiral_arms(500, seed=2, world=0)
    assert not np.array_equal(X_other, X)
    X_turned, y_turned = data.spiral_arms(500, seed=1, world=5)
    assert np.array_equal(y_turned, y) and not np.allclose(X_turned, X)
    Z, Z_turned = data.spiral_arms(500, seed=1, world=0, units=0)[0], data.spiral_arms(500, seed=1, world=5, units=0)[0]
    assert np.allclose(np.linalg.norm(Z_turned, axis=1), np.linalg.norm(Z, axis=1))  # a rotation of the same draw
    with pytest.raises(ValueError):
        data.spiral_arms(10, dims=1)
