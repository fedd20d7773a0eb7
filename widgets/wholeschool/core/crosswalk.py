"""One audit, several frameworks: the crosswalk from our indicators to other frameworks' headings.

The mapping lives in ``data/crosswalk.yaml`` (by reference: ids and short heading names, in our
own words). :func:`load_crosswalk` validates it against the framework; :func:`crosswalk_table`
re-expresses a lead's audit against each target heading, as plain rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from .content import DATA
from .datafiles import read_yaml
from .errors import DataFileError, from_validation_error
from .framework import FRAMEWORK, Framework
from .models import DataModel
from .scoring import mean, percent

CROSSWALK_FILE = DATA / "crosswalk.yaml"
_ID = r"^[a-z][a-z0-9-]*$"


class Target(DataModel):
    """A heading of another framework, named by reference."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=3, max_length=80)


class OtherFramework(DataModel):
    """Another framework the school is asked about, and its headings."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=3)
    short_name: str = Field(min_length=2, max_length=30)
    source: str = Field(min_length=10)
    targets: tuple[Target, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_targets(self) -> OtherFramework:
        ids = [t.id for t in self.targets]
        if len(set(ids)) != len(ids):
            raise ValueError(f"target ids repeat: {sorted(ids)}")
        return self


class Crosswalk(DataModel):
    """Every framework's targets, and for each indicator the targets it counts towards."""

    version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    framework_version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    frameworks: tuple[OtherFramework, ...] = Field(min_length=1)
    mappings: dict[str, dict[str, tuple[str, ...]]]

    def other(self, framework_id: str) -> OtherFramework:
        """The framework with this id, or a ``KeyError`` listing the known ids."""
        for other in self.frameworks:
            if other.id == framework_id:
                return other
        known = ", ".join(f.id for f in self.frameworks)
        raise KeyError(f"unknown framework {framework_id!r}; known: {known}")

    def indicators_for(self, framework_id: str, target_id: str) -> list[str]:
        """Indicator ids mapped to one target, in the order of the mapping file."""
        return [
            indicator
            for indicator, by_framework in self.mappings.items()
            if target_id in by_framework.get(framework_id, ())
        ]


def crosswalk_problems(
    crosswalk: Crosswalk, framework: Framework, complete: bool = True
) -> list[tuple[str, str]]:
    """``(field, problem)`` for every way ``crosswalk`` does not fit ``framework``.

    With ``complete``, also every indicator must be mapped and every target used.
    """
    problems: list[tuple[str, str]] = []
    targets = {f.id: {t.id for t in f.targets} for f in crosswalk.frameworks}
    for indicator, by_framework in crosswalk.mappings.items():
        where = f'mappings["{indicator}"]'
        if not framework.is_reference(indicator):
            problems.append((where, f"unknown indicator {indicator!r} (not in the framework)"))
            continue
        for framework_id, target_ids in by_framework.items():
            if framework_id not in targets:
                known = ", ".join(targets)
                problems.append((f"{where}.{framework_id}", f"unknown framework (known: {known})"))
                continue
            for i, target_id in enumerate(target_ids):
                if target_id not in targets[framework_id]:
                    known = ", ".join(sorted(targets[framework_id]))
                    problems.append(
                        (
                            f"{where}.{framework_id}[{i}]",
                            f"unknown target {target_id!r} (known: {known})",
                        )
                    )
    if not complete:
        return problems
    wanted = [*framework.indicator_by_id, *([framework.gate.id] if framework.gate else [])]
    unmapped = [i for i in wanted if not any(crosswalk.mappings.get(i, {}).values())]
    if unmapped:
        problems.append(("mappings", f"indicators not mapped to anything: {', '.join(unmapped)}"))
    for other in crosswalk.frameworks:
        for target in other.targets:
            if not crosswalk.indicators_for(other.id, target.id):
                problems.append(
                    (
                        f"frameworks.{other.id}",
                        f"target {target.id!r} has no indicator mapped to it",
                    )
                )
    return problems


def parse_crosswalk(
    data: object, path: str | Path, framework: Framework = FRAMEWORK, complete: bool = True
) -> Crosswalk:
    """Validate crosswalk data; ``complete=False`` allows a partial mapping (small fixtures)."""
    if not isinstance(data, dict):
        raise DataFileError(path, None, "must be a YAML mapping with frameworks and mappings")
    try:
        crosswalk = Crosswalk.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, path) from None
    for field, problem in crosswalk_problems(crosswalk, framework, complete):
        raise DataFileError(path, field, problem)
    return crosswalk


def load_crosswalk(
    path: str | Path = CROSSWALK_FILE, framework: Framework = FRAMEWORK
) -> Crosswalk:
    """Read and validate a crosswalk file; errors name the file and the field."""
    path = Path(path)
    return parse_crosswalk(read_yaml(path), path, framework)


@cache
def default_crosswalk() -> Crosswalk:
    """The package's crosswalk, loaded and validated once."""
    return load_crosswalk()


@dataclass(frozen=True)
class CrosswalkRow:
    """The audit read against one heading of another framework."""

    framework: str
    target_id: str
    target: str
    indicators: int
    rated: int
    mean_rating: float | None
    percent: int | None
    weakest: str | None
    #: The safeguarding gate's answer label, where the gate counts towards this heading.
    gate: str | None = None


def crosswalk_table(
    ratings: Mapping[str, int],
    crosswalk: Crosswalk | None = None,
    framework: Framework = FRAMEWORK,
    gate_answer: str | None = None,
) -> list[CrosswalkRow]:
    """The audit's ratings re-expressed against every target of every other framework.

    ``ratings`` maps indicator id → rating (``AuditRecord.rated()``). One row per target: how
    many indicators count towards it, how many are rated, their mean rating, that mean as a
    percentage of the top of the scale, and the lowest-rated indicator (the first on a tie).
    Unrated targets have no mean, percent or weakest. A target the safeguarding gate counts
    towards also carries the gate's answer (``gate_answer`` is the audit's answer id).
    """
    crosswalk = crosswalk or default_crosswalk()
    gate = framework.gate
    rows = []
    for other in crosswalk.frameworks:
        for target in other.targets:
            mapped = crosswalk.indicators_for(other.id, target.id)
            indicators = [i for i in mapped if i in framework.indicator_by_id]
            rated = [(i, ratings[i]) for i in indicators if ratings.get(i) is not None]
            average = mean([r for _, r in rated])
            gate_words = None
            if gate is not None and gate.id in mapped:
                answer = gate.answer(gate_answer)
                gate_words = answer.label if answer else "Not answered"
            rows.append(
                CrosswalkRow(
                    framework=other.short_name,
                    target_id=target.id,
                    target=target.name,
                    indicators=len(indicators),
                    rated=len(rated),
                    mean_rating=average,
                    percent=None if average is None else percent(average, framework),
                    weakest=min(rated, key=lambda pair: pair[1])[0] if rated else None,
                    gate=gate_words,
                )
            )
    return rows
