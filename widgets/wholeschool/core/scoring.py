"""Scores and the words for them: one rule, used by every form, chart and report.

* A principle's score is the mean of the ratings of its rated indicators; with none rated it
  is ``None`` ("Not rated"), never 0.
* The level a score stands for is the nearest level of the scale, halves going up (a mean of
  2.5 is the level 3 label). Means of whole ratings are exact in binary at .5, so the rule
  needs no tolerance.
* A score is shown with one decimal place, halves going up (2.25 shows as 2.3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .framework import Framework, Level

#: The words shown wherever something has no rating.
NOT_RATED = "Not rated"


def mean(values: list[int]) -> float | None:
    """The mean of ``values``, or ``None`` for none."""
    return sum(values) / len(values) if values else None


def principle_scores(rated: Mapping[str, int], framework: Framework) -> dict[str, float | None]:
    """Principle id → the mean rating of its rated indicators (``None`` where none is rated)."""
    return {
        principle.id: mean([rated[i.id] for i in principle.indicators if i.id in rated])
        for principle in framework.principles
    }


def level_for(score: float | None, framework: Framework) -> Level | None:
    """The level nearest to ``score`` (halves go up), or ``None`` when not rated."""
    if score is None:
        return None
    return framework.level(min(framework.max_rating, max(0, math.floor(score + 0.5))))


def level_label(score: float | None, framework: Framework) -> str:
    """The label of :func:`level_for`, or :data:`NOT_RATED`."""
    level = level_for(score, framework)
    return NOT_RATED if level is None else level.label


def format_score(score: float | None, missing: str = "–") -> str:
    """A score with one decimal place, halves going up; ``missing`` when not rated."""
    if score is None:
        return missing
    return str(Decimal(repr(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent(score: float, framework: Framework) -> int:
    """A score as a whole percentage of the top of the scale, halves going up."""
    return math.floor(100 * score / framework.max_rating + 0.5)
