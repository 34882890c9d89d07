# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Walkthrough 2: losses from maximum likelihood, activations, and gradient checking
#
# *Neural networks from first principles, unit 2 (self-study).* Unit 1 ended with a recipe: pick a loss, take
# its gradient, step against it. This unit asks **which loss**, and answers with one principle, maximum
# likelihood. It then catalogues the activation functions and their derivatives, and builds the tool that
# checks every derivative in the rest of the course: the numerical gradient.
#
# **You will see**
# 1. the empirical loss $J(W)$, and the squared error and binary cross-entropy of the lecture;
# 2. how a Gaussian, a Laplace, a Bernoulli and a Multinoulli output distribution give the squared error
#    (conditional mean), the absolute error (conditional median), sigmoid + cross-entropy (written with
#    softplus) and softmax + cross-entropy (with log-sum-exp);
# 3. why the output unit and the loss must be chosen together (saturation, vanishing gradients);
# 4. the activations step, identity, sigmoid, tanh, ReLU, softplus, leaky and absolute-value ReLU, with their
#    derivatives;
# 5. central differences, their $O(h^2)$ error, the relative error, and why the upstream gradient must be random.

# %%
import matplotlib.pyplot as plt
import numpy as np

from backprop import activations as act
from backprop import data, init, layers, losses, optim, train
from backprop.gradcheck import numerical_gradient, numerical_gradient_array, rel_error

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. The empirical loss
#
# A network $f(x; W)$ is scored on one sample by a loss $\mathcal L(f(x^{(i)}; W), y^{(i)})$ and on the whole
# training set by the **empirical loss** (also called objective, cost, or empirical risk)
#
# $$J(W) = \frac1n \sum_{i=1}^n \mathcal L\big(f(x^{(i)}; W),\, y^{(i)}\big), \qquad W^* = \arg\min_W J(W).$$
#
# Where does it come from? Ideally we would pick $W$ so that the network matches the function $g$ we want
# everywhere: minimize $\int \operatorname{div}\big(f(x; W), g(x)\big)\,dx$ for a *divergence* that is zero only when the two
# agree. We know $g$ only at the training samples, so the integral is replaced by the average over them: that
# average is $J$.
#
# The lecture shows two: the **mean squared error** for a real-valued output (say a final grade in percent),
# and the **binary cross-entropy** for an output that is a probability (say the probability of passing).
# `backprop.losses` returns each as `(value, gradient)`, the value being the mean over the batch. (Its
# `squared_error` carries a factor $\tfrac12$, which only rescales the gradient.)

# %%
predicted, actual = np.array([30.0, 80.0, 85.0]), np.array([90.0, 20.0, 95.0])  # grades in percent
mse = np.mean((actual - predicted) ** 2)
print(f"MSE of the three grade predictions: {mse:.1f}   (library, x2 for its 1/2: {2 * losses.squared_error(predicted, actual)[0]:.1f})")

p_pass = np.array([0.1, 0.8, 0.6, 0.99])  # predicted probabilities of passing
passed = np.array([0.0, 1.0, 0.0, 1.0])
bce = -np.mean(passed * np.log(p_pass) + (1 - passed) * np.log(1 - p_pass))
print(f"binary cross-entropy: {bce:.4f}   (library: {losses.bce_from_probs(p_pass, passed)[0]:.4f})")
print("per-sample terms:", -(passed * np.log(p_pass) + (1 - passed) * np.log(1 - p_pass)),
      "<- the confident wrong answer (0.6 for a fail) costs most")

# %% [markdown]
# ## 2. Losses from maximum likelihood
#
# **The principle.** Let the network's output $o(x; \theta)$ be the *parameter* of a distribution over the
# target, $p(y \mid x) = p(y; o(x;\theta))$. Choose $\theta$ to make the observed targets as likely as possible;
# equivalently minimize the **negative log-likelihood** $-\frac1n\sum_i \log p(y^{(i)}; o(x^{(i)};\theta))$.
# Each choice of distribution gives a loss.
#
# ### 2.1 Gaussian → squared error → the conditional mean
#
# With $p(y\mid x) = \mathcal N(y; o, 1) = \frac{1}{\sqrt{2\pi}} e^{-(y - o)^2/2}$:
#
# $$-\log p(y\mid x) = \tfrac12 (y - o)^2 + \tfrac12\log 2\pi ,$$
#
# the squared error plus a constant that does not depend on $\theta$. Which value does it make the output learn?
# Take all samples that share one input $x$ and let the output be a free constant $c$ there:
# $\frac{d}{dc}\sum_i \tfrac12(c - y_i)^2 = \sum_i (c - y_i) = 0$ gives $c = \bar y$, the **mean**.
#
# **Its gradient** (assignment 2's Q11). For one sample, $\frac{d}{do}\tfrac12(o - y)^2 = (o - y)\cdot 1 = o - y$: the
# $\tfrac12$ meets the power's 2. For the batch mean $L = \frac{1}{2n}\sum_k (o_k - y_k)^2$ only the $k = i$ term
# depends on $o_i$, so $\partial L / \partial o_i = (o_i - y_i)/n$, entry by entry when the outputs are vectors. The
# cell after 2.2 checks it against central differences.
#
# ### 2.2 Laplace → absolute error → the conditional median
#
# With $p(y\mid x) = \frac{1}{2\gamma} e^{-|y - o|/\gamma}$: $-\log p = |y - o|/\gamma + \log 2\gamma$, the absolute error.
# For a constant $c$: $\frac{d}{dc}\sum_i |c - y_i| = \#\{y_i < c\} - \#\{y_i > c\}$, which is zero when as many
# targets lie below $c$ as above: $c$ is the **median**. When the noise is skewed the two differ. We check
# both derivations on a skewed sample by scanning $c$:

# %%
o_chk, y_chk = np.random.default_rng(9).normal(size=(6, 2)), np.random.default_rng(10).normal(size=(6, 2))
numeric = numerical_gradient(lambda o: losses.squared_error(o, y_chk)[0], o_chk.copy())
print("squared error: (o - y) / n against central differences, relative error",
      f"{rel_error((o_chk - y_chk) / len(o_chk), numeric):.1e}")

rng = np.random.default_rng(0)
sample = rng.exponential(1.0, size=500)  # right-skewed: mean 1, median ln 2
cs = np.linspace(0, 2, 401)
sq = [np.mean(0.5 * (c - sample) ** 2) for c in cs]
ab = [np.mean(np.abs(c - sample)) for c in cs]
print(f"argmin of squared error {cs[np.argmin(sq)]:.3f} vs mean {sample.mean():.3f};  "
      f"argmin of absolute error {cs[np.argmin(ab)]:.3f} vs median {np.median(sample):.3f}")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.3))
axes[0].hist(sample, bins=40, color="lightgrey")
axes[0].axvline(sample.mean(), color="tab:blue", label="mean")
axes[0].axvline(np.median(sample), color="tab:orange", label="median")
axes[0].legend(fontsize="small")
axes[0].set_title("a skewed sample of targets")
axes[1].plot(cs, sq, label=r"$\frac{1}{2}(c-y)^2$ averaged")
axes[1].plot(cs, ab, label=r"$|c-y|$ averaged")
axes[1].axvline(sample.mean(), color="tab:blue", ls=":")
axes[1].axvline(np.median(sample), color="tab:orange", ls=":")
axes[1].set_xlabel("constant prediction $c$")
axes[1].legend(fontsize="small")
axes[1].set_title("each loss is minimized at its statistic")
plt.show()

# %% [markdown]
# With enough capacity a network does this at every $x$ at once. `data.skewed_regression` draws
# $y = \sin x + s(x)(E - 1)$ with exponential $E$, so $E[y\mid x] = \sin x$ while the median is lower. We train
# the same small tanh network (1-16-1, full-batch Adam) once with each loss. Each curve follows its own
# statistic, as the likelihoods predicted.

# %%
reg = data.skewed_regression(800, seed=0)
grid = np.linspace(-3, 3, 200)[:, None]
fits = {}
for name, loss in [("squared error", losses.squared_error), ("absolute error", losses.absolute_error)]:
    net = layers.mlp([1, 16, 1], activation=layers.Tanh, init=init.xavier, seed=0)
    train.fit(net, reg.X, reg.y, loss=loss, optimizer=optim.adam, config={"lr": 0.05}, epochs=500,
              batch_size=None, progress=False)
    fits[name] = net.forward(grid, train=False)
true_mean, true_median = np.sin(grid), np.sin(grid) + (0.3 + 0.2 * np.abs(grid)) * (np.log(2) - 1)
for name, fit in fits.items():
    print(f"{name:14s}: mean |fit - E[y|x]| = {np.abs(fit - true_mean).mean():.3f},"
          f"  mean |fit - Median[y|x]| = {np.abs(fit - true_median).mean():.3f}")
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(reg.X, reg.y, s=4, c="lightgrey")
ax.plot(grid, true_mean, "k-", lw=1, label="true conditional mean")
ax.plot(grid, true_median, "k--", lw=1, label="true conditional median")
ax.plot(grid, fits["squared error"], lw=2, label="net trained on squared error")
ax.plot(grid, fits["absolute error"], lw=2, label="net trained on absolute error")
ax.set_ylim(-2, 2.5)
ax.legend(fontsize="small")
ax.set_xlabel("$x$")
plt.show()

# %% [markdown]
# ### 2.3 Bernoulli → sigmoid + cross-entropy, written with softplus
#
# For $y \in \{0, 1\}$ the output must be a probability $p = o(x;\theta) \in [0, 1]$, and
# $p(y\mid x) = p^y (1 - p)^{1-y}$, whose negative log is the binary cross-entropy above.
#
# **How to make the output a probability?** A clipped linear unit $p = \max(0, \min(1, z))$ is valid, but its
# derivative $\partial p/\partial z$ is $0$ whenever $z$ leaves $[0, 1]$, and then no gradient reaches the weights
# however wrong the prediction. The sigmoid $p = \sigma(z) = 1/(1 + e^{-z})$ is never exactly flat (only nearly
# so far from 0). Substituting
# it, and using $1 - \sigma(z) = \sigma(-z)$:
#
# $$-\log p(y\mid x) = \begin{cases} -\log\sigma(z) & y = 1 \\ -\log\sigma(-z) & y = 0 \end{cases}
# \;=\; -\log\sigma\big((2y - 1)z\big) \;=\; \zeta\big((1 - 2y)z\big),$$
#
# where $\zeta(u) = \log(1 + e^u)$ is the **softplus** (since $-\log\sigma(v) = \log(1 + e^{-v}) = \zeta(-v)$).
# **Its gradient, step by step** (assignment 2's Q14). Write $a = \sigma(z)$ and
# $L = -\big(y\log a + (1 - y)\log(1 - a)\big)$.
#
# 1. $\dfrac{\partial L}{\partial a} = -\Big(\dfrac{y}{a} - \dfrac{1 - y}{1 - a}\Big) = \dfrac{a - y}{a(1 - a)}$
#    (common denominator: $-(y(1 - a) - (1 - y)a) = a - y$);
# 2. $\dfrac{\partial a}{\partial z} = \sigma'(z) = a(1 - a)$ (section 3);
# 3. the product: $\dfrac{\partial L}{\partial z} = a - y = \sigma(z) - y$; for the batch mean, divided by $n$.
#
# The softplus form agrees: $\frac{d}{dz}\zeta((1 - 2y)z) = \sigma((1 - 2y)z)(1 - 2y)$, which is $\sigma(z)$ for $y = 0$
# and $-\sigma(-z) = \sigma(z) - 1$ for $y = 1$. A confidently right sample ($(1-2y)z \ll 0$) gives almost nothing,
# a confidently wrong one a gradient of size about 1, which never saturates: the $a(1 - a)$ of step 2 is cancelled
# by the denominator of step 1.
#
# **Pairing matters.** Put the same sigmoid under a squared error instead:
# $\partial\,\tfrac12(\sigma(z) - y)^2/\partial z = (\sigma(z) - y)\,\sigma(z)(1 - \sigma(z))$, and the last factor
# vanishes exactly when the prediction is confidently wrong. The plots show the three pairings for $y = 1$.

# %%
z = np.linspace(-10, 10, 401)
ones = np.ones_like(z)
nll, d_nll = losses.bce_from_logits(z, ones)
sq_sig = 0.5 * (act.sigmoid(z) - 1) ** 2
d_sq_sig = (act.sigmoid(z) - 1) * act.sigmoid_grad(z)
d_clipped = np.where((z > 0) & (z < 1), -1 / np.clip(z, 1e-12, 1), 0.0)  # d(-log p)/dz, p = clip(z, 0, 1)
assert np.allclose(losses.bce_from_logits(z, ones)[0] * len(z), act.softplus(-z).sum())  # zeta((1-2y)z), y = 1
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
axes[0].plot(z, act.softplus(-z), label=r"sigmoid + NLL: $\zeta(-z)$")
axes[0].plot(z, sq_sig, label=r"sigmoid + squared error")
axes[0].set_title("loss for a positive sample ($y = 1$)")
axes[1].plot(z, d_nll * len(z), label="sigmoid + NLL: $\\sigma(z) - 1$")
axes[1].plot(z, d_sq_sig, label="sigmoid + squared error")
axes[1].plot(z, d_clipped, label="clipped linear + NLL (0 outside [0, 1])")
axes[1].set_ylim(-1.5, 0.2)
axes[1].set_title("its gradient w.r.t. $z$")
for ax in axes:
    ax.set_xlabel("$z$ (very wrong on the left)")
    ax.legend(fontsize="x-small")
plt.show()
print("gradient at z = -10 (confidently wrong): NLL", round(float(act.sigmoid(-10.0) - 1), 4),
      " squared error", round(float((act.sigmoid(-10.0) - 1) * act.sigmoid_grad(-10.0)), 6))

# %% [markdown]
# **Stability.** Computing $\log\sigma(z)$ as written overflows or returns $\log 0$ for large $|z|$. The softplus
# form, evaluated as $\zeta(u) = \max(0, u) + \log(1 + e^{-|u|})$, never exponentiates a positive number. That is
# why the library trains from logits (`bce_from_logits`), not from probabilities:

# %%
z_big, y_big = np.array([40.0, -40.0]), np.array([0.0, 1.0])  # two very wrong logits
with np.errstate(all="ignore"):
    from_probs = losses.bce_from_probs(act.sigmoid(z_big), y_big)[0]
print("through probabilities:", from_probs, "   from logits:", losses.bce_from_logits(z_big, y_big)[0], "(= 40, exact)")

# %% [markdown]
# ### 2.4 Multinoulli → softmax + cross-entropy, with log-sum-exp
#
# For $C$ classes the output is a probability vector, produced by the **softmax** of a score vector $z$:
# $p_k = e^{z_k} / \sum_j e^{z_j}$. With a one-hot target, $-\log p(y\mid x) = -\log p_y$, and
#
# $$-\log p_y = -z_y + \log\sum_j e^{z_j} = \operatorname{LSE}(z) - z_y .$$
#
# Four facts, each checked below:
# 1. **Shift invariance**: adding a constant to every $z_j$ changes nothing, so we may subtract $m = \max_j z_j$
#    before exponentiating: $\operatorname{LSE}(z) = m + \log\sum_j e^{z_j - m}$ never overflows.
# 2. **Two classes give the sigmoid**: with $z = (z_1, 0)$, $p_1 = e^{z_1}/(e^{z_1} + 1) = \sigma(z_1)$.
# 3. **The log undoes the exponential**: when the true score trails the best one by a margin $\Delta$, the loss
#    grows like $\Delta$ (linearly), so its gradient stays near 1 instead of vanishing; correctly classified
#    samples contribute almost nothing. The gradient, derived below, is $p - \text{onehot}(y)$.
# 4. **Relative frequencies**: if the same $x$ appears with different labels, the optimum output is their
#    frequencies (minimize $-\sum_k n_k \log p_k$ subject to $\sum_k p_k = 1$; a Lagrange multiplier gives
#    $p_k = n_k / n$).

# %%
zz = np.array([[1000.0, 999.0, 990.0]])
with np.errstate(all="ignore"):
    naive = np.exp(zz) / np.exp(zz).sum()
print("1. naive softmax of [1000, 999, 990]:", naive[0], "  stable:", act.softmax(zz)[0],
      "  shifted by -1000:", act.softmax(zz - 1000)[0])
print("2. softmax([z, 0])[0] vs sigmoid(z) at z = 1.7:", act.softmax(np.array([[1.7, 0.0]]))[0, 0], act.sigmoid(1.7))

margins = np.linspace(-6, 6, 121)
scores = np.column_stack([np.zeros_like(margins), margins, np.full_like(margins, -2.0)])  # true class 0
L = [losses.softmax_cross_entropy(s[None], np.array([0]))[0] for s in scores]
G = [losses.softmax_cross_entropy(s[None], np.array([0]))[1][0, 0] for s in scores]

counts = np.array([2, 5, 3])  # one input seen 10 times: labels 0, 1, 2 that often
labels = np.repeat([0, 1, 2], counts)
free = np.zeros((1, 3))  # the scores at this input, trained directly
for _ in range(500):
    _, g = losses.softmax_cross_entropy(np.repeat(free, 10, axis=0), labels)
    free -= 2.0 * g.sum(axis=0, keepdims=True)
print("4. learned probabilities:", act.softmax(free)[0], " relative frequencies:", counts / counts.sum())

fig, axes = plt.subplots(1, 2, figsize=(10, 3.3))
axes[0].plot(margins, L, label="loss")
axes[0].plot(margins, G, label=r"$\partial L / \partial z_{true}$")
axes[0].set_xlabel(r"best wrong score minus true score $\Delta$")
axes[0].legend(fontsize="small")
axes[0].set_title("3. linear growth, no saturation when wrong")
T = np.array([0.25, 1.0, 4.0])
base = np.array([2.0, 1.0, 0.2])
for t in T:
    axes[1].bar(np.arange(3) + 0.25 * np.log2(t) / 2, act.softmax((base * t)[None])[0], width=0.25, label=f"scores x {t}")
axes[1].set_xticks(range(3))
axes[1].set_title("softmax: a softened argmax")
axes[1].legend(fontsize="small")
plt.show()

# %% [markdown]
# The right plot shows why it is called soft-max: scaling the scores up makes it approach the one-hot argmax,
# scaling them down makes it approach uniform.
#
# **The gradient, step by step** (assignment 2's Q16). Write $S = \sum_k e^{z_k}$, so $\operatorname{LSE}(z) = \log S$.
#
# 1. $\dfrac{\partial \log S}{\partial z_j} = \dfrac{1}{S}\dfrac{\partial S}{\partial z_j} = \dfrac{e^{z_j}}{S} = p_j$: the
#    derivative of log-sum-exp is the softmax;
# 2. $\partial z_y / \partial z_j$ is 1 when $j = y$ and 0 otherwise, so
#    $\dfrac{\partial L}{\partial z_j} = p_j - 1$ for the true class and $p_j$ for every other class;
# 3. for a batch, with the softmax rows in $P$ $(n, C)$ and the one-hot rows in $Y$, the gradient of the mean loss
#    is $(P - Y)/n$, shaped like the scores.
#
# The cell checks step 3 against central differences on a random batch.

# %%
Z_chk, lab_chk = np.random.default_rng(11).normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
P_chk, Y_chk = act.softmax(Z_chk), np.eye(4)[lab_chk]
numeric = numerical_gradient(lambda Z: losses.softmax_cross_entropy(Z, lab_chk)[0], Z_chk.copy())
print(f"(P - Y) / n against central differences: relative error {rel_error((P_chk - Y_chk) / 5, numeric):.1e}")

# %% [markdown]
# ## 3. Activations and their derivatives
#
# A hidden unit computes $a = g(z)$ with $z = w^T x + b$. Every backward pass multiplies by $g'(z)$, so we need
# each derivative:
#
# | $g(z)$ | $g'(z)$ | note |
# |---|---|---|
# | step: $1$ if $z \ge 0$ else $0$ | $0$ | no gradient at all: why the perceptron needs its own rule |
# | identity $z$ | $1$ | output unit for regression; hidden layers of identities collapse to one linear map |
# | sigmoid $\sigma(z)$ | $\sigma(z)(1 - \sigma(z)) \le \tfrac14$ | small maximum: vanishing gradients in deep stacks (unit 5) |
# | $\tanh z = 2\sigma(2z) - 1$ | $1 - \tanh^2 z \le 1$ | zero-centred sigmoid |
# | ReLU $\max(0, z)$ | $\operatorname{step}(z)$ | we take $g'(0) = 1$, the step convention |
# | softplus $\zeta(z) = \log(1 + e^z)$ | $\sigma(z)$ | smooth ReLU |
# | leaky ReLU $\max(0, z) + \alpha\min(0, z)$ | $1$ or $\alpha$ | never completely flat |
# | absolute value $|z|$ | $\operatorname{sign}(z)$ | leaky ReLU with $\alpha = -1$ |
#
# **Derivation of the sigmoid's derivative.** $\sigma(z) = (1 + e^{-z})^{-1}$, so
# $\sigma'(z) = e^{-z}(1 + e^{-z})^{-2} = \frac{1}{1 + e^{-z}}\cdot\frac{e^{-z}}{1 + e^{-z}} = \sigma(z)(1 - \sigma(z))$.
# For tanh (assignment 2's Q5), with $u = e^z - e^{-z}$, $v = e^z + e^{-z}$, $u' = v$, $v' = u$:
# $\tanh' = \frac{u'v - uv'}{v^2} = \frac{v^2 - u^2}{v^2}$. Since $v^2 - u^2 = (v - u)(v + u) = 2e^{-z}\cdot 2e^z = 4$, in $z$
# alone $\tanh'(z) = \frac{4}{(e^z + e^{-z})^2}$; split instead as $\frac{v^2}{v^2} - \frac{u^2}{v^2}$ it is $1 - \tanh^2 z$.
#
# For softplus (Q8): $\zeta'(z) = \frac{e^z}{1 + e^z} = \frac{1}{e^{-z} + 1} = \sigma(z)$, so
# $\zeta''(z) = \sigma'(z) = \sigma(z)(1 - \sigma(z)) > 0$: softplus is convex, and its derivative is a smooth step.
#
# Every row of the table is checked against a central difference at points away from the kinks:

# %%
pairs = {"identity": (act.identity, act.identity_grad), "sigmoid": (act.sigmoid, act.sigmoid_grad),
         "tanh": (act.tanh, act.tanh_grad), "ReLU": (act.relu, act.relu_grad),
         "softplus": (act.softplus, act.softplus_grad), "leaky ReLU": (act.leaky_relu, act.leaky_relu_grad),
         "abs": (act.abs_relu, act.abs_relu_grad), "step": (act.step, act.step_grad)}
zs = np.random.default_rng(1).uniform(-4, 4, size=50)
zs = zs[np.abs(zs) > 0.1]  # off the kinks, so that z +- h stays on one side
for name, (g, dg) in pairs.items():
    numeric = numerical_gradient_array(g, zs.copy(), np.ones_like(zs))  # elementwise: sum(g(z)) gives each g'(z_i)
    print(f"{name:10s} max relative error {rel_error(dg(zs), numeric):.1e}")
print("max of sigmoid' =", act.sigmoid_grad(0.0), "  tanh(z) - (2 sigma(2z) - 1):",
      np.abs(act.tanh(zs) - (2 * act.sigmoid(2 * zs) - 1)).max())

fig, axes = plt.subplots(2, 4, figsize=(14, 5.5), sharex=True)
zg = np.linspace(-4, 4, 401)
for ax, (name, (g, dg)) in zip(axes.T.ravel(), pairs.items()):
    ax.plot(zg, g(zg), label="$g(z)$")
    ax.plot(zg, dg(zg), "--", label="$g'(z)$")
    ax.set_title(name, fontsize=10)
    ax.axhline(0, color="grey", lw=0.5)
axes[0, 0].legend(fontsize="x-small")
plt.tight_layout()
plt.show()

# %% [markdown]
# (An all-ones upstream gradient is acceptable here only because these functions are elementwise: the
# derivative of $\sum_j g(z_j)$ with respect to $z_i$ is exactly $g'(z_i)$, since the Jacobian is diagonal. Section 4
# shows why ones are dangerous in general.)
#
# ## 4. Gradient checking
#
# **Central differences.** Taylor's theorem gives
# $f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x) + O(h^4)$. Subtracting,
#
# $$\frac{f(x + h) - f(x - h)}{2h} = f'(x) + \tfrac{h^2}{6} f'''(x) + O(h^4),$$
#
# an error of order $h^2$, while the one-sided $\frac{f(x+h) - f(x)}{h} = f'(x) + \tfrac h2 f''(x) + \dots$ errs by
# order $h$. In float64 the rounding error of the subtraction grows like $10^{-16}/h$, so the total is smallest
# around $h \approx 10^{-5}$ for central differences. The plot shows both slopes and the rounding floor:

# %%
f, df = np.tanh, lambda x: 1 - np.tanh(x) ** 2
x0 = 0.7
hs = np.logspace(-12, -1, 45)
central = [abs((f(x0 + h) - f(x0 - h)) / (2 * h) - df(x0)) for h in hs]
forward = [abs((f(x0 + h) - f(x0)) / h - df(x0)) for h in hs]
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.loglog(hs, forward, label="one-sided: error ~ h")
ax.loglog(hs, central, label="central: error ~ h$^2$")
ax.axvline(1e-5, color="grey", ls=":", label="h = 1e-5")
ax.set_xlabel("h")
ax.set_ylabel("|numerical - exact|")
ax.legend(fontsize="small")
ax.set_title("finite differences for tanh'(0.7)")
plt.show()

# %% [markdown]
# **Comparing gradients.** Absolute differences depend on scale, so we use the relative error
# $\max_i |a_i - b_i| / \max(10^{-8}, |a_i| + |b_i|)$ (`rel_error`): about $10^{-7}$ or less means the two agree to
# finite-difference accuracy, $10^{-2}$ or more means one is wrong. Each loss of section 2 passes, and a gradient
# with the classic bug of forgetting the $1/n$ of the mean fails loudly:

# %%
rng = np.random.default_rng(2)
S, yi = rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)
P, T01 = rng.uniform(0.05, 0.95, size=(5, 3)), rng.integers(0, 2, size=(5, 3)).astype(float)
Zr, Yr = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
cases = {"squared_error": (losses.squared_error, Zr, Yr), "absolute_error": (losses.absolute_error, Zr, Yr),
         "bce_from_probs": (losses.bce_from_probs, P, T01), "bce_from_logits": (losses.bce_from_logits, Zr, (Yr > 0) * 1.0),
         "softmax_cross_entropy": (losses.softmax_cross_entropy, S, yi)}
errors = {}
for name, (loss, a, t) in cases.items():
    errors[name] = rel_error(loss(a, t)[1], numerical_gradient(lambda v: loss(v, t)[0], a.copy()))
errors["softmax CE without 1/n (bug)"] = rel_error(losses.softmax_cross_entropy(S, yi)[1] * len(S),
                                                    numerical_gradient(lambda v: losses.softmax_cross_entropy(v, yi)[0], S.copy()))
for name, e in errors.items():
    print(f"{name:30s} {e:.1e}")
fig, ax = plt.subplots(figsize=(7, 3))
ax.barh(list(errors), list(errors.values()), color=["tab:blue"] * (len(errors) - 1) + ["tab:red"])
ax.set_xscale("log")
ax.axvline(1e-7, color="grey", ls=":")
ax.set_xlabel("relative error of the analytic gradient")
plt.show()

# %% [markdown]
# **Never check with an all-ones upstream gradient.** A backward function receives $\partial L/\partial
# \text{out}$ and must return $J^T\,\partial L/\partial\text{out}$. Checking it with `dout = 1` tests only one
# direction, and some bugs are invisible there. The softmax's Jacobian-vector product is
# $p \odot (d - p^T d)$ (derived in walkthrough 4). A plausible wrong version, $p \odot (d - \bar d)$ (subtract the
# plain mean instead of the $p$-weighted one), returns the right answer, zero, whenever $d$ is constant:

# %%
def softmax_backward_buggy(dout, p):
    return p * (dout - dout.mean(axis=1, keepdims=True))


Zs = rng.normal(size=(4, 5))
p = act.softmax(Zs)
for label, dout in [("dout = ones", np.ones_like(Zs)), ("dout random", rng.normal(size=Zs.shape))]:
    numeric = numerical_gradient_array(act.softmax, Zs.copy(), dout)
    good, bad = layers.softmax_backward(dout, p), softmax_backward_buggy(dout, p)
    print(f"{label:12s}: largest |correct - buggy| = {np.abs(good - bad).max():.1e};  largest |buggy - numerical| = "
          f"{np.abs(bad - numeric).max():.1e},  relative error of the buggy one {rel_error(bad, numeric):.1e}")

# %% [markdown]
# With ones, the buggy and the correct backward return the same array (both zero up to rounding) and the
# numerical gradient is zero too, so no comparison can tell them apart. With a random upstream gradient the bug
# is caught at once. The autograder's checks therefore always use a random `dout`.
#
# ## Where to go next
#
# - **Assignment 2** ([source/a2/losses_activations.py](../../source/a2/losses_activations.py), student version
#   [release/a2/losses_activations.ipynb](../../release/a2/losses_activations.ipynb)) has you write
#   `numerical_gradient` and `rel_error` first, then `sigmoid`, `tanh`, `rectifier` (ReLU, leaky and absolute
#   value), `softplus`, `maxout`, and the losses `squared_error`, `absolute_error`, `bce_from_logits` and
#   `softmax_cross_entropy`, each with a check cell (`grade("a2.<question>")`) that runs the public checks and
#   explains any difference; before each derivative it codes, a derive question asks for it on paper (σ', tanh',
#   softplus' and softplus'', the squared error's, the cross-entropy's and softmax cross-entropy's gradients):
#   sections 2 and 3 above are their worked solutions, to read after trying. Two short written answers ask about
#   mean vs median and about pairing output units with losses.
# - Reference: `help(act.softplus)`, `help(losses.bce_from_logits)`, `help(losses.softmax_cross_entropy)`,
#   `help(numerical_gradient_array)`.
# - **Things to try:** train a sigmoid unit on `data.will_i_pass` (labels mapped to 0/1) from a badly wrong
#   starting $w$, once with `bce_from_logits` and once with a squared error on $\sigma(z)$, and compare how fast
#   each recovers; make the noise symmetric (replace the exponential by a normal) and watch mean and
#   median fits coincide; find the $h$ that minimizes the central-difference error for `np.exp` at 10.
# - Next: [walkthrough 3](03_backprop_by_hand.ipynb), where the chain rule is walked backwards through a network.
