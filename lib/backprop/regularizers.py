"""Regularizers and normalizers: dropout, Gaussian input noise, batch and layer normalization, early stopping.

Lecture topics: overfitting and its remedies (notes 000, 004): early stopping, input perturbation, dropout,
batch normalization (forward, scale and shift, backward), layer normalization. Weight decay lives in
``optim.l2_penalty`` because it is a change of the gradient step.

Conventions:
- forward functions return ``(out, cache)`` and backward functions take ``(dout, cache)``, as in layers.py;
- ``train=True`` is the training behaviour (random masks, batch statistics), ``train=False`` the behaviour
  at prediction time (deterministic);
- randomness comes from a ``numpy.random.Generator`` passed as ``rng`` (an int seed is turned into one;
  None draws fresh entropy, so results then differ between runs);
- x has shape (n, d), one sample per row; gamma and beta have shape (d,).
"""

import numpy as np


# ------------------------------------------------------------------------------------------------- dropout

def dropout_forward(x, p, train=True, rng=None):
    """Inverted dropout. ``p`` is the probability to DROP a unit (set it to zero), as in the lecture notes.

    Formula (training): mask_ij = [u_ij >= p] / (1 - p) with u_ij ~ Uniform[0, 1), out = x * mask.
    Each unit survives with probability 1 - p, and survivors are scaled up by 1 / (1 - p), so that
    E[out] = x: the expected activation is the same as without dropout. Prediction time then needs no
    change at all (out = x), instead of the lecture's alternative of scaling the weights after training.

    Parameters
    ----------
    x : ndarray, any shape
    p : float in [0, 1), drop probability; p = 0 is the identity
    train : bool, False (prediction) returns x unchanged
    rng : numpy.random.Generator, int seed or None

    Returns
    -------
    out : ndarray, shape of x
    cache : the scaled mask (same shape as x), or None when nothing was dropped
    """
    if not 0 <= p < 1:
        raise ValueError(f"the drop probability p must be in [0, 1), got {p}")
    if not train or p == 0:
        return x, None
    mask = (np.random.default_rng(rng).random(np.shape(x)) >= p) / (1.0 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    """Backward pass of dropout: the gradient flows only through the kept units, with the same scale.

    Formula: dL/dx = dL/dout * mask (the identity when the forward pass dropped nothing).
    """
    return dout if cache is None else dout * cache


# ------------------------------------------------------------------------------------------ input noise

def gaussian_noise_forward(x, sigma, train=True, rng=None):
    """Input perturbation: add zero-mean Gaussian noise during training only.

    Formula: out = x + sigma * eps with eps_ij ~ N(0, 1) when training; out = x at prediction time.
    The noise is symmetric and has mean 0, so it does not bias the data; a network that sees slightly
    different inputs at each epoch cannot memorize them exactly. Its backward pass is the identity,
    dL/dx = dL/dout, since the noise does not depend on x.

    Returns ``(out, None)``: there is nothing to cache.
    """
    if not train or sigma == 0:
        return x, None
    return x + sigma * np.random.default_rng(rng).standard_normal(np.shape(x)), None


# ------------------------------------------------------------------------------ batch and layer normalization

def _standardize(x, mean, var, eps):
    """xhat = (x - mean) / sqrt(var + eps). Returns (xhat, 1 / sqrt(var + eps))."""
    inv_std = 1.0 / np.sqrt(var + eps)
    return (x - mean) * inv_std, inv_std


def _normalize_backward(dxhat, xhat, inv_std, axis):
    """dL/dx for xhat = (x - mean) / sqrt(var + eps), the mean and variance taken over ``axis``.

    x reaches xhat along three paths, and the gradient is their sum (K = number of values averaged):
        direct:         dxhat * inv_std
        via the mean:   - mean(dxhat) * inv_std                 (each x_k moves the mean by 1/K)
        via the var:    - xhat * mean(dxhat * xhat) * inv_std   (each x_k moves the variance by 2 (x_k - mean) / K)
    """
    return inv_std * (dxhat - dxhat.mean(axis=axis, keepdims=True)
                      - xhat * (dxhat * xhat).mean(axis=axis, keepdims=True))


def batchnorm_running(d):
    """The running averages of a batch-norm layer before its first training batch: mean 0 and variance 1 for
    each of the ``d`` features, as the dict ``batchnorm_forward`` reads and updates."""
    return {"running_mean": np.zeros(d), "running_var": np.ones(d)}


def batchnorm_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    """Batch normalization of each feature over the mini-batch, then a learned scale and shift.

    Formula (training), per feature j over the n samples of the batch:
        mu_j = 1/n sum_i x_ij,   var_j = 1/n sum_i (x_ij - mu_j)^2,
        xhat_ij = (x_ij - mu_j) / sqrt(var_j + eps),   out_ij = gamma_j xhat_ij + beta_j,
    and the running averages are updated in place:
        running_mean <- momentum * running_mean + (1 - momentum) * mu   (the same for the variance).
    At prediction time (train=False) the running averages replace mu and var, so a prediction does not
    depend on the other samples in its batch. The notes divide by (sigma + eps); sqrt(var + eps) is the
    usual form and differs only by the placement of the small constant.

    Parameters
    ----------
    x : ndarray (n, d), pre-activations of a layer
    gamma, beta : ndarray (d,), scale and shift (they let the network choose each feature's mean and spread)
    running : dict with "running_mean" and "running_var", each (d,); updated in place when training
    train : bool
    momentum : float, weight of the old running average
    eps : float, keeps the division finite for a constant feature

    Returns
    -------
    out : ndarray (n, d)
    cache : tuple for ``batchnorm_backward``

    Topic: batch normalization (notes 004, section 6.8.3).
    """
    if train:
        mu, var = x.mean(axis=0), x.var(axis=0)
        running["running_mean"] = momentum * running["running_mean"] + (1 - momentum) * mu
        running["running_var"] = momentum * running["running_var"] + (1 - momentum) * var
    else:
        mu, var = running["running_mean"], running["running_var"]
    xhat, inv_std = _standardize(x, mu, var, eps)
    return gamma * xhat + beta, (xhat, inv_std, gamma, train)


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization, including the paths through the batch mean and variance.

    Formula, with dxhat = dout * gamma (broadcast over rows) and means over the batch axis:
        dL/dbeta  = sum_i dout_i,     dL/dgamma = sum_i dout_i * xhat_i,
        dL/dx     = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))      (training)
        dL/dx     = dxhat * inv_std                                                  (prediction)
    In training every sample influences the mean and variance used for all others, which adds the two
    subtracted terms; they make dL/dx sum to zero over the batch for each feature.

    Parameters
    ----------
    dout : ndarray (n, d)
    cache : from ``batchnorm_forward``

    Returns
    -------
    dx : ndarray (n, d),  dgamma : ndarray (d,),  dbeta : ndarray (d,)
    """
    xhat, inv_std, gamma, train = cache
    dxhat = dout * gamma
    dx = _normalize_backward(dxhat, xhat, inv_std, 0) if train else dxhat * inv_std
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Layer normalization: standardize each sample over its own d features, then scale and shift.

    Formula, per sample i over the d features:
        mu_i = 1/d sum_j x_ij,   var_i = 1/d sum_j (x_ij - mu_i)^2,
        out_ij = gamma_j (x_ij - mu_i) / sqrt(var_i + eps) + beta_j.
    No statistic is shared between samples, so training and prediction compute the same thing, and a batch
    of one sample works.

    Parameters
    ----------
    x : ndarray (n, d);  gamma, beta : ndarray (d,);  eps : float

    Returns
    -------
    out : ndarray (n, d);  cache : tuple for ``layernorm_backward``

    Topic: layer normalization (notes 004, section 6.8.3).
    """
    xhat, inv_std = _standardize(x, x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True), eps)
    return gamma * xhat + beta, (xhat, inv_std, gamma)


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization: the batch-norm formula with means over features, not samples.

    Formula, with dxhat = dout * gamma and means over each row:
        dL/dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
        dL/dgamma = sum_i dout_i * xhat_i,   dL/dbeta = sum_i dout_i.

    Returns ``(dx (n, d), dgamma (d,), dbeta (d,))``.
    """
    xhat, inv_std, gamma = cache
    dx = _normalize_backward(dout * gamma, xhat, inv_std, 1)
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


# ---------------------------------------------------------------------------------------- early stopping

class EarlyStopping:
    """Stop training when the validation loss stops improving, and go back to the best weights seen.

    Call ``step(val_loss, model)`` once per epoch: it keeps a copy of the model's parameters (and buffers,
    such as batch-norm running averages) whenever the validation loss improves by more than ``min_delta``,
    and returns True once ``patience`` epochs in a row brought no improvement. ``restore(model)`` then
    copies the best values back into the model's arrays. The validation set thus picks the number of
    epochs: a hyper-parameter chosen on data the weights were not fitted to.

    Attributes: ``best_loss``, ``best_epoch`` (1-based, None before the first step), ``wait``.
    Use one instance per training run.
    """

    def __init__(self, patience=5, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.wait, self.epoch = np.inf, None, 0, 0
        self._best = None

    def step(self, val_loss, model):
        """Record one epoch's validation loss; return True when training should stop."""
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.wait = val_loss, self.epoch, 0
            self._best = {group: {name: np.copy(value) for name, value in getattr(model, group).items()}
                          for group in ("params", "buffers")}
        else:
            self.wait += 1
        return self.wait >= self.patience

    def restore(self, model):
        """Copy the best parameters and buffers back into the model (in place). No-op before any step."""
        for group, values in (self._best or {}).items():
            target = getattr(model, group)
            for name, value in values.items():
                target[name][...] = value
