"""What crosses between the grader and a student's process: every honest answer, and nothing that runs code."""

import functools
import io
import types

import numpy as np
import pytest

from autograder import crossing
from autograder.bulk import trusted
from autograder.suites.a3 import RefValue


def student_to_grader(value, known=None, mirrors=None):
    """``value`` as the student's side sends it and the grader reads it (handles become proxies). ``known``: the
    grader's objects by number; ``mirrors``: the student's copies of them, by the same numbers."""
    filed = {}
    enc = crossing.Encoder(handles=lambda obj: filed.setdefault(id(obj), len(filed) + 1),
                           known={id(obj): n for n, obj in (mirrors or {}).items()})
    tree = enc(value)
    header, blobs = crossing.unpack(crossing.pack({"value": tree, "blobs": [len(b) for b in enc.blobs]}, enc.blobs))
    proxies = {}
    decoder = crossing.Decoder(blobs, trusted=True, known=known,
                               proxy=lambda n, t: proxies.setdefault(n, trusted.Handle(None, n, t)))
    return decoder(header["value"])


def grader_to_student(value):
    enc = crossing.Encoder()
    tree = enc(value)
    header, blobs = crossing.unpack(crossing.pack({"value": tree, "blobs": [len(b) for b in enc.blobs]}, enc.blobs))
    return crossing.Decoder(blobs, trusted=False)(header["value"])


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("inf"), "text", [1, 2.0], (1, (2, 3)), {"W1": np.ones((2, 3)), 4: "four"},
    np.float32(1.5), np.int64(7), np.arange(6, dtype=np.int8).reshape(2, 3), np.zeros(3, dtype=np.float32),
    np.array([True, False]), np.array(2.0), np.empty((0, 4)),
], ids=repr)
def test_honest_answers_cross_without_loss(value):
    got = student_to_grader(value)
    assert type(got) is type(value)
    if isinstance(value, (np.ndarray, np.generic)):
        assert got.dtype == value.dtype and got.shape == np.shape(value)
        np.testing.assert_array_equal(got, value)
    elif isinstance(value, dict):
        assert set(got) == set(value)
    elif value == value:
        assert got == value


def test_anything_else_stays_in_the_students_process_as_a_handle():
    class Node:
        pass

    node = Node()
    got = student_to_grader([node, node, lambda x: x, np.array([object()], dtype=object)])
    assert all(isinstance(h, trusted.Handle) for h in got)
    assert got[0] is got[1]  # the same object, the same handle
    assert repr(got[0]) == "<Node in the student's process>"


def test_functions_generators_and_partials_cross_to_the_student_by_name_and_state():
    rng = np.random.default_rng(5)
    f = functools.partial(np.add, 1.0)
    got_rng, got_f, got_fn = grader_to_student([rng, f, np.sum])
    assert got_rng.normal() == np.random.default_rng(5).normal()
    assert got_f(2.0) == 3.0 and got_fn is np.sum
    with pytest.raises(crossing.Uncrossable):
        grader_to_student(lambda v: v)  # a check hands over module-level functions only


def test_the_grader_never_turns_a_name_from_the_student_into_a_function():
    for tree in [{"t": "fn", "module": "os", "name": "system"},
                 {"t": "partial", "fn": {"t": "fn", "module": "os", "name": "system"}, "args": [], "kwargs": {}},
                 {"t": "obj", "cls": "os:Popen", "id": 0, "state": {"t": "dict", "v": []}},
                 {"t": "rng", "state": {"bit_generator": "seed"}}]:
        with pytest.raises(crossing.Uncrossable):
            crossing.Decoder([], trusted=True)(tree)


@pytest.mark.parametrize("data", [b"", b"\x00\x00\x00\x10{}", b"\x00\x00\x00\x02[]", b"\x00\x00\x00\x0c{\"blobs\":[9]}",
                                  b"\xff\xff\xff\xff"])
def test_a_malformed_frame_is_refused_not_crashed_on(data):
    with pytest.raises(crossing.Uncrossable):
        crossing.unpack(data)


def test_a_graph_keeps_its_identity_and_only_grads_come_back():
    a, b = RefValue(1.5), RefValue(-2.0)
    root = a * b + a
    enc = crossing.Encoder()
    tree = enc([root])
    sent = dict(enumerate(enc.objects))
    decoder = crossing.Decoder(enc.blobs, trusted=False)
    student_root = decoder(tree)[0]
    assert student_root is not root and student_root.parents[0].parents[0] is student_root.parents[1]  # shared
    order = student_to_grader([student_root.parents[1], student_root], known=sent, mirrors=decoder.made)
    assert order[0] is a and order[1] is root  # identity survives the round trip
    assert type(root).crossing_mutable == ("grad",)  # and only grads are copied back (trusted.Remote._read)


def test_a_students_exception_is_rebuilt_as_its_builtin_base():
    error = trusted._exception({"bases": ["ValueError", "Exception"], "ename": "ShapeError", "evalue": "bad"})
    assert isinstance(error, ValueError) and type(error).__name__ == "ShapeError"
    assert not isinstance(trusted._exception({"bases": ["SystemExit"], "ename": "x"}), SystemExit)
    assert type(trusted._exception({"bases": ["ValueError"], "ename": "ValueError"})) is ValueError


def test_a_reply_can_change_only_what_the_students_function_is_meant_to_change():
    node = RefValue(2.0)
    question = types.SimpleNamespace(id="a3.backward", function="backward_pass", seconds=1.0)
    forged = {"kind": "ok", "value": None, "after": {"0": {"t": "dict", "v": [["grad", 5.0], ["data", 99.0],
                                                                             ["parents", []]]}}}
    trusted.Remote(None, 0, None, None)._read(question, forged, [], {0: node})
    assert (node.grad, node.data, node.parents) == (5.0, 2.0, ())


def test_an_array_header_that_claims_more_than_its_data_is_refused_before_any_allocation():
    buf = io.BytesIO()
    np.save(buf, np.zeros((3, 4)))
    forged = buf.getvalue().replace(b"'shape': (3, 4), ", b"'shape': (10000000000000,), ")
    tree = {"t": "npy", "i": 0, "scalar": False}
    with pytest.raises(crossing.Uncrossable):
        crossing.Decoder([forged], trusted=True)(tree)
