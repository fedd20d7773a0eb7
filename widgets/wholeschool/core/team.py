"""The team audit: several colleagues' ratings side by side, and the rating the team agreed.

Pure functions over validated records: :func:`spreads` lines up every rater's rating of each
indicator, :func:`moderation_record` keeps the agreed ratings with the spread as evidence,
:func:`favour_disagreement` lets the action plan put first the gaps the team disagreed on.
Reading rater files from disk (and refusing hostile ones) is :mod:`wholeschool.store.team`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .framework import FRAMEWORK, Framework, Indicator
from .planning import Gap, favour_gaps
from .records import AuditRecord, ModeratedRating, ModerationRecord, RaterRecord, RaterView

Status = Literal["unrated", "agree", "close", "differ"]
#: Two raters this many levels apart or more "differ": the team should talk it through.
DIFFER_BY = 2
#: Fewer raters than this and a report never says who rated what.
SMALL_NUMBER = 3


@dataclass(frozen=True)
class Spread:
    """Every rater's rating of one indicator."""

    indicator: Indicator
    #: How many raters chose each level, lowest level first.
    counts: tuple[int, ...]
    views: tuple[RaterView, ...]

    @property
    def rated(self) -> int:
        return sum(self.counts)

    @property
    def levels(self) -> list[int]:
        return [level for level, n in enumerate(self.counts) for _ in range(n)]

    @property
    def lowest(self) -> int | None:
        return self.levels[0] if self.rated else None

    @property
    def highest(self) -> int | None:
        return self.levels[-1] if self.rated else None

    @property
    def gap(self) -> int:
        return (self.highest - self.lowest) if self.rated else 0  # type: ignore[operator]

    @property
    def status(self) -> Status:
        if not self.rated:
            return "unrated"
        if self.gap >= DIFFER_BY:
            return "differ"
        return "agree" if self.gap == 0 else "close"

    def suggested(self) -> int | None:
        """A starting point for the agreed rating: the middle rating (the lower of two)."""
        levels = self.levels
        return levels[(len(levels) - 1) // 2] if levels else None


def rater_from_audit(audit: AuditRecord, role: str, today: dt.date) -> RaterRecord:
    """A colleague's own self-audit, rated in their browser or Jupyter, as the file they send.

    Raises pydantic's ``ValidationError`` if a note would be refused on import (an HTML tag).
    """
    return RaterRecord(
        school=audit.school,
        framework_version=audit.framework_version,
        date=today,
        role=role,
        ratings={k: {"rating": v.rating, "note": v.note} for k, v in audit.ratings.items()},
    )


def spreads(raters: Sequence[RaterRecord], framework: Framework = FRAMEWORK) -> list[Spread]:
    """The spread of every indicator, in framework order (unrated ones too)."""
    result = []
    for indicator in framework.indicator_by_id.values():
        counts = [0] * len(framework.scale)
        views = []
        for rater in raters:
            entry = rater.ratings.get(indicator.id)
            if entry is None:
                continue
            if entry.rating is not None:
                counts[entry.rating] += 1
            views.append(RaterView(role=rater.role, rating=entry.rating, note=entry.note))
        result.append(Spread(indicator, tuple(counts), tuple(views)))
    return result


def moderation_record(
    raters: Sequence[RaterRecord],
    agreed: Mapping[str, int | None],
    *,
    school: str,
    today: dt.date,
    framework: Framework = FRAMEWORK,
    notes: Mapping[str, str] | None = None,
) -> ModerationRecord:
    """The team audit as a record: the agreed ratings, each with the spread behind it.

    An indicator not in ``agreed`` takes the spread's :meth:`Spread.suggested` rating.
    """
    if not raters:
        raise ValueError("no rater files: import at least one colleague's ratings")
    unknown = sorted(set(agreed) - set(framework.indicator_by_id))
    if unknown:
        raise ValueError(f"unknown indicator {unknown[0]!r}")
    notes = notes or {}
    indicators = {}
    for spread in spreads(raters, framework):
        key = spread.indicator.id
        if not spread.views and key not in agreed:
            continue
        indicators[key] = ModeratedRating(
            agreed=agreed.get(key, spread.suggested()),
            counts=list(spread.counts),
            views=list(spread.views),
            note=notes.get(key, ""),
        )
    return ModerationRecord(
        school=school,
        framework_version=framework.version,
        date=today,
        raters=len(raters),
        roles=[rater.role for rater in raters],
        indicators=indicators,
    )


def disputed(moderation: ModerationRecord) -> list[str]:
    """Indicators on which two raters were two levels or more apart."""
    found = []
    for key, item in moderation.indicators.items():
        levels = [level for level, n in enumerate(item.counts) if n]
        if levels and levels[-1] - levels[0] >= DIFFER_BY:
            found.append(key)
    return found


def favour_disagreement(gaps: Sequence[Gap], disputed_ids: Sequence[str]) -> list[Gap]:
    """``gaps`` re-ordered so a gap the team disagreed on counts one level bigger (the same as
    ``draft_plan(..., favour=disputed(moderation))``)."""
    return favour_gaps(gaps, disputed_ids)
