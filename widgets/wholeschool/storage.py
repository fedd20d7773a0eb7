"""Save and load records as JSON: atomic writes, validation on read, bad files kept.

One record per file. A write goes to a temporary file in the same folder, is flushed to disk,
then renamed over the target, so a crash never leaves half a record. A file that fails to load
is reported (file and field) and never overwritten or deleted.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from .errors import RecordError, from_validation_error
from .framework import FRAMEWORK, Framework
from .records import RECORD_TYPES, Record

R = TypeVar("R", bound=Record)

#: Environment variable naming the folder where the lead's records live.
RECORDS_ENV = "WHOLESCHOOL_RECORDS"


def records_folder() -> Path:
    """The folder for the lead's records: ``$WHOLESCHOOL_RECORDS``, else ``~/wholeschool-records``.

    The one place this default is decided. Building the book points the variable at an empty
    throwaway folder, so a lead's own records never end up in the published pages.
    """
    value = os.environ.get(RECORDS_ENV, "").strip()
    return Path(value).expanduser() if value else Path.home() / "wholeschool-records"


def parse_record(
    text: str, path: str | os.PathLike[str], framework: Framework = FRAMEWORK
) -> Record:
    """Validate the JSON text of a record; ``path`` is only used in error messages."""
    if not text.strip():
        raise RecordError(path, None, "the file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RecordError(
            path,
            None,
            f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})",
        ) from None
    if not isinstance(data, dict):
        raise RecordError(path, None, f"must be a JSON object, not {type(data).__name__}")
    if "kind" not in data:
        raise RecordError(path, "kind", "is missing")
    kind = data["kind"]
    if not isinstance(kind, str) or kind not in RECORD_TYPES:
        raise RecordError(
            path,
            "kind",
            f"unknown record kind {kind!r} (expected one of {', '.join(RECORD_TYPES)})",
        )
    try:
        record = RECORD_TYPES[kind].model_validate_json(text, strict=True)
    except ValidationError as error:
        raise from_validation_error(error, path, RecordError) from None
    for field, problem in record.framework_problems(framework):
        raise RecordError(path, field, problem)
    return record


def load_record(
    path: str | os.PathLike[str],
    expected: type[R] = Record,  # type: ignore[assignment]
    framework: Framework = FRAMEWORK,
) -> R:
    """Read and validate one record file. The file is only read, never changed."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RecordError(path, None, "file not found") from None
    except IsADirectoryError:
        raise RecordError(path, None, "is a folder, not a record file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RecordError(path, None, f"is not UTF-8 text (byte {error.start})") from None
    record = parse_record(text, path, framework)
    if not isinstance(record, expected):
        raise RecordError(
            path, "kind", f"is a {record.kind_name} record, expected {expected.kind_name}"
        )
    return record


def save_record(
    record: Record, path: str | os.PathLike[str], framework: Framework = FRAMEWORK
) -> Path:
    """Validate ``record`` and write it atomically to ``path``.

    Refuses to replace an existing file that is not a valid record of the same kind, so a
    hand-edited or corrupt file is never lost: the lead is told to fix or move it first.
    """
    path = Path(path)
    for field, problem in record.framework_problems(framework):
        raise RecordError(path, field, f"not saved: {problem}")
    if path.exists():
        try:
            load_record(path, type(record), framework)
        except RecordError as error:
            raise RecordError(
                path,
                error.field,
                f"not saved: the existing file has a problem ({error.problem}); it was kept as it "
                "is. Fix it, or move it aside, then save again",
            ) from None
    text = record.model_dump_json(indent=2) + "\n"
    write_atomic(path, text)
    from .history import keep_version  # history builds on storage, so imported here

    keep_version(path)  # adds a version under .history/ where the folder keeps history
    return path


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file in the same folder,
    flushed to disk, then ``os.replace``: readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class Loaded:
    """The outcome of reading one file: a record, or the error that stopped it."""

    path: Path
    record: Record | None = None
    error: RecordError | None = None


def iter_record_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Expand folders into the ``*.json`` files below them, in a stable order."""
    for item in map(Path, paths):
        if item.is_dir():
            yield from sorted(
                p
                for p in item.rglob("*.json")
                # hidden files and folders (temporary files, .history versions) are not records
                if not any(part.startswith(".") for part in p.relative_to(item).parts)
            )
        else:
            yield item


def scan_records(
    paths: Iterable[str | os.PathLike[str]], framework: Framework = FRAMEWORK
) -> list[Loaded]:
    """Load every record under ``paths``, keeping errors beside the good records."""
    results = []
    for path in iter_record_files(paths):
        try:
            results.append(Loaded(path, record=load_record(path, framework=framework)))
        except RecordError as error:
            results.append(Loaded(path, error=error))
    return results
