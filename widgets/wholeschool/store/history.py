"""Version history: every save of a record keeps a version, and versions are never changed.

Beside each record ``<folder>/<name>.json`` sits an append-only folder
``<folder>/.history/<name>/`` holding one file per saved version, named
``<UTC timestamp>-<n>.json`` (``n`` counts up from 1 and is never used twice). The record
store writes the version *before* it puts the record in place, under the record's lock, so a
crash can never leave a saved record without its version (a crash in between leaves a version
the record never reached, which is harmless); restoring an old version saves it
as the record again, which adds a new version on top. The folder starts with a dot, so record
scans skip it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_temp

HISTORY_DIR = ".history"
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stamp>[0-9]{8}T[0-9]{12}Z)-(?P<n>[0-9]{6,})\.json$")


@dataclass(frozen=True, order=True)
class Version:
    """One saved version of a record."""

    number: int
    saved_at: dt.datetime
    path: Path


def history_folder(path: str | os.PathLike[str]) -> Path:
    """Where the versions of the record at ``path`` are kept."""
    path = Path(path)
    return path.parent / HISTORY_DIR / path.stem


def _numbered(folder: Path) -> list[tuple[int, str, str]]:
    """``(number, stamp, file name)`` of every version in ``folder``, unsorted."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [(int(m["n"]), m["stamp"], name) for name in names if (m := _NAME.match(name))]


def list_versions(path: str | os.PathLike[str]) -> list[Version]:
    """Every saved version of the record at ``path``, oldest first."""
    folder = history_folder(path)
    return sorted(
        Version(
            n, dt.datetime.strptime(stamp, _STAMP).replace(tzinfo=dt.timezone.utc), folder / name
        )
        for n, stamp, name in _numbered(folder)
    )


def latest_version_file(path: str | os.PathLike[str]) -> Path | None:
    """The file of the newest version of the record at ``path`` (quick: no dates parsed)."""
    folder = history_folder(path)
    numbered = _numbered(folder)
    return folder / max(numbered)[2] if numbered else None


def place_version(record_path: Path, payload: bytes, now: dt.datetime) -> Version:
    """Add ``payload`` as the next version of the record at ``record_path``.

    Call it with the record's lock held. The version is a file of its own (never a link to
    the record, which a lead may edit in place), written to a temporary file and flushed
    first, then given its name with an exclusive link, so a name already taken is never
    overwritten and no half-written version ever has a version's name.
    """
    folder = history_folder(record_path)
    folder.mkdir(parents=True, exist_ok=True)
    number = max((n for n, _, _ in _numbered(folder)), default=0) + 1
    stamp = now.astimezone(dt.timezone.utc)
    tmp = write_temp(folder / "version", payload)
    try:
        while True:
            target = folder / f"{stamp.strftime(_STAMP)}-{number:06d}.json"
            try:
                _place(tmp, target)
                return Version(number, stamp, target)
            except FileExistsError:
                number += 1  # another writer without the lock took it: never overwrite
    finally:
        tmp.unlink(missing_ok=True)


def _place(tmp: Path, target: Path) -> None:
    """Give ``tmp``'s content the name ``target``; ``FileExistsError`` if it is taken.

    An exclusive hard link where there is one; else (some network drives, and the browser's
    Python, which has no ``os.link``) check, then rename, under the record's lock.
    """
    link = getattr(os, "link", None)
    if link is not None:
        try:
            link(tmp, target)
            return
        except FileExistsError:
            raise
        except OSError:
            pass
    if os.path.lexists(target):
        raise FileExistsError(target)
    os.rename(tmp, target)


def version_at(path: str | os.PathLike[str], when: dt.datetime | dt.date) -> Version | None:
    """The version current at ``when`` (a date means the end of that day, UTC), if any."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time.max)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    earlier = [v for v in list_versions(path) if v.saved_at <= when]
    return earlier[-1] if earlier else None
