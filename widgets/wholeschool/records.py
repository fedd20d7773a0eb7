"""What a saved record holds, and how it is checked against the framework.

Records hold a school label the lead chooses, dates, ratings and short notes: there is no field
for pupil names or any other pupil data, and unknown fields are refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from packaging.version import Version
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from .errors import format_location
from .framework import Framework
from .terms import Term, TermName, term_of

SchoolLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Note = Annotated[str, StringConstraints(max_length=2000)]
FrameworkVersion = Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+$")]

#: Reminder shown next to every free-text field.
NO_PUPIL_DATA = "Do not name pupils or include details that could identify a pupil."


class Record(BaseModel):
    """Fields every record shares. Subclasses set ``kind``."""

    model_config = ConfigDict(extra="forbid")
    kind_name: ClassVar[str]

    schema_version: Literal[1] = 1
    school: SchoolLabel
    framework_version: FrameworkVersion
    date: dt.date

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        """Yield ``(field, problem)`` for everything that does not fit ``framework``."""
        if Version(self.framework_version) > Version(framework.version):
            yield (
                "framework_version",
                f"the record was made with framework {self.framework_version}, newer than this "
                f"course's {framework.version}; update the course package to read it",
            )


class IndicatorRating(BaseModel):
    """A lead's rating of one indicator, and an optional note."""

    model_config = ConfigDict(extra="forbid")

    rating: StrictInt | None = None
    note: Note = ""


def rating_problems(
    ratings: dict[str, IndicatorRating], framework: Framework, field: str = "ratings"
) -> Iterator[tuple[str, str]]:
    """Check rating keys are known indicators and values are on the scale."""
    top = framework.max_rating
    labels = f"{framework.scale[0].label} to {framework.scale[-1].label}"
    for key, entry in ratings.items():
        where = f'{field}["{key}"]'
        principle_id, _, _ = key.partition(".")
        if principle_id not in framework.principle_by_id:
            known = ", ".join(framework.principle_by_id)
            yield where, f"unknown principle {principle_id!r} (known: {known})"
        elif key not in framework.indicator_by_id:
            ids = [i.id for i in framework.principle_by_id[principle_id].indicators]
            yield where, f"unknown indicator {key!r} (this principle has {ids[0]} to {ids[-1]})"
        if entry.rating is not None and not 0 <= entry.rating <= top:
            yield f"{where}.rating", f"rating {entry.rating} is outside 0–{top} ({labels})"


class AuditRecord(Record):
    """A self-audit: a rating and an optional note per indicator."""

    kind_name: ClassVar[str] = "audit"
    kind: Literal["audit"] = "audit"
    ratings: dict[str, IndicatorRating] = Field(default_factory=dict)

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        yield from super().framework_problems(framework)
        yield from rating_problems(self.ratings, framework)

    def rated(self) -> dict[str, int]:
        """Indicator id → rating, for the indicators that have been rated."""
        return {k: v.rating for k, v in self.ratings.items() if v.rating is not None}


#: The fixed list of statuses an action can have.
STATUSES = ("not started", "in progress", "done", "on hold", "dropped")
Status = Literal["not started", "in progress", "done", "on hold", "dropped"]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Role = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]


def indicator_problems(
    ids: list[str], framework: Framework, field: str
) -> Iterator[tuple[str, str]]:
    """Check that each id in ``ids`` is an indicator of the framework."""
    for i, key in enumerate(ids):
        if key not in framework.indicator_by_id:
            yield f"{field}[{i}]", f"unknown indicator {key!r}"


class PlanAction(BaseModel):
    """One SMART action of the plan. ``lead`` is a role (such as "SMHL"), never a pupil."""

    model_config = ConfigDict(extra="forbid")

    indicator: str
    what: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    lead: Role = ""
    start: dt.date
    due: dt.date
    measure: ShortText = ""
    status: Status = "not started"

    @field_validator("due")
    @classmethod
    def _due_not_before_start(cls, due: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and due < start:
            raise ValueError(f"due date {due} is before the start date {start}")
        return due


class PlanRecord(Record):
    """An action plan drafted from a self-audit and edited by the lead."""

    kind_name: ClassVar[str] = "plan"
    kind: Literal["plan"] = "plan"
    audit_date: dt.date | None = None
    pinned: list[str] = Field(default_factory=list)
    dropped: list[str] = Field(default_factory=list)
    actions: list[PlanAction] = Field(default_factory=list)

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        yield from super().framework_problems(framework)
        yield from indicator_problems(self.pinned, framework, "pinned")
        yield from indicator_problems(self.dropped, framework, "dropped")
        for i, action in enumerate(self.actions):
            if action.indicator not in framework.indicator_by_id:
                yield f"actions[{i}].indicator", f"unknown indicator {action.indicator!r}"


class ProgressLog(Record):
    """A termly progress log: the principles re-rated, and what happened this term.

    ``ratings`` maps a principle id to a rating on the framework's scale (or ``None``).
    ``date`` must fall in ``term`` of ``academic_year`` (see :mod:`wholeschool.terms`).
    """

    kind_name: ClassVar[str] = "progress"
    kind: Literal["progress"] = "progress"
    academic_year: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}$")]
    term: TermName
    ratings: dict[str, StrictInt | None] = Field(default_factory=dict)
    done: Note = ""
    helped: Note = ""
    hindered: Note = ""
    next_steps: Note = ""

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        yield from super().framework_problems(framework)
        top = framework.max_rating
        for key, rating in self.ratings.items():
            where = format_location(("ratings", key))
            if key not in framework.principle_by_id:
                known = ", ".join(framework.principle_by_id)
                yield where, f"unknown principle {key!r} (known: {known})"
            elif rating is not None and not 0 <= rating <= top:
                yield where, f"rating {rating} is outside 0–{top}"
        try:
            stated = Term.of(self.academic_year, self.term)
        except ValueError as error:
            yield "academic_year", str(error)
            return
        actual = term_of(self.date)
        if actual != stated:
            yield (
                "date",
                f"{self.date} falls in the {actual.name} term of {actual.academic_year}, not the "
                f"{stated.name} term of {stated.academic_year} (terms: autumn 1 Sep–31 Dec, "
                "spring 1 Jan–31 Mar, summer 1 Apr–31 Aug)",
            )

    @property
    def term_key(self) -> Term:
        """The term this log belongs to."""
        return Term.of(self.academic_year, self.term)


#: Every record type, by the value of its ``kind`` field.
RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind_name: cls for cls in (AuditRecord, PlanRecord, ProgressLog)
}

# The evidence log (evidence.py) builds on Record and adds the "evidence" kind to RECORD_TYPES.
from . import evidence  # noqa: E402, F401
