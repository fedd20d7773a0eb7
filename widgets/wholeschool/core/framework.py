"""The eight-principle framework, loaded from data and validated on import.

The framework (principles, indicators, rating scale, the safeguarding gate, version) lives in
``data/framework.yaml``; nothing here restates it. ``FRAMEWORK`` is the validated copy the rest
of the package uses.
"""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from .datafiles import parse_model, read_yaml
from .errors import FrameworkError
from .models import DataModel

FRAMEWORK_FILE = Path(str(resources.files("wholeschool") / "data" / "framework.yaml"))
_ID = r"[a-z][a-z-]*"


class Level(DataModel):
    """One point of the rating scale."""

    value: int = Field(ge=0)
    label: str = Field(min_length=1)
    descriptor: str = Field(min_length=1)


class Indicator(DataModel):
    """Something a lead can rate, written in plain words, with what would show it."""

    id: str = Field(pattern=rf"^{_ID}\.[1-9][0-9]*$")
    text: str = Field(min_length=10, max_length=200)
    shows: str | None = Field(default=None, min_length=10, max_length=200)
    #: What each level above "not started" looks like for this indicator (framework 2.1 on).
    levels: dict[int, str] | None = None
    #: Where primary, secondary and college read the indicator differently.
    setting_note: str | None = Field(default=None, min_length=10, max_length=200)

    @field_validator("levels")
    @classmethod
    def _short_sentences(cls, levels: dict[int, str] | None) -> dict[int, str] | None:
        for value, sentence in (levels or {}).items():
            if not 10 <= len(sentence) <= 160:
                raise ValueError(f"level {value} must be one sentence of 10 to 160 characters")
        return levels

    def __hash__(self) -> int:  # ``levels`` is a dict; an indicator is known by its id
        return hash(self.id)

    @property
    def principle_id(self) -> str:
        return self.id.split(".", 1)[0]


class Principle(DataModel):
    """One of the eight principles of the whole school and college approach."""

    id: str = Field(pattern=rf"^{_ID}$")
    number: int = Field(ge=1, le=8)
    centre: bool = False
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1, max_length=50)
    summary: str = Field(min_length=1, max_length=200)
    indicators: tuple[Indicator, ...] = Field(min_length=4, max_length=10)

    @model_validator(mode="after")
    def _indicators_belong_here(self) -> Principle:
        for i, indicator in enumerate(self.indicators):
            if indicator.principle_id != self.id:
                raise ValueError(
                    f"indicator {i} has id {indicator.id!r}, which must start with {self.id + '.'!r}"
                )
        ids = [indicator.id for indicator in self.indicators]
        if len(set(ids)) != len(ids):
            raise ValueError(f"indicator ids repeat: {sorted(ids)}")
        return self


class GateAnswer(DataModel):
    """One answer to the safeguarding gate."""

    id: str = Field(pattern=rf"^{_ID}$")
    label: str = Field(min_length=2, max_length=60)
    meaning: str = Field(min_length=10, max_length=300)


class Gate(DataModel):
    """The safeguarding route: one of four answers (in place or not), never rated on the scale.

    Any answer but ``in_place`` is an escalation: it heads the action plan and the governors'
    report, and no weighting or limit can drop it. No answer yet is not an escalation: it is
    shown as a question still to answer (see :mod:`wholeschool.core.gate`).
    """

    id: str = Field(pattern=rf"^{_ID}$")
    principle: str
    text: str = Field(min_length=10, max_length=200)
    shows: str = Field(min_length=10, max_length=200)
    answers: tuple[GateAnswer, ...] = Field(min_length=2)
    in_place: str
    escalation: str = Field(min_length=20)

    @model_validator(mode="after")
    def _in_place_is_an_answer(self) -> Gate:
        ids = [a.id for a in self.answers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"answer ids repeat: {sorted(ids)}")
        if self.in_place not in ids:
            raise ValueError(f"in_place {self.in_place!r} is not one of the answers {ids}")
        return self

    def answer(self, answer_id: str | None) -> GateAnswer | None:
        """The answer with this id, or ``None`` when unanswered."""
        return next((a for a in self.answers if a.id == answer_id), None)

    def escalates(self, answer_id: str | None) -> bool:
        """True for an answer short of "in place"; not for no answer yet."""
        return answer_id is not None and answer_id != self.in_place


class Framework(DataModel):
    """The whole framework: a version, a rating scale, eight principles and the gate."""

    version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    title: str
    source: str
    scale: tuple[Level, ...] = Field(min_length=2)
    gate: Gate | None = None
    principles: tuple[Principle, ...] = Field(min_length=8, max_length=8)

    @field_validator("scale")
    @classmethod
    def _scale_counts_up_from_zero(cls, scale: tuple[Level, ...]) -> tuple[Level, ...]:
        values = [level.value for level in scale]
        if values != list(range(len(scale))):
            raise ValueError(f"levels must be numbered 0, 1, 2... in order; found {values}")
        return scale

    @model_validator(mode="after")
    def _principles_are_consistent(self) -> Framework:
        if [p.number for p in self.principles] != list(range(1, 9)):
            raise ValueError("principles must be numbered 1 to 8 in order")
        if len({p.id for p in self.principles}) != 8:
            raise ValueError("principle ids must be unique")
        centres = [p.id for p in self.principles if p.centre]
        if centres != [self.principles[0].id]:
            raise ValueError("exactly one principle, the first, sits at the centre")
        if self.gate is not None:
            if self.gate.principle not in {p.id for p in self.principles}:
                raise ValueError(f"gate.principle {self.gate.principle!r} is not a principle")
            if self.gate.id in {i.id for p in self.principles for i in p.indicators}:
                raise ValueError(f"gate.id {self.gate.id!r} is also an indicator id")
        described = [level.value for level in self.scale[1:]]
        for indicator in (i for p in self.principles for i in p.indicators):
            if indicator.levels is not None and sorted(indicator.levels) != described:
                raise ValueError(
                    f"{indicator.id}: levels must describe {described}, "
                    f"found {sorted(indicator.levels)}"
                )
        return self

    @property
    def max_rating(self) -> int:
        return self.scale[-1].value

    @cached_property
    def principle_by_id(self) -> dict[str, Principle]:
        return {p.id: p for p in self.principles}

    @cached_property
    def indicator_by_id(self) -> dict[str, Indicator]:
        return {i.id: i for p in self.principles for i in p.indicators}

    def principle(self, principle_id: str) -> Principle:
        """Return a principle by id, or raise ``KeyError`` listing the known ids."""
        try:
            return self.principle_by_id[principle_id]
        except KeyError:
            known = ", ".join(self.principle_by_id)
            raise KeyError(f"unknown principle {principle_id!r}; known: {known}") from None

    def level(self, value: int) -> Level:
        """Return the scale level for a rating value."""
        return self.scale[value]

    def descriptor(self, indicator_id: str, value: int) -> str:
        """What ``value`` looks like for this indicator; the generic scale where it has none."""
        own = self.indicator_by_id[indicator_id].levels or {}
        return own.get(value) or self.scale[value].descriptor

    def level_choices(self, indicator_id: str) -> list[tuple[str, int]]:
        """A form's choices for one indicator: each level's name and its own descriptor."""
        return [
            (f"{level.label}: {self.descriptor(indicator_id, level.value)}", level.value)
            for level in self.scale
        ]

    def is_reference(self, key: str) -> bool:
        """Whether plans and evidence may refer to ``key``: an indicator, or the gate."""
        return key in self.indicator_by_id or (self.gate is not None and key == self.gate.id)

    def principle_of(self, key: str) -> str | None:
        """The principle id an indicator (or the gate) belongs to, or ``None`` if unknown."""
        if key in self.indicator_by_id:
            return self.indicator_by_id[key].principle_id
        if self.gate is not None and key == self.gate.id:
            return self.gate.principle
        return None


def load_framework(path: str | Path = FRAMEWORK_FILE) -> Framework:
    """Read and validate a framework file; errors name the file and the field."""
    data = read_yaml(path, FrameworkError)
    if not isinstance(data, dict):
        raise FrameworkError(path, None, "must be a YAML mapping with version, scale, principles")
    return parse_model(Framework, data, path, FrameworkError)


FRAMEWORK: Framework = load_framework()
