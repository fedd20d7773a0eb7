"""Make the fixture submissions for the nbgrader tests from a released notebook.

Each case is a folder holding what a lead would hand in for the leads'-strand
``identifying-need`` assignment (their notebook and the copy of their action plan that the
notebook's plan box hands in with it). They are built from the notebook ``nbgrader generate_assignment`` releases, so
they look exactly like real work; the nbgrader test checks they are up to date. To rebuild:

    python tests/data/submissions/make_submissions.py

(it runs ``nbgrader generate_assignment`` in a temporary folder). The 50 MB output case is
made by the test itself rather than stored.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
ASSIGNMENT = "identifying-need"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
#: The choice box the adversarial cases tamper with (a lead can type code into any box).
CHOICE_ID = "safeguarding-route"
PLAN_FILE = "my-action-plan.json"  # the copy the notebook's plan box hands in
ANSWER = (
    "Our autumn survey and attendance figures point to Year 9; we will ask the Year 9 team "
    "and the pupil council what lies behind it, and any safeguarding concern goes to our DSL."
)

#: A valid action plan with an action for this principle (and one for leadership).
PLAN = {
    "kind": "plan",
    "schema_version": 1,
    "school": "Fixture School",
    "framework_version": "1.0",
    "date": "2026-09-14",
    "actions": [
        {
            "indicator": "identifying-need.1",
            "what": "Run the wellbeing survey each term and share the results with year teams",
            "lead": "SMHL",
            "start": "2026-09-14",
            "due": "2026-12-18",
        },
        {
            "indicator": "leadership.3",
            "what": "Add costed wellbeing objectives to the school improvement plan",
            "lead": "Headteacher",
            "start": "2026-09-14",
            "due": "2027-03-31",
        },
    ],
}
#: The same plan with only a leadership action: valid, but not for this principle.
OTHER_PLAN = {**PLAN, "actions": PLAN["actions"][1:]}


def _solutions(source: NotebookNode) -> dict[str, str]:
    """grade_id → model answer (markers removed) from the source notebook; a text answer box
    keeps its first line (``%%reflection``, ``%%answer NAME``)."""
    found = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            body = re.search(r"### BEGIN SOLUTION\n(.*?)\n### END SOLUTION", cell.source, re.S)
            text = body.group(1) if body else cell.source
            if cell.source.startswith("%%"):
                text = cell.source.splitlines()[0] + "\n" + text
            found[meta["grade_id"]] = text
    return found


def _cell(notebook: NotebookNode, grade_id: str) -> NotebookNode:
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


def _answered(release: NotebookNode, source: NotebookNode, skip=()) -> NotebookNode:
    """The release notebook with every answer filled in, except those in ``skip``."""
    notebook = copy.deepcopy(release)
    for grade_id, code in _solutions(source).items():
        if grade_id not in skip:
            _cell(notebook, grade_id).source = code
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "markdown" and meta["grade_id"] not in skip:
            cell.source = ANSWER
    return notebook


def _case(notebook: NotebookNode, plan: dict | None = PLAN, name: str = NOTEBOOK) -> dict:
    files = {name: nbformat.writes(notebook) + "\n"}
    if plan is not None:
        files[PLAN_FILE] = json.dumps(plan, indent=2) + "\n"
    return files


def _edit(notebook: NotebookNode, grade_id: str, change: Callable[[str], str]) -> NotebookNode:
    notebook = copy.deepcopy(notebook)
    cell = _cell(notebook, grade_id)
    cell.source = change(cell.source)
    return notebook


def build(release: NotebookNode, source: NotebookNode) -> dict[str, dict[str, str]]:
    """Case name → {file name → text}."""
    perfect = _answered(release, source)
    choose = CHOICE_ID
    wrong_choice = f"%%answer {choose}\nA"
    partial = _answered(release, source, skip={"identifying-need-q2", "identifying-need-q3"})
    partial = _edit(partial, choose, lambda _: wrong_choice)
    edited = _edit(perfect, choose, lambda _: wrong_choice)
    edited = _edit(edited, f"{choose}-tests", lambda _: "# the tests were here\npass")
    deleted = copy.deepcopy(perfect)
    deleted.cells = [
        c for c in deleted.cells if c.get("id") != _cell(deleted, f"{choose}-tests").id
    ]
    return {
        "perfect": _case(perfect),
        "blank": _case(release, plan=None),
        "partial": _case(partial, plan=OTHER_PLAN),
        "infinite-loop": _case(_edit(perfect, choose, lambda _: "while True:\n    pass")),
        "sys-exit": _case(_edit(perfect, choose, lambda _: "import sys\n\nsys.exit()")),
        "os-exit": _case(_edit(perfect, choose, lambda _: "import os\n\nos._exit(1)")),
        "edited-tests": _case(edited),
        "deleted-tests": _case(deleted),
        "renamed": _case(perfect, name=f"{ASSIGNMENT}-final.ipynb"),
        "empty": {NOTEBOOK: ""},
        "not-json": {NOTEBOOK: '{"cells": [ this is not JSON\n'},
    }


def nbgrader_env() -> dict[str, str]:
    """The environment with this Python's scripts on PATH (nbgrader runs ``alembic``)."""
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}


def release_notebook(workdir: Path) -> Path:
    """Run ``nbgrader generate_assignment`` on a copy of the course; return the release."""
    shutil.copy(ROOT / "assessments" / "nbgrader_config.py", workdir)
    shutil.copytree(ROOT / "assessments" / "source" / ASSIGNMENT, workdir / "source" / ASSIGNMENT)
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        cwd=workdir,
        check=True,
        capture_output=True,
        env=nbgrader_env(),
    )
    return workdir / "release" / ASSIGNMENT / NOTEBOOK


def build_from(release_path: Path) -> dict[str, dict[str, str]]:
    source_path = ROOT / "assessments" / "source" / ASSIGNMENT / NOTEBOOK
    return build(nbformat.read(release_path, 4), nbformat.read(source_path, 4))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cases = build_from(release_notebook(Path(tmp)))
    for case, files in cases.items():
        folder = HERE / case
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {folder}")


if __name__ == "__main__":
    main()
