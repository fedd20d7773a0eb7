"""A cohort's calibration exercise: every lead rates the same fictional setting on the hub.

The trainer opens the exercise on one of the course's settings (:class:`Exercise`); each lead
sends their own ratings as a rater file (:class:`~.records.RaterRecord`, made for the
setting's name). :func:`cohort_calibration` lines the leads' ratings up indicator by indicator
with the team audit's own rule (:func:`~.team.spreads`: agree, one level apart, or differ by
:data:`~.team.DIFFER_BY` levels or more) beside the moderated rating and its reason. Who rated
what is kept only when at least :data:`~.team.SMALL_NUMBER` leads rated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field

from .calibration import CalibrationSetting, Moderated
from .framework import FRAMEWORK, Framework
from .models import DataModel
from .records import RaterRecord
from .team import SMALL_NUMBER, Spread, spreads

#: How many levels from the moderated rating still counts as "close".
CLOSE = 1


class Exercise(DataModel):
    """The setting a trainer chose for the cohort to rate, and when they opened it."""

    setting: str = Field(pattern=r"^[a-z][a-z-]{0,30}$")
    opened: dt.date


@dataclass(frozen=True)
class CohortIndicator:
    """The cohort's ratings of one indicator beside the moderated one."""

    spread: Spread
    moderated: Moderated
    #: (lead, rating) for each lead who rated it; empty below :data:`SMALL_NUMBER` raters.
    who: tuple[tuple[str, int], ...]

    @property
    def within_one(self) -> int:
        """How many leads rated within one level of the moderated rating."""
        return sum(abs(level - self.moderated.rating) <= CLOSE for level in self.spread.levels)

    @property
    def further(self) -> int:
        """How many leads rated two levels or more from the moderated rating."""
        return self.spread.rated - self.within_one


@dataclass(frozen=True)
class CohortCalibration:
    """The whole cohort's ratings of one setting, indicator by indicator in framework order."""

    setting: CalibrationSetting
    raters: int
    indicators: tuple[CohortIndicator, ...]

    @property
    def shows_who(self) -> bool:
        """Whether who rated what may be shown (the small-number rule)."""
        return self.raters >= SMALL_NUMBER

    @property
    def differ(self) -> tuple[CohortIndicator, ...]:
        """Indicators where two leads are two levels or more apart."""
        return tuple(i for i in self.indicators if i.spread.status == "differ")

    @property
    def agree(self) -> tuple[CohortIndicator, ...]:
        """Indicators every lead who rated rated the same."""
        return tuple(i for i in self.indicators if i.spread.status == "agree")


def cohort_calibration(
    setting: CalibrationSetting,
    ratings: Mapping[str, RaterRecord],
    framework: Framework = FRAMEWORK,
) -> CohortCalibration:
    """Lead name → their rater file for ``setting``, as the cohort's spread per indicator."""
    leads = sorted(ratings)
    records = [ratings[lead] for lead in leads]
    shows_who = len(records) >= SMALL_NUMBER
    indicators = []
    for spread in spreads(records, framework):
        moderated = setting.moderated.get(spread.indicator.id)
        if moderated is None:
            continue
        who = ()
        if shows_who:
            who = tuple(
                (lead, rating)
                for lead, record in zip(leads, records, strict=True)
                if (rating := record.rated().get(spread.indicator.id)) is not None
            )
        indicators.append(CohortIndicator(spread, moderated, who))
    return CohortCalibration(setting, len(records), tuple(indicators))
