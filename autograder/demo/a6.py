"""Classic bugs of assignment 6, each a demo student (see autograder/demo/__init__.py)."""

from . import Bug

BUGS = [
    Bug(
        "a6-derive-l2-missing-factor",
        "a derivation slip: the gradient of lam ||W||^2 written without the 2 the square brings",
        {"weight_decay_answer": 'l2_grad = """\nlam * W\n"""\ndecay_factor = """\n1 - 2 * lam * eta\n"""\n'
                                'l1_subgrad = """\nlam * W / abs(W)\n"""\n'},
        loses=["test_weight_decay"],
        diagnosis="factor 2",
    ),
    Bug(
        "a6-derive-dropout-unscaled",
        "a derivation slip: dropout's gradient passed through the 0/1 mask without the 1 / (1 - p) of the forward pass",
        {"dropout_gradient_answer": 'dropout_dx = """\nG * m\n"""\n'},
        loses=["test_dropout_gradient"],
        diagnosis="scaled the kept units",
    ),
    Bug(
        "a6-derive-bn-mean-path-sign",
        "a derivation slip: the path through the batch mean added with the wrong sign",
        {"batchnorm_paths_answer": 'bn_direct = """\nG * gamma * s\n"""\n'
                                   'bn_through_mean = """\ns * mean(G * gamma, axis=0)\n"""\n'
                                   'bn_through_var = """\n-s * Xh * mean(G * gamma * Xh, axis=0)\n"""\n'
                                   'bn_dgamma = """\nsum(G * Xh, axis=0)\n"""\n'},
        loses=["test_batchnorm_paths"],
        diagnosis="wrong sign",
    ),
    Bug(
        "a6-derive-layernorm-gamma-outside-the-means",
        "a derivation slip: layer norm's dx as batch norm's with the axis changed, gamma taken out of means that now "
        "run over the features, where gamma varies",
        {"layernorm_gradient_answer": 'ln_dx = """\ns * gamma * (G - mean(G, axis=1, keepdims=True) - Xh * mean(G * Xh, '
                                      'axis=1, keepdims=True))\n"""\nln_dgamma = """\nsum(G * Xh, axis=0)\n"""\n'},
        loses=["test_layernorm_gradient"],
        diagnosis="gamma is taken out of means",
    ),
    Bug(
        "a6-dropout-no-rescale",
        "dropout drops units but does not scale the kept ones by 1 / (1 - p): the expectation shrinks to (1 - p) x",
        {"dropout_forward": '''def dropout_forward(x, p, train=True, rng=None):
    if not train:
        return x, None
    rng = np.random.default_rng(rng)
    mask = (rng.random(x.shape) >= p).astype(float)
    return x * mask, mask
'''},
        loses=["test_dropout_forward"],
        diagnosis="not rescaled",
    ),
    Bug(
        "a6-batchnorm-batch-stats-in-eval",
        "batch norm standardizes with the batch's own mean and variance at prediction time too",
        {"batchnorm_forward": '''def batchnorm_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    mu, var = x.mean(axis=0), x.var(axis=0)
    if train:
        running = {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                   "var": momentum * running["var"] + (1 - momentum) * var}
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma), running
'''},
        loses=["test_batchnorm_forward"],
        diagnosis="batch's own mean and variance",
    ),
    Bug(
        "a6-batchnorm-backward-no-mean-term",
        "batch norm's backward pass forgets the path through the batch mean",
        {"batchnorm_backward": '''def batchnorm_backward(dout, cache):
    xhat, inv_std, gamma = cache
    dxhat = dout * gamma
    dx = inv_std * (dxhat - xhat * (dxhat * xhat).mean(axis=0))
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
'''},
        loses=["test_batchnorm_backward"],
        diagnosis="path through the batch mean is missing",
    ),
    Bug(
        "a6-early-stopping-saves-references",
        "early stopping saves references to the weight arrays instead of copies, so it 'restores' the last epoch",
        {"train_with_early_stopping": '''def train_with_early_stopping(model, train_epoch, val_loss, max_epochs=100, patience=5):
    best, best_epoch, wait, saved, losses = np.inf, 0, 0, None, []
    for epoch in range(1, max_epochs + 1):
        train_epoch(model)
        loss = val_loss(model)
        losses.append(loss)
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
            saved = {group: dict(getattr(model, group)) for group in ("params", "buffers")}
        else:
            wait += 1
            if wait >= patience:
                break
    for group, values in (saved or {}).items():
        for name, value in values.items():
            getattr(model, group)[name][...] = value
    return best_epoch, losses
'''},
        loses=["test_early_stopping"],
        diagnosis="references",
    ),
    Bug(
        "a6-batchnorm-running-in-place",
        "batch norm that updates the caller's running averages in place and returns the same dict (the question asks "
        "for a new dict and leaves running unchanged)",
        {"batchnorm_forward": '''def batchnorm_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    if train:
        mu, var = x.mean(axis=0), x.var(axis=0)
        running["mean"] = momentum * running["mean"] + (1 - momentum) * mu
        running["var"] = momentum * running["var"] + (1 - momentum) * var
    else:
        mu, var = running["mean"], running["var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma), running
'''},
        loses=["test_batchnorm_forward"],
        diagnosis="in place",
    ),
    Bug(
        "a6-batchnorm-unstable-variance",
        "batch norm's variance as the mean of the squares minus the square of the mean: exact on paper, all digits "
        "lost when a feature's mean is large next to its spread",
        {"batchnorm_forward": '''def batchnorm_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    if train:
        mu = x.mean(axis=0)
        var = (x ** 2).mean(axis=0) - mu ** 2
        running = {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                   "var": momentum * running["var"] + (1 - momentum) * var}
    else:
        mu, var = running["mean"], running["var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma), dict(running)
'''},
        loses=["test_batchnorm_forward"],
        diagnosis="unstable form of the variance",
    ),
    Bug(
        "a6-early-stopping-tie",
        "early stopping that counts a tie with the best loss as an improvement (the question: strictly below)",
        {"train_with_early_stopping": '''def train_with_early_stopping(model, train_epoch, val_loss, max_epochs=100, patience=5):
    best, best_epoch, wait, saved, losses = np.inf, 0, 0, None, []
    for epoch in range(1, max_epochs + 1):
        train_epoch(model)
        loss = val_loss(model)
        losses.append(loss)
        if loss <= best:
            best, best_epoch, wait = loss, epoch, 0
            saved = {group: {name: np.copy(value) for name, value in getattr(model, group).items()}
                     for group in ("params", "buffers")}
        else:
            wait += 1
            if wait >= patience:
                break
    for group, values in (saved or {}).items():
        for name, value in values.items():
            getattr(model, group)[name][...] = value
    return best_epoch, losses
'''},
        loses=["test_early_stopping"],
        diagnosis="tie",
    ),
    Bug(
        "a6-layernorm-batch-axis",
        "layer norm with batch norm's axis: each feature standardized over the batch instead of each sample over its "
        "features",
        {"layernorm_forward": '''def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=0, keepdims=True) + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma)
'''},
        loses=["test_layernorm_forward"],
        diagnosis="wrong axis",
    ),
]
