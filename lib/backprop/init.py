"""Weight initializers: each returns a (d_in, d_out) float64 matrix for a dense layer Z = X @ W + b.

Lecture topics: parameter initialization (notes 003: why not all zeros; notes 000: random N(0, sigma^2)),
vanishing and exploding gradients (notes 004), which a variance-preserving scale avoids at the start.

Conventions: every initializer has the signature ``init(d_in, d_out, rng)`` where ``rng`` is a
``numpy.random.Generator`` (or an int seed, turned into one), so the same seed gives the same network.
Biases are always started at zero (``Dense`` does that); only W is drawn.
"""

import numpy as np


def zeros(d_in, d_out, rng=None):
    """All-zero weights: W = 0. Shape (d_in, d_out).

    Shown to fail on purpose: every hidden unit then computes the same function and receives the same
    gradient, so the units stay identical forever (the symmetry is never broken). ``rng`` is unused; it is
    accepted so that every initializer has the same signature. Topic: initialization (notes 003, 004).
    """
    return np.zeros((d_in, d_out))


def small_normal(d_in, d_out, rng, std=0.01):
    """Small Gaussian weights: W_ij ~ N(0, std^2), independent. Shape (d_in, d_out).

    Breaks the symmetry, but a fixed std ignores the layer width: in a deep net the activations (and the
    gradients) shrink layer after layer when std is too small, and grow when it is too large.
    Topic: random initialization, W ~ N(0, sigma^2) (notes 000).
    """
    return np.random.default_rng(rng).normal(0.0, std, size=(d_in, d_out))


def xavier(d_in, d_out, rng):
    """Xavier / Glorot initialization: W_ij ~ N(0, 2 / (d_in + d_out)). Shape (d_in, d_out).

    Keeps the variance of the activations (forward) and of the gradients (backward) roughly constant across
    layers for units that behave like the identity around 0 (f(0) = 0, f'(0) = 1): tanh and the identity.
    Forward, Var(z) = d_in Var(W) Var(a) asks for Var(W) = 1 / d_in; backward, 1 / d_out; this is the
    compromise. It does not suit the sigmoid: sigma'(0) = 1/4 shrinks the signal about four-fold per layer
    and sigma(0) = 1/2 leaves the outputs uncentred. Topic: vanishing and exploding gradients (notes 004).
    """
    return np.random.default_rng(rng).normal(0.0, np.sqrt(2.0 / (d_in + d_out)), size=(d_in, d_out))


def he(d_in, d_out, rng):
    """He (Kaiming) initialization: W_ij ~ N(0, 2 / d_in). Shape (d_in, d_out).

    ReLU zeroes half of its inputs on average, halving the variance; the factor 2 restores it, so the
    activations of a deep ReLU network neither vanish nor explode at the start. Topic: vanishing and
    exploding gradients (notes 004).
    """
    return np.random.default_rng(rng).normal(0.0, np.sqrt(2.0 / d_in), size=(d_in, d_out))
