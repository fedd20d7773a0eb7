"""The Word and Excel files, opened in a real office suite (LibreOffice, printed to PDF), read
well: the governors' report's summary fits on two pages before the appendices, the plan's 40
actions fit a handful of pages, and no table column is so narrow that a word breaks."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from pypdf import PdfReader
from wholeschool import AuditRecord, PlanRecord
from wholeschool.core.clock import fixed_clock
from wholeschool.reports.governors import APPENDICES, build_report, write_report
from wholeschool.reports.plan_export import export_plan
from wholeschool.store import RecordFolder
from wholeschool.store.sample_year import write_sample_year

pytestmark = pytest.mark.office
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, PdfReader]]:
    """A full year (40 actions, 100 evidence entries), written and printed to PDF."""
    assert SOFFICE, "LibreOffice is installed by .ci/system-deps.sh"
    base = tmp_path_factory.mktemp("office")
    folder = write_sample_year(base / "records", actions=40, evidence=100)
    store = RecordFolder(folder, clock=fixed_clock(dt.date(2026, 8, 1)))
    files = {"governors": write_report(build_report(store), base / "governors.docx")}
    plan = store.read("plan.json", PlanRecord)
    exported = export_plan(
        plan, base / "plan", store.read("audit.json", AuditRecord), ["docx", "xlsx"]
    )
    files["plan-word"] = exported["docx"]
    files["plan-excel"] = exported["xlsx"].rename(base / "plan" / "action-plan-sheet.xlsx")
    result = subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{base}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(base / "pdf"),
            *map(str, files.values()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return {
        key: (path, PdfReader(base / "pdf" / f"{path.stem}.pdf")) for key, path in files.items()
    }


def pdf_text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def words_broken(cells: list[str], reader: PdfReader) -> list[str]:
    """Words of table cells that the printed document does not show whole."""
    text = pdf_text(reader)
    words = {w for cell in cells for w in re.findall(r"[A-Za-z]{5,}", cell)}
    return sorted(w for w in words if w not in text)


def test_the_governors_summary_fits_two_pages_before_the_appendices(printed):
    _path, reader = printed["governors"]
    first_appendix = next(
        n for n, page in enumerate(reader.pages, start=1) if APPENDICES[0] in page.extract_text()
    )
    assert first_appendix <= 3, f"the summary runs to page {first_appendix - 1}"
    for title in APPENDICES:
        assert title in pdf_text(reader)


def test_no_column_of_the_report_breaks_a_word(printed):
    path, reader = printed["governors"]
    cells = [c.text for t in docx.Document(path).tables for row in t.rows for c in row.cells]
    assert words_broken(cells, reader) == []


def test_the_plan_in_word_is_a_block_per_action_on_few_pages(printed):
    path, reader = printed["plan-word"]
    assert len(reader.pages) <= 16, f"{len(reader.pages)} pages for 40 actions"
    cells = [c.text for t in docx.Document(path).tables for row in t.rows for c in row.cells]
    assert words_broken(cells, reader) == []


def test_the_plan_in_excel_prints_one_page_wide_with_whole_words(printed):
    path, reader = printed["plan-excel"]
    assert len(reader.pages) <= 6, f"{len(reader.pages)} pages for 40 actions"
    sheet = openpyxl.load_workbook(path).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert words_broken(cells, reader) == []
    header = "Principle Indicator Audit rating Action Lead Start Due"
    assert all(header in page.extract_text().replace("\n", " ") for page in reader.pages), (
        "the header row repeats on every printed page"
    )
