"""Structured reflections through the real nbgrader CLI: generate, submit, autograde, feedback.

A good, a template-only and a partly complete reflection are submitted for the leadership
assignment; the autograded points per criterion are read back through nbgrader's Gradebook.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from helpers import BIN, page_text
from wholeschool.reflect import load_criteria
from wholeschool.reflect_cells import IMPORTS, PREFIX, structured_reflection_specs

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "leadership"
CRITERIA = load_criteria()
GRADED = [c.id for c in CRITERIA.criteria if c.points]

CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "reflect-test"
c.CourseDirectory.root = {root!r}
c.Execute.timeout = 30
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
"""

_SOON = dt.date.today() + dt.timedelta(days=60)

GOOD = f'''{IMPORTS}

reflection = Reflection(
    finding="Our self-audit rated leadership.3 as Emerging: wellbeing is in the plan but not costed.",
    evidence="The plan has one line on wellbeing and no budget line; governors have not discussed it.",
    actions=[
        Action(what="Write a costed wellbeing objective.", owner="Headteacher", target_date="{_SOON:%Y-%m-%d}"),
        Action(what="Add wellbeing to every board agenda.", owner="Chair of governors", target_date="{_SOON:%d/%m/%Y}"),
    ],
    success_measure="The board discusses wellbeing at 3 meetings this year.",
    reflection=" ".join(["Wellbeing sits at the edge of our planning rather than at its heart, and I want to change that."] * 4),
)
'''

# Passes finding, evidence, indicator and privacy; fails actions (empty owner), dates (does not
# parse), measurable (vague) and reflection (too short).
PARTLY = f"""{IMPORTS}

reflection = Reflection(
    finding="Our self-audit rated leadership.3 as Emerging: wellbeing is in the plan but not costed.",
    evidence="The plan has one line on wellbeing and no budget line; governors have not discussed it.",
    actions=[Action(what="Write a costed wellbeing objective.", owner="", target_date="after Easter")],
    success_measure="Things feel better for everyone.",
    reflection="I need to think about this more.",
)
"""

PARTLY_PASSES = {"finding", "evidence", "indicator", "privacy"}


def run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result


def source_notebook() -> nbformat.NotebookNode:
    """A minimal assignment: a heading, then the structured reflection cells."""
    cells = [nbformat.v4.new_markdown_cell("# Leadership", id="intro")]
    for spec in structured_reflection_specs(ASSIGNMENT):
        if spec.kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(spec.source, id=spec.id)
        else:
            cell = nbformat.v4.new_code_cell(spec.source, id=spec.id)
            cell.metadata["nbgrader"] = {
                "grade": spec.kind in ("check", "hidden"),
                "grade_id": spec.id,
                "locked": spec.kind != "answer",
                "schema_version": 3,
                "solution": spec.kind == "answer",
                "task": False,
                **({"points": spec.points} if spec.kind != "answer" else {}),
            }
        cells.append(cell)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    return notebook


def submit(course: Path, student: str, answer: str | None) -> None:
    """Copy the released notebook as ``student``'s submission, with ``answer`` in the answer cell."""
    released = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(released, as_version=4)
    if answer is not None:
        (cell,) = [c for c in notebook.cells if c.get("id") == PREFIX]
        cell.source = answer
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-25 12:00:00.000000 UTC\n", encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Run the whole cycle once; return per-student per-cell scores and feedback HTML."""
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("course")
    records = tmp_path_factory.mktemp("records")  # no lead's records on the trainer's machine
    (course / "nbgrader_config.py").write_text(CONFIG.format(root=str(course)), encoding="utf-8")
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    nbformat.write(source_notebook(), source / f"{ASSIGNMENT}.ipynb")
    env = {**os.environ, "WHOLESCHOOL_RECORDS": str(records), "PATH": f"{BIN}:{os.environ['PATH']}"}

    run("validate", str(source / f"{ASSIGNMENT}.ipynb"), cwd=course, env=env)
    run("generate_assignment", ASSIGNMENT, "--force", cwd=course, env=env)
    submit(course, "good", GOOD)
    submit(course, "template", None)
    submit(course, "partly", PARTLY)
    run("autograde", ASSIGNMENT, "--force", cwd=course, env=env)
    run("generate_feedback", ASSIGNMENT, "--force", cwd=course, env=env)

    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "reflect-test") as gradebook:
        for student in ("good", "template", "partly"):
            submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            scores[student] = {grade.name: grade.score for grade in submission.grades}
    feedback = {
        student: page_text(course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html")
        for student in scores
    }
    released = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
    yield {"scores": scores, "feedback": feedback, "released": released}
    shutil.rmtree(course, ignore_errors=True)


def expected(passes: set[str]) -> dict[str, float]:
    """Autograded points per test cell when the criteria in ``passes`` pass."""
    return {
        f"{PREFIX}-{c.id}": float(c.points if c.id in passes else 0)
        for c in CRITERIA.criteria
        if c.points
    }


def test_the_release_holds_the_template_and_no_hidden_test_or_model_answer(graded) -> None:
    released = json.loads(graded["released"])
    sources = {cell.get("id"): "".join(cell["source"]) for cell in released["cells"]}
    assert "Write what your self-audit showed for this principle" in sources[PREFIX]
    assert "raise NotImplementedError()" in sources[PREFIX]
    assert "_soon" not in sources[PREFIX]  # the model answer is gone
    assert "display(_checklist)" in sources[f"{PREFIX}-{GRADED[0]}"]
    for criterion in GRADED:
        test = sources[f"{PREFIX}-{criterion}"]
        assert "_checklist = check_reflection(reflection" in test
        assert "assert" not in test and "HIDDEN" not in test


def test_a_good_reflection_gets_every_automatic_point(graded) -> None:
    assert graded["scores"]["good"] == expected(set(GRADED))


def test_the_template_gets_no_points(graded) -> None:
    assert graded["scores"]["template"] == expected(set())


def test_a_partly_complete_reflection_gets_the_points_it_earns(graded) -> None:
    assert graded["scores"]["partly"] == expected(PARTLY_PASSES)


def test_feedback_shows_the_checklist_and_why_each_point_was_lost(graded) -> None:
    partly = graded["feedback"]["partly"]
    # The visible checklist, as the lead saw it.
    assert "Reflection checklist: Leadership and management (4 of 8 done)" in partly
    assert "❌ to do : One to three actions" in partly
    # The hidden tests' failure messages, one per missing element.
    for line in (
        "AssertionError : One to three actions, each saying what will happen and which role "
        "owns it: Action 1 `owner` is empty.",
        "AssertionError : Every action has a target date in this academic year or the next: "
        "Action 1 `target_date` 'after Easter' is not a date I can read",
        "AssertionError : You can tell whether it worked (a number, a date or a named measure): "
        "`success_measure` has no number, date or named measure",
        "AssertionError : Your reflection is a reasonable length: `reflection` has 7 words; "
        "write at least 60.",
    ):
        assert line in partly
    assert partly.count("AssertionError :") == 4
    assert "This is still the template" in graded["feedback"]["template"]
    good = graded["feedback"]["good"]
    assert "Everything the automatic check looks for is there" in good
    assert "AssertionError" not in good
