"""The autograder core: structured results, teaching messages, and the guards around a student's function."""

import numpy as np
import pytest

from autograder import checks
from autograder.checks import CheckFailed, CheckResult, expect_close, expect_equal, expect_shape
from autograder.question import REGISTRY, Question
from autograder.grading import Grader, find_question
from autograder.guard import fresh_copy
from backprop import linear_models as ref

A1 = ["perceptron_predict", "perceptron_update", "train_perceptron", "batch_perceptron_update", "adaline_update",
      "adaline_batch_step"]


def reference_namespace():
    """A namespace holding copies of the reference functions: what a correct student would have."""
    return {name: fresh_copy(getattr(ref, name)) for name in A1}


def run(question_id, namespace, hidden=True):
    grader = Grader().with_hidden(123) if hidden else Grader()
    return grader.run(question_id, namespace)[1]


def test_a_check_result_is_structured():
    results = run("a1.predict", reference_namespace())
    assert all(isinstance(r, CheckResult) for r in results)
    assert {r.id for r in results} == {"a1.predict.one_label_per_sample", "a1.predict.lecture_example",
                                       "a1.predict.random_data"}
    assert sum(r.earned for r in results) == find_question("a1.predict").points == 4


@pytest.mark.parametrize("question", ["predict", "update", "train", "batch_update", "lms", "batch_step"])
def test_reference_earns_every_point_and_a_stub_earns_none(question):
    q = find_question(f"a1.{question}")
    assert sum(r.earned for r in run(q.id, reference_namespace())) == q.points

    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run(q.id, {q.function: stub})
    assert sum(r.earned for r in results) == 0
    assert all("not implemented yet" in r.message for r in results)


def test_expectations_explain_what_differs():
    with pytest.raises(CheckFailed, match=r"shape \(3, 1\); expected \(3,\)"):
        expect_shape(np.zeros((3, 1)), (3,), "f(x)")
    with pytest.raises(CheckFailed, match=r"1 of 3 entries wrong, the first at index \(2,\) \(got 3.5, expected 3\); "
                                          r"relative error 7.7e-02"):
        expect_close(np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]), "f(x)", show=True)
    with pytest.raises(CheckFailed, match=r"1 of 3 entries wrong, the first at index \(2,\); relative error"):
        expect_close(np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]), "f(x)")  # hidden: no values
    with pytest.raises(CheckFailed, match=r"loss differs from the reference: got 0.5, expected 0.7; relative error"):
        expect_close(0.5, 0.7, "loss", show=True)  # a scalar is not "1 of 1 entries"
    with pytest.raises(CheckFailed, match=r"count: got 3, expected 4\.$"):
        expect_equal(3, 4, "count", show=True)
    with pytest.raises(CheckFailed, match=r"^count differs from the reference\.$"):
        expect_equal(3, 4, "count")
    with pytest.raises(CheckFailed, match="returned None"):
        expect_close(None, np.zeros(2), "f(x)")
    with pytest.raises(CheckFailed, match="NaN"):
        expect_close(np.array([np.nan]), np.zeros(1), "f(x)")
    with pytest.raises(CheckFailed, match=r"2 of 3 entries differ .* first at index \(1,\) \(got -1, expected 1\)"):
        expect_equal(np.array([1, -1, -1]), np.array([1, 1, 1]), "labels", show=True)
    with pytest.raises(CheckFailed, match=r"2 of 3 entries differ from the reference\.$"):
        expect_equal(np.array([1, -1, -1]), np.array([1, 1, 1]), "labels")


def test_a_bug_costs_its_own_question_only():
    ns = reference_namespace()

    def perceptron_update(w, x, y):  # the wrong sign
        x_aug = np.append(x, 1.0)
        return w - y * x_aug if y * (x_aug @ w) <= 0 else w.copy()

    ns["perceptron_update"] = perceptron_update
    update = run("a1.update", ns)
    assert not all(r.passed for r in update)
    assert any("Hint:" in r.message for r in update if not r.passed)
    # train_perceptron calls perceptron_update: during its checks the reference update is swapped in.
    train = run("a1.train", ns)
    assert all(r.passed for r in train)


def test_hidden_messages_do_not_show_inputs_and_public_ones_do():
    def perceptron_predict(w, X):
        return np.ones(len(X), dtype=int)

    results = {r.id.split(".")[-1]: r for r in run("a1.predict", {"perceptron_predict": perceptron_predict})}
    assert "expected" in results["lecture_example"].message  # public: the data is shown
    assert not results["random_data"].passed and not results["random_data"].public
    assert "at index" not in results["random_data"].message and "expected" not in results["random_data"].message


def test_calling_the_reference_earns_nothing():
    from backprop.linear_models import perceptron_predict as alias

    def perceptron_predict(w, X):
        return alias(w, X)

    results = run("a1.predict", {"perceptron_predict": perceptron_predict})
    assert sum(r.earned for r in results) == 0
    assert "reference implementation" in results[0].message
    # the reference itself still works afterwards
    assert ref.perceptron_predict(np.array([1.0, 0.0]), np.array([[2.0]]))[0] == 1


def test_estimator_delegation_is_caught_too():
    def adaline_update(w, x, d, lr):
        model = ref.Adaline(lr=lr)
        model.w_ = w.copy()
        return model.update(x, d).w_

    assert sum(r.earned for r in run("a1.lms", {"adaline_update": adaline_update})) == 0


def test_errors_timeouts_and_renames_are_reported_not_raised(monkeypatch):
    def adaline_update(w, x, d, lr):
        return w + lr * (d - w @ x) * x  # forgets the bias: shapes do not align

    results = run("a1.lms", {"adaline_update": adaline_update})
    assert "raised ValueError" in results[0].message and "line" in results[0].message

    monkeypatch.setattr(find_question("a1.lms"), "seconds", 0.2)

    def adaline_update(w, x, d, lr):
        while True:
            pass

    results = run("a1.lms", {"adaline_update": adaline_update})
    assert "was stopped" in results[0].message and sum(r.earned for r in results) == 0

    results = run("a1.lms", {"adaline_update_v2": adaline_update})
    assert "is not defined" in results[0].message


def test_rebinding_numpy_in_the_notebook_does_not_fool_the_checks():
    def perceptron_predict(w, X):
        return np.zeros(len(X))

    original = np.allclose, np.array_equal, np.abs
    np.allclose = lambda *a, **k: True
    np.array_equal = lambda *a, **k: True
    np.abs = lambda x: 0 * x
    try:
        question, results, notes = Grader().with_hidden(5).run("a1.predict", {"perceptron_predict": perceptron_predict})
        assert sum(r.earned for r in results) == 0
        assert any("numpy.allclose" in n for n in notes)
        assert np.allclose(1, 2)  # the notebook's own rebinding is back after the checks
    finally:
        np.allclose, np.array_equal, np.abs = original


def test_public_score_is_scaled_to_the_question_points(capsys):
    grade = Grader()
    assert grade("a1.predict", namespace=reference_namespace()) == 4.0  # 2 public points of 4, all earned
    out = capsys.readouterr().out
    assert "public checks 2 / 2 points" in out and "2 more points from hidden checks" in out


# ------------------------------------------------------------------ Likely mistake: the generic catalogue

from autograder.checks import Mistake, likely_mistake  # noqa: E402


def _expected():
    return np.random.default_rng(5).standard_normal((4, 3))


def test_a_flipped_sign_is_named():
    assert "sign is flipped" in likely_mistake(-_expected(), _expected())


@pytest.mark.parametrize("factor, says", [(2.0, "factor 2"), (0.5, "factor 1/2"), (8.0, "factor n"),
                                          (1 / 8, "factor 1/n"), (3.7, "constant factor")])
def test_a_constant_factor_is_named(factor, says):
    assert says in likely_mistake(factor * _expected(), _expected(), n=8)


def test_a_transposed_square_result_is_named():
    e = np.random.default_rng(1).standard_normal((3, 3))
    assert "transposed" in likely_mistake(e.T, e)


def test_the_questions_own_catalogue_comes_first_and_a_right_answer_matches_nothing():
    e = _expected()
    own = [Mistake("you used the wrong cache.", lambda: 2 * e)]
    assert likely_mistake(2 * e, e, mistakes=own) == "you used the wrong cache."
    assert likely_mistake(e + 1.0, e, mistakes=own) is None


def test_a_shape_mistake_is_named_and_a_diagnosis_shows_in_hidden_checks():
    q = Question("test.diagnosed", "f")

    @q.check(points=1)
    def hidden_shape(student, rng):
        checks.expect_close(student(), np.ones((2, 3)), "f()")

    results = q.run({"f": lambda: np.ones((3, 2))}, hidden_seed=1)
    assert "Likely mistake: your result is transposed" in results[0].message
    del REGISTRY["test.diagnosed"]


def test_an_input_modified_in_place_is_seen_after_the_call():
    q = Question("test.in_place", "f")

    @q.check(points=1)
    def keeps_its_input(student, rng):
        w = np.zeros(3)
        student(w, np.ones(3))
        checks.expect_inputs_unchanged(student, "f(w, x)")

    bad = q.run({"f": lambda w, x: w.__iadd__(x)}, hidden_seed=1)[0]
    good = q.run({"f": lambda w, x: w + x}, hidden_seed=1)[0]
    assert not bad.passed and "argument 1" in bad.message and "Likely mistake: an input modified in place" in bad.message
    assert good.passed
    del REGISTRY["test.in_place"]


def test_an_array_of_a_dict_argument_modified_in_place_is_seen_after_the_call():
    """A dict of arrays (gradients, running averages) is an input too: an array changed in place, or an entry
    replaced, shows as the argument's entry."""
    q = Question("test.dict_in_place", "f")

    @q.check(points=1)
    def keeps_its_dict(student, rng):
        grads = {"W": np.ones(3), "b": np.zeros(2)}
        student(grads, 2.0)
        checks.expect_inputs_unchanged(student, "f(grads, c)")

    def scales_in_place(grads, c):
        grads["W"] *= c
        return grads

    def replaces_an_entry(grads, c):
        grads["W"] = grads["W"] * c
        return grads

    for bad in (scales_in_place, replaces_an_entry):
        result = q.run({"f": bad}, hidden_seed=1)[0]
        assert not result.passed and "argument 1['W']" in result.message, result.message
    assert q.run({"f": lambda grads, c: {k: v * c for k, v in grads.items()}}, hidden_seed=1)[0].passed
    del REGISTRY["test.dict_in_place"]


def test_the_summary_counts_a_question_checked_with_its_hidden_checks_too(capsys):
    """The instructor's source runs `grade.with_hidden(...)`: its public checks count in the notebook's summary."""
    from autograder import progress

    progress._RECORD.clear()
    Grader().with_hidden(123)("a1.predict", reference_namespace())
    capsys.readouterr()
    progress.summary("a1")
    line = next(row for row in capsys.readouterr().out.splitlines() if "perceptron_predict" in row)
    assert "public checks passed" in line, line
    progress._RECORD.clear()
