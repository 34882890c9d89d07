"""The end of a run: the summary printed for the instructor, the grades CSV and the plot of scores per question."""

from collections import Counter
from pathlib import Path
from statistics import mean, median

from .. import results


def _distribution(values, max_score):
    counts = Counter(values)
    return ", ".join(f"{v:g}: {counts[v]}" for v in sorted(counts)) + f"  (of {max_score:g})"


def _scored(scores, q):
    """The scores students have on question ``q`` (those awaiting a grade left out)."""
    return [got[q] for got in scores.values() if got.get(q) is not None]


def text(assignment, outcome, questions, scores):
    renamed, zeroed = getattr(outcome, "renamed", {}), getattr(outcome, "zeroed", {})
    lines = [f"\n{assignment}: {len(outcome.graded)} graded, {len(outcome.skipped)} unchanged since the last run "
             f"(skipped), {len(outcome.failed)} failed, {len(outcome.timed_out)} hit a time limit, "
             + (f"{len(renamed)} graded under another notebook name, " if renamed else "")
             + (f"{len(zeroed)} with a notebook missing or unreadable (0), " if zeroed else "")
             + f"in {outcome.seconds:.1f} s"]
    if getattr(outcome, "worker_deaths", 0):
        lines.append(f"  a grading worker died {outcome.worker_deaths} time(s) (killed from outside the grader, or "
                     f"the machine ran out of memory): the submissions in flight were graded again in new workers")
    for student, why in sorted(outcome.failed.items()):
        lines.append(f"  failed: {student}: {why}")
    if outcome.timed_out:
        lines.append(f"  time limit reached: {', '.join(sorted(outcome.timed_out))}")
    for student, names in sorted(getattr(outcome, "renamed", {}).items()):
        lines.append(f"  graded under another name: {student}: "
                     + ", ".join(f"`{old}` as `{new}`" for old, new in names) + " (the feedback says so)")
    for student, why in sorted(getattr(outcome, "zeroed", {}).items()):
        lines.append(f"  a notebook scored 0 as a whole: {student}: {' '.join(why)}")
    for student, cells in sorted(outcome.incomplete.items()):
        lines.append(f"  checks the grader could not complete (0 points each, reason in the feedback): {student}: "
                     f"{', '.join(cells)}")
    lines.append(f"{'question':<28}{'mean':>7}{'median':>8}   distribution (score: students)")
    for q, max_score, is_auto in questions:
        values = _scored(scores, q)
        if not values:
            lines.append(f"{q:<28}{'-':>7}{'-':>8}   awaiting hand grading" if not is_auto else f"{q:<28}  no scores")
            continue
        lines.append(f"{q:<28}{mean(values):>7.2f}{median(values):>8.2f}   {_distribution(values, max_score)}")
    return "\n".join(lines)


def plot(path, assignment, questions, scores):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    auto = [(q, m) for q, m, is_auto in questions if is_auto]
    cols = min(4, max(1, len(auto)))
    rows = (len(auto) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    for ax, (q, max_score) in zip(axes.flat, auto):
        values = _scored(scores, q)
        ax.hist(values, bins=[x - 0.25 for x in range(int(max_score) + 2)], rwidth=0.8, color="tab:blue")
        ax.set_title(f"{q.removeprefix('test_')} (max {max_score:g})", fontsize=9)
        ax.set_xlabel("score")
        ax.set_ylabel("students")
    for ax in list(axes.flat)[len(auto):]:
        ax.axis("off")
    fig.suptitle(f"{assignment}: score distribution per question ({len(scores)} students)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def report(course_root, db_url, assignment, outcome):
    """(csv path, png path, text) for the whole class as the gradebook now has it. A CSV or plot that cannot be
    written (a full disk) is None, and the text says why: the grades are in the gradebook all the same."""
    course_root = Path(course_root)
    questions, scores = results.collect(db_url, assignment)
    body = text(assignment, outcome, questions, scores)
    body += f"\n{outcome.similarity.line(course_root)}" if getattr(outcome, "similarity", None) else ""
    try:
        csv_path = results.write_rows({assignment: (questions, scores)}, course_root / f"grades-{assignment}.csv")
        png = plot(course_root / f"scores-{assignment}.png", assignment, questions, scores)
    except OSError as exc:
        body += f"\n\nthe grades CSV and the plot could not be written ({exc.strerror}); the gradebook has every grade"
        return None, None, body + f"\ngradebook:  {db_url}"
    body += f"\n\ngradebook:  {db_url}\ngrades CSV: {csv_path}\nplot:       {png}\nfeedback:   {course_root / 'feedback'}/<student>/{assignment}/"
    return csv_path, png, body + "\n\n" + totals(db_url, assignment)


def totals(db_url, assignment):
    """The per-student totals a run ends with (``export.format_totals``: autograded, by hand, late penalty)."""
    from .. import export

    return f"{assignment}: totals per student\n" + export.format_totals(export.totals(db_url, assignment))
