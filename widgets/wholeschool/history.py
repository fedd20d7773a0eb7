"""Version history for records: every saved audit, plan and log keeps its earlier versions.

Beside each record ``<folder>/<name>.json`` sits an append-only folder
``<folder>/.history/<name>/`` holding one file per saved version, named
``<UTC timestamp>-<n>.json`` (``n`` counts up from 1). Versions are written atomically and are
never changed or deleted: restoring an old version saves it as the record again, which adds a
new version on top. The folder starts with a dot, so record scans skip it.

``storage.save_record`` calls :func:`keep_version` after every successful write, so the lead's
records (in the records folder, or any folder that already keeps history) gain a version on
each save without the widgets doing anything; :func:`save_with_history` starts history in any
other folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RecordError
from .framework import FRAMEWORK, Framework
from .records import Record

if TYPE_CHECKING:  # pandas is imported only when a diff is asked for: saves stay light
    import pandas as pd

HISTORY_DIR = ".history"
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stamp>[0-9]{8}T[0-9]{12}Z)-(?P<n>[0-9]{6,})\.json$")


@dataclass(frozen=True, order=True)
class Version:
    """One saved version of a record."""

    number: int
    saved_at: dt.datetime
    path: Path

    def read(self, framework: Framework = FRAMEWORK) -> Record:
        """The record as it was saved in this version (validated; errors name this file)."""
        from .storage import load_record

        return load_record(self.path, framework=framework)


def history_folder(path: str | os.PathLike[str]) -> Path:
    """Where the versions of the record at ``path`` are kept."""
    path = Path(path)
    return path.parent / HISTORY_DIR / path.stem


def list_versions(path: str | os.PathLike[str]) -> list[Version]:
    """Every saved version of the record at ``path``, oldest first."""
    folder = history_folder(path)
    if not folder.is_dir():
        return []
    versions = []
    for item in folder.iterdir():
        match = _NAME.match(item.name)
        if match:
            saved_at = dt.datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=dt.timezone.utc)
            versions.append(Version(int(match["n"]), saved_at, item))
    return sorted(versions)


def record_version(
    path: str | os.PathLike[str], now: dt.datetime | None = None, force: bool = False
) -> Version:
    """Copy the record now at ``path`` into its history, as a new version.

    Call it after every successful save. A save that changed nothing adds no version (returns
    the latest) unless ``force``. The copy is written to a temporary file and linked into place
    under a name that cannot already exist, so no version is ever overwritten.
    """
    path = Path(path)
    content = path.read_bytes()
    versions = list_versions(path)
    if versions and not force and versions[-1].path.read_bytes() == content:
        return versions[-1]
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    folder = history_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    number = versions[-1].number + 1 if versions else 1
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".new.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        while True:
            target = folder / f"{now.strftime(_STAMP)}-{number:06d}.json"
            try:
                _place(tmp, target)
                break
            except FileExistsError:
                number += 1  # another writer took this number: take the next one
    finally:
        Path(tmp).unlink(missing_ok=True)
    return Version(number, now, target)


def _place(tmp: str, target: Path) -> None:
    """Give ``tmp`` the name ``target``, failing with ``FileExistsError`` if it is taken."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except (OSError, AttributeError):  # no hard links (some file systems; the browser's
        # Python has no os.link at all): check, then rename
        if target.exists():
            raise FileExistsError(target) from None
        os.replace(tmp, target)


def keeps_history(folder: str | os.PathLike[str]) -> bool:
    """Whether saves into ``folder`` keep versions: the lead's records folder always does, and
    so does any folder that already has a ``.history`` folder (started by
    :func:`save_with_history`). Other folders, such as a test's scratch folder, stay as they are.
    """
    from .storage import records_folder

    folder = Path(folder)
    if (folder / HISTORY_DIR).is_dir():
        return True
    try:
        return folder.resolve() == records_folder().resolve()
    except OSError:
        return False


def keep_version(path: str | os.PathLike[str]) -> Version | None:
    """Called by ``storage.save_record`` after each successful write.

    Adds a version when the record's folder keeps history. If the version cannot be written
    the record itself is still saved, so this warns instead of raising.
    """
    path = Path(path)
    if not keeps_history(path.parent):
        return None
    try:
        return record_version(path)
    except OSError as error:
        warnings.warn(
            f"{path}: saved, but this version could not be added to its history ({error})",
            stacklevel=3,
        )
        return None


def save_with_history(
    record: Record, path: str | os.PathLike[str], framework: Framework = FRAMEWORK
) -> Path:
    """Save ``record`` (atomic, validated, see :func:`storage.save_record`) and keep a version."""
    from .storage import save_record

    saved = save_record(record, path, framework)
    record_version(saved)
    return saved


def _find(path: Path, version: Version | int) -> Version:
    if isinstance(version, Version):
        return version
    for candidate in list_versions(path):
        if candidate.number == version:
            return candidate
    raise RecordError(history_folder(path), "version", f"there is no version {version}")


def restore_version(
    path: str | os.PathLike[str], version: Version | int, framework: Framework = FRAMEWORK
) -> Version:
    """Make an earlier version the current record again; returns the new version it adds.

    The old version is validated first, and the save refuses to overwrite a record file that is
    itself broken, so nothing is lost either way. No version is deleted.
    """
    from .storage import save_record

    path = Path(path)
    record = _find(path, version).read(framework)
    before = len(list_versions(path))
    save_record(record, path, framework)  # may add the version itself (see keep_version)
    versions = list_versions(path)
    return versions[-1] if len(versions) > before else record_version(path, force=True)


def version_at(path: str | os.PathLike[str], when: dt.datetime | dt.date) -> Version | None:
    """The version current at ``when`` (a date means the end of that day, UTC), if any."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time.max)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    earlier = [v for v in list_versions(path) if v.saved_at <= when]
    return earlier[-1] if earlier else None


def _flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            name = f'{prefix}["{key}"]' if "." in str(key) or " " in str(key) else f"{prefix}.{key}"
            out.update(_flatten(item, name.lstrip(".")))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def diff_records(before: Record | None, after: Record | None) -> pd.DataFrame:
    """Field-by-field changes between two records: columns ``field``, ``before``, ``after``."""
    import pandas as pd

    old = _flatten(before.model_dump(mode="json")) if before else {}
    new = _flatten(after.model_dump(mode="json")) if after else {}
    rows = [
        {"field": field, "before": old.get(field), "after": new.get(field)}
        for field in sorted(old.keys() | new.keys())
        if old.get(field) != new.get(field)
    ]
    return pd.DataFrame(rows, columns=["field", "before", "after"])


def diff_dates(
    path: str | os.PathLike[str],
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    framework: Framework = FRAMEWORK,
) -> pd.DataFrame:
    """What changed in the record at ``path`` between two dates (see :func:`diff_records`).

    A side with no version yet (the record did not exist) counts as empty.
    """
    first, last = version_at(path, start), version_at(path, end)
    return diff_records(
        first.read(framework) if first else None, last.read(framework) if last else None
    )
