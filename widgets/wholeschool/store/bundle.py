"""All of a lead's records in one zip file, and back again.

:func:`export_zip` packs the records of a folder (not their history) into a zip the lead can
download and keep. :func:`import_files` restores from such a zip (or from single ``.json``
files): every file is checked first, exactly as ``wholeschool validate`` checks it, and if any
one is refused nothing at all is written. A record that replaces an existing one is saved as a
new version, so the one it replaces stays in the history; a bad file already in the folder is
never overwritten.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..core.errors import RecordError
from ..core.records import Record
from .folder import RecordFolder
from .reader import iter_record_files, read_guarded

#: At most this many files in an upload, and this many bytes unpacked in all.
MAX_FILES = 100
MAX_TOTAL = 20_000_000


def export_zip(folder: RecordFolder) -> bytes:
    """The folder's record files (``*.json``, history left out) as the bytes of a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if folder.path.is_dir():
            for path in iter_record_files([folder.path]):
                try:
                    data = read_guarded(path, folder.limits)
                except RecordError:
                    continue  # an odd file (a pipe, a huge file) is not a record to keep
                archive.writestr(path.relative_to(folder.path).as_posix(), data)
    return buffer.getvalue()


@dataclass
class Restored:
    """What an upload did: the records saved, or the problems that stopped it."""

    saved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[RecordError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _members(
    name: str, data: bytes, folder: RecordFolder
) -> tuple[list[tuple[str, bytes]], list[RecordError]]:
    """``(record file name, bytes)`` for each file of an upload (a zip or one .json file), and
    a problem for each file of the zip that cannot be a record; all are reported at once."""
    if name.lower().endswith(".json"):
        return [(PurePosixPath(name).name, data)], []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return [], [RecordError(name, None, "is neither a zip of records nor a .json record")]
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > MAX_FILES:
            return [], [RecordError(name, None, f"holds {len(entries)} files; at most {MAX_FILES}")]
        if sum(info.file_size for info in entries) > MAX_TOTAL:
            return [], [RecordError(name, None, "unpacks to more than a records folder ever holds")]
        members, problems = [], []
        for info in entries:
            member = PurePosixPath(info.filename)
            where = f"{name}/{info.filename}"
            if member.is_absolute() or ".." in member.parts or len(member.parts) > 1:
                problems.append(
                    RecordError(where, None, "is not a plain file name; records sit side by side")
                )
            elif member.name.startswith(".") or not member.name.endswith(".json"):
                continue  # not a record (a system file added by the zip tool)
            elif info.file_size > folder.limits.max_bytes:
                problems.append(RecordError(where, None, "is larger than a record can be"))
            else:
                members.append((member.name, archive.read(info)))
        return members, problems


def import_files(folder: RecordFolder, uploads: dict[str, bytes]) -> Restored:
    """Check every uploaded file, then (only if all pass) save each as a record."""
    result = Restored()
    checked: list[tuple[str, Record]] = []
    for upload, data in uploads.items():
        members, problems = _members(upload, data, folder)
        result.problems += problems
        for name, raw in members:
            where = name if upload.lower().endswith(".json") else f"{upload}/{name}"
            try:
                checked.append((name, folder.parse(raw, where)))  # type: ignore[arg-type]
            except RecordError as error:
                result.problems.append(error)
    names = [name for name, _ in checked]
    for name in sorted({n for n in names if names.count(n) > 1}):
        result.problems.append(RecordError(name, None, "is in the upload more than once"))
    if not checked and not result.problems:
        result.problems.append(
            RecordError(", ".join(uploads) or "the upload", None, "holds no records")
        )
    for name, record in checked:  # a file already here that does not load is never replaced
        try:
            folder.read_optional(name, type(record))
        except RecordError as error:
            result.problems.append(
                RecordError(
                    error.path,
                    error.field,
                    f"{error.problem}; it was kept, so the upload was not saved",
                )
            )
    if result.problems:
        return result
    for name, record in checked:
        before = folder.file(name).read_bytes() if folder.file(name).is_file() else None
        try:
            folder.save(record, name)
        except RecordError as error:
            result.problems.append(error)
            continue
        after = folder.file(name).read_bytes()
        (result.unchanged if before == after else result.saved).append(name)
    return result
