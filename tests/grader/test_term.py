"""An instructor's term, without a browser: submissions from an LMS download → grade → totals → export for the LMS."""

import csv
import io
import json
import zipfile

import nbformat
import pytest

from autograder import bulk, collect, course, demo, export
from sandboxing import GRADING

ROSTER = ("id,name,sortable_name,canvas_id,sis_login_id,email\n"
          "ada,Ada Lovelace,\"Lovelace, Ada\",201,ada.l,ada@example.org\n"
          "alan,Alan Turing,\"Turing, Alan\",202,alan.t,alan@example.org\n"
          "grace,Grace Hopper,\"Hopper, Grace\",203,grace.h,grace@example.org\n")


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """A course folder where a Canvas zip of three a1 submissions was collected and graded."""
    root = tmp_path_factory.mktemp("term")
    grader = course.prepare(root, ["a1"])
    name = next((root / "release" / "a1").glob("*.ipynb")).name
    subs = demo.submissions("a1", root / "release")
    download = root / "canvas.zip"
    with zipfile.ZipFile(download, "w") as z:
        for (student, sortable, canvas_id, version), when in {
                ("reference", "lovelaceada", 201, ""): (2026, 9, 1, 9, 0, 0),
                ("untouched", "turingalan", 202, ""): (2026, 9, 1, 9, 0, 0),
                ("a1-wrong-sign-update", "hopper grace", 203, ""): (2026, 9, 1, 8, 0, 0),
                ("reference", "hoppergrace", 203, "-1"): (2026, 9, 2, 8, 0, 0)}.items():
            text = nbformat.writes(subs.get(student, subs["reference"])[name])
            z.writestr(zipfile.ZipInfo(f"{sortable}_{canvas_id}_9{canvas_id}_{name[:-6]}{version}.ipynb", when), text)
    roster = root / "roster.csv"
    roster.write_text(ROSTER)
    placed = collect.collect("a1", download, root, roster=collect.read_roster(roster), notebook_name=name)
    outcome = bulk.grade("a1", root, db_url=grader.coursedir.db_url, progress=False, **GRADING)
    return root, grader.coursedir.db_url, placed, outcome, roster


def test_the_download_is_placed_and_graded(term):
    root, db_url, placed, outcome, _ = term
    assert sorted(placed.placed) == ["ada", "alan", "grace"] and placed.skipped == []
    assert not outcome.failed
    rows = {t.student: t for t in export.totals(db_url, "a1")}
    assert rows["ada"].autograded == rows["grace"].autograded > 0  # grace's resubmission is the reference
    assert rows["alan"].autograded == 0
    # a written answer left as the release had it scores 0 without a hand grade (nbgrader's rule)
    assert [t.student for t in rows.values() if t.needs_hand_grading] == ["ada", "grace"]


def test_the_canvas_export_matches_canvas_ids_and_leaves_unfinished_grades_blank(term):
    root, db_url, _, _, roster = term
    text = export.as_canvas(export.totals(db_url, "a1"), export.read_roster(roster), "Assignment 1", "777")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["ID"] for r in rows] == ["201", "202", "203"]
    assert rows[0]["Student"] == "Lovelace, Ada" and "Assignment 1 (777)" in rows[0]
    # a grade that is not final (a written answer not graded yet) stays blank rather than becoming a wrong number
    assert [r["Assignment 1 (777)"] for r in rows] == ["", "0", ""]


def test_the_csv_export_has_every_total(term):
    root, db_url, _, _, _ = term
    rows = list(csv.DictReader(io.StringIO(export.as_csv(export.totals(db_url, "a1")))))
    assert {r["student"] for r in rows} == {"ada", "alan", "grace"}
    ada = next(r for r in rows if r["student"] == "ada")
    assert float(ada["total"]) == float(ada["autograded"]) and ada["needs_hand_grading"] == "True"
    assert json.loads(json.dumps(rows))  # plain text all the way
