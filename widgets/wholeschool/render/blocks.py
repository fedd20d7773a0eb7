"""Documents as plain data: a title and a list of blocks, rendered to each format once.

Reports build a :class:`Document`; :mod:`~wholeschool.render.html`,
:mod:`~wholeschool.render.word`, :mod:`~wholeschool.render.markdown` and
:mod:`~wholeschool.render.sheets` turn it into a file. Text in blocks is plain text as the lead
typed it: every renderer escapes it for its own format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..core.dates import long_date

#: A table cell. A date stays a date until it is shown: "1 November 2026" in pages and
#: documents, a date cell in Excel, ISO in CSV.
Cell = str | int | float | dt.date | None


@dataclass
class Heading:
    text: str
    level: int = 1
    #: Start a new page before it (printed formats): the appendices.
    new_page: bool = False


@dataclass
class Paragraph:
    text: str
    bold_prefix: str = ""


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Note:
    """A boxed message that must stand out (the safeguarding escalation, files left out)."""

    title: str
    text: str
    items: list[str] = field(default_factory=list)
    urgent: bool = False


@dataclass
class Table:
    """Columns, rows, and an optional width per column (in characters, for spreadsheets and
    as relative widths in Word)."""

    columns: list[str]
    rows: list[list[Cell]]
    widths: dict[str, int] = field(default_factory=dict)
    caption: str = ""


@dataclass
class Fields:
    """One item as label–value pairs (an action of the plan): readable on a portrait page."""

    title: str
    pairs: list[tuple[str, str]]


@dataclass
class Image:
    png: bytes
    alt: str
    caption: str = ""
    width_cm: float = 15.0


Block = Heading | Paragraph | Bullets | Note | Table | Fields | Image


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    subtitle: str = ""


def cell_text(cell: Cell) -> str:
    """A cell as a person reads it (``None`` is empty, a date "1 November 2026")."""
    if cell is None:
        return ""
    return long_date(cell) if isinstance(cell, dt.date) else str(cell)
