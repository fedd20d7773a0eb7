"""Read record files defensively: any file, however odd, gives a clear error, never a hang.

Only regular files are read (a pipe, device or socket named ``audit.json`` is refused before it
is opened for good, so nothing blocks), at most :attr:`Limits.max_bytes` of them. The JSON must
be strict: no key twice in one object, no number longer than :attr:`Limits.max_digits` digits,
no ``NaN``/``Infinity``, nesting no deeper than :attr:`Limits.max_depth`. Every problem,
operating-system errors included, becomes a :class:`~wholeschool.core.errors.RecordError`
naming the file and, where there is one, the field.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from pathlib import Path
from types import UnionType
from typing import Annotated, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..core.errors import RecordError, format_location, from_validation_error
from ..core.framework import FRAMEWORK, Framework
from ..core.migration import migrate, version_problem
from ..core.records import MAX_DIGITS, RECORD_ADAPTER, RECORD_TYPES, Record

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Limits:
    """How large and deep a record file may be. Real records are a few kilobytes."""

    max_bytes: int = 2_000_000
    max_depth: int = 12
    max_digits: int = MAX_DIGITS


DEFAULT_LIMITS = Limits()


def _os_problem(error: OSError) -> str:
    reason = error.strerror or type(error).__name__
    return f"cannot be read ({reason.lower()})"


def read_guarded(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of ``path`` if it is a regular file no larger than the limit."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise RecordError(path, None, "file not found") from None
    except OSError as error:  # a symbolic link loop, no permission, a name too long...
        raise RecordError(path, None, _os_problem(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise RecordError(path, None, "is a folder, not a record file")
    if not stat.S_ISREG(info.st_mode):
        raise RecordError(
            path, None, "is not a regular file (a pipe, device or socket); records are plain files"
        )
    if info.st_size > limits.max_bytes:
        raise RecordError(path, None, too_large(info.st_size, limits))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise RecordError(path, None, _os_problem(error)) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # swapped for something else meanwhile
            raise RecordError(path, None, "is not a regular file")
        raw = _read_at_most(fd, opened.st_size, limits.max_bytes + 1)
    except OSError as error:
        raise RecordError(path, None, _os_problem(error)) from None
    finally:
        os.close(fd)
    if len(raw) > limits.max_bytes:
        raise RecordError(path, None, too_large(len(raw), limits))
    return raw


def _read_at_most(fd: int, expected: int, limit: int) -> bytes:
    """Up to ``limit`` bytes from ``fd``: one read when the file is ``expected`` bytes long
    (a read shorter than asked for is the end of a regular file), more if it grew meanwhile."""
    chunks, left, asked = [], limit, min(limit, expected + 1)
    while True:
        chunk = os.read(fd, asked)
        chunks.append(chunk)
        left -= len(chunk)
        if len(chunk) < asked or left <= 0:
            break
        asked = min(left, 1 << 16)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many records are read at once.

    Each record read creates dozens of objects that all stay alive; the collector would scan
    the growing heap again and again (three quarters of the time of reading 10,000 audits).
    Afterwards the objects made meanwhile join the oldest generation at once (``freeze`` then
    ``unfreeze``: two list moves) rather than being scanned by the next young collection.
    Records make no reference cycles, so nothing is kept longer than without the pause.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def too_large(size: int, limits: Limits) -> str:
    return (
        f"is {size:,} bytes, more than a record can be ({limits.max_bytes:,}); "
        "is this the right file?"
    )


class _Refused(ValueError):
    """A JSON construct records never use; carries the field and the problem."""

    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem


def parse_json(text: str, path: Path, limits: Limits = DEFAULT_LIMITS) -> object:
    """Strict JSON: duplicate keys, huge numbers, NaN and deep nesting are refused."""

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        result: dict[str, object] = {}
        for key, value in items:
            if key in result:
                raise _Refused(key, "appears twice in the same object; give each field once")
            result[key] = value
        return result

    def whole(digits: str) -> int | _Bad:
        if len(digits.lstrip("-")) > limits.max_digits:
            return _Bad(f"has a number with more than {limits.max_digits} digits")
        return int(digits)

    def real(digits: str) -> float | _Bad:
        value = float(digits)
        if not math.isfinite(value) or len(digits) > 40:
            return _Bad(f"has a number out of range ({digits[:20]}…)")
        return value

    def constant(name: str) -> _Bad:
        return _Bad(f"has {name}, which is not a number JSON allows")

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_int=whole,
            parse_float=real,
            parse_constant=constant,
        )
    except _Refused as refused:
        raise RecordError(path, refused.field, refused.problem) from None
    except RecursionError:
        raise RecordError(path, None, _too_deep(limits)) from None
    except json.JSONDecodeError as error:
        raise RecordError(
            path,
            None,
            f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})",
        ) from None
    if _depth(data) > limits.max_depth:
        raise RecordError(path, None, _too_deep(limits))
    found = _first_bad(data)
    if found is not None:
        where, bad = found
        raise RecordError(path, format_location(where) or None, bad.problem)
    return data


class _Bad:
    """A number records never hold (NaN, Infinity, too many digits), kept in place while the
    JSON is read so that the error can name its field."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


def _first_bad(data: object) -> tuple[tuple[str | int, ...], _Bad] | None:
    """The location and value of the first :class:`_Bad` in ``data``, in document order."""
    stack: list[tuple[tuple[str | int, ...], object]] = [((), data)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, _Bad):
            return where, item
        if isinstance(item, dict):
            stack.extend(reversed([((*where, k), v) for k, v in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([((*where, n), v) for n, v in enumerate(item)]))
    return None


def _too_deep(limits: Limits) -> str:
    return f"is nested more than {limits.max_depth} levels deep; a record never is"


def _depth(data: object) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


# --- the single-read path -----------------------------------------------------------------
#
# pydantic parses and validates a record's text in one pass in Rust, control characters
# included (the record models check their text against the one rule of
# :mod:`wholeschool.core.text` as a pattern). What JSON itself allows but records never hold
# is settled without a second parse:
# * NaN, Infinity and numbers of more than 15 digits: no record field takes a float, and the
#   whole numbers are bounded (:data:`wholeschool.core.records.Whole`), so they never validate;
# * deep nesting: every field has a fixed shape, none holds arbitrary JSON, so a record that
#   validates is nested a few levels at most (tests/test_reader_once.py measures the models);
#   pydantic's JSON parser stops at its own depth limit before that matters;
# * a key given twice in one object: counted (see :func:`_keys_given`).
# Anything that does not validate takes the careful path below, which gives the exact error.


@cache
def _leaf(model: type[BaseModel]) -> bool:
    """True if no field of ``model`` can hold a model, mapping or list."""
    return not any(_may_nest(field.annotation) for field in model.model_fields.values())


def _may_nest(annotation: object) -> bool:
    origin = get_origin(annotation)
    if origin is Literal:
        return False
    if origin is Annotated:
        return _may_nest(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return any(map(_may_nest, get_args(annotation)))
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel | dict | list | tuple | set | frozenset)
    return origin is not None or annotation is not None


_FIELDS_SET = attrgetter("__pydantic_fields_set__")


def _keys_given(record: BaseModel) -> int:
    """How many keys the JSON behind a validated record had: the fields each model was given,
    and the entries of each mapping. Fewer than the text shows means a key came twice.

    A mapping or list of models of one leaf type (an audit's ratings) is counted at C speed.
    """
    count, stack = 0, [record]
    while stack:
        item = stack.pop()
        if isinstance(item, BaseModel):
            given = item.__pydantic_fields_set__
            count += len(given)
            if _leaf(type(item)):
                continue
            values: Iterable[object] = [item.__dict__[name] for name in given]
        elif isinstance(item, dict):
            count += len(item)
            values = item.values()
        else:
            values = item
        kinds = set(map(type, values))
        if len(kinds) == 1 and issubclass(kind := kinds.pop(), BaseModel) and _leaf(kind):
            count += sum(map(len, map(_FIELDS_SET, values)))
        else:
            stack.extend(v for v in values if isinstance(v, _NESTED))
    return count


_NESTED = (BaseModel, dict, list, tuple)


def _parse_once(text: str, path: Path, today: dt.date, framework: Framework) -> Record | None:
    """The record, parsed and validated once, if it is valid; ``None`` to take the careful
    path (which names the file and the field)."""
    keys = text.count('":')  # each key ends so, unless whitespace comes before its colon
    if text.count(":") != keys and (
        " :" in text or "\t:" in text or "\n:" in text or "\r:" in text
    ):
        return None
    try:
        record = RECORD_ADAPTER.validate_json(text, strict=True, context={"today": today})
    except ValidationError:
        return None
    # A ``"`` inside a string is escaped (``\"``), so ``":`` there may add to ``keys``, never
    # take from it; a key given twice leaves the record fewer keys than ``keys``.
    if _keys_given(record) != keys:
        return None
    return migrate(record, path, framework)


def parse_record(
    raw: bytes | str,
    path: str | os.PathLike[str],
    *,
    today: dt.date,
    framework: Framework = FRAMEWORK,
    limits: Limits = DEFAULT_LIMITS,
) -> Record:
    """Validate the bytes of a record file; ``path`` is named in every error message.

    A record made with an earlier version of the framework is brought up to this version
    (see :mod:`wholeschool.core.migration`).
    """
    path = path if isinstance(path, Path) else Path(path)
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:  # the one size rule: reads, uploads and writes alike
        raise RecordError(path, None, too_large(size, limits))
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise RecordError(path, None, f"is not UTF-8 text (byte {error.start})") from None
    if not text.strip():
        raise RecordError(path, None, "the file is empty")
    if limits == DEFAULT_LIMITS:
        record = _parse_once(text, path, today, framework)
        if record is not None:
            return record
    data = parse_json(text, path, limits)
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
    problem = version_problem(data.get("framework_version"), framework)
    if problem:  # before any other field: a newer record is not blamed on what it holds
        raise RecordError(path, "framework_version", problem)
    try:
        record = RECORD_ADAPTER.validate_json(text, strict=True, context={"today": today})
    except ValidationError as error:
        raise from_validation_error(error, path, RecordError, tag=kind) from None
    return migrate(record, path, framework)


def iter_record_files(
    paths: Iterable[str | os.PathLike[str]], problems: list[RecordError] | None = None
) -> Iterator[Path]:
    """Expand folders into the ``*.json`` files below them, in a stable order.

    Hidden files and folders (temporary files, ``.history``, ``.locks``) are not records, and
    links to folders are not followed, so a link loop cannot trap the walk. When ``problems``
    is given, a sub-folder that cannot be read and a folder named like a record
    (``audit.json/``) are added to it, so nothing is passed over in silence.
    """
    return map(Path, record_file_names(paths, problems))


def record_file_names(
    paths: Iterable[str | os.PathLike[str]], problems: list[RecordError] | None = None
) -> list[str]:
    """:func:`iter_record_files` as the files' names (thousands are listed without making a
    :class:`~pathlib.Path` of each)."""
    names: list[str] = []
    for item in map(Path, paths):
        if not item.is_dir():
            names.append(str(item))
            continue
        found = []

        def unreadable(error: OSError, top: Path = item) -> None:
            if problems is not None:
                problems.append(RecordError(error.filename or top, None, _os_problem(error)))

        for top, folders, files in os.walk(item, onerror=unreadable, followlinks=False):
            folders[:] = sorted(f for f in folders if not f.startswith("."))
            if problems is not None:
                problems.extend(
                    RecordError(
                        Path(top, name),
                        None,
                        "is a folder (or a link to one) named like a record; records are files",
                    )
                    for name in folders
                    if name.endswith(".json")
                )
            found += [
                os.path.join(top, name)
                for name in files
                if name.endswith(".json") and name[0] != "."
            ]
        names += sorted(found, key=_path_order)
    return names


def _path_order(path: str) -> list[str]:
    """Sort key: folder by folder, as :class:`~pathlib.Path` orders (without making one)."""
    return path.split(os.sep)


@dataclass(frozen=True)
class Loaded:
    """The outcome of reading one file: a record, or the error that stopped it."""

    path: Path
    record: Record | None = None
    error: RecordError | None = None


def load_files(files: Iterable[Path], *, today: dt.date, framework: Framework) -> list[Loaded]:
    """Read and validate each of ``files`` (guarded, every rule of :func:`parse_record`), in
    order, with the garbage collector paused; one bad file never stops the others."""
    results = []
    with paused_gc():
        for path in files:
            try:
                record = parse_record(read_guarded(path), path, today=today, framework=framework)
                results.append(Loaded(path, record=record))
            except RecordError as error:
                results.append(Loaded(path, error=error))
    return results
