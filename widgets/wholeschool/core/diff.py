"""Field-by-field differences between two versions of a record, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import format_location
from .records import Record


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its readable path, and the value before and after."""

    field: str
    before: object
    after: object


def _flatten(value: object, path: tuple[str | int, ...] = ()) -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(_flatten(item, (*path, str(key))))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(_flatten(item, (*path, i)))
        return out
    return {format_location(path): value}


def diff_records(before: Record | None, after: Record | None) -> list[FieldChange]:
    """The fields that differ between two records (``None``: no record), sorted by field."""
    old = _flatten(before.model_dump(mode="json")) if before else {}
    new = _flatten(after.model_dump(mode="json")) if after else {}
    return [
        FieldChange(field, old.get(field), new.get(field))
        for field in sorted(old.keys() | new.keys())
        if old.get(field) != new.get(field)
    ]
