"""Exports open with their own readers (pandas, openpyxl, python-docx) and hold the right rows."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from wholeschool import FRAMEWORK, AuditRecord
from wholeschool.exports import Table, markdown_table, markdown_to_html, write_csv, write_xlsx
from wholeschool.plan import COLUMNS, export_files, export_plan
from wholeschool.records import PlanRecord
from wholeschool.storage import load_record

RECORDS = Path(__file__).parent / "data" / "records"


@pytest.fixture(scope="module")
def plan() -> PlanRecord:
    return load_record(RECORDS / "plan.json", PlanRecord)


@pytest.fixture(scope="module")
def audit() -> AuditRecord:
    return load_record(RECORDS / "audit.json", AuditRecord)


@pytest.fixture(scope="module")
def files(plan, audit, tmp_path_factory) -> dict[str, Path]:
    return export_plan(plan, tmp_path_factory.mktemp("exports"), audit)


def test_csv_reads_back_with_pandas(files, plan, audit):
    frame = pd.read_csv(files["csv"], dtype=str, keep_default_na=False)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == len(plan.actions)
    for (_, row), action in zip(frame.iterrows(), plan.actions, strict=True):
        indicator = FRAMEWORK.indicator_by_id[action.indicator]
        assert row["Indicator"] == action.indicator
        assert row["Indicator text"] == indicator.text
        assert row["Principle"] == FRAMEWORK.principle(indicator.principle_id).short_name
        assert row["Action"] == action.what
        assert row["Lead"] == action.lead
        assert row["Due"] == action.due.isoformat()
        assert row["Status"] == action.status
        assert row["Audit rating"] == FRAMEWORK.level(audit.rated()[action.indicator]).label


def test_xlsx_is_formatted_and_holds_the_rows(files, plan):
    book = openpyxl.load_workbook(files["xlsx"])
    sheet = book["Action plan"]
    header = [c.value for c in sheet[1]]
    assert header == COLUMNS
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width == 50  # the Action column
    assert sheet.cell(2, 5).alignment.wrap_text
    assert sheet.max_row == 1 + len(plan.actions)
    assert [sheet.cell(r, 5).value for r in range(2, sheet.max_row + 1)] == [
        a.what for a in plan.actions
    ]


def test_docx_has_a_table_per_principle_with_the_actions(files, plan):
    document = docx.Document(str(files["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == f"Mental health and wellbeing action plan: {plan.school}"
    principles = list(
        dict.fromkeys(
            FRAMEWORK.principle(FRAMEWORK.indicator_by_id[a.indicator].principle_id)
            for a in plan.actions
        )
    )
    assert headings[1:] == [f"{p.number}. {p.short_name}" for p in principles]
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows[1:]]
    assert [row[3] for row in cells] == [a.what for a in plan.actions]
    assert all(t.rows[0].cells[0].paragraphs[0].runs[0].bold for t in document.tables)


def test_markdown_lists_every_action(files, plan):
    text = files["md"].read_text(encoding="utf-8")
    assert text.startswith(f"# Mental health and wellbeing action plan: {plan.school}")
    table_rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table_rows) == 2 + len(plan.actions)
    for action in plan.actions:
        assert action.what in text


def test_awkward_cells_survive_csv_and_markdown(tmp_path: Path):
    table = Table(["A", "B"], [['comma, "quote"', "line one\nline two"], ["pipe | here", "é – ✓"]])
    frame = pd.read_csv(write_csv(tmp_path / "t.csv", table), dtype=str)
    assert frame.values.tolist() == table.rows
    assert list(frame.columns) == ["A", "B"]  # the byte-order mark is not part of the header
    md = markdown_table(table)
    assert "pipe \\| here" in md and "line one<br>line two" in md
    html = markdown_to_html(md, "T")
    assert "<table>" in html and "<td>pipe | here</td>" in html


def test_xlsx_with_no_rows_still_has_a_header(tmp_path: Path):
    path = write_xlsx(tmp_path / "t.xlsx", {"Empty": Table(["A"], [])})
    assert [c.value for c in openpyxl.load_workbook(path)["Empty"][1]] == ["A"]


def test_unknown_format_is_refused(plan, tmp_path: Path):
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        export_plan(plan, tmp_path, formats=["pdf"])
    assert list(tmp_path.iterdir()) == []


def test_export_files_from_the_records_folder(tmp_path: Path):
    assert "no saved plan" in export_files(tmp_path).data
    for name in ("audit.json", "plan.json"):
        (tmp_path / name).write_bytes((RECORDS / name).read_bytes())
    message = export_files(tmp_path).data
    written = sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert written == ["action-plan.csv", "action-plan.docx", "action-plan.md", "action-plan.xlsx"]
    assert all(name in message for name in written)
