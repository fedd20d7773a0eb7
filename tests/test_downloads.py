"""One click downloads: a download button makes its file and shows a link that follows itself
once, at once (the browser side is checked in Chromium by tests/test_lite.py)."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

from strategies import CLOCK
from test_plan import audit_of, save_record
from wholeschool.store import RecordFolder
from wholeschool.ui.downloads import download_button
from wholeschool.ui.plan_editor import action_plan
from wholeschool.ui.records_form import records_panel

LINK = re.compile(r'<a download="([^"]+)" href="data:[^;]+;base64,([^"]+)"')
FOLLOW = re.compile(r"<img [^>]*onerror=\"[^\"]*\.click\(\)")


def _click(box) -> str:
    """Click the button of a download button's box; the HTML it shows below."""
    button, shown = box.children
    button.click()
    return shown.value


def _file(shown: str) -> tuple[str, bytes]:
    ((name, data),) = LINK.findall(shown)
    return name, base64.b64decode(data)


def test_one_click_makes_the_file_and_follows_its_link_once():
    made = []

    def make():
        made.append(1)
        return "notes.csv", b"a,b\n"

    box = download_button("Download the notes", make)
    shown = _click(box)
    assert made == [1]  # made on the click, not before
    assert _file(shown) == ("notes.csv", b"a,b\n")
    assert FOLLOW.search(shown), shown  # followed as it is shown: no second click
    stamp = int(re.search(r"Date\.now\(\)-(\d+)", shown).group(1))
    assert abs(stamp - time.time() * 1000) < 60_000  # only a fresh link is followed


def test_a_problem_shows_no_link():
    box = download_button("Download the notes", lambda: None)
    assert _click(box) == ""


def test_each_plan_button_downloads_its_format_and_records_download_as_a_zip(tmp_path: Path):
    save_record(audit_of({"ethos.1": 0, "ethos.2": 1}), tmp_path / "audit.json")
    editor = action_plan(RecordFolder(tmp_path, clock=CLOCK), delay=0)
    names = {}
    for box in editor.download_buttons:
        name, data = _file(_click(box))
        names[box.children[0].description] = name
        assert data
    assert names["Download the plan: Excel"] == "action-plan.xlsx"
    assert names["Download the plan: CSV spreadsheet"] == "action-plan.csv"
    assert names["Download the plan: Markdown page"] == "action-plan.md"
    panel = records_panel(RecordFolder(tmp_path, clock=CLOCK))
    (box,) = [
        c
        for c in panel.children
        if getattr(c, "children", None)
        and getattr(c.children[0], "description", "") == "Download all records"
    ]
    name, data = _file(_click(box))
    assert name.startswith("wholeschool-records-") and data.startswith(b"PK")
