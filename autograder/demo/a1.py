"""Classic bugs of assignment 1, each a demo student (see autograder/demo/__init__.py)."""

from . import Bug

BUGS = [
    Bug(
        "a1-wrong-sign",
        "perceptron update moves away from the sample: w - y x instead of w + y x",
        {"perceptron_update": '''def perceptron_update(w, x, y):
    x_aug = add_bias(x)
    if y * (x_aug @ w) <= 0:
        return w - y * x_aug
    return w.copy()
'''},
        loses=["test_update"],
    ),
    Bug(
        "a1-no-bias",
        "prediction ignores the bias weight",
        {"perceptron_predict": '''def perceptron_predict(w, X):
    scores = X @ w[:-1]
    return np.where(scores >= 0, 1, -1)
'''},
        loses=["test_predict"],
    ),
    Bug(
        "a1-thresholded-delta",
        "ADALINE's delta rule uses the thresholded output instead of the linear output",
        {"adaline_update": '''def adaline_update(w, x, d, lr):
    x_aug = add_bias(x)
    out = 1.0 if x_aug @ w >= 0 else -1.0
    return w + lr * (d - out) * x_aug
'''},
        loses=["test_lms"],
    ),
    Bug(
        "a1-ignored-lr",
        "batch ADALINE ignores its learning rate",
        {"adaline_batch_step": '''def adaline_batch_step(w, X, d, lr):
    X_aug = add_bias(X)
    grad = -X_aug.T @ (d - X_aug @ w) / len(X)
    return w - grad
'''},
        loses=["test_batch_step"],
    ),
    Bug(
        "a1-batch-divides-by-mistakes",
        "the batch perceptron averages over the misclassified samples only, not over all n",
        {"batch_perceptron_update": '''def batch_perceptron_update(w, X, y, lr):
    X_aug = add_bias(X)
    wrong = y * (X_aug @ w) <= 0
    delta = (y[wrong, None] * X_aug[wrong]).sum(axis=0) / max(1, wrong.sum())
    return w + lr * delta, delta
'''},
        loses=["test_batch_update"],
    ),
    Bug(
        "a1-derive-perceptron-sign",
        "a derivation slip: the gradient step adds the gradient instead of subtracting it, so the update moves away",
        {"perceptron_rule_answer": 'dJ_dw = """\n-y * x\n"""\nw_next = """\nw - y * x\n"""\n'
                                   'margin_gain = """\nq\n"""\n'},
        loses=["test_perceptron_rule"],
    ),
    Bug(
        "a1-derive-ties-not-mistakes",
        "the by-hand trace counts a score of exactly 0 as right, so from w = 0 nothing ever moves",
        {"perceptron_by_hand_answer": 'w1_after_epoch = """\n0\n"""\nw2_after_epoch = """\n0\n"""\n'
                                      'b_after_epoch = """\n0\n"""\nmistakes_in_epoch = """\n0\n"""\n'},
        loses=["test_perceptron_by_hand"],
    ),
    Bug(
        "a1-derive-lms-missing-input",
        "a derivation slip: the chain rule stops at z, so the delta rule's gradient misses the factor x_j",
        {"delta_rule_answer": 'dErr_dz = """\nz - d\n"""\ndErr_dw = """\nz - d\n"""\n'
                              'w_next_lms = """\nw + eta * (d - z)\n"""\n'},
        loses=["test_delta_rule"],
    ),
    Bug(
        "a1-derive-mse-transposed",
        "a matrix slip: the batch gradient is written as a row, (X w - d)^T X / n, the transpose of the gradient",
        {"mse_gradient_answer": 'grad_E = """\n(X @ w - d).T @ X / n\n"""\ndE_dw1 = """\n3\n"""\n'
                                'dE_db = """\n1.5\n"""\n'},
        loses=["test_mse_gradient"],
    ),
]
