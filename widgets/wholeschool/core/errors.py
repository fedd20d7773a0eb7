"""Errors that name the file and the field, so a lead can find and fix the problem."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .text import CONTROL_ERROR, control_problem

# Pydantic's default wording for a few error types, replaced by plainer English.
_PLAIN_MESSAGES = {
    "extra_forbidden": "is not a field this file may have (records never hold pupil data)",
    "missing": "is missing",
    "json_invalid": "is not valid JSON",
    "int_type": "should be a whole number",
    "dict_type": "should be a JSON object ({...})",
}


class WholeschoolError(Exception):
    """Base class for every error this package raises on purpose."""


class DataFileError(WholeschoolError, ValueError):
    """A data file (framework, record, rubric...) is malformed.

    ``str(error)`` reads ``"<file>: <field>: <problem>"``, the form every message in the
    course takes.
    """

    def __init__(self, path: str | PathLike[str], field: str | None, problem: str) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {problem}")


class FrameworkError(DataFileError):
    """The framework data file is malformed."""


class RecordError(DataFileError):
    """A saved record (audit, plan, progress log) cannot be read or written."""


def format_location(loc: Sequence[str | int]) -> str:
    """Turn a pydantic location into a readable path: ``ratings["leadership.3"].rating``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in part or " " in part:
            out += f'["{part}"]'
        else:
            out += f".{part}" if out else part
    return out


def plain_message(problem: ErrorDetails) -> str:
    """Pydantic's message for one problem, in the course's words (a control character is
    named by its code)."""
    if problem["type"] == CONTROL_ERROR and isinstance(problem.get("input"), str):
        text = problem["input"]
        found = control_problem(text) or control_problem(text, single_line=True)
        if found:
            return found
    message = _PLAIN_MESSAGES.get(problem["type"], problem["msg"])
    if problem["type"].startswith("value_error"):
        message = message.removeprefix("Value error, ")
    return message


def from_validation_error(
    error: ValidationError,
    path: str | PathLike[str],
    cls: type[DataFileError] = DataFileError,
    tag: str | None = None,
) -> DataFileError:
    """Convert the first problem of a pydantic ``ValidationError`` into ``cls``.

    ``tag`` is the discriminator value when a union was validated: it leads pydantic's
    location and is left out of the field name. The message says how many further problems
    there are, so nothing is hidden. Quoted input is shown as a Python literal, so control
    characters in it are escaped.
    """
    problems = error.errors(include_url=False)
    first = problems[0]
    loc = tuple(first["loc"])
    if tag is not None and loc[:1] == (tag,):
        loc = loc[1:]
    message = plain_message(first)
    if "input" in first and first["type"] not in ("missing", "extra_forbidden"):
        shown = repr(first["input"])
        if len(shown) <= 60 and not isinstance(first["input"], dict | list):
            message = f"{message} (found {shown})"
    if len(problems) > 1:
        more = len(problems) - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return cls(path, format_location(loc) or None, message)
