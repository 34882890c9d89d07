"""Assignment 3: backpropagation by hand (a scalar computational graph, one logistic unit, two neurons, the
lecture's two-layer network, the delta recursion for any depth).

REFERENCE IMPLEMENTATIONS LIVE IN THIS MODULE. The library ``backprop`` has no scalar autograd node and no
per-sample delta recursion (its dense layers work on batches), so the references these checks compare with
are written below, marked ``# --- reference``. Numerical derivatives are always taken of a reference forward
pass (``RefValue`` replays, ``_ref_unit_loss``, ``_ref_two_layer_loss``, ``_ref_network_loss``).

Checks of the student's class ``Value`` build expressions with that class inside ``_with_class``, which runs
the whole scenario through the guard (calling a class only guards its constructor; its methods would
otherwise run unguarded).
"""

import math

import numpy as np

from backprop import activations as act
from backprop import gradcheck, layers

from .. import derive
from ..checks import CheckFailed, Mistake, expect_close
from ..guard import NotImplementedYet, StudentError
from ..props import GraphNode
from ..question import Derivation, Question, Written

NUMERIC = [gradcheck.numerical_gradient, gradcheck.numerical_gradient_array]


# ==================================================================================== reference: the graph

class RefValue(GraphNode):
    """Reference scalar node (same interface as the notebook's Value). Each operation records the local derivative
    of its output with respect to each input as a number (``local``), so the generic ``GraphNode._backward`` is the
    chain rule. A graph crosses to the student's process as plain ``GraphNode``s (data, parents, numbers), without
    these methods: the rules of each operation, a3.value's answer, stay here. Deep copies are the node itself."""

    def __add__(self, other):
        other = other if isinstance(other, RefValue) else RefValue(other)
        return RefValue(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = other if isinstance(other, RefValue) else RefValue(other)
        return RefValue(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, k):
        return RefValue(self.data ** k, (self,), (k * self.data ** (k - 1),), "**")

    def exp(self):
        out = math.exp(self.data)
        return RefValue(out, (self,), (out,), "exp")

    def tanh(self):
        out = math.tanh(self.data)
        return RefValue(out, (self,), (1.0 - out ** 2,), "tanh")

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __truediv__(self, other):
        other = other if isinstance(other, RefValue) else RefValue(other)
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def sigmoid(self):
        return 1.0 / (1.0 + (-self).exp())

    def backward(self):
        ref_backward_pass(self)


def ref_topological_order(root):
    """Reference: iterative depth-first post-order (no recursion limit), parents before children."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node.parents) if p not in seen)
    return order


def ref_backward_pass(root):
    """Reference: reset every grad, seed the root with 1, call _backward in reverse topological order."""
    order = ref_topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


# Expressions used by the checks: functions of node-like objects, written with the notebook's operations.
EXPRESSIONS = [
    ("a * b + c", lambda a, b, c: a * b + c),
    ("(a * b + c).tanh()", lambda a, b, c: (a * b + c).tanh()),
    ("(a - b) / c", lambda a, b, c: (a - b) / c),
    ("(a ** 2 + b * c).exp() * a", lambda a, b, c: (a ** 2 + b * c).exp() * a),
    ("(a * b).tanh() ** 3 + c.exp()", lambda a, b, c: (a * b).tanh() ** 3 + c.exp()),
    ("(a + b + c).sigmoid() * b", lambda a, b, c: (a + b + c).sigmoid() * b),
]
SHARED = [
    ("a * a", lambda a, b, c: a * a),
    ("a + a", lambda a, b, c: a + a),
    ("a * b + a", lambda a, b, c: a * b + a),
    ("(a * b).tanh() * a + b", lambda a, b, c: (a * b).tanh() * a + b),
    ("d * d + d, d = a * b + c", lambda a, b, c: (lambda d: d * d + d)(a * b + c)),
    ("(a * a * a).exp() * (a + c)", lambda a, b, c: (a * a * a).exp() * (a + c)),
]


def _numeric_grads(expr, xs, h=1e-6):
    """Central differences of the reference forward value of expr with respect to each input."""
    grads = []
    for i in range(len(xs)):
        plus, minus = list(xs), list(xs)
        plus[i] += h
        minus[i] -= h
        grads.append((expr(*map(RefValue, plus)).data - expr(*map(RefValue, minus)).data) / (2 * h))
    return np.array(grads)


def _random_recipe(rng, n_leaves, n_ops):
    """A random graph as a recipe of operations on earlier nodes (so nodes get shared), replayable with any
    node class; regenerated until its reference values stay moderate."""
    while True:
        recipe = []
        for step in range(n_ops):
            size = n_leaves + step
            op = str(rng.choice(["add", "mul", "tanh", "square", "exp_tanh"]))
            recipe.append((op, int(rng.integers(size)), int(rng.integers(size))))
        leaves = rng.uniform(-1.2, 1.2, size=n_leaves)
        nodes = _replay(recipe, RefValue, leaves)
        if max(abs(n.data) for n in nodes) < 20:
            return recipe, leaves


def _replay(recipe, cls, leaf_values):
    nodes = [cls(v) for v in leaf_values]
    for op, i, j in recipe:
        u, v = nodes[i], nodes[j]
        nodes.append({"add": lambda u=u, v=v: u + v, "mul": lambda u=u, v=v: u * v, "tanh": lambda u=u: u.tanh(),
                      "square": lambda u=u: u ** 2, "exp_tanh": lambda u=u: u.tanh().exp()}[op]())
    return nodes


# ====================================================================================== Q1 the Value class

value = Question("a3.value", "Value", references=[RefValue],
                 topic="computational graphs, local derivatives (notes 002, 001)")
VALUE_HINT = ("Take the operation of the failing expression and work out on paper, at these numbers, the local "
              "derivative of its output with respect to each input; then follow what its _backward does with it and "
              "with out.grad, for every input, including an input that appears twice.")


def _with_class(student, scenario):
    """Run ``scenario(cls)`` with the student's class, every method it drives guarded (``student.scenario``). A
    stub's NotImplementedError becomes a message naming the method."""
    try:
        return student.scenario(scenario)
    except NotImplementedYet as missing:
        raise CheckFailed(f"`Value.{missing.where}` is not implemented yet: its stub still raises NotImplementedError.",
                          hint="Replace the stub by the output node and its _backward closure.") from None


def _walk(root):
    """The reference backward pass, kept separate so that it is never poisoned while the student's class runs."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(list(node.parents)) if p not in seen)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


def _variant_walk(root, overwrite=(), order=None):
    """A classic wrong backward pass over a RefValue graph, for the catalogue of mistakes: the nodes whose op is in
    ``overwrite`` assign (=) their contribution to each input's grad instead of adding it (+=)."""
    order = order if order is not None else ref_topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for parent, derivative in zip(node.parents, node.local):
            if node.op in overwrite:
                parent.grad = derivative * node.grad
            else:
                parent.grad += derivative * node.grad


def _overwritten_grads(expr, xs, ops):
    inputs = [RefValue(x) for x in xs]
    _variant_walk(expr(*inputs), overwrite=ops)
    return [node.grad for node in inputs]


OVERWRITE = ("a node used more than once keeps only the gradient of the last path that reached it: a _backward "
             "assigns (=) its contribution to an input's grad where it must add (+=) to what the other paths already "
             "put there. Revisit the multi-path chain rule: every path adds.")


def _value_mistakes(expr, xs):
    """The catalogue of Value's classic mistakes on one expression: an operation whose _backward overwrites."""
    return [Mistake(OVERWRITE, lambda ops=ops: _overwritten_grads(expr, xs, ops))
            for ops in (("+", "*", "**", "exp", "tanh"), ("*",), ("+",))]


def _evaluate(cls, expr, xs):
    """Build expr with the class, walk it with the reference backward pass; (forward value, input grads)."""
    inputs = [cls(x) for x in xs]
    out = expr(*inputs)
    _walk(out)
    return out.data, [node.grad for node in inputs]


def _expect_expression(student, name, expr, xs, show):
    got = _with_class(student, lambda cls: _evaluate(cls, expr, xs))
    what = f"e = {name}" + (f" at a, b, c = {', '.join(f'{x:.3g}' for x in xs)}" if show else "")
    expect_close(got[0], expr(*map(RefValue, xs)).data, f"the forward value of {what}", tol=1e-9,
                 hint="Revisit the forward value of the operation that fails: out's data comes from its inputs' data alone.",
                 show=show)
    expect_close(got[1], _numeric_grads(expr, xs), f"the gradient vector (de/da, de/db, de/dc) of {what}", tol=1e-6,
                 hint=VALUE_HINT, show=show, mistakes=_value_mistakes(expr, xs))


@value.check(points=1, public=True)
def add_and_multiply(student, rng):
    """e = a * b + c: forward value and gradients (b, a, 1)"""
    _expect_expression(student, "a * b + c", EXPRESSIONS[0][1], [1.5, -2.0, 0.5], show=True)


@value.check(points=1, public=True)
def power_exp_tanh(student, rng):
    """the local derivatives of a ** 3, a ** -1, exp(a) and tanh(a)"""
    for name, expr in [("a ** 3", lambda a, b, c: a ** 3), ("a ** -1", lambda a, b, c: a ** -1),
                       ("a.exp()", lambda a, b, c: a.exp()), ("a.tanh()", lambda a, b, c: a.tanh())]:
        _expect_expression(student, name, expr, [0.7, 0.0, 0.0], show=True)


@value.check(points=1, public=True)
def node_used_twice(student, rng):
    """a node used twice gets the sum of both paths: a * a, a + a, a * b + a"""
    for name, expr in SHARED[:3]:
        _expect_expression(student, name, expr, [1.5, -2.0, 0.5], show=True)


@value.check(points=2)
def random_expressions(student, rng):
    """forward values and gradients of longer expressions at random inputs match numerical derivatives"""
    for name, expr in EXPRESSIONS:
        _expect_expression(student, name, expr, list(rng.uniform(0.3, 1.2, size=3) * rng.choice([-1, 1], 3)),
                           show=False)


@value.check(points=1)
def shared_subexpressions(student, rng):
    """gradients add up over every path through shared nodes and shared subexpressions, at random inputs"""
    for name, expr in SHARED[3:]:
        _expect_expression(student, name, expr, list(rng.uniform(-0.9, 0.9, size=3)), show=False)


# ============================================================================== Q2 the topological order

topo = Question("a3.topo", "topological_order", references=[ref_topological_order, ref_backward_pass],
                topic="the order of the backward pass (002)")
TOPO_HINT = ("Draw the failing graph and walk your function on it by hand: when is a node added to the list, and "
             "what happens when the walk reaches a node a second time along another path?")


def _expect_order(student, root, what):
    order = student(root)
    try:
        order = list(order)
    except TypeError:
        raise CheckFailed(f"topological_order({what}) returned {type(order).__name__}, not a list of nodes.",
                          hint="Return the list of nodes (did you forget the `return`?).") from None
    ancestors = ref_topological_order(root)
    ids = [id(n) for n in order]
    if len(set(ids)) != len(ids):
        raise CheckFailed(f"topological_order({what}) lists some node more than once ({len(ids)} entries for "
                          f"{len(set(ids))} distinct nodes).", hint=TOPO_HINT,
                          diagnosis="a node reached along two paths is listed twice: the walk does not remember which "
                                    "nodes it has already visited.")
    if set(ids) != {id(n) for n in ancestors}:
        missing = len({id(n) for n in ancestors} - set(ids))
        extra = len(set(ids) - {id(n) for n in ancestors})
        raise CheckFailed(f"topological_order({what}) should list the {len(ancestors)} nodes the root depends on; "
                          f"{missing} are missing and {extra} do not belong to the graph.", hint=TOPO_HINT)
    position = {id(n): i for i, n in enumerate(order)}
    late = [n for n in order if any(position[id(p)] > position[id(n)] for p in n.parents)]
    if late:
        raise CheckFailed(f"topological_order({what}): {len(late)} node(s) come before one of their parents.",
                          hint=TOPO_HINT,
                          diagnosis="a node is appended before its parents are visited (pre-order): in a "
                                    "depth-first walk a node goes into the list only after everything it depends on.")
    if order[-1] is not root:
        raise CheckFailed(f"topological_order({what}) must end with the root.", hint=TOPO_HINT,
                          diagnosis="the root is not last: the list is in the reverse order (children before parents) "
                                    "or the root is added separately.")


@topo.check(points=1, public=True)
def small_graphs(student, rng):
    """a chain and e = a * b + a: every node once, parents first, the root last"""
    a = RefValue(0.5)
    _expect_order(student, ((a * 2.0).tanh() + 1.0).exp(), "a chain of four operations")
    a, b = RefValue(1.5), RefValue(-2.0)
    _expect_order(student, a * b + a, "e = a * b + a")


@topo.check(points=2)
def random_graphs(student, rng):
    """random graphs with many shared nodes: exactly the root's ancestors, each once, parents first"""
    for _ in range(4):
        recipe, leaves = _random_recipe(rng, int(rng.integers(2, 5)), int(rng.integers(6, 30)))
        _expect_order(student, _replay(recipe, RefValue, leaves)[-1], "a random graph")


# ================================================================================= Q3 the backward pass

backward = Question("a3.backward", "backward_pass", references=[ref_backward_pass],
                    uses={"topological_order": ref_topological_order},
                    topic="general back-propagation, summing paths (002, 000)")
BACKWARD_HINT = ("Revisit the order of the backward pass (section 2): when may a node push its gradient to its "
                 "parents, and what must every grad hold before the pass starts?")


def _naive_recursion(root):
    """The classic wrong walk: each node pushes its gradient and recurses into its parents at once, no reset. Refuses
    (ValueError: the catalogue entry then does not apply) a graph with too many paths to walk them all."""
    paths = {id(root): 1}
    for node in reversed(ref_topological_order(root)):
        for parent in node.parents:
            paths[id(parent)] = paths.get(id(parent), 0) + paths.get(id(node), 0)
    if sum(paths.values()) > 200_000:
        raise ValueError("too many paths")

    def visit(node):
        node._backward()
        for parent in node.parents:
            visit(parent)

    root.grad = 1.0
    visit(root)


def _no_reset(root):
    """The reverse topological order, without resetting the grads first."""
    root.grad = 1.0
    for node in reversed(ref_topological_order(root)):
        node._backward()


def _forward_order(root):
    """The grads reset, but _backward called in the topological order itself (parents first), not reversed."""
    order = ref_topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in order:
        node._backward()


RECURSION = ("a node pushes its gradient before it is complete: the pass recurses from each node into its parents at "
             "once, so a node shared by several consumers pushes a partial gradient (and pushes again for every "
             "path). Revisit why the backward pass walks a topological order in reverse.")
NO_RESET = ("the grads are not reset to 0 before the pass: the closures add to whatever a previous call (or stale "
            "values) left in each node.")
FORWARD_ORDER = ("the nodes are visited parents first: a node pushes its gradient before its consumers have given it "
                 "theirs. The backward pass walks the topological order from the root down.")


def _variant_backward_grads(walk, build, stale=None, twice=False):
    """The leaf gradients a wrong backward pass ``walk`` gives on a fresh copy of a check's graph: ``build()`` returns
    (root, leaves); ``stale``: grads put on the nodes (in the reference order) before the call."""
    root, leaves = build()
    if stale is not None:
        for node, value in zip(ref_topological_order(root), stale):
            node.grad = value
    walk(root)
    if twice:
        walk(root)
    return [n.grad for n in leaves]


def _backward_mistakes(build, stale=None, twice=False):
    return [Mistake(sentence, lambda walk=walk: _variant_backward_grads(walk, build, stale, twice))
            for walk, sentence in ((_naive_recursion, RECURSION), (_forward_order, FORWARD_ORDER),
                                   (_no_reset, NO_RESET))]


def _expression_graph(expr, xs):
    def build():
        inputs = [RefValue(x) for x in xs]
        return expr(*inputs), inputs
    return build


def _expect_backward(student, expr, xs, what, show=False, twice=False):
    inputs = [RefValue(x) for x in xs]
    root = expr(*inputs)
    student(root)
    if twice:
        student(root)
    expected = _numeric_grads(expr, xs)
    expect_close([n.grad for n in inputs], expected, f"the vector of input gradients after {what}", tol=1e-6,
                 hint=BACKWARD_HINT, show=show, mistakes=_backward_mistakes(_expression_graph(expr, xs), twice=twice))
    if root.grad != 1.0:
        raise CheckFailed(f"after {what} the root's grad is {root.grad:g}; it should be de/de = 1.",
                          hint=BACKWARD_HINT)


@backward.check(points=1, public=True)
def chain(student, rng):
    """e = tanh(a * b + c): the chain rule along one path"""
    _expect_backward(student, EXPRESSIONS[1][1], [0.5, -1.5, 0.3], "backward_pass(e), e = tanh(a * b + c)",
                     show=True)


@backward.check(points=1, public=True)
def paths_that_meet(student, rng):
    """e = d * d + d with d = a * b + c: a shared node must wait for all its consumers"""
    _expect_backward(student, SHARED[4][1], [0.5, -1.5, 0.3], "backward_pass(e), e = d * d + d with d = a * b + c",
                     show=True)


@backward.check(points=1)
def calling_twice(student, rng):
    """calling backward_pass twice, or on a graph holding stale gradients, gives the same gradients"""
    xs = list(rng.uniform(-1, 1, size=3))
    _expect_backward(student, SHARED[3][1], xs, "calling backward_pass twice", twice=True)
    inputs = [RefValue(x) for x in xs]
    root = SHARED[4][1](*inputs)
    stale = []
    for node in ref_topological_order(root):
        node.grad = float(rng.normal())  # left over from an earlier pass
        stale.append(node.grad)
    student(root)
    expect_close([n.grad for n in inputs], _numeric_grads(SHARED[4][1], xs),
                 "the vector of input gradients of a graph whose nodes held stale gradients", tol=1e-6,
                 hint="The closures add to whatever a node's grad already holds: what should it hold when the pass "
                      "starts?", mistakes=_backward_mistakes(_expression_graph(SHARED[4][1], xs), stale=stale))


@backward.check(points=1)
def random_graphs_backward(student, rng):
    """random graphs with many shared nodes: every leaf's gradient matches the reference"""
    for _ in range(4):
        recipe, leaves = _random_recipe(rng, int(rng.integers(2, 5)), int(rng.integers(6, 30)))
        nodes = _replay(recipe, RefValue, leaves)
        student(nodes[-1])
        got = [n.grad for n in nodes[:len(leaves)]]
        check = _replay(recipe, RefValue, leaves)
        ref_backward_pass(check[-1])

        def build(recipe=recipe, leaves=leaves):
            nodes = _replay(recipe, RefValue, leaves)
            return nodes[-1], nodes[:len(leaves)]
        expect_close(got, [n.grad for n in check[:len(leaves)]], "the vector of leaf gradients of a random graph", tol=1e-9,
                     hint=BACKWARD_HINT, mistakes=_backward_mistakes(build))


# ========================================================================= reference: the logistic unit

def ref_unit_forward(w, b, x, y):
    """z, a and the negative log-likelihood written from z (softplus(z) - y z): finite however saturated the unit
    is, where -(y log a + (1 - y) log(1 - a)) takes log(0) once a rounds to 0 or 1 (|z| beyond about 37)."""
    z = float(w @ x + b)
    a = float(act.sigmoid(z))
    return z, a, float(np.logaddexp(0.0, z) - y * z)


def ref_unit_backward(w, b, x, y):
    """delta = dL/dz taken as one factor, never as dL/da * a (1 - a): that product divides by a (1 - a), which is 0
    when the unit saturates (inf * 0 = nan)."""
    _, a, _ = ref_unit_forward(w, b, x, y)
    return (a - y) * x, a - y


def _ref_unit_loss(w, b, x, y):
    z = w @ x + b
    return float(np.logaddexp(0.0, z) - y * z)  # -log-likelihood written stably: softplus(z) - y z


def _random_unit(rng, d=None):
    d = d or int(rng.integers(1, 6))
    return rng.normal(size=d), float(rng.normal()), rng.normal(size=d), int(rng.integers(0, 2))


# =========================================================================== Q4 the unit's forward pass

unit_forward = Question("a3.unit_forward", "unit_forward", references=[ref_unit_forward],
                        topic="one linear-logistic unit, forward pass and loss (004)")
FORWARD_HINT = ("Follow the unit's three steps of section 3 in order (the linear part, the activation, the loss of the "
                "label) and check the first quantity that differs; the loss is written from z (assignment 2's "
                "softplus form), so that it stays finite when a rounds to 0 or 1.")
UNSTABLE = ("the unstable form where the stable one was asked: on a saturated unit a rounds to exactly 0 or 1, so a "
            "loss taken through log(a) and log(1 - a), or a δ taken as ∂L/∂a times ∂a/∂z (which divides by a and "
            "1 - a), gives inf or nan. Write each from z, as the derivation simplifies it, so nothing is divided by 0.")


def _loss_through_a(w, b, x, y):
    z = float(w @ x + b)
    a = float(act.sigmoid(z))
    with np.errstate(all="ignore"):
        return float(-(y * np.log(a) + (1 - y) * np.log(1 - a)))


def _expect_forward(student, w, b, x, y, what, show=False, saturated=False):
    result = student(w, b, x, y)
    if not (isinstance(result, tuple) and len(result) == 3):
        raise CheckFailed(f"{what} must return a triple (z, a, loss); got {type(result).__name__}.")
    expected = ref_unit_forward(w, b, x, y)
    if saturated:
        loss = np.asarray(result[2], dtype=float) if isinstance(result[2], (int, float, np.number, np.ndarray)) else None
        if loss is not None and not np.isfinite(loss).all():
            raise CheckFailed(f"{what}: the loss is {float(np.ravel(loss)[0])} on a saturated unit (|z| = 40); it "
                              f"should be a finite number.", hint=FORWARD_HINT, diagnosis=UNSTABLE)
    for name, got, ref in zip(["z", "a", "loss"], result, expected):
        mistakes = [Mistake("the loss has the wrong sign: the negative log-likelihood is minus the log of the "
                            "probability the unit gives the label, a positive number.",
                            lambda: -expected[2])] if name == "loss" else []
        expect_close(got, ref, f"{what}: {name}", tol=1e-9, hint=FORWARD_HINT, show=show, mistakes=mistakes)


@unit_forward.check(points=1, public=True)
def small_example(student, rng):
    """z, a and the loss on a small example, for y = 1 and y = 0"""
    w, x = np.array([0.5, -1.0]), np.array([2.0, 0.5])
    _expect_forward(student, w, 0.25, x, 1, "unit_forward(w, b=0.25, x, y=1)", show=True)
    _expect_forward(student, w, 0.25, x, 0, "unit_forward(w, b=0.25, x, y=0)", show=True)


@unit_forward.check(points=1)
def random_units(student, rng):
    """random weights, inputs and labels of other sizes, and a saturated unit (|z| = 40): the loss stays finite"""
    for _ in range(5):
        _expect_forward(student, *_random_unit(rng), "unit_forward")
    for z, y in ((40.0, 0), (-40.0, 1)):
        _expect_forward(student, np.array([z]), 0.0, np.array([1.0]), y, "unit_forward on a saturated unit",
                        saturated=True)


# ========================================================================== Q5 the unit's backward pass

# ======================================================================== derive: the three chain-rule factors

# The forms this derivation yields, as no release text may show them: the loss factor, the product delta = a - y
# (also as a code line), and the weight gradient as a product with x.
DELTA_FORMS = [r"(?<![\w])\(?a-y\)?(\*|x|\\,|$|[^\w^_(])", r"(?<![\w])y/a(?![\w])", r"\\frac\{y\}\{a\}",
               r"\(1-y\)/\(1-a\)", r"\\frac\{1-y\}\{1-a\}", r"delta=a-y"]
unit_chain = Derivation("a3.unit_chain", answers=["dL_da", "da_dz", "dz_dw", "dL_dz"],
                        topic="the three chain-rule factors of one logistic unit, and their product (004, 000)",
                        withheld=DELTA_FORMS)
LOSS_SIGN = ("the minus sign of the loss is lost: L is minus the log-likelihood, and that minus carries into every "
             "derivative of L. Revisit the loss factor, the first of the three.")
DL_DA_HINT = ("Differentiate the loss with respect to a, holding y fixed: each logarithm gives one over its argument, "
              "times the derivative of that argument (mind the minus sign inside log(1 - a)).")
DA_DZ_HINT = "This is the sigmoid's derivative (assignment 2), written with a = σ(z) instead of z."
DZ_DW_HINT = "z is linear in w_i: which number multiplies w_i in w . x + b?"
DL_DZ_HINT = ("Multiply your first two factors and simplify: put the loss factor over one common denominator and "
              "look at what cancels.")


@unit_chain.check(points=1, public=True)
def loss_factor(answers, rng):
    "∂L/∂a in a and y"
    derive.expect_expression(answers, "dL_da", "-(y / a - (1 - y) / (1 - a))", {"a": (0.05, 0.95), "y": (0.0, 1.0)},
                             hint=DL_DA_HINT, rng=rng, mistakes=[
                                 Mistake(LOSS_SIGN, "y / a - (1 - y) / (1 - a)"),
                                 Mistake("the inner derivative of log(1 - a) is missing: the chain rule inside that "
                                         "logarithm brings a factor -1.", "-(y / a + (1 - y) / (1 - a))"),
                                 Mistake("the derivative of a logarithm is one over its argument; yours multiplies "
                                         "by it instead.", "-(y * a - (1 - y) * (1 - a))")])


@unit_chain.check(points=1, public=True)
def activation_factor(answers, rng):
    "∂a/∂z in a"
    derive.expect_expression(answers, "da_dz", "a - a**2", {"a": (0.02, 0.98)}, hint=DA_DZ_HINT, rng=rng, mistakes=[
        Mistake("the sigmoid's derivative is not the sigmoid itself: differentiate 1 / (1 + exp(-z)) and write the "
                "result with a.", "a")])


@unit_chain.check(points=1, public=True)
def linear_factor(answers, rng):
    "∂z/∂w_i in x (x standing for x_i)"
    derive.expect_expression(answers, "dz_dw", "x", {"x": (-3.0, 3.0)}, hint=DZ_DW_HINT, rng=rng)


@unit_chain.check(points=2, public=True)
def error_at_z(answers, rng):
    "δ = ∂L/∂z, the product of the first two factors, simplified, in a and y"
    derive.expect_expression(answers, "dL_dz", "a - y", {"a": (0.02, 0.98), "y": (0.0, 1.0)}, hint=DL_DZ_HINT,
                             rng=rng, mistakes=[
                                 Mistake(LOSS_SIGN, "y - a"),
                                 Mistake("the sigmoid's derivative is counted twice: ∂L/∂z is the product of the first "
                                         "two factors, and once simplified nothing of the sigmoid's derivative is left "
                                         "over to multiply by again.", "(a - y) * a * (1 - a)")])


unit_backward = Question("a3.unit_backward", "unit_backward", references=[ref_unit_backward, *NUMERIC],
                         uses={"unit_forward": ref_unit_forward},
                         topic="the generalized delta rule in code, safe when the unit saturates (004, 000)",
                         withheld=DELTA_FORMS)
UNIT_HINT = ("Revisit your derived factors: δ = ∂L/∂z is your `dL_dz`, computed as one factor (not ∂L/∂a times ∂a/∂z, "
             "which divides by zero when the unit saturates); then each weight's gradient takes the linear part's "
             "factor.")


def _unit_delta_variants(w, b, x, y):
    """(sentence, δ) of the classic slips in the unit's δ, on these inputs."""
    _, a, _ = ref_unit_forward(w, b, x, y)
    with np.errstate(all="ignore"):
        dL_da = -(y / a - (1 - y) / (1 - a))
        return [(SIGMOID_AS_ITSELF, dL_da * a), (LOSS_SIGN, y - a),
                ("the sigmoid's derivative is counted twice: once simplified, ∂L/∂z already contains it.",
                 (a - y) * a * (1 - a))]


SIGMOID_AS_ITSELF = ("the sigmoid's derivative is taken as σ(z) itself: the activation factor ∂a/∂z is the sigmoid's "
                     "derivative (assignment 2), written with a. Revisit the second chain-rule factor.")


def _expect_unit_grads(student, w, b, x, y, what, show=False):
    result = student(w, b, x, y)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailed(f"{what} must return a pair (dw, db); got {type(result).__name__}.")
    dw = gradcheck.numerical_gradient(lambda v: _ref_unit_loss(v, b, x, y), w.copy())
    db = gradcheck.numerical_gradient(lambda v: _ref_unit_loss(w, float(v[0]), x, y), np.array([b]))
    variants = _unit_delta_variants(w, b, x, y)
    expect_close(result[0], dw, f"{what}: dw", tol=1e-6, hint=UNIT_HINT, show=show,
                 mistakes=[Mistake(sentence, delta * x) for sentence, delta in variants])
    expect_close(np.reshape(np.asarray(result[1], dtype=float), -1), db, f"{what}: db", tol=1e-6,
                 hint="The bias is the weight of a constant input 1: which input does its gradient multiply δ by?",
                 show=show, mistakes=[Mistake(sentence, [delta]) for sentence, delta in variants])


@unit_backward.check(points=1, public=True)
def numerical_gradient_small(student, rng):
    """dw and db agree with central differences of the loss on a small example"""
    _expect_unit_grads(student, np.array([0.5, -1.0]), 0.25, np.array([2.0, 0.5]), 1,
                       "unit_backward(w, b=0.25, x, y=1)", show=True)


@unit_backward.check(points=2)
def numerical_gradient_random(student, rng):
    """dw and db agree with central differences at random weights, inputs and labels, and stay finite on a
    saturated unit (|z| = 40)"""
    for _ in range(5):
        _expect_unit_grads(student, *_random_unit(rng), "unit_backward")
    for z, y in ((40.0, 0), (-40.0, 1), (-40.0, 0)):
        w, x = np.array([z / 2, 1.0]), np.array([2.0, 0.0])
        try:
            result = student(w, 0.0, x, y)
        except StudentError as error:
            if not isinstance(error.exc, (ZeroDivisionError, FloatingPointError, OverflowError)):
                raise
            raise CheckFailed(f"unit_backward raised {error} on a saturated unit (|z| = 40).", hint=UNIT_HINT,
                              diagnosis=UNSTABLE) from None
        if not (isinstance(result, tuple) and len(result) == 2):
            raise CheckFailed("unit_backward must return a pair (dw, db).")
        if not np.isfinite(np.asarray(result[0], dtype=float)).all():
            raise CheckFailed("unit_backward on a saturated unit (|z| = 40): dw contains NaN or infinity.",
                              hint=UNIT_HINT, diagnosis=UNSTABLE)
        expect_close(result[0], ref_unit_backward(w, 0.0, x, y)[0], "unit_backward on a saturated unit: dw", tol=1e-6,
                     hint=UNIT_HINT)


# ========================================================================== Q6 two neurons in series

def ref_two_neurons_backward(p, x, y):
    a1 = float(act.sigmoid(p["w1"] * x + p["b1"]))
    a2 = float(act.sigmoid(p["w2"] * a1 + p["b2"]))
    d2 = a2 - y
    d1 = d2 * p["w2"] * a1 * (1 - a1)
    return {"w1": d1 * x, "b1": d1, "w2": d2 * a1, "b2": d2}


def _two_neurons_variant(p, x, y, slip):
    """The classic slips of two neurons in series: ``"weight"`` leaves layer 2 through its weight's gradient (a1)
    instead of its input's (w2); ``"own"`` forgets the first unit's sigmoid derivative."""
    a1 = float(act.sigmoid(p["w1"] * x + p["b1"]))
    a2 = float(act.sigmoid(p["w2"] * a1 + p["b2"]))
    d2 = a2 - y
    d1 = d2 * (a1 if slip == "weight" else p["w2"]) * (a1 * (1 - a1) if slip != "own" else 1.0)
    return {"w1": d1 * x, "b1": d1, "w2": d2 * a1, "b2": d2}


TWO_NEURON_SLIPS = {"weight": "the step from layer 2 back to the first unit goes through layer 2's input a1, whose "
                              "partial derivative is the weight w2, not through the weight (whose partial derivative "
                              "is a1).",
                    "own": "the first unit's own sigmoid derivative is missing: between ∂L/∂a1 and ∂L/∂z1 there is "
                           "one more factor."}


def _ref_two_neurons_loss(v, x, y):
    w1, b1, w2, b2 = v
    z2 = w2 * act.sigmoid(w1 * x + b1) + b2
    return float(np.logaddexp(0.0, z2) - y * z2)


KEYS2 = ["w1", "b1", "w2", "b2"]
two_neurons = Question("a3.two_neurons", "two_neurons_backward", references=[ref_two_neurons_backward, *NUMERIC],
                       topic="two neurons in series (004)")
TWO_NEURONS_HINT = ("Layer 2 is the logistic unit of section 3. Leave it through its input a1, not through its weight, "
                    "then go through the first unit's activation and linear part.")


def _expect_two_neurons(student, p, x, y, what, show=False):
    result = student(p, x, y)
    if not isinstance(result, dict) or set(result) != set(KEYS2):
        raise CheckFailed(f"{what} must return a dict with the keys {KEYS2}.")
    numeric = gradcheck.numerical_gradient(lambda v: _ref_two_neurons_loss(v, x, y), np.array([p[k] for k in KEYS2]))
    for k, ref in zip(KEYS2, numeric):
        hint = TWO_NEURONS_HINT if k in ("w1", "b1") else ("The second unit is section 3's unit with a1 as its input: "
                                                            "its δ times the input its weight multiplies.")
        expect_close(np.reshape(np.asarray(result[k], dtype=float), -1), [ref], f"{what}: dL/d{k}", tol=1e-6,
                     hint=hint, show=show,
                     mistakes=[Mistake(sentence, lambda slip=slip, k=k: [_two_neurons_variant(p, x, y, slip)[k]])
                               for slip, sentence in TWO_NEURON_SLIPS.items()])


@two_neurons.check(points=1, public=True)
def two_neurons_example(student, rng):
    """the four gradients agree with central differences on one example"""
    _expect_two_neurons(student, {"w1": 1.5, "b1": -0.5, "w2": -2.0, "b2": 0.3}, 0.8, 1,
                        "two_neurons_backward(p, x=0.8, y=1)", show=True)


@two_neurons.check(points=2)
def two_neurons_random(student, rng):
    """the four gradients agree with central differences at random parameters, inputs and labels"""
    for _ in range(5):
        p = {k: float(v) for k, v in zip(KEYS2, rng.normal(scale=1.5, size=4))}
        _expect_two_neurons(student, p, float(rng.normal()), int(rng.integers(0, 2)), "two_neurons_backward")


# ========================================================================= Q7 the two-layer network (001)

def ref_two_layer_gradients(p, x, y):
    a_h = act.sigmoid(x @ p["W_h"] + p["b_h"])
    a_out = act.sigmoid(a_h @ p["W_out"] + p["b_out"])
    delta_out = 2.0 / len(y) * (a_out - y) * a_out * (1 - a_out)
    delta_h = (p["W_out"] @ delta_out) * a_h * (1 - a_h)
    return {"W_h": np.outer(x, delta_h), "b_h": delta_h, "W_out": np.outer(a_h, delta_out), "b_out": delta_out}


def _two_layer_variant(p, x, y, slip):
    """The classic slips of the two-layer network: ``"one path"`` keeps only the path through output ``0``;
    ``"no mean"`` forgets the 1/t of the mean squared error."""
    a_h = act.sigmoid(x @ p["W_h"] + p["b_h"])
    a_out = act.sigmoid(a_h @ p["W_out"] + p["b_out"])
    delta_out = (1.0 if slip == "no mean" else 2.0 / len(y)) * (a_out - y) * a_out * (1 - a_out)
    dL_da_h = p["W_out"][:, 0] * delta_out[0] if slip == "one path" else p["W_out"] @ delta_out
    delta_h = dL_da_h * a_h * (1 - a_h)
    return {"W_h": np.outer(x, delta_h), "b_h": delta_h, "W_out": np.outer(a_h, delta_out), "b_out": delta_out}


TWO_LAYER_SLIPS = {
    "one path": "a hidden unit's gradient keeps only the path through one output unit: it feeds every output, so its "
                "∂L/∂a_h adds one product per output (your derived `dL_dah`, with t terms).",
    "no mean": "the loss factor misses the mean's 1/t (or its 2): L is the mean over the t outputs of the squared "
               "error, and both constants stay in its derivative.",
}


def _ref_two_layer_loss(p, x, y):
    a_out = act.sigmoid(act.sigmoid(x @ p["W_h"] + p["b_h"]) @ p["W_out"] + p["b_out"])
    return float(np.mean((y - a_out) ** 2))


# ================================================================== derive: the delta of one hidden unit

# The recursion's forms (the sum over the outgoing paths, as formula and as code line) and Q7's code lines.
RECURSION_FORMS = [r"w_?1\*?d_?1\+w_?2\*?d_?2", r"w1\*d1\+w2\*d2", r"W_out@delta_out", r"np\.outer\(x,delta_h\)",
                   r"\\sum_\{?j\}?[^$]{0,12}w[^$]{0,30}\\delta", r"W\^\{\(k\+1\)\}\\?,?\\delta\^\{\(k\+1\)\}",
                   r"Ws\[k\+1\]@", r"@delta_next", r"outer\(a"]
hidden_delta = Derivation("a3.hidden_delta", answers=["dL_dah", "delta_h"],
                          topic="the δ recursion for one hidden unit feeding two outputs: every path counts (001, 000)",
                          withheld=RECURSION_FORMS)
ONE_PATH = ("only one path is kept: a_h feeds both output units, so it reaches the loss along two paths, and the "
            "multi-path chain rule adds one product per path.")
NO_OWN_SIGMOID = ("the hidden unit's own sigmoid derivative is missing: from ∂L/∂a_h, one more step back goes through "
                  "a_h = σ(z_h), whose derivative is written with a.")
DL_DAH_HINT = ("a_h reaches the loss through z_1 and through z_2: one chain-rule product per path, and the paths add "
               "(the multi-path chain rule of section 1). What is ∂z_j/∂a_h?")
DELTA_H_HINT = "From ∂L/∂a_h go one step further back, through the hidden unit's own sigmoid, written with a."


@hidden_delta.check(points=1, public=True)
def gradient_at_the_hidden_output(answers, rng):
    "∂L/∂a_h in w1, w2, d1, d2"
    domains = {n: (-2.0, 2.0) for n in ("w1", "w2", "d1", "d2")}
    derive.expect_expression(answers, "dL_dah", "w1 * d1 + w2 * d2", domains, hint=DL_DAH_HINT, rng=rng,
                             mistakes=[Mistake(ONE_PATH, "w1 * d1"), Mistake(ONE_PATH, "w2 * d2")])


@hidden_delta.check(points=2, public=True)
def delta_of_the_hidden_unit(answers, rng):
    "δ_h = ∂L/∂z_h in a, w1, w2, d1, d2"
    domains = {**{n: (-2.0, 2.0) for n in ("w1", "w2", "d1", "d2")}, "a": (0.05, 0.95)}
    derive.expect_expression(answers, "delta_h", "(a - a**2) * (w1 * d1 + w2 * d2)", domains, hint=DELTA_H_HINT,
                             rng=rng, mistakes=[Mistake(ONE_PATH, "(a - a**2) * w1 * d1"),
                                                Mistake(ONE_PATH, "(a - a**2) * w2 * d2"),
                                                Mistake(NO_OWN_SIGMOID, "w1 * d1 + w2 * d2"),
                                                Mistake(NO_OWN_SIGMOID, "a * (w1 * d1 + w2 * d2)")])


# The 2-2-1 network worked by hand: sigmoid units, L = 1/2 (a_out - d)^2 (the numbers of the notebook).
BY_HAND = {"x": np.array([1.0, 2.0]), "W_h": np.array([[0.4, 0.3], [-0.2, 0.1]]), "b_h": np.zeros(2),
           "w_out": np.array([0.6, -0.4]), "b_out": 0.1, "d": 1.0}


def _by_hand_values(own_sigmoid=True):
    """(δ_out, δ_h1, ∂L/∂w21); ``own_sigmoid=False``: the slip that leaves out hidden unit 1's sigmoid derivative."""
    p = BY_HAND
    a_h = act.sigmoid(p["x"] @ p["W_h"] + p["b_h"])
    a_out = float(act.sigmoid(a_h @ p["w_out"] + p["b_out"]))
    delta_out = (a_out - p["d"]) * a_out * (1 - a_out)
    delta_h1 = float((a_h[0] * (1 - a_h[0]) if own_sigmoid else 1.0) * p["w_out"][0] * delta_out)
    return delta_out, delta_h1, float(p["x"][1] * delta_h1)


delta_by_hand = Derivation("a3.delta_by_hand", answers=["delta_out", "delta_h1", "dL_dw21"],
                           topic="backprop by hand on a 2-2-1 network: δ of the output, of hidden unit 1, one weight's "
                                 "gradient (001, 000)")
NO_OWN_SIGMOID_BY_HAND = ("hidden unit 1's own sigmoid derivative is missing (a factor a(1 - a) of that unit, a "
                          "round number here): from the output's δ, the step back goes through the outgoing weight "
                          "and then through the hidden unit's own sigmoid.")
BY_HAND_OUT_HINT = ("Run the forward pass first (z, then a, for each hidden unit and for the output). The output's δ "
                    "is ∂L/∂a_out times the sigmoid's derivative at the output.")
BY_HAND_H1_HINT = ("Hidden unit 1 feeds only the output: one path, through its outgoing weight, then through its own "
                   "sigmoid (its pre-activation here is a round number).")
BY_HAND_W_HINT = "The weight enters z_h1 only: δ of hidden unit 1 times the input that weight multiplies."


@delta_by_hand.check(points=1, public=True)
def output_delta_by_hand(answers, rng):
    "δ of the output unit, a number"
    delta_out = _by_hand_values()[0]
    a_out = float(act.sigmoid(act.sigmoid(BY_HAND["x"] @ BY_HAND["W_h"]) @ BY_HAND["w_out"] + BY_HAND["b_out"]))
    derive.expect_number(answers, "delta_out", delta_out, hint=BY_HAND_OUT_HINT, mistakes=[
        Mistake("the output's sigmoid derivative is missing: δ is ∂L/∂z, one step further back than ∂L/∂a_out.",
                a_out - BY_HAND["d"])])


@delta_by_hand.check(points=2, public=True)
def hidden_delta_by_hand(answers, rng):
    "δ of hidden unit 1, a number"
    derive.expect_number(answers, "delta_h1", _by_hand_values()[1], hint=BY_HAND_H1_HINT,
                         mistakes=[Mistake(NO_OWN_SIGMOID_BY_HAND, _by_hand_values(own_sigmoid=False)[1])])


@delta_by_hand.check(points=1, public=True)
def weight_gradient_by_hand(answers, rng):
    "∂L/∂w for the weight from input 2 to hidden unit 1, a number"
    derive.expect_number(answers, "dL_dw21", _by_hand_values()[2], hint=BY_HAND_W_HINT,
                         mistakes=[Mistake(NO_OWN_SIGMOID_BY_HAND, _by_hand_values(own_sigmoid=False)[2]),
                                   Mistake("this is the gradient of the weight from input 1: the weight from input 2 "
                                           "multiplies the second input.", _by_hand_values()[1] * BY_HAND["x"][0])])


KEYS_NET = ["W_h", "b_h", "W_out", "b_out"]
two_layer = Question("a3.two_layer", "two_layer_gradients",
                     references=[ref_two_layer_gradients, layers.dense_backward, layers.sigmoid_backward,
                                 layers.Sequential, *NUMERIC],
                     topic="two-layer net with squared error and sigmoid, the multi-path sum in code (001)",
                     withheld=RECURSION_FORMS)
TWO_LAYER_HINTS = {
    "W_out": "An output weight reaches the loss along one path: loss factor (the loss is a mean over the t outputs), "
             "the output sigmoid's derivative, then the input the weight multiplies.",
    "b_out": "The bias is the weight of a constant input 1.",
    "W_h": "A hidden unit feeds every output: use your derived `delta_h` for its δ, with one term per output, then the input "
           "the weight multiplies.",
    "b_h": "The bias is the weight of a constant input 1: its gradient is the hidden unit's δ, all paths included.",
}


def _random_two_layer(rng, d, m, t):
    p = {"W_h": rng.normal(size=(d, m)), "b_h": rng.normal(size=m), "W_out": rng.normal(size=(m, t)),
         "b_out": rng.normal(size=t)}
    return p, rng.normal(size=d), rng.uniform(0, 1, size=t)


def _expect_two_layer(student, p, x, y, what, show=False):
    result = student(p, x, y)
    if not isinstance(result, dict) or set(result) != set(KEYS_NET):
        raise CheckFailed(f"{what} must return a dict with the keys {KEYS_NET}.")
    for key in ["W_out", "b_out", "W_h", "b_h"]:
        numeric = gradcheck.numerical_gradient(lambda v, key=key: _ref_two_layer_loss({**p, key: v}, x, y), p[key].copy())
        expect_close(result[key], numeric, f"{what}: dL/d{key}", tol=1e-6, hint=TWO_LAYER_HINTS[key], show=show,
                     n=len(y), mistakes=[Mistake(sentence, lambda slip=slip, key=key: _two_layer_variant(p, x, y, slip)[key])
                                         for slip, sentence in TWO_LAYER_SLIPS.items()])


@two_layer.check(points=1, public=True)
def lecture_size(student, rng):
    """the lecture's size, 2 inputs, 2 hidden and 2 output units: every partial derivative vs central differences"""
    p = {"W_h": np.array([[0.15, 0.25], [0.2, 0.3]]), "b_h": np.array([0.35, 0.35]),
         "W_out": np.array([[0.4, 0.5], [0.45, 0.55]]), "b_out": np.array([0.6, 0.6])}
    _expect_two_layer(student, p, np.array([0.05, 0.1]), np.array([0.01, 0.99]), "two_layer_gradients(p, x, y)",
                      show=True)


@two_layer.check(points=1, public=True)
def three_outputs(student, rng):
    """3 inputs, 4 hidden units, 3 outputs: the hidden gradients sum over all three output paths"""
    p, x, y = _random_two_layer(np.random.default_rng(7), 3, 4, 3)
    _expect_two_layer(student, p, x, y, "two_layer_gradients for sizes (3, 4, 3)")


@two_layer.check(points=2)
def random_sizes(student, rng):
    """random sizes, parameters and targets: every partial derivative vs central differences"""
    for _ in range(3):
        p, x, y = _random_two_layer(rng, *(int(v) for v in rng.integers(1, 6, size=3)))
        _expect_two_layer(student, p, x, y, "two_layer_gradients")


# ======================================================================= reference: any depth (000, 004)

def ref_forward_pass(Ws, bs, x, f):
    zs, activations = [], [x]
    for W, b in zip(Ws, bs):
        zs.append(activations[-1] @ W + b)
        activations.append(f(zs[-1]))
    return zs, activations


def ref_deltas(Ws, zs, dL_da, f_prime):
    out = [None] * len(Ws)
    out[-1] = f_prime(zs[-1]) * dL_da
    for k in range(len(Ws) - 2, -1, -1):
        out[k] = f_prime(zs[k]) * (Ws[k + 1] @ out[k + 1])
    return out


def ref_network_gradients(Ws, bs, x, d, f, f_prime):
    zs, activations = ref_forward_pass(Ws, bs, x, f)
    ds = ref_deltas(Ws, zs, activations[-1] - d, f_prime)
    return [np.outer(a, delta) for a, delta in zip(activations[:-1], ds)], list(ds)


def _ref_network_loss(Ws, bs, x, d, f):
    return 0.5 * float(np.sum((ref_forward_pass(Ws, bs, x, f)[1][-1] - d) ** 2))


ACTIVATIONS = {"tanh": (act.tanh, act.tanh_grad), "sigmoid": (act.sigmoid, act.sigmoid_grad),
               "softplus": (act.softplus, act.softplus_grad)}


def _random_network(rng, sizes):
    Ws = [rng.normal(size=(m, n)) / np.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
    return Ws, [rng.normal(scale=0.5, size=n) for n in sizes[1:]]


def _random_sizes(rng):
    return [int(v) for v in rng.integers(1, 6, size=int(rng.integers(2, 6)))]


# ==================================================================================== Q8 the delta recursion

deltas = Question("a3.deltas", "deltas", references=[ref_deltas, ref_network_gradients, layers.dense_backward,
                                                     layers.Sequential, *NUMERIC],
                  topic="the delta recursion in scalar form, any depth (000, 004)", withheld=RECURSION_FORMS)
DELTA_HINT = ("Your derived `delta_h`, for any number of units: the output layer from dL/da, then each layer from the one "
              "above it, summing over every unit it feeds. Each step multiplies by f'(z) of its own layer.")


def _deltas_variant(Ws, zs, dL_da, f_prime, slip):
    """The classic slips of the delta recursion: ``"no f'"`` forgets f'(z) in the hidden layers; ``"no transpose"``
    sums over the wrong index of the weights (a row where a column is meant; only for square weights)."""
    out = [None] * len(Ws)
    out[-1] = f_prime(zs[-1]) * dL_da
    for k in range(len(Ws) - 2, -1, -1):
        back = Ws[k + 1].T @ out[k + 1] if slip == "no transpose" else Ws[k + 1] @ out[k + 1]
        out[k] = back if slip == "no f'" else f_prime(zs[k]) * back
    return out


DELTA_SLIPS = {
    "no f'": "the hidden layers' deltas forget the factor f'(z) of their own layer: after summing over the units a "
             "layer feeds, one more step back goes through that layer's activation.",
    "no transpose": "the sum runs over the wrong index of the weights: unit i of layer k reaches unit j of layer k+1 "
                    "through the weight in row i, column j; sum over j for a fixed i.",
}


def _expect_deltas(student, Ws, zs, dL_da, name, what, show=False):
    result = student(Ws, zs, dL_da, ACTIVATIONS[name][1])
    if not isinstance(result, (list, tuple)) or len(result) != len(Ws):
        raise CheckFailed(f"{what} must return a list of {len(Ws)} arrays, one delta per layer.",
                          hint="Return [delta^(1), ..., delta^(N)], the first layer first.")
    expected = ref_deltas(Ws, zs, dL_da, ACTIVATIONS[name][1])
    for k in range(len(Ws) - 1, -1, -1):  # report the layer nearest the output first
        expect_close(result[k], expected[k], f"{what}: delta of layer {k + 1} of {len(Ws)}", tol=1e-9,
                     hint=DELTA_HINT, show=show,
                     mistakes=[Mistake(sentence, lambda slip=slip, k=k: _deltas_variant(Ws, zs, dL_da,
                                                                                       ACTIVATIONS[name][1], slip)[k])
                               for slip, sentence in DELTA_SLIPS.items()])


def _network_case(rng, sizes):
    Ws, bs = _random_network(rng, sizes)
    zs, _ = ref_forward_pass(Ws, bs, rng.normal(size=sizes[0]), act.tanh)
    return Ws, zs, rng.normal(size=sizes[-1])


@deltas.check(points=1, public=True)
def three_layers(student, rng):
    """a 2-3-2-2 tanh network: the deltas of all three layers"""
    Ws, zs, dL_da = _network_case(np.random.default_rng(11), [2, 3, 2, 2])
    _expect_deltas(student, Ws, zs, dL_da, "tanh", "deltas(Ws, zs, dL_da, tanh_grad)", show=True)


@deltas.check(points=1, public=True)
def one_layer(student, rng):
    """a single layer: delta = f'(z) * dL/da"""
    Ws, zs, dL_da = _network_case(np.random.default_rng(12), [3, 4])
    _expect_deltas(student, Ws, zs, dL_da, "sigmoid", "deltas for a single layer with sigmoid_grad", show=True)


@deltas.check(points=2)
def random_depths(student, rng):
    """random depths, widths and activations (tanh, sigmoid, softplus)"""
    for name in ACTIVATIONS:
        Ws, zs, dL_da = _network_case(rng, _random_sizes(rng))
        _expect_deltas(student, Ws, zs, dL_da, name, f"deltas with {name}")


# ============================================================================== Q9 the vectorized backward

network = Question("a3.network", "network_gradients",
                   references=[ref_network_gradients, layers.dense_backward, layers.Sequential, *NUMERIC],
                   uses={"deltas": ref_deltas, "forward_pass": ref_forward_pass},
                   topic="the vectorized backward pass for one sample (000, 002, 004)", withheld=RECURSION_FORMS)
NETWORK_HINTS = {
    "W": "Entry (i, j) of a layer's weight gradient is the input i of that layer times δ_j: which product of two "
         "vectors gives the whole (D_(k-1), D_k) matrix at once? The sum over j of the recursion is a "
         "matrix-vector product with the layer above's weights.",
    "b": "The bias is the weight of a constant input 1.",
}


BIAS_ZERO = ("the bias gradients are left at zero (never filled in): each layer's bias has a gradient, as its "
             "weights do. Revisit the last step of your backward loop, where a layer's gradients are stored.")
NETWORK_NO_FPRIME = ("the hidden layers' deltas forget the factor f'(z) of their own layer when the recursion steps "
                     "down a layer.")


def _network_variant(Ws, bs, x, d, f, f_prime):
    """The backward pass with the hidden layers' f'(z) forgotten: (dWs, dbs)."""
    zs, activations = ref_forward_pass(Ws, bs, x, f)
    ds = _deltas_variant(Ws, zs, activations[-1] - d, f_prime, "no f'")
    return [np.outer(a, delta) for a, delta in zip(activations[:-1], ds)], list(ds)


def _expect_network(student, Ws, bs, x, d, name, what, show=False):
    f, f_prime = ACTIVATIONS[name]
    result = student(Ws, bs, x, d, f, f_prime)
    if not (isinstance(result, tuple) and len(result) == 2 and all(isinstance(r, (list, tuple)) for r in result)
            and len(result[0]) == len(Ws) and len(result[1]) == len(bs)):
        raise CheckFailed(f"{what} must return a pair (dWs, dbs) of lists with one array per layer ({len(Ws)}).")
    dWs, dbs = result
    for k in range(len(Ws) - 1, -1, -1):
        num_W = gradcheck.numerical_gradient(
            lambda W, k=k: _ref_network_loss(Ws[:k] + [W] + Ws[k + 1:], bs, x, d, f), Ws[k].copy())
        num_b = gradcheck.numerical_gradient(
            lambda b, k=k: _ref_network_loss(Ws, bs[:k] + [b] + bs[k + 1:], x, d, f), bs[k].copy())
        expect_close(dWs[k], num_W, f"{what}: dW of layer {k + 1} of {len(Ws)}", tol=1e-6, hint=NETWORK_HINTS["W"],
                     show=show, mistakes=[Mistake(NETWORK_NO_FPRIME, lambda k=k: _network_variant(
                         Ws, bs, x, d, f, f_prime)[0][k])])
        expect_close(dbs[k], num_b, f"{what}: db of layer {k + 1} of {len(Ws)}", tol=1e-6, hint=NETWORK_HINTS["b"],
                     show=show, mistakes=[Mistake(BIAS_ZERO, np.zeros_like(num_b)),
                                          Mistake(NETWORK_NO_FPRIME, lambda k=k: _network_variant(
                                              Ws, bs, x, d, f, f_prime)[1][k])])


@network.check(points=1, public=True)
def whole_network_numerical(student, rng):
    """a 3-4-2 tanh network: every weight and bias vs central differences of the whole network's loss"""
    rng = np.random.default_rng(21)
    Ws, bs = _random_network(rng, [3, 4, 2])
    _expect_network(student, Ws, bs, rng.normal(size=3), rng.normal(size=2), "tanh", "network_gradients (3-4-2, tanh)")


@network.check(points=1, public=True)
def deeper_sigmoid(student, rng):
    """a 2-3-3-3-1 sigmoid network: the recursion through four layers"""
    rng = np.random.default_rng(22)
    Ws, bs = _random_network(rng, [2, 3, 3, 3, 1])
    _expect_network(student, Ws, bs, rng.normal(size=2), rng.uniform(size=1), "sigmoid",
                    "network_gradients (2-3-3-3-1, sigmoid)")


@network.check(points=2)
def random_networks(student, rng):
    """random depths, widths and activations: every parameter vs the whole network's numerical gradient"""
    for name in ACTIVATIONS:
        sizes = _random_sizes(rng)
        Ws, bs = _random_network(rng, sizes)
        _expect_network(student, Ws, bs, rng.normal(size=sizes[0]), rng.normal(size=sizes[-1]), name,
                        f"network_gradients with {name}")


# ================================================================================ graded by hand

Written("a3.reflection_memo", 2, topic="why memoizing δ makes backprop cheap (000)")
Written("a3.reflection_zero_init", 2, topic="what goes wrong with zero initialization (003, 004)")
