# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Walkthrough 3: backpropagation by hand
#
# *Neural networks from first principles, unit 3 (self-study).* Backpropagation is the chain rule applied to a
# network, in an order that reuses every intermediate result. Here we do it with scalars only: unit by unit,
# weight by weight, with every number printed, before unit 4 packs it into matrices.
#
# **You will see**
# 1. the chain rule along one path and summed over several paths;
# 2. a computational graph, its forward pass, and its backward pass drawn as a picture;
# 3. the lecture's two-layer example (sigmoid units, squared error) differentiated term by term, including a
#    hidden weight that reaches the loss along two paths;
# 4. the $\delta$ recursion (the "error" of each unit), with the bias treated as a weight;
# 5. why sigmoid + cross-entropy gives $\delta^{[L]} = a - y$;
# 6. the accumulated-gradient backprop algorithm training a small network on XOR;
# 7. general backpropagation on any graph, in topological order.
#
# Every gradient we derive is compared with a central difference (`backprop.gradcheck`, walkthrough 2).

# %%
import matplotlib.pyplot as plt
import numpy as np

from backprop.activations import sigmoid
from backprop.data import xor
from backprop.gradcheck import numerical_gradient, rel_error

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. The chain rule, one path and many
#
# If $z$ depends on $x$ through $y$ only, $\frac{dz}{dx} = \frac{dz}{dy}\frac{dy}{dx}$; along a longer chain
# $x \to v \to u \to \dots \to F$ the factors multiply. If $x$ reaches $z$ through several intermediate
# variables $y_1, \dots, y_n$, each path contributes and the contributions **add**:
#
# $$\frac{\partial z}{\partial x} = \sum_{i=1}^n \frac{\partial z}{\partial y_i}\frac{\partial y_i}{\partial x}.$$
#
# Example: $y_1 = x^2$, $y_2 = \sin x$, $z = y_1 y_2$. Then $\partial z/\partial y_1 = y_2$,
# $\partial z/\partial y_2 = y_1$, and $\frac{dz}{dx} = y_2 \cdot 2x + y_1 \cos x$.

# %%
x = 1.3
y1, y2 = x ** 2, np.sin(x)
path1, path2 = y2 * 2 * x, y1 * np.cos(x)
numeric = numerical_gradient(lambda v: v[0] ** 2 * np.sin(v[0]), np.array([x]))[0]
print(f"path through y1: {path1:.6f}, path through y2: {path2:.6f}, sum {path1 + path2:.6f}, numerical {numeric:.6f}")

# %% [markdown]
# Forgetting a path is the most common mistake in a hand-derived backward pass: here it would give 2.51 or
# 0.45 instead of 2.96.
#
# ## 2. A computational graph
#
# A computational graph has a node per variable and an edge from $u$ to $v$ when $v$ is computed from $u$.
# Logistic regression on one sample, $z = w_1 x_1 + w_2 x_2 + b$, $a = \sigma(z)$,
# $L = -[y\log a + (1 - y)\log(1 - a)]$, is the graph drawn below. The parameters are nodes like any other.
#
# **Forward pass:** compute the nodes in order from the inputs, and keep every value.
# **Backward pass:** start from $\partial L/\partial L = 1$ and visit the nodes in reverse; each node multiplies
# the gradient it received by its local derivative and passes it to its parents:
#
# - $\partial L/\partial a = -\frac{y}{a} + \frac{1 - y}{1 - a}$;
# - $\partial L/\partial z = \frac{\partial L}{\partial a}\,\sigma'(z) = \frac{\partial L}{\partial a}\,a(1 - a)$;
# - $\partial L/\partial w_j = \frac{\partial L}{\partial z}\,x_j$, $\partial L/\partial b = \frac{\partial L}{\partial z}$, and
#   $\partial L/\partial x_j = \frac{\partial L}{\partial z}\,w_j$ (the input gradient, needed when $x$ is itself computed).

# %%
vals = {"x1": 2.0, "x2": -1.0, "w1": 0.5, "w2": 1.5, "b": 0.3, "y": 1.0}
vals["z"] = vals["w1"] * vals["x1"] + vals["w2"] * vals["x2"] + vals["b"]
vals["a"] = sigmoid(vals["z"])
vals["L"] = -(vals["y"] * np.log(vals["a"]) + (1 - vals["y"]) * np.log(1 - vals["a"]))
grads = {"L": 1.0}
grads["a"] = grads["L"] * (-vals["y"] / vals["a"] + (1 - vals["y"]) / (1 - vals["a"]))
grads["z"] = grads["a"] * vals["a"] * (1 - vals["a"])
for j in ("1", "2"):
    grads["w" + j] = grads["z"] * vals["x" + j]
    grads["x" + j] = grads["z"] * vals["w" + j]
grads["b"] = grads["z"]


def loss_of(p):  # the same graph as a function of (w1, w2, b), for the numerical check
    a = sigmoid(p[0] * vals["x1"] + p[1] * vals["x2"] + p[2])
    return -np.log(a)


numeric = numerical_gradient(loss_of, np.array([vals["w1"], vals["w2"], vals["b"]]))
print("backward pass:", [round(float(grads[k]), 6) for k in ("w1", "w2", "b")], " numerical:", numeric)

pos = {"x1": (0, 3), "w1": (0, 2.2), "x2": (0, 1.4), "w2": (0, 0.6), "b": (0, -0.2), "z": (2, 1.4), "a": (4, 1.4),
       "y": (4, -0.2), "L": (6, 1.4)}
edges = [("x1", "z"), ("w1", "z"), ("x2", "z"), ("w2", "z"), ("b", "z"), ("z", "a"), ("a", "L"), ("y", "L")]
fig, ax = plt.subplots(figsize=(10, 4))
for u, v in edges:
    ax.annotate("", xy=pos[v], xytext=pos[u], arrowprops=dict(arrowstyle="->", color="grey", shrinkA=18, shrinkB=18))
for name, (px, py) in pos.items():
    ax.text(px, py, name, ha="center", va="center", fontsize=12,
            bbox=dict(boxstyle="circle", fc="lightyellow" if name in ("w1", "w2", "b") else "white"))
    if px == 0:  # the input column is crowded: value on the left, gradient above-right
        ax.text(px - 0.35, py, f"{vals[name]:.3f}", ha="right", va="center", fontsize=9)
        ax.text(px + 0.3, py + 0.3, f"{grads[name]:+.3f}", ha="left", fontsize=9, color="tab:red")
        continue
    ax.text(px, py + 0.42, f"{vals[name]:.3f}", ha="center", fontsize=9)
    if name in grads:
        ax.text(px, py - 0.5, f"{grads[name]:+.3f}", ha="center", fontsize=9, color="tab:red")
ax.text(6, -0.4, "black: forward value\nred: dL/d(node), backward", fontsize=9)
ax.set_xlim(-1.2, 7.2)
ax.set_ylim(-1, 3.7)
ax.axis("off")
ax.set_title("logistic regression as a computational graph (parameters shaded)")
plt.show()

# %% [markdown]
# Note the red numbers: $\partial L/\partial z = a - y$ here (we will see why in section 5), and each weight's
# gradient is $\partial L/\partial z$ times the input it multiplies.
#
# ## 3. The lecture's two-layer network, term by term
#
# Notes 001 use two inputs, a hidden layer $h$ of two sigmoid units and an output layer $out$ of two sigmoid
# units, with the loss $L = \frac1t\sum_{j=1}^t (y_j - a_j^{(out)})^2$ for one sample ($t = 2$ outputs):
#
# $$z^{(h)}_k = \sum_i w^{(h)}_{i,k} x_i + b^{(h)}_k,\quad a^{(h)}_k = \sigma(z^{(h)}_k),\qquad
# z^{(out)}_j = \sum_k w^{(out)}_{k,j} a^{(h)}_k + b^{(out)}_j,\quad a^{(out)}_j = \sigma(z^{(out)}_j).$$
#
# ($w_{i,k}$ connects unit $i$ of one layer to unit $k$ of the next.)
#
# **An output weight.** $w^{(out)}_{1,1}$ reaches $L$ through one path, $z^{(out)}_1 \to a^{(out)}_1 \to L$:
#
# $$\frac{\partial L}{\partial w^{(out)}_{1,1}} = \underbrace{\tfrac{2}{t}\big(a^{(out)}_1 - y_1\big)}_{\partial L/\partial a^{(out)}_1}\;
# \underbrace{a^{(out)}_1\big(1 - a^{(out)}_1\big)}_{\partial a^{(out)}_1/\partial z^{(out)}_1}\;
# \underbrace{a^{(h)}_1}_{\partial z^{(out)}_1/\partial w^{(out)}_{1,1}} .$$
#
# **A hidden weight.** $w^{(h)}_{1,1}$ changes $a^{(h)}_1$, which feeds **both** outputs, so two paths add:
#
# $$\frac{\partial L}{\partial w^{(h)}_{1,1}} = \sum_{j=1}^{2} \frac{\partial L}{\partial a^{(out)}_j}\,
# a^{(out)}_j(1 - a^{(out)}_j)\, w^{(out)}_{1,j}\;\cdot\; a^{(h)}_1(1 - a^{(h)}_1)\; x_1 .$$

# %%
rng = np.random.default_rng(3)
x_s, y_s = np.array([0.8, -0.4]), np.array([1.0, 0.0])
Wh, bh = rng.normal(size=(2, 2)), rng.normal(size=2)     # Wh[i, k] = w^(h)_{i,k}
Wo, bo = rng.normal(size=(2, 2)), rng.normal(size=2)     # Wo[k, j] = w^(out)_{k,j}
t = 2

zh = np.array([sum(Wh[i, k] * x_s[i] for i in range(2)) + bh[k] for k in range(2)])
ah = sigmoid(zh)
zo = np.array([sum(Wo[k, j] * ah[k] for k in range(2)) + bo[j] for j in range(2)])
ao = sigmoid(zo)
L = sum((y_s[j] - ao[j]) ** 2 for j in range(2)) / t
print("forward:  z_h =", zh, " a_h =", ah, " z_out =", zo, " a_out =", ao, f" L = {L:.6f}")

dL_dao = 2 / t * (ao - y_s)
term = [dL_dao[0], ao[0] * (1 - ao[0]), ah[0]]
g_out11 = np.prod(term)
print(f"\ndL/dw_out[1,1] = {term[0]:.4f} * {term[1]:.4f} * {term[2]:.4f} = {g_out11:.6f}")

paths = [dL_dao[j] * ao[j] * (1 - ao[j]) * Wo[0, j] * ah[0] * (1 - ah[0]) * x_s[0] for j in range(2)]
g_h11 = sum(paths)
print(f"dL/dw_h[1,1]   = path via out 1 ({paths[0]:.6f}) + path via out 2 ({paths[1]:.6f}) = {g_h11:.6f}")


def two_layer_loss(Wh_, Wo_):
    ah_ = sigmoid(x_s @ Wh_ + bh)
    return np.sum((y_s - sigmoid(ah_ @ Wo_ + bo)) ** 2) / t


num_out = numerical_gradient(lambda W: two_layer_loss(Wh, W), Wo.copy())[0, 0]
num_h = numerical_gradient(lambda W: two_layer_loss(W, Wo), Wh.copy())[0, 0]
print(f"numerical:       dL/dw_out[1,1] = {num_out:.6f},  dL/dw_h[1,1] = {num_h:.6f}")
print(f"with one path forgotten the hidden gradient would be off by {abs(paths[1]) / abs(g_h11):.0%}")

# %% [markdown]
# ## 4. The $\delta$ recursion
#
# Writing out every path does not scale: a weight in layer 1 of a deep network reaches the loss along a number
# of paths that grows exponentially with depth. The fix is to name the shared part. For every unit $j$ with
# pre-activation $z_j$ (the notes' $\text{net}_j$) define its **error**
#
# $$\delta_j = \frac{\partial L}{\partial z_j}.$$
#
# 1. **Output units** (activation $f$, output $o_k = f(z_k)$): $\delta_k = \frac{\partial L}{\partial o_k} f'(z_k)$.
# 2. **Hidden units**: unit $j$ influences $L$ only through the units $k$ it feeds (its "downstream" units), so by
#    the multi-path chain rule
#    $$\delta_j = \sum_{k \in \text{downstream}(j)} \frac{\partial L}{\partial z_k}\frac{\partial z_k}{\partial a_j}\frac{\partial a_j}{\partial z_j}
#    = f'(z_j) \sum_k w_{jk}\,\delta_k .$$
# 3. **Weights**: $w_{ij}$ enters only $z_j$, with $\partial z_j/\partial w_{ij} = a_i$ (the input it multiplies), so
#    $\frac{\partial L}{\partial w_{ij}} = a_i\,\delta_j$ and gradient descent uses $\Delta w_{ij} = -\eta\, a_i\,\delta_j$.
#
# (Notes 000 put a minus sign into $\delta$, $\delta_k = (t_k - o_k)\,o_k(1 - o_k)$ for the squared error, and then
# write $\Delta w_{ij} = +\eta\,\delta_j x_i$; it is the same update.) Every $\delta$ of a layer is computed once
# from the layer above and reused by all the weights below: that memoization is what makes backpropagation
# cost about as much as one forward pass.
#
# **Bias as a weight.** Append a constant unit $a_0 = 1$ to every layer's output; its outgoing weights $w_{0j}$
# are the biases, and rule 3 gives $\partial L/\partial w_{0j} = 1\cdot\delta_j$.
#
# Below is the recursion with explicit loops over units, for any number of layers, with biases stored as
# row 0 of each weight matrix. It reproduces the hand-derived numbers of section 3 and passes a gradient check
# on a deeper network.

# %%
def forward_units(weights, x):
    """weights[l][i, j] connects unit i of layer l (i = 0 is the constant 1) to unit j of layer l + 1."""
    a = [np.concatenate([[1.0], x])]
    zs = []
    for W in weights:
        z = np.array([sum(W[i, j] * a[-1][i] for i in range(W.shape[0])) for j in range(W.shape[1])])
        zs.append(z)
        a.append(np.concatenate([[1.0], sigmoid(z)]))
    return zs, a


def backward_units(weights, zs, a, dL_dout, output_delta=False):
    """The delta recursion, unit by unit. Returns dL/dW for every layer. With ``output_delta`` the last argument is
    already the output units' delta (as for sigmoid + cross-entropy, where it is a - y)."""
    grads = [np.zeros_like(W) for W in weights]
    out = a[-1][1:]
    delta = dL_dout if output_delta else dL_dout * out * (1 - out)      # rule 1, sigmoid output
    for l in range(len(weights) - 1, -1, -1):
        W = weights[l]
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                grads[l][i, j] = a[l][i] * delta[j]                     # rule 3 (i = 0: the bias)
        if l > 0:
            h = a[l][1:]
            delta = np.array([h[j] * (1 - h[j]) * sum(W[j + 1, k] * delta[k] for k in range(W.shape[1]))
                              for j in range(W.shape[0] - 1)])          # rule 2
    return grads


weights = [np.vstack([bh, Wh]), np.vstack([bo, Wo])]
zs, a = forward_units(weights, x_s)
g = backward_units(weights, zs, a, 2 / t * (a[-1][1:] - y_s))
print("delta recursion: dL/dw_out[1,1] =", round(g[1][1, 0], 6), " dL/dw_h[1,1] =", round(g[0][1, 0], 6))

sizes = [3, 4, 3, 2]
deep = [rng.normal(size=(m + 1, n)) for m, n in zip(sizes[:-1], sizes[1:])]
x_d, y_d = rng.normal(size=3), np.array([0.0, 1.0])


def deep_loss(ws):
    return np.sum((y_d - forward_units(ws, x_d)[1][-1][1:]) ** 2) / 2


zs, a = forward_units(deep, x_d)
g = backward_units(deep, zs, a, a[-1][1:] - y_d)
errs = []
for l in range(len(deep)):
    def f_l(W, l=l):
        return deep_loss([W if m == l else deep[m] for m in range(len(deep))])
    errs.append(rel_error(g[l], numerical_gradient(f_l, deep[l].copy())))
print("3-4-3-2 network, relative error per layer:", [f"{e:.1e}" for e in errs])

# %% [markdown]
# **Why the recursion matters: counting the work.** In a network of $L$ layers of $m$ units, a weight of layer 1
# reaches the loss along one path per choice of a unit in each later layer: $m^{L-1}$ paths, each a product of
# about $2L$ factors. Summing them explicitly costs about $2L\,m^{L-1}$ multiplications for that one weight. The
# $\delta$ recursion computes every $\delta$ of a layer from the layer above with $m^2$ multiply-adds, so *all*
# gradients of *all* layers cost about $2Lm^2$. The count below is for $m = 4$:

# %%
depths = np.arange(1, 13)
m = 4
explicit = 2 * depths * m ** (depths - 1.0)   # one first-layer weight, every path written out
recursion = 2 * depths * m ** 2.0             # every weight of every layer
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.semilogy(depths, explicit, "o-", label="summing paths, one weight")
ax.semilogy(depths, recursion, "o-", label="delta recursion, all weights")
ax.set_xlabel("layers $L$ (4 units each)")
ax.set_ylabel("multiplications")
ax.legend(fontsize="small")
ax.set_title("paths grow exponentially, the recursion linearly")
plt.show()

# %% [markdown]
# ## 5. Sigmoid + cross-entropy: $\delta^{[L]} = a - y$
#
# Notes 003 use a sigmoid output $\hat y = a^{[L]} = \sigma(z^{[L]})$ and the cross-entropy
# $L = -[y\log\hat y + (1 - y)\log(1 - \hat y)]$. Step by step:
#
# 1. $\frac{\partial L}{\partial \hat y} = -\frac{y}{\hat y} + \frac{1 - y}{1 - \hat y} = \frac{\hat y - y}{\hat y(1 - \hat y)}$;
# 2. $\frac{\partial \hat y}{\partial z^{[L]}} = \sigma'(z^{[L]}) = \hat y(1 - \hat y)$;
# 3. the product cancels: $\delta^{[L]} = \frac{\partial L}{\partial z^{[L]}} = \hat y - y = a^{[L]} - y$.
#
# So with this pairing the output error is simply "prediction minus target", and it never saturates (walkthrough
# 2 showed the squared error's extra factor $\hat y(1 - \hat y)$ vanishing). Check on random logits:

# %%
zL = rng.normal(size=6) * 3
yL = rng.integers(0, 2, size=6).astype(float)
bce = lambda z: np.sum(-(yL * np.log(sigmoid(z)) + (1 - yL) * np.log(1 - sigmoid(z))))
print("a - y     :", sigmoid(zL) - yL)
print("numerical :", numerical_gradient(bce, zL.copy()))

# %% [markdown]
# ## 6. The backprop training algorithm, with accumulated gradients
#
# Notes 003 put it together. For a fixed number of epochs (or until the weights stop changing):
#
# 1. set an accumulator $\Delta^{(l)} = 0$ for every layer;
# 2. for each training sample: forward pass, output error $\delta^{(L)} = a^{(L)} - y$, hidden errors by the
#    recursion, and $\Delta^{(l)}_{ij} \mathrel{+}= a^{(l)}_i\,\delta^{(l+1)}_j$;
# 3. take one step with the average: $W^{(l)} \leftarrow W^{(l)} - \alpha\,\Delta^{(l)}/N$.
#
# This is batch gradient descent on the mean cross-entropy ($\alpha = 4$ here). We train a 2-3-1 sigmoid network on XOR, the
# four points no single linear unit can separate, starting from small random weights (all-zero weights
# would make the hidden units identical forever, see walkthrough 4).

# %%
X_xor, y_xor = xor()
init_rng = np.random.default_rng(4)
net = [init_rng.normal(size=(3, 3)), init_rng.normal(size=(4, 1))]
history = []
for epoch in range(600):
    acc = [np.zeros_like(W) for W in net]
    loss = 0.0
    for x_i, y_i in zip(X_xor, y_xor):
        zs, a = forward_units(net, x_i)
        p = a[-1][1]
        loss += -(y_i * np.log(p) + (1 - y_i) * np.log(1 - p)) / len(X_xor)
        # delta^(L) = a - y, handed in directly (never as dL/da times a (1 - a): that divides by a (1 - a), which
        # rounds to 0 when the output saturates)
        g = backward_units(net, zs, a, np.array([p - y_i]), output_delta=True)
        acc = [A + G for A, G in zip(acc, g)]
    net = [W - 4.0 * A / len(X_xor) for W, A in zip(net, acc)]
    history.append(loss)

preds = [forward_units(net, x_i)[1][-1][1] for x_i in X_xor]
print("inputs, target, output:")
for x_i, y_i, p in zip(X_xor, y_xor, preds):
    print(f"  {x_i}  {y_i}  {p:.3f}")

g1, g2 = np.meshgrid(np.linspace(-0.5, 1.5, 60), np.linspace(-0.5, 1.5, 60))
grid = np.column_stack([np.ones(g1.size), g1.ravel(), g2.ravel()])  # the same forward pass, all points at once
hidden = np.column_stack([np.ones(g1.size), sigmoid(grid @ net[0])])
surface = sigmoid(hidden @ net[1])[:, 0]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].semilogy(history)
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("mean cross-entropy")
axes[0].set_title("training XOR with the delta recursion")
cs = axes[1].contourf(g1, g2, surface.reshape(g1.shape), levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.6)
axes[1].scatter(X_xor[:, 0], X_xor[:, 1], c=y_xor, cmap="RdBu", edgecolors="k", s=80)
plt.colorbar(cs, ax=axes[1], label="network output")
axes[1].set_title("the learned function: XOR")
plt.show()

# %% [markdown]
# ## 7. General backpropagation, on any graph
#
# Layers are a special case. For any computational graph: give every node a gradient slot, set
# $\partial z/\partial z = 1$ at the output, and visit the nodes in **reverse topological order** (every node after
# all the nodes that use it). A node multiplies its accumulated gradient by each local derivative and **adds**
# the result into its parents' slots: $g_v = \sum_{n:\,v \in Pa(n)} \frac{\partial n}{\partial v}\,g_n$.
#
# Why the topological order, and not a simple recursion from the output? A node used twice must have
# received *both* contributions before it passes its gradient on. Two recursions are tempting, and they fail
# differently:
#
# - the **path-by-path recursion** passes down only the contribution of the current path,
#   `visit(parent, contribution * local)`, and adds it at each node. It counts every path once, so it is
#   correct, but it walks the shared part of the graph once per path: exponentially slow in deep graphs
#   (section 4 counted the paths);
# - the **re-pushing recursion** (the one assignment 3 demonstrates) has each node push its whole accumulated
#   gradient, then recurses into its parents. A shared node is visited once per path, the first time before its
#   other consumers have contributed, so it forwards a half-accumulated gradient and later pushes the total
#   again: wrong as soon as the shared node has parents of its own.
#
# Reverse topological order visits each node once, when its gradient is complete. The small engine below (about
# twenty lines) does it properly, on a graph where $x$ and $u$ are each used twice.

# %%
class Node:
    def __init__(self, value, parents=(), local=()):
        self.value, self.parents, self.local, self.grad = float(value), parents, local, 0.0

    def __add__(self, other):
        return Node(self.value + other.value, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        return Node(self.value * other.value, (self, other), (other.value, self.value))

    def sin(self):
        return Node(np.sin(self.value), (self,), (np.cos(self.value),))

    def backward(self):
        order, seen = [], set()

        def visit(node):  # depth-first: a node is appended after all its parents
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):  # every node is complete before it passes its gradient on
            for parent, d in zip(node.parents, node.local):
                parent.grad += d * node.grad


x_n, w_n = Node(0.7), Node(-1.2)
u = x_n * w_n               # u uses x
v = u.sin() + x_n           # x used a second time
out = v * u                 # u used a second time
out.backward()


def f_np(p):
    uu = p[0] * p[1]
    return (np.sin(uu) + p[0]) * uu


print("engine:   d out/dx =", round(x_n.grad, 8), " d out/dw =", round(w_n.grad, 8))
print("numerical:", numerical_gradient(f_np, np.array([0.7, -1.2])))

# %% [markdown]
# The same engine, given matrix-valued nodes and their Jacobian-gradient products, is general
# backpropagation as in notes 002; unit 4 derives those products for the dense layer and activations.
#
# ## Where to go next
#
# - **Assignment 3** ([source/a3/backprop_by_hand.py](../../source/a3/backprop_by_hand.py), student version
#   [release/a3/backprop_by_hand.ipynb](../../release/a3/backprop_by_hand.ipynb); this walkthrough is the worked
#   solution of its derivations, to read after trying them) has you build a small `Value`
#   class (`+`, `*`, `**`, `exp`, `tanh`), `topological_order` and `backward_pass` (section 7 of this walkthrough),
#   then derive one unit's three chain-rule factors, a hidden unit's $\delta$ and a 2-2-1 network's $\delta$s by
#   hand before coding one unit's forward and backward pass, two neurons in series, the two-layer network of
#   section 3, the $\delta$ recursion (`deltas`) and a whole network's gradients for one sample. Run the check cells
#   (`grade("a3.<question>")`) as you go.
# - Reference: `help(backprop.layers.dense_backward)` and `help(backprop.layers.sigmoid_backward)` are the
#   matrix versions of rules 2 and 3.
# - **Things to try:** start the XOR network from all-zero weights and print the two hidden units' weights after
#   training; replace the cross-entropy by the squared error in section 6 and count the epochs needed; add a
#   `tanh` method to `Node` and differentiate $\tanh(x w)\,x$.
# - Next: [walkthrough 4](04_mlp_matrix_form.ipynb), the same computation with matrices.
