"""The same sandbox without root: the demo class graded by an ordinary user (`make grader-user` creates it, with a
copy of this checkout and a virtualenv of its own) gets exactly the scores root's grading gives."""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder import course, results
from sandboxing import NO_SANDBOX

USER = "coursegrader"


def _user_checkout():
    """(the user's name, its checkout), or a reason to skip."""
    if os.geteuid() != 0 or not shutil.which("runuser"):
        return None, "grading as another user needs root (to run `runuser`)"
    try:
        home = Path(pwd.getpwnam(USER).pw_dir)
    except KeyError:
        return None, f"no user {USER!r}: `make grader-user` creates it (as root)"
    if not (home / "checkout" / ".venv" / ".installed").exists():
        return None, f"{USER!r} has no checkout with a virtualenv: `make grader-user` makes them"
    if NO_SANDBOX:
        return None, f"no sandbox can be drawn here: {NO_SANDBOX}"
    return home / "checkout", None


CHECKOUT, WHY_NOT = _user_checkout()
pytestmark = pytest.mark.skipif(CHECKOUT is None, reason=WHY_NOT or "")


def _as_user(*command, timeout=600):
    python = str(CHECKOUT / ".venv" / "bin" / "python")
    env = {"PATH": f"{CHECKOUT / '.venv' / 'bin'}:/usr/bin:/bin", "HOME": str(CHECKOUT.parent), "MPLBACKEND": "Agg",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8"}
    return subprocess.run([shutil.which("runuser"), "-u", USER, "--", python, *command], capture_output=True, text=True,
                          env=env, cwd=CHECKOUT, timeout=timeout)


# The assignments graded as the ordinary user: a1 (and its snooping student), a3 (objects left in the student's
# process as handles), a4 (layers that ask the grader). The others cross nothing these do not; grading them all
# again as a second user would double the suite's longest part.
AS_USER = ["a1", "a3", "a4"]


@pytest.fixture(scope="module")
def user_class():
    """A course folder of the user's own, with the demo class of ``AS_USER``, graded by the user."""
    root = Path(tempfile.mkdtemp(prefix="user-course-"))
    shutil.chown(root, USER, USER)
    built = _as_user("-c", "import sys\nfrom autograder import course, demo\nids = sys.argv[2].split(',')\n"
                           "course.prepare(sys.argv[1], ids); demo.build_class(sys.argv[1], ids)", str(root / "course"),
                     ",".join(AS_USER))
    assert built.returncode == 0, built.stderr[-2000:]
    _add_snoop(root / "course")
    for a in AS_USER:
        graded = _as_user("-m", "autograder", "grade", a, "--course", str(root / "course"), "--no-progress")
        assert graded.returncode == 0, graded.stdout[-1000:] + graded.stderr[-2000:]
        assert "0 failed" in graded.stdout
    yield root / "course"
    shutil.rmtree(root, ignore_errors=True)


def _add_snoop(course_root):
    """One more a1 student, whose first answer cell tries the hidden tests, the gradebook and the network."""
    import nbformat

    import hostile

    reference = course_root / "submitted" / "reference" / "a1" / hostile.NB
    nb = nbformat.read(reference, as_version=4)
    paths = {"source_nb": str(CHECKOUT / "source" / "a1" / hostile.NB), "gradebook": str(course_root / "gradebook.db"),
             "course": str(course_root)}
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "perceptron_predict")
    cell.source += "\n" + hostile.SNOOP.format(**paths)
    folder = course_root / "submitted" / "user-snoop" / "a1"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / hostile.NB)
    shutil.chown(folder.parent, USER, USER)
    shutil.chown(folder, USER, USER)
    shutil.chown(folder / hostile.NB, USER, USER)


@pytest.mark.parametrize("assignment", AS_USER)
def test_an_ordinary_user_gets_the_same_scores_as_root(demo_class, user_class, assignment):
    _, root_scores = results.collect(demo_class.graded(assignment).db_url, assignment)
    _, user_scores = results.collect(course.database_url(None, user_class), assignment)
    user_scores.pop("user-snoop", None)
    assert user_scores == {s: root_scores[s] for s in user_scores} and set(user_scores) == set(root_scores)


def test_as_an_ordinary_user_the_hidden_tests_and_the_gradebook_are_out_of_reach(user_class):
    import nbformat

    nb = nbformat.read(user_class / "autograded" / "user-snoop" / "a1" / "perceptron_adaline.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "SNOOP: nothing readable" in text
    _, scores = results.collect(course.database_url(None, user_class), "a1")
    assert max(v for v in scores["user-snoop"].values() if v is not None) <= 4  # nothing wrote a grade


def test_the_user_grades_in_the_sandbox_and_cannot_read_root_files(user_class):
    probe = _as_user("-c", "from autograder.bulk import sandbox\nprint(sandbox.problem())\n"
                           "import os\nprint(os.access('/root', os.R_OK))")
    assert probe.stdout.split() == ["None", "False"], probe.stdout + probe.stderr
