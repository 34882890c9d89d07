# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Walkthrough 4: the multilayer perceptron in matrix form
#
# *Neural networks from first principles, unit 4 (self-study).* Walkthrough 3 computed gradients unit by unit.
# Here the same computation becomes a handful of matrix products, the form every library uses, and we look at
# what a multilayer perceptron can represent.
#
# **You will see**
# 1. one layer for a whole batch, $Z = XW + b$, next to the lecture's column forms;
# 2. the dense layer's backward pass derived from Jacobian-gradient products ($Y = XW$ and $Y = WX$), and why an
#    activation's Jacobian is diagonal while the softmax's is not;
# 3. the whole backward pass of the lecture's MLP (ReLU, cross-entropy, weight decay) in five lines,
#    checked against the library and central differences;
# 4. initialization: why all-zero weights never learn;
# 5. XOR, hidden-unit choices (ReLU, leaky, absolute value, tanh, maxout) and their decision regions;
# 6. the universal approximation theorem, a construction that shows it, and what depth buys;
# 7. a real task: handwritten digits, with the sanity checks worth doing before any long run.

# %%
import matplotlib.pyplot as plt
import numpy as np

from backprop import activations as act
from backprop import data, init, layers, losses, optim, train
from backprop.gradcheck import check_model_gradients, numerical_gradient, numerical_gradient_array, rel_error
from backprop.plots import plot_decision_regions

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. One layer, a whole batch
#
# For one sample the lecture writes a column $x \in \mathbb R^{d}$ and computes $z = W^T x + W_0$ (notes 004, with
# $W$ of shape $d_{in} \times d_{out}$) or $z = Wx + b$ (notes 000 and 003, with $W$ of shape $d_{out} \times d_{in}$:
# the transpose of the first). The code stores $n$ samples as the **rows** of `X` (shape `(n, d_in)`) and
# computes every sample's pre-activation at once:
#
# $$Z = XW + b, \qquad Z_{ij} = \sum_k X_{ik}W_{kj} + b_j,$$
#
# where row $i$ of $Z$ is $(W^T x^{(i)} + b)^T$: the same numbers, transposed, for all samples together, and $b$
# is added to every row (broadcasting). The code's `W` is the `(d_in, d_out)` matrix of notes 004.

# %%
X = rng.normal(size=(5, 3))
W = rng.normal(size=(3, 4))
b = rng.normal(size=4)
Z, cache = layers.dense_forward(X, W, b)
col_form = np.column_stack([W.T @ X[i] + b for i in range(5)])      # notes 004: one column per sample
W_rows = W.T                                                        # notes 000/003 store the transpose
col_form_003 = np.column_stack([W_rows @ X[i] + b for i in range(5)])
print("Z shape", Z.shape, "| equals (W^T x + b) per column, transposed:", np.allclose(Z, col_form.T),
      "| equals (W x + b) with W = d_out x d_in:", np.allclose(Z, col_form_003.T))

# %% [markdown]
# ## 2. The dense layer's backward pass
#
# A backward function receives $G = \partial L/\partial Z$ (shape of $Z$) and returns the gradients with respect to
# its inputs, each with the shape of the thing it is the gradient of (the **denominator layout** of notes 004).
#
# **The vector rule.** If $y = g(x)$ and $L$ depends on $x$ only through $y$, then
# $\frac{\partial L}{\partial x_i} = \sum_j \frac{\partial L}{\partial y_j}\frac{\partial y_j}{\partial x_i}$, i.e.
# $\nabla_x L = J^T \nabla_y L$ with the Jacobian $J_{ji} = \partial y_j/\partial x_i$: a **Jacobian-gradient product**.
#
# **$Y = WX$ (columns are samples).** Column $j$ of $Y$ depends only on column $j$ of $X$: $Y_{:,j} = WX_{:,j}$,
# Jacobian $W$, so $\nabla_{X_{:,j}} L = W^T\nabla_{Y_{:,j}}L$ and, all columns at once, $\nabla_X L = W^T\nabla_Y L$.
#
# **$Y = XW$ (rows are samples, our case).** Row $i$: $Y_{i,:}^T = W^T X_{i,:}^T$, Jacobian $W^T$, so
# $\nabla_{X_{i,:}^T} L = W\,\nabla_{Y_{i,:}^T}L$, and stacking the rows: $\nabla_X L = (\nabla_Y L)\,W^T$.
#
# **The weights.** $Z_{ij} = \sum_k X_{ik}W_{kj} + b_j$ gives $\partial Z_{ij}/\partial W_{kj} = X_{ik}$, so
# $\frac{\partial L}{\partial W_{kj}} = \sum_i X_{ik}\,G_{ij}$, i.e. $\nabla_W L = X^T G$ (a sum over the samples), and
# $\nabla_b L = \sum_i G_{i,:}$ because $b$ is added to every row. (For tensors of any shape the rule is the same:
# flatten $X$ and $Y$ into vectors, apply $J^T\nabla_Y L$, and reshape; $\nabla_X L = \sum_j \frac{\partial L}{\partial Y_j}\nabla_X Y_j$.)
# The shapes alone pin down the transposes:
# `dX = G @ W.T` is `(n, d_in)`, `dW = X.T @ G` is `(d_in, d_out)`.

# %%
G = rng.normal(size=Z.shape)  # a random upstream gradient, never all ones
dX, dW, db = layers.dense_backward(G, cache)
print("dX vs numerical:", f"{rel_error(dX, numerical_gradient_array(lambda v: v @ W + b, X.copy(), G)):.1e}")
print("dW vs numerical:", f"{rel_error(dW, numerical_gradient_array(lambda v: X @ v + b, W.copy(), G)):.1e}")
print("db vs numerical:", f"{rel_error(db, numerical_gradient_array(lambda v: X @ W + v, b.copy(), G)):.1e}")

# %% [markdown]
# **Activations: a diagonal Jacobian.** An elementwise $a = f(z)$ has $\partial a_i/\partial z_j = 0$ for $i \ne j$, so
# its Jacobian is $\operatorname{diag}(f'(z))$ and the Jacobian-gradient product is an elementwise product,
# `dZ = dA * f'(Z)`, with no matrix at all. Notes 004's example: $f(z) = z^2$ at $z = (1, 2, 3)$ has Jacobian
# $\operatorname{diag}(2, 4, 6)$.
#
# **Softmax: a full Jacobian.** With $p = \operatorname{softmax}(z)$, $\partial p_i/\partial z_j = p_i([i = j] - p_j)$:
# every output depends on every input. Its product with an upstream $d$ is
# $\sum_i d_i\,p_i([i=j] - p_j) = p_j\,(d_j - \sum_i d_i p_i)$, i.e. $p \odot (d - p^T d)$, again without building the matrix.

# %%
z = np.array([1.0, 2.0, 3.0])
J_square = np.column_stack([numerical_gradient_array(lambda v: v ** 2, z.copy(), e) for e in np.eye(3)]).T
print("numerical Jacobian of z^2 at (1, 2, 3):\n", J_square)
zs = rng.normal(size=(1, 4))
p = act.softmax(zs)[0]
J_soft = np.diag(p) - np.outer(p, p)
d = rng.normal(size=(1, 4))
print("softmax: J^T d =", J_soft.T @ d[0], "  p * (d - p.d) =", layers.softmax_backward(d, p[None])[0])
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
for ax, J, title in [(axes[0], J_square, "Jacobian of $z^2$: diagonal"), (axes[1], J_soft, "Jacobian of softmax: full")]:
    im = ax.imshow(J, cmap="RdBu", vmin=-np.abs(J).max(), vmax=np.abs(J).max())
    ax.set_title(title, fontsize=10)
    plt.colorbar(im, ax=ax)
plt.show()

# %% [markdown]
# ## 3. The whole backward pass of an MLP
#
# Notes 002 train an MLP with one ReLU hidden layer, softmax cross-entropy and weight decay, for a mini-batch $X$:
#
# $$U^{(1)} = XW^{(1)},\quad H = \max(0, U^{(1)}),\quad U^{(2)} = HW^{(2)},\qquad
# J = J_{MLE}(U^{(2)}, y) + \lambda\big(\lVert W^{(1)}\rVert^2 + \lVert W^{(2)}\rVert^2\big).$$
#
# Backward, each line one rule from section 2 (biases are left out, as in the notes):
#
# 1. $G = \nabla_{U^{(2)}}J_{MLE} = (\operatorname{softmax}(U^{(2)}) - \text{onehot}(y))/n$ (walkthrough 2);
# 2. $\nabla_{W^{(2)}}J = H^T G + 2\lambda W^{(2)}$: two paths into $W^{(2)}$, the data term and the penalty, add;
# 3. $\nabla_H J = G\,W^{(2)T}$;
# 4. $G' = \nabla_{U^{(1)}}J$: $\nabla_H J$ with the entries where $U^{(1)} < 0$ set to zero (ReLU's diagonal Jacobian);
# 5. $\nabla_{W^{(1)}}J = X^T G' + 2\lambda W^{(1)}$.
#
# In the $\delta$ language of walkthrough 3, row $i$ of $G'$ holds the $\delta$'s of the hidden units for sample $i$,
# and $X^T G'$ sums $a_i\delta_j$ over the batch. We compute the five lines by hand and compare them with the
# library's layers and with central differences.

# %%
n, lam = 8, 1e-2
Xb, yb = rng.normal(size=(n, 5)), rng.integers(0, 3, size=n)
W1, W2 = rng.normal(size=(5, 6)), rng.normal(size=(6, 3))


def objective(W1_, W2_):
    H_ = np.maximum(Xb @ W1_, 0)
    return losses.softmax_cross_entropy(H_ @ W2_, yb)[0] + lam * (np.sum(W1_ ** 2) + np.sum(W2_ ** 2))


U1 = Xb @ W1
H = np.maximum(U1, 0)
U2 = H @ W2
_, G = losses.softmax_cross_entropy(U2, yb)                  # line 1
gW2 = H.T @ G + 2 * lam * W2                                 # line 2
dH = G @ W2.T                                                # line 3
Gp = dH * (U1 >= 0)                                          # line 4
gW1 = Xb.T @ Gp + 2 * lam * W1                               # line 5

net = layers.Sequential(layers.Dense(5, 6), layers.ReLU(), layers.Dense(6, 3))
net.params["W1"][...], net.params["W2"][...] = W1, W2        # same weights, zero biases
_, dscores = losses.softmax_cross_entropy(net.forward(Xb), yb)
net.backward(dscores)
lib_W1 = net.grads["W1"] + optim.l2_penalty(W1, lam)[1]
print("by hand vs library:   W1", f"{rel_error(gW1, lib_W1):.1e}", " W2",
      f"{rel_error(gW2, net.grads['W2'] + optim.l2_penalty(W2, lam)[1]):.1e}")
print("by hand vs numerical: W1", f"{rel_error(gW1, numerical_gradient(lambda v: objective(v, W2), W1.copy())):.1e}",
      " W2", f"{rel_error(gW2, numerical_gradient(lambda v: objective(W1, v), W2.copy())):.1e}")
print("whole library network with biases, check_model_gradients:",
      {k: f"{v:.1e}" for k, v in check_model_gradients(layers.mlp([5, 6, 4, 3], activation=layers.Tanh, seed=1),
                                                        losses.softmax_cross_entropy, Xb, yb).items()})

# %% [markdown]
# ## 4. Initialization: why not all zeros?
#
# Notes 003 ask what happens with $W = 0$ and $b = 0$ everywhere. With sigmoid units every pre-activation is 0,
# every activation is $\tfrac12$, and the output does not depend on $x$. Worse, the hidden units are
# **interchangeable**: they compute the same value, receive the same gradient (column $j$ of $\nabla_{W^{(1)}}$
# is built from row $j$ of $W^{(2)}$, the outgoing weights of hidden unit $j$, since $\nabla_H = G\,W^{(2)T}$ with
# $W^{(2)}$ of shape (hidden, outputs); and these rows are all equal), take the same step, and stay identical
# forever. The network then
# has the power of a single hidden unit. Random weights break this symmetry. We train the same sigmoid network
# on XOR from zeros and from Xavier-scaled random weights and look at the hidden weights.

# %%
Xx, yx = data.xor(200, noise=0.1, seed=0)
runs = {}
for name, initializer in [("all zeros", init.zeros), ("random (Xavier)", init.xavier)]:
    model = layers.mlp([2, 4, 2], activation=layers.Sigmoid, init=initializer, seed=0)
    hist = train.fit(model, Xx, yx, optimizer=optim.adam, config={"lr": 0.05}, epochs=150, batch_size=None, progress=False)
    runs[name] = (model, hist)
    W1_learned = model.params["W1"]
    print(f"{name:16s}: accuracy {hist['acc'][-1]:.2f}; hidden weight columns all equal: "
          f"{np.allclose(W1_learned, W1_learned[:, :1])}\n{W1_learned}")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for ax, (name, (model, hist)) in zip(axes, runs.items()):
    plot_decision_regions(lambda P, m=model: m.forward(P, train=False).argmax(axis=1), Xx, yx, ax, resolution=80)
    ax.set_title(f"{name}: accuracy {hist['acc'][-1]:.2f}")
plt.show()

# %% [markdown]
# ## 5. XOR and the choice of hidden units
#
# No line separates XOR, so a linear unit gets at most 3 of the 4 corners. One hidden layer fixes it: the
# hidden units bend the input space so that the output unit sees a separable problem. (Walkthrough 3 solved
# it with sigmoids; above, random initialization did too.)
#
# **Hidden units** compute $h = g(W^Tx + b)$; the usual choices are piecewise linear (notes 002):
#
# - **ReLU** $\max(0, z)$: gradient exactly 1 where active, so a deep stack passes gradients undamped; a unit whose
#   inputs are all negative gets no gradient ("dead");
# - **leaky ReLU** $\max(0, z) + \alpha\min(0, z)$ and **absolute-value rectification** $|z|$ ($\alpha = -1$): never flat;
# - **maxout** $g(z)_i = \max_{j \in \mathbb G(i)} z_j$, the maximum of $k$ linear pieces per unit, with groups
#   $\mathbb G(i) = \{(i-1)k + 1, \dots, ik\}$. With $k = 2$ and the second piece's weights at zero it is a ReLU;
#   with the second piece equal to $0.01\times$ the first it is a leaky ReLU; learned pieces give any convex
#   piecewise-linear function: maxout *learns its activation*;
# - **tanh** and sigmoid, smooth but saturating.
#
# **Why linear pieces help.** For one hidden unit, $\partial J/\partial w_i = c'(h)\,g'(z)\,x_i$: a $g'$ that is a
# non-zero constant over a whole region keeps this gradient well-behaved, while a saturating $g'$ shrinks it.
#
# First the maxout claims, then one network per hidden unit on the two-moons problem (same sizes, same
# training), with the regions each one learned:

# %%
z1 = rng.normal(size=(6, 1))
as_relu, _ = act.maxout_forward(np.hstack([z1, 0 * z1]), 2)
as_leaky, _ = act.maxout_forward(np.hstack([z1, 0.01 * z1]), 2)
print("maxout(z, 0) == ReLU(z):", np.allclose(as_relu, act.relu(z1)),
      "| maxout(z, 0.01 z) == leaky ReLU(z):", np.allclose(as_leaky, act.leaky_relu(z1)))

Xm, ym = data.two_moons(200, noise=0.15, seed=0)
hidden_choices = {"ReLU": layers.ReLU, "leaky ReLU (0.1)": lambda: layers.LeakyReLU(0.1), "|z|": layers.AbsReLU,
                  "tanh": layers.Tanh}
models = {name: layers.mlp([2, 32, 32, 2], activation=g, seed=0) for name, g in hidden_choices.items()}
r = np.random.default_rng(0)
models["maxout (k = 4)"] = layers.Sequential(layers.Dense(2, 64, rng=r), layers.Maxout(4), layers.Dense(16, 2, rng=r))
fig, axes = plt.subplots(1, 5, figsize=(19, 3.6))
for ax, (name, model) in zip(axes, models.items()):
    hist = train.fit(model, Xm, ym, optimizer=optim.adam, config={"lr": 0.03}, epochs=200, batch_size=None, progress=False)
    plot_decision_regions(lambda P, m=model: m.forward(P, train=False).argmax(axis=1), Xm, ym, ax, resolution=80)
    ax.set_title(f"{name}: train acc {hist['acc'][-1]:.3f}", fontsize=10)
plt.show()

# %% [markdown]
# All five fit the moons; the regions differ in shape (straight pieces for the piecewise-linear units, smooth
# curves for tanh) and in how they extrapolate far from the data, where nothing constrains them.
#
# ## 6. Universal approximation, and what depth buys
#
# **The theorem** (Hornik et al. 1989, Cybenko 1989): a feedforward network with a linear output layer and at
# least one hidden layer of "squashing" units (such as the sigmoid) can approximate any continuous function on a
# closed and bounded subset of $\mathbb R^n$ to any accuracy, given enough hidden units. Leshno et al. (1993)
# showed the same for ReLU and, more generally, any non-polynomial activation. It says such weights *exist*; not
# that training finds them, nor how many units are needed.
#
# **A construction for ReLU in one dimension.** Pick knots $t_0 < t_1 < \dots < t_N$ and let $s_k$ be the slope of
# the straight segment joining the function's values at $t_k$ and $t_{k+1}$. The function
#
# $$\hat f(x) = f(t_0) + s_0\,\mathrm{ReLU}(x - t_0) + \sum_{k=1}^{N-1} (s_k - s_{k-1})\,\mathrm{ReLU}(x - t_k)$$
#
# is a one-hidden-layer ReLU network with $N$ units (hidden weights 1, biases $-t_k$, output weights the slope
# changes), and on $[t_0, t_N]$ it *is* the piecewise-linear interpolant: each unit switches on at its knot and
# changes the slope by exactly the amount needed. For a smooth $f$ the interpolation error falls like $1/N^2$.
# We build it with the library's `Dense` and `ReLU` layers, no training:

# %%
def target(x):
    return np.sin(3 * x) + 0.5 * x


def relu_interpolant(N, lo=-2.0, hi=2.0):
    t = np.linspace(lo, hi, N + 1)
    s = np.diff(target(t)) / np.diff(t)
    net = layers.Sequential(layers.Dense(1, N), layers.ReLU(), layers.Dense(N, 1))
    net.params["W1"][...] = 1.0
    net.params["b1"][...] = -t[:-1]
    net.params["W2"][...] = np.concatenate([[s[0]], np.diff(s)])[:, None]
    net.params["b2"][...] = target(t[0])
    return net


xs = np.linspace(-2, 2, 1001)[:, None]
widths = [2, 4, 8, 16, 32, 64, 128]
max_err = [np.abs(relu_interpolant(N).forward(xs) - target(xs)).max() for N in widths]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(xs, target(xs), "k", lw=3, alpha=0.3, label="target")
for N in [3, 6, 12]:
    axes[0].plot(xs, relu_interpolant(N).forward(xs), label=f"{N} ReLU units")
axes[0].legend(fontsize="small")
axes[0].set_title("one hidden layer, built by hand")
axes[1].loglog(widths, max_err, "o-", label="max error")
axes[1].loglog(widths, 10 / np.array(widths, float) ** 2, "k--", label="$\\propto 1/N^2$")
axes[1].set_xlabel("hidden units $N$")
axes[1].legend(fontsize="small")
axes[1].set_title("error falls like $1/N^2$")
plt.show()

# %% [markdown]
# **Depth.** In one dimension each ReLU unit of a single hidden layer adds at most one kink, so $N$ units give at
# most $N + 1$ linear pieces. Composition multiplies instead. The "tent" $\tau(x) = 2\,\mathrm{ReLU}(x) - 4\,\mathrm{ReLU}(x - \tfrac12)$
# maps $[0, 1]$ onto $[0, 1]$ going up then down: two pieces, from two units. Stacking it $k$ times (a network
# with $k$ hidden layers of 2 units) gives a sawtooth with $2^k$ pieces; a single hidden layer would need at least
# $2^k - 1$ units for the same function. This is the flavour of Montufar et al. (2014): some functions a deep
# rectifier network represents compactly need exponentially many units in a shallow one.

# %%
def tent_stack(k):
    stack = []
    for _ in range(k):
        d1, d2 = layers.Dense(1, 2), layers.Dense(2, 1)
        d1.params["W"][...], d1.params["b"][...] = [[1.0, 1.0]], [0.0, -0.5]
        d2.params["W"][...], d2.params["b"][...] = [[2.0], [-4.0]], [0.0]
        stack += [d1, layers.ReLU(), d2]
    return layers.Sequential(*stack)


u = np.linspace(0, 1, 4097)[:, None]
fig, ax = plt.subplots(figsize=(8, 3.2))
for k in [1, 2, 3, 4]:
    out = tent_stack(k).forward(u)[:, 0]
    slopes = np.round(np.diff(out) / np.diff(u[:, 0]), 6)
    pieces = 1 + np.count_nonzero(slopes[1:] != slopes[:-1])
    ax.plot(u, out + 1.2 * (k - 1), label=f"{k} layers x 2 units: {pieces} pieces")
ax.set_yticks([])
ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
ax.set_title("composing tents: pieces double with each layer")
plt.show()

# %% [markdown]
# ## 7. A real task: handwritten digits
#
# `data.digits()` gives 8x8 images (64 standardized pixels) of the digits 0-9, split into training, validation and
# test sets. Before a long run, two sanity checks catch most bugs:
#
# 1. **The first loss is about $\ln C$.** With small random weights the scores are near 0, the softmax is nearly
#    uniform, and the cross-entropy is $-\ln(1/C) = \ln 10 \approx 2.30$.
# 2. **The network can overfit a tiny set.** Fifty samples and a few hundred steps should drive the training loss
#    near zero; if not, the backward pass or the update is wrong.
#
# Then we train a 64-128-64-10 ReLU network with plain mini-batch SGD for 20 epochs.

# %%
dg = data.digits()
probe = layers.mlp([64, 128, 64, 10], init=lambda a, b, r: init.small_normal(a, b, r, std=0.01), seed=0)
print(f"1. first loss {losses.softmax_cross_entropy(probe.forward(dg.X_train), dg.y_train)[0]:.4f} vs ln 10 = {np.log(10):.4f}")
tiny = layers.mlp([64, 128, 64, 10], seed=0)
h_tiny = train.fit(tiny, dg.X_train[:50], dg.y_train[:50], config={"lr": 0.1}, epochs=200, batch_size=None, progress=False)
print(f"2. fifty samples, 200 steps: training loss {h_tiny['loss'][-1]:.4f}, accuracy {h_tiny['acc'][-1]:.2f}")

model = layers.mlp([64, 128, 64, 10], seed=0)
hist = train.fit(model, dg.X_train, dg.y_train, config={"lr": 0.1}, epochs=20, batch_size=64,
                 X_val=dg.X_val, y_val=dg.y_val, progress=False)
test_loss, test_acc = train.evaluate(model, dg.X_test, dg.y_test)
print(f"test accuracy after 20 epochs: {test_acc:.3f}")

pred = model.forward(dg.X_test, train=False).argmax(axis=1)
wrong = np.flatnonzero(pred != dg.y_test)[:6]
fig, axes = plt.subplots(1, 3 + len(wrong), figsize=(16, 2.8), gridspec_kw={"width_ratios": [3, 3, 0.3] + [1] * len(wrong)})
for ax, key, label in [(axes[0], "loss", "cross-entropy"), (axes[1], "acc", "accuracy")]:
    ax.plot(hist[key], label="train")
    ax.plot(hist["val_" + key], label="validation")
    ax.set_xlabel("epoch")
    ax.set_title(label, fontsize=10)
    ax.legend(fontsize="x-small")
axes[2].axis("off")
for ax, i in zip(axes[3:], wrong):
    ax.imshow(dg.X_test[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"true {dg.y_test[i]}, said {pred[i]}", fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# The images on the right are some of the test digits the network gets wrong (standardized pixels, so the
# contrast differs from the originals); several are hard even for a person at 8x8.
#
# ## Where to go next
#
# - **Assignment 4** ([source/a4/mlp_matrix_form.py](../../source/a4/mlp_matrix_form.py), student version
#   [release/a4/mlp_matrix_form.ipynb](../../release/a4/mlp_matrix_form.ipynb)) has you derive, then write,
#   `dense_backward` (its three gradients in X, W and G), the activations' backward passes, softmax
#   cross-entropy's batch gradient and the hidden-layer gradients of notes 002's MLP (`mlp_loss`, section 3 here);
#   then debug a handed-out backward pass with planted bugs using your own gradient checks, write a mini-batch
#   SGD epoch and train on XOR and the digits; two written answers ask about zero initialization and about
#   universal approximation, width and depth (sections 4 and 6). This walkthrough is the worked solution of its
#   derivations: read it after trying them. Check cells: `grade("a4.<question>")`.
# - Reference: `help(layers.dense_backward)`, `help(layers.softmax_backward)`, `help(init.he)`, `help(train.fit)`.
# - **Things to try:** build a "W"-shaped map with 4 ReLU units, stack it, and count the pieces; train (not build) a
#   one-hidden-layer ReLU network on `target` and compare its error with the construction at the same width;
#   replace ReLU by sigmoid in the digits network and compare the curves (walkthrough 5 explains the difference).
# - Next: [walkthrough 5](05_optimization.ipynb), making gradient descent fast and stable.
