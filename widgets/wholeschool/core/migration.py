"""Records made with an earlier version of the framework, brought up to the current one.

Each step is data: ``data/migrations/<from>-to-<to>.yaml`` maps every indicator id of the older
version to the ids that take over its rating and note (a split indicator's rating is copied to
each part, for the lead to review), and names the indicator whose rating becomes the answer to
the safeguarding gate. Records are migrated when they are read; the file on disk is only
rewritten when the lead next saves (and its history keeps the older version).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from packaging.version import Version
from pydantic import ConfigDict, Field

from .content import DATA
from .datafiles import load_yaml_model
from .errors import RecordError, format_location
from .framework import Framework
from .models import DataModel
from .records import (
    AuditRecord,
    EvidenceLog,
    IndicatorRating,
    PlanRecord,
    ProgressLog,
    Record,
)

MIGRATIONS = DATA / "migrations"


class GateStep(DataModel):
    """Which older indicator becomes the gate, and the answer each rating gives."""

    indicator: str
    answers: dict[int, str]


class Migration(DataModel):
    """One step from a framework version to the next."""

    model_config = ConfigDict(populate_by_name=True)

    source: str = Field(alias="from", pattern=r"^[0-9]+\.[0-9]+$")
    target: str = Field(alias="to", pattern=r"^[0-9]+\.[0-9]+$")
    summary: str = Field(min_length=20)
    indicators: dict[str, tuple[str, ...]]
    gate: GateStep | None = None
    #: Indicators reworded in this step: their ratings carry over for the lead to check.
    review: tuple[str, ...] = ()

    def moves(self, old_id: str, gate_id: str | None) -> tuple[str, ...] | None:
        """Where an older id's rating, actions and evidence go (``None``: unknown id)."""
        if self.gate is not None and old_id == self.gate.indicator:
            return (gate_id,) if gate_id else ()
        if gate_id is not None and old_id == gate_id:
            return (gate_id,)  # the gate keeps its id from the version that introduced it
        return self.indicators.get(old_id)


@cache
def load_migrations(folder: Path = MIGRATIONS) -> dict[str, Migration]:
    """Every migration step in ``folder``, by the version it starts from."""
    steps = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            step = load_yaml_model(path, Migration)
            steps[step.source] = step
    return steps


def readable_versions(framework: Framework) -> list[str]:
    """The framework versions a record may be made with: this one, and each older one with a
    path of migration steps to it."""
    return list(_readable_from(framework.version))


@cache
def _readable_from(current: str) -> tuple[str, ...]:
    steps = load_migrations()
    found = [current]
    for source in steps:
        version, seen = source, set()
        while version in steps and version not in seen:
            seen.add(version)
            version = steps[version].target
        if version == current and source not in found:
            found.append(source)
    return tuple(sorted(found, key=Version))


def version_problem(version: object, framework: Framework) -> str | None:
    """Why a record made with framework ``version`` cannot be read here, or ``None``.

    Only the exact version strings this course knows are read: ``1.00`` is not ``1.0``, and a
    version with no migration path (0.9, 1.5) is refused rather than read as the current one.
    """
    if not isinstance(version, str) or version in _readable_from(framework.version):
        return None
    if not re.fullmatch(r"[0-9]+\.[0-9]+", version):
        return None  # the field's own pattern names the problem
    *earlier, last = readable_versions(framework)
    known = f"{', '.join(earlier)} and {last}" if earlier else last
    if Version(version) > Version(framework.version):
        return (
            f"the record was made with framework {version}, newer than this course's "
            f"{framework.version}; update the course package to read it"
        )
    return (
        f"the record was made with framework {version}, which this course cannot read (it reads "
        f"records made with framework {known}); check the number, or make the record again"
    )


def migrate(record: Record, path: str | os.PathLike[str], framework: Framework) -> Record:
    """``record`` brought up to ``framework``'s version, checked against it.

    Problems (an unknown indicator of the older version, a version with no migration path, a
    record from a newer framework) raise :class:`RecordError` naming the file and the field.
    """
    problem = version_problem(record.framework_version, framework)
    if problem:
        raise RecordError(path, "framework_version", problem)
    steps = load_migrations()
    while record.framework_version != framework.version:
        step = steps[record.framework_version]
        record = _apply(step, record, Path(path), framework)
    for field, problem in record.framework_problems(framework):
        raise RecordError(path, field, problem)
    return record


def to_review(since: str, framework: Framework) -> tuple[str, ...]:
    """Indicators reworded after framework ``since``: a rating made then needs a second look."""
    steps = load_migrations()
    found: list[str] = []
    version = since
    while Version(version) < Version(framework.version) and version in steps:
        found += [key for key in steps[version].review if key not in found]
        version = steps[version].target
    return tuple(found)


def _apply(step: Migration, record: Record, path: Path, framework: Framework) -> Record:
    gate_id = framework.gate.id if framework.gate else None

    def moved(old_id: str, field: tuple[str | int, ...]) -> tuple[str, ...]:
        targets = step.moves(old_id, gate_id)
        if targets is None:
            raise RecordError(
                path,
                format_location(field),
                f"unknown indicator {old_id!r} for framework {step.source}",
            )
        return targets

    update: dict[str, object] = {"framework_version": step.target}
    if isinstance(record, AuditRecord | ProgressLog):
        field_name = "ratings" if isinstance(record, AuditRecord) else "indicator_ratings"
        ratings: dict[str, IndicatorRating] = {}
        gate = record.gate
        for old_id, entry in getattr(record, field_name).items():
            if step.gate is not None and old_id == step.gate.indicator:
                if entry.rating is not None and entry.rating not in step.gate.answers:
                    top = max(step.gate.answers)
                    raise RecordError(
                        path,
                        format_location((field_name, old_id)) + ".rating",
                        f"rating {entry.rating} is outside 0–{top}",
                    )
                if entry.rating is not None:
                    gate = step.gate.answers[entry.rating]
                continue
            for new_id in moved(old_id, (field_name, old_id)):
                ratings[new_id] = entry
        update |= {field_name: ratings, "gate": gate}
    elif isinstance(record, PlanRecord):
        actions = [
            action.model_copy(
                update={"indicator": moved(action.indicator, ("actions", i, "indicator"))[0]}
            )
            for i, action in enumerate(record.actions)
            if moved(action.indicator, ("actions", i, "indicator"))
        ]

        def first_ids(ids: list[str], field: str) -> list[str]:
            out = [moved(key, (field, i))[:1] for i, key in enumerate(ids)]
            return [ids[0] for ids in out if ids and ids[0] != gate_id]

        update |= {
            "actions": actions,
            "pinned": first_ids(record.pinned, "pinned"),
            "dropped": first_ids(record.dropped, "dropped"),
        }
    elif isinstance(record, EvidenceLog):
        entries: dict[str, list] = {}
        for old_id, items in record.entries.items():
            targets = moved(old_id, ("entries", old_id))
            if targets:
                entries.setdefault(targets[0], []).extend(items)
        update["entries"] = entries
    return record.model_copy(update=update)
