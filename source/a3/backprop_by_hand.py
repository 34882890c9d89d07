# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 3: backpropagation by hand
#
# *Neural networks from first principles.* Training a network needs the derivative of the loss with respect to
# every weight. The chain rule gives each one, but written out naively the same products are recomputed over and
# over. **Backpropagation** is the chain rule organized so that every intermediate derivative is computed once,
# from the loss backwards. In this assignment you build it twice: first as a tiny automatic-differentiation engine
# for scalar expressions (a computational graph walked in reverse), then by hand for neurons and layers, from one
# logistic unit to a network of any depth.
#
# **Learning goals.** After this assignment you can
# - draw an expression as a computational graph, run a forward pass and a backward pass through it, and explain
#   why a node used twice must *add up* the gradients of both paths (the multi-path chain rule);
# - derive the gradient of one linear-logistic unit as a product of three chain-rule factors and see the
#   generalized delta rule appear;
# - extend the derivation to two neurons in series and to the lecture's two-layer network, where a hidden weight
#   reaches the loss along several paths;
# - derive the error $\delta$ of a hidden unit from the units it feeds, work it out by hand on a small network,
#   and turn it into a recursion for any depth, first unit by unit and then with matrices, verified against a
#   numerical gradient of the whole network.
#
# | question | kind | what you write | points | lecture topic |
# |---|---|---|---|---|
# | Q1 | implement | `Value` | 6 | computational graphs, local derivatives (notes 002, 001) |
# | Q2 | implement | `topological_order` | 3 | the order of the backward pass (002) |
# | Q3 | implement | `backward_pass` | 4 | general back-propagation, summing paths (002, 000) |
# | Q4 | implement | `unit_forward` | 2 | one linear-logistic unit, forward pass and loss (004) |
# | Q5 | derive | `dL_da`, `da_dz`, `dz_dw`, `dL_dz` | 5 | the three chain-rule factors of one logistic unit, and their product (004, 000) |
# | Q6 | implement | `unit_backward` | 3 | the generalized delta rule in code, safe when the unit saturates (004, 000) |
# | Q7 | implement | `two_neurons_backward` | 3 | two neurons in series (004) |
# | Q8 | derive | `dL_dah`, `delta_h` | 3 | the δ recursion for one hidden unit feeding two outputs: every path counts (001, 000) |
# | Q9 | derive | `delta_out`, `delta_h1`, `dL_dw21` | 4 | backprop by hand on a 2-2-1 network: δ of the output, of hidden unit 1, one weight's gradient (001, 000) |
# | Q10 | implement | `two_layer_gradients` | 4 | two-layer net with squared error and sigmoid, the multi-path sum in code (001) |
# | Q11 | implement | `deltas` | 4 | the delta recursion in scalar form, any depth (000, 004) |
# | Q12 | implement | `network_gradients` | 4 | the vectorized backward pass for one sample (000, 002, 004) |
# | Q13 | explain | a written answer | 2 (graded by hand) | why memoizing δ makes backprop cheap (000) |
# | Q14 | explain | a written answer | 2 (graded by hand) | what goes wrong with zero initialization (003, 004) |
#
# **Derive, then implement.** The questions marked *derive* ask for a result worked out on paper: you write it
# as an expression (or a number) between the quotes of an answer cell, and its check says whether each step is
# right, pointing at the step to redo when it is not. The implementations after them use what you derived.
#
# **How the checks work.** Under every function and every answer cell there is a check cell. Run it after you
# write your answer: it prints which checks pass, and for each failure what differed and a hint. When your
# notebook is graded, hidden checks with other inputs run too. The grader finds your functions (and your class
# `Value`) and your answers **by name**, so keep the names and arguments of the stubs. Replace every
# `raise NotImplementedError()` with your code.
#
# **After trying**, not before: walkthrough 3 (`course/walkthroughs/03_backprop_by_hand`) works the same ideas
# out in full, with every number printed. Read it once your answers pass their checks, or when you are stuck on
# a step after a real attempt.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
try:
    from autograder import grade, summary, when_ready
except ModuleNotFoundError:
    raise SystemExit("This notebook needs the course's package: install it as the course README says "
                     "(pip install . in the course folder), then restart the kernel.") from None
import math

import matplotlib.pyplot as plt
import numpy as np

from backprop.activations import sigmoid, sigmoid_grad, tanh, tanh_grad
from backprop.data import will_i_pass, xor
from backprop.gradcheck import numerical_gradient, rel_error

# %matplotlib inline

# %% [markdown]
# ## 1. Computational graphs
#
# A **computational graph** writes a computation as a directed graph: every node holds one value, and an edge
# from $u$ to $v$ says that $v$ is computed by an operation that takes $u$ as an input. We call $u$ a *parent*
# of $v$ (it comes first). For example $e = a \cdot b + a$ has the nodes $a$, $b$, $c = a \cdot b$ and
# $e = c + a$; the node $a$ has two outgoing edges, one into $c$ and one into $e$.
#
# **Forward pass.** Visit the nodes parents first and compute each value.
#
# **Backward pass.** We want $\partial e / \partial v$ for every node $v$; call it the node's *gradient*,
# `v.grad`. Start with $\partial e/\partial e = 1$ and move against the edges. An operation $v = g(u_1, u_2)$
# knows its own **local derivatives** $\partial v / \partial u_i$; the chain rule says that $v$'s contribution to
# the gradient of its parent $u_i$ is
#
# $$\frac{\partial e}{\partial v}\,\frac{\partial v}{\partial u_i}.$$
#
# **The multi-path chain rule.** When $u$ feeds several nodes $v_1, \dots, v_m$, a small change of $u$ changes
# $e$ along every one of those paths, and the changes add up:
#
# $$\frac{\partial e}{\partial u} = \sum_{k=1}^{m} \frac{\partial e}{\partial v_k}\,\frac{\partial v_k}{\partial u}.$$
#
# In $e = a b + a$: $\partial e/\partial c = 1$, $\partial e / \partial b = a$, and
# $\partial e/\partial a = \underbrace{1 \cdot b}_{\text{through } c} + \underbrace{1}_{\text{direct}} = b + 1$.
# In code this sum means: every operation **adds** (`+=`) its contribution to its parents' `grad`; none of them
# may overwrite it, or only the last path would survive.
#
# **The local derivatives you need.** With $v$ the output node and $\bar v = \partial e/\partial v$ its gradient:
#
# | operation | forward | what it adds to its parents' gradients |
# |---|---|---|
# | $v = u + w$ | $u + w$ | $\bar u \mathrel{+}= \bar v$, $\bar w \mathrel{+}= \bar v$ |
# | $v = u \cdot w$ | $u w$ | $\bar u \mathrel{+}= w \,\bar v$, $\bar w \mathrel{+}= u\, \bar v$ |
# | $v = u^k$ ($k$ a constant number) | $u^k$ | $\bar u \mathrel{+}= k\,u^{k-1}\,\bar v$ |
# | $v = e^u$ | $e^u$ | $\bar u \mathrel{+}= e^u\,\bar v = v\, \bar v$ |
# | $v = \tanh u$ | $\tanh u$ | $\bar u \mathrel{+}= (1 - \tanh^2 u)\,\bar v = (1 - v^2)\,\bar v$ |
#
# ### The `Value` class
#
# Each node is a `Value` object: `data` (the forward value), `grad` (its gradient, 0 until a backward pass
# fills it), `parents` (the nodes it was computed from, a tuple), `op` (a short name for plots) and `_backward`,
# a small function with no arguments that **pushes `self.grad` into the parents' `grad`** using the local
# derivatives above. Each operation creates the output node *and* its `_backward` closure, which remembers the
# inputs and the output. A leaf (an input such as $a$) keeps the default `_backward`, which does nothing.
#
# Subtraction, division, negation and the sigmoid are written for you in terms of your five operations:
# $u - w = u + (-1)\cdot w$, $u / w = u \cdot w^{-1}$, $\sigma(u) = 1/(1 + e^{-u})$.
#
# **Q1.** Complete `__add__`, `__mul__`, `__pow__`, `exp` and `tanh`. Each needs about five lines: the output
# node, a `_backward` closure that uses `+=`, `out._backward = _backward`, `return out`. Use `math.exp` and
# `math.tanh` for the forward values.

# %% nbgrader={"grade": false, "grade_id": "Value", "locked": false, "schema_version": 3, "solution": true}
class Value:
    """A scalar node of a computational graph: data, grad, parents, op, label and a _backward closure."""

    def __init__(self, data, parents=(), op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op
        self.label = label
        self._backward = lambda: None  # a leaf has nothing to push

    def __repr__(self):
        return f"Value({self.label or self.op or 'leaf'}: data={self.data:.4g}, grad={self.grad:.4g})"

    def __add__(self, other):
        """self + other, with d(out)/d(self) = d(out)/d(other) = 1."""
        other = other if isinstance(other, Value) else Value(other)
        ### BEGIN SOLUTION
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def __mul__(self, other):
        """self * other, with d(out)/d(self) = other and d(out)/d(other) = self."""
        other = other if isinstance(other, Value) else Value(other)
        ### BEGIN SOLUTION
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def __pow__(self, k):
        """self ** k for a constant number k (not a Value), with d(out)/d(self) = k self^(k-1)."""
        assert isinstance(k, (int, float)), "only constant exponents"
        ### BEGIN SOLUTION
        out = Value(self.data ** k, (self,), f"**{k:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def exp(self):
        """e ** self, with d(out)/d(self) = e ** self."""
        ### BEGIN SOLUTION
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def tanh(self):
        """tanh(self), with d(out)/d(self) = 1 - tanh(self)^2."""
        ### BEGIN SOLUTION
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    # Written for you, from the five operations above.
    def __radd__(self, other):  # other + self, when other is a plain number
        return self + other

    def __rmul__(self, other):
        return self * other

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def sigmoid(self):
        return 1.0 / (1.0 + (-self).exp())

    def backward(self):
        """Fill .grad of every node this one depends on (see backward_pass below)."""
        backward_pass(self)


# %% nbgrader={"grade": true, "grade_id": "test_value", "locked": true, "points": 6, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=301)
### END HIDDEN TESTS
grade("a3.value")

# %% [markdown]
# ## 2. The backward pass: reverse topological order
#
# A node may push its gradient to its parents only once that gradient is **complete**, that is once every node
# that uses it has already pushed its own contribution. An order of the nodes in which every node comes after all
# of its parents is a **topological order**; the forward pass follows it, and the backward pass follows it
# **reversed**: then every consumer of a node is visited before the node itself.
#
# **Why not plain recursion?** There are two tempting recursions, and they fail in different ways.
#
# - **The re-pushing recursion** (wrong): "call `node._backward()`, then recurse into each parent". Its
#   `_backward` pushes the node's whole accumulated `grad`. It visits a shared node once per path, the first time
#   before the node's other consumers have contributed: it pushes an incomplete gradient into the node's parents
#   and, on the next visit, pushes the accumulated gradient again. When the shared node is a leaf such as $a$ in
#   $e = ab + a$ nothing goes wrong (a leaf only collects), but as soon as the shared node has parents of its own,
#   as in $e = d \cdot d + d$ with $d = ab + c$, the gradients below it come out wrong. You will see this in the
#   demonstration after Q3.
# - **The path-by-path recursion** (right, but slow): pass down only the *contribution* of the current path,
#   `visit(parent, contribution * local derivative)`, and add it at each node. Every path is then counted once,
#   so the sums are correct, but the shared part of the graph is walked once per path, and the number of paths
#   can grow exponentially with the depth (section 7 counts them). Walkthrough 3 (its section 7) discusses this
#   one.
#
# The reverse topological order avoids both: every node is visited once, after all its consumers.
#
# **Q2.** Write `topological_order(root)`: a list of every node that `root` depends on (`root` included), each
# node exactly once, every node after all of its parents, so `root` is last. A depth-first search does it: visit a
# node's parents first (skipping nodes already visited, kept in a `set`), then append the node. Nodes are hashable
# by identity, so a `set` of nodes works. About ten lines.

# %% nbgrader={"grade": false, "grade_id": "topological_order", "locked": false, "schema_version": 3, "solution": true}
def topological_order(root):
    """Every node root depends on (root included), each once, parents before children: root is last."""
    ### BEGIN SOLUTION
    order, visited = [], set()

    def visit(node):
        if node in visited:
            return
        visited.add(node)
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_topological_order", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=302)
### END HIDDEN TESTS
grade("a3.topo")

# %% [markdown]
# **Q3.** Write `backward_pass(root)`, which fills the `grad` of every node that `root` depends on:
#
# 1. set the `grad` of **every** node of the graph to 0 (so that calling it twice, or after an earlier backward
#    pass through a shared node, gives the same answer instead of stale, doubled gradients);
# 2. set `root.grad = 1.0`, since $\partial e / \partial e = 1$;
# 3. call `node._backward()` for every node in **reversed** topological order.
#
# It returns nothing: the answers are in the nodes. (Libraries such as PyTorch instead *accumulate* across
# calls and ask you to zero the gradients yourself; here the reset is part of the backward pass.) Five lines.

# %% nbgrader={"grade": false, "grade_id": "backward_pass", "locked": false, "schema_version": 3, "solution": true}
def backward_pass(root):
    """Reset every grad of root's graph to 0, set root.grad = 1, call _backward in reverse topological order."""
    ### BEGIN SOLUTION
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_backward_pass", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=303)
### END HIDDEN TESTS
grade("a3.backward")


# %% [markdown]
# ### Seeing the graph
#
# The picture below draws a small expression after `L.backward()`: a tanh neuron
# $h = \tanh(w_1 x_1 + w_2 x_2 + b)$ whose output is used three times, $L = h \cdot h + w_1 h$. Inputs are on the
# left, the output on the right, each box shows its forward value and its gradient; $w_1$ and $h$ both collect
# the sum over several paths. Next to it, the naive recursive walk on the same graph: it visits $h$ once per path
# and pushes $h$'s gradient into the neuron below each time, starting before that gradient is complete.

# %%
def draw_graph(root, ax, title=""):
    """Draw the graph of `root`: columns by depth, boxes with data and grad, coloured by |grad|."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for p in node.parents:
                visit(p)
            order.append(node)

    visit(root)
    depth = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node.parents), default=-1)
    columns = {}
    for node in order:
        columns.setdefault(depth[node], []).append(node)
    pos = {node: (d, (len(col) - 1) / 2 - i) for d, col in columns.items() for i, node in enumerate(col)}
    biggest = max(abs(n.grad) for n in order) or 1.0
    for node in order:
        for p in set(node.parents):
            bend = 0.0 if depth[node] - depth[p] == 1 else -0.25  # long edges curve around the columns between
            ax.annotate("", xy=pos[node], xytext=pos[p],
                        arrowprops=dict(arrowstyle="->", color="0.55", shrinkA=26, shrinkB=26,
                                        connectionstyle=f"arc3,rad={bend}"))
    for node in order:
        name = node.label or node.op
        ax.text(*pos[node], f"{name}\n{node.data:.3g}\ngrad {node.grad:.3g}", ha="center", va="center",
                fontsize=8, bbox=dict(boxstyle="round", fc=plt.cm.Oranges(0.15 + 0.6 * abs(node.grad) / biggest)))
    ax.set_xlim(-0.6, max(depth.values()) + 0.6)
    ax.set_ylim(min(y for _, y in pos.values()) - 0.8, max(y for _, y in pos.values()) + 0.8)
    ax.axis("off")
    ax.set_title(title)


def naive_recursive_backward(node):
    """The re-pushing recursion (wrong on shared nodes): push the whole grad, then recurse into each parent."""
    node._backward()
    for p in node.parents:
        naive_recursive_backward(p)


def small_graph():
    x1, x2 = Value(1.5, label="x1"), Value(-0.5, label="x2")
    w1, w2, b = Value(0.8, label="w1"), Value(-1.2, label="w2"), Value(0.1, label="b")
    h = (w1 * x1 + w2 * x2 + b).tanh()
    h.label = "h"
    L = h * h + w1 * h
    L.label = "L"
    return L, (x1, x2, w1, w2, b)


with when_ready():
    L, leaves = small_graph()
    L.backward()
    correct = {v.label: v.grad for v in leaves}
    fig, axes = plt.subplots(1, 2, figsize=(15, 4.5))
    draw_graph(L, axes[0], "backward_pass: reverse topological order")
    L2, leaves2 = small_graph()
    L2.grad = 1.0
    naive_recursive_backward(L2)
    draw_graph(L2, axes[1], "re-pushing recursion: shared nodes pushed too early and twice")
    plt.show()
    for v, v2 in zip(leaves, leaves2):
        print(f"dL/d{v.label}: reverse topological order {v.grad:+.4f}   re-pushing recursion {v2.grad:+.4f}")

# %% [markdown]
# **A derivative you know, from pieces.** The sigmoid is built from `exp`, `+`, `**` and `*` only, yet the
# backward pass must reproduce the lecture's $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$. The picture compares
# the two over a range of $z$; the printed number is the largest relative difference, at round-off level when
# your operations are right.

# %%
with when_ready():
    zs = np.linspace(-6, 6, 41)
    from_graph = []
    for z0 in zs:
        z = Value(z0)
        z.sigmoid().backward()
        from_graph.append(z.grad)
    print(f"largest relative difference to sigma(1 - sigma): {rel_error(np.array(from_graph), sigmoid_grad(zs)):.1e}")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(zs, sigmoid(zs), color="0.6", label=r"$\sigma(z)$")
    ax.plot(zs, sigmoid_grad(zs), label=r"$\sigma(z)(1-\sigma(z))$, by hand")
    ax.plot(zs, from_graph, "o", ms=4, label="backward pass through the graph")
    ax.set_xlabel("$z$")
    ax.legend(fontsize="small")
    plt.show()

# %% [markdown]
# ## 3. One linear-logistic unit
#
# Logistic regression is one neuron: a **linear** part and a **logistic** activation, followed by the loss. For
# one sample $x \in \mathbb{R}^d$ with label $y \in \{0, 1\}$:
#
# $$z = w^T x + b, \qquad a = \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad
# \mathcal{L}(a, y) = -\big(y \log a + (1 - y) \log(1 - a)\big).$$
#
# As a graph: $w, x, b \to z \to a \to \mathcal{L}$. The **forward pass** computes $z$, $a$ and $\mathcal{L}$ in
# this order and keeps them: the backward pass needs them.
#
# **Compute the loss from $z$, not from $a$.** When the unit saturates, $a$ rounds to exactly 0 or 1 in floating
# point (for $|z|$ beyond about 37 already), and $\log a$ or $\log(1 - a)$ becomes $-\infty$: the loss of a
# confidently wrong unit comes out as `inf`, and the gradient built from it as `nan`. Assignment 2 wrote the same
# loss from the logit (the softplus form of `bce_from_logits`), which is finite for every $z$; use that form here.
#
# **Q4.** Write `unit_forward(w, b, x, y)` for `w`, `x` of shape `(d,)` and numbers `b`, `y`: return the triple
# `(z, a, loss)` of floats, the loss finite even for $|z| = 40$. Three lines (`sigmoid` from the setup cell never
# overflows; `np.logaddexp(0, z)` is $\log(1 + e^z)$ without overflow).

# %% nbgrader={"grade": false, "grade_id": "unit_forward", "locked": false, "schema_version": 3, "solution": true}
def unit_forward(w, b, x, y):
    """Forward pass of one linear-logistic unit on one sample: (z, a, loss) with the negative log-likelihood."""
    ### BEGIN SOLUTION
    z = float(w @ x + b)
    a = float(sigmoid(z))
    loss = np.logaddexp(0.0, z) - y * z  # = -(y log a + (1 - y) log(1 - a)), finite when a rounds to 0 or 1
    return z, a, float(loss)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_unit_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=304)
### END HIDDEN TESTS
grade("a3.unit_forward")

# %% [markdown]
# **The backward pass: three chain-rule factors.** The loss reaches $w_i$ only through $a$, and $a$ only through
# $z$, so $\partial\mathcal{L}/\partial w_i$ is a product of three factors: one of the loss, one of the
# activation and one of the linear part,
#
# $$\frac{\partial \mathcal{L}}{\partial w_i}
# = \underbrace{\frac{\partial \mathcal{L}}{\partial a}}_{\text{loss}} \cdot
#   \underbrace{\frac{\partial a}{\partial z}}_{\text{activation}} \cdot
#   \underbrace{\frac{\partial z}{\partial w_i}}_{\text{linear part}} .$$
#
# The product of the first two is the **error at the pre-activation**, $\delta \equiv \partial\mathcal{L}/\partial z$,
# and the bias is the weight of a constant input 1, so $\partial\mathcal{L}/\partial b = \delta$.
#
# **Q5 (derive).** Work out on paper, for one sample:
# 1. `dL_da`: $\partial\mathcal{L}/\partial a$ as an expression in `a` and `y`;
# 2. `da_dz`: $\partial a/\partial z$ as an expression in `a` alone (no $z$, no exponential);
# 3. `dz_dw`: $\partial z/\partial w_i$, writing `x` for $x_i$;
# 4. `dL_dz`: $\delta = \partial\mathcal{L}/\partial z$, the product of your first two factors, **simplified**, in
#    `a` and `y`.
#
# Write each as Python arithmetic between the quotes of the answer cell (`*`, `/`, `**`, `log(...)`); any
# equivalent form is accepted. The check under it says which steps are right.

# %% [markdown]
# **Your working.** Use this cell for your derivation if you like (double-click to edit); it is not graded.
#
# ### BEGIN SOLUTION
# *Worked derivation.* With $\mathcal{L} = -\big(y\log a + (1-y)\log(1-a)\big)$,
#
# $$\frac{\partial \mathcal{L}}{\partial a} = -\Big(\frac{y}{a} - \frac{1-y}{1-a}\Big), \qquad
# \frac{\partial a}{\partial z} = a(1-a), \qquad \frac{\partial z}{\partial w_i} = x_i .$$
#
# Multiplying the first two factors out, $-\big(y(1-a) - (1-y)a\big) = a - y$: the error at the pre-activation
# is simply **prediction minus label**, $\delta = a - y$, so $\partial\mathcal{L}/\partial w_i = (a - y)\,x_i$
# and $\partial\mathcal{L}/\partial b = a - y$. A gradient step is $w_i \leftarrow w_i - \eta\,(a - y)\,x_i$: the
# **generalized delta rule**, the same shape as ADALINE's rule of assignment 1 with the unit's output in place of
# the linear output. Lecture 000 writes it for any activation $f$ and the squared error as
# $w_i \leftarrow w_i + \eta\,(d - a)\,f'(z)\,x_i$; with the log-likelihood loss the $f'(z) = a(1-a)$ cancels
# against $\partial\mathcal{L}/\partial a$, which is why logistic regression learns fast even when $a$ is close to
# 0 or 1 and wrong.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "unit_chain_answer", "locked": false, "schema_version": 3, "solution": true}
dL_da = """
### BEGIN SOLUTION
-(y / a - (1 - y) / (1 - a))
### END SOLUTION
"""
da_dz = """
### BEGIN SOLUTION
a * (1 - a)
### END SOLUTION
"""
dz_dw = """
### BEGIN SOLUTION
x
### END SOLUTION
"""
dL_dz = """
### BEGIN SOLUTION
a - y
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_unit_chain", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=310)
### END HIDDEN TESTS
grade("a3.unit_chain")

# %% [markdown]
# **Q6.** Write `unit_backward(w, b, x, y)`: run `unit_forward`, then return `(dw, db)` with `dw` of shape
# `(d,)` and `db` a float. Two routes look equally right on paper: multiplying your first two factors as
# numbers, or using the simplified `dL_dz` you derived. Only the second is right in floating point: when the
# unit saturates, $a(1-a)$ rounds to 0 while $\partial\mathcal{L}/\partial a$ divides by it, and the product
# `inf * 0` is `nan` (exactly the failure the squared error's gradient avoided in assignment 2 by never dividing).
# Use your simplified error as one factor; the hidden checks include a saturated unit. Two lines.

# %% nbgrader={"grade": false, "grade_id": "unit_backward", "locked": false, "schema_version": 3, "solution": true}
def unit_backward(w, b, x, y):
    """Gradients (dL/dw (d,), dL/db float) of the linear-logistic unit's loss on one sample."""
    ### BEGIN SOLUTION
    z, a, _ = unit_forward(w, b, x, y)
    delta = a - y  # dL/da * da/dz simplified: never divides by a (1 - a), which is 0 when the unit saturates
    return delta * x, float(delta)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_unit_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=305)
### END HIDDEN TESTS
grade("a3.unit_backward")

# %% [markdown]
# ### The delta rule at work
#
# Stochastic gradient descent with your gradients on the pass/fail class of assignment 1 (labels turned into
# 0 / 1): one step per sample, the mean loss recorded after every epoch. The same unit built from `Value` nodes
# gives the same activation gradient, a good check of both halves of this notebook.

# %%
X_pass, y_pm = will_i_pass(60, separable=False, seed=0)
y_pass = (y_pm + 1) // 2
mean, std = X_pass.mean(axis=0), X_pass.std(axis=0)
X_std = (X_pass - mean) / std  # standardized features: one step size suits both

with when_ready():
    w, b, eta, losses = np.zeros(2), 0.0, 0.05, [np.log(2.0)]  # at w = 0, b = 0 every a is 1/2
    rng = np.random.default_rng(0)
    for epoch in range(30):
        for i in rng.permutation(len(X_std)):
            dw, db = unit_backward(w, b, X_std[i], y_pass[i])
            w, b = w - eta * dw, b - eta * db
        z_all = X_std @ w + b
        losses.append(np.mean(np.logaddexp(0.0, z_all) - y_pass * z_all))

    # The activation's gradient through a Value graph against central differences, and unit_backward against
    # central differences of the loss.
    x0, y0 = X_std[0], y_pass[0]
    wv, bv = [Value(v, label=f"w{i + 1}") for i, v in enumerate(w)], Value(b, label="b")
    a = (wv[0] * x0[0] + wv[1] * x0[1] + bv).sigmoid()
    a.backward()
    num_da = numerical_gradient(lambda v: float(sigmoid(v @ x0 + b)), w.copy())
    num_dL = numerical_gradient(lambda v: unit_forward(v, b, x0, y0)[2], w.copy())
    print(f"da/dw on sample 0: the Value graph vs central differences, relative error "
          f"{rel_error(np.array([v.grad for v in wv]), num_da):.1e}")
    print(f"dL/dw on sample 0: unit_backward vs central differences, relative error "
          f"{rel_error(unit_backward(w, b, x0, y0)[0], num_dL):.1e}")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].plot(np.arange(len(losses)), losses, marker="o", ms=3)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("mean negative log-likelihood")
    axes[0].set_title("SGD with the generalized delta rule")
    grid = np.linspace(-2.5, 2.5, 200)
    G1, G2 = np.meshgrid(grid, grid)
    P = sigmoid(w[0] * G1 + w[1] * G2 + b)
    contour = axes[1].contourf(G1 * std[0] + mean[0], G2 * std[1] + mean[1], P, levels=20, cmap="RdBu", alpha=0.6)
    fig.colorbar(contour, ax=axes[1], label="$a = P(y = 1 | x)$")
    for label, marker in [(0, "x"), (1, "o")]:
        pick = y_pass == label
        axes[1].scatter(X_pass[pick, 0], X_pass[pick, 1], marker=marker, c="k", s=20, label=f"y = {label}")
    axes[1].set_xlabel("$x_1$: lectures attended")
    axes[1].set_ylabel("$x_2$: project hours")
    axes[1].legend(fontsize="small")
    axes[1].set_title("the trained unit's probability of passing")
    plt.show()

# %% [markdown]
# ## 4. Two neurons in series
#
# Now feed the unit's output into a second unit (notes 004). With a scalar input $x$ and label $y \in \{0, 1\}$:
#
# $$z^1 = w^1 x + b^1,\quad a^1 = \sigma(z^1),\qquad z^2 = w^2 a^1 + b^2,\quad a^2 = \sigma(z^2),\qquad
# \mathcal{L} = -\big(y \log a^2 + (1-y)\log(1-a^2)\big).$$
#
# (The superscripts number the layers; they are not powers.) **The second layer** is exactly section 3 with
# $a^1$ as its input: $\delta^2 = \partial\mathcal{L}/\partial z^2$ is your `dL_dz` with $a^2$ for $a$, and
# $\partial\mathcal{L}/\partial w^2 = \delta^2 a^1$, $\partial\mathcal{L}/\partial b^2 = \delta^2$.
#
# **Linking the layers.** To go further back we must leave layer 2 through its *input* $a^1$, not through its
# weight: $w^2$ is a parameter, nothing earlier depends on it. Since $z^2 = w^2 a^1 + b^2$,
# $\partial z^2/\partial a^1 = w^2$, and
#
# $$\frac{\partial\mathcal{L}}{\partial a^1} = \delta^2\, w^2, \qquad
# \delta^1 = \frac{\partial\mathcal{L}}{\partial z^1} = \delta^2\, w^2\, \sigma'(z^1) = \delta^2\, w^2\, a^1(1-a^1),
# \qquad \frac{\partial\mathcal{L}}{\partial w^1} = \delta^1 x,\quad \frac{\partial\mathcal{L}}{\partial b^1} = \delta^1 .$$
#
# Written out in full, $\partial\mathcal{L}/\partial w^1$ is one long product, loss factor, then
# (activation, link) for layer 2, then (activation, weight) for layer 1; backprop evaluates it from the left and
# keeps $\delta^2$ so that $\partial\mathcal{L}/\partial w^2$ and $\partial\mathcal{L}/\partial w^1$ share it.
#
# **Q7.** Write `two_neurons_backward(p, x, y)` where `p` is a dict of floats with keys `"w1", "b1", "w2", "b2"`:
# run the forward pass, then return a dict with the same keys holding $\partial\mathcal{L}/\partial w^1$, ... as
# floats. About eight lines.

# %% nbgrader={"grade": false, "grade_id": "two_neurons_backward", "locked": false, "schema_version": 3, "solution": true}
def two_neurons_backward(p, x, y):
    """Gradients {"w1", "b1", "w2", "b2"} of the NLL of two sigmoid neurons in series, on one scalar sample."""
    ### BEGIN SOLUTION
    a1 = sigmoid(p["w1"] * x + p["b1"])
    a2 = sigmoid(p["w2"] * a1 + p["b2"])
    delta2 = a2 - y
    delta1 = delta2 * p["w2"] * a1 * (1 - a1)
    return {"w1": float(delta1 * x), "b1": float(delta1), "w2": float(delta2 * a1), "b2": float(delta2)}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_two_neurons", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=306)
### END HIDDEN TESTS
grade("a3.two_neurons")

# %% [markdown]
# ## 5. The lecture's two-layer network: squared error and sigmoid
#
# Notes 001 take $d$ inputs, a hidden layer $h$ of $m$ sigmoid units and an output layer $out$ of $t$ sigmoid
# units, with the squared error averaged over the outputs. For one sample $x$ with targets $y \in \mathbb{R}^t$:
#
# $$z^{(h)}_k = \sum_i x_i\, w^{(h)}_{i,k} + b^{(h)}_k,\quad a^{(h)}_k = \sigma(z^{(h)}_k), \qquad
# z^{(out)}_j = \sum_k a^{(h)}_k\, w^{(out)}_{k,j} + b^{(out)}_j,\quad a^{(out)}_j = \sigma(z^{(out)}_j),$$
#
# $$\mathcal{L} = \frac1t \sum_{j=1}^t \big(y_j - a^{(out)}_j\big)^2 .$$
#
# In code the weights are matrices, `W_h[i, k]` $= w^{(h)}_{i,k}$ of shape `(d, m)` and `W_out[k, j]`
# $= w^{(out)}_{k,j}$ of shape `(m, t)`, so that `z_h = x @ W_h + b_h` (rows are samples; the lecture's column
# form is $z = W^T x + b$).
#
# **An output weight**, term by term, exactly as the lecture does it:
#
# $$\frac{\partial\mathcal{L}}{\partial w^{(out)}_{k,j}}
# = \underbrace{\frac{2}{t}\big(a^{(out)}_j - y_j\big)}_{\partial\mathcal{L}/\partial a^{(out)}_j}
# \cdot \underbrace{a^{(out)}_j\big(1 - a^{(out)}_j\big)}_{\partial a^{(out)}_j/\partial z^{(out)}_j}
# \cdot \underbrace{a^{(h)}_k}_{\partial z^{(out)}_j / \partial w^{(out)}_{k,j}}
# = \delta^{(out)}_j\, a^{(h)}_k .$$
#
# (The lecture's slide drops the $\frac1t$; with $t = 2$ outputs it cancels the 2. The derivative of the sigmoid is
# $a(1-a)$, **not** $a$ itself: a classic slip.)
#
# **A hidden weight** $w^{(h)}_{i,k}$ changes $a^{(h)}_k$, which feeds **every** output unit: one path per output,
# and the paths add up (the multi-path chain rule of section 1). Name the shared part, the hidden unit's own
# error $\delta^{(h)}_k = \partial\mathcal{L}/\partial z^{(h)}_k$; then, exactly as for an output weight,
# $\partial\mathcal{L}/\partial w^{(h)}_{i,k} = \delta^{(h)}_k\, x_i$, and biases are weights of a constant input
# 1: $\partial\mathcal{L}/\partial b^{(out)}_j = \delta^{(out)}_j$ and $\partial\mathcal{L}/\partial b^{(h)}_k = \delta^{(h)}_k$.
#
# **Q8 (derive): the δ of one hidden unit.** Take one sigmoid hidden unit with output $a$ that feeds two units
# above it through the weights $w_1$ and $w_2$ (so $z_1 = w_1 a + \dots$ and $z_2 = w_2 a + \dots$), and suppose
# their errors $d_1 = \partial\mathcal{L}/\partial z_1$ and $d_2 = \partial\mathcal{L}/\partial z_2$ are known. Work
# out, in the names `a`, `w1`, `w2`, `d1`, `d2`:
# 1. `dL_dah`: $\partial\mathcal{L}/\partial a$, the gradient at the hidden unit's output;
# 2. `delta_h`: the hidden unit's error $\partial\mathcal{L}/\partial z$.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* $a$ reaches $\mathcal{L}$ through $z_1$ and through $z_2$, with $\partial z_j/\partial a = w_j$;
# the two paths add: $\partial\mathcal{L}/\partial a = w_1 d_1 + w_2 d_2$. One step further back through the
# sigmoid, $\delta = a(1-a)\,(w_1 d_1 + w_2 d_2)$. For the network of this section, with $t$ outputs,
#
# $$\frac{\partial\mathcal{L}}{\partial w^{(h)}_{i,k}}
# = \Big(\sum_{j=1}^{t} \delta^{(out)}_j\, w^{(out)}_{k,j}\Big)\cdot a^{(h)}_k\big(1-a^{(h)}_k\big) \cdot x_i
# = \delta^{(h)}_k\, x_i ,$$
#
# which with $t = 2$ is the lecture's two-line formula for $\partial\mathcal{L}/\partial w^{(h)}_{1,1}$. In code
# the sum over $j$ for every $k$ at once is the matrix-vector product `W_out @ delta_out`, and the matrix of
# all $x_i\,\delta^{(h)}_k$ is the outer product `np.outer(x, delta_h)`.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "hidden_delta_answer", "locked": false, "schema_version": 3, "solution": true}
dL_dah = """
### BEGIN SOLUTION
w1 * d1 + w2 * d2
### END SOLUTION
"""
delta_h = """
### BEGIN SOLUTION
a * (1 - a) * (w1 * d1 + w2 * d2)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_hidden_delta", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=311)
### END HIDDEN TESTS
grade("a3.hidden_delta")

# %% [markdown]
# **Q9 (derive): by hand, with numbers.** A 2-2-1 network of sigmoid units, the loss
# $\mathcal{L} = \frac12 (a^{(out)} - d)^2$ for one sample, and these numbers (`W_h[i, k]` from input $i$ to
# hidden unit $k$, counting from 1 in the text and from 0 in code):
#
# | | values |
# |---|---|
# | input $x$ | $(1.0,\ 2.0)$, target $d = 1$ |
# | hidden weights | into hidden unit 1: $w^{(h)}_{1,1} = 0.4$, $w^{(h)}_{2,1} = -0.2$; into hidden unit 2: $w^{(h)}_{1,2} = 0.3$, $w^{(h)}_{2,2} = 0.1$; hidden biases 0 |
# | output weights | from hidden unit 1: $0.6$, from hidden unit 2: $-0.4$; output bias $0.1$ |
#
# Run the forward pass by hand, then backwards: give (1) `delta_out`, the output unit's
# $\delta = \partial\mathcal{L}/\partial z^{(out)}$; (2) `delta_h1`, the $\delta$ of hidden unit 1; (3) `dL_dw21`,
# $\partial\mathcal{L}/\partial w^{(h)}_{2,1}$, the weight from input 2 into hidden unit 1. Each is a number: write it
# to at least four significant digits, or as arithmetic on numbers (`sigmoid(...)`, `exp(...)` allowed), between
# the quotes. A calculator, or a scratch cell of plain arithmetic, is fine; the library is not needed.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked numbers.* Forward: $z^{(h)}_1 = 0.4 \cdot 1 - 0.2 \cdot 2 = 0$, so $a^{(h)}_1 = 0.5$;
# $z^{(h)}_2 = 0.3 + 0.2 = 0.5$, $a^{(h)}_2 = \sigma(0.5) \approx 0.62246$;
# $z^{(out)} = 0.6 \cdot 0.5 - 0.4 \cdot 0.62246 + 0.1 \approx 0.15102$, $a^{(out)} \approx 0.53768$.
# Backward: $\delta^{(out)} = (a^{(out)} - d)\,a^{(out)}(1 - a^{(out)}) \approx (-0.46232)(0.24858) \approx -0.114923$;
# hidden unit 1 feeds only the output, so $\delta^{(h)}_1 = a^{(h)}_1(1 - a^{(h)}_1) \cdot 0.6 \cdot \delta^{(out)}
# = 0.25 \cdot 0.6 \cdot (-0.114923) \approx -0.0172384$; and $\partial\mathcal{L}/\partial w^{(h)}_{2,1} = x_2\,\delta^{(h)}_1
# \approx -0.0344769$.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "delta_by_hand_answer", "locked": false, "schema_version": 3, "solution": true}
delta_out = """
### BEGIN SOLUTION
(sigmoid(0.6 * 0.5 - 0.4 * sigmoid(0.5) + 0.1) - 1) * sigmoid(0.15102) * (1 - sigmoid(0.15102))
### END SOLUTION
"""
delta_h1 = """
### BEGIN SOLUTION
0.25 * 0.6 * -0.114923
### END SOLUTION
"""
dL_dw21 = """
### BEGIN SOLUTION
2 * -0.0172384
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_delta_by_hand", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=312)
### END HIDDEN TESTS
grade("a3.delta_by_hand")

# %% [markdown]
# **Q10.** Write `two_layer_gradients(p, x, y)`, where `p` holds `"W_h"` `(d, m)`, `"b_h"` `(m,)`, `"W_out"`
# `(m, t)`, `"b_out"` `(t,)`, and `x` `(d,)`, `y` `(t,)`: return a dict with the same keys and shapes holding the
# gradients. Loops over the units following your derivation are fine; so are NumPy products, once you see which
# product of a matrix and a vector (or of two vectors) computes the same sums for every unit at once.

# %% nbgrader={"grade": false, "grade_id": "two_layer_gradients", "locked": false, "schema_version": 3, "solution": true}
def two_layer_gradients(p, x, y):
    """Gradients of L = 1/t sum_j (y_j - a_out_j)^2 for the sigmoid-sigmoid two-layer net, one sample."""
    ### BEGIN SOLUTION
    a_h = sigmoid(x @ p["W_h"] + p["b_h"])
    a_out = sigmoid(a_h @ p["W_out"] + p["b_out"])
    t = len(y)
    delta_out = 2.0 / t * (a_out - y) * a_out * (1 - a_out)
    dL_da_h = p["W_out"] @ delta_out  # sum over the outputs: one term per path
    delta_h = dL_da_h * a_h * (1 - a_h)
    return {"W_h": np.outer(x, delta_h), "b_h": delta_h, "W_out": np.outer(a_h, delta_out), "b_out": delta_out}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_two_layer", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=307)
### END HIDDEN TESTS
grade("a3.two_layer")

# %% [markdown]
# ### Every partial derivative, checked numerically
#
# For the lecture's size ($d = m = t = 2$) we perturb each of the 12 parameters in turn by $\pm h$ and compare the
# central difference with your gradient. The bars show the relative error per parameter (about $10^{-9}$ or
# smaller means they agree). The orange bars are what you get for the hidden weights if the multi-path sum keeps
# only the path through output 1: the error is of order one.

# %%
def two_layer_loss(p, x, y):
    a_h = sigmoid(x @ p["W_h"] + p["b_h"])
    a_out = sigmoid(a_h @ p["W_out"] + p["b_out"])
    return np.mean((y - a_out) ** 2)


rng = np.random.default_rng(3)
p_lecture = {"W_h": rng.normal(size=(2, 2)), "b_h": rng.normal(size=2),
             "W_out": rng.normal(size=(2, 2)), "b_out": rng.normal(size=2)}
x_lecture, y_lecture = np.array([0.5, -1.0]), np.array([1.0, 0.0])

with when_ready():
    grads = two_layer_gradients(p_lecture, x_lecture, y_lecture)
    names, errors, one_path_errors = [], [], []
    a_h = sigmoid(x_lecture @ p_lecture["W_h"] + p_lecture["b_h"])
    a_out = sigmoid(a_h @ p_lecture["W_out"] + p_lecture["b_out"])
    delta_out = (a_out - y_lecture) * a_out * (1 - a_out)  # 2/t = 1 here
    delta_h_one_path = p_lecture["W_out"][:, 0] * delta_out[0] * a_h * (1 - a_h)
    one_path = {"W_h": np.outer(x_lecture, delta_h_one_path), "b_h": delta_h_one_path}
    for key, value in p_lecture.items():
        numeric = numerical_gradient(lambda v: two_layer_loss({**p_lecture, key: v}, x_lecture, y_lecture),
                                     value.copy())
        for index in np.ndindex(value.shape):
            names.append(f"{key}{list(index)}")
            errors.append(rel_error(grads[key][index], numeric[index]))
            one_path_errors.append(rel_error(one_path[key][index], numeric[index]) if key in one_path else np.nan)
    fig, ax = plt.subplots(figsize=(11, 3.5))
    where = np.arange(len(names))
    ax.bar(where - 0.2, np.maximum(errors, 1e-16), width=0.4, label="your gradients")
    ax.bar(where + 0.2, np.maximum(one_path_errors, 1e-16), width=0.4, color="tab:orange",
           label="hidden weights with one path only")
    ax.set_yscale("log")
    ax.set_xticks(where, names, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("relative error vs central differences")
    ax.legend(fontsize="small")
    plt.show()

# %% [markdown]
# ## 6. Any depth: the delta recursion
#
# Take $N$ layers. Layer $k$ has $D_k$ units, $a^{(0)} = x$, and (lecture 000, with the bias as a separate vector)
#
# $$z^{(k)}_j = \sum_i w^{(k)}_{ij}\, a^{(k-1)}_i + b^{(k)}_j, \qquad a^{(k)}_j = f\big(z^{(k)}_j\big),$$
#
# with $w^{(k)}_{ij}$ the weight from unit $i$ of layer $k-1$ to unit $j$ of layer $k$: in code `Ws[k-1][i, j]`,
# a matrix of shape $(D_{k-1}, D_k)$. The loss depends on the output $a^{(N)}$. Define
# $\delta^{(k)}_j = \partial \mathcal{L}/\partial z^{(k)}_j$. Then, from the output backwards:
#
# 1. **Output layer.** $z^{(N)}_j$ reaches the loss only through $a^{(N)}_j$:
#    $\displaystyle \delta^{(N)}_j = f'\big(z^{(N)}_j\big)\,\frac{\partial\mathcal{L}}{\partial a^{(N)}_j}$.
# 2. **One layer down.** $a^{(k)}_i$ feeds every unit $j$ of layer $k+1$, with weight $w^{(k+1)}_{ij}$: this is
#    your Q8 result, with as many outgoing paths as layer $k+1$ has units and $f'$ in place of the sigmoid's
#    derivative.
# 3. **Weights and biases.** $w^{(k)}_{ij}$ enters only $z^{(k)}_j$, and multiplies $a^{(k-1)}_i$ there; the bias
#    is the weight of a constant input 1.
#
# ### BEGIN SOLUTION
# *The recursion written out.*
# $\displaystyle \frac{\partial\mathcal{L}}{\partial a^{(k)}_i} = \sum_j w^{(k+1)}_{ij}\, \delta^{(k+1)}_j$ and
# $\displaystyle \delta^{(k)}_i = f'\big(z^{(k)}_i\big) \sum_j w^{(k+1)}_{ij}\,\delta^{(k+1)}_j$;
# $\displaystyle \frac{\partial\mathcal{L}}{\partial w^{(k)}_{ij}} = a^{(k-1)}_i\, \delta^{(k)}_j$ and
# $\displaystyle \frac{\partial\mathcal{L}}{\partial b^{(k)}_j} = \delta^{(k)}_j$.
# ### END SOLUTION
#
# Each $\delta^{(k)}$ is computed **once**, from $\delta^{(k+1)}$, and then used by every weight of layer $k$ and by
# the layer below: that reuse (memoization) is what makes backprop cheap. (Lecture 000 defines $\delta$ with the
# opposite sign, $\delta = -\partial E/\partial \mathrm{net}$, and then adds $\eta\,\delta_j x_i$; it is the same
# step.)
#
# **Q11.** Write `deltas(Ws, zs, dL_da, f_prime)` in the **scalar form**, with loops over the units: `Ws` and `zs`
# are lists of the $N$ weight matrices and pre-activation vectors (`zs[k-1]` is $z^{(k)}$), `dL_da` is
# $\partial\mathcal{L}/\partial a^{(N)}$ of shape $(D_N,)$, and `f_prime(z)` is $f'$ (it accepts a number or an
# array). Return the list $[\delta^{(1)}, \dots, \delta^{(N)}]$ of arrays. Note that $W^{(1)}$ is never needed.

# %% nbgrader={"grade": false, "grade_id": "deltas", "locked": false, "schema_version": 3, "solution": true}
def deltas(Ws, zs, dL_da, f_prime):
    """The list [delta^(1), ..., delta^(N)] of dL/dz per layer, by the scalar delta recursion."""
    ### BEGIN SOLUTION
    N = len(Ws)
    out = [None] * N
    out[N - 1] = np.array([f_prime(zs[N - 1][j]) * dL_da[j] for j in range(len(zs[N - 1]))], dtype=float)
    for k in range(N - 2, -1, -1):  # layer k + 1 in the lecture's numbering
        W_next, delta_next = Ws[k + 1], out[k + 1]
        out[k] = np.zeros(len(zs[k]))
        for i in range(len(zs[k])):
            total = sum(W_next[i, j] * delta_next[j] for j in range(len(delta_next)))
            out[k][i] = f_prime(zs[k][i]) * total
    return out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_deltas", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=308)
### END HIDDEN TESTS
grade("a3.deltas")

# %% [markdown]
# ### The same recursion with vectors and matrices
#
# Collect each layer into vectors. The sum over $j$ in step 2 is then one matrix-vector product for all the units
# $i$ of layer $k$ at once, and the factor $f'(z_i)$, the same for every term of unit $i$'s sum, becomes an
# elementwise product ($\odot$). The weight gradient of a layer, entry $(i, j)$ being (input $i$) $\times\,\delta_j$,
# is one product of two vectors with the shape of $W^{(k)}$, $(D_{k-1}, D_k)$.
#
# This is the chain rule in vector form of notes 002, a **Jacobian-gradient product**
# $\nabla_u \mathcal{L} = \big(\partial v / \partial u\big)^T \nabla_v \mathcal{L}$ applied twice per layer: the
# Jacobian of $a = f(z)$ is the diagonal matrix $\mathrm{diag}(f'(z))$, so multiplying by it is an elementwise
# product, and the Jacobian of $z^{(k+1)}$ with respect to $a^{(k)}$ is read off $z^{(k+1)} = a^{(k)} W^{(k+1)} + b$
# (mind our layout: rows are samples, so $W^{(k+1)}$ has shape $(D_k, D_{k+1})$).
#
# ### BEGIN SOLUTION
# *The vectorized recursion.*
# $$\delta^{(N)} = f'\big(z^{(N)}\big) \odot \nabla_{a^{(N)}}\mathcal{L}, \qquad
# \delta^{(k)} = f'\big(z^{(k)}\big) \odot \big(W^{(k+1)}\, \delta^{(k+1)}\big), \qquad
# \nabla_{W^{(k)}}\mathcal{L} = a^{(k-1)}\, \big(\delta^{(k)}\big)^T, \qquad \nabla_{b^{(k)}}\mathcal{L} = \delta^{(k)} .$$
# The Jacobian of $z^{(k+1)}$ with respect to $a^{(k)}$ is $(W^{(k+1)})^T$ in our layout, so its transpose gives
# $W^{(k+1)}\delta^{(k+1)}$ (`Ws[k] @ delta` in code); the weight gradient is the outer product
# `np.outer(activations[k], delta)`.
# ### END SOLUTION
#
# The forward pass is written for you: it keeps every $z^{(k)}$ and $a^{(k)}$, which the backward pass needs.

# %%
def forward_pass(Ws, bs, x, f):
    """(zs, activations): zs[k-1] = z^(k) for k = 1..N, activations[k] = a^(k) with activations[0] = x."""
    zs, activations = [], [x]
    for W, b in zip(Ws, bs):
        zs.append(activations[-1] @ W + b)
        activations.append(f(zs[-1]))
    return zs, activations


def network_loss(Ws, bs, x, d, f):
    """L = 1/2 ||a^(N) - d||^2 for one sample."""
    return 0.5 * np.sum((forward_pass(Ws, bs, x, f)[1][-1] - d) ** 2)


# %% [markdown]
# **Q12.** Write `network_gradients(Ws, bs, x, d, f, f_prime)` for the loss $\mathcal{L} = \frac12 \lVert a^{(N)} -
# d\rVert^2$ (so $\nabla_{a^{(N)}}\mathcal{L} = a^{(N)} - d$), **vectorized**: no loop over units, one loop over
# layers. Call `forward_pass`, run the recursion above, and return `(dWs, dbs)`, two lists shaped like `Ws` and
# `bs`. Do not forget the biases. About eight lines.

# %% nbgrader={"grade": false, "grade_id": "network_gradients", "locked": false, "schema_version": 3, "solution": true}
def network_gradients(Ws, bs, x, d, f, f_prime):
    """(dWs, dbs): gradients of 1/2 ||a^(N) - d||^2 for one sample x (D_0,), by the vectorized recursion."""
    ### BEGIN SOLUTION
    zs, activations = forward_pass(Ws, bs, x, f)
    N = len(Ws)
    dWs, dbs = [None] * N, [None] * N
    delta = f_prime(zs[-1]) * (activations[-1] - d)
    for k in range(N - 1, -1, -1):
        dWs[k] = np.outer(activations[k], delta)
        dbs[k] = delta
        if k > 0:
            delta = f_prime(zs[k - 1]) * (Ws[k] @ delta)
    return dWs, dbs
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_network_gradients", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=309)
### END HIDDEN TESTS
grade("a3.network")

# %% [markdown]
# ### The whole network against its numerical gradient
#
# A 3-5-4-2 network with tanh units: every parameter array of your backward pass compared with central
# differences of the whole network's loss. Then your gradients train a small sigmoid network on XOR, the problem
# no single unit solves: full-batch gradient descent, the gradient being the mean of the per-sample gradients.

# %%
def init_network(sizes, rng, scale=1.0):
    Ws = [scale * rng.normal(size=(m, n)) / np.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
    return Ws, [np.zeros(n) for n in sizes[1:]]


def train_xor(Ws, bs, epochs=500, lr=4.0):
    """Full-batch gradient descent on XOR with network_gradients; (Ws, bs, losses, first-layer weights)."""
    X, y = xor()
    D = y[:, None].astype(float)  # targets d of shape (1,) per sample
    Ws, bs, losses, W1_history = list(Ws), list(bs), [], []
    for _ in range(epochs):
        per_sample = [network_gradients(Ws, bs, x_i, d_i, sigmoid, sigmoid_grad) for x_i, d_i in zip(X, D)]
        Ws = [W - lr * np.mean([g[0][k] for g in per_sample], axis=0) for k, W in enumerate(Ws)]
        bs = [b - lr * np.mean([g[1][k] for g in per_sample], axis=0) for k, b in enumerate(bs)]
        out = forward_pass(Ws, bs, X, sigmoid)[1][-1]  # rows are samples: the forward pass takes all four
        losses.append(0.5 * np.mean((out - D) ** 2))
        W1_history.append(Ws[0])
    return Ws, bs, losses, np.array(W1_history)


Ws_xor, bs_xor = init_network([2, 3, 1], np.random.default_rng(1), scale=2.0)  # the XOR network's start

with when_ready():
    rng = np.random.default_rng(0)
    Ws, bs = init_network([3, 5, 4, 2], rng)
    bs = [rng.normal(size=b.shape) for b in bs]
    x0, d0 = rng.normal(size=3), rng.normal(size=2)
    dWs, dbs = network_gradients(Ws, bs, x0, d0, tanh, tanh_grad)
    for k in range(len(Ws)):
        num_W = numerical_gradient(lambda W: network_loss(Ws[:k] + [W] + Ws[k + 1:], bs, x0, d0, tanh), Ws[k].copy())
        num_b = numerical_gradient(lambda b: network_loss(Ws, bs[:k] + [b] + bs[k + 1:], x0, d0, tanh), bs[k].copy())
        print(f"layer {k + 1}: relative error W {rel_error(dWs[k], num_W):.1e}, b {rel_error(dbs[k], num_b):.1e}")

    Ws_trained, bs_trained, xor_losses, _ = train_xor(Ws_xor, bs_xor)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].plot(xor_losses)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch (full-batch gradient step)")
    axes[0].set_ylabel(r"mean $\frac{1}{2} (a - d)^2$")
    axes[0].set_title("2-3-1 sigmoid network on XOR")
    grid = np.linspace(-0.5, 1.5, 101)
    G1, G2 = np.meshgrid(grid, grid)
    points = np.column_stack([G1.ravel(), G2.ravel()])
    out = forward_pass(Ws_trained, bs_trained, points, sigmoid)[1][-1].reshape(G1.shape)
    contour = axes[1].contourf(G1, G2, out, levels=20, cmap="RdBu", alpha=0.7)
    fig.colorbar(contour, ax=axes[1], label="network output")
    X_xor, y_xor = xor()
    axes[1].scatter(X_xor[:, 0], X_xor[:, 1], c=y_xor, cmap="RdBu", edgecolors="k", s=120)
    axes[1].set_title("what it learned")
    plt.show()

# %% [markdown]
# ## 7. Why backprop is cheap (Q13)
#
# Write the gradient of a first-layer weight of a fully connected network with $N$ layers of width $m$ as the
# multi-path chain rule says: one product of local derivatives **per path** from that weight to the output, and
# the paths multiply, $m$ choices at every layer above. The picture counts them against the number of edges
# (weights) of the network.

# %%
widths, depths = [2, 5, 10], np.arange(1, 11)
fig, ax = plt.subplots(figsize=(6, 4))
for colour, m in zip(["C0", "C1", "C2"], widths):
    ax.plot(depths, float(m) ** (depths - 1), marker="o", ms=3, color=colour,
            label=f"width {m}: paths from one first-layer unit to an output")
    ax.plot(depths, depths * m * m, ls="--", color=colour, label=f"width {m}: edges (weights) of the network")
ax.set_yscale("log")
ax.set_ylabel("count")
ax.set_xlabel("number of layers $N$")
ax.legend(fontsize="x-small")
plt.show()

# %% [markdown]
# **Q13 (2 points, graded by hand).** In three to five sentences: the backward pass computes each $\delta^{(k)}$
# once and reuses it. Explain why this makes the cost of all the gradients proportional to the number of edges
# (about the cost of one forward pass), while expanding the chain rule path by path grows exponentially with the
# depth. Say what is stored during the forward pass and why.

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_memo", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Expanded path by path, the derivative for a weight low in the network is a sum over every path from it to the
# loss, and the number of paths multiplies by the width at each layer, so it grows like $m^{N}$; the same
# sub-products (everything above layer $k$) are recomputed in every one of those sums. Backprop stores them
# instead: $\delta^{(k)} = \partial\mathcal L/\partial z^{(k)}$ is exactly the sum over all paths from layer $k$ to
# the loss, computed once from $\delta^{(k+1)}$ with one multiply-add per edge between the two layers, and then
# every weight of layer $k$ needs one more multiplication. Each edge is therefore touched a constant number of
# times, so the whole backward pass costs about as much as the forward pass, linear in the number of edges. The
# price is memory: the forward pass keeps every $z^{(k)}$ (for $f'(z^{(k)})$) and every $a^{(k)}$ (for the weight
# gradients), because the backward pass needs them.
# ### END SOLUTION

# %% [markdown]
# ## 8. What goes wrong with zero initialization (Q14)
#
# Train the XOR network of section 6 again, once from all weights and biases equal to 0 and once from all weights
# equal to 0.5 (biases 0), and compare with the random initialization. The right panel follows the three hidden
# units' incoming weights during the run started at 0.5.

# %%
with when_ready():
    constant_runs = {}
    for value in [0.0, 0.5]:
        start_Ws, start_bs = [np.full_like(W, value) for W in Ws_xor], [np.zeros_like(b) for b in bs_xor]
        constant_runs[value] = train_xor(start_Ws, start_bs, epochs=300)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].plot(xor_losses[:300], label="random initialization")
    for value, (_, _, run_losses, _) in constant_runs.items():
        axes[0].plot(run_losses, label=f"all weights {value:g}")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("mean loss")
    axes[0].legend(fontsize="small")
    W1_history = constant_runs[0.5][3]
    for j, style in enumerate(["-", "--", ":"]):
        axes[1].plot(W1_history[:, 0, j], ls=style, lw=6 - 2 * j, label=f"hidden unit {j + 1}")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("weight from input 1")
    axes[1].set_title("started at 0.5: the hidden units move, but together")
    axes[1].legend(fontsize="small")
    plt.show()
    for value, run in constant_runs.items():
        W1 = run[3][-1]
        print(f"start {value:g}: largest difference between the hidden units' weights after training "
              f"{np.abs(W1 - W1[:, :1]).max():.1e}, first-layer weights range over [{W1.min():.3f}, {W1.max():.3f}]")

# %% [markdown]
# **Q14 (2 points, graded by hand).** In three to five sentences, using the delta recursion: what happens in the
# first backward pass when every weight is 0, why do the hidden units stay identical copies of each other for the
# whole training run (and would a constant non-zero initialization help?), and what does random initialization
# change?

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_zero_init", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# With all weights 0, every hidden unit computes $z = 0$ and outputs the same value ($\sigma(0) = 1/2$), whatever
# the input. In the first backward pass $\delta^{(1)} = f'(z^{(1)}) \odot (W^{(2)}\delta^{(2)}) = 0$ because
# $W^{(2)} = 0$, so the first layer does not move at all, while every output weight receives the same gradient
# because every hidden activation is the same. From then on the units are in the same state, so they get the
# same deltas and the same updates, forever: the symmetry is never broken, and the layer behaves like a single
# hidden unit, which cannot represent XOR (the loss stalls). A constant non-zero initialization has the same
# symmetry and the same problem. Random initialization gives each unit different weights, hence different
# activations and deltas, so the units can learn different features (and different runs can reach different
# minima).
# ### END SOLUTION

# %% [markdown]
# ## What's next
#
# You now have the backward pass of a dense layer for one sample. Assignment 4 stacks it into layer objects
# (`forward` keeps a cache, `backward` returns the input gradient), processes a whole mini-batch at once with
# matrix products, and trains multi-layer networks on real data.
#
# Now that your answers pass their checks, read walkthrough 3 (`course/walkthroughs/03_backprop_by_hand`): it
# derives every result of this notebook in full, with the numbers printed.
#
# ## Where you stand, and how to hand in
#
# The last cell lists each question and where its public checks stand. To hand in: save the notebook (Ctrl+S),
# then submit the `.ipynb` file as your course says: from the **Assignments** tab if you work on the course's
# JupyterHub, or by uploading it to your learning platform (LMS). Keep its file name.

# %%
summary("a3")
