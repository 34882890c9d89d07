"""The last cell of every notebook: where the student stands on the public checks, and what grading adds.

``grade(...)`` records each question's public result in this kernel (``record``); ``summary("a1")`` lists every
question of the assignment with what its checks said the last time they ran here, what is still to do, and what
only grading brings (the hidden checks' points, the answers graded by hand). It grades nothing: the bulk grader
leaves this cell out, and at grading its record is empty.
"""

from dataclasses import dataclass

_RECORD = {}


@dataclass(frozen=True)
class Standing:
    """A question's public checks the last time they ran in this kernel."""

    earned: float
    public_points: float

    @property
    def passed(self):
        return self.earned >= self.public_points


def record(question_id, earned, public_points):
    """Called by ``grade(...)`` after a question's public checks ran in this kernel."""
    _RECORD[question_id] = Standing(float(earned), float(public_points))


def summary(assignment):
    """Print where this notebook stands: public checks passed, still to do, and what grading adds."""
    from . import catalog

    rows = catalog.questions(assignment)
    done, todo, lines = [], [], []
    for r in rows:
        if r.kind == "explain":
            lines.append(f"  Q{r.number:<3} a written answer, {r.hand_points:g} points, graded by hand")
            continue
        standing = _RECORD.get(r.id)
        if standing is None:
            state = "not checked yet: run its check cell"
        elif standing.passed:
            state = f"public checks passed ({standing.earned:g} / {standing.public_points:g})"
        else:
            state = f"public checks {standing.earned:g} / {standing.public_points:g}: still to do"
        (done if standing is not None and standing.passed else todo).append(f"Q{r.number}")
        lines.append(f"  Q{r.number:<3} {r.kind:<9} {r.answer}: {state}")
    hidden = sum(r.hidden_points for r in rows)
    hand = sum(r.hand_points for r in rows)
    print(f"{assignment}: {len(done)} of {len(done) + len(todo)} autograded questions pass their public checks.")
    print("\n".join(lines))
    if todo:
        print(f"Still to do: {', '.join(todo)}.")
    print(f"When your notebook is graded, hidden checks with other inputs run too ({hidden:g} more points), and the "
          f"written answers ({hand:g} points) are graded by hand. Validate's \"partial credit\" means the same: "
          f"some public checks still fail; it cannot see the hidden ones.")
