"""Update rules, each against an independent re-implementation of its written formula, over several steps
from a non-zero state; Adam's first step; weight decay; clipping; the step-size schedule."""

import numpy as np
import pytest

from backprop import optim

STEPS = 6


@pytest.fixture
def setup():
    """w0, a list of gradients (one per step) and a random generator."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(3, 4)), [rng.normal(size=(3, 4)) for _ in range(STEPS)], rng


def run(rule, w, grads, state):
    path = [w]
    for g in grads:
        w, state = rule(w, g, state)
        path.append(w)
    return path, state


def test_sgd(setup):
    w0, grads, _ = setup
    path, _ = run(optim.sgd, w0, grads, {"lr": 0.3})
    assert np.allclose(path[-1], w0 - 0.3 * np.sum(grads, axis=0))


def test_sgd_keeps_its_inputs_and_numpy_type_promotion():
    w, dw = np.ones(3, dtype=np.float32), np.full(3, 0.5)
    new, _ = optim.sgd(w, dw, {"lr": 0.1})
    assert new.dtype == np.float64 and np.allclose(new, 0.95)
    assert np.array_equal(w, np.ones(3)) and np.array_equal(dw, np.full(3, 0.5))
    assert optim.sgd(2.0, 4.0, {"lr": 0.25})[0] == 1.0  # scalars too


def test_momentum_from_a_nonzero_velocity(setup):
    w0, grads, rng = setup
    v0 = rng.normal(size=w0.shape)
    path, state = run(optim.momentum, w0, grads, {"lr": 0.1, "mu": 0.8, "v": v0.copy()})
    w, v = w0.copy(), v0.copy()
    for k, g in enumerate(grads):
        v = 0.8 * v - 0.1 * g
        w = w + v
        assert np.allclose(path[k + 1], w)
    assert np.allclose(state["v"], v)


def test_nesterov_equals_the_look_ahead_form_on_a_quadratic():
    rng = np.random.default_rng(1)
    B = rng.normal(size=(4, 4))
    A = B @ B.T + np.eye(4)
    grad = lambda x: A @ x  # gradient of 1/2 x^T A x
    lr, mu = 0.02, 0.9
    # Nesterov as usually written: the gradient is taken at the look-ahead point theta + mu v.
    theta, v = rng.normal(size=4), rng.normal(size=4)
    w, state = theta + mu * v, {"lr": lr, "mu": mu, "v": v.copy()}  # the library stores the look-ahead point
    for _ in range(STEPS):
        v = mu * v - lr * grad(theta + mu * v)
        theta = theta + v
        w, state = optim.nesterov(w, grad(w), state)
        assert np.allclose(w, theta + mu * v)


def test_adagrad_from_a_nonzero_accumulator(setup):
    w0, grads, rng = setup
    G0 = rng.uniform(0.5, 2.0, size=w0.shape)
    path, _ = run(optim.adagrad, w0, grads, {"lr": 0.5, "eps": 1e-8, "G": G0.copy()})
    w, G = w0.copy(), G0.copy()
    for k, g in enumerate(grads):
        G += g ** 2
        w -= 0.5 * g / (np.sqrt(G) + 1e-8)
        assert np.allclose(path[k + 1], w)


def test_rmsprop_from_a_nonzero_average(setup):
    w0, grads, rng = setup
    s0 = rng.uniform(0.5, 2.0, size=w0.shape)
    path, _ = run(optim.rmsprop, w0, grads, {"lr": 0.01, "rho": 0.7, "eps": 1e-6, "s": s0.copy()})
    w, s = w0.copy(), s0.copy()
    for k, g in enumerate(grads):
        s = 0.7 * s + 0.3 * g ** 2
        w -= 0.01 * g / (np.sqrt(s) + 1e-6)
        assert np.allclose(path[k + 1], w)


def test_adadelta_from_nonzero_averages(setup):
    w0, grads, rng = setup
    s0, u0 = rng.uniform(0.5, 2.0, size=w0.shape), rng.uniform(0.01, 0.1, size=w0.shape)
    path, _ = run(optim.adadelta, w0, grads, {"rho": 0.9, "eps": 1e-6, "s": s0.copy(), "u": u0.copy()})
    w, s, u = w0.copy(), s0.copy(), u0.copy()
    for k, g in enumerate(grads):
        s = 0.9 * s + 0.1 * g ** 2
        step = -np.sqrt(u + 1e-6) / np.sqrt(s + 1e-6) * g
        u = 0.9 * u + 0.1 * step ** 2
        w = w + step  # the default lr = 1 is Zeiler's rule without a learning rate
        assert np.allclose(path[k + 1], w)


def test_adam_from_a_nonzero_state(setup):
    w0, grads, rng = setup
    m0, v0 = rng.normal(size=w0.shape), rng.uniform(0.5, 2.0, size=w0.shape)
    cfg = {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-7}
    path, state = run(optim.adam, w0, grads, {**cfg, "m": m0.copy(), "v": v0.copy(), "t": 3})
    w, m, v = w0.copy(), m0.copy(), v0.copy()
    for k, g in enumerate(grads):
        t = 4 + k
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g ** 2
        w = w - 0.01 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.99 ** t)) + 1e-7)
        assert np.allclose(path[k + 1], w)
    assert state["t"] == 3 + STEPS


def test_adam_first_step_moves_every_weight_by_about_lr(setup):
    w0, grads, _ = setup
    w1, state = optim.adam(w0, grads[0], {"lr": 1e-3})
    assert np.allclose(w1 - w0, -1e-3 * np.sign(grads[0]), rtol=1e-6)  # bias correction: m_hat = g, v_hat = g^2
    assert state["t"] == 1 and {"beta1", "beta2", "eps", "m", "v"} <= state.keys()


@pytest.mark.parametrize("rule", [optim.sgd, optim.momentum, optim.nesterov, optim.adagrad, optim.rmsprop,
                                  optim.adadelta, optim.adam])
def test_rules_create_their_state_keep_w_and_descend_a_quadratic(rule):
    A = np.diag([1.0, 10.0])
    w0 = np.array([1.0, 1.0])
    w, state = rule(w0, A @ w0, None)
    assert np.array_equal(w0, [1.0, 1.0]) and "lr" in state  # w not modified in place; defaults filled in
    lr = {optim.sgd: 0.05, optim.momentum: 0.02, optim.nesterov: 0.02, optim.adagrad: 0.5, optim.rmsprop: 0.01,
          optim.adadelta: 1.0, optim.adam: 0.05}[rule]
    state = {"lr": lr}
    w = w0
    for _ in range(200):
        w, state = rule(w, A @ w, state)
    assert 0.5 * w @ A @ w < 0.5 * 0.5 * w0 @ A @ w0


def test_l2_penalty_value_gradient_and_the_weight_decay_factor(setup):
    w0, grads, _ = setup
    lam, lr = 0.05, 0.1
    value, grad = optim.l2_penalty(w0, lam)
    assert np.isclose(value, lam * np.sum(w0 ** 2)) and np.allclose(grad, 2 * lam * w0)
    w1, _ = optim.sgd(w0, grads[0] + grad, {"lr": lr})
    assert np.allclose(w1, (1 - 2 * lam * lr) * w0 - lr * grads[0])


def test_clip_grad_norm_caps_the_global_norm_and_keeps_the_direction(setup):
    _, grads, _ = setup
    named = {"W1": grads[0].copy(), "b1": grads[1][0].copy()}
    norm = np.sqrt(np.sum(grads[0] ** 2) + np.sum(grads[1][0] ** 2))
    assert np.isclose(optim.clip_grad_norm(named, 1.0), norm)
    assert np.isclose(np.sqrt(sum(np.sum(g ** 2) for g in named.values())), 1.0)
    assert np.allclose(named["W1"], grads[0] / norm)
    unchanged = {"W1": grads[0].copy()}
    optim.clip_grad_norm(unchanged, 1e6)
    assert np.array_equal(unchanged["W1"], grads[0])


def test_inverse_time_decay():
    assert optim.inverse_time_decay(0.2, 0, 10) == 0.2
    assert np.isclose(optim.inverse_time_decay(0.2, 10, 10), 0.1)
    assert np.isclose(optim.inverse_time_decay(0.2, 30, 10), 0.05)
