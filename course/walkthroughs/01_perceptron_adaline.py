# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Walkthrough 1: the perceptron and ADALINE
#
# *Neural networks from first principles, unit 1 (self-study).* Every step is derived and every claim is shown
# with a number or a plot. Nothing here is graded: read it, re-run it, change the numbers. The graded exercises
# of this unit are in assignment 1 (pointers at the end).
#
# **You will see**
# 1. a linear threshold unit, and why the bias is "just another weight";
# 2. Rosenblatt's perceptron rule ($W \pm x$ on mistakes), traced update by update;
# 3. the convergence theorem, proved and then checked against experiments with shrinking margins;
# 4. what goes wrong without separability, and the batch perceptron with its $\epsilon$ stop;
# 5. ADALINE: the delta (LMS) rule derived from a squared error, and its batch form landing on least squares;
# 6. the generalized delta rule for a differentiable activation, the step towards backpropagation.
#
# **Notation.** The lecture notes write one sample as a column $x$ and a score as $w^T x + b$; the code keeps
# samples in the rows of `X` (shape `(n, d)`) and computes all scores at once as `X @ w + b`. See
# [the notation guide](../notation.md) for the full translation.

# %%
import matplotlib.pyplot as plt
import numpy as np

from backprop import linear_models as lm
from backprop.activations import sigmoid
from backprop.data import will_i_pass
from backprop.plots import plot_boundaries_over_epochs, plot_data, plot_linear_boundary, plot_per_epoch

# %matplotlib inline
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. Will I pass this class?
#
# The lecture's running example has two features per student: $x_1$, the number of lectures attended, and
# $x_2$, the hours spent on the final project. The label is $y = +1$ (pass) or $y = -1$ (fail).
# `will_i_pass` draws such a class from a seed; with `separable=True` the line $x_1 + x_2 = 11$ separates passes
# from fails with a margin, with `separable=False` a few students near the line break the pattern.

# %%
X, y = will_i_pass(60, separable=True, seed=0)
Xn, yn = will_i_pass(60, separable=False, seed=0)
print("first three students:\n", X[:3], "labels", y[:3])
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
plot_data(X, y, axes[0]).set_title("separable class")
plot_data(Xn, yn, axes[1]).set_title("not separable: a few exceptions")
for ax in axes:
    ax.set_xlabel("$x_1$ lectures attended")
    ax.set_ylabel("$x_2$ project hours")
plt.show()

# %% [markdown]
# ## 2. A linear threshold unit, and the bias as a weight
#
# The perceptron predicts
#
# $$\hat y = \operatorname{sign}(w_1 x_1 + w_2 x_2 + b), \qquad \operatorname{sign}(0) = +1 .$$
#
# **Step 1: fold the bias in.** Append a constant input $x_3 = 1$ to every sample. With $\tilde x = (x_1, x_2, 1)$
# and $\tilde w = (w_1, w_2, b)$,
#
# $$w_1 x_1 + w_2 x_2 + b = \tilde w^T \tilde x .$$
#
# **Step 2: read it as geometry.** $\tilde w^T \tilde x = 0$ is a plane through the origin of the 3-D augmented
# space, with normal vector $\tilde w$; samples on the side $\tilde w$ points to get $+1$. In the original plane
# the boundary is the line $w_1 x_1 + w_2 x_2 + b = 0$, and $(w_1, w_2)$ is its normal.
#
# In code, `lm.add_bias(X)` appends the column of ones, and every weight vector in `backprop.linear_models` is
# `[w_1, ..., w_d, b]`, bias last.

# %%
w = np.array([1.0, 1.0, -11.0])  # the line x1 + x2 = 11, normal (1, 1)
X_aug = lm.add_bias(X)
print("augmented shape:", X_aug.shape, " first row:", X_aug[0])
print("scores w~ . x~ of the first three:", X_aug[:3] @ w, "-> labels", lm.perceptron_predict(w, X[:3]))
print("accuracy of this hand-made line:", np.mean(lm.perceptron_predict(w, X) == y))

ax = plot_data(X, y)
plot_linear_boundary(w, X, ax, color="k", label="$x_1 + x_2 - 11 = 0$")
ax.annotate("", xy=(6.5, 6.5), xytext=(5.5, 5.5), arrowprops=dict(arrowstyle="->", lw=2))
ax.text(6.6, 6.0, "normal $(w_1, w_2)$\npoints to $+1$", fontsize=9)
ax.legend(fontsize="small")
ax.set_title("a hyperplane and its normal vector")
plt.show()

# %% [markdown]
# ## 3. The perceptron rule, one update at a time
#
# The learning criterion is the number of misclassified samples. A sample is a **mistake** when
# $y\,\tilde w^T\tilde x \le 0$ (wrong sign, or exactly on the boundary). Cycling through the samples, the
# perceptron changes the weights only on a mistake:
#
# $$\text{positive sample: } \tilde w \leftarrow \tilde w + \tilde x, \qquad \text{negative sample: } \tilde w \leftarrow \tilde w - \tilde x,
# \qquad\text{i.e. } \tilde w \leftarrow \tilde w + y\,\tilde x .$$
#
# **Where the rule comes from.** Measure a mistake by the *perceptron criterion* of one sample,
# $J(\tilde w) = \max(0, -y\,\tilde w^T\tilde x)$: zero on a sample on its side, and on a mistake
# $J = -y\sum_k w_k x_k$, linear in the weights. So on a mistake
#
# $$\frac{\partial J}{\partial w_j} = -y\,x_j, \qquad w_j \leftarrow w_j - 1\cdot(-y\,x_j) = w_j + y\,x_j :$$
#
# the perceptron rule is one gradient step of size 1 on $J$. (At a tie, $\tilde w^T\tilde x = 0$, $J$ has a kink;
# the rule takes the mistake side's slope, which is what lets it start from $\tilde w = 0$.)
#
# **Why it helps.** After the update the same sample's margin is
# $y(\tilde w + y\tilde x)^T \tilde x = y\,\tilde w^T\tilde x + y^2\lVert\tilde x\rVert^2 = y\,\tilde w^T\tilde x + \lVert\tilde x\rVert^2$:
# it grows by $\lVert\tilde x\rVert^2 > 0$. The sample is pushed towards its correct side (perhaps not all the way).
#
# **The same rule with 0/1 labels.** Notes 003 write $\theta \leftarrow \theta + \alpha\,(y - h(x))\,x$ with
# $y, h(x) \in \{0, 1\}$: when the output is right, $y - h = 0$ and nothing changes; when it is too low,
# $y - h = +1$ and the input is added; too high, $-1$ and it is subtracted. With $\alpha = 1$ this is exactly
# $\tilde w \pm \tilde x$. We trace the first updates from $\tilde w = 0$ and check the margin claim on each.

# %%
w = np.zeros(3)
snapshots = [w]
print(" i   x_i            y   margin before   margin after   ||x~||^2")
for i in range(8):
    x_i, y_i = X[i], y[i]
    before = y_i * lm.add_bias(x_i) @ w
    w_new = lm.perceptron_update(w, x_i, y_i)
    after = y_i * lm.add_bias(x_i) @ w_new
    if before <= 0:  # a mistake: the margin must grow by exactly ||x~||^2
        assert np.isclose(after - before, lm.add_bias(x_i) @ lm.add_bias(x_i))
        snapshots.append(w_new)
    print(f"{i:2d}  {x_i}  {y_i:+d}   {before:12.2f}   {after:12.2f}   {lm.add_bias(x_i) @ lm.add_bias(x_i):8.2f}"
          + ("   <- update" if before <= 0 else ""))
    w = w_new

# the 0/1 form of notes 003 gives the same weights
theta = np.zeros(3)
for x_i, y_i in zip(X[:8], y[:8]):
    y01, score = (y_i + 1) // 2, lm.add_bias(x_i) @ theta
    h01 = 1 - y01 if score == 0 else int(score > 0)  # a score of exactly 0 counts as wrong, as in the +-1 form
    theta = theta + (y01 - h01) * lm.add_bias(x_i)
print("same weights with the 0/1 form:", np.allclose(theta, w))

# %% [markdown]
# (The 0/1 form needs the same tie rule as ours, "a score of exactly 0 is a mistake whatever the label", to start
# from $\tilde w = 0$: with $h = 1$ at a score of 0, a first sample with $y = 1$ would never be corrected.) The boundary after each update (after the
# first one the line lies outside the square: every student there is predicted to fail):

# %%
fig, axes = plt.subplots(1, len(snapshots) - 1, figsize=(3.2 * (len(snapshots) - 1), 3), sharey=True)
for k, ax in enumerate(np.atleast_1d(axes)):
    plot_data(X[:8], y[:8], ax)
    plot_linear_boundary(snapshots[k + 1], X, ax, color="k")
    ax.get_legend().remove()
    ax.set_title(f"after update {k + 1}", fontsize=10)
plt.show()

# %% [markdown]
# ### One epoch by hand, ties included
#
# Prediction and learning treat a score of exactly 0 differently, on purpose: `perceptron_predict` labels such a
# point $+1$ (some label is needed), while the mistake test $y\,\tilde w^T\tilde x \le 0$ fires for **either** label
# (a point on the boundary is not on its side with room to spare). From $\tilde w = 0$ every score is 0, so the first
# sample is always corrected. Here is assignment 1's four-row table traced by hand, then replayed by the library:
#
# | row | $x$ | $y$ | score of the current $\tilde w$ | mistake? | $\tilde w$ after |
# |---|---|---|---|---|---|
# | 1 | (1, 2) | +1 | 0 (a tie) | yes | (1, 2, 1) |
# | 2 | (2, −1) | −1 | 2 − 2 + 1 = 1 | yes ($y \cdot 1 < 0$) | (1, 2, 1) − (2, −1, 1) = (−1, 3, 0) |
# | 3 | (0, 1) | +1 | 0 + 3 + 0 = 3 | no | (−1, 3, 0) |
# | 4 | (3, 1) | +1 | −3 + 3 + 0 = 0 (a tie) | yes | (−1, 3, 0) + (3, 1, 1) = (2, 4, 1) |
#
# Three mistakes, and $\tilde w = (2, 4, 1)$. Had ties counted as right, every score would stay 0 and nothing would
# ever move.

# %%
X4, y4 = np.array([[1.0, 2.0], [2.0, -1.0], [0.0, 1.0], [3.0, 1.0]]), np.array([1, -1, 1, 1])
w, count = np.zeros(3), 0
for x_i, y_i in zip(X4, y4):
    count += int(y_i * (lm.add_bias(x_i) @ w) <= 0)
    w = lm.perceptron_update(w, x_i, y_i)
print("after one epoch:", w, " mistakes:", count)
print("predict at a score of 0 gives", lm.perceptron_predict(np.zeros(3), X4[:1]), "but the update from w = 0 gives",
      lm.perceptron_update(np.zeros(3), X4[0], 1), "and", lm.perceptron_update(np.zeros(3), X4[0], -1))

# %% [markdown]
# ## 4. Training to convergence
#
# One pass over all samples is an **epoch**. `lm.train_perceptron` repeats epochs until one has no mistake.
# On the separable class that happens after a few epochs; the boundary, drawn after each epoch from pale to
# dark, settles on a line that separates the class.

# %%
w_sep, mistakes = lm.train_perceptron(X, y)
print("mistakes per epoch:", mistakes, "-> all", len(X), "students right:", np.all(lm.perceptron_predict(w_sep, X) == y))
clf = lm.Perceptron().fit(X, y)  # the estimator keeps the weights after every epoch
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
plot_boundaries_over_epochs(clf.history_, X, y, axes[0]).set_title("boundary after each epoch")
plot_per_epoch(mistakes, axes[1]).set_title("mistakes per epoch")
plt.show()

# %% [markdown]
# ## 5. The convergence theorem
#
# **Claim.** If some unit vector $w^*$ separates the data with margin $\gamma > 0$, i.e.
# $y_i\, w^{*T}\tilde x_i \ge \gamma$ for all $i$, and $R = \max_i \lVert\tilde x_i\rVert$, then the perceptron
# started at $\tilde w_0 = 0$ makes at most $(R/\gamma)^2$ mistakes, in any order of the samples.
#
# **Proof.** Let $\tilde w_k$ be the weights after $k$ mistakes, the $k$-th on sample $i$.
#
# 1. Alignment grows linearly: $w^{*T}\tilde w_k = w^{*T}\tilde w_{k-1} + y_i\,w^{*T}\tilde x_i \ge w^{*T}\tilde w_{k-1} + \gamma$, so $w^{*T}\tilde w_k \ge k\gamma$.
# 2. Length grows slowly: $\lVert\tilde w_k\rVert^2 = \lVert\tilde w_{k-1}\rVert^2 + 2y_i\,\tilde w_{k-1}^T\tilde x_i + \lVert\tilde x_i\rVert^2 \le \lVert\tilde w_{k-1}\rVert^2 + R^2$
#    (the middle term is $\le 0$ because it was a mistake), so $\lVert\tilde w_k\rVert^2 \le kR^2$.
# 3. Cauchy-Schwarz with $\lVert w^*\rVert = 1$: $k\gamma \le w^{*T}\tilde w_k \le \lVert\tilde w_k\rVert \le \sqrt k\,R$, hence $k \le (R/\gamma)^2$. $\square$
#
# This is the **perceptron convergence theorem**, proved in 1962 independently by H. D. Block and by A. B. J.
# Novikoff; the argument above is Novikoff's.
#
# **Check.** We build classes whose margin around $x_1 + x_2 = 11$ shrinks, count the mistakes actually made,
# and compare with the bound computed for $w^* = (1, 1, -11)/\lVert(1, 1, -11)\rVert$ (the true separating line;
# another $w^*$ with a larger margin would give a tighter bound). The bound must hold every time. It is a
# worst case over all orders of the samples, so the count actually made sits far below it and depends on
# the particular data and order; only the bound is guaranteed to grow as the margin shrinks.

# %%
def class_with_margin(margin, n=80, seed=1):
    """n students at distance >= margin (in x1 + x2 units) from the line x1 + x2 = 11."""
    rng = np.random.default_rng(seed)
    P = rng.uniform(0, 12, size=(20 * n, 2))
    P = P[np.abs(P.sum(axis=1) - 11) >= margin][:n]
    return P, np.where(P.sum(axis=1) > 11, 1, -1)


w_star = np.array([1.0, 1.0, -11.0]) / np.linalg.norm([1.0, 1.0, -11.0])
rows = []
for margin in [3.0, 2.0, 1.0, 0.5, 0.25, 0.1]:
    P, t = class_with_margin(margin)
    P_aug = lm.add_bias(P)
    R, gamma = np.linalg.norm(P_aug, axis=1).max(), (t * (P_aug @ w_star)).min()
    made = sum(lm.train_perceptron(P, t, max_epochs=10_000)[1])
    assert made <= (R / gamma) ** 2
    rows.append(((R / gamma) ** 2, made))
    print(f"margin {margin:4}: gamma = {gamma:.4f}, bound (R/gamma)^2 = {(R / gamma) ** 2:9.0f}, mistakes made = {made}")

bound, made = np.array(rows).T
fig, ax = plt.subplots(figsize=(5, 3.8))
ax.loglog(bound, made, "o-", label="mistakes made")
ax.loglog(bound, bound, "k--", label="bound $(R/\\gamma)^2$")
ax.set_xlabel("$(R/\\gamma)^2$ (smaller margin to the right)")
ax.set_ylabel("total mistakes")
ax.legend(fontsize="small")
ax.set_title("mistakes made never exceed the bound")
plt.show()

# %% [markdown]
# ## 6. Without separability the perceptron never stops
#
# On the noisy class no $w^*$ with $\gamma > 0$ exists and the proof gives nothing. Some sample is always a
# mistake, so every epoch moves the boundary: the mistake count never reaches zero and the line keeps jumping.

# %%
clf_noisy = lm.Perceptron(max_epochs=40).fit(Xn, yn)
print("mistakes in the last 10 epochs:", clf_noisy.mistakes_[-10:])
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
plot_boundaries_over_epochs(clf_noisy.history_, Xn, yn, axes[0]).set_title("40 epochs: no settling")
plot_per_epoch(clf_noisy.mistakes_, axes[1]).set_title("mistakes per epoch (noisy class)")
plt.show()

# %% [markdown]
# ## 7. The batch perceptron and its $\epsilon$ stop
#
# Notes 003 average the corrections of all current mistakes and take one step per epoch:
#
# $$\Delta = \frac1n \sum_{i:\ y_i \tilde w^T\tilde x_i \le 0} y_i \tilde x_i, \qquad \tilde w \leftarrow \tilde w + \alpha\,\Delta,
# \qquad\text{until } \lVert\Delta\rVert_2 < \epsilon .$$
#
# ($\alpha = 1$ with the sum instead of the average is the fixed-increment perceptron.) On separable data
# $\Delta$ becomes exactly $0$ once every sample is right, so any $\epsilon > 0$ stops it. On the noisy class
# some sample is always wrong, so $\lVert\Delta\rVert$ stays far above $\epsilon$ (printed below: never under about 0.3):
# the $\epsilon$ test never fires and only the maximum number of epochs ends the loop. The $\epsilon$ stop is a
# convergence test, not a cure for non-separable data.

# %%
w_b, norms = lm.train_batch_perceptron(X, y, eps=1e-3)
w_bn, norms_n = lm.train_batch_perceptron(Xn, yn, eps=1e-3, max_epochs=300)
print(f"separable: stopped by eps after {len(norms)} epochs, training error "
      f"{np.mean(lm.perceptron_predict(w_b, X) != y):.0%}")
print(f"noisy: ran all {len(norms_n)} epochs, smallest ||Delta|| = {min(norms_n):.2f}, training error "
      f"{np.mean(lm.perceptron_predict(w_bn, Xn) != yn):.0%}")
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
plot_per_epoch(np.maximum(norms, 1e-4), axes[0], ylabel=r"$\|\Delta\|_2$ (0 drawn at 1e-4)", label="separable", logy=True)
plot_per_epoch(norms_n, axes[0], ylabel=r"$\|\Delta\|_2$", label="noisy", logy=True)
axes[0].axhline(1e-3, color="grey", ls=":", label="eps")
plot_data(X, y, axes[1])
plot_linear_boundary(w_b, X, axes[1], color="k", label="batch perceptron")
axes[1].set_title("separable: stopped by eps")
plot_data(Xn, yn, axes[2])
plot_linear_boundary(w_bn, Xn, axes[2], color="k", label="after 300 epochs")
axes[2].set_title("noisy: stopped by max_epochs")
plt.show()

# %% [markdown]
# ## 8. ADALINE: a loss with a gradient
#
# The number of mistakes is piecewise constant in $\tilde w$: its gradient is zero almost everywhere, so it
# cannot tell us which way to move. Widrow and Hoff's ADALINE keeps the threshold only for predicting and,
# while learning, treats the **linear output** $z = \tilde w^T\tilde x$ as the answer, scored against the target
# $d = \pm 1$ by a squared error. Sliding the bias along a line in weight space shows the difference:

# %%
bs = np.linspace(-20, -2, 400)
count = [np.sum(lm.perceptron_predict(np.array([1.0, 1.0, b]), Xn) != yn) for b in bs]
sq = [lm.adaline_loss(np.array([0.1, 0.1, 0.1 * b]), Xn, yn) for b in bs]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.3))
axes[0].plot(bs, count)
axes[0].set_title("mistakes: flat steps, zero gradient")
axes[0].set_xlabel("bias $b$ (with $w_1 = w_2 = 1$)")
axes[1].plot(bs * 0.1, sq)
axes[1].set_title("ADALINE's squared error: smooth")
axes[1].set_xlabel("bias $b$ (with $w_1 = w_2 = 0.1$)")
plt.show()

# %% [markdown]
# **The delta rule, step by step.** For one sample with target $d$:
#
# 1. the error is $\mathrm{Err}(\tilde w) = \tfrac12 (d - z)^2$ with $z = \sum_j w_j x_j$ ($x_{d+1} = 1$ carries the bias);
# 2. chain rule: $\dfrac{\partial \mathrm{Err}}{\partial w_j} = \dfrac{\partial \mathrm{Err}}{\partial z}\dfrac{\partial z}{\partial w_j} = -(d - z)\,x_j$;
# 3. a step against the gradient: $w_j \leftarrow w_j + \eta\,\delta\,x_j$ with $\delta = d - z$.
#
# This is the **delta rule**, also called the **LMS** (least mean squares) or Widrow-Hoff rule. Unlike the
# perceptron it moves on every sample, in proportion to the error of the linear output. We check step 2 against
# a central difference, then train online (one sample at a time, shuffled each epoch).

# %%
x0, d0, w0 = X[0], float(y[0]), np.array([0.2, -0.1, 0.5])
analytic = -(d0 - lm.add_bias(x0) @ w0) * lm.add_bias(x0)
h = 1e-6
numeric = np.array([(0.5 * (d0 - lm.add_bias(x0) @ (w0 + h * e)) ** 2
                     - 0.5 * (d0 - lm.add_bias(x0) @ (w0 - h * e)) ** 2) / (2 * h) for e in np.eye(3)])
print("dErr/dw analytic:", analytic, " numeric:", numeric)

online = lm.Adaline(lr=0.002, max_epochs=60, seed=0).fit(Xn, yn.astype(float))
batch = lm.Adaline(lr=0.015, max_epochs=3000, batch=True).fit(Xn, yn.astype(float))
w_ls = np.linalg.lstsq(lm.add_bias(Xn), yn.astype(float), rcond=None)[0]
print("online LMS after 60 epochs:", online.w_)
print("batch GD after 3000 steps: ", batch.w_)
print("least squares (lstsq):     ", w_ls)

# %% [markdown]
# **Batch ADALINE is least squares.** Averaging the error over the data set gives
# $E(\tilde w) = \frac{1}{2n}\sum_i (d_i - \tilde w^T\tilde x_i)^2 = \frac{1}{2n}\lVert d - \tilde X\tilde w\rVert^2$, with the
# augmented samples as the rows of $\tilde X$ $(n, k)$ and the targets in the column $d$ $(n, 1)$. Its gradient, step
# by step:
#
# 1. average the per-sample gradients of step 2 above: $\nabla E = -\frac1n\sum_i (d_i - \tilde w^T\tilde x_i)\,\tilde x_i$;
# 2. a sum of the rows $\tilde x_i$ weighted by the residuals $r_i = d_i - \tilde w^T\tilde x_i$ is $\tilde X^T r$, so
#
# $$\nabla E(\tilde w) = -\frac1n \tilde X^T(d - \tilde X\tilde w) = \frac1n \tilde X^T(\tilde X\tilde w - d),$$
#
# a $(k, n)$ matrix times an $(n, 1)$ column: shape $(k, 1)$, the shape of $\tilde w$, as a gradient must be (the
# row $(\tilde X\tilde w - d)^T\tilde X / n$ is its transpose, a classic slip). **By hand** (assignment 1's Q9): two
# samples $x = 1, 2$ with targets $1, -1$ at $\tilde w = (1, 0)$ have outputs $(1, 2)$, residuals $(0, -3)$,
# $\tilde X^T r = (1\cdot 0 + 2\cdot(-3),\; 0 - 3) = (-6, -3)$, and $\nabla E = (3, 1.5)$; the next cell checks it.
#
# $E$ is a convex quadratic; its minima solve $\nabla E = 0$, i.e. the normal equations
# $\tilde X^T\tilde X\,\tilde w = \tilde X^T d$. The minimum is **unique only when $\tilde X^T\tilde X$ is invertible**
# (the columns of $\tilde X$ linearly independent); otherwise a whole line or plane of weights reaches the same
# smallest error, as the cell below shows with a duplicated feature. Gradient descent with a small enough step goes
# to a minimizer; the online rule hovers near it (each step follows one sample's gradient). The plot after it shows
# the loss, and that ADALINE settles on the noisy class, where the perceptron kept jumping.

# %%
X2, d2, w2 = lm.add_bias(np.array([[1.0], [2.0]])), np.array([1.0, -1.0]), np.array([1.0, 0.0])
by_hand = X2.T @ (X2 @ w2 - d2) / len(X2)
numeric = np.array([(lm.adaline_loss(w2 + 1e-6 * e, X2[:, :1], d2) - lm.adaline_loss(w2 - 1e-6 * e, X2[:, :1], d2))
                    / 2e-6 for e in np.eye(2)])
print("grad E by hand:", by_hand, " central differences:", numeric)

# A duplicated feature: the columns of X~ are dependent, X~^T X~ is singular, and the minimizer is not unique.
Xdup = lm.add_bias(np.column_stack([Xn[:, 0], Xn[:, 0], Xn[:, 1]]))
print(f"smallest eigenvalue of X~^T X~ with a duplicated feature: {abs(np.linalg.eigvalsh(Xdup.T @ Xdup).min()):.1e}")
w_a = np.linalg.lstsq(Xdup, yn.astype(float), rcond=None)[0]
w_b = w_a + 0.3 * np.array([1.0, -1.0, 0.0, 0.0])  # move weight from one copy to the other
print("two different weight vectors, the same error:", lm.adaline_loss(w_a, Xdup[:, :3], yn),
      lm.adaline_loss(w_b, Xdup[:, :3], yn))

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
E_ls = lm.adaline_loss(w_ls, Xn, yn)
axes[0].semilogy(np.arange(1, 3001), np.array(batch.losses_) - E_ls, label="batch GD (one step per epoch)")
axes[0].semilogy(np.arange(1, 61), np.maximum(np.array(online.losses_) - E_ls, 1e-12), label="online LMS")
axes[0].set_xscale("log")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("$E(w) - E(w_{lstsq})$")
axes[0].legend(fontsize="small")
plot_data(Xn, yn, axes[1])
plot_linear_boundary(batch.w_, Xn, axes[1], color="k", label="ADALINE (batch)")
plot_linear_boundary(clf_noisy.w_, Xn, axes[1], color="tab:orange", ls="--", label="perceptron, epoch 40")
axes[1].legend(fontsize="x-small")
plt.show()

# %% [markdown]
# ## 9. The generalized delta rule
#
# Replace the identity by any differentiable activation $f$, so that the output is $o = f(z)$, and keep the
# squared error $\tfrac12(d - o)^2$. One more factor appears in the chain rule:
#
# $$\frac{\partial \mathrm{Err}}{\partial w_j} = \underbrace{-(d - o)}_{\partial \mathrm{Err}/\partial o}\;\underbrace{f'(z)}_{\partial o/\partial z}\;\underbrace{x_j}_{\partial z/\partial w_j}
# \quad\Longrightarrow\quad w_j \leftarrow w_j + \eta\,(d - o)\,f'(z)\,x_j .$$
#
# With the sigmoid, $f'(z) = \sigma(z)(1 - \sigma(z))$ and targets $d \in \{0, 1\}$. This is already
# backpropagation for a network of one unit: if $f$ stood for a whole network between $z$ and $o$, the factor
# $f'(z)$ would be that network's derivative, which units 3 and 4 compute layer by layer. The unit now outputs a
# graded value, which we can read as the probability of passing (unit 2 makes that reading precise).

# %%
def generalized_delta_epoch(w, X, d, lr, rng):
    for i in rng.permutation(len(X)):
        x_aug = lm.add_bias(X[i])
        z = x_aug @ w
        o = sigmoid(z)
        w = w + lr * (d[i] - o) * o * (1 - o) * x_aug
    return w


rng = np.random.default_rng(0)
mu, sd = Xn.mean(axis=0), Xn.std(axis=0)  # standardized inputs: the sigmoid is not saturated at the start
Xs, d01 = (Xn - mu) / sd, (yn + 1) / 2
w_sig = np.zeros(3)
for _ in range(200):
    w_sig = generalized_delta_epoch(w_sig, Xs, d01, lr=0.5, rng=rng)
print("weights on standardized inputs:", w_sig, " training error:",
      np.mean((sigmoid(lm.add_bias(Xs) @ w_sig) >= 0.5) != (d01 == 1)))

g1, g2 = np.meshgrid(np.linspace(0, 12, 120), np.linspace(0, 12, 120))
grid = (np.column_stack([g1.ravel(), g2.ravel()]) - mu) / sd
prob = sigmoid(lm.add_bias(grid) @ w_sig).reshape(g1.shape)
ax = plot_data(Xn, yn)
cs = ax.contourf(g1, g2, prob, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.35)
plt.colorbar(cs, ax=ax, label="sigmoid output")
ax.set_title("a sigmoid unit trained by the generalized delta rule")
plt.show()

# %% [markdown]
# ## Where to go next
#
# - **Assignment 1** ([source](../../source/a1/perceptron_adaline.py), student version
#   [release/a1/perceptron_adaline.ipynb](../../release/a1/perceptron_adaline.ipynb)) asks you to write
#   `perceptron_predict`, `perceptron_update`, `train_perceptron`, `batch_perceptron_update`, `adaline_update`
#   and `adaline_batch_step` yourself, and before them to derive the perceptron rule from its criterion (Q2), trace
#   an epoch by hand (Q4), derive the delta rule (Q7) and the batch gradient (Q9): sections 3, 7 and 8 above are
#   their worked solutions, to read after trying. Each answer has a check cell under it (`grade("a1.predict")` and
#   so on) that runs the public checks and explains any difference.
# - The reference implementations used above are in `backprop.linear_models`: `help(lm.perceptron_update)`.
# - **Things to try:** start the perceptron from a random $\tilde w$; shuffle the samples each epoch and watch the
#   mistake count; raise ADALINE's `lr` until batch gradient descent diverges (the steepest direction of $E$
#   sets the limit, see walkthrough 5).
# - Next: [walkthrough 2](02_losses_activations.ipynb), where losses come from likelihoods and every derivative
#   gets checked numerically.
