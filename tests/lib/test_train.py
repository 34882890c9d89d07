"""The training loop: batch / stochastic / mini-batch steps, shuffling, reproducibility, history, early
stopping, weight decay, schedules, clipping; digits accuracy; what squared and absolute error learn."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from backprop import data, layers, losses, optim, train
from backprop.regularizers import EarlyStopping


def toy(n=40, seed=0):
    X, y = data.spirals(n_per_class=n // 2, classes=2, noise=0.1, seed=seed)
    return X, y


def recording(rule, log):
    """An update rule that logs (step size, gradient norm) of every call, then applies ``rule``."""
    def update(w, dw, state):
        log.append((state["lr"], float(np.linalg.norm(dw))))
        return rule(w, dw, state)
    return update


class RecordingInput(layers.Layer):
    """Identity layer that remembers every training batch it sees."""

    def __init__(self):
        super().__init__()
        self.batches = []

    def forward(self, x, train=True):
        if train:
            self.batches.append(x.copy())
        return x

    def backward(self, dout):
        return dout


def test_mlp_reaches_97_percent_on_digits():
    d = data.digits(val_size=0.0, seed=0)
    model = layers.mlp([64, 128, 64, 10], seed=0)
    with threadpool_limits(1):  # 64-row products: a second BLAS thread only adds waiting, badly so on a busy machine
        history = train.fit(model, d.X_train, d.y_train, optimizer=optim.momentum, config={"lr": 0.05}, epochs=30,
                            batch_size=64, weight_decay=1e-3, seed=0, progress=False)
    test_loss, test_acc = train.evaluate(model, d.X_test, d.y_test)
    assert test_acc >= 0.97, test_acc
    assert history["loss"][-1] < 0.1 < history["loss"][0]


def test_mini_batches_cover_each_sample_once_per_epoch_in_a_new_order():
    X, y = toy(23)
    probe = RecordingInput()
    model = layers.Sequential(probe, *layers.mlp([2, 4, 2]).layers)
    train.fit(model, X, y, epochs=2, batch_size=5, progress=False)
    assert [len(b) for b in probe.batches] == [5, 5, 5, 5, 2] * 2
    epochs = [np.concatenate(probe.batches[:5]), np.concatenate(probe.batches[5:])]
    for seen in epochs:
        assert sorted(map(tuple, seen)) == sorted(map(tuple, X))
    assert not np.array_equal(epochs[0], epochs[1])


@pytest.mark.parametrize("batch_size, steps", [(None, 1), (1, 40), (16, 3)])
def test_batch_stochastic_and_mini_batch_step_counts(batch_size, steps):
    X, y = toy(40)
    log = []
    model = layers.mlp([2, 3, 2])
    train.fit(model, X, y, optimizer=recording(optim.sgd, log), config={"lr": 0.1}, epochs=2,
              batch_size=batch_size, progress=False)
    assert len(log) == 2 * steps * len(model.params)


def test_batch_gradient_descent_is_one_full_gradient_step_per_epoch():
    X, y = toy(30)
    model, manual = layers.mlp([2, 5, 2], seed=1), layers.mlp([2, 5, 2], seed=1)
    train.fit(model, X, y, config={"lr": 0.5}, epochs=1, batch_size=None, progress=False)
    manual.backward(losses.softmax_cross_entropy(manual.forward(X), y)[1])
    for name in manual.params:
        assert np.allclose(model.params[name], manual.params[name] - 0.5 * manual.grads[name])


def test_training_loss_and_accuracy_are_those_of_the_batches_as_they_were_seen():
    X, y = toy(50)
    model, manual = layers.mlp([2, 8, 2], seed=2), layers.mlp([2, 8, 2], seed=2)
    history = train.fit(model, X, y, config={"lr": 0.3}, epochs=3, batch_size=16, seed=5, progress=False)
    rng, expected = np.random.default_rng(5), {"loss": [], "acc": []}
    for _ in range(3):
        order, total, correct = rng.permutation(len(X)), 0.0, 0
        for start in range(0, len(X), 16):
            idx = order[start:start + 16]
            scores = manual.forward(X[idx])
            value, dscores = losses.softmax_cross_entropy(scores, y[idx])
            total, correct = total + value * len(idx), correct + np.sum(scores.argmax(axis=1) == y[idx])
            manual.backward(dscores)
            for name in manual.params:
                manual.params[name] = manual.params[name] - 0.3 * manual.grads[name]
        expected["loss"].append(total / len(X))
        expected["acc"].append(correct / len(X))
    assert np.allclose(history["loss"], expected["loss"]) and np.allclose(history["acc"], expected["acc"])
    assert len(set(history["acc"])) > 1  # the weights changed along the way


def test_same_seed_same_run_and_another_seed_another_run():
    X, y = toy(40)
    runs = []
    for seed in (3, 3, 4):
        model = layers.mlp([2, 8, 2], seed=0)
        history = train.fit(model, X, y, optimizer=optim.adam, config={"lr": 0.01}, epochs=3, batch_size=8,
                            seed=seed, progress=False)
        runs.append((history, model.params["W1"].copy()))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][1], runs[2][1])


def test_history_has_train_and_validation_curves():
    X, y = toy(40)
    Xv, yv = toy(20, seed=1)
    model = layers.mlp([2, 16, 2])
    history = train.fit(model, X, y, config={"lr": 0.5}, epochs=5, batch_size=8, X_val=Xv, y_val=yv, progress=False)
    assert all(len(history[key]) == 5 for key in ("loss", "acc", "val_loss", "val_acc"))
    assert np.isclose(history["val_loss"][-1], train.evaluate(model, Xv, yv)[0])
    assert np.isclose(history["val_acc"][-1], train.accuracy(model.forward(Xv, train=False), yv))
    assert history["loss"][-1] < history["loss"][0]


def test_early_stopping_stops_and_restores_the_best_validation_weights():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 5)), rng.integers(0, 2, size=20)  # labels are noise: validation loss rises
    Xv, yv = rng.normal(size=(20, 5)), rng.integers(0, 2, size=20)
    model = layers.mlp([5, 64, 2], seed=0)
    stopper = EarlyStopping(patience=3)
    history = train.fit(model, X, y, config={"lr": 0.3}, epochs=200, batch_size=None, X_val=Xv, y_val=yv,
                        early_stopping=stopper, progress=False)
    assert len(history["val_loss"]) == stopper.best_epoch + 3 < 200
    assert np.isclose(train.evaluate(model, Xv, yv)[0], min(history["val_loss"]))
    with pytest.raises(ValueError, match="validation"):
        train.fit(model, X, y, early_stopping=EarlyStopping(), progress=False)


def test_weight_decay_shrinks_weights_but_not_biases():
    X, y = toy(40)
    norms = {}
    for lam in (0.0, 0.05):
        model = layers.mlp([2, 16, 2], seed=0)
        train.fit(model, X, y, config={"lr": 0.2}, epochs=20, batch_size=8, weight_decay=lam, progress=False)
        norms[lam] = np.linalg.norm(model.params["W1"])
    assert norms[0.05] < 0.8 * norms[0.0]


def test_weight_decay_step_is_the_decay_factor():
    X, y = toy(30)
    model, manual = layers.mlp([2, 4, 2], seed=2), layers.mlp([2, 4, 2], seed=2)
    lam, lr = 0.1, 0.3
    train.fit(model, X, y, config={"lr": lr}, epochs=1, batch_size=None, weight_decay=lam, progress=False)
    manual.backward(losses.softmax_cross_entropy(manual.forward(X), y)[1])
    assert np.allclose(model.params["W1"], (1 - 2 * lam * lr) * manual.params["W1"] - lr * manual.grads["W1"])
    assert np.allclose(model.params["b1"], manual.params["b1"] - lr * manual.grads["b1"])


def test_learning_rate_schedule_and_gradient_clipping():
    X, y = toy(20)
    log = []
    train.fit(layers.mlp([2, 4, 2]), X, y, optimizer=recording(optim.sgd, log), epochs=3, batch_size=None,
              lr_schedule=lambda epoch: optim.inverse_time_decay(0.4, epoch, 1), progress=False)
    assert sorted({lr for lr, _ in log}, reverse=True) == [0.4, 0.2, 0.4 / 3]
    log = []
    train.fit(layers.mlp([2, 4, 2]), X, y * 0, optimizer=recording(optim.sgd, log), config={"lr": 0.1}, epochs=2,
              batch_size=4, max_grad_norm=1e-3, progress=False)
    assert max(norm for _, norm in log) <= 1e-3 + 1e-12


def test_progress_bar_is_silent_when_disabled(capsys):
    X, y = toy(20)
    train.fit(layers.mlp([2, 4, 2]), X, y, epochs=2, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_squared_error_learns_the_conditional_mean_and_absolute_error_the_median():
    r = data.skewed_regression(n=1000, seed=0)
    rms = lambda a, b: float(np.sqrt(np.mean((a - b) ** 2)))
    fitted = {}
    for loss in (losses.squared_error, losses.absolute_error):
        model = layers.mlp([1, 16, 16, 1], activation=layers.Tanh, seed=0)
        history = train.fit(model, r.X, r.y, loss=loss, optimizer=optim.adam, config={"lr": 0.01}, epochs=40,
                            batch_size=50, progress=False)
        assert history["acc"] == []  # no accuracy for a regression loss
        fitted[loss] = model.forward(r.X, train=False)
    assert rms(fitted[losses.squared_error], r.mean) < 0.6 * rms(fitted[losses.squared_error], r.median)
    assert rms(fitted[losses.absolute_error], r.median) < 0.6 * rms(fitted[losses.absolute_error], r.mean)
