"""What a saved record holds, and how it is checked against the framework.

Four kinds of record share one shape (:class:`Record`): the self-audit, the action plan, the
termly progress log and the evidence log. :data:`AnyRecord` is their discriminated union on the
``kind`` field; :data:`RECORD_ADAPTER` validates any of them in one step.

Records hold a school label the lead chooses, dates, ratings and short notes: there is no field
for pupil names or any other pupil data, unknown fields are refused, and text never holds
control characters (see :mod:`wholeschool.core.text`). A record's ``date`` is when it was last
saved, so it cannot be in the future: validation takes "today" from the validation context
(``{"today": date}``), which the record store fills from its clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Annotated, ClassVar, Literal, get_args
from urllib.parse import urlsplit

from packaging.version import Version
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic_core import core_schema

from .clock import today
from .errors import format_location
from .framework import Framework
from .injection import label_problem, markup_problem
from .models import DataModel
from .terms import Term, TermName, term_of
from .text import CONTROL_ERROR, REFUSED_IN_LINE, REFUSED_IN_PROSE, control_problem

#: Reminder shown once on every form with free text.
NO_PUPIL_DATA = "Do not name pupils or include details that could identify a pupil."
#: The school label a record gets until the lead names the school.
DEFAULT_SCHOOL = "My school"
#: Records are dated after this day (the framework's first edition was 2015).
EARLIEST = dt.date(2015, 1, 1)
#: The most digits a number in a record may have (the store's reader refuses longer ones).
MAX_DIGITS = 15
#: A whole number as a record holds it: an integer (not ``true``, not ``2.0``) of at most
#: :data:`MAX_DIGITS` digits.
Whole = Annotated[StrictInt, Field(gt=-(10**MAX_DIGITS), lt=10**MAX_DIGITS)]


@dataclass(frozen=True)
class _NoControl:
    """Refuse control characters (:mod:`wholeschool.core.text`) in a string field, checked in
    pydantic's Rust core as a pattern: no Python call per string, so thousands of records'
    notes are checked at C speed."""

    single_line: bool

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        refused = REFUSED_IN_LINE if self.single_line else REFUSED_IN_PROSE
        check = core_schema.custom_error_schema(
            core_schema.str_schema(pattern=f"^[^{refused}]*$"),
            custom_error_type=CONTROL_ERROR,
            custom_error_message="contains a control character, which records may not hold here",
        )
        return core_schema.chain_schema([handler(source), check])


def _no_control(single_line: bool) -> _NoControl:
    return _NoControl(single_line)


def line(**constraints: object) -> object:
    """One line of text (labels, roles, descriptions): no line breaks, tabs or control
    characters; ``constraints`` as for pydantic's ``StringConstraints``."""
    return Annotated[str, StringConstraints(**constraints), _no_control(single_line=True)]


def prose(**constraints: object) -> object:
    """Free text that may have line breaks, but no other control characters."""
    return Annotated[str, StringConstraints(**constraints), _no_control(single_line=False)]


SchoolLabel = line(strip_whitespace=True, min_length=1, max_length=80)
Note = prose(max_length=2000)
FrameworkVersion = Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+$")]
ShortText = prose(strip_whitespace=True, max_length=500)
Role = line(strip_whitespace=True, max_length=80)


def context_today(info: ValidationInfo) -> dt.date:
    """The "today" of this validation: from the context the store passes (its clock), else
    the system clock's (:func:`wholeschool.core.clock.today`, the one rule for "today")."""
    context = info.context or {}
    return context.get("today") or today()


def check_not_future(value: dt.date, info: ValidationInfo, what: str) -> dt.date:
    """``value`` if it is no later than today (a day's grace for time zones)."""
    today = context_today(info)
    if value > today + dt.timedelta(days=1):
        raise ValueError(f"{value.isoformat()} is in the future (today is {today}); {what}")
    if value < EARLIEST:
        raise ValueError(f"{value.isoformat()} is before {EARLIEST.year}; check the year")
    return value


class Record(DataModel):
    """Fields every record shares. Subclasses set ``kind``. Not frozen: forms edit records."""

    model_config = ConfigDict(frozen=False)
    kind_name: ClassVar[str]

    schema_version: Literal[1] = 1
    school: SchoolLabel
    framework_version: FrameworkVersion
    date: dt.date

    @field_validator("schema_version", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        if isinstance(value, bool):  # true == 1 in Python; a record says 1
            raise ValueError(f"should be the number 1, not {str(value).lower()}")
        return value

    @field_validator("date")
    @classmethod
    def _saved_in_the_past(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        return check_not_future(value, info, "a record is dated the day it was saved")

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        """Yield ``(field, problem)`` for everything that does not fit ``framework``."""
        newer = self.framework_version != framework.version and Version(
            self.framework_version
        ) > Version(framework.version)
        if newer:
            yield (
                "framework_version",
                f"the record was made with framework {self.framework_version}, newer than this "
                f"course's {framework.version}; update the course package to read it",
            )


class IndicatorRating(DataModel):
    """A lead's rating of one indicator, and an optional note."""

    model_config = ConfigDict(frozen=False)

    rating: Whole | None = None
    note: Note = ""


_RATING = attrgetter("rating")


def rating_problems(
    ratings: dict[str, IndicatorRating], framework: Framework, field: str = "ratings"
) -> Iterator[tuple[str, str]]:
    """Check rating keys are known indicators and values are on the scale."""
    top = framework.max_rating
    if ratings.keys() <= framework.indicator_by_id.keys() and set(
        map(_RATING, ratings.values())
    ) <= {None, *range(top + 1)}:
        return  # the usual case, checked at C speed: known indicators, ratings on the scale
    labels = f"{framework.scale[0].label} to {framework.scale[-1].label}"
    for key, entry in ratings.items():
        rating = entry.rating
        if key in framework.indicator_by_id and (rating is None or 0 <= rating <= top):
            continue  # the usual case: nothing to say (and no location to format)
        where = format_location((field, key))
        principle_id, _, _ = key.partition(".")
        if principle_id not in framework.principle_by_id:
            known = ", ".join(framework.principle_by_id)
            yield where, f"unknown principle {principle_id!r} (known: {known})"
        elif key not in framework.indicator_by_id:
            ids = [i.id for i in framework.principle_by_id[principle_id].indicators]
            yield where, f"unknown indicator {key!r} (this principle has {ids[0]} to {ids[-1]})"
        if rating is not None and not 0 <= rating <= top:
            yield f"{where}.rating", f"rating {rating} is outside 0–{top} ({labels})"


class AuditRecord(Record):
    """A self-audit: a rating and an optional note per indicator, and the safeguarding gate."""

    kind_name: ClassVar[str] = "audit"
    kind: Literal["audit"] = "audit"
    ratings: dict[str, IndicatorRating] = Field(default_factory=dict)
    #: The answer to the framework's safeguarding gate (an answer id), if asked yet.
    gate: str | None = None

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        yield from super().framework_problems(framework)
        yield from rating_problems(self.ratings, framework)
        if self.gate is not None:
            known = [a.id for a in framework.gate.answers] if framework.gate else []
            if self.gate not in known:
                yield "gate", f"unknown answer {self.gate!r} (known: {', '.join(known) or 'none'})"

    def rated(self) -> dict[str, int]:
        """Indicator id → rating, for the indicators that have been rated."""
        return {k: v.rating for k, v in self.ratings.items() if v.rating is not None}


#: The fixed list of statuses an action can have: the one spelling of each.
Status = Literal["not started", "in progress", "done", "on hold", "dropped"]
STATUSES: tuple[Status, ...] = get_args(Status)
#: The statuses of an action still to be done (the rest are closed).
OPEN_STATUSES: tuple[Status, ...] = ("not started", "in progress", "on hold")


def reference_problems(
    ids: list[str], framework: Framework, field: str
) -> Iterator[tuple[str, str]]:
    """Check that each id in ``ids`` is an indicator (or the gate) of the framework."""
    for i, key in enumerate(ids):
        if not framework.is_reference(key):
            yield f"{field}[{i}]", f"unknown indicator {key!r}"


class PlanAction(DataModel):
    """One SMART action of the plan. ``lead`` is a role (such as "SMHL"), never a pupil."""

    model_config = ConfigDict(frozen=False)

    indicator: str
    what: prose(strip_whitespace=True, min_length=1, max_length=500)  # type: ignore[valid-type]
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
        yield from reference_problems(self.pinned, framework, "pinned")
        yield from reference_problems(self.dropped, framework, "dropped")
        for i, action in enumerate(self.actions):
            if not framework.is_reference(action.indicator):
                yield f"actions[{i}].indicator", f"unknown indicator {action.indicator!r}"


class ProgressLog(Record):
    """A termly progress log: the indicators re-rated, and what happened this term.

    ``indicator_ratings`` re-rates indicators on the framework's scale, like the self-audit, so
    a principle's score in a log is worked out the same way as in the audit (see
    :mod:`wholeschool.core.scoring`). ``ratings`` (a rating per whole principle) is what logs
    made before version 2.0 of the framework held; it is still read and shown.
    ``date`` must fall in ``term`` of ``academic_year`` (see :mod:`wholeschool.core.terms`).
    """

    kind_name: ClassVar[str] = "progress"
    kind: Literal["progress"] = "progress"
    academic_year: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}$")]
    term: TermName
    ratings: dict[str, Whole | None] = Field(default_factory=dict)
    indicator_ratings: dict[str, IndicatorRating] = Field(default_factory=dict)
    gate: str | None = None
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
        yield from rating_problems(self.indicator_ratings, framework, "indicator_ratings")
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

    def rated(self) -> dict[str, int]:
        """Indicator id → rating, for the indicators re-rated in this log."""
        return {k: v.rating for k, v in self.indicator_ratings.items() if v.rating is not None}


# --- The evidence log -----------------------------------------------------------------------

Description = line(strip_whitespace=True, min_length=3, max_length=200)
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
LINK_HELP = (
    "give a web address starting http:// or https://, or the path of a file the school keeps "
    "(for example S:/Wellbeing/staff-survey-2026.pdf)"
)


def check_link(value: str) -> str:
    """Return ``value`` stripped if it is an http(s) URL or a file path; else ``ValueError``."""
    link = value.strip()
    if not link:
        raise ValueError(f"is empty: {LINK_HELP}")
    if len(link) > 500:
        raise ValueError("is longer than 500 characters")
    problem = control_problem(link, single_line=True)
    if problem:
        raise ValueError(problem)
    if "://" in link or (_SCHEME.match(link) and not _DRIVE.match(link)):
        parts = urlsplit(link)
        if parts.scheme.lower() not in ("http", "https"):
            raise ValueError(f"{link!r} is not a web (http or https) address: {LINK_HELP}")
        if not parts.netloc or " " in link:
            raise ValueError(f"{link!r} is not a complete web address: {LINK_HELP}")
        return link
    if link.lower().startswith("www."):
        raise ValueError(f"{link!r} looks like a web address: add https:// in front")
    looks_like_path = (
        link.startswith(("/", "~/", "./", "../", "\\\\"))
        or _DRIVE.match(link)
        or "/" in link
        or "\\" in link
        or _EXTENSION.search(link)
    )
    if not looks_like_path:
        raise ValueError(f"{link!r} is neither a web address nor a file path: {LINK_HELP}")
    return link


class EvidenceEntry(DataModel):
    """One piece of evidence: what it is, when it is from, and where the school keeps it.

    Only the reference is stored, never the document's content, and nothing about pupils.
    """

    model_config = ConfigDict(frozen=False)

    description: Description
    date: dt.date
    link: str

    @field_validator("date")
    @classmethod
    def _not_in_future(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        return check_not_future(value, info, "evidence records something that has happened")

    @field_validator("link")
    @classmethod
    def _link(cls, value: str) -> str:
        return check_link(value)


class EvidenceLog(Record):
    """Evidence entries per indicator id (the gate's id too)."""

    kind_name: ClassVar[str] = "evidence"
    kind: Literal["evidence"] = "evidence"
    entries: dict[str, list[EvidenceEntry]] = Field(default_factory=dict)

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        yield from super().framework_problems(framework)
        for key in self.entries:
            if not framework.is_reference(key):
                yield format_location(("entries", key)), f"unknown indicator {key!r}"

    def count(self) -> int:
        """How many entries the log holds."""
        return sum(len(items) for items in self.entries.values())

    def for_principle(
        self, principle_id: str, framework: Framework
    ) -> list[tuple[str, EvidenceEntry]]:
        """``(indicator id, entry)`` for one principle (its gate too), newest first."""
        pairs = [
            (indicator, entry)
            for indicator, items in self.entries.items()
            if framework.principle_of(indicator) == principle_id
            for entry in items
        ]
        return sorted(pairs, key=lambda pair: pair[1].date, reverse=True)


# --- The team audit -------------------------------------------------------------------------


def _checked(problem_of: object) -> AfterValidator:
    def check(value: str) -> str:
        problem = problem_of(value)  # type: ignore[operator]
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


RaterLabel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=60),
    _no_control(single_line=True),
    _checked(label_problem),
]
RaterNote = Annotated[
    str,
    StringConstraints(max_length=1000),
    _no_control(single_line=False),
    _checked(markup_problem),
]


class RaterRating(DataModel):
    """One colleague's rating of one indicator, and why (plain text from another file)."""

    model_config = ConfigDict(frozen=False)

    rating: Whole | None = None
    note: RaterNote = ""


class RaterRecord(Record):
    """One colleague's independent ratings for a team audit, sent to the lead as a small file.

    It names the rater's role (such as "Governor" or "Pastoral lead"), never needs their name,
    and holds nothing about pupils.
    """

    kind_name: ClassVar[str] = "rater"
    kind: Literal["rater"] = "rater"
    role: Annotated[RaterLabel, StringConstraints(min_length=1)]  # type: ignore[valid-type]
    name: RaterLabel = ""  # type: ignore[valid-type]
    ratings: dict[str, RaterRating] = Field(default_factory=dict)

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        yield from super().framework_problems(framework)
        yield from rating_problems(self.ratings, framework)  # type: ignore[arg-type]

    def rated(self) -> dict[str, int]:
        """Indicator id → rating, for the indicators this colleague rated."""
        return {k: v.rating for k, v in self.ratings.items() if v.rating is not None}


class RaterView(DataModel):
    """What one rater said about one indicator, kept with the agreed rating as evidence."""

    model_config = ConfigDict(frozen=False)

    role: RaterLabel  # type: ignore[valid-type]
    rating: Whole | None = None
    note: RaterNote = ""


class ModeratedRating(DataModel):
    """The rating the team agreed for one indicator, and the spread it was agreed from."""

    model_config = ConfigDict(frozen=False)

    agreed: Whole | None = None
    #: How many raters chose each level, from the lowest level up.
    counts: list[Whole] = Field(default_factory=list)
    views: list[RaterView] = Field(default_factory=list)
    note: Note = ""


class ModerationRecord(Record):
    """A team audit: how many rated, the spread per indicator, and the rating agreed."""

    kind_name: ClassVar[str] = "moderation"
    kind: Literal["moderation"] = "moderation"
    raters: StrictInt = Field(ge=1, le=200)
    roles: list[RaterLabel] = Field(default_factory=list)  # type: ignore[valid-type]
    indicators: dict[str, ModeratedRating] = Field(default_factory=dict)

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        yield from super().framework_problems(framework)
        agreed = {k: IndicatorRating(rating=v.agreed) for k, v in self.indicators.items()}
        yield from rating_problems(agreed, framework, "indicators")
        for key, item in self.indicators.items():
            where = format_location(("indicators", key, "counts"))
            if len(item.counts) != len(framework.scale) or any(n < 0 for n in item.counts):
                yield where, f"must give a count for each of the {len(framework.scale)} levels"
            elif sum(item.counts) > self.raters:
                yield where, f"counts {sum(item.counts)} ratings, more than {self.raters} raters"


# --- All kinds together ---------------------------------------------------------------------

AnyRecord = Annotated[
    AuditRecord | PlanRecord | ProgressLog | EvidenceLog | RaterRecord | ModerationRecord,
    Field(discriminator="kind"),
]
#: Validates a record of any kind, chosen by its ``kind`` field.
RECORD_ADAPTER: TypeAdapter[AnyRecord] = TypeAdapter(AnyRecord)
#: Every record type, by the value of its ``kind`` field.
RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind_name: cls
    for cls in (AuditRecord, PlanRecord, ProgressLog, EvidenceLog, RaterRecord, ModerationRecord)
}
