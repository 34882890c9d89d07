"""The student install, as a student gets it: the checkout's tracked files built into a wheel, installed with no
extra into a fresh virtualenv, then release notebooks executed in that virtualenv's own kernel. Slow (a few
minutes, most of it pip; its cache makes later runs faster): marked ``slow``, so ``make check`` (``-m "not slow"``) leaves it out."""

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOT_FOR_STUDENTS = ["scipy", "sklearn", "dask", "distributed", "psycopg2", "pytest", "jupytext"]
NOTEBOOKS = ["a1", "a6"]  # a6 trains on the digits

RUN_NOTEBOOK = r'''
import json, os, sys
import nbformat
from nbclient import NotebookClient

nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=600,
               resources={"metadata": {"path": os.path.dirname(sys.argv[1])}}).execute()
print(json.dumps([{"grade_id": c.metadata.get("nbgrader", {}).get("grade_id"), "ran": c.execution_count is not None,
                   "errors": [o.get("ename") for o in c.outputs if o.output_type == "error"],
                   "text": "".join(o.get("text", "") for o in c.outputs if o.output_type == "stream"),
                   "score": [o.data.get("text/plain") for o in c.outputs if o.output_type == "execute_result"]}
                  for c in nb.cells if c.cell_type == "code"]))
'''


@pytest.fixture(scope="module")
def student_venv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("student-install")
    checkout = tmp / "checkout"
    checkout.mkdir()
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(tmp / "tracked.tar", "w") as tar:  # the tracked files as they are in the work tree
        for name in filter(None, files.decode().split("\0")):
            if (REPO / name).exists():
                tar.add(REPO / name, arcname=name)
    with tarfile.open(tmp / "tracked.tar") as tar:
        tar.extractall(checkout, filter="data")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["wheel", "--no-deps", "-w", str(tmp / "wheel"), str(checkout)], check=True, timeout=600)
    wheel = next((tmp / "wheel").glob("nn_course-*.whl"))
    subprocess.run(pip + ["install", str(wheel)], check=True, timeout=1200)
    return venv, wheel, checkout


@pytest.mark.slow
def test_the_student_wheel_carries_the_library_the_checks_and_the_digits_but_no_source(student_venv):
    _, wheel, _ = student_venv
    names = zipfile.ZipFile(wheel).namelist()
    assert "backprop/datasets/digits.npz" in names and "backprop/datasets/README.md" in names
    assert "autograder/suites/a1.py" in names and "autograder/student_lab/labconfig/page_config.json" in names
    assert not [n for n in names if n.startswith(("source/", "autograder/demo/", "release/", "tests/"))]


@pytest.mark.slow
def test_the_student_install_has_none_of_the_graders_or_the_tests_tools(student_venv):
    venv, _, _ = student_venv
    code = ("import importlib.util, json; print(json.dumps([m for m in %r if importlib.util.find_spec(m)]))"
            % NOT_FOR_STUDENTS)
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                            capture_output=True, text=True, check=True).stdout
    names = {p["name"].lower() for p in json.loads(listed)}
    assert {"numpy", "matplotlib", "sympy", "jupyterlab", "nbgrader", "nn-course"} <= names


@pytest.mark.slow
def test_the_student_install_says_the_instructors_commands_need_the_grader_install(student_venv):
    venv, _, _ = student_venv
    out = subprocess.run([str(venv / "bin" / "python"), "-m", "autograder", "grade", "a1"], capture_output=True,
                         text=True)
    assert out.returncode != 0 and "pip install -e '.[grader]'" in out.stderr


@pytest.mark.slow
@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_a_release_notebook_runs_to_the_end_in_the_student_install(student_venv, assignment):
    venv, _, checkout = student_venv
    notebook = next((checkout / "release" / assignment).glob("*.ipynb"))
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "OPENBLAS_NUM_THREADS": "1"}
    env.pop("PYTHONPATH", None)
    out = subprocess.run([str(venv / "bin" / "python"), "-c", RUN_NOTEBOOK, str(notebook)], capture_output=True,
                         text=True, env=env, cwd=notebook.parent, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    cells = json.loads(out.stdout)
    assert cells[-1]["text"].strip() == str(venv / "bin" / "python")  # its own kernel, not the test's
    assert all(c["ran"] for c in cells)
    assert [c for c in cells if c["errors"]] == []  # no import error; the stubs fail inside the checks' reports
    tests = [c for c in cells if (c["grade_id"] or "").startswith("test_")]
    # every check reports (not a bare error) and the untouched stubs score nothing
    assert tests and all(c["text"].strip() and c["score"] and float(c["score"][0]) == 0 for c in tests), \
        [(c["grade_id"], c["score"], c["text"][-300:]) for c in tests if not c["score"] or float(c["score"][0])]
