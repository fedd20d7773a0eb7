"""What a saved record holds, and how it is checked against the framework.

Records hold a school label the lead chooses, dates, ratings and short notes: there is no field
for pupil names or any other pupil data, and unknown fields are refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from packaging.version import Version
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from .framework import Framework

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


#: Every record type, by the value of its ``kind`` field.
RECORD_TYPES: dict[str, type[Record]] = {cls.kind_name: cls for cls in (AuditRecord,)}
