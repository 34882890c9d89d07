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
]
