"""Course content kept as data: worked examples, reflection questions and curated resources.

All live in ``data/`` beside the framework and are validated here; the book pages and the
nbgrader assignments render them, so nothing is restated by hand.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field

from .datafiles import load_yaml_model
from .errors import DataFileError
from .framework import FRAMEWORK, Framework
from .models import DataModel

DATA = Path(str(resources.files("wholeschool") / "data"))
SETTINGS = ("primary", "secondary", "college")


class SettingExamples(DataModel):
    """What an indicator can look like in each kind of setting."""

    primary: str = Field(min_length=20)
    secondary: str = Field(min_length=20)
    college: str = Field(min_length=20)


class PrincipleExamples(DataModel):
    principle: str
    indicators: dict[str, SettingExamples]


class Question(DataModel):
    """A reflection question, graded by hand against the rubric."""

    id: str = Field(pattern=r"^[a-z-]+-q[0-9]+$")
    text: str = Field(min_length=20)
    points: int = Field(ge=1, le=20)


class Reflections(DataModel):
    version: str
    principles: dict[str, tuple[Question, ...]]
    capstone: tuple[Question, ...] = Field(min_length=1)


def load_examples(
    principle_id: str, folder: Path = DATA / "examples", framework: Framework = FRAMEWORK
) -> PrincipleExamples:
    """Examples for every indicator of one principle, checked against the framework."""
    path = folder / f"{principle_id}.yaml"
    examples = load_yaml_model(path, PrincipleExamples)
    principle = framework.principle(principle_id)
    if examples.principle != principle_id:
        raise DataFileError(
            path, "principle", f"is {examples.principle!r}, expected {principle_id!r}"
        )
    expected = [indicator.id for indicator in principle.indicators]
    if sorted(examples.indicators) != sorted(expected):
        missing = sorted(set(expected) - set(examples.indicators))
        unknown = sorted(set(examples.indicators) - set(expected))
        raise DataFileError(path, "indicators", f"missing {missing}, unknown {unknown}")
    return examples


@cache
def load_reflections(
    path: Path = DATA / "reflections.yaml", framework: Framework = FRAMEWORK
) -> Reflections:
    """All reflection questions, with one set for every principle of the framework."""
    reflections = load_yaml_model(path, Reflections)
    if set(reflections.principles) != set(framework.principle_by_id):
        raise DataFileError(path, "principles", "must list every principle of the framework once")
    return reflections


def reflection_questions(principle_id: str) -> tuple[Question, ...]:
    """The reflection questions for a principle id, or for ``"capstone"``."""
    reflections = load_reflections()
    if principle_id == "capstone":
        return reflections.capstone
    FRAMEWORK.principle(principle_id)  # a clear KeyError for an unknown id
    return reflections.principles[principle_id]


class QualityCriterion(DataModel):
    """One test a resource should pass before it is used with pupils or staff."""

    id: str = Field(pattern=r"^[a-z-]+$")
    name: str = Field(min_length=5)
    question: str = Field(min_length=20)


class EvidenceLevel(DataModel):
    """How strong the evidence behind a resource is, on the course's own short scale."""

    id: str = Field(pattern=r"^[a-z-]+$")
    label: str = Field(min_length=3)
    meaning: str = Field(min_length=20)


class Resource(DataModel):
    """A real, well-known resource, described in our own words."""

    title: str = Field(min_length=3)
    organisation: str = Field(min_length=2)
    url: str | None = Field(default=None, pattern=r"^https://[^\s]+$")
    description: str = Field(min_length=40)
    evidence: str
    settings: tuple[Literal["primary", "secondary", "college"], ...] = Field(min_length=1)


class Resources(DataModel):
    """Quality criteria, evidence levels, and a curated list of resources for every principle."""

    version: str
    criteria: tuple[QualityCriterion, ...] = Field(min_length=1)
    evidence_levels: tuple[EvidenceLevel, ...] = Field(min_length=1)
    principles: dict[str, tuple[Resource, ...]]

    def level(self, level_id: str) -> EvidenceLevel:
        return next(level for level in self.evidence_levels if level.id == level_id)


def load_resources(
    path: Path = DATA / "resources.yaml", framework: Framework = FRAMEWORK
) -> Resources:
    """The resources file, with every principle listed and every evidence level known."""
    data = load_yaml_model(path, Resources)
    expected = [principle.id for principle in framework.principles]
    if sorted(data.principles) != sorted(expected):
        missing = sorted(set(expected) - set(data.principles))
        unknown = sorted(set(data.principles) - set(expected))
        raise DataFileError(path, "principles", f"missing {missing}, unknown {unknown}")
    known = {level.id for level in data.evidence_levels}
    for principle_id, items in data.principles.items():
        if not items:
            raise DataFileError(path, f"principles.{principle_id}", "lists no resources")
        for i, item in enumerate(items):
            if item.evidence not in known:
                raise DataFileError(
                    path,
                    f"principles.{principle_id}[{i}].evidence",
                    f"{item.evidence!r} is not one of {sorted(known)}",
                )
    return data
