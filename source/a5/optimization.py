# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 5: optimization
#
# *Neural networks from first principles.* Backpropagation gives us the gradient; this assignment is about what
# to do with it. Gradient descent has one knob, the step size $\eta$, and it is hard to set: too small and
# training crawls, too large and it diverges. We look at how much data each step should see (batch, stochastic,
# mini-batch), why stochastic steps need a step size that shrinks, and at the family of rules that adapt the
# step as they go: momentum, Nesterov, Adagrad, RMSprop, Adadelta and Adam. We end with the reason deep networks
# are hard to train at all, vanishing and exploding gradients, and the two cheap cures: a careful initial scale
# and gradient clipping.
#
# **Learning goals.** After this assignment you can
# - explain, from the eigenvalues of a quadratic loss, why a step size above $2/\lambda_{\max}$ diverges and why a
#   narrow valley makes plain gradient descent slow;
# - implement one epoch of mini-batch gradient descent, and compare batch, stochastic and mini-batch descent per
#   epoch and per update;
# - show the noise floor of SGD with a constant step and remove it with a decaying step $\eta(t)$;
# - derive and implement momentum, Nesterov's method, Adagrad, RMSprop, Adadelta and Adam (with its bias
#   correction) as update rules `update(w, dw, state) -> (w, state)`;
# - derive the Xavier/Glorot and He initial scales from keeping the variance of the activations constant, see
#   gradients vanish in a deep sigmoid network, and clip an exploding gradient.
#
# | question | kind | what you write | points | lecture topic |
# |---|---|---|---|---|
# | Q1 | implement | `minibatch_epoch` | 4 | batch, stochastic and mini-batch gradient descent (notes 000, 003, 004) |
# | Q2 | explain | a written answer | 2 (graded by hand) | learning rates, SGD's noise floor and a decaying step size (notes 000, 004) |
# | Q3 | derive | `momentum_limit`, `momentum_w2` | 4 | momentum: the velocity as a geometric sum, and two steps by hand (notes 004) |
# | Q4 | implement | `momentum` | 4 | momentum (notes 004) |
# | Q5 | implement | `nesterov` | 4 | Nesterov's look-ahead, written for the gradient at the stored point (notes 004) |
# | Q6 | implement | `adagrad` | 3 | adaptive step sizes: Adagrad (notes 000, 004) |
# | Q7 | derive | `rmsprop_w2` | 2 | RMSprop: two steps by hand (notes 000, 004) |
# | Q8 | implement | `rmsprop` | 3 | adaptive step sizes: RMSprop (notes 000, 004) |
# | Q9 | derive | `adadelta_first_step` | 2 | Adadelta: the size of its first step (notes 004) |
# | Q10 | implement | `adadelta` | 4 | adaptive step sizes: Adadelta (notes 004) |
# | Q11 | derive | `adam_mean_factor`, `adam_first_step_uncorrected` | 5 | Adam: the bias of averages started at zero, and its correction (notes 004) |
# | Q12 | implement | `adam` | 5 | Adam (notes 004) |
# | Q13 | derive | `clip_factor`, `clip_b` | 3 | exploding gradients: the scale factor of clipping by the global norm (notes 004) |
# | Q14 | implement | `clip_by_global_norm` | 3 | gradient clipping by the global norm (notes 004) |
# | Q15 | explain | a written answer | 2 (graded by hand) | vanishing and exploding gradients, initialization, clipping (notes 004) |
#
# **How the checks work.** Under every function there is a check cell. Run it after you write the function: it
# prints which checks pass, and for each failure what differed and a hint. When your notebook is graded, hidden
# checks with other inputs run too. The grader finds your functions **by name**, so keep the names and arguments
# of the stubs. Replace every `raise NotImplementedError()` with your code.
#
# **Derive, then implement.** Five questions ask for a result you work out on paper (a factor, a limit, a
# number after two steps by hand) before the code that uses it. You type the result as Python arithmetic between
# the quotes of an answer cell; the check under it says whether it is right and, if not, which step to redo. The
# notebook does not show these results; walkthrough 5 (`course/walkthroughs/05_optimization`, sections 3 to 5
# and 7) works them all out. Read it **after** you have tried, to compare, not before.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
try:
    from autograder import grade, summary, when_ready
except ModuleNotFoundError:
    raise SystemExit("This notebook needs the course's package: install it as the course README says "
                     "(pip install . in the course folder), then restart the kernel.") from None
import matplotlib.pyplot as plt
import numpy as np

from backprop import init, layers, losses
from backprop.optim import inverse_time_decay
from backprop.plots import plot_gradient_norms, plot_trajectories

# %matplotlib inline

# %% [markdown]
# ## 1. A loss to minimize
#
# We need a problem whose best answer we know exactly, so that we can measure how far each method is from it.
# Least squares is one: $n = 200$ samples with five features of different scales (and a constant feature 1 for
# the bias), targets from a hidden linear rule plus noise, and the loss
#
# $$L(w) = \frac{1}{2n} \sum_{i=1}^n \big(x_i \cdot w - y_i\big)^2 = \frac{1}{2n} \lVert X w - y \rVert^2, \qquad
# \nabla L(w) = \frac1n X^T (X w - y).$$
#
# Its minimum $w^*$ solves the normal equations and `np.linalg.lstsq` finds it directly; every curve below shows
# the **excess loss** $L(w) - L(w^*)$ on a log scale.
#
# **The lecture's sum and our mean.** Notes 003 and 004 write the batch gradient as a *sum* over the samples,
# $\sum_i \nabla \mathcal L^{(i)}$; this course (like every library) averages, $\frac1n \sum_i$. The two differ
# by the constant $n$, which the step size absorbs ($\eta_{\text{sum}} = \eta_{\text{mean}} / n$). The mean has
# one advantage: a good step size does not change when the data set grows.

# %%
rng = np.random.default_rng(0)
n, d = 200, 5
X = np.column_stack([rng.normal(size=(n, d)) * np.array([2.0, 1.5, 1.0, 0.8, 0.6]), np.ones(n)])
y = X @ rng.normal(size=d + 1) + 0.5 * rng.normal(size=n)


def full_loss(W):
    """L(w) for one weight vector (d + 1,), or for many at once: W of shape (k, d + 1) gives k losses."""
    return 0.5 * np.mean((np.atleast_2d(W) @ X.T - y) ** 2, axis=1)


def full_grad(w):
    return X.T @ (X @ w - y) / n


w_best = np.linalg.lstsq(X, y, rcond=None)[0]
L_best = full_loss(w_best)[0]
curvatures = np.linalg.eigvalsh(X.T @ X / n)
print(f"L(w*) = {L_best:.4f}; curvatures (eigenvalues of the Hessian X^T X / n): {np.round(curvatures, 3)}")

# %% [markdown]
# ## 2. The step size
#
# The Hessian of $L$ is $H = X^T X / n$, the same everywhere, so $L$ is exactly quadratic:
# $L(w) = L(w^*) + \frac12 (w - w^*)^T H (w - w^*)$. Write the error $e_t = w_t - w^*$ in the eigenvectors of $H$.
# One step of gradient descent, $w_{t+1} = w_t - \eta H e_t$, gives $e_{t+1} = (I - \eta H)\, e_t$, so along an
# eigenvector with curvature $\lambda$ the error is multiplied by $(1 - \eta\lambda)$ at every step:
#
# - $\eta < 1/\lambda_{\max}$: every factor is in $(0, 1)$, the steps are smooth but, if $\eta$ is tiny, slow;
# - $1/\lambda_{\max} < \eta < 2/\lambda_{\max}$: the factor of the steepest direction is negative, the iterate
#   jumps from one side of the valley to the other, and still converges;
# - $\eta > 2/\lambda_{\max}$: $|1 - \eta\lambda_{\max}| > 1$, the error grows geometrically: **divergence**.
#
# Even the best constant step cannot help the flattest direction much: its factor is at best
# $1 - \lambda_{\min}/\lambda_{\max}$. A long narrow valley (a large **condition number**
# $\lambda_{\max}/\lambda_{\min}$) is slow for plain gradient descent whatever $\eta$: that is what momentum and
# the adaptive rules of section 5 are for.
#
# A network's loss is not a quadratic, but near a minimum it looks like one, so the same limits apply locally.
# What changes is that there are many minima: a very small step settles in the first dip it meets, a large one
# jumps over narrow dips (or out of the basin altogether). Here is the sweep the lecture suggests, "try many
# learning rates and keep the one that works", on our problem:

# %%
def gradient_descent(lr, steps, w0=None):
    w = np.zeros(d + 1) if w0 is None else w0
    path = [w]
    for _ in range(steps):
        w = w - lr * full_grad(w)
        path.append(w)
    return np.array(path)


lam_max = curvatures[-1]
sweep = {"too small": 0.05 / lam_max, "just right": 1.0 / lam_max, "oscillating": 1.9 / lam_max,
         "diverging": 2.05 / lam_max}
fig, ax = plt.subplots(figsize=(7, 4))
for label, lr in sweep.items():
    excess = full_loss(gradient_descent(lr, 100)) - L_best
    ax.plot(excess, label=rf"{label}: $\eta$ = {lr * lam_max:g} / $\lambda_{{\max}}$")
ax.set_yscale("log")
ax.set_xlabel("step")
ax.set_ylabel(r"$L(w) - L(w^*)$")
ax.set_title("batch gradient descent with four step sizes")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 3. Batch, stochastic and mini-batch gradient descent
#
# Every gradient above looked at all $n$ samples. The gradient is an average, and an average can be
# **estimated** from a sample: for a random subset $B$ of the data (a *mini-batch*),
#
# $$g_B(w) = \frac{1}{|B|} \sum_{i \in B} \nabla \mathcal L^{(i)}(w) = \frac{1}{|B|} X_B^T (X_B w - y_B)$$
#
# is an unbiased estimate of $\nabla L(w)$ whose variance shrinks like $1/|B|$. Three choices of $|B|$ have names:
#
# - **batch** gradient descent, $|B| = n$: exact gradients, one update per pass over the data;
# - **stochastic** gradient descent (SGD), $|B| = 1$: $n$ cheap, very noisy updates per pass;
# - **mini-batch** gradient descent, $1 < |B| < n$: the compromise every library uses by default, with
#   vectorized (fast) batches and gradients accurate enough for larger steps.
#
# A pass over the whole training set is an **epoch**. The usual way to draw the batches is to shuffle once per
# epoch and cut the shuffled order into consecutive pieces, so every sample is used exactly once per epoch.
#
# **Q1.** Write `minibatch_epoch(w, X, y, lr, batch_size, rng)`: one epoch of mini-batch gradient descent on the
# least-squares loss.
# - Shuffle with `order = rng.permutation(n)`, called **once** (the grader replays your shuffle with the same
#   random generator, so use exactly this call).
# - The batches are `order[0:B]`, `order[B:2B]`, ...; the last one may be smaller when `B` does not divide `n`.
# - For each batch, take one gradient step of size `lr` on that batch's own loss $L_B$, the mean over the batch
#   (section 1's loss and gradient, with $X_B, y_B$ in place of $X, y$).
# - Return the weights after every step, stacked into an array of shape `(number of steps, d)`.
#
# About eight lines. Do not modify `w` in place.

# %% nbgrader={"grade": false, "grade_id": "minibatch_epoch", "locked": false, "schema_version": 3, "solution": true}
def minibatch_epoch(w, X, y, lr, batch_size, rng):
    """One epoch of mini-batch gradient descent on least squares.

    w (d,), X (n, d), y (n,), lr > 0, batch_size B, rng a numpy Generator (shuffle with one rng.permutation(n)).
    Returns the weights after each step, shape (ceil(n / B), d); w itself is not modified.
    """
    ### BEGIN SOLUTION
    order = rng.permutation(len(X))
    path = []
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        X_B, y_B = X[batch], y[batch]
        w = w - lr * X_B.T @ (X_B @ w - y_B) / len(batch)
        path.append(w)
    return np.array(path)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_minibatch", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=501)
### END HIDDEN TESTS
grade("a5.minibatch")

# %% [markdown]
# ### Per epoch and per update
#
# We run the three variants for 20 epochs from $w = 0$, each with a step size that suits it (the exact gradient
# tolerates the largest step), and record the loss after **every update**. Two ways to count the cost:
#
# - per **epoch**: every variant has then computed the same $n$ per-sample gradients, so this is the same amount
#   of arithmetic. SGD makes $n$ updates in that budget and gets far ahead early;
# - per **update** (one gradient evaluation, one step): batch descent makes the most of each one, because its
#   gradient is exact, but each of its updates costs $n$ per-sample gradients.
#
# Mini-batches get most of SGD's progress per epoch while each update is a vectorized matrix product, and their
# less noisy gradients allow a larger step than SGD's (0.1 against 0.02 here): that is why they are the default.
# Note also where the curves end: batch descent keeps improving, SGD stalls at a noisy level; section 4 explains
# that floor. The noise is not only a nuisance: on the non-convex loss of a network, random kicks help the
# iterate leave shallow local minima and saddle points, and they make it harder to fit the training set exactly
# (a mild protection against overfitting).

# %%
variants = {"batch (B = n)": (n, 0.9 / lam_max), "mini-batch (B = 16)": (16, 0.1), "stochastic (B = 1)": (1, 0.02)}
with when_ready():
    runs = {}
    for label, (batch_size, lr) in variants.items():
        w, paths, gen = np.zeros(d + 1), [], np.random.default_rng(1)
        for epoch in range(20):
            paths.append(minibatch_epoch(w, X, y, lr, batch_size, gen))
            w = paths[-1][-1]
        with np.errstate(all="ignore"):  # a wrong step may diverge; cap the loss so the plot still shows it
            runs[label] = (batch_size, np.minimum(full_loss(np.concatenate(paths)) - L_best, 1e6))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for label, (batch_size, excess) in runs.items():
        updates = np.arange(1, len(excess) + 1)
        axes[0].plot(updates * batch_size / n, excess, lw=1, label=label)
        axes[1].plot(updates, excess, lw=1, label=label)
    axes[0].set_xlabel("epoch (passes over the data)")
    axes[1].set_xlabel("updates (gradient evaluations), log scale")
    axes[1].set_xscale("log")
    for ax in axes:
        ax.set_yscale("log")
        ax.set_ylabel(r"$L(w) - L(w^*)$")
        ax.legend(fontsize="small")
    axes[0].set_title("the same arithmetic per epoch")
    axes[1].set_title("progress per update")
    plt.show()

# %% [markdown]
# ## 4. Why SGD needs a decaying step size
#
# At the minimum the *full* gradient is zero, $\frac1n \sum_i \nabla \mathcal L^{(i)}(w^*) = 0$, but the gradients
# of single samples are not: each sample's own best $w$ differs from $w^*$ (there is noise in $y$). So SGD with a
# constant $\eta$ never settles: near $w^*$ each update is a random kick of size about $\eta\,\lVert\nabla
# \mathcal L^{(i)}(w^*)\rVert$, and the iterate wanders in a cloud around $w^*$ whose excess loss is roughly
# proportional to $\eta$. That is the **noise floor**. A smaller $\eta$ lowers it but slows the approach.
#
# The way out is a step size that shrinks with time, $\eta(t)$. Notes 004 say only that the step must decrease "in
# a certain way" for SGD to converge, and point to a theorem elsewhere; the classic conditions are Robbins and
# Monro's (1951), for stochastic approximation in general:
#
# $$\sum_{t=1}^\infty \eta(t) = \infty \qquad\text{and}\qquad \sum_{t=1}^\infty \eta(t)^2 < \infty .$$
#
# The first lets the iterates travel any distance (the steps never get small too fast); the second makes the
# total noise injected, whose variance adds up like $\sum_t \eta(t)^2$, finite. $\eta(t) = \eta_0 / t$ satisfies
# both; a constant fails the second, $\eta_0 / t^2$ fails the first. We use the *inverse time decay*
# $\eta(t) = \eta_0 / (1 + t/\tau)$ (`backprop.optim.inverse_time_decay`), which keeps $\eta_0$ for about $\tau$
# epochs and then decays like $1/t$; here $t$ counts epochs.

# %%
schedules = {r"constant $\eta$ = 0.04": lambda epoch: 0.04,
             r"constant $\eta$ = 0.005": lambda epoch: 0.005,
             r"$\eta(t) = 0.04 / (1 + t / 2)$": lambda epoch: inverse_time_decay(0.04, epoch, 2.0)}
with when_ready():
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for label, schedule in schedules.items():
        w, excess, gen = np.zeros(d + 1), [], np.random.default_rng(2)
        for epoch in range(40):
            path = minibatch_epoch(w, X, y, schedule(epoch), 1, gen)
            w = path[-1]
            with np.errstate(all="ignore"):
                excess.append(min(full_loss(path).mean() - L_best, 1e6))  # averaged over the epoch's updates
        axes[0].plot(np.arange(1, 41), excess, label=label)
        axes[1].plot(np.arange(40), [schedule(e) for e in range(40)], label=label)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel(r"$L(w) - L(w^*)$, mean over the epoch")
    axes[0].set_title("SGD (B = 1): a constant step stalls at a noise floor")
    axes[1].set_xlabel("epoch t")
    axes[1].set_ylabel(r"$\eta$")
    axes[1].set_title("the step sizes")
    for ax in axes:
        ax.legend(fontsize="small")
    plt.show()

# %% [markdown]
# The large constant step gets close fast and then stays on its floor; the small constant step has a lower floor
# but needs many epochs to get there; the decaying step gets the fast start of the first and keeps going down.
#
# ### Q2: step sizes (2 points, graded by hand)
#
# In three to five sentences: using the factor $(1 - \eta\lambda)$ of section 2, say what limits the step size of
# batch gradient descent and why a narrow valley is slow; then explain why SGD with a constant step size does not
# converge to $w^*$ even on this convex problem, and which two properties a schedule $\eta(t)$ needs to fix it.

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_step_size", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Along an eigenvector with curvature lambda each step multiplies the error by (1 - eta lambda), so eta must stay
# below 2 / lambda_max or the steepest direction blows up; with eta limited by the steepest direction, the
# flattest one shrinks only by 1 - lambda_min / lambda_max per step, which is close to 1 in a narrow valley (a
# large condition number). SGD follows single-sample gradients, which are not zero at w* even though their mean
# is, so a constant step keeps kicking the iterate around w* by an amount proportional to eta: it reaches a noise
# floor instead of converging. A schedule must decrease so that the noise averages out (sum of eta_t^2 finite),
# but not so fast that it stops short of the minimum (sum of eta_t infinite), as eta_0 / t does.
# ### END SOLUTION

# %% [markdown]
# ## 5. Update rules that adapt the step
#
# The lecture's "adaptive learning rates" change the step as training goes, using what the past gradients say:
# how large they are, whether they keep their direction, and each weight on its own. Every rule below has one
# signature, the same as the library's `backprop.optim` (and CS231n's `optim.py`):
#
# ```python
# w_new, state = update(w, dw, state)
# ```
#
# - `w` is one parameter array (any shape) and `dw` its gradient; everything is **elementwise**, so each weight
#   gets its own step size;
# - `state` is a dict that holds the **hyper-parameters**, under exactly these names: `lr` (for $\eta$), `mu`,
#   `rho`, `eps`, `beta1`, `beta2`, and the **running quantities** the rule keeps between steps. On the first call
#   it holds only the hyper-parameters: start each running quantity at zero then, for example with
#   `v = state.get("v", np.zeros_like(w))`. Store them back into `state` and return it. Please use the library's
#   names for them too (`v`, `G`, `s`, `u`, `m`, `t`), which makes your state easy to compare with
#   `backprop.optim`'s; the checks themselves only follow where your `w` goes.
# - Return a **new** array for `w` (write `w = w - ...`, not `w -= ...`): the plots keep every iterate.
#
# **How you are graded.** For each rule the checks run your function and the reference side by side for several
# steps on test functions (quadratics of random shapes, the Rosenbrock function), feed each its own gradient at
# its own iterate, and compare the paths. Any algebraically equivalent way of writing a rule gives the same path
# and passes.
#
# Plain gradient descent in this form is two lines; it is given as the pattern to follow:

# %%
def sgd(w, dw, state):
    """w <- w - lr g. state: lr."""
    return w - state["lr"] * dw, state


# %% [markdown]
# ### 5.1 Momentum
#
# In a narrow valley the gradient points mostly *across* the valley, so plain gradient descent zig-zags from wall
# to wall and creeps along the floor. **Momentum** keeps a velocity $v$, a running sum of past steps that fades by
# a factor $\mu \in [0, 1)$ at each step:
#
# $$v_t = \mu\, v_{t-1} - \eta\, g_t, \qquad w_t = w_{t-1} + v_t, \qquad v_0 = 0 .$$
#
# Where the gradient keeps its sign (along the valley floor) the past steps add up; where it flips sign every step
# (across the valley) they cancel. How much do they add up to? That is your first derivation.
#
# **Q3 (derive).**
# 1. Suppose the gradient is the same vector $g$ at every step. As $t$ grows, the step $v_t$ tends to a fixed
#    multiple of the plain gradient-descent step $-\eta g$. Store that multiple, an expression in `mu` alone, in
#    `momentum_limit`.
# 2. By hand: minimize $f(w) = w^2$ (gradient $2w$) from $w_0 = 1$ with $\eta = 0.1$, $\mu = 0.9$ and $v_0 = 0$.
#    Store $w_2$, the weight after two momentum steps, in `momentum_w2` (a number; arithmetic such as `1 - 0.2`
#    is fine).
#
# Many libraries write the same method as $v_t = \mu v_{t-1} + g_t$, $w_t = w_{t-1} - \eta v_t$: this $v$ is the
# other one divided by $-\eta$, and the iterates $w_t$ are identical for a constant $\eta$; both forms give the same
# answers here, and both pass Q4.

# %% [markdown]
# **Your working.** Use this cell for your derivation if you like (double-click to edit); it is not graded.
#
# ### BEGIN SOLUTION
# *Worked derivation.* Unrolled from $v_0 = 0$, $v_t = -\eta \sum_{k=1}^{t} \mu^{t-k} g_k$, an exponentially
# weighted sum of the gradients. With $g_k = g$ for every $k$ it is a geometric sum of $t$ terms,
# $v_t = -\eta g\,(1 + \mu + \dots + \mu^{t-1}) = -\eta g\,\frac{1 - \mu^t}{1 - \mu} \to \frac{1}{1 - \mu}\,(-\eta g)$:
# **$1/(1-\mu)$ times a plain step** (ten times for $\mu = 0.9$, a hundred for $\mu = 0.99$). The factor multiplies
# the step $-\eta g$, not $\eta$ alone: the limit step is $-\eta g/(1-\mu)$.
#
# By hand: $g_1 = 2 w_0 = 2$, $v_1 = 0.9 \cdot 0 - 0.1 \cdot 2 = -0.2$, $w_1 = 0.8$; $g_2 = 1.6$,
# $v_2 = 0.9 \cdot (-0.2) - 0.1 \cdot 1.6 = -0.34$, $w_2 = 0.8 - 0.34 = 0.46$ (plain gradient descent: $0.64$).
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "momentum_steps_answer", "locked": false, "schema_version": 3, "solution": true}
momentum_limit = """
### BEGIN SOLUTION
1 / (1 - mu)
### END SOLUTION
"""
momentum_w2 = """
### BEGIN SOLUTION
0.8 - 0.34
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_momentum_steps", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=511)
### END HIDDEN TESTS
grade("a5.momentum_steps")

# %% [markdown]
# **Q4.** Write `momentum(w, dw, state)` with hyper-parameters `state["lr"]` and `state["mu"]` and the velocity in
# `state["v"]`. Three or four lines.

# %% nbgrader={"grade": false, "grade_id": "momentum", "locked": false, "schema_version": 3, "solution": true}
def momentum(w, dw, state):
    """Heavy-ball momentum, one step.

    w: a parameter array (any shape); dw: its gradient, same shape; state: a dict with the hyper-parameters "lr"
    and "mu" and, after the first call, the velocity "v" (shaped like w; absent at first, so start it at zero).
    Returns (w_new, state): a new array shaped like w, and the same dict with the velocity stored.
    """
    ### BEGIN SOLUTION
    v = state["mu"] * state.get("v", np.zeros_like(w)) - state["lr"] * dw
    state["v"] = v
    return w + v, state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_momentum", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=502)
### END HIDDEN TESTS
grade("a5.momentum")

# %% [markdown]
# ### 5.2 Nesterov's accelerated gradient
#
# Momentum will move the weights by about $\mu v$ whatever the gradient says. Nesterov's idea: take the gradient
# *there*, at the look-ahead point, so that the correction sees where the velocity is going:
#
# $$v_t = \mu v_{t-1} - \eta\, \nabla L(w_{t-1} + \mu v_{t-1}), \qquad w_t = w_{t-1} + v_t .$$
#
# Our signature gives the gradient at the `w` we are handed, not at a look-ahead point. The standard trick is to
# store the look-ahead point itself, $\tilde w_t = w_t + \mu v_t$. Then the gradient *is* taken at the stored
# point, $g_t = \nabla L(\tilde w_{t-1})$, and
#
# $$\tilde w_t = w_t + \mu v_t = (\tilde w_{t-1} - \mu v_{t-1}) + v_t + \mu v_t
#   = \tilde w_{t-1} - \mu v_{t-1} + (1 + \mu) v_t .$$
#
# So, with $g$ the gradient at the stored weights:
#
# $$v_{\text{prev}} = v, \qquad v \leftarrow \mu v - \eta g, \qquad w \leftarrow w - \mu v_{\text{prev}} + (1 + \mu)\, v,$$
#
# which is the same as $w \leftarrow w + \mu v - \eta g$ with the new $v$ (expand it to see why). Either is fine.
#
# **Q5.** Write `nesterov(w, dw, state)`: the same state as momentum (`lr`, `mu`, `v`). Four lines.

# %% nbgrader={"grade": false, "grade_id": "nesterov", "locked": false, "schema_version": 3, "solution": true}
def nesterov(w, dw, state):
    """Nesterov's accelerated gradient, one step, with dw the gradient at the stored (look-ahead) point.

    state: "lr", "mu" and the velocity "v" (absent at first: start it at zero). Returns (w_new, state).
    """
    ### BEGIN SOLUTION
    v_prev = state.get("v", np.zeros_like(w))
    v = state["mu"] * v_prev - state["lr"] * dw
    state["v"] = v
    return w - state["mu"] * v_prev + (1 + state["mu"]) * v, state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_nesterov", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=503)
### END HIDDEN TESTS
grade("a5.nesterov")

# %% [markdown]
# ### 5.3 Adagrad: a step size per weight
#
# Notes 004 answer vanishing and exploding gradients with "each weight gets its own step size". **Adagrad**
# divides each weight's step by the root of the sum of that weight's squared gradients so far:
#
# $$G_t = G_{t-1} + g_t^2, \qquad w_t = w_{t-1} - \eta\, \frac{g_t}{\sqrt{G_t} + \epsilon} .$$
#
# (All operations elementwise; $\epsilon$, about $10^{-8}$, only prevents a division by zero.) A weight whose
# gradients have been large takes small steps and a weight with small gradients takes relatively large ones, so
# the steep and the flat directions of a valley advance at similar speeds. Note that on the first step
# $w_1 = w_0 - \eta\,\mathrm{sign}(g_1)$: the size of the gradient no longer matters, only its history. Since
# $G$ only grows, the steps shrink for ever: a built-in decaying step size, which is good for convex problems and
# often too aggressive for networks.
#
# **Q6.** Write `adagrad(w, dw, state)` with `state["lr"]`, `state["eps"]` and the sum of squares in
# `state["G"]`. Three lines.

# %% nbgrader={"grade": false, "grade_id": "adagrad", "locked": false, "schema_version": 3, "solution": true}
def adagrad(w, dw, state):
    """Adagrad, one step. state: "lr", "eps" and the accumulated squares "G" (absent at first: zeros).

    Returns (w_new, state), w_new a new array shaped like w.
    """
    ### BEGIN SOLUTION
    G = state.get("G", np.zeros_like(w)) + dw ** 2
    state["G"] = G
    return w - state["lr"] * dw / (np.sqrt(G) + state["eps"]), state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_adagrad", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=504)
### END HIDDEN TESTS
grade("a5.adagrad")

# %% [markdown]
# ### 5.4 RMSprop: forget the distant past
#
# RMSprop keeps Adagrad's per-weight scaling but replaces the growing sum by a **decaying average** of the
# squared gradients, so the step size follows the *recent* size of the gradient instead of shrinking for ever:
#
# $$s_t = \rho\, s_{t-1} + (1 - \rho)\, g_t^2, \qquad w_t = w_{t-1} - \eta\, \frac{g_t}{\sqrt{s_t} + \epsilon} .$$
#
# $\sqrt{s_t}$ is the root mean square (RMS) of the recent gradients, over roughly the last $1/(1-\rho)$ steps.
#
# **Q7 (derive, by hand).** Minimize $f(w) = w^2$ (gradient $2w$) from $w_0 = 1$ with RMSprop, $\eta = 0.1$,
# $\rho = 0.9$, $\epsilon = 0$ and $s_0 = 0$. Store $w_2$, the weight after two steps, in `rmsprop_w2`: a number,
# to at least three significant digits (arithmetic with `sqrt(...)` is fine). Compare the first step with what
# plain gradient descent would do with the same $\eta$.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked by hand.* $g_1 = 2$, $s_1 = 0.1 \cdot 4 = 0.4$, step $0.1 \cdot 2/\sqrt{0.4} = 0.3162$, so
# $w_1 = 0.6838$. Note the first step: $s_1 = (1-\rho) g_1^2$ gives a step of $\eta/\sqrt{1-\rho} \approx 3.16\,\eta$
# whatever the size of $g_1$ (gradient descent would move by $\eta g_1 = 0.2$). Then $g_2 = 1.3675$,
# $s_2 = 0.9 \cdot 0.4 + 0.1 \cdot 1.3675^2 = 0.5470$, step $0.1 \cdot 1.3675/\sqrt{0.5470} = 0.1849$, so
# $w_2 \approx 0.4989$.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "rmsprop_by_hand_answer", "locked": false, "schema_version": 3, "solution": true}
rmsprop_w2 = """
### BEGIN SOLUTION
0.49887
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_rmsprop_by_hand", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=512)
### END HIDDEN TESTS
grade("a5.rmsprop_by_hand")

# %% [markdown]
# **Q8.** Write `rmsprop(w, dw, state)` with `state["lr"]`, `state["rho"]`, `state["eps"]` and the average in
# `state["s"]`. Keep $\epsilon$ outside the square root, as written. Three lines.

# %% nbgrader={"grade": false, "grade_id": "rmsprop", "locked": false, "schema_version": 3, "solution": true}
def rmsprop(w, dw, state):
    """RMSprop, one step. state: "lr", "rho", "eps" and the running average "s" (absent at first: zeros).

    Returns (w_new, state), w_new a new array shaped like w.
    """
    ### BEGIN SOLUTION
    s = state["rho"] * state.get("s", np.zeros_like(w)) + (1 - state["rho"]) * dw ** 2
    state["s"] = s
    return w - state["lr"] * dw / (np.sqrt(s) + state["eps"]), state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rmsprop", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=505)
### END HIDDEN TESTS
grade("a5.rmsprop")

# %% [markdown]
# ### 5.5 Adadelta: a step with the right units
#
# Look at the units in RMSprop's step: $g / \sqrt{s}$ has no units at all (a gradient over an RMS of gradients),
# so $\eta$ must carry the units of $w$. Adadelta (Zeiler, 2012) replaces $\eta$ by the RMS of the **recent
# steps** themselves, which has the units of $w$, and keeps a second running average, $u$, of the squared steps:
#
# $$\begin{aligned}
# s_t &= \rho\, s_{t-1} + (1 - \rho)\, g_t^2, \\
# \Delta_t &= -\frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}}\; g_t, \\
# u_t &= \rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2, \\
# w_t &= w_{t-1} + \eta\, \Delta_t .
# \end{aligned}$$
#
# Note the order: the step $\Delta_t$ uses the *old* $u_{t-1}$ (the new step is not known yet), and $u$ is
# updated with the unscaled $\Delta_t$ afterwards. Here $\epsilon$ sits *inside* both roots and matters: with
# $u_0 = 0$ it alone sets the size of the first step, and the method then builds its own step size up from there.
# The original has no $\eta$; `backprop.optim.adadelta` (and PyTorch) keep a factor $\eta$ with default 1.
#
# **Q9 (derive).** Start from $s_0 = u_0 = 0$ and a gradient $g_1$ that is large compared with $\epsilon$
# ($g_1^2 \gg \epsilon$). The size of the first step, $|\Delta_1|$, then hardly depends on $g_1$. Store it, an
# expression in `eps` and `rho`, in `adadelta_first_step` (`sqrt(...)` is available). For $\rho = 0.9$ and
# $\epsilon = 10^{-6}$, how does it compare with $\sqrt\epsilon$?

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* $s_1 = (1-\rho) g_1^2$ and $u_0 = 0$, so
# $|\Delta_1| = \frac{\sqrt{\epsilon}}{\sqrt{(1-\rho) g_1^2 + \epsilon}}\,|g_1| \approx
# \frac{\sqrt\epsilon\,|g_1|}{\sqrt{1-\rho}\,|g_1|} = \sqrt{\frac{\epsilon}{1-\rho}}$ when $(1-\rho)g_1^2 \gg \epsilon$.
# The first step is not $\sqrt\epsilon$ but $1/\sqrt{1-\rho}$ times that: about $3.2\sqrt\epsilon$ for $\rho = 0.9$,
# $10\sqrt\epsilon$ for $\rho = 0.99$. Then $u_1 = (1-\rho)\Delta_1^2 \approx \epsilon$, so the second step is about
# $\sqrt{2\epsilon}/\sqrt{s_2}\,|g_2|$: the numerator grows step by step as $u$ collects the past steps.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "adadelta_first_step_answer", "locked": false, "schema_version": 3, "solution": true}
adadelta_first_step = """
### BEGIN SOLUTION
sqrt(eps / (1 - rho))
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_adadelta_first_step", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=513)
### END HIDDEN TESTS
grade("a5.adadelta_first_step")

# %% [markdown]
# **Q10.** Write `adadelta(w, dw, state)` with `state["lr"]`, `state["rho"]`, `state["eps"]` and the two averages
# in `state["s"]` and `state["u"]`. Five lines.

# %% nbgrader={"grade": false, "grade_id": "adadelta", "locked": false, "schema_version": 3, "solution": true}
def adadelta(w, dw, state):
    """Adadelta, one step. state: "lr", "rho", "eps" and the two running averages "s" (squared gradients) and
    "u" (squared steps), absent at first: zeros. Returns (w_new, state), w_new a new array shaped like w.
    """
    ### BEGIN SOLUTION
    rho, eps = state["rho"], state["eps"]
    s = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * dw ** 2
    u = state.get("u", np.zeros_like(w))
    delta = -np.sqrt(u + eps) / np.sqrt(s + eps) * dw
    state["s"], state["u"] = s, rho * u + (1 - rho) * delta ** 2
    return w + state["lr"] * delta, state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_adadelta", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=506)
### END HIDDEN TESTS
grade("a5.adadelta")

# %% [markdown]
# ### 5.6 Adam: momentum and RMSprop, with a bias correction
#
# Adam keeps two decaying averages, of the gradients (a momentum, $m$) and of their squares (RMSprop's $v$), and
# steps along the first scaled by the root of the second:
#
# $$m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 .$$
#
# **The bias.** Both averages start at zero, so early on they are too small: after one step $m_1$ holds only the
# share $1 - \beta_1$ of the first gradient. Adam corrects each average by dividing it by the share of the
# quantity it estimates that it holds after $t$ steps. Work that share out.
#
# **Q11 (derive).**
# 1. Assume the gradients $g_k$ are random with the same mean $\bar g$ at every step. Starting from $m_0 = 0$, find
#    $\mathbb E[m_t]$ and store $\mathbb E[m_t] / \bar g$, an expression in `beta1` and `t`, in `adam_mean_factor`.
#    This is the divisor of the correction: $\hat m_t = m_t$ divided by it; the same argument with $\beta_2$ gives
#    the divisor of $v_t$.
# 2. What would the *first* step be without any correction? Take a positive gradient $g_1 > 0$, $\epsilon = 0$,
#    $m_0 = v_0 = 0$, and the step $\eta\, m_1 / \sqrt{v_1}$. Store its length in units of $\eta$, an expression in
#    `beta1` and `beta2`, in `adam_first_step_uncorrected`; then evaluate it for the usual $\beta_1 = 0.9$,
#    $\beta_2 = 0.999$.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* Unrolling from $m_0 = 0$, $m_t = (1 - \beta_1) \sum_{k=1}^t \beta_1^{t-k} g_k$, so with a
# constant mean $\bar g$ the expectation is a finite geometric sum:
#
# $$\mathbb E[m_t] = (1 - \beta_1) \sum_{k=1}^{t} \beta_1^{t-k}\, \bar g = (1 - \beta_1)\,\frac{1-\beta_1^t}{1-\beta_1}\,\bar g
#   = (1 - \beta_1^t)\, \bar g .$$
#
# Dividing by that factor removes the bias exactly: $\hat m_t = m_t / (1 - \beta_1^t)$, and likewise
# $\hat v_t = v_t / (1 - \beta_2^t)$. With $\beta_2 = 0.999$, after 10 steps $v_t$ holds only
# $1 - 0.999^{10} \approx 1\%$ of the mean square it estimates.
#
# Without the correction, $m_1 = (1-\beta_1) g_1$ and $v_1 = (1-\beta_2) g_1^2$, so the first step is
# $\eta\,(1-\beta_1) g_1 / (\sqrt{1-\beta_2}\,|g_1|) = \eta\,(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16\,\eta$ for the
# usual values. With it, $\hat m_1 = g_1$ and $\hat v_1 = g_1^2$: every weight moves by about $\eta$, so the step
# size is (roughly) the distance a weight moves per step, whatever the scale of its gradient. Folding both
# corrections into the step size, $\eta_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)$ and
# $w_t = w_{t-1} - \eta_t m_t / (\sqrt{v_t} + \epsilon)$, is the same method up to where $\epsilon$ sits.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "adam_bias_answer", "locked": false, "schema_version": 3, "solution": true}
adam_mean_factor = """
### BEGIN SOLUTION
1 - beta1**t
### END SOLUTION
"""
adam_first_step_uncorrected = """
### BEGIN SOLUTION
(1 - beta1) / sqrt(1 - beta2)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_adam_bias", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=514)
### END HIDDEN TESTS
grade("a5.adam_bias")

# %% [markdown]
# The corrected averages $\hat m_t$ and $\hat v_t$ (each divided by its factor from Q11) give Adam's step,
#
# $$w_t = w_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, \qquad t = 1, 2, \dots$$
#
# Folding both corrections into a step size $\eta_t$ that multiplies $m_t / (\sqrt{v_t} + \epsilon)$ is the same
# method up to where $\epsilon$ sits, and passes as well.
#
# **Q12.** Write `adam(w, dw, state)` with `state["lr"]`, `state["beta1"]`, `state["beta2"]`, `state["eps"]`, the
# averages in `state["m"]`, `state["v"]` and the step count in `state["t"]` (0 before the first step, so the
# first step uses $t = 1$). About seven lines.

# %% nbgrader={"grade": false, "grade_id": "adam", "locked": false, "schema_version": 3, "solution": true}
def adam(w, dw, state):
    """Adam, one step. state: "lr", "beta1", "beta2", "eps", the two averages "m" and "v" (absent at first: zeros)
    and the step count "t" (absent at first: 0). Returns (w_new, state), w_new a new array shaped like w.
    """
    ### BEGIN SOLUTION
    b1, b2 = state["beta1"], state["beta2"]
    t = state.get("t", 0) + 1
    m = b1 * state.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * state.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    state["t"], state["m"], state["v"] = t, m, v
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return w - state["lr"] * m_hat / (np.sqrt(v_hat) + state["eps"]), state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_adam", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=507)
### END HIDDEN TESTS
grade("a5.adam")

# %% [markdown]
# ## 6. The rules at work
#
# Two classic test surfaces, both with their minimum known:
#
# - an **ill-conditioned quadratic** $f(w) = \frac12 (w_1^2 + 25\, w_2^2)$, curvatures 1 and 25, minimum at the
#   origin: the narrow valley of section 2 in two dimensions;
# - the **Rosenbrock function** $f(w) = (1 - w_1)^2 + 100\,(w_2 - w_1^2)^2$, a curved banana-shaped valley with
#   its minimum at $(1, 1)$: finding the valley is easy, following it is hard.
#
# Every rule starts from the same point and uses hyper-parameters picked by hand to look reasonable (tuning each
# one is part of the story: none of them is best everywhere). The gradients are exact here, so the rule `sgd` is
# plain gradient descent; on the quadratic it uses nearly the largest step the steep direction allows,
# $0.07 < 2/25$.

# %%
def quadratic(a, b):
    return 0.5 * (a ** 2 + 25 * b ** 2)


def quadratic_grad(w):
    return np.array([w[0], 25 * w[1]])


def rosenbrock(a, b):
    return (1 - a) ** 2 + 100 * (b - a ** 2) ** 2


def rosenbrock_grad(w):
    return np.array([-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] ** 2), 200 * (w[1] - w[0] ** 2)])


def run(rule, hyper, grad, w0, steps):
    """The path (steps + 1, 2) of an update rule from w0, with a fresh state holding the hyper-parameters."""
    w, state, path = np.array(w0, dtype=float), dict(hyper), [np.array(w0, dtype=float)]
    with np.errstate(all="ignore"):  # a wrong rule may overflow; the picture shows it
        for _ in range(steps):
            w, state = rule(w, grad(w), state)
            path.append(w)
            if not np.all(np.abs(w) < 1e6):  # diverged (or NaN): stop here
                break
    return np.array(path)


surfaces = {
    "quadratic": (quadratic, quadratic_grad, [-4.5, 1.2], 60, (-5, 5), (-1.6, 1.6), 30, {
        "sgd": (sgd, {"lr": 0.07}), "momentum": (momentum, {"lr": 0.02, "mu": 0.8}),
        "nesterov": (nesterov, {"lr": 0.02, "mu": 0.8}), "adagrad": (adagrad, {"lr": 1.0, "eps": 1e-8}),
        "rmsprop": (rmsprop, {"lr": 0.1, "rho": 0.9, "eps": 1e-8}),
        "adadelta": (adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-2}),
        "adam": (adam, {"lr": 0.3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8})}),
    "Rosenbrock": (rosenbrock, rosenbrock_grad, [-1.2, 1.0], 500, (-1.6, 1.6), (-0.5, 1.6), np.logspace(-2, 3, 25), {
        "sgd": (sgd, {"lr": 1e-3}), "momentum": (momentum, {"lr": 1e-3, "mu": 0.9}),
        "nesterov": (nesterov, {"lr": 1e-3, "mu": 0.9}), "adagrad": (adagrad, {"lr": 0.5, "eps": 1e-8}),
        "rmsprop": (rmsprop, {"lr": 0.02, "rho": 0.9, "eps": 1e-8}),
        "adadelta": (adadelta, {"lr": 1.0, "rho": 0.99, "eps": 1e-4}),
        "adam": (adam, {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8})}),
}
groups = [["sgd", "momentum", "nesterov"], ["adagrad", "rmsprop", "adadelta", "adam"]]
colours = dict(zip(groups[0] + groups[1], plt.get_cmap("tab10").colors))  # one colour per rule, in every panel

with when_ready():
    fig, axes = plt.subplots(2, 3, figsize=(17, 9))
    for row, (name, (f, grad, w0, steps, xlim, ylim, levels, rules)) in enumerate(surfaces.items()):
        paths = {label: run(rule, hyper, grad, w0, steps) for label, (rule, hyper) in rules.items()}
        for col, group in enumerate(groups):
            axes[row, col].set_prop_cycle(color=[colours[k] for k in group])
            plot_trajectories(f, {k: paths[k] for k in group}, xlim, ylim, axes[row, col], levels=levels)
            axes[row, col].set_title(f"{name}, {steps} steps")
        minimum = np.array([0.0, 0.0]) if name == "quadratic" else np.array([1.0, 1.0])
        for label, path in paths.items():
            axes[row, 2].plot(np.linalg.norm(path - minimum, axis=1), lw=1, color=colours[label], label=label)
        axes[row, 2].set_yscale("log")
        axes[row, 2].set_xlabel("step")
        axes[row, 2].set_ylabel(r"distance to the minimum $\|w - w^*\|$")
        axes[row, 2].legend(fontsize="x-small", ncol=2)
    plt.tight_layout()
    plt.show()

# %% [markdown]
# What to look for:
#
# - on the quadratic, gradient descent at its largest safe step bounces across the valley and crawls along
#   $w_1$; momentum and Nesterov build up speed along the valley (momentum overshoots and swings back and forth,
#   Nesterov's look-ahead damps the swings); Adagrad, RMSprop and Adadelta rescale each coordinate, so they drop
#   straight to the valley floor and then run along it: a per-weight step size undoes the bad conditioning of an
#   axis-aligned valley. Adam does the same, plus momentum, which here carries it past the minimum and back;
# - on the Rosenbrock function every method reaches the valley quickly; following the curved floor is where they
#   differ. Plain gradient descent, limited by the steep walls, is still far from $(1, 1)$ after 500 steps;
#   momentum and Nesterov accumulate speed along the floor and get closest. The adaptive rules move by about
#   $\eta$ per step whatever the gradient, so their progress depends on $\eta$: Adagrad's first step is $\eta$
#   in each coordinate (a jump off the wall) and its ever-shrinking step then slows it down, RMSprop (no
#   momentum) jitters across the floor, and Adadelta builds its own step size up from the small first step of Q9
#   and stays cautious. None of them is best everywhere, which is why $\eta$ and the rule are still tuned per problem.
#
# ## 7. Vanishing and exploding gradients
#
# Backpropagation multiplies one factor per layer. For a deep network with weight matrices $W_1, \dots, W_L$ and
# activations $a_\ell = f(z_\ell)$, $z_\ell = a_{\ell-1} W_\ell$ (rows are samples), the gradient that reaches
# layer $\ell$ is
#
# $$\frac{\partial L}{\partial z_\ell} = \Big(\frac{\partial L}{\partial z_{\ell+1}}\, W_{\ell+1}^T\Big) \odot f'(z_\ell),$$
#
# one matrix product and one elementwise product per layer, all the way down. If each layer shrinks the signal by
# a factor 0.25, ten layers shrink it by $0.25^{10} \approx 10^{-6}$: the first layers get almost no gradient and
# stop learning (**vanishing** gradient). If each layer multiplies it by 4, ten layers give $10^6$: huge, unstable
# steps (**exploding** gradient).
#
# The sigmoid is the classic culprit: $\sigma'(z) = \sigma(z)(1 - \sigma(z)) \le 1/4$, with equality only at
# $z = 0$, so every sigmoid layer multiplies the gradient by at most $1/4$ times what $W^T$ does. ReLU's
# derivative is 0 or 1: on the active units it passes the gradient through unchanged.
#
# Below, two 10-layer networks of width 64, each given a batch of 256 standardized inputs (64 features, 10
# classes, the shape of the digits data) and one backward pass of the cross-entropy: sigmoid with Xavier
# initialization and ReLU with He initialization, and the norm of $\partial L/\partial W_\ell$ layer by layer.
# (At initialization the network knows nothing about the data yet, so random inputs show the same thing as real
# ones.)

# %%
gen = np.random.default_rng(3)
X_batch, y_batch = gen.normal(size=(256, 64)), gen.integers(0, 10, size=256)


def gradient_norms(activation, initializer, depth=10, width=64, seed=0):
    model = layers.mlp([64] + [width] * (depth - 1) + [10], activation=activation, init=initializer, seed=seed)
    scores = model.forward(X_batch)
    _, dscores = losses.softmax_cross_entropy(scores, y_batch)
    model.backward(dscores)
    return model.grads


fig, ax = plt.subplots(figsize=(7, 4))
plot_gradient_norms(gradient_norms(layers.Sigmoid, init.xavier), ax, label="sigmoid, Xavier init")
plot_gradient_norms(gradient_norms(layers.ReLU, init.he), ax, label="ReLU, He init")
ax.set_title("gradient norm per layer, 10 layers (the input side is on the left)")
plt.show()

# %% [markdown]
# The sigmoid network's first layer receives a gradient about six orders of magnitude smaller than its last; in
# the ReLU network with He initialization the norms stay within a factor of a few from one end to the other.
#
# ### Keeping the variance constant: Xavier/Glorot and He
#
# The factor each layer applies depends on the scale of the weights, and we choose that scale at initialization.
# Take one unit of layer $\ell$, $z = \sum_{j=1}^{d_{\text{in}}} a_j W_{j}$, with the weights drawn independently
# of each other and of the inputs, zero-mean, with variance $\mathrm{Var}(W)$. Then the terms are uncorrelated and
#
# $$\mathrm{Var}(z) = \sum_{j=1}^{d_{\text{in}}} \mathrm{Var}(a_j W_j) = d_{\text{in}}\; \mathrm{Var}(W)\;
#   \mathbb E[a^2],$$
#
# using $\mathrm{Var}(aW) = \mathbb E[a^2]\, \mathbb E[W^2]$ for independent factors with $\mathbb E[W] = 0$.
#
# - **Units that are the identity around 0** (tanh: $\tanh(0) = 0$ and $\tanh'(0) = 1$, so $\tanh(z) \approx z$
#   for small $z$): then $\mathbb E[a^2] \approx \mathrm{Var}(z_{\text{prev}})$, and the variance is kept from layer
#   to layer when $d_{\text{in}} \mathrm{Var}(W) = 1$. The backward pass multiplies by $W^T$ and sums over
#   $d_{\text{out}}$ units, which asks for $d_{\text{out}} \mathrm{Var}(W) = 1$. Glorot and Bengio compromise
#   between the two:
#   $$\mathrm{Var}(W) = \frac{2}{d_{\text{in}} + d_{\text{out}}} \qquad\text{(Xavier / Glorot).}$$
#   The derivation leans on both properties of tanh at 0, slope 1 and output centred at 0. The sigmoid has
#   neither: $\sigma'(0) = 1/4$, so each layer shrinks the signal by about 4 (16 in variance), and
#   $\sigma(0) = 1/2$, so its outputs are not centred. Xavier's scale is not made for the sigmoid, which is one
#   reason the sigmoid network above vanishes even with it.
# - **ReLU**: for $z$ symmetric around 0, $\mathrm{relu}(z)$ keeps only the positive half, so
#   $\mathbb E[\mathrm{relu}(z)^2] = \frac12 \mathbb E[z^2] = \frac12 \mathrm{Var}(z)$. Half the variance is lost
#   at every layer, and doubling the weights' variance puts it back:
#   $$\mathrm{Var}(W) = \frac{2}{d_{\text{in}}} \qquad\text{(He / Kaiming).}$$
#
# A fixed scale ignores the width and the activation. The picture shows the standard deviation of the
# pre-activations $z_\ell$ through 20 ReLU layers of width 128 for four choices: too small, Xavier, He and too
# large. Only He keeps it constant; Xavier loses a factor $\sqrt 2$ per ReLU layer.

# %%
def activation_stds(scale, depth=20, width=128, n_samples=200, seed=0):
    """std of the pre-activations of each layer of a deep ReLU net whose weights have std = scale(d_in, d_out)."""
    gen = np.random.default_rng(seed)
    a, stds = gen.normal(size=(n_samples, width)), []
    for _ in range(depth):
        z = a @ (gen.normal(size=(width, width)) * scale(width, width))
        stds.append(z.std())
        a = np.maximum(z, 0)
    return stds


scales = {"std 0.01 (too small)": lambda i, o: 0.01,
          "Xavier: sqrt(2 / (d_in + d_out))": lambda i, o: np.sqrt(2 / (i + o)),
          "He: sqrt(2 / d_in)": lambda i, o: np.sqrt(2 / i),
          "std 0.2 (too large)": lambda i, o: 0.2}
fig, ax = plt.subplots(figsize=(7, 4))
for label, scale in scales.items():
    ax.plot(np.arange(1, 21), activation_stds(scale), marker="o", ms=3, label=label)
ax.set_yscale("log")
ax.set_xlabel("layer")
ax.set_ylabel(r"std of $z_\ell$")
ax.set_title("20 ReLU layers of width 128: how the initial scale propagates")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ### Gradient clipping
#
# Initialization controls the gradients at the start only. During training a step can still land on a steep
# "cliff" of the loss, and one huge gradient throws the weights far away, undoing all the progress (a classic
# problem of recurrent networks, which this course does not cover). **Gradient clipping** caps the length of the
# step and keeps its direction. View all the gradients of the model as one long vector $g$ and take its length,
#
# $$N = \lVert g \rVert_2 = \sqrt{\textstyle\sum_{\text{arrays}} \sum_{\text{entries}} g^2} .$$
#
# The norm is *global*: one number for all the arrays together. When $N$ exceeds a threshold $c$
# (`max_norm`), every array is multiplied by the **same** positive factor, chosen so that the clipped gradient has
# length exactly $c$; when $N \le c$ nothing changes. One common factor keeps the direction of the full step
# (clipping each array on its own would change it).
#
# **Q13 (derive).**
# 1. Store the factor, for $N > c$, an expression in `c` and `N`, in `clip_factor`.
# 2. By hand: the gradients are `{"W": [[1, -2], [2, 0]], "b": [4, 0]}` and `max_norm = 2`. Store the first entry
#    of the clipped `b` in `clip_b` (a number).

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* Multiplying every array by $k > 0$ multiplies $N$ by $k$; $kN = c$ gives $k = c/N$ (less than
# 1 exactly when $N > c$). By hand: $N = \sqrt{1 + 4 + 4 + 0 + 16 + 0} = 5 > 2$, so $k = 2/5 = 0.4$ and the clipped
# $b$ is $(1.6, 0)$.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "clip_factor_answer", "locked": false, "schema_version": 3, "solution": true}
clip_factor = """
### BEGIN SOLUTION
c / N
### END SOLUTION
"""
clip_b = """
### BEGIN SOLUTION
4 * 2 / 5
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_clip_factor", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=515)
### END HIDDEN TESTS
grade("a5.clip_factor")

# %% [markdown]
# **Q14.** Write `clip_by_global_norm(grads, max_norm)` for a dict of gradient arrays (such as `model.grads`).
# Return the pair `(clipped, N)`: a **new** dict with the same keys holding the clipped arrays (the input is not
# modified), and the global norm $N$ before clipping. Four or five lines.

# %% nbgrader={"grade": false, "grade_id": "clip_by_global_norm", "locked": false, "schema_version": 3, "solution": true}
def clip_by_global_norm(grads, max_norm):
    """Clip a dict of gradient arrays by their global norm N (one number for all the arrays together).

    grads: dict name -> array (not modified); max_norm > 0. Returns (clipped, N): a new dict with the same keys and
    shapes, whose global norm is at most max_norm (unchanged when N <= max_norm), and N before clipping.
    """
    ### BEGIN SOLUTION
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    factor = max_norm / norm if norm > max_norm else 1.0
    return {name: g * factor for name, g in grads.items()}, norm
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_clip", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=508)
### END HIDDEN TESTS
grade("a5.clip")

# %% [markdown]
# A cliff in two dimensions: start gradient descent on the Rosenbrock function at $(2, -1)$, high up its steep
# wall, with a step size that works near the valley ($\eta = 1.5 \cdot 10^{-3}$). The gradient there has norm
# about 4000, so the first step jumps six units, onto an even steeper wall, and two steps later $w$ is in the
# tens of thousands. Clipping the gradient to norm 50 limits each step to $50\,\eta = 0.075$: the same descent
# walks down the wall and then along the valley.

# %%
def clipped_descent(w0, lr, steps, max_norm=None):
    w, path = np.array(w0, dtype=float), [np.array(w0, dtype=float)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = {"w": rosenbrock_grad(w)}
            if max_norm is not None:
                g, _ = clip_by_global_norm(g, max_norm)
            w = w - lr * g["w"]
            path.append(w)
            if not np.isfinite(w).all() or np.abs(w).max() > 1e3:
                break
    return np.array(path)


with when_ready():
    plain = clipped_descent([2.0, -1.0], 1.5e-3, 600)
    clipped = clipped_descent([2.0, -1.0], 1.5e-3, 600, max_norm=50.0)
    print(f"without clipping: w = {np.round(plain[-1], 1)} after {len(plain) - 1} steps (stopped: it left the map)")
    print(f"with clipping:    w = {np.round(clipped[-1], 3)} after {len(clipped) - 1} steps")
    ax = plot_trajectories(rosenbrock, {"no clipping (first steps)": plain[:4], "clipped at norm 50": clipped},
                           (-5, 3), (-2, 5), levels=np.logspace(-1, 3.5, 25))
    ax.set_title(r"gradient descent from (2, -1) with $\eta = 1.5 \cdot 10^{-3}$")
    plt.show()

# %% [markdown]
# ### Q15: deep networks (2 points, graded by hand)
#
# In three to five sentences: why do the gradients of the first layers of the deep sigmoid network vanish (name
# the factor each layer contributes and its bound), why does He initialization keep a ReLU network's activations
# at a constant scale while Xavier's does not, and what does gradient clipping change about a step, and what not?

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_gradients", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Backpropagation multiplies the gradient by W^T and by the activation's derivative at every layer; the sigmoid's
# derivative is at most 1/4, so across ten layers the factors multiply into something tiny and the first layers
# barely learn. With zero-mean independent weights, Var(z) = d_in Var(W) E[a^2], and ReLU keeps only half of
# E[z^2]; He's Var(W) = 2 / d_in exactly doubles what ReLU halves, while Xavier's 2 / (d_in + d_out) = 1 / d_in
# for square layers assumes a unit that is the identity around 0 and loses a factor of 2 in variance per layer. Clipping rescales
# all the gradients together when their global norm exceeds a threshold: it caps the length of a step and keeps
# its direction; it does not change the direction, nor steps that were already small, and it does not fix
# vanishing gradients.
# ### END SOLUTION

# %% [markdown]
# ## What's next
#
# `backprop.train.fit` takes any of these rules (`optimizer=optim.adam`), a schedule (`lr_schedule=`) and
# clipping (`max_grad_norm=`). Now that you have tried every question, walkthrough 5 (sections 3 to 5 and 7) has
# the worked derivations to compare with yours. The next assignment turns to the other half of training a network
# well: regularization.
#
# ## Where you stand, and how to hand in
#
# The cell below lists each question with what its public checks said the last time you ran them here, and what
# grading adds (the hidden checks, the written answers). To hand in, save the notebook (File > Save), then submit
# the `.ipynb` file as your course says: from the Assignments tab if you work on the course's JupyterHub, or by
# uploading it to the course's LMS page. Keep its file name.

# %%
summary("a5")
