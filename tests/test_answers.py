"""The leads' strand without nbgrader: text answers read, the plan found, release and feedback
steps, and the trainer's rules for unmarked answers (the real cycle is in test_nbgrader_*)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from helpers import example_plan_records
from wholeschool.grading import answers
from wholeschool.grading.answers import (
    PLAN_COPY,
    check_written,
    choice,
    model_or_answer,
    my_plan,
    read_reflection,
    reflection_template,
)
from wholeschool.grading.reflect_cells import model_answer_text
from wholeschool.grading.reflection import parse_date
from wholeschool.grading.reflection.heuristics import relative_date
from wholeschool.grading.trainer import (
    SCORE_COLUMNS,
    describe_unmarked,
    fully_marked,
    scores_by_question,
    student_totals,
    unmarked,
)

TODAY = dt.date(2026, 11, 25)


def test_the_model_answer_text_passes_every_check(tmp_path: Path) -> None:
    written = read_reflection(model_answer_text("identifying-need"))
    assert written.notes == []
    checklist = check_written(written.reflection, "identifying-need", today=TODAY, records=tmp_path)
    assert checklist.to_do == [] and checklist.score == checklist.max_score == 8


@pytest.mark.parametrize("days_ahead", [0, 33, 430, 1100])
def test_the_model_answer_stays_valid_in_later_years(tmp_path: Path, days_ahead: int) -> None:
    """Its target dates are times from now ("in 3 months"), so no year makes it fail."""
    today = TODAY + dt.timedelta(days=days_ahead)
    written = read_reflection(model_answer_text("leadership"))
    checklist = check_written(written.reflection, "leadership", today=today, records=tmp_path)
    assert checklist.passed("dates"), checklist.message("dates")


def test_the_template_is_recognised_and_worded_without_code(tmp_path: Path) -> None:
    written = read_reflection(reflection_template())
    checklist = check_written(written.reflection, "ethos", today=TODAY, records=tmp_path)
    assert checklist.is_template and checklist.score == 0
    text = str(checklist)
    assert "Finding still holds the template text" in text
    assert "Target date still says" in text
    for code in ("`", "success_measure", "target_date", "Reflection(", "Action("):
        assert code not in text, code
    assert str(tmp_path) not in text


def test_headings_are_read_in_any_case_and_stray_lines_are_named() -> None:
    written = read_reflection(
        "Some words before any heading\n"
        "FINDING: rated ethos.1 as Emerging\n"
        "action 1: Run a staff survey\nowner: PSHE lead\ntarget date: 31/03/2027\n"
        "Ratings:\nethos.1: Emerging\nethos.2 = 2\n"
        "Success measure:\n70% of staff agree\n"
    )
    reflection = written.reflection
    assert reflection.finding == "rated ethos.1 as Emerging"
    assert reflection.ratings == {"ethos.1": "Emerging", "ethos.2": 2}
    (action,) = reflection.actions
    assert (action.what, action.owner, action.target_date) == (
        "Run a staff survey",
        "PSHE lead",
        "31/03/2027",
    )
    assert written.notes and "Some words before any heading" in written.notes[0]


def test_an_empty_box_fails_in_plain_words(tmp_path: Path) -> None:
    checklist = check_written(
        read_reflection("").reflection, "ethos", today=TODAY, records=tmp_path
    )
    assert not checklist.passed("actions")
    assert "Your actions has 0 actions" in checklist.message("actions")


@pytest.mark.parametrize(
    ("text", "letter"),
    [("B", "B"), ("b)", "B"), ("(c) the parents", "C"), ("B - the DSL", "B"), ("", "")],
)
def test_choice_reads_the_letter(text: str, letter: str) -> None:
    answers.ANSWERS["q"] = text
    assert choice("q") == letter


@pytest.mark.parametrize("text", ["Write one letter here: A, B, C or D", "BD", "Because"])
def test_choice_refuses_anything_but_one_letter(text: str) -> None:
    answers.ANSWERS["q"] = text
    assert choice("q") == ""


def test_the_trainers_version_reads_only_the_model_answer() -> None:
    cell = "Template\n### BEGIN SOLUTION\nB\n### END SOLUTION"
    assert model_or_answer(cell) == "B"
    assert model_or_answer("B") == "B"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 3 months", dt.date(2027, 2, 25)),
        ("within six weeks", dt.date(2027, 1, 6)),
        ("in a year", dt.date(2027, 11, 25)),
        ("In 10 days.", dt.date(2026, 12, 5)),
        ("in 3 monthz", None),
        ("after Easter", None),
    ],
)
def test_target_dates_as_a_time_from_now(text: str, expected: dt.date | None) -> None:
    assert parse_date(text, TODAY) == expected
    assert parse_date(text) is None or expected is None  # only with a "today" to count from


def test_a_month_ahead_from_the_31st_is_the_months_last_day() -> None:
    assert relative_date("in 1 month", dt.date(2027, 1, 31)) == dt.date(2027, 2, 28)


def test_my_plan_copies_the_saved_plan_beside_the_notebook(tmp_path, monkeypatch) -> None:
    records = example_plan_records(tmp_path / "records")
    here = tmp_path / "assignment"
    here.mkdir()
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(records))
    found = my_plan(here)
    assert found.plan is not None and "in your records" in found.message
    assert (here / PLAN_COPY).read_bytes() == (records / "plan.json").read_bytes()
    assert str(records) not in found.message
    # On the grading machine the records folder is empty: the copy handed in is used.
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(tmp_path / "empty"))
    again = my_plan(here)
    assert again.plan == found.plan and "handed in" in again.message
    assert answers.planned_principles(again) >= {"ethos", "leadership"}


def test_my_plan_without_a_plan_says_what_to_do(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(tmp_path / "records"))
    found = my_plan(tmp_path)
    assert found.plan is None and "Action plan" in found.message
    assert answers.planned_principles(found) == set()


def test_a_broken_plan_is_reported_without_a_path(tmp_path, monkeypatch) -> None:
    records = tmp_path / "records"
    records.mkdir()
    (records / "plan.json").write_text(json.dumps({"kind": "plan"}), encoding="utf-8")
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(records))
    found = my_plan(tmp_path)
    assert found.plan is None and "could not be read" in found.message
    assert str(tmp_path) not in found.message and not (tmp_path / PLAN_COPY).exists()


@pytest.mark.parametrize("kind", ["source", "release"])
def test_the_trainers_folders_never_get_a_copy(tmp_path, monkeypatch, kind: str) -> None:
    (tmp_path / "nbgrader_config.py").write_text("")
    source = tmp_path / kind / "ethos"
    source.mkdir(parents=True)
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(example_plan_records(tmp_path / "records")))
    assert my_plan(source).plan is not None
    assert not (source / PLAN_COPY).exists()


# --- release and feedback steps ----------------------------------------------------------------


def _cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": "x", "schema_version": 3, **nbgrader}
    return cell


def test_release_keeps_a_text_answers_template_without_a_code_stub() -> None:
    from wholeschool.grading.release import ClearSolutions

    clear = ClearSolutions()
    text = _cell(
        "%%reflection\nFinding:\nguidance\n### BEGIN SOLUTION\nmodel\n### END SOLUTION",
        solution=True,
    )
    clear.preprocess_cell(text, {"language": "python"}, 0)
    assert text.source == "%%reflection\nFinding:\nguidance"
    code = _cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", solution=True)
    clear.preprocess_cell(code, {"language": "python"}, 0)
    assert "NotImplementedError" in code.source and "x = 1" not in code.source


def test_feedback_hides_hidden_tests_and_their_tracebacks() -> None:
    from wholeschool.grading.feedback import HideHiddenTests

    cell = _cell(
        "visible()\n### BEGIN HIDDEN TESTS\nassert secret == 42, 'why'\n### END HIDDEN TESTS",
        grade=True,
        points=1,
    )
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="why",
            traceback=["----> 1 assert secret == 42, 'why'", "AssertionError: why"],
        )
    ]
    other = nbformat.v4.new_output(
        "error", ename="NameError", evalue="name 'x' is not defined", traceback=["..."]
    )
    cell.outputs.append(other)
    HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert cell.source == "visible()"
    # A check's own sentence, without "AssertionError"; any other error keeps its name.
    assert cell.outputs[0]["traceback"] == ["Why"]
    assert cell.outputs[1]["traceback"] == ["NameError: name 'x' is not defined"]


def test_feedback_shows_a_leads_answer_box_as_their_text_and_a_check_by_what_it_found() -> None:
    from wholeschool.grading.feedback import PlainFeedback

    checklist = {"text/plain": "Reflection checklist"}
    box = _cell("%%reflection\nFinding:\nOur audit", solution=True)
    box.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="Answer saved.\n"),
        nbformat.v4.new_output("display_data", data=checklist),
    ]
    check = _cell("# Checked automatically\ndisplay(_checklist)", grade=True, points=1)
    again = nbformat.v4.new_output("display_data", data=checklist)
    reason = nbformat.v4.new_output("stream", name="stdout", text="Moderators: why\n")
    failed = nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=["x"])
    check.outputs = [again, reason, failed]
    code = _cell("answer = 42", solution=True)
    notebook = nbformat.v4.new_notebook(cells=[box, check, code])
    PlainFeedback().preprocess(notebook, {})
    assert box.source == "Finding:\nOur audit" and box.metadata["wholeschool"]["text_answer"]
    assert [o.output_type for o in box.outputs] == ["display_data"]  # no "Answer saved."
    assert check.outputs == [reason, failed]  # the checklist is not shown twice
    assert code.source == "answer = 42" and "wholeschool" not in code.metadata


def test_feedback_puts_the_rubric_level_under_each_written_answer(tmp_path: Path) -> None:
    from helpers import ROOT
    from wholeschool.grading.feedback import RubricLevels

    def written(score, needs):
        cell = nbformat.v4.new_markdown_cell("my answer")
        cell.metadata["nbgrader"] = {
            "grade_id": "q",
            "grade": True,
            "solution": True,
            "score": score,
            "points": 4,
            "needs_manual_grade": needs,
        }
        return cell

    notebook = nbformat.v4.new_notebook(cells=[written(3, False), written(0, True)])
    step = RubricLevels(rubric_file=str(ROOT / "assessments" / "rubric.yaml"))
    notebook, _ = step.preprocess(notebook, {})
    levels = [c.source for c in notebook.cells[1::2]]
    assert len(notebook.cells) == 4
    assert "**3 / 4 — Strong**" in levels[0] and "Builds safe practice" in levels[0]
    assert "Not marked yet." in levels[1]


# --- the trainer's rules for answers still to mark -----------------------------------------------


def _scores() -> pd.DataFrame:
    rows = [
        ("ethos", "amy", "plan-tests", "autograded", 2, 2, False),
        ("ethos", "amy", "ethos-q1", "written", 3, 4, False),
        ("ethos", "bo", "plan-tests", "autograded", 0, 2, False),
        ("ethos", "bo", "ethos-q1", "written", 0, 4, True),
        ("ethos", "bo", "ethos-q2", "written", 0, 4, True),
    ]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def test_unmarked_answers_are_named_in_plain_words() -> None:
    scores = _scores()
    assert describe_unmarked(unmarked(scores)) == [
        "bo: written answers 1 and 2 of ethos are not marked yet"
    ]
    assert fully_marked(scores, "ethos") == ["amy"]


def test_unmarked_answers_are_left_out_of_totals_not_counted_as_zero() -> None:
    totals = student_totals(_scores()).set_index("student")
    # bo: the part checked automatically is known (0 of 2); the part marked by hand, the total
    # and the percentage wait for the two answers, out of the whole assignment (10 points).
    assert totals.loc["bo", "autograded"] == 0 and totals.loc["bo", "autograded_of"] == 2
    assert pd.isna(totals.loc["bo", "hand_marked"]) and totals.loc["bo", "hand_marked_of"] == 8
    assert totals.loc["bo", "to_mark"] == 2 and totals.loc["bo", "out_of"] == 10
    assert pd.isna(totals.loc["bo", "total"]) and pd.isna(totals.loc["bo", "percent"])
    assert totals.loc["amy", "total"] == 5 and totals.loc["amy", "out_of"] == 6
    assert totals.loc["amy", "percent"] == pytest.approx(83.3)
    wide = scores_by_question(_scores())
    assert pd.isna(wide.loc[("ethos", "bo"), "ethos-q1"])
    assert wide.loc[("ethos", "amy"), "ethos-q1"] == 3


def test_lms_gradebooks_leave_a_half_marked_lead_without_a_grade(tmp_path: Path) -> None:
    import csv

    from wholeschool.grading.trainer import canvas_gradebook, moodle_gradebook, write_csv

    names = {"amy": "=Amy Jones"}  # a name that looks like a formula stays text
    write_csv(canvas_gradebook(_scores(), names), tmp_path / "canvas.csv")
    rows = list(csv.reader((tmp_path / "canvas.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ethos"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 10
    assert rows[2][3:5] == ["amy", ""] and float(rows[2][5]) == 5
    assert rows[2][0] != "=Amy Jones" and "Amy Jones" in rows[2][0]
    assert rows[3][3] == "bo" and rows[3][5] == ""  # answers still to mark: no grade yet
    write_csv(moodle_gradebook(_scores(), names), tmp_path / "moodle.csv")
    rows = list(csv.reader((tmp_path / "moodle.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["Username", "Full name", "ethos (out of 10)"]
    assert [r[0] for r in rows[1:]] == ["amy", "bo"] and rows[2][2] == ""


@pytest.mark.parametrize("kind", ["autograded", "submitted"])
def test_grading_uses_the_handed_in_plan_not_the_graders_records(tmp_path, monkeypatch, kind):
    """Whoever runs nbgrader (even plain ``nbgrader autograde``) may have a plan of their own:
    a lead's notebook being graded reads only the copy the lead handed in."""
    (tmp_path / "nbgrader_config.py").write_text("")
    folder = tmp_path / kind / "lead1" / "ethos"
    example_plan_records(folder)
    (folder / "plan.json").rename(folder / PLAN_COPY)
    graders = tmp_path / "graders-records"
    graders.mkdir()
    (graders / "plan.json").write_text(
        (folder / PLAN_COPY).read_text().replace("Example School", "Grader School")
    )
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(graders))
    found = my_plan(folder)
    assert found.plan is not None and found.plan.school == "Example School"
    assert "Example School" in (folder / PLAN_COPY).read_text()


def test_the_plan_message_escapes_the_leads_own_text(tmp_path, monkeypatch) -> None:
    records = example_plan_records(tmp_path / "records")
    plan = records / "plan.json"
    plan.write_text(plan.read_text().replace("Example School", "<img src=x onerror=alert(1)>"))
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(records))
    shown = my_plan(tmp_path)._repr_html_()
    assert "<img" not in shown and "&lt;img src=x" in shown
