"""Demo students of the capstone: graded on hidden images, a weak model is its classic mistake."""

from . import Bug

BUGS = [
    Bug(
        "a7-linear-model",
        "stops at the linear softmax baseline (about 96 % on the hidden images): passes 93 %, misses 96 % and 98 %",
        {"build_and_train": '''def build_and_train(X_train, y_train):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1.0
    model = layers.Sequential(layers.Dense(64, 10, rng=0))
    train.fit(model, (X_train - mean) / std, y_train, config={"lr": 0.05}, epochs=20, batch_size=32,
              progress=False)
    return lambda X: model.forward((X - mean) / std, train=False).argmax(axis=1)
'''},
        loses=["test_build_and_train"],
    ),
    Bug(
        "a7-trains-on-notebook-data",
        "ignores its arguments and trains on the notebook's own X_train, y_train: caught by the shuffled-label "
        "check, so no accuracy points",
        {"build_and_train": '''def build_and_train(X, y):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1.0
    model = layers.mlp([64, 256, 10], seed=0)
    train.fit(model, (X_train - mean) / std, y_train, optimizer=optim.adam, config={"lr": 1e-3}, epochs=12,
              batch_size=64, progress=False)
    return lambda X_new: model.forward((X_new - mean) / std, train=False).argmax(axis=1)
'''},
        loses=["test_build_and_train"],
    ),
]
