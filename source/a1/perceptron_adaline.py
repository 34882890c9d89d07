# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 1: the perceptron and ADALINE
#
# *Neural networks from first principles.* A neural network is built from units that each take a weighted sum of
# their inputs. Before stacking them, we train a single unit two ways: Rosenblatt's **perceptron**, which
# learns only from its mistakes, and Widrow and Hoff's **ADALINE**, which follows the gradient of a squared error.
# The second idea, a loss and its gradient, is the seed of everything that follows in the course.
#
# **Learning goals.** After this assignment you can
# - write a linear classifier with the bias folded in as one more weight;
# - derive and implement the perceptron's mistake-driven update, and explain why it stops on separable data
#   (with the mistake bound $(R/\gamma)^2$) and cycles on non-separable data;
# - derive the delta (LMS) rule from $\mathrm{Err} = \frac12 (d - z)^2$ and its batch version from the mean
#   squared error, and show that batch ADALINE lands on the least-squares solution.
#
# | question | function you write | points | lecture topic |
# |---|---|---|---|
# | Q1 | `perceptron_predict` | 4 | the perceptron's decision rule, bias as a weight (notes 000) |
# | Q2 | `perceptron_update` | 4 | the perceptron algorithm, $W \pm x$ updates (000, 003) |
# | Q3 | `train_perceptron` | 4 | epochs, convergence on separable data (003) |
# | Q4 | `batch_perceptron_update` | 3 | the batch perceptron and its $\epsilon$ stop (003) |
# | Q5 | `adaline_update` | 4 | ADALINE, the delta / LMS rule (000) |
# | Q6 | `adaline_batch_step` | 3 | gradient descent on the mean squared error (000) |
# | Q7 | a short written answer | 2 (graded by hand) | perceptron vs ADALINE |
#
# **How the checks work.** Under every function there is a check cell. Run it after you write the function: it
# prints which checks pass, and for each failure what differed and a hint. When your notebook is graded, hidden
# checks with other inputs run too. The grader finds your functions **by name**, so keep the names and arguments
# of the stubs. Replace every `raise NotImplementedError()` with your code.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import matplotlib.pyplot as plt
import numpy as np

from autograder import grade, when_ready
from backprop.data import will_i_pass
from backprop.linear_models import add_bias
from backprop.plots import plot_boundaries_over_epochs, plot_data, plot_linear_boundary, plot_per_epoch

# %matplotlib inline

# %% [markdown]
# ## 1. Will I pass this class?
#
# Each student is a point $x = (x_1, x_2)$: $x_1$ lectures attended and $x_2$ hours spent on the final project. The
# label is $y = +1$ (passed) or $y = -1$ (failed). `will_i_pass` generates such a class from a seed; in the
# *separable* variant some straight line splits passes from fails, in the other variant a few students near the
# line break the pattern.

# %%
X, y = will_i_pass(60, separable=True, seed=0)
X_noisy, y_noisy = will_i_pass(60, separable=False, seed=0)
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
plot_data(X, y, axes[0]).set_title("separable")
plot_data(X_noisy, y_noisy, axes[1]).set_title("not separable")
for ax in axes:
    ax.set_xlabel("$x_1$: lectures attended")
    ax.set_ylabel("$x_2$: project hours")
plt.show()

# %% [markdown]
# ## 2. The perceptron's decision rule
#
# A perceptron computes a weighted sum and thresholds it:
#
# $$\hat y = \begin{cases} +1 & \text{if } w_1 x_1 + \dots + w_d x_d + b \ge 0 \\ -1 & \text{otherwise.} \end{cases}$$
#
# **The bias as a weight.** Append a constant input $x_{d+1} = 1$ to every sample. Then
# $w_1 x_1 + \dots + w_d x_d + b = \tilde w \cdot \tilde x$ with $\tilde x = (x_1, \dots, x_d, 1)$ and
# $\tilde w = (w_1, \dots, w_d, b)$: the bias is just the weight of the constant input, and the boundary
# $\tilde w \cdot \tilde x = 0$ is a hyperplane *through the origin* of the augmented space, with $\tilde w$ its
# normal vector. From now on `w` is this augmented vector: $d$ weights, then the bias, last.
#
# **Rows are samples.** The course stores a data set as a matrix `X` of shape `(n, d)`, one sample per row. The
# lecture writes one sample as a column $x$ and the score as $W^T x$; for all samples at once that is the column
# of scores $\tilde X \tilde w$ with $\tilde X$ = `add_bias(X)` of shape `(n, d + 1)`.
#
# **Q1.** Write `perceptron_predict(w, X)`: for `X` of shape `(n, d)` and `w` of shape `(d + 1,)`, return an
# array of shape `(n,)` holding `+1` where $\tilde w \cdot \tilde x \ge 0$ and `-1` elsewhere (a point exactly on
# the boundary gets `+1`). Two lines are enough.

# %% nbgrader={"grade": false, "grade_id": "perceptron_predict", "locked": false, "schema_version": 3, "solution": true}
def perceptron_predict(w, X):
    """Labels +1 / -1 of the perceptron with augmented weights w (d + 1,) for samples X (n, d)."""
    ### BEGIN SOLUTION
    scores = add_bias(X) @ w
    return np.where(scores >= 0, 1, -1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_predict", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=71)
### END HIDDEN TESTS
grade("a1.predict")

# %% [markdown]
# ## 3. Learning from mistakes
#
# The perceptron counts a sample as a **mistake** when $y \, (\tilde w \cdot \tilde x) \le 0$: its score has the
# wrong sign (or is exactly zero). On a mistake it moves the weights towards the sample's side:
#
# $$\tilde w \leftarrow \tilde w + y \, \tilde x \qquad\text{(that is } \tilde w + \tilde x \text{ for a positive sample, } \tilde w - \tilde x \text{ for a negative one).}$$
#
# **Why this helps.** After the update the same sample has the margin
# $y\,(\tilde w + y \tilde x)\cdot \tilde x = y\,\tilde w \cdot \tilde x + y^2 \lVert \tilde x \rVert^2
# = y\,\tilde w \cdot \tilde x + \lVert \tilde x \rVert^2$: it grows by $\lVert \tilde x \rVert^2 > 0$, so the
# sample moves towards the right side of the boundary. (It may not get there in one step, and other samples may
# get worse: that is why we cycle through the data.)
#
# **Q2.** Write `perceptron_update(w, x, y)` for one sample `x` of shape `(d,)` (not augmented) with label `y`:
# return the new weights, $\tilde w + y\tilde x$ on a mistake and an unchanged copy of $\tilde w$ otherwise. Do
# not modify `w` in place.

# %% nbgrader={"grade": false, "grade_id": "perceptron_update", "locked": false, "schema_version": 3, "solution": true}
def perceptron_update(w, x, y):
    """One perceptron step on one sample x (d,) with label y = +1 or -1. Returns the new w (d + 1,)."""
    ### BEGIN SOLUTION
    x_aug = add_bias(x)
    if y * (x_aug @ w) <= 0:
        return w + y * x_aug
    return w.copy()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_update", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=72)
### END HIDDEN TESTS
grade("a1.update")

# %% [markdown]
# **Q3.** Write `train_perceptron(X, y, max_epochs=100)`. Start from $\tilde w = 0$ and repeat **epochs**: visit
# the samples in order (row 0, 1, ...), count a mistake whenever $y_i\,(\tilde w \cdot \tilde x_i) \le 0$, and
# apply `perceptron_update` to every sample. Stop after the first epoch without a mistake, or after `max_epochs`
# epochs. Return `(w, mistakes)`, where `mistakes` is the list of mistake counts, one per epoch (so it ends with
# a 0 when training converged).

# %% nbgrader={"grade": false, "grade_id": "train_perceptron", "locked": false, "schema_version": 3, "solution": true}
def train_perceptron(X, y, max_epochs=100):
    """Train a perceptron from w = 0. Returns (w, mistakes per epoch)."""
    ### BEGIN SOLUTION
    w = np.zeros(X.shape[1] + 1)
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
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=73)
### END HIDDEN TESTS
grade("a1.train")

# %% [markdown]
# ### The perceptron at work
#
# On separable data the boundary settles after a few epochs and the number of mistakes drops to zero. On the
# noisy class no line is right for everyone: every epoch makes mistakes, and the boundary keeps jumping.

# %%
def boundary_history(X, y, epochs):
    """The weights after each epoch (replayed with your perceptron_update), to draw the boundary over time."""
    w, history = np.zeros(X.shape[1] + 1), []
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            w = perceptron_update(w, x_i, y_i)
        history.append(w.copy())
    return history


with when_ready():
    w_sep, mistakes_sep = train_perceptron(X, y, max_epochs=100)
    w_noisy, mistakes_noisy = train_perceptron(X_noisy, y_noisy, max_epochs=30)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    plot_boundaries_over_epochs(boundary_history(X, y, len(mistakes_sep)), X, y, axes[0])
    axes[0].set_title(f"separable: converged after {len(mistakes_sep)} epochs")
    plot_boundaries_over_epochs(boundary_history(X_noisy, y_noisy, 30), X_noisy, y_noisy, axes[1])
    axes[1].set_title("not separable: the boundary keeps moving")
    plot_per_epoch(mistakes_sep, axes[2], label="separable")
    plot_per_epoch(mistakes_noisy, axes[2], label="not separable")
    axes[2].set_title("mistakes per epoch")
    plt.show()

# %% [markdown]
# ## 4. Why it stops: the mistake bound
#
# Suppose some unit vector $w^*$ separates the data with margin $\gamma > 0$: $y_i\, (w^* \cdot \tilde x_i) \ge
# \gamma$ for every $i$, and let $R = \max_i \lVert \tilde x_i \rVert$. Starting from $\tilde w_0 = 0$, look at the
# weights after $k$ mistakes:
#
# 1. **The alignment grows at least linearly.** Each mistake adds $y_i \tilde x_i$, so
#    $w^* \cdot \tilde w_{k} = w^* \cdot \tilde w_{k-1} + y_i\, w^* \cdot \tilde x_i \ge w^* \cdot \tilde w_{k-1} + \gamma$,
#    hence $w^* \cdot \tilde w_k \ge k\gamma$.
# 2. **The length grows at most like a square root.**
#    $\lVert \tilde w_k \rVert^2 = \lVert \tilde w_{k-1} \rVert^2 + 2 y_i\, \tilde w_{k-1} \cdot \tilde x_i + \lVert \tilde x_i \rVert^2
#    \le \lVert \tilde w_{k-1} \rVert^2 + R^2$, because the middle term is $\le 0$ on a mistake; hence
#    $\lVert \tilde w_k \rVert^2 \le k R^2$.
# 3. **Combine** with Cauchy-Schwarz, $w^* \cdot \tilde w_k \le \lVert \tilde w_k \rVert$:
#    $k\gamma \le \sqrt{k}\, R$, so $k \le (R/\gamma)^2$.
#
# The total number of mistakes is finite whatever the order of the samples: that is the convergence theorem.
# Let us check it in numbers. The class was generated so that the line $x_1 + x_2 = 11$ separates it, so
# $w^* = (1, 1, -11) / \lVert (1, 1, -11) \rVert$ is one valid choice.

# %%
w_star = np.array([1.0, 1.0, -11.0])
w_star /= np.linalg.norm(w_star)
X_aug = add_bias(X)
R = np.linalg.norm(X_aug, axis=1).max()
gamma = (y * (X_aug @ w_star)).min()
print(f"R = {R:.2f}, gamma = {gamma:.3f}, bound (R/gamma)^2 = {(R / gamma) ** 2:.0f}")
with when_ready():
    total_mistakes = sum(train_perceptron(X, y, max_epochs=100)[1])
    print(f"mistakes actually made: {total_mistakes}")
    assert gamma > 0 and total_mistakes <= (R / gamma) ** 2

# %% [markdown]
# The bound is loose (it holds for the worst order of the samples), but it is finite. On the noisy class no
# $w^*$ with $\gamma > 0$ exists, and the argument gives nothing: the perceptron never stops by itself.
#
# ## 5. The batch perceptron
#
# Instead of updating after every sample, the batch perceptron looks at the whole training set, averages the
# corrections of all the misclassified samples, and takes one step per epoch:
#
# $$\Delta = \frac1n \sum_{i\,:\, y_i (\tilde w \cdot \tilde x_i) \le 0} y_i \tilde x_i, \qquad \tilde w \leftarrow \tilde w + \eta\, \Delta,$$
#
# and it stops when the step is small, $\lVert \Delta \rVert_2 < \epsilon$. (With $\eta = 1$ and the sum instead
# of the average this is the fixed-increment perceptron.) Note that $n$ counts **all** samples, not only the
# misclassified ones.
#
# **Q4.** Write `batch_perceptron_update(w, X, y, lr)` returning the pair `(w_new, delta)`, both of shape
# `(d + 1,)`. Vectorize it: a boolean mask of the mistakes, no loop over samples.

# %% nbgrader={"grade": false, "grade_id": "batch_perceptron_update", "locked": false, "schema_version": 3, "solution": true}
def batch_perceptron_update(w, X, y, lr):
    """One epoch of the batch perceptron. Returns (w_new, delta)."""
    ### BEGIN SOLUTION
    X_aug = add_bias(X)
    wrong = y * (X_aug @ w) <= 0
    delta = (y[wrong, None] * X_aug[wrong]).sum(axis=0) / len(X)
    return w + lr * delta, delta
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_batch_update", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=74)
### END HIDDEN TESTS
grade("a1.batch_update")

# %% [markdown]
# The loop around it is short. On separable data $\lVert\Delta\rVert$ drops to exactly 0 once every sample is
# right; on the noisy class it stays up, and only `max_epochs` ends the loop.

# %%
def train_batch_perceptron(X, y, lr=1.0, eps=1e-3, max_epochs=500):
    w, norms = np.zeros(X.shape[1] + 1), []
    for _ in range(max_epochs):
        w, delta = batch_perceptron_update(w, X, y, lr)
        norms.append(np.linalg.norm(delta))
        if norms[-1] < eps:
            break
    return w, norms


with when_ready():
    w_batch, norms = train_batch_perceptron(X, y)
    _, norms_noisy = train_batch_perceptron(X_noisy, y_noisy)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    plot_data(X, y, axes[0])
    plot_linear_boundary(w_batch, X, axes[0], color="k", label="batch perceptron")
    axes[0].set_title(f"stopped after {len(norms)} epochs")
    plot_per_epoch(np.maximum(norms, 1e-3), axes[1], ylabel=r"$\|\Delta\|_2$ (floored at 1e-3)", label="separable",
                   logy=True)
    plot_per_epoch(norms_noisy, axes[1], ylabel=r"$\|\Delta\|_2$", label="not separable", logy=True)
    plt.show()

# %% [markdown]
# ## 6. ADALINE and the delta rule
#
# The perceptron's criterion, the number of mistakes, is flat almost everywhere: it has no useful gradient.
# ADALINE (*adaptive linear neuron*) keeps the threshold only to **predict**, and during learning treats the
# **linear output** $z = \tilde w \cdot \tilde x$ as the answer, measuring its squared error against the target
# $d$ (here $d = \pm 1$):
#
# $$\mathrm{Err}(\tilde w) = \tfrac12 (d - z)^2, \qquad z = \tilde w \cdot \tilde x = \sum_j w_j x_j.$$
#
# **Derivation.** By the chain rule, with $\partial z / \partial w_j = x_j$,
#
# $$\frac{\partial\, \mathrm{Err}}{\partial w_j} = \frac{\partial\, \mathrm{Err}}{\partial z}\,\frac{\partial z}{\partial w_j} = -(d - z)\, x_j .$$
#
# A gradient step of size $\eta$ is $w_j \leftarrow w_j - \eta\, \partial \mathrm{Err} / \partial w_j$, that is
#
# $$\delta = d - z, \qquad w_j \leftarrow w_j + \eta\, \delta\, x_j \quad\text{for every } j \text{ (the bias included, with } x_{d+1} = 1).$$
#
# This is the **delta rule**, also called the **LMS** (least mean squares) or Widrow-Hoff rule. Unlike the
# perceptron it changes the weights on *every* sample, in proportion to how far the linear output is from the
# target, even when the thresholded label is already right.
#
# **Q5.** Write `adaline_update(w, x, d, lr)` for one sample `x` of shape `(d,)`: return
# $\tilde w + \eta\,(d - z)\,\tilde x$. Use the linear output $z$, not the thresholded label.

# %% nbgrader={"grade": false, "grade_id": "adaline_update", "locked": false, "schema_version": 3, "solution": true}
def adaline_update(w, x, d, lr):
    """One delta-rule (LMS) step on one sample x (d,) with target d. Returns the new w (d + 1,)."""
    ### BEGIN SOLUTION
    x_aug = add_bias(x)
    z = x_aug @ w
    return w + lr * (d - z) * x_aug
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lms", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=75)
### END HIDDEN TESTS
grade("a1.lms")

# %% [markdown]
# ## 7. Batch ADALINE is least squares
#
# Averaging the squared error over the whole training set gives the mean squared error
#
# $$E(\tilde w) = \frac{1}{2n} \sum_{i=1}^n \big(d_i - \tilde w \cdot \tilde x_i\big)^2 = \frac{1}{2n} \lVert d - \tilde X \tilde w \rVert^2 .$$
#
# Summing the per-sample gradients of section 6 and dividing by $n$, in matrix form:
#
# $$\nabla E(\tilde w) = -\frac1n \sum_i (d_i - \tilde w\cdot\tilde x_i)\, \tilde x_i = -\frac1n \tilde X^T (d - \tilde X \tilde w).$$
#
# $E$ is a convex quadratic, so its minimum is where the gradient vanishes: $\tilde X^T \tilde X\, \tilde w =
# \tilde X^T d$, the *normal equations* of least squares. Gradient descent with a small enough step therefore
# converges to the least-squares solution that `np.linalg.lstsq` computes directly.
#
# **Q6.** Write `adaline_batch_step(w, X, d, lr)`: one step $\tilde w - \eta \nabla E(\tilde w)$ on the whole data
# set, vectorized. Return the new weights.

# %% nbgrader={"grade": false, "grade_id": "adaline_batch_step", "locked": false, "schema_version": 3, "solution": true}
def adaline_batch_step(w, X, d, lr):
    """One batch gradient-descent step on E(w) = 1/(2n) ||d - X~ w||^2. Returns the new w (d + 1,)."""
    ### BEGIN SOLUTION
    X_aug = add_bias(X)
    grad = -X_aug.T @ (d - X_aug @ w) / len(X)
    return w - lr * grad
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_batch_step", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=76)
### END HIDDEN TESTS
grade("a1.batch_step")

# %% [markdown]
# ### ADALINE settles, even on the noisy class
#
# The features range over 0 to 12 while the bias input is always 1, so $E$ is a long, narrow valley: a step
# size safe for the steep directions is slow along the flat one. We take many cheap steps and watch $E$ on a
# log scale, then compare with `np.linalg.lstsq`. Unlike the perceptron, ADALINE converges on the noisy class
# too: it minimizes a smooth loss that has a minimum whether or not the classes are separable.

# %%
def mse(w, X, d):
    r = d - add_bias(X) @ w
    return 0.5 * np.mean(r ** 2)


def train_adaline(X, d, lr=0.015, steps=20000):
    w, losses = np.zeros(X.shape[1] + 1), []
    for _ in range(steps):
        w = adaline_batch_step(w, X, d, lr)
        losses.append(mse(w, X, d))
    return w, losses


with when_ready():
    w_ada, losses = train_adaline(X_noisy, y_noisy.astype(float))
    w_lstsq = np.linalg.lstsq(add_bias(X_noisy), y_noisy.astype(float), rcond=None)[0]
    print("batch ADALINE:", np.round(w_ada, 5))
    print("lstsq:        ", np.round(w_lstsq, 5))
    print(f"largest difference: {np.abs(w_ada - w_lstsq).max():.1e}")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    plot_data(X_noisy, y_noisy, axes[0])
    plot_linear_boundary(w_ada, X_noisy, axes[0], color="k", label="ADALINE")
    w_perceptron = train_perceptron(X_noisy, y_noisy, max_epochs=30)[0]
    plot_linear_boundary(w_perceptron, X_noisy, axes[0], color="tab:orange", ls="--", label="perceptron, epoch 30")
    axes[0].legend(fontsize="small")
    axes[0].set_title("the noisy class")
    axes[1].plot(np.array(losses) - mse(w_lstsq, X_noisy, y_noisy), lw=1)
    axes[1].set_yscale("log")
    axes[1].set_xlabel("gradient step")
    axes[1].set_ylabel(r"$E(w) - E(w_{\mathrm{lstsq}})$")
    axes[1].set_title("batch ADALINE approaches the least-squares optimum")
    plt.show()

# %% [markdown]
# ## 8. Q7: perceptron or ADALINE? (2 points, graded by hand)
#
# In three to five sentences: what does each of the two rules minimize, why does the perceptron cycle on the noisy
# class while ADALINE settles, and why can ADALINE's boundary still misclassify points that a separating line
# would get right on separable data?

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# The perceptron reduces the number of mistakes, a piecewise-constant criterion, by correcting one misclassified
# sample at a time; on non-separable data some sample is always wrong, so every epoch changes the weights and
# the boundary never settles. ADALINE minimizes the mean squared error of the *linear* output, a smooth convex
# function with a unique minimum (the least-squares solution) that exists for any data, so gradient descent
# settles there. But least squares also penalizes correctly classified points whose score is far from +-1, so
# points far from the boundary can pull it, and it may misclassify samples that some line would separate.
# ### END SOLUTION

# %% [markdown]
# ## What's next
#
# ADALINE's recipe, a differentiable loss, its gradient by the chain rule, and a step against it, is all of
# training. Assignment 2 derives losses from likelihoods and builds the gradient check you will use for every
# derivative in the course.
