"""Numerical gradients by central differences, and the relative error used to compare gradients.

Lecture topic: gradient checking (every backward pass in the course is verified this way).

The central difference

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2 h)

has error O(h^2), against O(h) for the one-sided difference, so with h = 1e-5 in float64 a correct
analytic gradient agrees to about 1e-7 relative error or better (away from kinks such as ReLU at 0).
"""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function f at x by central differences.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a scalar. It is called with ``x`` itself,
        perturbed in place one entry at a time (and restored), so f must not keep a reference to it.
    x : ndarray, any shape, float64
    h : float
        Step of the difference.

    Returns
    -------
    grad : ndarray, same shape as x, with ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)``.
    """
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)  # a view: writes go to x
    flat_g = grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + h
        f_plus = float(f(x))
        flat_x[i] = old - h
        f_minus = float(f(x))
        flat_x[i] = old
        flat_g[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Gradient of the scalar sum(f(x) * dout) with respect to x, by central differences.

    This is what a backward pass computes: given the upstream gradient ``dout = dL/df(x)``,
    the downstream gradient is ``dL/dx = J^T dout`` where J is the Jacobian of f. Use a random
    ``dout`` (never all ones, which hides errors that cancel when summed).

    Parameters
    ----------
    f : callable, array shaped like x -> array shaped like dout
    x : ndarray, float64
    dout : ndarray, the upstream gradient, same shape as f(x)

    Returns
    -------
    grad : ndarray, same shape as x
    """
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda z: np.sum(f(z) * dout), x, h)


def rel_error(a, b):
    """Largest relative error between two arrays: max |a - b| / max(1e-8, |a| + |b|), elementwise.

    Reads as: about 1e-7 or less, the two agree to float64 finite-difference accuracy; 1e-2 or more,
    one of them is wrong. Shapes must match exactly (no broadcasting hides a wrong shape).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
