"""Calibration: rate a fictional setting, then see where you agree with the moderated ratings.

Three settings (a primary, a secondary, a college) live in ``data/calibration/*.yaml``: a
one-page picture of what the setting does, and for every indicator of at least two principles
a moderated rating with a one-line reason. :func:`compare` sets a lead's ratings beside them:
the same level is "agree", one level apart is "one level out", more is "further".
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .content import DATA
from .datafiles import load_yaml_model
from .errors import DataFileError
from .framework import FRAMEWORK, Framework, Indicator

CALIBRATION = DATA / "calibration"
Verdict = Literal["agree", "one level out", "further", "not rated"]
VERDICTS: tuple[Verdict, ...] = ("agree", "one level out", "further", "not rated")
SETTING_ORDER = ("primary", "secondary", "college")
SETTING_NAMES = {
    "primary": "A fictional primary school",
    "secondary": "A fictional secondary school",
    "college": "A fictional further education college",
}


class Moderated(BaseModel):
    """The moderated rating of one indicator and the one-line reason for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rating: int = Field(ge=0)
    reason: str = Field(min_length=10, max_length=200)


class CalibrationSetting(BaseModel):
    """A fictional setting to rate, with its moderated ratings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z-]*$")
    name: str = Field(min_length=3, max_length=80)
    setting: Literal["primary", "secondary", "college"]
    framework_version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    principles: tuple[str, ...] = Field(min_length=2)
    #: One page: about what a lead can read in five minutes.
    picture: str = Field(min_length=200, max_length=4500)
    moderated: dict[str, Moderated]

    @model_validator(mode="after")
    def _one_line_reasons(self) -> CalibrationSetting:
        for key, item in self.moderated.items():
            if "\n" in item.reason.strip():
                raise ValueError(f"moderated.{key}.reason must be one line")
        return self

    def problems(self, framework: Framework) -> list[tuple[str, str]]:
        """``(field, problem)`` for whatever does not fit ``framework``."""
        if self.framework_version != framework.version:
            return [
                (
                    "framework_version",
                    f"is {self.framework_version}; re-moderate it for {framework.version}",
                )
            ]
        found = []
        wanted: list[str] = []
        for principle_id in self.principles:
            if principle_id not in framework.principle_by_id:
                found.append(("principles", f"unknown principle {principle_id!r}"))
                continue
            wanted += [i.id for i in framework.principle(principle_id).indicators]
        missing = [key for key in wanted if key not in self.moderated]
        extra = [key for key in self.moderated if key not in wanted]
        if missing:
            found.append(("moderated", f"no moderated rating for {', '.join(missing)}"))
        if extra:
            found.append(("moderated", f"{', '.join(extra)} not in the listed principles"))
        for key, item in self.moderated.items():
            if item.rating > framework.max_rating:
                found.append((f"moderated.{key}.rating", f"{item.rating} is off the scale"))
        return found


def load_setting(
    path: str | os.PathLike[str], framework: Framework = FRAMEWORK
) -> CalibrationSetting:
    """Read and check one setting; a problem names the file and the field."""
    setting = load_yaml_model(path, CalibrationSetting)
    for field, problem in setting.problems(framework):
        raise DataFileError(path, field, problem)
    return setting


@cache
def calibration_settings(folder: Path = CALIBRATION) -> dict[str, CalibrationSetting]:
    """Every calibration setting of the course, by id (primary, secondary, college)."""
    settings = [load_setting(path) for path in sorted(folder.glob("*.yaml"))]
    return {s.id: s for s in sorted(settings, key=lambda s: SETTING_ORDER.index(s.setting))}


@dataclass(frozen=True)
class Comparison:
    """A lead's rating of one indicator beside the moderated one."""

    indicator: Indicator
    rating: int | None
    moderated: int
    reason: str

    @property
    def distance(self) -> int | None:
        return None if self.rating is None else abs(self.rating - self.moderated)

    @property
    def verdict(self) -> Verdict:
        if self.distance is None:
            return "not rated"
        return ("agree", "one level out")[self.distance] if self.distance < 2 else "further"


@dataclass(frozen=True)
class Calibration:
    """Every comparison for one setting, and how close the lead came overall."""

    setting: CalibrationSetting
    comparisons: tuple[Comparison, ...]

    @property
    def counts(self) -> dict[Verdict, int]:
        found = Counter(c.verdict for c in self.comparisons)
        return {verdict: found[verdict] for verdict in VERDICTS}

    @property
    def within_one(self) -> int:
        """How many ratings agree or are one level out."""
        return self.counts["agree"] + self.counts["one level out"]

    @property
    def total(self) -> int:
        return len(self.comparisons)


def compare(
    setting: CalibrationSetting,
    ratings: Mapping[str, int | None],
    framework: Framework = FRAMEWORK,
) -> Calibration:
    """The lead's ``ratings`` beside the moderated ones, in framework order."""
    unknown = sorted(set(ratings) - set(setting.moderated))
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not an indicator of this calibration setting")
    top = framework.max_rating
    for key, value in ratings.items():
        if value is not None and not 0 <= value <= top:
            raise ValueError(f"{key}: rating {value} is outside 0–{top}")
    comparisons = tuple(
        Comparison(framework.indicator_by_id[key], ratings.get(key), item.rating, item.reason)
        for key in framework.indicator_by_id
        if (item := setting.moderated.get(key)) is not None
    )
    return Calibration(setting, comparisons)


def feedback_lines(calibration: Calibration, framework: Framework = FRAMEWORK) -> list[str]:
    """Plain-English feedback: the overall result, then each indicator not agreed, with the
    moderators' reason quoted."""
    scale = framework.scale
    lines = [
        f"{calibration.setting.name}: you agreed on {calibration.counts['agree']} of "
        f"{calibration.total} indicators and were within one level on {calibration.within_one}."
    ]
    for item in calibration.comparisons:
        if item.verdict == "agree":
            continue
        yours = "not rated" if item.rating is None else scale[item.rating].label
        lines.append(
            f"{item.indicator.text} You: {yours}; moderated: {scale[item.moderated].label} "
            f"({item.verdict}). Reason: \u201c{item.reason}\u201d"
        )
    return lines
