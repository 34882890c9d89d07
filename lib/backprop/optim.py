"""Gradient-descent update rules, weight decay, gradient clipping and a decaying step size.

Lecture topics: gradient descent and the learning rate (notes 000, 004), adaptive step sizes: momentum,
Adagrad, RMSProp, Adadelta, Adam (notes 000, 004), weight decay (notes 002, 004), exploding gradients
(notes 004), step sizes that decrease over time so that SGD converges (notes 004).

Every update rule has the same signature, as in CS231n's ``optim.py``:

    w_new, state = rule(w, dw, state=None)

- ``w`` : ndarray, the current parameter (any shape); it is not modified: a new array is returned;
- ``dw`` : ndarray, same shape, the gradient dL/dw at w;
- ``state`` : dict with the hyper-parameters (``lr`` and the rule's own) and the running quantities
  (velocity, squared-gradient averages, step count). None, or missing keys, get the defaults listed in
  each docstring (written into the dict). The dict is updated in place and returned; use one state per
  parameter array. Running quantities start at zero (a scalar 0 until the first step makes them arrays).

In the formulas g is dw, eta is ``lr``, all operations are elementwise, and t counts the steps from 1.
"""

import numpy as np


def sgd(w, dw, state=None):
    """Plain (stochastic) gradient descent.

    Formula: w <- w - eta g.

    state: ``lr`` (default 1e-2). Topic: gradient descent, SGD (notes 000, 004).
    """
    state = {} if state is None else state
    return w - state.setdefault("lr", 1e-2) * dw, state


def momentum(w, dw, state=None):
    """Gradient descent with (heavy-ball) momentum: a velocity that averages past steps.

    Formula: v <- mu v - eta g;   w <- w + v.
    Along directions where the gradient keeps its sign the steps add up: for a constant gradient g the velocity
    is v_t = -eta g (1 - mu^t) / (1 - mu), which tends to 1 / (1 - mu) times the plain step -eta g (ten times for
    mu = 0.9). Where the gradient oscillates the steps cancel, which damps zig-zags across a narrow valley.

    state: ``lr`` (1e-2), ``mu`` (0.9), ``v`` (zeros, the velocity). Topic: momentum (notes 004).
    """
    state = {} if state is None else state
    lr, mu = state.setdefault("lr", 1e-2), state.setdefault("mu", 0.9)
    v = mu * state.get("v", 0.0) - lr * dw
    state["v"] = v
    return w + v, state


def nesterov(w, dw, state=None):
    """Nesterov accelerated gradient, in the form that needs the gradient at the stored w only.

    Formula: v_prev = v;   v <- mu v - eta g;   w <- w - mu v_prev + (1 + mu) v.
    Nesterov's method evaluates the gradient at the look-ahead point w + mu v; storing the look-ahead point
    instead of w turns it into this update, where g is the gradient at the stored parameters.

    state: ``lr`` (1e-2), ``mu`` (0.9), ``v`` (zeros). Topic: momentum (notes 004).
    """
    state = {} if state is None else state
    lr, mu = state.setdefault("lr", 1e-2), state.setdefault("mu", 0.9)
    v_prev = state.get("v", 0.0)
    v = mu * v_prev - lr * dw
    state["v"] = v
    return w - mu * v_prev + (1 + mu) * v, state


def adagrad(w, dw, state=None):
    """Adagrad: each weight gets its own step size, shrinking with the sum of its squared gradients.

    Formula: G <- G + g^2;   w <- w - eta g / (sqrt(G) + eps).
    Weights with large past gradients take smaller steps; since G only grows, the steps decay to zero.

    state: ``lr`` (1e-2), ``eps`` (1e-8), ``G`` (zeros). Topic: adaptive step sizes, Adagrad (notes 004).
    """
    state = {} if state is None else state
    lr, eps = state.setdefault("lr", 1e-2), state.setdefault("eps", 1e-8)
    G = state.get("G", 0.0) + dw * dw
    state["G"] = G
    return w - lr * dw / (np.sqrt(G) + eps), state


def rmsprop(w, dw, state=None):
    """RMSProp: Adagrad with a decaying average of squared gradients instead of a growing sum.

    Formula: s <- rho s + (1 - rho) g^2;   w <- w - eta g / (sqrt(s) + eps).

    state: ``lr`` (1e-3), ``rho`` (0.9), ``eps`` (1e-8), ``s`` (zeros). Topic: adaptive learning rates (notes 000).
    """
    state = {} if state is None else state
    lr, rho, eps = state.setdefault("lr", 1e-3), state.setdefault("rho", 0.9), state.setdefault("eps", 1e-8)
    s = rho * state.get("s", 0.0) + (1 - rho) * dw * dw
    state["s"] = s
    return w - lr * dw / (np.sqrt(s) + eps), state


def adadelta(w, dw, state=None):
    """Adadelta: a step whose units match w's, from running averages of squared gradients and squared steps.

    Formula: s <- rho s + (1 - rho) g^2;
             delta = -sqrt(u + eps) / sqrt(s + eps) * g;
             u <- rho u + (1 - rho) delta^2;
             w <- w + eta delta.
    The ratio of two root-mean-squares replaces the learning rate (Zeiler 2012 has no eta; the default
    eta = 1 keeps that form, and other values scale the step). From s = u = 0, the first step has size
    sqrt(eps) |g| / sqrt((1 - rho) g^2 + eps), about sqrt(eps / (1 - rho)) once g^2 >> eps, and the steps then
    grow as u collects them.

    state: ``lr`` (1.0), ``rho`` (0.95), ``eps`` (1e-6), ``s`` and ``u`` (zeros). Topic: Adadelta (notes 004).
    """
    state = {} if state is None else state
    lr, rho, eps = state.setdefault("lr", 1.0), state.setdefault("rho", 0.95), state.setdefault("eps", 1e-6)
    s = rho * state.get("s", 0.0) + (1 - rho) * dw * dw
    delta = -np.sqrt(state.get("u", 0.0) + eps) / np.sqrt(s + eps) * dw
    state["s"], state["u"] = s, rho * state.get("u", 0.0) + (1 - rho) * delta * delta
    return w + lr * delta, state


def adam(w, dw, state=None):
    """Adam: momentum on the gradient plus RMSProp scaling, both bias-corrected.

    Formula: t <- t + 1;
             m <- beta1 m + (1 - beta1) g;          v <- beta2 v + (1 - beta2) g^2;
             m_hat = m / (1 - beta1^t);             v_hat = v / (1 - beta2^t);
             w <- w - eta m_hat / (sqrt(v_hat) + eps).
    m and v start at zero, so early averages are biased towards zero: with gradients of constant mean g_bar,
    E[m_t] = (1 - beta1^t) g_bar (a geometric sum of t terms), and dividing by (1 - beta^t) removes the bias.
    On the first step m_hat = g and v_hat = g^2, so every weight moves by about eta * sign(g); without the
    correction it would move by eta (1 - beta1) / sqrt(1 - beta2), about 3.16 eta for the default betas.

    state: ``lr`` (1e-3), ``beta1`` (0.9), ``beta2`` (0.999), ``eps`` (1e-8), ``m``, ``v`` (zeros), ``t`` (0).
    Topic: Adam (notes 004).
    """
    state = {} if state is None else state
    lr, eps = state.setdefault("lr", 1e-3), state.setdefault("eps", 1e-8)
    b1, b2 = state.setdefault("beta1", 0.9), state.setdefault("beta2", 0.999)
    t = state.get("t", 0) + 1
    m = b1 * state.get("m", 0.0) + (1 - b1) * dw
    v = b2 * state.get("v", 0.0) + (1 - b2) * dw * dw
    state["t"], state["m"], state["v"] = t, m, v
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), state


def l2_penalty(W, lam):
    """Weight decay: the L2 penalty added to the loss, and its gradient.

    Formula: R(W) = lam ||W||^2 = lam sum_ij W_ij^2,   dR/dW = 2 lam W.
    With plain gradient descent on L + R the step becomes
        W <- W - eta (g + 2 lam W) = (1 - 2 lam eta) W - eta g,
    so each step first shrinks (decays) the weights by the factor (1 - 2 lam eta). Usually applied to the
    weight matrices and not to the biases.

    Returns ``(value, grad)``: a float and an array shaped like W. Topic: weight decay (notes 002, 004).
    """
    return lam * float(np.sum(W * W)), 2 * lam * W


def clip_grad_norm(grads, max_norm):
    """Rescale a set of gradients so that their global norm is at most ``max_norm`` (in place).

    Formula: N = sqrt(sum over arrays and entries of g^2); if N > max_norm, every g <- g * max_norm / N.
    Scaling every array by k multiplies N by k, so k = max_norm / N makes the clipped norm exactly max_norm.
    The direction of the step is kept and only its length is capped: a remedy for exploding gradients.

    Parameters
    ----------
    grads : dict (or mapping) name -> ndarray, e.g. ``model.grads``; the arrays are scaled in place
    max_norm : float

    Returns
    -------
    float, the global norm N before clipping.

    Topic: exploding gradients (notes 004).
    """
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def inverse_time_decay(eta0, t, tau):
    """A decreasing step size: eta_t = eta0 / (1 + t / tau).

    The steps shrink like 1/t, so that sum_t eta_t diverges (the iterates can travel any distance) while
    sum_t eta_t^2 converges (the gradient noise of SGD averages out): the classic conditions under which
    SGD converges (Robbins and Monro, 1951; notes 004 only say that eta(t) must decrease "in a certain way").
    After tau steps (or epochs) the step size is halved. Topic: step size eta(t) in SGD (notes 004).
    """
    return eta0 / (1.0 + t / tau)
