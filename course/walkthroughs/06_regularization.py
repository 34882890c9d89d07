# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Walkthrough 6: regularization and normalization
#
# *Neural networks from first principles, unit 6 (self-study).* A network with enough capacity can fit its
# training set perfectly, noise included, and then predicts new data worse. Regularization is any change to the
# training that discourages this; normalization layers make deep networks easier to train and regularize a
# little on the side.
#
# **You will see**
# 1. underfitting, a good fit and overfitting, and how overfitting shows in the training curves;
# 2. early stopping with a validation set;
# 3. weight decay, derived as a shrinking step;
# 4. input perturbation (and why, for a linear model, it *is* weight decay);
# 5. dropout and why the kept units are rescaled;
# 6. internal covariate shift, batch normalization (forward, scale and shift, backward, training vs prediction),
#    and layer normalization.

# %%
import matplotlib.pyplot as plt
import numpy as np

from backprop import data, layers, losses, optim, train
from backprop import regularizers as reg
from backprop.gradcheck import check_model_gradients, numerical_gradient_array, rel_error
from backprop.plots import plot_history

# %matplotlib inline
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. Underfitting, a good fit, overfitting
#
# Fifteen noisy samples of a smooth curve and three tanh networks. One hidden unit lacks the capacity for the
# curve (underfitting: both errors high); three units, trained briefly, follow its shape; 256 units trained for
# long bend towards individual noisy points (overfitting): the lowest training error, but a test error (against
# the true curve) worse than the others'.

# %%
rng = np.random.default_rng(0)
x_tr = np.sort(rng.uniform(-3, 3, size=(15, 1)), axis=0)
y_tr = np.sin(x_tr) + 0.3 * rng.normal(size=x_tr.shape)
x_te = np.linspace(-3, 3, 400)[:, None]
fig, axes = plt.subplots(1, 3, figsize=(14, 3.4), sharey=True)
for ax, (width, epochs) in zip(axes, [(1, 300), (3, 300), (256, 1500)]):
    net = layers.mlp([1, width, 1], activation=layers.Tanh, seed=1)
    train.fit(net, x_tr, y_tr, loss=losses.squared_error, optimizer=optim.adam, config={"lr": 0.02}, epochs=epochs,
              batch_size=None, progress=False)
    train_err = losses.squared_error(net.forward(x_tr), y_tr)[0]
    test_err = losses.squared_error(net.forward(x_te), np.sin(x_te))[0]
    ax.plot(x_te, np.sin(x_te), "k--", lw=1, label="true curve")
    ax.plot(x_te, net.forward(x_te), lw=2, label="network")
    ax.scatter(x_tr, y_tr, c="tab:red", s=20, zorder=3, label="training data")
    ax.set_title(f"{width} units, {epochs} steps: train {train_err:.3f}, test {test_err:.3f}", fontsize=10)
axes[0].legend(fontsize="x-small")
plt.show()

# %% [markdown]
# **In the training curves.** We give a 64-128-128-10 network only 100 training images of digits and train it
# for 100 full-batch Adam steps, tracking the loss on 180 validation images it never trains on. The training
# loss goes to zero; the validation loss reaches its minimum early and then *rises*: the network keeps getting
# more confident on the training images, including on what is peculiar to them.

# %%
dg = data.digits()
X_small, y_small = dg.X_train[:100], dg.y_train[:100]


def fit_small(model, **options):
    return train.fit(model, X_small, y_small, optimizer=optim.adam, config={"lr": 1e-2}, epochs=100, batch_size=None,
                     X_val=dg.X_val, y_val=dg.y_val, progress=False, **options)


def wide_net(seed=0):
    return layers.mlp([64, 128, 128, 10], seed=seed)


h_plain = fit_small(wide_net())
best = int(np.argmin(h_plain["val_loss"]))
print(f"validation loss: minimum {h_plain['val_loss'][best]:.3f} at epoch {best + 1}, "
      f"{h_plain['val_loss'][-1]:.3f} at the end; final training loss {h_plain['loss'][-1]:.5f}")
axes = plot_history(h_plain)
axes[0].axvline(best + 1, color="grey", ls=":")
axes[0].set_yscale("log")
axes[0].set_title("no regularization: training loss -> 0, validation loss turns up")
plt.show()

# %% [markdown]
# ## 2. Early stopping
#
# The number of training epochs is itself a capacity knob. Notes 004: after each epoch measure the loss on a
# validation set; while it improves, keep going (and keep a copy of the weights); once it has stopped
# improving for a while (the *patience*), stop and return the best weights seen. The validation set thus chooses
# a hyper-parameter, so the final, honest estimate must come from a third set, the test set. (Stopping when the
# *training* gradient or loss change is small, as in plain gradient descent, is a convergence test, not a
# regularizer.)
#
# `reg.EarlyStopping(patience)` does the bookkeeping; `train.fit(..., early_stopping=...)` calls it after every
# epoch and restores the best weights at the end.

# %%
stopper = reg.EarlyStopping(patience=10)
model_es = wide_net()
h_es = fit_small(model_es, early_stopping=stopper)
print(f"stopped after {len(h_es['loss'])} epochs; best epoch {stopper.best_epoch} (val loss {stopper.best_loss:.3f})")
print(f"restored weights: validation loss {train.evaluate(model_es, dg.X_val, dg.y_val)[0]:.3f}, "
      f"test accuracy {train.evaluate(model_es, dg.X_test, dg.y_test)[1]:.3f}")
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(np.arange(1, 101), h_plain["val_loss"], color="lightgrey", lw=3, label="without stopping")
ax.plot(np.arange(1, len(h_es["val_loss"]) + 1), h_es["val_loss"], label="with early stopping (patience 10)")
ax.axvline(stopper.best_epoch, color="tab:green", ls=":", label=f"best epoch {stopper.best_epoch}, restored")
ax.set_xlabel("epoch")
ax.set_ylabel("validation loss")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 3. Weight decay
#
# Add the squared size of the weights to the objective, as in ridge regression: $J = J_{loss} + \lambda\lVert W\rVert^2$.
# Its gradient is $\nabla J = \nabla J_{loss} + 2\lambda W$, and a gradient step rearranges to
#
# $$W_t = W_{t-1} - \eta\big(\nabla J_{loss} + 2\lambda W_{t-1}\big) = (1 - 2\lambda\eta)\,W_{t-1} - \eta\,\nabla J_{loss}:$$
#
# before each ordinary step the weights are multiplied by $1 - 2\lambda\eta < 1$. They **decay** towards zero unless
# the data keeps pushing them out, so the network prefers small weights, hence smoother functions. It is applied to
# weight matrices, not biases (`train.fit(..., weight_decay=λ)`; `optim.l2_penalty` is the term and its gradient).
#
# **L1, for comparison.** The penalty $\lambda\sum_{ij}|W_{ij}|$ has, at any $W_{ij} \ne 0$, the derivative
# $\lambda\,\mathrm{sign}(W_{ij})$ (a *subgradient* at the kink, where any slope in $[-\lambda, \lambda]$ will do): a pull of
# the same size on every weight, however small, which drives small weights to exactly zero, while L2's pull
# $2\lambda W$ fades as a weight shrinks.
# A check of the algebra, then a sweep of $\lambda$ on the small digit set:

# %%
W, gW, lam, eta = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.05, 0.1
step = optim.sgd(W, gW + optim.l2_penalty(W, lam)[1], {"lr": eta})[0]
print("step on J + lam||W||^2 == shrink by (1 - 2 lam eta), then step on J:", np.allclose(step, (1 - 2 * lam * eta) * W - eta * gW))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for lam in [0.0, 1e-3, 1e-2]:
    model = wide_net()
    h = fit_small(model, weight_decay=lam)
    size = np.sqrt(sum(np.sum(model.params[k] ** 2) for k in model.params if k.startswith("W")))
    axes[0].plot(h["val_loss"], label=f"λ = {lam}: ‖W‖ = {size:.1f}, final train loss {h['loss'][-1]:.3f}")
    axes[1].plot(h["val_acc"], label=f"λ = {lam}")
axes[0].set_ylabel("validation loss")
axes[1].set_ylabel("validation accuracy")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend(fontsize="x-small")
axes[1].set_ylim(0.8, 0.96)
plt.show()

# %% [markdown]
# Weight decay removes the late rise of the validation loss and keeps the weights several times smaller; too
# large a $\lambda$ starts to underfit (the training loss can no longer get small).
#
# ## 4. Input perturbation
#
# Add fresh zero-mean Gaussian noise to every input each time it is seen: $\tilde x = x + \epsilon$,
# $\epsilon \sim \mathcal N(0, \sigma^2 I)$. Zero mean, so the data are not biased; symmetric, so no direction is
# preferred. A network that never sees exactly the same input twice cannot memorize it; only patterns that
# survive small changes are learned. Too much noise hides real patterns.
#
# **For a linear model it is exactly weight decay.** With $f(x) = w^Tx$ and the squared error, expanding and using
# $E[\epsilon] = 0$ and $E[\epsilon\epsilon^T] = \sigma^2 I$:
#
# $$E_\epsilon\big[(w^T(x + \epsilon) - y)^2\big] = (w^Tx - y)^2 + 2(w^Tx - y)\,w^T E[\epsilon] + w^T E[\epsilon\epsilon^T] w = (w^Tx - y)^2 + \sigma^2\lVert w\rVert^2 .$$
#
# A Monte-Carlo check of this identity, then `layers.GaussianNoise(σ)` in front of the digits network (it adds noise
# only while training; prediction uses clean inputs):

# %%
w_lin, x_lin, y_lin, sigma = rng.normal(size=4), rng.normal(size=4), 0.7, 0.3
eps = sigma * rng.normal(size=(200_000, 4))  # 200 000 draws of the noise, one per row
noisy = np.mean(((x_lin + eps) @ w_lin - y_lin) ** 2)
print(f"E[(w.(x+eps) - y)^2] by sampling: {noisy:.4f};  (w.x - y)^2 + sigma^2 ||w||^2 = "
      f"{(w_lin @ x_lin - y_lin) ** 2 + sigma ** 2 * w_lin @ w_lin:.4f}")

fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(h_plain["val_loss"], color="grey", label="no noise")
for s in [0.5, 1.0]:
    noisy_net = layers.Sequential(layers.GaussianNoise(s, rng=1), *wide_net().layers)
    h = fit_small(noisy_net)
    ax.plot(h["val_loss"], label=f"σ = {s}: final val acc {h['val_acc'][-1]:.3f}")
ax.set_xlabel("epoch")
ax.set_ylabel("validation loss")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 5. Dropout
#
# Perturb the network instead of the data: at each training step, set each hidden activation to zero with
# probability $p$, independently, with a new random pattern every step. No unit can rely on a particular other
# unit being present, so responsibility is shared, and the network cannot build fragile co-adapted features that
# fit noise. Each step trains a different random "thinned" network.
#
# **Scaling.** A unit kept with probability $1 - p$ has expected output $(1 - p)\,a$ during training but $a$ when
# all units are on. Two equivalent fixes: the lecture's, which multiplies the weights by the keep probability after
# training; or **inverted dropout**, which divides the kept activations by $1 - p$ during training, so that
# $E[\text{out}] = a$ and prediction needs no change. The library does the latter (its `p` is the drop probability).
#
# **Backward.** Entry by entry $\text{out}_{ij} = x_{ij}\,m_{ij}/(1-p)$, with the mask a constant of the pass, so with
# $G = \partial L/\partial\,\text{out}$, $\;\partial L/\partial x = G \odot m/(1-p)$: dropped units get no gradient, kept ones
# the same scale as in the forward pass.
#
# **Same function, different training.** With $W_i = (1-p)W_s$ the two schemes compute the same outputs, in training
# (with the same mask) and at prediction. But the inverted layer's input is $1/(1-p)$ times larger, so its weight
# gradient is $1/(1-p)$ times the lecture's, and a step on $W_s$ moves the prediction-time weights $(1-p)W_s$ only by
# $1-p$ times that step: with one step size $\eta$, the inverted scheme moves them $1/(1-p)^2$ times as far. Gradient
# descent is not invariant to this change of parametrization, so the two train differently unless their step sizes
# (and any weight decay) are rescaled.

# %%
a = np.full((100_000, 1), 2.0)
out, mask = reg.dropout_forward(a, p=0.4, rng=0)
print(f"inverted dropout, p = 0.4: fraction kept {np.mean(mask > 0):.3f}, kept values {out[mask > 0][0]:.3f} "
      f"(= 2 / 0.6), mean output {out.mean():.3f} (input 2)")
kept_plain = a * (np.random.default_rng(0).random(a.shape) >= 0.4)  # the lecture's form: no rescaling while training
print(f"lecture's form: mean output while training {kept_plain.mean():.3f}, so at prediction scale by 0.6: {0.6 * 2.0:.3f}")


def dropout_net(p, seed=0):
    r = np.random.default_rng(seed)
    return layers.Sequential(layers.Dense(64, 128, rng=r), layers.ReLU(), layers.Dropout(p, rng=1),
                             layers.Dense(128, 128, rng=r), layers.ReLU(), layers.Dropout(p, rng=2),
                             layers.Dense(128, 10, rng=r))


fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(h_plain["val_loss"], color="grey", label="no dropout")
h = fit_small(dropout_net(0.5))
ax.plot(h["val_loss"], label=f"dropout p = 0.5: final val acc {h['val_acc'][-1]:.3f}")
ax.set_xlabel("epoch")
ax.set_ylabel("validation loss")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 6. Batch normalization
#
# **Internal covariate shift.** Gradient descent updates all layers at once. When layer 1 changes, the inputs of
# layer 2 change their distribution, and layer 2, just adapted to the old distribution, must chase the new one.
# We watch it: the mean and spread of the second layer's pre-activations for a fixed batch, epoch after epoch,
# in a 5-layer sigmoid network trained on all the digits.

# %%
def deep_net(normalize, activation, seed=0):
    """Four hidden layers of 64 units, each Dense -> (BatchNorm) -> activation, then a linear output layer."""
    r = np.random.default_rng(seed)
    stack = []
    for _ in range(4):
        stack += [layers.Dense(64, 64, rng=r)] + ([layers.BatchNorm(64)] if normalize else []) + [activation()]
    return layers.Sequential(*stack, layers.Dense(64, 10, rng=r))


def layer2_inputs(model, normalize):
    """What the second hidden layer's activation receives, for a fixed batch of 256 images."""
    x = dg.X_train[:256]
    for layer in model.layers[:(5 if normalize else 3)]:  # up to layer 2's Dense (and its BatchNorm)
        x = layer.forward(x, train=True)
    return x


stats, curves = {}, {}
for normalize in (False, True):
    relu_model, sigmoid_model = deep_net(normalize, layers.ReLU), deep_net(normalize, layers.Sigmoid)
    stats[normalize], curves[normalize] = [], []
    for epoch in range(6):
        train.fit(relu_model, dg.X_train, dg.y_train, config={"lr": 0.05}, epochs=1, batch_size=64, seed=epoch,
                  progress=False)
        z2 = layer2_inputs(relu_model, normalize)
        stats[normalize].append((z2.mean(), z2.std()))
        h = train.fit(sigmoid_model, dg.X_train, dg.y_train, config={"lr": 0.2}, epochs=1, batch_size=64, seed=epoch,
                      progress=False)
        curves[normalize].append(h["loss"][0])
    stats[normalize] = np.array(stats[normalize])
fig, axes = plt.subplots(1, 3, figsize=(15, 3.4))
for normalize, label in [(False, "plain"), (True, "with batch norm")]:
    axes[0].plot(np.arange(1, 7), stats[normalize][:, 0], "o-", label=label)
    axes[1].plot(np.arange(1, 7), stats[normalize][:, 1], "o-", label=label)
    axes[2].plot(np.arange(1, 7), curves[normalize], "o-", label=label)
axes[0].set_title("ReLU net: mean of layer-2 pre-activations")
axes[1].set_title("ReLU net: their standard deviation")
axes[2].set_title("sigmoid net: training loss (same SGD)")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# Without normalization the statistics of layer 2's inputs drift as training proceeds (here the mean more than
# doubles and the spread grows by a sixth in six epochs); with batch norm they stay pinned at mean 0 and
# standard deviation 1 (up to $\gamma$ and $\beta$, which move slowly). On the right, a 4-layer *sigmoid* network that plain
# SGD barely moves from its initial loss ($\ln 10 \approx 2.3$) trains quickly once each sigmoid receives
# standardized inputs, away from its flat tails. (Whether covariate shift is *why* batch norm helps is debated;
# the notes offer another reading, below.)
#
# **The forward pass.** For a mini-batch of $K$ pre-activation vectors (rows of $Z$, shape `(K, d)`), per feature $j$:
#
# $$\mu_j = \frac1K\sum_{i=1}^K Z_{ij}, \qquad \sigma_j^2 = \frac1K\sum_{i=1}^K (Z_{ij} - \mu_j)^2, \qquad
# \bar Z_{ij} = \frac{Z_{ij} - \mu_j}{\sqrt{\sigma_j^2 + \epsilon}}, \qquad \hat Z_{ij} = \gamma_j\,\bar Z_{ij} + \beta_j .$$
#
# Standardizing keeps the information of *differences* between samples (the notes' example below: the outlier
# still stands out); the learned **scale** $\gamma$ and **shift** $\beta$ let the network choose each feature's mean
# and spread instead of being stuck at 0 and 1 (with $\gamma = \sigma$, $\beta = \mu$ it can even undo the
# normalization). The notes divide by $\sigma_j + \epsilon$; $\sqrt{\sigma_j^2 + \epsilon}$ is the usual form and
# differs only in where the small constant goes.
#
# **Training vs prediction.** The statistics come from the batch, so a prediction would depend on the other samples
# in its batch. During training, running averages of $\mu$ and $\sigma^2$ are kept; at prediction
# (`train=False`) they replace the batch statistics.

# %%
z = np.array([[1.0], [2.0], [100.0], [3.0], [4.0], [5.0]])
bn_out, _ = reg.batchnorm_forward(z, np.ones(1), np.zeros(1), reg.batchnorm_running(1))
print("standardized [1, 2, 100, 3, 4, 5]:", bn_out[:, 0], "<- 100 still stands out")

Zb = rng.normal(loc=3.0, scale=[0.5, 2.0, 5.0], size=(64, 3))
running = reg.batchnorm_running(3)
gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
out, cache = reg.batchnorm_forward(Zb, gamma, beta, running, train=True)
print("after BN: per-feature mean", out.mean(axis=0), "std", out.std(axis=0), "(= beta and |gamma|)")
for _ in range(100):  # more batches from the same distribution: the running averages converge
    reg.batchnorm_forward(rng.normal(loc=3.0, scale=[0.5, 2.0, 5.0], size=(64, 3)), gamma, beta, running, train=True)
print("running mean", running["running_mean"], "running var", running["running_var"], "(true: 3, [0.25, 4, 25])")

# %% [markdown]
# **It perturbs the data.** Because $\mu$ and $\sigma$ depend on the whole mini-batch, the same sample is normalized
# a little differently in every batch it lands in, a built-in noise that acts like input perturbation; the notes
# suggest this as part of why batch norm regularizes. Below: one sample's normalized features in five random
# batches.
#
# **The backward pass.** $x_{ij}$ reaches $\bar Z$ along three paths: directly, through $\mu_j$ (it moves the mean by
# $1/K$) and through $\sigma_j^2$ (it moves the variance by $2(x_{ij} - \mu_j)/K$; the part of that through $\mu_j$
# sums to zero). With $g = \partial L/\partial\hat Z \odot \gamma$, $s_j = 1/\sqrt{\sigma_j^2 + \epsilon}$ and means over the
# batch, the three contributions are (assignment 6, Q9)
#
# $$\underbrace{s_j\,g_{ij}}_{\text{directly}}, \qquad \underbrace{-s_j\,\overline{g}_{j}}_{\text{through }\mu_j}, \qquad
# \underbrace{-s_j\,\bar Z_{ij}\,\overline{(g\odot\bar Z)}_{j}}_{\text{through }\sigma_j^2}
# \qquad\Big(\text{the last from } \tfrac{\partial L}{\partial\sigma_j^2} = -\tfrac12 s_j^3\textstyle\sum_i g_{ij}(x_{ij}-\mu_j)\Big),$$
#
# and adding them:
#
# $$\frac{\partial L}{\partial Z_{ij}} = \frac{1}{\sqrt{\sigma_j^2 + \epsilon}}\Big(g_{ij} - \overline{g}_{j} - \bar Z_{ij}\,\overline{(g\odot\bar Z)}_{j}\Big),
# \qquad \frac{\partial L}{\partial\gamma_j} = \sum_i \frac{\partial L}{\partial\hat Z_{ij}}\bar Z_{ij}, \qquad \frac{\partial L}{\partial\beta_j} = \sum_i \frac{\partial L}{\partial\hat Z_{ij}} .$$
#
# The two subtracted terms make $\sum_i \partial L/\partial Z_{ij} = 0$ for every feature: shifting a whole feature
# by a constant changes nothing after normalization. We check the formula with a random upstream gradient, and the
# invariant.

# %%
sample = dg.X_train[:1, 20:23]  # three pixels that vary across images
seen = []
for b in range(5):
    others = dg.X_train[rng.choice(len(dg.X_train), size=31, replace=False), 20:23]
    batch_out, _ = reg.batchnorm_forward(np.vstack([sample, others]), np.ones(3), np.zeros(3),
                                         reg.batchnorm_running(3))
    seen.append(batch_out[0])
print("one sample, normalized inside five different batches:\n", np.array(seen))

dout = rng.normal(size=Zb.shape)
dx, dgamma, dbeta = reg.batchnorm_backward(dout, cache)
fresh = lambda v: reg.batchnorm_forward(v, gamma, beta, reg.batchnorm_running(3))[0]
print(f"dZ vs numerical: {rel_error(dx, numerical_gradient_array(fresh, Zb.copy(), dout)):.1e};  "
      f"column sums of dZ: {dx.sum(axis=0)}")
bn_model = layers.Sequential(layers.Dense(5, 4, rng=0), layers.BatchNorm(4), layers.Tanh(), layers.Dense(4, 3, rng=1))
print("a network with BatchNorm, check_model_gradients:",
      {k: f"{v:.0e}" for k, v in check_model_gradients(bn_model, losses.softmax_cross_entropy,
                                                       rng.normal(size=(8, 5)), rng.integers(0, 3, size=8)).items()})

# %% [markdown]
# ## 7. Layer normalization
#
# Layer norm standardizes each **sample** over its own $d$ features instead of each feature over the batch:
# $\mu_i = \frac1d\sum_j Z_{ij}$, $\sigma_i^2 = \frac1d\sum_j (Z_{ij} - \mu_i)^2$, then the same scale and shift per feature.
# No statistic is shared between samples, so it needs no running averages, computes the same thing in training and
# prediction, and works with a batch of one. Its backward pass follows the same three paths within each sample,
# with means over the features; but it is not *only* a change of axis. In batch norm $\gamma_j$ is constant along
# the averaged axis and could be taken out of the means; here the means run over $j$, along which $\gamma_j$ varies,
# so $g = \partial L/\partial\hat Z \odot\gamma$ is formed first (assignment 6, Q12):
# $\partial L/\partial Z_{ij} = s_i\big(g_{ij} - \overline{g}_{i} - \bar Z_{ij}\,\overline{(g\odot\bar Z)}_{i}\big)$ with means over
# each row. And $\gamma$ is still shared by all samples, so $\partial L/\partial\gamma$ still sums over the batch.

# %%
Zl = rng.normal(loc=[0.0, 5.0, -3.0, 1.0], scale=[1.0, 3.0, 0.5, 2.0], size=(6, 4))
ln_out, ln_cache = reg.layernorm_forward(Zl, np.ones(4), np.zeros(4))
print("layer norm: per-sample means", ln_out.mean(axis=1), "std", ln_out.std(axis=1))
one, _ = reg.layernorm_forward(Zl[:1], np.ones(4), np.zeros(4))
print("a batch of one gives the same row:", np.allclose(one, ln_out[:1]))
dout = rng.normal(size=Zl.shape)
ln_fn = lambda v: reg.layernorm_forward(v, np.ones(4), np.zeros(4))[0]
print(f"dZ vs numerical: {rel_error(reg.layernorm_backward(dout, ln_cache)[0], numerical_gradient_array(ln_fn, Zl.copy(), dout)):.1e}")
fig, axes = plt.subplots(1, 3, figsize=(12, 3))
for ax, M, title in [(axes[0], Zl, "pre-activations"), (axes[1], ln_out, "layer norm: each row standardized"),
                     (axes[2], reg.batchnorm_forward(Zl, np.ones(4), np.zeros(4), reg.batchnorm_running(4))[0],
                      "batch norm: each column standardized")]:
    im = ax.imshow(M, cmap="RdBu", vmin=-6, vmax=6)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("feature")
    ax.set_ylabel("sample")
plt.colorbar(im, ax=axes[2])
plt.show()

# %% [markdown]
# ## What the course leaves out
#
# - Notes 004 remark that today's very large networks overfit far less than their number of weights suggests, and
#   that nobody quite knows why; the methods above still matter for networks of the size trained here.
# - Dropout has become less popular (large networks need it less, convolutional networks, which reuse their
#   weights, gain little from it, and batch norm replaced it in many places); it is still used in smaller models.
# - The section of notes 004 titled "layer normalization" in fact describes standardizing each mini-batch, i.e.
#   batch normalization; layer normalization as in section 7 (each sample over its own features) is a different
#   method.
# - Recurrent networks, where dropout and normalization need special forms, are outside this course.
#
# ## Where to go next
#
# - **Assignment 6** ([source/a6/regularization.py](../../source/a6/regularization.py), student version
#   [release/a6/regularization.ipynb](../../release/a6/regularization.ipynb)) has you write `l2_penalty`,
#   `train_with_early_stopping`, `add_input_noise`, `dropout_forward` / `dropout_backward`, `batchnorm_forward` /
#   `batchnorm_backward` and `layernorm_forward` / `layernorm_backward`, checked with random upstream gradients
#   and invariants like the zero column sums above; two written answers compare the regularizers and ask what
#   normalization does at prediction time.
# - **Assignment 7, the capstone** ([source/a7/capstone.py](../../source/a7/capstone.py), student version
#   [release/a7/capstone.ipynb](../../release/a7/capstone.ipynb)): spiral arms hidden among noise features, which
#   no linear model and no single hidden layer can separate; build the network with everything from units 1-6,
#   tune it on a validation set, and let the grader score it on a secret held-out set. Early stopping, weight decay
#   and dropout from this walkthrough are fair game.
# - Reference: `help(reg.batchnorm_backward)`, `help(reg.dropout_forward)`, `help(reg.EarlyStopping)`,
#   `help(optim.l2_penalty)`.
# - **Things to try:** combine weight decay and early stopping on the 100-image set and compare the test accuracy
#   with each alone; put the batch norm *after* the sigmoid instead of before; train the batch-norm network with a
#   batch size of 2 and watch the noise of section 6 grow.
