"""The same grading on a Dask cluster, and into a PostgreSQL gradebook: the same scores as the local run."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder import bulk, course, results
from conftest import LIMITS

STUDENTS = ["reference", "a1-wrong-sign", "x-os-exit"]


def copy_class(hostile_class, target):
    root = hostile_class[0]
    course.link_source(target)
    for student in STUDENTS:
        shutil.copytree(root / "submitted" / student, target / "submitted" / student)
    return target


def local_scores(hostile_class):
    _, scores = results.collect(hostile_class[1], "a1")
    return {s: scores[s] for s in STUDENTS}


def test_a_dask_cluster_gives_the_same_scores(hostile_class, tmp_path):
    distributed = pytest.importorskip("distributed")
    root = copy_class(hostile_class, tmp_path / "dask-course")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        outcome = bulk.grade("a1", root, scheduler=cluster.scheduler_address, progress=False, **LIMITS)
    assert outcome.failed == {} and sorted(outcome.graded) == sorted(STUDENTS)
    _, scores = results.collect(f"sqlite:///{root / 'gradebook.db'}", "a1")
    assert scores == local_scores(hostile_class)


# ------------------------------------------------------------------------------------------ PostgreSQL

def _pg_bin(name):
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres():
    """A PostgreSQL server from Debian's packages on 127.0.0.1, run by the unprivileged `postgres` user."""
    pytest.importorskip("psycopg2")
    if os.geteuid() != 0:
        pytest.skip("starting a PostgreSQL server here needs root (to run it as the `postgres` user)")
    if not _pg_bin("initdb") or subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        pytest.skip("PostgreSQL or its `postgres` user is missing: `make system-tools` installs them (as root)")
    data = Path(tempfile.mkdtemp(prefix="pg-"))
    shutil.chown(data, "postgres", "postgres")
    port = _free_port()

    def as_postgres(*cmd):
        return subprocess.run(["runuser", "-u", "postgres", "--", *cmd], capture_output=True, text=True, timeout=120)

    done = as_postgres(_pg_bin("initdb"), "-D", str(data / "db"), "-U", "postgres", "--auth=trust")
    if done.returncode != 0:
        pytest.skip(f"initdb failed: {done.stderr[-500:]}")
    done = as_postgres(_pg_bin("pg_ctl"), "-D", str(data / "db"), "-l", str(data / "log"), "-w", "-o",
                       f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start")
    if done.returncode != 0:
        pytest.skip(f"the PostgreSQL server did not start: {done.stderr[-500:]}")
    try:
        created = as_postgres(_pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(port), "-U",
                              "postgres", "gradebook")
        assert created.returncode == 0, created.stderr
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/gradebook"
    finally:
        as_postgres(_pg_bin("pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


def test_a_postgresql_gradebook_gets_the_same_rows(hostile_class, tmp_path, postgres):
    from sqlalchemy import create_engine, text

    root = copy_class(hostile_class, tmp_path / "pg-course")
    plain = postgres.replace("postgresql+psycopg2://", "postgresql://")  # the grader names the driver itself
    outcome = bulk.grade("a1", root, workers=2, db_url=plain, progress=False, **LIMITS)
    assert outcome.failed == {} and sorted(outcome.graded) == sorted(STUDENTS)
    _, scores = results.collect(postgres, "a1")
    assert scores == local_scores(hostile_class)
    questions, _ = results.collect(postgres, "a1")
    with create_engine(postgres).connect() as db:
        rows = db.execute(text("SELECT count(*) FROM grade")).scalar()
        students = db.execute(text("SELECT count(*) FROM student")).scalar()
    assert rows == len(STUDENTS) * len(questions) and students == len(STUDENTS)
