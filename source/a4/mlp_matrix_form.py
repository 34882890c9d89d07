# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 4: the multilayer perceptron in matrix form
#
# *Neural networks from first principles.* In the earlier assignments the chain rule was applied one weight at a
# time. A real network has thousands of weights and trains on a batch of samples at once, so here we write
# back-propagation with **matrices**: one matrix product per layer and per direction. The whole algorithm then
# fits on a page, runs fast in NumPy, and reaches 95 % accuracy on handwritten digits in a couple of seconds.
#
# **Learning goals.** After this assignment you can
# - translate between the lecture's column-vector notation ($z = W^T a + b$, denominator layout) and the
#   course's row-sample code ($Z = XW + b$), and say where every transpose comes from;
# - derive, in matrix form, the backward pass of a dense layer, of elementwise activations and of softmax
#   cross-entropy over a batch, and implement what you derived;
# - run the backward pass of a whole network as a loop over its layers in reverse, and check it by parameter name;
# - find planted bugs in a backward pass with your own gradient checks, one parameter at a time, and fix them;
# - explain why all-zero initialization leaves every hidden unit identical, and train with mini-batch SGD;
# - read the universal approximation theorem in pictures: width helps, depth can help exponentially more.
#
# | question | kind | what you write | points | lecture topic |
# |---|---|---|---|---|
# | Q1 | implement | `dense_forward` | 3 | the affine map of a batch, shape checks (notes 002, 004) |
# | Q2 | derive | `dL_dW`, `dL_dX`, `dL_db` | 7 | the matrix chain rule for Y = XW + b: each gradient in X, W and G = ∂L/∂Y (notes 002, 003, 004) |
# | Q3 | implement | `dense_backward` | 5 | the dense layer's backward pass in code (002, 003, 004) |
# | Q4 | derive | `dZ_relu`, `dZ_sigmoid` | 2 | an elementwise activation's backward pass: ReLU's gate, the sigmoid from its own output (004) |
# | Q5 | implement | `relu_backward` | 2 | ReLU's backward pass in code (004) |
# | Q6 | implement | `sigmoid_backward` | 2 | the sigmoid's backward pass from its cached output (003, 004) |
# | Q7 | derive | `dl_ds`, `dL_dS` | 4 | softmax cross-entropy's gradient, for one sample and for a batch with its mean (notes 002, 003) |
# | Q8 | implement | `softmax_cross_entropy` | 5 | softmax + negative log-likelihood in code, log-sum-exp (002, 003) |
# | Q9 | implement | `network_backward` | 3 | back-propagation over a list of layers, gradients by name (003, 004) |
# | Q10 | derive | `dJ_dH`, `dJ_dW1`, `dJ_db1` | 6 | the hidden layer's gradients of notes 002's MLP: two layers down, a ReLU gate, two paths (002) |
# | Q11 | implement | `mlp_loss` | 4 | the MLP with ReLU, cross-entropy and weight decay in code, checked by parameter (002) |
# | Q12 | debug | `mlp_gradients_by_sample` | 5 | debugging a backward pass with gradient checks, parameter by parameter (002, 003) |
# | Q13 | debug | `bug_mean`, `bug_transposed`, `bug_path`, `bug_mask` | 4 | the debugging record: which parameter's check exposed which bug (002, 003) |
# | Q14 | implement | `sgd_epoch` | 3 | mini-batch SGD, the training pseudocode (003, 004) |
# | Q15 | explain | a written answer | 2 (graded by hand) | initialization and symmetry (003, 004) |
# | Q16 | explain | a written answer | 2 (graded by hand) | universal approximation, width and depth (002) |
#
# **Derive, then implement; then debug.** A *derive* question asks for a result worked out on paper, entered as
# an expression in named matrices between the quotes of an answer cell: the grader evaluates it on random
# matrices, so any equivalent form passes, and its check points at the step to redo when it does not. The
# *debug* questions hand you a backward pass with bugs planted on purpose.
#
# **After trying**, not before: walkthrough 4 (`course/walkthroughs/04_mlp_matrix_form`) works every derivation of
# this notebook out in full. Read it once your answers pass their checks, or when a step still resists after a
# real attempt.
#
# **How the checks work.** Under every function and every answer cell there is a check cell. Run it after you write the function: it
# prints which checks pass, and for each failure what differed and a hint. When your notebook is graded, hidden
# checks with other inputs run too, and every gradient is compared with central differences of a reference
# forward pass. The grader finds your functions **by name**, so keep the names and arguments of the stubs.
# Replace every `raise NotImplementedError()` with your code. Loops are allowed wherever they are correct; the
# vectorized versions are shorter and much faster.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
try:
    from autograder import grade, summary, when_ready
except ModuleNotFoundError:
    raise SystemExit("This notebook needs the course's package: install it as the course README says "
                     "(pip install . in the course folder), then restart the kernel.") from None
import matplotlib.pyplot as plt
import numpy as np

from backprop import init
from backprop.data import digits, xor
from backprop.gradcheck import numerical_gradient, rel_error
from backprop.losses import bce_from_logits
from backprop.plots import plot_decision_regions

# %matplotlib inline

# %% [markdown]
# ## 1. One notation for the lecture, one for the code
#
# The lecture notes write one sample as a **column**. Take layer $\ell$ with $m$ inputs and $k$ units. Notes
# 004 store its weights as an $m \times k$ matrix $W^\ell$ and compute
#
# $$z^\ell = (W^\ell)^T a^{\ell-1} + b^\ell, \qquad a^\ell = g(z^\ell), \qquad a^{\ell-1} \in \mathbb{R}^{m \times 1},\ z^\ell \in \mathbb{R}^{k \times 1}.$$
#
# (Notes 003 write the same layer as $W a + b$ with a $k \times m$ matrix: that $W$ is the transpose of this one.
# Notes 002, on the other hand, put the samples in rows, $U = XW$, exactly as our code does.)
#
# The code of this course stores a **batch** of $n$ samples as the **rows** of a matrix. Transposing the
# column equation for sample $i$ gives its row: $(z^{(i)})^T = (a^{(i)})^T W^\ell + (b^\ell)^T$. Stack the $n$ rows:
#
# $$Z = X W + b, \qquad X \in \mathbb{R}^{n \times m} \text{ (row } i = (a^{(i)})^T\text{)},\quad W \in \mathbb{R}^{m \times k},\quad b \in \mathbb{R}^{k},\quad Z \in \mathbb{R}^{n \times k},$$
#
# where "$+\,b$" adds $b$ to every row (NumPy broadcasting). So the code's $Z$ is the lecture's matrix of
# column vectors, transposed, and the code's `W` is the lecture's $W^\ell$ of notes 004, untransposed.
#
# **Gradients keep the shape of their variable.** The notes use the *denominator layout*: $\partial L/\partial W$
# has the shape of $W$, entry $(r, c)$ being $\partial L/\partial W_{rc}$. For one sample the notes find
# $\partial L/\partial W^\ell = a^{\ell-1} \big(\partial L/\partial z^\ell\big)^T$ ($m \times 1$ times $1 \times k$) and
# $\partial L/\partial a^{\ell-1} = W^\ell\, \partial L/\partial z^\ell$. Write $G$ for the $n \times k$ matrix whose
# row $i$ is $(\partial L/\partial z^{(i)})^T$. The dictionary between the two notations is then:
#
# | quantity | lecture, one sample (columns) | code, a batch (rows) |
# |---|---|---|
# | pre-activation | $z^\ell = (W^\ell)^T a^{\ell-1} + b^\ell$, $(k \times 1)$ | `Z = X @ W + b`, `(n, k)` |
# | upstream gradient | $\partial L / \partial z^\ell$, $(k \times 1)$ | `G` (called `dZ`), `(n, k)` |
# | weight gradient | $a^{\ell-1} (\partial L/\partial z^\ell)^T$, $(m \times k)$, summed over samples | you derive it (Q2), `(m, k)` |
# | input gradient | $W^\ell\, \partial L/\partial z^\ell$, $(m \times 1)$ | you derive it (Q2), `(n, m)` |
# | bias gradient | $\partial L/\partial z^\ell$, summed over samples | you derive it (Q2), `(k,)` |
#
# Every transpose of the code comes from transposing the lecture's equation (rows instead of columns), and every
# shape can be checked. Shape mistakes are the most common bug in this assignment, so we
# check shapes early and say which shape was expected. Here is the helper your functions can use:

# %%
def check_shape(array, shape, what):
    """Raise a ValueError naming the expected shape unless ``array.shape`` matches ``shape``.

    ``shape`` is a tuple of ints and names: a name (like "n") matches any size, e.g. ("n", 3) is any number of
    rows with 3 columns.
    """
    array = np.asarray(array)
    fits = array.ndim == len(shape) and all(isinstance(s, str) or s == a for a, s in zip(array.shape, shape))
    if not fits:
        expected = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{what} has shape {array.shape}; expected {expected}")


try:
    check_shape(np.ones((4, 3)), ("n", 5), "X")
except ValueError as error:
    print("check_shape says:", error)

# %% [markdown]
# ## 2. The dense layer, forward
#
# **Q1.** Write `dense_forward(X, W, b)` for `X (n, d_in)`, `W (d_in, d_out)` and `b (d_out,)`. First check the
# shapes (a `ValueError` that names the expected shape when `X` does not have `d_in` columns or `b` does not have
# `d_out` entries: `check_shape` does this), then return the pair `(Z, cache)` with `Z = X W + b` of shape
# `(n, d_out)` and `cache = (X, W)`, the two arrays the backward pass will need. Four lines.

# %% nbgrader={"grade": false, "grade_id": "dense_forward", "locked": false, "schema_version": 3, "solution": true}
def dense_forward(X, W, b):
    """Affine map of a batch. X (n, d_in), W (d_in, d_out), b (d_out,) -> (Z (n, d_out), cache = (X, W))."""
    ### BEGIN SOLUTION
    d_in, d_out = W.shape
    check_shape(X, ("n", d_in), "X")
    check_shape(b, (d_out,), "b")
    return X @ W + b, (X, W)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dense_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=401)
### END HIDDEN TESTS
grade("a4.dense_forward")

# %% [markdown]
# ## 3. The dense layer, backward
#
# The backward pass receives $G = \partial L/\partial Z$, shape `(n, d_out)`, and must return the gradients with
# respect to the layer's input and parameters. Write the forward map entry by entry,
# $Z_{ij} = \sum_k X_{ik} W_{kj} + b_j$, and apply the scalar chain rule, summing over every entry of $Z$ that
# the variable touches:
#
# **Q2 (derive).** For $Z = XW + b$ with $X$ `(n, d_in)`, $W$ `(d_in, d_out)` and the upstream gradient
# $G = \partial L/\partial Z$ `(n, d_out)`, work out, as expressions in `X`, `W` and `G`:
# 1. `dL_dW`: $\partial L/\partial W$, shape `(d_in, d_out)`;
# 2. `dL_dX`: $\partial L/\partial X$, shape `(n, d_in)`;
# 3. `dL_db`: $\partial L/\partial b$, shape `(d_out,)`.
#
# Write each with `@` (matrix product), `.T` (transpose), `*`, `+`, and `sum(..., axis=...)`. A way in: take one
# entry, $\partial L/\partial W_{kj}$, list every entry of $Z$ that $W_{kj}$ touches and what it multiplies there,
# sum, and then recognise the sum as an entry of a matrix product; every gradient has the shape of its variable.

# %% [markdown]
# **Your working.** Use this cell for your derivation if you like (double-click to edit); it is not graded.
#
# ### BEGIN SOLUTION
# *Worked derivation.*
#
# - $W_{kj}$ appears in $Z_{ij}$ for every sample $i$, with $\partial Z_{ij}/\partial W_{kj} = X_{ik}$:
#   $$\frac{\partial L}{\partial W_{kj}} = \sum_i G_{ij} X_{ik} = (X^T G)_{kj} \quad\Rightarrow\quad \nabla_W L = X^T G \quad (d_{in} \times n)(n \times d_{out}).$$
# - $X_{ik}$ appears in $Z_{ij}$ for every unit $j$ of its own row, with $\partial Z_{ij}/\partial X_{ik} = W_{kj}$:
#   $$\frac{\partial L}{\partial X_{ik}} = \sum_j G_{ij} W_{kj} = (G W^T)_{ik} \quad\Rightarrow\quad \nabla_X L = G W^T \quad (n \times d_{out})(d_{out} \times d_{in}).$$
# - $b_j$ is added to $Z_{ij}$ for every sample: $\partial L/\partial b_j = \sum_i G_{ij}$, the column sums of $G$.
#
# These are the two matrix examples of notes 002 ($Y = XW$ gives $\nabla_X = G W^T$ and $\nabla_W = X^T G$),
# written for a batch. In the notes' vector language each is a Jacobian-gradient product: for one sample,
# $z = W^T x + b$ has Jacobian $\partial z/\partial x = W^T$, so $\nabla_x L = (\partial z/\partial x)^T \nabla_z L = W \nabla_z L$,
# whose transpose is row $i$ of $G W^T$. The Jacobian is never built: the product gives the result directly.
# They also contain the **accumulated gradient** of notes 003: for each sample the notes add the outer product of
# the layer's input and its $\delta$ to an accumulator $\Delta$. Summed over the batch, $\sum_i x^{(i)} (g^{(i)})^T$
# is exactly $X^T G$: the matrix product *is* the loop over samples.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "dense_derivation_answer", "locked": false, "schema_version": 3, "solution": true}
dL_dW = """
### BEGIN SOLUTION
X.T @ G
### END SOLUTION
"""
dL_dX = """
### BEGIN SOLUTION
G @ W.T
### END SOLUTION
"""
dL_db = """
### BEGIN SOLUTION
sum(G, axis=0)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_dense_derivation", "locked": true, "points": 7, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=410)
### END HIDDEN TESTS
grade("a4.dense_derivation")

# %% [markdown]
# **Q3.** Write `dense_backward(dZ, cache)` returning `(dX, dW, db)` with the shapes of `X`, `W` and `b`: your
# Q2 results, with `dZ` as $G$ and the cache's `X` and `W`. Three lines.

# %% nbgrader={"grade": false, "grade_id": "dense_backward", "locked": false, "schema_version": 3, "solution": true}
def dense_backward(dZ, cache):
    """Gradients of Z = X W + b. dZ (n, d_out), cache = (X, W) -> (dX (n, d_in), dW (d_in, d_out), db (d_out,))."""
    ### BEGIN SOLUTION
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dense_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=402)
### END HIDDEN TESTS
grade("a4.dense_backward")

# %% [markdown]
# Two things to see in numbers. First, the lecture's loop over samples (accumulate $x^{(i)} (g^{(i)})^T$) gives
# the same `dW` as your single product. Second, your gradients agree with central differences of
# $L = \sum_{ij} G_{ij} Z_{ij}$, a loss whose upstream gradient is a random $G$ (never all ones: errors that
# cancel in a plain sum would hide).

# %%
rng = np.random.default_rng(0)
X_demo, W_demo, b_demo = rng.normal(size=(6, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
G_demo = rng.normal(size=(6, 2))
with when_ready():
    dX, dW, db = dense_backward(G_demo, dense_forward(X_demo, W_demo, b_demo)[1])
    Delta = np.zeros_like(W_demo)
    for x_i, g_i in zip(X_demo, G_demo):  # notes 003: Delta <- Delta + a delta^T, one sample at a time
        Delta += np.outer(x_i, g_i)
    print(f"accumulated over samples vs your single product: largest difference {np.abs(Delta - dW).max():.1e}")
    L = lambda W_: np.sum(G_demo * dense_forward(X_demo, W_, b_demo)[0])
    print(f"dW vs central differences: relative error {rel_error(dW, numerical_gradient(L, W_demo.copy())):.1e}")

# %% [markdown]
# ## 4. Activations, backward
#
# An activation acts on each entry alone, $A = g(Z)$ with $A_{ij} = g(Z_{ij})$. Its Jacobian is therefore
# diagonal (notes 004 write it as the matrix with $g'(z_1), \dots, g'(z_k)$ on the diagonal), and multiplying
# the upstream gradient by a diagonal matrix is an elementwise product:
#
# $$\frac{\partial L}{\partial Z} = \frac{\partial L}{\partial A} \odot g'(Z).$$
#
# The derivative $g'$ of each activation is what you work out below, for ReLU, $g(z) = \max(0, z)$ (notes 002:
# "zero out the entries where $U < 0$"; at exactly $z = 0$ the derivative does not exist, and the lecture's
# convention counts the unit as active there), and for the sigmoid, whose backward pass can reuse the output
# $A = \sigma(Z)$ that the forward pass already computed, with no exponential.
#
# The forward passes are given; each returns `(A, cache)`, where the cache of ReLU is `Z` and the cache of the
# sigmoid is its output `A`.

# %%
def relu_forward(Z):
    """A = max(0, Z), elementwise. Returns (A, cache = Z)."""
    return np.maximum(Z, 0.0), Z


def sigmoid_forward(Z):
    """A = 1 / (1 + exp(-Z)), elementwise and without overflow. Returns (A, cache = A)."""
    E = np.exp(-np.abs(Z))
    A = np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))
    return A, A


# %% [markdown]
# **Q4 (derive).** Work out, as expressions in named matrices of the same shape (`*` is elementwise; `step(M)` is
# the unit step, 1 where $M \ge 0$ and 0 elsewhere):
# 1. `dZ_relu`: $\partial L/\partial Z$ for $A = \max(0, Z)$, in `dA` $= \partial L/\partial A$ and `Z`;
# 2. `dZ_sigmoid`: $\partial L/\partial Z$ for $A = \sigma(Z)$, in `dA` and the output `A` (no `Z`).

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* The Jacobian of an elementwise map is diagonal, so $\partial L/\partial Z = \partial L/\partial A
# \odot g'(Z)$. ReLU: $g'(z) = \mathrm{step}(z)$ (1 for $z \ge 0$, 0 below), so `dZ = dA * step(Z)`: the gradient
# flows through the units that were active and is blocked at the others. Sigmoid: $\sigma' = \sigma(1 - \sigma)$,
# written with the cached output, `dZ = dA * A * (1 - A)`.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "activation_derivation_answer", "locked": false, "schema_version": 3, "solution": true}
dZ_relu = """
### BEGIN SOLUTION
dA * step(Z)
### END SOLUTION
"""
dZ_sigmoid = """
### BEGIN SOLUTION
dA * A * (1 - A)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_activation_derivation", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=411)
### END HIDDEN TESTS
grade("a4.activation_derivation")

# %% [markdown]
# **Q5.** Write `relu_backward(dA, cache)`: the cache is `Z`; return `dZ`, the shape of `Z`. One line.

# %% nbgrader={"grade": false, "grade_id": "relu_backward", "locked": false, "schema_version": 3, "solution": true}
def relu_backward(dA, cache):
    """dZ = dL/dZ of A = max(0, Z), the lecture's convention at Z = 0. dA and cache = Z have the same shape."""
    ### BEGIN SOLUTION
    return dA * (cache >= 0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_relu_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=403)
### END HIDDEN TESTS
grade("a4.relu_backward")

# %% [markdown]
# **Q6.** Write `sigmoid_backward(dA, cache)`: the cache is the output `A`; return `dZ`. One line.

# %% nbgrader={"grade": false, "grade_id": "sigmoid_backward", "locked": false, "schema_version": 3, "solution": true}
def sigmoid_backward(dA, cache):
    """dZ = dL/dZ of A = sigmoid(Z), where cache = A (the output, not Z). Same shape as dA."""
    ### BEGIN SOLUTION
    return dA * cache * (1.0 - cache)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=404)
### END HIDDEN TESTS
grade("a4.sigmoid_backward")

# %% [markdown]
# ## 5. The output: softmax and cross-entropy
#
# For $C$ classes the last layer outputs $C$ scores per sample, $s = (s_1, \dots, s_C)$. The softmax turns them
# into probabilities $p_c = e^{s_c} / \sum_j e^{s_j}$, and maximum likelihood (notes 002) gives the loss of a
# sample with true class $y$ as its negative log-probability:
#
# $$\ell(s, y) = -\log p_y = -s_y + \log \sum_{j} e^{s_j}.$$
#
# **Q7 (derive).** Work out the gradient of this loss:
# 1. `dl_ds`: for **one** sample, $\partial \ell/\partial s$ as a row `(1, C)`, in its probabilities `p` (a row
#    `(1, C)`) and its one-hot label `e` (a row `(1, C)`, 1 at the true class);
# 2. `dL_dS`: for the **batch** loss, the mean $L = \frac1n \sum_i \ell(s^{(i)}, y^{(i)})$, $\partial L/\partial S$
#    `(n, C)`, in the probabilities `P` `(n, C)`, the one-hot labels `Y` `(n, C)` and the batch size `n`.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* $\partial/\partial s_c$ of $\log\sum_j e^{s_j}$ is $e^{s_c}/\sum_j e^{s_j} = p_c$, and
# $\partial(-s_y)/\partial s_c = -[c = y]$. So $\partial \ell / \partial s_c = p_c - [c = y]$: the predicted
# probabilities minus the one-hot label, `p - e`. The batch loss is the **mean** over the $n$ rows, and row $i$
# of $S$ enters only the $i$-th term, so
#
# $$\frac{\partial L}{\partial S} = \frac{1}{n}(P - Y), \qquad P, Y \in \mathbb{R}^{n \times C},\ Y \text{ one-hot}.$$
#
# Forgetting the $1/n$ makes the step size grow with the batch size. With two classes and a single sigmoid
# output this is the $\delta^{[L]} = a - y$ of notes 003: the sigmoid's $a(1 - a)$, which vanishes for saturated
# units, cancels against the loss factor; this is why the log-likelihood pairs so well with sigmoid and softmax
# outputs: a confidently wrong prediction still gets a large gradient.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "softmax_derivation_answer", "locked": false, "schema_version": 3, "solution": true}
dl_ds = """
### BEGIN SOLUTION
p - e
### END SOLUTION
"""
dL_dS = """
### BEGIN SOLUTION
(P - Y) / n
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_softmax_derivation", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=412)
### END HIDDEN TESTS
grade("a4.softmax_derivation")

# %% [markdown]
# **Stability.** $e^{1000}$ overflows. Since $\log\sum_j e^{s_j} = m + \log \sum_j e^{s_j - m}$ for any $m$,
# subtract each row's maximum first: every exponent is then $\le 0$.
#
# **Q8.** Write `softmax_cross_entropy(scores, y)` for `scores (n, C)` and integer labels `y (n,)`; return the
# pair `(loss, dscores)`: the mean loss (a float) and its gradient `(n, C)`, your `dL_dS`. About six lines
# (`np.arange(n)` and `y` index the true classes, e.g. `scores[np.arange(n), y]`).

# %% nbgrader={"grade": false, "grade_id": "softmax_cross_entropy", "locked": false, "schema_version": 3, "solution": true}
def softmax_cross_entropy(scores, y):
    """Mean of -log softmax(scores)[i, y_i] over the rows, and its gradient with respect to scores, (n, C)."""
    ### BEGIN SOLUTION
    n = len(scores)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    loss = np.mean(log_sum - shifted[np.arange(n), y])
    dscores = np.exp(shifted - log_sum[:, None])
    dscores[np.arange(n), y] -= 1.0
    return float(loss), dscores / n
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_softmax_cross_entropy", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=405)
### END HIDDEN TESTS
grade("a4.softmax_cross_entropy")

# %% [markdown]
# ## 6. A network is a list of layers
#
# Each layer is a small object with `forward(X)`, which remembers its cache, and `backward(dout)`, which returns
# the gradient for its input and stores the gradients of its own parameters in a dict `grads` with the keys of
# its dict `params`. Activations have no parameters (`params == {}`). The classes are given; they call your
# functions.

# %%
class Dense:
    """A dense layer: params W (d_in, d_out) and b (d_out,); grads filled by backward."""

    def __init__(self, W, b):
        self.params, self.grads = {"W": W, "b": b}, {}

    def forward(self, X):
        Z, self.cache = dense_forward(X, self.params["W"], self.params["b"])
        return Z

    def backward(self, dZ):
        dX, self.grads["W"], self.grads["b"] = dense_backward(dZ, self.cache)
        return dX


class ReLU:
    params, grads = {}, {}

    def forward(self, Z):
        A, self.cache = relu_forward(Z)
        return A

    def backward(self, dA):
        return relu_backward(dA, self.cache)


class Sigmoid:
    params, grads = {}, {}

    def forward(self, Z):
        A, self.cache = sigmoid_forward(Z)
        return A

    def backward(self, dA):
        return sigmoid_backward(dA, self.cache)


def network_forward(net, X):
    """Run the layers in order; each one keeps what its backward pass needs."""
    for layer in net:
        X = layer.forward(X)
    return X


# %% [markdown]
# **The backward pass** is the forward pass read backwards. Notes 004 give it as pseudocode: for each layer in
# reversed order, turn $\partial L/\partial A^\ell$ into $\partial L/\partial Z^\ell$ inside the layer, read off
# the weight gradients, and hand $\partial L/\partial A^{\ell-1}$ to the layer before. With layer objects each of
# these steps is one `backward` call; what is left is the order and the bookkeeping.
#
# **Q9.** Write `network_backward(net, dout)`: visit the layers in reverse, passing each one's result to the
# previous layer, and return `(dX, grads)`, where `dX` is the gradient for the network's input and `grads`
# collects the parameter gradients under numbered names: the $k$-th layer that has parameters (counting from
# the input, from 1) contributes `W{k}` and `b{k}` (so `Dense, ReLU, Dense` gives `W1, b1, W2, b2`; these are
# the names a `Sequential` of the library uses too). About eight lines.

# %% nbgrader={"grade": false, "grade_id": "network_backward", "locked": false, "schema_version": 3, "solution": true}
def network_backward(net, dout):
    """Back-propagate dout = dL/d(output) through the list of layers. Returns (dX, {"W1": ..., "b1": ..., ...})."""
    ### BEGIN SOLUTION
    grads = {}
    k = sum(1 for layer in net if layer.params)
    for layer in reversed(net):
        dout = layer.backward(dout)
        if layer.params:
            for key, value in layer.grads.items():
                grads[f"{key}{k}"] = value
            k -= 1
    return dout, grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_network_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=406)
### END HIDDEN TESTS
grade("a4.network_backward")

# %% [markdown]
# ## 7. XOR, and why the weights must not start at zero
#
# The network below has 2 inputs, 4 sigmoid hidden units and one output score $z$; the loss is the binary
# cross-entropy of $\sigma(z)$, whose gradient with respect to $z$ is $(\sigma(z) - y)/n$, the $a - y$ of
# notes 003 (`bce_from_logits` computes it). A gradient step updates every parameter by name.
#
# **What if all weights start at 0?** Then every hidden unit computes the same thing, $\sigma(0) = 1/2$, for
# every input. In the backward pass, hidden unit $j$ receives $\partial L/\partial A_{:,j} = G\, W^{(2)}_{j,:}{}^T$,
# and all rows of $W^{(2)}$ are equal (all zero to begin with); so every hidden unit gets the same gradient, takes
# the same step, and is still equal to the others afterwards. By induction this holds forever: the four units
# remain copies of one unit, and a network with a single hidden unit cannot represent XOR. Random initial weights
# break the symmetry. Let us watch both, on 200 noisy XOR points.

# %%
def sgd_step(net, grads, lr):
    """w <- w - lr * dL/dw for every parameter, found by its name (W1, b1, W2, ...)."""
    k = 0
    for layer in net:
        if layer.params:
            k += 1
            for key in layer.params:
                layer.params[key] = layer.params[key] - lr * grads[f"{key}{k}"]


def xor_net(initializer, hidden=4, seed=0):
    rng = np.random.default_rng(seed)
    return [Dense(initializer(2, hidden, rng), np.zeros(hidden)), Sigmoid(),
            Dense(initializer(hidden, 1, rng), np.zeros(1))]


def train_xor(net, X, y, lr=2.0, steps=1000):
    """Full-batch gradient descent; returns the losses and the first input's weight into each hidden unit."""
    losses, path = [], []
    for _ in range(steps):
        loss, dz = bce_from_logits(network_forward(net, X), y[:, None])
        _, grads = network_backward(net, dz)
        sgd_step(net, grads, lr)
        losses.append(loss)
        path.append(net[0].params["W"][0].copy())
    return losses, np.array(path)


X_xor, y_xor = xor(200, noise=0.15, seed=1)
X_xor = X_xor - 0.5  # centre the inputs
y_xor = y_xor.astype(float)
with when_ready():
    zero_net, random_net = xor_net(init.zeros), xor_net(init.xavier)
    zero_losses, zero_path = train_xor(zero_net, X_xor, y_xor)
    random_losses, random_path = train_xor(random_net, X_xor, y_xor)
    W1 = zero_net[0].params["W"]
    print(f"zero init, after training: the hidden units' weight columns differ by at most "
          f"{np.abs(W1 - W1[:, :1]).max():.1e}")
    print(f"final loss: zero init {zero_losses[-1]:.3f}, random init {random_losses[-1]:.3f}")

    xor_predict = lambda net: (lambda P: (network_forward(net, P) > 0).astype(int).ravel())
    fig, axes = plt.subplots(1, 4, figsize=(18, 4))
    axes[0].plot(zero_path, color="tab:red")
    axes[0].set_title("zero init: the 4 hidden units move as one")
    axes[1].plot(random_path)
    axes[1].set_title("random init: each unit finds its own role")
    for ax in axes[:2]:
        ax.set_xlabel("gradient step")
        ax.set_ylabel("weight from $x_1$ into each hidden unit")
    axes[2].plot(zero_losses, color="tab:red", label="zero init")
    axes[2].plot(random_losses, color="tab:blue", label="random init")
    axes[2].set_xlabel("gradient step")
    axes[2].set_ylabel("cross-entropy")
    axes[2].legend()
    plot_decision_regions(xor_predict(random_net), X_xor, y_xor.astype(int), axes[3])
    axes[3].set_title("random init: XOR solved")
    plt.show()

# %% [markdown]
# With zero initialization the four red curves lie exactly on top of each other, and the loss levels off far above
# that of the random start: the network behaves like a single hidden unit. With random initialization the units separate and the loss falls towards
# zero. (Zero *biases* are fine: once the weights differ, the units differ.)
#
# ## 8. The lecture's MLP: ReLU, cross-entropy and weight decay
#
# Notes 002 train a one-hidden-layer network on a mini-batch $X$ (one sample per row) with the objective
#
# $$U^{(1)} = X W^{(1)} + b^{(1)},\quad H = \max\{0, U^{(1)}\},\quad U^{(2)} = H W^{(2)} + b^{(2)},\qquad J = J_{\mathrm{MLE}}(U^{(2)}, y) + \lambda\Big(\sum_{ij} (W^{(1)}_{ij})^2 + \sum_{ij} (W^{(2)}_{ij})^2\Big),$$
#
# where $J_{\mathrm{MLE}}$ is the softmax cross-entropy of section 5. (The notes leave the biases out; we keep
# them, and, as usual, we do not decay them: a bias does not make the function steeper.)
#
# $J$ reaches each weight matrix along **two paths**: through the data loss and through the penalty. The
# gradients add up. Along the data path, write $G = \partial J_{\mathrm{MLE}}/\partial U^{(2)}$ (your Q7 result)
# and go down one layer at a time with your Q2 and Q4 results.
#
# **Q10 (derive).** In the names `X` `(n, d)`, `U1` `(n, h)`, `W1` `(d, h)`, `W2` `(h, C)`, `G` `(n, C)` and the
# number `lam`, work out:
# 1. `dJ_dH`: $\partial J/\partial H$, shape `(n, h)`;
# 2. `dJ_dW1`: $\partial J/\partial W^{(1)}$, shape `(d, h)`, both paths included;
# 3. `dJ_db1`: $\partial J/\partial b^{(1)}$, shape `(h,)`.
#
# (`step(U1)` is the unit step of section 4.)

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* With $G = \partial J_{\mathrm{MLE}}/\partial U^{(2)}$:
#
# 1. $\nabla_{W^{(2)}} = H^T G$ and $\nabla_{b^{(2)}}$ = column sums of $G$ (Q2);
# 2. $\nabla_H = G\, W^{(2)T}$;
# 3. $G' = \nabla_{U^{(1)}} = \nabla_H \odot \mathrm{step}(U^{(1)})$: the entries where $U^{(1)} < 0$ set to zero (Q4);
# 4. $\nabla_{W^{(1)}} = X^T G'$ and $\nabla_{b^{(1)}}$ = column sums of $G'$.
#
# Along the penalty path, $\partial(\lambda \sum W_{ij}^2)/\partial W = 2\lambda W$, added to steps 1 and 4:
# `dJ_dW1 = X.T @ ((G @ W2.T) * step(U1)) + 2 * lam * W1`.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "mlp_derivation_answer", "locked": false, "schema_version": 3, "solution": true}
dJ_dH = """
### BEGIN SOLUTION
G @ W2.T
### END SOLUTION
"""
dJ_dW1 = """
### BEGIN SOLUTION
X.T @ ((G @ W2.T) * step(U1)) + 2 * lam * W1
### END SOLUTION
"""
dJ_db1 = """
### BEGIN SOLUTION
sum((G @ W2.T) * step(U1), axis=0)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_mlp_derivation", "locked": true, "points": 6, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=413)
### END HIDDEN TESTS
grade("a4.mlp_derivation")

# %% [markdown]
# **Q11.** Write `mlp_loss(params, X, y, lam)` for `params = {"W1", "b1", "W2", "b2"}` (shapes `(d, h)`, `(h,)`,
# `(h, C)`, `(C,)`), `X (n, d)` and integer labels `y (n,)`. Return `(J, grads)`, with `grads` a dict with the
# same four keys and shapes. Use your functions of Q1, Q3, Q5 and Q8 (and the given `relu_forward`); about ten
# lines.

# %% nbgrader={"grade": false, "grade_id": "mlp_loss", "locked": false, "schema_version": 3, "solution": true}
def mlp_loss(params, X, y, lam):
    """J = softmax cross-entropy of relu(X W1 + b1) W2 + b2 plus lam (||W1||^2 + ||W2||^2); returns (J, grads),
    grads a dict with the keys and shapes of params."""
    ### BEGIN SOLUTION
    U1, cache1 = dense_forward(X, params["W1"], params["b1"])
    H, cache_relu = relu_forward(U1)
    U2, cache2 = dense_forward(H, params["W2"], params["b2"])
    data_loss, G = softmax_cross_entropy(U2, y)
    dH, dW2, db2 = dense_backward(G, cache2)
    _, dW1, db1 = dense_backward(relu_backward(dH, cache_relu), cache1)
    J = data_loss + lam * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return J, {"W1": dW1 + 2 * lam * params["W1"], "b1": db1, "W2": dW2 + 2 * lam * params["W2"], "b2": db2}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mlp_loss", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=407)
### END HIDDEN TESTS
grade("a4.mlp_loss")

# %% [markdown]
# ### The whole-network gradient check, by parameter name
#
# Central differences check every parameter array of the network separately: perturb one entry of, say, `W1` by
# $\pm h$, recompute $J$, and compare $(J_+ - J_-)/2h$ with `grads["W1"]`. Reporting the error per name tells
# you *which* layer is wrong. A correct backward pass gives relative errors around $10^{-7}$ or below (float64,
# $h = 10^{-5}$); a wrong one gives $10^{-2}$ or more.

# %%
def init_mlp(d, h, c, seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": init.he(d, h, rng), "b1": np.zeros(h), "W2": init.xavier(h, c, rng), "b2": np.zeros(c)}


def gradient_check_by_name(params, X, y, lam):
    _, grads = mlp_loss(params, X, y, lam)
    errors = {}
    for name in params:
        f = lambda v: mlp_loss({**params, name: v}, X, y, lam)[0]
        errors[name] = rel_error(grads[name], numerical_gradient(f, params[name].copy()))
    return errors


rng = np.random.default_rng(1)
X_check, y_check = rng.normal(size=(7, 5)), rng.integers(0, 3, size=7)
with when_ready():
    errors = gradient_check_by_name(init_mlp(5, 6, 3, seed=1), X_check, y_check, lam=0.05)
    for name, err in errors.items():
        print(f"{name}: relative error {err:.1e}")
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(list(errors), [max(e, 1e-16) for e in errors.values()])
    ax.axhline(1e-7, color="k", ls="--", lw=1, label="1e-7: correct")
    ax.set_yscale("log")
    ax.set_ylabel("relative error")
    ax.set_title("gradient check of mlp_loss, by parameter")
    ax.legend()
    plt.show()

# %% [markdown]
# ## 9. The debugging lab: a backward pass with planted bugs
#
# The function below is handed to you **with bugs planted on purpose**, three or four of them, of the kinds that
# really happen: a factor forgotten, a product with its factors in the wrong order, a path of a sum left out, a
# mask taken from the wrong place. It computes the gradients of the same $J$ as `mlp_loss`, but one sample at a
# time, accumulating per-sample gradients and averaging them (notes 003's $\Delta$ accumulators). Every line of it
# looks plausible; only a gradient check tells you which gradients are wrong.
#
# **Your tools** are your own: `numerical_gradient` and `rel_error` (imported in the setup cell from the
# library's public `backprop.gradcheck`; they are the functions you wrote in assignment 2, and you may paste your
# own instead), and the $J$ of your `mlp_loss`. Check **one parameter at a time**: perturb only `W1`, compare
# with the function's `W1`, then `b1`, and so on, as `gradient_check_by_name` did above. The network below has as
# many hidden units as classes, so every shape agrees even where a product is transposed: shapes will not give a
# bug away, the check will.
#
# **Q12 (debug).** Find every bug with your checks and **fix it in place**, in the cell of
# `mlp_gradients_by_sample`: keep its name and arguments, change as few lines as you need. A parameter's check
# can stay red after one fix when a second bug feeds the same gradient; check again after every fix.
#
# **Q13 (debug record).** In the cell after it, record what you found: for each bug, the parameters whose
# gradient check *that bug alone* makes fail, written as names among `W1`, `b1`, `W2`, `b2` separated by commas
# (for example `W2, b2`). The public check only says whether your record can be read; whether it is right is
# graded when your notebook is graded.

# %% nbgrader={"grade": false, "grade_id": "mlp_gradients_by_sample", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
def mlp_gradients_by_sample(params, X, y, lam):
    """The gradients of mlp_loss's J, worked out one sample at a time and averaged: notes 003's accumulators.

    params = {"W1" (d, h), "b1" (h,), "W2" (h, C), "b2" (C,)}, X (n, d), integer labels y (n,), the weight decay
    lam. Returns {"W1", "b1", "W2", "b2"}, each shaped like its parameter: the gradient of
    J = mean cross-entropy + lam (||W1||^2 + ||W2||^2), the same J as mlp_loss.
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = len(X)
    Delta = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(n):
        x = X[i]                                     # one sample, shape (d,)
        u1 = x @ W1 + b1                             # (h,)
        h = np.maximum(u1, 0.0)
        u2 = h @ W2 + b2                             # (C,)
        _, g2 = softmax_cross_entropy(u2[None, :], y[i:i + 1])
        g2 = g2[0]                                   # this sample's d loss / d u2, shape (C,)
        Delta["W2"] += np.outer(h, g2) / n           # fixed: the outer product in W2's shape (h, C)
        Delta["b2"] += g2 / n                        # fixed: the 1/n of the mean
        dh = W2 @ g2                                 # this sample's d loss / d h, shape (h,)
        g1 = dh * (u1 >= 0)                          # fixed: the gate of the hidden layer's own pre-activation
        Delta["W1"] += np.outer(x, g1) / n
        Delta["b1"] += g1 / n
    return {"W1": Delta["W1"] + 2 * lam * W1,       # fixed: the penalty's path to W1
            "b1": Delta["b1"],
            "W2": Delta["W2"] + 2 * lam * W2,
            "b2": Delta["b2"]}
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# *Instructor's note.* The release hands out `HANDOUT` of `autograder/suites/a4.py` in the cell above (the
# release step puts it there); this source keeps the fixed version, each fixed line marked `# fixed`. The four
# planted bugs: `b2`'s accumulator without the $1/n$; `W2`'s outer product with its factors swapped; `W1`'s
# weight-decay path dropped; the ReLU gate taken from the output layer's `u2` instead of `u1`, which breaks `W1`
# and `b1`.
# ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_debug_fix", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=414)
### END HIDDEN TESTS
grade("a4.debug_fix")

# %% [markdown]
# The network and batch to debug on (4 inputs, 3 hidden units, 3 classes, 6 samples, $\lambda = 0.1$), and a
# cell for your checks:

# %%
rng = np.random.default_rng(41)
params_debug = {"W1": rng.normal(size=(4, 3)), "b1": 0.1 * rng.normal(size=3),
                "W2": rng.normal(size=(3, 3)), "b2": 0.1 * rng.normal(size=3)}
X_debug, y_debug, lam_debug = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6), 0.1

# %%
# Your gradient checks, one parameter at a time (not graded).
with when_ready():
    ### BEGIN SOLUTION
    grads_debug = mlp_gradients_by_sample(params_debug, X_debug, y_debug, lam_debug)
    for name in params_debug:
        J = lambda v: mlp_loss({**params_debug, name: v}, X_debug, y_debug, lam_debug)[0]
        print(f"{name}: relative error {rel_error(grads_debug[name], numerical_gradient(J, params_debug[name].copy())):.1e}")
    ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "debug_record_answer", "locked": false, "schema_version": 3, "solution": true}
bug_mean = """
### BEGIN SOLUTION
b2
### END SOLUTION
"""
bug_transposed = """
### BEGIN SOLUTION
W2
### END SOLUTION
"""
bug_path = """
### BEGIN SOLUTION
W1
### END SOLUTION
"""
bug_mask = """
### BEGIN SOLUTION
W1, b1
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_debug_record", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=415)
### END HIDDEN TESTS
grade("a4.debug_record")

# %% [markdown]
# ## 10. Mini-batch SGD on handwritten digits
#
# Notes 003 and 004 describe three ways to step: **batch** gradient descent (the gradient of the whole training
# set per step: accurate but expensive), **stochastic** gradient descent (one random sample per step: cheap and
# noisy), and the compromise used almost everywhere, **mini-batch** SGD: shuffle the training set once per
# epoch, cut it into consecutive batches of $B$ samples, and take one step per batch,
#
# $$w \leftarrow w - \eta\, \nabla_w J(\text{batch}) \quad\text{for every parameter } w.$$
#
# Since our loss is a mean over the batch, $\eta$ means the same thing whatever $B$ is. Notes 004's training
# pseudocode, with the functions of this notebook beside each line:
#
# ```
# initialize every W randomly, every b at 0                      init.he / init.xavier
# repeat for each epoch:
#     shuffle the training set                                   rng.permutation
#     for each mini-batch (X_B, y_B):
#         forward: Z = A W + b, A = g(Z), layer after layer      dense_forward, relu_forward
#         loss and its gradient dL/dZ at the output              softmax_cross_entropy (+ weight decay)
#         backward, last layer first: dW, db, then dA below      dense_backward, relu_backward
#         step: W <- W - eta dW, b <- b - eta db                 sgd_epoch
# ```
#
# `mlp_loss` does the forward, loss and backward lines for one batch; `sgd_epoch` is one pass of the inner loop.
#
# **Q14.** Write `sgd_epoch(params, X, y, lr, batch_size, lam, rng)`, where `rng` is a NumPy `Generator` or an
# int seed (the course's convention: `np.random.default_rng(rng)` turns a seed into a Generator and returns a
# Generator unchanged). Draw the order `np.random.default_rng(rng).permutation(len(X))` once; then for each
# consecutive slice of `batch_size` indices of that order (the last one may be shorter) call `mlp_loss` on those
# rows, record the loss, and update every parameter. Return `(params, losses)`: the new parameters (a dict with
# the same keys) and the list of the recorded losses, one per batch, each computed *before* its step. About
# eight lines.

# %% nbgrader={"grade": false, "grade_id": "sgd_epoch", "locked": false, "schema_version": 3, "solution": true}
def sgd_epoch(params, X, y, lr, batch_size, lam, rng):
    """One epoch of mini-batch SGD on mlp_loss; rng a Generator or an int seed. Returns (params, batch losses)."""
    ### BEGIN SOLUTION
    order = np.random.default_rng(rng).permutation(len(X))
    params, losses = dict(params), []
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        J, grads = mlp_loss(params, X[rows], y[rows], lam)
        losses.append(J)
        params = {name: params[name] - lr * grads[name] for name in params}
    return params, losses
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sgd_epoch", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=408)
### END HIDDEN TESTS
grade("a4.sgd_epoch")

# %% [markdown]
# ### Training on digits
#
# scikit-learn's 8x8 digits: 1797 images of 64 pixels, 10 classes, split into training, validation and test
# sets (the pixels are standardized with the training set's statistics). A 64-64-10 network, batches of 32,
# $\eta = 0.1$, a little weight decay, 20 epochs: a couple of seconds.

# %%
def predict(params, X):
    H = np.maximum(X @ params["W1"] + params["b1"], 0.0)
    return (H @ params["W2"] + params["b2"]).argmax(axis=1)


data = digits(seed=0)
images = digits(seed=0, standardize=False).X_test.reshape(-1, 8, 8)  # the same split, raw pixels to look at
with when_ready():
    params = init_mlp(64, 64, 10, seed=0)
    rng = np.random.default_rng(0)
    history = {"loss": [], "train": [], "val": []}
    for epoch in range(20):
        params, batch_losses = sgd_epoch(params, data.X_train, data.y_train, lr=0.1, batch_size=32, lam=1e-4, rng=rng)
        history["loss"].append(np.mean(batch_losses))
        history["train"].append(np.mean(predict(params, data.X_train) == data.y_train))
        history["val"].append(np.mean(predict(params, data.X_val) == data.y_val))
    test_pred = predict(params, data.X_test)
    test_acc = np.mean(test_pred == data.y_test)
    print(f"test accuracy after 20 epochs: {test_acc:.1%} ({np.sum(test_pred != data.y_test)} of "
          f"{len(data.y_test)} test digits wrong)")

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    epochs = np.arange(1, 21)
    axes[0].plot(epochs, history["loss"])
    axes[0].set_ylabel("training loss (mean over the epoch's batches)")
    axes[1].plot(epochs, history["train"], label="train")
    axes[1].plot(epochs, history["val"], label="validation")
    axes[1].axhline(0.95, color="k", ls=":", lw=1, label="95 %")
    axes[1].set_ylabel("accuracy")
    axes[1].legend()
    for ax in axes:
        ax.set_xlabel("epoch")
    plt.show()

    wrong = np.flatnonzero(test_pred != data.y_test)[:8]
    fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(1.6 * max(len(wrong), 1), 2.2), squeeze=False)
    for ax, i in zip(axes[0], wrong):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(f"true {data.y_test[i]}\nsaid {test_pred[i]}", fontsize=9)
    for ax in axes[0]:
        ax.axis("off")
    fig.suptitle("some misclassified test digits", y=1.05)
    plt.show()

# %% [markdown]
# The training accuracy climbs to almost 100 % while the validation accuracy levels off a few points lower: that
# gap is the start of overfitting, which the small weight decay keeps in check. Many of the mistakes are digits
# a human would hesitate over too, drawn on an 8x8 grid.
#
# ## 11. Universal approximation, in pictures
#
# The universal approximation theorem (Hornik et al. 1989, Cybenko 1989; for ReLU, Leshno et al. 1993): a network
# with one hidden layer and a linear output can approximate any continuous function on a closed bounded set as
# closely as we like, **given enough hidden units**. It says nothing about *how many*, nor about whether gradient
# descent finds the weights. To look at representation alone we build the networks here instead of training them.
#
# **Width.** A hidden ReLU unit $\max(0, x - t)$ is a bend at $t$. An output that adds up $N$ of them with
# suitable weights is a piecewise linear function with $N$ bends: we place the bends evenly over the interval
# and choose the output layer by least squares. As $N$ grows, the broken line hugs the target ever more closely.

# %%
def target(x):
    return np.sin(3 * x) + 0.5 * np.cos(7 * x) + 0.3 * x


def shallow_fit(x, y, bends):
    """A 1-hidden-layer ReLU network with one unit max(0, x - t) per bend t; output layer by least squares."""
    W1, b1 = np.ones((1, len(bends))), -np.asarray(bends, dtype=float)
    H = relu_forward(dense_forward(x, W1, b1)[0])[0]
    H1 = np.column_stack([H, np.ones(len(x))])
    out = np.linalg.lstsq(H1, y, rcond=None)[0]
    W2, b2 = out[:-1], out[-1:]
    return dense_forward(H, W2, b2.ravel())[0]


def even_bends(width, lo=-2.0, hi=2.0):
    return np.linspace(lo, hi, width, endpoint=False)


x = np.linspace(-2, 2, 400)[:, None]
y = target(x)
with when_ready():
    widths = [1, 2, 4, 8, 16, 32, 64, 128]
    errors = [np.mean((shallow_fit(x, y, even_bends(w)) - y) ** 2) for w in widths]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    axes[0].plot(x, y, "k", lw=3, alpha=0.3, label="target")
    for width in (3, 6, 12, 24):
        axes[0].plot(x, shallow_fit(x, y, even_bends(width)), lw=1.2, label=f"{width} hidden units")
    axes[0].legend(fontsize="small")
    axes[0].set_title("one hidden layer, growing width")
    axes[1].loglog(widths, errors, "o-")
    axes[1].set_xlabel("hidden units")
    axes[1].set_ylabel("mean squared error")
    axes[1].set_title("the error falls as the width grows")
    plt.show()

# %% [markdown]
# **Depth.** Some functions are far cheaper to build with layers. The "tent" $t(x) = 2\max(0, x) - 4\max(0,
# x - \tfrac12)$ maps $[0, 1]$ onto itself, up and down once, with just two ReLU units. Composing it $k$ times
# gives a sawtooth with $2^{k-1}$ teeth, that is $2^k$ linear pieces, using $k$ hidden layers of 2 units: $2k$ units
# in all. With one input, a hidden unit $\max(0, wx + c)$ bends the output at one point only, and the sawtooth
# has $2^k - 1$ bends: a single hidden layer needs about $2^k$ units to draw it. This is the depth-versus-width
# result quoted in notes 002 (Montufar et al. 2014): a deep rectifier network can need exponentially many units
# once made shallow. We even give the shallow network the best bends there are, on the sawtooth's own corners,
# from the left: each unit draws one more corner exactly, and the rest of the interval is a compromise. With
# $k = 5$: 10 units deep against 32 units shallow, and the gap doubles with every extra layer.

# %%
def deep_sawtooth(x, k):
    """k hidden layers of 2 ReLU units, each applying the tent once: t(x) = 2 relu(x) - 4 relu(x - 1/2)."""
    W_in, b = np.array([[1.0, 1.0]]), np.array([0.0, -0.5])   # the first layer reads x
    W_mid = np.array([[2.0], [-4.0]]) @ W_in                  # the tent's output, fed to the next layer
    A = relu_forward(dense_forward(x, W_in, b)[0])[0]
    for _ in range(k - 1):
        A = relu_forward(dense_forward(A, W_mid, b)[0])[0]
    return dense_forward(A, np.array([[2.0], [-4.0]]), np.zeros(1))[0]


k = 5
x01 = np.linspace(0, 1, 1025)[:, None]
corners = np.arange(2 ** k) / 2 ** k   # where the sawtooth bends (and its start, 0)
with when_ready():
    saw = deep_sawtooth(x01, k)
    units = np.arange(1, 41)
    shallow_errors = [np.mean((shallow_fit(x01, saw, corners[:n]) - saw) ** 2) for n in units]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    axes[0].plot(x01, saw, "k", lw=2.5, alpha=0.4, label=f"deep: {k} layers x 2 units")
    axes[0].plot(x01, shallow_fit(x01, saw, corners[:2 * k]), "tab:orange", lw=1.2, label=f"shallow: {2 * k} units")
    axes[0].plot(x01, shallow_fit(x01, saw, corners[:24]), "tab:green", lw=1.2, label="shallow: 24 units")
    axes[0].set_title("the same function, two architectures")
    axes[0].legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    axes[1].plot(units, shallow_errors, "o-", ms=3, label="one hidden layer, bends at the first corners")
    axes[1].plot([2 * k], [0.0], "r*", ms=14, label=f"{k} layers of 2 units (exact)")
    axes[1].set_xlabel("hidden units")
    axes[1].set_ylabel("mean squared error")
    axes[1].set_title(f"one hidden layer needs {2 ** k} units to be exact")
    axes[1].legend(fontsize="small")
    plt.show()

# %% [markdown]
# These networks were constructed, not trained. Whether SGD *finds* such weights is another question: training a
# deep, narrow network from random weights is much harder than writing them down. In practice depth still tends
# to help (notes 002: deeper models often need fewer units and generalize better).
#
# ## 12. Q15: zero initialization (2 points, graded by hand)
#
# Using the backward formulas of this notebook, explain in three to five sentences why the hidden units of a
# network whose weights all start at 0 remain identical during training (what does each unit receive in the
# forward pass, and which gradient does it get?). Would a network with all weights set to the *same non-zero*
# constant fare better? And would a ReLU network with all-zero weights learn anything at all?

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_init", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# With all weights equal, every hidden unit computes the same pre-activation $X W_{:,j} + b_j$ and the same
# activation. In the backward pass unit $j$ receives $G\,W^{(2)}_{j,:}{}^T$, which is the same for every unit because
# the rows of $W^{(2)}$ are equal; so the columns of $\nabla_{W^{(1)}} = X^T G'$ are equal, every unit takes the
# same step, and the units are still equal after it: by induction, forever. The network acts like one with a
# single hidden unit. The same non-zero constant does not help: the argument only uses that the units are equal,
# not that they are zero. A ReLU network with all-zero weights is worse still: every hidden activation and every
# hidden gradient is 0 (the output weights are zero and the hidden inputs are zero), so only the output bias
# learns. Random initial weights break the symmetry.
# ### END SOLUTION

# %% [markdown]
# ## 13. Q16: width and depth (2 points, graded by hand)
#
# The universal approximation theorem says one hidden layer is enough. In three to five sentences: what exactly
# does it promise and what does it not promise, and what do the two pictures of section 11 add to it?

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_depth", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# It promises that for any continuous target on a bounded region and any tolerance, *some* one-hidden-layer
# network with enough units is within that tolerance. It does not say how many units are needed, that gradient
# descent will find the weights, or that the network will generalize from a finite sample. The width picture
# shows the promise at work: more bends, smaller error (the mean squared error drops about sixteen-fold per
# doubling of the width, as for any piecewise linear interpolation of a smooth curve). The depth
# picture shows what width can cost: a sawtooth that 5 layers of 2 units draw exactly needs 32 units in one layer, and the
# gap doubles with each extra layer, so depth can be exponentially more economical than width.
# ### END SOLUTION

# %% [markdown]
# ## What's next
#
# Everything here used plain SGD with one fixed step size, and nothing but weight decay against overfitting. The
# dense layer, the activations, the loss and the backward loop you wrote are the whole machinery; what follows in
# the course changes how the step is taken and how the network is kept from memorizing its training set.
#
# Now that your answers pass their checks, read walkthrough 4 (`course/walkthroughs/04_mlp_matrix_form`): it
# derives every result of this notebook in full.
#
# ## Where you stand, and how to hand in
#
# The last cell lists each question and where its public checks stand. To hand in: save the notebook (Ctrl+S),
# then submit the `.ipynb` file as your course says: from the **Assignments** tab if you work on the course's
# JupyterHub, or by uploading it to your learning platform (LMS). Keep its file name.

# %%
summary("a4")
