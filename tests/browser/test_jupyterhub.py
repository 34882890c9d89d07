"""The course on a JupyterHub, in a real (headless) browser, with real local accounts: nbgrader's exchange from
release to returned feedback.

The hub is the course's own (hub/jupyterhub_config.py: PAM logins, each user's JupyterLab as that user); the
accounts, the hub's environment and the instructor's course folder come from `make hub-users` (as root); the test
skips, saying so, without them. Every step a user takes is done in the browser: logins, Formgrader (in its own
tab: JupyterHub forbids framing a user's server, so Formgrader cannot open inside Lab there), the Assignments tab,
Validate, the instructor's terminal for `python -m autograder grade`, a hand grade, nbgrader's Generate and Release
Feedback buttons, the students' Fetch Feedback. Screenshots of every step go to <pytest tmp>/hub-screenshots/ (the
path is printed); at the end a table gives each step's time, and another what each user could and could not read.
"""

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from autograder import course
from autograder.demo import a1 as a1_bugs

from . import hub
from .lab import CHROMIUM_ARGS, ensure_chromium

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(hub.why_not() is not None, reason=hub.why_not() or "")

NOTEBOOK = "perceptron_adaline.ipynb"
COURSE_EXCHANGE = hub.EXCHANGE / course.COURSE_ID
RIGHT = {
    "perceptron_predict": '''def perceptron_predict(w, X):
    scores = add_bias(X) @ w
    return np.where(scores >= 0, 1, -1)
''',
    "perceptron_update": '''def perceptron_update(w, x, y):
    x_aug = add_bias(x)
    if y * (x_aug @ w) <= 0:
        return w + y * x_aug
    return w.copy()
''',
}
WRONG = {bug.student: bug.cells for bug in a1_bugs.BUGS}
# Each student fills two stubs, one right and one wrong (a classic mistake from the demo class), and writes the
# reflection that the instructor grades by hand.
ANSWERS = {
    "hubstudent1": {"perceptron_predict": RIGHT["perceptron_predict"],
                    "perceptron_update": WRONG["a1-wrong-sign"]["perceptron_update"]},
    "hubstudent2": {"perceptron_predict": WRONG["a1-no-bias"]["perceptron_predict"],
                    "perceptron_update": RIGHT["perceptron_update"]},
}
REFLECTION = "The perceptron stops once every sample is on its side; ADALINE keeps minimising the squared error."
HAND_SCORE = 2  # of the reflection's 2 points, given to hubstudent1 in Formgrader


class Steps:
    """Each step's wall time and its screenshot; the table printed at the end."""

    def __init__(self, folder):
        self.folder, self.rows, self.visibility = folder, [], []

    @contextlib.contextmanager
    def __call__(self, name, page=None):
        """Time the block; then a screenshot of ``page`` (or of the page the block sets as ``.page``)."""
        start = time.time()
        holder = type("Step", (), {"page": page})()
        try:
            yield holder
        finally:
            shot = self.folder / f"{len(self.rows) + 1:02d}-{name}.png"
            with contextlib.suppress(Exception):
                holder.page.screenshot(path=shot)
            self.rows.append((name, time.time() - start, shot.name))

    def report(self):
        lines = ["", f"screenshots: {self.folder}", "", f"{'step':44} {'seconds':>8}  screenshot"]
        lines += [f"{name:44} {secs:8.1f}  {shot}" for name, secs, shot in self.rows]
        lines.append(f"{'total':44} {sum(s for _, s, _ in self.rows):8.1f}")
        if self.visibility:
            lines += ["", f"{'user':15} {'path':62} result"]
            lines += [f"{user:15} {path:62} {result}" for user, path, result in self.visibility]
        return "\n".join(lines)


# ---------------------------------------------------------------- the users' state, reset before the loop

def _owned_write(user, path, text):
    path = Path(path)
    entry = pwd.getpwnam(user)
    for parent in reversed(path.parents):
        if str(parent).startswith(entry.pw_dir + "/") and not parent.exists():
            parent.mkdir(mode=0o700)
            os.chown(parent, entry.pw_uid, entry.pw_gid)
    path.write_text(text)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _reset():
    """A clean start for the test accounts: no course in the exchange, the instructor's course folder without
    generated files, the students without fetched work; each user's Lab settings for a test (every cell rendered;
    the terminal's text readable)."""
    shutil.rmtree(COURSE_EXCHANGE, ignore_errors=True)
    folder = hub.home(hub.INSTRUCTOR) / "course"
    for name in ("release", "submitted", "autograded", "feedback", "exchange"):
        shutil.rmtree(folder / name, ignore_errors=True)
    for name in ("gradebook.db", "grades-a1.csv", "scores-a1.png", "grade-a1.log"):
        (folder / name).unlink(missing_ok=True)
    for user in (hub.INSTRUCTOR, *hub.STUDENTS):
        home = hub.home(user)
        for name in ("a1", ".local/share/jupyter/nbgrader_cache", ".jupyter/lab/workspaces"):
            shutil.rmtree(home / name, ignore_errors=True)
        for probe in home.glob("Untitled*.ipynb"):
            probe.unlink()
        settings = home / ".jupyter/lab/user-settings/@jupyterlab"
        _owned_write(user, settings / "notebook-extension/tracker.jupyterlab-settings",
                     json.dumps({"windowingMode": "none"}))
        _owned_write(user, settings / "terminal-extension/plugin.jupyterlab-settings",
                     json.dumps({"screenReaderMode": True}))


def _leftover_processes():
    """PIDs of processes of the test accounts (their servers, kernels, terminals) still running."""
    uids = {str(pwd.getpwnam(u).pw_uid) for u in (hub.INSTRUCTOR, *hub.STUDENTS)}
    out = subprocess.run(["ps", "-eo", "pid=,uid="], capture_output=True, text=True).stdout.split("\n")
    return [int(line.split()[0]) for line in out if line.strip() and line.split()[1] in uids]


@pytest.fixture(scope="module")
def browser():
    executable = ensure_chromium()
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def running_hub(tmp_path):
    _reset()
    before = set(_leftover_processes())
    with hub.jupyterhub(tmp_path) as base:
        yield base
    # The hub stops every user's server as it shuts down; anything of theirs the test started and still running
    # (a kernel whose server died) is ended by its PID.
    time.sleep(2)
    for pid in set(_leftover_processes()) - before:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- browser helpers

def login(browser, base, user):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{base}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/lab**", timeout=180_000)
    page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").wait_for(timeout=180_000)
    return page


def lab(page, base, user, path=""):
    """The user's Lab in a fresh workspace (no restored tabs racing the test), optionally opening ``path``."""
    tree = f"/tree/{path}" if path else ""
    page.goto(f"{base}/user/{user}/lab/workspaces/{uuid.uuid4().hex}{tree}")
    page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").wait_for(timeout=120_000)


def menu(page, *labels):
    page.locator(f".lm-MenuBar-itemLabel:text-is('{labels[0]}')").click()
    for label in labels[1:]:
        page.locator(f".lm-Menu:visible .lm-Menu-itemLabel:text-is('{label}')").last.click()


def nbgrader_menu_items(page):
    page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click()
    items = [t.strip() for t in page.locator(".lm-Menu:visible .lm-Menu-itemLabel").all_inner_texts() if t.strip()]
    page.keyboard.press("Escape")
    return items


def wait_idle(page):
    page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(timeout=180_000)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))",
        timeout=180_000)


def wait_for(predicate, timeout=120, what="a condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def formgrader(page, base):
    """Formgrader in its own tab, as nbgrader documents for JupyterHub 4.1 and later; the a1 row once loaded."""
    page.goto(f"{base}/user/{hub.INSTRUCTOR}/formgrader")
    row = page.locator("#main-table tr", has=page.locator("td.name[data-order='a1']"))
    row.wait_for(timeout=120_000)
    return row


def formgrader_action(page, row, cell):
    """Click an action of the a1 row (generate, release, collect, feedback), confirm it if Formgrader asks, and read
    the dialog that reports how it went."""
    row.locator(f"td.{cell} a").click()
    for _ in range(3):
        dialog = page.locator(".modal-dialog:visible").first
        dialog.wait_for(timeout=300_000)
        time.sleep(0.5)
        title = dialog.locator(".modal-title").inner_text()
        if "Success" in title or "Error" in title or "rror" in title:
            break
        dialog.locator(".modal-footer .btn-primary").last.click()  # a confirmation
        page.wait_for_function("t => !document.querySelector('.modal-dialog .modal-title') || "
                               "document.querySelector('.modal-dialog .modal-title').innerText !== t", arg=title)
    text = dialog.inner_text()
    assert "Success" in title, f"Formgrader's {cell}: {text[:3000]}"
    return dialog, text


def close_dialog(page, dialog):
    dialog.locator(".modal-footer button").last.click()
    page.wait_for_function("() => !document.querySelector('.modal-dialog') || "
                           "!document.querySelector('.modal-dialog').offsetParent", timeout=30_000)
    time.sleep(0.5)


def assignment_list(page):
    menu(page, "Nbgrader", "Assignment List")
    page.locator("#assignments").first.wait_for()
    return page.locator("#assignments").first


def fill_code(page, panel, function, code):
    cell = panel.locator(".jp-CodeCell", has_text=f"def {function}(").first
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)


def fill_markdown(page, panel, text):
    cell = panel.locator(".jp-MarkdownCell", has_text="YOUR ANSWER HERE").first
    cell.scroll_into_view_if_needed()
    cell.dblclick()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    page.keyboard.press("Shift+Enter")


def save(page, panel, path, must_contain):
    panel.locator(".jp-Cell").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    wait_for(lambda: path.exists() and all(s in path.read_text() for s in must_contain), 60, f"{path} saved")


def run_probe(page, base, user, paths):
    """In a new notebook of the user's own (their kernel runs as them), try to read each path; returns
    {path: 'readable' | 'denied (...)' | 'absent'}."""
    lab(page, base, user)
    page.locator(".jp-LauncherCard[data-category='Notebook']").first.click()
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-Cell .cm-content").first.wait_for()
    wait_idle(page)
    code = ("import os\n"
            f"for p in {list(map(str, paths))!r}:\n"
            "    try:\n"
            "        os.listdir(p) if os.path.isdir(p) else open(p, 'rb').read(1)\n"
            "        print('PROBE', p, 'readable')\n"
            "    except FileNotFoundError:\n"
            "        print('PROBE', p, 'absent')\n"
            "    except OSError as e:\n"
            "        print('PROBE', p, 'denied (' + type(e).__name__ + ')')\n"
            "import autograder, pathlib\n"
            "print('PACKAGE', pathlib.Path(autograder.__file__).parent)\n")
    panel.locator(".jp-Cell .cm-content").first.click()
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")
    out = panel.locator(".jp-OutputArea-output", has_text="PACKAGE").first
    out.wait_for(timeout=120_000)
    text = out.inner_text()
    results = dict(re.findall(r"^PROBE (\S+) (.+)$", text, re.M))
    results["(the course package it imports)"] = re.search(r"^PACKAGE (\S+)", text, re.M).group(1)
    return results


def html_viewer_text(page, needle, timeout=60):
    """The text of the HTML file open in Lab's viewer (an iframe of a blob)."""
    def read():
        texts = []
        with contextlib.suppress(Exception):
            texts.append(page.frame_locator(".jp-MainAreaWidget:not(.lm-mod-hidden) iframe").first
                         .locator("body").inner_text(timeout=5000))
        for frame in page.frames[1:]:
            with contextlib.suppress(Exception):
                texts.append(frame.locator("body").inner_text(timeout=2000))
        text = " ".join(texts)
        return text if needle in text else None
    return wait_for(read, timeout, f"{needle!r} in the HTML viewer")


def terminal_text(page):
    texts = page.locator(".jp-Terminal:visible .xterm-accessibility-tree, .jp-Terminal:visible .xterm-rows")
    return "\n".join(texts.all_inner_texts())


# ---------------------------------------------------------------- the loop

def test_release_fetch_submit_collect_grade_hand_grade_feedback(browser, running_hub, tmp_path_factory):
    base = running_hub
    steps = Steps(tmp_path_factory.mktemp("hub-screenshots"))
    print(f"\nscreenshots: {steps.folder}")
    course_folder = hub.home(hub.INSTRUCTOR) / "course"
    try:
        _loop(browser, base, steps, course_folder)
    finally:
        print(steps.report())


def _loop(browser, base, step, course_folder):
    with step("instructor-logs-in") as now:
        instructor = now.page = login(browser, base, hub.INSTRUCTOR)
        assert {"Formgrader", "Assignment List"} <= set(nbgrader_menu_items(instructor))

    # -- the instructor generates the student version of a1 and releases it through the exchange
    with step("instructor-generates-a1", instructor):
        row = formgrader(instructor, base)
        dialog, _ = formgrader_action(instructor, row, "assign")
    close_dialog(instructor, dialog)
    with step("instructor-releases-a1", instructor):
        dialog, _ = formgrader_action(instructor, row, "release")
        close_dialog(instructor, dialog)
        row.locator("td.status", has_text="released").wait_for()
    outbound = COURSE_EXCHANGE / "outbound" / "a1" / NOTEBOOK
    assert outbound.exists()
    modes = {d: oct((COURSE_EXCHANGE / d).stat().st_mode & 0o7777) for d in ("inbound", "outbound")}
    assert modes == {"inbound": "0o2733", "outbound": "0o755"}, modes  # nbgrader's own modes

    # -- each student: fetch, fill two stubs (one right, one wrong) and the reflection, validate, submit
    students = {}
    for user in hub.STUDENTS:
        with step(f"{user}-logs-in") as now:
            page = students[user] = now.page = login(browser, base, user)
            items = nbgrader_menu_items(page)
            assert "Formgrader" not in items and "Assignment List" in items, items
            assert page.request.get(f"{base}/user/{user}/formgrader").status == 404
        with step(f"{user}-fetches-a1", page):
            tab = assignment_list(page)
            released = tab.locator("#released_assignments_list .list_item", has_text="a1")
            released.locator("button", has_text="Fetch").click()
            tab.locator("#fetched_assignments_list .list_item", has_text="a1").first.wait_for()
        notebook = hub.home(user) / "a1" / NOTEBOOK
        assert notebook.exists() and notebook.stat().st_uid == pwd.getpwnam(user).pw_uid

        with step(f"{user}-fills-stubs", page):
            lab(page, base, user, f"a1/{NOTEBOOK}")
            panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
            page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(timeout=120_000)
            for function, code in ANSWERS[user].items():
                fill_code(page, panel, function, code)
            fill_markdown(page, panel, REFLECTION)
            save(page, panel, notebook, [REFLECTION, *(c.splitlines()[1].strip() for c in ANSWERS[user].values())])

        with step(f"{user}-validates", page):
            page.get_by_text("Validate", exact=True).first.click()
            dialog = page.locator(".jp-Dialog")
            dialog.wait_for()
            page.wait_for_function("() => !document.querySelector('.jp-Dialog').innerText.includes('Validating')",
                                   timeout=180_000)
            report = dialog.inner_text()
            wrong = "a1.update" if user == "hubstudent1" else "a1.predict"
            right = "a1.predict" if user == "hubstudent1" else "a1.update"
            assert f'grade("{wrong}")' in report and f'grade("{right}")' not in report, report[:3000]
        dialog.get_by_role("button").last.click()

        with step(f"{user}-submits", page):
            tab = assignment_list(page)
            fetched = tab.locator("#fetched_assignments_list .list_item", has_text="a1").first
            fetched.locator("button", has_text="Submit").first.click()
            tab.locator("#submitted_assignments_list .list_item", has_text="a1").first.wait_for(timeout=120_000)

    # -- the instructor collects, grades with the course's grader in a terminal of their own, hand-grades
    with step("instructor-collects", instructor):
        row = formgrader(instructor, base)
        dialog, _ = formgrader_action(instructor, row, "collect")
        close_dialog(instructor, dialog)
        row = formgrader(instructor, base)
        assert row.locator("td.num-submissions").inner_text().strip() == "2"
    for user in hub.STUDENTS:
        assert (course_folder / "submitted" / user / "a1" / NOTEBOOK).exists()

    with step("instructor-grades-in-terminal", instructor):
        lab(instructor, base, hub.INSTRUCTOR)
        menu(instructor, "File", "New", "Terminal")
        term = instructor.locator(".jp-Terminal:visible").first
        term.wait_for()
        time.sleep(2)
        term.click()
        instructor.keyboard.type("cd ~/course && whoami && python -m autograder grade a1 --course . --no-progress "
                                 "2>&1 | tee grade-a1.log; echo \"grader exit status ${PIPESTATUS[0]}\"\n")
        log = course_folder / "grade-a1.log"
        wait_for(lambda: "grader exit status" in terminal_text(instructor), 600, "the grader's exit status")
    text = log.read_text()
    assert "2 graded" in text and "0 failed" in text, text
    assert "grader exit status 0" in terminal_text(instructor)
    gradebook = course_folder / "gradebook.db"
    assert gradebook.stat().st_uid == pwd.getpwnam(hub.INSTRUCTOR).pw_uid  # written by the instructor, not root

    with step("instructor-hand-grades-reflection", instructor):
        instructor.goto(f"{base}/user/{hub.INSTRUCTOR}/formgrader/gradebook/a1/{NOTEBOOK[:-6]}")
        link = instructor.locator("a.name-shown", has_text="hubstudent1").first
        link.wait_for(state="attached")
        instructor.goto(base + link.get_attribute("href"))
        score = instructor.locator("input.score#reflection")
        score.wait_for()
        assert REFLECTION in instructor.locator(".nbgrader_cell", has=score).first.inner_text() or \
            REFLECTION in instructor.content()
        instructor.wait_for_load_state("networkidle")  # the grades are loaded after the page, and shown again
        for _ in range(3):
            score.fill(str(HAND_SCORE))
            score.press("Tab")  # Formgrader saves a score when it changes
            with contextlib.suppress(AssertionError):
                wait_for(lambda: _manual_score(gradebook, "hubstudent1", "reflection") == HAND_SCORE, 20,
                         "the hand grade in the gradebook")
                break
        assert _manual_score(gradebook, "hubstudent1", "reflection") == HAND_SCORE
        score.scroll_into_view_if_needed()

    # -- feedback with nbgrader's own commands: Formgrader's Generate Feedback and Release Feedback buttons
    with step("instructor-generates-feedback", instructor):
        row = formgrader(instructor, base)
        dialog, _ = formgrader_action(instructor, row, "generate-feedback")
        close_dialog(instructor, dialog)
    with step("instructor-releases-feedback", instructor):
        row = formgrader(instructor, base)
        dialog, _ = formgrader_action(instructor, row, "release-feedback")
        close_dialog(instructor, dialog)
    assert len(list((COURSE_EXCHANGE / "feedback").glob("*.html"))) == 2
    assert oct((COURSE_EXCHANGE / "feedback").stat().st_mode & 0o7777) == "0o711"  # nbgrader's: nobody lists it

    # -- each student fetches their own feedback and reads their scores and the diagnosis
    expected = {"hubstudent1": ("perceptron_update", "a1.update"), "hubstudent2": ("perceptron_predict", "a1.predict")}
    for user, page in students.items():
        with step(f"{user}-fetches-feedback", page):
            lab(page, base, user)
            tab = assignment_list(page)
            submitted = tab.locator("#submitted_assignments_list .list_item", has_text="a1").first
            submitted.locator("button", has_text="Fetch Feedback").click()
            submitted.locator("a", has_text="view feedback").first.wait_for(timeout=120_000)
        fetched = hub.home(user) / "a1" / "feedback"
        feedback = wait_for(lambda fetched=fetched: sorted(fetched.glob(f"*/{NOTEBOOK[:-6]}.html")), 30,
                            "the feedback file")[-1]
        with step(f"{user}-reads-feedback", page):
            lab(page, base, user, str(feedback.relative_to(hub.home(user))))
            text = html_viewer_text(page, "Score:")
            function, question = expected[user]
            total = re.search(rf"{NOTEBOOK[:-6]} \(Score: ([0-9.]+) / ([0-9.]+)\)", text)
            assert total and "HIDDEN" not in text, text[:2000]
            # the diagnosis of the wrong stub: which checks failed, what differed, and a hint
            assert f"{function}  [{question}]" in text and "some checks failed" in text and "Hint:" in text
            if user == "hubstudent1":  # 4 (predict) + 1 (update: the check that w is left alone) + 2 by hand
                assert total.group(1) == "7.0" and f"Written response (Score: {HAND_SCORE:.1f} / 2.0)" in text
            else:  # 1 (predict without its bias) + 4 (update); the reflection not graded by hand yet
                assert total.group(1) == "5.0", total.group(0)
            step.visibility.append((user, "their feedback page", total.group(0)))

    # -- what each user can and cannot read, tried from each user's own kernel
    other = {"hubstudent1": "hubstudent2", "hubstudent2": "hubstudent1"}
    instructor_home = hub.home(hub.INSTRUCTOR)
    for user, page in students.items():
        paths = [hub.home(user) / "a1" / "feedback",
                 COURSE_EXCHANGE / "outbound" / "a1" / NOTEBOOK,
                 hub.home(other[user]),
                 hub.home(other[user]) / "a1" / NOTEBOOK,
                 COURSE_EXCHANGE / "inbound",
                 COURSE_EXCHANGE / "feedback",
                 instructor_home / "course" / "source" / "a1" / NOTEBOOK,
                 instructor_home / "nn-course" / "source" / "a1" / NOTEBOOK,
                 instructor_home / "course" / "gradebook.db",
                 instructor_home / "course" / "submitted" / other[user] / "a1" / NOTEBOOK]
        with step(f"{user}-tries-others-files", page):
            seen = run_probe(page, base, user, paths)
        step.visibility += [(user, p, r) for p, r in seen.items()]
        own, release_nb, *forbidden = map(str, paths)
        assert seen[own] == "readable" and seen[release_nb] == "readable", seen
        assert all(seen[p].startswith("denied") for p in forbidden), seen
        package = Path(seen["(the course package it imports)"])
        assert str(package).startswith(str(hub.VENV)), package  # the hub's student install, not a checkout
        assert not (package.parent / "source").exists() and not (package.parent.parent / "source").exists()

    paths = [course_folder / "gradebook.db", course_folder / "submitted" / "hubstudent1" / "a1" / NOTEBOOK,
             hub.home("hubstudent1"), COURSE_EXCHANGE / "inbound"]
    with step("instructor-tries-students-homes", instructor):
        seen = run_probe(instructor, base, hub.INSTRUCTOR, paths)
    step.visibility += [(hub.INSTRUCTOR, p, r) for p, r in seen.items()]
    assert seen[str(paths[0])] == seen[str(paths[1])] == seen[str(paths[3])] == "readable", seen
    assert seen[str(paths[2])].startswith("denied"), seen


def _manual_score(gradebook, student, grade_id):
    with contextlib.closing(sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True)) as db:
        row = db.execute(
            "select g.manual_score from grade g join base_cell c on g.cell_id = c.id "
            "join submitted_notebook n on g.notebook_id = n.id join submitted_assignment a on n.assignment_id = a.id "
            "where a.student_id = ? and c.name = ?", (student, grade_id)).fetchone()
    return row and row[0]
