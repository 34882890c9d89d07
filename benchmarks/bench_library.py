"""How fast is the library's training loop? The same job three ways, timed in one run.

1. digits: a 64-128-64-10 ReLU MLP on standardized digits, softmax cross-entropy, SGD lr 0.1, batch 64,
   20 epochs, trained by ``backprop.train.fit``, by a minimal hand-written vectorized NumPy loop, and by
   scikit-learn's ``MLPClassifier`` (same architecture, plain SGD, no L2 penalty, no early stopping).
   These products have 64 rows, so one BLAS thread is used for all three (a second thread only adds
   synchronization, and on a busy machine much waiting).
2. GEMM-bound: 60000 x 784 -> 256 -> 128 -> 10 on random inputs whose labels come from a random linear
   map (so accuracy means something), batch 256, 2 epochs, library against the hand-written loop, with
   every BLAS thread.

Each repeat runs every contender once, one after the other and in a new random order, so that a slow
moment of a shared machine hits all of them and no contender always runs first; times are medians over
the repeats (minimum also printed), and each ratio is the median of the per-repeat ratios (the ratio of
the median times and the CPU-time ratio are printed beside it). On a shared virtual machine single runs
differ by 10 % or more, hence 15 repeats of the digits job by default.

Targets: library / hand-written <= 1.3 on digits and <= 1.1 on the GEMM-bound job; MLPClassifier /
library >= 2 on digits at equal accuracy.

Run: .venv/bin/python benchmarks/bench_library.py [--repeats N] [--gemm-repeats N] [--jobs digits gemm]
     [--gemm-threads T]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

from backprop import data, layers, optim, train


def hand_written(X, y, sizes, lr, epochs, batch, seed=0):
    """A minimal vectorized NumPy MLP: ReLU hidden layers, softmax cross-entropy, plain SGD.

    Same He initialization and the same per-epoch shuffling as the library, so both train the same network.
    Returns a predict function.
    """
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(0.0, np.sqrt(2.0 / a), size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    shuffle = np.random.default_rng(seed)
    n, last = len(X), len(Ws) - 1
    for _ in range(epochs):
        order = shuffle.permutation(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            m = len(idx)
            acts = [X[idx]]
            for W, b in zip(Ws[:-1], bs[:-1]):
                acts.append(np.maximum(acts[-1] @ W + b, 0.0))
            z = acts[-1] @ Ws[-1] + bs[-1]
            e = np.exp(z - z.max(axis=1, keepdims=True))
            g = e / e.sum(axis=1, keepdims=True)
            g[np.arange(m), y[idx]] -= 1.0
            g /= m
            for i in range(last, -1, -1):
                dW, db = acts[i].T @ g, g.sum(axis=0)
                if i:
                    g = (g @ Ws[i].T) * (acts[i] > 0)
                Ws[i] -= lr * dW
                bs[i] -= lr * db

    def predict(Xt):
        h = Xt
        for W, b in zip(Ws[:-1], bs[:-1]):
            h = np.maximum(h @ W + b, 0.0)
        return (h @ Ws[-1] + bs[-1]).argmax(axis=1)
    return predict


def library(X, y, sizes, lr, epochs, batch, seed=0):
    model = layers.mlp(sizes, seed=seed)
    train.fit(model, X, y, optimizer=optim.sgd, config={"lr": lr}, epochs=epochs, batch_size=batch, seed=seed,
              progress=False)
    return lambda Xt: model.forward(Xt, train=False).argmax(axis=1)


def sklearn_mlp(X, y, sizes, lr, epochs, batch, seed=0):
    clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="sgd", alpha=0.0,
                        batch_size=batch, learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False,
                        max_iter=epochs, n_iter_no_change=epochs + 1, tol=0.0, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it stops after max_iter epochs, as asked
        clf.fit(X, y)
    return clf.predict


def race(contenders, job, repeats):
    """Interleaved repeats of every contender on one job.

    Returns {name: (wall times (repeats,), CPU times (repeats,), test accuracy)}. The CPU time of this
    process is the steadier measure when other work shares the machine (with one BLAS thread it is the
    time the job itself computed; with more, it also counts the threads' waiting).
    """
    X, y, X_test, y_test, kwargs = job
    times = {name: [] for name in contenders}
    accuracy = {}
    order = np.random.default_rng(0)
    for _ in range(repeats):
        for name in order.permutation(list(contenders)):  # a new order each repeat: no one always goes first
            wall, cpu = time.perf_counter(), time.process_time()
            predict = contenders[name](X, y, **kwargs)
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
            accuracy[name] = float(np.mean(predict(X_test) == y_test))
    return {name: (*np.array(pairs).T, accuracy[name]) for name, pairs in times.items()}


def ratio(results, a, b, clock=0):
    """Median over the repeats of time(a) / time(b), wall-clock (clock=0) or CPU (clock=1)."""
    return float(np.median(results[a][clock] / results[b][clock]))


def summary(results, a, b, target):
    """'a / b = r (...)': the median of the per-repeat ratios, the ratio of the median times, the CPU ratio."""
    medians = np.median(results[a][0]) / np.median(results[b][0])
    return (f"{a} / {b} = {ratio(results, a, b):.2f} (ratio of median times {medians:.2f}, "
            f"CPU {ratio(results, a, b, 1):.2f}; target {target})")


def report(title, results, reference):
    print(f"\n{title}")
    for name, (wall, cpu, acc) in results.items():
        print(f"  {name:<14} wall median {np.median(wall):7.3f} s (min {wall.min():7.3f})   CPU median "
              f"{np.median(cpu):7.3f} s   x{ratio(results, name, reference):5.2f} of {reference} "
              f"(CPU x{ratio(results, name, reference, 1):4.2f})   test accuracy {acc:.4f}")


def run_digits(repeats):
    d = data.digits(val_size=0.0, seed=0)
    digits_job = (d.X_train, d.y_train, d.X_test, d.y_test,
                  dict(sizes=[64, 128, 64, 10], lr=0.1, epochs=20, batch=64))
    with threadpool_limits(1):
        res = race({"hand-written": hand_written, "library": library, "MLPClassifier": sklearn_mlp},
                   digits_job, repeats)
    report(f"digits, 64-128-64-10 ReLU, SGD lr 0.1, batch 64, 20 epochs, {len(d.y_train)} training images "
           "(1 BLAS thread)", res, "hand-written")
    print("  " + summary(res, "library", "hand-written", "<= 1.3"))
    print("  " + summary(res, "MLPClassifier", "library", ">= 2") +
          f", accuracy {res['library'][2]:.4f} vs {res['MLPClassifier'][2]:.4f}")


def run_gemm(repeats, threads):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((70000, 784))
    y = (X @ rng.standard_normal((784, 10))).argmax(axis=1)
    gemm_job = (X[:60000], y[:60000], X[60000:], y[60000:],
                dict(sizes=[784, 256, 128, 10], lr=0.1, epochs=2, batch=256))
    with threadpool_limits(threads):
        res = race({"hand-written": hand_written, "library": library}, gemm_job, repeats)
    report("GEMM-bound, 60000 x 784 -> 256 -> 128 -> 10, SGD lr 0.1, batch 256, 2 epochs "
           f"({threads or 'all'} BLAS threads)", res, "hand-written")
    print("  " + summary(res, "library", "hand-written", "<= 1.1"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="repeats of the digits job")
    parser.add_argument("--gemm-repeats", type=int, default=3, help="repeats of the GEMM-bound job")
    parser.add_argument("--jobs", nargs="+", choices=["digits", "gemm"], default=["digits", "gemm"])
    parser.add_argument("--gemm-threads", type=int, default=None, help="BLAS threads for the GEMM job (default all)")
    args = parser.parse_args()
    blas = ", ".join(f"{lib['internal_api']} {lib['version']} ({lib['num_threads']} threads)"
                     for lib in threadpool_info() if lib["user_api"] == "blas")
    print(f"numpy {np.__version__}; BLAS: {blas}")

    if "digits" in args.jobs:
        run_digits(args.repeats)
    if "gemm" in args.jobs:
        run_gemm(args.gemm_repeats, args.gemm_threads)


if __name__ == "__main__":
    main()
