"""One rule for the text people type: what a saved record may hold.

Text typed in one school ends up in another person's terminal, spreadsheet or browser, so
control characters never reach a record. Word's Shift+Enter (vertical tab), page breaks (form
feed) and Unicode line separators become ordinary line breaks; every other control character
(NUL, ESC, DEL, the C1 range) and the invisible bidirectional overrides are removed.

:func:`clean_text` applies the rule where people type (the forms); :func:`control_problem`
is what validation of a record uses to refuse a file that breaks it.
"""

from __future__ import annotations

import re

#: Invisible bidirectional controls, which reorder the text around them.
BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: Characters that mean "new line" in office software, turned into ``\n``.
LINE_SEPARATORS = "\r\v\f\x85\u2028\u2029"
#: Every character never shown as itself (a regular-expression class): C0 controls with tab
#: and line feed, DEL, C1, the line separators and the bidirectional controls. What a terminal
#: must never receive raw (see :func:`wholeschool.render.safe.terminal_safe`).
UNSHOWN = f"\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI}"
#: The same rule as :func:`control_problem`, as the characters a record's text may not hold
#: (regular-expression classes, for the record models to check in pydantic's Rust core): in
#: free text every unshown character but tab and line feed; in one line, every one.
REFUSED_IN_PROSE = f"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI}"
REFUSED_IN_LINE = UNSHOWN
#: The pydantic error type of a record's text holding one of them (the message naming the
#: character comes from :func:`control_problem`, see :mod:`wholeschool.core.errors`).
CONTROL_ERROR = "control_character"
_LINE_BREAKS = re.compile(f"\r\n|[{LINE_SEPARATORS}]")
#: Control characters other than tab and line feed, DEL, C1, and bidirectional controls.
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")
_SINGLE_LINE = re.compile("[\t\n]")


def clean_text(text: str, *, single_line: bool = False) -> str:
    """``text`` with line breaks normalised and other control characters removed.

    ``single_line`` (labels, roles, descriptions) also turns tabs and line breaks into spaces.
    """
    text = _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))
    if single_line:
        text = _SINGLE_LINE.sub(" ", text)
    return text


def control_problem(text: str, *, single_line: bool = False) -> str | None:
    """Why ``text`` may not be stored (a control character, named by its code), or ``None``."""
    found = _CONTROL.search(_LINE_BREAKS.sub("\n", text)) or _LINE_BREAKS.search(text)
    if found is None and single_line:
        found = _SINGLE_LINE.search(text)
    if found is None:
        return None
    what = "a line break or tab" if found.group() in "\t\n\r\v\f" else "a control character"
    return f"contains {what} (U+{ord(found.group()[0]):04X}), which records may not hold here"
