"""The reflection rubric: criteria and level descriptors kept as data, validated on load.

The rubric file sits in the nbgrader course folder (``assessments/rubric.yaml``). It is rendered
into each assignment notebook beside the reflection questions and into the trainer's feedback,
where a hand-given score picks the level whose descriptors are shown.
"""

from __future__ import annotations

import os

from pydantic import Field, model_validator

from .datafiles import load_yaml_model
from .models import DataModel

_ID = r"^[a-z][a-z-]*$"


class Level(DataModel):
    """A level of achievement, reached when the score is at least ``min_fraction`` of the points."""

    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1, max_length=40)
    min_fraction: float = Field(ge=0, le=1)


class Criterion(DataModel):
    """Something a good reflection shows, with a descriptor for every level."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1, max_length=60)
    descriptors: dict[str, str]


class Rubric(DataModel):
    """Levels (lowest first) and the criteria described at each level."""

    version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    title: str = Field(min_length=1)
    levels: tuple[Level, ...] = Field(min_length=2)
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        fractions = [level.min_fraction for level in self.levels]
        if fractions[0] != 0:
            raise ValueError("levels: the first level must have min_fraction 0")
        if any(b <= a for a, b in zip(fractions, fractions[1:], strict=False)):
            raise ValueError(f"levels: min_fraction must rise from level to level, got {fractions}")
        level_ids = [level.id for level in self.levels]
        for ids, what in ((level_ids, "level"), ([c.id for c in self.criteria], "criterion")):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{what} ids repeat: {sorted(ids)}")
        for i, criterion in enumerate(self.criteria):
            if sorted(criterion.descriptors) != sorted(level_ids):
                missing = sorted(set(level_ids) - set(criterion.descriptors))
                unknown = sorted(set(criterion.descriptors) - set(level_ids))
                raise ValueError(
                    f"criteria[{i}] ({criterion.id}): descriptors must cover every level once; "
                    f"missing {missing}, unknown {unknown}"
                )
        return self

    def level_for(self, score: float, points: float) -> Level:
        """The highest level whose ``min_fraction`` the score reaches."""
        if points <= 0:
            raise ValueError(f"points must be positive, got {points}")
        if not 0 <= score <= points:
            raise ValueError(f"score {score} is outside 0–{points}")
        fraction = score / points
        return [level for level in self.levels if fraction >= level.min_fraction - 1e-9][-1]

    def score_levels(self, points: int) -> list[tuple[list[int], Level]]:
        """Each level with the whole-number scores out of ``points`` that reach it (a level no
        whole score reaches is left out), lowest first."""
        bands: dict[str, tuple[list[int], Level]] = {}
        for score in range(points + 1):
            level = self.level_for(score, points)
            bands.setdefault(level.id, ([], level))[0].append(score)
        return list(bands.values())

    def marking_guide(self, points: int) -> str:
        """Which score out of ``points`` means which level, in one line of Markdown."""

        def scores(values: list[int]) -> str:
            if len(values) == 1:
                return str(values[0])
            joint = " or " if len(values) == 2 else " to "
            return f"{values[0]}{joint}{values[-1]}"

        parts = [f"{scores(values)} = {level.label}" for values, level in self.score_levels(points)]
        return f"**Rubric levels for this answer (out of {points}):** " + " · ".join(parts)

    def to_markdown(self) -> str:
        """The whole rubric as a Markdown table, criteria down and levels across."""
        header = "| Criterion | " + " | ".join(level.label for level in self.levels) + " |"
        rule = "| --- " * (len(self.levels) + 1) + "|"
        rows = [
            f"| **{c.name}** | " + " | ".join(c.descriptors[lv.id] for lv in self.levels) + " |"
            for c in self.criteria
        ]
        return "\n".join([header, rule, *rows])

    def feedback_markdown(self, score: float, points: float) -> str:
        """What a score means: its level and each criterion's descriptor at that level."""
        level = self.level_for(score, points)
        lines = [f"**{score:g} / {points:g} — {level.label}**", ""]
        lines += [f"- *{c.name}*: {c.descriptors[level.id]}" for c in self.criteria]
        return "\n".join(lines)


def load_rubric(path: str | os.PathLike[str]) -> Rubric:
    """Read and validate a rubric file; errors name the file and the field."""
    return load_yaml_model(path, Rubric)
