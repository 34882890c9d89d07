"""Classic bugs of assignment 2, each a demo student (see autograder/demo/__init__.py)."""

from . import Bug

BUGS = [
    Bug(
        "a2-forward-difference",
        "the numerical gradient uses the one-sided difference (f(x + h) - f(x)) / h, accurate only to O(h)",
        {"numerical_gradient": '''def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    f_x = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f_x) / h
        x[i] = old
    return grad
'''},
        loses=["test_numerical_gradient"],
    ),
    Bug(
        "a2-rel-error-no-abs",
        "the relative error forgets the absolute value, so a < b gives a negative 'error'",
        {"rel_error": '''def rel_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
'''},
        loses=["test_rel_error"],
    ),
    Bug(
        "a2-derive-sigmoid-sign-slip",
        "a derivation slip: the chain rule's two minus signs are not cancelled, so sigma' comes out negative",
        {"sigmoid_derivative_answer": 'dsigma_in_z = """\n-exp(-z) / (1 + exp(-z))**2\n"""\n'
                                      'dsigma_in_s = """\ns * (1 - s)\n"""\n'},
        loses=["test_sigmoid_derivative"],
    ),
    Bug(
        "a2-sigmoid-grad-is-sigmoid",
        "the sigmoid's derivative is written as sigma(z) instead of sigma(z) (1 - sigma(z))",
        {"sigmoid": '''def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return s, s
'''},
        loses=["test_sigmoid"],
    ),
    Bug(
        "a2-softmax-no-shift",
        "softmax cross-entropy exponentiates the raw scores (no max shift) and takes the log of the softmax",
        {"softmax_cross_entropy": '''def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    n = len(scores)
    rows = np.arange(n)
    e = np.exp(scores)
    probs = e / e.sum(axis=1, keepdims=True)
    grad = probs.copy()
    grad[rows, y] -= 1.0
    return -float(np.sum(np.log(probs[rows, y]))) / n, grad / n
'''},
        loses=["test_softmax_cross_entropy"],
    ),
    Bug(
        "a2-bce-log-of-sigmoid",
        "binary cross-entropy takes the log of sigma(z), which rounds to 0 for large |z| (log 0 = -inf)",
        {"bce_from_logits": '''def bce_from_logits(z, y):
    z = np.asarray(z, dtype=np.float64)
    n = len(z)
    p = sigmoid(z)[0]
    return -float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))) / n, (p - y) / n
'''},
        loses=["test_bce_from_logits"],
    ),
    Bug(
        "a2-squared-error-sum",
        "the squared error sums over the batch instead of averaging: value and gradient miss the 1/n",
        {"squared_error": '''def squared_error(pred, y):
    diff = np.asarray(pred, dtype=np.float64) - y
    return 0.5 * float(np.sum(diff ** 2)), diff
'''},
        loses=["test_squared_error"],
    ),
    Bug(
        "a2-maxout-mask-everywhere",
        "maxout's mask marks every piece of a group instead of its winner only",
        {"maxout": '''def maxout(z, k):
    z = np.asarray(z, dtype=np.float64)
    n, width = z.shape
    groups = z.reshape(n, width // k, k)
    return groups.max(axis=2), np.ones_like(z)
'''},
        loses=["test_maxout"],
    ),
]
