"""A record problem in a lead's words: the file's name and the field as it is on screen.

:class:`~wholeschool.core.errors.RecordError` names a field as the file holds it
(``ratings["ethos.2"].note``); a form says "the note of Ethos and environment, indicator 2"
instead, and names the file without its folder, so no internal id or path reaches the lead.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from ..core.errors import RecordError
from ..core.framework import Framework
from ..reports.change_words import reference_words

FIELD_WORDS = {
    "school": "the school label",
    "role": "the role",
    "name": "the name",
    "framework_version": "the framework version",
    "kind": "the kind of file",
    "date": "the date",
    "ratings": "the ratings",
    "schema_version": "the file's format version",
}
_RATING = re.compile(r'^ratings\["([^"]+)"\](?:\.(rating|note))?')
UNKNOWN_INDICATOR = (
    "rates an indicator this course does not have; ask your colleague to rate again with the "
    "current pages"
)


def field_words(field: str, framework: Framework) -> str:
    """The field as a lead finds it on screen."""
    found = _RATING.match(field)
    if found:
        if found[1] not in framework.indicator_by_id:
            return "the ratings"
        what = "the note" if found[2] == "note" else "the rating"
        return f"{what} of {reference_words(found[1], framework)}"
    return FIELD_WORDS.get(re.split(r"[.\[]", field, maxsplit=1)[0], "a part of the file")


def problem_words(error: RecordError, framework: Framework, *, with_file: bool = False) -> str:
    """``error`` in plain words: "[file name: ]the field is ..." (a problem that reads as a
    sentence of its own follows a colon)."""
    field = error.field or ""
    problem = error.problem
    found = _RATING.match(field)
    if found and found[1] not in framework.indicator_by_id:
        problem = UNKNOWN_INDICATOR
    text = problem
    if field:
        joiner = ": " if problem[:1].isupper() else " "
        text = f"{field_words(field, framework)}{joiner}{problem}"
    if with_file:
        return f"{PurePath(error.path).name}: {text}"
    return text[:1].upper() + text[1:]
