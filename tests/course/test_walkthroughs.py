"""The self-study walkthroughs in course/walkthroughs: each committed notebook has the cells of its jupytext
script and was committed executed, and each runs top to bottom without an error (in a scratch folder; the
committed notebook is never rewritten by the tests)."""

import importlib.util
import shutil
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("build_walkthroughs", REPO / "course" / "build_walkthroughs.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

SCRIPTS = build.scripts()
UNITS = ["01", "02", "03", "04", "05", "06"]


def _id(script):
    return script.stem


def test_one_walkthrough_per_unit():
    assert [s.name[:2] for s in SCRIPTS] == UNITS, "expected one walkthrough script for each of the units 1-6"


@pytest.mark.parametrize("script", SCRIPTS, ids=_id)
def test_notebook_has_the_cells_of_its_script(script):
    notebook = script.with_suffix(".ipynb")
    hint = f"rebuild with `{build.REBUILD} {script.name[:2]}`"
    assert notebook.exists(), f"{notebook.name} is missing: {hint}"
    committed = nbformat.read(notebook, as_version=4)
    assert build.cell_sources(committed) == build.cell_sources(build.notebook_from_script(script)), \
        f"{notebook.name} is stale, its cells differ from {script.name}: {hint}"
    assert "jupytext" not in committed.metadata, f"{notebook.name} carries jupytext metadata: {hint}"


@pytest.mark.parametrize("script", SCRIPTS, ids=_id)
def test_notebook_was_committed_executed(script):
    committed = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), \
        f"{script.with_suffix('.ipynb').name} was not executed: rebuild with `{build.REBUILD} {script.name[:2]}`"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any(o.get("data", {}).get("image/png") for c in code for o in c.outputs), "a walkthrough shows plots"


@pytest.mark.parametrize("script", SCRIPTS, ids=_id)
def test_walkthrough_runs_top_to_bottom(script, tmp_path):
    copy = tmp_path / script.with_suffix(".ipynb").name  # a copy of the committed notebook, outputs cleared
    shutil.copy(script.with_suffix(".ipynb"), copy)
    nb = nbformat.read(copy, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    build.execute(nb, tmp_path)  # raises CellExecutionError, naming the failing cell, on any error
    seconds = time.perf_counter() - start
    # a runaway guard, not a benchmark: 9-26 s each were measured at a load of 5-9 on 2 cores, up to 51 s at load 19
    assert seconds < 180, f"{script.name} took {seconds:.0f} s; a walkthrough should run in about 20 s"
    assert [p.name for p in tmp_path.iterdir()] == [copy.name], "a walkthrough should not write files"
