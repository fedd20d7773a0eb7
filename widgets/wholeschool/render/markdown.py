"""Documents to Markdown, every piece of typed text escaped (see :mod:`.safe`)."""

from __future__ import annotations

from .blocks import Bullets, Document, Fields, Heading, Image, Note, Paragraph, Table, cell_text
from .safe import markdown_cell, markdown_text


def markdown_table(table: Table) -> str:
    """A GitHub-style Markdown table, cells escaped and on one line each."""
    lines = ["| " + " | ".join(markdown_cell(c) for c in table.columns) + " |"]
    lines.append("| " + " | ".join("---" for _ in table.columns) + " |")
    lines += [
        "| " + " | ".join(markdown_cell(cell_text(c)) for c in row) + " |" for row in table.rows
    ]
    return "\n".join(lines)


def to_markdown(document: Document, images: dict[int, str] | None = None) -> str:
    """The document as Markdown; ``images`` maps an image block's index to its file name
    (images without one are left out)."""
    images = images or {}
    out = [f"# {markdown_text(document.title)}", ""]
    if document.subtitle:
        out += [f"**{markdown_text(document.subtitle)}**", ""]
    for n, block in enumerate(document.blocks):
        if isinstance(block, Heading):
            out += [f"{'#' * (block.level + 1)} {markdown_text(block.text)}", ""]
        elif isinstance(block, Paragraph):
            prefix = f"**{markdown_text(block.bold_prefix)}** " if block.bold_prefix else ""
            out += [prefix + markdown_text(block.text), ""]
        elif isinstance(block, Bullets):
            out += [f"- {markdown_cell(item)}" for item in block.items] + [""]
        elif isinstance(block, Note):
            out += [f"> **{markdown_cell(block.title)}** {markdown_cell(block.text)}"]
            out += [f"> - {markdown_cell(item)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            out += [markdown_table(block), ""]
            if block.caption:
                out += [f"*{markdown_text(block.caption)}*", ""]
        elif isinstance(block, Fields):
            out += [f"### {markdown_text(block.title)}", ""]
            out += [f"- **{markdown_cell(k)}:** {markdown_cell(v)}" for k, v in block.pairs]
            out += [""]
        elif isinstance(block, Image) and n in images:
            out += [f"![{markdown_cell(block.alt)}]({images[n]})", ""]
    return "\n".join(out).rstrip() + "\n"
