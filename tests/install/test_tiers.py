"""The install tiers (README.md, "Install"): what each `python -m autograder` subcommand needs and says when it is
missing, the student Lab's settings, the project's own message on an unsupported Python, a grade run without
warnings. The student install itself, in a fresh virtualenv, is tested in test_student_venv.py."""

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from autograder import __main__ as cli
from autograder import course

REPO = course.REPO


def _python310():
    """A Python 3.10 that runs (a pyenv shim may exist without one), or None."""
    for candidate in [shutil.which("python3.10"), *sorted(Path("/root/.pyenv/versions").glob("3.10*/bin/python3.10"))]:
        try:
            ok = candidate and subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 10)"],
                                              capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return str(candidate)
    return None


PY310 = _python310()


def run(*args, **kw):
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"], **kw.pop("env", {})}
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=kw.pop("cwd", REPO), **kw)


@pytest.mark.parametrize("command", ["release", "demo", "grade"])
def test_an_instructors_command_without_the_grader_install_says_which_install_to_add(command, monkeypatch):
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("jupytext", "dask", "distributed", "psycopg2") else real(name, *a))
    with pytest.raises(SystemExit) as stop:
        cli.main([command, "a1"] if command == "grade" else [command])
    assert "needs the grader install" in str(stop.value) and "pip install -e '.[grader]'" in str(stop.value)


def test_the_dev_install_has_everything_the_instructors_commands_need():
    assert not any(cli.missing(c) for c in cli.NEEDS)


def test_the_command_line_imports_neither_jupytext_nor_dask_until_a_subcommand_needs_them():
    code = ("import sys; from autograder import __main__ as m; m.main.__doc__; "
            "print(sorted(k for k in ('jupytext', 'dask', 'distributed', 'psycopg2', 'sklearn') if k in sys.modules))")
    assert run(sys.executable, "-c", code, check=True).stdout.strip() == "[]"


def test_lab_starts_jupyterlab_with_the_student_settings_first(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli.os, "execve", lambda exe, argv, env: seen.update(argv=argv, env=env))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/elsewhere")
    cli.main(["lab", "--port", "9999", "release/a1"])
    assert seen["argv"][1:] == ["-m", "jupyter", "lab", "--port", "9999", "release/a1"]
    first, rest = seen["env"]["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert Path(first) == REPO / "autograder" / "student_lab" and rest == "/elsewhere"


def test_the_student_settings_keep_validate_and_switch_off_the_instructors_extensions_and_the_news():
    settings = REPO / "autograder" / "student_lab"
    server = json.loads((settings / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    assert "nbgrader.server_extensions.validate_assignment" not in extensions
    assert server["LabApp"]["news_url"] is None
    disabled = json.loads((settings / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyterlab/apputils-extension:announcements"} <= {k for k, v in disabled.items() if v}
    assert "@jupyter/nbgrader:validate-assignment" not in disabled


@pytest.mark.skipif(PY310 is None, reason="no Python 3.10 on this machine to try")
@pytest.mark.parametrize("package", ["backprop", "autograder"])
def test_an_unsupported_python_gets_the_projects_own_message_at_import(package):
    out = run(str(PY310), "-c", f"import {package}", env={"PYTHONPATH": f"{REPO / 'lib'}{os.pathsep}{REPO}"})
    assert out.returncode != 0 and "needs Python 3.11 or newer; this is Python 3.10" in out.stderr


@pytest.mark.skipif(PY310 is None, reason="no Python 3.10 on this machine to try")
def test_an_unsupported_python_gets_the_projects_own_message_from_setup():
    out = run(str(PY310), "setup.py", "--name")
    assert out.returncode != 0 and "nn-course needs Python 3.11 or newer; this is Python 3.10" in out.stderr


def test_a_new_gradebook_takes_submissions_without_warnings(tmp_path):
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import importlib

        importlib.reload(course)  # its filter, as a grade run installs it (pytest's own filters are set per test)
        with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
            gb.add_assignment("a1")
            gb.add_notebook("nb", "a1")
            gb.add_grade_cell("t1", "nb", "a1", max_score=2, cell_type="code")
            gb.add_student("s1")
            gb.add_submission("a1", "s1")
            assert gb.find_submission("a1", "s1").notebooks[0].name == "nb"


def test_environment_yml_installs_the_student_tier_with_pyprojects_pins():
    import re
    import tomllib

    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    text = (REPO / "environment.yml").read_text()
    pins = re.findall(r'^\s+- "(.+)"$', text, flags=re.M)
    assert pins == dependencies + ["."] and "STUDENT tier" in text


@pytest.mark.slow  # it grades
def test_the_grade_command_runs_on_the_grader_install_without_a_warning(tmp_path):
    """The README's grade command, as an instructor types it, on an untouched release (the dev install holds the
    grader's): it grades, prints the summary and nothing on stderr but the progress-free log."""
    from sandboxing import NO_SANDBOX

    submitted = tmp_path / "submitted" / "s1" / "a1"
    submitted.mkdir(parents=True)
    for nb in (REPO / "release" / "a1").glob("*.ipynb"):
        shutil.copy(nb, submitted / nb.name)
    args = [sys.executable, "-m", "autograder", "grade", "a1", "--course", str(tmp_path), "--workers", "1",
            "--no-progress"] + (["--no-sandbox"] if NO_SANDBOX else [])
    out = run(*args, timeout=600, env={"MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "a1: 1 graded" in out.stdout
    assert "Warning" not in out.stdout + out.stderr, out.stderr
