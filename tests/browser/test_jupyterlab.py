"""The student's and the instructor's paths through JupyterLab 4, in a real (headless) browser.

Screenshots of every step go to <pytest tmp>/screenshots/ (the path is printed).
"""

import shutil
import time

import pytest

from autograder import course

from .lab import CHROMIUM_ARGS, ensure_chromium, jupyterlab, lab_url

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

CORRECT_PREDICT = '''def perceptron_predict(w, X):
    scores = add_bias(X) @ w
    return np.where(scores >= 0, 1, -1)
'''
WRONG_UPDATE = '''def perceptron_update(w, x, y):
    x_aug = add_bias(x)
    if y * (x_aug @ w) <= 0:
        return w - y * x_aug
    return w.copy()
'''


@pytest.fixture(scope="module")
def browser():
    executable = ensure_chromium()
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def page(browser):
    p = browser.new_page(viewport={"width": 1400, "height": 1000})
    p.set_default_timeout(60_000)
    yield p
    p.close()


def wait_idle(page):
    page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(timeout=120_000)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))",
        timeout=180_000)


def fill_cell(page, panel, function, code):
    """Click into the stub's editor, select its text and type the answer, as a student would."""
    cell = panel.locator(".jp-CodeCell", has_text=f"def {function}(").first
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)


def output_of(panel, call):
    cell = panel.locator(".jp-CodeCell", has_text=call).first
    cell.scroll_into_view_if_needed()
    return cell.locator(".jp-OutputArea").inner_text()


def test_student_fills_runs_validates_and_saves(page, shots, tmp_path):
    work = tmp_path / "student"
    work.mkdir()
    notebook = work / "perceptron_adaline.ipynb"
    shutil.copy(course.REPO / "release" / "a1" / notebook.name, notebook)
    with jupyterlab(work, tmp_path) as base:
        page.goto(lab_url(base, notebook.name))
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(timeout=120_000)
        page.screenshot(path=shots / "01-student-opens-assignment.png")

        fill_cell(page, panel, "perceptron_predict", CORRECT_PREDICT)
        fill_cell(page, panel, "perceptron_update", WRONG_UPDATE)
        page.screenshot(path=shots / "02-student-fills-two-stubs.png")

        page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
        page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
        time.sleep(1)
        wait_idle(page)

        passed = output_of(panel, 'grade("a1.predict")')
        assert "all checks passed" in passed and "FAIL" not in passed
        failed = output_of(panel, 'grade("a1.update")')
        assert "FAIL" in failed and "Hint:" in failed and "expected" in failed
        assert "not implemented yet" in output_of(panel, 'grade("a1.train")')
        assert panel.locator(".jp-OutputArea-output img").count() >= 1, "the data plot is shown"
        assert panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        page.screenshot(path=shots / "03-student-reads-the-checks.png")

        page.get_by_text("Validate", exact=True).first.click()
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for()
        page.wait_for_function("() => !document.querySelector('.jp-Dialog').innerText.includes('Validating')",
                               timeout=180_000)
        report = dialog.inner_text()
        assert 'grade("a1.update")' in report and 'grade("a1.predict")' not in report
        page.screenshot(path=shots / "04-student-validates.png")
        dialog.get_by_role("button").last.click()

        panel.locator(".jp-Cell").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        deadline = time.time() + 30
        while "return w - y * x_aug" not in notebook.read_text() and time.time() < deadline:
            time.sleep(0.5)
        saved = notebook.read_text()
        assert "return w - y * x_aug" in saved and "np.where(scores >= 0, 1, -1)" in saved
        page.screenshot(path=shots / "05-student-saved.png")


def test_instructor_sees_assignments_class_and_feedback(page, shots, tmp_path, graded_demo):
    root, db_url, students = graded_demo
    course.write_config_file(root, db_url)
    with jupyterlab(root, tmp_path) as base:
        page.goto(lab_url(base))
        page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click()
        page.locator(".lm-Menu-itemLabel:text-is('Formgrader')").click()
        frame = page.frame_locator("iframe").first
        for a in students:
            frame.locator("td", has_text=a).first.wait_for()
        row = frame.locator("tr", has_text="a1").first
        assert str(len(students["a1"])) in row.inner_text()  # number of submissions
        page.screenshot(path=shots / "06-formgrader-assignments.png")

        frame.locator("a", has_text="Manage Students").first.click()
        frame.locator("tr", has_text="a1-wrong-sign").first.wait_for()
        assert frame.locator("tr", has_text="reference").count() >= 1
        page.screenshot(path=shots / "07-formgrader-students.png")

        frame.locator("tr", has_text="a1-wrong-sign").locator("a").first.click()
        frame.locator("td a", has_text="a1").first.click()
        frame.locator("a", has_text="perceptron_adaline").first.click()
        frame.locator("text=Submission").first.wait_for()
        page.screenshot(path=shots / "08-formgrader-submission.png")

        page.goto(lab_url(base, "feedback/a1-wrong-sign/a1/perceptron_adaline.html"))
        page.locator(".jp-HTMLViewer iframe, iframe").first.wait_for()
        deadline = time.time() + 30
        text = ""
        while "Score:" not in text and time.time() < deadline:
            text = " ".join(f.locator("body").inner_text() for f in page.frames[1:] if f.url.startswith("blob:")) \
                if hasattr(page.frames[0], "locator") else ""
            time.sleep(0.5)
        assert "perceptron_adaline (Score:" in text and "HIDDEN" not in text
        assert "perceptron_update  [a1.update]" in text
        page.screenshot(path=shots / "09-student-feedback.png")
