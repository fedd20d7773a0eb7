"""The assignment notebooks, their dataset and rubric: generated from data and up to date.

Fast checks run always; running every source notebook top to bottom (nbval, real kernel) is
marked ``nbgrader``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import make_notebooks
import make_school_data
import nbformat
import pandas as pd
import pytest
import yaml
from helpers import ROOT, example_plan_records
from wholeschool.core.content import reflection_questions
from wholeschool.core.errors import DataFileError
from wholeschool.core.framework import FRAMEWORK
from wholeschool.core.rubric import load_rubric
from wholeschool.grading.autograde import ensure_tools_on_path, precheck

COURSE = ROOT / "assessments"

LEADS = [p.id for p in FRAMEWORK.principles] + ["action-plan-review"]
DATA = [f"data-{name}" for name in LEADS]
ASSIGNMENTS = LEADS + DATA


def with_records(tmp_path: Path) -> dict[str, str]:
    """The environment of a lead who has saved an action plan (the leads' strand finds it)."""
    return {**os.environ, "WHOLESCHOOL_RECORDS": str(example_plan_records(tmp_path / "records"))}


def nbgrader_cells(notebook: nbformat.NotebookNode) -> list[dict]:
    return [c.metadata["nbgrader"] for c in notebook.cells if "nbgrader" in c.metadata]


def test_every_assignment_has_a_source_folder() -> None:
    folders = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())
    assert folders == sorted([*ASSIGNMENTS, make_notebooks.CALIBRATION])  # its own notebook
    assert make_notebooks.assignments() == ASSIGNMENTS


def test_committed_notebooks_match_the_generator() -> None:
    for path, text in make_notebooks.build_all().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is out of date: run python assessments/make_notebooks.py"
        )


def test_committed_datasets_match_the_generator() -> None:
    expected = make_school_data.make_school_data().to_csv(index=False, lineterminator="\n")
    for assignment in LEADS:  # the leads' strand needs no dataset
        assert not (COURSE / "source" / assignment / make_school_data.FILE_NAME).exists()
    for assignment in DATA:
        path = COURSE / "source" / assignment / make_school_data.FILE_NAME
        assert path.read_text(encoding="utf-8") == expected, (
            f"{path} is out of date: run python assessments/data/make_school_data.py"
        )


def test_dataset_is_reproducible_and_has_no_pupil_rows() -> None:
    first, second = make_school_data.make_school_data(), make_school_data.make_school_data()
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == [
        "year_group",
        "form",
        "term",
        "pupils",
        "attendance_pct",
        "wellbeing_score",
        "referrals",
        "intervention",
    ]
    assert len(first) == 5 * 6 * 3  # one row per form and term: forms, never pupils
    assert first["wellbeing_score"].between(0, 100).all()
    assert first.groupby("form")["intervention"].nunique().eq(1).all()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_structure(assignment: str) -> None:
    notebook = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", 4)
    nbformat.validate(notebook)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    cells = nbgrader_cells(notebook)
    ids = [c["grade_id"] for c in cells]
    assert len(ids) == len(set(ids))
    tests = [c for c in cells if c["grade"] and not c["solution"]]
    sources = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in notebook.cells
        if "nbgrader" in c.metadata
    }
    for cell in tests:
        assert cell["locked"] and cell["points"] > 0
        assert "### BEGIN HIDDEN TESTS" in sources[cell["grade_id"]]
    text = "\n".join(c.source for c in notebook.cells)
    assert "designated safeguarding lead" in text
    written = {c["grade_id"]: c["points"] for c in cells if c["grade"] and c["solution"]}
    if assignment in DATA:  # pandas tasks only, all marked automatically
        assert written == {} and "import pandas as pd" in text
        assert all(gid.endswith("-tests") for gid in ids if gid in {c["grade_id"] for c in tests})
        return
    assert {"plan-tests", "safeguarding-route-tests"} <= set(ids)
    key = "capstone" if assignment == "action-plan-review" else assignment
    questions = reflection_questions(key)
    assert written == {q.id: q.points for q in questions}
    for question in questions:
        assert question.text in text
    rubric = load_rubric(COURSE / "rubric.yaml")
    for criterion in rubric.criteria:
        assert criterion.name in text
    # Right above each written answer, in a read-only cell (restored at autograde, so what the
    # trainer sees in formgrader is what the lead saw): which score means which level.
    for before, answer in zip(notebook.cells, notebook.cells[1:], strict=False):
        if answer.metadata.get("nbgrader", {}).get("grade_id") in written:
            assert (
                before.metadata["nbgrader"]["locked"] and not before.metadata["nbgrader"]["grade"]
            )
            assert rubric.marking_guide(written[answer.metadata.nbgrader.grade_id]) in before.source
    # The locked code boxes (set-up, plan, checks) are folded: a lead sees no code.
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked"):
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, meta["grade_id"]
            # JupyterLab still shows a folded box's first line: a caption, not code.
            assert cell.source.startswith("# "), cell.source.splitlines()[0]
    # No code to write: every code cell a lead works in is a text box (%%reflection or
    # %%answer); the rest are locked.
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("locked"):
            assert cell.source.startswith(("%%reflection\n", "%%answer ")), cell.source[:60]
    assert "pandas" not in text and "NotImplementedError" not in text


def test_rubric_levels() -> None:
    rubric = load_rubric(COURSE / "rubric.yaml")
    assert [rubric.level_for(s, 4).label for s in (0, 0.5, 1, 2, 2.9, 3, 4)] == [
        "Not yet shown",
        "Not yet shown",
        "Emerging",
        "Secure",
        "Secure",
        "Strong",
        "Strong",
    ]
    with pytest.raises(ValueError, match="outside 0–4"):
        rubric.level_for(5, 4)
    assert "**3 / 6 — Secure**" in rubric.feedback_markdown(3, 6)
    assert rubric.marking_guide(4).endswith(
        "0 = Not yet shown · 1 = Emerging · 2 = Secure · 3 or 4 = Strong"
    )
    assert rubric.marking_guide(8).endswith(
        "0 or 1 = Not yet shown · 2 or 3 = Emerging · 4 or 5 = Secure · 6 to 8 = Strong"
    )
    # A level no whole score reaches is left out, never shown with no score.
    assert [level.label for _s, level in rubric.score_levels(1)] == ["Not yet shown", "Strong"]


def _broken(data: dict, path: list, value: object) -> dict:
    import copy

    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "problem"),
    [
        (["criteria", 0, "descriptors", "strong"], None, None, "missing ['strong']"),
        (["levels", 0, "min_fraction"], 0.1, None, "first level must have min_fraction 0"),
        (["levels", 2, "min_fraction"], 0.2, None, "min_fraction must rise"),
        (["levels", 1, "min_fraction"], 1.5, "levels[1].min_fraction", "less than or equal to 1"),
        (["criteria", 0, "pupil"], "x", "criteria[0].pupil", "is not a field"),
        (["title"], None, "title", "is missing"),
    ],
)
def test_bad_rubric_names_file_and_field(
    tmp_path: Path, path: list, value: object, field: str | None, problem: str
) -> None:
    good = yaml.safe_load((COURSE / "rubric.yaml").read_text(encoding="utf-8"))
    bad = tmp_path / "rubric.yaml"
    bad.write_text(yaml.safe_dump(_broken(good, path, value)), encoding="utf-8")
    before = bad.read_bytes()
    with pytest.raises(DataFileError) as caught:
        load_rubric(bad)
    assert caught.value.path == str(bad)
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert bad.read_bytes() == before


def test_rubric_that_is_not_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "rubric.yaml"
    bad.write_text("levels: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"rubric.yaml: is not valid YAML"):
        load_rubric(bad)


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"a-final.ipynb": "{}"}, "a.ipynb is missing (found a-final.ipynb: was it renamed?)"),
        ({}, "a.ipynb is missing"),
        ({"a.ipynb": ""}, "a.ipynb is empty"),
        ({"a.ipynb": "  \n"}, "a.ipynb is empty"),
        ({"a.ipynb": "{nope"}, "a.ipynb is not a notebook: not valid JSON"),
        ({"a.ipynb": "[1, 2]"}, "a.ipynb is not a notebook: it has no list of cells"),
        ({"a.ipynb": '{"cells": []}'}, ""),
    ],
)
def test_precheck_reasons(tmp_path: Path, files: dict[str, str], reason: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = precheck(tmp_path, ["a"])
    assert found.startswith(reason) and bool(found) == bool(reason)


@pytest.mark.nbgrader
def test_source_notebooks_run_top_to_bottom_with_nbval(tmp_path: Path) -> None:
    done = subprocess.run(
        # Records: a lead's folder with a plan under every principle (not the test fixtures').
        [
            *(
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:isolated_records",
            ),
            *("-q", "-m", "notebooks", str(COURSE / "source")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=with_records(tmp_path),
    )
    assert done.returncode == 0, done.stdout[-4000:]
    code_cells = sum(
        c.cell_type == "code"
        for a in [*ASSIGNMENTS, make_notebooks.CALIBRATION]
        for c in nbformat.read(COURSE / "source" / a / f"{a}.ipynb", 4).cells
    )
    assert f"\n{code_cells} passed" in done.stdout  # every code cell of every notebook ran


@pytest.mark.nbgrader
def test_nbgrader_validate_passes_on_every_solution(tmp_path: Path) -> None:
    """Every instructor notebook passes ``nbgrader validate`` (the release failing it is
    checked in test_nbgrader_e2e.py)."""
    ensure_tools_on_path()
    paths = [str(COURSE / "source" / a / f"{a}.ipynb") for a in ASSIGNMENTS]
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", *paths],
        cwd=COURSE,
        capture_output=True,
        text=True,
        env=with_records(tmp_path),
    )
    assert done.stdout.count("Success! Your notebook passes all the tests.") == len(ASSIGNMENTS), (
        done.stdout[-4000:]
    )
    assert "VALIDATION FAILED" not in done.stdout


@pytest.mark.nbgrader
def test_a_lead_with_no_saved_plan_reads_what_to_do_not_a_traceback(tmp_path: Path) -> None:
    """A lead runs the notebook from the top with nothing in their records folder: the plan
    box says there is no plan yet, and its check says, in one plain sentence, to make the
    plan first; no ``AssertionError``, no traceback, no code. The check still fails (autograde
    scores it 0), and the boxes after it still run."""
    from nbclient import NotebookClient

    records = tmp_path / "records"
    records.mkdir()
    notebook = nbformat.read(COURSE / "source" / "identifying-need" / "identifying-need.ipynb", 4)
    for cell in notebook.cells:  # the boxes as released: the choice not made yet
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "safeguarding-route":
            cell.source = cell.source.split("\n### BEGIN SOLUTION")[0]
    env = {**os.environ, "WHOLESCHOOL_RECORDS": str(records)}
    before = os.environ.copy()
    os.environ.update(env)  # the kernel inherits the records folder
    try:
        NotebookClient(
            notebook, timeout=120, allow_errors=True, resources={"metadata": {"path": tmp_path}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(before)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook.cells}
    (error,) = [o for o in cells["plan-tests"].outputs if o.output_type == "error"]
    shown = "\n".join(error.traceback)
    assert shown.startswith("No saved action plan was found. Make your action plan first"), shown
    assert "Action plan page" in shown and "*" not in shown
    for code in ("Traceback", "AssertionError", "assert ", "plan.plan", "\x1b["):
        assert code not in shown, (code, shown)
    # The safeguarding choice, left as the template, gets its own plain sentence.
    (choice,) = [o for o in cells["safeguarding-route-tests"].outputs if o.output_type == "error"]
    assert choice.traceback == ["Write one letter, A, B, C or D, in the box above and run it"]
