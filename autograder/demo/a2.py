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
        diagnosis="one-sided difference",
    ),
    Bug(
        "a2-rel-error-no-abs",
        "the relative error forgets the absolute value, so a < b gives a negative 'error'",
        {"rel_error": '''def rel_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
'''},
        loses=["test_rel_error"],
        diagnosis="absolute value is missing",
    ),
    Bug(
        "a2-derive-sigmoid-sign-slip",
        "a derivation slip: the chain rule's two minus signs are not cancelled, so sigma' comes out negative",
        {"sigmoid_derivative_answer": 'dsigma_in_z = """\n-exp(-z) / (1 + exp(-z))**2\n"""\n'
                                      'dsigma_in_s = """\ns * (1 - s)\n"""\n'},
        loses=["test_sigmoid_derivative"],
        diagnosis="opposite sign",
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
        diagnosis="the sigmoid itself",
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
        diagnosis="unstable form",
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
        diagnosis="unstable form",
    ),
    Bug(
        "a2-squared-error-sum",
        "the squared error sums over the batch instead of averaging: value and gradient miss the 1/n",
        {"squared_error": '''def squared_error(pred, y):
    diff = np.asarray(pred, dtype=np.float64) - y
    return 0.5 * float(np.sum(diff ** 2)), diff
'''},
        loses=["test_squared_error"],
        diagnosis="factor n",
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
        diagnosis="every piece",
    ),
    Bug(
        "a2-derive-tanh-sign-slip",
        "a derivation slip: tanh' written with tanh comes out with the opposite sign (t^2 - 1)",
        {"tanh_derivative_answer": 'dtanh_in_z = """\n4 / (exp(z) + exp(-z))**2\n"""\n'
                                   'dtanh_in_t = """\nt**2 - 1\n"""\n'},
        loses=["test_tanh_derivative"],
        diagnosis="opposite sign",
    ),
    Bug(
        "a2-derive-softplus-wrong-exponent",
        "a derivation slip: softplus' written as 1 / (1 + e^z), the sign of the exponent lost when rewriting",
        {"softplus_derivative_answer": 'dsoftplus = """\n1 / (1 + exp(z))\n"""\nd2softplus_in_s = """\ns * (1 - s)\n"""\n'},
        loses=["test_softplus_derivative"],
        diagnosis="sign of the exponent",
    ),
    Bug(
        "a2-derive-squared-no-mean",
        "a missing factor: the batch mean's 1/n is dropped from the squared error's gradient",
        {"squared_error_gradient_answer": 'dl_do = """\no - y\n"""\ndL_do_batch = """\no - y\n"""\n'},
        loses=["test_squared_error_gradient"],
        diagnosis="batch mean's factor is missing",
    ),
    Bug(
        "a2-derive-bce-extra-factor",
        "a missing cancellation: the cross-entropy's dL/dz keeps a factor a (1 - a) that the log's derivative removes",
        {"bce_gradient_answer": 'dL_da = """\n-(y / a - (1 - y) / (1 - a))\n"""\ndL_dz = """\n(a - y) * a * (1 - a)\n"""\n'},
        loses=["test_bce_gradient"],
        diagnosis="should cancel",
    ),
    Bug(
        "a2-derive-softmax-transposed",
        "a transposed product: the batch gradient of softmax cross-entropy is written as (P - Y)^T / n",
        {"softmax_ce_gradient_answer": 'dlse_dz = """\nexp(z) / S\n"""\ndL_dz_true = """\np - 1\n"""\n'
                                       'dL_dz_other = """\np\n"""\ndL_dZ = """\n(P - Y).T / n\n"""\n'},
        loses=["test_softmax_ce_gradient"],
        diagnosis="transposed",
    ),
    # the holes of issue 16: an input modified in place, ties broken the other way
    Bug(
        "a2-numgrad-in-place",
        "the numerical gradient steps x[i] in place on the caller's own array (+h, -2h, +h): the values are right, "
        "but rounding leaves the caller's x changed",
        {"numerical_gradient": '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        x[i] += h
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
'''},
        loses=["test_numerical_gradient"],
        diagnosis="in place",
    ),
    Bug(
        "a2-relu-tie-at-zero",
        "the rectifier's derivative uses z > 0, so at z = 0 exactly it is alpha instead of the convention step(0) = 1",
        {"rectifier": '''def rectifier(z, alpha):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, z, alpha * z), np.where(z > 0, 1.0, alpha)
'''},
        loses=["test_rectifier"],
        diagnosis="tie broken the other way",
    ),
    Bug(
        "a2-abs-np-sign",
        "the absolute error's gradient is np.sign(diff) / n, which is 0 where a prediction equals its target",
        {"absolute_error": '''def absolute_error(pred, y):
    diff = np.asarray(pred, dtype=np.float64) - y
    n = len(diff)
    return float(np.sum(np.abs(diff))) / n, np.sign(diff) / n
'''},
        loses=["test_absolute_error"],
        diagnosis="tie broken the other way",
    ),
    # correct but different: full marks, and no "Likely mistake:" line
    Bug(
        "a2-sigmoid-via-tanh",
        "correct: the sigmoid written with tanh, 0.5 (1 + tanh(z / 2)), which never overflows",
        {"sigmoid": '''def sigmoid(z):
    s = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))
    return s, s - s * s
'''},
    ),
    Bug(
        "a2-abs-where-below",
        "correct: the absolute error's gradient is -1/n where the prediction is below its target, +1/n elsewhere",
        {"absolute_error": '''def absolute_error(pred, y):
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return float(np.abs(diff).sum() / diff.shape[0]), np.where(diff < 0, -1.0, 1.0) / diff.shape[0]
'''},
    ),
]
