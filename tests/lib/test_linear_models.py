"""The perceptron, the batch perceptron and ADALINE against the facts the lecture states about them."""

import numpy as np
import pytest

from backprop import data
from backprop import linear_models as lm
from backprop.gradcheck import numerical_gradient, rel_error


@pytest.mark.parametrize("seed", range(5))
def test_perceptron_converges_within_its_mistake_bound(seed):
    X, y = data.will_i_pass(80, separable=True, seed=seed)
    w, mistakes = lm.train_perceptron(X, y, max_epochs=10_000)
    assert mistakes[-1] == 0
    assert np.all(lm.perceptron_predict(w, X) == y)
    w_star = np.array([1.0, 1.0, -11.0]) / np.linalg.norm([1.0, 1.0, -11.0])  # separates by construction
    X_aug = lm.add_bias(X)
    R, gamma = np.linalg.norm(X_aug, axis=1).max(), (y * (X_aug @ w_star)).min()
    assert gamma > 0
    assert sum(mistakes) <= (R / gamma) ** 2


def test_perceptron_cycles_on_non_separable_data():
    X, y = data.will_i_pass(80, separable=False, seed=0)
    _, mistakes = lm.train_perceptron(X, y, max_epochs=50)
    assert len(mistakes) == 50 and min(mistakes) > 0


def test_perceptron_update_moves_only_on_mistakes():
    w = np.array([1.0, 1.0, -3.0])
    assert np.array_equal(lm.perceptron_update(w, np.array([4.0, 4.0]), 1), w)
    assert np.array_equal(lm.perceptron_update(w, np.array([4.0, 4.0]), -1), w - [4.0, 4.0, 1.0])
    assert np.array_equal(lm.perceptron_update(w, np.array([1.0, 2.0]), -1), w - [1.0, 2.0, 1.0])  # boundary


def test_batch_perceptron_stops_when_the_update_vanishes():
    X, y = data.will_i_pass(60, separable=True, seed=3)
    w, norms = lm.train_batch_perceptron(X, y, lr=1.0, eps=1e-3, max_epochs=20_000)
    assert norms[-1] < 1e-3
    assert np.all(lm.perceptron_predict(w, X) == y)


@pytest.mark.parametrize("separable", [True, False])
def test_batch_adaline_matches_lstsq(separable):
    X, y = data.will_i_pass(50, separable=separable, seed=4)
    d = y.astype(float)
    w = np.zeros(3)
    for _ in range(40_000):
        w = lm.adaline_batch_step(w, X, d, lr=0.015)
    best = np.linalg.lstsq(lm.add_bias(X), d, rcond=None)[0]
    assert np.max(np.abs(w - best)) < 1e-6


def test_one_lms_step_is_minus_lr_times_the_sample_gradient():
    rng = np.random.default_rng(5)
    w, x, d, lr = rng.normal(size=4), rng.normal(size=3), -1.0, 0.07
    err = lambda v: 0.5 * (d - lm.add_bias(x) @ v) ** 2
    expected = w - lr * numerical_gradient(err, w.copy())
    assert rel_error(lm.adaline_update(w, x, d, lr), expected) < 1e-7


def test_batch_step_is_minus_lr_times_the_mse_gradient():
    rng = np.random.default_rng(6)
    X, d, w = rng.normal(size=(9, 3)), rng.choice([-1.0, 1.0], size=9), rng.normal(size=4)
    expected = w - 0.1 * numerical_gradient(lambda v: lm.adaline_loss(v, X, d), w.copy())
    assert rel_error(lm.adaline_batch_step(w, X, d, 0.1), expected) < 1e-7


def test_estimators_fit_and_predict():
    X, y = data.will_i_pass(60, separable=True, seed=7)
    for model in [lm.Perceptron(), lm.Perceptron(batch=True, max_epochs=5000)]:
        assert np.all(model.fit(X, y).predict(X) == y)
        assert len(model.history_) == len(model.mistakes_)
    ada = lm.Adaline(lr=0.003, max_epochs=30).fit(X, y)
    assert ada.losses_[-1] < ada.losses_[0]
    assert (ada.predict(X) == y).mean() > 0.9


def test_data_variants():
    X, y = data.will_i_pass(200, separable=True, seed=0)
    assert X.shape == (200, 2) and set(np.unique(y)) == {-1, 1}
    assert np.abs(X.sum(axis=1) - 11).min() >= 1  # the margin that makes it separable
    X2, y2 = data.will_i_pass(200, separable=True, seed=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)  # seeded
    Xn, yn = data.will_i_pass(200, separable=False, seed=0)
    assert np.any(yn != np.where(Xn.sum(axis=1) > 11, 1, -1))
