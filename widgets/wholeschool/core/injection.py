"""Text that arrives from someone else's file: refuse markup and spreadsheet formulas.

Records are always escaped when shown, but a file a colleague sends (a team rater's answers)
is refused outright when its text carries HTML tags, or a short label starts like a
spreadsheet formula, so nothing hostile is even stored. Plain text with a "<" (such as
"< half of staff") is fine: only something that opens a tag is refused.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"<[A-Za-z!/?]")
_FORMULA_START = ("=", "+", "-", "@")


def markup_problem(text: str) -> str | None:
    """Why ``text`` may not come in from another person's file, or ``None``."""
    if _TAG.search(text):
        return "contains an HTML tag (<...>); plain words only"
    return None


def label_problem(text: str) -> str | None:
    """Like :func:`markup_problem`, and a short label may not start like a formula."""
    if text.lstrip().startswith(_FORMULA_START):
        return "starts with =, +, - or @, which a spreadsheet would run as a formula"
    return markup_problem(text)
