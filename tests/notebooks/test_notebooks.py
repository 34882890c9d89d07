"""Every assignment: the pair is in sync, release/ is nbgrader's output, the source scores full marks, the
untouched release runs top to bottom and scores zero, and the points in the notebook match the suite."""

import concurrent.futures
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import course, pairing
from autograder.grading import find_question
from autograder.question import REGISTRY

ASSIGNMENTS = course.assignments()
GRADE_CALL = re.compile(r'^grade\("([\w.]+)"\)\s*$', re.MULTILINE)


def notebooks(folder):
    return sorted((course.REPO / folder).glob("*/*.ipynb"))


def execute(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


@pytest.fixture(scope="session")
def executed(request):
    """{path: Future of the executed notebook} for the notebooks the selected tests execute, two kernels at a time
    (each kernel keeps one BLAS thread, so two use both cores); a test waits only for its own notebook."""
    wanted = {item.callspec.params["path"] for item in request.session.items
              if item.path == Path(__file__) and hasattr(item, "callspec") and "path" in item.callspec.params
              and "runs_top_to_bottom" in item.name}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        # the slowest first (the capstone trains its network), so the two kernels finish together
        yield {path: pool.submit(execute, path) for path in sorted(wanted, key=lambda p: (p.parent.name != "a7",
                                                                                          str(p)))}


def grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


def errors(nb):
    return [(c.metadata.get("nbgrader", {}).get("grade_id", c.get("id")), o.ename, o.evalue)
            for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def score(cell):
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert not [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"], "stderr zeroes a cell"
    assert len(results) == 1, f"{cell.metadata.nbgrader.grade_id} must end with its score"
    return float(results[0]["data"]["text/plain"])


def test_every_script_and_notebook_pair_is_in_sync():
    assert pairing.out_of_sync() == [], "run `make release` after editing a source .py"


def test_release_is_a_fresh_nbgrader_generation(tmp_path):
    course.generate_release(tmp_path)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(course.REPO / "release") for p in (course.REPO / "release").rglob("*")
                       if p.is_file())
    assert fresh == committed, "release/ and a fresh generation hold different files: run `make release`"
    for rel in fresh:
        assert json.loads((tmp_path / rel).read_text()) == json.loads((course.REPO / "release" / rel).read_text()), \
            f"release/{rel} drifted from its source: run `make release`"


@pytest.mark.parametrize("path", notebooks("source"), ids=lambda p: p.parent.name)
def test_points_in_the_notebook_equal_the_checks_points(path):
    nb = nbformat.read(path, as_version=4)
    used = []
    for cell in grade_cells(nb):
        ids = GRADE_CALL.findall(cell.source)
        assert len(ids) == 1, f"test cell {cell.metadata.nbgrader.grade_id} must call grade(...) once"
        question = find_question(ids[0])
        assert cell.metadata.nbgrader.points == question.points, f"{ids[0]}: cell points differ from its checks"
        assert "### BEGIN HIDDEN TESTS" in cell.source
        assert question.points > question.public_points or question.kind == "derive", \
            f"{ids[0]}: an implement question has hidden checks too (a derive answer is checked in full in public)"
        used.append(ids[0])
    suite = sorted(q for q, question in REGISTRY.items() if q.startswith(path.parent.name + ".")
                   and question.kind != "explain")
    assert sorted(used) == suite, "every question of the suite has exactly one test cell"


@pytest.mark.parametrize("path", notebooks("source"), ids=lambda p: p.parent.name)
def test_source_runs_top_to_bottom_with_full_marks(path, executed):
    nb = executed[path].result()
    assert errors(nb) == []
    for cell in grade_cells(nb):
        assert score(cell) == cell.metadata.nbgrader.points, cell.metadata.nbgrader.grade_id


@pytest.mark.parametrize("path", notebooks("release"), ids=lambda p: p.parent.name)
def test_release_runs_top_to_bottom_with_zero(path, executed):
    nb = executed[path].result()
    assert errors(nb) == [], "a demonstration cell must wait for its functions (with when_ready())"
    for cell in grade_cells(nb):
        assert score(cell) == 0, cell.metadata.nbgrader.grade_id
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert "not implemented yet" in text or "not answered yet" in text


@pytest.mark.parametrize("path", notebooks("release"), ids=lambda p: p.parent.name)
def test_release_carries_no_hidden_tests_solutions_or_pairing(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "HIDDEN TESTS" not in text and "with_hidden" not in text and "BEGIN SOLUTION" not in text
    assert "jupytext" not in nb.metadata
    source = nbformat.read(course.REPO / "source" / path.parent.name / path.name, as_version=4)
    answers = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers, "an assignment has something to answer"
