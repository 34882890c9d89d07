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
        diagnosis="moves away from the sample",
    ),
    Bug(
        "a1-no-bias",
        "prediction ignores the bias weight",
        {"perceptron_predict": '''def perceptron_predict(w, X):
    scores = X @ w[:-1]
    return np.where(scores >= 0, 1, -1)
'''},
        loses=["test_predict"],
        diagnosis="the bias is left out",
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
        diagnosis="thresholded output",
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
        diagnosis="learning rate is not used",
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
        diagnosis="misclassified samples only",
    ),
    Bug(
        "a1-derive-perceptron-sign",
        "a derivation slip: the gradient step adds the gradient instead of subtracting it, so the update moves away",
        {"perceptron_rule_answer": 'dJ_dw = """\n-y * x\n"""\nw_next = """\nw - y * x\n"""\n'
                                   'margin_gain = """\nq\n"""\n'},
        loses=["test_perceptron_rule"],
        diagnosis="along the gradient instead of against it",
    ),
    Bug(
        "a1-derive-ties-not-mistakes",
        "the by-hand trace counts a score of exactly 0 as right, so from w = 0 nothing ever moves",
        {"perceptron_by_hand_answer": 'w1_after_epoch = """\n0\n"""\nw2_after_epoch = """\n0\n"""\n'
                                      'b_after_epoch = """\n0\n"""\nmistakes_in_epoch = """\n0\n"""\n'},
        loses=["test_perceptron_by_hand"],
        diagnosis="tie broken the other way",
    ),
    Bug(
        "a1-derive-lms-missing-input",
        "a derivation slip: the chain rule stops at z, so the delta rule's gradient misses the factor x_j",
        {"delta_rule_answer": 'dErr_dz = """\nz - d\n"""\ndErr_dw = """\nz - d\n"""\n'
                              'w_next_lms = """\nw + eta * (d - z)\n"""\n'},
        loses=["test_delta_rule"],
        diagnosis="chain rule stops at z",
    ),
    Bug(
        "a1-derive-mse-transposed",
        "a matrix slip: the batch gradient is written as a row, (X w - d)^T X / n, the transpose of the gradient",
        {"mse_gradient_answer": 'grad_E = """\n(X @ w - d).T @ X / n\n"""\ndE_dw1 = """\n3\n"""\n'
                                'dE_db = """\n1.5\n"""\n'},
        loses=["test_mse_gradient"],
        diagnosis="transposed",
    ),
    # the holes of issue 16: an input modified in place, ties broken the other way
    Bug(
        "a1-update-in-place",
        "the perceptron update adds the step into w in place (w += ...), so the caller's weights change too",
        {"perceptron_update": '''def perceptron_update(w, x, y):
    x_aug = add_bias(x)
    if y * (x_aug @ w) <= 0:
        w += y * x_aug
    return w
'''},
        loses=["test_update"],
        diagnosis="in place",
    ),
    Bug(
        "a1-update-strict-tie",
        "the perceptron's mistake test is y * score < 0: a score of exactly 0 counts as right, so w = 0 never moves",
        {"perceptron_update": '''def perceptron_update(w, x, y):
    x_aug = add_bias(x)
    if y * (x_aug @ w) < 0:
        return w + y * x_aug
    return w.copy()
'''},
        loses=["test_update"],
        diagnosis="tie broken the other way",
    ),
    Bug(
        "a1-batch-strict-tie",
        "the batch perceptron's mistake mask is < instead of <=: from w = 0 every score is 0 and nothing moves",
        {"batch_perceptron_update": '''def batch_perceptron_update(w, X, y, lr):
    X_aug = add_bias(X)
    wrong = y * (X_aug @ w) < 0
    delta = (y[wrong, None] * X_aug[wrong]).sum(axis=0) / len(X)
    return w + lr * delta, delta
'''},
        loses=["test_batch_update"],
        diagnosis="tie broken the other way",
    ),
    Bug(
        "a1-predict-sign",
        "the prediction is np.sign of the score, which is 0 (not +1) for a point on the boundary",
        {"perceptron_predict": '''def perceptron_predict(w, X):
    return np.sign(add_bias(X) @ w)
'''},
        loses=["test_predict"],
        diagnosis="tie broken the other way",
    ),
    # correct but different: full marks, and no "Likely mistake:" line
    Bug(
        "a1-update-arithmetic-mask",
        "correct: the update multiplies the step by the 0/1 mistake flag instead of branching",
        {"perceptron_update": '''def perceptron_update(w, x, y):
    x_aug = np.append(x, 1.0)
    mistake = float(y * np.dot(w, x_aug) <= 0)
    return w + mistake * y * x_aug
'''},
    ),
    Bug(
        "a1-batch-where-mask",
        "correct: the batch perceptron zeroes the correct samples' rows with np.where and takes the mean over all n",
        {"batch_perceptron_update": '''def batch_perceptron_update(w, X, y, lr):
    X_aug = add_bias(X)
    corrections = np.where((y * (X_aug @ w) <= 0)[:, None], y[:, None] * X_aug, 0.0)
    delta = corrections.mean(axis=0)
    return w + lr * delta, delta
'''},
    ),
]
