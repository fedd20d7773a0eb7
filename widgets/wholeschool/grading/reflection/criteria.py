"""The reflection criteria, as data (``data/reflection_criteria.yaml``), validated."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...core.content import DATA
from ...core.datafiles import load_yaml_model
from ...core.errors import DataFileError
from ...core.framework import FRAMEWORK, Framework

CRITERIA_FILE = DATA / "reflection_criteria.yaml"
TEXT_FIELDS = ("finding", "evidence", "success_measure", "reflection")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MonthDay(_Data):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)


class WordLimits(_Data):
    min_words: int = Field(ge=0)
    max_words: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> WordLimits:
        if self.min_words > self.max_words:
            raise ValueError(f"min_words {self.min_words} is more than max_words {self.max_words}")
        return self


class CountLimits(_Data):
    min: int = Field(ge=0)
    max: int = Field(ge=1)


class Criterion(_Data):
    id: str = Field(pattern=r"^[a-z][a-z-]*$")
    title: str = Field(min_length=5)
    points: int = Field(ge=0, le=10)


class PrivacyRules(_Data):
    window: int = Field(ge=0, le=5)
    pupil_words: tuple[str, ...] = Field(min_length=1)
    institution_words: frozenset[str]
    not_names: frozenset[str]


class Template(_Data):
    finding: str
    evidence: str
    action_what: str
    action_owner: str
    action_target_date: str
    success_measure: str
    reflection: str


CRITERION_IDS = (
    "finding",
    "evidence",
    "actions",
    "dates",
    "measurable",
    "reflection",
    "indicator",
    "privacy",
    "audit-match",
)


class Criteria(_Data):
    """Everything the checks need to know, read from ``reflection_criteria.yaml``."""

    version: str
    academic_year_start: MonthDay
    text_limits: dict[Literal["finding", "evidence", "success_measure", "reflection"], WordLimits]
    actions: CountLimits
    criteria: tuple[Criterion, ...]
    number_words: tuple[str, ...]
    instruments: tuple[str, ...] = Field(min_length=1)
    role_words: tuple[str, ...] = Field(min_length=1)
    indicator_phrases: dict[str, tuple[str, ...]]
    privacy: PrivacyRules
    template: Template

    @model_validator(mode="after")
    def _complete(self) -> Criteria:
        ids = [c.id for c in self.criteria]
        if sorted(ids) != sorted(CRITERION_IDS):
            raise ValueError(f"criteria must be exactly {', '.join(CRITERION_IDS)}; found {ids}")
        missing = set(TEXT_FIELDS) - set(self.text_limits)
        if missing:
            raise ValueError(f"text_limits is missing {sorted(missing)}")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)


@cache
def load_criteria(path: Path = CRITERIA_FILE, framework: Framework = FRAMEWORK) -> Criteria:
    """Read and validate the criteria file; errors name the file and the field."""
    criteria = load_yaml_model(path, Criteria)
    unknown = sorted(set(criteria.indicator_phrases) - set(framework.indicator_by_id))
    if unknown:
        raise DataFileError(path, "indicator_phrases", f"unknown indicator ids {unknown}")
    return criteria
