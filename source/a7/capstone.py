# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 7: capstone, a digit classifier of your own
#
# *Neural networks from first principles.* Everything is on the table now: dense layers and activations,
# softmax and cross-entropy, backpropagation, the optimizers, and the regularizers of assignment 6. Your task
# is to build the best classifier you can for the 8x8 handwritten digits, tune it honestly on a validation
# set, and report what you did. You may use your own pieces from earlier assignments or the library's
# (`backprop.layers`, `backprop.optim`, `backprop.train`, `backprop.regularizers`): here nothing is off limits
# except the labels you are not given.
#
# **How you are graded.** You write one function, `build_and_train(X_train, y_train)`, that trains a model
# and returns a function `predict(X)` giving one label per image. When your notebook is graded, the grader
# - splits the 1797 bundled images with a **secret split**: a quarter of every digit class is held out, the
#   other three quarters are handed to your `build_and_train`;
# - calls your `predict` on the held-out images, whose labels you never see, and scores the accuracy;
# - trains your pipeline once more on 400 images with **shuffled labels**. A pipeline that learns from the data
#   it is given is then at chance level; one that secretly reads labels from elsewhere (a notebook variable,
#   the data loader) is not, and its accuracy points are not awarded.
#
# So `build_and_train` must do **everything** from its two arguments: preprocessing (it receives the raw pixel
# values 0 to 16), building the network, training it. It has **60 seconds** per call on the grader's machine
# (two cores, shared): aim for well under 20 s.
#
# | question | what you deliver | points | topics |
# |---|---|---|---|
# | Q1 | `build_and_train` | 1 (public) + 1 + 2 + 2 + 2 (hidden) | the whole course |
# |  | ... works on your validation split (public check) | 1 | |
# |  | ... learns from its arguments (shuffled-label check) | 1 | |
# |  | ... at least 93 % / 96 % / 98 % of the hidden images right | 2 + 2 + 2 | generalization |
# | Q2 | what you tried, with validation numbers | 3 (graded by hand) | model selection |
# | Q3 | a learning curve and what it says | 2 (graded by hand) | data vs capacity |
# | Q4 | what helped most, and why | 2 (graded by hand) | regularization |
#
# **Rules of the game.** Choose and tune only on the validation split below, never on anything else; the
# hidden images are a fresh draw from the same distribution, so an honest validation accuracy predicts your
# hidden score up to a percent or so.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from autograder import grade, when_ready
from backprop import layers, optim, train
from backprop.losses import softmax_cross_entropy

threadpool_limits(1)  # small matrices: one BLAS thread is faster, and a grader runs notebooks side by side
# %matplotlib inline

X_all, y_all = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X_all, y_all, test_size=0.2, stratify=y_all, random_state=0)
print(f"training {X_train.shape}, validation {X_val.shape}; pixel values {X_train.min():g} to {X_train.max():g}")

# %% [markdown]
# ## 1. The data and a first baseline
#
# Each image is 8x8 pixels with intensities 0 to 16, flattened to 64 numbers. The helper `evaluate` runs a
# `build_and_train`-style function on the training split and reports the validation accuracy and the time it
# took; `show_mistakes` draws validation images a model gets wrong.
#
# The baseline below is a **linear** softmax classifier (one `Dense` layer), trained with the library's loop.
# It shows the interface: the pixels are standardized with statistics of the *training* images only, kept in
# the closure of `predict` so that new images are transformed the same way.

# %%
def evaluate(build, X_tr=X_train, y_tr=y_train, X_te=X_val, y_te=y_val):
    """(validation accuracy, seconds) of the pipeline `build` trained on (X_tr, y_tr)."""
    start = time.perf_counter()
    predict = build(X_tr, y_tr)
    return float(np.mean(predict(X_te) == y_te)), time.perf_counter() - start


def show_mistakes(predict, count=12):
    guesses = predict(X_val)
    wrong = np.flatnonzero(guesses != y_val)
    panels = max(min(len(wrong), count), 1)
    fig, axes = plt.subplots(1, panels, figsize=(1.1 * panels, 1.6), squeeze=False)
    for ax, i in zip(axes[0], wrong[:count]):
        ax.imshow(X_val[i].reshape(8, 8), cmap="gray_r")
        ax.set_title(f"{y_val[i]} as {guesses[i]}", fontsize="small")
    for ax in axes[0]:
        ax.axis("off")
    fig.suptitle(f"{len(wrong)} of {len(y_val)} validation images wrong (true as predicted)", fontsize="small")
    plt.show()


def linear_baseline(X, y):
    mean, std = X.mean(axis=0), X.std(axis=0) + 1.0
    model = layers.Sequential(layers.Dense(64, 10, rng=0))
    train.fit(model, (X - mean) / std, y, config={"lr": 0.05}, epochs=20, batch_size=32, progress=False)
    return lambda X_new: model.forward((X_new - mean) / std, train=False).argmax(axis=1)


fig, axes = plt.subplots(2, 10, figsize=(10, 2.3))
for ax, i in zip(axes.ravel(), range(20)):
    ax.imshow(X_train[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(str(y_train[i]), fontsize="small")
    ax.axis("off")
plt.show()
acc, seconds = evaluate(linear_baseline)
print(f"linear baseline: validation accuracy {acc:.1%} in {seconds:.1f} s")

# %% [markdown]
# ## 2. Q1: your classifier
#
# Write `build_and_train(X_train, y_train)`:
# - `X_train` has shape `(n, 64)`, raw pixel values 0 to 16; `y_train` has shape `(n,)`, labels 0 to 9;
# - it returns a function `predict(X)` that maps an `(m, 64)` array of raw images to `m` integer labels;
# - it uses nothing but its arguments (no notebook variables such as `X_val`, no reloading of the data), and
#   fixes its own seeds, so that it gives the same model every time;
# - it runs in well under 60 s.
#
# Ideas, from the course: standardize the inputs; a hidden layer or two with ReLU and He initialization;
# softmax cross-entropy; Adam or momentum; mini-batches; weight decay, dropout, input noise, batch norm; early
# stopping on a slice of the training data (you get no validation set inside `build_and_train`: carve one out
# of `X_train` if you need one); more training data made from the images you have (an image shifted by one
# pixel is still the same digit); several networks whose predicted probabilities are averaged.
#
# Start simple, measure on the validation split, change one thing at a time, and keep notes for Q2.

# %% nbgrader={"grade": false, "grade_id": "build_and_train", "locked": false, "schema_version": 3, "solution": true}
def build_and_train(X_train, y_train):
    """Train a digit classifier on raw 8x8 images (n, 64) with labels (n,). Returns predict(X) -> labels (m,)."""
    ### BEGIN SOLUTION
    def shifted(images, dy, dx):
        """The 8x8 images moved by (dy, dx) pixels, the uncovered border filled with 0 (background)."""
        out = np.zeros_like(images)
        out[:, max(dy, 0):8 + min(dy, 0), max(dx, 0):8 + min(dx, 0)] = \
            images[:, max(-dy, 0):8 + min(-dy, 0), max(-dx, 0):8 + min(-dx, 0)]
        return out

    # 1. Five times the data: every image, and its copies moved by one pixel up, down, left and right.
    images = X_train.reshape(-1, 8, 8)
    moves = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]
    X_aug = np.concatenate([shifted(images, dy, dx) for dy, dx in moves]).reshape(-1, 64)
    y_aug = np.tile(y_train, len(moves))

    # 2. Standardize with the training statistics (+1 keeps the always-blank border pixels finite).
    mean, std = X_aug.mean(axis=0), X_aug.std(axis=0) + 1.0
    Z = (X_aug - mean) / std

    # 3. One hidden layer of 256 ReLU units, He initialization, Adam, mini-batches of 64, 12 epochs.
    rng = np.random.default_rng(0)
    model = layers.Sequential(layers.Dense(64, 256, rng=rng), layers.ReLU(), layers.Dense(256, 10, rng=rng))
    train.fit(model, Z, y_aug, optimizer=optim.adam, config={"lr": 1e-3}, epochs=12, batch_size=64, seed=0,
              progress=False)

    def predict(X):
        Z_new = (np.asarray(X, dtype=float) - mean) / std
        return model.forward(Z_new, train=False).argmax(axis=1)

    return predict
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_build_and_train", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from autograder import grade
### BEGIN HIDDEN TESTS
grade = grade.with_hidden(seed=702)
### END HIDDEN TESTS
grade("a7.build_and_train")

# %% [markdown]
# Your model on the validation split, and the images it still gets wrong. Look at them: are they digits a
# person would hesitate over, or easy ones?

# %%
with when_ready():
    start = time.perf_counter()
    predict = build_and_train(X_train, y_train)
    print(f"build_and_train took {time.perf_counter() - start:.1f} s; "
          f"validation accuracy {np.mean(predict(X_val) == y_val):.1%}")
    show_mistakes(predict)

# %% [markdown]
# ## 3. Q2: what you tried
#
# In `compare_variants` below, train the variants you compared (at least three, each changing one thing) and
# print their validation accuracy and training time as a small table (`evaluate` does the measuring). Then, in the answer cell that follows, say in a few
# sentences what you tried, in what order, and why you kept or dropped each idea. The numbers must come from the
# validation split, never from the hidden set (which you do not have).

# %% nbgrader={"grade": false, "grade_id": "experiments", "locked": false, "schema_version": 3, "solution": true}
def compare_variants():
    """Train each variant on the training split; print validation accuracy and seconds."""
    ### BEGIN SOLUTION
    def mlp_pipeline(sizes, epochs=12):
        """build_and_train without the shifted copies: standardize, an MLP of the given sizes, Adam."""
        def build(X, y):
            mean, std = X.mean(axis=0), X.std(axis=0) + 1.0
            model = layers.mlp(sizes, seed=0)
            train.fit(model, (X - mean) / std, y, optimizer=optim.adam, config={"lr": 1e-3}, epochs=epochs,
                      batch_size=64, seed=0, progress=False)
            return lambda X_new: model.forward((X_new - mean) / std, train=False).argmax(axis=1)
        return build

    variants = {
        "linear softmax (baseline)": linear_baseline,
        "MLP 64-256-10, Adam, 12 epochs": mlp_pipeline([64, 256, 10]),
        "MLP 64-256-256-10": mlp_pipeline([64, 256, 256, 10]),
        "MLP 64-256-10 + shifted copies": build_and_train,
    }
    print(f"{'variant':34s} {'val acc':>8s} {'seconds':>8s}")
    for name, build in variants.items():
        acc, seconds = evaluate(build)
        print(f"{name:34s} {acc:8.1%} {seconds:8.1f}")
    ### END SOLUTION


with when_ready():
    compare_variants()

# %% [markdown] nbgrader={"grade": true, "grade_id": "what_you_tried", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# (Model answer; the numbers are those of the table above.) The linear softmax baseline sets the bar at about
# 96 %: the digits are nearly linearly separable in pixel space. A one-hidden-layer MLP (256 ReLU units, He
# initialization, Adam with step 1e-3, mini-batches of 64, 12 epochs) gains very little on its own; a second
# hidden layer of 256 gains almost two points but takes four times as long to train. The largest gain came from
# training on shifted copies of the images (every image moved by one pixel up, down, left and right): the
# one-layer network then reaches about 99 % on validation, because it sees five times as many examples of each
# digit, with the variation in position that real handwriting has. With that, the deeper network was no longer
# worth its training time (it would train on five times the data too), so I kept one hidden layer. Each variant
# changes one thing against the previous line, and all were compared on the same validation split.
# ### END SOLUTION

# %% [markdown]
# ## 4. Q3: a learning curve
#
# How much would more data help? In `plot_learning_curve` below, train your final pipeline on growing parts of
# the training split (for example 10 %, 25 %, 50 % and 100 % of it) and plot the training and validation accuracy against the number of
# training images. Then describe in the answer cell what the curve shows: is the model limited by its data or
# by its capacity, and where would you put your effort next?

# %% nbgrader={"grade": false, "grade_id": "learning_curve", "locked": false, "schema_version": 3, "solution": true}
def plot_learning_curve():
    """Train the final pipeline on growing parts of the training split; plot the accuracies."""
    ### BEGIN SOLUTION
    sizes, train_acc, val_acc = [], [], []
    for share in (0.1, 0.25, 0.5, 1.0):
        n = int(share * len(X_train))
        predict_n = build_and_train(X_train[:n], y_train[:n])
        sizes.append(n)
        train_acc.append(np.mean(predict_n(X_train[:n]) == y_train[:n]))
        val_acc.append(np.mean(predict_n(X_val) == y_val))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(sizes, train_acc, "o-", label="training images")
    ax.plot(sizes, val_acc, "o-", label="validation images")
    ax.set_xscale("log")
    ax.set_xlabel("number of training images")
    ax.set_ylabel("accuracy")
    ax.set_title("learning curve of the final pipeline")
    ax.legend(fontsize="small")
    plt.show()
    print("validation accuracy:", ", ".join(f"{n} images {a:.1%}" for n, a in zip(sizes, val_acc)))
    ### END SOLUTION


with when_ready():
    plot_learning_curve()

# %% [markdown] nbgrader={"grade": true, "grade_id": "learning_curve_answer", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# The training accuracy stays at or near 100 % for every size, while the validation accuracy climbs steadily
# with the number of training images (from under 90 % with about 140 images to about 99 % with all 1437) and
# is still rising at the right end. The gap between the two curves shrinks as the data grows: the model is
# limited by data, not by capacity (it fits every training set it gets). More data, or data made from what we
# have (augmentation), is where the next gain lies; a bigger network would mostly widen the gap.
# ### END SOLUTION

# %% [markdown]
# ## 5. Q4: what helped most?
#
# Which single change helped your validation accuracy most, and why do you think it works on this data set?
# Relate it to what you learned about overfitting and regularization (assignment 6). Three to five sentences.

# %% [markdown] nbgrader={"grade": true, "grade_id": "what_helped_most", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Training on shifted copies of the images helped most (about three points over the same network without them).
# With about 1400 images a network with tens of thousands of weights can memorize the exact pixels of each
# training digit, and the learning curve shows it is data limited. Shifting by one pixel makes new, realistic
# examples (people do not centre their digits exactly), so the network has to learn features that tolerate
# small translations instead of exact pixel positions: it is a perturbation of the inputs, like the Gaussian
# noise of assignment 6, but one that follows the structure of images and so does not blur the real patterns.
# ### END SOLUTION

# %% [markdown]
# ## Congratulations
#
# You derived, implemented and checked every piece of this classifier yourself: the dense layer and its
# gradient, ReLU, softmax and cross-entropy, backpropagation, Adam, and the regularizers. The same pieces,
# scaled up and arranged differently (convolutions share weights across the image, which is what our shifted
# copies imitated), are what modern networks are made of.
