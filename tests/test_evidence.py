"""Evidence entries: references only, dates not in the future, errors name file and field."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import BIN
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import CLOCK, TODAY
from wholeschool import FRAMEWORK, EvidenceLog, RecordError
from wholeschool.core.records import check_link
from wholeschool.store import EVIDENCE_FILE, RecordFolder, scan_records
from wholeschool.store import evidence as store_evidence
from wholeschool.store.history import list_versions
from wholeschool.ui.evidence_form import evidence_log, evidence_panel

#: Two days on: past the one day's grace for time zones.
TOMORROW = TODAY + dt.timedelta(days=2)


def add_evidence(indicator_id, description, date, link, folder):
    return store_evidence.add_evidence(
        RecordFolder(folder, clock=CLOCK), indicator_id, description, date, link
    )


def evidence_path(folder: Path) -> Path:
    return folder / EVIDENCE_FILE


def load_record(path: Path, expected=EvidenceLog):
    return RecordFolder(path.parent, clock=CLOCK).read(path.name, expected)


def load_evidence(folder: Path) -> EvidenceLog | None:
    return store_evidence.load_evidence(RecordFolder(folder, clock=CLOCK))


@pytest.mark.parametrize(
    "link",
    [
        "https://school.example/wellbeing/policy.pdf",
        "http://intranet/staff-survey",
        "S:/Wellbeing/Staff survey 2026.xlsx",
        "C:\\Users\\lead\\Documents\\governors-minutes.docx",
        "\\\\server\\share\\wellbeing\\plan.docx",
        "/home/lead/wellbeing/action-plan.docx",
        "~/Documents/pupil-voice-summary.pdf",
        "policies/behaviour.pdf",
        "minutes-2026-10.docx",
    ],
)
def test_links_that_are_urls_or_paths_are_accepted(link):
    assert check_link(f"  {link} ") == link


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("", "is empty"),
        ("ask the head", "neither a web address nor a file path"),
        ("ftp://files.example/policy.pdf", "not a web (http or https) address"),
        ("javascript:alert(1)", "not a web (http or https) address"),
        ("mailto:head@school.example", "not a web (http or https) address"),
        ("https://", "not a complete web address"),
        ("https://school.example/a b", "not a complete web address"),
        ("www.school.example/policy", "add https://"),
        ("policy.pdf\nsecond line", "a line break or tab (U+000A)"),
        ("policy.pdf\x1b[2J", "a control character (U+001B)"),
    ],
)
def test_links_that_are_neither_are_refused(link, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        check_link(link)


def test_add_evidence_saves_a_valid_record_with_history(tmp_path: Path):
    add_evidence(
        "ethos.2", "Anti-bullying policy review", TODAY, "S:/Policies/bullying.pdf", tmp_path
    )
    log = add_evidence(
        "ethos.2", "Pupil survey on bullying, summary", TODAY, "https://x.example/s", tmp_path
    )
    add_evidence("leadership.2", "Governors' minutes, autumn", TODAY, "minutes.docx", tmp_path)
    loaded = load_record(evidence_path(tmp_path), EvidenceLog)
    assert loaded.count() == 3
    assert [e.description for e in loaded.entries["ethos.2"]] == [
        "Anti-bullying policy review",
        "Pupil survey on bullying, summary",
    ]
    assert list(loaded.entries) == ["leadership.2", "ethos.2"]  # framework order
    assert log.count() == 2
    assert len(list_versions(evidence_path(tmp_path))) == 3
    assert scan_records([evidence_path(tmp_path)], clock=CLOCK)[0].record == loaded


@pytest.mark.parametrize(
    ("kwargs", "field", "problem"),
    [
        ({"date": TOMORROW}, 'entries["ethos.2"][1].date', "is in the future"),
        ({"link": "ask the head"}, 'entries["ethos.2"][1].link', "neither a web address"),
        ({"description": "  "}, 'entries["ethos.2"][1].description', "at least 3 characters"),
        ({"indicator_id": "ethos.99"}, "indicator", "unknown indicator 'ethos.99'"),
    ],
)
def test_bad_entry_names_file_and_field_and_loses_nothing(tmp_path: Path, kwargs, field, problem):
    add_evidence(
        "ethos.2", "Anti-bullying policy review", TODAY, "S:/Policies/bullying.pdf", tmp_path
    )
    path = evidence_path(tmp_path)
    before = path.read_bytes()
    entry = {
        "indicator_id": "ethos.2",
        "description": "Survey results",
        "date": TODAY,
        "link": "https://x.example/s",
    }
    entry.update(kwargs)
    with pytest.raises(RecordError) as caught:
        add_evidence(folder=tmp_path, **entry)
    assert caught.value.path == str(path)
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert path.read_bytes() == before
    assert len(list_versions(path)) == 1


def _hand_edited(tmp_path: Path, change) -> Path:
    add_evidence(
        "ethos.2", "Anti-bullying policy review", TODAY, "S:/Policies/bullying.pdf", tmp_path
    )
    path = evidence_path(tmp_path)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (
            lambda d: d["entries"]["ethos.2"][0].update(date=TOMORROW.isoformat()),
            'entries["ethos.2"][0].date',
            "is in the future",
        ),
        (
            lambda d: d["entries"]["ethos.2"][0].update(link="see office"),
            'entries["ethos.2"][0].link',
            "neither a web address",
        ),
        (
            lambda d: d["entries"].update({"ethos.99": d["entries"]["ethos.2"]}),
            'entries["ethos.99"]',
            "unknown indicator",
        ),
        (
            lambda d: d["entries"]["ethos.2"][0].update(pupil="A. Pupil"),
            'entries["ethos.2"][0].pupil',
            "never hold pupil data",
        ),
        (
            lambda d: d["entries"]["ethos.2"][0].update(content="the whole document"),
            'entries["ethos.2"][0].content',
            "is not a field",
        ),
    ],
)
def test_hand_edited_log_is_reported_by_file_and_field_and_kept(tmp_path, change, field, problem):
    path = _hand_edited(tmp_path, change)
    before = path.read_bytes()
    with pytest.raises(RecordError) as caught:
        load_record(path)
    assert (caught.value.path, caught.value.field) == (str(path), field)
    assert problem in caught.value.problem
    with pytest.raises(RecordError, match=re.escape(f"{path}: {field}: ")):
        add_evidence("ethos.1", "Staff survey", TODAY, "https://x.example/s", tmp_path)
    assert path.read_bytes() == before


def test_principle_view_lists_newest_first(tmp_path: Path):
    add_evidence("ethos.2", "Older evidence", TODAY - dt.timedelta(days=30), "a/b.pdf", tmp_path)
    add_evidence("ethos.4", "Newer evidence", TODAY, "a/c.pdf", tmp_path)
    log = load_evidence(tmp_path)
    assert list(log.entries) == ["ethos.2", "ethos.4"]
    assert [e.description for _, e in log.for_principle("ethos", FRAMEWORK)] == [
        "Newer evidence",
        "Older evidence",
    ]
    assert log.for_principle("leadership", FRAMEWORK) == []


def test_a_failed_history_write_saves_nothing_so_a_retry_adds_one_entry(tmp_path: Path):
    """The version is written before the log: when it cannot be, the entry is not saved."""
    add_evidence("ethos.2", "First entry", TODAY, "a/b.pdf", tmp_path)
    history = tmp_path / ".history" / "evidence"
    for version in history.iterdir():
        version.unlink()
    history.rmdir()
    history.write_text("in the way", encoding="utf-8")
    before = evidence_path(tmp_path).read_bytes()
    with pytest.raises(RecordError, match="not saved"):
        add_evidence("ethos.2", "Second entry", TODAY, "a/c.pdf", tmp_path)
    assert evidence_path(tmp_path).read_bytes() == before
    history.unlink()
    add_evidence("ethos.2", "Second entry", TODAY, "a/c.pdf", tmp_path)
    assert [e.description for e in load_evidence(tmp_path).entries["ethos.2"]] == [
        "First entry",
        "Second entry",
    ]


def test_panel_adds_evidence_and_shows_errors_without_saving(tmp_path: Path):
    panel = evidence_panel(RecordFolder(tmp_path, clock=CLOCK), "ethos.2")
    _heading, hint, description, date, link, add, status, listing = panel.children
    assert "not the document itself" in hint.value
    assert "ethos.2" not in _heading.value, "no internal id shown"
    assert "No evidence logged" in listing.value
    description.value = "Anti-bullying policy review"
    date.value = TODAY
    link.value = "S:/Policies/bullying.pdf"
    add.click()
    assert "Added." in status.value
    assert "Anti-bullying policy review" in listing.value
    before = evidence_path(tmp_path).read_bytes()
    description.value = "Another one"
    link.value = "ask the head"
    add.click()
    assert "Not saved" in status.value and ".link" in status.value
    assert evidence_path(tmp_path).read_bytes() == before
    date.value = TOMORROW
    link.value = "https://x.example/s"
    add.click()
    assert "in the future" in status.value
    assert evidence_path(tmp_path).read_bytes() == before


def test_evidence_log_switches_indicator(tmp_path: Path):
    add_evidence("ethos.2", "Anti-bullying policy review", TODAY, "S:/Policies/b.pdf", tmp_path)
    form = evidence_log(RecordFolder(tmp_path, clock=CLOCK))
    chooser, holder = form.children
    assert chooser.value == "leadership.1"
    assert "No evidence logged" in holder.children[0].children[-1].value
    chooser.value = "ethos.2"
    assert "Anti-bullying policy review" in holder.children[0].children[-1].value


@given(st.text(max_size=120))
@settings(max_examples=300, deadline=None)
def test_any_link_text_is_accepted_cleanly_or_refused_with_a_message(text):
    try:
        link = check_link(text)
    except ValueError as error:
        assert str(error)
    else:
        assert link == text.strip() and link
        assert link.lower().startswith(("http://", "https://")) or "://" not in link


def test_the_evidence_kind_is_read_by_the_store_and_validate(tmp_path: Path):
    """A fresh interpreter that only uses the store, and the real `validate` command, read it."""
    add_evidence("ethos.2", "Anti-bullying policy review", TODAY, "S:/Policies/b.pdf", tmp_path)
    add_evidence("ethos.2", "Pupil survey summary", TODAY, "S:/Surveys/s.pdf", tmp_path)
    code = "import sys; from wholeschool.store import load_record; print(load_record(sys.argv[1]).kind)"
    run = subprocess.run(
        [sys.executable, "-c", code, str(evidence_path(tmp_path))], capture_output=True, text=True
    )
    assert run.stdout.strip() == "evidence", run.stderr
    run = subprocess.run(
        [str(BIN / "wholeschool"), "validate", str(tmp_path)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout
    assert run.stdout.splitlines() == [
        f"ok    {evidence_path(tmp_path)} (evidence, My school, {TODAY})"
    ]  # one record: its two versions in .history/ are not listed


def test_naming_the_school_after_logging_evidence_keeps_one_school(tmp_path: Path):
    """Evidence logged before the school is named takes the folder's label, and naming the
    school in the self-audit relabels it, so the governors' report reads one school."""
    from wholeschool.reports.gather import read_records
    from wholeschool.ui.audit_form import audit as audit_form

    folder = RecordFolder(tmp_path, clock=CLOCK)
    first = audit_form("leadership", folder, delay=0)
    first.rows["leadership.1"].rating.value = 2
    store_evidence.add_evidence(
        folder, "leadership.1", "Staff survey summary", TODAY, "S:/survey.pdf"
    )
    from wholeschool.ui.plan_editor import action_plan

    assert action_plan(folder, delay=0).plan.school == "My school"  # drafted and saved
    form = audit_form("leadership", folder, delay=0)
    form.school.value = "Oak Hill Primary"
    assert form.error is None
    records = read_records(folder)
    assert records.school == "Oak Hill Primary"
    assert records.evidence.school == "Oak Hill Primary"
    assert records.plan.school == "Oak Hill Primary", "the plan too (a second member)"
    assert len(folder.versions("plan.json")) == 2, "relabelled with its history kept"


def test_evidence_logged_before_any_audit_is_relabelled_when_the_audit_names_the_school(
    tmp_path: Path,
):
    from wholeschool.reports.gather import read_records
    from wholeschool.ui.audit_form import audit as audit_form

    folder = RecordFolder(tmp_path, clock=CLOCK)
    store_evidence.add_evidence(folder, "ethos.1", "Policy review notes", TODAY, "S:/policy.docx")
    form = audit_form("ethos", folder, delay=0)
    form.school.value = "Elm Academy"
    assert form.error is None
    assert {r.school for r in [read_records(folder).audit, read_records(folder).evidence]} == {
        "Elm Academy"
    }
