"""A lead's audit summary shared with their trainer, with the lead's consent.

Only the mean rating of each principle from the lead's current self-audit travels: no notes,
no school label, no indicator ratings. The file says ``"consent": true``; a trainer's page uses
only files that do, and only once at least :data:`MIN_LEADS` leads have shared.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from .framework import FRAMEWORK, Framework
from .models import DataModel
from .records import AuditRecord
from .scoring import principle_scores

#: The fewest leads whose summaries a cohort view shows (fewer could single a school out).
MIN_LEADS = 3


class SharedSummary(DataModel):
    """Principle id → mean rating (``None``: not rated), shared on a date, with consent."""

    consent: Literal[True]
    shared_on: dt.date
    framework_version: str = Field(max_length=20)
    principles: dict[str, float | None]

    @field_validator("principles")
    @classmethod
    def _known(cls, value: dict[str, float | None]) -> dict[str, float | None]:
        ids = {p.id for p in FRAMEWORK.principles}
        if set(value) - ids:
            raise ValueError(f"unknown principles {sorted(set(value) - ids)}")
        for key, score in value.items():
            if score is not None and not 0 <= score <= FRAMEWORK.max_rating:
                raise ValueError(f"{key}: {score} is outside 0–{FRAMEWORK.max_rating}")
        return value


def summary_of(
    audit: AuditRecord, today: dt.date, framework: Framework = FRAMEWORK
) -> SharedSummary:
    """What a lead shares of ``audit``: the mean rating of each principle, nothing else."""
    scores = principle_scores(audit.rated(), framework)
    return SharedSummary(
        consent=True,
        shared_on=today,
        framework_version=framework.version,
        principles={key: None if v is None else round(v, 2) for key, v in scores.items()},
    )
