"""Activations: each derivative against central differences, stability at +-1e4, softmax invariants, maxout."""

import numpy as np
import pytest

from backprop import activations as A
from backprop.gradcheck import numerical_gradient, numerical_gradient_array, rel_error


def off_kinks(rng, shape, gap=0.1):
    """Random values with |z| >= gap, so that +-h never crosses the kink at 0."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(gap, 3.0, size=shape)


SMOOTH = [(A.sigmoid, A.sigmoid_grad), (A.tanh, A.tanh_grad), (A.softplus, A.softplus_grad),
          (A.identity, A.identity_grad)]
KINKED = [(A.relu, A.relu_grad), (A.leaky_relu, A.leaky_relu_grad), (A.abs_relu, A.abs_relu_grad),
          (A.step, A.step_grad)]


@pytest.mark.parametrize("f, grad", SMOOTH, ids=lambda f: getattr(f, "__name__", ""))
def test_smooth_derivatives_match_central_differences(f, grad):
    rng = np.random.default_rng(0)
    z = rng.normal(scale=2.0, size=(6, 5))
    dout = rng.normal(size=z.shape)
    assert rel_error(dout * grad(z), numerical_gradient_array(f, z, dout)) < 1e-7


@pytest.mark.parametrize("f, grad", KINKED, ids=lambda f: getattr(f, "__name__", ""))
def test_kinked_derivatives_match_central_differences_away_from_kinks(f, grad):
    rng = np.random.default_rng(1)
    z = off_kinks(rng, (6, 5))
    dout = rng.normal(size=z.shape)
    assert rel_error(dout * grad(z), numerical_gradient_array(f, z, dout)) < 1e-5


def test_values_of_the_piecewise_functions_and_the_kink_convention():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    assert np.array_equal(A.step(z), [0, 0, 1, 1, 1])
    assert np.array_equal(A.relu(z), [0, 0, 0, 0.5, 2])
    assert np.allclose(A.leaky_relu(z, alpha=0.1), [-0.2, -0.05, 0, 0.5, 2])
    assert np.array_equal(A.abs_relu(z), [2, 0.5, 0, 0.5, 2])
    assert np.array_equal(A.relu_grad(z), [0, 0, 1, 1, 1])  # step(0) = 1, as in the notes
    assert np.array_equal(A.leaky_relu_grad(z, alpha=0.1), [0.1, 0.1, 1, 1, 1])
    assert np.array_equal(A.abs_relu_grad(z), [-1, -1, 1, 1, 1])
    assert np.array_equal(A.step_grad(z), np.zeros(5))


def test_smooth_functions_agree_with_their_textbook_formulas():
    z = np.linspace(-5, 5, 11)
    assert np.allclose(A.sigmoid(z), 1 / (1 + np.exp(-z)))
    assert np.allclose(A.tanh(z), 2 * A.sigmoid(2 * z) - 1)
    assert np.allclose(A.softplus(z), np.log1p(np.exp(z)))
    assert np.allclose(A.sigmoid_grad(0.0), 0.25) and np.allclose(A.tanh_grad(0.0), 1.0)


def test_sigmoid_and_softplus_are_finite_and_correct_at_1e4():
    z = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    s = A.sigmoid(z)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert np.allclose(s[1], np.exp(-50.0), rtol=1e-12, atol=0)  # no cancellation for very negative z
    sp = A.softplus(z)
    assert np.all(np.isfinite(sp)) and sp[0] == 0.0 and sp[-1] == 1e4
    assert np.allclose(sp[1], np.exp(-50.0), rtol=1e-12, atol=0)
    assert np.all(np.isfinite(A.sigmoid_grad(z))) and np.all(np.isfinite(A.softplus_grad(z)))


def test_softmax_rows_sum_to_one_and_ignore_a_constant_shift():
    rng = np.random.default_rng(2)
    z = rng.normal(scale=3.0, size=(7, 4))
    p = A.softmax(z)
    assert np.allclose(p.sum(axis=1), 1.0) and np.all(p > 0)
    shift = rng.normal(scale=100.0, size=(7, 1))
    assert np.allclose(A.softmax(z + shift), p)
    assert np.allclose(p, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))


def test_softmax_and_log_sum_exp_are_finite_and_correct_at_1e4():
    z = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
    p = A.softmax(z)
    assert np.all(np.isfinite(p))
    assert np.allclose(p, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]])
    assert np.allclose(A.log_sum_exp(z), [1e4, 1e4 + np.log(2), -1e4 + np.log(3)], rtol=1e-15)


def test_log_sum_exp_matches_the_naive_formula_and_its_gradient_is_the_softmax():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 6))
    assert np.allclose(A.log_sum_exp(z), np.log(np.exp(z).sum(axis=1)))
    assert rel_error(A.softmax(z), numerical_gradient(lambda v: A.log_sum_exp(v).sum(), z)) < 1e-7


def test_maxout_takes_the_maximum_of_consecutive_groups():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(4, 6))
    out, _ = A.maxout_forward(z, 3)
    expected = [[max(row[0:3]), max(row[3:6])] for row in z]
    assert np.array_equal(out, expected)
    with pytest.raises(ValueError, match="divisible"):
        A.maxout_forward(z, 4)


def test_maxout_with_a_zero_piece_is_a_relu():
    z = np.random.default_rng(5).normal(size=(5, 3))
    paired = np.stack([z, np.zeros_like(z)], axis=2).reshape(5, 6)
    assert np.array_equal(A.maxout_forward(paired, 2)[0], A.relu(z))


def test_maxout_backward_matches_central_differences():
    rng = np.random.default_rng(6)
    z = rng.normal(size=(5, 8))
    dout = rng.normal(size=(5, 4))
    _, cache = A.maxout_forward(z, 2)
    dz = A.maxout_backward(dout, cache)
    assert dz.shape == z.shape
    assert rel_error(dz, numerical_gradient_array(lambda v: A.maxout_forward(v, 2)[0], z, dout)) < 1e-5
    assert np.count_nonzero(dz) == dout.size  # one winner per group
