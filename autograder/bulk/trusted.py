"""The grader's side of a test cell: every check runs here, in a process that never runs student code.

At grading a test cell (``grade("a1.predict")`` with its hidden seed) is not run in the student's process. The
grader runs the question's checks itself, with its own numpy and the references; where a check calls the student's
function, ``RemoteFunction`` asks the student's process (``student_side``) to make that call, with the arguments the
check chose, and reads the answer back as data (``crossing``). The cell's outputs are the report and the score the
grader computed, exactly as ``grade(...)`` would print them, so nbgrader's own ``determine_grade`` scores them.

It fails closed: a reply that does not parse, a value that cannot be read, a process that dies or runs past its
deadline makes that check earn 0 with a sentence saying what happened (``CheckIncomplete``); no number the
student's process produced is ever a score.
"""

import builtins
import keyword
import secrets
import time

import numpy as np

from .. import crossing
from ..checks import CheckIncomplete
from ..guard import CheckTimeout, NotImplementedYet, ReferenceUsed, StudentError, argument_shapes
from ..report import format_report
from . import channel

_SAFE_BASES = {name for name in dir(builtins) if isinstance(getattr(builtins, name), type)
               and issubclass(getattr(builtins, name), Exception)}


class Missing(CheckIncomplete):
    """The notebook defines no function of the question's name."""


class Remote:
    """The grader's end of one student process while it answers for one test cell (see the module docstring)."""

    def __init__(self, conn, kill, deadline, limit, passed=None):
        self.conn, self.kill, self.deadline, self.limit = conn, kill, deadline, limit
        # functions of this notebook whose own question passed every check, as did those of every graded function
        # they call: a later question that uses one calls the student's own (a correct one needs no stand-in; a
        # bug any check saw is still paid for only once)
        self.passed = passed if passed is not None else set()
        self.proxies = {}
        self.lost = None  # "died" or "timeout" once the process is gone
        self.changed = ()  # the array arguments the last call modified in place, as the student's process saw it

    def proxy(self, number, type_name):
        handle = self.proxies.get(number)
        if handle is None:
            handle = self.proxies[number] = Handle(self, number, type_name)
        return handle

    def ask(self, question, op, target=None, args=(), kwargs=None, name=None, seconds=None):
        """Send one request; the decoded value of an ``ok`` reply, or the exception the reply stands for."""
        if self.lost:
            raise CheckIncomplete(_LOST[self.lost], lost=True)
        if self.deadline is not None and time.monotonic() > self.deadline:  # a check that keeps asking
            self._lose("timeout")
        encoder = crossing.Encoder()
        nonce = secrets.token_hex(8)  # the reply must carry it: nothing sent ahead of the request can answer it
        header = {"op": op, "function": question.function, "seconds": float(seconds or question.seconds),
                  "uses": sorted(set(question.uses) - self.passed), "references": _names(question.references), "target": encoder(target) if target is not None else None,
                  "args": encoder(list(args)), "kwargs": encoder(dict(kwargs or {})), "name": name, "nonce": nonce}
        sent = {number: obj for number, obj in enumerate(encoder.objects)}
        dog = channel.watchdog()
        dog.arm(self.kill, self.deadline)
        try:
            channel.send(self.conn, header, encoder.blobs)
            while True:
                reply, blobs = channel.receive(self.conn, self.deadline)
                if reply.get("nonce") != nonce:  # out of step from here on: the process is replaced
                    self._lose("out-of-turn")
                if reply.get("kind") != "use":
                    break
                answer, answer_blobs = self._use(question, reply, blobs, sent, encoder.named)
                channel.send(self.conn, answer, answer_blobs)
        except channel.TimedOut:
            self._lose("timeout")
        except (channel.Closed, OSError):
            self._lose("timeout" if dog.fired else "died")
        except crossing.Uncrossable:
            self._lose("garbled")
        finally:
            dog.disarm()
        return self._read(question, reply, blobs, sent)

    def _use(self, question, request, blobs, sent, functions):
        """The grader's answer when the student's function calls another graded function (``question.uses``): its
        reference, run here on what the student's code passed. Only data and the grader's own objects are accepted
        as arguments: nothing here calls back into the student's process."""
        def no_handles(number, type_name):
            raise crossing.Uncrossable("an object of the student's process")

        name = request.get("name")
        try:
            decoder = crossing.Decoder(blobs, trusted=True, known=sent, proxy=no_handles, functions=functions)
            target = decoder(request["target"]) if "target" in request else None
            if target is None:
                reference = question.uses.get(name) if isinstance(name, str) else None
            elif any(target is obj for obj in sent.values()) and name in getattr(type(target), "crossing_methods", ()):
                reference = getattr(target, name)
            else:
                reference = None
            if reference is None:
                raise crossing.Uncrossable(f"a call to {str(name)[:40]!r}, which the grader does not answer")
            args, kwargs = decoder(request.get("args", [])), decoder(request.get("kwargs", {"t": "dict", "v": []}))
            if not isinstance(args, list) or not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
                raise crossing.Uncrossable("arguments of the wrong shape")
            with np.errstate(all="ignore"):  # (numpy here is pristine: this process never runs student code)
                value = reference(*args, **kwargs)
            encoder = crossing.Encoder(known={id(obj): number for number, obj in sent.items()})
            answer = {"op": "used", "value": encoder(value)}
            if target is not None:
                answer["state"] = encoder({k: getattr(target, k) for k in type(target).crossing_mutable
                                           if hasattr(target, k)})
            return answer, encoder.blobs
        except Exception as exc:  # the reference refused what it was given: the student's code sees the error
            return {"op": "used", "error": {"ename": type(exc).__name__, "evalue": str(exc)[:500]}}, []

    def _lose(self, how):
        self.lost = how
        self.kill()
        if how == "timeout":
            raise CheckTimeout(self.limit)
        raise CheckIncomplete(_LOST[how], lost=True)

    def _read(self, question, reply, blobs, sent):
        kind = reply.get("kind")
        changed = reply.get("changed")
        self.changed = tuple(str(c)[:80] for c in changed[:64]) if isinstance(changed, list) else ()
        if kind == "ok":
            decoder = crossing.Decoder(blobs, trusted=True, known=sent, proxy=self.proxy)
            try:
                value = decoder(reply.get("value"))
                after = reply.get("after", {})
                changes = [(sent[int(n)], decoder(tree)) for n, tree in after.items()] \
                    if isinstance(after, dict) else None
            except (crossing.Uncrossable, KeyError, ValueError, TypeError) as why:
                raise CheckIncomplete(f"your function's answer could not be read by the grader ({why}).") from None
            if changes is None or not all(isinstance(state, dict) for _, state in changes):
                raise CheckIncomplete("your notebook's process answered in a shape the grader cannot read.")
            for obj, state in changes:
                for attribute in type(obj).crossing_mutable:
                    if attribute in state:
                        setattr(obj, attribute, state[attribute])
            return value
        if kind == "not-implemented":
            raise NotImplementedYet(question.function, _text(reply.get("where"), 80) or None)
        if kind == "error":
            raise StudentError(_exception(reply), _text(reply.get("where"), 300) or None)
        if kind == "reference":
            raise ReferenceUsed(_text(reply.get("name"), 200))
        if kind == "timeout":
            seconds = reply.get("seconds")
            raise CheckTimeout(float(seconds) if isinstance(seconds, (int, float)) else question.seconds)
        if kind == "missing":
            raise Missing(f"`{question.function}` is not defined in your notebook.")
        if kind == "unreadable":
            raise CheckIncomplete(f"your function returned a value that raised an error when the grader read it "
                                  f"({_text(reply.get('detail'), 300)}).")
        raise CheckIncomplete("your notebook's process answered in a shape the grader cannot read.")


def _names(references):
    """[module, qualified name] of each reference: the student's side disables those it can find there."""
    return [[getattr(r, "__module__", ""), getattr(r, "__qualname__", "")] for r in references]


_LOST = {"died": "your notebook's process died while the grader was checking this question (os._exit, a crash, "
                 "or the memory limit).",
         "timeout": "your notebook's process stopped answering before the time limit and was stopped.",
         "out-of-turn": "your notebook's process sent a message the grader had not asked for, and was stopped.",
         "garbled": "your notebook's process sent back a message the grader cannot read, and was stopped."}


def _text(value, limit):
    return str(value)[:limit] if value is not None else ""


def _exception(reply):
    """The student's exception rebuilt on the grader's side: a built-in class as itself, the student's own class as
    a class of the same name derived from the most specific built-in it derives from (so ``except ValueError``
    and ``isinstance`` see what they would have seen)."""
    bases = [b for b in reply.get("bases", []) if isinstance(b, str) and b in _SAFE_BASES] \
        if isinstance(reply.get("bases"), list) else []
    base = getattr(builtins, bases[0]) if bases else Exception
    ename = _text(reply.get("ename"), 80)
    cls = base if ename == base.__name__ or not ename.isidentifier() or keyword.iskeyword(ename) \
        else type(ename, (base,), {})
    return cls(_text(reply.get("evalue"), 2000))


class Handle(crossing.HandleBase):
    """An object in the student's process: calling it, reading or setting its attributes and applying operators
    are requests to that process, each guarded there (the question's time limit and poisoned references)."""

    __slots__ = ()

    def __init__(self, remote, number, type_name):
        object.__setattr__(self, "_remote", remote)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_type", type_name)

    def _ask(self, op, *args, name=None, seconds=None):
        remote = object.__getattribute__(self, "_remote")
        return remote.ask(remote.question, op, target=self, args=args, name=name, seconds=seconds)

    def __call__(self, *args, **kwargs):
        remote = object.__getattribute__(self, "_remote")
        return remote.ask(remote.question, "call", target=self, args=args, kwargs=kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name, value):
        self._ask("setattr", value, name=name)

    def __iter__(self):
        return iter(self._ask("iter"))

    def __repr__(self):
        return f"<{object.__getattribute__(self, '_type')} in the student's process>"

    def __add__(self, other): return self._ask("operator", self, other, name="add")  # noqa: E704
    def __radd__(self, other): return self._ask("operator", other, self, name="add")  # noqa: E704
    def __sub__(self, other): return self._ask("operator", self, other, name="sub")  # noqa: E704
    def __rsub__(self, other): return self._ask("operator", other, self, name="sub")  # noqa: E704
    def __mul__(self, other): return self._ask("operator", self, other, name="mul")  # noqa: E704
    def __rmul__(self, other): return self._ask("operator", other, self, name="mul")  # noqa: E704
    def __truediv__(self, other): return self._ask("operator", self, other, name="truediv")  # noqa: E704
    def __rtruediv__(self, other): return self._ask("operator", other, self, name="truediv")  # noqa: E704
    def __pow__(self, other): return self._ask("operator", self, other, name="pow")  # noqa: E704
    def __neg__(self): return self._ask("operator", self, name="neg")  # noqa: E704
    def __matmul__(self, other): return self._ask("operator", self, other, name="matmul")  # noqa: E704

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other


class RemoteFunction:
    """Stands for the student's function in a check run by the grader (the same interface as the in-process
    ``guard.StudentFunction``): each call goes to the student's process."""

    def __init__(self, remote, question):
        self.remote, self.question = remote, question
        self.name, self.references, self.seconds = question.function, question.references, question.seconds
        remote.question = question
        self._fn = None

    changed = ()  # the array arguments the last call modified in place (``checks.expect_inputs_unchanged``)

    def __call__(self, *args, **kwargs):
        self.changed = ()
        try:
            value = self.remote.ask(self.question, "call", args=args, kwargs=kwargs)
        except StudentError as error:
            error.shapes = tuple(argument_shapes(args, kwargs))  # (for the message about shapes that do not fit)
            raise
        self.changed = self.remote.changed
        return value

    @property
    def fn(self):
        """The student's function (or class) itself, as a handle."""
        if self._fn is None:
            self._fn = self.remote.ask(self.question, "probe")
        return self._fn

    def wrap(self, obj, name, seconds=None):
        """A callable the student's code returned, called the guarded way (in the student's process)."""
        if not isinstance(obj, Handle):
            raise CheckIncomplete(f"`{name}` did not come from your notebook's process.")
        return lambda *args, **kwargs: self.remote.ask(self.question, "call", target=obj, args=args, kwargs=kwargs,
                                                       seconds=seconds)

    def scenario(self, run):
        """``run(fn)`` with the student's function or class as a handle: everything it does to it is a request."""
        return run(self.fn)


class _Unreachable:
    """The student's function when the process that holds it could not be asked at all: every check fails closed."""

    def __init__(self, why):
        self.why = why

    def __call__(self, *args, **kwargs):
        if isinstance(self.why, CheckTimeout):
            raise self.why
        raise CheckIncomplete(str(self.why), lost=True)

    def __getattr__(self, name):  # .fn, .scenario, .wrap: nothing to reach either
        return self()


def _answers(remote, question):
    """A derive question's answers as the student's process holds them: {name: string or None}."""
    remote.question = question
    values = remote.ask(question, "read", args=(list(question.answers),))
    if not isinstance(values, dict) or not all(type(v) is str or v is None for v in values.values()):
        raise CheckIncomplete("your notebook's process answered in a shape the grader cannot read.")
    return {name: values.get(name) for name in question.answers}


def grade_cell(remote, question, hidden_seed):
    """(outputs, [ids of checks that could not complete]) of a test cell, computed here."""
    try:
        if getattr(question, "answers", None):  # strings (a derivation, a debug record): read once, then checked here
            answers = _answers(remote, question)
            results = question.missing(hidden_seed) if all(v is None for v in answers.values()) \
                else question.run_checks(answers, hidden_seed)
        else:
            student = RemoteFunction(remote, question)
            student.fn  # noqa: B018 (the probe: is the function there at all?)
            results = question.run_checks(student, hidden_seed)
    except Missing:
        results = question.missing(hidden_seed)
    except (CheckIncomplete, CheckTimeout) as why:  # the probe itself found no process to ask
        results = question.run_checks(_Unreachable(why), hidden_seed)
    earned = round(sum(r.earned for r in results), 6)
    report = format_report(question, results, hidden=hidden_seed is not None)
    if results and all(r.passed for r in results) and set(question.uses) <= remote.passed:
        remote.passed.add(question.function)  # (and every function it calls passed too: nothing to pay twice)
    outputs = [{"output_type": "stream", "name": "stdout", "text": report + "\n"},
               {"output_type": "execute_result", "data": {"text/plain": repr(float(earned))}, "metadata": {},
                "execution_count": None}]
    return outputs, [r.id for r in results if r.incomplete]
