# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 6: regularization
#
# *Neural networks from first principles.* A network with many more weights than training samples can fit
# its training set perfectly, noise and all, and still be mediocre on new data: it **overfits**. Regularization
# is everything we do to discourage that: penalize large weights, stop before memorizing, perturb the inputs or
# the network itself while training, and normalize what each layer sees. In this assignment you build each of
# these pieces and watch what it does to the gap between training and validation accuracy.
#
# **Learning goals.** After this assignment you can
# - recognize overfitting in training and validation curves;
# - derive weight decay from the L2 penalty and the factor by which it shrinks the weights at every step, and the
#   L1 penalty's subgradient;
# - write early stopping that returns to the best weights;
# - perturb the inputs with Gaussian noise, and the network with (inverted) dropout, keeping the expected
#   activation unchanged, and relate it to the lecture's test-time scaling of the weights;
# - derive the backward passes of dropout, batch normalization (the three paths through the batch statistics) and
#   layer normalization, implement them, and check every backward pass numerically.
#
# | question | kind | what you write | points | lecture topic |
# |---|---|---|---|---|
# | Q1 | derive | `l2_grad`, `decay_factor`, `l1_subgrad` | 5 | weight decay from the L2 penalty, and the L1 penalty's subgradient (notes 002, 004) |
# | Q2 | implement | `l2_penalty` | 3 | weight decay: the penalty and its gradient in code (notes 002, 004) |
# | Q3 | implement | `train_with_early_stopping` | 4 | early stopping, the best weights restored (notes 000, 004) |
# | Q4 | implement | `add_input_noise` | 4 | perturbing the inputs with Gaussian noise (notes 004) |
# | Q5 | implement | `dropout_forward` | 5 | dropout, the expectation kept (notes 000, 004) |
# | Q6 | derive | `dropout_dx` | 2 | dropout's backward pass (notes 004) |
# | Q7 | implement | `dropout_backward` | 2 | dropout's backward pass in code |
# | Q8 | implement | `batchnorm_forward` | 6 | covariate shift; batch normalization with its scale and shift (notes 004) |
# | Q9 | derive | `bn_direct`, `bn_through_mean`, `bn_through_var`, `bn_dgamma` | 7 | batch norm's backward pass: the three paths from x to x̂ (notes 004) |
# | Q10 | implement | `batchnorm_backward` | 5 | backprop through the batch statistics in code (notes 004) |
# | Q11 | implement | `layernorm_forward` | 3 | layer normalization: each sample over its own features |
# | Q12 | derive | `ln_dx`, `ln_dgamma` | 5 | layer norm's backward pass: what changes from batch norm |
# | Q13 | implement | `layernorm_backward` | 3 | layer norm's backward pass in code |
# | Q14 | explain | a written answer | 2 (graded by hand) | comparing the regularizers |
# | Q15 | explain | a written answer | 2 (graded by hand) | normalization at prediction time |
#
# **How the checks work.** Under every function there is a check cell: run it after you write the function.
# It prints which checks pass and, for each failure, what differed and a hint. When your notebook is graded,
# hidden checks with other inputs run too. The grader finds your functions **by name**, so keep the names and
# arguments of the stubs, and replace every `raise NotImplementedError()` with your code.
#
# **Derive, then implement.** Four questions ask for a derived result (a gradient, a factor, the contribution of
# each path of a backward pass) before the code that uses it: you type it as an expression between the quotes of
# an answer cell, and the check under it says whether it is right and, if not, which step to redo. The notebook
# does not show these results. Walkthrough 6 (`course/walkthroughs/06_regularization`, sections 3, 5, 6 and 7)
# works them out: read it **after** you have tried, to compare, not before.
#
# **What this assignment leaves out.** The lecture notes touch a few things we only mention. Notes 004 observe
# that today's very large networks overfit less than their size suggests, and that nobody quite knows why; the
# methods here still matter for networks of the size you train. They also note that dropout has become less
# popular (large networks need it less, convolutional networks gain little from it because they reuse their
# weights, and batch normalization has replaced it in many places); it remains common in smaller models. Notes
# 004's section titled "layer normalization" in fact describes standardizing each mini-batch, which is batch
# normalization; what this course calls layer normalization (section 7) standardizes each sample over its own
# features. Recurrent networks, where dropout and normalization need special care, are outside this course.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
try:
    from autograder import grade, summary, when_ready
except ModuleNotFoundError:
    raise SystemExit("This notebook needs the course's package: install it as the course README says "
                     "(pip install . in the course folder), then restart the kernel.") from None
import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from backprop import data, layers, optim
from backprop.gradcheck import numerical_gradient_array, rel_error
from backprop.losses import softmax_cross_entropy

threadpool_limits(1)  # small matrices: one BLAS thread is faster, and a grader runs notebooks side by side
# %matplotlib inline

# %% [markdown]
# ## 1. Overfitting you can see
#
# We take the 8x8 handwritten digits but train on a **small slice** of only 150 images, with a **wide** network
# (64 → 256 → 256 → 10, about 84 000 weights): more than 500 weights per training image. The validation set
# (180 images the network never trains on) tells us how well it generalizes.
#
# The helpers below are given: `make_net` builds the network (optionally with normalization, dropout or input
# noise layers, which you write later), and `train_epoch` runs one epoch of Adam on mini-batches of 50. After
# every epoch `record` evaluates the network **in prediction mode** on the training slice and on the
# validation set, so both curves are measured the same way (no dropout, no noise).

# %%
split = data.digits(seed=0)
pick = np.random.default_rng(0).permutation(len(split.X_train))[:150]
X_small, y_small = split.X_train[pick], split.y_train[pick]
X_val, y_val = split.X_val, split.y_val
EPOCHS = 60
print(f"training slice {X_small.shape}, validation {X_val.shape}")


class Net(layers.Sequential):
    """A Sequential that also remembers its optimizer state (one Adam state per parameter)."""

    def __init__(self, *parts):
        super().__init__(*parts)
        self.state = {name: None for name in self.params}


def make_net(norm=None, dropout=0.0, noise=0.0, width=256, seed=1):
    """64 -> width -> width -> 10 with ReLU. norm: a layer class placed after each hidden Dense (before ReLU);
    dropout: drop probability after each hidden ReLU; noise: sigma of the input noise."""
    rng = np.random.default_rng(seed)
    parts = [InputNoise(noise, seed=seed)] if noise else []
    for d_in in (64, width):
        parts.append(layers.Dense(d_in, width, rng=rng))
        if norm is not None:
            parts.append(norm(width))
        parts.append(layers.ReLU())
        if dropout:
            parts.append(Dropout(dropout, seed=seed))
    parts.append(layers.Dense(width, 10, rng=rng))
    return Net(*parts)


def train_epoch(model, rng, lam=0.0, lr=3e-3, batch=50):
    """One epoch of Adam on the training slice; lam > 0 adds the gradient of your l2_penalty to every W."""
    order = rng.permutation(len(X_small))
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        _, dscores = softmax_cross_entropy(model.forward(X_small[idx], train=True), y_small[idx])
        model.backward(dscores)
        for name in model.params:
            grad = model.grads[name]
            if lam and name.startswith("W"):
                grad = grad + l2_penalty(model.params[name], lam)[1]
            state = model.state[name] or {"lr": lr}  # Adam's other settings keep their defaults
            model.params[name], model.state[name] = optim.adam(model.params[name], grad, state)


def record(model, history):
    """Append training and validation loss and accuracy (both in prediction mode), the size of the weights,
    and the mean and spread of the pre-activations entering the second ReLU (used in section 6)."""
    for prefix, X, y in (("", X_small, y_small), ("val_", X_val, y_val)):
        scores = model.forward(X, train=False)
        history.setdefault(prefix + "loss", []).append(softmax_cross_entropy(scores, y)[0])
        history.setdefault(prefix + "acc", []).append(np.mean(scores.argmax(axis=1) == y))
    history.setdefault("weight_norm", []).append(
        np.sqrt(sum(np.sum(model.params[k] ** 2) for k in model.params if k.startswith("W"))))
    z, relus = X_val, 0
    for layer in model.layers:
        relus += isinstance(layer, layers.ReLU)
        if relus == 2:
            history.setdefault("layer2", []).append((z.mean(), z.std()))
            break
        z = layer.forward(z, train=False)


def run(model, epochs=EPOCHS, lam=0.0, seed=0):
    rng, history = np.random.default_rng(seed), {}
    for _ in range(epochs):
        train_epoch(model, rng, lam)
        record(model, history)
    return history


def compare(history, label, title):
    """The method (solid) against the baseline (faint): accuracy and loss, training and validation."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    epochs = np.arange(1, EPOCHS + 1)
    for ax, metric in zip(axes, ("acc", "loss")):
        for prefix, color in (("", "tab:blue"), ("val_", "tab:orange")):
            kind = "train" if not prefix else "validation"
            ax.plot(epochs, results["no regularization"][prefix + metric], color=color, alpha=0.35, ls="--",
                    label=f"{kind}, no regularization")
            ax.plot(np.arange(1, len(history[prefix + metric]) + 1), history[prefix + metric], color=color,
                    label=f"{kind}, {label}")
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy" if metric == "acc" else "cross-entropy")
    axes[0].legend(fontsize="small")
    gap = history["acc"][-1] - history["val_acc"][-1]
    fig.suptitle(f"{title}: final train - validation accuracy gap {gap:.1%} "
                 f"(without: {results['no regularization']['acc'][-1] - results['no regularization']['val_acc'][-1]:.1%})")
    plt.show()


results = {}
results["no regularization"] = run(make_net())
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for ax, metric in zip(axes, ("acc", "loss")):
    ax.plot(results["no regularization"][metric], label="train (150 images)")
    ax.plot(results["no regularization"]["val_" + metric], label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy" if metric == "acc" else "cross-entropy")
    ax.legend(fontsize="small")
fig.suptitle("a wide network on a small training set: the curves come apart")
plt.show()

# %% [markdown]
# The training accuracy reaches 100 % within a few epochs and the training loss falls to almost 0; the
# validation accuracy stalls more than ten points below, and the validation loss stops improving far above the
# training loss. That gap
# is overfitting: the network has *capacity* to memorize 150 images, so after the general patterns it learns
# the accidents of this particular slice. Each section below attacks the gap in a different way.
#
# Helper classes that plug your functions into a network come right after each function. They are given;
# you do not need to change them.

# %% [markdown]
# ## 2. Weight decay
#
# Add to the data loss a penalty on the squared size of the weights (the *L2 penalty*, as in ridge regression):
#
# $$J(W) = J_{loss}(W) + \lambda \lVert W \rVert^2, \qquad \lVert W\rVert^2 = \sum_{i,j} W_{ij}^2 .$$
#
# Gradient descent on $J$ makes the weights **decay** towards 0 at every step, unless the data keeps pushing them:
# that is why the L2 penalty on a network is called *weight decay*. The penalty goes on the weight matrices, not
# on the biases: a bias only shifts a unit's threshold and does not make the function wiggly. In the MLP of the
# lecture (notes 002) the objective is the cross-entropy plus $\lambda$ times the sum of the squared entries of
# *every* weight matrix.
#
# A cousin, the **L1 penalty** $\lambda \sum_{i,j} |W_{ij}|$ (the lasso's), is not differentiable where an entry is
# 0, but everywhere else it is, and gradient descent uses a *subgradient*: any slope between the two one-sided
# slopes at the kink. We only need it away from 0.
#
# **Q1 (derive).** Write each answer as an expression between the quotes below: matrix answers may use `W` (a
# matrix), `lam` (the number $\lambda$), `+ - * /`, `@`, `.T` and `abs(...)`; products are entry by entry with `*`.
# 1. `l2_grad`: the gradient $\nabla_W \big(\lambda \lVert W \rVert^2\big)$, a matrix of the shape of $W$.
# 2. `decay_factor`: one gradient-descent step of size $\eta$ on $J$ when the data gradient is zero multiplies $W$ by
#    a number. Write it in `lam` and `eta`.
# 3. `l1_subgrad`: the gradient of $\lambda \sum_{i,j} |W_{ij}|$ at a $W$ with no zero entry, a matrix of the shape of
#    $W$ (there is no `sign` function: build it from what the grader reads).

# %% [markdown]
# **Your working.** Use this cell for your derivation if you like (double-click to edit); it is not graded.
#
# ### BEGIN SOLUTION
# *Worked derivation.* Each $W_{ij}$ appears in one term of the sum: $\partial (\lambda \sum W_{kl}^2) / \partial
# W_{ij} = 2\lambda W_{ij}$, so $\nabla_W J = \nabla_W J_{loss} + 2\lambda W$. One step with step size $\eta$:
#
# $$W_t = W_{t-1} - \eta\,\big(\nabla_W J_{loss} + 2\lambda W_{t-1}\big) = (1 - 2\lambda\eta)\, W_{t-1} - \eta\, \nabla_W J_{loss}.$$
#
# Before the usual step, every weight is multiplied by $1 - 2\lambda\eta < 1$. For L1, $d|w|/dw = +1$ for $w > 0$ and
# $-1$ for $w < 0$, so the gradient is $\lambda\,\mathrm{sign}(W) = \lambda W / |W|$ entry by entry: a pull of the
# same size $\lambda$ on every weight, large or small, which drives small weights to exactly 0 (sparsity), while L2's
# pull $2\lambda W$ fades as a weight shrinks.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "weight_decay_answer", "locked": false, "schema_version": 3, "solution": true}
l2_grad = """
### BEGIN SOLUTION
2 * lam * W
### END SOLUTION
"""
decay_factor = """
### BEGIN SOLUTION
1 - 2 * lam * eta
### END SOLUTION
"""
l1_subgrad = """
### BEGIN SOLUTION
lam * W / abs(W)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_weight_decay", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=611)
### END HIDDEN TESTS
grade("a6.weight_decay")

# %% [markdown]
# **Q2.** Write `l2_penalty(W, lam)` returning the pair `(value, grad)`: the float $\lambda\lVert W\rVert^2$ and its
# gradient with respect to `W` (your `l2_grad`), an array of the shape of `W`. Two lines.

# %% nbgrader={"grade": false, "grade_id": "l2_penalty", "locked": false, "schema_version": 3, "solution": true}
def l2_penalty(W, lam):
    """The L2 penalty of a weight matrix. W: array (any shape); lam >= 0.

    Returns (value, grad): the float lam * ||W||^2 and its gradient with respect to W, an array shaped like W.
    """
    ### BEGIN SOLUTION
    return lam * float(np.sum(W ** 2)), 2 * lam * W
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_l2_penalty", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=601)
### END HIDDEN TESTS
grade("a6.l2_penalty")

# %% [markdown]
# **The decay factor in numbers.** Take one plain gradient step with your penalty when the data gradient is
# zero: the weights must come out multiplied by exactly your `decay_factor`.
#
# In the experiments we train with Adam, which divides each gradient entry by a running average of its size;
# there the penalty's gradient term is rescaled too, so the shrinking is no longer the uniform factor above (the
# variant that applies the factor directly, outside Adam's rescaling, is known as *decoupled* weight decay,
# AdamW). The penalty still pulls every weight towards 0, as the right-hand plot shows.

# %%
with when_ready():
    W = np.random.default_rng(3).normal(size=(4, 3))
    lam, eta = 0.05, 0.1
    W_next = W - eta * l2_penalty(W, lam)[1]  # one SGD step with a zero data gradient
    print(f"W_next / W = {np.unique(np.round(W_next / W, 12))} for lam = {lam}, eta = {eta}")

    decay_net = make_net()
    results["weight decay"] = run(decay_net, lam=3e-3)
    compare(results["weight decay"], r"weight decay $\lambda = 0.003$", "weight decay")

    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for name in ("no regularization", "weight decay"):
        ax.plot(np.arange(1, EPOCHS + 1), results[name]["weight_norm"], label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$\sqrt{\sum_\ell \|W_\ell\|^2}$")
    ax.set_title("size of the weights")
    ax.legend(fontsize="small")
    plt.show()

# %% [markdown]
# ## 3. Early stopping
#
# The longer we train, the more time the network has to memorize the noise of its training set. Early
# stopping watches the loss on the **validation** set after every epoch, and
# - keeps a copy of the weights whenever the validation loss reaches a new minimum;
# - counts the epochs since the last improvement, and stops when that count reaches a *patience*
#   (one bad epoch may be noise, several in a row are a trend);
# - puts the saved weights back: we return the network of the best epoch, not the last one.
#
# The validation set thus chooses the number of epochs, a hyper-parameter, on data the weights are not fitted
# to.
#
# **Q3.** Write `train_with_early_stopping(model, train_epoch, val_loss, max_epochs, patience)`. It calls
# `train_epoch(model)` and then `val_loss(model)` (a float) once per epoch, for at most `max_epochs` epochs.
# - An epoch **improves** when its validation loss is *strictly* below the best so far. Then save **copies**
#   (`np.copy`) of every array in `model.params` and `model.buffers` (a buffer holds untrained state such as
#   batch norm's running averages); training may change the arrays in place, so saving references is not
#   enough.
# - Stop after `patience` epochs in a row without improvement.
# - Before returning, write the saved values back into the model: `model.params[name][...] = saved` works for
#   both dicts.
#
# Return `(best_epoch, val_losses)`: the epoch (counted from 1) with the lowest validation loss, and the list
# of the validation losses of all the epochs that ran. About fifteen lines.

# %% nbgrader={"grade": false, "grade_id": "train_with_early_stopping", "locked": false, "schema_version": 3, "solution": true}
def train_with_early_stopping(model, train_epoch, val_loss, max_epochs=100, patience=5):
    """Train until the validation loss stops improving; restore the best weights. Returns (best_epoch, losses)."""
    ### BEGIN SOLUTION
    best, best_epoch, wait, saved, losses = np.inf, 0, 0, None, []
    for epoch in range(1, max_epochs + 1):
        train_epoch(model)
        loss = val_loss(model)
        losses.append(loss)
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
            saved = {group: {name: np.copy(value) for name, value in getattr(model, group).items()}
                     for group in ("params", "buffers")}
        else:
            wait += 1
            if wait >= patience:
                break
    for group, values in (saved or {}).items():
        for name, value in values.items():
            getattr(model, group)[name][...] = value
    return best_epoch, losses
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_early_stopping", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=602)
### END HIDDEN TESTS
grade("a6.early_stopping")

# %% [markdown]
# Early stopping on the unregularized network, with a short and a long patience. The history keeps the curves
# of every epoch that ran; at the end we check that the model really is the one of the best epoch.

# %%
def early_stopping_run(patience):
    model, history, rng = make_net(), {}, np.random.default_rng(0)

    def one_epoch(m):
        train_epoch(m, rng)
        record(m, history)

    best_epoch, val_losses = train_with_early_stopping(model, one_epoch, lambda m: history["val_loss"][-1],
                                                       max_epochs=EPOCHS, patience=patience)
    restored = {}
    record(model, restored)
    print(f"patience {patience:2d}: stopped after {len(val_losses)} epochs, best epoch {best_epoch} (validation "
          f"loss {val_losses[best_epoch - 1]:.3f}, accuracy {history['val_acc'][best_epoch - 1]:.1%}); the restored "
          f"model has validation loss {restored['val_loss'][0]:.3f}")
    return best_epoch, val_losses, history


with when_ready():
    fig, ax = plt.subplots(figsize=(7, 3.8))
    base = results["no regularization"]
    ax.plot(np.arange(1, EPOCHS + 1), base["val_loss"], color="gray", alpha=0.5, ls="--",
            label="validation, trained to the end")
    for patience, color in ((3, "tab:red"), (15, "tab:green")):
        best_epoch, val_losses, history = early_stopping_run(patience)
        ax.plot(np.arange(1, len(val_losses) + 1), val_losses, color=color, label=f"patience {patience}")
        ax.axvline(best_epoch, color=color, lw=1, label=f"best epoch {best_epoch} (restored)")
        ax.axvline(len(val_losses), color=color, lw=1, ls=":", label=f"stopped at epoch {len(val_losses)}")
    results["early stopping"] = {k: v[:best_epoch] for k, v in history.items()}
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation cross-entropy")
    ax.set_title("early stopping returns the network of the lowest validation loss seen")
    ax.legend(fontsize="small", ncol=2)
    plt.show()

# %% [markdown]
# Read the printed lines with the plot. In runs of this notebook the validation loss reaches a first minimum
# within the first few epochs, before the network has fitted its training slice, then bumps up while the training
# loss collapses and settles on a long, slowly falling plateau. A short patience stops on that bump and restores
# an early network whose *accuracy* can be poor: the loss minimum and the accuracy maximum need not coincide. A
# long patience rides out the bump and stops in the plateau, with about the accuracy of the network trained to
# the end in fewer epochs. Patience is a hyper-parameter too,
# chosen by looking at such curves.

# %% [markdown]
# ## 4. Perturbing the inputs
#
# If the training images are slightly different every time the network sees them, it cannot memorize their
# exact pixels: only the patterns that survive the perturbation are worth learning. The simplest
# perturbation adds independent **zero-mean Gaussian noise** to every input value while training,
#
# $$\tilde x_{ij} = x_{ij} + \sigma\,\epsilon_{ij}, \qquad \epsilon_{ij} \sim \mathcal N(0, 1).$$
#
# Zero mean means it does not bias the data up or down on average; the normal distribution is symmetric
# ($+2\sigma$ as likely as $-2\sigma$); $\sigma$ sets how strong it is. Too much noise drowns the real
# patterns, so $\sigma$ is a hyper-parameter. At prediction time the input is used as it is. The noise does
# not depend on $x$, so the backward pass is the identity: $\partial L/\partial x = \partial L / \partial \tilde x$.
#
# **Q4.** Write `add_input_noise(x, sigma, train=True, rng=None)`: with `train=True` return `x` plus noise drawn
# from `rng` (a `numpy.random.Generator`: use `rng.standard_normal(x.shape)`), otherwise `x` itself. Draw from
# `rng`, not from `np.random`, so that a seeded run is reproducible. Two or three lines.

# %% nbgrader={"grade": false, "grade_id": "add_input_noise", "locked": false, "schema_version": 3, "solution": true}
def add_input_noise(x, sigma, train=True, rng=None):
    """Gaussian input noise. x: array (any shape); sigma >= 0; train: bool; rng: a numpy Generator (or a seed).

    Returns an array shaped like x: noisy while training, x itself at prediction time.
    """
    ### BEGIN SOLUTION
    if not train:
        return x
    rng = np.random.default_rng(rng)
    return x + sigma * rng.standard_normal(x.shape)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_input_noise", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=603)
### END HIDDEN TESTS
grade("a6.input_noise")

# %%
class InputNoise(layers.Layer):
    """Your add_input_noise as a layer: noisy while training, the identity at prediction time."""

    def __init__(self, sigma, seed=0):
        super().__init__()
        self.sigma, self.rng = sigma, np.random.default_rng(seed)

    def forward(self, x, train=True):
        return add_input_noise(x, self.sigma, train, self.rng)

    def backward(self, dout):
        return dout


with when_ready():
    noisy = add_input_noise(X_small[:4], 1.0, True, np.random.default_rng(0))
    fig, axes = plt.subplots(2, 4, figsize=(7, 3.6))
    for k in range(4):
        axes[0, k].imshow(X_small[k].reshape(8, 8), cmap="gray_r")
        axes[1, k].imshow(noisy[k].reshape(8, 8), cmap="gray_r")
        for row in range(2):
            axes[row, k].axis("off")
    axes[0, 0].set_title("standardized input", loc="left", fontsize="small")
    axes[1, 0].set_title(r"with noise $\sigma = 1$", loc="left", fontsize="small")
    plt.show()
    results["input noise"] = run(make_net(noise=1.0))
    compare(results["input noise"], r"input noise $\sigma = 1$", "Gaussian input noise")

# %% [markdown]
# ## 5. Dropout
#
# Instead of perturbing the data we can perturb the **network**: at every training step each hidden unit is
# switched off (its activation set to 0) with probability $p$, independently, and a different random set of
# units is dropped at the next step. No unit can rely on a few particular partners being present, so the
# responsibility for the answer is shared among many units; and the network that is trained changes at every
# step, which makes exact memorization hard. (The lecture's slides drop about half of the units, $p = 0.5$.)
#
# **Keeping the expectation.** A unit with activation $a$ contributes, after dropout, $a$ with probability
# $1 - p$ and $0$ with probability $p$: on average $(1-p)\,a$. At prediction time we use every unit, so the
# next layer would suddenly receive inputs $1/(1-p)$ times larger than during training. Two equivalent fixes:
# - **the lecture's**: train with the plain 0/1 mask, and after training multiply the outgoing weights by the
#   keep probability $1-p$ (in the notes' wording, where $p$ is the share of *active* units, "multiply the
#   weights by $p$");
# - **inverted dropout** (what we implement): scale the kept units up by $1/(1-p)$ during training,
#   $\text{out} = a \cdot m / (1-p)$ with $m \in \{0, 1\}$, so that $E[\text{out}] = (1-p)\,a/(1-p) = a$; then
#   prediction needs no change at all.
#
#
# **Q5.** Write `dropout_forward(x, p, train=True, rng=None)` returning `(out, mask)`. While training, draw
# `keep = rng.random(x.shape) >= p` (each unit kept with probability $1-p$), form the scaled mask
# `keep / (1 - p)` and return `(x * mask, mask)`. At prediction time return `(x, None)`. Three or four lines.

# %% nbgrader={"grade": false, "grade_id": "dropout_forward", "locked": false, "schema_version": 3, "solution": true}
def dropout_forward(x, p, train=True, rng=None):
    """Inverted dropout with drop probability p. x: array (any shape); rng: a numpy Generator (or a seed).

    Returns (out, mask) with mask the scaled mask out was computed with, both shaped like x; (x, None) at
    prediction time.
    """
    ### BEGIN SOLUTION
    if not train:
        return x, None
    rng = np.random.default_rng(rng)
    mask = (rng.random(x.shape) >= p) / (1.0 - p)
    return x * mask, mask
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dropout_forward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=604)
### END HIDDEN TESTS
grade("a6.dropout_forward")

# %% [markdown]
# **Backward.** The forward pass stored the mask it used.
#
# **Q6 (derive).** Write $\partial L/\partial x$ for inverted dropout in training mode, as a matrix expression in
# `G` (the upstream gradient $\partial L/\partial\,\text{out}$, shape `(n, d)`), `m` (the 0/1 mask of kept units,
# shape `(n, d)`) and `p`, in `dropout_dx`. Products entry by entry are `*`.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* Entry by entry, $\text{out}_{ij} = x_{ij}\, m_{ij}/(1-p)$, with the mask a constant of this
# forward pass; each output depends on one input only, so $\partial L/\partial x_{ij} = G_{ij}\, m_{ij}/(1-p)$,
# i.e. `G * m / (1 - p)`: the gradient flows only through the kept units, with the same scale as the forward pass.
# With the scaled mask $M = m/(1-p)$ stored, that is `dout * M`.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "dropout_gradient_answer", "locked": false, "schema_version": 3, "solution": true}
dropout_dx = """
### BEGIN SOLUTION
G * m / (1 - p)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_dropout_gradient", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=612)
### END HIDDEN TESTS
grade("a6.dropout_gradient")

# %% [markdown]
# **Q7.** Write `dropout_backward(dout, mask)` with the `mask` your `dropout_forward` returned (already scaled), or
# `None` at prediction time. It returns $\partial L/\partial x$, shaped like `dout`. One line.

# %% nbgrader={"grade": false, "grade_id": "dropout_backward", "locked": false, "schema_version": 3, "solution": true}
def dropout_backward(dout, mask):
    """Backward pass of inverted dropout. dout: dL/dout; mask: the scaled mask of the forward pass, or None.

    Returns dL/dx, shaped like dout.
    """
    ### BEGIN SOLUTION
    return dout if mask is None else dout * mask
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dropout_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=605)
### END HIDDEN TESTS
grade("a6.dropout_backward")

# %% [markdown]
# **The two schemes compute the same function, but they do not train the same.** Take hidden activations `h`
# feeding a layer. Train the lecture's way with weights $W_s$ and a 0/1 mask, and the inverted way with weights
# $W_i = (1-p) W_s$ and the mask scaled by $1/(1-p)$: with the same mask, the layer computes exactly the same
# thing during training, $(h \odot m) W_s = (h \odot m/(1-p))\,(1-p) W_s$, and at prediction time the lecture
# multiplies its weights by $1 - p$ and so uses $(1-p) W_s = W_i$, as the inverted network does.
#
# The *gradients* differ, though. The inverted layer's input is $1/(1-p)$ times larger, so its weight gradient is
# $1/(1-p)$ times the lecture's; and a step on $W_s$ moves the prediction-time weights $(1-p) W_s$ by only $1-p$
# times that step. With the same step size $\eta$, one step of the inverted network therefore moves the
# prediction-time weights $1/(1-p)^2$ times as far (4 times for $p = 0.5$): the two are the same model with
# different parametrizations, and gradient descent is not invariant to a change of parametrization. Their step
# sizes would have to differ by $(1-p)^2$ to follow the same path, and weight decay, which penalizes $W_s$ or
# $W_i$, pulls with a different strength too. The cell below checks the forward identities, then takes one SGD
# step on each with the same mask and the same upstream gradient. Finally, averaging many dropout passes gives
# back the prediction-time output: the expectation is kept.

# %%
class Dropout(layers.Layer):
    """Your dropout as a layer (a new mask at every training forward pass)."""

    def __init__(self, p, seed=0):
        super().__init__()
        self.p, self.rng = p, np.random.default_rng(seed)

    def forward(self, x, train=True):
        out, self.mask = dropout_forward(x, self.p, train, self.rng)
        return out

    def backward(self, dout):
        return dropout_backward(dout, self.mask)


rng = np.random.default_rng(5)
h, W_s, p = rng.random((6, 8)), rng.normal(size=(8, 3)), 0.5
m = rng.random(h.shape) >= p
W_i = (1 - p) * W_s
print("training, same mask:    ", np.allclose((h * m) @ W_s, (h * m / (1 - p)) @ W_i))
print("prediction:             ", np.allclose(h @ ((1 - p) * W_s), h @ W_i))
G_up, eta = rng.normal(size=(6, 3)), 0.1  # an upstream gradient dL/d(layer output), and a step size
W_s_next = W_s - eta * (h * m).T @ G_up  # one SGD step, the lecture's way
W_i_next = W_i - eta * (h * m / (1 - p)).T @ G_up  # one SGD step, inverted dropout
move_s, move_i = (1 - p) * W_s_next - W_i, W_i_next - W_i  # how far the prediction-time weights moved
print("after one step, same prediction-time weights:", np.allclose((1 - p) * W_s_next, W_i_next),
      f"(the inverted step is {np.linalg.norm(move_i) / np.linalg.norm(move_s):.2f} times longer; "
      f"1 / (1 - p)^2 = {1 / (1 - p) ** 2:g})")
with when_ready():
    draws = [dropout_forward(h, p, True, rng)[0] @ W_i for _ in range(5000)]
    print(f"mean of 5000 dropout passes vs prediction: max difference "
          f"{np.abs(np.mean(draws, axis=0) - h @ W_i).max():.3f} (outputs of size ~{np.abs(h @ W_i).mean():.1f})")
    results["dropout"] = run(make_net(dropout=0.5))
    compare(results["dropout"], "dropout p = 0.5", "dropout")

# %% [markdown]
# ## 6. Covariate shift and batch normalization
#
# **Covariate shift** is a change in the distribution of a model's inputs: a model fitted to one distribution
# becomes outdated when its inputs drift. Inside a network it happens all the time. Gradient descent updates
# every layer at once; after a step, layer 1 maps the same image to a different activation, so layer 2 now
# receives inputs from a distribution it was not trained on. Layer 2 must keep learning its task *and* chase
# the moving statistics of its inputs (if layer 1's outputs shrink, layer 2 has to grow its weights to
# compensate). This is **internal covariate shift**, and it was the motivation for normalizing each layer's
# inputs.
#
# **Batch normalization** standardizes each pre-activation feature over the mini-batch. The lecture writes
# $Z_{ij}$ for feature $i$ of sample $j$ of a batch of $K$ samples; with rows as samples our `x` is $Z^T$, of
# shape `(n, d)`, and for every feature (column) $j$:
#
# $$\mu_j = \frac1n \sum_{i=1}^n x_{ij}, \qquad \sigma_j^2 = \frac1n \sum_{i=1}^n (x_{ij}-\mu_j)^2, \qquad
# \hat x_{ij} = \frac{x_{ij} - \mu_j}{\sqrt{\sigma_j^2 + \epsilon}}.$$
#
# Each feature of $\hat x$ now has mean 0 and variance 1 over the batch, whatever the earlier layers do, and
# differences between samples survive (a sample that stood out still stands out). The small $\epsilon$ keeps
# the division finite for a constant feature (the notes divide by $\sigma_j + \epsilon$; $\sqrt{\sigma_j^2+\epsilon}$
# is the usual form and differs only in where the small constant goes).
#
# Forcing mean 0 and variance 1 would restrict the network, so a learned **scale and shift** per feature
# ($G$ and $B$ in the notes) give it back the choice:
#
# $$\text{out}_{ij} = \gamma_j\, \hat x_{ij} + \beta_j .$$
#
# With $\gamma_j = \sigma_j$ and $\beta_j = \mu_j$ the layer could even undo the normalization; what changes is
# that mean and spread are now parameters that gradient descent controls directly. We place batch norm after
# each hidden `Dense` and before its ReLU.
#
# **Prediction time.** A prediction must not depend on which other images happen to share its batch (a batch
# may even hold one image, whose variance is 0). So while training we also keep **running averages** of the
# batch statistics, $\bar\mu \leftarrow m\,\bar\mu + (1-m)\,\mu$ and the same for $\sigma^2$ (momentum
# $m = 0.9$), and at prediction time we standardize with $\bar\mu$ and $\bar\sigma^2$ instead.
#
# **Q8.** Write `batchnorm_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5)` returning
# `(out, cache, new_running)`:
# - `running` is a dict `{"mean": (d,), "var": (d,)}`; do not modify it, return the new one;
# - training: batch statistics (`x.mean(axis=0)`, `x.var(axis=0)`), new running averages as above;
# - prediction: standardize with `running["mean"]` and `running["var"]`, and return `running` unchanged;
# - `cache = (xhat, inv_std, gamma)` with `inv_std` $= 1/\sqrt{\sigma^2 + \epsilon}$ of shape `(d,)`: exactly
#   these three, in this order (the backward pass and the grader read them). About ten lines.

# %% nbgrader={"grade": false, "grade_id": "batchnorm_forward", "locked": false, "schema_version": 3, "solution": true}
def batchnorm_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    """Batch normalization of x (n, d); gamma, beta (d,); running {"mean": (d,), "var": (d,)} (not modified).

    Returns (out (n, d), cache = (xhat (n, d), inv_std (d,), gamma), new running averages as a new dict).
    """
    ### BEGIN SOLUTION
    if train:
        mu, var = x.mean(axis=0), x.var(axis=0)
        running = {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                   "var": momentum * running["var"] + (1 - momentum) * var}
    else:
        mu, var = running["mean"], running["var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma), running
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_forward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=606)
### END HIDDEN TESTS
grade("a6.batchnorm_forward")

# %% [markdown]
# ### Backward through the batch statistics
#
# In training mode every sample of the batch enters $\mu$ and $\sigma^2$, which every output uses: $x_{kj}$ reaches
# $\hat x_{ij}$ along **three paths**, directly, through the mean $\mu_j$ and through the variance $\sigma_j^2$.
# Each feature (column) is handled on its own, and $\partial L/\partial x$ is the sum of the three contributions.
#
# **Q9 (derive).** Work out each path's contribution to $\partial L/\partial x$, and $\partial L/\partial \gamma$,
# as matrix expressions in these names (shapes for a batch of `n` samples and `d` features):
#
# | name | what | shape |
# |---|---|---|
# | `G` | the upstream gradient $\partial L/\partial\,\text{out}$ | `(n, d)` |
# | `gamma` | the scale $\gamma$ | `(d,)` |
# | `Xh` | the normalized batch $\hat x$ | `(n, d)` |
# | `sigma` | $\sqrt{\sigma^2 + \epsilon}$, one per feature | `(d,)` |
# | `s` | $1/\sqrt{\sigma^2 + \epsilon}$ (so `s = 1 / sigma`) | `(d,)` |
# | `n` | the batch size | a number |
#
# Use `*` and `/` entry by entry (a `(d,)` array broadcasts along the rows), `sum(..., axis=0)` or
# `mean(..., axis=0)` over the batch. The answers are checked on real batches, where $\hat x$ has mean 0 and
# variance $\sigma^2/(\sigma^2+\epsilon) \approx 1$ per feature, so write $x - \mu$ with $\hat x$.
# 1. `bn_direct`: the contribution of the direct path ($\mu$ and $\sigma^2$ held fixed), shape `(n, d)`;
# 2. `bn_through_mean`: the contribution of the path through $\mu$; it is the same for every sample, so shape
#    `(d,)` (or `(n, d)`) is fine;
# 3. `bn_through_var`: the contribution of the path through $\sigma^2$, shape `(n, d)` (the part of
#    $\partial\sigma^2/\partial x_k$ that goes through $\mu$ adds up to zero);
# 4. `bn_dgamma`: $\partial L/\partial\gamma$, shape `(d,)`.

# %% [markdown]
# **Your working.** Use this cell for your derivation if you like (double-click to edit); it is not graded.
#
# ### BEGIN SOLUTION
# *Worked derivation.* Write $g_{ij} = \partial L/\partial \hat x_{ij} = G_{ij}\,\gamma_j$ and
# $s_j = 1/\sqrt{\sigma_j^2+\epsilon}$, and drop the feature index $j$. With $\partial\mu/\partial x_k = 1/n$ and
# $\partial\sigma^2/\partial x_k = 2(x_k-\mu)/n$ (the term through $\mu$ inside $\sigma^2$ is
# $-\frac2n\sum_i (x_i - \mu) = 0$):
#
# 1. **directly**, $\hat x_k = (x_k - \mu)\,s$: contributes $g_k\, s$;
# 2. **through the mean**: $\partial \hat x_i/\partial\mu = -s$ for every $i$, so
#    $\frac{\partial L}{\partial \mu}\frac{\partial \mu}{\partial x_k} = -\frac{s}{n}\sum_i g_i$;
# 3. **through the variance**: $\partial \hat x_i/\partial\sigma^2 = -\tfrac12 (x_i-\mu)\, s^3$, so
#    $\frac{\partial L}{\partial \sigma^2}\frac{\partial \sigma^2}{\partial x_k}
#    = -\tfrac12 s^3 \sum_i g_i (x_i-\mu) \cdot \frac{2(x_k-\mu)}{n} = -\frac{s}{n}\,\hat x_k \sum_i g_i \hat x_i$.
#
# Adding the three paths:
#
# $$\frac{\partial L}{\partial x_k} = s\,\Big(g_k - \frac1n\sum_i g_i - \hat x_k\,\frac1n \sum_i g_i\,\hat x_i\Big),
# \qquad \frac{\partial L}{\partial\gamma} = \sum_i G_i\,\hat x_i, \qquad \frac{\partial L}{\partial \beta} = \sum_i G_i .$$
#
# As answers: `G * gamma * s`, `-s * mean(G * gamma, axis=0)`, `-s * Xh * mean(G * gamma * Xh, axis=0)` and
# `sum(G * Xh, axis=0)`. In code, with means over the batch axis:
# `dx = inv_std * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))` where `dxhat = dout * gamma`.
# A consequence worth checking: adding the same constant to a feature of every sample changes nothing after
# normalization, so `dx` sums to zero over the batch for each feature.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "batchnorm_paths_answer", "locked": false, "schema_version": 3, "solution": true}
bn_direct = """
### BEGIN SOLUTION
G * gamma * s
### END SOLUTION
"""
bn_through_mean = """
### BEGIN SOLUTION
-s * mean(G * gamma, axis=0)
### END SOLUTION
"""
bn_through_var = """
### BEGIN SOLUTION
-s * Xh * mean(G * gamma * Xh, axis=0)
### END SOLUTION
"""
bn_dgamma = """
### BEGIN SOLUTION
sum(G * Xh, axis=0)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_paths", "locked": true, "points": 7, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=613)
### END HIDDEN TESTS
grade("a6.batchnorm_paths")

# %% [markdown]
# **Q10.** Write `batchnorm_backward(dout, cache)` for the training mode, with `cache = (xhat, inv_std, gamma)`
# from Q8: your Q9 results in code. Return `(dx, dgamma, dbeta)` of shapes `(n, d)`, `(d,)`, `(d,)`. About five
# lines.

# %% nbgrader={"grade": false, "grade_id": "batchnorm_backward", "locked": false, "schema_version": 3, "solution": true}
def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization in training mode. dout: dL/dout (n, d); cache = (xhat, inv_std, gamma).

    Returns (dx (n, d), dgamma (d,), dbeta (d,)).
    """
    ### BEGIN SOLUTION
    xhat, inv_std, gamma = cache
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=607)
### END HIDDEN TESTS
grade("a6.batchnorm_backward")

# %% [markdown]
# **Your own gradient check, and why the upstream gradient must be random.** Below we compare your backward
# pass with central differences of your forward pass, once with a random `dout` and once with `dout` all ones.
# With all ones, $L = \sum_{ij}\text{out}_{ij} = \sum_j (\gamma_j \sum_i \hat x_{ij} + n\beta_j)$, and
# $\sum_i \hat x_{ij} = 0$ always: $L$ does not depend on $x$, so the true `dx` is zero, and a "backward pass"
# that returns zeros would pass that check. A random `dout` leaves nowhere to hide.

# %%
with when_ready():
    rng = np.random.default_rng(7)
    x, gamma, beta = rng.normal(2.0, 3.0, size=(8, 4)), rng.uniform(0.5, 2, 4), rng.normal(size=4)
    fresh = {"mean": np.zeros(4), "var": np.ones(4)}
    forward = lambda z: batchnorm_forward(z, gamma, beta, fresh, True)[0]
    cache = batchnorm_forward(x, gamma, beta, fresh, True)[1]
    for name, dout in (("random dout", rng.normal(size=x.shape)), ("all-ones dout", np.ones(x.shape))):
        dx = batchnorm_backward(dout, cache)[0]
        numerical = numerical_gradient_array(forward, x.copy(), dout)
        print(f"{name:14s} your dx vs numerical: {rel_error(dx, numerical):.1e}; "
              f"a backward returning zeros: {rel_error(np.zeros_like(dx), numerical):.1e}; "
              f"largest |numerical dx| = {np.abs(numerical).max():.1e}")


# %% [markdown]
# Now batch norm in the network, and a look at internal covariate shift: how the inputs of the second hidden
# layer (what layer 1 hands over) move while training, without and with batch norm. The second plot
# follows the mean and spread over validation images of the pre-activations entering the second ReLU;
# with batch norm it is whatever $\beta$ chooses it to be, no longer a side effect of layer 1's updates.

# %%
class BatchNorm(layers.Layer):
    """Your batch normalization as a layer: gamma and beta are parameters, the running averages buffers."""

    def __init__(self, d, momentum=0.9):
        super().__init__()
        self.momentum = momentum
        self.params = {"gamma": np.ones(d), "beta": np.zeros(d)}
        self.grads = {"gamma": np.zeros(d), "beta": np.zeros(d)}
        self.buffers = {"running_mean": np.zeros(d), "running_var": np.ones(d)}

    def forward(self, x, train=True):
        running = {"mean": self.buffers["running_mean"], "var": self.buffers["running_var"]}
        out, self.cache, new = batchnorm_forward(x, self.params["gamma"], self.params["beta"], running, train,
                                                 self.momentum)
        self.buffers["running_mean"][...], self.buffers["running_var"][...] = new["mean"], new["var"]
        return out

    def backward(self, dout, input_grad=True):
        dx, self.grads["gamma"], self.grads["beta"] = batchnorm_backward(dout, self.cache)
        return dx


with when_ready():
    bn_net = make_net(norm=BatchNorm)
    results["batch norm"] = run(bn_net)
    compare(results["batch norm"], "batch norm", "batch normalization")
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for name in ("no regularization", "batch norm"):
        stats = np.array(results[name]["layer2"])
        epochs = np.arange(1, len(stats) + 1)
        ax.plot(epochs, stats[:, 0], label=f"{name}: mean")
        ax.fill_between(epochs, stats[:, 0] - stats[:, 1], stats[:, 0] + stats[:, 1], alpha=0.15,
                        label=f"{name}: mean ± std")
    ax.set_xlabel("epoch")
    ax.set_ylabel("pre-activation of layer 2")
    ax.set_title("what the second layer's ReLU receives (validation images)")
    ax.legend(fontsize="small")
    plt.show()
    one = bn_net.forward(X_val[:1], train=False)
    print("prediction mode: image 0 alone and in the full batch give the same scores:",
          np.allclose(one, bn_net.forward(X_val, train=False)[:1]))

# %% [markdown]
# Batch norm's noise is a regularizer too: the mean and variance of each mini-batch are a little different
# every time, so each sample is normalized slightly differently at every epoch, a perturbation of the data
# much like the input noise of section 4.
#
# ## 7. Layer normalization
#
# Batch norm couples the samples of a batch and needs running averages for prediction. **Layer normalization**
# standardizes each sample over its **own** features instead: for sample $i$ with $d$ features,
#
# $$\mu_i = \frac1d \sum_{j=1}^d x_{ij}, \qquad \sigma_i^2 = \frac1d \sum_j (x_{ij}-\mu_i)^2, \qquad
# \text{out}_{ij} = \gamma_j\, \frac{x_{ij}-\mu_i}{\sqrt{\sigma_i^2+\epsilon}} + \beta_j .$$
#
# Nothing is shared between samples, so training and prediction compute the same function and a batch of one
# is fine. Its backward pass follows the same three paths as batch norm's, within each sample (Q12).
#
# **Q11.** Write `layernorm_forward(x, gamma, beta, eps=1e-5)` returning `(out, cache)` with
# `cache = (xhat, inv_std, gamma)`, `inv_std` of shape `(n, 1)` (use `keepdims=True`). Four lines.

# %% nbgrader={"grade": false, "grade_id": "layernorm_forward", "locked": false, "schema_version": 3, "solution": true}
def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Layer normalization of each row of x (n, d); gamma, beta (d,).

    Returns (out (n, d), cache = (xhat (n, d), inv_std (n, 1), gamma)).
    """
    ### BEGIN SOLUTION
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_layernorm_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=608)
### END HIDDEN TESTS
grade("a6.layernorm_forward")

# %% [markdown]
# **Q12 (derive).** Redo Q9's reasoning for layer normalization and write $\partial L/\partial x$, the sum of the
# three paths, in `ln_dx`, and $\partial L/\partial\gamma$ in `ln_dgamma`. The names are Q9's, with the shapes of
# layer norm: `G`, `Xh` of shape `(n, d)`, `gamma` of shape `(d,)`, `sigma` and `s` of shape `(n, 1)` (one per
# sample), and `d`, the number of features, in place of `n`. `mean(..., axis=1, keepdims=True)` keeps a column
# that broadcasts along each row. Think about what is *not* just a change of axis.

# %% [markdown]
# **Your working.** (not graded)
#
# ### BEGIN SOLUTION
# *Worked derivation.* The three paths are the same, within one sample $i$ over its $d$ features: with
# $g_{ij} = G_{ij}\gamma_j$,
# $\partial L/\partial x_{ij} = s_i\big(g_{ij} - \frac1d\sum_k g_{ik} - \hat x_{ij}\frac1d\sum_k g_{ik}\hat x_{ik}\big)$.
# What is not an axis change: in batch norm $\gamma_j$ is constant along the averaged axis (the batch) and could be
# taken out of the means; here the mean runs over the features $j$, along which $\gamma_j$ varies, so the product
# $G\gamma$ must be formed *before* averaging. And $\gamma$ is still shared by all samples, so
# $\partial L/\partial\gamma = \sum_i G_{ij}\hat x_{ij}$ still sums over the batch (axis 0), across the axis of the
# statistics. As answers: `s * (G * gamma - mean(G * gamma, axis=1, keepdims=True) - Xh * mean(G * gamma * Xh,
# axis=1, keepdims=True))` and `sum(G * Xh, axis=0)`.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "layernorm_gradient_answer", "locked": false, "schema_version": 3, "solution": true}
ln_dx = """
### BEGIN SOLUTION
s * (G * gamma - mean(G * gamma, axis=1, keepdims=True) - Xh * mean(G * gamma * Xh, axis=1, keepdims=True))
### END SOLUTION
"""
ln_dgamma = """
### BEGIN SOLUTION
sum(G * Xh, axis=0)
### END SOLUTION
"""

# %% nbgrader={"grade": true, "grade_id": "test_layernorm_gradient", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=614)
### END HIDDEN TESTS
grade("a6.layernorm_gradient")

# %% [markdown]
# **Q13.** Write `layernorm_backward(dout, cache)` with `cache = (xhat, inv_std, gamma)` from Q11: your Q12
# results in code. Return `(dx, dgamma, dbeta)` of shapes `(n, d)`, `(d,)`, `(d,)`. Four lines.

# %% nbgrader={"grade": false, "grade_id": "layernorm_backward", "locked": false, "schema_version": 3, "solution": true}
def layernorm_backward(dout, cache):
    """Backward pass of layer normalization. dout: dL/dout (n, d); cache = (xhat, inv_std (n, 1), gamma).

    Returns (dx (n, d), dgamma (d,), dbeta (d,)).
    """
    ### BEGIN SOLUTION
    xhat, inv_std, gamma = cache
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True))
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_layernorm_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=609)
### END HIDDEN TESTS
grade("a6.layernorm_backward")

# %%
class LayerNorm(layers.Layer):
    """Your layer normalization as a layer (the same computation in training and prediction)."""

    def __init__(self, d):
        super().__init__()
        self.params = {"gamma": np.ones(d), "beta": np.zeros(d)}
        self.grads = {"gamma": np.zeros(d), "beta": np.zeros(d)}

    def forward(self, x, train=True):
        out, self.cache = layernorm_forward(x, self.params["gamma"], self.params["beta"])
        return out

    def backward(self, dout, input_grad=True):
        dx, self.grads["gamma"], self.grads["beta"] = layernorm_backward(dout, self.cache)
        return dx


with when_ready():
    rng = np.random.default_rng(8)
    x, gamma, beta, dout = rng.normal(1.0, 2.0, (5, 6)), rng.uniform(0.5, 2, 6), rng.normal(size=6), rng.normal(size=(5, 6))
    dx = layernorm_backward(dout, layernorm_forward(x, gamma, beta)[1])[0]
    numerical = numerical_gradient_array(lambda z: layernorm_forward(z, gamma, beta)[0], x.copy(), dout)
    print(f"layer norm dx vs numerical (random dout): {rel_error(dx, numerical):.1e}")
    results["layer norm"] = run(make_net(norm=LayerNorm))
    compare(results["layer norm"], "layer norm", "layer normalization")

# %% [markdown]
# ## 8. All the methods side by side
#
# The final epoch of every run (for early stopping: the restored best epoch). One small training slice and
# one seed, so differences of a percent or two are within the noise of the experiment (one validation image is
# 0.6 %). Look at the size of the gap, and at the validation loss: a regularized network can get the same
# images right while being far less confidently wrong on the others.

# %%
print(f"{'method':20s} {'train acc':>10s} {'val acc':>9s} {'gap':>7s} {'val loss':>9s}")
for name, history in results.items():
    print(f"{name:20s} {history['acc'][-1]:10.1%} {history['val_acc'][-1]:9.1%} "
          f"{history['acc'][-1] - history['val_acc'][-1]:7.1%} {history['val_loss'][-1]:9.3f}")
fig, ax = plt.subplots(figsize=(7, 3.2))
names = list(results)
ax.bar(names, [results[n]["val_acc"][-1] for n in names], color="tab:orange", label="validation")
ax.plot(names, [results[n]["acc"][-1] for n in names], "o", color="tab:blue", label="train")
ax.set_ylim(min(results[n]["val_acc"][-1] for n in names) - 0.05, 1.01)
ax.set_ylabel("final accuracy")
ax.tick_params(axis="x", labelrotation=20)
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 9. Q14: which regularizer, and why? (2 points, graded by hand)
#
# From your table and figures: which methods shrank the train/validation gap the most on this small data set,
# and which cost training accuracy to do it? Explain in three to five sentences why weight decay, input noise
# and dropout each make memorizing 150 images harder, and why early stopping needs a validation set that is
# not used for anything else.

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_methods", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# (A model answer; the numbers of a run vary with the library and the seed, so it reads the table qualitatively.)
# Grade the reading of the student's own table: the methods that shrink the accuracy gap the most are usually
# batch norm and weight decay, with input noise close behind, while dropout and layer norm change the accuracy
# less on 150 images; almost every method lowers the validation *loss* markedly, because the network becomes far
# less confidently wrong on the images it misses; and training accuracy in prediction mode stays near 100 %, since
# 150 clean images remain easy to fit. Weight decay pulls every weight towards 0 unless the data keeps pushing it, so
# the network cannot grow the large, specific weights that fit single images; input noise makes each image a
# little different at every epoch, so only features that survive the noise are worth learning; dropout trains a
# different thinned network at every step, so no unit can rely on a few others to recognize one particular
# image. Early stopping chooses the number of epochs by the validation loss: if that set were also used to fit
# or tune anything else, its loss would be optimistic and the chosen epoch would no longer measure
# generalization. (With one seed and 180 validation images, differences of one or two points are noise.)
# ### END SOLUTION

# %% [markdown]
# ## 10. Q15: normalization at prediction time (2 points, graded by hand)
#
# Why does batch normalization use running averages at prediction time instead of the statistics of the batch
# it is given? What would a batch of a single image produce with batch statistics? Why does layer
# normalization not need running averages at all? Three to five sentences.

# %% [markdown] nbgrader={"grade": true, "grade_id": "reflection_normalization", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# With batch statistics a prediction would depend on which other images share its batch, so the same image
# could get different scores; the running averages are fixed estimates of the statistics over the whole
# training distribution, so prediction becomes a deterministic function of one input. A batch of one image has
# mean equal to the image itself and variance 0, so every normalized feature is 0 and the output is just beta:
# all information is lost. Layer normalization computes its mean and variance over the features of each single
# sample, never across samples, so training and prediction compute exactly the same thing and nothing needs to
# be remembered.
# ### END SOLUTION

# %% [markdown]
# ## What's next
#
# You now have every piece of a modern small network: layers, losses, optimizers and regularizers. Now that you
# have tried every question, walkthrough 6 (sections 3, 5, 6 and 7) has the worked derivations to compare with
# yours. In the capstone (assignment 7) you put the pieces together: a task that no linear model and no single
# hidden layer can solve, where depth, initialization, normalization and regularization each matter, and a hidden
# test set decides how well your network generalizes.
#
# ## Where you stand, and how to hand in
#
# The cell below lists each question with what its public checks said the last time you ran them here, and what
# grading adds (the hidden checks, the written answers). To hand in, save the notebook (File > Save), then submit
# the `.ipynb` file as your course says: from the Assignments tab if you work on the course's JupyterHub, or by
# uploading it to the course's LMS page. Keep its file name.

# %%
summary("a6")
