"""Trainer commands piece by piece: collect, report tables, course lookup, and autograde under a
locked gradebook (a real SQLite lock held while nbgrader grades)."""

from __future__ import annotations

import html
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import BIN, ROOT
from nbgrader_course import released_course
from wholeschool.grading.autograde import (
    ensure_tools_on_path,
    grade_student,
    notebook_names,
    prepare_gradebook,
)
from wholeschool.grading.trainer import (
    SCORE_COLUMNS,
    GradingError,
    collect_folder,
    find_course,
    question_summary,
    student_totals,
)

ASSIGNMENT = "identifying-need"
FIXTURES = ROOT / "tests" / "data" / "submissions"


def scores_frame() -> pd.DataFrame:
    rows = [
        ("a1", "s1", "task-tests", "autograded", 2, 2, False),
        ("a1", "s1", "q1", "written", 1, 4, False),
        ("a1", "s2", "task-tests", "autograded", 0, 2, False),
        ("a1", "s2", "q1", "written", 0, 4, True),
    ]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def test_student_totals_and_weakest_questions() -> None:
    totals = student_totals(scores_frame()).set_index("student")
    assert totals.loc["s1", "autograded"] == 2 and totals.loc["s1", "autograded_of"] == 2
    assert totals.loc["s1", "hand_marked"] == 1 and totals.loc["s1", "hand_marked_of"] == 4
    assert totals.loc["s1", "total"] == 3 and totals.loc["s1", "out_of"] == 6
    assert totals.loc["s1", "percent"] == 50.0
    assert totals.loc["s2", "to_mark"] == 1
    summary = question_summary(scores_frame()).set_index("question")
    assert list(summary.index) == ["q1", "task-tests"]  # 25% before 50%
    assert summary.loc["q1", "mean_fraction"] == pytest.approx(0.25)  # s2 is not marked yet
    assert summary.loc["q1", "to_mark"] == 1 and summary.loc["q1", "students"] == 1
    unmarked = question_summary(scores_frame().assign(needs_manual_grade=True))
    assert unmarked["mean_fraction"].isna().all() and unmarked["to_mark"].tolist() == [2, 2]


def test_find_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from wholeschool.cli import main

    with pytest.raises(GradingError, match="no nbgrader_config.py"):
        find_course(tmp_path)
    result = CliRunner().invoke(main, ["trainer", "--course", str(tmp_path), "release"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Error: no nbgrader_config.py in {tmp_path}; pass --course FOLDER" in result.output
    (tmp_path / "assessments").mkdir()
    (tmp_path / "assessments" / "nbgrader_config.py").write_text("")
    monkeypatch.chdir(tmp_path)
    assert find_course(None) == (tmp_path / "assessments").resolve()


def test_collect_folder(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(ROOT / "assessments" / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    incoming = tmp_path / "in"
    shutil.copytree(FIXTURES / "perfect", incoming / "lead-1")  # files straight in the folder
    shutil.copytree(FIXTURES / "renamed", incoming / "lead-2" / ASSIGNMENT)
    shutil.copytree(FIXTURES / "perfect", incoming / "bad id!")
    lines = collect_folder(course, ASSIGNMENT, incoming)
    assert lines == [
        f"skipped {incoming / 'bad id!'}: 'bad id!' is not a usable student id",
        "collected lead-1",
        f"collected lead-2 (renamed {ASSIGNMENT}-final.ipynb to {ASSIGNMENT}.ipynb)",
    ]
    for lead in ("lead-1", "lead-2"):
        folder = course / "submitted" / lead / ASSIGNMENT
        assert sorted(p.name for p in folder.iterdir()) == [
            f"{ASSIGNMENT}.ipynb",
            "my-action-plan.json",
            "timestamp.txt",
        ]
    assert (incoming / "lead-2" / ASSIGNMENT / f"{ASSIGNMENT}-final.ipynb").exists()  # kept
    again = collect_folder(course, ASSIGNMENT, incoming)
    assert again[1].startswith("collected lead-1 (the earlier submission was moved to replaced/")
    (earlier,) = (course / "replaced" / "lead-1" / ASSIGNMENT).iterdir()
    assert (earlier / f"{ASSIGNMENT}.ipynb").read_bytes() == (
        FIXTURES / "perfect" / f"{ASSIGNMENT}.ipynb"
    ).read_bytes()


@pytest.mark.nbgrader
def test_autograde_waits_out_a_locked_gradebook(tmp_path: Path) -> None:
    """A real exclusive SQLite lock, held longer than the busy timeout: the student is graded
    again once it is released, and the gradebook stays sound."""
    course = tmp_path / "course"
    course.mkdir()
    config = (ROOT / "assessments" / "nbgrader_config.py").read_text(encoding="utf-8")
    config += '\nc.CourseDirectory.db_url = c.CourseDirectory.db_url.replace("timeout=60", "timeout=0.2")\n'
    (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
    shutil.copytree(ROOT / "assessments" / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    ensure_tools_on_path()
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT],
        cwd=course,
        check=True,
        capture_output=True,
    )
    shutil.copytree(FIXTURES / "perfect", course / "submitted" / "lead" / ASSIGNMENT)
    prepare_gradebook(course, ASSIGNMENT, ["lead"])
    expected = notebook_names(course, ASSIGNMENT)

    # A real exclusive lock held for the whole of a grading run (no timing involved): every
    # attempt meets it, so the retries are used up and the trainer is told; once it is
    # released, grading again succeeds in one attempt.
    holder = sqlite3.connect(course / "gradebook.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        blocked = grade_student(course, ASSIGNMENT, "lead", expected, retries=2)
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert not blocked.graded and blocked.attempts == 2, blocked.log[-2000:]
    assert blocked.reason == "the gradebook stayed locked; run autograde again for this student"
    result = grade_student(course, ASSIGNMENT, "lead", expected)
    assert result.graded and result.attempts == 1, result.log[-2000:]
    with sqlite3.connect(course / "gradebook.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        total = connection.execute(
            "SELECT SUM(grade.auto_score) FROM grade JOIN submitted_notebook "
            "ON grade.notebook_id = submitted_notebook.id"
        ).fetchone()[0]
    assert total == 2.0 + 2.0 + 8.0  # plan, safeguarding choice, structured reflection


@pytest.mark.nbgrader
def test_exchange_round_trip(tmp_path: Path) -> None:
    """JupyterHub style: release to an nbgrader exchange, a lead fetches and submits with the
    real nbgrader commands, the trainer collects, autogrades and returns feedback."""
    exchange, course, lead = tmp_path / "exchange", tmp_path / "course", tmp_path / "lead"
    for folder in (exchange, course, lead):
        folder.mkdir()
    setting = f"c.Exchange.root = {str(exchange)!r}\n"
    config = (ROOT / "assessments" / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "nbgrader_config.py").write_text(config + setting, encoding="utf-8")
    (lead / "nbgrader_config.py").write_text(
        f'c = get_config()\n{setting}c.CourseDirectory.course_id = "wholeschool-smhl"\n'
    )
    shutil.copy(ROOT / "assessments" / "rubric.yaml", course)
    shutil.copytree(ROOT / "assessments" / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    ensure_tools_on_path()

    def run(cwd: Path, *command: str) -> str:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    nbgrader = (sys.executable, "-m", "nbgrader")
    trainer = (
        str(BIN / "wholeschool"),
        "trainer",
        "--course",
        str(course),
    )  # the installed command
    run(tmp_path, *trainer, "release", ASSIGNMENT, "--exchange")
    run(lead, *nbgrader, "fetch_assignment", ASSIGNMENT)
    for handed_in in (FIXTURES / "perfect").iterdir():
        shutil.copy(handed_in, lead / ASSIGNMENT)
    run(lead, *nbgrader, "submit", ASSIGNMENT)
    run(tmp_path, *trainer, "collect", ASSIGNMENT, "--exchange")
    (student,) = [p.name for p in (course / "submitted").iterdir()]
    graded = run(tmp_path, *trainer, "autograde", ASSIGNMENT)
    assert f"{student}: graded" in graded and "1 graded, 0 not graded" in graded
    refused = subprocess.run(
        [*trainer, "feedback", ASSIGNMENT, "--exchange"], capture_output=True, text=True
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"{student}: written answers 1, 2 and 3 of {ASSIGNMENT} are not marked yet" in (
        refused.stderr
    )
    assert not (exchange / "wholeschool-smhl" / "feedback").exists() or not any(
        (exchange / "wholeschool-smhl" / "feedback").iterdir()
    )
    # formgrader's "Generate feedback" runs nbgrader's own command: refused the same way
    made = subprocess.run(
        [*nbgrader, "generate_feedback", ASSIGNMENT, "--student", student],
        cwd=course,
        capture_output=True,
        text=True,
    )
    assert made.returncode != 0, made.stdout + made.stderr
    assert f"No feedback made for {student}: 3 answers are not marked yet" in made.stderr
    assert not list((course / "feedback").rglob("*.html"))
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "wholeschool-smhl") as gradebook:
        for question, points in (("q1", 4), ("q2", 3), ("q3", 1)):
            grade = gradebook.find_grade(
                f"{ASSIGNMENT}-{question}", ASSIGNMENT, ASSIGNMENT, student
            )
            grade.manual_score, grade.needs_manual_grade = points, False
        gradebook.db.commit()
    run(tmp_path, *trainer, "feedback", ASSIGNMENT, "--exchange")
    run(lead, *nbgrader, "fetch_feedback", ASSIGNMENT)
    returned = list((lead / ASSIGNMENT / "feedback").rglob("*.html"))
    assert len(returned) == 1  # one page per notebook, as nbgrader releases it
    raw = returned[0].read_text(encoding="utf-8")
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", "", raw)).split())  # as the lead reads it
    assert "Your score: 20 / 24" in page  # 12 automatic + 8 marked
    assert page.count("Rubric level for this answer") == 3
    assert "Builds safe practice into the plan itself" in page  # level Strong, for 4 / 4
    assert "BEGIN HIDDEN TESTS" not in page and "_planned = planned_principles(plan)" not in page


def test_limit_output_size_cuts_text_and_drops_big_data() -> None:
    import nbformat
    from wholeschool.grading.limit_output import CUT_MARKER, LimitOutputSize

    cell = nbformat.v4.new_code_cell("print()")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x" * 5000),
        nbformat.v4.new_output(
            "display_data", data={"image/png": "A" * 5000, "text/html": "<p>" * 10}
        ),
        nbformat.v4.new_output("error", ename="E", evalue="", traceback=["y" * 5000, "short"]),
    ]
    small = nbformat.v4.new_code_cell("1")
    small.outputs = [nbformat.v4.new_output("stream", name="stdout", text="fine")]
    step = LimitOutputSize(max_chars=100)
    cell, _ = step.preprocess_cell(cell, {}, 0)
    stream, display, error = cell.outputs
    assert (
        stream.text.startswith("x" * 100) and CUT_MARKER in stream.text and len(stream.text) < 200
    )
    assert "image/png" not in display.data and CUT_MARKER in display.data["text/plain"]
    assert display.data["text/html"] == "<p>" * 10
    assert CUT_MARKER in error.traceback[0] and error.traceback[1] == "short"
    assert step.preprocess_cell(small, {}, 0)[0].outputs[0].text == "fine"


def test_autograde_before_release_says_what_to_do(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from wholeschool.cli import main

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "assessments" / "nbgrader_config.py", course)
    shutil.copytree(FIXTURES / "perfect", course / "submitted" / "lead" / ASSIGNMENT)
    result = CliRunner().invoke(main, ["trainer", "--course", str(course), "autograde", ASSIGNMENT])
    assert result.exit_code == 1
    assert f"assignment '{ASSIGNMENT}' is not in the gradebook" in result.output
    assert f"wholeschool trainer release {ASSIGNMENT}" in result.output
    empty = CliRunner().invoke(main, ["trainer", "--course", str(course), "autograde", "ethos"])
    assert empty.exit_code == 1 and "no submissions of ethos" in empty.output


def test_grading_runs_with_an_empty_records_folder_not_the_trainers(tmp_path, monkeypatch):
    from wholeschool.grading.autograde import no_records_of_our_own

    trainers = tmp_path / "trainer-records"
    trainers.mkdir()
    (trainers / "audit.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(trainers))
    with no_records_of_our_own() as folder:
        assert os.environ["WHOLESCHOOL_RECORDS"] == str(folder)
        assert folder != trainers and list(folder.iterdir()) == []
    assert os.environ["WHOLESCHOOL_RECORDS"] == str(trainers)
    assert not folder.exists()


def _grades(course: Path) -> dict[tuple[str, str], tuple[float | None, float]]:
    """(student, grade cell) → (auto score, max score), from the real gradebook."""
    from nbgrader.api import Gradebook
    from wholeschool.grading.autograde import course_directory

    coursedir = course_directory(course)
    found = {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for submission in gradebook.assignment_submissions(ASSIGNMENT):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    key = (submission.student_id, grade.name)
                    found[key] = (grade.auto_score, grade.max_score)
    return found


@pytest.mark.nbgrader
def test_the_fast_autograde_scores_as_plain_nbgrader(tmp_path: Path) -> None:
    """The trainer's autograde (two workers, kernels started ahead with the course package
    imported, stopped at once) gives every cell of every submission the score plain
    ``nbgrader autograde`` gives it, on the same submissions."""
    cases = ["perfect", "partial", "blank", "edited-tests", "sys-exit", "perfect"]
    ensure_tools_on_path()
    submissions = {f"lead{i}": FIXTURES / case for i, case in enumerate(cases)}
    plain = released_course(tmp_path / "plain", submissions, plain=True)
    fast = released_course(tmp_path / "fast", submissions)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT],
        cwd=plain,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    done = subprocess.run(
        [str(BIN / "wholeschool"), "trainer", "--course", str(fast), "autograde", ASSIGNMENT]
        + ["--workers", "2"],
        cwd=fast,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    expected = _grades(plain)
    assert len({student for student, _ in expected}) == len(cases)
    assert {score for score, _ in expected.values()} > {0.0}  # some marks, some zeros
    assert _grades(fast) == expected
