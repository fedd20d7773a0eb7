"""Termly progress logs in a records folder: at most one per term, three per academic year.

* a log belongs to the term its date falls in (see :mod:`wholeschool.core.terms`);
* filing a second log for a term that already has one is refused with a message naming the
  earlier file, which is left exactly as it was; the lead edits that log instead;
* a log's stored term and academic year must match its date (checked on every load and save).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError

from ..core.errors import RecordError, from_validation_error
from ..core.records import ProgressLog
from ..core.terms import Term, term_of
from .current import current_records
from .folder import RecordFolder
from .locations import log_file

TERMS_PER_YEAR = 3


def new_log(
    folder: RecordFolder, school: str, date: dt.date | None = None, **fields
) -> ProgressLog:
    """A log dated ``date`` (default today), its term and academic year worked out from it."""
    date = date or folder.today()
    term = term_of(date)
    try:
        return ProgressLog.model_validate(
            {
                "school": school,
                "framework_version": folder.framework.version,
                "date": date,
                "academic_year": term.academic_year,
                "term": term.name,
                **fields,
            },
            context={"today": folder.today()},
        )
    except ValidationError as error:
        raise from_validation_error(error, log_path(folder, term), RecordError) from None


def scan_logs(folder: RecordFolder) -> tuple[list[tuple[Path, ProgressLog]], list[RecordError]]:
    """Every progress log in the folder, oldest first (the store's order, see
    :mod:`.current`), and the errors of ``progress-*`` files."""
    records = current_records(folder)
    return records.log_files, records.log_problems


def log_path(folder: RecordFolder, term: Term) -> Path:
    return folder.file(log_file(term.academic_year, term.name))


def file_log(folder: RecordFolder, log: ProgressLog) -> Path:
    """Save a new log, refusing a second one for the same term (the earlier file is kept).

    The check for an earlier log of the term and the save happen under the term's lock, so two
    kernels filing the same term at once keep exactly one log and the other is told.
    """
    term = log.term_key
    path = log_path(folder, term)
    if log.date > folder.today():
        raise RecordError(path, "date", f"{log.date} is in the future; date a log when you file it")

    def first_of_term(current: ProgressLog | None) -> ProgressLog:
        logs, _errors = scan_logs(folder)
        same = [p for p, earlier in logs if earlier.term_key == term]
        if current is not None and path not in same:
            same.append(path)
        if same:
            in_year = {e.term for _p, e in logs if e.academic_year == term.academic_year}
            full = (
                f" All {TERMS_PER_YEAR} logs for {term.academic_year} have been filed."
                if len(in_year) >= TERMS_PER_YEAR
                else ""
            )
            raise RecordError(
                path,
                "term",
                f"not saved: there is already a progress log for the {term.name} term of "
                f"{term.academic_year} ({same[0].name}); there can be one log per term, so "
                f"edit that one instead.{full}",
            )
        return log

    folder.update(path.name, ProgressLog, first_of_term)
    return path
