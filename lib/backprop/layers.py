"""Layers: pure forward/backward functions, thin layer objects built on them, and ``Sequential``.

Lecture topics: the forward pass and back-propagation through a network of modules (notes 000, 001, 004),
the chain rule in matrix form for Y = XW (notes 002: dL/dX = dL/dY W^T, dL/dW = X^T dL/dY), activation
derivatives inside a backward pass (notes 004), general back-propagation as Jacobian-gradient products
(notes 002).

Conventions:
- rows are samples: x has shape (n, d_in); a dense layer computes out = x @ W + b with W (d_in, d_out) and
  b (d_out,). The lecture's column form z = W^T x + b is the same map, one sample per column;
- a forward function returns ``(out, cache)``: the output and whatever the backward pass will need;
- a backward function takes ``(dout, cache)``, where dout = dL/dout has the shape of out, and returns the
  gradient w.r.t. the input (and w.r.t. each parameter), each with the shape of the thing it is the
  gradient of. This is the Jacobian-transpose-times-gradient product of the chain rule;
- a layer object has ``params`` and ``grads``, two dicts with the same keys (grads filled by ``backward``),
  ``buffers`` (state that is not trained, e.g. batch-norm running averages), ``forward(x, train=True)``
  and ``backward(dout)``, which returns dL/dx. Layers with parameters also accept
  ``backward(dout, input_grad=False)``, which computes the parameter gradients only.
"""

from collections import Counter
from collections.abc import MutableMapping
from functools import partial

import numpy as np

from backprop import init as initializers
from backprop.activations import (abs_relu_grad, leaky_relu, leaky_relu_grad, maxout_backward,
                                  maxout_forward, sigmoid, softmax, softplus, softplus_grad)
from backprop.regularizers import (batchnorm_backward, batchnorm_forward, batchnorm_running, dropout_backward,
                                   dropout_forward, gaussian_noise_forward, layernorm_backward,
                                   layernorm_forward)

# ------------------------------------------------------------------------------------------ dense (affine)


def dense_forward(x, W, b):
    """Affine map of a batch: out = x @ W + b.

    Formula: out_ij = sum_k x_ik W_kj + b_j (in the lecture's column notation z = W^T x + b per sample).

    Parameters
    ----------
    x : ndarray (n, d_in)
    W : ndarray (d_in, d_out)
    b : ndarray (d_out,)

    Returns
    -------
    out : ndarray (n, d_out)
    cache : (x, W)

    Topic: the linear part of a unit, Z = XW (notes 002, 004).
    """
    out = x @ W
    out += b
    return out, (x, W)


def dense_backward(dout, cache, input_grad=True):
    """Backward pass of the affine map, from the matrix chain rule for Y = XW + b.

    Formula:
        dL/dx = dout @ W^T      (n, d_in)     each input row reaches every output through W
        dL/dW = x^T @ dout      (d_in, d_out) summed over the samples of the batch
        dL/db = sum_i dout_i    (d_out,)      b is added to every row
    Each gradient has the shape of its variable, which is a quick way to recall where the transposes go.

    Parameters
    ----------
    dout : ndarray (n, d_out), upstream gradient dL/dout
    cache : (x, W) from ``dense_forward``
    input_grad : bool
        False skips dL/dx (returned as None). The first layer of a network never needs it, and for a wide
        input that product costs as much as the forward pass.

    Returns
    -------
    dx : ndarray (n, d_in) or None;  dW : ndarray (d_in, d_out);  db : ndarray (d_out,)
    """
    x, W = cache
    dx = dout @ W.T if input_grad else None
    return dx, x.T @ dout, dout.sum(axis=0)


# ------------------------------------------------------------------------------ activation forward/backward
# Shapes: z, out, dout and dz all have the same shape (n, d). Each backward multiplies dout by the
# activation's derivative: the Jacobian of an elementwise function is diagonal, so the Jacobian-gradient
# product is an elementwise product. Topic: activation derivatives in the backward pass (notes 004).

def relu_forward(z):
    """ReLU layer: out = max(0, z), z (n, d). Returns ``(out, z)``. Topic: ReLU hidden units (notes 002, 004)."""
    return np.maximum(z, 0.0), z


def relu_backward(dout, cache):
    """dL/dz = dout * step(z), (n, d): the gradient passes where z >= 0 and is blocked where z < 0.

    Topic: the ReLU derivative (notes 004); in matrix form, zeroing the entries of dL/dH where U < 0 (notes 002).
    """
    return dout * (cache >= 0)  # dout * relu_grad(z), the comparison's booleans acting as 0 and 1


def leaky_relu_forward(z, alpha=0.01):
    """Leaky ReLU layer: out = max(0, z) + alpha min(0, z), z (n, d). Returns ``(out, (z, alpha))`` (notes 002)."""
    return leaky_relu(z, alpha), (z, alpha)


def leaky_relu_backward(dout, cache):
    """dL/dz = dout * (1 if z >= 0 else alpha), (n, d) (notes 002)."""
    z, alpha = cache
    return dout * leaky_relu_grad(z, alpha)


def abs_relu_forward(z):
    """Absolute-value rectification layer: out = |z|, z (n, d). Returns ``(out, z)`` (notes 002)."""
    return np.abs(z), z


def abs_relu_backward(dout, cache):
    """dL/dz = dout * sign(z) (with sign(0) = +1), (n, d) (notes 002)."""
    return dout * abs_relu_grad(cache)


def softplus_forward(z):
    """Softplus layer: out = log(1 + e^z), computed stably, z (n, d). Returns ``(out, z)`` (notes 000)."""
    return softplus(z), z


def softplus_backward(dout, cache):
    """dL/dz = dout * sigma(z), (n, d) (notes 000)."""
    return dout * softplus_grad(cache)


def sigmoid_forward(z):
    """Sigmoid layer: out = 1 / (1 + e^{-z}), z (n, d). Returns ``(out, out)``: the derivative is written with
    the output. Topic: sigmoid units (notes 000, 001, 004)."""
    out = sigmoid(z)
    return out, out


def sigmoid_backward(dout, cache):
    """dL/dz = dout * s (1 - s), (n, d), with s = sigma(z) the cached output (no exponential recomputed)."""
    return dout * cache * (1.0 - cache)


def tanh_forward(z):
    """tanh layer: out = tanh(z), z (n, d). Returns ``(out, out)``. Topic: tanh units (notes 000, 004)."""
    out = np.tanh(z)
    return out, out


def tanh_backward(dout, cache):
    """dL/dz = dout * (1 - t^2), (n, d), with t = tanh(z) the cached output."""
    return dout * (1.0 - cache * cache)


def softmax_forward(z):
    """Row-wise softmax layer: out = softmax(z), z (n, C). Returns ``(out, out)``. Topic: softmax units (notes 002)."""
    out = softmax(z)
    return out, out


def softmax_backward(dout, cache):
    """Backward pass of the row-wise softmax: a full (not diagonal) Jacobian, applied without building it.

    Formula: with p = softmax(z) for one row, d p_i / d z_j = p_i ([i = j] - p_j), so
        dL/dz = p * (dout - sum_j dout_j p_j)       (per row; * is elementwise), dout and dz (n, C).
    Followed by the cross-entropy, this collapses to (p - onehot(y)) / n: ``losses.softmax_cross_entropy``
    does both at once, which is cheaper and stable. Topic: the softmax derivative the notes skip (notes 004),
    Jacobian-gradient products (notes 002).
    """
    p = cache
    return p * (dout - np.sum(dout * p, axis=1, keepdims=True))


# --------------------------------------------------------------------------------------------- layer objects

class Layer:
    """A layer without parameters (the base of all layers): ``params``, ``grads`` and ``buffers`` are empty."""

    def __init__(self):
        self.params, self.grads, self.buffers = {}, {}, {}

    def forward(self, x, train=True):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Fully connected layer out = x @ W + b: x (n, d_in) -> (n, d_out), params W (d_in, d_out) and b (d_out,).

    ``init`` is an initializer from ``backprop.init`` (``he``, ``xavier``, ``small_normal``, ``zeros``),
    ``rng`` a ``numpy.random.Generator`` or an int seed; b starts at zero. ``dtype=np.float32`` halves
    memory traffic when speed matters more than gradient checks. Topic: layers of units (notes 004).
    """

    def __init__(self, d_in, d_out, init=initializers.he, rng=None, dtype=np.float64):
        super().__init__()
        self.params["W"] = np.asarray(init(d_in, d_out, np.random.default_rng(rng)), dtype=dtype)
        self.params["b"] = np.zeros(d_out, dtype=dtype)
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def forward(self, x, train=True):
        out, self.cache = dense_forward(x, self.params["W"], self.params["b"])
        return out

    def backward(self, dout, input_grad=True):
        dx, self.grads["W"], self.grads["b"] = dense_backward(dout, self.cache, input_grad)
        return dx

    def __repr__(self):
        return f"Dense({self.params['W'].shape[0]}, {self.params['W'].shape[1]})"


class Activation(Layer):
    """A layer without parameters wrapping a pair of pure functions ``forward_fn(z) -> (out, cache)`` and
    ``backward_fn(dout, cache) -> dz`` (shapes as the functions'); the classes below are its instances."""

    def __init__(self, forward_fn, backward_fn):
        super().__init__()
        self.forward_fn, self.backward_fn = forward_fn, backward_fn

    def forward(self, x, train=True):
        out, self.cache = self.forward_fn(x)
        return out

    def backward(self, dout):
        return self.backward_fn(dout, self.cache)


class ReLU(Activation):
    """max(0, z), elementwise."""

    def __init__(self):
        super().__init__(relu_forward, relu_backward)


class LeakyReLU(Activation):
    """max(0, z) + alpha min(0, z), elementwise."""

    def __init__(self, alpha=0.01):
        super().__init__(partial(leaky_relu_forward, alpha=alpha), leaky_relu_backward)


class AbsReLU(Activation):
    """|z|, elementwise."""

    def __init__(self):
        super().__init__(abs_relu_forward, abs_relu_backward)


class Softplus(Activation):
    """log(1 + e^z), elementwise."""

    def __init__(self):
        super().__init__(softplus_forward, softplus_backward)


class Sigmoid(Activation):
    """1 / (1 + e^{-z}), elementwise."""

    def __init__(self):
        super().__init__(sigmoid_forward, sigmoid_backward)


class Tanh(Activation):
    """tanh(z), elementwise."""

    def __init__(self):
        super().__init__(tanh_forward, tanh_backward)


class Softmax(Activation):
    """Row-wise softmax (for probabilities; to train, prefer scores + ``losses.softmax_cross_entropy``)."""

    def __init__(self):
        super().__init__(softmax_forward, softmax_backward)


class Maxout(Activation):
    """Maximum over consecutive groups of k inputs: (n, m * k) -> (n, m) (notes 002)."""

    def __init__(self, k):
        super().__init__(partial(maxout_forward, k=k), maxout_backward)


class Dropout(Layer):
    """Inverted dropout with drop probability p (see ``regularizers.dropout_forward``); identity when
    ``train=False``. Any shape -> same. ``rng``: Generator or int seed, so that a run is reproducible."""

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p, self.rng = p, np.random.default_rng(rng)

    def forward(self, x, train=True):
        out, self.cache = dropout_forward(x, self.p, train, self.rng)
        return out

    def backward(self, dout):
        return dropout_backward(dout, self.cache)


class GaussianNoise(Layer):
    """out = x + sigma * N(0, 1) noise while training (input perturbation, notes 004); identity otherwise."""

    def __init__(self, sigma=0.1, rng=None):
        super().__init__()
        self.sigma, self.rng = sigma, np.random.default_rng(rng)

    def forward(self, x, train=True):
        return gaussian_noise_forward(x, self.sigma, train, self.rng)[0]

    def backward(self, dout):
        return dout


class BatchNorm(Layer):
    """Batch normalization of x (n, d) over the batch: params gamma (ones) and beta (zeros), buffers
    running_mean and running_var (updated while training, used when ``train=False``).
    See ``regularizers.batchnorm_forward`` for the formula (notes 004)."""

    def __init__(self, d, momentum=0.9, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.params = {"gamma": np.ones(d), "beta": np.zeros(d)}
        self.grads = {key: np.zeros(d) for key in self.params}
        self.buffers = batchnorm_running(d)

    def forward(self, x, train=True):
        out, self.cache = batchnorm_forward(x, self.params["gamma"], self.params["beta"], self.buffers,
                                            train, self.momentum, self.eps)
        return out

    def backward(self, dout, input_grad=True):
        dx, self.grads["gamma"], self.grads["beta"] = batchnorm_backward(dout, self.cache)
        return dx if input_grad else None


class LayerNorm(Layer):
    """Layer normalization of x (n, d) over the d features of each sample: params gamma (ones) and beta
    (zeros). Same computation in training and prediction. See ``regularizers.layernorm_forward`` (notes 004)."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.params = {"gamma": np.ones(d), "beta": np.zeros(d)}
        self.grads = {key: np.zeros(d) for key in self.params}

    def forward(self, x, train=True):
        out, self.cache = layernorm_forward(x, self.params["gamma"], self.params["beta"], self.eps)
        return out

    def backward(self, dout, input_grad=True):
        dx, self.grads["gamma"], self.grads["beta"] = layernorm_backward(dout, self.cache)
        return dx if input_grad else None


# ------------------------------------------------------------------------------------------------ Sequential

class _Numbered(MutableMapping):
    """The entries of several layers' dicts under numbered names (W1, b1, W2, ...); reads and writes go
    through to the layers' own dicts, so ``model.params["W1"] = new`` replaces the layer's W."""

    def __init__(self, slots):
        self._slots = slots  # name -> (the layer's dict, key in it)

    def __getitem__(self, name):
        owner, key = self._slots[name]
        return owner[key]

    def __setitem__(self, name, value):
        owner, key = self._slots[name]
        owner[key] = value

    def __delitem__(self, name):
        raise TypeError("a network's parameters cannot be deleted")

    def __iter__(self):
        return iter(self._slots)

    def __len__(self):
        return len(self._slots)

    def __repr__(self):
        return "{" + ", ".join(f"{name!r}: array{np.shape(self[name])}" for name in self) + "}"


class Sequential(Layer):
    """Layers applied one after the other; the backward pass visits them in reverse order.

    ``params``, ``grads`` and ``buffers`` gather the layers' entries under numbered names: the k-th layer
    holding a key ``W`` contributes ``Wk``, so an MLP has W1, b1, W2, b2, ... and batch-norm layers add
    gamma1, beta1, ..., running_mean1, running_var1, .... They are live views of the layers' arrays.

    ``forward(x, train=True)`` runs the layers in training mode (dropout masks, batch statistics);
    ``train=False`` is prediction mode. ``backward(dout)`` returns dL/dx; ``backward(dout, input_grad=False)``
    stops at the first layer with parameters and skips its input gradient (what training needs).

    Topic: the forward pass, and back-propagation as the chain rule walked from the loss back to the
    input, each module multiplying by its own Jacobian (notes 000, 002, 004).
    """

    def __init__(self, *layers):
        super().__init__()
        self.layers = list(layers)
        counts, slots = Counter(), {"params": {}, "grads": {}, "buffers": {}}
        for layer in self.layers:
            for key in layer.params:
                counts[key] += 1
                slots["params"][f"{key}{counts[key]}"] = (layer.params, key)
                slots["grads"][f"{key}{counts[key]}"] = (layer.grads, key)
            for key in layer.buffers:
                counts[key] += 1
                slots["buffers"][f"{key}{counts[key]}"] = (layer.buffers, key)
        self.params, self.grads, self.buffers = (_Numbered(slots[group]) for group in ("params", "grads", "buffers"))
        self._first = next((i for i, layer in enumerate(self.layers) if layer.params), 0)

    def forward(self, x, train=True):
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, dout, input_grad=True):
        if input_grad:
            for layer in reversed(self.layers):
                dout = layer.backward(dout)
            return dout
        for layer in self.layers[:self._first:-1]:
            dout = layer.backward(dout)
        return self.layers[self._first].backward(dout, input_grad=False)

    def __repr__(self):
        return "Sequential(\n" + "".join(f"  {layer!r},\n" for layer in self.layers) + ")"


def mlp(sizes, activation=ReLU, init=initializers.he, seed=0):
    """A multilayer perceptron: Dense layers of the given sizes with an activation between them.

    ``mlp([64, 128, 64, 10])`` is Dense(64, 128), ReLU, Dense(128, 64), ReLU, Dense(64, 10): the last layer
    outputs scores (logits) for a loss such as ``losses.softmax_cross_entropy``. ``activation`` is a layer
    class (called with no argument), ``init`` an initializer, ``seed`` fixes every weight.
    Input (n, sizes[0]) -> output (n, sizes[-1]). Topic: the multilayer perceptron (notes 000, 002).
    """
    rng = np.random.default_rng(seed)
    layers = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        layers += [Dense(d_in, d_out, init, rng), activation()]
    return Sequential(*layers[:-1])
