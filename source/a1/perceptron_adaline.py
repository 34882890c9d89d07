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
# - derive the perceptron's mistake-driven update, trace it by hand, implement it, and explain why it stops on
#   separable data (the mistake bound $(R/\gamma)^2$) and cycles on non-separable data;
# - derive ADALINE's delta (LMS) rule from the squared error of one sample, and the gradient of the mean squared
#   error of a whole batch in matrix form, and show that batch ADALINE lands on the least-squares solution.
#
# | question | kind | what you write | points | lecture topic |
# |---|---|---|---|---|
# | Q1 | implement | `perceptron_predict` | 4 | the perceptron's decision rule, the bias as one more weight (notes 000) |
# | Q2 | derive | `dJ_dw`, `w_next`, `margin_gain` | 3 | the perceptron's update derived from its mistake condition (notes 000, 003) |
# | Q3 | implement | `perceptron_update` | 4 | the perceptron's update in code, and its tie rule (notes 000, 003) |
# | Q4 | derive | `w1_after_epoch`, `w2_after_epoch`, `b_after_epoch`, `mistakes_in_epoch` | 4 | one epoch of the perceptron traced by hand, ties included (notes 003) |
# | Q5 | implement | `train_perceptron` | 4 | epochs, and convergence on separable data (notes 003) |
# | Q6 | implement | `batch_perceptron_update` | 3 | the batch perceptron and its ε stop (notes 003) |
# | Q7 | derive | `dErr_dz`, `dErr_dw`, `w_next_lms` | 3 | ADALINE: the delta (LMS) rule derived by the chain rule (notes 000) |
# | Q8 | implement | `adaline_update` | 4 | ADALINE's online update in code (notes 000) |
# | Q9 | derive | `grad_E`, `dE_dw1`, `dE_db` | 4 | the gradient of the mean squared error over a batch, in matrix form (notes 000) |
# | Q10 | implement | `adaline_batch_step` | 3 | batch gradient descent on the mean squared error, and least squares (notes 000) |
# | Q11 | explain | a written answer | 2 (graded by hand) | the perceptron and ADALINE compared: what each minimizes |
#
# **Two kinds of question.** A *derive* question (Q2, Q4, Q7, Q9) comes before the code that uses its result: you
# work the result out on paper and type it between the quotes of an answer cell, as Python arithmetic (`*`, `/`,
# `**`, `@` and `.T` for matrices) in the names the question gives, or as a number. Any equivalent form is accepted.
# An *implement* question asks for a function. Under every answer there is a check cell: run it, and it says which
# checks pass and, for each failure, what differed and which step to revisit. When your notebook is graded, hidden
# checks with other inputs run too. The grader finds your answers **by name**, so keep the names of the variables,
# and the names and arguments of the stubs. Replace every `raise NotImplementedError()`.
#
# **After trying, not before:** walkthrough 1 (`course/walkthroughs/01_perceptron_adaline.ipynb`) works out every
# step: its sections 3 and 4 for Q2-Q5, section 7 for Q6, section 8 for Q7-Q10.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
try:
    from autograder import grade, summary, when_ready
except ModuleNotFoundError:
    raise SystemExit("This notebook needs the course's package: install it as the course README says "
                     "(pip install . in the course folder), then restart the kernel.") from None
import matplotlib.pyplot as plt
import numpy as np

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
# array of shape `(n,)` holding `+1` where $\tilde w \cdot \tilde x \ge 0$ and `-1` elsewhere. A point exactly on
# the boundary (score 0) is predicted `+1`. Two lines are enough.

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
# wrong sign, or is exactly zero. On a mistake it changes the weights; on a correctly classified sample it leaves
# them alone.
#
# **The tie rule, where prediction and learning meet.** `perceptron_predict` says $+1$ at a score of exactly 0, but
# the mistake test counts a score of 0 as a mistake *for either label*, a positive sample included. The two rules
# answer different questions: predicting needs some label for a point on the boundary, while learning asks whether
# the sample is on its side with room to spare, and a point on the boundary is not. The tie matters most at the
# start: from $\tilde w = 0$ every score is 0, so the first sample is always a mistake, whatever its label. (Were a
# score of 0 right for $y = +1$, a perceptron started at 0 on positive samples would never move.)
#
# **Which way to move: derive it.** A mistake can be measured: on one sample let
#
# $$J(\tilde w) = \max\big(0,\; -y\, \tilde w \cdot \tilde x\big),$$
#
# the *perceptron criterion*. It is 0 on a sample classified right with a positive score, and on a mistake it is
# $-y\,\tilde w \cdot \tilde x \ge 0$, which grows the deeper the sample lies on the wrong side. The perceptron's
# update is one gradient step on $J$, with step size 1.
#
# **Q2 (derive).** On a mistake, with $\tilde w \cdot \tilde x = \sum_j w_j x_j$ (the last $x_j$ is the constant 1
# that carries the bias), work out:
# 1. `dJ_dw`: $\partial J / \partial w_j$, as an expression in `y` and `x` (here `x` stands for the component
#    $x_j$ of the augmented sample);
# 2. `w_next`: the weight $w_j$ after one gradient step on $J$ with step size 1, in `w` (the old $w_j$), `y` and
#    `x`;
# 3. `margin_gain`: how much the same sample's margin $y\,(\tilde w \cdot \tilde x)$ grows from before the
#    update to after it, as an expression in `q` $= \lVert \tilde x \rVert^2$ alone (a label has $y^2 = 1$).
#
# Write each result between the quotes below, in place of the two stub lines. The third result says whether one
# update is enough to put the sample right.

# %% [markdown]
# **Your working.** Use this cell for your derivation if you like (double-click to edit); it is not graded.
#
# ### BEGIN SOLUTION
# *Worked derivation.* On a mistake $J = -y \sum_k w_k x_k$, a linear function of the weights, so
# $\partial J / \partial w_j = -y\, x_j$. A gradient step of size 1 subtracts it:
#
# $$w_j \leftarrow w_j - (-y\, x_j) = w_j + y\, x_j, \qquad\text{that is}\qquad \tilde w \leftarrow \tilde w + y\,\tilde x:$$
#
# $\tilde w + \tilde x$ for a misclassified positive sample, $\tilde w - \tilde x$ for a negative one.
#
# **Why this helps.** After the update the same sample has the margin
# $y\,(\tilde w + y \tilde x)\cdot \tilde x = y\,\tilde w \cdot \tilde x + y^2 \lVert \tilde x \rVert^2$: it grows by
# $y^2 \lVert \tilde x \rVert^2 = q > 0$, so the sample moves towards the right side of the boundary. It may not get
# there in one step (when its margin was below $-q$), and other samples may get worse: that is why we cycle through
# the data.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "perceptron_rule_answer", "locked": false, "schema_version": 3, "solution": true}
dJ_dw = """
### BEGIN SOLUTION
-y * x
### END SOLUTION
"""
w_next = """
### BEGIN SOLUTION
w + y * x
### END SOLUTION
"""
margin_gain = """
### BEGIN SOLUTION
q
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_perceptron_rule", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=77)
### END HIDDEN TESTS
grade("a1.perceptron_rule")

# %% [markdown]
# **Q3.** Write `perceptron_update(w, x, y)` for one sample `x` of shape `(d,)` (not augmented) with label `y`:
# on a mistake (the test above, ties included), return the weights after the update you derived in Q2; otherwise
# return an unchanged copy of `w`. Do not modify `w` in place. Four lines; `add_bias(x)` appends the 1.

# %% nbgrader={"grade": false, "grade_id": "perceptron_update", "locked": false, "schema_version": 3, "solution": true}
def perceptron_update(w, x, y):
    """One perceptron step on one sample x (d,) with label y = +1 or -1. Returns the new w (d + 1,); w itself is
    left unchanged."""
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
# ### One epoch by hand
#
# Before the loop, trace it on paper. Four students with two features each, visited in this order, starting from
# $\tilde w = (w_1, w_2, b) = (0, 0, 0)$:
#
# | row | $x_1$ | $x_2$ | $y$ |
# |---|---|---|---|
# | 1 | 1 | 2 | +1 |
# | 2 | 2 | −1 | −1 |
# | 3 | 0 | 1 | +1 |
# | 4 | 3 | 1 | +1 |
#
# **Q4 (derive, numbers by hand).** Visit the four rows once, in order, applying the mistake test and your update
# at each row. Enter `w1_after_epoch`, `w2_after_epoch` and `b_after_epoch`, the three weights after the fourth row,
# and `mistakes_in_epoch`, the number of rows whose mistake test fired. Numbers (or arithmetic on numbers) between
# the quotes. Watch the scores of exactly 0.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked trace.* Row 1: the score of $\tilde w = 0$ is 0, a mistake (the tie rule), so
# $\tilde w = 0 + (1, 2, 1) = (1, 2, 1)$. Row 2: score $2 - 2 + 1 = 1$, and $y \cdot 1 = -1 \le 0$, a mistake:
# $\tilde w = (1, 2, 1) - (2, -1, 1) = (-1, 3, 0)$. Row 3: score $0 + 3 + 0 = 3 > 0$ with $y = +1$, right, no
# change. Row 4: score $-3 + 3 + 0 = 0$, a tie, so a mistake again: $\tilde w = (-1, 3, 0) + (3, 1, 1) = (2, 4, 1)$.
# Three mistakes; $w_1 = 2$, $w_2 = 4$, $b = 1$. (Without the tie rule nothing would ever move: every score stays 0.)
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "perceptron_by_hand_answer", "locked": false, "schema_version": 3, "solution": true}
w1_after_epoch = """
### BEGIN SOLUTION
2
### END SOLUTION
"""
w2_after_epoch = """
### BEGIN SOLUTION
4
### END SOLUTION
"""
b_after_epoch = """
### BEGIN SOLUTION
1
### END SOLUTION
"""
mistakes_in_epoch = """
### BEGIN SOLUTION
3
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_perceptron_by_hand", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=78)
### END HIDDEN TESTS
grade("a1.perceptron_by_hand")

# %% [markdown]
# **Q5.** Write `train_perceptron(X, y, max_epochs=100)`. Start from $\tilde w = 0$ and repeat **epochs**: visit
# the samples in order (row 0, 1, ...), count a mistake whenever $y_i\,(\tilde w \cdot \tilde x_i) \le 0$, and
# apply `perceptron_update` to every sample. Stop after the first epoch without a mistake, or after `max_epochs`
# epochs. Return `(w, mistakes)`, where `mistakes` is the list of mistake counts, one per epoch (so it ends with
# a 0 when training converged). Your Q4 trace is the first epoch of such a loop.

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
# 1. **The alignment grows at least linearly.** Each mistake, on a sample $i$, makes the update of Q2, so
#    $w^* \cdot \tilde w_{k} = w^* \cdot \tilde w_{k-1} + y_i\, w^* \cdot \tilde x_i \ge w^* \cdot \tilde w_{k-1} + \gamma$,
#    hence $w^* \cdot \tilde w_k \ge k\gamma$.
# 2. **The length grows at most like a square root.**
#    $\lVert \tilde w_k \rVert^2 = \lVert \tilde w_{k-1} \rVert^2 + 2 y_i\, \tilde w_{k-1} \cdot \tilde x_i + \lVert \tilde x_i \rVert^2
#    \le \lVert \tilde w_{k-1} \rVert^2 + R^2$, because the middle term is $\le 0$ on a mistake; hence
#    $\lVert \tilde w_k \rVert^2 \le k R^2$.
# 3. **Combine** with Cauchy-Schwarz, $w^* \cdot \tilde w_k \le \lVert \tilde w_k \rVert$:
#    $k\gamma \le \sqrt{k}\, R$, so $k \le (R/\gamma)^2$.
#
# The total number of mistakes is finite whatever the order of the samples: that is the **perceptron convergence
# theorem**. It was proved in 1962, independently, by H. D. Block and by A. B. J. Novikoff; the three steps above are
# Novikoff's argument, which is why the bound $(R/\gamma)^2$ often carries his name. Let us check it in numbers. The class was generated so that the line $x_1 + x_2 = 11$ separates it, so
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
# misclassified ones. Compare with Q2: $-\Delta$ is the gradient of the perceptron criterion $J$ averaged over all
# $n$ samples (a correctly classified sample contributes 0), so this is plain gradient descent on that average.
#
# **Q6.** Write `batch_perceptron_update(w, X, y, lr)` returning the pair `(w_new, delta)`, both of shape
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
# $$\mathrm{Err}(\tilde w) = \tfrac12 (d - z)^2, \qquad z = \tilde w \cdot \tilde x = \sum_j w_j x_j .$$
#
# Learning is gradient descent on $\mathrm{Err}$, one sample at a time: a step of size $\eta$ against
# $\partial\, \mathrm{Err} / \partial w_j$, for every $j$, the bias included (its input $x_{d+1}$ is 1).
#
# **Q7 (derive).** Work out, by the chain rule through $z$:
# 1. `dErr_dz`: $\partial\, \mathrm{Err} / \partial z$, in `d` and `z`;
# 2. `dErr_dw`: $\partial\, \mathrm{Err} / \partial w_j$, in `d`, `z` and `x` (`x` stands for $x_j$);
# 3. `w_next_lms`: the weight $w_j$ after one gradient step of size $\eta$, in `w`, `eta`, `d`, `z` and `x`.
#
# The result of step 3 is the **delta rule**, also called the **LMS** (least mean squares) or Widrow-Hoff rule.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* With $u = d - z$, $\mathrm{Err} = \tfrac12 u^2$ and $\partial u / \partial z = -1$, so
# $\partial\,\mathrm{Err} / \partial z = u \cdot (-1) = z - d$. Since $z = \sum_k w_k x_k$, $\partial z / \partial w_j = x_j$,
# and by the chain rule
#
# $$\frac{\partial\, \mathrm{Err}}{\partial w_j} = \frac{\partial\, \mathrm{Err}}{\partial z}\,\frac{\partial z}{\partial w_j} = -(d - z)\, x_j .$$
#
# A step against it: with $\delta = d - z$, $\; w_j \leftarrow w_j - \eta\,(z - d)\,x_j = w_j + \eta\, \delta\, x_j$, or for
# the whole vector $\tilde w \leftarrow \tilde w + \eta\,(d - z)\,\tilde x$. Unlike the perceptron it changes the weights on
# *every* sample, in proportion to how far the linear output is from the target, even when the thresholded label
# is already right.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "delta_rule_answer", "locked": false, "schema_version": 3, "solution": true}
dErr_dz = """
### BEGIN SOLUTION
z - d
### END SOLUTION
"""
dErr_dw = """
### BEGIN SOLUTION
(z - d) * x
### END SOLUTION
"""
w_next_lms = """
### BEGIN SOLUTION
w + eta * (d - z) * x
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_delta_rule", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=79)
### END HIDDEN TESTS
grade("a1.delta_rule")

# %% [markdown]
# **Q8.** Write `adaline_update(w, x, d, lr)` for one sample `x` of shape `(d,)` (not augmented) with target `d`:
# return the weights after the step of Q7 with $\eta$ = `lr`, for all the weights at once. Use the linear output
# $z$, not the thresholded label. Three lines.

# %% nbgrader={"grade": false, "grade_id": "adaline_update", "locked": false, "schema_version": 3, "solution": true}
def adaline_update(w, x, d, lr):
    """One delta-rule (LMS) step on one sample x (d,) with target d and step size lr. Returns the new w (d + 1,)."""
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
# $$E(\tilde w) = \frac{1}{2n} \sum_{i=1}^n \big(d_i - \tilde w \cdot \tilde x_i\big)^2 = \frac{1}{2n} \lVert d - \tilde X \tilde w \rVert^2 ,$$
#
# with the $n$ augmented samples as the rows of $\tilde X$ and the targets in the column $d$.
#
# **Q9 (derive).** In matrix form, with `X` the matrix $\tilde X$ of shape `(n, k)` (so $k = d + 1$), `w` the column
# $\tilde w$ of shape `(k, 1)`, `d` the column of targets of shape `(n, 1)` and `n` the number of samples:
# 1. `grad_E`: the gradient $\nabla E(\tilde w)$, a column shaped like `w`, as an expression in `X`, `w`, `d` and `n`
#    (`@` for the matrix product, `.T` for the transpose). The grader checks it on random matrices;
# 2. by hand, for two samples with one feature, $x = 1$ and $x = 2$, with targets $d = 1$ and $d = -1$, at the weights
#    $\tilde w = (w_1, b) = (1, 0)$: the two entries of the gradient, `dE_dw1` $= \partial E / \partial w_1$ and
#    `dE_db` $= \partial E / \partial b$, as numbers.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* Summing the per-sample gradients of Q7 and dividing by $n$:
# $\nabla E = -\frac1n \sum_i (d_i - \tilde w\cdot\tilde x_i)\, \tilde x_i$. The sum of the rows of $\tilde X$ weighted by the
# residuals $r_i = d_i - \tilde w \cdot \tilde x_i$ is $\tilde X^T r$, so
#
# $$\nabla E(\tilde w) = -\frac1n \tilde X^T (d - \tilde X \tilde w) = \frac1n \tilde X^T (\tilde X \tilde w - d),$$
#
# a $(k, n)$ matrix times an $(n, 1)$ column: shape $(k, 1)$, like $\tilde w$. (Directly: $E = \frac{1}{2n} r^T r$ with
# $r = d - \tilde X \tilde w$, and $\partial (r^T r) / \partial \tilde w = -2 \tilde X^T r$.)
#
# By hand: $\tilde X = \begin{pmatrix} 1 & 1 \\ 2 & 1 \end{pmatrix}$, $\tilde X \tilde w = (1, 2)$, residuals
# $d - \tilde X \tilde w = (0, -3)$, $\tilde X^T (0, -3) = (-6, -3)$, and $\nabla E = -\tfrac12 (-6, -3) = (3, 1.5)$.
#
# At a minimum the gradient vanishes: $\tilde X^T \tilde X\, \tilde w = \tilde X^T d$, the normal equations.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "mse_gradient_answer", "locked": false, "schema_version": 3, "solution": true}
grad_E = """
### BEGIN SOLUTION
X.T @ (X @ w - d) / n
### END SOLUTION
"""
dE_dw1 = """
### BEGIN SOLUTION
3
### END SOLUTION
"""
dE_db = """
### BEGIN SOLUTION
1.5
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_mse_gradient", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=80)
### END HIDDEN TESTS
grade("a1.mse_gradient")

# %% [markdown]
# **Where the minimum is.** $E$ is a convex quadratic, so its minima are exactly the points where your gradient
# vanishes: a system of $k$ linear equations in $\tilde w$, the *normal equations* of least squares, whose matrix is
# $\tilde X^T \tilde X$. The minimum is **unique only when $\tilde X^T \tilde X$ is invertible**, that is when the columns
# of $\tilde X$ are linearly independent. When they are not (say one feature is a multiple of another, or is constant
# and so a multiple of the bias column), a whole line or plane of weights reaches the same smallest error. Here the columns are
# independent, so gradient descent with a small enough step converges to the single least-squares solution that
# `np.linalg.lstsq` computes directly.
#
# **Q10.** Write `adaline_batch_step(w, X, d, lr)`: one step against your gradient of Q9 on the whole data set,
# with `w` and `d` the 1-D arrays of shapes `(d + 1,)` and `(n,)` the code uses, vectorized (no loop over samples).
# Return the new weights. Three lines.

# %% nbgrader={"grade": false, "grade_id": "adaline_batch_step", "locked": false, "schema_version": 3, "solution": true}
def adaline_batch_step(w, X, d, lr):
    """One batch gradient-descent step of size lr on E(w) = 1/(2n) ||d - X~ w||^2, with X~ = add_bias(X) (n, d + 1).
    Returns the new w (d + 1,)."""
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
# ## 8. Q11: perceptron or ADALINE? (2 points, graded by hand)
#
# In three to five sentences: what does each of the two rules minimize, why does the perceptron cycle on the noisy
# class while ADALINE settles, and why can ADALINE's boundary still misclassify points that a separating line
# would get right on separable data?

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# The perceptron reduces the number of mistakes, a piecewise-constant criterion, by correcting one misclassified
# sample at a time; on non-separable data some sample is always wrong, so every epoch changes the weights and
# the boundary never settles. ADALINE minimizes the mean squared error of the *linear* output, a smooth convex
# function whose minimum (the least-squares solution, unique when the columns of the augmented inputs are linearly
# independent, as here) exists for any data, separable or not, so gradient descent settles there. But least squares also penalizes correctly classified points whose score is far from +-1, so
# points far from the boundary can pull it, and it may misclassify samples that some line would separate.
# ### END SOLUTION

# %% [markdown]
# ## What's next
#
# ADALINE's recipe, a differentiable loss, its gradient by the chain rule, and a step against it, is all of
# training. Assignment 2 derives losses from likelihoods and builds the gradient check you will use for every
# derivative in the course.
#
# **Now that you have tried every question**, walkthrough 1 (`course/walkthroughs/01_perceptron_adaline.ipynb`)
# works each derivation out step by step: compare it with yours.
#
# ## Where you stand, and how to hand in
#
# The cell below lists where the public checks of each question stand. To hand in: save the notebook (Ctrl-S),
# then submit this `.ipynb` file as your course says: from the Assignments tab if you work on the course's
# JupyterHub, or by uploading it to the course's learning platform. Keep its file name.

# %%
summary("a1")
