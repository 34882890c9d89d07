"""The gradient-check helpers on functions whose gradients are known in closed form."""

import numpy as np
import pytest

from backprop.gradcheck import numerical_gradient, numerical_gradient_array, rel_error


def test_numerical_gradient_of_a_quadratic_form():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    x = rng.normal(size=4)
    exact = (A + A.T) @ x  # d/dx of x^T A x
    assert rel_error(numerical_gradient(lambda v: v @ A @ v, x.copy()), exact) < 1e-8


def test_numerical_gradient_restores_its_input():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    assert np.array_equal(x, before)


def test_numerical_gradient_array_is_jacobian_transpose_times_dout():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(3, 5))
    x = rng.normal(size=(2, 3))
    dout = rng.normal(size=(2, 5))
    f = lambda v: np.tanh(v @ W)
    exact = (dout * (1 - np.tanh(x @ W) ** 2)) @ W.T
    assert rel_error(numerical_gradient_array(f, x.copy(), dout), exact) < 1e-8


def test_numerical_gradient_catches_a_wrong_derivative():
    x = np.linspace(0.1, 2, 7)
    wrong = np.cos(x) * 1.01  # a 1 % error must be visible
    assert rel_error(numerical_gradient(lambda v: np.sum(np.sin(v)), x), wrong) > 1e-3


def test_rel_error_reads_as_documented():
    a = np.array([1.0, 2.0, 0.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(np.array([1.0]), np.array([1.1])) == pytest.approx(0.1 / 2.1)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0  # the 1e-8 floor avoids 0 / 0
    with pytest.raises(ValueError):
        rel_error(np.zeros(3), np.zeros((3, 1)))
