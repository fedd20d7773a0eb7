"""The safeguarding gate: the latest answer by date decides, in three states, everywhere.

Every place that shows the gate (the plan form, the plan's Markdown and Word files, the
governors' report as HTML and Word, the progress summary) is checked for each combination of a
self-audit's and a progress log's answers and dates: an answer short of "in place" is one
escalation box, no answer yet is one calm note pointing to the question, in place is neither.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from strategies import CLOCK, TODAY
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating
from wholeschool.core.gate import GateState, gate_status
from wholeschool.core.records import ProgressLog
from wholeschool.core.terms import term_of
from wholeschool.reports.governors import build_report, to_docx, to_html
from wholeschool.reports.plan_export import plan_files
from wholeschool.reports.progress import Progress, summary_files
from wholeschool.store import AUDIT_FILE, PLAN_FILE, RecordFolder, log_file
from wholeschool.store.current import current_records
from wholeschool.ui.plan_editor import action_plan

GATE = FRAMEWORK.gate
ALARM = "Safeguarding first."
CALM = "Safeguarding route: not answered yet."
SHORT = [a.id for a in GATE.answers if a.id != GATE.in_place]
EARLY, LATE = dt.date(2026, 2, 2), dt.date(2026, 5, 20)  # spring and summer terms


def audit(gate: str | None, date: dt.date = LATE, ratings=None) -> AuditRecord:
    ratings = ratings or {"ethos.1": 1, "ethos.2": 2, "leadership.1": 0}
    return AuditRecord(
        school="Gate Primary",
        framework_version=FRAMEWORK.version,
        date=date,
        ratings={k: IndicatorRating(rating=v) for k, v in ratings.items()},
        gate=gate,
    )


def log(gate: str | None, date: dt.date) -> ProgressLog:
    term = term_of(date)
    return ProgressLog(
        school="Gate Primary",
        framework_version=FRAMEWORK.version,
        date=date,
        academic_year=term.academic_year,
        term=term.name,
        indicator_ratings={"ethos.1": IndicatorRating(rating=2)},
        gate=gate,
    )


def folder_with(tmp_path: Path, audit_record, log_record=None) -> RecordFolder:
    folder = RecordFolder(tmp_path / "records", clock=CLOCK)
    if audit_record is not None:
        folder.save(audit_record, AUDIT_FILE)
    if log_record is not None:
        term = log_record.term_key
        folder.save(log_record, log_file(term.academic_year, term.name))
    return folder


# (audit answer, audit date, log answer or "none" for no log, log date) -> expected state
CASES = {
    "audit in place, no log": (GATE.in_place, LATE, "none", None, GateState.IN_PLACE),
    "audit short, no log": ("not-sure", LATE, "none", None, GateState.SHORT),
    "nothing answered": (None, LATE, "none", None, GateState.UNANSWERED),
    "older log in place, newer audit not in place": (
        "not-in-place",
        LATE,
        GATE.in_place,
        EARLY,
        GateState.SHORT,
    ),
    "older audit in place, newer log partly": (
        GATE.in_place,
        EARLY,
        "partly",
        LATE,
        GateState.SHORT,
    ),
    "older audit short, newer log in place": (
        "not-sure",
        EARLY,
        GATE.in_place,
        LATE,
        GateState.IN_PLACE,
    ),
    "audit unanswered, log short": (None, LATE, "partly", EARLY, GateState.SHORT),
    "audit short, newer log unanswered": ("partly", EARLY, None, LATE, GateState.SHORT),
    "neither answered, with a log": (None, EARLY, None, LATE, GateState.UNANSWERED),
}


def records_of(case):
    audit_gate, audit_date, log_gate, log_date, _ = CASES[case]
    return audit(audit_gate, audit_date), None if log_gate == "none" else log(log_gate, log_date)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_latest_answer_by_date_decides(case: str):
    audit_record, log_record = records_of(case)
    status = gate_status(FRAMEWORK, [audit_record, log_record])
    assert status.state is CASES[case][-1]
    assert status.escalates == (status.state is GateState.SHORT)
    # the order the records are given in does not matter
    assert gate_status(FRAMEWORK, [log_record, audit_record]).state is status.state


def test_on_the_same_day_the_log_is_later_than_the_audit():
    day = LATE
    assert (
        gate_status(FRAMEWORK, [audit("not-sure", day), log(GATE.in_place, day)]).escalates is False
    )
    assert gate_status(FRAMEWORK, [audit(GATE.in_place, day), log("not-sure", day)]).escalates


def visible_texts(folder: RecordFolder) -> dict[str, str]:
    """The text of every place that shows the gate, by place."""
    editor = action_plan(folder, delay=0)
    records = current_records(folder)
    files = plan_files(editor.record(), records.audit, ("md", "docx"), FRAMEWORK, records.gate)
    report = build_report(folder)
    summary = summary_files(Progress(folder), ("html", "docx"))

    def word(data: bytes) -> str:
        document = docx.Document(io.BytesIO(data))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)

    return {
        "plan form": "\n".join(
            getattr(child, "value", "") for child in editor.children if hasattr(child, "value")
        ),
        "plan Markdown": files["action-plan.md"].decode(),
        "plan Word": word(files["action-plan.docx"]),
        "governors HTML": to_html(report),
        "governors Word": word(to_docx(report)),
        "progress summary HTML": summary["progress-summary.html"].decode(),
        "progress summary Word": word(summary["progress-summary.docx"]),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_place_shows_the_gate_once_in_its_current_state(case: str, tmp_path: Path):
    audit_record, log_record = records_of(case)
    folder = folder_with(tmp_path, audit_record, log_record)
    expected = CASES[case][-1]
    for place, text in visible_texts(folder).items():
        alarms, calm = text.count(ALARM), text.count(CALM)
        if expected is GateState.SHORT:
            assert (alarms, calm) == (1, 0), place
            assert text.count(GATE.escalation.split(".")[0]) == 1, f"{place}: said once"
        elif expected is GateState.UNANSWERED:
            assert (alarms, calm) == (0, 1), place
            assert GATE.escalation.split(".")[0] not in text, f"{place}: no false alarm"
            assert "self-audit of principle 8" in text, f"{place}: points to the question"
        else:
            assert (alarms, calm) == (0, 0), place
    editor = action_plan(folder, delay=0)
    first = editor.rows[0].indicator if editor.rows else None
    assert (first == GATE.id) == (expected is GateState.SHORT)


def test_a_plan_drafted_while_in_place_escalates_when_the_audit_changes(tmp_path: Path):
    folder = folder_with(tmp_path, audit(GATE.in_place, EARLY))
    drafted = action_plan(folder, delay=0)
    assert drafted.rows[0].indicator != GATE.id and ALARM not in drafted.children[0].value
    folder.save(audit("not-sure", LATE), AUDIT_FILE)
    reopened = action_plan(folder, delay=0)
    assert reopened.rows[0].indicator == GATE.id, "the escalation is the first action"
    assert ALARM in reopened.children[0].value and "Not sure" in reopened.children[0].value
    saved = folder.read(PLAN_FILE)
    assert saved.actions[0].indicator == GATE.id, "and it is saved, so every export has it"
    assert [a.indicator for a in saved.actions[1:]] == [r.indicator for r in drafted.rows]
    again = action_plan(folder, delay=0)
    assert [r.indicator for r in again.rows].count(GATE.id) == [
        r.indicator for r in reopened.rows
    ].count(GATE.id), "opening again adds nothing more"


def test_rating_two_principles_without_the_route_is_a_calm_note_not_an_alarm(tmp_path: Path):
    """Issue 20, item 3: the plan opened with a red box, twice, for an unanswered question."""
    two = {f"{p}.{n}": 1 for p in ("leadership", "ethos") for n in range(1, 5)}
    folder = folder_with(tmp_path, audit(None, LATE, two))
    editor = action_plan(folder, delay=0)
    shown = "".join(c.value for c in editor.children if hasattr(c, "value") and c.value)
    assert ALARM not in shown and 'role="alert"' not in shown
    assert shown.count(CALM) == 1 and 'role="note"' in shown
    assert GATE.id not in [row.indicator for row in editor.rows]
    assert TODAY >= LATE


@pytest.mark.parametrize("redraft", [False, True])
def test_a_new_escalation_is_added_when_the_earlier_one_was_done(redraft: bool, tmp_path: Path):
    folder = folder_with(tmp_path, audit("not-sure", EARLY))
    first = action_plan(folder, delay=0)
    for row in first.rows:
        if row.indicator == GATE.id:
            row.status.value = "done"
    first.flush()
    folder.save(audit(GATE.in_place, dt.date(2026, 3, 1)), AUDIT_FILE)
    folder.save(audit("partly", LATE), AUDIT_FILE)  # short of in place again
    editor = action_plan(folder, delay=0, redraft=redraft)
    statuses = [r.status.value for r in editor.rows if r.indicator == GATE.id]
    assert statuses[0] == "not started" and "done" in statuses, statuses
