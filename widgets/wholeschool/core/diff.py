"""Field-by-field differences between two versions of a record, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import format_location
from .records import Record


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its readable path, the value before and after, and the path as
    its parts (keys and list positions) for wording it for a reader."""

    field: str
    before: object
    after: object
    parts: tuple[str | int, ...] = field(default=(), compare=False)


Path = tuple[str | int, ...]


def _flatten(value: object, path: Path = ()) -> dict[Path, object]:
    if isinstance(value, dict):
        out: dict[Path, object] = {}
        for key, item in value.items():
            out.update(_flatten(item, (*path, str(key))))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(_flatten(item, (*path, i)))
        return out
    return {path: value}


def diff_records(before: Record | None, after: Record | None) -> list[FieldChange]:
    """The fields that differ between two records (``None``: no record), sorted by field."""
    old = _flatten(before.model_dump(mode="json")) if before else {}
    new = _flatten(after.model_dump(mode="json")) if after else {}
    paths = sorted(old.keys() | new.keys(), key=format_location)
    return [
        FieldChange(format_location(path), old.get(path), new.get(path), path)
        for path in paths
        if old.get(path) != new.get(path)
    ]
