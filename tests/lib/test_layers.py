"""Layers: every pure backward pass against central differences, the layer objects, Sequential, initializers."""

import numpy as np
import pytest

from backprop import init, layers, losses
from backprop.gradcheck import check_model_gradients, numerical_gradient_array, rel_error


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_dense_forward_is_x_W_plus_b(rng):
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5)
    out, _ = layers.dense_forward(x, W, b)
    assert out.shape == (4, 5)
    assert np.allclose(out, [[sum(x[i, k] * W[k, j] for k in range(3)) + b[j] for j in range(5)] for i in range(4)])


def test_dense_backward_matches_central_differences(rng):
    x, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dout = rng.normal(size=(6, 3))
    dx, dW, db = layers.dense_backward(dout, layers.dense_forward(x, W, b)[1])
    assert rel_error(dx, numerical_gradient_array(lambda v: layers.dense_forward(v, W, b)[0], x, dout)) < 1e-7
    assert rel_error(dW, numerical_gradient_array(lambda v: layers.dense_forward(x, v, b)[0], W, dout)) < 1e-7
    assert rel_error(db, numerical_gradient_array(lambda v: layers.dense_forward(x, W, v)[0], b, dout)) < 1e-7
    skipped = layers.dense_backward(dout, layers.dense_forward(x, W, b)[1], input_grad=False)
    assert skipped[0] is None and np.array_equal(skipped[1], dW) and np.array_equal(skipped[2], db)


SMOOTH_PAIRS = [(layers.sigmoid_forward, layers.sigmoid_backward), (layers.tanh_forward, layers.tanh_backward),
                (layers.softplus_forward, layers.softplus_backward), (layers.softmax_forward, layers.softmax_backward)]
KINKED_PAIRS = [(layers.relu_forward, layers.relu_backward), (layers.abs_relu_forward, layers.abs_relu_backward),
                (layers.leaky_relu_forward, layers.leaky_relu_backward)]


@pytest.mark.parametrize("forward, backward", SMOOTH_PAIRS, ids=lambda f: f.__name__)
def test_smooth_activation_backward_matches_central_differences(forward, backward, rng):
    z, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    dz = backward(dout, forward(z)[1])
    assert rel_error(dz, numerical_gradient_array(lambda v: forward(v)[0], z, dout)) < 1e-7


@pytest.mark.parametrize("forward, backward", KINKED_PAIRS, ids=lambda f: f.__name__)
def test_kinked_activation_backward_matches_central_differences(forward, backward, rng):
    z = rng.choice([-1.0, 1.0], size=(5, 4)) * rng.uniform(0.1, 2.0, size=(5, 4))
    dout = rng.normal(size=(5, 4))
    dz = backward(dout, forward(z)[1])
    assert rel_error(dz, numerical_gradient_array(lambda v: forward(v)[0], z, dout)) < 1e-5


def test_leaky_relu_pair_uses_its_alpha(rng):
    z = -rng.uniform(0.5, 1.0, size=(3, 2))
    out, cache = layers.leaky_relu_forward(z, alpha=0.2)
    assert np.allclose(out, 0.2 * z)
    assert np.allclose(layers.leaky_relu_backward(np.ones_like(z) * 3.0, cache), 0.6)


def test_softmax_followed_by_nll_gives_p_minus_onehot(rng):
    z, y = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
    p, cache = layers.softmax_forward(z)
    dp = np.zeros_like(p)
    dp[np.arange(4), y] = -1 / (4 * p[np.arange(4), y])  # d/dp of -mean log p_y
    assert np.allclose(layers.softmax_backward(dp, cache), losses.softmax_cross_entropy(z, y)[1])


LAYER_OBJECTS = [layers.ReLU, layers.Sigmoid, layers.Tanh, layers.LeakyReLU, layers.AbsReLU, layers.Softplus,
                 layers.Softmax, lambda: layers.Maxout(2)]


@pytest.mark.parametrize("make", LAYER_OBJECTS)
def test_activation_objects_match_central_differences(make, rng):
    layer = make()
    x = rng.choice([-1.0, 1.0], size=(5, 6)) * rng.uniform(0.1, 2.0, size=(5, 6))
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    assert layer.params == {} and layer.grads == {}
    assert rel_error(dx, numerical_gradient_array(lambda v: make().forward(v), x, dout)) < 1e-5


def test_dense_object_has_matching_params_and_grads(rng):
    layer = layers.Dense(4, 3, rng=1)
    assert layer.params.keys() == layer.grads.keys() == {"W", "b"}
    assert layer.params["W"].shape == (4, 3) and np.array_equal(layer.params["b"], np.zeros(3))
    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    layer.forward(x)
    dx = layer.backward(dout)
    W = layer.params["W"]
    assert np.allclose(dx, dout @ W.T) and np.allclose(layer.grads["W"], x.T @ dout)
    assert np.allclose(layer.grads["b"], dout.sum(axis=0))
    assert np.array_equal(layers.Dense(4, 3, rng=1).params["W"], W)  # same seed, same weights
    assert layers.Dense(4, 3, rng=1, dtype=np.float32).params["W"].dtype == np.float32


def small_net(seed=0):
    return layers.Sequential(layers.Dense(5, 7, rng=seed), layers.Tanh(), layers.BatchNorm(7),
                             layers.Dense(7, 6, rng=seed + 1), layers.LayerNorm(6), layers.Sigmoid(),
                             layers.Dense(6, 3, rng=seed + 2))


def test_sequential_numbers_parameters_grads_and_buffers():
    net = small_net()
    assert list(net.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert list(net.grads) == list(net.params)
    assert list(net.buffers) == ["running_mean1", "running_var1"]
    assert net.params["W2"] is net.layers[3].params["W"]
    new = np.zeros((7, 6))
    net.params["W2"] = new  # writes go through to the layer
    assert net.layers[3].params["W"] is new


def test_a_bias_right_before_batch_norm_gets_no_gradient():
    rng = np.random.default_rng(7)
    net = layers.Sequential(layers.Dense(4, 5, rng=0), layers.BatchNorm(5), layers.Tanh(), layers.Dense(5, 2, rng=1))
    net.forward(rng.normal(size=(9, 4)))
    net.backward(rng.normal(size=(9, 2)))
    assert np.abs(net.grads["b1"]).max() < 1e-12 < np.abs(net.grads["W1"]).max()  # the batch mean absorbs it


def test_whole_network_gradient_check_smooth_layers():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 5)), rng.integers(0, 3, size=8)
    errors = check_model_gradients(small_net(), losses.softmax_cross_entropy, X, y)
    assert set(errors) == {"W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"}
    # The relative error of an entry close to 0 is dominated by the rounding error of the difference
    # quotient (~1e-11 absolute): a draw with an entry of ~1e-5 (default_rng(1) here) reads ~1e-6 although
    # every piece is exact. This draw has no such entry.
    assert max(errors.values()) < 1e-7, errors


def test_whole_network_gradient_check_relu_mlp_and_regression_losses():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(6, 4))
    net = layers.mlp([4, 8, 8, 2], seed=3)
    errors = check_model_gradients(net, losses.squared_error, X, rng.normal(size=(6, 2)))
    assert max(errors.values()) < 1e-5, errors
    net = layers.Sequential(layers.Dense(4, 6, rng=4), layers.LeakyReLU(0.1), layers.Dense(6, 1, rng=5))
    errors = check_model_gradients(net, losses.bce_from_logits, X, rng.integers(0, 2, size=(6, 1)).astype(float))
    assert max(errors.values()) < 1e-5, errors


def test_check_model_gradients_catches_a_wrong_backward_pass():
    class WrongTanh(layers.Tanh):
        def backward(self, dout):
            return dout * (1 - self.cache)  # forgot the square

    rng = np.random.default_rng(3)
    net = layers.Sequential(layers.Dense(3, 4, rng=0), WrongTanh(), layers.Dense(4, 2, rng=1))
    errors = check_model_gradients(net, losses.softmax_cross_entropy, rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1]))
    assert errors["W1"] > 1e-3 and errors["W2"] < 1e-7


def test_check_model_gradients_leaves_the_model_as_it_found_it():
    net = small_net()
    X, y = np.random.default_rng(4).normal(size=(6, 5)), np.arange(6) % 3
    before = {k: np.copy(v) for group in (net.params, net.buffers) for k, v in group.items()}
    check_model_gradients(net, losses.softmax_cross_entropy, X, y)
    after = {k: v for group in (net.params, net.buffers) for k, v in group.items()}
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_backward_without_input_gradient_gives_the_same_parameter_gradients():
    rng = np.random.default_rng(5)
    X, dout = rng.normal(size=(6, 5)), rng.normal(size=(6, 3))
    net = layers.Sequential(layers.GaussianNoise(0.0), *small_net().layers)
    net.forward(X)
    dx = net.backward(dout)
    full = {k: np.copy(v) for k, v in net.grads.items()}
    net.forward(X)
    assert net.backward(dout, input_grad=False) is None
    assert dx.shape == X.shape
    assert all(np.allclose(full[k], net.grads[k]) for k in full)


def test_mlp_builds_dense_layers_with_activations_between():
    net = layers.mlp([4, 8, 3], activation=layers.Tanh, init=init.xavier, seed=0)
    assert [type(layer).__name__ for layer in net.layers] == ["Dense", "Tanh", "Dense"]
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    assert net.forward(np.zeros((2, 4))).shape == (2, 3)
    assert np.array_equal(net.params["W1"], layers.mlp([4, 8, 3], init=init.xavier, seed=0).params["W1"])


def test_initializers_shapes_scales_and_seeds():
    for f in (init.small_normal, init.xavier, init.he):
        assert f(3, 4, 0).shape == (3, 4)
        assert np.array_equal(f(3, 4, 7), f(3, 4, np.random.default_rng(7)))
    assert np.isclose(init.he(400, 300, 0).std(), np.sqrt(2 / 400), rtol=0.02)
    assert np.isclose(init.xavier(400, 300, 0).std(), np.sqrt(2 / 700), rtol=0.02)
    assert np.isclose(init.small_normal(400, 300, 0).std(), 0.01, rtol=0.02)
    assert not init.zeros(3, 4).any()


def test_zero_initialization_keeps_hidden_units_identical():
    net = layers.mlp([3, 4, 2], activation=layers.Tanh, init=init.zeros)
    for layer in net.layers[::2]:
        layer.params["W"] += 0.5  # equal, non-zero weights: still perfectly symmetric
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 2, size=10)
    for _ in range(5):
        net.backward(losses.softmax_cross_entropy(net.forward(X), y)[1])
        for name in net.params:
            net.params[name] = net.params[name] - 0.5 * net.grads[name]
    W1 = net.params["W1"]
    assert np.allclose(W1, W1[:, :1])  # every hidden unit has the same incoming weights
