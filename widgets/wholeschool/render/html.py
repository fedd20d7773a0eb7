"""Documents to HTML with Jinja2, autoescaping on: text a lead typed is never markup.

The page is one self-contained file (styles inline, charts as ``data:`` images). A cell whose
whole text is an ``http``/``https`` address becomes a link; nothing else does, so a
``javascript:`` address stays text.
"""

from __future__ import annotations

import base64
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from .alert import ALERT_COLOUR
from .blocks import Cell, Document, cell_text

CSS = (
    """
body { font-family: Georgia, 'Times New Roman', serif; color: #000; background: #fff;
       max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1, h2, h3, h4 { font-family: Arial, Helvetica, sans-serif; }
h2 { border-bottom: 2px solid #000; padding-bottom: .2rem; margin-top: 2rem; }
.subtitle { font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
caption { text-align: left; font-style: italic; }
th, td { border: 1px solid #000; padding: .25rem .4rem; text-align: left; vertical-align: top;
         overflow-wrap: normal; }
th { background: #e6e6e6; }
img { max-width: 100%; height: auto; }
.note { border: 1px solid #000; padding: .5rem .8rem; margin: 1rem 0; }
.note.urgent { border: 3px solid ALERT; }
.fields dl { display: grid; grid-template-columns: 12rem 1fr; gap: .2rem .8rem; }
.fields dt { font-weight: bold; }
/* On a phone each row is a card, each value after its column's name: a table of five columns
   cannot fit 390 px. The header row stays for screen readers, out of sight. */
@media screen and (max-width: 40rem) {
  body { margin: 1rem auto; }
  table, tbody, tr, td { display: block; width: auto; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  tr { border: 1px solid #000; margin: 0 0 .6rem; padding: .3rem .5rem; }
  td { border: 0; padding: .1rem 0; overflow-wrap: anywhere; }
  td[data-label]::before { content: attr(data-label) ": "; font-weight: bold; }
  .fields dl { grid-template-columns: 1fr; }
  .fields dd { margin: 0 0 .4rem; }
}
@media print { body { margin: 0; max-width: none; } h2, h3 { page-break-after: avoid; }
               .new-page { page-break-before: always; }
               table, figure, .fields { page-break-inside: avoid; } }
"""
).replace("ALERT", ALERT_COLOUR)


def cell_html(value: Cell) -> Markup:
    """Escaped cell text; a lone http(s) address becomes a link (followed only on a click)."""
    text = cell_text(value)
    parts = urlsplit(text) if text.startswith(("http://", "https://")) else None
    if parts and parts.netloc and not any(c.isspace() for c in text):
        return Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(text)
    return escape(text)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@cache
def environment() -> Environment:
    """The Jinja2 environment for the package's templates (autoescaping every template)."""
    env = Environment(
        loader=PackageLoader("wholeschool.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell_html"] = cell_html
    env.filters["data_uri"] = data_uri
    return env


def to_html(document: Document) -> str:
    """A complete, self-contained HTML page."""
    return environment().get_template("document.html.j2").render(document=document, css=CSS)


def body_html(document: Document) -> str:
    """The blocks only, without page styles: a preview inside a notebook or form."""
    return environment().get_template("blocks.html.j2").render(document=document)
