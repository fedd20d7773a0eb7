"""The trainer's whole cycle with the real nbgrader CLI, in a temporary course folder.

release → nbgrader validate → collect (fixture submissions: perfect, blank, partial and the
adversarial ones) → parallel autograde → manual grades through nbgrader's Gradebook API →
feedback → report, with exact scores asserted. One assignment (identifying-need) is graded, to
keep the run short; the notebooks of every assignment are checked in test_nbgrader_notebooks.py.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from helpers import BIN, ROOT

sys.path.insert(0, str(ROOT / "tests" / "data" / "submissions"))
import make_submissions  # noqa: E402
from wholeschool.grading.autograde import ensure_tools_on_path  # noqa: E402

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "identifying-need"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
FIXTURES = ROOT / "tests" / "data" / "submissions"
#: Autograded points (two data tasks and the plan check, 2 each) each case earns.
AUTO_SCORES = {
    "perfect": 6.0,
    "blank": 0.0,
    "partial": 2.0,  # task 1 only: the rate is not per 100, the plan has no action here
    "infinite-loop": 4.0,  # the looping task cell is stopped after 2 s and scores 0
    "sys-exit": 4.0,
    "edited-tests": 4.0,  # the emptied test cell is restored, so the wrong answer scores 0
    "deleted-tests": 4.0,  # the deleted test cell scores 0
    "renamed": 6.0,  # collect renames it back
    "huge-output": 6.0,  # the 50 MB stored output is cleared before grading
    "prints-huge": 6.0,  # prints 50 MB when run: the output is cut, the answers still count
}
#: Plus the structured reflection's automatic points (issue 9, 8 criteria at 1 point): every
#: case but blank submits the model answer, and blank still holds the template.
REFLECTION_POINTS = 8.0
AUTO_SCORES = {
    case: score + (0.0 if case == "blank" else REFLECTION_POINTS)
    for case, score in AUTO_SCORES.items()
}
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
}


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
    shutil.copytree(ROOT / "assessments" / "source" / ASSIGNMENT, folder / "source" / ASSIGNMENT)
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
    cell = next(c for c in notebook.cells if c.get("id") == "lowest-wellbeing")
    cell.source = 'print("x" * 50_000_000)\n' + cell.source
    nbformat.write(notebook, dest / NOTEBOOK)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the whole cycle once; the tests below check each part of what it left."""
    course = make_course(tmp_path_factory.mktemp("course"))
    out: dict = {"course": course}
    out["release"] = trainer(course, "release", ASSIGNMENT)
    release = course / "release" / ASSIGNMENT
    out["validate_source"] = nbgrader(course, "validate", f"source/{ASSIGNMENT}/{NOTEBOOK}")
    out["validate_release"] = nbgrader(course, "validate", f"release/{ASSIGNMENT}/{NOTEBOOK}")
    out["fixtures_now"] = make_submissions.build_from(release / NOTEBOOK)

    incoming = tmp_path_factory.mktemp("incoming")
    for case in [p for p in FIXTURES.iterdir() if p.is_dir()]:
        shutil.copytree(case, incoming / case.name / ASSIGNMENT)
    huge_output(FIXTURES / "perfect", incoming / "huge-output" / ASSIGNMENT)
    prints_huge(FIXTURES / "perfect", incoming / "prints-huge" / ASSIGNMENT)
    out["collect"] = trainer(course, "collect", ASSIGNMENT, "--from", str(incoming))
    out["autograde"] = trainer(course, "autograde", ASSIGNMENT, "--workers", "2")

    from nbgrader.api import Gradebook
    from wholeschool.grading.autograde import course_directory

    coursedir = course_directory(course)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for (student, question), points in MANUAL.items():
            grade = gradebook.find_grade(question, ASSIGNMENT, ASSIGNMENT, student)
            grade.manual_score = points
            grade.needs_manual_grade = False
        gradebook.db.commit()
    out["feedback"] = trainer(course, "feedback", ASSIGNMENT)
    out["report_dir"] = tmp_path_factory.mktemp("report")
    out["report"] = trainer(course, "report", ASSIGNMENT, "--out", str(out["report_dir"]))
    return out


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_release_makes_the_student_version(cycle: dict) -> None:
    ok(cycle["release"])
    released = cycle["course"] / "release" / ASSIGNMENT
    assert sorted(p.name for p in released.iterdir()) == [NOTEBOOK, "school_data.csv"]
    text = (released / NOTEBOOK).read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    assert "raise NotImplementedError()" in text


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
        ("edited-tests", "cell referral-rate-tests was edited (nbgrader graded the original)"),
        ("deleted-tests", "cell referral-rate-tests was deleted"),
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
    assert dict(rows) == dict.fromkeys(AUTO_SCORES, 1)
    ok(cycle["autograde"])
    assert "10 graded, 3 not graded" in cycle["autograde"].stdout


def test_feedback_has_html_and_rubric_levels(cycle: dict) -> None:
    ok(cycle["feedback"])
    folder = cycle["course"] / "feedback"
    for case in AUTO_SCORES:
        page = folder / case / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert 0 < page.stat().st_size < 2_000_000, case  # 50 MB of output never reaches it
    text = (folder / "perfect" / ASSIGNMENT / "rubric-feedback.md").read_text(encoding="utf-8")
    assert "Total: **22 / 26**" in text  # 18 + 8 structured reflection points
    assert "**4 / 4 — Strong**" in text and "**3 / 4 — Strong**" in text
    assert "**1 / 4 — Emerging**" in text
    assert "Builds safe practice into the plan itself" in text  # the Strong descriptor
    partial = (folder / "sys-exit" / ASSIGNMENT / "rubric-feedback.md").read_text(encoding="utf-8")
    assert partial.count("Not marked yet.") == 3


def test_report_totals_are_exact(cycle: dict) -> None:
    stdout = ok(cycle["report"])
    assert "Weakest questions:" in stdout
    out = cycle["report_dir"]
    totals = pd.read_csv(out / "students.csv").set_index("student")
    manual = pd.Series(MANUAL).groupby(level=0).sum()
    for case, auto in AUTO_SCORES.items():
        assert totals.loc[case, "score"] == auto + manual.get(case, 0), case
        assert totals.loc[case, "max_score"] == 18 + REFLECTION_POINTS
    assert totals.loc["perfect", "to_mark"] == 0
    assert totals.loc["sys-exit", "to_mark"] == 3
    scores = pd.read_csv(out / "scores.csv")
    assert len(scores) == (6 + 8) * len(AUTO_SCORES)  # 8 structured reflection cells
    wide = pd.read_csv(out / "scores-by-question.csv").set_index("student")
    assert wide.loc["partial", ["lowest-wellbeing-tests", "referral-rate-tests"]].tolist() == [2, 0]
    assert wide.loc["perfect", "identifying-need-q2"] == 3
    questions = pd.read_csv(out / "questions.csv")
    marked = scores[~scores["needs_manual_grade"]]
    fractions = (marked["score"] / marked["max_score"]).groupby(marked["question"]).mean()
    assert questions["question"].iloc[0] == fractions.idxmin()
    assert (out / "weakest-questions.png").read_bytes()[:4] == b"\x89PNG"


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
    assert scores["identifying-need-q1"] == 4 and scores["lowest-wellbeing-tests"] == 2
