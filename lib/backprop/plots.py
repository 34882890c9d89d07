"""Plots that show an idea working: decision boundaries and regions, training curves, optimizer paths,
gradient norms per layer.

Every function draws on a matplotlib Axes (created if not given) and returns it, so notebooks can compose
figures. Lecture topics: the perceptron's hyperplane (notes 000, 003); training curves, overfitting and
early stopping (notes 000, 004); non-linear decision regions (notes 002); adaptive step sizes (notes 004);
vanishing and exploding gradients (notes 004).
"""

import matplotlib.pyplot as plt
import numpy as np


def _axes(ax):
    return plt.subplots(figsize=(5, 4))[1] if ax is None else ax


def plot_data(X, y, ax=None, labels=("fail (-1)", "pass (+1)")):
    """Scatter two-feature data coloured by label (-1 or +1)."""
    ax = _axes(ax)
    for value, marker, colour, label in [(-1, "x", "tab:red", labels[0]), (1, "o", "tab:blue", labels[1])]:
        pick = np.asarray(y) == value
        ax.scatter(X[pick, 0], X[pick, 1], marker=marker, c=colour, label=label, s=25)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_linear_boundary(w, X, ax=None, label=None, **line_kw):
    """Draw the line w0 x1 + w1 x2 + b = 0 of a linear unit with weights ``w = [w0, w1, b]`` across X's range."""
    ax = _axes(ax)
    x1 = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 2)
    if abs(w[1]) > 1e-12:
        ax.plot(x1, -(w[0] * x1 + w[2]) / w[1], label=label, **line_kw)
    elif abs(w[0]) > 1e-12:  # a vertical line
        ax.axvline(-w[2] / w[0], label=label, **line_kw)
    ax.set_ylim(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5)
    return ax


def plot_boundaries_over_epochs(history, X, y, ax=None, max_lines=8):
    """The data and the boundary after several epochs, from pale (early) to dark (last)."""
    ax = plot_data(X, y, ax)
    picks = np.unique(np.linspace(0, len(history) - 1, min(max_lines, len(history))).astype(int))
    for rank, i in enumerate(picks):
        shade = 0.25 + 0.75 * (rank + 1) / len(picks)
        plot_linear_boundary(history[i], X, ax, color=plt.cm.Greys(shade), label=f"epoch {i + 1}")
    ax.legend(loc="best", fontsize="x-small")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_per_epoch(values, ax=None, ylabel="mistakes", label=None, logy=False):
    """A curve of one number per epoch (mistakes, loss, update norm)."""
    ax = _axes(ax)
    epochs = np.arange(1, len(values) + 1)
    ax.plot(epochs, values, marker="o", ms=3, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if label:
        ax.legend(fontsize="small")
    return ax


def plot_history(history, axes=None):
    """Loss and accuracy curves of a training run, train and validation, side by side.

    ``history`` is the dict returned by ``train.fit`` (lists ``loss``, ``acc``, ``val_loss``, ``val_acc``;
    empty lists are skipped). A validation loss that turns up while the training loss keeps falling is
    overfitting. Returns the two Axes (created in a new figure if ``axes`` is None).
    """
    if axes is None:
        axes = plt.subplots(1, 2, figsize=(10, 3.5))[1]
    for ax, metric, ylabel in [(axes[0], "loss", "loss"), (axes[1], "acc", "accuracy")]:
        for prefix, label in [("", "train"), ("val_", "validation")]:
            values = history.get(prefix + metric, [])
            if len(values):
                ax.plot(np.arange(1, len(values) + 1), values, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        if ax.lines:
            ax.legend(fontsize="small")
    return axes


def plot_decision_regions(predict, X, y, ax=None, resolution=200, margin=0.5):
    """The class a classifier predicts at every point of the plane, with the data on top.

    ``predict`` maps an (m, 2) array of points to m integer labels (e.g.
    ``lambda P: model.forward(P, train=False).argmax(axis=1)``); X (n, 2), y (n,) integer labels 0..K-1.
    The regions show what the network learned, including where it has no data to go by.
    """
    ax = _axes(ax)
    y = np.asarray(y)
    (x0, y0), (x1, y1) = X.min(axis=0) - margin, X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    labels = np.asarray(predict(np.column_stack([g0.ravel(), g1.ravel()]))).reshape(g0.shape)
    k = int(max(labels.max(), y.max())) + 1
    cmap = plt.get_cmap("tab10", max(k, 2))
    ax.contourf(g0, g1, labels, levels=np.arange(-0.5, k), cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5, alpha=0.3)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5, s=15, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_trajectories(loss, trajectories, xlim, ylim, ax=None, levels=30, resolution=200):
    """Optimizer paths over the contour lines of a two-parameter loss surface.

    ``loss(w1, w2)`` takes two arrays of the same shape and returns the loss at each point (e.g.
    ``lambda a, b: a**2 + 10 * b**2``); ``trajectories`` maps a label (the optimizer's name) to an array
    (T, 2) of successive parameter values; ``xlim``, ``ylim`` are (low, high) ranges of the two parameters.
    Shows how momentum overshoots and how adaptive methods rescale each direction.
    """
    ax = _axes(ax)
    g0, g1 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    ax.contour(g0, g1, loss(g0, g1), levels=levels, cmap="Greys", linewidths=0.6)
    for label, path in trajectories.items():
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], marker="o", ms=2.5, lw=1.2, label=label)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.legend(fontsize="small")
    return ax


def plot_gradient_norms(grads, ax=None, label=None):
    """The norm of each weight matrix's gradient, layer by layer, on a log scale.

    ``grads`` maps parameter names to arrays (``model.grads`` after a backward pass); the weight matrices
    W1, W2, ... are drawn in order. Norms that shrink by orders of magnitude towards the first layers are
    vanishing gradients (deep sigmoid networks); growing ones are exploding gradients. Call it again with
    another ``label`` on the same Axes to compare networks.
    """
    ax = _axes(ax)
    names = [name for name in grads if name.startswith("W")]
    ax.plot(range(1, len(names) + 1), [np.linalg.norm(grads[name]) for name in names], marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xticks(range(1, len(names) + 1), names)
    ax.set_xlabel("layer")
    ax.set_ylabel(r"$\|\partial L / \partial W\|$")
    if label:
        ax.legend(fontsize="small")
    return ax
