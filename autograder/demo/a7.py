"""Demo students of the capstone: graded on a held-out draw, a weak model is its classic mistake."""

from . import Bug

BUGS = [
    Bug(
        "a7-linear-model",
        "stops at the linear softmax baseline (about 25 % on the held-out samples): passes none of the accuracy "
        "checks, the public 80 % included",
        {"build_and_train": '''def build_and_train(X_train, y_train):
    return linear_baseline(X_train, y_train)
'''},
        loses=["test_build_and_train"],
    ),
    Bug(
        "a7-one-hidden-layer",
        "one wide hidden layer with every other ingredient (LayerNorm, He, weight decay): below 40 %, far under "
        "the thresholds",
        {"build_and_train": '''def build_and_train(X_train, y_train):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    rng = np.random.default_rng(0)
    model = layers.Sequential(layers.Dense(8, 512, rng=rng), layers.LayerNorm(512), layers.ReLU(),
                              layers.Dense(512, 5, rng=rng))
    train.fit(model, (X_train - mean) / std, y_train, optimizer=optim.adam, config={"lr": 3e-3}, epochs=40,
              batch_size=64, weight_decay=1e-2, progress=False)
    return lambda X: model.forward((X - mean) / std, train=False).argmax(axis=1)
'''},
        loses=["test_build_and_train"],
    ),
    Bug(
        "a7-trains-on-notebook-data",
        "ignores its arguments and trains on the notebook's own X_train, y_train: caught by the shuffled-label "
        "check (and the secret task is turned another way), so no accuracy points",
        {"build_and_train": '''def build_and_train(X, y):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    rng = np.random.default_rng(0)
    stack, d = [], 8
    for _ in range(4):
        stack += [layers.Dense(d, 128, rng=rng), layers.LayerNorm(128), layers.ReLU()]
        d = 128
    model = layers.Sequential(*stack, layers.Dense(d, 5, rng=rng))
    train.fit(model, (X_train - mean) / std, y_train, optimizer=optim.adam, config={"lr": 3e-3}, epochs=40,
              batch_size=64, weight_decay=1e-2, progress=False)
    return lambda X_new: model.forward((X_new - mean) / std, train=False).argmax(axis=1)
'''},
        loses=["test_build_and_train"],
    ),
]
