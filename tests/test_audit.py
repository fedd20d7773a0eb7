"""The self-audit form, driven without a browser: set values, check the file and the summary."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating
from wholeschool.core.records import NO_PUPIL_DATA
from wholeschool.store import AUDIT_FILE, RECORDS_ENV, RecordFolder, records_folder
from wholeschool.ui.audit_form import audit
from wholeschool.ui.looks import UNRATED

RECORDS = Path(__file__).parent / "data" / "records"


def saved(folder: Path) -> dict:
    return json.loads((folder / "audit.json").read_text(encoding="utf-8"))


def load_audit(folder: Path) -> AuditRecord:
    return RecordFolder(folder, clock=CLOCK).read(AUDIT_FILE, AuditRecord)


def form_of(principle: str | None, folder: Path, **kwargs):
    return audit(principle, RecordFolder(folder, clock=CLOCK), **kwargs)


def texts(widget) -> str:
    """Every piece of text a form shows a lead (HTML, labels, choices, placeholders)."""
    import ipywidgets as widgets

    out = [str(getattr(widget, "description", "")), str(getattr(widget, "placeholder", ""))]
    if isinstance(widget, widgets.HTML | widgets.Label | widgets.Text | widgets.Textarea):
        out.append(widget.value)
    if isinstance(widget, widgets.widgets.widget_selection._Selection):
        out += [label for label in widget._options_labels]
    for child in getattr(widget, "children", ()):
        out.append(texts(child))
    return "\n".join(out)


def test_choices_are_levels_with_their_meaning_and_no_internal_ids_show(tmp_path: Path):
    form = form_of("leadership", tmp_path, delay=0)
    ids = [i.id for i in FRAMEWORK.principle("leadership").indicators]
    assert list(form.rows) == ids
    row = form.rows["leadership.1"]
    own = FRAMEWORK.indicator_by_id["leadership.1"].levels
    assert [label for label, _ in row.rating.options] == ["Not rated yet"] + [
        f"{level.label}: {own.get(level.value, level.descriptor)}" for level in FRAMEWORK.scale
    ], "each level shows what it looks like for this indicator; Not started stays generic"
    shown = texts(form)
    assert not any(i in shown for i in FRAMEWORK.indicator_by_id), "no internal ids on the form"
    descriptions = [r.rating.description for r in form.rows.values()]
    descriptions += [r.note.description for r in form.rows.values()]
    assert len(set(descriptions)) == len(descriptions) and all(descriptions)
    assert shown.count(NO_PUPIL_DATA) == 1, "one privacy reminder per form"
    assert form.school.description == "School label"
    assert form.summary.value == f"0 of {len(ids)} rated"
    assert not (tmp_path / "audit.json").exists(), "opening the form must not write anything"


def test_rating_change_saves_and_updates_the_summary_and_status(tmp_path: Path):
    form = form_of("ethos", tmp_path, delay=0)
    count = len(FRAMEWORK.principle("ethos").indicators)
    form.rows["ethos.2"].rating.value = 3
    assert saved(tmp_path)["ratings"] == {"ethos.2": {"rating": 3, "note": ""}}
    assert form.summary.value == f"1 of {count} rated"
    assert form.progress.value == 1
    assert "Saved" in form.status.value and "12:00" in form.status.value
    form.rows["ethos.4"].note.value = "Assembly rota agreed with the pupil council."
    assert saved(tmp_path)["ratings"]["ethos.4"] == {
        "rating": None,
        "note": "Assembly rota agreed with the pupil council.",
    }
    form.rows["ethos.2"].rating.value = UNRATED
    assert "ethos.2" not in saved(tmp_path)["ratings"]
    assert form.summary.value == f"0 of {count} rated"


def test_pages_for_two_principles_do_not_undo_each_other(tmp_path: Path):
    first = form_of("leadership", tmp_path, delay=0)
    second = form_of("curriculum", tmp_path, delay=0)
    first.rows["leadership.3"].rating.value = 1
    second.rows["curriculum.1"].rating.value = 4
    first.rows["leadership.4"].rating.value = 2
    assert load_audit(tmp_path).rated() == {
        "leadership.3": 1,
        "leadership.4": 2,
        "curriculum.1": 4,
    }
    # Saved in framework order whatever the order of the changes.
    assert list(saved(tmp_path)["ratings"]) == ["leadership.3", "leadership.4", "curriculum.1"]


def test_existing_record_is_loaded_into_the_form(tmp_path: Path):
    (tmp_path / "audit.json").write_bytes((RECORDS / "audit.json").read_bytes())
    record = load_audit(tmp_path)
    form = form_of(None, tmp_path, delay=0)
    assert len(form.rows) == len(FRAMEWORK.indicator_by_id)
    for indicator_id, entry in record.ratings.items():
        row = form.rows[indicator_id]
        assert row.value == entry.rating
        assert row.note.value == entry.note
    assert form.school.value == record.school
    assert form.summary.value.startswith(f"{len(record.rated())} of ")


def test_debounce_waits_and_flush_saves_now(tmp_path: Path):
    form = form_of("leadership", tmp_path, delay=30)
    form.rows["leadership.1"].rating.value = 2
    form.rows["leadership.1"].rating.value = 3
    assert form.saver.pending
    assert not (tmp_path / "audit.json").exists()
    form.flush()
    assert not form.saver.pending
    assert load_audit(tmp_path).rated() == {"leadership.1": 3}


def test_debounce_timer_saves_by_itself(tmp_path: Path):
    form = form_of("leadership", tmp_path, delay=0.05)
    form.rows["leadership.2"].rating.value = 4
    deadline = time.monotonic() + 5
    while form.saver.pending and time.monotonic() < deadline:
        time.sleep(0.02)
    assert load_audit(tmp_path).rated() == {"leadership.2": 4}


def test_bad_record_is_reported_kindly_and_never_overwritten(tmp_path: Path):
    path = tmp_path / "audit.json"
    path.write_text('{"kind": "audit", "school": "Oak", "ratings": {}}', encoding="utf-8")
    before = path.read_bytes()
    form = form_of("leadership", tmp_path, delay=0)
    assert str(path) in form.status.value and "Not saved" in form.status.value
    form.rows["leadership.1"].rating.value = 2
    form.rows["leadership.1"].note.value = "We met the governors."
    assert path.read_bytes() == before
    assert "framework_version" in form.error or "date" in form.error
    assert str(path) in form.status.value


def test_fixing_the_bad_file_lets_saving_resume(tmp_path: Path):
    path = tmp_path / "audit.json"
    path.write_text("{", encoding="utf-8")
    form = form_of("leadership", tmp_path, delay=0)
    form.rows["leadership.1"].rating.value = 2
    assert path.read_text() == "{"
    path.unlink()  # the lead moved the broken file aside
    form.rows["leadership.2"].rating.value = 1
    assert load_audit(tmp_path).rated() == {"leadership.1": 2, "leadership.2": 1}
    assert form.error is None and "Saved" in form.status.value


def test_too_long_note_is_refused_with_the_field_named(tmp_path: Path):
    form = form_of("leadership", tmp_path, delay=0)
    form.rows["leadership.1"].rating.value = 1
    before = (tmp_path / "audit.json").read_bytes()
    form.rows["leadership.1"].note.value = "x" * 2001
    assert (tmp_path / "audit.json").read_bytes() == before
    assert 'ratings["leadership.1"].note' in form.error


def test_control_characters_typed_or_pasted_are_cleaned_before_saving(tmp_path: Path):
    form = form_of("leadership", tmp_path, delay=0)
    form.rows[
        "leadership.1"
    ].note.value = "Line one\x0bline two\x1b[31m red\x00"  # Word's Shift+Enter
    form.school.value = "Oak\nHill"
    assert form.error is None
    record = load_audit(tmp_path)
    assert record.ratings["leadership.1"].note == "Line one\nline two[31m red"
    assert record.school == "Oak Hill"


def test_school_label_is_kept(tmp_path: Path):
    RecordFolder(tmp_path, clock=CLOCK).save(
        AuditRecord(
            school="Oak Hill Primary",
            framework_version=FRAMEWORK.version,
            date=dt.date(2026, 5, 20),
            ratings={"ethos.1": IndicatorRating(rating=2)},
        ),
        "audit.json",
    )
    form = form_of("ethos", tmp_path, delay=0)
    form.school.value = "Oak Hill"
    assert load_audit(tmp_path).school == "Oak Hill"
    assert load_audit(tmp_path).rated() == {"ethos.1": 2}


def test_the_form_dates_its_record_by_the_folder_clock(tmp_path: Path):
    form = form_of("ethos", tmp_path, delay=0)
    form.rows["ethos.1"].rating.value = 1
    assert load_audit(tmp_path).date == dt.date(2026, 6, 1)


def test_unknown_principle_is_named():
    with pytest.raises(KeyError, match="unknown principle 'wellbeing'"):
        audit("wellbeing")


def test_records_folder_default(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(RECORDS_ENV, str(tmp_path))
    assert records_folder() == tmp_path
    monkeypatch.delenv(RECORDS_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert records_folder() == tmp_path / "home" / "wholeschool-records"


def test_in_the_browser_records_live_under_drive(monkeypatch):
    import sys

    monkeypatch.delenv(RECORDS_ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert records_folder() == Path("/drive/records")


def test_pending_change_survives_a_kernel_restart(tmp_path: Path):
    """A real kernel: a change still inside the debounce wait is saved when the kernel restarts."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        code = (
            "from wholeschool.ui import audit\n"
            f"form = audit('leadership', {str(tmp_path)!r}, delay=60)\n"
            "form.rows['leadership.1'].rating.value = 3\n"
            "assert form.saver.pending\n"
        )
        reply = client.execute_interactive(code, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        assert not (tmp_path / "audit.json").exists()
        manager.restart_kernel(now=False)
        assert RecordFolder(tmp_path).read(AUDIT_FILE, AuditRecord).rated() == {"leadership.1": 3}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_evidence_log_sits_below_the_ratings_and_saves_beside_the_audit(tmp_path: Path):
    from wholeschool.store.evidence import load_evidence

    form = form_of("ethos", tmp_path, delay=0)
    heading, log = form.children[-2:]
    assert "Evidence behind your ratings" in heading.value
    chooser, holder = log.children
    assert [value for _, value in chooser.options] == [
        i.id for i in FRAMEWORK.principle("ethos").indicators
    ]
    chooser.value = "ethos.3"
    _, _hint, description, date, link, add, status, listing = holder.children[0].children
    description.value = "Lunchtime quiet room timetable"
    date.value = dt.date(2026, 5, 1)
    link.value = "https://example.org/quiet-room"
    add.click()
    assert "Added." in status.value
    assert "Lunchtime quiet room timetable" in listing.value
    entries = load_evidence(RecordFolder(tmp_path, clock=CLOCK)).entries["ethos.3"]
    assert [(e.description, e.date) for e in entries] == [
        ("Lunchtime quiet room timetable", dt.date(2026, 5, 1))
    ]
    link.value, description.value = "not a link", "Something"
    add.click()
    assert "Not saved:" in status.value and "link" in status.value
    assert len(load_evidence(RecordFolder(tmp_path, clock=CLOCK)).entries["ethos.3"]) == 1


def test_the_form_can_leave_the_evidence_log_out(tmp_path: Path):
    form = form_of("ethos", tmp_path, evidence=False)
    assert all("Evidence behind" not in getattr(c, "value", "") for c in form.children)


def test_merging_a_forms_answers_keeps_everyone_elses_in_core():
    """The merge rule lives in core (no widget needed): answers in, unrated out, rest kept."""
    from strategies import TODAY
    from wholeschool.core.audits import KEEP, merge_audit

    saved = AuditRecord(
        school="Oak",
        framework_version=FRAMEWORK.version,
        date=TODAY,
        ratings={
            "ethos.1": IndicatorRating(rating=1),
            "leadership.2": IndicatorRating(rating=3, note="kept"),
        },
        gate="partly",
    )
    merged = merge_audit(
        saved,
        {"leadership.1": IndicatorRating(rating=2), "ethos.1": None},
        school="  Oak\tHill ",
        framework=FRAMEWORK,
        today=TODAY,
    )
    assert list(merged.ratings) == ["leadership.1", "leadership.2"], "framework order"
    assert merged.ratings["leadership.2"].note == "kept"
    assert merged.gate == "partly" and merged.school == "Oak Hill"
    assert (
        merge_audit(saved, {}, school="", framework=FRAMEWORK, today=TODAY, gate=None).gate is None
    )
    assert merge_audit(
        None, {}, school=" ", framework=FRAMEWORK, today=TODAY, gate=KEEP
    ).school == ("My school")
