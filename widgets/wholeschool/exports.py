"""Writers for the plan and progress exports: CSV, Excel, Markdown, HTML and Word.

A table is a list of column names and a list of rows (each a list of cells). Every file is
written atomically (temporary file, then rename), so a failed export never leaves half a file.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .storage import write_atomic

Cell = str | int | float | None
Rows = Sequence[Sequence[Cell]]


@dataclass
class Table:
    """Columns, rows, and an optional width hint (in characters) per column."""

    columns: list[str]
    rows: list[list[Cell]]
    widths: dict[str, int] = field(default_factory=dict)


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell)


def write_csv(path: str | os.PathLike[str], table: Table) -> Path:
    """CSV with a header row, UTF-8 with a byte-order mark so Excel shows dashes and accents."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    writer.writerows([[_text(c) for c in row] for row in table.rows])
    return write_atomic(path, buffer.getvalue().encode("utf-8-sig"))


def write_xlsx(path: str | os.PathLike[str], sheets: dict[str, Table]) -> Path:
    """An Excel workbook, one sheet per table: bold frozen header, set widths, wrapped text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, table in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([c if isinstance(c, int | float) else _text(c) for c in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE7F0")
        wrap = Alignment(wrap_text=True, vertical="top")
        for row in sheet.iter_rows(min_row=1):
            for cell in row:
                cell.alignment = wrap
        for i, name in enumerate(table.columns, start=1):
            width = table.widths.get(name, max(12, len(name) + 2))
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(path, buffer.getvalue())


def markdown_table(table: Table) -> str:
    """A GitHub-style Markdown table; pipes are escaped and line breaks kept as ``<br>``."""

    def cell(value: Cell) -> str:
        return _text(value).replace("|", "\\|").replace("\n", "<br>")

    lines = ["| " + " | ".join(cell(c) for c in table.columns) + " |"]
    lines.append("| " + " | ".join("---" for _ in table.columns) + " |")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """A UTF-8 text file (Markdown, HTML), written atomically."""
    return write_atomic(path, text.encode("utf-8"))


def markdown_to_html(markdown: str, title: str) -> str:
    """A complete, self-contained HTML page from Markdown (tables included)."""
    import html

    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
        "table{border-collapse:collapse}th,td{border:1px solid #999;padding:.3em .5em;"
        "vertical-align:top}th{background:#dde7f0}img{max-width:100%}</style>\n"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold_prefix: str = ""


@dataclass
class Image:
    png: bytes
    width_cm: float = 15.0


Block = Heading | Paragraph | Table | Image


def write_docx(path: str | os.PathLike[str], blocks: Sequence[Block]) -> Path:
    """A Word document from headings, paragraphs, tables (bold header row) and images."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            if block.bold_prefix:
                paragraph.add_run(block.bold_prefix).bold = True
            paragraph.add_run(block.text)
        elif isinstance(block, Table):
            grid = document.add_table(rows=1, cols=len(block.columns))
            grid.style = "Table Grid"
            for cell, name in zip(grid.rows[0].cells, block.columns, strict=True):
                cell.paragraphs[0].add_run(name).bold = True
            for row in block.rows:
                cells = grid.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = _text(value)
        elif isinstance(block, Image):
            document.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
    buffer = io.BytesIO()
    document.save(buffer)
    return write_atomic(path, buffer.getvalue())
