"""Classic bugs of assignment 4, each a demo student (see autograder/demo/__init__.py), and one correct
submission written with loops instead of matrix products, which must keep every point."""

from . import Bug

LOOPS = {
    "dense_forward": '''def dense_forward(X, W, b):
    d_in, d_out = W.shape
    if X.ndim != 2 or X.shape[1] != d_in:
        raise ValueError(f"X should have shape (n, {d_in}), not {X.shape}")
    if b.shape != (d_out,):
        raise ValueError(f"b should have shape ({d_out},), not {b.shape}")
    Z = np.empty((X.shape[0], d_out))
    for i in range(X.shape[0]):          # one sample at a time, as in the lecture's column notation
        for j in range(d_out):
            Z[i, j] = np.dot(W[:, j], X[i]) + b[j]
    return Z, (X, W)
''',
    "dense_backward": '''def dense_backward(dZ, cache):
    X, W = cache
    dX, dW, db = np.zeros(X.shape), np.zeros(W.shape), np.zeros(W.shape[1])
    for i in range(X.shape[0]):          # notes 003: accumulate the per-sample gradients
        dX[i] = W @ dZ[i]
        dW += np.outer(X[i], dZ[i])
        db += dZ[i]
    return dX, dW, db
''',
    "relu_backward": '''def relu_backward(dA, cache):
    dZ = np.zeros(dA.shape)
    for index, z in np.ndenumerate(cache):
        if z >= 0:
            dZ[index] = dA[index]
    return dZ
''',
    "sigmoid_backward": '''def sigmoid_backward(dA, cache):
    dZ = np.zeros(dA.shape)
    for index, a in np.ndenumerate(cache):
        dZ[index] = dA[index] * a * (1 - a)
    return dZ
''',
    "softmax_cross_entropy": '''def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    total, dscores = 0.0, np.zeros(scores.shape)
    for i in range(n):
        row = scores[i] - np.max(scores[i])
        probs = np.exp(row) / np.sum(np.exp(row))
        total += np.log(np.sum(np.exp(row))) - row[y[i]]
        dscores[i] = probs
        dscores[i, y[i]] -= 1
    return total / n, dscores / n
''',
    "network_backward": '''def network_backward(net, dout):
    with_params = [i for i, layer in enumerate(net) if layer.params]
    grads = {}
    for i in range(len(net) - 1, -1, -1):
        dout = net[i].backward(dout)
        if i in with_params:
            number = with_params.index(i) + 1
            grads["W" + str(number)] = net[i].grads["W"]
            grads["b" + str(number)] = net[i].grads["b"]
    return dout, grads
''',
    "mlp_loss": '''def mlp_loss(params, X, y, lam):
    U1, c1 = dense_forward(X, params["W1"], params["b1"])
    H, c_relu = relu_forward(U1)
    U2, c2 = dense_forward(H, params["W2"], params["b2"])
    J, G = softmax_cross_entropy(U2, y)
    for name in ("W1", "W2"):
        J = J + lam * np.sum(params[name] * params[name])
    dH, dW2, db2 = dense_backward(G, c2)
    dU1 = relu_backward(dH, c_relu)
    dX, dW1, db1 = dense_backward(dU1, c1)
    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    for name in ("W1", "W2"):
        grads[name] = grads[name] + 2 * lam * params[name]
    return J, grads
''',
    "sgd_epoch": '''def sgd_epoch(params, X, y, lr, batch_size, lam, rng):
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    order = generator.permutation(len(X))
    new, losses, start = {}, [], 0
    new.update(params)
    while start < len(X):
        rows = order[start:start + batch_size]
        J, grads = mlp_loss(new, X[rows], y[rows], lam)
        losses.append(J)
        for name in new:
            new[name] = new[name] - lr * grads[name]
        start += batch_size
    return new, losses
''',
}

DERIVED = {
    "dense_derivation_answer": 'dL_dW = """\nX.T @ G\n"""\ndL_dX = """\nG @ W.T\n"""\ndL_db = """\nsum(G, axis=0)\n"""\n',
    "softmax_derivation_answer": 'dl_ds = """\np - e\n"""\ndL_dS = """\n(P - Y) / n\n"""\n',
    "mlp_derivation_answer": ('dJ_dH = """\nG @ W2.T\n"""\n'
                              'dJ_dW1 = """\nX.T @ ((G @ W2.T) * step(U1)) + 2 * lam * W1\n"""\n'
                              'dJ_db1 = """\nsum((G @ W2.T) * step(U1), axis=0)\n"""\n'),
    "debug_record_answer": ('bug_mean = """\nb2\n"""\nbug_transposed = """\nW2\n"""\nbug_path = """\nW1\n"""\n'
                            'bug_mask = """\nW1, b1\n"""\n'),
}


def _slip(cell, old, new):
    """The reference answer of ``cell`` with ``old`` replaced by ``new`` (which must occur)."""
    if old not in DERIVED[cell]:
        raise ValueError(f"demo bug for {cell}: {old!r} is not in the reference answer")
    return {cell: DERIVED[cell].replace(old, new, 1)}


THREE_OF_FOUR = '''def mlp_gradients_by_sample(params, X, y, lam):
    """The gradients of mlp_loss's J, worked out one sample at a time and averaged: notes 003's accumulators.

    params = {"W1" (d, h), "b1" (h,), "W2" (h, C), "b2" (C,)}, X (n, d), integer labels y (n,), the weight decay
    lam. Returns {"W1", "b1", "W2", "b2"}, each shaped like its parameter: the gradient of
    J = mean cross-entropy + lam (||W1||^2 + ||W2||^2), the same J as mlp_loss.
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = len(X)
    Delta = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(n):
        x = X[i]                                     # one sample, shape (d,)
        u1 = x @ W1 + b1                             # (h,)
        h = np.maximum(u1, 0.0)
        u2 = h @ W2 + b2                             # (C,)
        _, g2 = softmax_cross_entropy(u2[None, :], y[i:i + 1])
        g2 = g2[0]                                   # this sample's d loss / d u2, shape (C,)
        Delta["W2"] += np.outer(h, g2) / n           # fixed: the outer product in W2's shape (h, C)
        Delta["b2"] += g2 / n                        # fixed: the 1/n of the mean
        dh = W2 @ g2                                 # this sample's d loss / d h, shape (h,)
        g1 = dh * (u2 > 0)
        Delta["W1"] += np.outer(x, g1) / n
        Delta["b1"] += g1 / n
    return {"W1": Delta["W1"] + 2 * lam * W1,       # fixed: the penalty's path to W1
            "b1": Delta["b1"],
            "W2": Delta["W2"] + 2 * lam * W2,
            "b2": Delta["b2"]}
'''


BUGS = [
    Bug(
        "a4-derive-dW-transposed",
        "a derivation slip: dL/dW written as G^T X, the transpose of the weight gradient",
        _slip("dense_derivation_answer", "X.T @ G", "G.T @ X"),
        loses=["test_dense_derivation"],
        diagnosis='transposed',
    ),
    Bug(
        "a4-derive-ce-without-mean",
        "a derivation slip: the batch gradient of the mean cross-entropy without its 1/n",
        _slip("softmax_derivation_answer", "(P - Y) / n", "P - Y"),
        loses=["test_softmax_derivation"],
        diagnosis='1/n of the mean is missing',
    ),
    Bug(
        "a4-derive-decay-path-dropped",
        "a derivation slip: dJ/dW1 follows the data path only and drops the penalty's path",
        _slip("mlp_derivation_answer", " + 2 * lam * W1", ""),
        loses=["test_mlp_derivation"],
        diagnosis="penalty's path is dropped",
    ),
    Bug(
        "a4-debug-three-of-four",
        "the debugging lab: three planted bugs fixed, the ReLU gate still taken from the wrong cache",
        {"mlp_gradients_by_sample": THREE_OF_FOUR},
        loses=["test_debug_fix"],
        diagnosis='wrong cache',
    ),
    Bug(
        "a4-debug-record-one-name",
        "the debugging record names only b1 for the ReLU-gate bug, which makes W1's check fail too",
        _slip("debug_record_answer", 'bug_mask = """\nW1, b1\n"""', 'bug_mask = """\nb1\n"""'),
        loses=["test_debug_record"],
        diagnosis='only part of what that bug breaks',
    ),
    Bug(
        "a4-dW-transposed",
        "dense_backward returns dZ^T X, the transpose of dW (a shape the checks name)",
        {"dense_backward": '''def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)
'''},
        loses=["test_dense_backward"],
        diagnosis='transposed',
    ),
    Bug(
        "a4-bias-averaged",
        "the bias gradient averages dZ over the batch instead of summing it (the 1/n is already in dZ)",
        {"dense_backward": '''def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)
'''},
        loses=["test_dense_backward"],
        diagnosis='averages dZ over the batch',
    ),
    Bug(
        "a4-ce-without-1-over-n",
        "the softmax cross-entropy gradient is P - Y, without the 1/n of the mean",
        {"softmax_cross_entropy": '''def softmax_cross_entropy(scores, y):
    n = len(scores)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    loss = np.mean(log_sum - shifted[np.arange(n), y])
    dscores = np.exp(shifted - log_sum[:, None])
    dscores[np.arange(n), y] -= 1.0
    return float(loss), dscores
'''},
        loses=["test_softmax_cross_entropy"],
        diagnosis='1/n of the mean is missing',
    ),
    Bug(
        "a4-sigmoid-of-the-output",
        "sigmoid_backward applies the sigmoid again to its cache, which already holds A = sigma(Z)",
        {"sigmoid_backward": '''def sigmoid_backward(dA, cache):
    s = 1.0 / (1.0 + np.exp(-cache))
    return dA * s * (1.0 - s)
'''},
        loses=["test_sigmoid_backward"],
        diagnosis='sigmoid is applied again',
    ),
    Bug(
        "a4-numbered-from-the-output",
        "network_backward numbers the layers in the order it visits them, so W1 is the last layer",
        {"network_backward": '''def network_backward(net, dout):
    grads, k = {}, 0
    for layer in reversed(net):
        dout = layer.backward(dout)
        if layer.params:
            k += 1
            for key, value in layer.grads.items():
                grads[f"{key}{k}"] = value
    return dout, grads
'''},
        loses=["test_network_backward"],
        diagnosis='numbered from the output',
    ),
    Bug(
        "a4-decay-only-in-the-loss",
        "mlp_loss adds the weight decay to J but forgets its gradient 2 lam W",
        {"mlp_loss": '''def mlp_loss(params, X, y, lam):
    U1, cache1 = dense_forward(X, params["W1"], params["b1"])
    H, cache_relu = relu_forward(U1)
    U2, cache2 = dense_forward(H, params["W2"], params["b2"])
    data_loss, G = softmax_cross_entropy(U2, y)
    dH, dW2, db2 = dense_backward(G, cache2)
    _, dW1, db1 = dense_backward(relu_backward(dH, cache_relu), cache1)
    J = data_loss + lam * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return J, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
'''},
        loses=["test_mlp_loss"],
        diagnosis="weight decay's gradient is missing",
    ),
    Bug(
        "a4-dense-no-shape-checks",
        "dense_forward checks no shape: a wrong X gets NumPy's own matmul error, whose message holds the size the "
        "check looks for only by chance, and a wrong b is broadcast",
        {"dense_forward": '''def dense_forward(X, W, b):
    return X @ W + b, (X, W)
'''},
        loses=["test_dense_forward"],
        diagnosis="NumPy's own arithmetic",
    ),
    Bug(
        "a4-bias-broadcasts",
        "dense_forward checks X but not b: a bias of shape (1,), (n, d_out) or (n, 1) broadcasts silently",
        {"dense_forward": '''def dense_forward(X, W, b):
    d_in, d_out = W.shape
    check_shape(X, ("n", d_in), "X")
    return X @ W + b, (X, W)
'''},
        loses=["test_dense_forward"],
        diagnosis="broadcasting hides it",
    ),
    Bug(
        "a4-dX-missing-transpose",
        "dense_backward forgets W's transpose in dX: NumPy's matmul error unless W is square",
        {"dense_backward": '''def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W, X.T @ dZ, dZ.sum(axis=0)
'''},
        loses=["test_dense_backward"],
        diagnosis="missing transpose",
    ),
    Bug(
        "a4-relu-tie-blocked",
        "relu_backward gates with Z > 0: the tie at exactly 0 is broken against the lecture's convention step(0) = 1",
        {"relu_backward": '''def relu_backward(dA, cache):
    return dA * (cache > 0)
'''},
        loses=["test_relu_backward"],
        diagnosis="tie at exactly 0",
    ),
    Bug(
        "a4-loops-but-correct",
        "a correct submission written with loops over samples and entries instead of matrix products",
        LOOPS,
        loses=[],
    ),
]
