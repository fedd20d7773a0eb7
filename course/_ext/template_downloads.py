"""Sphinx extension: the downloadable templates (Word and Markdown), made from their data.

When the build starts, the templates in ``widgets/wholeschool/data/templates/`` are written as
``.docx`` and ``.md`` files into ``_build/templates/`` (beside the output, never in the sources,
and only rewritten when they change). The ``template-downloads`` directive lists every template
with its summary and a download link for each format, so the page restates nothing by hand and a
new template appears on it by itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

#: Where the files are written, relative to the book's source folder (the repository root).
FOLDER = "_build/templates"
FORMATS = (("docx", "Word"), ("md", "Markdown"))


def _templates():
    from wholeschool.core.templates import load_templates

    return load_templates()


def write_downloads(app: Sphinx) -> None:
    """``builder-inited``: write every template into ``_build/templates``."""
    from wholeschool.reports.templates import write_templates

    write_templates(Path(app.srcdir) / FOLDER, _templates())


class TemplateDownloads(SphinxDirective):
    """A list of the templates, each with its summary and its Word and Markdown downloads."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        items = nodes.bullet_list()
        for template in _templates():
            paragraph = nodes.paragraph()
            paragraph += nodes.strong(text=template.title)
            paragraph += nodes.Text(f". {template.summary} Download: ")
            for n, (suffix, label) in enumerate(FORMATS):
                if n:
                    paragraph += nodes.Text(" or ")
                link = addnodes.download_reference(
                    "",
                    "",
                    refdoc=self.env.docname,
                    reftarget=f"/{FOLDER}/{template.id}.{suffix}",
                    refexplicit=True,
                )
                link += nodes.inline(text=f"{template.title} ({label})")
                paragraph += link
            paragraph += nodes.Text(".")
            items += nodes.list_item("", paragraph)
        return [items]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", write_downloads)
    app.add_directive("template-downloads", TemplateDownloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
