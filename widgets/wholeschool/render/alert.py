"""The one look of a message that must stand out: the safeguarding box and error lines.

Its colour is used by the HTML pages (:mod:`.html`), Word (:mod:`.word`) and the forms; a box
in a form is built here, with its styles inline (a form has no page styles).
"""

from __future__ import annotations

import html

#: The colour of an urgent box's border and title, and of error lines (dark red; 8.9:1 on white).
ALERT_COLOUR = "#a4000f"
#: The same colour as red, green, blue bytes (for Word).
ALERT_RGB = (0xA4, 0x00, 0x0F)


def alert_html(title: str, text: str, *, urgent: bool, items: list[str] | None = None) -> str:
    """A boxed message for a form: an urgent one is announced (``role="alert"``) and drawn in
    the alert colour; a calm one is a plain box (``role="note"``). Text is escaped."""
    border = f"3px solid {ALERT_COLOUR}" if urgent else "1px solid #555"
    role = "alert" if urgent else "note"
    colour = f' style="color:{ALERT_COLOUR}"' if urgent else ""
    listed = "".join(f"<li>{html.escape(item)}</li>" for item in items or [])
    return (
        f'<div role="{role}" class="wholeschool-{"alert" if urgent else "note"}" '
        f'style="border:{border};padding:.5em .8em;margin:.5em 0">'
        f"<strong{colour}>{html.escape(title)}</strong> {html.escape(text)}"
        + (f"<ul>{listed}</ul>" if listed else "")
        + "</div>"
    )
