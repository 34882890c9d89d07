"""Classic bugs of assignment 3, each a demo student (see autograder/demo/__init__.py).

The class ``Value`` is one long solution cell, so its bug is the reference cell with one line changed
(``_patched``); the other bugs are whole functions.
"""

import nbformat

from .. import course
from . import Bug, solution_text

NOTEBOOK = course.REPO / "source" / "a3" / "backprop_by_hand.ipynb"


def _patched(grade_id, old, new):
    """The source notebook's solution cell ``grade_id`` with ``old`` replaced by ``new`` (which must occur)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = next(solution_text(c.source) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    if old not in source:
        raise ValueError(f"demo bug for {grade_id}: {old!r} is not in the solution any more")
    return source.replace(old, new, 1)


BUGS = [
    Bug(
        "a3-derive-loss-factor-sign",
        "a derivation slip: the loss factor dL/da loses its minus sign, and so does the simplified error at z",
        {"unit_chain_answer": 'dL_da = """\ny / a - (1 - y) / (1 - a)\n"""\nda_dz = """\na * (1 - a)\n"""\n'
                              'dz_dw = """\nx\n"""\ndL_dz = """\ny - a\n"""\n'},
        loses=["test_unit_chain"],
        diagnosis='minus sign',
    ),
    Bug(
        "a3-derive-one-path",
        "a derivation slip: the hidden unit's gradient keeps only the path through the first unit above it",
        {"hidden_delta_answer": 'dL_dah = """\nw1 * d1\n"""\ndelta_h = """\na * (1 - a) * w1 * d1\n"""\n'},
        loses=["test_hidden_delta"],
        diagnosis='only one path',
    ),
    Bug(
        "a3-derive-by-hand-no-sigmoid-factor",
        "a slip by hand: the hidden unit's delta forgets its own sigmoid's derivative (0.25 here)",
        {"delta_by_hand_answer": 'delta_out = """\n-0.114923\n"""\ndelta_h1 = """\n0.6 * -0.114923\n"""\n'
                                 'dL_dw21 = """\n2 * 0.6 * -0.114923\n"""\n'},
        loses=["test_delta_by_hand"],
        diagnosis='own sigmoid derivative is missing',
    ),
    Bug(
        "a3-overwritten-grad",
        "multiplication overwrites its inputs' gradients (=) instead of adding (+=): a node used twice keeps one path",
        {"Value": _patched("Value",
                           "            self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
                           "            self.grad = other.data * out.grad\n            other.grad = self.data * out.grad")},
        loses=["test_value"],
        diagnosis='assigns (=)',
    ),
    Bug(
        "a3-naive-recursion",
        "the re-pushing recursion: the backward pass pushes each node's whole grad and recurses into its parents "
        "instead of walking a reverse topological order (and never resets)",
        {"backward_pass": '''def backward_pass(root):
    def visit(node):
        node._backward()
        for parent in node.parents:
            visit(parent)

    root.grad = 1.0
    visit(root)
'''},
        loses=["test_backward_pass"],
        diagnosis='before it is complete',
    ),
    Bug(
        "a3-sigmoid-derivative",
        "the sigmoid's derivative taken as sigma(z) instead of sigma(z) (1 - sigma(z))",
        {"unit_backward": '''def unit_backward(w, b, x, y):
    z, a, _ = unit_forward(w, b, x, y)
    dL_da = -(y / a - (1 - y) / (1 - a))
    da_dz = a
    delta = dL_da * da_dz
    return delta * x, float(delta)
'''},
        loses=["test_unit_backward"],
        diagnosis='taken as σ(z) itself',
    ),
    Bug(
        "a3-loss-from-a",
        "the loss and delta are taken through log(a) and dL/da * a (1 - a): inf and nan once the unit saturates",
        {"unit_forward": '''def unit_forward(w, b, x, y):
    z = float(w @ x + b)
    a = float(sigmoid(z))
    return z, a, float(-(y * np.log(a) + (1 - y) * np.log(1 - a)))
''',
         "unit_backward": '''def unit_backward(w, b, x, y):
    z, a, _ = unit_forward(w, b, x, y)
    dL_da = -(y / a - (1 - y) / (1 - a))
    delta = dL_da * a * (1 - a)
    return delta * x, float(delta)
'''},
        loses=["test_unit_forward", "test_unit_backward"],
        diagnosis='unstable form',
    ),
    Bug(
        "a3-one-path",
        "a hidden unit's gradient keeps only the path through the first output instead of summing over all outputs",
        {"two_layer_gradients": '''def two_layer_gradients(p, x, y):
    a_h = sigmoid(x @ p["W_h"] + p["b_h"])
    a_out = sigmoid(a_h @ p["W_out"] + p["b_out"])
    t = len(y)
    delta_out = 2.0 / t * (a_out - y) * a_out * (1 - a_out)
    dL_da_h = p["W_out"][:, 0] * delta_out[0]
    delta_h = dL_da_h * a_h * (1 - a_h)
    return {"W_h": np.outer(x, delta_h), "b_h": delta_h, "W_out": np.outer(a_h, delta_out), "b_out": delta_out}
'''},
        loses=["test_two_layer"],
        diagnosis='only the path through one output',
    ),
    Bug(
        "a3-forgets-fprime",
        "the delta recursion forgets the factor f'(z) of the hidden layers",
        {"deltas": '''def deltas(Ws, zs, dL_da, f_prime):
    N = len(Ws)
    out = [None] * N
    out[N - 1] = np.array([f_prime(zs[N - 1][j]) * dL_da[j] for j in range(len(zs[N - 1]))], dtype=float)
    for k in range(N - 2, -1, -1):
        W_next, delta_next = Ws[k + 1], out[k + 1]
        out[k] = np.zeros(len(zs[k]))
        for i in range(len(zs[k])):
            out[k][i] = sum(W_next[i, j] * delta_next[j] for j in range(len(delta_next)))
    return out
'''},
        loses=["test_deltas"],
        diagnosis="forget the factor f'(z)",
    ),
    Bug(
        "a3-no-bias-grad",
        "the vectorized backward pass returns zero bias gradients",
        {"network_gradients": '''def network_gradients(Ws, bs, x, d, f, f_prime):
    zs, activations = forward_pass(Ws, bs, x, f)
    N = len(Ws)
    dWs, dbs = [None] * N, [np.zeros_like(b) for b in bs]
    delta = f_prime(zs[-1]) * (activations[-1] - d)
    for k in range(N - 1, -1, -1):
        dWs[k] = np.outer(activations[k], delta)
        if k > 0:
            delta = f_prime(zs[k - 1]) * (Ws[k] @ delta)
    return dWs, dbs
'''},
        loses=["test_network_gradients"],
        diagnosis='left at zero',
    ),
]
