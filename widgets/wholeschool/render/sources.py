"""Render the sources register and the helplines file as Markdown for the book pages."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.sources import Helplines, Register, default_helplines, default_register

#: MyST citation roles: {cite}`a`, {cite:p}`a,b`, {cite:t}`c` ...
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def cited_keys(markdown: str) -> list[str]:
    """The bibliography keys cited in a page's Markdown, in order, each once."""
    keys: list[str] = []
    for match in CITE.finditer(markdown):
        for key in match.group(1).split(","):
            if key.strip() and key.strip() not in keys:
                keys.append(key.strip())
    return keys


def last_checked_note(markdown: str, register: Register | None = None) -> str:
    """A MyST note naming the register sources a page cites and when each was last checked.

    Empty when the page cites no register source. The first line gives the oldest month, so a
    reader sees at once how current the page's sources are.
    """
    register = register or default_register()
    sources = register.for_keys(cited_keys(markdown))
    if not sources:
        return ""
    oldest = min(sources, key=lambda s: s.last_checked)
    lines = [
        "",
        "",
        ":::{admonition} Sources on this page",
        ":class: note sources-checked",
        f"Last checked: {oldest.checked_label}.",
        "",
    ]
    lines += [
        f"- *{s.title}* ({s.publisher}), {s.edition}. Last checked: {s.checked_label}."
        for s in sources
    ]
    lines += [":::", ""]
    return "\n".join(lines)


def helpline_number(helpline_id: str, helplines: Helplines | None = None) -> str:
    """The number of one helpline as a reader sees it: ``116 123``, ``text SHOUT to 85258``."""
    return (helplines or default_helplines()).helpline(helpline_id).number


def helpline_list(ids: Iterable[str], helplines: Helplines | None = None) -> str:
    """A Markdown list of helplines: name, how to reach it, when, and who it is for."""
    helplines = helplines or default_helplines()
    lines = []
    for helpline_id in ids:
        line = helplines.helpline(helpline_id)
        how = " or ".join(
            (c.text if c.how == "text" else f"call {c.number}") for c in line.contacts
        )
        lines.append(f"- **{line.name}**: {how}, {line.hours.lower()}. {line.who}")
    return "\n".join(lines)
