"""The automatic reflection checklist: each criterion passing and failing, bad input, display."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from helpers import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wholeschool import FRAMEWORK, AuditRecord, save_record
from wholeschool.core.clock import fixed_clock
from wholeschool.core.content import DATA
from wholeschool.core.errors import DataFileError
from wholeschool.grading.checks import check_reflection
from wholeschool.grading.reflection import (
    CRITERION_IDS,
    Action,
    Checklist,
    Reflection,
    SavedAudit,
    academic_window,
    load_criteria,
    measurable_reason,
    parse_date,
    privacy_flags,
    reflection_template,
    template_code,
)
from wholeschool.grading.reflection import check_reflection as core_check

TODAY = dt.date(2026, 11, 25)  # autumn term of 2026/27: dates allowed 1 Sep 2026 – 31 Aug 2028
CRITERIA = load_criteria()

REFLECTION_TEXT = (
    "Writing this down showed me that wellbeing sits at the edge of our planning rather than "
    "at its heart. Senior leaders talk about it warmly, but nothing in the plan commits time or "
    "money, so it competes with every other priority and usually loses. Governors have not "
    "asked about it this year, which tells me it is not yet part of how we judge ourselves. "
    "I want the next plan to treat wellbeing as a school priority with a budget."
)


def good(**changes: object) -> Reflection:
    """A complete reflection on the leadership principle; ``changes`` replace fields."""
    fields: dict[str, object] = dict(
        finding=(
            "Our self-audit rated leadership.3 as Emerging: wellbeing appears in the school "
            "improvement plan but has no costed objective."
        ),
        ratings={"leadership.3": 1},
        evidence=(
            "The current plan has one line on wellbeing and no budget line, and the minutes "
            "show no governors' discussion of it since last year."
        ),
        actions=[
            Action(
                what="Write a costed wellbeing objective into the next plan.",
                owner="Headteacher",
                target_date="2027-03-31",
            ),
            Action(
                what="Add a termly wellbeing item to the full board agenda.",
                owner="Chair of governors",
                target_date="31/01/2027",
            ),
        ],
        success_measure="By July 2027 the plan has a costed objective and 3 board meetings discussed it.",
        reflection=REFLECTION_TEXT,
    )
    fields.update(changes)
    return Reflection(**fields)


def check(reflection: object, principle: str = "leadership", **kwargs: object) -> Checklist:
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("records", "/nonexistent/records")
    return check_reflection(reflection, principle, **kwargs)


def msg(checklist: Checklist, criterion: str) -> str:
    """The raw message of one criterion (``Checklist.message`` adds the title, capitalised)."""
    return checklist.result(criterion).message


def failed(checklist: Checklist) -> set[str]:
    return {r.id for r in checklist.results if r.status == "fail"}


# --- the whole thing -------------------------------------------------------------------------


def test_a_good_reflection_passes_every_graded_criterion() -> None:
    checklist = check(good())
    assert failed(checklist) == set()
    assert checklist.score == checklist.max_score == sum(c.points for c in CRITERIA.criteria)
    assert [r.id for r in checklist.results] == [c.id for c in CRITERIA.criteria]
    assert "Well done" in str(checklist)


def test_the_template_fails_everything_and_says_so_without_raising() -> None:
    checklist = check(reflection_template("leadership"))
    assert checklist.is_template
    assert checklist.score == 0
    assert failed(checklist) == set(CRITERION_IDS) - {"privacy", "audit-match"}
    assert checklist.result("privacy").status == "not checked"
    text = str(checklist)
    assert "This is still the template" in text
    assert "`finding` still holds the template text" in text
    assert "Action 1 `target_date` still says 'YYYY-MM-DD'" in text


@pytest.mark.parametrize("principle", [p.id for p in FRAMEWORK.principles])
def test_template_code_builds_the_template_for_every_principle(principle: str) -> None:
    namespace: dict[str, object] = {"Reflection": Reflection, "Action": Action}
    exec(template_code(principle), namespace)
    assert namespace["reflection"] == reflection_template(principle)
    assert f'"{principle}.1"' in template_code(principle)


def test_a_dict_is_accepted_like_a_reflection() -> None:
    assert failed(check(good().model_dump())) == set()


# --- one test pair (pass / fail) per criterion ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "criterion", "value", "message"),
    [
        ("finding", "finding", "", "`finding` is empty"),
        ("finding", "finding", None, "`finding` is empty"),
        ("finding", "finding", "Rated it low.", "`finding` has 3 words; write at least 8"),
        ("finding", "finding", 3, "`finding` should be text in quotes, not a number"),
        ("evidence", "evidence", "   ", "`evidence` is empty"),
        ("evidence", "evidence", "word " * 201, "`evidence` has 201 words; keep it to 200"),
        ("reflection", "reflection", "Too short to say much.", "`reflection` has 5 words"),
        ("reflection", "reflection", "word " * 401, "`reflection` has 401 words; keep it to 400"),
        ("reflection", "reflection", ["a", "list"], "should be text in quotes, not a list"),
    ],
)
def test_text_fields_report_the_field_and_the_problem(
    field: str, criterion: str, value: object, message: str
) -> None:
    checklist = check(good(**{field: value}))
    assert failed(checklist) >= {criterion}
    assert message in msg(checklist, criterion)


def test_template_text_left_in_one_field_is_caught_even_with_more_added() -> None:
    template = CRITERIA.template.evidence
    checklist = check(good(evidence=template + " We counted eight things."))
    assert "`evidence` still holds the template text" in msg(checklist, "evidence")
    assert not checklist.is_template  # one field is not the whole template


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ([], "`actions` has 0 actions; plan between 1 and 3"),
        (
            [Action(what="Do a thing well.", owner="SENCo", target_date="2027-01-01")] * 4,
            "`actions` has 4 actions; plan between 1 and 3",
        ),
        ("Write a plan", "`actions` should be a list of Action(...) in square brackets, not text"),
        (
            Action(what="Do a thing.", owner="SENCo", target_date="2027-01-01"),
            "`actions` should be a list in square brackets, even for one action",
        ),
        (None, "`actions` is missing"),
        (
            ["Write a plan"],
            "action 1 should be Action(what=..., owner=..., target_date=...), not text",
        ),
        (
            [Action(what="Do a thing.", owner="", target_date="2027-01-01")],
            "action 1 `owner` is empty",
        ),
        (
            [Action(what="Do a thing.", owner="   ", target_date="2027-01-01")],
            "action 1 `owner` is empty",
        ),
        (
            [Action(what=None, owner="SENCo", target_date="2027-01-01")],
            "action 1 `what` is empty",
        ),
        (
            [Action(what="Do a thing.", owner="Sam Patel", target_date="2027-01-01")],
            "action 1 `owner` ('Sam Patel') should be a role",
        ),
        (
            [Action(what="Do a thing.", ownr="SENCo", target_date="2027-01-01")],
            "`ownr` is not a field of action 1 (the fields are `what`, `owner`, "
            "`target_date`); did you mean `owner`?",
        ),
    ],
)
def test_actions_report_which_action_and_field_is_wrong(actions: object, message: str) -> None:
    checklist = check(good(actions=actions))
    assert "actions" in failed(checklist)
    assert message in msg(checklist, "actions")


def test_a_misspelt_field_name_is_pointed_out() -> None:
    fields = good().model_dump()
    fields["acions"] = fields.pop("actions")
    checklist = check(Reflection(**fields))
    assert "`acions` is not a field of the reflection" in str(checklist)
    assert "did you mean `actions`?" in str(checklist)


def test_values_without_field_names_are_reported_not_raised() -> None:
    checklist = check(
        good(actions=[Action("Do a thing.", "SENCo", "2027-01-01")]),
    )
    assert "action 1 was given 3 values without a field name" in msg(checklist, "actions")
    assert 'for example what="..."' in msg(checklist, "actions")
    checklist = check(Reflection("We found gaps everywhere in the audit this year."))
    assert "The reflection was given 1 value without a field name" in str(checklist)


def test_actions_given_as_dicts_are_read() -> None:
    actions = [{"what": "Do a thing.", "owner": "PSHE lead", "target_date": "2027-06-30"}]
    assert failed(check(good(actions=actions))) == set()


@pytest.mark.parametrize(
    "owner", ["Headteacher", "PSHE lead", "SENCo", "Chair of governors", "me", "Head of Year 8"]
)
def test_roles_are_accepted_as_owners(owner: str) -> None:
    actions = [Action(what="Do a thing.", owner=owner, target_date="2027-06-30")]
    assert "actions" not in failed(check(good(actions=actions)))


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (dt.date(2026, 11, 25), dt.date(2026, 9, 1), dt.date(2028, 8, 31)),
        (dt.date(2026, 9, 1), dt.date(2026, 9, 1), dt.date(2028, 8, 31)),
        (dt.date(2026, 8, 31), dt.date(2025, 9, 1), dt.date(2027, 8, 31)),
        (dt.date(2027, 2, 28), dt.date(2026, 9, 1), dt.date(2028, 8, 31)),
    ],
)
def test_academic_window_starts_on_1_september(
    today: dt.date, first: dt.date, last: dt.date
) -> None:
    assert academic_window(today, CRITERIA.academic_year_start) == (first, last)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-31", dt.date(2027, 3, 31)),
        ("31/03/2027", dt.date(2027, 3, 31)),
        ("1/3/2027", dt.date(2027, 3, 1)),
        ("31 March 2027", dt.date(2027, 3, 31)),
        ("31st March, 2027", dt.date(2027, 3, 31)),
        ("March 2027", dt.date(2027, 3, 31)),
        ("Feb 2028", dt.date(2028, 2, 29)),
        (dt.date(2027, 3, 31), dt.date(2027, 3, 31)),
        (dt.datetime(2027, 3, 31, 9, 0), dt.date(2027, 3, 31)),
        ("31/13/2027", None),
        ("next spring", None),
        ("03/31/2027", None),  # US order is not read as a UK date
        (20270331, None),
    ],
)
def test_parse_date(text: object, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("date", "ok"),
    [
        ("2026-09-01", True),
        ("2028-08-31", True),
        ("2026-08-31", False),
        ("2028-09-01", False),
        (dt.date(2027, 7, 20), True),
    ],
)
def test_target_dates_must_fall_in_this_academic_year_or_the_next(date: object, ok: bool) -> None:
    checklist = check(good(actions=[Action(what="Do it.", owner="SENCo", target_date=date)]))
    assert checklist.passed("dates") is ok
    if not ok:
        assert "action 1 `target_date`" in msg(checklist, "dates")
        assert "outside this academic year and the next" in msg(checklist, "dates")
        assert "1 September 2026 to 31 August 2028" in msg(checklist, "dates")


def test_today_moves_the_window() -> None:
    reflection = good(actions=[Action(what="Do it.", owner="SENCo", target_date="2028-10-01")])
    assert not check(reflection, today=TODAY).passed("dates")
    assert check(reflection, today=dt.date(2027, 9, 1)).passed("dates")


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("31/13/2027", "action 1 `target_date` '31/13/2027' is not a date I can read"),
        ("soon", "action 1 `target_date` 'soon' is not a date I can read"),
        ("", "action 1 `target_date` is empty"),
        (None, "action 1 `target_date` is empty"),
        (2027, "action 1 `target_date` 2027 is not a date I can read"),
    ],
)
def test_unreadable_dates_are_reported_in_plain_words(date: object, message: str) -> None:
    checklist = check(good(actions=[Action(what="Do it.", owner="SENCo", target_date=date)]))
    assert message in msg(checklist, "dates")
    assert "actions" not in failed(checklist)


def test_dates_fail_when_there_are_no_actions_to_date() -> None:
    checklist = check(good(actions="none yet"))
    assert "no actions to check the dates of" in msg(checklist, "dates")


# --- measurable ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "reason"),
    [
        ("Attendance of the group rises by 5% by the summer.", "it names a measure (Attendance)"),
        ("WEMWBS average rises over the year for staff.", "it names a measure (WEMWBS)"),
        ("Pupils' Stirling Children's Wellbeing Scale scores improve.", "it names a measure"),
        ("SDQ scores improve for the pupils in the group.", "it names a measure (SDQ)"),
        ("The plan is signed off by March 2027 at the latest.", "it gives a date"),
        ("Signed off by 31/03/2027 by the full board.", "it gives a date"),
        ("Fewer than 12 incidents logged each half term.", "it gives a number (12)"),
        ("Every member of staff completes the training.", "it gives a number (Every)"),
    ],
)
def test_measurable_success_measures(measure: str, reason: str) -> None:
    assert reason in measurable_reason(measure, CRITERIA)
    assert check(good(success_measure=measure)).passed("measurable")


@pytest.mark.parametrize(
    "measure", ["Pupils feel happier and calmer in school.", "Things get better for everyone here."]
)
def test_vague_success_measures_fail(measure: str) -> None:
    assert measurable_reason(measure, CRITERIA) is None
    checklist = check(good(success_measure=measure))
    assert "`success_measure` has no number, date or named measure" in msg(checklist, "measurable")


# --- indicator -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finding", "found"),
    [
        ("We are weakest on leadership.4 and it shows across the school.", "leadership.4"),
        ("Our behaviour policy and our wellbeing aims pull in different ways.", "leadership.4"),
        ("Nobody has protected time for this work in the current timetable.", "leadership.1"),
    ],
)
def test_an_indicator_is_found_by_id_or_phrase(finding: str, found: str) -> None:
    reflection = good(
        finding=finding,
        ratings={},
        evidence="We looked at the papers together and talked to staff about them.",
        actions=[Action(what="Look again at it.", owner="Deputy head", target_date="2027-05-01")],
        success_measure="Staff survey scores rise by 10% by next summer.",
        reflection=" ".join(["This is a plain reflection with no special words in it."] * 8),
    )
    checklist = check(reflection)
    assert checklist.passed("indicator"), msg(checklist, "indicator")
    assert msg(checklist, "indicator") == f"yes: {found}"


def test_an_indicator_of_another_principle_does_not_count() -> None:
    reflection = good(
        finding="We are weakest on ethos.2, the way we handle unkind behaviour.",
        ratings={},
        evidence="We looked at the papers together and talked to staff about them.",
        actions=[Action(what="Look again at it.", owner="Deputy head", target_date="2027-05-01")],
        success_measure="Staff survey scores rise by 10% by next summer.",
        reflection=" ".join(["This is a plain reflection with no special words in it."] * 8),
    )
    checklist = check(reflection)
    assert not checklist.passed("indicator")
    assert "by its id (e.g. leadership.1)" in msg(checklist, "indicator")


def test_every_indicator_has_phrases() -> None:
    for principle in FRAMEWORK.principles:
        for indicator in principle.indicators:
            assert CRITERIA.indicator_phrases.get(indicator.id), indicator.id


def test_unknown_indicator_in_the_data_file_names_the_file_and_field(tmp_path: Path) -> None:
    text = (DATA / "reflection_criteria.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "criteria.yaml"
    bad.write_text(text.replace("leadership.5:", "leadership.99:"), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_criteria(bad)
    assert str(caught.value) == (
        f"{bad}: indicator_phrases: unknown indicator ids ['leadership.99']"
    )


def test_a_missing_criterion_in_the_data_file_is_reported(tmp_path: Path) -> None:
    text = (DATA / "reflection_criteria.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "criteria.yaml"
    bad.write_text(text.replace("- id: privacy", "- id: secrecy"), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"criteria\.yaml: criteria must be exactly"):
        load_criteria(bad)


# --- privacy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Amy Jones in Year 9 told us the corridors feel unsafe.",
        "The Year 9 pupil Amy Jones said the corridors feel unsafe.",
        "Amy Jones, a student, said the corridors feel unsafe.",
        "We spoke to the pupil Tom O'Neill-Smith about it.",
        "Kai McDonald (Y10) has been referred.",
        "Two learners, Ella Brown and a friend, asked for help.",
        "Priya Shah in Year Eleven has missed school.",
        "A Reception child, Leo Grant, is struggling.",
        "His UPN is A12345678901B.",
        "Her date of birth was on the form.",
        "We met them. Pupil Amy Jones said the corridors feel unsafe.",
        "Children Amy Jones and her friend asked for help.",
    ],
)
def test_privacy_heuristic_flags_pupil_details(text: str) -> None:
    assert privacy_flags(text, CRITERIA)
    checklist = check(good(evidence=text + " We need to act on this soon."))
    assert not checklist.passed("privacy")
    assert "in evidence:" in msg(checklist, "privacy")


def test_privacy_flag_shows_initials_not_the_name() -> None:
    checklist = check(good(evidence="Amy Jones in Year 9 told us the corridors feel unsafe."))
    assert "(A… J…) next to 'Year 9'" in msg(checklist, "privacy")
    assert "Amy" not in str(checklist)


@pytest.mark.parametrize(
    "text",
    [
        "The Senior Mental Health Lead supports pupils across the school.",
        "Pupil Premium Grant funds support for students who need it.",
        "Year 9 Wellbeing Ambassadors ran an assembly for Year 7.",
        "The Mental Health Support Team met Year 9 tutors in March.",
        "Sam in Year 9 is upset.",  # one word: a documented limit of the heuristic
        "Students in Year 11. Anna Freud Centre resources helped.",
        "Year 10 students said Tuesday mornings feel rushed.",
        "The United Nations Convention on the Rights of the Child applies in the United Kingdom.",
        "Staff at Riverside Park School say pupils arrive calmer.",
    ],
)
def test_privacy_heuristic_lets_ordinary_school_text_through(text: str) -> None:
    assert privacy_flags(text, CRITERIA) == []


def course_texts() -> list[tuple[str, str]]:
    """Every course page, plus the content data files the pages and notebooks render."""
    pages = sorted((ROOT / "course").rglob("*.md"))
    data = sorted(DATA.glob("*.yaml")) + sorted((DATA / "examples").glob("*.yaml"))
    data = [p for p in data if p.name != "reflection_criteria.yaml"]
    return [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in pages + data]


def test_privacy_heuristic_raises_no_false_alarm_on_the_course_text() -> None:
    texts = course_texts()
    assert len(texts) >= 50  # every principle's pages are there
    flagged = {name: privacy_flags(text, CRITERIA) for name, text in texts}
    assert {name: flags for name, flags in flagged.items() if flags} == {}


def test_privacy_is_not_checked_on_an_empty_reflection() -> None:
    checklist = check(Reflection())
    assert checklist.result("privacy").status == "not checked"
    assert checklist.score == 0


# --- audit match ---------------------------------------------------------------------------


def save_audit(folder: Path, name: str, date: dt.date, ratings: dict[str, int]) -> Path:
    """Save an audit as the lead's records would hold it, validated and saved as of TODAY."""
    record = AuditRecord.model_validate(
        {
            "school": "Oak Hill Primary",
            "framework_version": FRAMEWORK.version,
            "date": date,
            "ratings": {k: {"rating": v} for k, v in ratings.items()},
        },
        context={"today": TODAY},
    )
    return save_record(record, folder / name, clock=fixed_clock(TODAY))


def test_quoted_ratings_matching_the_latest_saved_audit_pass(tmp_path: Path) -> None:
    save_audit(tmp_path, "audit-old.json", dt.date(2026, 3, 1), {"leadership.3": 0})
    save_audit(tmp_path, "audit-new.json", dt.date(2026, 10, 1), {"leadership.3": 1})
    checklist = check(good(ratings={"leadership.3": "Emerging"}), records=tmp_path)
    assert checklist.passed("audit-match")
    assert "they match your audit of 1 October 2026" in msg(checklist, "audit-match")


def test_a_quoted_rating_that_differs_from_the_saved_audit_fails(tmp_path: Path) -> None:
    save_audit(tmp_path, "audit-2026-autumn.json", dt.date(2026, 10, 1), {"leadership.3": 1})
    checklist = check(good(ratings={"leadership.3": 3}), records=tmp_path)
    assert not checklist.passed("audit-match")
    assert checklist.message("audit-match").endswith(
        "You quote leadership.3 as 3 (Established) but your audit of 1 October 2026 "
        "(audit-2026-autumn.json) rates it 1 (Emerging)."
    )


def test_bad_record_files_are_skipped_and_kept(tmp_path: Path) -> None:
    bad = tmp_path / "audit-broken.json"
    bad.write_text("{not json", encoding="utf-8")
    save_audit(tmp_path, "audit.json", dt.date(2026, 10, 1), {"leadership.3": 1})
    assert check(good(), records=tmp_path).passed("audit-match")
    assert bad.read_text(encoding="utf-8") == "{not json"


def test_the_default_records_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_audit(tmp_path, "audit.json", dt.date(2026, 10, 1), {"leadership.3": 2})
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(tmp_path))
    checklist = check_reflection(good(), "leadership", today=TODAY)
    assert not checklist.passed("audit-match")
    assert "rates it 2 (Developing)" in msg(checklist, "audit-match")


def test_an_audit_saved_after_today_is_not_compared(tmp_path: Path) -> None:
    """``today`` is the day the check runs as: an audit from a later date is not read."""
    later = dt.date(2027, 1, 10)
    record = AuditRecord.model_validate(
        {
            "school": "Oak Hill Primary",
            "framework_version": FRAMEWORK.version,
            "date": later,
            "ratings": {"leadership.3": {"rating": 3}},
        },
        context={"today": later},
    )
    save_record(record, tmp_path / "audit.json", clock=fixed_clock(later))
    result = check(good(), records=tmp_path).result("audit-match")
    assert result.status == "not checked"
    assert f"no saved self-audit for this principle in {tmp_path}" in result.message
    assert check(good(), records=tmp_path, today=later).result("audit-match").status == "fail"


def test_the_core_check_compares_with_the_audit_it_is_given() -> None:
    """The core check reads no files: the caller passes the saved audit and where it was."""
    record = AuditRecord.model_validate(
        {
            "school": "Oak Hill Primary",
            "framework_version": FRAMEWORK.version,
            "date": dt.date(2026, 10, 1),
            "ratings": {"leadership.3": {"rating": 2}},
        },
        context={"today": TODAY},
    )
    saved = SavedAudit("audit-autumn.json", record)
    checklist = core_check(good(), "leadership", today=TODAY, saved=saved)
    assert msg(checklist, "audit-match") == (
        "you quote leadership.3 as 1 (Emerging) but your audit of 1 October 2026 "
        "(audit-autumn.json) rates it 2 (Developing)."
    )
    nothing = core_check(good(), "leadership", today=TODAY, records_place="the lead's folder")
    assert msg(nothing, "audit-match") == (
        "no saved self-audit for this principle in the lead's folder"
    )


@pytest.mark.parametrize(
    ("ratings", "status", "message"),
    [
        ({}, "not checked", "you quote no ratings"),
        ({"leadership.3": 1}, "not checked", "no saved self-audit for this principle"),
        ("leadership.3 is 1", "fail", '`ratings` should be a dictionary like {"leadership.1": 2}'),
        ({"ethos.1": 2}, "fail", "`ratings` names 'ethos.1', which is not an indicator"),
        ({"leadership.3": 7}, "fail", '`ratings["leadership.3"]` is 7; use a rating from 0 to 4'),
        ({"leadership.3": "Great"}, "fail", "is 'Great'; use a rating from 0 to 4 or its label"),
    ],
)
def test_ratings_without_a_record_or_of_the_wrong_shape(
    ratings: object, status: str, message: str
) -> None:
    result = check(good(ratings=ratings)).result("audit-match")
    assert result.status == status
    assert message.lower() in result.message.lower()
    assert result.points == 0  # formative only: the trainer's machine has no lead's records


# --- bad input overall, and the display ----------------------------------------------------


@pytest.mark.parametrize("value", ["my reflection", None, 42, ["a", "list"]])
def test_something_that_is_not_a_reflection_is_reported(value: object) -> None:
    checklist = check(value)
    assert "`reflection` should be a Reflection(...)" in str(checklist)
    assert checklist.score == 0


def test_the_checklist_shows_in_markdown_html_and_plain_text() -> None:
    checklist = check(good(actions=[Action(what="Do it.", owner="", target_date="2027-01-01")]))
    markdown = checklist._repr_markdown_()
    assert markdown.startswith("**Reflection checklist: Leadership and management (7 of 8 done)**")
    assert "- ❌ *to do*: **One to three actions" in markdown
    assert "Action 1 `owner` is empty" in markdown
    page = checklist._repr_html_()
    assert "<code>owner</code>" in page and "<em>to do</em>" in page
    assert re.search(r"<li class=\"reflect-pass\">.*?<em>done</em>", page)
    text = str(checklist)
    assert "[ ] One to three actions, each saying what will happen and which role owns it: " in text
    assert "[-] The ratings you quote match your saved self-audit" in text


def test_unknown_criterion_id_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="no criterion 'privcy'; known: finding"):
        check(good()).passed("privcy")


# --- the nbgrader cells ---------------------------------------------------------------------


def _answer(principle: str, *, solution: bool) -> object:
    """Run the answer cell as the instructor (solution kept) or a lead (solution replaced) sees it."""
    from wholeschool.grading.reflect_cells import PREFIX, structured_reflection_specs

    (spec,) = [s for s in structured_reflection_specs(principle) if s.id == PREFIX]
    before, _, rest = spec.source.partition("### BEGIN SOLUTION\n")
    model, _, after = rest.partition("### END SOLUTION")
    return _run_on_today(before + (model if solution else "") + after)["reflection"]


def _run_on_today(code: str) -> dict[str, object]:
    """Run answer code with the clock at ``TODAY``, the day ``check`` judges dates by.

    The model answer dates its actions from the day it runs (so it stays valid in later years);
    the checks here judge them by the fixed ``TODAY``, so both must see the same day, whatever
    the real date.
    """
    namespace: dict[str, object] = {}
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.timezone.utc)):
        exec(code, namespace)
    return namespace


@pytest.mark.parametrize("principle", [p.id for p in FRAMEWORK.principles])
def test_the_model_answer_passes_and_the_released_template_fails(principle: str) -> None:
    model = check(_answer(principle, solution=True), principle)
    assert failed(model) == set()
    assert model.score == model.max_score
    template = check(_answer(principle, solution=False), principle)
    assert template.is_template and template.score == 0


def test_the_model_answer_runs_on_its_own() -> None:
    from wholeschool.grading.reflect_cells import model_answer_code

    namespace = _run_on_today(model_answer_code("parents-carers"))  # no imports from around it
    assert check(namespace["reflection"], "parents-carers").score == 8


def test_one_test_cell_per_graded_criterion_with_its_points() -> None:
    from wholeschool.grading.reflect_cells import structured_reflection_specs

    specs = structured_reflection_specs("ethos")
    assert [s.kind for s in specs[:3]] == ["markdown", "answer", "check"]
    tests = {s.id: s.points for s in specs if s.kind in ("check", "hidden")}
    assert tests == {
        f"structured-reflection-{c.id}": c.points for c in CRITERIA.criteria if c.points
    }
    for spec in specs[2:]:
        assert spec.source.count("### BEGIN HIDDEN TESTS") == 1
        assert 'check_reflection(reflection, "ethos")' in spec.source
    assert "display(_checklist)" in specs[2].source
    assert "Structured reflection (8 points, checked automatically)" in specs[0].source


# --- never raises on a lead's input (property) ----------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.dates(),
    st.sampled_from(["2027-03-31", "31/03/2027", "YYYY-MM-DD", "Amy Jones in Year 9", ""]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=20), inner, max_size=4),
        st.builds(Action, what=inner, owner=inner, target_date=inner),
    ),
    max_leaves=12,
)
_fields = st.fixed_dictionaries(
    {},
    optional={
        name: _values
        for name in ("finding", "ratings", "evidence", "actions", "success_measure", "reflection")
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=_fields, principle=st.sampled_from([p.id for p in FRAMEWORK.principles]))
def test_any_input_gives_a_checklist_and_never_raises(
    fields: dict[str, object], principle: str
) -> None:
    checklist = check(Reflection(**fields), principle)
    assert [r.id for r in checklist.results] == [c.id for c in CRITERIA.criteria]
    assert all(r.message for r in checklist.results)
    assert str(checklist) and checklist._repr_markdown_() and checklist._repr_html_()
