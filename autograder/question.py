"""A graded question: the student's function it grades, its checks, and how they run.

A suite module (``autograder/suites/aN.py``) declares its questions::

    predict = Question("a1.predict", function="perceptron_predict", references=[ref.perceptron_predict])

    @predict.check(points=1, public=True)
    def labels_on_the_lecture_example(student, rng):
        "matches the reference on a small example"
        expect_equal(student(w, X), ref.perceptron_predict(w, X), "perceptron_predict(w, X)", show=True)

Public checks use a fixed seed and may show their data; hidden checks run only at grading time, with the seed
written in the notebook's hidden-test block, and their messages never show their inputs. A question's points
are the sum of its checks' points (tests/autograder checks the notebook's cell metadata says the same).
"""

import numpy as np

from .checks import CheckFailed, CheckIncomplete, CheckResult
from .guard import CheckTimeout, NotImplementedYet, ReferenceUsed, StudentError, StudentFunction

PUBLIC_SEED = 2024
INCOMPLETE = "The grader could not complete this check"
REGISTRY = {}


class Check:
    def __init__(self, fn, points, public):
        self.fn, self.points, self.public = fn, float(points), public
        self.name = fn.__name__
        self.description = (fn.__doc__ or fn.__name__.replace("_", " ")).strip().splitlines()[0]


KINDS = ("derive", "implement", "debug", "explain")


class Question:
    """One graded function and its checks. ``uses`` maps names of other graded functions that this one
    may call to their references: they are swapped in during its checks, so a bug there is not paid twice.

    ``kind`` is one of ``KINDS``; ``topic`` the lecture topic it covers (the table at the top of the notebook and
    ``python -m autograder questions`` read it); ``withheld`` the regular expressions of the forms the release must
    not show (the formula, the code line), matched against text with spaces removed (see ``withheld``)."""

    kind = "implement"

    def __init__(self, id, function, references=(), uses=None, seconds=20.0, topic="", withheld=(), kind=None):
        self.id, self.function, self.references, self.uses, self.seconds = id, function, list(references), uses or {}, seconds
        self.topic, self.withheld = topic, tuple(withheld)
        if kind is not None:
            self.kind = kind
        assert self.kind in KINDS, self.kind
        self.checks = []
        REGISTRY[id] = self

    def check(self, points, public=False):
        """Decorator that adds a check worth ``points`` to this question."""
        def register(fn):
            self.checks.append(Check(fn, points, public))
            return fn
        return register

    @property
    def points(self):
        return sum(c.points for c in self.checks)

    hand_points = 0.0

    @property
    def public_points(self):
        return sum(c.points for c in self.checks if c.public)

    def run(self, namespace, hidden_seed=None):
        """Run the public checks, and the hidden ones too when ``hidden_seed`` is given. Returns CheckResults."""
        fn = namespace.get(self.function)
        if not callable(fn):
            return self.missing(hidden_seed)
        return self.run_checks(StudentFunction(fn, self.function, self.references, self.uses, self.seconds),
                               hidden_seed)

    def run_checks(self, student, hidden_seed=None):
        """Run the public checks on ``student``, and the hidden ones too when ``hidden_seed`` is given: each with
        its own seeded rng, stopping early when going on is pointless. ``student`` is the guarded function, or
        a stand-in that calls it in the student's process (the bulk grader's ``trusted.RemoteFunction``). Returns CheckResults."""
        results, stop = [], None
        for index, c in enumerate(self._selected(hidden_seed)):
            if stop is not None:
                results.append(self._result(c, False, stop, incomplete=stop.startswith(INCOMPLETE)))
                continue
            seed = PUBLIC_SEED if c.public else hidden_seed
            passed, message, stop = self.run_check(c, student, np.random.default_rng([seed, index]))
            results.append(self._result(c, passed, message, incomplete=message.startswith(INCOMPLETE)))
        return results

    def missing(self, hidden_seed=None):
        """The results when the notebook defines no function of the question's name."""
        message = (f"`{self.function}` is not defined in this notebook. The grader finds your function by its "
                   f"name: keep the name and the arguments of the stub, and run its cell.")
        return [self._result(c, False, message) for c in self._selected(hidden_seed)]

    def _selected(self, hidden_seed):
        """The checks that run: the public ones, and the hidden ones too when there is a hidden seed."""
        return [c for c in self.checks if c.public or hidden_seed is not None]

    def _result(self, check, passed, message, incomplete=False):
        return CheckResult(f"{self.id}.{check.name}", check.points, passed, message, check.public, incomplete)

    def run_check(self, check, student, rng):
        """Run one check on ``student``. Returns (passed, message, stop): ``stop`` is a message for every later
        check when going on is pointless."""
        name = self.function
        try:
            check.fn(student, rng)
            return True, "", None
        except CheckFailed as failure:
            lines = [failure.message]
            if failure.detail and check.public:
                lines.append(failure.detail)
            if failure.diagnosis:
                lines.append(f"Likely mistake: {failure.diagnosis}")
            if failure.hint:
                lines.append(f"Hint: {failure.hint}")
            return False, "\n".join(lines), None
        except NotImplementedYet:
            message = f"`{name}` is not implemented yet: its stub still raises NotImplementedError."
            return False, message, message
        except StudentError as error:
            where = f" ({error.where})" if error.where else ""
            return False, f"`{name}` raised {error}{where}.{_shape_note(error)}", None
        except ReferenceUsed as used:
            message = (f"`{name}` calls the library's reference implementation `{used.args[0]}`. A graded function "
                       f"must compute its answer itself; reading the library to learn is welcome, calling it here "
                       f"earns nothing.")
            return False, message, message
        except CheckTimeout as timeout:
            message = (f"`{name}` ran for more than {timeout.args[0]:g} s and was stopped. Look for a loop that never "
                       f"ends (for example a `while` whose condition never changes).")
            return False, message, message
        except CheckIncomplete as why:
            message = f"{INCOMPLETE}: {why}"
            return False, message, message if why.lost else None
        except Exception as exc:  # the check itself broke on what came back: it fails closed
            return False, (f"{INCOMPLETE}: your function's answer made the check itself fail ({type(exc).__name__}: "
                           f"{str(exc)[:200]}). Check what your function returns."), None


_SHAPE_ERRORS = ("matmul", "not aligned", "could not be broadcast", "shapes", "dimension")


def _shape_note(error):
    """For an error about shapes (a product or a sum of arrays that do not fit), the shapes the function received and
    what a product needs; else nothing."""
    text = str(error).lower()
    if not any(key in text for key in _SHAPE_ERRORS):
        return ""
    received = ", ".join(f"{name} {shape}" for name, shape in getattr(error, "shapes", ())) or "no arrays"
    return (f"\nIt was called with {received}. A product A @ B of shapes (a, b) and (c, d) needs b == c, and a sum "
            f"needs shapes that broadcast: write each intermediate's shape next to its line and find the first that "
            f"is not what you meant (often a missing transpose or a sum over the wrong axis).")


class Derivation(Question):
    """A derive question: the student's derived results, each a string in a variable of the notebook (``answers``),
    checked on the grader's side by ``autograder.derive``. Its checks are ``check(answers, rng)`` with ``answers``
    mapping each name to what the notebook holds (a string, or None when the name is missing or not a string), so
    each step of a derivation can be its own check with its own points. ``kind="debug"`` makes it the record of a
    debugging question (which check exposed which planted bug): answered and checked the same way, counted as debug."""

    kind = "derive"

    def __init__(self, id, answers, topic="", withheld=(), seconds=20.0, kind=None):
        super().__init__(id, function=answers[0], topic=topic, withheld=withheld, seconds=seconds, kind=kind)
        self.answers = tuple(answers)

    def run(self, namespace, hidden_seed=None):
        values = {name: namespace.get(name) for name in self.answers}
        if all(v is None for v in values.values()):
            return self.missing(hidden_seed)
        return self.run_checks({k: v if type(v) is str else None for k, v in values.items()}, hidden_seed)

    def missing(self, hidden_seed=None):
        names = ", ".join(f"`{n}`" for n in self.answers)
        message = (f"{names} {'is' if len(self.answers) == 1 else 'are'} not defined in this notebook: run the answer "
                   f"cell, keeping the name and the quotes.")
        return [self._result(c, False, message) for c in self._selected(hidden_seed)]


class Written:
    """An explain question: a written answer nbgrader's Formgrader grades by hand (``id`` is ``<assignment>.<the
    cell's grade_id>``). Declared in its suite so the question list and the notebook's table show it."""

    kind = "explain"
    checks, references, uses = (), (), {}
    points = public_points = 0.0

    def __init__(self, id, hand_points, topic=""):
        self.id, self.hand_points, self.topic, self.withheld = id, float(hand_points), topic, ()
        self.function = None
        REGISTRY[id] = self
