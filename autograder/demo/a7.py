"""Demo students of the capstone: graded on a held-out draw, a weak model is its classic mistake.

Each bug student also leaves the two experiment cells (``compare_variants``, ``plot_failure_mode``: ungraded code
whose results feed the written answers) as empty functions, so that grading one trains its own build_and_train
only (the reference student runs them all): the demo class then takes a third of the time.
"""

from . import Bug

NO_EXPERIMENTS = {"experiments": "def compare_variants():\n    pass\n",
                  "failure_mode": "def plot_failure_mode():\n    pass\n"}

BUGS = [
    Bug(
        "a7-linear-model",
        "stops at the linear softmax baseline (about 25 % on the held-out samples): passes none of the accuracy "
        "checks, the public 80 % included",
        {**NO_EXPERIMENTS, "build_and_train": '''def build_and_train(X_train, y_train):
    return linear_baseline(X_train, y_train)
'''},
        loses=["test_build_and_train"],
    ),
    Bug(
        "a7-one-hidden-layer",
        "one wide hidden layer with every other ingredient (standardized features, He, weight decay): about half "
        "the held-out samples, far under the thresholds",
        {**NO_EXPERIMENTS, "build_and_train": '''def build_and_train(X_train, y_train):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    rng = np.random.default_rng(0)
    model = layers.Sequential(layers.Dense(X_train.shape[1], 512, init=init.he, rng=rng), layers.ReLU(),
                              layers.Dense(512, 5, init=init.he, rng=rng))
    train.fit(model, (X_train - mean) / std, y_train, optimizer=optim.momentum, config={"lr": 0.3}, epochs=80,
              batch_size=64, weight_decay=1e-4, progress=False)
    return lambda X: model.forward((X - mean) / std, train=False).argmax(axis=1)
'''},
        loses=["test_build_and_train"],
    ),
    Bug(
        "a7-raw-features",
        "the reference's deep network on the features as they come, in their mixed units (no standardization): "
        "near chance, though every other ingredient is there",
        {**NO_EXPERIMENTS, "build_and_train": '''def build_and_train(X_train, y_train):
    raw = dict(depth=4, width=128, initializer=init.he, norm=False, weight_decay=2e-3, epochs=80, lr=1e-3)
    return recipe(**raw)(X_train, y_train)
'''},
        loses=["test_build_and_train"],
    ),
    Bug(
        "a7-trains-on-notebook-data",
        "ignores its arguments and trains on the notebook's own X_train, y_train: caught by the shuffled-label "
        "check (and the secret task is turned another way), so no accuracy points",
        {**NO_EXPERIMENTS, "build_and_train": '''def build_and_train(X, y):
    final = dict(depth=4, width=128, initializer=init.he, norm=True, weight_decay=2e-3, epochs=80, lr=0.1)
    return recipe(**final)(X_train, y_train)
'''},
        loses=["test_build_and_train"],
    ),
]
