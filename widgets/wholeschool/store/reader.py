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
import json
import math
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..core.errors import RecordError, format_location, from_validation_error
from ..core.framework import FRAMEWORK, Framework
from ..core.migration import migrate, version_problem
from ..core.records import RECORD_ADAPTER, RECORD_TYPES, SCREENED, Record

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Limits:
    """How large and deep a record file may be. Real records are a few kilobytes."""

    max_bytes: int = 2_000_000
    max_depth: int = 12
    max_digits: int = 15


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
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else meanwhile
            raise RecordError(path, None, "is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as error:
        raise RecordError(path, None, _os_problem(error)) from None
    finally:
        os.close(fd)
    if len(raw) > limits.max_bytes:
        raise RecordError(path, None, too_large(len(raw), limits))
    return raw


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
# Most record files are plain: no escapes but \" \\ \/, no invisible characters, short numbers.
# For those, two C-speed scans of the text decide every strict-JSON rule (a key twice in one
# object, nesting depth, long numbers, NaN) and rule out control characters in every string,
# and pydantic then parses and validates the text once. Anything else (or any problem at all)
# takes the careful path below, which gives the exact error message.

#: Characters the single-read path cannot vouch for: control, C1 and invisible ones.
_ODD_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
#: Numbers it cannot vouch for: a long digit run or a huge exponent.
_ODD_NUMBER = re.compile(r"[eE][+-]?\d{3}|\d{" + str(DEFAULT_LIMITS.max_digits + 1) + "}")
#: Escapes, read left to right (so ``\\`` is one escape): only ``\"``, ``\\`` and ``\/`` are
#: plain; any other could hide a control character or a line break.
_ESCAPES = re.compile(r"\\(.)", re.S)
_PLAIN_ESCAPES = frozenset('"\\/')
#: A JSON string, and one followed by its colon (a key).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_KEY = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"\s*:')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _plain_text(text: str) -> bool:
    """True if ``text`` has no character, escape or number the single-read path cannot vouch
    for (then no string in it can hold a control character)."""
    return not (
        _ODD_CHARACTER.search(text)
        or "NaN" in text
        or "Infinity" in text
        or _ODD_NUMBER.search(text)
        or not _PLAIN_ESCAPES.issuperset(_ESCAPES.findall(text))
    )


def _depth_at_most(text: str, limit: int) -> bool:
    """True if the brackets outside strings nest no deeper than ``limit`` (and balance)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit):
        if not brackets:
            return True
        brackets = brackets.replace("{}", "").replace("[]", "")
    return not brackets


def _keys_in(record: BaseModel) -> int:
    """How many keys the JSON behind a validated record had: the fields each model was given,
    and the entries of each mapping. Fewer than the text shows means a key came twice."""
    count, stack = 0, [record]
    while stack:
        item = stack.pop()
        if isinstance(item, BaseModel):
            given = item.model_fields_set
            count += len(given)
            values = [item.__dict__[name] for name in given]
        elif isinstance(item, dict):
            count += len(item)
            values = item.values()
        else:
            values = item
        stack.extend(v for v in values if isinstance(v, _NESTED))
    return count


_NESTED = (BaseModel, dict, list, tuple)


def _parse_screened(text: str, path: Path, today: dt.date, framework: Framework) -> Record | None:
    """The record, read once, if ``text`` is plain and valid; ``None`` to take the careful path.

    The strict-JSON rules hold without a second parse: the characters, escapes and numbers are
    screened, the nesting is measured on the brackets alone, and a key given twice in one
    object shows as the validated record holding fewer keys than the text.
    """
    if not (_plain_text(text) and _depth_at_most(text, DEFAULT_LIMITS.max_depth)):
        return None
    try:
        record = RECORD_ADAPTER.validate_json(
            text, strict=True, context={"today": today, SCREENED: True}
        )
    except ValidationError:
        return None  # the careful path names the file and the field
    if _keys_in(record) != len(_KEY.findall(text)):
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
    path = Path(path)
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
        record = _parse_screened(text, path, today, framework)
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
    for item in map(Path, paths):
        if not item.is_dir():
            yield item
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
                Path(top, name) for name in files if name.endswith(".json") and name[0] != "."
            ]
        yield from sorted(found)


@dataclass(frozen=True)
class Loaded:
    """The outcome of reading one file: a record, or the error that stopped it."""

    path: Path
    record: Record | None = None
    error: RecordError | None = None
