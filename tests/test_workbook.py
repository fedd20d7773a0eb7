"""The live workbook (``wholeschool.ui.workbook``) in CPython: one app for every form.

The browser journey is in ``test_lite.py``; here the same widget is driven directly: every form
of the list opens under its heading with a link back to its course page and next steps, and
switching forms saves the form on screen first and reads the records afresh.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import lite_site
import pytest
from strategies import CLOCK
from wholeschool.store import AUDIT_FILE, RecordFolder
from wholeschool.ui import workbook
from wholeschool.ui.workbook_app import workbook_forms

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(tmp_path: Path) -> RecordFolder:
    return RecordFolder(tmp_path / "records", clock=CLOCK)


def test_the_workbook_and_the_book_read_one_list_of_forms():
    built = lite_site.load_forms()
    assert [(f.id, f.page, f.title) for f in workbook_forms()] == [
        (f.id, f.page, f.title) for f in built
    ]
    assert all(f.code == f'from wholeschool.ui import workbook\nworkbook("{f.id}")' for f in built)


def test_every_form_opens_under_its_heading_with_a_way_back_and_next_steps(folder):
    book = workbook(workbook_forms()[0].id, folder)
    forms = workbook_forms()
    for at, form in enumerate(forms):
        book.show(form.id)
        assert f">{form.title}</h1>" in book.heading.value
        assert f'href="../../{form.page}.html"' in book.back.value
        assert "Back to the course page" in book.back.value
        assert book.menu.value == form.id and book.body.children == (book.form,)
        steps = [button.description for button in book.next.children[1:]]
        following = [f for f in forms[at + 1 :] if f.id not in ("colleague-rating", "calibration")]
        if form.id == "colleague-rating":  # a colleague's form: no step into the lead's forms
            assert steps == []
        elif form.id == "calibration":  # after practice, the lead rates their own school
            assert steps == [f"Next: {forms[0].title}"] and forms[0].id.startswith("self-audit")
        elif following:
            assert steps[0] == f"Next: {following[0].title}"
        else:
            assert steps == []
        if form.id.startswith("self-audit-") and form.id != "self-audit-targeted-support":
            assert steps[-1] == "Next: Action plan"


def test_switching_saves_the_form_on_screen_first_and_reads_records_afresh(folder):
    book = workbook("self-audit-leadership", folder)
    book.form.saver.delay = 60  # a change still waiting for its pause when the lead moves on
    row = book.form.rows["leadership.1"]
    row.rating.value = 1
    assert not folder.file(AUDIT_FILE).exists()
    book.menu.value = "action-plan"
    book.go.click()
    saved = json.loads(folder.file(AUDIT_FILE).read_text())
    assert saved["ratings"]["leadership.1"]["rating"] == 1
    assert book.current == "action-plan" and book.form.rows  # the plan drafted from it
    book.next.children[1].click()
    assert book.current == "progress-log"


def test_the_heading_changes_only_once_the_new_form_is_on_screen(folder):
    """The heading is the last thing a switch changes (the page script takes it as the sign the
    form is there): it never stands over the form it replaces."""
    book = workbook("self-audit-leadership", folder)
    seen = []
    book.heading.observe(
        lambda change: seen.append((book.body.children, book.form, book.next.children[1:])),
        names="value",
    )
    book.show("action-plan")
    ((body, form, steps),) = seen
    assert body == (form,) and type(form).__name__ != "AuditForm"  # the plan, or its note
    assert [b.description for b in steps] == ["Next: Termly progress log"]


def test_an_unknown_start_opens_the_first_form_and_no_machine_words_show(folder):
    book = workbook("no-such-form", folder)
    assert book.current == workbook_forms()[0].id
    shown = re.sub(r"<[^>]+>", "", book.heading.value + book.back.value)
    assert shown.startswith(workbook_forms()[0].title)
    assert not re.search(r"wholeschool|\.py\b|/tmp/|self-audit-", shown)


def test_the_description_of_each_self_audit_lists_every_question_it_asks():
    """The static page's description of a self-audit names each indicator and, for the
    principle that holds it, the safeguarding route first (the one question a lead working on
    paper must not miss)."""
    from live_forms import outline
    from wholeschool import FRAMEWORK

    for form in lite_site.load_forms():
        if not form.id.startswith("self-audit-"):
            continue
        principle = FRAMEWORK.principle(form.id.removeprefix("self-audit-"))
        lines = outline(form)
        for indicator in principle.indicators:
            assert any(indicator.text in line for line in lines), (form.id, indicator.id)
        has_gate = principle.id == FRAMEWORK.gate.principle
        assert (FRAMEWORK.gate.text in lines[0]) is has_gate, form.id
        if has_gate:
            assert all(a.label in lines[0] for a in FRAMEWORK.gate.answers)


def test_your_records_lists_each_record_in_words(tmp_path):
    """What each saved record is, for which school and on which day, in words (not
    'audit.json: audit, ... saved 2026-12-02')."""
    import datetime as dt

    from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating
    from wholeschool.core.clock import fixed_clock
    from wholeschool.store import RecordFolder
    from wholeschool.ui.records_form import _listing

    folder = RecordFolder(tmp_path, clock=fixed_clock(dt.date(2026, 3, 4)))
    audit = AuditRecord(
        school="Oak <Hill>",
        framework_version=FRAMEWORK.version,
        date=dt.date(2026, 3, 4),
        ratings={"leadership.1": IndicatorRating(rating=2)},
    )
    folder.save(audit, "audit.json")
    shown = _listing(folder)
    assert "Self-audit for Oak &lt;Hill&gt;, saved 4 March 2026" in shown
    assert ": audit," not in shown and "2026-03-04" not in shown


def test_a_saved_form_names_the_records_folder_not_its_path(tmp_path, monkeypatch):
    """On the hub or a lead's own computer the save line names the folder, never its path
    ('Saved at 12:18 (in /home/.../wholeschool-records)' was in front of leads on the hub)."""
    from wholeschool.store import RecordFolder
    from wholeschool.ui.records_form import where_text
    from wholeschool.ui.saving import SavesItself

    folder = RecordFolder(tmp_path / "deep" / "wholeschool-records")
    form = SavesItself()
    form.folder = folder
    for said in (form.where, where_text(folder)):
        assert "wholeschool-records" in said
        assert str(tmp_path) not in said and "/" not in said, said


def test_the_browsers_storage_counts_as_kept_only_where_it_can_be_read(tmp_path: Path):
    """In the browser, records under the drive are kept only if the drive answers (it is the
    browser's storage, mounted when the app found its service worker); elsewhere always."""
    from wholeschool.store import browser_storage_kept

    drive = tmp_path / "drive"
    records = drive / "records"
    assert not browser_storage_kept(records, browser=True, drive=drive)  # never mounted
    assert browser_storage_kept(records, browser=False, drive=drive)  # a computer's folder
    assert browser_storage_kept(tmp_path / "elsewhere", browser=True, drive=drive)
    drive.mkdir()
    assert browser_storage_kept(records, browser=True, drive=drive)
    drive.rmdir()
    drive.write_text("not a folder")  # a drive that cannot be listed
    assert not browser_storage_kept(records, browser=True, drive=drive)


def test_a_browser_that_would_keep_nothing_gets_a_notice_not_a_form(tmp_path, monkeypatch):
    """The workbook opens no form whose answers would be lost; its notice says so in words and
    carries what to try, for the page around it to show."""
    import html

    from wholeschool.ui import workbook_app

    monkeypatch.setattr(workbook_app, "browser_storage_kept", lambda folder: False)
    shown = workbook("self-audit-leadership", tmp_path / "records")
    assert not isinstance(shown, workbook_app.Workbook)
    assert 'class="workbook-problem"' in shown.value
    assert html.escape(workbook_app.STORAGE_TRY) in shown.value
    assert html.escape(workbook_app.STORAGE_IT) in shown.value
    assert "not letting the workbook keep your answers" in shown.value
    assert not (tmp_path / "records").exists()  # nothing written, nothing to lose
