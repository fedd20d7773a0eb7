"""Templates as documents, and the downloadable Word and Markdown files made from them."""

from __future__ import annotations

from pathlib import Path

from ..core.templates import Template, load_templates
from ..render.blocks import Bullets, Document, Heading, Note, Paragraph, Table
from ..render.markdown import to_markdown
from ..render.word import to_docx

#: Shown at the top of every template, in every format.
HOW_TO_USE = (
    "Replace the text in square brackets with your school's own, delete what does not apply, "
    "and check the result with your designated safeguarding lead before it is used. Do not add "
    "pupils' names or anything else that identifies a pupil."
)


def template_document(template: Template) -> Document:
    """A template as a document: a note on how to use it, then its sections in order."""
    blocks: list = [Note("How to use this template:", HOW_TO_USE)]
    for section in template.sections:
        blocks.append(Heading(section.heading))
        blocks += [Paragraph(text) for text in section.paragraphs]
        if section.bullets:
            blocks.append(Bullets(list(section.bullets)))
        if section.table:
            blocks.append(
                Table(list(section.table.columns), [list(row) for row in section.table.rows])
            )
        if section.note:
            note = section.note
            blocks.append(Note(note.title + ":", note.text, urgent=note.urgent))
    return Document(template.title, blocks, subtitle=template.summary)


def write_templates(folder: Path, templates: tuple[Template, ...] | None = None) -> list[Path]:
    """Write each template as ``<id>.docx`` and ``<id>.md`` into ``folder``; return the paths.

    A Markdown file is rewritten only when its text changes, and the Word file only when its
    Markdown changed or it is missing, so a rebuild leaves unchanged downloads untouched.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for template in templates or load_templates():
        document = template_document(template)
        markdown, word = folder / f"{template.id}.md", folder / f"{template.id}.docx"
        text = to_markdown(document)
        changed = not markdown.exists() or markdown.read_text(encoding="utf-8") != text
        if changed:
            markdown.write_text(text, encoding="utf-8")
        if changed or not word.exists():
            word.write_bytes(to_docx(document))
        written += [word, markdown]
    return written
