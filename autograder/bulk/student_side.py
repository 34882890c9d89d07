"""The student's side of a trusted check: in the student's process, answer the grader's calls. It grades nothing.

The grader (``trusted``) runs every check itself; when a check calls the student's function, reads an attribute of
an object the student's code returned, or applies an operator to one, the request comes here. Each one runs under
the guard (``guard.StudentFunction``: the question's references poisoned, its ``uses`` swapped in, output silenced,
a time limit) and the answer goes back as data (``crossing``), or as a handle for objects that stay here.

Whatever this process answers is only ever the student's answer: the grader compares it with what it computed
itself. A student who replaces this module gains nothing a wrong answer would not give.
"""

import builtins
import operator
import traceback

from .. import crossing
from ..guard import CheckTimeout, NotImplementedYet, ReferenceUsed, StudentError, StudentFunction

OPERATORS = {name: getattr(operator, name) for name in
             ("add", "sub", "mul", "truediv", "pow", "neg", "matmul", "eq", "lt", "le", "gt", "ge")}


class Session:
    """The objects this process has handed to the grader as handles, by number (kept alive until the process ends)."""

    def __init__(self):
        self.objects, self.numbers = {}, {}

    def file(self, obj):
        number = self.numbers.get(id(obj))
        if number is None:
            number = self.numbers[id(obj)] = len(self.objects) + 1
            self.objects[number] = obj
        return number


def _builtin_bases(exc):
    """The names of the built-in exception classes ``exc`` is an instance of, most specific first."""
    return [c.__name__ for c in type(exc).__mro__ if getattr(builtins, c.__name__, None) is c][:8]


def serve(header, blobs, namespace, session):
    """(reply header, blobs) for one request of the grader (see the module docstring)."""
    from ..grading import find_question

    try:
        question = find_question(header["question"])
    except (KeyError, ImportError, TypeError):
        return {"kind": "malformed"}, []
    decoder = crossing.Decoder(blobs, trusted=False, handles=session.objects)
    try:
        target = decoder(header["target"]) if header.get("target") is not None else namespace.get(question.function)
        args = decoder(header.get("args", []))
        kwargs = decoder(header.get("kwargs", {"t": "dict", "v": []}))
    except (crossing.Uncrossable, KeyError):
        return {"kind": "malformed"}, []
    if header.get("target") is None and not callable(target):
        return {"kind": "missing"}, []
    op = header.get("op")
    name = str(header.get("name", ""))
    if op == "probe":
        return _reply(target, decoder, session)
    if op == "call":
        action = lambda: target(*args, **kwargs)  # noqa: E731
    elif op == "getattr":
        action = lambda: getattr(target, name)  # noqa: E731
    elif op == "setattr":
        action = lambda: setattr(target, name, args[0])  # noqa: E731
    elif op == "operator" and name in OPERATORS:
        action = lambda: OPERATORS[name](*args)  # noqa: E731
    elif op == "iter":
        action = lambda: list(target)  # noqa: E731
    else:
        return {"kind": "malformed"}, []
    guarded = StudentFunction(action, question.function, question.references, question.uses, question.seconds,
                              copy_args=False, namespace=namespace)
    try:
        value = guarded()
    except NotImplementedYet as missing:
        return {"kind": "not-implemented", "where": missing.where}, []
    except StudentError as error:
        return {"kind": "error", "bases": _builtin_bases(error.exc), "ename": type(error.exc).__name__[:80],
                "evalue": str(error.exc)[:2000], "where": error.where}, []
    except ReferenceUsed as used:
        return {"kind": "reference", "name": str(used.args[0])}, []
    except CheckTimeout as timeout:
        return {"kind": "timeout", "seconds": float(timeout.args[0])}, []
    return _reply(value, decoder, session)


def _reply(value, decoder, session):
    """The ``ok`` reply: the value, and the state after the call of every object the grader sent."""
    known = {id(obj): number for number, obj in decoder.made.items()}
    encoder = crossing.Encoder(handles=session.file, known=known)
    try:
        tree = encoder(value)
        after = {str(n): encoder({k: v for k, v in vars(obj).items() if k in type(obj).crossing_mutable})
                 for n, obj in decoder.made.items()}
    except Exception as exc:  # a value whose own methods raise while it is read (a lying array, say)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:300]
        return {"kind": "unreadable", "detail": detail}, []
    return {"kind": "ok", "value": tree, "after": after}, encoder.blobs
