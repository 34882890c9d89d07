"""Assignment 7: the capstone, a digit classifier scored on images the student never sees.

The student writes ``build_and_train(X_train, y_train) -> predict``; ``predict(X) -> labels``. The grader
- splits scikit-learn's bundled digits (1797 images) with a **secret split**: a stratified quarter of the images
  is held out, chosen by the seed of the notebook's hidden-test block (the student's release has no such block);
- calls ``build_and_train`` on the other three quarters only, then ``predict`` on the held-out images (labels
  never leave the grader), and scores the accuracy against thresholds;
- trains once more on 400 images with **shuffled labels**: a pipeline that learns from its arguments is then near
  chance, one that reads the notebook's own data (or any other copy of the labels) is not, and its accuracy on
  the held-out images cannot be trusted, so the threshold checks fail for it.

Nothing is poisoned: the library's layers, losses, optimizers and training loop are the student's to use here.
Each ``build_and_train`` call has a time limit (``SECONDS``), and so has each ``predict`` call.

Workaround for the core: the threshold checks are separate checks (separate points) but must share one training
run, and a check only receives its own generator (seeded ``[hidden seed, check index]``). The hidden seed is read
back from that generator's seed sequence, and the run is cached per (student function, seed).
"""

import numpy as np

from ..checks import CheckFailed, as_array
from ..question import Question

SECONDS = 60.0          # one build_and_train call
PREDICT_SECONDS = 20.0  # one predict call
HOLDOUT = 0.25          # share of each class held out by the secret split
SHUFFLED_N = 400        # images in the shuffled-label run
CHANCE_LIMIT = 0.4      # accuracy above this after training on shuffled labels: the pipeline does not use them
THRESHOLDS = (0.93, 0.96, 0.98)

_CACHE = {}


def _digits():
    from backprop.data import load_digits  # scikit-learn's digits, shipped inside backprop

    return load_digits()


def public_split():
    """The split the notebook uses: 80 % train, 20 % validation, stratified, random_state=0."""
    from backprop.data import stratified_split  # = sklearn's train_test_split(..., stratify=y, random_state=0)

    X, y = _digits()
    return stratified_split(X, y, test_size=0.2, seed=0)


def secret_split(seed):
    """(X_train, y_train, X_hidden, y_hidden): a stratified quarter of every class held out, chosen by ``seed``."""
    X, y = _digits()
    rng = np.random.default_rng([seed, 7])
    hidden = np.zeros(len(y), dtype=bool)
    for c in range(10):
        members = np.flatnonzero(y == c)
        hidden[rng.choice(members, int(round(HOLDOUT * len(members))), replace=False)] = True
    return X[~hidden], y[~hidden], X[hidden], y[hidden]


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
        raise CheckFailed(f"{what}: predict(X) for {len(X_test)} images returned shape {labels.shape}; expected "
                          f"({len(X_test)},), one label per image.",
                          hint="Return scores.argmax(axis=1), not the scores themselves.")
    if not np.isin(labels, np.arange(10)).all():
        raise CheckFailed(f"{what}: predict(X) must return integer labels 0..9; got values such as "
                          f"{sorted(set(labels.tolist()) - set(range(10)))[:3]}.")
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
            acc = _accuracy(student, X_train, y_train, X_hidden, y_hidden, "on the hidden images")
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


capstone = Question("a7.build_and_train", "build_and_train", references=[], seconds=SECONDS)


@capstone.check(points=1, public=True)
def works_on_the_validation_split(student, rng):
    """trained on the notebook's training split, predict gives one label per image and 90 % on validation"""
    X_train, X_val, y_train, y_val = public_split()
    acc = _accuracy(student, X_train, y_train, X_val, y_val, "on the validation split")
    if acc < 0.9:
        raise CheckFailed(f"validation accuracy {acc:.1%}; this check asks for 90 %.",
                          hint="Standardize the pixels with the training mean and spread, and train an MLP with "
                               "the library's layers and train.fit until the validation accuracy stops improving.")


@capstone.check(points=1)
def learns_from_its_arguments(student, rng):
    """learns from the data it is given: trained on shuffled labels it is near chance on the hidden images"""
    outcome = _hidden_run(student, rng)
    if outcome["shuffled"] >= CHANCE_LIMIT:
        raise CheckFailed(
            f"trained on {SHUFFLED_N} images whose labels were shuffled, your model still labels "
            f"{outcome['shuffled']:.0%} of the hidden images correctly. It must be reading the labels from somewhere "
            f"else than its arguments (a notebook variable such as y_train, or load_digits), so its accuracy on the "
            f"hidden images cannot be trusted and the accuracy checks are not awarded.",
            hint="Inside build_and_train use only X_train and y_train, the arguments; predict may use only X and "
                 "what build_and_train computed from its arguments.")


def _threshold_check(level):
    def check(student, rng):
        outcome = _hidden_run(student, rng)
        if outcome["shuffled"] >= CHANCE_LIMIT:
            raise CheckFailed("not awarded: the model does not learn from the data it is given (see the check "
                              "on shuffled labels).")
        if outcome["acc"] < level:
            raise CheckFailed(f"accuracy on the hidden images {outcome['acc']:.1%}, below {level:.0%}.",
                              hint="Look at the misclassified validation images and your learning curve: more "
                                   "data (shifted copies of the images), a wider network, an ensemble or "
                                   "regularization may help.")

    check.__name__ = f"hidden_accuracy_{round(level * 100)}"
    check.__doc__ = f"at least {level:.0%} of the hidden images right"
    return check


for _level, _points in zip(THRESHOLDS, (2, 2, 2)):
    capstone.check(points=_points)(_threshold_check(_level))
