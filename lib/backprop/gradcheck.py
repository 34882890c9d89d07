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


def check_model_gradients(model, loss_fn, X, y, h=1e-5):
    """Gradient check of a whole network, one parameter array at a time.

    Runs one forward and backward pass to get the analytic gradients (``model.grads``), then for every
    parameter name compares them with central differences of the scalar loss ``loss_fn(model.forward(X), y)``,
    perturbing the model's own arrays in place (they are restored afterwards, and so are its buffers, such as
    batch-norm running averages, which every training-mode forward pass updates).

    Parameters
    ----------
    model : a ``layers.Sequential`` (or any layer): ``forward(x, train)``, ``backward(dout)``, ``params``,
        ``grads`` and ``buffers``, with float64 parameters. Its training-mode forward pass must be
        deterministic: no dropout or input noise (or with p = 0, sigma = 0) while checking.
    loss_fn : callable (scores, y) -> (value, dscores), e.g. ``losses.softmax_cross_entropy``
    X, y : a small batch (each parameter entry costs two forward passes)
    h : float, the difference step

    Returns
    -------
    dict name -> worst relative error (``rel_error``) over that array, e.g. {"W1": 3e-9, "b1": 1e-10, ...}.
    About 1e-7 or below is a correct backward pass; kinks (ReLU at 0) crossed by +-h can raise a few entries.
    """
    saved = {name: np.copy(value) for name, value in model.buffers.items()}
    _, dscores = loss_fn(model.forward(X, True), y)
    model.backward(dscores)
    analytic = {name: np.copy(grad) for name, grad in model.grads.items()}
    loss_at = lambda _: loss_fn(model.forward(X, True), y)[0]  # reads the perturbed arrays in place
    errors = {name: rel_error(analytic[name], numerical_gradient(loss_at, model.params[name], h))
              for name in model.params}
    for name, value in saved.items():
        model.buffers[name] = value
    return errors
