"""A changed field of a saved record in a governor's words.

The record store names a change by the file's own path (``entries["ethos.2"][0].date``); the
governors' report says "Evidence for Ethos and environment, indicator 2 (item 1): date" and
shows indicator and answer ids as their names, so no internal id reaches a reader.
"""

from __future__ import annotations

from ..core.dates import long_date_text
from ..core.diff import FieldChange
from ..core.framework import Framework

#: Each record field, as a reader of the report knows it.
FIELD_NAMES = {
    "school": "School label",
    "date": "date",
    "framework_version": "Framework version",
    "schema_version": "File format",
    "kind": "Kind of record",
    "gate": "Safeguarding route",
    "audit_date": "Self-audit the plan follows",
    "pinned": "Priorities put first",
    "dropped": "Priorities left out",
    "rating": "rating",
    "note": "note",
    "indicator": "indicator",
    "what": "what we will do",
    "lead": "lead",
    "start": "start",
    "due": "due by",
    "measure": "how we will know",
    "status": "status",
    "description": "description",
    "link": "where it is kept",
}
#: A part of a path this table does not know.
OTHER = "another detail"


def reference_words(key: str, framework: Framework) -> str:
    """An indicator (or the safeguarding route) by its principle's name and its number."""
    if framework.gate is not None and key == framework.gate.id:
        return "Safeguarding route"
    indicator = framework.indicator_by_id.get(key)
    if indicator is None:
        return "an indicator no longer in the framework"
    principle = framework.principle(indicator.principle_id)
    return f"{principle.short_name}, indicator {principle.indicators.index(indicator) + 1}"


def _name(part: str | int) -> str:
    return FIELD_NAMES.get(part, OTHER) if isinstance(part, str) else OTHER


def field_words(change: FieldChange, framework: Framework) -> str:
    """Where the change is, in words."""
    head, *rest = change.parts or ("",)
    if head == "ratings" and rest:
        where = reference_words(str(rest[0]), framework)
        return f"{where}: {_name(rest[1])}" if len(rest) > 1 else where
    if head == "entries" and rest:
        where = f"Evidence for {reference_words(str(rest[0]), framework)}"
        if len(rest) > 1 and isinstance(rest[1], int):
            where += f" (item {rest[1] + 1})"
        return f"{where}: {_name(rest[2])}" if len(rest) > 2 else where
    if head == "actions" and rest and isinstance(rest[0], int):
        where = f"Action {rest[0] + 1}"
        return f"{where}: {_name(rest[1])}" if len(rest) > 1 else where
    name = _name(head)
    return name[:1].upper() + name[1:]


def value_words(change: FieldChange, value: object, framework: Framework) -> str:
    """A value before or after the change, as the reader knows it ("–" for none)."""
    if value is None:
        return "–"
    head, last = (change.parts[0], change.parts[-1]) if change.parts else ("", "")
    if isinstance(value, str) and (last == "indicator" or head in ("pinned", "dropped")):
        return reference_words(value, framework)
    if isinstance(value, str) and head == "gate" and framework.gate is not None:
        answer = framework.gate.answer(value)
        return answer.label if answer is not None else value
    if last == "rating" and isinstance(value, int) and not isinstance(value, bool):
        labels = {level.value: level.label for level in framework.scale}
        return f"{labels[value]} ({value})" if value in labels else str(value)
    return long_date_text(str(value))
