"""Colleagues' rater files: read them defensively, import them, record what the team agreed.

A rater file comes from someone else's computer, so it is treated as hostile: it must be
small, strict JSON, a colleague's ratings (not another kind of record), made with this very
framework version and for this school's label, and its text may hold no control characters,
HTML tags or formula-like labels. A refused file is reported with the file and the field and
nothing is written; an accepted one is copied into the records folder under a new name
(nothing already there is ever replaced), and the same file imported twice is skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import RecordError
from ..core.records import AuditRecord, IndicatorRating, ModerationRecord, RaterRecord
from ..core.team import moderation_record
from .folder import RecordFolder
from .locations import AUDIT_FILE
from .reader import Limits, parse_json, parse_record, read_guarded, too_large

#: A rater file with every indicator rated and a long note on each is about 70 kB.
RATER_LIMITS = Limits(max_bytes=100_000, max_depth=6)
RATER_PREFIX = "rater-"
MODERATION_FILE = "moderation.json"


def read_rater_file(path: str | os.PathLike[str], folder: RecordFolder, school: str) -> RaterRecord:
    """A colleague's rater file, checked for this school and framework; else :class:`RecordError`."""
    path = Path(path)
    return read_rater_bytes(read_guarded(path, RATER_LIMITS), path, folder, school)


def read_rater_bytes(
    raw: bytes, where: str | os.PathLike[str], folder: RecordFolder, school: str
) -> RaterRecord:
    """A rater file's bytes (an upload in the browser, named ``where``), checked like
    :func:`read_rater_file`; else :class:`RecordError` naming ``where`` and the field."""
    if len(raw) > RATER_LIMITS.max_bytes:
        raise RecordError(where, None, too_large(len(raw), RATER_LIMITS))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RecordError(where, None, f"is not UTF-8 text (byte {error.start})") from None
    data = parse_json(text, Path(where), RATER_LIMITS)
    if not isinstance(data, dict):
        raise RecordError(where, None, "is not a colleague's ratings file")
    if data.get("kind") != "rater":
        raise RecordError(
            where, "kind", "is not a colleague's ratings file (it is another kind of record)"
        )
    version = folder.framework.version
    if data.get("framework_version") != version:
        raise RecordError(
            where,
            "framework_version",
            f"was made with framework {data.get('framework_version')!r}, not this course's "
            f"{version}; ask your colleague to rate again with the current pages",
        )
    label = data.get("school")
    if not isinstance(label, str) or label.strip() != school.strip():
        raise RecordError(
            where,
            "school",
            f"is for {label!r}, not your school label {school!r}; check it is your team's file",
        )
    record = parse_record(
        raw, where, today=folder.today(), framework=folder.framework, limits=RATER_LIMITS
    )
    assert isinstance(record, RaterRecord)  # the kind was checked above
    return record


@dataclass
class Imported:
    """What an import did: files added, files already there, and files refused (with why)."""

    added: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    refused: list[RecordError] = field(default_factory=list)


def team_raters(folder: RecordFolder) -> list[RaterRecord]:
    """The rater files already imported into ``folder``, in name order."""
    if not folder.path.is_dir():
        return []
    return [
        folder.read(path.name, RaterRecord)
        for path in sorted(folder.path.glob(f"{RATER_PREFIX}*.json"))
    ]


def role_slug(role: str) -> str:
    """A rater's role as a short file-name part ("Pastoral lead" → "pastoral-lead")."""
    return re.sub(r"[^a-z0-9]+", "-", role.lower()).strip("-")[:30] or "rater"


def import_rater_files(
    folder: RecordFolder, paths: Iterable[str | os.PathLike[str]], school: str
) -> Imported:
    """Import each file into the records folder; a bad file is refused, the others come in."""
    readers = [
        (Path(path), lambda path=path: read_rater_file(path, folder, school)) for path in paths
    ]
    return _import(folder, readers)


def import_rater_uploads(folder: RecordFolder, files: Mapping[str, bytes], school: str) -> Imported:
    """Import uploaded rater files (name → bytes, as a browser hands them over), each checked
    exactly as :func:`import_rater_files` checks a file on disk; the name is only ever used in
    messages, never as a path."""
    readers = [
        (Path(name), lambda name=name, raw=raw: read_rater_bytes(raw, name, folder, school))
        for name, raw in files.items()
    ]
    return _import(folder, readers)


def _import(
    folder: RecordFolder, readers: list[tuple[Path, Callable[[], RaterRecord]]]
) -> Imported:
    result = Imported()
    existing = [r.model_dump(exclude={"date"}) for r in team_raters(folder)]
    folder.path.mkdir(parents=True, exist_ok=True)
    for where, read in readers:
        try:
            record = read()
        except RecordError as error:
            result.refused.append(error)
            continue
        same = record.model_dump(exclude={"date"})
        if same in existing:
            result.skipped.append(where)
            continue
        result.added.append(_save_new(folder, record))
        existing.append(same)
    return result


def _save_new(folder: RecordFolder, record: RaterRecord) -> Path:
    """Save under the first free name ``rater-<role>-<n>.json``; never replaces a file."""
    number = 1
    while True:
        name = Path(f"{RATER_PREFIX}{role_slug(record.role)}-{number}.json")
        if not os.path.lexists(folder.file(name)):

            def only_if_new(current: RaterRecord | None, name: Path = name) -> RaterRecord:
                if current is not None:
                    raise FileExistsError(name)
                return record

            try:
                folder.update(name, RaterRecord, only_if_new)
                return folder.file(name)
            except FileExistsError:
                pass  # taken meanwhile by another import: try the next number
        number += 1


def record_agreement(
    folder: RecordFolder,
    agreed: Mapping[str, int | None],
    school: str,
    notes: Mapping[str, str] | None = None,
) -> ModerationRecord:
    """Save the team's agreed ratings with the spread (``moderation.json``) and put the agreed
    ratings into the self-audit (notes the lead wrote there are kept)."""
    raters = team_raters(folder)
    today = folder.today()
    try:
        moderation = moderation_record(
            raters, agreed, school=school, today=today, framework=folder.framework, notes=notes
        )
    except ValueError as error:
        raise RecordError(folder.file(MODERATION_FILE), "indicators", str(error)) from None
    folder.save(moderation, MODERATION_FILE)

    def with_agreed(audit: AuditRecord | None) -> AuditRecord:
        audit = audit or AuditRecord(
            school=school, framework_version=folder.framework.version, date=today
        )
        ratings = dict(audit.ratings)
        for key, item in moderation.indicators.items():
            if item.agreed is not None:
                note = ratings[key].note if key in ratings else ""
                ratings[key] = IndicatorRating(rating=item.agreed, note=note)
        return audit.model_copy(update={"ratings": ratings, "date": today})

    folder.update(AUDIT_FILE, AuditRecord, with_agreed)
    return moderation
