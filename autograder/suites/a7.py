"""Assignment 7: the capstone, a classifier for many-armed spirals hidden among noise features, scored on samples
the student never sees.

The student writes ``build_and_train(X_train, y_train) -> predict``; ``predict(X) -> labels``. The task is
``backprop.data.spiral_arms`` (5 spiral arms with 2 turns each, in a plane hidden by a random rotation among 10
directions of pure noise, 12 features in all, each recorded in its own unit): a linear model is near chance, one
hidden layer stays far below, and a deep network needs a fan-in-scaled initialization, standardized features and
weight decay to clear the thresholds; without any one of them it falls below the lowest
(benchmarks/capstone_ablation.py measures each). The grader
- draws a **secret task**: a fresh rotation and fresh units (``world``) and fresh training and held-out samples,
  all chosen by the seed of the notebook's hidden-test block (the student's release has no such block), so neither
  the samples, nor the plane that holds the spiral, nor the features' units can be known in advance;
- calls ``build_and_train`` on the secret training draw, then ``predict`` on the held-out draw (labels never
  leave the grader), and scores the accuracy against thresholds;
- trains once more on 400 samples with **shuffled labels**: a pipeline that learns from its arguments is then near
  chance, one that reads the notebook's own data (or any other copy of the labels) is not, and its accuracy on
  the held-out samples cannot be trusted, so the threshold checks fail for it.
So a submission trains three times when graded: the public check's run on the notebook's split, the secret
run, and the small shuffled-label run.

Nothing is poisoned: the library's layers, losses, optimizers and training loop are the student's to use here.
Each ``build_and_train`` call has a time limit (``SECONDS``), and so has each ``predict`` call. Notebooks are
graded on one BLAS thread each (``OPENBLAS_NUM_THREADS=1``), so the limit is per thread: the reference trains in
about 5 s of one core.

Workaround for the core: the threshold checks are separate checks (separate points) but must share one training
run, and a check only receives its own generator (seeded ``[hidden seed, check index]``). The hidden seed is read
back from that generator's seed sequence, and the run is cached per (student function, seed).
"""

import numpy as np

from backprop import data

from ..checks import CheckFailed, as_array
from ..question import Question, Written

SECONDS = 60.0          # one build_and_train call, on one thread (the reference needs about 5 s)
PREDICT_SECONDS = 20.0  # one predict call
N_TRAIN = 4000          # training samples, in the notebook and in the secret task
N_VAL = 2000            # the notebook's validation samples
N_HIDDEN = 10000        # held-out samples of the secret task (many: the score varies little with the draw)
SHUFFLED_N = 400        # samples in the shuffled-label run
CHANCE_LIMIT = 0.4      # accuracy above this after training on shuffled labels (chance: 1 in 5): not learning
PUBLIC_LEVEL = 0.8      # the public check's bar on the notebook's validation split
THRESHOLDS = (0.925, 0.94, 0.95)  # the reference: 95.3 % to 96.6 % on 20 secret tasks (benchmark)

TIMEOUT = (f"`build_and_train` ran for more than {SECONDS:g} s and was stopped. The limit is per thread: the "
           f"grader runs your notebook on one processor thread (one BLAS thread), and the reference trains in "
           f"about 5 s there. Time your function in the notebook, which also runs on one thread (threadpool_limits "
           f"in the setup cell), and train fewer epochs or a smaller network if it takes more than about 20 s.")

_CACHE = {}


def public_split():
    """(X_train, y_train, X_val, y_val): the notebook's task, world 0, training seed 1, validation seed 2."""
    X_train, y_train = data.spiral_arms(N_TRAIN, seed=1, world=0)
    X_val, y_val = data.spiral_arms(N_VAL, seed=2, world=0)
    return X_train, y_train, X_val, y_val


def secret_split(seed):
    """(X_train, y_train, X_hidden, y_hidden): a fresh task and fresh draws, all chosen by ``seed``."""
    world, train_seed, hidden_seed = (int(s) for s in np.random.SeedSequence([seed, 7]).generate_state(3))
    X_train, y_train = data.spiral_arms(N_TRAIN, seed=train_seed, world=world)
    X_hidden, y_hidden = data.spiral_arms(N_HIDDEN, seed=hidden_seed, world=world)
    return X_train, y_train, X_hidden, y_hidden


def _hidden_seed(rng):
    """The notebook's hidden seed, read back from a check's generator (seeded [hidden seed, check index])."""
    return int(rng.bit_generator.seed_seq.entropy[0])


def _accuracy(student, X_train, y_train, X_test, y_test, what):
    """Train through the guarded ``student``, predict through a guarded ``predict``; returns the accuracy."""
    predict = student(X_train, y_train)
    if not callable(predict):
        raise CheckFailed(f"{what}: build_and_train returned a {type(predict).__name__}; it must return a function "
                          f"predict(X) -> labels.", hint="End build_and_train with `return predict`, where predict "
                                                         "is a function (def or lambda) of one argument X.")
    guarded = student.wrap(predict, "predict", seconds=PREDICT_SECONDS)
    labels = as_array(guarded(X_test), f"{what}: predict(X)")
    if labels.shape != (len(X_test),):
        raise CheckFailed(f"{what}: predict(X) for {len(X_test)} samples returned shape {labels.shape}; expected "
                          f"({len(X_test)},), one label per sample.",
                          hint="predict returns one integer label per row of X, not the network's scores.")
    if not np.isin(labels, np.arange(5)).all():
        raise CheckFailed(f"{what}: predict(X) must return integer labels 0..4; got values such as "
                          f"{sorted(set(labels.tolist()) - set(range(5)))[:3]}.")
    return float(np.mean(labels == y_test))


def _hidden_run(student, rng):
    """{"acc": held-out accuracy, "shuffled": held-out accuracy after training on shuffled labels} (cached)."""
    seed = _hidden_seed(rng)
    cached = _CACHE.get(seed)
    if cached is not None and cached[0] is student.fn:
        outcome = cached[1]
    else:
        try:
            X_train, y_train, X_hidden, y_hidden = secret_split(seed)
            acc = _accuracy(student, X_train, y_train, X_hidden, y_hidden, "on the held-out samples")
            pick = np.random.default_rng([seed, 8]).choice(len(y_train), SHUFFLED_N, replace=False)
            shuffled_labels = np.random.default_rng([seed, 9]).permutation(y_train[pick])
            shuffled = _accuracy(student, X_train[pick], shuffled_labels, X_hidden, y_hidden,
                                 "trained on shuffled labels")
            outcome = {"acc": acc, "shuffled": shuffled}
        except BaseException as error:  # re-raised by every check: a crash costs each threshold
            outcome = error
        _CACHE[seed] = (student.fn, outcome)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


class Capstone(Question):
    """The capstone's question: a time-out says that the limit is per thread, and what to do about it."""

    def run_check(self, check, student, rng):
        passed, message, stop = super().run_check(check, student, rng)
        if message.startswith(f"`{self.function}` ran for more than"):
            return False, TIMEOUT, TIMEOUT
        return passed, message, stop


capstone = Capstone("a7.build_and_train", "build_and_train", references=[], seconds=SECONDS,
                    topic="the whole course: depth, initialization, normalization, regularization; generalization "
                          "to held-out data")


@capstone.check(points=1, public=True)
def works_on_the_validation_split(student, rng):
    """trained on the notebook's training split, predict gives one label per sample and 80 % on validation"""
    X_train, y_train, X_val, y_val = public_split()
    acc = _accuracy(student, X_train, y_train, X_val, y_val, "on the validation split")
    if acc < PUBLIC_LEVEL:
        raise CheckFailed(f"validation accuracy {acc:.1%}; this check asks for {PUBLIC_LEVEL:.0%}.",
                          hint="Compare your training and validation accuracy: if both are low, the network cannot "
                               "fit the arms yet (revisit depth, initialization, normalization); if only "
                               "validation is low, it fits the noise features (revisit regularization).")


@capstone.check(points=1)
def learns_from_its_arguments(student, rng):
    """learns from the data it is given: trained on shuffled labels it is near chance on the held-out samples"""
    outcome = _hidden_run(student, rng)
    if outcome["shuffled"] >= CHANCE_LIMIT:
        raise CheckFailed(
            f"trained on {SHUFFLED_N} samples whose labels were shuffled, your model still labels "
            f"{outcome['shuffled']:.0%} of the held-out samples correctly. It must be reading the labels from "
            f"somewhere else than its arguments (a notebook variable such as y_train, or the data generator), so its "
            f"accuracy on the held-out samples cannot be trusted and the accuracy checks are not awarded.",
            hint="Inside build_and_train use only X_train and y_train, the arguments; predict may use only X and "
                 "what build_and_train computed from its arguments.")


def _threshold_check(level):
    def check(student, rng):
        outcome = _hidden_run(student, rng)
        if outcome["shuffled"] >= CHANCE_LIMIT:
            raise CheckFailed("not awarded: the model does not learn from the data it is given (see the check "
                              "on shuffled labels).")
        if outcome["acc"] < level:
            raise CheckFailed(f"accuracy on the held-out samples {outcome['acc']:.1%}, below {level:.1%}.",
                              hint="Compare your training and validation accuracy in the notebook, and remove the "
                                   "ingredients of your model one at a time to see which one is missing or "
                                   "mistuned (section 4).")

    check.__name__ = f"hidden_accuracy_{round(level * 1000)}"
    check.__doc__ = f"at least {level:.1%} of the held-out samples right"
    return check


for _level, _points in zip(THRESHOLDS, (2, 2, 2)):
    capstone.check(points=_points)(_threshold_check(_level))


Written("a7.what_you_tried", 3, topic="model selection on a validation set")
Written("a7.failure_mode_answer", 3, topic="diagnosing a failure: curves, activations, and what they show")
Written("a7.what_helped_most", 2, topic="what each ingredient contributes")
