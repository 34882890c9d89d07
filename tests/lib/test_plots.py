"""Plots: each draws what it says on the Axes it is given (or a new one) and returns it."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from backprop import data, layers, plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_history_draws_train_and_validation_curves():
    history = {"loss": [1.0, 0.5, 0.3], "acc": [0.5, 0.7, 0.8], "val_loss": [1.1, 0.7, 0.6], "val_acc": []}
    loss_ax, acc_ax = plots.plot_history(history)
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]
    assert np.array_equal(loss_ax.lines[1].get_ydata(), [1.1, 0.7, 0.6])
    assert [line.get_label() for line in acc_ax.lines] == ["train"]  # the empty val_acc is skipped


def test_plot_decision_regions_colours_the_predicted_class():
    X, y = data.xor()
    ax = plots.plot_decision_regions(lambda P: (P[:, 0] > 0.5).astype(int), X, y, resolution=20)
    assert ax.collections  # the filled regions and the scattered points
    assert ax.get_xlim()[0] <= -0.5 and ax.get_xlim()[1] >= 1.5


def test_plot_trajectories_draws_one_path_per_optimizer():
    _, ax = plt.subplots()
    paths = {"sgd": np.array([[1.0, 1.0], [0.5, 0.2], [0.2, 0.0]]), "adam": np.array([[1.0, 1.0], [0.9, 0.9]])}
    out = plots.plot_trajectories(lambda a, b: a ** 2 + 10 * b ** 2, paths, (-1.5, 1.5), (-1.5, 1.5), ax=ax)
    assert out is ax
    assert [line.get_label() for line in ax.lines] == ["sgd", "adam"]
    assert np.array_equal(ax.lines[0].get_xdata(), [1.0, 0.5, 0.2])


def test_plot_gradient_norms_one_point_per_weight_matrix():
    net = layers.mlp([3, 5, 5, 2], activation=layers.Sigmoid, seed=0)
    rng = np.random.default_rng(0)
    net.forward(rng.normal(size=(4, 3)))
    net.backward(rng.normal(size=(4, 2)))
    ax = plots.plot_gradient_norms(net.grads, label="sigmoid")
    norms = ax.lines[0].get_ydata()
    assert len(norms) == 3 and np.isclose(norms[0], np.linalg.norm(net.grads["W1"]))
    assert ax.get_yscale() == "log"
