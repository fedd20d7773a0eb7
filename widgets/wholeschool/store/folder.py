"""The record store: one folder of JSON records, read defensively and written safely.

``RecordFolder(path, history=..., clock=...)`` is the only way the package reads and writes a
lead's records:

* every read goes through the guarded reader (:mod:`wholeschool.store.reader`): any odd file
  is a :class:`RecordError` naming the file and the field;
* every write happens under that record's lock (a lock file in ``.locks/``, held with the
  maintained ``filelock`` library, so two kernels or two forms never interleave), is checked
  by reading it back before it is written, keeps a version first (see
  :mod:`wholeschool.store.history`) and then replaces the record atomically;
* a file that does not load is never overwritten: the save is refused and the lead is told;
* :meth:`RecordFolder.update` is read–change–write under the lock, so two pages saving the
  same record at once both keep their answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..core.clock import Clock, system_clock, today
from ..core.diff import FieldChange, diff_records
from ..core.errors import RecordError
from ..core.framework import FRAMEWORK, Framework
from ..core.records import Record
from . import atomic
from .history import (
    Version,
    history_folder,
    latest_version_file,
    list_versions,
    place_version,
    version_at,
)
from .locations import in_browser, records_folder
from .reader import (
    DEFAULT_LIMITS,
    Limits,
    Loaded,
    iter_record_files,
    load_files,
    parse_record,
    read_guarded,
)

if TYPE_CHECKING:
    from filelock import FileLock

R = TypeVar("R", bound=Record)
LOCKS_DIR = ".locks"
#: Seconds a save waits for another save of the same record before giving up.
LOCK_TIMEOUT = 15.0


class RecordFolder:
    """A folder of records, with their locks and history.

    ``history=False`` keeps no versions (scratch folders); ``clock`` dates saves and versions
    and is "today" when checking that dates are not in the future.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        history: bool = True,
        clock: Clock = system_clock,
        framework: Framework = FRAMEWORK,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.path = Path(path) if path is not None else records_folder()
        self.history = history
        self.clock = clock
        self.framework = framework
        self.limits = limits

    def __repr__(self) -> str:
        return f"RecordFolder({str(self.path)!r}, history={self.history})"

    def today(self) -> dt.date:
        """Today's date by this folder's clock."""
        return today(self.clock)

    def file(self, name: str | os.PathLike[str]) -> Path:
        """The path of a record in this folder (an absolute path is taken as it is)."""
        return self.path / name

    # --- reading ---------------------------------------------------------------------------

    def parse(self, raw: bytes, path: Path) -> Record:
        return parse_record(
            raw, path, today=self.today(), framework=self.framework, limits=self.limits
        )

    def read(self, name: str | os.PathLike[str], expected: type[R] = Record) -> R:  # type: ignore[assignment]
        """Read and validate one record. The file is only read, never changed."""
        path = self.file(name)
        record = self.parse(read_guarded(path, self.limits), path)
        if not isinstance(record, expected):
            raise RecordError(
                path, "kind", f"is a {record.kind_name} record, expected {expected.kind_name}"
            )
        return record

    def read_optional(self, name: str | os.PathLike[str], expected: type[R]) -> R | None:
        """Like :meth:`read`, but ``None`` when there is no such file yet."""
        path = self.file(name)
        if not os.path.lexists(path):
            return None
        return self.read(name, expected)

    def scan(self) -> list[Loaded]:
        """Every record in the folder (and folders below), errors kept beside the records; none
        while the folder does not exist yet."""
        if not self.path.is_dir():
            return []
        return scan_records([self.path], clock=self.clock, framework=self.framework)

    # --- writing ---------------------------------------------------------------------------

    def lock(self, name: str | os.PathLike[str]) -> FileLock | _BrowserLock:
        """The lock of one record (held while it is read for an update and written).

        In the browser one kernel is the only writer and the file system has no locks, so a
        stand-in is used there; filelock is not even imported (it warns that it can only make
        lock files, and the warning would show on the lead's form).
        """
        if in_browser():
            return _BrowserLock()
        from filelock import FileLock

        path = self.file(name)
        folder = path.parent / LOCKS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        return FileLock(folder / f"{path.name}.lock", timeout=LOCK_TIMEOUT)

    def save(self, record: Record, name: str | os.PathLike[str]) -> Path:
        """Validate ``record`` and write it as ``name``, keeping a version first.

        Refuses to replace an existing file that is not a valid record of the same kind, so a
        hand-edited or corrupt file is never lost: the lead is told to fix or move it first.
        """
        with self._locked(name):
            _, raw = self._existing(name, type(record))
            self._write(record, name, raw)
        return self.file(name)

    def update(
        self, name: str | os.PathLike[str], expected: type[R], change: Callable[[R | None], R]
    ) -> R:
        """Read the record (``None`` if there is none), apply ``change``, write the result:
        all under the record's lock, so a concurrent update is never lost."""
        with self._locked(name):
            current, raw = self._existing(name, expected)
            updated = change(current)
            self._write(updated, name, raw)
        return updated

    @contextlib.contextmanager
    def _locked(self, name: str | os.PathLike[str]) -> Iterator[None]:
        """Hold the record's lock; a full or read-only disk, or a broken history folder,
        becomes a "not saved" :class:`RecordError` (nothing was replaced)."""
        path = self.file(name)
        try:
            lock = self.lock(name)
            lock.acquire()
        except TimeoutError:  # filelock's Timeout is one
            raise RecordError(
                path,
                None,
                f"not saved: another save of this record has not finished after {LOCK_TIMEOUT:g} "
                "seconds; try again in a moment",
            ) from None
        except OSError as error:
            raise RecordError(path, None, _not_written(error)) from None
        try:
            yield
        except OSError as error:
            raise RecordError(path, None, _not_written(error)) from None
        finally:
            lock.release()

    def _existing(
        self, name: str | os.PathLike[str], expected: type[R]
    ) -> tuple[R | None, bytes | None]:
        """The record on disk and its bytes (recovering a missing version), or ``None``s; a
        bad file raises a "not saved" error that names what is wrong with it. Call it with
        the record's lock held."""
        path = self.file(name)
        # We hold the lock, so no write of this record is under way: any temporary file of
        # its own or of its history was left by a killed save.
        for stale in atomic.temp_files(path) + atomic.temp_files(history_folder(path) / "version"):
            stale.unlink(missing_ok=True)
        if not os.path.lexists(path):
            return None, None
        try:
            raw = read_guarded(path, self.limits)
            existing = self.parse(raw, path)
        except RecordError as error:
            raise RecordError(
                path,
                error.field,
                f"not saved: the existing file has a problem ({error.problem}); it was kept as it "
                "is. Fix it, or move it aside, then save again",
            ) from None
        if not isinstance(existing, expected):
            raise RecordError(
                path,
                "kind",
                f"not saved: the existing file is a {existing.kind_name} record, not "
                f"{expected.kind_name}; it was kept as it is",
            )
        if self.history:
            latest = latest_version_file(path)
            if latest is None or latest.read_bytes() != raw:
                place_version(path, raw, self.clock())  # saved before history, or by hand
        return existing, raw

    def _write(self, record: Record, name: str | os.PathLike[str], raw: bytes | None) -> None:
        """Write ``record`` over the bytes ``raw`` read under the same lock hold."""
        path = self.file(name)
        for field, problem in record.framework_problems(self.framework):
            raise RecordError(path, field, f"not saved: {problem}")
        payload = (record.model_dump_json(indent=2) + "\n").encode("utf-8")
        try:
            self.parse(payload, path)  # what is written must read back
        except RecordError as error:
            raise RecordError(path, error.field, f"not saved: {error.problem}") from None
        if raw == payload:
            return  # nothing changed: no new version
        if self.history:
            place_version(path, payload, self.clock())
        tmp = atomic.write_temp(path, payload)
        try:
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    # --- history ---------------------------------------------------------------------------

    def versions(self, name: str | os.PathLike[str]) -> list[Version]:
        """Every saved version of a record, oldest first."""
        return list_versions(self.file(name))

    def read_version(self, version: Version) -> Record:
        """The record as it was saved in ``version`` (validated; errors name that file)."""
        return self.parse(read_guarded(version.path, self.limits), version.path)

    def find_version(self, name: str | os.PathLike[str], number: int) -> Version:
        for version in self.versions(name):
            if version.number == number:
                return version
        raise RecordError(self.file(name), "version", f"there is no version {number}")

    def restore(self, name: str | os.PathLike[str], number: int) -> Version:
        """Make version ``number`` the current record again; returns the newest version.

        Nothing is deleted: the record as it was before the restore keeps its own version, and
        the restored one is added on top (unless it is the current record already).
        """
        self.save(self.read_version(self.find_version(name, number)), name)
        return self.versions(name)[-1]

    def diff(
        self, name: str | os.PathLike[str], start: dt.datetime | dt.date, end: dt.datetime | dt.date
    ) -> list[FieldChange]:
        """What changed in a record between two dates (a side with no version counts as empty)."""
        path = self.file(name)
        first, last = version_at(path, start), version_at(path, end)
        return diff_records(
            self.read_version(first) if first else None, self.read_version(last) if last else None
        )


class _BrowserLock:
    """A lock for the browser's single-threaded kernel: acquiring it always succeeds."""

    def acquire(self) -> None:
        """Nothing to wait for: no other writer shares this kernel's file system."""

    def release(self) -> None:
        """Nothing to release."""


def _not_written(error: OSError) -> str:
    return f"not saved: it could not be written ({(error.strerror or str(error)).lower()})"


def scan_records(
    paths: Iterable[str | os.PathLike[str]],
    *,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
) -> list[Loaded]:
    """Load every record under ``paths`` (files or folders), keeping errors beside records.

    One odd file never stops the others from being read; a sub-folder that cannot be read
    and a folder named like a record are kept as errors too.
    """
    problems: list[RecordError] = []
    files = list(iter_record_files(paths, problems))
    results = load_files(files, today=today(clock), framework=framework)
    results += [Loaded(Path(problem.path), error=problem) for problem in problems]
    return sorted(results, key=lambda loaded: str(loaded.path))


def load_record(
    path: str | os.PathLike[str],
    expected: type[R] = Record,  # type: ignore[assignment]
    *,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
) -> R:
    """Read and validate one record file wherever it is. The file is only read."""
    path = Path(path)
    return RecordFolder(path.parent, clock=clock, framework=framework).read(path.name, expected)


def save_record(
    record: Record,
    path: str | os.PathLike[str],
    *,
    history: bool = True,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
) -> Path:
    """Save ``record`` as the file ``path`` (see :meth:`RecordFolder.save`)."""
    path = Path(path)
    return RecordFolder(path.parent, history=history, clock=clock, framework=framework).save(
        record, path.name
    )
