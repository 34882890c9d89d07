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
# plane, but you never see that plane: every sample has 12 features, and 10 of the 12 directions are pure noise.
# The whole vector has been turned by a random rotation, so every feature mixes the spiral with the noise, and
# then each feature was recorded in its own unit, as real measurements are (one in grams, the next in
# kilometres): the features' sizes differ by factors up to ten thousand, and none is centred on zero. A model must
# find the plane from the labels, follow the arms inside it, and ignore ten directions that carry nothing.
#
# **How you are graded.** You write one function, `build_and_train(X_train, y_train)`, that trains a model and
# returns a function `predict(X)` giving one label per sample. When your notebook is graded, the grader
# - draws a **secret task** of the same kind: a new rotation and new samples, 4000 for training (handed to your
#   `build_and_train`) and 10000 held out, in new units;
# - calls your `predict` on the held-out samples, whose labels you never see, and scores the accuracy;
# - trains your pipeline once more on 400 samples with **shuffled labels**. A pipeline that learns from the data it
#   is given is then at chance level; one that secretly reads labels from elsewhere (a notebook variable, the data
#   generator) is not, and its accuracy points are not awarded.
#
# So `build_and_train` must do **everything** from its two arguments, and must not rely on the rotation or the
# units of the notebook's data (the grader's are others). **Time limit:** 60 s per call, **per thread**: the
# grader runs your notebook on one processor thread, as this notebook does (`threadpool_limits(1)` below). The
# reference solution trains in about 5 s there; aim for at most 15 s.
#
# | question | kind | what you write | points | lecture topic |
# |---|---|---|---|---|
# | Q1 | implement | `build_and_train` | 8 | the whole course: depth, initialization, normalization, regularization; generalization to held-out data |
# | Q2 | explain | a written answer | 3 (graded by hand) | model selection on a validation set |
# | Q3 | explain | a written answer | 3 (graded by hand) | diagnosing a failure: curves, activations, and what they show |
# | Q4 | explain | a written answer | 2 (graded by hand) | what each ingredient contributes |
#
# Q1's 8 points: 1 public (80 % on the validation split below), 1 hidden (it learns from its arguments), and
# 2 + 2 + 2 hidden for at least 92.5 %, 94 % and 95 % of the held-out samples right.
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
import functools
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
print("each feature's mean and spread on the training split:")
print(np.array2string(np.stack([X_train.mean(axis=0), X_train.std(axis=0)]), precision=3, max_line_width=110))

# %% [markdown]
# ## 1. The data and a first baseline
#
# On the left, what you are given: two of the twelve features, coloured by class (mind the axes' units). On the right, what is hidden
# inside them: the same samples in the plane of the spiral (the generator can return it, `latent=True`, for this
# plot; the grader's task has another plane, so it is of no use to `build_and_train`).
#
# The helper `evaluate` runs a `build_and_train`-style function on the training split and returns the
# validation accuracy and the seconds it took. The baseline is a **linear** softmax classifier on the features as
# they come, trained with the library's loop. It shows the interface: `build_and_train` trains, and `predict` is a
# closure that keeps whatever `build_and_train` learned from its arguments, so that new samples are treated the
# same way.

# %%
def evaluate(build, X_tr=X_train, y_tr=y_train, X_te=X_val, y_te=y_val):
    """(validation accuracy, seconds) of the pipeline `build` trained on (X_tr, y_tr)."""
    start = time.perf_counter()
    predict = build(X_tr, y_tr)
    return float(np.mean(predict(X_te) == y_te)), time.perf_counter() - start


def linear_baseline(X, y):
    model = layers.Sequential(layers.Dense(X.shape[1], 5, rng=0))
    train.fit(model, X, y, optimizer=optim.adam, config={"lr": 1e-2}, epochs=20, batch_size=64, progress=False)
    return lambda X_new: model.forward(X_new, train=False).argmax(axis=1)


fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
axes[0].scatter(X_train[:, 0], X_train[:, 1], c=y_train, s=3, cmap="tab10", vmax=9)
axes[0].set_title("features 0 and 1 (what you get)", fontsize="small")
axes[0].set_xlabel("feature 0")
axes[0].set_ylabel("feature 1")
axes[1].scatter(P_train[:, 0], P_train[:, 1], c=y_train, s=3, cmap="tab10", vmax=9)
axes[1].set_title("the hidden plane (what to find)", fontsize="small")
axes[1].set_aspect("equal")
axes[1].set_xticks([])
axes[1].set_yticks([])
fig.tight_layout()
plt.show()
acc, seconds = evaluate(linear_baseline)
print(f"linear baseline: validation accuracy {acc:.1%} in {seconds:.1f} s (chance is 20 %)")

# %% [markdown]
# ## 2. Q1: your classifier
#
# Write `build_and_train(X_train, y_train)`:
# - `X_train` has shape `(n, 12)`, `y_train` shape `(n,)` with labels 0 to 4;
# - it returns a function `predict(X)` that maps an `(m, 12)` array to `m` integer labels;
# - it uses nothing but its arguments (no notebook variables such as `X_val`, no call to the data generator) and
#   fixes its own seeds, so that it gives the same model every time;
# - it trains in at most about 15 s on one thread.
#
# Everything you need was built in assignments 3 to 6; which pieces, and how to set them, is for you to find out.
# Start small, measure on the validation split, change one thing at a time, and keep notes for Q2. When a model
# falls short, look at its training accuracy too: a model that cannot fit the training data and a model that
# fits it too well need opposite remedies. And when you add or remove a piece, tune the step size again: a step
# that trains one network well can make another diverge.

# %% [markdown]
# A suggestion that pays off in Q2 and Q3: write your pipeline once as `recipe(...)`, a function whose arguments
# switch each ingredient (how deep, how the weights start, whether and how to normalize, how much to regularize) and
# which returns a `build_and_train`-style function; then `build_and_train` is one call of it, and each variant
# you compare is another. `recipe` is not graded; its stub may stay if you go another way.

# %% nbgrader={"grade": false, "grade_id": "recipe", "locked": false, "schema_version": 3, "solution": true}
def recipe(depth, width, initializer, norm, weight_decay, epochs, lr, X_val=None, y_val=None, history=None):
    """Returns build(X, y) -> predict, a pipeline with each ingredient as an argument (not graded). With X_val,
    y_val and a dict `history`, the per-epoch training and validation curves are stored in `history`."""
    ### BEGIN SOLUTION
    # norm: standardize each feature with the training samples' mean and spread (kept for predict);
    # [Dense -> ReLU] x depth -> Dense; SGD with momentum 0.9 whose step decays along a cosine; mini-batches of 64;
    # L2 weight decay on every weight matrix
    def build(X, y):
        mean, std = (X.mean(axis=0), X.std(axis=0)) if norm else (0.0, 1.0)
        rng = np.random.default_rng(0)
        stack, d = [], X.shape[1]
        for _ in range(depth):
            stack += [layers.Dense(d, width, init=initializer, rng=rng), layers.ReLU()]
            d = width
        model = layers.Sequential(*stack, layers.Dense(d, 5, init=initializer, rng=rng))
        val = {} if X_val is None else {"X_val": (X_val - mean) / std, "y_val": y_val}
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging variant shows as chance accuracy instead
            curves = train.fit(model, (X - mean) / std, y, optimizer=optim.momentum, config={"lr": lr},
                               epochs=epochs, batch_size=64, seed=0, weight_decay=weight_decay, progress=False,
                               lr_schedule=lambda e: lr * 0.5 * (1 + np.cos(np.pi * e / epochs)), **val)
        if history is not None:
            history.update(curves)

        def predict(X_new):
            with np.errstate(over="ignore", invalid="ignore"):
                scores = model.forward((np.asarray(X_new, dtype=float) - mean) / std, train=False)
            return scores.argmax(axis=1)
        return predict
    return build
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "build_and_train", "locked": false, "schema_version": 3, "solution": true}
def build_and_train(X_train, y_train):
    """Train a classifier on X_train (n, 12) with labels y_train (n,) in 0..4. Returns predict(X) -> labels (m,)."""
    ### BEGIN SOLUTION
    final = dict(depth=4, width=128, initializer=init.he, norm=True, weight_decay=2e-3, epochs=80, lr=0.1)
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
    final = dict(depth=4, width=128, initializer=init.he, norm=True, weight_decay=2e-3, epochs=80, lr=0.1)
    small = functools.partial(init.small_normal, std=0.01)
    variants = {
        "linear softmax (baseline)": linear_baseline,
        "one hidden layer of 128, step 0.3": recipe(**dict(final, depth=1, weight_decay=1e-4, lr=0.3)),
        "4 x 128, raw features, step 1e-3": recipe(**dict(final, norm=False, lr=1e-3)),
        "4 x 128, weights started at zero": recipe(**dict(final, initializer=init.zeros)),
        "4 x 128, weights N(0, 0.01^2)": recipe(**dict(final, initializer=small)),
        "4 x 128, no weight decay": recipe(**dict(final, weight_decay=0.0)),
        "4 x 128, He, standardized, decay 2e-3 (final)": build_and_train,
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
# (Model answer; the numbers are those of the table above, and change a little from run to run of the library.)
# The linear baseline is near chance (about 23 %): the arms wind around each other, and no hyperplane separates
# them. One hidden layer of 128, even with a larger step, reaches about 80 % of its training samples and about
# 55 % of the validation samples: it cannot follow the arms, and what it fits it partly fits through the noise
# directions. Four hidden layers of 128 can fit the arms, but only with the other three ingredients; without any
# one of them the same network is at chance or far below. On the raw features, whose sizes differ by factors of
# thousands and are not centred, no step size suits every weight of the first layer at once: a step small
# enough for the large features leaves the small ones unlearned, and the network stays at chance. Started at
# zero, every unit of a layer computes the same thing and stays so; started at N(0, 0.01^2), each layer shrinks
# the signal to about a tenth, so the gradients that reach the weights are too small for SGD to move them in
# 80 epochs. Without weight decay it fits every training sample and reaches only about 80 % on validation. With
# He initialization, standardized features and weight decay 2e-3, SGD with momentum and a cosine-decayed step
# reaches about 96-97 % on validation in about 4 s. Each line changes one thing against the final model, all on
# the same validation split.
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
    final = dict(depth=4, width=128, initializer=init.he, norm=True, weight_decay=2e-3, epochs=80, lr=0.1)
    curves = {"with weight decay 2e-3 (final)": {}, "without weight decay": {}}
    recipe(**final, X_val=X_val, y_val=y_val, history=curves["with weight decay 2e-3 (final)"])(X_train, y_train)
    recipe(**dict(final, weight_decay=0.0), X_val=X_val, y_val=y_val,
           history=curves["without weight decay"])(X_train, y_train)
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for (name, h), colour in zip(curves.items(), ("C0", "C3")):
        ax.plot(h["acc"], "--", color=colour, label=f"{name}: training")
        ax.plot(h["val_acc"], "-", color=colour, label=f"{name}: validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0.0, 1.0)
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
# Without weight decay the network overfits. Its training accuracy climbs faster and reaches 100 % about two
# thirds of the way through, while its validation accuracy levels off near 80 %: from then on the gap between the
# curves is what it learned about these 4000 particular samples and not about spirals. With the decay, training
# accuracy rises more slowly and validation follows it closely, to about 96 %. The mechanism is the ten noise
# directions: in ten dimensions 4000 samples lie far apart, so units that combine those directions can single out
# individual training samples, and nothing stops the weights on them from growing. The L2 penalty adds
# 2 lambda W to every gradient, so a weight that the data does not keep pushing in one direction decays towards
# zero: the weights on the noise directions, whose gradients change sign from batch to batch, are shrunk away,
# while those on the spiral's plane, pushed the same way by every batch, survive. The fix keeps the capacity the
# arms need and removes the freedom to memorize, which is what the closing gap shows.
# ### END SOLUTION

# %% [markdown]
# ## 5. Q4: what helped most?
#
# Of depth, initialization, normalization and regularization, which mattered most for *your* model, and why on
# this task? Use the numbers of Q2 and Q3. Three to five sentences.

# %% [markdown] nbgrader={"grade": true, "grade_id": "what_helped_most", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# On this task each ingredient is necessary: without any one of them validation accuracy falls by more than
# fifteen points. Three of them decide whether training works at all. Depth decides whether the model can
# represent the arms: one hidden layer stays near 55 %, because arms that wind twice need many folds of the plane,
# and stacked ReLU layers fold it again and again where one layer can only add bends side by side. He's
# initialization and standardized features both keep the signal at a usable size: with weights too small (or all
# equal) the gradients vanish or never tell the units apart, and with features in mixed units the first layer's
# steps are wrong by factors of thousands; without either, the network stays at chance. The fourth, weight decay,
# decides how well what is learned carries over to new samples: without it the noise directions are memorized and
# validation stops near 80 %. So the first three are a matter of all or nothing here, and regularization is the
# last sixteen points.
# ### END SOLUTION

# %% [markdown]
# ## How to hand in
#
# Run the whole notebook once more (Run > Run All Cells), save it (File > Save), then submit the `.ipynb` file as
# your course says: on a JupyterHub, from the Assignments tab; otherwise, upload it to the course's LMS, keeping its
# file name. The grader runs the notebook up to the Q1 test cell; the cells after it (your tables and plots) are not
# run again when they were saved with their outputs: whoever grades Q2-Q4 reads them as you saved them. The cell below lists where your public checks stand; grading adds the hidden checks (the held-out samples
# and the shuffled labels) and reads your written answers.
#
# You derived, implemented and checked every piece of this classifier yourself: the dense layer and its gradient,
# ReLU, softmax and cross-entropy, backpropagation, initialization, momentum, normalization and weight decay.
# The same pieces, scaled up and arranged differently, are what modern networks are made of.

# %%
summary("a7")
