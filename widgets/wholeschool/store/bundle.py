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
import zlib
from dataclasses import dataclass, field
from pathlib import PureWindowsPath

from ..core.errors import RecordError
from ..core.records import Record
from ..core.text import control_problem
from .folder import RecordFolder
from .reader import Limits, iter_record_files, read_guarded, too_large

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


#: How a zip may pack a record (others, and encryption, are refused by name).
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
#: Characters a record's file name never holds: folder separators of any system, a drive
#: letter's colon, and the characters Windows forbids.
_NOT_IN_NAMES = set('/\\:*?"<>|')
#: Names Windows keeps for devices, whatever follows the first dot (CON.json is the console).
_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10))}


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a record's file name in a records folder, or ``None``.

    Checked as a Windows path as well as a POSIX one: ``D:x.json`` and ``x\\..\\x.json`` would
    land outside the folder on Windows.
    """
    if not name or name in (".", ".."):
        return "has no file name"
    if control_problem(name, single_line=True):
        return "has a control character in its name"
    if set(name) & _NOT_IN_NAMES:
        return (
            "is not a plain file name (no folders, drive letters or the characters "
            '\\ / : * ? " < > |); records sit side by side'
        )
    if PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        return "is not a plain file name; records sit side by side"
    if name.split(".")[0].upper() in _DEVICES:
        return "has a name Windows keeps for a device; rename the file"
    return None


def _member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, limit: int) -> bytes:
    """The bytes of one member, at most ``limit``; any way the member is broken is a
    :class:`RecordError` naming it (never a zipfile, zlib or decoding error)."""
    if info.flag_bits & 0x1:
        raise RecordError(
            where, None, "is protected with a password; make the zip again without one"
        )
    if info.compress_type not in _METHODS:
        raise RecordError(
            where,
            None,
            "is compressed in a way the course does not unpack; make the zip again with the "
            "ordinary (deflate) compression, or upload the .json files themselves",
        )
    if info.file_size > limit:
        raise RecordError(where, None, too_large(info.file_size, Limits(max_bytes=limit)))
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
            if len(data) <= limit:
                handle.read()  # to the end, so the checksum is checked
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as error:
        raise RecordError(
            where,
            None,
            f"is damaged and cannot be unpacked ({_reason(error)}); download the records again",
        ) from None
    except NotImplementedError:
        raise RecordError(
            where, None, "is compressed in a way the course does not unpack"
        ) from None
    if len(data) > limit or len(data) != info.file_size:
        raise RecordError(
            where,
            None,
            "is damaged: its size does not match what the zip says; download the records again",
        )
    return data


def _reason(error: BaseException) -> str:
    return (str(error) or type(error).__name__).splitlines()[0][:80]


def _members(
    name: str, data: bytes, folder: RecordFolder
) -> tuple[list[tuple[str, bytes]], list[RecordError]]:
    """``(record file name, bytes)`` for each file of an upload (a zip or one .json file), and
    a problem for each file of the zip that cannot be a record; all are reported at once."""
    limit = folder.limits.max_bytes
    if name.lower().endswith(".json"):
        problem = name_problem(name)
        if problem:
            return [], [RecordError(name, None, problem)]
        if len(data) > limit:
            return [], [RecordError(name, None, too_large(len(data), folder.limits))]
        return [(name, data)], []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError:
        return [], [
            RecordError(name, None, "has a file whose name is not valid text; make the zip again")
        ]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError):
        return [], [RecordError(name, None, "is neither a zip of records nor a .json record")]
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > MAX_FILES:
            return [], [RecordError(name, None, f"holds {len(entries)} files; at most {MAX_FILES}")]
        if sum(info.file_size for info in entries) > MAX_TOTAL:
            return [], [RecordError(name, None, "unpacks to more than a records folder ever holds")]
        members, problems = [], []
        for info in entries:
            where = f"{name}/{info.filename}"
            leaf = info.filename.rsplit("/", 1)[-1]
            if leaf.startswith(".") and not set(info.filename) & _NOT_IN_NAMES - {"/"}:
                continue  # a hidden system file added by the zip tool (.DS_Store)
            if info.filename.startswith("__MACOSX/"):
                continue
            problem = name_problem(info.filename)
            if problem:
                problems.append(RecordError(where, None, problem))
            elif not info.filename.endswith(".json"):
                continue  # not a record (a system file added by the zip tool)
            else:
                try:
                    members.append((info.filename, _member_bytes(archive, info, where, limit)))
                except RecordError as error:
                    problems.append(error)
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
