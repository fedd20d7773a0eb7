"""School terms and academic years, as plain functions.

The academic year starts on 1 September. The three terms are fixed by calendar date, so that
every date belongs to exactly one term:

* autumn: 1 September to 31 December
* spring: 1 January to 31 March
* summer: 1 April to 31 August (the summer holiday counts with the summer term)

An academic year is written ``2026-27``: it runs from 1 September 2026 to 31 August 2027.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

TermName = Literal["autumn", "spring", "summer"]
TERM_NAMES: tuple[TermName, ...] = ("autumn", "spring", "summer")
_YEAR = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def academic_year_label(start_year: int) -> str:
    """``2026`` → ``"2026-27"``."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def academic_year_start(label: str) -> int:
    """``"2026-27"`` → ``2026``; raises ValueError for anything else."""
    match = _YEAR.match(label)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"academic year {label!r} should look like 2026-27 (two years in a row)")
    return int(match[1])


@dataclass(frozen=True, order=True)
class Term:
    """One term: the academic year's start year and the term's place in it (0, 1, 2)."""

    start_year: int
    index: int

    @property
    def name(self) -> TermName:
        return TERM_NAMES[self.index]

    @property
    def academic_year(self) -> str:
        return academic_year_label(self.start_year)

    @property
    def label(self) -> str:
        """``"Autumn 2026-27"``: short, for chart axes and headings."""
        return f"{self.name.capitalize()} {self.academic_year}"

    @property
    def first_day(self) -> dt.date:
        year = self.start_year + (self.index > 0)
        return dt.date(year, (9, 1, 4)[self.index], 1)

    @property
    def last_day(self) -> dt.date:
        year = self.start_year + (self.index > 0)
        return dt.date(year, *((12, 31), (3, 31), (8, 31))[self.index])

    @classmethod
    def of(cls, academic_year: str, name: str) -> Term:
        """The term called ``name`` in ``academic_year``."""
        if name not in TERM_NAMES:
            raise ValueError(f"unknown term {name!r} (expected one of {', '.join(TERM_NAMES)})")
        return cls(academic_year_start(academic_year), TERM_NAMES.index(name))


def term_of(day: dt.date) -> Term:
    """The term a date falls in."""
    if day.month >= 9:
        return Term(day.year, 0)
    if day.month <= 3:
        return Term(day.year - 1, 1)
    return Term(day.year - 1, 2)
