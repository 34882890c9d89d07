"""Dropout, input noise, batch and layer normalization, early stopping."""

import numpy as np
import pytest

from backprop import layers
from backprop import regularizers as R
from backprop.gradcheck import numerical_gradient_array, rel_error


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def fresh_running(d):
    return {"running_mean": np.zeros(d), "running_var": np.ones(d)}


# ------------------------------------------------------------------------------------------------ dropout

def test_dropout_with_p_zero_and_in_eval_mode_is_the_identity(rng):
    x = rng.normal(size=(5, 4))
    out, cache = R.dropout_forward(x, 0.0, train=True, rng=1)
    assert np.array_equal(out, x) and np.array_equal(R.dropout_backward(x, cache), x)
    out, cache = R.dropout_forward(x, 0.7, train=False, rng=1)
    assert np.array_equal(out, x) and np.array_equal(R.dropout_backward(x, cache), x)


def test_dropout_p_is_the_drop_probability_and_the_mean_is_preserved():
    x = np.full((400, 500), 2.0)
    out, _ = R.dropout_forward(x, 0.3, rng=2)
    assert np.isclose(np.mean(out == 0), 0.3, atol=0.01)
    assert np.allclose(out[out != 0], 2.0 / 0.7)
    assert np.isclose(out.mean(), 2.0, rtol=0.01)


def test_dropout_backward_uses_the_forward_mask(rng):
    x, dout = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    _, cache = R.dropout_forward(x, 0.5, rng=3)
    dx = R.dropout_backward(dout, cache)
    assert rel_error(dx, numerical_gradient_array(lambda v: R.dropout_forward(v, 0.5, rng=3)[0], x, dout)) < 1e-7
    assert np.array_equal(dx == 0, cache == 0)


def test_dropout_refuses_a_probability_outside_0_1():
    with pytest.raises(ValueError, match="drop probability"):
        R.dropout_forward(np.ones(3), 1.0)


def test_dropout_layer_is_reproducible_from_its_seed(rng):
    x = rng.normal(size=(4, 6))
    assert np.array_equal(layers.Dropout(0.5, rng=4).forward(x), layers.Dropout(0.5, rng=4).forward(x))
    assert np.array_equal(layers.Dropout(0.5, rng=4).forward(x, train=False), x)


# ------------------------------------------------------------------------------------------------ noise

def test_gaussian_noise_has_the_requested_spread_only_in_training(rng):
    x = rng.normal(size=(300, 300))
    out, _ = R.gaussian_noise_forward(x, 0.2, rng=5)
    assert np.isclose((out - x).std(), 0.2, rtol=0.02) and abs((out - x).mean()) < 0.005
    assert np.array_equal(R.gaussian_noise_forward(x, 0.2, train=False)[0], x)
    layer = layers.GaussianNoise(0.2, rng=5)
    layer.forward(x)
    assert np.array_equal(layer.backward(x), x)


# ------------------------------------------------------------------------------------------ batch norm

def test_batchnorm_training_output_has_mean_beta_and_std_gamma(rng):
    x = rng.normal(loc=3.0, scale=5.0, size=(50, 4))
    gamma, beta = np.array([1.0, 2.0, 0.5, 3.0]), np.array([0.0, -1.0, 2.0, 0.5])
    out, _ = R.batchnorm_forward(x, gamma, beta, fresh_running(4))
    assert np.allclose(out.mean(axis=0), beta) and np.allclose(out.std(axis=0), gamma, rtol=1e-5)


def test_batchnorm_backward_matches_central_differences(rng):
    x, dout = rng.normal(loc=1.0, scale=2.0, size=(6, 4)), rng.normal(size=(6, 4))
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    _, cache = R.batchnorm_forward(x, gamma, beta, fresh_running(4))
    dx, dgamma, dbeta = R.batchnorm_backward(dout, cache)

    def f(x_=x, g=gamma, b=beta):
        return R.batchnorm_forward(x_, g, b, fresh_running(4))[0]

    assert rel_error(dx, numerical_gradient_array(lambda v: f(x_=v), x, dout)) < 1e-7
    assert rel_error(dgamma, numerical_gradient_array(lambda v: f(g=v), gamma, dout)) < 1e-7
    assert rel_error(dbeta, numerical_gradient_array(lambda v: f(b=v), beta, dout)) < 1e-7


def test_batchnorm_input_gradient_sums_to_zero_per_feature(rng):
    x, dout = rng.normal(size=(10, 3)), rng.normal(size=(10, 3))
    _, cache = R.batchnorm_forward(x, rng.normal(size=3), rng.normal(size=3), fresh_running(3))
    dx = R.batchnorm_backward(dout, cache)[0]
    assert np.allclose(dx.sum(axis=0), 0.0, atol=1e-12) and np.abs(dx).max() > 0.1


def test_batchnorm_updates_running_averages_and_uses_them_in_eval_mode(rng):
    x = rng.normal(loc=2.0, scale=3.0, size=(20, 3))
    running = fresh_running(3)
    R.batchnorm_forward(x, np.ones(3), np.zeros(3), running, momentum=0.8)
    assert np.allclose(running["running_mean"], 0.2 * x.mean(axis=0))
    assert np.allclose(running["running_var"], 0.8 + 0.2 * x.var(axis=0))
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    out, cache = R.batchnorm_forward(x[:2], gamma, beta, running, train=False, eps=1e-5)
    expected = gamma * (x[:2] - running["running_mean"]) / np.sqrt(running["running_var"] + 1e-5) + beta
    assert np.allclose(out, expected)
    dout = rng.normal(size=(2, 3))
    frozen = {key: value.copy() for key, value in running.items()}
    dx = R.batchnorm_backward(dout, cache)[0]
    num = numerical_gradient_array(lambda v: R.batchnorm_forward(v, gamma, beta, frozen, train=False)[0], x[:2], dout)
    assert rel_error(dx, num) < 1e-7


def test_batchnorm_layer_prediction_does_not_depend_on_the_batch(rng):
    layer = layers.BatchNorm(3)
    for _ in range(30):
        layer.forward(rng.normal(loc=4.0, size=(16, 3)))
    x = rng.normal(loc=4.0, size=(8, 3))
    assert np.allclose(layer.forward(x, train=False)[:1], layer.forward(x[:1], train=False))
    assert np.allclose(layer.buffers["running_mean"], 4.0, atol=0.3)


# ------------------------------------------------------------------------------------------ layer norm

def test_layernorm_backward_matches_central_differences(rng):
    x, dout = rng.normal(scale=2.0, size=(5, 6)), rng.normal(size=(5, 6))
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    out, cache = R.layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = R.layernorm_backward(dout, cache)
    assert rel_error(dx, numerical_gradient_array(lambda v: R.layernorm_forward(v, gamma, beta)[0], x, dout)) < 1e-7
    assert rel_error(dgamma, numerical_gradient_array(lambda v: R.layernorm_forward(x, v, beta)[0], gamma, dout)) < 1e-7
    assert rel_error(dbeta, numerical_gradient_array(lambda v: R.layernorm_forward(x, gamma, v)[0], beta, dout)) < 1e-7
    assert np.allclose(dx.sum(axis=1), 0.0, atol=1e-12)  # per sample, this time


def test_layernorm_standardizes_each_sample_and_is_the_same_in_train_and_eval(rng):
    x = rng.normal(loc=5.0, scale=3.0, size=(4, 8))
    out, _ = R.layernorm_forward(x, np.ones(8), np.zeros(8))
    assert np.allclose(out.mean(axis=1), 0.0) and np.allclose(out.std(axis=1), 1.0, rtol=1e-5)
    layer = layers.LayerNorm(8)
    layer.params["gamma"] = rng.normal(size=8)
    assert np.array_equal(layer.forward(x, train=True), layer.forward(x, train=False))
    assert np.allclose(layer.forward(x[:1]), layer.forward(x)[:1])  # a batch of one works


# ------------------------------------------------------------------------------------------ early stopping

def test_early_stopping_waits_patience_epochs_and_restores_the_best_weights():
    net = layers.mlp([2, 3, 1], seed=0)
    stopper = R.EarlyStopping(patience=2)
    stops, snapshots = [], []
    for loss in [1.0, 0.5, 0.7, 0.6, 0.4]:
        net.params["W1"] = net.params["W1"] + 1.0  # training moves the weights
        snapshots.append(net.params["W1"].copy())
        stops.append(stopper.step(loss, net))
    assert stops == [False, False, False, True, False]  # two epochs without improvement, then a new best
    assert stopper.best_epoch == 5 and stopper.best_loss == 0.4 and stopper.wait == 0
    stopper = R.EarlyStopping(patience=2)
    for loss, W in zip([1.0, 0.5, 0.7, 0.6], snapshots):
        net.params["W1"] = W.copy()
        stopper.step(loss, net)
    stopper.restore(net)
    assert stopper.best_epoch == 2 and np.array_equal(net.params["W1"], snapshots[1])


def test_early_stopping_min_delta_ignores_tiny_improvements():
    net = layers.mlp([2, 2], seed=0)
    stopper = R.EarlyStopping(patience=2, min_delta=0.01)
    assert [stopper.step(v, net) for v in (1.0, 0.995, 0.992)] == [False, False, True]
