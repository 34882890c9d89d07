"""Plots that show an idea working: decision boundaries, and per-epoch curves.

Every function draws on a matplotlib Axes (created if not given) and returns it, so notebooks can compose
figures. Lecture topics: the perceptron's hyperplane (notes 000, 003); training curves.
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
