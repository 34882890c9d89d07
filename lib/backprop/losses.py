"""Loss functions: each returns ``(value, grad)``, the mean loss over the batch and its gradient w.r.t. the input.

Lecture topics: cost functions from maximum likelihood (notes 002), loss derivatives (notes 004), the empirical
loss and binary cross-entropy (notes 000), delta^[L] = a - y for sigmoid + cross-entropy (notes 003).

Conventions shared by every function here:
- the first axis is the batch: n = len(input); the value is the *mean over the batch* of the per-sample loss
  (summed over output columns when there are several), so the gradient carries a factor 1/n;
- ``grad`` has the shape of the first argument: it is dL/d(pred), dL/dp, dL/dz or dL/dscores, the ``dout``
  that starts the backward pass;
- prediction and target must have the same shape: (n,) against (n,) or (n, k) against (n, k). A (n, 1)
  prediction against a (n,) target would broadcast to (n, n), so it is refused with a ValueError.

Each loss is the negative log-likelihood of a conditional distribution p(y | x) whose parameter is the network
output; minimizing it over a data set is maximum likelihood, and tells what the output learns to predict.
"""

import numpy as np

from backprop.activations import sigmoid, softplus


def _same_shape(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"prediction shape {a.shape} differs from target shape {b.shape}")
    return a, b


def squared_error(pred, y):
    """Half mean squared error, the loss of linear output units (and of ADALINE).

    Formula: L = 1/(2n) sum_i ||pred_i - y_i||^2,   dL/dpred = (pred - y) / n.
    The factor 1/2 cancels the 2 of the derivative; this is ``adaline_loss``'s E(w) (linear_models.py).

    Maximum likelihood: a Gaussian p(y | x) = N(y; pred, I) has -log p = 1/2 ||y - pred||^2 + const, so
    minimizing this loss makes a network of enough capacity predict the conditional mean E[y | x].

    Parameters
    ----------
    pred, y : ndarray (n,) or (n, k), same shape

    Returns
    -------
    value : float
    grad : ndarray, shape of pred

    Topic: the square loss and its derivative (notes 000, 004), learning conditional statistics (notes 002).
    """
    pred, y = _same_shape(pred, y)
    diff = pred - y
    n = len(diff)
    return 0.5 * float(np.sum(diff * diff)) / n, diff / n


def absolute_error(pred, y):
    """Mean absolute error.

    Formula: L = 1/n sum_i ||pred_i - y_i||_1,   dL/dpred = sign(pred - y) / n (taken as +1/n at 0).

    Maximum likelihood: a Laplace p(y | x) = exp(-|y - pred| / b) / (2b) has -log p = |y - pred| / b + const,
    so minimizing this loss makes the network predict the conditional median of y given x: the value with
    half of the probability on each side. It differs from the mean when the noise is skewed
    (``data.skewed_regression``), and it is less pulled by outliers.

    Parameters
    ----------
    pred, y : ndarray (n,) or (n, k), same shape

    Returns
    -------
    value : float
    grad : ndarray, shape of pred

    Topic: the absolute (linear) loss and its derivative (notes 004), learning conditional statistics (notes 002).
    """
    pred, y = _same_shape(pred, y)
    diff = pred - y
    n = len(diff)
    return float(np.sum(np.abs(diff))) / n, np.where(diff >= 0, 1.0, -1.0) / n


def bce_from_probs(p, y):
    """Binary cross-entropy from probabilities p in (0, 1), e.g. the output of a sigmoid unit.

    Formula: L = -1/n sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)],
             dL/dp = -(y / p - (1 - y) / (1 - p)) / n.

    Maximum likelihood: a Bernoulli p(y | x) = p^y (1 - p)^(1 - y), y in {0, 1}; -log of it is this loss.
    Taken apart from the sigmoid, this form is fragile: p of exactly 0 or 1 gives an infinite loss, and
    chaining dL/dp with sigma'(z) = p (1 - p) multiplies a huge and a tiny number. Their product simplifies to
    (p - y) / n, which ``bce_from_logits`` computes directly and stably; prefer it for training.

    Parameters
    ----------
    p : ndarray (n,) or (n, k), probabilities strictly between 0 and 1
    y : ndarray, same shape, labels 0 or 1

    Returns
    -------
    value : float
    grad : ndarray, shape of p

    Topic: binary cross-entropy (notes 000), the NLL loss and its derivative (notes 004).
    """
    p, y = _same_shape(p, y)
    n = len(p)
    value = -float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))) / n
    return value, -(y / p - (1 - y) / (1 - p)) / n


def bce_from_logits(z, y):
    """Binary cross-entropy of a sigmoid unit, from its pre-activation (logit) z, stable for any z.

    Formula: with p = sigma(z) and y in {0, 1},
        -log p(y | x) = -log sigma((2y - 1) z) = zeta((1 - 2y) z)      (zeta = softplus),
        L = 1/n sum_i zeta((1 - 2 y_i) z_i),   dL/dz = (sigma(z) - y) / n.
    A confidently right sample has (1 - 2y) z very negative: zeta is ~0 there and so is its gradient; a
    confidently wrong one has (1 - 2y) z large, where zeta is ~linear and the gradient does not saturate.

    Maximum likelihood: Bernoulli output distribution, the parameter p = sigma(z) (notes 002); the
    gradient (p - y) is the delta^[L] = a - y of the output layer (notes 003).

    Parameters
    ----------
    z : ndarray (n,) or (n, k), logits
    y : ndarray, same shape, labels 0 or 1

    Returns
    -------
    value : float
    grad : ndarray, shape of z
    """
    z, y = _same_shape(z, y)
    n = len(z)
    return float(np.sum(softplus((1 - 2 * y) * z))) / n, (sigmoid(z) - y) / n


def softmax_cross_entropy(scores, y):
    """Softmax followed by the negative log-likelihood of the true class, stable for any scores.

    Formula: with LSE the row-wise log-sum-exp and p = softmax(scores),
        -log p_{i, y_i} = LSE(scores_i) - scores_{i, y_i},
        L = 1/n sum_i [LSE(scores_i) - scores_{i, y_i}],   dL/dscores = (p - onehot(y)) / n.
    The log undoes the exponential of the softmax, so the loss grows linearly (not exponentially) with a
    wrong score, and the gradient never saturates while the prediction is wrong.

    Maximum likelihood: a Multinoulli (categorical) p(y | x) with parameters softmax(scores); with enough
    capacity the outputs approach the relative frequencies of the classes given x (notes 002).

    Parameters
    ----------
    scores : ndarray (n, C), unnormalized log-probabilities (logits)
    y : ndarray (n,), integer class labels in 0 .. C-1

    Returns
    -------
    value : float
    grad : ndarray (n, C)
    """
    scores, y = np.asarray(scores), np.asarray(y)
    n = len(scores)
    if y.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one integer class per row of scores; got {y.shape}")
    # One set of shifted exponentials gives both LSE (its log-sum, plus the max that cancels in the loss)
    # and the softmax (the normalized exponentials): the log-sum-exp trick of activations.log_sum_exp.
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    value = float(np.log(total).sum() - shifted[rows, y].sum()) / n  # the max cancels in the difference
    grad = np.divide(exp, n * total, out=exp)  # p / n, written over the exponentials
    np.subtract.at(grad, (rows, y), 1.0 / n)  # (p - onehot(y)) / n
    return value, grad
