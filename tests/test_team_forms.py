"""The workbook's calibration form, colleague's rating form and moderation view, and the plan's
choice to favour the team's disagreements, driven as widgets (the browser journey is in
``test_lite.py``)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating
from wholeschool.core.calibration import calibration_settings
from wholeschool.core.planning import draft_plan, reorder_plan
from wholeschool.core.records import ModerationRecord, PlanRecord, RaterRecord
from wholeschool.store import AUDIT_FILE, PLAN_FILE, RecordFolder
from wholeschool.store.team import MODERATION_FILE, read_rater_bytes, team_raters
from wholeschool.ui import workbook
from wholeschool.ui.looks import UNRATED
from wholeschool.ui.plan_editor import action_plan

SCHOOL = "Oak Hill Primary"
#: What a lead must never read: internal ids, field paths as the file holds them, Python.
MACHINE = re.compile(
    r"\b[a-z-]+\.[0-9]+\b|ratings\[|Traceback|NoneType|wholeschool|/tmp/|framework_version"
)


def shown(value: str) -> str:
    """The text of an HTML widget's value as a reader sees it."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", value))).strip()


def machine_words(text: str) -> list[str]:
    return MACHINE.findall(text.replace(".json", ""))


@pytest.fixture
def folder(tmp_path: Path) -> RecordFolder:
    return RecordFolder(tmp_path / "records", clock=CLOCK)


def lead_audit(folder: RecordFolder, ratings: dict[str, int]) -> None:
    folder.save(
        AuditRecord(
            school=SCHOOL,
            framework_version=FRAMEWORK.version,
            date=CLOCK().date(),
            ratings={k: IndicatorRating(rating=v) for k, v in ratings.items()},
            gate=FRAMEWORK.gate.in_place,
        ),
        AUDIT_FILE,
    )


# --- calibration ------------------------------------------------------------------------------


def test_calibration_rates_a_setting_with_its_descriptors_and_compares_with_reasons(folder):
    book = workbook("calibration", folder)
    form = book.form
    setting = form.setting
    assert list(form.rows) == list(setting.moderated)  # every indicator of its principles
    first = next(iter(setting.moderated))
    choices = [label for label, _ in form.rows[first].options]
    assert choices[0] == "Not rated yet"
    assert choices[1:] == [label for label, _ in FRAMEWORK.level_choices(first)]
    assert "Every detail is invented" in shown(form.picture.value)
    assert setting.picture.split()[0] in form.picture.value
    keys = list(setting.moderated)
    for key in keys:
        form.rows[key].value = setting.moderated[key].rating
    top = FRAMEWORK.max_rating
    far = setting.moderated[keys[1]].rating
    form.rows[keys[1]].value = 0 if far >= 2 else top  # two or more levels out
    form.rows[keys[2]].value = UNRATED
    assert form.summary.value == f"{len(keys) - 1} of {len(keys)} rated"
    result = form.compare()
    assert result.counts == {
        "agree": len(keys) - 2,
        "one level out": 0,
        "further": 1,
        "not rated": 1,
    }
    text = shown(form.result.value)
    assert f"You agreed with the moderated rating on {len(keys) - 2} of {len(keys)}" in text
    assert "Two or more levels out: 1" in text and "Not rated: 1" in text
    assert all(item.reason in text for item in setting.moderated.values())
    assert text.count("Two or more levels out") == 2  # the legend and the one indicator
    assert 'role="img"' in form.result.value  # the bar and strips, with their words
    assert machine_words(text) == []


def test_calibration_saves_nothing_and_a_new_setting_starts_afresh(folder):
    lead_audit(folder, {"leadership.1": 1})
    before = folder.file(AUDIT_FILE).read_bytes()
    book = workbook("calibration", folder)
    form = book.form
    for control in form.rows.values():
        control.value = 2
    form.compare()
    book.show("action-plan")  # leaving the form saves what a form holds: nothing here
    names = sorted(p.name for p in folder.path.iterdir() if not p.name.startswith("."))
    assert folder.file(AUDIT_FILE).read_bytes() == before
    assert names == [AUDIT_FILE, PLAN_FILE]
    book.show("calibration")
    form = book.form
    other = [key for key in calibration_settings() if key != form.choice.value][0]
    form.rows[next(iter(form.rows))].value = 3
    form.compare()
    form.choice.value = other
    assert list(form.rows) == list(calibration_settings()[other].moderated)
    assert all(c.value == UNRATED for c in form.rows.values()) and form.result.value == ""


# --- a colleague's ratings --------------------------------------------------------------------


def colleague_file(folder: RecordFolder, role: str, ratings: dict[str, tuple[int, str]]) -> bytes:
    """A colleague's file, made as a colleague makes it: in the workbook's form."""
    book = workbook("colleague-rating", folder)
    form = book.form
    form.school.value = SCHOOL
    form.role.value = role
    for key, (rating, note) in ratings.items():
        form.rows[key].rating.value = rating
        form.rows[key].note.value = note
    data = form.make_file()
    assert data is not None, shown(form.outcome.value)
    return data


def test_a_colleague_rates_and_downloads_a_file_the_lead_can_load(folder, tmp_path):
    lead_audit(folder, {"ethos.1": 4})
    before = folder.file(AUDIT_FILE).read_bytes()
    data = colleague_file(folder, "Governor", {"ethos.1": (1, "Seen in two classes")})
    record = read_rater_bytes(data, "team-rating.json", folder, SCHOOL)
    assert isinstance(record, RaterRecord) and record.role == "Governor"
    assert record.rated() == {"ethos.1": 1}
    assert record.ratings["ethos.1"].note == "Seen in two classes"
    # saved nowhere: the lead's own audit on this device is untouched, and no file is added
    assert folder.file(AUDIT_FILE).read_bytes() == before
    assert sorted(p.name for p in folder.path.glob("*.json")) == [AUDIT_FILE]


def test_the_colleague_form_says_what_is_wrong_beside_the_field(folder):
    form = workbook("colleague-rating", folder).form
    assert form.make_file() is None
    assert "The school label is empty" in shown(form.school_problem.value)
    form.school.value = SCHOOL
    assert form.make_file() is None
    assert "The role is empty" in shown(form.role_problem.value)
    assert shown(form.school_problem.value) == ""
    form.role.value = "=HYPERLINK(1)"
    form.rows["leadership.1"].rating.value = 2
    assert form.make_file() is None
    assert "spreadsheet would run as a formula" in shown(form.role_problem.value)
    form.role.value = "Pastoral lead"
    form.rows["ethos.2"].note.value = "See <b>here</b>"
    assert form.make_file() is None
    beside = shown(form.row_problems["ethos.2"].value)
    assert beside.startswith("The note of Ethos and environment, indicator 2 contains an HTML")
    assert "see the message beside the field" in shown(form.outcome.value)
    assert machine_words(beside) == []
    form.rows["ethos.2"].note.value = "Seen at parents' evening"
    assert form.make_file() is not None
    assert shown(form.row_problems["ethos.2"].value) == ""
    assert "Download team-rating-pastoral-lead-" in shown(form.outcome.value)


def test_nothing_rated_is_said_in_the_outcome(folder):
    form = workbook("colleague-rating", folder).form
    form.school.value, form.role.value = SCHOOL, "Teacher"
    assert form.make_file() is None
    assert "rate at least one indicator" in shown(form.outcome.value)


# --- the lead's moderation view -------------------------------------------------------------


def test_two_files_loaded_show_the_exact_spread_and_the_agreement_is_recorded(folder):
    lead_audit(folder, {"ethos.1": 4, "ethos.2": 1})
    first = colleague_file(
        folder, "Pastoral lead", {"ethos.1": (3, "Warm in most classes"), "ethos.2": (0, "")}
    )
    second = colleague_file(folder, "Governor", {"ethos.1": (3, ""), "ethos.2": (3, "Log kept")})
    view = workbook("team-moderation", folder).form
    assert "No colleague's file is loaded yet" in shown(view.summary.value)
    assert SCHOOL in shown(view.children[0].value)
    view.load({"pastoral.json": first, "governor.json": second})
    assert "Loaded 2 files" in shown(view.loaded.value)
    assert list(view.rows) == ["ethos.1", "ethos.2"]
    one, two = view.rows["ethos.1"], view.rows["ethos.2"]
    assert one.spread.counts == (0, 0, 0, 2, 0) and two.spread.counts == (1, 0, 0, 1, 0)
    text = shown(two.text.value)
    assert "Differ by two levels or more" in text and "Not started 1, Established 1" in text
    assert "Governor (Established): Log kept" in text and "Pastoral lead (Not started)" in text
    assert "Agree" in shown(one.text.value) and "Warm in most classes" in shown(one.text.value)
    summary = shown(view.summary.value)
    assert "2 people rated (Governor, Pastoral lead)" in summary
    assert "differs by two levels or more on 1 indicator:" in summary
    view.only_differ.value = True
    assert one.box not in _walk(view) and two.box in _walk(view)
    assert two.agreed.value == 0  # the middle rating (the lower of two) to start from
    two.agreed.value = 2
    two.note.value = "Logged in two year groups only"
    moderation = view.record()
    assert moderation is not None and "Recorded 2 agreed ratings" in shown(view.status.value)
    kept = folder.read(MODERATION_FILE, ModerationRecord)
    assert kept.raters == 2 and kept.indicators["ethos.2"].counts == [1, 0, 0, 1, 0]
    assert kept.indicators["ethos.2"].note == "Logged in two year groups only"
    audit = folder.read(AUDIT_FILE, AuditRecord)
    assert audit.rated() == {"ethos.1": 3, "ethos.2": 2}
    # opened again: the agreed ratings and notes come back; the same files again are skipped
    again = workbook("team-moderation", folder).form
    assert again.rows["ethos.2"].agreed.value == 2
    assert again.rows["ethos.2"].note.value == "Logged in two year groups only"
    again.load({"pastoral.json": first})
    assert "Already loaded, so skipped: pastoral.json" in shown(again.loaded.value)
    assert len(team_raters(folder)) == 2


def hostile_files(good: bytes) -> dict[str, bytes]:
    data = json.loads(good)
    return {
        "other-school.json": json.dumps({**data, "school": "Elm Park"}).encode(),
        "old.json": json.dumps({**data, "framework_version": "1.0"}).encode(),
        "script.json": json.dumps(
            {**data, "ratings": {"ethos.1": {"rating": 2, "note": "<script>x</script>"}}}
        ).encode(),
        "made-up.json": json.dumps(
            {**data, "ratings": {"ethos.99": {"rating": 2, "note": ""}}}
        ).encode(),
        "huge.json": b"{" + b" " * 200_000 + b"}",
        "audit.json": json.dumps({**data, "kind": "audit"}).encode(),
        "not-json.json": b"\xff\xfe",
    }


def test_hostile_rater_files_are_refused_in_plain_words_naming_file_and_field(folder):
    lead_audit(folder, {"ethos.1": 4})
    good = colleague_file(folder, "Teacher", {"ethos.1": (2, "")})
    view = workbook("team-moderation", folder).form
    before = sorted(p.name for p in folder.path.iterdir())
    view.load(hostile_files(good))
    text = shown(view.loaded.value)
    assert "Not loaded (7 files): nothing already loaded was changed." in text
    expected = {
        "other-school.json: the school label is for 'Elm Park', not your school label",
        "old.json: the framework version was made with framework '1.0'",
        "script.json: the note of Ethos and environment, indicator 1 contains an HTML tag",
        "made-up.json: the ratings rates an indicator this course does not have",
        "huge.json: is 200,002 bytes, more than a record can be",
        "audit.json: the kind of file is not a colleague's ratings file",
        "not-json.json: is not UTF-8 text",
    }
    for line in expected:
        assert line in text, (line, text)
    assert machine_words(text) == [], machine_words(text)
    assert "<script>" not in view.loaded.value  # escaped, never drawn
    assert sorted(p.name for p in folder.path.iterdir()) == before
    assert view.rows == {} and not team_raters(folder)
    # a good file in the same upload still comes in
    view.load({"good.json": good, **hostile_files(good)})
    assert "Loaded 1 file." in shown(view.loaded.value) and list(view.rows) == ["ethos.1"]


# --- the plan favours the team's disagreements -----------------------------------------------


def test_reorder_plan_follows_the_fresh_order_and_keeps_every_action_and_edit():
    audit = AuditRecord(
        school=SCHOOL,
        framework_version=FRAMEWORK.version,
        date=CLOCK().date(),
        ratings={f"ethos.{n}": IndicatorRating(rating=2) for n in (1, 2, 3)},
        gate=FRAMEWORK.gate.in_place,
    )
    today = CLOCK().date()
    plain, _ = draft_plan(audit, today=today, limit=2)
    assert list(dict.fromkeys(a.indicator for a in plain.actions)) == ["ethos.1", "ethos.2"]
    first = plain.actions[0].model_copy(update={"what": "Our own words"})
    edited = plain.model_copy(update={"actions": [first, *plain.actions[1:]]})
    favoured, _ = draft_plan(audit, today=today, limit=2, favour=["ethos.3"])
    merged = reorder_plan(edited, favoured)
    indicators = list(dict.fromkeys(a.indicator for a in merged.actions))
    assert indicators == ["ethos.3", "ethos.1", "ethos.2"]  # nothing lost, the new order first
    assert [a for a in merged.actions if a.indicator == "ethos.1"][0].what == "Our own words"
    assert [a for a in merged.actions if a.indicator == "ethos.2"] == [
        a for a in edited.actions if a.indicator == "ethos.2"
    ]


def _plan_order(folder: RecordFolder) -> list[str]:
    plan = folder.read(PLAN_FILE, PlanRecord)
    return list(dict.fromkeys(a.indicator for a in plan.actions))


def _walk(widget) -> list:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += _walk(child)
    return found


def _texts(widget) -> str:
    return shown(
        " ".join(w.value for w in _walk(widget) if isinstance(getattr(w, "value", None), str))
    )


def team_differed_on_ethos_3(folder: RecordFolder) -> None:
    """Every ethos indicator rated Developing by the lead; two colleagues rated ethos.3 four
    levels apart, and the team agreed Developing."""
    lead_audit(folder, {f"ethos.{n}": 2 for n in range(1, 7)})
    files = {
        f"{role}.json": colleague_file(folder, role, {"ethos.3": (level, "")})
        for role, level in (("Teacher", 0), ("Governor", 4))
    }
    view = workbook("team-moderation", folder).form
    view.load(files)
    view.rows["ethos.3"].agreed.value = 2
    assert view.record() is not None


def test_the_plan_offers_the_team_choice_only_after_a_team_differed(folder):
    lead_audit(folder, {f"ethos.{n}": 2 for n in range(1, 7)})
    editor = action_plan(folder, delay=0)
    assert editor.team_choice not in _walk(editor) and "Your team" not in _texts(editor)
    team_differed_on_ethos_3(folder)
    editor = action_plan(folder, delay=0)
    assert editor.team_choice in _walk(editor)
    assert "Your team differed by two levels or more on 1 indicator." in _texts(editor)
    before = _plan_order(folder)
    assert before.index("ethos.3") == 2
    editor.rows[0].what.value = "Kept words"
    editor.team_choice.value = True
    editor.redraft()
    after = _plan_order(folder)
    assert after[0] == "ethos.3" and sorted(after) == sorted(before)
    assert "Kept words" in [a.what for a in folder.read(PLAN_FILE, PlanRecord).actions]
    assert "your team's differences first" in shown(editor.intro.value)
    editor.team_choice.value = False
    editor.redraft()
    assert _plan_order(folder) == before


def test_action_plan_can_be_drafted_favouring_the_team_from_the_start(folder):
    team_differed_on_ethos_3(folder)
    action_plan(folder, delay=0, favour_team=True)
    assert _plan_order(folder)[0] == "ethos.3"
    folder.file(PLAN_FILE).unlink()
    action_plan(folder, delay=0)
    assert _plan_order(folder)[0] == "ethos.1"


def _words(widget) -> str:
    """Everything a lead reads on a form: text, labels, choices, placeholders."""
    parts = []
    for w in _walk(widget):
        for name in ("value", "description", "placeholder", "tooltip"):
            value = getattr(w, name, None)
            if isinstance(value, str):
                parts.append(value)
        parts += [label for label, _ in getattr(w, "options", ()) if isinstance(label, str)]
    return shown(" ".join(parts))


def test_every_new_form_reads_without_machine_words(folder):
    lead_audit(folder, {"ethos.1": 2})
    data = colleague_file(folder, "Teacher", {"ethos.1": (0, "Seen once")})
    book = workbook("calibration", folder)
    book.form.compare()
    for form_id in ("colleague-rating", "team-moderation"):
        book.show(form_id)
        if form_id == "team-moderation":
            book.form.load({"a.json": data, "b.json": b"[1]"})
            book.form.record()
        text = _words(book)
        assert machine_words(text) == [], (form_id, machine_words(text))
    book.show("calibration")
    book.form.compare()
    assert machine_words(_words(book)) == []
