# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 2: losses, activations and gradient checking
#
# *Neural networks from first principles.* Training a network needs two ingredients at every unit: the
# derivative of its activation, and at the top the derivative of the loss. In this assignment you build both
# from scratch, and, first of all, the tool that tells you whether a derivative you wrote is right: the
# **numerical gradient check**. You will use your own check on every derivative you write afterwards.
#
# **Learning goals.** After this assignment you can
# - estimate a gradient by central differences, explain why it is accurate to $O(h^2)$ while the one-sided
#   difference is only $O(h)$, and compare two gradients with the relative error;
# - derive the derivatives of the sigmoid, tanh, the rectifiers (ReLU, leaky, absolute value), softplus and
#   maxout, and show that maxout with two pieces is a ReLU or a leaky ReLU;
# - derive a loss from a likelihood: Gaussian $\to$ squared error, Laplace $\to$ absolute error, Bernoulli
#   $\to$ binary cross-entropy, Multinoulli $\to$ softmax cross-entropy, and say what each one teaches the
#   network to predict (a mean, a median, a probability, relative frequencies);
# - compute these losses without overflow, even for scores of $\pm 1000$, and explain why a sigmoid output
#   trained with the squared error stops learning exactly when it is most wrong.
#
# | question | kind | what you write | points | lecture topic |
# |---|---|---|---|---|
# | Q1 | implement | `numerical_gradient` | 4 | gradient checking by central differences |
# | Q2 | implement | `rel_error` | 3 | comparing two gradients: the relative error |
# | Q3 | derive | `dsigma_in_z`, `dsigma_in_s` | 3 | σ' by the chain rule, then written with σ itself (notes 000, 004) |
# | Q4 | implement | `sigmoid` | 3 | the sigmoid and its derivative in code, without overflow |
# | Q5 | derive | `dtanh_in_z`, `dtanh_in_t` | 3 | tanh' by the quotient rule, then written with tanh itself (notes 000, 004) |
# | Q6 | implement | `tanh` | 2 | tanh and its derivative in code |
# | Q7 | implement | `rectifier` | 3 | ReLU, leaky ReLU, absolute-value rectification (notes 002, 004) |
# | Q8 | derive | `dsoftplus`, `d2softplus_in_s` | 3 | softplus' and softplus'' by the chain rule (notes 000, 002) |
# | Q9 | implement | `softplus` | 3 | softplus without overflow, and its derivative in code |
# | Q10 | implement | `maxout` | 3 | maxout units, and a maxout that is a ReLU (notes 002) |
# | Q11 | derive | `dl_do`, `dL_do_batch` | 2 | the gradient of the squared error, for one sample and for a batch mean (notes 002, 004) |
# | Q12 | implement | `squared_error` | 2 | Gaussian likelihood to squared error, which learns the conditional mean (notes 002, 004) |
# | Q13 | implement | `absolute_error` | 2 | Laplace likelihood to absolute error, which learns the conditional median (notes 002, 004) |
# | Q14 | derive | `dL_da`, `dL_dz` | 4 | the gradient of the binary cross-entropy through a sigmoid output (notes 002, 003) |
# | Q15 | implement | `bce_from_logits` | 4 | Bernoulli likelihood, sigmoid output, the loss in softplus form (notes 002, 003) |
# | Q16 | derive | `dlse_dz`, `dL_dz_true`, `dL_dz_other`, `dL_dZ` | 4 | the gradient of softmax cross-entropy, per component and for a batch (notes 002) |
# | Q17 | implement | `softmax_cross_entropy` | 4 | Multinoulli likelihood, softmax output, log-sum-exp without overflow (notes 002) |
# | Q18 | explain | a written answer | 2 (graded by hand) | mean or median: which loss for a skewed target (notes 002) |
# | Q19 | explain | a written answer | 2 (graded by hand) | output units and losses chosen together (notes 002, 004) |
#
# **Derive, then implement.** Before each derivative or gradient you code, a *derive* question (Q3, Q5, Q8, Q11,
# Q14, Q16) asks you to work it out on paper and type the result between the quotes of an answer cell, as Python
# arithmetic (`*`, `/`, `**`, `exp(...)`, `log(...)`; `@` and `.T` for matrices) in the names the question gives. Any
# equivalent form is accepted, and the check under it says which step to revisit when one is off. The implement
# question that follows then uses your result.
#
# **How the checks work.** Under every answer there is a check cell. Run it after you write the answer: it
# prints which checks pass, and for each failure what differed and a hint. When your notebook is graded, hidden
# checks with other inputs run too, and every derivative you return is gradient-checked against central
# differences of a *reference* forward pass (so a derivative that only agrees with your own forward pass is not
# enough). The grader finds your functions **by name**: keep the names and arguments of the stubs, and replace
# every `raise NotImplementedError()` with your code. NumPy is all you need; do not import `backprop` in your
# answers (its reference versions are switched off while your function is graded).
#
# **After trying, not before:** walkthrough 2 (`course/walkthroughs/02_losses_activations.ipynb`) works every
# derivation out: its section 2 for the losses (Q11-Q17), section 3 for the activations (Q3-Q10), section 4 for
# gradient checking (Q1-Q2).

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
try:
    from autograder import grade, summary, when_ready
except ModuleNotFoundError:
    raise SystemExit("This notebook needs the course's package: install it as the course README says "
                     "(pip install . in the course folder), then restart the kernel.") from None
import matplotlib.pyplot as plt
import numpy as np

from backprop.data import skewed_regression

# %matplotlib inline

# %% [markdown]
# ## 1. Checking a gradient with finite differences
#
# Every backward pass in this course is a hand-written derivative, and hand-written derivatives are easy to get
# wrong: a missing factor, a sign, a transposed matrix. Finite differences give an independent answer that
# needs nothing but the forward computation.
#
# **Why the central difference.** Expand $f$ around $x$ with Taylor's formula, one coordinate at a time
# ($e_i$ is the $i$-th unit vector, $\partial_i f$ the partial derivative):
#
# $$f(x \pm h e_i) = f(x) \pm h\, \partial_i f(x) + \tfrac{h^2}{2} \partial_i^2 f(x) \pm \tfrac{h^3}{6} \partial_i^3 f(x) + O(h^4).$$
#
# The **one-sided** (forward) difference keeps the $h^2$ term:
# $\dfrac{f(x + h e_i) - f(x)}{h} = \partial_i f(x) + \tfrac{h}{2}\partial_i^2 f(x) + O(h^2)$, an error of order $h$.
# Subtracting the two expansions instead cancels every even power:
#
# $$\frac{f(x + h e_i) - f(x - h e_i)}{2h} = \partial_i f(x) + \tfrac{h^2}{6}\, \partial_i^3 f(x) + O(h^4),$$
#
# an error of order $h^2$. With $h = 10^{-5}$ that is about $10^{-10}$ instead of $10^{-5}$. (Why not a much
# smaller $h$? Each $f$ value carries a rounding error of about $10^{-16} |f|$, and dividing by $2h$ magnifies
# it: below $h \approx 10^{-5}$ rounding starts to win. You will see both effects in a plot below.)
#
# **Q1.** Write `numerical_gradient(f, x, h=1e-5)`: `f` takes an array shaped like `x` and returns a number;
# return the array of central differences $\big(f(x + h e_i) - f(x - h e_i)\big) / (2h)$, one per entry of `x`,
# with the shape of `x`. `x` may be a vector or a matrix: `for i in np.ndindex(x.shape)` visits every index of an
# array of any shape. Work on your own float copy of `x` (`np.array(x, dtype=float)`); if you change `x[i]` in
# place, put it back before the next entry. About ten lines.

# %% nbgrader={"grade": false, "grade_id": "numerical_gradient", "locked": false, "schema_version": 3, "solution": true}
def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at x (any shape). Returns an array shaped like x."""
    ### BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)  # our own copy, perturbed in place and restored
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_numerical_gradient", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=201)
### END HIDDEN TESTS
grade("a2.numerical_gradient")

# %% [markdown]
# **Comparing two gradients.** Is a difference of $10^{-4}$ between two gradients small? It depends on their
# size: tiny next to $10^{3}$, huge next to $10^{-6}$. So we compare entries *relative to their magnitude*:
#
# $$\mathrm{rel}(a, b) = \max_i \frac{|a_i - b_i|}{\max\big(10^{-8},\; |a_i| + |b_i|\big)}.$$
#
# The absolute value makes the order of $a$ and $b$ irrelevant, the denominator makes the measure scale-free, and
# the floor $10^{-8}$ keeps two (near-)zero entries from dividing zero by zero. How to read it: about $10^{-7}$ or
# less, the two agree to the accuracy of the finite differences; around $10^{-4}$, look closer (a kink, or a
# one-sided difference); $10^{-2}$ or more, one of them is wrong.
#
# **Q2.** Write `rel_error(a, b)` for two arrays of the same shape: return the number above, a Python `float`
# (or a NumPy scalar). One or two lines.

# %% nbgrader={"grade": false, "grade_id": "rel_error", "locked": false, "schema_version": 3, "solution": true}
def rel_error(a, b):
    """max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|) for two arrays of the same shape."""
    ### BEGIN SOLUTION
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rel_error", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=202)
### END HIDDEN TESTS
grade("a2.rel_error")

# %% [markdown]
# ### How small should h be?
#
# Take $f(x) = \sin(x)$ at $x = 1$, whose derivative we know exactly, and measure the relative error of both
# differences for steps $h$ from $10^{-1}$ down to $10^{-12}$. On a log-log plot an error of order $h^k$ is a
# straight line of slope $k$: the one-sided difference falls with slope 1, your central difference with slope 2,
# until rounding takes over (slope $-1$: the error grows as $10^{-16}/h$). The best $h$ for the central
# difference is around $10^{-5}$, where the two effects meet.

# %%
def forward_difference(f, x, h):
    """The one-sided difference, only for the comparison (never use it to check gradients)."""
    return (f(x + h) - f(x)) / h


with when_ready():
    x0 = np.array([1.0])
    f_sin = lambda v: float(np.sin(v[0]))
    steps = np.logspace(-12, -1, 45)
    central_err = [rel_error(numerical_gradient(f_sin, x0, h), np.cos(x0)) for h in steps]
    forward_err = [rel_error(forward_difference(f_sin, x0, h), np.cos(x0)) for h in steps]
    print(f"relative error at h = 1e-5: central {rel_error(numerical_gradient(f_sin, x0), np.cos(x0)):.1e}, "
          f"one-sided {rel_error(forward_difference(f_sin, x0, 1e-5), np.cos(x0)):.1e}")

    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.loglog(steps, np.maximum(forward_err, 1e-17), "o-", ms=3, label="one-sided: error ~ h")
    ax.loglog(steps, np.maximum(central_err, 1e-17), "s-", ms=3, label="central (yours): error ~ h$^2$")
    ax.axvline(1e-5, color="gray", ls=":", label="h = 1e-5")
    ax.set_xlabel("step h")
    ax.set_ylabel("relative error of d/dx sin(x) at x = 1")
    ax.set_title("truncation error falls with h, rounding error grows")
    ax.legend(fontsize="small")
    plt.show()

# %% [markdown]
# From now on every derivative you write is checked with your two functions. `check_derivative` below is the
# recipe the grader uses too: multiply the derivative by a **random** upstream gradient $\delta$ (the
# $\partial L / \partial g$ that a backward pass would bring; all ones could hide errors that cancel), and compare
# $\delta \odot g'(z)$ with the numerical gradient of $\sum_i \delta_i\, g(z)_i$.

# %%
def check_derivative(activation, z, *args):
    """Relative error between your analytic derivative and central differences of your forward pass."""
    dout = np.random.default_rng(0).normal(size=np.shape(z))
    value, derivative = activation(z, *args)
    numeric = numerical_gradient(lambda v: np.sum(activation(v, *args)[0] * dout), np.array(z, dtype=float))
    return rel_error(dout * derivative, numeric)


# %% [markdown]
# ## 2. Activations and their derivatives
#
# A hidden unit takes an affine function of its inputs and passes it through a nonlinearity $g$: in the lecture's
# notation $z = W^T x + b$ and $h = g(z)$ for one sample (a column); in code, for a batch with one sample per
# row, `Z = X @ W + b` and `H = g(Z)`. $g$ acts on every entry separately, so its Jacobian is diagonal and the
# backward pass is an elementwise product:
#
# $$\frac{\partial L}{\partial z_j} = \frac{\partial L}{\partial h_j}\, g'(z_j),$$
#
# in code `dZ = dH * g_prime(Z)`, with no matrix product.
#
# In this notebook **every activation returns the pair** `(g(z), g'(z))`, both with the shape of `z`.
#
# Two activations you already met need no work: the perceptron's **step** has derivative 0 wherever it is
# defined, which is why gradient descent cannot train a network of threshold units, and the **identity** of a
# linear output unit has derivative 1 everywhere.
#
# ### The sigmoid
#
# $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ squashes any number into $(0, 1)$. Its derivative is what every sigmoid
# unit of a network multiplies its upstream gradient by, so derive it before you code it.
#
# **Q3 (derive).** Work out $\sigma'(z)$ on paper:
# 1. as an expression in $z$ alone: store it in `dsigma_in_z`;
# 2. as an expression in $s = \sigma(z)$ alone, with no $z$ and no exponential left: store it in `dsigma_in_s`.
#    This second form is the one a network uses, because the forward pass has already computed $s$.
#
# Write each result as Python arithmetic between the quotes of the cell below (`*`, `/`, `**`, `exp(...)`), in
# place of the two stub lines. Any equivalent form is accepted. The check under it tells you whether each step is
# right; when one is not, it points at the step to redo.

# %% [markdown]
# **Your working.** Use this cell for your derivation if you like (double-click to edit); it is not graded.
#
# ### BEGIN SOLUTION
# *Worked derivation.* Write $\sigma(z) = (1 + e^{-z})^{-1}$. The chain rule on the power $-1$ of the inner
# function $1 + e^{-z}$, whose derivative is $-e^{-z}$, gives
#
# $$\sigma'(z) = -(1 + e^{-z})^{-2} \cdot (-e^{-z}) = \frac{e^{-z}}{(1 + e^{-z})^2}
#   = \underbrace{\frac{1}{1 + e^{-z}}}_{\sigma(z)}\; \underbrace{\frac{e^{-z}}{1 + e^{-z}}}_{1 - \sigma(z)}
#   = \sigma(z)\,\big(1 - \sigma(z)\big).$$
#
# The derivative is largest at $z = 0$, where it is only $\tfrac14$, and it vanishes on both sides.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "sigmoid_derivative_answer", "locked": false, "schema_version": 3, "solution": true}
dsigma_in_z = """
### BEGIN SOLUTION
exp(-z) / (1 + exp(-z))**2
### END SOLUTION
"""
dsigma_in_s = """
### BEGIN SOLUTION
s * (1 - s)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_derivative", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=202)
### END HIDDEN TESTS
grade("a2.sigmoid_derivative")

# %% [markdown]
# **Without overflow.** For $z = -1000$, `np.exp(-z)` is `inf`. For $z < 0$ use the equal form
# $\sigma(z) = \dfrac{e^{z}}{1 + e^{z}}$ (multiply numerator and denominator by $e^z$): then the exponential is
# always of $-|z| \le 0$. Hint: compute `e = np.exp(-np.abs(z))` once and choose with `np.where`.
#
# **Q4.** Write `sigmoid(z)` returning `(s, ds)`: $\sigma(z)$ and $\sigma'(z)$, shaped like `z`, finite for any
# `z`; compute `ds` from `s` with the form you derived in Q3. Three or four lines.

# %% nbgrader={"grade": false, "grade_id": "sigmoid", "locked": false, "schema_version": 3, "solution": true}
def sigmoid(z):
    """(sigma(z), sigma'(z)) elementwise, without overflow."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return s, s * (1.0 - s)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=203)
### END HIDDEN TESTS
grade("a2.sigmoid")

# %% [markdown]
# Your own gradient check of your own derivative (it should print about $10^{-7}$ or less):

# %%
z_test = np.linspace(-5, 5, 11) + 0.05  # off 0: no activation here has a kink, but the rectifiers will
with when_ready():
    print(f"sigmoid: rel_error = {check_derivative(sigmoid, z_test):.1e}")

# %% [markdown]
# ### The hyperbolic tangent
#
# $\tanh(z) = \dfrac{e^z - e^{-z}}{e^z + e^{-z}}$ is a sigmoid stretched to $(-1, 1)$ and centred at 0:
# $\tanh(z) = 2\sigma(2z) - 1$.
#
# **Q5 (derive).** Work out $\tanh'(z)$:
# 1. `dtanh_in_z`: as an expression in `z` alone (the quotient rule is the shortest way);
# 2. `dtanh_in_t`: as an expression in $t = \tanh(z)$ alone, with no `z` left: the form a network uses, since the
#    forward pass has computed $t$.
#
# Then say (for yourself) where it is largest, and how large.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* With $u = e^z - e^{-z}$ and $v = e^z + e^{-z}$ we have $u' = v$ and $v' = u$, so the quotient
# rule gives
#
# $$\tanh'(z) = \frac{u' v - u v'}{v^2} = \frac{v^2 - u^2}{v^2} = \frac{4}{(e^z + e^{-z})^2} = 1 - \Big(\frac{u}{v}\Big)^2 = 1 - \tanh(z)^2,$$
#
# using $v^2 - u^2 = (v - u)(v + u) = 2e^{-z} \cdot 2e^{z} = 4$. It is at most 1, at $z = 0$, four times the
# sigmoid's largest slope.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "tanh_derivative_answer", "locked": false, "schema_version": 3, "solution": true}
dtanh_in_z = """
### BEGIN SOLUTION
4 / (exp(z) + exp(-z))**2
### END SOLUTION
"""
dtanh_in_t = """
### BEGIN SOLUTION
1 - t**2
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_tanh_derivative", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=212)
### END HIDDEN TESTS
grade("a2.tanh_derivative")

# %% [markdown]
# Writing the quotient directly overflows for large $|z|$ ($e^{1000}$ is `inf`, and `inf / inf` is `nan`); `np.tanh`
# is stable, and welcome.
#
# **Q6.** Write `tanh(z)` returning `(t, dt)`: $\tanh(z)$ and $\tanh'(z)$, with `dt` computed from `t` in the form
# you derived in Q5. Two lines.

# %% nbgrader={"grade": false, "grade_id": "tanh", "locked": false, "schema_version": 3, "solution": true}
def tanh(z):
    """(tanh(z), tanh'(z)) elementwise."""
    ### BEGIN SOLUTION
    t = np.tanh(z)
    return t, 1.0 - t ** 2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_tanh", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=204)
### END HIDDEN TESTS
grade("a2.tanh")

# %%
with when_ready():
    print(f"tanh: rel_error = {check_derivative(tanh, z_test):.1e}")

# %% [markdown]
# ### Rectifiers: ReLU and its generalizations
#
# The rectified linear unit $\mathrm{ReLU}(z) = \max(0, z)$ is linear on each side of 0, so its derivative is a
# step: 1 for $z > 0$ and 0 for $z < 0$. At $z = 0$ it has a kink and no derivative; any value between the two
# slopes is a valid *subgradient*, and the course follows the lecture's convention $\mathrm{step}(0) = 1$.
#
# **Why linear pieces help.** For one hidden unit $x \to z = w^T x + b \to h = g(z) \to J$, the chain rule gives
# $\dfrac{\partial J}{\partial w_i} = \dfrac{\partial J}{\partial h}\, g'(z)\, x_i$. A sigmoid's $g'(z)$ is at
# most $\tfrac14$ and nearly 0 for large $|z|$; a rectifier's is exactly 1 wherever the unit is active, so the
# gradient passes through undamped. Its weakness: where $z < 0$ the gradient is exactly 0, and a unit that is
# never active never learns. Three generalizations give the negative side a slope $\alpha$:
#
# $$g_\alpha(z) = \max(0, z) + \alpha \min(0, z), \qquad g_\alpha'(z) = \begin{cases} 1 & z \ge 0 \\ \alpha & z < 0 \end{cases}$$
#
# - $\alpha = 0$: ReLU;
# - $\alpha = 0.01$ (small, fixed): **leaky ReLU**, never completely silent;
# - $\alpha = -1$: **absolute-value rectification** $g(z) = |z|$, with derivative $\operatorname{sign}(z)$.
#
# **Q7.** Write `rectifier(z, alpha)` returning `(g, dg)` for the formula above (one function covers all three
# units). `np.where` makes it two lines.

# %% nbgrader={"grade": false, "grade_id": "rectifier", "locked": false, "schema_version": 3, "solution": true}
def rectifier(z, alpha):
    """(g(z), g'(z)) for g(z) = max(0, z) + alpha * min(0, z), elementwise; g'(0) = 1."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, z, alpha * z), np.where(z >= 0, 1.0, alpha)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rectifier", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=205)
### END HIDDEN TESTS
grade("a2.rectifier")

# %%
with when_ready():
    for name, alpha in [("ReLU", 0.0), ("leaky ReLU", 0.01), ("absolute value", -1.0)]:
        print(f"{name:>15}: rel_error = {check_derivative(rectifier, z_test, alpha):.1e}")
    # At a kink the two one-sided slopes differ, and the central difference averages them:
    print(f"ReLU at z = 0 exactly: rel_error = {check_derivative(rectifier, np.array([0.0]), 0.0):.1e} "
          "(a kink, not a bug: gradient checks keep their inputs away from kinks)")

# %% [markdown]
# ### Softplus: a smooth ReLU
#
# $\zeta(z) = \log(1 + e^z)$ is close to 0 for very negative $z$ and close to $z$ for large $z$, like a ReLU with
# the corner rounded off.
#
# **Q8 (derive).** Work out
# 1. `dsoftplus`: $\zeta'(z)$, as an expression in `z` (`exp`, `log` and the `sigmoid` you derived are all
#    readable);
# 2. `d2softplus_in_s`: the second derivative $\zeta''(z)$, as an expression in $s = \sigma(z)$ alone.
#
# Recognize the results: they tell you which functions a softplus unit's backward pass needs.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* $\zeta'(z) = \dfrac{(1 + e^z)'}{1 + e^z} = \dfrac{e^z}{1 + e^z} = \dfrac{1}{e^{-z} + 1} = \sigma(z)$: the
# derivative of the smooth ReLU is the sigmoid, a smooth step. So $\zeta''(z) = \sigma'(z) = s\,(1 - s)$ by Q3:
# positive everywhere, which makes softplus convex.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "softplus_derivative_answer", "locked": false, "schema_version": 3, "solution": true}
dsoftplus = """
### BEGIN SOLUTION
exp(z) / (1 + exp(z))
### END SOLUTION
"""
d2softplus_in_s = """
### BEGIN SOLUTION
s * (1 - s)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_softplus_derivative", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=213)
### END HIDDEN TESTS
grade("a2.softplus_derivative")

# %% [markdown]
# **Without overflow.** $e^{1000}$ overflows, yet $\zeta(1000) = 1000$. Factor out the larger of $1$ and $e^z$:
# for $z > 0$, $\log(1 + e^z) = \log\big(e^z (e^{-z} + 1)\big) = z + \log(1 + e^{-z})$, and for $z \le 0$ there is
# nothing to factor. Both cases together:
#
# $$\zeta(z) = \max(0, z) + \log\big(1 + e^{-|z|}\big),$$
#
# where the exponential is never larger than 1. (`np.log1p(u)` computes $\log(1 + u)$ accurately for tiny $u$.)
#
# **Q9.** Write `softplus(z)` returning `(sp, dsp)`, finite for any `z`, with `dsp` the derivative you found in
# Q8. You may call your own stable functions. Two or three lines.

# %% nbgrader={"grade": false, "grade_id": "softplus", "locked": false, "schema_version": 3, "solution": true}
def softplus(z):
    """(zeta(z), zeta'(z)) elementwise, zeta(z) = log(1 + e^z), without overflow."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))), sigmoid(z)[0]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_softplus", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=206)
### END HIDDEN TESTS
grade("a2.softplus")

# %% [markdown]
# ### All of them at once
#
# Each activation (solid) with its derivative (dashed), and the relative error of your own gradient check in the
# title. Notice where each derivative is small: the sigmoid and tanh **saturate** on both sides, ReLU is silent
# on the left, the leaky ReLU keeps a small slope ($\alpha = 0.1$ here, to make it visible), and softplus is a
# rounded ReLU whose derivative is a rounded step.

# %%
with when_ready():
    zs = np.linspace(-4, 4, 401)
    units = [("sigmoid", sigmoid, ()), ("tanh", tanh, ()), ("ReLU", rectifier, (0.0,)),
             ("leaky ReLU, alpha = 0.1", rectifier, (0.1,)), ("absolute value", rectifier, (-1.0,)),
             ("softplus", softplus, ())]
    curves = [(name, *fn(zs, *args), check_derivative(fn, z_test, *args)) for name, fn, args in units]

    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), sharex=True)
    for ax, (name, g, dg, err) in zip(axes.flat, curves):
        ax.plot(zs, g, lw=2, label="$g(z)$")
        ax.plot(zs, dg, "--", lw=2, label="$g'(z)$")
        ax.axhline(0, color="gray", lw=0.5)
        ax.axvline(0, color="gray", lw=0.5)
        ax.set_title(f"{name}\n(your gradient check: {err:.0e})", fontsize="medium")
    axes[0, 0].legend()
    for ax in axes[1]:
        ax.set_xlabel("$z$")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ### Maxout: learning the activation
#
# A maxout unit does not apply a fixed $g$ to one pre-activation: it takes $k$ of them and keeps the largest.
# With $m$ units, the $m k$ pre-activations of a sample are split into consecutive groups
# $\mathbb{G}(i) = \{(i-1)k + 1, \dots, ik\}$ (1-based), and
#
# $$g(z)_i = \max_{j \in \mathbb{G}(i)} z_j .$$
#
# **Derivative.** Near a point where group $i$ has a single largest entry $j^*$, $g(z)_i = z_{j^*}$: so
# $\partial g_i / \partial z_{j^*} = 1$ and $\partial g_i / \partial z_j = 0$ for every other $j$. Each $z_j$ belongs
# to exactly one group, so all these derivatives fit in an array shaped like $z$: a **mask** with a 1 at each
# group's winner. The backward pass sends each unit's upstream gradient to its winner,
# `dZ = np.repeat(dG, k, axis=1) * mask`.
#
# In code (rows are samples) `z` has shape `(n, m * k)` and unit `i` (0-based) looks at columns
# `i*k, ..., i*k + k - 1`: `z.reshape(n, m, k)` lines the groups up on the last axis.
#
# **Q10.** Write `maxout(z, k)` returning `(out, mask)`: `out` of shape `(n, m)` with each group's maximum, and
# `mask` of shape `(n, m * k)`, 1.0 at each group's largest entry and 0.0 elsewhere (the inputs the grader uses
# have no ties). About four lines; `argmax` with `keepdims=True` and a comparison with `np.arange(k)` help.

# %% nbgrader={"grade": false, "grade_id": "maxout", "locked": false, "schema_version": 3, "solution": true}
def maxout(z, k):
    """(out (n, m), mask (n, m * k)) of maxout over consecutive groups of k columns of z (n, m * k)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    n, width = z.shape
    groups = z.reshape(n, width // k, k)
    winner = groups.argmax(axis=2)[..., None]
    mask = (np.arange(k) == winner).astype(np.float64)
    return groups.max(axis=2), mask.reshape(n, width)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_maxout", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=207)
### END HIDDEN TESTS
grade("a2.maxout")

# %% [markdown]
# **Maxout can be a ReLU, a leaky ReLU, or more.** Give one unit two pieces computed from the same input $x$:
# $z_1 = w_1 x + b_1$ and $z_2 = w_2 x + b_2$.
#
# - With $(w_2, b_2) = (0, 0)$, the second piece is always 0 and $\max(z_1, 0) = \mathrm{ReLU}(z_1)$.
# - With $(w_2, b_2) = \alpha\, (w_1, b_1)$ for some $0 < \alpha < 1$, $\max(z_1, \alpha z_1)$ is the leaky ReLU of $z_1$.
# - With more pieces, the maximum of $k$ lines is any convex piecewise-linear function: for example the
#   tangents of $x^2$ at a few points approximate the parabola from below.
#
# Because $(w_2, b_2)$ are weights like any others, a maxout network *learns* which of these shapes it needs.
# The cell below builds the pieces, runs them through your `maxout`, and compares with your `rectifier`.

# %%
with when_ready():
    xs = np.linspace(-3, 3, 301)[:, None]  # one input feature, rows are samples
    w1, b1 = 1.5, -0.75
    z1 = w1 * xs + b1
    as_relu = maxout(np.hstack([z1, 0 * xs]), 2)[0]
    as_leaky = maxout(np.hstack([z1, 0.1 * z1]), 2)[0]
    tangent_points = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    tangents = 2 * tangent_points * xs - tangent_points ** 2  # the tangent of x^2 at t: 2 t x - t^2
    as_convex = maxout(tangents, len(tangent_points))[0]
    print("maxout vs ReLU, largest difference:      ", np.abs(as_relu - rectifier(z1, 0.0)[0]).max())
    print("maxout vs leaky ReLU, largest difference:", np.abs(as_leaky - rectifier(z1, 0.1)[0]).max())

    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for ax, pieces, out, title in [(axes[0], [z1, 0 * xs], as_relu, r"$\max(z_1, 0)$ = ReLU($z_1$)"),
                                   (axes[1], [z1, 0.1 * z1], as_leaky, r"$\max(z_1, 0.1 z_1)$ = leaky ReLU($z_1$)"),
                                   (axes[2], list(tangents.T[:, :, None]), as_convex, "5 pieces: a convex function")]:
        for piece in pieces:
            ax.plot(xs, piece, ":", color="gray")
        ax.plot(xs, out, lw=2.5, label="maxout")
        ax.set_ylim(-4, 6)
        ax.set_xlabel("$x$")
        ax.set_title(title)
    axes[2].plot(xs, xs ** 2, "--", color="tab:red", label="$x^2$")
    axes[2].legend()
    plt.tight_layout()
    plt.show()

# %%
with when_ready():
    z_max = np.random.default_rng(1).normal(size=(4, 6))
    out, mask = maxout(z_max, 3)
    dout = np.random.default_rng(2).normal(size=out.shape)
    numeric = numerical_gradient(lambda v: np.sum(maxout(v, 3)[0] * dout), z_max)
    print(f"maxout: rel_error = {rel_error(np.repeat(dout, 3, axis=1) * mask, numeric):.1e}")

# %% [markdown]
# ## 3. Losses from likelihoods
#
# Which loss should a network minimize? The **maximum likelihood** principle gives a recipe: let the network's
# output $o(x; \theta)$ be the parameter of a distribution $p(y \mid x)$ over the targets, and choose $\theta$ to
# make the observed targets as probable as possible. Over a batch of $n$ independent samples, maximizing
# $\prod_i p(y_i \mid x_i)$ is the same as minimizing the **mean negative log-likelihood**
#
# $$L(\theta) = \frac1n \sum_{i=1}^n -\log p\big(y_i;\, o(x_i; \theta)\big).$$
#
# Each choice of distribution gives a loss. In code every loss here returns the pair `(value, grad)`: the mean
# over the batch (a float) and its gradient with respect to the network's output, shaped like it (the `dout` that
# starts the backward pass). Because the value is a mean, the gradient carries a factor $\tfrac1n$.
#
# ### Gaussian noise: the squared error
#
# Suppose $y = o(x) + \varepsilon$ with Gaussian noise, $p(y \mid x) = \mathcal N(y;\, o, 1)$, whose density is
# $\tfrac{1}{\sqrt{2\pi}}\, e^{-(y - o)^2/2}$. Then
#
# $$-\log p(y \mid x) = \tfrac12 (y - o)^2 + \tfrac12 \log 2\pi,$$
#
# and the constant does not depend on $\theta$: maximum likelihood is least squares. For a batch, with one or
# several outputs per sample (the identity covariance makes the outputs independent, and their terms add):
#
# $$L = \frac{1}{2n} \sum_{i=1}^n \lVert o_i - y_i \rVert^2 .$$
#
# (Notes 004 write the per-sample loss without the $\tfrac12$; the $\tfrac12$ only rescales the gradient.) A
# **linear output unit**, $o = W^T h + b$, is the natural partner: it can reach any real mean.
#
# **Q11 (derive).** With one output per sample (a scalar $o_i$):
# 1. `dl_do`: the derivative of one sample's loss $\ell = \tfrac12 (o - y)^2$ with respect to $o$, in `o` and `y`;
# 2. `dL_do_batch`: the derivative of the batch mean $L$ with respect to one output $o_i$, in `o` (for $o_i$), `y`
#    (for $y_i$) and `n`.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* $\dfrac{d}{do}\,\tfrac12 (o - y)^2 = (o - y) \cdot 1 = o - y$: the $\tfrac12$ meets the power's 2.
# In the mean $L = \frac1n \sum_k \ell_k$ only the term $k = i$ depends on $o_i$, so
# $\dfrac{\partial L}{\partial o_i} = \dfrac{o_i - y_i}{n}$, and the same entry by entry when $o_i$ is a vector.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "squared_error_gradient_answer", "locked": false, "schema_version": 3, "solution": true}
dl_do = """
### BEGIN SOLUTION
o - y
### END SOLUTION
"""
dL_do_batch = """
### BEGIN SOLUTION
(o - y) / n
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_squared_error_gradient", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=214)
### END HIDDEN TESTS
grade("a2.squared_error_gradient")

# %% [markdown]
# **Q12.** Write `squared_error(pred, y)` returning `(value, grad)` for `pred` and `y` of the same shape, `(n,)`
# or `(n, k)`: the batch mean $L$ above and its gradient of Q11, shaped like `pred`. Two or three lines.

# %% nbgrader={"grade": false, "grade_id": "squared_error", "locked": false, "schema_version": 3, "solution": true}
def squared_error(pred, y):
    """(L = 1/(2n) sum_i ||pred_i - y_i||^2, dL/dpred shaped like pred) for pred and y of shape (n,) or (n, k)."""
    ### BEGIN SOLUTION
    diff = np.asarray(pred, dtype=np.float64) - y
    n = len(diff)
    return 0.5 * float(np.sum(diff ** 2)) / n, diff / n
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_squared_error", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=208)
### END HIDDEN TESTS
grade("a2.squared_error")

# %% [markdown]
# ### Laplace noise: the absolute error
#
# The Laplace distribution has heavier tails than the Gaussian:
# $p(y \mid x) = \tfrac{1}{2\gamma} \exp\!\big(-|y - o| / \gamma\big)$. Its negative log-likelihood is
# $|y - o| / \gamma + \log 2\gamma$; dropping the constant and the scale,
#
# $$L = \frac1n \sum_{i=1}^n \lVert o_i - y_i \rVert_1, \qquad \frac{\partial L}{\partial o_i} = \frac{\operatorname{sign}(o_i - y_i)}{n},$$
#
# with $\operatorname{sign}(0) = +1$ by the course's convention (again a kink: any value in $[-1, 1]$ is a
# subgradient there). The gradient has the same size however far the prediction is from its target.
#
# **Q13.** Write `absolute_error(pred, y)` returning `(value, grad)`, shapes as in Q12. Two or three lines.

# %% nbgrader={"grade": false, "grade_id": "absolute_error", "locked": false, "schema_version": 3, "solution": true}
def absolute_error(pred, y):
    """(L = 1/n sum_i ||pred_i - y_i||_1, dL/dpred: the sign of each difference over n) for pred and y of shape
    (n,) or (n, k)."""
    ### BEGIN SOLUTION
    diff = np.asarray(pred, dtype=np.float64) - y
    n = len(diff)
    return float(np.sum(np.abs(diff))) / n, np.where(diff >= 0, 1.0, -1.0) / n
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_absolute_error", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=209)
### END HIDDEN TESTS
grade("a2.absolute_error")

# %%
def check_loss(loss, pred, y):
    """Your gradient check of a loss: its gradient against central differences of its value."""
    value, grad = loss(pred, y)
    return rel_error(grad, numerical_gradient(lambda v: loss(v, y)[0], np.array(pred, dtype=float)))


with when_ready():
    rng = np.random.default_rng(0)
    pred_test, y_test = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    print(f"squared error:  rel_error = {check_loss(squared_error, pred_test, y_test):.1e}")
    print(f"absolute error: rel_error = {check_loss(absolute_error, pred_test, y_test):.1e}")

# %% [markdown]
# ### What do they learn: a mean or a median?
#
# Strip the network down to a single constant prediction $c$ for every sample. The squared error
# $\tfrac{1}{2n}\sum_i (c - y_i)^2$ has derivative $\tfrac1n \sum_i (c - y_i)$, which is zero at
# $c = \tfrac1n \sum_i y_i$: **the mean**. The absolute error $\tfrac1n \sum_i |c - y_i|$ has derivative
# $\tfrac1n\big(\#\{y_i < c\} - \#\{y_i > c\}\big)$, which changes sign where as many targets lie below $c$ as
# above: **the median**. A network with enough capacity does this separately for every $x$, so it learns the
# conditional mean $\mathbb E[y \mid x]$ with the squared error and the conditional median with the absolute error.
#
# They differ when the noise is **skewed**. Below: 200 seeded waiting times, mostly short with a few long ones
# (an exponential distribution, mean 2, median $2 \ln 2 \approx 1.39$). We evaluate both of your losses for a
# grid of constants and mark where each is smallest.

# %%
waits = np.random.default_rng(7).exponential(scale=2.0, size=200)
constants = np.linspace(0, 5, 501)
with when_ready():
    sq_curve = [squared_error(np.full_like(waits, c), waits)[0] for c in constants]
    abs_curve = [absolute_error(np.full_like(waits, c), waits)[0] for c in constants]
    best_sq, best_abs = constants[np.argmin(sq_curve)], constants[np.argmin(abs_curve)]
    print(f"squared error is smallest at c = {best_sq:.2f};  the sample mean is   {waits.mean():.2f}")
    print(f"absolute error is smallest at c = {best_abs:.2f}; the sample median is {np.median(waits):.2f}")

    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    axes[0].hist(waits, bins=40, color="lightgray")
    axes[0].axvline(waits.mean(), color="tab:blue", lw=2, label=f"mean {waits.mean():.2f}")
    axes[0].axvline(np.median(waits), color="tab:orange", lw=2, label=f"median {np.median(waits):.2f}")
    axes[0].set_title("a right-skewed sample")
    axes[0].legend()
    for ax, curve, best, color, name in [(axes[1], sq_curve, best_sq, "tab:blue", "squared error"),
                                         (axes[2], abs_curve, best_abs, "tab:orange", "absolute error")]:
        ax.plot(constants, curve, color=color, lw=2)
        ax.axvline(waits.mean(), color="tab:blue", ls="--", label="sample mean")
        ax.axvline(np.median(waits), color="tab:orange", ls="--", label="sample median")
        ax.plot(best, min(curve), "ko", label=f"smallest loss, c = {best:.2f}")
        ax.set_xlabel("constant prediction $c$")
        ax.set_title(f"{name} of predicting $c$ for everyone")
        ax.legend(fontsize="small")
    plt.show()

# %% [markdown]
# **The same, for every $x$.** `skewed_regression` draws $y = \sin(x) + $ right-skewed noise whose spread grows
# with $|x|$, so the true conditional mean is $\sin(x)$ and the true conditional median lies below it. Our model
# here is as flexible as it gets for its size: one constant per bin of $x$ (20 bins), each chosen to minimize your
# loss on the samples of its bin. The squared-error constants follow the mean curve, the absolute-error ones the
# median curve.

# %%
data = skewed_regression(2000, seed=0)
x_flat, y_flat = data.X[:, 0], data.y[:, 0]
edges = np.linspace(-3, 3, 21)
bins = np.digitize(x_flat, edges[1:-1])
grid = np.linspace(-2.5, 3.5, 601)


def best_constant(loss, targets):
    """The constant on the grid with the smallest loss on these targets."""
    return grid[np.argmin([loss(np.full_like(targets, c), targets)[0] for c in grid])]


with when_ready():
    per_bin = {name: np.array([best_constant(loss, y_flat[bins == b]) for b in range(20)])
               for name, loss in [("squared error", squared_error), ("absolute error", absolute_error)]}
    order = np.argsort(x_flat)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.scatter(x_flat, y_flat, s=3, color="lightgray", label="samples")
    ax.plot(x_flat[order], data.mean[order, 0], color="tab:blue", lw=1, label=r"true mean $\sin(x)$")
    ax.plot(x_flat[order], data.median[order, 0], color="tab:orange", lw=1, label="true median")
    ax.stairs(per_bin["squared error"], edges, color="tab:blue", lw=2.5, label="per-bin fit, squared error")
    ax.stairs(per_bin["absolute error"], edges, color="tab:orange", lw=2.5, label="per-bin fit, absolute error")
    ax.set_ylim(-2.5, 3.5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_title("squared error learns the conditional mean, absolute error the median")
    ax.legend(fontsize="small", loc="upper left")
    plt.show()

# %% [markdown]
# ### Bernoulli targets: the binary cross-entropy
#
# For a label $y \in \{0, 1\}$ the output must be a probability $p = P(y = 1 \mid x)$ and the likelihood is the
# Bernoulli $p^y (1 - p)^{1 - y}$. Which output unit makes $p$ lie in $[0, 1]$?
#
# - Clipping a linear output, $p = \max(0, \min(1, z))$, works for the forward pass, but wherever $z$ falls
#   outside $[0, 1]$ the derivative $\partial p / \partial z$ is 0, and so is the gradient of the loss: the unit
#   cannot learn its way back.
# - A **sigmoid** unit, $p = \sigma(z)$ with the logit $z = w^T h + b$, is smooth and never exactly flat.
#
# With $p = \sigma(z)$ the negative log-likelihood of one sample is the **binary cross-entropy**
#
# $$L = -\big(y \log p + (1 - y) \log(1 - p)\big).$$
#
# **Q14 (derive).** Write $a = \sigma(z)$ for the sigmoid's output (the lecture's activation; $a$ and $p$ are the
# same number here) and work out
# 1. `dL_da`: $\partial L / \partial a$, in `a` and `y`;
# 2. `dL_dz`: $\partial L / \partial z$, in `a` and `y`, by the chain rule through $a = \sigma(z)$, using your Q3.
#
# Both should hold for any $y$ between 0 and 1, not only for the labels 0 and 1. Simplify the second as far as it
# goes: the result is one of the most used formulas of the course.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* $\dfrac{\partial L}{\partial a} = -\Big(\dfrac{y}{a} - \dfrac{1 - y}{1 - a}\Big)
# = \dfrac{a - y}{a(1 - a)}$ (over the common denominator: $-(y(1 - a) - (1 - y)a) = a - y$). With
# $\sigma'(z) = a(1 - a)$ the chain rule leaves
#
# $$\frac{\partial L}{\partial z} = \frac{a - y}{a(1 - a)} \cdot a(1 - a) = a - y = \sigma(z) - y,$$
#
# the $\delta = a - y$ of a sigmoid output layer in backpropagation, and for the batch mean each entry is divided by $n$.
#
# The softplus form below gives the same: its derivative is $\sigma\big((1 - 2y) z\big)\,(1 - 2y)$, which is
# $\sigma(z)$ for $y = 0$ and $-\sigma(-z) = \sigma(z) - 1$ for $y = 1$. Working with the logit directly skips the
# division by $a(1 - a)$, which is 0 in floating point once $|z|$ is large.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "bce_gradient_answer", "locked": false, "schema_version": 3, "solution": true}
dL_da = """
### BEGIN SOLUTION
-(y / a - (1 - y) / (1 - a))
### END SOLUTION
"""
dL_dz = """
### BEGIN SOLUTION
a - y
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_bce_gradient", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=215)
### END HIDDEN TESTS
grade("a2.bce_gradient")

# %% [markdown]
# **The loss in softplus form.** With $1 - \sigma(z) = \sigma(-z)$, the two cases $y = 1$ ($p = \sigma(z)$) and $y = 0$
# ($1 - p = \sigma(-z)$) are one formula, $p(y \mid x) = \sigma\big((2y - 1) z\big)$. And
# $-\log \sigma(t) = \log(1 + e^{-t}) = \zeta(-t)$, so
#
# $$-\log p(y \mid x) = \zeta\big((1 - 2y)\, z\big), \qquad L = \frac1n \sum_{i=1}^n \zeta\big((1 - 2y_i)\, z_i\big).$$
#
# Read the softplus form: a sample classified right with confidence has $(1 - 2y) z \ll 0$, where $\zeta$ is flat
# (little loss, little gradient); a sample classified wrong with confidence has $(1 - 2y) z \gg 0$, where $\zeta$
# is a line of slope 1 (a loss that grows linearly, and a gradient that stays near 1).
#
# **Numerically**, computing $p = \sigma(z)$ first and then $\log p$ breaks down: for $z = -1000$, $\sigma(z)$ is
# exactly 0 in floating point and $\log 0 = -\infty$. The softplus form, with your stable `softplus`, never
# takes the log of a rounded probability.
#
# **Q15.** Write `bce_from_logits(z, y)` returning `(value, grad)` for logits `z` and 0/1 labels `y` of the same
# shape: the mean loss $L$ and its gradient with respect to `z` (your Q14 result, divided by $n$ for the mean),
# finite for logits of $\pm 1000$. You may call your `softplus` and `sigmoid`. Two or three lines.

# %% nbgrader={"grade": false, "grade_id": "bce_from_logits", "locked": false, "schema_version": 3, "solution": true}
def bce_from_logits(z, y):
    """(L = 1/n sum_i softplus((1 - 2 y_i) z_i), dL/dz shaped like z) for logits z and labels y in {0, 1}."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    n = len(z)
    return float(np.sum(softplus((1 - 2 * y) * z)[0])) / n, (sigmoid(z)[0] - y) / n
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bce_from_logits", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=210)
### END HIDDEN TESTS
grade("a2.bce_from_logits")

# %%
with when_ready():
    z_bce, y_bce = np.random.default_rng(3).normal(scale=2, size=8), np.array([0, 1, 1, 0, 1, 0, 0, 1.0])
    print(f"binary cross-entropy: rel_error = {check_loss(bce_from_logits, z_bce, y_bce):.1e}")
    print("yours at z = +1000 and -1000, label 1: ", bce_from_logits(np.array([1000.0]), np.ones(1))[0],
          bce_from_logits(np.array([-1000.0]), np.ones(1))[0])
with np.errstate(over="ignore", divide="ignore"):  # the naive way: log of a probability rounded to 0
    print("-log(sigmoid(z)) computed naively:", -np.log(1 / (1 + np.exp(-np.array([1000.0, -1000.0])))))

# %% [markdown]
# ### Why not the squared error on a sigmoid?
#
# Nothing stops us from putting the squared error on a probability: $L = \tfrac12 (p - y)^2$ with $p = \sigma(z)$.
# By the chain rule
#
# $$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial p}\, \sigma'(z),$$
#
# with $\partial L / \partial p$ the squared error's derivative of Q11. Take $y = 1$ and a model that is
# **confidently wrong**, $z \ll 0$: then $p \approx 0$, the first factor is about $-1$, but $\sigma'(z) \approx e^{z}$
# is tiny, and the gradient vanishes. The model barely moves, exactly when it is most wrong. With the cross-entropy
# the $\sigma'$ factor is cancelled by the log's derivative (you saw it happen in Q14), and the gradient stays near
# $-1$. The plot computes both gradients with
# your functions: `squared_error` on $\sigma(z)$ chained with `sigmoid`'s derivative, and `bce_from_logits`.
# (Both gradients are multiplied by $n$ to undo the batch mean and show the per-sample gradient.)
#
# **The consequence for training** (right panel). One weight $w$ and a bias learn to say $y = 1$ for $x > 0$ and
# $y = 0$ for $x < 0$, starting confidently wrong ($w = -6$), by plain gradient descent with the same step size
# on both losses. The sign of $w$ decides every prediction: the cross-entropy makes $w$ positive (every sample
# right) within about a dozen steps, while under the squared error $w$ has barely moved after 300 steps.

# %%
x_line = np.linspace(-3, 3, 40)
y_line = (x_line > 0).astype(float)


def train_logistic(loss_name, steps=300, lr=0.3):
    """Gradient descent on one weight and a bias from w = -6; returns w after each step."""
    w, b, path = -6.0, 0.0, []
    for _ in range(steps):
        z = w * x_line + b
        if loss_name == "cross-entropy":
            dz = bce_from_logits(z, y_line)[1]
        else:
            p, dp = sigmoid(z)
            dz = squared_error(p, y_line)[1] * dp
        w, b = w - lr * np.sum(dz * x_line), b - lr * np.sum(dz)
        path.append(w)
    return path


with when_ready():
    z_line = np.linspace(-10, 10, 401)
    y_ones = np.ones_like(z_line)
    p, dp_dz = sigmoid(z_line)
    grad_mse = squared_error(p, y_ones)[1] * len(z_line) * dp_dz
    grad_bce = bce_from_logits(z_line, y_ones)[1] * len(z_line)
    curves = {name: train_logistic(name) for name in ["cross-entropy", "squared error"]}
    print(f"at z = -8: squared error gives {abs(grad_mse[z_line.searchsorted(-8)]):.1e}, "
          f"cross-entropy {abs(grad_bce[z_line.searchsorted(-8)]):.2f}")

    fig, axes = plt.subplots(1, 3, figsize=(16, 4))
    for ax, logy in [(axes[0], False), (axes[1], True)]:
        ax.axvspan(-10, -2, color="tab:red", alpha=0.08, label="confidently wrong")
        ax.plot(z_line, np.abs(grad_mse), lw=2, label="sigmoid + squared error")
        ax.plot(z_line, np.abs(grad_bce), lw=2, label="sigmoid + cross-entropy")
        ax.set_xlabel("logit $z$ (true label $y = 1$)")
        ax.set_ylabel(r"$|\partial L / \partial z|$")
        ax.set_title("the same, log scale: e$^{z}$ against 1" if logy else "gradient size for one sample")
        if logy:
            ax.set_yscale("log")
    axes[0].legend(fontsize="small")
    for name, path in curves.items():
        axes[2].plot(path, lw=2, label=f"sigmoid + {name}")
    axes[2].axhline(0, color="gray", ls=":", label="above: every sample right")
    axes[2].set_xlabel("gradient step")
    axes[2].set_ylabel("weight $w$")
    axes[2].set_title("training, started confidently wrong")
    axes[2].legend()
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ### Multinoulli targets: softmax and the cross-entropy
#
# With $C$ classes the label is one of $1, \dots, C$ (or the one-hot vector $y$ with a single 1), and the
# Multinoulli distribution has one probability per class: $P(y) = \prod_{j=1}^C \alpha_j^{\,y_j}$ with $\alpha_j \ge 0$
# and $\sum_j \alpha_j = 1$. A **softmax** output unit turns $C$ unconstrained scores (logits) $z$ into such a
# vector:
#
# $$\operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_{k=1}^C e^{z_k}}.$$
#
# When one score is much larger than the others, the softmax is close to the one-hot vector of the argmax: a
# *softened* argmax. Adding the same constant to every score changes nothing (it cancels between numerator and
# denominator), so one score could be fixed to 0; with $C = 2$ and $z_2 = 0$ the softmax is
# $e^{z_1}/(e^{z_1} + 1) = \sigma(z_1)$, the sigmoid unit again.
#
# **The loss.** For the true class $y$, the negative log-likelihood is
#
# $$-\log \operatorname{softmax}(z)_y = -z_y + \log \sum_{k=1}^C e^{z_k} = \operatorname{LSE}(z) - z_y .$$
#
# The log undoes the exponential: the loss grows only *linearly* with a wrong score, and if the true class
# already wins clearly, $\operatorname{LSE}(z) \approx z_y$ and the sample adds almost nothing. The batch loss is the
# mean of these over the $n$ samples.
#
# **Q16 (derive).** For one sample with scores $z$ and true class $y$, write $S = \sum_k e^{z_k}$ and
# $p_j = \operatorname{softmax}(z)_j$. Work out
# 1. `dlse_dz`: $\partial \operatorname{LSE}(z) / \partial z_j$, in `z` (standing for $z_j$) and `S`, treating `S` as
#    a name for the sum;
# 2. `dL_dz_true`: $\partial L / \partial z_j$ for $j = y$, the true class, in `p` (for $p_j$);
# 3. `dL_dz_other`: $\partial L / \partial z_j$ for a class $j \ne y$, in `p` (for $p_j$);
# 4. `dL_dZ`: for a batch, with the scores in the rows of $Z$ $(n, C)$, the gradient of the **mean** loss with
#    respect to $Z$, as a matrix expression in `P` (the softmax of each row of $Z$, shape `(n, C)`), `Y` (the one-hot
#    rows of the labels, shape `(n, C)`) and `n`.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* $\dfrac{\partial}{\partial z_j} \log S = \dfrac{1}{S}\dfrac{\partial S}{\partial z_j} = \dfrac{e^{z_j}}{S}
# = \operatorname{softmax}(z)_j = p_j$: the derivative of log-sum-exp is the softmax. And $\partial z_y / \partial z_j$
# is 1 for $j = y$, 0 otherwise, so
#
# $$\frac{\partial}{\partial z_j}\big(\operatorname{LSE}(z) - z_y\big) = p_j - [j = y] = \begin{cases} p_j - 1 & j = y \\ p_j & j \ne y, \end{cases}$$
#
# the predicted probabilities minus the one-hot target. For the batch mean, each row's gradient is divided by $n$:
# $\partial L / \partial Z = (P - Y)/n$.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "softmax_ce_gradient_answer", "locked": false, "schema_version": 3, "solution": true}
dlse_dz = """
### BEGIN SOLUTION
exp(z) / S
### END SOLUTION
"""
dL_dz_true = """
### BEGIN SOLUTION
p - 1
### END SOLUTION
"""
dL_dz_other = """
### BEGIN SOLUTION
p
### END SOLUTION
"""
dL_dZ = """
### BEGIN SOLUTION
(P - Y) / n
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_softmax_ce_gradient", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=216)
### END HIDDEN TESTS
grade("a2.softmax_ce_gradient")

# %% [markdown]
# **Without overflow: log-sum-exp.** $e^{1000}$ is `inf`, so the sum cannot be taken as written. Pull the largest
# score $m = \max_k z_k$ out of it:
#
# $$\operatorname{LSE}(z) = m + \log \sum_{k=1}^C e^{z_k - m}.$$
#
# Now every exponent is $\le 0$ (no overflow), and the largest term is $e^0 = 1$, so the sum is at least 1 and
# its log is safe (no $\log 0$). Compute the softmax in the gradient from $z - m$ as well. Never compute the loss
# as `-np.log(softmax)`: a probability that rounds to 0 gives `inf`.
#
# **Q17.** Write `softmax_cross_entropy(scores, y)` returning `(value, grad)`: `scores` of shape `(n, C)`, one row
# of logits per sample, and integer labels `y` of shape `(n,)` in `0 .. C-1`; `grad` is your Q16 batch gradient,
# with the shape of `scores`.
# Finite for scores of $\pm 1000$. `scores[np.arange(n), y]` picks each row's true-class score. About six lines.

# %% nbgrader={"grade": false, "grade_id": "softmax_cross_entropy", "locked": false, "schema_version": 3, "solution": true}
def softmax_cross_entropy(scores, y):
    """(L = mean over rows of LSE(scores_i) - scores_i[y_i], dL/dscores shaped like scores (n, C))."""
    ### BEGIN SOLUTION
    scores = np.asarray(scores, dtype=np.float64)
    n = len(scores)
    rows = np.arange(n)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # z - LSE(z), row by row
    grad = np.exp(log_probs)
    grad[rows, y] -= 1.0
    return -float(np.sum(log_probs[rows, y])) / n, grad / n
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_softmax_cross_entropy", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=211)
### END HIDDEN TESTS
grade("a2.softmax_cross_entropy")

# %% [markdown]
# Your gradient check, the two-class case against your binary cross-entropy (scores $[z, 0]$ with true class 0
# are the logit $z$ with label 1), and scores of $\pm 1000$:

# %%
with when_ready():
    scores_test, labels_test = np.random.default_rng(4).normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
    print(f"softmax cross-entropy: rel_error = {check_loss(softmax_cross_entropy, scores_test, labels_test):.1e}")
    z_two = np.random.default_rng(5).normal(size=6)
    two_classes = softmax_cross_entropy(np.column_stack([z_two, np.zeros(6)]), np.zeros(6, dtype=int))[0]
    print(f"two classes: softmax cross-entropy {two_classes:.6f}, binary cross-entropy "
          f"{bce_from_logits(z_two, np.ones(6))[0]:.6f}")
    print("scores [1000, -1000, 0], true class 1:", softmax_cross_entropy(np.array([[1000.0, -1000.0, 0.0]]),
                                                                         np.array([1]))[0], "(exactly 2000)")

# %% [markdown]
# **Relative frequencies.** Suppose the same input $x$ appears 10 times in the training set, with the labels
# 0, 0, 0, 0, 0, 1, 1, 1, 2, 2. What should the network predict for it? Minimizing the mean cross-entropy over a
# probability vector $\alpha$ with $\sum_j \alpha_j = 1$ (a Lagrange multiplier does it in two lines) gives the
# relative frequencies $\alpha = (0.5, 0.3, 0.2)$. Below, a single score vector (the output for that $x$) starts at
# 0 and follows the gradient of your loss; its softmax converges to the frequencies.

# %%
labels_x = np.array([0, 0, 0, 0, 0, 1, 1, 1, 2, 2])
with when_ready():
    score, history = np.zeros(3), [np.full(3, 1 / 3)]
    for _ in range(200):
        _, grad = softmax_cross_entropy(np.tile(score, (10, 1)), labels_x)
        score = score - 0.5 * grad.sum(axis=0)  # every row is the same output: their gradients add up
        history.append(np.exp(score - score.max()) / np.exp(score - score.max()).sum())
    history = np.array(history)
    print("softmax after 200 steps:", np.round(history[-1], 4))

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for j, freq in enumerate([0.5, 0.3, 0.2]):
        line, = ax.plot(history[:, j], lw=2, label=f"class {j}")
        ax.axhline(freq, color=line.get_color(), ls=":")
    ax.set_xlabel("gradient step")
    ax.set_ylabel("predicted probability")
    ax.set_title("the softmax output learns the relative frequencies (dotted)")
    ax.legend()
    plt.show()

# %% [markdown]
# ## 4. Q18: mean or median? (2 points, graded by hand)
#
# A delivery company trains a network to predict delivery times. Most parcels arrive in one or two days, a few
# take weeks. In three to five sentences: what would a network trained with the squared error predict for a
# typical parcel, and one trained with the absolute error? Which would you choose to print on the customer's
# receipt as "your parcel will most likely arrive in ...", and why? Refer to the likelihood each loss assumes.

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_mean_median", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# The squared error is the negative log-likelihood of Gaussian noise, and minimizing it makes the network predict
# the conditional mean; the absolute error corresponds to Laplace noise and gives the conditional median. With a
# long right tail of slow parcels the mean is pulled up by the rare multi-week deliveries, so the squared-error
# network predicts a time longer than what most customers experience, while the median stays at the typical one
# to two days (half of the parcels arrive earlier, half later). For "most likely arrives in" the median is the
# more honest single number, and it is also less sensitive to a few extreme delays, whose squared residuals
# dominate the squared error. (The mean is the right choice if the company cares about the total or average
# waiting time, for example for planning.)
# ### END SOLUTION

# %% [markdown]
# ## 5. Q19: output units and losses go together (2 points, graded by hand)
#
# In three to five sentences: explain, with the chain rule, why a sigmoid output trained with the squared error
# learns slowly when it is confidently wrong while the same output trained with the cross-entropy does not, and
# why a clipped linear output $\max(0, \min(1, z))$ is worse still. What does this say about choosing the
# output unit and the loss?

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_output_units", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# The gradient with respect to the logit is dL/dp times dp/dz. With the squared error this is (sigma(z) - y)
# sigma'(z); when the model is confidently wrong, |z| is large, sigma'(z) ~ e^-|z| is tiny, and the gradient
# vanishes although the error is as large as it gets. The cross-entropy's log cancels the exponential in the
# sigmoid: its dL/dp = -(y/p - (1-y)/(1-p)) grows exactly as fast as sigma' shrinks, and the product is
# sigma(z) - y, close to 1 in size for a confidently wrong sample. The clipped linear unit has dp/dz = 0
# everywhere outside [0, 1], so once z leaves that interval no loss can send any gradient back at all. So the
# output unit and the loss must be chosen together: the negative log-likelihood of the distribution the output
# unit parameterizes (linear + squared error, sigmoid + binary cross-entropy, softmax + cross-entropy) keeps the
# gradient alive where the model is wrong.
# ### END SOLUTION

# %% [markdown]
# ## What's next
#
# You now have the pieces at the top of a network and inside its units: activations with their derivatives,
# losses with their gradients, and a gradient check you trust. Assignment 3 chains them together: backpropagation
# through a computational graph and through the layers of a network, verified, again, against numerical
# gradients.
#
# **Now that you have tried every question**, walkthrough 2 (`course/walkthroughs/02_losses_activations.ipynb`)
# works each derivation out step by step: compare it with yours.
#
# ## Where you stand, and how to hand in
#
# The cell below lists where the public checks of each question stand. To hand in: save the notebook (Ctrl-S),
# then submit this `.ipynb` file as your course says: from the Assignments tab if you work on the course's
# JupyterHub, or by uploading it to the course's learning platform. Keep its file name.

# %%
summary("a2")
