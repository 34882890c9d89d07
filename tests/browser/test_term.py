"""One instructor's term on the demo class, in JupyterLab and Formgrader in a real (headless) browser, with the
course's commands between: collect a Canvas zip (one late submission, one notebook saved as
``perceptron_adaline (1).ipynb``) → grade → hand-grade a written answer in Formgrader → render the feedback again →
export for Canvas → release the feedback through nbgrader's exchange. Each step's product is checked.

Screenshots go to <pytest tmp>/screenshots-term/ (the path is printed).
"""

import csv
import io
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import course, demo

from .lab import CHROMIUM_ARGS, ensure_chromium, jupyterlab, lab_url

sys.path.insert(0, str(course.REPO / "tests"))
from sandboxing import NO_SANDBOX  # noqa: E402

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

NAME = "perceptron_adaline"
ROSTER = ("id,name,sortable_name,canvas_id,sis_login_id,email\n"
          "ada,Ada Lovelace,\"Lovelace, Ada\",201,ada.l,ada@example.org\n"
          "alan,Alan Turing,\"Turing, Alan\",202,alan.t,alan@example.org\n"
          "grace,Grace Hopper,\"Hopper, Grace\",203,grace.h,grace@example.org\n")
COMMENT = "Right idea; say why a margin of zero counts as a mistake."


def _run(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _canvas_zip(path, release):
    """Canvas's "download all submissions": alan late (Canvas marks it LATE_), grace's file saved a second time."""
    subs = demo.submissions("a1", release)
    with zipfile.ZipFile(path, "w") as z:
        for member, student, when in [
                (f"lovelaceada_201_9201_{NAME}.ipynb", "reference", (2026, 9, 1, 20, 0, 0)),
                (f"turingalan_LATE_202_9202_{NAME}.ipynb", "reference", (2026, 9, 3, 10, 0, 0)),
                (f"hoppergrace_203_9203_{NAME} (1).ipynb", "a1-wrong-sign", (2026, 9, 1, 21, 0, 0))]:
            z.writestr(zipfile.ZipInfo(member, when), nbformat.writes(subs[student][f"{NAME}.ipynb"]))
    return path


@pytest.fixture(scope="module")
def browser():
    executable = ensure_chromium()
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_one_term_in_jupyterlab(browser, tmp_path):
    start = time.monotonic()
    shots = tmp_path / "screenshots-term"
    shots.mkdir()
    print(f"\nscreenshots: {shots}")
    root = tmp_path / "course"
    db_url = course.prepare(root, ["a1"]).coursedir.db_url
    config = course.write_config_file(root, db_url)
    config.write_text(config.read_text() + "c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    with Gradebook(db_url) as gb:  # the due date, as `nbgrader db assignment add a1 --duedate=...` sets it
        gb.update_or_create_assignment("a1", duedate="2026-09-01 23:59:00 UTC")
    (root / "roster.csv").write_text(ROSTER)

    # collect: three students placed, with their submission times
    out = _run("collect", "a1", "--from", str(_canvas_zip(tmp_path / "canvas.zip", root / "release")),
               "--roster", "roster.csv", "--course", ".", cwd=root)
    assert "placed 3 submissions (1 marked late by the LMS)" in out
    assert (root / "submitted" / "grace" / "a1" / f"{NAME}.ipynb").exists()
    assert (root / "submitted" / "alan" / "a1" / "timestamp.txt").read_text().startswith("2026-09-03 10:00:00")

    # grade: the summary ends with the totals, the late one penalized as nbgrader's plugin says
    out = _run("grade", "a1", "--course", ".", "--no-progress", *(["--no-sandbox"] if NO_SANDBOX else []), cwd=root)
    totals = out.split("a1: totals per student\n")[1].splitlines()
    rows = {line.split()[0]: line.split() for line in totals[1:]}
    assert rows["alan"][3] == f"-{rows['alan'][1]}" and rows["alan"][4] == "0"  # 'zero': penalty = score
    assert rows["ada"][3] == "0" and rows["ada"][1] == rows["alan"][1] and int(rows["grace"][1]) < int(rows["ada"][1])
    page_path = root / "feedback" / "alan" / "a1" / f"{NAME}.html"
    before = page_path.read_text()
    assert "Score: not graded yet / 2.0" in before and "Late submission penalty (Score: -" in before

    # hand grading in Formgrader: alan's written answer gets a score and a comment
    with jupyterlab(root, tmp_path) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(lab_url(base))
        page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click()
        page.locator(".lm-Menu-itemLabel:text-is('Formgrader')").click()
        frame = page.frame_locator("iframe").first
        frame.locator("td", has_text="a1").first.wait_for()
        page.screenshot(path=shots / "01-formgrader.png")
        frame.locator("a", has_text="Manage Students").first.click()
        frame.locator("tr", has_text="alan").first.locator("a").first.click()
        frame.locator("td a", has_text="a1").first.click()
        frame.locator("a", has_text=NAME).first.click()
        score = frame.locator("input.score#reflection")
        score.wait_for()
        page.screenshot(path=shots / "02-alan-submission.png")
        score.scroll_into_view_if_needed()
        score.fill("1.5")
        score.press("Tab")
        comment = frame.locator("textarea#reflection-comment")
        comment.fill(COMMENT)
        comment.press("Tab")
        deadline = time.time() + 30
        while time.time() < deadline:
            with Gradebook(db_url) as gb:
                grade = gb.find_grade("reflection", NAME, "a1", "alan")
                saved = (grade.manual_score, gb.find_comment("reflection", NAME, "a1", "alan").manual_comment)
            if saved == (1.5, COMMENT):
                break
            time.sleep(0.5)
        assert saved == (1.5, COMMENT)
        page.screenshot(path=shots / "03-hand-graded.png")

        # the feedback rendered again, nothing run: the hand score, the comment and the late penalty
        out = _run("feedback", "a1", "--course", ".", cwd=root)
        assert "feedback rendered again for 3 students" in out
        after = page_path.read_text()
        assert "Score: 1.5 / 2.0" in after and "say why a margin of zero counts" in after
        assert "Late submission penalty (Score: -" in after and "not graded yet" not in after
        page.goto(lab_url(base, f"feedback/alan/a1/{NAME}.html"))
        page.locator(".jp-HTMLViewer iframe, iframe").first.wait_for()
        time.sleep(2)
        page.screenshot(path=shots / "04-alan-feedback.png")
        page.close()

    # export for Canvas: ids Canvas matches on, a total where the hand grading is done, blank where it is not
    _run("export", "a1", "--format", "canvas", "--roster", "roster.csv", "--title", "Assignment 1",
         "--canvas-id", "777", "--out", "canvas.csv", cwd=root)
    canvas = list(csv.DictReader(io.StringIO((root / "canvas.csv").read_text())))
    assert [(r["ID"], r["Assignment 1 (777)"]) for r in canvas] == [("201", ""), ("202", "0"), ("203", "")]

    # release the feedback through nbgrader's exchange (its own command, with the course's config)
    done = subprocess.run([sys.executable, "-m", "nbgrader", "release_feedback", "a1"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    released = list((root / "exchange" / course.COURSE_ID / "feedback").glob("*.html"))
    assert len(released) == 3 and any("Score: 1.5 / 2.0" in p.read_text() for p in released)
    print(f"the term took {time.monotonic() - start:.0f} s")
