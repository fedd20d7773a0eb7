"""The trainer's whole cycle with the real nbgrader CLI, in a temporary course folder.

release → nbgrader validate → collect (fixture submissions: perfect, blank, partial and the
adversarial ones) → parallel autograde → manual grades through nbgrader's Gradebook API →
feedback (refused while answers are unmarked, then for the fully marked leads only) → report,
with exact scores asserted. One assignment of each strand is graded (the leads' identifying-need
with every fixture, the data strand's data-identifying-need with one model submission), to keep
the run short; the notebooks of every assignment are checked in test_nbgrader_notebooks.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import make_submissions
import nbformat
import pandas as pd
import pytest
from helpers import BIN, ROOT
from wholeschool.grading.autograde import ensure_tools_on_path

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "identifying-need"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
FIXTURES = ROOT / "tests" / "data" / "submissions"
#: Autograded points each case earns: the plan check (2), the safeguarding choice (2) and the
#: structured reflection (8 criteria at 1 point). Every case but blank hands in the model
#: reflection; blank still holds the templates and hands in no plan.
AUTO_SCORES = {
    "perfect": 12.0,
    "blank": 0.0,
    "partial": 8.0,  # the plan has no action here and the choice is wrong
    "infinite-loop": 10.0,  # the looping choice box is stopped after 2 s and scores 0
    "sys-exit": 10.0,
    "edited-tests": 10.0,  # the emptied test cell is restored, so the wrong choice scores 0
    "deleted-tests": 10.0,  # the deleted test cell scores 0
    "renamed": 12.0,  # collect renames it back
    "huge-output": 12.0,  # the 50 MB stored output is cleared before grading
    "prints-huge": 10.0,  # the choice box prints 50 MB instead: the output is cut
}
#: Points of the whole assignment (the three written answers are worth 4 each).
MAX_POINTS = 24.0
NOT_GRADED = {
    "empty": "identifying-need.ipynb is empty",
    "not-json": "identifying-need.ipynb is not a notebook: not valid JSON",
    "os-exit": "the kernel died while running the notebook",
}
#: Manual grades given through the Gradebook API: (student, question) → points.
MANUAL = {
    ("perfect", "identifying-need-q1"): 4,
    ("perfect", "identifying-need-q2"): 3,
    ("perfect", "identifying-need-q3"): 1,
    ("partial", "identifying-need-q1"): 2,
    **{
        (case, f"identifying-need-q{n}"): 2
        for case in ("huge-output", "prints-huge")
        for n in (1, 2, 3)
    },
}
#: Leads with every answer marked (nbgrader itself scores an answer left blank 0: all of
#: blank's, two of partial's).
FULLY_MARKED = {"perfect", "partial", "huge-output", "prints-huge", "blank"}
#: The data strand's assignment graded in the same cycle, with one model submission.
DATA_ASSIGNMENT = f"data-{ASSIGNMENT}"


TEST_CONFIG = """
# Tests: stop a looping cell after 2 s. The set-up cell only imports, which can take longer
# than that on a busy machine, so it keeps 60 s.
def _cell_timeout(cell):
    return 60 if cell.metadata.get("nbgrader", {}).get("grade_id") == "setup" else 2


c.Execute.timeout_func = _cell_timeout
"""


def nbgrader(course: Path, *args: str) -> str:
    ensure_tools_on_path()
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True
    )
    return done.stdout + done.stderr


def trainer(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "wholeschool"), "trainer", "--course", str(course), *args],
        capture_output=True,
        text=True,
    )


def make_course(folder: Path) -> Path:
    """A course folder with our config (plus a 2 s cell timeout), rubric and one assignment."""
    config = (ROOT / "assessments" / "nbgrader_config.py").read_text(encoding="utf-8")
    (folder / "nbgrader_config.py").write_text(config + TEST_CONFIG)
    shutil.copy(ROOT / "assessments" / "rubric.yaml", folder)
    for name in (ASSIGNMENT, DATA_ASSIGNMENT):
        shutil.copytree(ROOT / "assessments" / "source" / name, folder / "source" / name)
    return folder


def huge_output(perfect: Path, dest: Path) -> None:
    """The perfect submission with a 50 MB output saved in one cell."""
    shutil.copytree(perfect, dest)
    notebook = nbformat.read(perfect / NOTEBOOK, 4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and not c.get("outputs"))
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 50_000_000)]
    nbformat.write(notebook, dest / NOTEBOOK)
    assert (dest / NOTEBOOK).stat().st_size > 50_000_000


def prints_huge(perfect: Path, dest: Path) -> None:
    """The perfect submission with an answer cell that prints 50 MB when it runs."""
    shutil.copytree(perfect, dest)
    notebook = nbformat.read(perfect / NOTEBOOK, 4)
    cell = next(c for c in notebook.cells if c.get("id") == make_submissions.CHOICE_ID)
    cell.source = 'print("x" * 50_000_000)'
    nbformat.write(notebook, dest / NOTEBOOK)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the whole cycle once; the tests below check each part of what it left."""
    course = make_course(tmp_path_factory.mktemp("course"))
    out: dict = {"course": course}
    out["release"] = trainer(course, "release", ASSIGNMENT, DATA_ASSIGNMENT)
    release = course / "release" / ASSIGNMENT
    with example_plan_in_records():  # a lead who saved a plan: the source passes, the release
        out["validate_source"] = nbgrader(course, "validate", f"source/{ASSIGNMENT}/{NOTEBOOK}")
        out["validate_release"] = nbgrader(course, "validate", f"release/{ASSIGNMENT}/{NOTEBOOK}")
    out["release_files"] = sorted(p.name for p in release.iterdir())  # no plan copied in
    out["fixtures_now"] = make_submissions.build_from(release / NOTEBOOK)

    incoming = tmp_path_factory.mktemp("incoming")
    for case in [p for p in FIXTURES.iterdir() if p.is_dir()]:
        shutil.copytree(case, incoming / case.name / ASSIGNMENT)
    huge_output(FIXTURES / "perfect", incoming / "huge-output" / ASSIGNMENT)
    prints_huge(FIXTURES / "perfect", incoming / "prints-huge" / ASSIGNMENT)
    out["collect"] = trainer(course, "collect", ASSIGNMENT, "--from", str(incoming))
    out["autograde"] = trainer(course, "autograde", ASSIGNMENT, "--workers", "2")

    data_in = tmp_path_factory.mktemp("data-incoming")
    data_nb = f"{DATA_ASSIGNMENT}.ipynb"
    model = make_submissions._answered(
        nbformat.read(course / "release" / DATA_ASSIGNMENT / data_nb, 4),
        nbformat.read(course / "source" / DATA_ASSIGNMENT / data_nb, 4),
    )
    (data_in / "msc" / DATA_ASSIGNMENT).mkdir(parents=True)
    nbformat.write(model, data_in / "msc" / DATA_ASSIGNMENT / data_nb)
    out["data_collect"] = trainer(course, "collect", DATA_ASSIGNMENT, "--from", str(data_in))
    out["data_autograde"] = trainer(course, "autograde", DATA_ASSIGNMENT)
    out["data_feedback"] = trainer(course, "feedback", DATA_ASSIGNMENT)

    from nbgrader.api import Gradebook
    from wholeschool.grading.autograde import course_directory

    coursedir = course_directory(course)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for (student, question), points in MANUAL.items():
            grade = gradebook.find_grade(question, ASSIGNMENT, ASSIGNMENT, student)
            grade.manual_score = points
            grade.needs_manual_grade = False
        gradebook.db.commit()
    out["feedback_refused"] = trainer(course, "feedback", ASSIGNMENT)
    out["feedback_folder_after_refusal"] = sorted((course / "feedback").glob(f"*/{ASSIGNMENT}"))
    out["feedback"] = trainer(course, "feedback", ASSIGNMENT, "--marked-only")
    out["report_dir"] = tmp_path_factory.mktemp("report")
    out["report"] = trainer(course, "report", ASSIGNMENT, "--out", str(out["report_dir"]))
    return out


@contextlib.contextmanager
def example_plan_in_records() -> Iterator[None]:
    """A lead's records folder holding a plan with an action under every principle, as
    ``WHOLESCHOOL_RECORDS`` while the trainer validates the instructor's version."""
    from wholeschool.core.framework import FRAMEWORK

    plan = {
        **make_submissions.PLAN,
        "actions": [
            {**make_submissions.PLAN["actions"][0], "indicator": p.indicators[0].id}
            for p in FRAMEWORK.principles
        ],
    }
    before = os.environ.get("WHOLESCHOOL_RECORDS")
    with tempfile.TemporaryDirectory() as records:
        Path(records, "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        os.environ["WHOLESCHOOL_RECORDS"] = records
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("WHOLESCHOOL_RECORDS")
            else:
                os.environ["WHOLESCHOOL_RECORDS"] = before


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_release_makes_the_student_version(cycle: dict) -> None:
    ok(cycle["release"])
    released = cycle["course"] / "release" / ASSIGNMENT
    assert cycle["release_files"] == [NOTEBOOK]
    text = (released / NOTEBOOK).read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    # The leads' strand: text boxes with their templates, no code stub to delete.
    assert "NotImplementedError" not in text and "YOUR CODE HERE" not in text
    sources = [c.source for c in nbformat.reads(text, 4).cells]
    assert any(s.startswith("%%reflection\nFinding:\n") for s in sources)
    assert f"%%answer {make_submissions.CHOICE_ID}\nWrite one letter here: A, B, C or D" in sources
    data = cycle["course"] / "release" / DATA_ASSIGNMENT
    assert sorted(p.name for p in data.iterdir()) == [f"{DATA_ASSIGNMENT}.ipynb", "school_data.csv"]
    assert "raise NotImplementedError()" in (data / f"{DATA_ASSIGNMENT}.ipynb").read_text()


def test_nbgrader_validate_passes_on_the_solution_and_fails_on_the_release(cycle: dict) -> None:
    assert "Success! Your notebook passes all the tests." in cycle["validate_source"]
    assert "VALIDATION FAILED" in cycle["validate_release"]
    assert "Success!" not in cycle["validate_release"]


def test_fixture_submissions_are_up_to_date(cycle: dict) -> None:
    for case, files in cycle["fixtures_now"].items():
        for name, text in files.items():
            stored = (FIXTURES / case / name).read_text(encoding="utf-8")
            assert stored == text, f"rerun tests/data/submissions/make_submissions.py ({case})"


def test_collect_renames_a_single_renamed_notebook(cycle: dict) -> None:
    lines = ok(cycle["collect"]).splitlines()
    assert f"collected renamed (renamed {ASSIGNMENT}-final.ipynb to {NOTEBOOK})" in lines
    assert len(lines) == len(AUTO_SCORES) + len(NOT_GRADED)
    stamp = cycle["course"] / "submitted" / "perfect" / ASSIGNMENT / "timestamp.txt"
    assert stamp.read_text().endswith("UTC\n")


def autograded_scores(course: Path) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook
    from wholeschool.grading.autograde import course_directory

    coursedir = course_directory(course)
    scores = {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for submission in gradebook.assignment_submissions(ASSIGNMENT):
            notebook = submission.notebooks[0]
            scores[submission.student_id] = {g.name: g.score for g in notebook.grades}
    return scores


@pytest.mark.parametrize("case", sorted(AUTO_SCORES))
def test_autograded_scores_are_exact(cycle: dict, case: str) -> None:
    line = next(x for x in ok(cycle["autograde"]).splitlines() if x.startswith(f"{case}:"))
    assert line.startswith(f"{case}: graded"), line
    scores = autograded_scores(cycle["course"])[case]
    auto = sum(v for k, v in scores.items() if not k.startswith(f"{ASSIGNMENT}-q"))
    assert auto == AUTO_SCORES[case]


@pytest.mark.parametrize(
    ("case", "note"),
    [
        ("infinite-loop", "a cell ran past the time limit and was stopped"),
        ("sys-exit", "the notebook called sys.exit()"),
        ("edited-tests", "cell safeguarding-route-tests was edited (nbgrader graded the original)"),
        ("deleted-tests", "cell safeguarding-route-tests was deleted"),
        ("prints-huge", "an oversized output was cut"),
    ],
)
def test_adversarial_submissions_are_graded_with_a_note(cycle: dict, case: str, note: str) -> None:
    line = next(x for x in ok(cycle["autograde"]).splitlines() if x.startswith(f"{case}:"))
    assert note in line


@pytest.mark.parametrize("case", sorted(NOT_GRADED))
def test_ungradable_submissions_are_reported_and_left_out(cycle: dict, case: str) -> None:
    line = next(x for x in ok(cycle["autograde"]).splitlines() if x.startswith(f"{case}:"))
    assert line.startswith(f"{case}: NOT GRADED ({NOT_GRADED[case]}"), line
    assert case not in autograded_scores(cycle["course"])
    missing = pd.read_csv(cycle["report_dir"] / "not-graded.csv")
    reason = missing.set_index("student").loc[case, "reason"]
    assert reason.startswith(NOT_GRADED[case])


def test_gradebook_stays_consistent(cycle: dict) -> None:
    db = cycle["course"] / "gradebook.db"
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = connection.execute(
            "SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id"
        ).fetchall()
    assert dict(rows) == {**dict.fromkeys(AUTO_SCORES, 1), "msc": 1}
    ok(cycle["autograde"])
    assert "10 graded, 3 not graded" in cycle["autograde"].stdout


def test_feedback_is_refused_while_answers_are_unmarked(cycle: dict) -> None:
    refused = cycle["feedback_refused"]
    assert refused.returncode != 0
    assert "feedback not made: 5 of 10 leads have written answers still to mark" in refused.stderr
    assert "sys-exit: written answers 1, 2 and 3 of identifying-need are not marked yet" in (
        refused.stderr
    )
    assert (
        "deleted-tests: written answers 1, 2 and 3 and the check safeguarding-route-tests of "
        "identifying-need are not marked yet" in refused.stderr
    )
    assert "--marked-only" in refused.stderr and "Traceback" not in refused.stderr
    assert cycle["feedback_folder_after_refusal"] == []


def test_marked_only_feedback_goes_to_fully_marked_leads(cycle: dict) -> None:
    out = ok(cycle["feedback"])
    assert f"feedback for {len(FULLY_MARKED)} leads" in out
    assert (
        "held back until marked: deleted-tests, edited-tests, infinite-loop, renamed, sys-exit"
        in out
    )
    folder = cycle["course"] / "feedback"
    assert {p.parent.name for p in folder.glob(f"*/{ASSIGNMENT}")} == FULLY_MARKED


def shown_text(path: Path) -> str:
    """A feedback page's text as the lead reads it (tags removed, code kept together)."""
    import html
    import re

    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def test_feedback_has_rubric_levels_and_no_hidden_tests(cycle: dict) -> None:
    folder = cycle["course"] / "feedback"
    for case in FULLY_MARKED:
        page = folder / case / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert 0 < page.stat().st_size < 2_000_000, case  # 50 MB of output never reaches it
    text = (folder / "perfect" / ASSIGNMENT / "rubric-feedback.md").read_text(encoding="utf-8")
    assert "Total: **20 / 24**" in text  # 12 automatic + 8 marked by hand
    assert "**4 / 4 — Strong**" in text and "**3 / 4 — Strong**" in text
    assert "**1 / 4 — Emerging**" in text
    page = shown_text(folder / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.html")
    assert page.count("Rubric level for this answer") == 3
    assert "Builds safe practice into the plan itself" in page  # the Strong descriptor
    assert "Mentions the school's situation in general terms" in page  # the Emerging one
    partial = shown_text(folder / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html")
    for shown in (page, partial):
        assert "BEGIN HIDDEN TESTS" not in shown and "_planned = planned_principles" not in shown
        assert '_choice == "B"' not in shown and "_checklist.passed" not in shown
        assert "Not marked yet" not in shown
    # A failed hidden test still says why, in words.
    assert "goes to the designated safeguarding lead (DSL) first" in partial
    assert "Your action plan has no action under this principle yet" in partial


def test_feedback_reads_as_feedback_not_as_a_notebook(cycle: dict) -> None:
    """The lead reads their answers (as they wrote them), each score, the rubric level, and
    what each check found in a sentence: no nbgrader cell labels or ids, no prompts, no code
    of the course's own, no ``%%`` lines, no Python error names, nothing from a public CDN."""
    folder = cycle["course"] / "feedback"
    for case in ("perfect", "partial", "blank"):
        raw = (folder / case / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
        shown = shown_text(folder / case / ASSIGNMENT / f"{ASSIGNMENT}.html")
        for label in ("Student's answer", "Grade cell", "Test cell", "(Top)", "In [", "In\xa0["):
            assert label not in shown, (case, label)
        for code in (
            "from wholeschool",
            "start(PRINCIPLE)",
            "my_plan()",
            "check_written(",
            "choice(",
            "assert ",
            "%%reflection",
            "%%answer",
            "AssertionError",
            "plan-tests",
            "safeguarding-route",
        ):
            assert code not in shown, (case, code)
        assert "cdnjs" not in raw and "<script src=" not in raw, case
        assert shown.count("Your answer") == 5, case  # the choice, three written, the reflection
        assert shown.count("Checked automatically: ") == 10, case  # plan, choice, 8 criteria
    partial = shown_text(folder / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html")
    assert "Your score: 10 / 24" in partial  # 8 automatic + 2 marked by hand
    assert "Checked automatically: not passed Score: 0 / 2" in " ".join(partial.split())
    assert "Your action plan has no action under this principle yet" in partial
    perfect = " ".join(shown_text(folder / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.html").split())
    assert "Your score: 20 / 24" in perfect
    assert "Your answer B Checked automatically: passed Score: 2 / 2" in perfect
    assert "Your answer Score: 4 / 4" in perfect  # a written answer, marked
    assert "Finding: Our self-audit rated identifying-need.1" in perfect  # the reflection as text


def test_the_data_strand_goes_through_the_same_commands(cycle: dict) -> None:
    assert "collected msc" in ok(cycle["data_collect"])
    assert "msc: graded" in ok(cycle["data_autograde"])
    assert "feedback for 1 lead in" in ok(cycle["data_feedback"])  # nothing to mark by hand
    from nbgrader.api import Gradebook
    from wholeschool.grading.autograde import course_directory

    coursedir = course_directory(cycle["course"])
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        submission = gradebook.find_submission(DATA_ASSIGNMENT, "msc")
        assert submission.score == submission.max_score > 0


def test_report_totals_are_exact(cycle: dict) -> None:
    stdout = ok(cycle["report"])
    assert "Weakest questions (marked answers only):" in stdout
    assert "written answers are still to be marked" in stdout
    out = cycle["report_dir"]
    totals = pd.read_csv(out / "students.csv").set_index("student")
    manual = pd.Series(MANUAL).groupby(level=0).sum()
    for case, auto in AUTO_SCORES.items():
        # nbgrader leaves a deleted test cell for the trainer to mark by hand (2 points).
        unmarked = 0 if case in FULLY_MARKED else 3 + (case == "deleted-tests")
        assert totals.loc[case, "to_mark"] == unmarked, case
        # Each part out of its own points, the total out of the whole assignment; a part
        # with an answer still to mark, and the total, stay empty (never a zero).
        assert totals.loc[case, "autograded_of"] == MAX_POINTS - 12, case
        assert totals.loc[case, "hand_marked_of"] == 12 and totals.loc[case, "out_of"] == MAX_POINTS
        if case == "deleted-tests":
            assert pd.isna(totals.loc[case, "autograded"]), case
        else:
            assert totals.loc[case, "autograded"] == auto, case
        if case in FULLY_MARKED:
            assert totals.loc[case, "hand_marked"] == manual.get(case, 0), case
            assert totals.loc[case, "total"] == auto + manual.get(case, 0), case
        else:
            assert pd.isna(totals.loc[case, "hand_marked"]), case
            assert pd.isna(totals.loc[case, "total"]) and pd.isna(totals.loc[case, "percent"])
    scores = pd.read_csv(out / "scores.csv")
    assert len(scores) == (2 + 3 + 8) * len(AUTO_SCORES)  # plan, choice, 3 written, 8 structured
    wide = pd.read_csv(out / "scores-by-question.csv").set_index("student")
    assert wide.loc["partial", ["plan-tests", "safeguarding-route-tests"]].tolist() == [0, 0]
    assert wide.loc["perfect", "identifying-need-q2"] == 3
    assert pd.isna(wide.loc["sys-exit", "identifying-need-q1"])  # unmarked: empty, not 0
    questions = pd.read_csv(out / "questions.csv")
    marked = scores[~scores["needs_manual_grade"]]
    fractions = (marked["score"] / marked["max_score"]).groupby(marked["question"]).mean()
    assert questions["question"].iloc[0] == fractions.idxmin()
    assert (out / "weakest-questions.png").read_bytes()[:4] == b"\x89PNG"
    canvas = pd.read_csv(out / "gradebook-canvas.csv").set_index("SIS Login ID")
    assert canvas[ASSIGNMENT].iloc[0] == MAX_POINTS  # the "Points Possible" row
    assert canvas.loc["perfect", ASSIGNMENT] == 20 and pd.isna(canvas.loc["sys-exit", ASSIGNMENT])
    moodle = pd.read_csv(out / "gradebook-moodle.csv").set_index("Username")
    assert moodle.loc["partial", f"{ASSIGNMENT} (out of 24)"] == AUTO_SCORES["partial"] + 2


def test_results_file_lists_every_student(cycle: dict) -> None:
    results = pd.read_csv(
        cycle["course"] / "reports" / ASSIGNMENT / "autograde.csv", keep_default_na=False
    )
    assert sorted(results["student"]) == sorted([*AUTO_SCORES, *NOT_GRADED])
    assert results.set_index("student").loc["perfect", "attempts"] >= 1


def test_regrading_a_broken_resubmission_keeps_earlier_marks(cycle: dict) -> None:
    """Runs last: a lead already marked by hand resubmits an empty file; autograde reports it
    and the earlier grades, manual marks included, stay in the gradebook."""
    course = cycle["course"]
    (course / "submitted" / "perfect" / ASSIGNMENT / NOTEBOOK).write_text("", encoding="utf-8")
    result = trainer(course, "autograde", ASSIGNMENT, "--student", "perfect")
    assert f"perfect: NOT GRADED ({NOTEBOOK} is empty)" in ok(result)
    scores = autograded_scores(course)["perfect"]
    assert scores["identifying-need-q1"] == 4 and scores["plan-tests"] == 2
