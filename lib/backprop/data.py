"""Datasets of the course, generated from a seed or loaded from a package (nothing is downloaded).

Lecture topics: the "Will I pass this class?" example (notes 000).
"""

import numpy as np


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
