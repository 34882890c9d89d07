"""The perceptron, the batch perceptron and ADALINE: single linear units trained by their classic rules.

Lecture topics: the perceptron algorithm (notes 000, 003), the batch perceptron with its epsilon stop and the
convergence theorem (003), ADALINE and the delta / LMS rule (000).

Conventions shared by every function here:
- ``X`` has shape (n, d), one sample per row; labels ``y`` are -1 or +1, shape (n,);
- ``w`` has shape (d + 1,): d weights followed by the bias. The bias is folded in as the weight of a constant
  input 1 (``add_bias``), so the decision rule ``w . [x, 1] >= 0`` is a hyperplane through the origin of the
  augmented space. In the lecture's column notation this is ``W^T x`` with ``x_{d+1} = 1``.

The single update steps are pure functions (they return a new ``w`` and never modify their inputs), so that
notebooks can animate training one step at a time; the estimator classes loop over them.
"""

import numpy as np


def add_bias(X):
    """Append a constant 1 to every sample: (n, d) -> (n, d + 1), or (d,) -> (d + 1,)."""
    X = np.asarray(X, dtype=np.float64)
    ones = np.ones(X.shape[:-1] + (1,))
    return np.concatenate([X, ones], axis=-1)


# ----------------------------------------------------------------------------------------------- perceptron

def perceptron_predict(w, X):
    """Perceptron labels: +1 where w . [x, 1] >= 0, else -1.  X (n, d), w (d + 1,) -> (n,) of +-1."""
    scores = add_bias(X) @ w
    return np.where(scores >= 0, 1, -1)


def perceptron_update(w, x, y):
    """One mistake-driven step on one sample: if y * (w . [x, 1]) <= 0 then w + y [x, 1], else w.

    A point on the boundary (score exactly 0) counts as a mistake, so training can start from w = 0.
    x (d,), y in {-1, +1}, w (d + 1,) -> new w (d + 1,). On a positive sample the step adds the sample
    (w <- w + x) and on a negative one it subtracts it (w <- w - x), as in the lecture.
    """
    x_aug = add_bias(x)
    if y * (x_aug @ w) <= 0:
        return w + y * x_aug
    return np.array(w, dtype=np.float64, copy=True)


def train_perceptron(X, y, max_epochs=100, w0=None):
    """Cycle through the samples in order, updating on every mistake, until an epoch has no mistakes.

    Returns ``(w, mistakes)``: the final weights and the number of mistakes made in each epoch (the last
    entry is 0 when it converged, which it does within (R / gamma)^2 mistakes on separable data).
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.zeros(X.shape[1] + 1) if w0 is None else np.array(w0, dtype=np.float64)
    mistakes = []
    for _ in range(max_epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            count += int(y_i * (add_bias(x_i) @ w) <= 0)
            w = perceptron_update(w, x_i, y_i)
        mistakes.append(count)
        if count == 0:
            break
    return w, mistakes


def batch_perceptron_update(w, X, y, lr=1.0):
    """One epoch of the batch perceptron: average the corrections of all misclassified samples.

        Delta = (1/n) * sum over i with y_i (w . x_i) <= 0 of y_i x_i      (x_i augmented with a 1)
        w_new = w + lr * Delta

    X (n, d), y (n,), w (d + 1,) -> ``(w_new, Delta)``, both (d + 1,).
    """
    X_aug = add_bias(X)
    wrong = y * (X_aug @ w) <= 0
    delta = (y[wrong, None] * X_aug[wrong]).sum(axis=0) / len(X_aug)
    return w + lr * delta, delta


def train_batch_perceptron(X, y, lr=1.0, eps=1e-3, max_epochs=1000, w0=None):
    """Repeat batch updates until ||Delta||_2 < eps. Returns ``(w, delta_norms)`` (one norm per epoch)."""
    X = np.asarray(X, dtype=np.float64)
    w = np.zeros(X.shape[1] + 1) if w0 is None else np.array(w0, dtype=np.float64)
    norms = []
    for _ in range(max_epochs):
        w, delta = batch_perceptron_update(w, X, y, lr)
        norms.append(float(np.linalg.norm(delta)))
        if norms[-1] < eps:
            break
    return w, norms


# --------------------------------------------------------------------------------------------------- ADALINE

def adaline_update(w, x, d, lr):
    """One online delta (LMS, Widrow-Hoff) step on one sample, from the *linear* output z = w . [x, 1]:

        Err = 1/2 (d - z)^2,   dErr/dw = -(d - z) [x, 1],   w_new = w + lr (d - z) [x, 1]

    x (d,), target d (a number), w (d + 1,) -> new w. The thresholded output is used only to predict.
    """
    x_aug = add_bias(x)
    z = x_aug @ w
    return w + lr * (d - z) * x_aug


def adaline_loss(w, X, d):
    """Mean squared error of the linear output: E(w) = 1/(2n) * sum_i (d_i - w . [x_i, 1])^2."""
    r = np.asarray(d, dtype=np.float64) - add_bias(X) @ w
    return 0.5 * float(r @ r) / len(r)


def adaline_batch_step(w, X, d, lr):
    """One step of batch gradient descent on E(w) (see ``adaline_loss``):

        grad E = -(1/n) X~^T (d - X~ w),   w_new = w - lr * grad E       (X~ is X with a column of ones)

    X (n, d), d (n,), w (d + 1,) -> new w (d + 1,). Its fixed point is the least-squares solution.
    """
    X_aug = add_bias(X)
    grad = -X_aug.T @ (np.asarray(d, dtype=np.float64) - X_aug @ w) / len(X_aug)
    return w - lr * grad


# ----------------------------------------------------------------------------------------- small estimators

class Perceptron:
    """Rosenblatt's perceptron as an estimator: ``fit(X, y)`` then ``predict(X)``.

    Attributes after fit: ``w_`` (d + 1,), ``mistakes_`` (mistakes per epoch), ``history_`` (w after each
    epoch, for drawing the boundary over time). ``batch=True`` trains the batch perceptron instead.
    """

    def __init__(self, max_epochs=100, batch=False, lr=1.0, eps=1e-3):
        self.max_epochs, self.batch, self.lr, self.eps = max_epochs, batch, lr, eps

    def fit(self, X, y):
        X = np.asarray(X, dtype=np.float64)
        self.w_ = np.zeros(X.shape[1] + 1)
        self.history_, self.mistakes_ = [], []
        for _ in range(self.max_epochs):
            if self.batch:
                self.w_, delta = batch_perceptron_update(self.w_, X, y, self.lr)
                self.mistakes_.append(int(np.sum(self.predict(X) != y)))
                done = np.linalg.norm(delta) < self.eps
            else:
                self.w_, [count] = train_perceptron(X, y, max_epochs=1, w0=self.w_)
                self.mistakes_.append(count)
                done = count == 0
            self.history_.append(self.w_.copy())
            if done:
                break
        return self

    def update(self, x, y):
        """One online step on one sample (for animations)."""
        self.w_ = perceptron_update(self.w_, x, y)
        return self

    def predict(self, X):
        return perceptron_predict(self.w_, X)


class Adaline:
    """ADALINE: a linear unit trained on the squared error of its linear output, thresholded to predict.

    ``batch=False`` applies the online LMS rule sample by sample (in a seeded shuffled order each epoch);
    ``batch=True`` takes one gradient step on the mean squared error per epoch. Attributes after fit:
    ``w_``, ``losses_`` (E(w) after each epoch), ``history_``.
    """

    def __init__(self, lr=0.01, max_epochs=50, batch=False, seed=0):
        self.lr, self.max_epochs, self.batch, self.seed = lr, max_epochs, batch, seed

    def fit(self, X, d):
        X = np.asarray(X, dtype=np.float64)
        rng = np.random.default_rng(self.seed)
        self.w_ = np.zeros(X.shape[1] + 1)
        self.losses_, self.history_ = [], []
        for _ in range(self.max_epochs):
            if self.batch:
                self.w_ = adaline_batch_step(self.w_, X, d, self.lr)
            else:
                for i in rng.permutation(len(X)):
                    self.w_ = adaline_update(self.w_, X[i], d[i], self.lr)
            self.losses_.append(adaline_loss(self.w_, X, d))
            self.history_.append(self.w_.copy())
        return self

    def update(self, x, d):
        """One online LMS step on one sample (for animations)."""
        self.w_ = adaline_update(self.w_, x, d, self.lr)
        return self

    def decision_function(self, X):
        return add_bias(X) @ self.w_

    def predict(self, X):
        return np.where(self.decision_function(X) >= 0, 1, -1)
