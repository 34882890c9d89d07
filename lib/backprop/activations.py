"""Activation functions g(z) and their elementwise derivatives g'(z), plus maxout, softmax and log-sum-exp.

Lecture topics: activations and their derivatives (notes 000, 004: step, identity, sigmoid, tanh, ReLU,
softplus), hidden units (notes 002: leaky ReLU, absolute-value rectification, maxout), softmax output units
and the log-sum-exp trick (notes 002).

Conventions:
- every ``name(z)`` works elementwise on an array of any shape and returns the same shape;
- ``name_grad(z)`` is the derivative g'(z), elementwise, evaluated at the *input* z. In a backward pass the
  downstream gradient is ``dz = dout * name_grad(z)`` (a Jacobian that is diagonal, so no matrix product);
- at a kink the derivative takes the lecture's convention step(0) = 1 (any value between the one-sided
  slopes is a valid subgradient; gradient checks keep inputs away from kinks);
- ``softmax`` and ``log_sum_exp`` work on rows: z has shape (n, C), one row of C scores per sample.
"""

import numpy as np


def step(z):
    """Heaviside step: 1 where z >= 0, else 0.

    Formula: step(z) = 1 if z >= 0 else 0. Shape: any -> same, in z's float type (float64 for integers).
    Topic: the perceptron's threshold unit (notes 000, 004).
    """
    z = np.asarray(z)
    return (z >= 0).astype(z.dtype if z.dtype.kind == "f" else np.float64)


def step_grad(z):
    """Derivative of the step: 0 everywhere (undefined at 0), which is why gradient descent cannot train it.

    Formula: step'(z) = 0. Shape: any -> same. Topic: activation derivatives (notes 004).
    """
    return np.zeros(np.shape(z))


def identity(z):
    """Identity (linear) activation, the output unit of a regression network. Formula: g(z) = z.

    Shape: any -> same. Topic: linear output units (notes 002, 004).
    """
    return np.asarray(z)


def identity_grad(z):
    """Derivative of the identity: 1 everywhere. Formula: g'(z) = 1. Shape: any -> same (notes 004)."""
    return np.ones(np.shape(z))


def sigmoid(z):
    """Logistic sigmoid, computed without overflow for any z.

    Formula: sigma(z) = 1 / (1 + e^{-z}). For z < 0 the equal form e^{z} / (1 + e^{z}) is used, so that the
    exponential is always of a non-positive number: e^{-|z|} is in (0, 1] and never overflows.

    Parameters
    ----------
    z : ndarray, any shape

    Returns
    -------
    ndarray, same shape, values in [0, 1].

    Topic: sigmoid units, logistic regression (notes 000, 001, 004).
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of the sigmoid. Formula: sigma'(z) = sigma(z) (1 - sigma(z)), at most 1/4 (at z = 0).

    Shape: any -> same. The small maximum is one cause of vanishing gradients in deep sigmoid networks
    (notes 004).
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent. Formula: tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z}) = 2 sigma(2z) - 1, in (-1, 1).

    Shape: any -> same. Topic: tanh units (notes 000, 004).
    """
    return np.tanh(z)


def tanh_grad(z):
    """Derivative of tanh. Formula: tanh'(z) = 1 - tanh(z)^2, at most 1 (at z = 0). Shape: any -> same (notes 004)."""
    return 1.0 - np.tanh(z) ** 2


def relu(z):
    """Rectified linear unit. Formula: ReLU(z) = max(0, z). Shape: any -> same. Topic: hidden units (notes 002, 004)."""
    return np.maximum(z, 0.0)


def relu_grad(z):
    """Derivative of ReLU. Formula: ReLU'(z) = step(z): 1 for z >= 0, 0 for z < 0. Shape: any -> same (notes 004)."""
    return step(z)


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU: a small slope alpha for negative inputs, so a unit never stops learning entirely.

    Formula: g(z) = max(0, z) + alpha min(0, z). Shape: any -> same. Topic: generalizations of ReLU (notes 002).
    """
    z = np.asarray(z)
    return np.where(z >= 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.01):
    """Derivative of leaky ReLU. Formula: g'(z) = 1 for z >= 0, alpha for z < 0. Shape: any -> same (notes 002)."""
    return np.where(np.asarray(z) >= 0, 1.0, alpha)


def abs_relu(z):
    """Absolute-value rectification: leaky ReLU with alpha = -1. Formula: g(z) = |z|. Shape: any -> same (notes 002)."""
    return np.abs(z)


def abs_relu_grad(z):
    """Derivative of |z|. Formula: g'(z) = sign(z), taken as +1 at z = 0 (the step convention). Shape: any -> same."""
    return np.where(np.asarray(z) >= 0, 1.0, -1.0)


def softplus(z):
    """Softplus, a smooth ReLU, computed without overflow for any z.

    Formula: zeta(z) = log(1 + e^z) = max(0, z) + log(1 + e^{-|z|}); ``np.logaddexp(0, z)`` evaluates
    exactly this stable form. zeta(z) ~ z for large z and ~ e^z (tiny, positive) for very negative z.

    Shape: any -> same. Topic: softplus units (notes 000) and the Bernoulli negative log-likelihood, which is a
    softplus (notes 002).
    """
    return np.logaddexp(0.0, z)


def softplus_grad(z):
    """Derivative of softplus: the sigmoid. Formula: zeta'(z) = sigma(z). Shape: any -> same (notes 000)."""
    return sigmoid(z)


def maxout_forward(z, k):
    """Maxout: the maximum over consecutive groups of k pre-activations.

    Formula: g(z)_i = max over j in G(i) of z_j, with the groups G(i) = {(i-1)k + 1, ..., ik} (1-based), so
    unit i looks at columns i*k to i*k + k - 1 (0-based). With k = 2 and a second piece fixed at 0 this is a
    ReLU; with learned pieces it learns a convex piecewise-linear activation (notes 002).

    Parameters
    ----------
    z : ndarray (n, m * k)
        Pre-activations, m groups of k per sample.
    k : int
        Pieces per group.

    Returns
    -------
    out : ndarray (n, m)
    cache : tuple
        The winning position in each group and the input shape, for ``maxout_backward``.
    """
    z = np.asarray(z)
    n, d = z.shape
    if d % k:
        raise ValueError(f"maxout needs a width divisible by k: {d} columns, k = {k}")
    groups = z.reshape(n, d // k, k)
    winner = groups.argmax(axis=2)[..., None]
    return np.take_along_axis(groups, winner, axis=2)[..., 0], (winner, z.shape)


def maxout_backward(dout, cache):
    """Backward pass of maxout: each group's gradient goes to its winning entry, the others get 0.

    Formula: dL/dz_j = dL/dg_i if j is the argmax of group G(i), else 0.

    Parameters
    ----------
    dout : ndarray (n, m), upstream gradient dL/dg
    cache : from ``maxout_forward``

    Returns
    -------
    dz : ndarray (n, m * k)

    Topic: maxout units (notes 002); like ReLU, only the active piece learns from a sample.
    """
    winner, shape = cache
    dz = np.zeros(winner.shape[:2] + (shape[1] // winner.shape[1],))
    np.put_along_axis(dz, winner, np.asarray(dout)[..., None], axis=2)
    return dz.reshape(shape)


def log_sum_exp(z):
    """Row-wise log of the sum of exponentials, without overflow.

    Formula: LSE(z) = log sum_j e^{z_j} = m + log sum_j e^{z_j - m} with m = max_j z_j; every exponent is
    then <= 0, and the largest term is e^0 = 1, so the sum never overflows nor underflows to 0.
    Its gradient is the softmax: d LSE / d z_j = softmax(z)_j.

    Parameters
    ----------
    z : ndarray (n, C)

    Returns
    -------
    ndarray (n,)

    Topic: the Multinoulli negative log-likelihood, -log softmax(z)_y = LSE(z) - z_y (notes 002).
    """
    z = np.asarray(z)
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


def softmax(z):
    """Row-wise softmax, without overflow.

    Formula: softmax(z)_i = e^{z_i} / sum_j e^{z_j} = e^{z_i - m} / sum_j e^{z_j - m} for any constant m;
    m = max_j z_j keeps every exponent <= 0. Each row is a probability vector (a softened one-hot argmax).

    Parameters
    ----------
    z : ndarray (n, C)

    Returns
    -------
    ndarray (n, C), rows summing to 1, unchanged when a constant is added to a row.

    Topic: softmax output units (notes 002, 004). Its Jacobian-vector product is ``layers.softmax_backward``.
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
