"""Plan exports open with their own readers (csv, openpyxl, python-docx) and hold the right
rows; what a lead typed can never run as a formula, markup or a broken file there."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import docx
import openpyxl
import pytest
from dates_shown import other_date_styles
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord
from wholeschool.core.dates import long_date
from wholeschool.core.records import PlanRecord
from wholeschool.render.blocks import Table
from wholeschool.render.markdown import markdown_table
from wholeschool.render.sheets import LONG_DATE, csv_bytes, xlsx_bytes
from wholeschool.reports.plan_export import COLUMNS, export_plan, plan_files
from wholeschool.store import RecordFolder

RECORDS = Path(__file__).parent / "data" / "records"
#: Text a spreadsheet would run, and where the lead might type it.
FORMULAS = [
    '=HYPERLINK("http://x.example","Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "  =1+1",
    "\r=1",
]


@pytest.fixture(scope="module")
def plan() -> PlanRecord:
    return RecordFolder(RECORDS, clock=CLOCK).read("plan.json", PlanRecord)


@pytest.fixture(scope="module")
def audit() -> AuditRecord:
    return RecordFolder(RECORDS, clock=CLOCK).read("audit.json", AuditRecord)


@pytest.fixture(scope="module")
def files(plan, audit, tmp_path_factory) -> dict[str, Path]:
    return export_plan(plan, tmp_path_factory.mktemp("exports"), audit)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_csv_reads_back(files, plan, audit):
    rows = read_csv(files["csv"])
    assert list(rows[0]) == COLUMNS
    assert len(rows) == len(plan.actions)
    for row, action in zip(rows, plan.actions, strict=True):
        indicator = FRAMEWORK.indicator_by_id[action.indicator]
        assert row["Indicator"] == indicator.text
        assert row["Principle"] == FRAMEWORK.principle(indicator.principle_id).short_name
        assert row["Action"] == action.what
        assert row["Lead"] == action.lead
        assert row["Due"] == action.due.isoformat()
        assert row["Status"] == action.status
        assert row["Audit rating"] == FRAMEWORK.level(audit.rated()[action.indicator]).label


def test_xlsx_is_formatted_for_screen_and_print(files, plan):
    sheet = openpyxl.load_workbook(files["xlsx"])["Action plan"]
    assert [c.value for c in sheet[1]] == COLUMNS
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["D"].width == 50  # the Action column
    assert sheet.cell(2, 4).alignment.wrap_text
    assert sheet.row_dimensions[2].height >= 15
    assert sheet.max_row == 1 + len(plan.actions)
    assert [sheet.cell(r, 4).value for r in range(2, sheet.max_row + 1)] == [
        a.what for a in plan.actions
    ]


def test_docx_has_one_block_per_action_under_each_principle(files, plan):
    document = docx.Document(str(files["docx"]))
    assert document.paragraphs[0].text == f"Mental health and wellbeing action plan: {plan.school}"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    principles = list(
        dict.fromkeys(
            FRAMEWORK.principle(FRAMEWORK.indicator_by_id[a.indicator].principle_id)
            for a in plan.actions
        )
    )
    assert [h for h in headings if h[0].isdigit()] == [
        f"{p.number}. {p.short_name}" for p in principles
    ]
    assert [h for h in headings if h.startswith("Action ")] == [
        f"Action {n}" for n in range(1, len(plan.actions) + 1)
    ]
    assert all(len(t.columns) == 2 for t in document.tables), "no wide table on a portrait page"
    whats = [t.rows[2].cells[1].text for t in document.tables]
    assert whats == [a.what for a in plan.actions]


def test_markdown_lists_every_action(files, plan):
    text = files["md"].read_text(encoding="utf-8")
    assert text.startswith(f"# Mental health and wellbeing action plan: {plan.school}")
    assert text.count("### Action ") == len(plan.actions)


def test_awkward_cells_survive_csv_and_markdown():
    table = Table(["A", "B"], [['comma, "quote"', "line one\nline two"], ["pipe | here", "é – ✓"]])
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert rows == [["A", "B"], *table.rows]  # the byte-order mark is not part of the header
    md = markdown_table(table)
    assert "pipe \\| here" in md and "line one line two" in md


def test_xlsx_with_no_rows_still_has_a_header():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Empty": Table(["A"], [])})))
    assert [c.value for c in book["Empty"][1]] == ["A"]


def test_unknown_format_is_refused(plan, tmp_path: Path):
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        export_plan(plan, tmp_path, formats=["pdf"])
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def hostile(plan) -> PlanRecord:
    """The fixture plan with formulas, markup and Word's line breaks in every text field."""
    data = json.loads(plan.model_dump_json())
    for n, action in enumerate(data["actions"]):
        payload = FORMULAS[n % len(FORMULAS)]
        action["what"] = payload + " <script>alert(1)</script> | *bold* \n# heading"
        action["lead"] = payload.replace("\r", "").replace("\t", " ")
        action["measure"] = "@" + payload.strip()
    data["school"] = '=cmd|" /C calc"!A0 <img src=x onerror=alert(1)>'
    return PlanRecord.model_validate(data)


def test_formula_text_never_runs_in_csv(hostile, audit):
    rows = list(
        csv.reader(
            io.StringIO(plan_files(hostile, audit, ["csv"])["action-plan.csv"].decode("utf-8-sig"))
        )
    )
    for row in rows[1:]:
        for cell in row:
            stripped = cell.lstrip(" \t\r\n")
            assert stripped[:1] not in ("=", "+", "-", "@") or cell.startswith("'"), cell


def test_formula_text_is_text_in_excel(hostile, audit):
    sheet = openpyxl.load_workbook(
        io.BytesIO(plan_files(hostile, audit, ["xlsx"])["action-plan.xlsx"])
    )["Action plan"]
    texts = [
        cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)
    ]
    looks_like = [c for c in texts if c.value.lstrip(" \t\r\n")[:1] in "=+-@"]
    assert looks_like, "the payloads reached the sheet"
    assert all(c.data_type == "s" and c.quotePrefix for c in looks_like)
    assert [sheet.cell(r, 5).value for r in range(2, sheet.max_row + 1)] == [
        a.lead for a in hostile.actions
    ]


def test_markup_is_escaped_in_markdown(hostile, audit):
    text = plan_files(hostile, audit, ["md"])["action-plan.md"].decode()
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    assert "\n# heading" not in text  # a typed line cannot become a heading


def test_control_characters_never_break_word_or_excel(plan, audit):
    data = json.loads(plan.model_dump_json())
    files = plan_files(PlanRecord.model_validate(data), audit)  # a clean plan, for reference
    assert set(files) == {
        "action-plan.csv",
        "action-plan.xlsx",
        "action-plan.md",
        "action-plan.docx",
    }
    from wholeschool.render.blocks import Document, Paragraph
    from wholeschool.render.word import to_docx

    # The renderers themselves never trust their input: NUL, ESC and vertical tabs are removed.
    dirty = "a\x00b\x1b[31mc\x0bd"
    document = docx.Document(
        io.BytesIO(to_docx(Document(dirty, [Paragraph(dirty), Table(["x"], [[dirty]])])))
    )
    assert document.paragraphs[0].text == "ab[31mc\nd"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"S": Table(["x"], [[dirty]])})))["S"]
    assert sheet.cell(2, 1).value == "ab[31mc\nd"


def test_dates_read_one_way_in_documents_and_stay_dates_in_spreadsheets(files, plan):
    """Word and Markdown show "1 November 2026" (and no other style); Excel holds real dates
    shown the same way; CSV, a file for machines, keeps ISO dates (checked above)."""
    document = docx.Document(str(files["docx"]))
    word = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for row in t.rows for c in row.cells]
    )
    for name, text in (("Markdown", files["md"].read_text(encoding="utf-8")), ("Word", word)):
        assert other_date_styles(text) == [], name
        assert long_date(plan.actions[0].due) in text and long_date(plan.date) in text, name
    sheet = openpyxl.load_workbook(files["xlsx"])["Action plan"]
    due = COLUMNS.index("Due") + 1
    cells = [sheet.cell(r, due) for r in range(2, sheet.max_row + 1)]
    assert [c.value.date() for c in cells] == [a.due for a in plan.actions]
    assert {c.number_format for c in cells} == {LONG_DATE}
