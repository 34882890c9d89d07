"""The training loop: batch, stochastic or mini-batch gradient descent on a ``Sequential`` model.

Lecture topics: the training procedure (notes 000, 004: forward pass, backward pass, update, repeat), batch
gradient descent vs SGD vs mini-batches (notes 003, 004), epochs and shuffling, learning-rate schedules,
validation curves and early stopping, weight decay (notes 004).

One step on a mini-batch (x_B, y_B):
    scores = model.forward(x_B);  L, dscores = loss(scores, y_B);  model.backward(dscores);
    for every parameter w:  w, state_w = optimizer(w, dw, state_w)
and an epoch is one pass over a fresh random permutation of the training set.
"""

import numpy as np
from tqdm.auto import tqdm

from backprop import losses, optim

# Losses whose scores are class predictions, so that accuracy is reported beside them.
_CLASSIFICATION = (losses.softmax_cross_entropy, losses.bce_from_logits)


def accuracy(scores, y):
    """Fraction of correct predictions from a network's output scores: acc = 1/n sum_i [yhat_i = y_i].

    scores (n, C) with integer labels y (n,): yhat = argmax over the classes; scores (n,) or (n, 1) with
    labels 0/1 (same shape): yhat = [logit > 0], i.e. sigma(z) > 1/2. Returns a float in [0, 1].
    """
    if scores.ndim == 2 and scores.shape[1] > 1:
        return np.count_nonzero(scores.argmax(axis=1) == y) / len(y)
    return np.count_nonzero((scores.reshape(y.shape) > 0) == y) / len(y)


def evaluate(model, X, y, loss=losses.softmax_cross_entropy):
    """Loss and accuracy of the model on (X, y) in prediction mode. Returns ``(loss, accuracy or None)``.

    The accuracy is None for a regression loss (``squared_error``, ``absolute_error``).
    """
    scores = model.forward(X, train=False)
    value = loss(scores, y)[0]
    return value, (accuracy(scores, y) if loss in _CLASSIFICATION else None)


def fit(model, X, y, loss=losses.softmax_cross_entropy, optimizer=optim.sgd, config=None, epochs=10,
        batch_size=32, X_val=None, y_val=None, seed=0, weight_decay=0.0, early_stopping=None,
        lr_schedule=None, max_grad_norm=None, progress=True):
    """Train ``model`` by gradient descent on mini-batches; return the per-epoch history.

    Parameters
    ----------
    model : Sequential, or a single layer (``forward``, ``backward``, ``params``, ``grads``)
    X : ndarray (n, d);  y : ndarray (n,) or (n, k), targets in the form ``loss`` expects
    loss : callable (scores, y) -> (value, dscores), from ``backprop.losses``
    optimizer : update rule ``(w, dw, state) -> (w, state)`` from ``backprop.optim``
    config : dict of hyper-parameters for the optimizer, e.g. ``{"lr": 0.1}``; each parameter array gets
        its own copy (its own running averages)
    epochs : int, passes over the training set
    batch_size : int or None. None (or >= n) is batch gradient descent, one step per epoch on all samples;
        1 is stochastic gradient descent, one step per sample; in between, mini-batch gradient descent (the
        last batch of an epoch may be smaller)
    X_val, y_val : optional validation set, evaluated in prediction mode after each epoch
    seed : int, seeds the per-epoch shuffling: the same seed (and model) gives the same run
    weight_decay : float lam, adds the gradient of lam ||W||^2 (``optim.l2_penalty``) to every weight
        matrix (a layer's ``W``: W1, W2, ...), not to biases or normalization parameters
    early_stopping : ``regularizers.EarlyStopping`` or None; needs a validation set. Training stops when it
        says so, and the best weights are restored at the end
    lr_schedule : callable epoch -> learning rate (e.g. ``lambda e: optim.inverse_time_decay(0.1, e, 10)``),
        applied at the start of each epoch (epochs count from 0)
    max_grad_norm : float or None, clip the global gradient norm of each step (``optim.clip_grad_norm``)
    progress : bool, show a progress bar over the epochs

    Returns
    -------
    history : dict of lists, one entry per epoch: ``loss`` and ``acc`` (training, averaged over the
        mini-batches of the epoch as they were seen, so the weights changed along the epoch),
        ``val_loss`` and ``val_acc`` (at the end of the epoch); ``acc`` lists stay empty for a
        regression loss, ``val_*`` without a validation set. ``loss`` is the data loss without the penalty.
    """
    n = len(X)
    batch = n if batch_size is None else min(batch_size, n)
    rng = np.random.default_rng(seed)
    classify = loss in _CLASSIFICATION
    if early_stopping is not None and X_val is None:
        raise ValueError("early stopping needs a validation set (X_val, y_val)")
    # Resolve every parameter once, in the layers' own dicts: (params, grads, key, optimizer state).
    slots = [(layer.params, layer.grads, key, dict(config or {}))
             for layer in getattr(model, "layers", [model]) for key in layer.params]
    decayed = [(params, grads) for params, grads, key, _ in slots if key == "W"] if weight_decay else []
    # One buffer for the mini-batch, refilled by an index gather (no other copy of X per step).
    x_buf = np.empty((batch,) + X.shape[1:], dtype=X.dtype)
    y_buf = np.empty((batch,) + y.shape[1:], dtype=y.dtype)
    history = {"loss": [], "acc": [], "val_loss": [], "val_acc": []}

    bar = tqdm(range(epochs), disable=not progress, desc="epochs", leave=False)
    for epoch in bar:
        if lr_schedule is not None:
            for *_, state in slots:
                state["lr"] = lr_schedule(epoch)
        order = rng.permutation(n)
        total, seen = 0.0, []
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            m = len(idx)
            xb = X.take(idx, axis=0, out=x_buf[:m], mode="clip")
            yb = y.take(idx, axis=0, out=y_buf[:m], mode="clip")
            scores = model.forward(xb, True)
            value, dscores = loss(scores, yb)
            model.backward(dscores, input_grad=False)
            for params, grads in decayed:
                grads["W"] = grads["W"] + optim.l2_penalty(params["W"], weight_decay)[1]
            if max_grad_norm is not None:
                optim.clip_grad_norm(model.grads, max_grad_norm)
            for params, grads, key, state in slots:
                params[key], _ = optimizer(params[key], grads[key], state)
            total += value * m
            if classify:
                seen.append(scores)
        history["loss"].append(total / n)
        if classify:  # the predictions as each batch was seen, counted once per epoch (fewer small steps)
            history["acc"].append(accuracy(np.concatenate(seen), y[order]))
        if X_val is not None:
            val_loss, val_acc = evaluate(model, X_val, y_val, loss)
            history["val_loss"].append(val_loss)
            if classify:
                history["val_acc"].append(val_acc)
        bar.set_postfix({key: f"{values[-1]:.4f}" for key, values in history.items() if values})
        if early_stopping is not None and early_stopping.step(history["val_loss"][-1], model):
            break
    if early_stopping is not None:
        early_stopping.restore(model)
    return history
