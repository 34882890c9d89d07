"""The student's side of a trusted check: in the student's process, answer the grader's calls. It grades nothing.

The grader (``trusted``) runs every check itself; when a check calls the student's function, reads an attribute of
an object the student's code returned, or applies an operator to one, the request comes here. Each one runs under
the guard (``guard.StudentFunction``: output silenced, a time limit, the other graded functions it calls swapped
for stand-ins the grader answers with its references) and the answer goes back as data (``crossing``), or as a handle for objects that stay here.

Whatever this process answers is only ever the student's answer: the grader compares it with what it computed
itself. A student who replaces this module gains nothing a wrong answer would not give.
"""

import builtins
import functools
import importlib
import operator
import traceback

from .. import crossing, props
from ..guard import (CheckTimeout, NotImplementedYet, ReferenceUsed, StudentError, StudentFunction, array_snapshot,
                     changed_arguments)

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


MAX_ANSWERS, MAX_ANSWER_CHARS = 16, 20_000  # a derive question's answers: how many strings, how long each


def _builtin_bases(exc):
    """The names of the built-in exception classes ``exc`` is an instance of, most specific first."""
    return [c.__name__ for c in type(exc).__mro__ if getattr(builtins, c.__name__, None) is c][:8]


def _asker(ask, decoder, session):
    """``question(name, target, args, kwargs)``: the grader's answer to ``name(*args)`` (a graded function another
    one calls: the grader runs its reference) or to ``target.name(*args)`` (a method of one of the grader's objects:
    the grader runs its own copy's, and the object's changeable state comes back with the answer). Arguments and
    answer cross like any other value; the grader's own objects go back and forth by reference."""
    def question(name, target, args, kwargs):
        known = {id(obj): number for number, obj in decoder.made.items()}
        encoder = crossing.Encoder(handles=session.file, known=known, names=decoder.names)
        tree = {"args": encoder(list(args)), "kwargs": encoder(dict(kwargs))}
        if target is not None:
            tree["target"] = encoder(target)
        reply, blobs = ask({"kind": "use", "name": name, **tree}, encoder.blobs)
        if reply.get("error"):
            raise _rebuilt(reply["error"])
        answer = crossing.Decoder(blobs, trusted=False, known=decoder.made, handles=session.objects)
        state = answer(reply.get("state")) if target is not None else None
        for attribute, value in (state.items() if isinstance(state, dict) else ()):
            if attribute in type(target).crossing_mutable:
                setattr(target, attribute, value)
        return answer(reply.get("value"))

    return question


def _stand_in(question, name):
    """A stand-in for the graded function ``name`` that the student's function may call."""
    def stand_in(*args, **kwargs):
        return question(name, None, args, kwargs)

    stand_in.__name__ = stand_in.__qualname__ = name
    return stand_in


def _rebuilt(error):
    """The exception the grader's reference raised, as the student's code would have seen it."""
    base = getattr(builtins, str(error.get("ename", "")), None) if isinstance(error, dict) else None
    if not (isinstance(base, type) and issubclass(base, Exception)):
        base = RuntimeError
    return base(str(error.get("evalue", "")) if isinstance(error, dict) else "")


def _references(names):
    """The question's reference implementations that this process can import, to be disabled during the call (an
    in-process defence only; where the sandbox's view leaves them out, there is nothing to import)."""
    try:
        return _resolved(tuple(tuple(str(part) for part in pair) for pair in names))
    except (TypeError, ValueError):
        return []


@functools.lru_cache(maxsize=256)
def _resolved(names):
    found = []
    for module, qualname in names:
        try:
            value = importlib.import_module(str(module))
            for part in str(qualname).split("."):
                value = getattr(value, part)
            found.append(value)
        except (ImportError, AttributeError, ValueError, TypeError):
            pass
    return found


def serve(header, blobs, namespace, session, ask=None):
    """(reply header, blobs) for one request of the grader (see the module docstring). ``ask(header, blobs)``: a
    question to the grader in the middle of the call, for the stand-ins of ``header["uses"]``."""
    function, seconds = header.get("function"), header.get("seconds")
    if not isinstance(function, str) or not isinstance(seconds, (int, float)):
        return {"kind": "malformed"}, []
    decoder = crossing.Decoder(blobs, trusted=False, handles=session.objects)
    try:
        target = decoder(header["target"]) if header.get("target") is not None else namespace.get(function)
        args = decoder(header.get("args", []))
        kwargs = decoder(header.get("kwargs", {"t": "dict", "v": []}))
    except (crossing.Uncrossable, KeyError):
        return {"kind": "malformed"}, []
    op = header.get("op")
    if op == "read":  # a derive question's answers: strings of the notebook, nothing of the student's is called
        names = args[0] if isinstance(args, list) and len(args) == 1 and isinstance(args[0], list) else []
        values = {str(n): namespace.get(n) for n in names[:MAX_ANSWERS] if isinstance(n, str)}
        return _reply({n: v if type(v) is str and len(v) <= MAX_ANSWER_CHARS else None for n, v in values.items()},
                      decoder, session)
    if header.get("target") is None and not callable(target):
        return {"kind": "missing"}, []
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
    question = _asker(ask, decoder, session) if ask else None
    uses = {str(u): _stand_in(question, str(u)) for u in header.get("uses") or []} if ask else {}
    guarded = StudentFunction(action, function, _references(header.get("references")), uses, float(seconds),
                              copy_args=False, namespace=namespace)
    before = array_snapshot(args, kwargs) if op == "call" and isinstance(args, list) and isinstance(kwargs, dict) \
        else {}
    try:
        props._ASK = (lambda name, target, args: question(name, target, args, {})) if question else None
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
    finally:
        props._ASK = None
    return _reply(value, decoder, session, changed_arguments(before, (args, kwargs)) if before else ())


def _reply(value, decoder, session, changed=()):
    """The ``ok`` reply: the value, the state after the call of every object the grader sent, and which array
    arguments the call modified in place (``changed``: what a check of a question that forbids it reads)."""
    known = {id(obj): number for number, obj in decoder.made.items()}
    encoder = crossing.Encoder(handles=session.file, known=known)
    try:
        tree = encoder(value)
        after = {str(n): encoder({k: v for k, v in vars(obj).items() if k in type(obj).crossing_mutable})
                 for n, obj in decoder.made.items()}
    except Exception as exc:  # a value whose own methods raise while it is read (a lying array, say)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:300]
        return {"kind": "unreadable", "detail": detail}, []
    return {"kind": "ok", "value": tree, "after": after, "changed": list(changed)}, encoder.blobs
