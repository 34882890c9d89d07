"""Derivation answers: the whitelist reads what a student writes and nothing else; equivalent forms pass; wrong ones
get a diagnosis that does not show the expected form."""

import numpy as np
import pytest

from autograder import derive
from autograder.checks import CheckFailed

S = {"s": (0.01, 0.99)}
SHAPES = {"X": (5, 3), "W": (3, 4), "G": (5, 4)}


def check(text, expected="s*(1-s)", domains=S):
    derive.expect_expression({"a": text}, "a", expected, domains, hint="revisit the step")


@pytest.mark.parametrize("text", ["s*(1-s)", "s - s**2", "s - s^2", "\n  -(s**2) + s  # the derivative\n",
                                  "s*(1.0 - s)", "(1 - s) * s / 1", "np.exp(np.log(s)) * (1 - s)"])
def test_equivalent_forms_pass(text):
    check(text)


@pytest.mark.parametrize("text, mistake", [("-s*(1-s)", "opposite sign"), ("2*s*(1-s)", "constant factor (2)"),
                                           ("3 + 1/4", "does not depend on s"), ("s*(1+s)", None)])
def test_wrong_forms_fail_with_a_diagnosis_that_hides_the_answer(text, mistake):
    with pytest.raises(CheckFailed) as failed:
        check(text)
    detail = failed.value.diagnosis or ""
    assert (mistake in detail) if mistake else detail == ""
    assert "1-s" not in detail.replace(" ", "") and failed.value.hint == "revisit the step"


@pytest.mark.parametrize("text", [
    "__import__('os').system('id')", "s.__class__", "open('/etc/passwd')", "[s for s in ()]", "lambda: 1",
    "s if s else 1", "'text'", "s; import os", "t * s", "exp(s, s)", "sum(s, axis=0)", "2 ** 2 ** 2", "9 ** 99999",
    "1e400", "True", "s @ s", "x" * 700, "+".join(["s"] * 200),
])
def test_anything_outside_the_whitelist_is_refused_with_a_sentence(text):
    with pytest.raises(derive.Unreadable) as refused:
        derive.parse(text, {"s"}, what="`a`")
    assert "`a`" in refused.value.message


def test_the_stub_and_empty_answers_are_not_answered():
    for raw in ["\n# YOUR CODE HERE\nraise NotImplementedError()\n", "", "   \n# just a comment\n", None, 3.0]:
        with pytest.raises(derive.NotAnswered):
            check(raw)


def test_sympy_sees_the_same_expression_the_numbers_do():
    parsed = derive.parse("sigmoid(z) * (1 - sigmoid(z))", {"z"})
    import sympy
    z = sympy.Symbol("z")
    expr = derive.to_sympy(parsed, {"z": z})
    assert float(expr.subs(z, 0.3)) == pytest.approx(derive.evaluate(parsed, {"z": 0.3}))


def test_matrix_answers_are_checked_on_random_matrices():
    derive.expect_matrix_expression({"a": "X.T @ G"}, "a", "X.T @ G", SHAPES, hint="h")
    derive.expect_matrix_expression({"a": "(G.T @ X).T"}, "a", "X.T @ G", SHAPES, hint="h")
    for wrong, says in [("G.T @ X", "transposed"), ("-X.T @ G", "sign is flipped"),
                        ("X.T @ G / 5", "constant factor"), ("X @ G", "do not fit")]:
        with pytest.raises(CheckFailed) as failed:
            derive.expect_matrix_expression({"a": wrong}, "a", "X.T @ G", SHAPES, hint="h")
        assert says in failed.value.message + (failed.value.diagnosis or "")


def test_sums_over_an_axis_in_matrix_answers():
    derive.expect_matrix_expression({"a": "G.sum(axis=0)"}, "a", "np.sum(G, axis=0)", SHAPES, hint="h")
    with pytest.raises(CheckFailed):
        derive.expect_matrix_expression({"a": "G.sum(axis=1)"}, "a", "np.sum(G, axis=0)", SHAPES, hint="h")


def test_numbers_by_hand_forgive_rounding_not_mistakes():
    derive.expect_number({"a": "0.2 * 0.3 * (1 - 0.3)"}, "a", 0.042, hint="h")
    derive.expect_number({"a": "0.04201"}, "a", 0.042, hint="h")
    for wrong in ["0.05", "-0.042", "s"]:
        with pytest.raises(CheckFailed):
            derive.expect_number({"a": wrong}, "a", 0.042, hint="h")


def test_evaluation_never_calls_anything_of_the_values():
    class Loud(float):
        def __mul__(self, other):
            raise AssertionError("called")
    parsed = derive.parse("s * 2", {"s"})
    assert np.isfinite(derive.evaluate(parsed, {"s": float(Loud(0.5))}))


def test_a_catalogued_mistake_is_named_before_the_generic_ones():
    from autograder.checks import Mistake
    own = [Mistake("you differentiated s, not the sigmoid of z.", "s")]
    with pytest.raises(CheckFailed) as failed:
        derive.expect_expression({"a": "s"}, "a", "s*(1-s)", S, hint="h", mistakes=own)
    assert failed.value.diagnosis == "you differentiated s, not the sigmoid of z."
    with pytest.raises(CheckFailed) as failed:
        derive.expect_matrix_expression({"a": "X.T @ G / 5"}, "a", "X.T @ G", SHAPES, hint="h",
                                        mistakes=[Mistake("you averaged over the batch twice.", "X.T @ G / 5"),
                                                  Mistake("never applies", "X @ W @ G")])
    assert failed.value.diagnosis == "you averaged over the batch twice."
    with pytest.raises(CheckFailed) as failed:
        derive.expect_number({"a": "0.21"}, "a", 0.042, hint="h", mistakes=[Mistake("you kept a 1/2.", 0.021),
                                                                            Mistake("you dropped σ'.", 0.21)])
    assert failed.value.diagnosis == "you dropped σ'."


@pytest.mark.parametrize("text", ["exp(" * 60 + "s" + ")" * 60, "log(" * 60 + "s" + ")" * 60,
                                  "(s+1)**64*(s-1)**64*(s+2)**64", "sqrt(" * 80 + "s" + ")" * 80])
def test_a_hostile_answer_is_judged_and_never_stalls_the_grader(text):
    """A wrong answer built to make a computer-algebra system work for ever (SymPy's simplify ran for minutes on
    60 nested exponentials) is read, judged wrong and diagnosed without simplifying anything."""
    import threading
    outcome = []

    def judge():
        try:
            check(text)
        except CheckFailed as failed:
            outcome.append(failed)
    worker = threading.Thread(target=judge, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the check is still running after 30 s"
    assert outcome and "not equal" in outcome[0].message


def test_a_tower_of_integer_powers_is_never_computed():
    import threading
    text = "((((9**64)**64)**64)**64)**64 * s"
    worker = threading.Thread(target=lambda: pytest.raises(CheckFailed, check, text), daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the check is still running after 30 s"
