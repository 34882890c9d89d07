"""The report a student reads under a test cell: what passed, what failed and why, and a hint."""

import textwrap


def format_report(question, results, hidden, notes=()):
    """Plain text (it reads the same in the notebook, in nbgrader's feedback HTML and in a terminal)."""
    earned = sum(r.earned for r in results)
    shown = sum(r.points for r in results)
    status = "all checks passed" if all(r.passed for r in results) else "some checks failed"
    scope = "" if hidden else "public checks "
    name = ", ".join(getattr(question, "answers", None) or (question.function,))
    lines = [f"{name}  [{question.id}]  {scope}{earned:g} / {shown:g} points: {status}"]
    lines += [f"  note: {note}" for note in notes]
    descriptions = {f"{question.id}.{c.name}": c.description for c in question.checks}
    for r in results:
        mark = "PASS" if r.passed else "FAIL"
        kind = "" if r.public else " (hidden)"
        lines.append(f"  {mark} [{r.points:g} pt]{kind} {descriptions[r.id]}")
        if not r.passed:
            lines += [textwrap.indent(part, "         ") for part in r.message.splitlines()]
    if not hidden:
        hidden_points = question.points - question.public_points
        if hidden_points:
            lines.append(f"  ... and {hidden_points:g} more point{'' if hidden_points == 1 else 's'} from hidden checks, "
                         f"run when your notebook is graded "
                         f"(the value below is your public share, scaled to {question.points:g} points).")
    return "\n".join(lines)
