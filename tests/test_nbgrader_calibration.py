"""The calibration assignment through the real nbgrader CLI: generate, submit, autograde,
feedback. A point per indicator rated within one level of the moderated rating; the feedback
quotes the moderators' reason for each indicator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from helpers import BIN, ROOT, page_text
from wholeschool import FRAMEWORK
from wholeschool.core.calibration import calibration_settings
from wholeschool.grading.calibration_cells import ASSIGNMENT, SETTING, number

pytestmark = pytest.mark.nbgrader

MODERATED = calibration_settings()[SETTING].moderated
LABELS = [level.label for level in FRAMEWORK.scale]


def answer(shift: dict[str, int], blank: tuple[str, ...] = ()) -> str:
    """Every moderated rating, moved by ``shift`` levels where given, ``blank`` left empty,
    written in the ratings box as a lead types it (number, words, colon, level)."""
    lines = ["%%ratings"]
    for key, item in MODERATED.items():
        level = min(max(item.rating + shift.get(key, 0), 0), len(LABELS) - 1)
        words = FRAMEWORK.indicator_by_id[key].text.rstrip(".")
        lines.append(f"{number(key)} {words}: {'' if key in blank else LABELS[level]}")
    return "\n".join(lines) + "\n"


ONE_OUT = {"ethos.1": 1, "leadership.3": -1}  # still within one level: full marks
FURTHER = {"leadership.8": 2, "ethos.4": 3}  # two or more out: these two points lost
BLANK = ("ethos.9",)


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


def submit(course: Path, student: str, code: str | None) -> None:
    released = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(released, as_version=4)
    if code is not None:
        (cell,) = [c for c in notebook.cells if c.get("id") == ASSIGNMENT]
        cell.source = code
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-25 12:00:00.000000 UTC\n", encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("course")
    records = tmp_path_factory.mktemp("records")
    shutil.copy(ROOT / "assessments" / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "assessments" / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    env = {**os.environ, "WHOLESCHOOL_RECORDS": str(records), "PATH": f"{BIN}:{os.environ['PATH']}"}
    validated = run(
        "validate", str(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), cwd=course, env=env
    )
    run("generate_assignment", ASSIGNMENT, "--force", cwd=course, env=env)
    submit(course, "moderated", answer({}))
    submit(course, "close", answer(ONE_OUT))
    submit(course, "mixed", answer(FURTHER, BLANK))
    submit(course, "template", None)
    run("autograde", ASSIGNMENT, "--force", cwd=course, env=env)
    run("generate_feedback", ASSIGNMENT, "--force", cwd=course, env=env)
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "wholeschool-smhl") as gradebook:
        for student in ("moderated", "close", "mixed", "template"):
            submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            scores[student] = {g.name: g.score for g in submission.grades if g.max_score}
    feedback = {
        student: page_text(course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html")
        for student in scores
    }
    released = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text("utf-8")
    yield {
        "scores": scores,
        "feedback": feedback,
        "released": released,
        "validated": validated.stdout,
    }
    shutil.rmtree(course, ignore_errors=True)


def cell(key: str) -> str:
    return f"{ASSIGNMENT}-{key.replace('.', '-')}"


def test_the_source_passes_and_the_release_hides_the_moderated_ratings(graded) -> None:
    assert "Success! Your notebook passes all the tests." in graded["validated"]
    released = json.loads(graded["released"])
    sources = {c.get("id"): "".join(c["source"]) for c in released["cells"]}
    box = sources[ASSIGNMENT]
    assert box.startswith("%%ratings\n") and "NotImplementedError" not in box  # no code to write
    words = FRAMEWORK.indicator_by_id["ethos.1"].text.rstrip(".")
    assert f"\n2.1 {words}:\n" in box and "ethos.1" not in box
    assert "check_rating" not in "".join(sources[cell(k)] for k in MODERATED)
    for item in MODERATED.values():
        assert item.reason not in graded["released"]


def test_a_point_for_each_rating_within_one_level(graded) -> None:
    scores = graded["scores"]
    assert len(scores["moderated"]) == len(MODERATED)
    assert scores["moderated"] == {cell(k): 1.0 for k in MODERATED}
    assert scores["close"] == {cell(k): 1.0 for k in MODERATED}
    lost = {*FURTHER, *BLANK}
    assert scores["mixed"] == {cell(k): float(k not in lost) for k in MODERATED}
    assert scores["template"] == {cell(k): 0.0 for k in MODERATED}


def test_feedback_quotes_the_reason_for_every_indicator(graded) -> None:
    mixed = graded["feedback"]["mixed"]
    for key, item in MODERATED.items():
        assert item.reason in mixed, key
    assert "You: Established. Moderated: Emerging (further)." in mixed  # leadership.8 moved up 2
    assert "(one level out)" in graded["feedback"]["close"]
    # A rating two levels out fails, with the reason in words (no Python error name).
    assert "not passed" in mixed and "(not rated)" in mixed
    assert "AssertionError" not in mixed
