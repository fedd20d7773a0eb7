"""Dates as people read them: "1 November 2026", the UK long form, in every page, message and
document made for a lead or a trainer (HTML, Word, Markdown, Excel, the forms).

Files made for machines keep ISO dates ("2026-11-01"): the JSON records and CSV. A date read
back from a record as text (a field's value in the records' history) is shown through
:func:`long_date_text`.
"""

from __future__ import annotations

import datetime as dt
import re

#: Month names in English whatever the machine's locale (``%B`` follows the locale).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def long_date(day: dt.date) -> str:
    """``day`` as "1 November 2026": no leading zero, the month in full."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_date_text(value: str) -> str:
    """``value`` in the long form if it is an ISO date (as records store dates), else as it is."""
    if _ISO_DATE.fullmatch(value):
        try:
            return long_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value
