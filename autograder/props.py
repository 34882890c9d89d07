"""What a check hands a student's function that is not plain data: the objects their code drives.

They cross to the student's process by state (``crossing.by_state``), and this module is all of them that the
student's process holds: it computes nothing an assignment grades. Where an object must do graded work (a layer's
backward pass), its method is a question back to the grader, which answers with its own object (``ask_grader``).
The grader's richer classes (a3's ``RefValue``, a4's layers) derive from these and cross as them.
"""

import numpy as np

from . import crossing

# Set by the student's side for the length of one call of a student's function: ask_grader(name, target, args).
_ASK = None


def ask_grader(name, target, *args):
    """The grader's answer to ``target.name(*args)``, computed on its own copy of ``target``."""
    if _ASK is None:
        raise RuntimeError(f"`{name}` of a grader's object can only run while the grader checks a function")
    return _ASK(name, target, args)


# Functions a2's checks hand to the student's numerical_gradient (with functools.partial for their data).

def sum_of_squares(v):
    return np.sum(v ** 2)


def sum_of_exp(v):
    return np.sum(np.exp(v))


def sum_of_cubes(v):
    return np.sum(v ** 3)


def coupled(v, M):
    """Every entry of v affects every partial derivative."""
    return np.sum(v * M) ** 2 + np.sum(np.sin(v)) * np.sum(v ** 2)


@crossing.by_state(mutable=("grad",))
class GraphNode:
    """A node of a scalar computational graph as a check hands it over: ``data``, ``grad``, ``parents`` and the
    local derivative d(this)/d(parent) of each parent as a number (``local``). ``_backward`` pushes
    ``local[i] * grad`` into ``parents[i].grad``. Deep copies are the node itself: the walk must fill these nodes."""

    def __init__(self, data, parents=(), local=(), op="", label=""):
        self.data, self.grad, self.parents, self.local = float(data), 0.0, tuple(parents), tuple(local)
        self.op, self.label = op, label

    def __deepcopy__(self, memo):
        return self

    def _backward(self):
        for parent, derivative in zip(self.parents, self.local):
            parent.grad += derivative * self.grad


@crossing.by_state(mutable=("grads",))
class GraderLayer:
    """A layer of a network a check hands over, already run forward: ``params``, ``grads``, and ``backward(dout)``,
    which the grader computes on its own copy (its result: the input gradient; ``grads`` filled)."""

    crossing_methods = ("backward",)

    def backward(self, dout):
        return ask_grader("backward", self, dout)  # the grader's answer brings this layer's grads with it


@crossing.by_state(mutable=("params", "buffers"))
class Toy:
    """A stand-in for a network: ``params`` and ``buffers`` dicts of arrays, nothing else."""

    def __init__(self, rng):
        self.params = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=2)}
        self.buffers = {"running_mean1": rng.normal(size=2)}


@crossing.by_state(mutable=("seen", "calls"))
class Callbacks:
    """``train_epoch(model)`` moves every array by a fixed step; ``val_loss(model)`` reads the script. ``seen``
    collects the model objects the callbacks were given (the student's copy of ``model``). Not copied when the
    student's function is called: the check reads what the callbacks saw."""

    def __init__(self, steps, script, in_place):
        self.steps, self.script, self.in_place, self.seen, self.calls = steps, script, in_place, [], 0

    def __deepcopy__(self, memo):
        return self

    def train_epoch(self, m):
        self.seen.append(m)
        for group, moves in self.steps.items():
            arrays = getattr(m, group)
            for k, step in moves.items():
                if self.in_place:
                    arrays[k] += step          # the arrays themselves change: a saved reference changes too
                else:
                    arrays[k] = arrays[k] + step

    def val_loss(self, m):
        self.seen.append(m)
        self.calls += 1
        return float(self.script[self.calls - 1]) if self.calls <= len(self.script) else 1e9
