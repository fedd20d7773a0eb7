"""What one school types never runs in another person's browser, spreadsheet or terminal.

Hostile text (markup, script, formula, control characters) goes into every field a lead can
type, then through every place it comes out: the governors' report, the forms' messages, the
command line.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from helpers import BIN
from wholeschool import FRAMEWORK
from wholeschool.core.clock import fixed_clock
from wholeschool.render.safe import formula_like, markdown_text, terminal_safe
from wholeschool.reports.governors import build_report, to_html
from wholeschool.store import RecordFolder

RECORDS = Path(__file__).parent / "data" / "records"
CLOCK = fixed_clock(dt.date(2026, 11, 25))
MARKUP = (
    '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>'
)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The fixture records with markup in the school label, notes, actions and evidence."""
    for name in ("audit.json", "plan.json"):
        data = json.loads((RECORDS / name).read_text())
        data["school"] = "Oak " + MARKUP[:40]
        if name == "audit.json":
            for entry in data["ratings"].values():
                entry["note"] = MARKUP
        else:
            for action in data["actions"]:
                action["what"] = MARKUP
                action["lead"] = "<b>Head</b>"
                action["measure"] = '=HYPERLINK("http://x.example")'
        (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    evidence = {
        "kind": "evidence",
        "schema_version": 1,
        "school": "Oak " + MARKUP[:40],
        "framework_version": FRAMEWORK.version,
        "date": "2026-10-01",
        "entries": {
            "ethos.1": [
                {"description": MARKUP[:190], "date": "2026-09-01", "link": "S:/<b>x</b>.pdf"}
            ]
        },
    }
    (tmp_path / "evidence.json").write_text(json.dumps(evidence), encoding="utf-8")
    return tmp_path


def test_the_governors_report_escapes_everything_typed(hostile: Path):
    page = to_html(build_report(RecordFolder(hostile, clock=CLOCK)))
    assert "<script>" not in page
    assert "<img src=x" not in page  # no tag can form without a "<"
    assert 'href="javascript' not in page
    assert "&lt;script&gt;" in page
    assert "<b>Head</b>" not in page and "&lt;b&gt;Head&lt;/b&gt;" in page


def test_a_form_shows_an_error_quoting_a_record_as_text(tmp_path: Path):
    from wholeschool.ui.audit_form import audit

    (tmp_path / "audit.json").write_text(
        json.dumps(
            {"kind": "audit", "school": "<img src=x onerror=alert(1)>", "framework_version": "x"}
        ),
        encoding="utf-8",
    )
    form = audit("ethos", RecordFolder(tmp_path, clock=CLOCK), delay=0, evidence=False)
    assert "Not saved" in form.status.value
    assert "<img" not in form.status.value


@pytest.mark.parametrize(
    "name",
    ["audit\x1b[2J.json", "x\nok    forged.json", "bell\x07.json", "rtl\u202egnp.json"],
)
def test_validate_never_prints_control_characters_from_file_names(tmp_path: Path, name: str):
    (tmp_path / name).write_text("{", encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "wholeschool"), "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("FAIL  ") and "is not valid JSON" in line
    assert not any(c in result.stdout for c in "\x1b\x07\u202e")


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("=1+1", True),
        ("  =1+1", True),
        ("\t=1", True),
        ("\r=1", True),
        ("+44 20", True),
        ("@A1", True),
        ("-x", True),
        ("-3", False),
        ("-3.5", False),
        ("1,000", False),
        ("Oak = good", False),
        ("", False),
    ],
)
def test_one_rule_says_what_a_spreadsheet_would_run(text: str, runs: bool):
    assert formula_like(text) is runs


def test_terminal_and_markdown_escapes():
    assert terminal_safe("a\x1b[31mb\nc\u202e") == "a\\x1b[31mb\\nc\\u202e"
    assert markdown_text("<b>x</b> *y* [z](javascript:1)\n# h") == (
        "&lt;b&gt;x&lt;/b&gt; \\*y\\* \\[z\\](javascript:1)\n\\# h"
    )


@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\x85", "\x1b", "\u202e", "\x7f"])
def test_the_terminal_and_the_records_share_one_control_character_rule(character: str):
    """Whatever a record may not hold is never sent raw to a terminal (one rule, core.text)."""
    from wholeschool.core.text import control_problem
    from wholeschool.render.safe import terminal_safe

    text = f"Oak{character}Hill"
    assert control_problem(text, single_line=True) is not None
    assert character not in terminal_safe(text)


def test_the_html_documents_own_styles_are_not_escaped_but_a_title_is():
    """The report's stylesheet is ours and goes into ``<style>`` as written (escaped, the quotes
    round 'Times New Roman' became ``&#39;`` and the font rule was dropped); text is escaped."""
    from wholeschool.render.blocks import Document
    from wholeschool.render.html import to_html

    page = to_html(Document(title="<script>alert(1)</script>"))
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "'Times New Roman'" in style
    assert "&#39;" not in style
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
