"""Version history: every save of a record keeps a version, and versions are never changed.

Beside each record ``<folder>/<name>.json`` sits an append-only folder
``<folder>/.history/<name>/`` holding one file per saved version, named
``<UTC timestamp>-<n>.json`` (``n`` counts up from 1 and is never used twice). The record
store writes the version *before* it puts the record in place, under the record's lock, so a
crash can never leave a saved record without its version; restoring an old version saves it
as the record again, which adds a new version on top. The folder starts with a dot, so record
scans skip it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

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


def list_versions(path: str | os.PathLike[str]) -> list[Version]:
    """Every saved version of the record at ``path``, oldest first."""
    folder = history_folder(path)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    versions = []
    for name in names:
        match = _NAME.match(name)
        if match:
            saved_at = dt.datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=dt.timezone.utc)
            versions.append(Version(int(match["n"]), saved_at, folder / name))
    return sorted(versions)


def place_version(record_path: Path, content_file: Path, now: dt.datetime) -> Version:
    """Add ``content_file``'s content as the next version of the record at ``record_path``.

    Call with the record's lock held. The version is hard-linked where the file system
    allows (the content is never changed in place, so sharing it is safe), else copied; a
    name already taken is never overwritten.
    """
    folder = history_folder(record_path)
    folder.mkdir(parents=True, exist_ok=True)
    versions = list_versions(record_path)
    number = versions[-1].number + 1 if versions else 1
    stamp = now.astimezone(dt.timezone.utc)
    while True:
        target = folder / f"{stamp.strftime(_STAMP)}-{number:06d}.json"
        try:
            _link_or_copy(content_file, target)
            return Version(number, stamp, target)
        except FileExistsError:
            number += 1  # another writer without the lock took it: never overwrite


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some network drives, the browser's file system)
        with open(source, "rb") as src, open(target, "xb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())


def version_at(path: str | os.PathLike[str], when: dt.datetime | dt.date) -> Version | None:
    """The version current at ``when`` (a date means the end of that day, UTC), if any."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time.max)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    earlier = [v for v in list_versions(path) if v.saved_at <= when]
    return earlier[-1] if earlier else None
