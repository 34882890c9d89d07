"""The capstone's task (``backprop.data.spiral_arms``): how far a linear model, one hidden layer and the reference
get on held-out data, how long the reference trains on one thread, and what each ingredient of the reference is
worth (depth, initialization, normalization, regularization each removed in turn, everything else kept).

Each seed is one grading: a fresh world (the rotation hiding the spiral's plane), a training draw of N_TRAIN
samples and an independent held-out draw of N_TEST, and the models' own seeds. The table gives the mean held-out
accuracy over the seeds (and each seed's), and the CPU seconds of one training (process time: on one BLAS thread
it is the time the training takes on an idle core, whatever else the machine is doing).

The recipes are the notebook's (source/a7/capstone.py): ``build_and_train`` there is ``reference`` here.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/capstone_ablation.py [--seeds 3] [--only name ...]
"""

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from backprop import data, init, layers, optim, train  # noqa: E402

N_TRAIN, N_TEST = 4000, 4000
THRESHOLDS = (0.93, 0.945, 0.955)  # the grader's (autograder/suites/a7.py)


def recipe(depth=4, width=128, initializer=init.he, norm=True, weight_decay=1e-2, epochs=40, lr=3e-3):
    """A build_and_train: standardize, [Dense -> LayerNorm -> ReLU] x depth -> Dense, Adam with a cosine-decayed
    step, mini-batches of 64, L2 weight decay on every W. depth=0 is a linear softmax model."""
    def build(X, y):
        mean, std = X.mean(axis=0), X.std(axis=0) + 1e-8
        rng = np.random.default_rng(0)
        stack, d = [], X.shape[1]
        for _ in range(depth):
            stack += [layers.Dense(d, width, init=initializer, rng=rng)]
            stack += [layers.LayerNorm(width)] if norm else []
            stack += [layers.ReLU()]
            d = width
        model = layers.Sequential(*stack, layers.Dense(d, int(y.max()) + 1, init=initializer, rng=rng))
        train.fit(model, (X - mean) / std, y, optimizer=optim.adam, config={"lr": lr}, epochs=epochs,
                  batch_size=64, seed=0, weight_decay=weight_decay, progress=False,
                  lr_schedule=lambda e: lr * 0.5 * (1 + np.cos(np.pi * e / epochs)))
        return lambda X_new: model.forward((X_new - mean) / std, train=False).argmax(axis=1)
    return build


ROWS = {
    "linear softmax": recipe(depth=0, weight_decay=0.0, lr=1e-2),
    "one hidden layer, 512 wide (LN, He, wd)": recipe(depth=1, width=512),
    "reference: 4 x 128, He, LayerNorm, wd 1e-2": recipe(),
    "- depth (1 hidden layer of 128)": recipe(depth=1),
    "- initialization (N(0, 0.01^2) weights)": recipe(initializer=init.small_normal),
    "- initialization (all zeros)": recipe(initializer=init.zeros),
    "- normalization (no LayerNorm)": recipe(norm=False),
    "- regularization (no weight decay)": recipe(weight_decay=0.0),
    "(no LayerNorm, weight decay retuned to 1e-3)": recipe(norm=False, weight_decay=1e-3),
}


def measure(build, seed):
    X, y = data.spiral_arms(N_TRAIN, seed=3 * seed + 1, world=seed)
    X_test, y_test = data.spiral_arms(N_TEST, seed=3 * seed + 2, world=seed)
    start = time.process_time()
    predict = build(X, y)
    seconds = time.process_time() - start
    return float(np.mean(predict(X_test) == y_test)), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="substrings of the row names to run")
    args = parser.parse_args()
    rows = {k: v for k, v in ROWS.items() if not args.only or any(s in k for s in args.only)}
    print(f"spiral_arms: {N_TRAIN} training and {N_TEST} held-out samples per seed, seeds 0..{args.seeds - 1}; "
          f"thresholds {', '.join(f'{t:.1%}' for t in THRESHOLDS)}")
    print(f"{'model':46s} {'mean acc':>8s}  {'per seed':24s} {'CPU s':>6s}")
    for name, build in rows.items():
        results = [measure(build, seed) for seed in range(args.seeds)]
        accs = [a for a, _ in results]
        print(f"{name:46s} {np.mean(accs):8.1%}  {' '.join(f'{a:.1%}' for a in accs):24s} "
              f"{np.mean([s for _, s in results]):6.1f}", flush=True)


if __name__ == "__main__":
    main()
