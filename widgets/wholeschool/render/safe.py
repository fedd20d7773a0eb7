"""Making text safe for where it is going: spreadsheets, terminals and Markdown.

HTML is escaped by Jinja2's autoescaping (:mod:`wholeschool.render.html`); Word and Excel
files hold text as text. What remains is here, each rule in one place:

* a spreadsheet cell whose text starts with ``=``, ``+``, ``-``, ``@`` (also after spaces or
  a tab), a tab or a carriage return would run as a formula (OWASP "CSV injection"):
  :func:`formula_like` recognises it; CSV prefixes it with an apostrophe, Excel stores it as
  a string;
* text printed in a terminal has control characters shown as escapes, never sent raw;
* text put into Markdown has its formatting and HTML characters escaped.
"""

from __future__ import annotations

import re

from ..core.text import UNSHOWN

_FORMULA_START = re.compile(r"^[ \t\r\n]*[=+\-@]|^[\t\r]")
_PLAIN_NUMBER = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$")
_TERMINAL_UNSAFE = re.compile(f"[{UNSHOWN}]")
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MARKDOWN_LINE_START = re.compile(r"^([ \t]*)([#+\-]|[0-9]+[.)])", re.M)


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` as a formula (a plain negative number is not)."""
    return bool(_FORMULA_START.match(text)) and not _PLAIN_NUMBER.match(text.strip())


def csv_cell(text: str) -> str:
    """``text`` for a CSV cell: a formula-like value gets a leading apostrophe."""
    return "'" + text if formula_like(text) else text


def terminal_safe(text: str) -> str:
    """``text`` with control characters shown as ``\\x1b``-style escapes (one line)."""
    return _TERMINAL_UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def _markdown_inline(text: str) -> str:
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_text(text: str) -> str:
    """``text`` for Markdown: HTML characters as entities, inline formatting escaped, and no
    line can start a heading or a list (a leading ">" is an entity, so no quote either)."""
    return _MARKDOWN_LINE_START.sub(
        lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], _markdown_inline(text)
    )


def markdown_cell(text: str) -> str:
    """``text`` for the middle of a line (a table cell, a list item): escaped, on one line."""
    return _markdown_inline(text.replace("\r", " ").replace("\n", " "))
