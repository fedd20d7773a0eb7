"""Tables to CSV and Excel files people open in a spreadsheet, safely and readably.

Text that a spreadsheet would run as a formula (see :func:`~wholeschool.render.safe.formula_like`)
is neutralised in one way per format: CSV cells get a leading apostrophe; Excel cells are
stored as text with Excel's own quote prefix, so the lead's words show exactly as typed and
never run. Control characters are removed first (Excel files cannot hold them).

Excel sheets are made to print: column widths, wrapped text with row heights to match, a frozen
and repeated header row, landscape pages one page wide. A date is a date cell in Excel, shown as
the pages show dates ("1 November 2026"), and ISO ("2026-11-01") in CSV, a file for machines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

from ..core.text import clean_text
from .blocks import Cell, Table, cell_text
from .safe import csv_cell, formula_like

#: Excel's number format for a date: "1 November 2026", as the pages and documents show dates.
LONG_DATE = "d mmmm yyyy"
#: Points per line of 11-point text, for row heights.
LINE_HEIGHT = 15


def _clean(cell: Cell) -> Cell:
    return cell if isinstance(cell, int | float | dt.date) else clean_text(cell_text(cell))


def _csv_value(cell: Cell) -> str | int | float:
    """A CSV field: numbers as numbers, dates in ISO form (a machine file), text made safe."""
    if isinstance(cell, int | float):
        return cell
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return csv_cell(str(_clean(cell)))


def csv_bytes(table: Table) -> bytes:
    """CSV with a header row, UTF-8 with a byte-order mark so Excel shows dashes and accents."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for row in [table.columns, *table.rows]:
        writer.writerow([_csv_value(c) for c in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, Table]) -> bytes:
    """An Excel workbook, one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook()
    book.remove(book.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, table in sheets.items():
        sheet = book.create_sheet(clean_text(title, single_line=True)[:31] or "Sheet")
        widths = [table.widths.get(name, max(12, len(name) + 2)) for name in table.columns]
        for r, row in enumerate([table.columns, *table.rows], start=1):
            lines = 1
            for c, value in enumerate(row, start=1):
                value = _clean(value)
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str) and formula_like(value):
                    cell.data_type = "s"  # text, never a formula
                    cell.quotePrefix = True
                if isinstance(value, dt.date):  # a date Excel sorts, shown as in the pages
                    cell.number_format = LONG_DATE
                cell.alignment = wrap
                lines = max(lines, _lines(cell_text(value), widths[c - 1]))
            sheet.row_dimensions[r].height = LINE_HEIGHT * lines
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE7F0")
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide."""
    usable = max(1, width - 1)
    return sum(max(1, math.ceil(len(part) / usable)) for part in text.split("\n"))
