"""A keyboard user's place kept when a form draws its controls again.

A form that reorders or redraws its rows (the action plan's "Move to the top", "Take out",
"Add") makes the browser draw those controls afresh, and the focus (where the keyboard is)
falls back to the top of the page. A control marked here carries a class the course's
``keep-focus.js`` looks for: when the focused control is drawn again, the new drawing gets the
focus; ``hand_on`` gives a control's place to another (the next row, when one is taken out).
"""

from __future__ import annotations

import itertools

import ipywidgets as widgets

#: The class prefix keep-focus.js looks for (keep the two in step).
PREFIX = "wholeschool-focus-"
_marks = itertools.count(1)


def marks_of(widget: widgets.DOMWidget) -> list[str]:
    """The focus marks ``widget`` carries."""
    return [name for name in widget._dom_classes if name.startswith(PREFIX)]


def keep_focus(widget: widgets.DOMWidget) -> widgets.DOMWidget:
    """Mark ``widget`` so the focus comes back to it when it is drawn again; return it."""
    if not marks_of(widget):
        widget.add_class(f"{PREFIX}{next(_marks)}")
    return widget


def hand_on(gone: widgets.DOMWidget, to: widgets.DOMWidget) -> None:
    """Let ``to`` take the focus that ``gone`` (about to disappear) had."""
    for name in marks_of(gone):
        to.add_class(name)
