"""Documents to Word (.docx) with python-docx, laid out to be read on paper.

Tables get column widths in proportion to their content (never narrower than their longest
word, where the page allows), a bold header row that repeats on every page, and a landscape
page of their own when they have more than :data:`PORTRAIT_COLUMNS` columns. A
:class:`~wholeschool.render.blocks.Fields` block (one plan action) is a two-column table that
reads well on a portrait page. Control characters are removed (Word files cannot hold them).
"""

from __future__ import annotations

import importlib.util
import io
import re

from ..core.text import clean_text
from .alert import ALERT_RGB
from .blocks import (
    Block,
    Bullets,
    Document,
    Fields,
    Heading,
    Image,
    Note,
    Paragraph,
    Table,
    cell_text,
)

#: Tables with more columns than this go on a landscape page.
PORTRAIT_COLUMNS = 5
#: Width of the text on an A4 page with 2 cm margins, in cm (portrait, landscape).
TEXT_WIDTH_CM = (17.0, 25.7)
#: Roughly how many cm one character of 10-point text takes, for column widths.
CM_PER_CHAR = 0.2


def available() -> bool:
    """Whether Word files can be made here (python-docx and lxml; a browser may lack them)."""
    return all(importlib.util.find_spec(name) is not None for name in ("docx", "lxml"))


def _text(value: object) -> str:
    return clean_text(cell_text(value))  # type: ignore[arg-type]


def column_widths(table: Table, total_cm: float) -> list[float]:
    """Widths in cm: each column at least its longest word, the rest shared by text length."""
    columns = range(len(table.columns))
    texts = [[_text(table.columns[c])] + [_text(row[c]) for row in table.rows] for c in columns]
    # An address or file path may break after its slashes and dots, a word of letters may not:
    # the floor is the longest run a line cannot break.
    longest_word = [
        max((len(w) for t in col for w in re.split(r"\s+|(?<=[/.\\_-])", t)), default=4)
        for col in texts
    ]
    floor = [(n + 2) * CM_PER_CHAR for n in longest_word]
    weight = [
        table.widths.get(table.columns[c]) or max(sum(len(t) for t in col) / len(col), 4)
        for c, col in zip(columns, texts, strict=True)
    ]
    spare = max(0.0, total_cm - sum(floor))
    widths = [f + spare * w / sum(weight) for f, w in zip(floor, weight, strict=True)]
    scale = min(1.0, total_cm / sum(widths))
    return [w * scale for w in widths]


def to_docx(document: Document) -> bytes:
    """The document as the bytes of a .docx file."""
    from docx import Document as Docx

    docx = Docx()
    _page(docx.sections[0], landscape=False)
    docx.add_heading(_text(document.title), 0)
    if document.subtitle:
        docx.add_paragraph(_text(document.subtitle)).runs[0].bold = True
    for block in document.blocks:
        _add(docx, block)
    _properties(docx, _text(document.title))
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def _properties(docx, title: str) -> None:
    """File properties of the school's own document: its title, no author, and not the empty
    template's ("python-docx", a comment about it, dates of 2013)."""
    props = docx.core_properties
    props.title = title
    props.author = props.last_modified_by = props.comments = props.keywords = ""
    for child in list(props._element):  # Word stamps its own dates when the file is saved
        if child.tag.rpartition("}")[2] in ("created", "modified", "lastPrinted"):
            props._element.remove(child)


def _page(section, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21.0)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))


def _add(docx, block: Block) -> None:
    from docx.shared import Cm, RGBColor

    if isinstance(block, Heading):
        if block.new_page:
            docx.add_page_break()
        docx.add_heading(_text(block.text), level=min(block.level, 4))
    elif isinstance(block, Paragraph):
        paragraph = docx.add_paragraph()
        if block.bold_prefix:
            paragraph.add_run(_text(block.bold_prefix)).bold = True
        paragraph.add_run(_text(block.text))
    elif isinstance(block, Bullets):
        for item in block.items:
            docx.add_paragraph(_text(item), style="List Bullet")
    elif isinstance(block, Note):
        box = docx.add_table(rows=1, cols=1)
        box.style = "Table Grid"
        cell = box.rows[0].cells[0]
        title = cell.paragraphs[0].add_run(_text(block.title) + " ")
        title.bold = True
        if block.urgent:
            title.font.color.rgb = RGBColor(*ALERT_RGB)
        cell.paragraphs[0].add_run(_text(block.text))
        for item in block.items:
            cell.add_paragraph(_text(item), style="List Bullet")
        docx.add_paragraph()
    elif isinstance(block, Table):
        wide = len(block.columns) > PORTRAIT_COLUMNS
        if wide:
            from docx.enum.section import WD_SECTION

            _page(docx.add_section(WD_SECTION.NEW_PAGE), landscape=True)
        _grid(docx, block.columns, block.rows, column_widths(block, TEXT_WIDTH_CM[wide]))
        if block.caption:
            docx.add_paragraph(_text(block.caption)).runs[0].italic = True
        if wide:
            from docx.enum.section import WD_SECTION

            _page(docx.add_section(WD_SECTION.NEW_PAGE), landscape=False)
    elif isinstance(block, Fields):
        docx.add_heading(_text(block.title), level=3)
        labels = Table(["", ""], [[label, value] for label, value in block.pairs])
        widths = [4.5, TEXT_WIDTH_CM[0] - 4.5]
        _grid(docx, None, labels.rows, widths, bold_first_column=True)
    elif isinstance(block, Image):
        docx.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
        if block.caption:
            docx.add_paragraph(_text(block.caption)).runs[0].italic = True


def _grid(docx, header, rows, widths_cm, bold_first_column: bool = False) -> None:
    """A table with set column widths; the header row (if any) bold and repeated per page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    count = (1 if header else 0) + len(rows)
    table = docx.add_table(rows=count, cols=len(widths_cm))
    table.style = "Table Grid"
    table.autofit = False
    cells = table._cells  # one flat list: much faster than table.cell(r, c) for big tables
    width = len(widths_cm)
    for c, column in enumerate(table.columns):
        column.width = Cm(widths_cm[c])
    all_rows = ([header] if header else []) + list(rows)
    for r, row in enumerate(all_rows):
        for c, value in enumerate(row):
            cell = cells[r * width + c]
            cell.width = Cm(widths_cm[c])
            run = cell.paragraphs[0].add_run(_text(value))
            if (header and r == 0) or (bold_first_column and c == 0):
                run.bold = True
    if header:
        properties = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)
