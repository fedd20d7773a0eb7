"""Action plan: ranking rules, drafting, the editing widget, and the plan record."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from strategies import CLOCK, TODAY
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating, RecordError
from wholeschool.core.errors import DataFileError
from wholeschool.core.planning import (
    CENTRE_WEIGHT,
    NEW_ACTION,
    SUGGESTIONS_FILE,
    default_suggestions,
    load_suggestions,
    plan_message,
    rank_gaps,
)
from wholeschool.core.planning import draft_plan as core_draft_plan
from wholeschool.core.records import STATUSES, PlanRecord
from wholeschool.store import PLAN_FILE, RecordFolder
from wholeschool.ui.plan_editor import PlanEditor
from wholeschool.ui.plan_editor import action_plan as open_plan

RECORDS = Path(__file__).parent / "data" / "records"
TOP = FRAMEWORK.max_rating
ALL = list(FRAMEWORK.indicator_by_id)


def draft_plan(audit, **kwargs):
    return core_draft_plan(audit, today=TODAY, **kwargs)


def action_plan(folder: Path, **kwargs):
    return open_plan(RecordFolder(folder, clock=CLOCK), **kwargs)


def load_plan(folder: Path) -> PlanRecord | None:
    return RecordFolder(folder, clock=CLOCK).read_optional(PLAN_FILE, PlanRecord)


def load_record(path: Path, expected):
    return RecordFolder(path.parent, clock=CLOCK).read(path.name, expected)


def save_record(record, path: Path) -> None:
    RecordFolder(path.parent, clock=CLOCK).save(record, path.name)


def ids(gaps) -> list[str]:
    return [gap.indicator.id for gap in gaps]


GATE = FRAMEWORK.gate


def audit_of(
    ratings: dict[str, int | None],
    school: str = "Oak Hill Primary",
    gate: str | None = GATE.in_place,
) -> AuditRecord:
    """An audit; the safeguarding route is in place unless a test says otherwise."""
    return AuditRecord(
        school=school,
        framework_version=FRAMEWORK.version,
        date=dt.date(2026, 5, 20),
        ratings={k: IndicatorRating(rating=v) for k, v in ratings.items()},
        gate=gate,
    )


# --- ranking --------------------------------------------------------------------------------


def test_lowest_rating_first_and_embedded_or_unrated_are_not_gaps():
    gaps = rank_gaps({"ethos.1": 3, "ethos.2": 0, "curriculum.1": 1, "ethos.3": TOP})
    assert ids(gaps) == ["ethos.2", "curriculum.1", "ethos.1"]
    assert [g.rating for g in gaps] == [0, 1, 3]


def test_leadership_weighs_most():
    # A leadership gap of 3 (rated 1) outweighs a gap of 4 elsewhere.
    assert CENTRE_WEIGHT > 1
    assert ids(rank_gaps({"ethos.2": 0, "leadership.4": 1})) == ["leadership.4", "ethos.2"]
    # Leadership rated 2 (2 × 1.5 = 3) ties with a 1 elsewhere and comes first by order...
    assert ids(rank_gaps({"ethos.2": 1, "leadership.4": 2})) == ["leadership.4", "ethos.2"]
    # ...but comes after a 0 elsewhere (4).
    assert ids(rank_gaps({"leadership.4": 2, "ethos.2": 0})) == ["ethos.2", "leadership.4"]
    # Leadership rated 3 (1.5) comes after a 2 elsewhere (2).
    assert ids(rank_gaps({"leadership.1": 3, "ethos.2": 2})) == ["ethos.2", "leadership.1"]


def test_ties_keep_framework_order_whatever_the_input_order():
    ratings = {"targeted-support.2": 1, "curriculum.3": 1, "ethos.5": 1, "ethos.1": 1}
    expected = ["ethos.1", "ethos.5", "curriculum.3", "targeted-support.2"]
    assert ids(rank_gaps(ratings)) == expected
    assert ids(rank_gaps(dict(reversed(ratings.items())))) == expected


def test_pin_and_drop():
    ratings = {"ethos.1": 0, "ethos.2": 1, "ethos.3": TOP, "curriculum.1": 2}
    gaps = rank_gaps(
        ratings, pinned=["ethos.3", "curriculum.1", "leadership.5"], dropped=["ethos.1"]
    )
    assert ids(gaps) == ["ethos.3", "curriculum.1", "leadership.5", "ethos.2"]
    assert [g.pinned for g in gaps] == [True, True, True, False]
    assert gaps[2].rating is None  # pinned although not rated


def test_pin_drop_errors_name_the_indicator():
    with pytest.raises(ValueError, match="pinned: unknown indicator 'ethos.99'"):
        rank_gaps({}, pinned=["ethos.99"])
    with pytest.raises(ValueError, match="dropped: unknown indicator 'nope.1'"):
        rank_gaps({}, dropped=["nope.1"])
    with pytest.raises(ValueError, match="ethos.1 cannot be both pinned and dropped"):
        rank_gaps({}, pinned=["ethos.1"], dropped=["ethos.1"])


def test_all_embedded_audit_has_no_gaps_and_says_so(tmp_path: Path):
    audit = audit_of(dict.fromkeys(ALL, TOP))
    plan, message = draft_plan(audit)
    assert plan.actions == []
    assert message.startswith("Every rated indicator is Embedded: there are no gaps")
    assert "not rated" not in message
    save_record(audit, tmp_path / "audit.json")
    widget = action_plan(tmp_path, delay=0)
    assert "there are no gaps to plan for" in widget.intro.value
    assert not (tmp_path / "plan.json").exists()


def test_messages_for_nothing_rated_and_partly_rated():
    assert plan_message({}, [], 0).startswith("Nothing has been rated yet")
    ratings = {"ethos.1": TOP}
    message = plan_message(ratings, [], 0)
    assert f"{len(ALL) - 1} indicators are not rated yet" in message
    gaps = rank_gaps({"ethos.1": 1, "ethos.2": 2})
    assert plan_message({"ethos.1": 1, "ethos.2": 2}, gaps, 1).startswith("1 of 2 gaps")


# --- the safeguarding gate ------------------------------------------------------------------


@pytest.mark.parametrize("answer", [a.id for a in GATE.answers if a.id != GATE.in_place])
def test_a_route_not_in_place_is_the_first_action_whatever_the_limit(answer):
    audit = audit_of({"ethos.1": 0, "ethos.2": 0, "leadership.1": 1}, gate=answer)
    plan, message = draft_plan(audit, limit=1, dropped=["ethos.2"])
    assert plan.actions[0].indicator == GATE.id
    assert plan.actions[0].due == TODAY, "act now, not in some weeks"
    assert [a.indicator for a in plan.actions[1:]] == ["leadership.1"]  # the limit is for gaps
    assert GATE.escalation not in message, "the form shows the escalation once, in its box"


def test_an_unanswered_route_is_not_an_escalation_action():
    plan, message = draft_plan(audit_of({"ethos.1": 0}, gate=None))
    assert GATE.id not in [a.indicator for a in plan.actions]
    assert GATE.escalation not in message


def test_the_gate_cannot_be_pinned_or_dropped():
    with pytest.raises(ValueError, match=f"dropped: unknown indicator '{GATE.id}'"):
        rank_gaps({}, dropped=[GATE.id])
    with pytest.raises(ValueError, match=f"pinned: unknown indicator '{GATE.id}'"):
        rank_gaps({}, pinned=[GATE.id])


def test_a_route_in_place_adds_no_escalation():
    plan, message = draft_plan(audit_of({"ethos.1": 0}))
    assert GATE.id not in [a.indicator for a in plan.actions]
    assert not message.startswith("Safeguarding first")


def test_redrafting_keeps_the_escalation_at_the_top(tmp_path: Path):
    save_record(audit_of({"ethos.1": 0, "ethos.2": 1}, gate="not-sure"), tmp_path / "audit.json")
    editor = action_plan(tmp_path, delay=0)
    assert editor.rows[0].indicator == GATE.id
    assert "Safeguarding first." in editor.children[0].value
    editor.add_action("curriculum.1")
    redrafted = action_plan(tmp_path, delay=0, pinned=["parents-carers.1"], redraft=True)
    assert redrafted.rows[0].indicator == GATE.id
    assert [r.indicator for r in redrafted.rows].count(GATE.id) == len(
        load_suggestions().actions[GATE.id]
    )


def test_the_safeguarding_action_has_no_move_or_remove_buttons_and_stays_first(tmp_path: Path):
    save_record(audit_of({"ethos.1": 0, "ethos.2": 1}, gate="not-sure"), tmp_path / "audit.json")
    editor = action_plan(tmp_path, delay=0)
    gate_row, last = editor.rows[0], editor.rows[-1]
    assert gate_row.indicator == GATE.id and gate_row.fixed
    assert gate_row.to_top not in gate_row.box.children[-1:] and len(gate_row.box.children) == 7
    editor.remove_action(gate_row)
    last.to_top.click()
    assert editor.rows[0] is gate_row and editor.rows[1] is last
    saved = [a.indicator for a in load_plan(tmp_path).actions]
    assert saved[0] == GATE.id and saved[1] == last.indicator


# --- drafting -------------------------------------------------------------------------------


def test_draft_has_suggested_actions_with_dates_for_the_top_gaps():
    suggestions = load_suggestions()
    audit = load_record(RECORDS / "audit.json", AuditRecord)
    start = dt.date(2026, 10, 5)
    plan, _ = draft_plan(audit, limit=3, start=start)
    top3 = ids(rank_gaps(audit.rated()))[:3]
    assert [a.indicator for a in plan.actions] == [
        key for key in top3 for _ in suggestions.actions[key]
    ]
    first = suggestions.actions[top3[0]][0]
    assert plan.actions[0].what == first.what
    assert plan.actions[0].due == start + dt.timedelta(weeks=first.weeks)
    assert plan.actions[0].status == "not started"
    assert plan.audit_date == audit.date and plan.school == audit.school


def test_pinned_indicators_are_kept_beyond_the_limit():
    audit = audit_of({"ethos.1": 0, "ethos.2": 0})
    plan, _ = draft_plan(audit, pinned=["leadership.1", "leadership.2"], limit=1)
    assert [a.indicator for a in plan.actions] == ["leadership.1", "leadership.2"]


def test_suggestions_cover_every_indicator_in_own_file():
    suggestions = load_suggestions()
    gate = [FRAMEWORK.gate.id] if FRAMEWORK.gate else []
    assert set(suggestions.actions) == {*FRAMEWORK.indicator_by_id, *gate}
    assert all(len(v) >= 1 for v in suggestions.actions.values())


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda d: d["actions"].pop("ethos.3"), "actions", "no suggested action for ethos.3"),
        (
            lambda d: d["actions"].update({"ethos.99": d["actions"]["ethos.1"]}),
            "actions.ethos.99",
            "is not an indicator",
        ),
        (
            lambda d: d["actions"]["ethos.1"][0].update(weeks=0),
            "actions",
            "greater than or equal to 1",
        ),
        (
            lambda d: d["actions"].update({"ethos.1": []}),
            "actions.ethos.1",
            "needs at least one action",
        ),
        (
            lambda d: d["actions"][GATE.id][0].update(weeks=1),
            f"actions.{GATE.id}[0].weeks",
            "never scheduled",
        ),
        (
            lambda d: d["actions"]["ethos.1"][0].pop("weeks"),
            "actions.ethos.1[0].weeks",
            "is missing",
        ),
    ],
)
def test_bad_suggestions_file_names_file_and_field(tmp_path: Path, change, field, problem):
    data = yaml.safe_load(SUGGESTIONS_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "suggested_actions.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_suggestions(path)
    assert caught.value.path == str(path)
    assert caught.value.field.startswith(field)
    assert problem in caught.value.problem


# --- the record -----------------------------------------------------------------------------


def plan_json(**action) -> str:
    base = json.loads((RECORDS / "plan.json").read_text(encoding="utf-8"))
    base["actions"][0].update(action)
    return json.dumps(base)


@pytest.mark.parametrize(
    ("action", "field", "problem"),
    [
        (
            {"due": "2025-09-01"},
            "actions[0].due",
            "due date 2025-09-01 is before the start date 2025-10-01",
        ),
        ({"status": "finished"}, "actions[0].status", "'not started', 'in progress', 'done'"),
        ({"indicator": "ethos.42"}, "actions[0].indicator", "unknown indicator 'ethos.42'"),
        ({"what": ""}, "actions[0].what", "at least 1 character"),
        ({"pupil": "A. Pupil"}, "actions[0].pupil", "records never hold pupil data"),
    ],
)
def test_bad_plan_file_is_reported_by_field_and_kept(tmp_path: Path, action, field, problem):
    path = tmp_path / "plan.json"
    path.write_text(plan_json(**action), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(RecordError) as caught:
        load_record(path, PlanRecord)
    assert caught.value.field == field
    assert problem in caught.value.problem
    shutil.copy(RECORDS / "audit.json", tmp_path)
    widget = action_plan(tmp_path, delay=0)
    assert str(path) in widget.value and field in widget.value
    assert path.read_bytes() == before


# --- the widget -----------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(RECORDS / "audit.json", tmp_path)
    return tmp_path


def test_no_audit_gives_a_message_and_saves_nothing(tmp_path: Path):
    widget = action_plan(tmp_path, delay=0)
    assert "No self-audit has been saved yet" in widget.value
    assert [p for p in tmp_path.iterdir() if p.name != ".locks"] == []


def test_draft_is_saved_at_once_and_edits_save_themselves(folder: Path):
    editor = action_plan(folder, delay=0)
    assert isinstance(editor, PlanEditor)
    assert load_plan(folder).actions == editor.plan.actions
    row = editor.rows[1]
    row.what.value = "Put wellbeing on the agenda of every governors' meeting."
    row.lead.value = "SMHL"
    row.status.value = "in progress"
    row.due.value = dt.date(2027, 3, 31)
    saved = load_plan(folder).actions[1]
    assert saved.what == "Put wellbeing on the agenda of every governors' meeting."
    assert (saved.lead, saved.status, saved.due) == ("SMHL", "in progress", dt.date(2027, 3, 31))
    assert "Saved" in editor.status.value
    assert list(row.status.options) == list(STATUSES)
    descriptions = [c.description for r in editor.rows for c in r.controls]
    assert len(set(descriptions)) == len(descriptions)


def test_due_before_start_is_refused_with_the_action_named(folder: Path):
    editor = action_plan(folder, delay=0)
    before = (folder / "plan.json").read_bytes()
    row = editor.rows[2]
    row.due.value = row.start.value - dt.timedelta(days=1)
    assert (folder / "plan.json").read_bytes() == before
    assert editor.error == "Action 3: see the message beside the field"
    # in words, beside the date fields of the action it is about, with no path or field name
    box = list(row.box.children)
    assert box.index(row.problem) == box.index(row.dates) + 1
    assert "The due date is before the start date" in row.problem.value
    shown = re.sub(r"<[^>]+>", "", row.problem.value + editor.status.value)
    for machine in ("actions[", "plan.json", "datetime", "/"):
        assert machine not in shown
    assert all(r.problem.value == "" for r in editor.rows if r is not row)
    row.due.value = row.start.value  # fixed: saving resumes
    assert load_plan(folder).actions[2].due == row.start.value
    assert editor.error is None and row.problem.value == ""


def test_an_emptied_date_or_action_is_named_in_words_beside_it(folder: Path):
    editor = action_plan(folder, delay=0)
    editor.rows[0].start.value = None
    assert (
        editor.rows[0].problem.value and "The start date is empty" in editor.rows[0].problem.value
    )
    editor.rows[0].start.value = editor.rows[0].due.value
    editor.rows[1].what.value = "   "
    assert "What you will do is empty" in editor.rows[1].problem.value


def test_priorities_move_to_the_top_or_leave_the_plan_with_buttons_and_stay_so(folder: Path):
    editor = action_plan(folder, delay=0)
    indicators = [r.indicator for r in editor.rows]
    third = editor.rows[2]
    assert third.to_top.description == "Move action 3 to the top"
    third.to_top.click()
    assert [r.indicator for r in editor.rows][0] == indicators[2]
    assert [r.number for r in editor.rows] == list(range(1, len(indicators) + 1))
    assert editor.rows[0].what.description == "Action 1: what"
    assert load_plan(folder).actions[0].indicator == indicators[2]
    gone = editor.rows[1]
    assert gone.remove.description == "Take action 2 out of the plan"
    gone.remove.click()
    saved = [a.indicator for a in load_plan(folder).actions]
    assert gone.indicator not in saved and len(saved) == len(indicators) - 1
    reopened = action_plan(folder, delay=0)
    assert [r.indicator for r in reopened.rows] == saved


def test_the_keyboard_keeps_its_place_when_the_plan_is_redrawn(folder: Path):
    """The buttons that redraw the plan carry a focus mark each (keep-focus.js gives the focus
    back to them when drawn again); an action taken out hands its mark to the one that takes its
    place, and the last one's to "Add an action"."""
    from wholeschool.ui.keep_focus import marks_of

    editor = action_plan(folder, delay=0)
    buttons = [b for r in editor.rows for b in (r.to_top, r.remove)]
    buttons += [editor.add_button, editor.redraft_button]
    marks = [marks_of(b) for b in buttons]
    assert all(len(m) == 1 for m in marks), marks
    assert len({m[0] for m in marks}) == len(marks), "two buttons share a mark"
    second, third = editor.rows[1], editor.rows[2]
    second.remove.click()
    assert set(marks_of(second.remove)) <= set(marks_of(third.remove))
    last = editor.rows[-1]
    last.remove.click()
    assert set(marks_of(last.remove)) <= set(marks_of(editor.add_button))


def test_reopening_keeps_edits_and_redraft_adds_without_losing_work(folder: Path):
    editor = action_plan(folder, delay=0)
    editor.rows[0].status.value = "done"
    reopened = action_plan(folder, delay=0, pinned=["parents-carers.1"])
    assert reopened.rows[0].status.value == "done"
    assert "parents-carers.1" not in [r.indicator for r in reopened.rows]  # only on redraft
    redrafted = action_plan(folder, delay=0, pinned=["parents-carers.1"], redraft=True)
    indicators = [r.indicator for r in redrafted.rows]
    assert indicators[: len(editor.rows)] == [r.indicator for r in editor.rows]
    assert "parents-carers.1" in indicators
    assert redrafted.rows[0].status.value == "done"
    assert load_plan(folder).pinned == ["parents-carers.1"]
    dropped = action_plan(folder, delay=0, dropped=[indicators[0]], redraft=True)
    assert indicators[0] not in [r.indicator for r in dropped.rows]


def test_debounced_editor_saves_on_flush(folder: Path):
    editor = action_plan(folder, delay=30)
    editor.rows[0].lead.value = "Deputy head"
    assert load_plan(folder).actions[0].lead != "Deputy head"
    editor.flush()
    assert load_plan(folder).actions[0].lead == "Deputy head"


def test_lead_can_add_an_action(folder: Path):
    editor = action_plan(folder, delay=0)
    count = len(editor.rows)
    editor.new_indicator.value = "parents-carers.4"
    editor.add_button.click()
    assert len(editor.rows) == count + 1
    assert editor.rows[-1].box in editor.children
    saved = load_plan(folder).actions
    assert len(saved) == count + 1
    assert (saved[-1].indicator, saved[-1].what) == ("parents-carers.4", NEW_ACTION)
    editor.rows[-1].what.value = "Coffee morning for families new to the school."
    assert load_plan(folder).actions[-1].what == "Coffee morning for families new to the school."


def test_the_gate_suggestion_has_no_schedule_in_the_data():
    assert all(s.weeks is None for s in default_suggestions().actions[GATE.id])
