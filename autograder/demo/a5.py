"""Classic bugs of assignment 5, each a demo student (see autograder/demo/__init__.py).

The last two entries are not bugs: momentum written in the other common form (v accumulates gradients and the
step is -lr v), and Adam with its bias corrections folded into the step size. Both are correct and must keep
full marks, which is what ``loses=[]`` holds them to.
"""

from . import Bug

BUGS = [
    Bug(
        "a5-derive-momentum-limit-drops-current-step",
        "a derivation slip: the geometric sum of the velocity is started at mu instead of 1, so the long-run step "
        "comes out mu / (1 - mu) plain steps",
        {"momentum_steps_answer": 'momentum_limit = """\nmu / (1 - mu)\n"""\nmomentum_w2 = """\n0.46\n"""\n'},
        loses=["test_momentum_steps"],
        diagnosis="one power too high",
    ),
    Bug(
        "a5-derive-adadelta-first-step-sqrt-eps",
        "a derivation slip: Adadelta's first step taken as sqrt(eps), forgetting that s_1 holds only (1 - rho) g^2",
        {"adadelta_first_step_answer": 'adadelta_first_step = """\nsqrt(eps)\n"""\n'},
        loses=["test_adadelta_first_step"],
        diagnosis="share 1 - rho",
    ),
    Bug(
        "a5-derive-adam-missing-root",
        "a derivation slip: Adam's uncorrected first step divides by v_1 instead of its square root",
        {"adam_bias_answer": 'adam_mean_factor = """\n1 - beta1**t\n"""\n'
                             'adam_first_step_uncorrected = """\n(1 - beta1) / (1 - beta2)\n"""\n'},
        loses=["test_adam_bias"],
        diagnosis="its square root",
    ),
    Bug(
        "a5-adam-no-bias-correction",
        "Adam without the bias correction: steps with m / (sqrt(v) + eps), about 3 lr long on the first step",
        {"adam": '''def adam(w, dw, state):
    b1, b2 = state["beta1"], state["beta2"]
    t = state.get("t", 0) + 1
    m = b1 * state.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * state.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    state["t"], state["m"], state["v"] = t, m, v
    return w - state["lr"] * m / (np.sqrt(v) + state["eps"]), state
'''},
        loses=["test_adam"],
        diagnosis="bias correction is missing",
    ),
    Bug(
        "a5-momentum-ignores-mu",
        "momentum whose velocity never decays (mu ignored): v <- v - lr g",
        {"momentum": '''def momentum(w, dw, state):
    v = state.get("v", np.zeros_like(w)) - state["lr"] * dw
    state["v"] = v
    return w + v, state
'''},
        loses=["test_momentum"],
        diagnosis="velocity never fades",
    ),
    Bug(
        "a5-adagrad-sums-g",
        "Adagrad accumulates the gradients g instead of their squares g^2",
        {"adagrad": '''def adagrad(w, dw, state):
    G = state.get("G", np.zeros_like(w)) + dw
    state["G"] = G
    return w - state["lr"] * dw / (np.sqrt(G) + state["eps"]), state
'''},
        loses=["test_adagrad"],
        diagnosis="instead of their squares",
    ),
    Bug(
        "a5-clip-per-array",
        "gradient clipping applied to each array on its own instead of to the global norm",
        {"clip_by_global_norm": '''def clip_by_global_norm(grads, max_norm):
    clipped, total = {}, 0.0
    for name, g in grads.items():
        norm = np.sqrt(np.sum(g ** 2))
        total += norm ** 2
        clipped[name] = g * max_norm / norm if norm > max_norm else g.copy()
    return clipped, np.sqrt(total)
'''},
        loses=["test_clip"],
        diagnosis="clipped by its own norm",
    ),
    Bug(
        "a5-minibatch-sums",
        "mini-batch step with the summed gradient (the lecture's sum) instead of the mean over the batch",
        {"minibatch_epoch": '''def minibatch_epoch(w, X, y, lr, batch_size, rng):
    order = rng.permutation(len(X))
    path = []
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        X_B, y_B = X[batch], y[batch]
        w = w - lr * X_B.T @ (X_B @ w - y_B)
        path.append(w)
    return np.array(path)
'''},
        loses=["test_minibatch"],
        diagnosis="summed over the batch",
    ),
    Bug(
        "a5-clip-in-place",
        "clipping that scales the caller's gradient arrays in place and returns the same dict (the question asks for "
        "a new dict and leaves grads unchanged)",
        {"clip_by_global_norm": '''def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return grads, norm
'''},
        loses=["test_clip"],
        diagnosis="in place",
    ),
    Bug(
        "a5-minibatch-in-place",
        "mini-batch steps taken in place (w -= ...) on the caller's w, the same array appended after every step",
        {"minibatch_epoch": '''def minibatch_epoch(w, X, y, lr, batch_size, rng):
    order = rng.permutation(len(X))
    path = []
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        X_B, y_B = X[batch], y[batch]
        w -= lr * X_B.T @ (X_B @ w - y_B) / len(batch)
        path.append(w)
    return np.array(path)
'''},
        loses=["test_minibatch"],
        diagnosis="in place",
    ),
    Bug(
        "a5-momentum-other-form",
        "not a bug: momentum written as v <- mu v + g; w <- w - lr v (full marks expected)",
        {"momentum": '''def momentum(w, dw, state):
    v = state["mu"] * state.get("v", np.zeros_like(w)) + dw  # this v is the other form's v divided by -lr
    state["v"] = v
    return w - state["lr"] * v, state
'''},
        loses=[],
    ),
    Bug(
        "a5-adam-folded-correction",
        "not a bug: Adam with both bias corrections folded into the step size lr_t (full marks expected)",
        {"adam": '''def adam(w, dw, state):
    state["t"] = t = state.get("t", 0) + 1
    state["m"] = state["beta1"] * state.get("m", 0.0) + (1 - state["beta1"]) * dw
    state["v"] = state["beta2"] * state.get("v", 0.0) + (1 - state["beta2"]) * dw * dw
    lr_t = state["lr"] * np.sqrt(1 - state["beta2"] ** t) / (1 - state["beta1"] ** t)
    return w - lr_t * state["m"] / (np.sqrt(state["v"]) + state["eps"]), state
'''},
        loses=[],
    ),
]
