"""The score re-checked outside the student's process.

In the notebook, ``grade("a1.predict")`` runs the checks inside the student's own process, where a student cell
may have replaced ``np.allclose``, the check functions or ``autograder.grade`` itself: no in-process defence
holds against code that runs first. So, right after each test cell, the worker (which never runs student code)
runs the same question's checks again, itself, with its own pristine numpy and the references; only the
student's function runs in the student's process, called over the socket with the arguments the check
chose. Values cross as JSON (arrays as .npy bytes, never pickles). The cell's score is the lower of the two: an
honest notebook gets exactly nbgrader's score, a tampered one gets what its functions earn.

What stays in the student's process: the guard around the call (copies of the arguments, the poisoned
references, the per-call time limit). A student who disables it can call the library's reference, which the
re-check cannot see; docs/grading.md says so.
"""

import base64
import builtins
import io
import re

import numpy as np

GRADE_CALL = re.compile(r'^grade\("([\w.]+)"\)\s*$', re.MULTILINE)
HIDDEN_SEED = re.compile(r"grade\.with_hidden\(seed=(\d+)\)")


class Unsupported(Exception):
    """A value that JSON and .npy cannot carry (the question is then not re-checked)."""


def encode(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.hasobject:
            raise Unsupported(type(value).__name__)
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        return {"__npy__": base64.b64encode(buf.getvalue()).decode("ascii"), "scalar": isinstance(value, np.generic)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__dict__": {k: encode(v) for k, v in value.items()}}
    raise Unsupported(type(value).__name__)


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__npy__" in value:
            arr = np.load(io.BytesIO(base64.b64decode(value["__npy__"])), allow_pickle=False)
            return arr[()] if value.get("scalar") else arr
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {k: decode(v) for k, v in value["__dict__"].items()}
        raise Unsupported("dict")
    return value


def test_cell_question(source):
    """(question id, hidden seed) of a test cell's source, or None when it is not a standard test cell."""
    calls, seeds = GRADE_CALL.findall(source), HIDDEN_SEED.findall(source)
    if len(calls) != 1 or len(seeds) != 1:
        return None
    return calls[0], int(seeds[0])


# -------------------------------------------------------------------------------- the student's side

def serve_call(message, namespace):
    """In the student's process: call the student's function for a check, the guarded way; a JSON reply."""
    from autograder.grading import find_question
    from autograder.guard import CheckTimeout, NotImplementedYet, ReferenceUsed, StudentError, StudentFunction

    question = find_question(message["question"])
    fn = namespace.get(question.function)
    if not callable(fn):
        return {"kind": "missing"}
    if message.get("probe"):
        return {"kind": "ok", "value": None}
    try:
        args, kwargs = decode(message["args"]), decode(message["kwargs"])
        student = StudentFunction(fn, question.function, question.references, question.uses, question.seconds)
        return {"kind": "ok", "value": encode(student(*args, **kwargs))}
    except NotImplementedYet:
        return {"kind": "not-implemented"}
    except StudentError as error:
        return {"kind": "error", "ename": type(error.exc).__name__, "evalue": str(error.exc), "where": error.where}
    except ReferenceUsed as used:
        return {"kind": "reference", "name": str(used.args[0])}
    except CheckTimeout as timeout:
        return {"kind": "timeout", "seconds": float(timeout.args[0])}
    except Unsupported as what:
        return {"kind": "unsupported", "what": str(what)}
    except BaseException as exc:
        return {"kind": "error", "ename": type(exc).__name__, "evalue": str(exc)[:500], "where": None}


# ------------------------------------------------------------------------------------ the grader's side

class _Remote:
    """Stands for the student's function in a check run by the grader: each call goes to the student's process."""

    def __init__(self, ask, question):
        self.ask, self.question = ask, question

    def __call__(self, *args, **kwargs):
        from autograder.guard import CheckTimeout, NotImplementedYet, ReferenceUsed, StudentError

        reply = self.ask({"call": True, "question": self.question.id, "args": encode(list(args)),
                          "kwargs": encode(dict(kwargs))})
        kind = reply.get("kind")
        if kind == "ok":
            return decode(reply["value"])
        if kind == "not-implemented":
            raise NotImplementedYet(self.question.function)
        if kind == "reference":
            raise ReferenceUsed(reply["name"])
        if kind == "timeout":
            raise CheckTimeout(reply["seconds"])
        if kind == "unsupported":
            raise Unsupported(reply.get("what", "value"))
        if kind == "error":
            ename = str(reply.get("ename", "Error"))[:60]
            builtin = getattr(builtins, ename, None)  # a ValueError comes back a ValueError; others look alike
            error_class = builtin if isinstance(builtin, type) and issubclass(builtin, Exception) \
                else type(ename, (Exception,), {})
            raise StudentError(error_class(reply.get("evalue", "")), reply.get("where"))
        raise Unsupported(f"reply {kind!r}")


def recheck(question_id, hidden_seed, ask):
    """The points the student's functions earn on ``question_id``, the checks run here; None when a value could
    not cross (then the notebook's own score stands)."""
    from autograder.grading import find_question

    question = find_question(question_id)
    probe = ask({"call": True, "question": question.id, "probe": True})
    if probe.get("kind") == "missing":
        return 0.0
    try:
        results = question.run_checks(_Remote(ask, question), hidden_seed)
    except Exception:  # a value that could not cross, or a check that broke on what came back
        return None
    return round(sum(r.earned for r in results), 6)
