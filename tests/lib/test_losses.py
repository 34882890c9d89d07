"""Losses: values against independent formulas, gradients against central differences, stability,
and the maximum-likelihood readings (mean, median)."""

import numpy as np
import pytest

from backprop import losses as L
from backprop.activations import sigmoid
from backprop.gradcheck import numerical_gradient, rel_error
from backprop.linear_models import adaline_loss, add_bias


def check_grad(loss, pred, y, tol):
    value, grad = loss(pred, y)
    assert grad.shape == pred.shape
    assert rel_error(grad, numerical_gradient(lambda p: loss(p, y)[0], pred)) < tol
    return value


@pytest.mark.parametrize("shape", [(7,), (7, 3)])
def test_squared_error_value_and_gradient(shape):
    rng = np.random.default_rng(0)
    pred, y = rng.normal(size=shape), rng.normal(size=shape)
    value = check_grad(L.squared_error, pred, y, 1e-7)
    assert np.isclose(value, np.sum((pred - y) ** 2) / (2 * shape[0]))


def test_squared_error_is_adalines_E():
    rng = np.random.default_rng(1)
    X, d, w = rng.normal(size=(9, 2)), rng.normal(size=9), rng.normal(size=3)
    assert np.isclose(L.squared_error(add_bias(X) @ w, d)[0], adaline_loss(w, X, d))


@pytest.mark.parametrize("shape", [(7,), (7, 3)])
def test_absolute_error_value_and_gradient_away_from_the_kink(shape):
    rng = np.random.default_rng(2)
    y = rng.normal(size=shape)
    pred = y + rng.choice([-1, 1], size=shape) * rng.uniform(0.1, 1.0, size=shape)
    value = check_grad(L.absolute_error, pred, y, 1e-5)
    assert np.isclose(value, np.abs(pred - y).sum() / shape[0])


def test_bce_from_probs_value_and_gradient():
    rng = np.random.default_rng(3)
    p, y = rng.uniform(0.05, 0.95, size=8), rng.integers(0, 2, size=8).astype(float)
    value = check_grad(L.bce_from_probs, p, y, 1e-7)
    assert np.isclose(value, -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@pytest.mark.parametrize("shape", [(8,), (8, 1)])
def test_bce_from_logits_equals_bce_of_the_sigmoid_and_has_gradient_p_minus_y(shape):
    rng = np.random.default_rng(4)
    z, y = rng.normal(scale=3.0, size=shape), rng.integers(0, 2, size=shape).astype(float)
    value = check_grad(L.bce_from_logits, z, y, 1e-7)
    assert np.isclose(value, L.bce_from_probs(sigmoid(z), y)[0])
    assert np.allclose(L.bce_from_logits(z, y)[1], (sigmoid(z) - y) / shape[0])


def test_bce_from_logits_is_finite_and_correct_at_1e4():
    z = np.array([1e4, -1e4, 1e4, -1e4])
    y = np.array([1.0, 0.0, 0.0, 1.0])  # two confidently right, two confidently wrong
    value, grad = L.bce_from_logits(z, y)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert np.isclose(value, (0 + 0 + 1e4 + 1e4) / 4)
    assert np.allclose(grad, np.array([0, 0, 1, -1]) / 4)  # wrong samples keep a full-size gradient


def test_softmax_cross_entropy_value_and_gradient():
    rng = np.random.default_rng(5)
    scores, y = rng.normal(scale=2.0, size=(6, 4)), rng.integers(0, 4, size=6)
    value = check_grad(L.softmax_cross_entropy, scores, y, 1e-7)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert np.isclose(value, -np.mean(np.log(p[np.arange(6), y])))
    onehot = np.eye(4)[y]
    assert np.allclose(L.softmax_cross_entropy(scores, y)[1], (p - onehot) / 6)


def test_softmax_cross_entropy_starts_near_log_C_for_small_scores():
    scores = np.random.default_rng(6).normal(scale=1e-3, size=(50, 10))
    assert np.isclose(L.softmax_cross_entropy(scores, np.arange(50) % 10)[0], np.log(10), atol=1e-2)


def test_softmax_cross_entropy_is_finite_and_correct_at_1e4():
    scores = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]])
    value, grad = L.softmax_cross_entropy(scores, np.array([0, 1]))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert np.isclose(value, (0.0 + 2e4) / 2)
    assert np.allclose(grad, np.array([[0, 0, 0], [1, -1, 0]]) / 2)


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="shape"):
        L.squared_error(np.zeros((5, 1)), np.zeros(5))
    with pytest.raises(ValueError, match="shape"):
        L.bce_from_logits(np.zeros(5), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="labels"):
        L.softmax_cross_entropy(np.zeros((5, 3)), np.zeros((5, 1), dtype=int))


def test_best_constant_is_the_mean_for_squared_error_and_the_median_for_absolute_error():
    y = np.random.default_rng(7).exponential(size=101)  # skewed: mean and median differ
    ones = np.ones_like(y)
    assert abs(L.squared_error(y.mean() * ones, y)[1].sum()) < 1e-12  # stationary at the mean
    assert abs(L.absolute_error(np.median(y) * ones, y)[1].sum()) <= 1 / 101 + 1e-12  # subgradient 0 inside
    assert L.absolute_error(y.mean() * ones, y)[1].sum() > 0.05  # the mean is not the minimizer
