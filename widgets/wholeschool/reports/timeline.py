"""Where the school stood at each point of the year: the baseline audit, then each termly log.

Like is compared with like: every score is the mean of the indicators rated at that point, in
the self-audit and in each log alike (see :mod:`wholeschool.core.scoring`). Logs made before
framework 2.0 rated each principle as a whole; such a score is kept, and marked as a
whole-principle rating wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..core.dates import long_date
from ..core.framework import Framework
from ..core.records import AuditRecord, ProgressLog
from ..core.scoring import principle_scores
from ..core.terms import Term, term_of

#: How a snapshot's score for a principle was worked out.
MEAN = "mean of indicators"
WHOLE = "whole-principle rating"
WHAT_IS_COMPARED = (
    "Each score is the mean of the ratings of the principle's indicators, on the 0–4 scale, "
    "in the baseline self-audit and in each termly progress log alike."
)


@dataclass(frozen=True)
class Snapshot:
    """Principle scores at one point: the self-audit or a termly progress log."""

    label: str
    date: dt.date
    term: Term
    source: str
    scores: dict[str, float | None]
    basis: dict[str, str] = field(default_factory=dict)

    def marked(self, principle_id: str) -> bool:
        """True where the score is an older whole-principle rating, not a mean."""
        return self.basis.get(principle_id) == WHOLE


def audit_snapshot(audit: AuditRecord, framework: Framework) -> Snapshot:
    scores = principle_scores(audit.rated(), framework)
    return Snapshot(
        f"self-audit of {long_date(audit.date)}",
        audit.date,
        term_of(audit.date),
        "audit",
        scores,
        {pid: MEAN for pid in scores},
    )


def log_snapshot(log: ProgressLog, framework: Framework) -> Snapshot:
    means = principle_scores(log.rated(), framework)
    scores: dict[str, float | None] = {}
    basis: dict[str, str] = {}
    for principle in framework.principles:
        if means[principle.id] is not None:
            scores[principle.id], basis[principle.id] = means[principle.id], MEAN
        elif log.ratings.get(principle.id) is not None:
            scores[principle.id] = float(log.ratings[principle.id])  # type: ignore[arg-type]
            basis[principle.id] = WHOLE
        else:
            scores[principle.id] = None
    return Snapshot(f"{log.term_key.label} log", log.date, log.term_key, "progress", scores, basis)


def timeline(
    audit: AuditRecord | None, logs: list[ProgressLog], framework: Framework
) -> list[Snapshot]:
    """The baseline audit (if any), then each log, oldest first."""
    points = [audit_snapshot(audit, framework)] if audit is not None else []
    points += [log_snapshot(log, framework) for log in sorted(logs, key=lambda lg: lg.term_key)]
    return points


def any_whole_principle(points: list[Snapshot]) -> bool:
    return any(WHOLE in point.basis.values() for point in points)
