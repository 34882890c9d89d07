# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Walkthrough 5: optimization
#
# *Neural networks from first principles, unit 5 (self-study).* Backpropagation gives the gradient; this unit is
# about what to do with it. We start from plain gradient descent and its one knob, the learning rate, and end
# with the adaptive methods used in practice and the problems of deep networks (vanishing and exploding
# gradients) that initialization and clipping address.
#
# **You will see**
# 1. gradient descent, its stopping tests, and the three regimes of the learning rate (derived on a quadratic);
# 2. batch, stochastic and mini-batch gradient descent, and the noise of a mini-batch gradient ($\propto 1/\sqrt B$);
# 3. why SGD needs a decaying step size to converge;
# 4. momentum and Nesterov's method on a narrow valley;
# 5. adaptive learning rates: Adagrad, RMSProp, Adadelta, Adam (with its bias correction);
# 6. all of them on a real network;
# 7. vanishing and exploding gradients, Xavier and He initialization, and gradient clipping.

# %%
import matplotlib.pyplot as plt
import numpy as np

from backprop import data, init, layers, losses, optim, train
from backprop.plots import plot_gradient_norms, plot_trajectories

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Gradient descent and the learning rate
#
# The algorithm of the lecture: initialize $W$ randomly ($\sim\mathcal N(0, \sigma^2)$), then repeat
# $W \leftarrow W - \eta\,\nabla_W J(W)$ until a stopping test holds, typically $\lVert\nabla J(W_k)\rVert < \epsilon$
# or $|J(W_{k+1}) - J(W_k)| < \epsilon$.
#
# **The learning rate on a quadratic.** Take $J(w) = \tfrac{\lambda}{2}w^2$ (curvature $\lambda$). Then
# $\nabla J = \lambda w$ and one step gives $w_{k+1} = (1 - \eta\lambda)\,w_k$, so $w_k = (1 - \eta\lambda)^k w_0$:
#
# - $0 < \eta < 1/\lambda$: the factor is in $(0, 1)$, a monotone but (for small $\eta$) slow approach;
# - $1/\lambda < \eta < 2/\lambda$: the factor is in $(-1, 0)$, the iterates jump across the minimum and still converge;
# - $\eta > 2/\lambda$: $|1 - \eta\lambda| > 1$, every step overshoots further: **divergence**.
#
# Near any smooth minimum $J$ looks like such a quadratic in each direction of its Hessian, so the steepest
# direction ($\lambda_{max}$) caps the usable step at $2/\lambda_{max}$, while the flattest one decides the speed.

# %%
lam, w0 = 2.0, 1.0
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
ws = np.linspace(-1.6, 1.6, 200)
axes[0].plot(ws, lam / 2 * ws ** 2, "k", lw=0.8)
for eta, label in [(0.1, "small: slow"), (0.8, "between 1/λ and 2/λ: jumps"), (1.05, "above 2/λ: diverges")]:
    path = [w0]
    for _ in range(12):
        path.append(path[-1] - eta * lam * path[-1])
        if abs(path[-1]) > 1.5:
            break
    path = np.array(path)
    axes[0].plot(path, lam / 2 * path ** 2, "o-", ms=3, label=f"η = {eta}: {label}")
    stop = next((k for k in range(len(path)) if abs(lam * path[k]) < 1e-3), None)
    axes[1].semilogy(np.abs(path), "o-", ms=3, label=f"η = {eta}" + (f" (|∇J| < 1e-3 at step {stop})" if stop else ""))
axes[0].set_ylim(0, 2.6)
axes[0].set_xlabel("$w$")
axes[0].legend(fontsize="x-small")
axes[0].set_title("$J(w) = w^2$ (λ = 2): the three regimes")
axes[1].set_xlabel("step $k$")
axes[1].set_ylabel("$|w_k|$")
axes[1].legend(fontsize="x-small")
plt.show()

# %% [markdown]
# ## 2. Batch, stochastic and mini-batch gradient descent
#
# For $J(W) = \frac1n\sum_i \mathcal L_i(W)$ the full gradient costs a pass over all $n$ samples:
#
# - **batch GD** uses all of them per step: accurate, but one step per epoch;
# - **SGD** uses one random sample per step: $\nabla\mathcal L_i$ is an unbiased but very noisy estimate of $\nabla J$;
# - **mini-batch GD** averages $B$ random samples: $\frac1B\sum_{k=1}^B \nabla\mathcal L_{i_k}$, still unbiased, with a
#   variance $B$ times smaller (the samples are independent), so a standard deviation $\propto 1/\sqrt B$. Steps
#   are cheap, smoother than SGD's, and a batch is one matrix product on vectorized hardware.
#
# We measure the noise on the digits data with a softmax-regression model, then train the same model with the
# three variants on 400 of the training images for the same number of epochs (each sample's gradient is then
# computed equally often).

# %%
dg = data.digits()
lin = layers.mlp([64, 10], seed=0)
_, dfull = losses.softmax_cross_entropy(lin.forward(dg.X_train), dg.y_train)
lin.backward(dfull)
g_full = lin.grads["W1"].copy()
rng = np.random.default_rng(0)
sizes = [1, 4, 16, 64, 256]
spread = []
for B in sizes:
    errs = []
    for _ in range(30):
        idx = rng.choice(len(dg.X_train), size=B, replace=False)
        _, dmini = losses.softmax_cross_entropy(lin.forward(dg.X_train[idx]), dg.y_train[idx])
        lin.backward(dmini)
        errs.append(np.linalg.norm(lin.grads["W1"] - g_full))
    spread.append(np.mean(errs))

curves = {}
for label, B, lr in [("batch GD", None, 0.5), ("mini-batch, B = 32", 32, 0.1), ("SGD, B = 1", 1, 0.01)]:
    model = layers.mlp([64, 10], seed=0)
    curves[label] = train.fit(model, dg.X_train[:400], dg.y_train[:400], config={"lr": lr}, epochs=10, batch_size=B,
                              X_val=dg.X_val, y_val=dg.y_val, progress=False)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
axes[0].loglog(sizes, spread, "o-", label="measured")
axes[0].loglog(sizes, spread[0] / np.sqrt(sizes), "k--", label="$\\propto 1/\\sqrt{B}$")
axes[0].set_xlabel("batch size $B$")
axes[0].set_ylabel("‖mini-batch grad − full grad‖")
axes[0].legend(fontsize="small")
for label, h in curves.items():
    axes[1].plot(np.arange(1, 11), h["val_loss"], "o-", ms=3, label=label)
axes[1].set_xlabel("epoch (each sample's gradient used once per epoch)")
axes[1].set_ylabel("validation loss")
axes[1].legend(fontsize="small")
plt.show()

# %% [markdown]
# Per epoch, batch GD takes a single step and is far behind. SGD takes 400 small noisy steps and, per epoch, gets
# furthest here; but its steps cannot be vectorized, so an epoch of SGD costs far more time than an epoch of
# mini-batches, which takes 13 steps of moderate noise, each about as cheap as one SGD step on vector hardware.
# (Each variant has its own learning rate: SGD's noise forces a small one.)
#
# ## 3. SGD needs a decaying step
#
# With a constant $\eta$ the SGD iterate never settles: even at the minimum, a single sample's gradient is not
# zero, so each step kicks the weights by about $\eta\times$ (gradient noise). It converges to a "noise ball"
# whose size shrinks with $\eta$. Notes 004 only say that $\eta(t)$ must decrease "in a certain way" and point to
# a theorem elsewhere; the classic conditions (Robbins and Monro, 1951) ask for steps that shrink, but not too fast:
#
# $$\sum_t \eta_t = \infty \quad(\text{can still travel any distance}), \qquad \sum_t \eta_t^2 < \infty \quad(\text{the noise adds up to a finite amount}),$$
#
# for example $\eta_t = \eta_0/(1 + t/\tau)$ (`optim.inverse_time_decay`). We run SGD on a noisy least-squares
# problem, whose exact minimizer we know, with a constant step and with the decaying one:

# %%
rng = np.random.default_rng(1)
A = rng.normal(size=(500, 5))
w_true = rng.normal(size=5)
t_reg = A @ w_true + 0.5 * rng.normal(size=500)
w_opt = np.linalg.lstsq(A, t_reg, rcond=None)[0]
steps = 20000
order = rng.integers(500, size=steps)  # the same sample sequence for every schedule
runs = {}
for label, schedule in [("constant η = 0.05", lambda t: 0.05), ("constant η = 0.005", lambda t: 0.005),
                        ("η = 0.05 / (1 + t/100)", lambda t: optim.inverse_time_decay(0.05, t, 100))]:
    w, dist = np.zeros(5), np.empty(steps)
    for t, i in enumerate(order):
        w = w - schedule(t) * (A[i] @ w - t_reg[i]) * A[i]  # one SGD step on sample i's squared error
        dist[t] = np.linalg.norm(w - w_opt)
    runs[label] = dist.reshape(-1, 100).mean(axis=1)  # averaged over windows of 100 steps, to see the trend
fig, ax = plt.subplots(figsize=(7, 3.6))
for label, dist in runs.items():
    ax.loglog(np.arange(1, len(dist) + 1) * 100, dist, label=label)
    print(f"{label:24s} distance to w* over the last 100 steps: {dist[-1]:.4f}")
ax.set_xlabel("SGD step")
ax.set_ylabel("‖w − w*‖ (mean over 100 steps)")
ax.legend(fontsize="small")
ax.set_title("a constant step stalls at a noise floor; a decaying one keeps going")
plt.show()

# %% [markdown]
# ## 4. Momentum and Nesterov
#
# In a narrow valley the gradient points mostly across the valley. Gradient descent zig-zags between the walls
# and creeps along the floor: the step size is capped by the steep direction (section 1).
#
# **Momentum** keeps a velocity: $v \leftarrow \mu v - \eta g$, $w \leftarrow w + v$. Unrolled from $v_0 = 0$,
# $v_t = -\eta\sum_{s \le t}\mu^{t-s} g_s$: an exponentially weighted sum of past gradients. Where the gradient keeps
# its sign (along the valley) the terms add up; for a constant gradient $g$ the sum is geometric,
#
# $$v_t = -\eta g\,(1 + \mu + \dots + \mu^{t-1}) = \frac{1 - \mu^t}{1 - \mu}\,(-\eta g) \;\longrightarrow\; \frac{1}{1-\mu}\,(-\eta g),$$
#
# **$1/(1 - \mu)$ times a plain step** ($10\times$ for $\mu = 0.9$; the factor multiplies the step $-\eta g$, so the
# limit step is $-\eta g/(1-\mu)$). Where the gradient alternates (across the valley) the terms cancel.
#
# *By hand* (assignment 5, Q3): on $f(w) = w^2$ from $w_0 = 1$ with $\eta = 0.1$, $\mu = 0.9$:
# $v_1 = -0.1 \cdot 2 = -0.2$, $w_1 = 0.8$; $v_2 = 0.9 \cdot (-0.2) - 0.1 \cdot 1.6 = -0.34$, $w_2 = 0.46$, where plain
# gradient descent is at $0.64$. The cell below checks both numbers with the library.
#
# **Nesterov** evaluates the gradient at the look-ahead point $w + \mu v$, where momentum is about to take us,
# and corrects earlier. Storing the look-ahead point instead of $w$ gives the form the library uses,
# $w \leftarrow w - \mu v_{prev} + (1 + \mu)v$, which needs the gradient at the stored point only.

# %%
def valley(a, b):
    return 0.5 * (a ** 2 + 25 * b ** 2)


def valley_grad(w):
    return np.array([w[0], 25 * w[1]])


def run(rule, config, steps=40, start=(-9.0, 1.5)):
    w, state, path = np.array(start), dict(config), [np.array(start)]
    for _ in range(steps):
        w, state = rule(w, valley_grad(w), state)
        path.append(w)
    return np.array(path)


def show_valley(paths, title):
    """The paths over the valley's contours (left) and J along each path, on a log scale (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    plot_trajectories(valley, paths, xlim=(-10, 2), ylim=(-2, 2), ax=axes[0])
    axes[0].set_title(title)
    for label, path in paths.items():
        axes[1].semilogy([valley(*p) for p in path], label=label)
    axes[1].set_xlabel("step")
    axes[1].set_ylabel("$J$")
    axes[1].legend(fontsize="small")
    plt.show()


w_hand, st = np.array([1.0]), {"lr": 0.1, "mu": 0.9}
for _ in range(2):
    w_hand, st = optim.momentum(w_hand, 2 * w_hand, st)
print(f"momentum by hand: w_2 = {w_hand[0]:.4f};  limit factor for mu = 0.9: {1 / (1 - 0.9):.1f}")

paths = {"GD, η = 0.07": run(optim.sgd, {"lr": 0.07}),
         "momentum μ = 0.7, η = 0.05": run(optim.momentum, {"lr": 0.05, "mu": 0.7}),
         "Nesterov μ = 0.7, η = 0.05": run(optim.nesterov, {"lr": 0.05, "mu": 0.7})}
show_valley(paths, "40 steps on $J = (w_1^2 + 25 w_2^2)/2$")

# %% [markdown]
# After 40 steps plain GD (already at almost the largest stable $\eta$) is still far from the minimum, while both
# momentum methods are orders of magnitude closer. The momentum has to be tuned too: with $\mu = 0.9$ they
# overshoot along the valley and oscillate, and Nesterov diverges here once $\eta$ reaches 0.07, since its
# effective step across the valley is about $(1 + \mu)\eta$.
#
# ## 5. Adaptive learning rates
#
# The lecture's idea: instead of one fixed $\eta$, let the step adapt, to the size of the gradient, to how fast
# learning proceeds, to each weight. Notes 004 add the reason for deep networks: gradients of different layers
# differ by orders of magnitude (section 7), so **each weight gets its own step size**. All operations below are
# elementwise; $g$ is the gradient, $t$ counts steps.
#
# | method | update | idea |
# |---|---|---|
# | Adagrad | $G \mathrel{+}= g^2$; $w \mathrel{-}= \eta\,g/(\sqrt G + \epsilon)$ | weights with large past gradients take small steps; steps only shrink |
# | RMSProp | $s = \rho s + (1 - \rho)g^2$; $w \mathrel{-}= \eta\,g/(\sqrt s + \epsilon)$ | Adagrad with a forgetting average, so steps can grow again |
# | Adadelta | $s = \rho s + (1-\rho)g^2$; $\Delta = -\frac{\sqrt{u + \epsilon}}{\sqrt{s + \epsilon}}g$; $u = \rho u + (1-\rho)\Delta^2$; $w \mathrel{+}= \Delta$ | the ratio of two RMS values has the units of $w$: no learning rate needed |
# | Adam | $m = \beta_1 m + (1-\beta_1)g$; $v = \beta_2 v + (1-\beta_2)g^2$; $\hat m = m/(1-\beta_1^t)$, $\hat v = v/(1-\beta_2^t)$; $w \mathrel{-}= \eta\,\hat m/(\sqrt{\hat v} + \epsilon)$ | momentum on $g$ plus RMSProp scaling |
#
# **Adam's bias correction.** $m$ starts at 0, so after $t$ steps with gradients of constant mean $\bar g$,
# $\mathbb E[m_t] = (1 - \beta_1)\sum_{s=1}^t \beta_1^{t-s} \bar g = (1 - \beta_1^t)\,\bar g$ (a finite geometric sum): too
# small early on. Dividing by $1 - \beta_1^t$ gives exactly $\bar g$ in expectation. The same holds for $v$ with
# $\beta_2$, so Adam's first step moves every weight by about $\eta$, whatever the gradient's scale. Without the
# correction, $m_1 = (1-\beta_1) g$ and $v_1 = (1-\beta_2) g^2$ give a first step of
# $\eta\,(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16\,\eta$ for $\beta_1 = 0.9$, $\beta_2 = 0.999$.
#
# **RMSprop and Adadelta's first steps.** From $s_0 = 0$, RMSprop's $s_1 = (1-\rho) g_1^2$, so its first step is
# $\eta/\sqrt{1-\rho}$ whatever $g_1$ ($3.16\,\eta$ for $\rho = 0.9$); two steps on $f(w) = w^2$ from $w_0 = 1$ with
# $\eta = 0.1$, $\rho = 0.9$, $\epsilon = 0$ (assignment 5, Q7) give $w_1 = 1 - 0.1 \cdot 2/\sqrt{0.4} = 0.6838$, then
# $s_2 = 0.36 + 0.1 \cdot 1.3675^2 = 0.5470$ and $w_2 = 0.6838 - 0.1 \cdot 1.3675/\sqrt{0.5470} \approx 0.4989$.
# Adadelta from $s_0 = u_0 = 0$ (Q9): $|\Delta_1| = \sqrt{\epsilon}\,|g_1|/\sqrt{(1-\rho) g_1^2 + \epsilon} \approx
# \sqrt{\epsilon/(1-\rho)}$ once $g_1^2 \gg \epsilon$: not $\sqrt\epsilon$ but $1/\sqrt{1-\rho}$ times it ($\approx 4.5\sqrt\epsilon$
# for the library's $\rho = 0.95$).
#
# Below: the valley again, where dividing by $\sqrt{g^2}$ equalizes the two directions; then the bias correction
# in numbers.

# %%
adaptive = {"Adagrad η = 1": run(optim.adagrad, {"lr": 1.0}), "RMSProp η = 0.3": run(optim.rmsprop, {"lr": 0.3}),
            "Adadelta (no η)": run(optim.adadelta, {}), "Adam η = 0.5": run(optim.adam, {"lr": 0.5})}
state = {"beta1": 0.9}
g_const = np.array([0.003, 30.0])  # a tiny and a huge gradient component
for t in range(1, 4):
    w_next, state = optim.adam(np.zeros(2), g_const, state)
    m_raw = state["m"]
    print(f"step {t}: m = {m_raw}, m / (1 - 0.9^{t}) = {m_raw / (1 - 0.9 ** t)}, step taken = {w_next}")
w_rms, st = np.array([1.0]), {"lr": 0.1, "rho": 0.9, "eps": 0.0}
for _ in range(2):
    w_rms, st = optim.rmsprop(w_rms, 2 * w_rms, st)
step1 = optim.adadelta(np.zeros(1), np.array([5.0]), {})[0]
print(f"RMSprop by hand: w_2 = {w_rms[0]:.4f};  Adadelta's first step for g = 5: {abs(step1[0]):.2e}, "
      f"sqrt(eps / (1 - rho)) = {np.sqrt(1e-6 / 0.05):.2e}, sqrt(eps) = {np.sqrt(1e-6):.0e}")
show_valley(adaptive, "adaptive methods on the same valley (40 steps)")

# %% [markdown]
# Both components of Adam's step have size $\eta = 10^{-3}$ (the default) although the gradients differ by
# $10^4$. On the valley the adaptive methods head straight for the floor instead of zig-zagging, but on such a
# smooth, well-scaled quadratic they are no faster than tuned momentum: Adadelta starts very slowly from its tiny
# first steps of about $\sqrt{\epsilon/(1-\rho)}$ and speeds up as $u$ grows, Adagrad's steps keep shrinking since $G$ only grows, and Adam's
# steps of size about $\eta$ oscillate near the minimum. Their strength is robustness when gradient scales differ
# by orders of magnitude between weights, as in deep networks.
#
# ## 6. On a real network
#
# The same rules, through `train.fit(..., optimizer=...)`, on a 64-64-10 ReLU network for the digits, 8 epochs of
# mini-batches of 64, each with a learning rate typical for its kind. (The ranking depends on the problem and
# on tuning; what generalizes is that momentum and the adaptive methods are far less sensitive to the scale of
# each weight's gradient than plain SGD.)

# %%
choices = [("SGD η=0.05", optim.sgd, {"lr": 0.05}), ("momentum", optim.momentum, {"lr": 0.05}),
           ("Nesterov", optim.nesterov, {"lr": 0.05}), ("Adagrad", optim.adagrad, {"lr": 0.05}),
           ("RMSProp", optim.rmsprop, {"lr": 1e-3}), ("Adadelta", optim.adadelta, {}), ("Adam", optim.adam, {"lr": 2e-3})]
fig, ax = plt.subplots(figsize=(7, 3.8))
for label, rule, config in choices:
    model = layers.mlp([64, 64, 10], seed=0)
    h = train.fit(model, dg.X_train, dg.y_train, optimizer=rule, config=config, epochs=8, batch_size=64,
                  X_val=dg.X_val, y_val=dg.y_val, progress=False)
    ax.semilogy(np.arange(1, 9), h["loss"], "o-", ms=3, label=f"{label}: val acc {h['val_acc'][-1]:.3f}")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend(fontsize="x-small")
plt.show()

# %% [markdown]
# ## 7. Vanishing and exploding gradients
#
# The gradient that reaches layer 1 of a deep network is a product with one factor per layer above it
# (walkthrough 3's $\delta$ recursion: $\delta^{[l]} = (\delta^{[l+1]}W^{[l+1]T}) \odot g'(z^{[l]})$). If the factors are
# about $0.1$, eight layers give $10^{-8}$: the early layers barely learn (**vanishing**). If they are about 10, the
# product is $10^8$ and the steps fly off (**exploding**).
#
# **Choosing the scale at initialization.** For $z_j = \sum_{i=1}^{d_{in}} W_{ij}x_i$ with independent, zero-mean
# weights and inputs, $\operatorname{Var}(z_j) = d_{in}\operatorname{Var}(W)\operatorname{Var}(x)$. Keeping the variance constant from layer
# to layer needs $\operatorname{Var}(W) = 1/d_{in}$. Two refinements:
#
# - **Xavier (Glorot)**: the backward pass needs $1/d_{out}$ by the same argument; the compromise
#   $\operatorname{Var}(W) = 2/(d_{in} + d_{out})$ assumes units that act as the identity near 0, with slope 1 and
#   outputs centred at 0: tanh. It does not suit the sigmoid, whose slope at 0 is $\tfrac14$ (a four-fold shrink per
#   layer) and whose outputs are centred at $\tfrac12$;
# - **He**: a ReLU zeroes half its inputs, halving the second moment, so $\operatorname{Var}(W) = 2/d_{in}$.
#
# We measure $\lVert\partial L/\partial W^{[l]}\rVert$ for each layer of 10-layer networks (one batch of digits):

# %%
def layer_gradients(activation, initializer, seed=0):
    model = layers.mlp([64] + [64] * 9 + [10], activation=activation, init=initializer, seed=seed)
    _, dscores = losses.softmax_cross_entropy(model.forward(dg.X_train[:128]), dg.y_train[:128])
    model.backward(dscores)
    return model.grads


fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
plot_gradient_norms(layer_gradients(layers.Sigmoid, lambda a, b, r: init.small_normal(a, b, r, std=0.1)), axes[0],
                    label="sigmoid, N(0, 0.1²)")
plot_gradient_norms(layer_gradients(layers.Sigmoid, init.xavier), axes[0], label="sigmoid, Xavier")
plot_gradient_norms(layer_gradients(layers.Tanh, init.xavier), axes[0], label="tanh, Xavier")
axes[0].set_title("vanishing: sigmoid' ≤ 1/4 at every layer")
plot_gradient_norms(layer_gradients(layers.ReLU, lambda a, b, r: 2 * init.he(a, b, r)), axes[1], label="ReLU, 2 x He scale")
plot_gradient_norms(layer_gradients(layers.ReLU, init.he), axes[1], label="ReLU, He")
plot_gradient_norms(layer_gradients(layers.ReLU, lambda a, b, r: 0.5 * init.he(a, b, r)), axes[1], label="ReLU, He / 2")
axes[1].set_title("ReLU: the scale decides, He keeps it level")
plt.show()

# %% [markdown]
# Even with Xavier scaling, a sigmoid network's gradients shrink towards the first layers (its derivative is at
# most $\tfrac14$ and its outputs are not centred: Xavier's assumptions do not hold for it); tanh with Xavier and ReLU with He stay level. For ReLU the
# scale of $W$ acts on both passes: doubling He's scale doubles the activations at each layer going forward and
# each $\delta$ going backward, and the weight gradient $A^{[l-1]T}\delta^{[l]}$, a product of the two, comes out
# about $2^{10} \approx 10^3$ times too large in every layer (exploding); half the scale makes it $10^3$ times too
# small (vanishing).
#
# **Gradient clipping.** When gradients explode, one step can throw the weights to infinity. Clipping rescales
# the whole gradient when its norm $N$ exceeds a threshold $c$. Multiplying every array by one $k > 0$ multiplies
# $N$ by $k$, and $kN = c$ gives the factor $k = c/N$: $g \leftarrow g\cdot c/N$. (By hand, assignment 5's Q13:
# `{"W": [[1, -2], [2, 0]], "b": [4, 0]}` has $N = 5$; with $c = 2$ the factor is $0.4$ and the clipped `b` is
# $(1.6, 0)$.) The direction is kept, only the length is capped (`optim.clip_grad_norm`, or `train.fit(..., max_grad_norm=c)`). A 7-layer ReLU
# network at twice He's scale, trained with the same SGD with and without clipping:

# %%
big = lambda a, b, r: 2 * init.he(a, b, r)
fig, ax = plt.subplots(figsize=(7, 3.6))
for clip in [None, 5.0]:
    model = layers.mlp([64] + [64] * 6 + [10], init=big, seed=0)
    with np.errstate(all="ignore"):  # the unclipped run overflows: we want to see it, not be warned about it
        h = train.fit(model, dg.X_train, dg.y_train, config={"lr": 0.05}, epochs=6, batch_size=64, max_grad_norm=clip,
                      X_val=dg.X_val, y_val=dg.y_val, progress=False)
    print(f"max_grad_norm = {clip}: training loss per epoch {np.round(h['loss'], 3)}, final val acc {h['val_acc'][-1]:.2f}")
    ax.semilogy(np.arange(1, 7), np.nan_to_num(h["loss"], nan=1e6), "o-", label=f"max_grad_norm = {clip}")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (nan drawn at 1e6)")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# Without clipping the first steps overflow to `nan` and the network never recovers (validation accuracy 0.1,
# chance); with clipping it trains, slowly, despite the poor initialization. Clipping is a safety net; a good
# initialization (or normalization, walkthrough 6) removes the cause.
#
# ## Where to go next
#
# - **Assignment 5** ([source/a5/optimization.py](../../source/a5/optimization.py), student version
#   [release/a5/optimization.ipynb](../../release/a5/optimization.ipynb)) has you write a mini-batch epoch and the
#   update rules `momentum`, `nesterov`, `adagrad`, `rmsprop`, `adadelta` and `adam` with the signature
#   `update(w, dw, state) -> (w, state)`, and `clip_by_global_norm`; the notebook also shows the decaying step and
#   derives the Xavier and He scales, and two written answers ask about $\eta(t)$ and about vanishing and exploding
#   gradients. The checks compare trajectories, so any algebraically equivalent form of an update passes.
# - Reference: `help(optim.adam)`, `help(optim.nesterov)`, `help(optim.clip_grad_norm)`, `help(init.xavier)`.
# - **Things to try:** find the largest stable $\eta$ for GD on the valley and compare with $2/\lambda_{max} = 0.08$;
#   give Adam $\beta_1 = 0$ (RMSProp with bias correction) on the valley; rerun section 7 with 20 layers.
# - Next: [walkthrough 6](06_regularization.ipynb), where the network learns too well.
