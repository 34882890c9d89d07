# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 7: capstone, a task that needs the whole course
#
# *Neural networks from first principles.* Everything is on the table now: dense layers and activations,
# softmax and cross-entropy, backpropagation, initialization, the optimizers, normalization and the
# regularizers. This task is built so that none of them is optional. Your job is to build a classifier that
# solves it, tune it honestly on a validation set, and explain what goes wrong when a piece is missing. You may
# use your own pieces from earlier assignments or the library's (`backprop.layers`, `backprop.init`,
# `backprop.optim`, `backprop.train`, `backprop.regularizers`): here nothing is off limits except the labels you
# are not given.
#
# **Learning goals.** After this assignment you can
# - put together a deep network, its initialization, a normalization and a regularizer into one training recipe
#   and tune it on a validation set, changing one thing at a time;
# - tell from training and validation curves whether a model cannot fit the data or fits too much of it;
# - explain, with a plot and numbers, why a model without one of those ingredients fails.
#
# **The task.** Each sample belongs to one of 5 spiral arms that wind twice around a centre. The spiral lives in a
# plane, but you never see that plane: every sample has 8 features, 6 of which are pure noise, and the whole
# vector has been turned by a random rotation, so every feature mixes the spiral with the noise, and every
# direction has about the same spread. A model must find the plane from the labels, follow the arms inside it,
# and ignore six directions that carry nothing.
#
# **How you are graded.** You write one function, `build_and_train(X_train, y_train)`, that trains a model and
# returns a function `predict(X)` giving one label per sample. When your notebook is graded, the grader
# - draws a **secret task** of the same kind: a new rotation and new samples, 4000 for training (handed to your
#   `build_and_train`) and 4000 held out;
# - calls your `predict` on the held-out samples, whose labels you never see, and scores the accuracy;
# - trains your pipeline once more on 400 samples with **shuffled labels**. A pipeline that learns from the data it
#   is given is then at chance level; one that secretly reads labels from elsewhere (a notebook variable, the data
#   generator) is not, and its accuracy points are not awarded.
#
# So `build_and_train` must do **everything** from its two arguments, and must not rely on the rotation of the
# notebook's data (the grader's is another). **Time limit:** 60 s per call, **per thread**: the grader runs your
# notebook on one processor thread, as this notebook does (`threadpool_limits(1)` below). The reference solution
# trains in about 5 s there; aim for at most 15 s.
#
# | question | kind | what you write | points | lecture topic |
# |---|---|---|---|---|
# | Q1 | implement | `build_and_train` | 8 | the whole course: depth, initialization, normalization, regularization; generalization to held-out data |
# | Q2 | explain | a written answer | 3 (graded by hand) | model selection on a validation set |
# | Q3 | explain | a written answer | 3 (graded by hand) | diagnosing a failure: curves, activations, and what they show |
# | Q4 | explain | a written answer | 2 (graded by hand) | what each ingredient contributes |
#
# Q1's 8 points: 1 public (80 % on the validation split below), 1 hidden (it learns from its arguments), and
# 2 + 2 + 2 hidden for at least 93 %, 94.5 % and 95.5 % of the held-out samples right.
#
# **Rules of the game.** Choose and tune only on the validation split below, never on anything else; the held-out
# samples are a fresh draw of the same kind of task, so an honest validation accuracy predicts your hidden score
# to within about a percent. After trying, the walkthroughs on initialization, normalization and regularization
# (course/walkthroughs/) show each ingredient on its own.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
try:
    from autograder import grade, summary, when_ready
except ModuleNotFoundError:
    raise SystemExit("This notebook needs the course's package: install it as the course README says "
                     "(pip install . in the course folder), then restart the kernel.") from None
import time

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from backprop import data, init, layers, optim, train

threadpool_limits(1)  # one BLAS thread, as when graded: the time limit is per thread
# %matplotlib inline

X_train, y_train, P_train = data.spiral_arms(4000, seed=1, world=0, latent=True)
X_val, y_val = data.spiral_arms(2000, seed=2, world=0)
print(f"training {X_train.shape}, validation {X_val.shape}, classes {np.bincount(y_train)}")

# %% [markdown]
# ## 1. The data and a first baseline
#
# On the left, what you are given: two of the eight features, coloured by class. On the right, what is hidden
# inside them: the same samples in the plane of the spiral (the generator can return it, `latent=True`, for this
# plot; the grader's task has another plane, so it is of no use to `build_and_train`).
#
# The helper `evaluate` runs a `build_and_train`-style function on the training split and returns the
# validation accuracy and the seconds it took. The baseline is a **linear** softmax classifier, trained with the
# library's loop. It shows the interface: the features are standardized with statistics of the *training*
# samples only, kept in the closure of `predict` so that new samples are transformed the same way.

# %%
def evaluate(build, X_tr=X_train, y_tr=y_train, X_te=X_val, y_te=y_val):
    """(validation accuracy, seconds) of the pipeline `build` trained on (X_tr, y_tr)."""
    start = time.perf_counter()
    predict = build(X_tr, y_tr)
    return float(np.mean(predict(X_te) == y_te)), time.perf_counter() - start


def linear_baseline(X, y):
    mean, std = X.mean(axis=0), X.std(axis=0)
    model = layers.Sequential(layers.Dense(X.shape[1], 5, rng=0))
    train.fit(model, (X - mean) / std, y, optimizer=optim.adam, config={"lr": 1e-2}, epochs=20, batch_size=64,
              progress=False)
    return lambda X_new: model.forward((X_new - mean) / std, train=False).argmax(axis=1)


fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
axes[0].scatter(X_train[:, 0], X_train[:, 1], c=y_train, s=3, cmap="tab10", vmax=9)
axes[0].set_title("features 0 and 1 (what you get)", fontsize="small")
axes[1].scatter(P_train[:, 0], P_train[:, 1], c=y_train, s=3, cmap="tab10", vmax=9)
axes[1].set_title("the hidden plane (what to find)", fontsize="small")
for ax in axes:
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()
acc, seconds = evaluate(linear_baseline)
print(f"linear baseline: validation accuracy {acc:.1%} in {seconds:.1f} s (chance is 20 %)")

# %% [markdown]
# ## 2. Q1: your classifier
#
# Write `build_and_train(X_train, y_train)`:
# - `X_train` has shape `(n, 8)`, `y_train` shape `(n,)` with labels 0 to 4;
# - it returns a function `predict(X)` that maps an `(m, 8)` array to `m` integer labels;
# - it uses nothing but its arguments (no notebook variables such as `X_val`, no call to the data generator) and
#   fixes its own seeds, so that it gives the same model every time;
# - it trains in at most about 15 s on one thread.
#
# Everything you need was built in assignments 3 to 6; which pieces, and how to set them, is for you to find out.
# Start small, measure on the validation split, change one thing at a time, and keep notes for Q2. When a model
# falls short, look at its training accuracy too: a model that cannot fit the training data and a model that
# fits it too well need opposite remedies.

# %% [markdown]
# A suggestion that pays off in Q2 and Q3: write your pipeline once as `recipe(...)`, a function whose arguments
# switch each ingredient (how deep, how the weights start, whether to normalize, how much to regularize) and
# which returns a `build_and_train`-style function; then `build_and_train` is one call of it, and each variant
# you compare is another. `recipe` is not graded; its stub may stay if you go another way.

# %% nbgrader={"grade": false, "grade_id": "recipe", "locked": false, "schema_version": 3, "solution": true}
def recipe(depth, width, initializer, norm, weight_decay, epochs, lr, X_val=None, y_val=None, history=None):
    """Returns build(X, y) -> predict, a pipeline with each ingredient as an argument (not graded). With X_val,
    y_val and a dict `history`, the per-epoch training and validation curves are stored in `history`."""
    ### BEGIN SOLUTION
    # standardize; [Dense -> LayerNorm -> ReLU] x depth -> Dense; Adam whose step decays along a cosine;
    # mini-batches of 64; L2 weight decay on every weight matrix
    def build(X, y):
        mean, std = X.mean(axis=0), X.std(axis=0)
        rng = np.random.default_rng(0)
        stack, d = [], X.shape[1]
        for _ in range(depth):
            stack.append(layers.Dense(d, width, init=initializer, rng=rng))
            if norm:
                stack.append(layers.LayerNorm(width))
            stack.append(layers.ReLU())
            d = width
        model = layers.Sequential(*stack, layers.Dense(d, 5, init=initializer, rng=rng))
        val = {} if X_val is None else {"X_val": (X_val - mean) / std, "y_val": y_val}
        curves = train.fit(model, (X - mean) / std, y, optimizer=optim.adam, config={"lr": lr}, epochs=epochs,
                           batch_size=64, seed=0, weight_decay=weight_decay, progress=False, **val,
                           lr_schedule=lambda e: lr * 0.5 * (1 + np.cos(np.pi * e / epochs)))
        if history is not None:
            history.update(curves)
        return lambda X_new: model.forward((np.asarray(X_new, dtype=float) - mean) / std, train=False).argmax(axis=1)
    return build
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "build_and_train", "locked": false, "schema_version": 3, "solution": true}
def build_and_train(X_train, y_train):
    """Train a classifier on X_train (n, 8) with labels y_train (n,) in 0..4. Returns predict(X) -> labels (m,)."""
    ### BEGIN SOLUTION
    final = dict(depth=4, width=128, initializer=init.he, norm=True, weight_decay=1e-2, epochs=40, lr=3e-3)
    return recipe(**final)(X_train, y_train)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_build_and_train", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=702)
### END HIDDEN TESTS
grade("a7.build_and_train")

# %% [markdown]
# Your model on the validation split, and how it splits the hidden plane (the plot uses the notebook's plane,
# which only this notebook knows; your model never sees it).

# %%
with when_ready():
    start = time.process_time()
    predict = build_and_train(X_train, y_train)
    print(f"build_and_train took {time.process_time() - start:.1f} s of one thread; "
          f"validation accuracy {np.mean(predict(X_val) == y_val):.1%}")
    guesses = predict(X_train)
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(P_train[:, 0], P_train[:, 1], c=guesses, s=3, cmap="tab10", vmax=9)
    wrong = guesses != y_train
    ax.scatter(P_train[wrong, 0], P_train[wrong, 1], s=12, facecolors="none", edgecolors="k", linewidths=0.6)
    ax.set_title(f"predicted arms, {wrong.sum()} training samples wrong (circled)", fontsize="small")
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    plt.show()

# %% [markdown]
# ## 3. Q2: what you tried
#
# In `compare_variants` below, train the variants you compared (at least four, each changing one thing against
# the one before or against your final model) and print their training and validation accuracy and training
# time as a small table. Then, in the answer cell that follows, say in a few sentences what you tried, in what
# order, and why you kept or dropped each idea. The numbers must come from the validation split, never from the
# held-out set (which you do not have).

# %% nbgrader={"grade": false, "grade_id": "experiments", "locked": false, "schema_version": 3, "solution": true}
def compare_variants():
    """Train each variant on the training split; print training and validation accuracy and seconds."""
    ### BEGIN SOLUTION
    final = dict(depth=4, width=128, initializer=init.he, norm=True, weight_decay=1e-2, epochs=40, lr=3e-3)
    variants = {
        "linear softmax (baseline)": linear_baseline,
        "one hidden layer of 512 (LayerNorm, He, decay)": recipe(**dict(final, depth=1, width=512)),
        "4 x 128, no LayerNorm": recipe(**dict(final, norm=False)),
        "4 x 128, weights started at zero": recipe(**dict(final, initializer=init.zeros)),
        "4 x 128, He, LayerNorm, decay 1e-2 (final)": build_and_train,
    }
    print(f"{'variant':48s} {'train':>7s} {'val':>7s} {'seconds':>8s}")
    for name, build in variants.items():
        start = time.process_time()
        predict_variant = build(X_train, y_train)
        seconds = time.process_time() - start
        print(f"{name:48s} {np.mean(predict_variant(X_train) == y_train):7.1%} "
              f"{np.mean(predict_variant(X_val) == y_val):7.1%} {seconds:8.1f}")
    ### END SOLUTION


with when_ready():
    compare_variants()

# %% [markdown] nbgrader={"grade": true, "grade_id": "what_you_tried", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# (Model answer; the numbers are those of the table above.) The linear baseline is near chance (about 25 %):
# the arms wind around each other, and no hyperplane separates them. One hidden layer, even 512 units wide,
# stays below 40 %, on the training samples too: it cannot fit the arms in this time, so the problem is
# capacity in the right form, not overfitting. Four hidden layers of 128 fit the arms, but only with the other
# ingredients: with the weights started at zero every unit of a layer computes the same thing and stays so, and
# the network is at chance; without LayerNorm the same weight decay of 1e-2 shrinks the weights of the whole
# stack until the signal dies out, also at chance. With He initialization, LayerNorm after each dense layer and
# weight decay 1e-2 it reaches about 96 % on validation in about 5 s. Without the decay it fits the training
# samples better and the validation samples worse (the six noise features are memorized; see Q3). Each line
# changes one thing against the final model, all on the same validation split.
# ### END SOLUTION

# %% [markdown]
# ## 4. Q3: one failure mode, with a plot
#
# Pick **one** way a model of this task fails (for example: no hidden depth, a naive initialization, no
# normalization, no regularization, a step size too large) and show it. In `plot_failure_mode` below, train your
# model and the failing variant, and plot something that shows *why* it fails: training and validation
# accuracy (or loss) per epoch, the spread of each layer's activations or gradients, the weights on the noise
# directions, the predicted arms in the hidden plane. Then, in the answer cell, explain in four to six sentences
# what the plot shows, which mechanism from the course explains it, and what the fix does to that mechanism.

# %% nbgrader={"grade": false, "grade_id": "failure_mode", "locked": false, "schema_version": 3, "solution": true}
def plot_failure_mode():
    """Train the final model and a failing variant; plot what shows the failure."""
    ### BEGIN SOLUTION
    final = dict(depth=4, width=128, initializer=init.he, norm=True, weight_decay=1e-2, epochs=40, lr=3e-3)
    curves = {"with weight decay 1e-2 (final)": {}, "without weight decay": {}}
    recipe(**final, X_val=X_val, y_val=y_val, history=curves["with weight decay 1e-2 (final)"])(X_train, y_train)
    recipe(**dict(final, weight_decay=0.0), X_val=X_val, y_val=y_val,
           history=curves["without weight decay"])(X_train, y_train)
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for (name, h), colour in zip(curves.items(), ("C0", "C3")):
        ax.plot(h["acc"], "--", color=colour, label=f"{name}: training")
        ax.plot(h["val_acc"], "-", color=colour, label=f"{name}: validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0.5, 1.0)
    ax.set_title("the same network with and without weight decay", fontsize="small")
    ax.legend(fontsize="x-small")
    plt.show()
    for name, h in curves.items():
        print(f"{name}: training {h['acc'][-1]:.1%}, validation {h['val_acc'][-1]:.1%} after the last epoch")
    ### END SOLUTION


with when_ready():
    plot_failure_mode()

# %% [markdown] nbgrader={"grade": true, "grade_id": "failure_mode_answer", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Without weight decay the network overfits. Both runs reach about the same training accuracy, but the validation
# curve of the undecayed network stops rising after a few epochs and then falls while its training curve keeps
# climbing: the gap between them is what it learned about these 4000 particular samples and not about spirals.
# The mechanism is the six noise directions: with 128 units a layer can combine them into features that
# single out individual training samples, and nothing stops the weights on those directions from growing. The L2
# penalty adds 2 lambda W to every gradient, so a weight that the data does not keep pushing in one direction
# decays towards zero: the weights on the noise directions, whose gradients change sign from batch to batch, are
# shrunk away, while those on the spiral's plane, pushed the same way by every batch, survive. The fix keeps the
# capacity the arms need and removes the freedom to memorize, which is what the closing gap shows.
# ### END SOLUTION

# %% [markdown]
# ## 5. Q4: what helped most?
#
# Of depth, initialization, normalization and regularization, which mattered most for *your* model, and why on
# this task? Use the numbers of Q2 and Q3. Three to five sentences.

# %% [markdown] nbgrader={"grade": true, "grade_id": "what_helped_most", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Depth is what makes the task solvable at all: one hidden layer stays below 40 % even on its training samples,
# because following arms that wind twice needs many folds of the plane, and stacked ReLU layers fold it
# repeatedly where one layer can only add up bends. But depth alone is not enough: without random initialization
# the units never differ, and without normalization the weight decay that the noise directions call for starves
# the deep stack of signal. LayerNorm keeps each layer's input at a fixed scale whatever the weights' size, which
# is what lets a strong decay act on the directions the data does not need without shutting the network down. So
# the ingredients work as a set: each removed alone costs from a few points to everything.
# ### END SOLUTION

# %% [markdown]
# ## How to hand in
#
# Save the notebook (File > Save), then submit the `.ipynb` file as your course says: on a JupyterHub, from the
# Assignments tab; otherwise, upload it to the course's LMS, keeping its file name. The cell below lists where your
# public checks stand; grading adds the hidden checks (the held-out samples and the shuffled labels) and reads
# your written answers.
#
# You derived, implemented and checked every piece of this classifier yourself: the dense layer and its gradient,
# ReLU, softmax and cross-entropy, backpropagation, initialization, Adam, normalization and weight decay. The same
# pieces, scaled up and arranged differently, are what modern networks are made of.

# %%
summary("a7")
