"""Atomic file writes: a temporary file in the same folder, flushed to disk, then renamed.

Readers see the old file or the new one, never half. Temporary files are hidden
(``.<name>.<random>.tmp``); one left behind by a killed process is removed by the next write
of the same file once it is older than :data:`STALE_AFTER` seconds (or at once by the record
store, which holds the record's lock and so knows no other write is under way).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..core.errors import RecordError

#: Seconds after which a temporary file of an unlocked write counts as left behind.
STALE_AFTER = 600.0


def temp_files(path: Path) -> list[Path]:
    """The temporary files a write of ``path`` creates (or left behind)."""
    prefix = f".{path.name}."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.parent / n for n in names if n.startswith(prefix) and n.endswith(".tmp")]


def remove_stale(path: Path, now: float, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove temporary files of ``path`` written ``older_than`` seconds before ``now``.

    ``now`` is a time by the file system's own clock (the modification time of a file just
    written), so a computer whose clock is off cannot make a write under way look old.
    """
    removed = []
    for tmp in temp_files(path):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime >= older_than:
                tmp.unlink()
                removed.append(tmp)
    return removed


def write_temp(path: Path, payload: bytes) -> Path:
    """Write ``payload`` to a new temporary file beside ``path``, flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; returns ``path``."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = write_temp(path, payload)
    remove_stale(path, now=tmp.stat().st_mtime)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_output(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """:func:`write_atomic` for a file the lead asked for (a report, an export): a place that
    cannot be written is a :class:`~wholeschool.core.errors.RecordError` naming it."""
    blocked = file_in_the_way(path)
    if blocked is not None:
        raise RecordError(blocked, None, "is a file, not a folder; choose another place")
    try:
        return write_atomic(path, data)
    except OSError as error:
        where = error.filename or path
        reason = (error.strerror or type(error).__name__).lower()
        raise RecordError(
            where, None, f"cannot be written ({reason}); choose another file or folder"
        ) from None


def file_in_the_way(path: str | os.PathLike[str]) -> Path | None:
    """The first folder on the way to ``path`` that is a file instead, if any."""
    for parent in reversed(Path(path).parents):
        if os.path.lexists(parent) and not parent.is_dir():
            return parent
    return None
