"""Structured reflections and the automatic checklist that gives a lead feedback at once.

A lead writes a :class:`Reflection` in a code cell, starting from :func:`template_code`, and
:func:`check_reflection` returns a :class:`Checklist`: one line per criterion, each passed or
failed with a message in plain English. The criteria live in ``data/reflection_criteria.yaml``.

Checking never raises on a lead's input: a field left as the template, a wrong type, a date
that does not parse or an empty owner each become a failed line naming the field, so the
notebook keeps running. The checks are formative; the trainer grades the thinking by hand.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .content import DATA
from .datafiles import load_yaml_model
from .errors import DataFileError
from .framework import FRAMEWORK, Framework, Principle
from .records import AuditRecord

CRITERIA_FILE = DATA / "reflection_criteria.yaml"
TEXT_FIELDS = ("finding", "evidence", "success_measure", "reflection")

# ---------------------------------------------------------------------------------------------
# The criteria, as data


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


# ---------------------------------------------------------------------------------------------
# What a lead fills in. Every field accepts anything, so writing a reflection never fails;
# check_reflection() says in plain words what is wrong with it.


class _Lenient(BaseModel):
    """Accepts anything, even values without names, so that writing an answer never fails."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
    _unnamed: tuple[object, ...] = PrivateAttr(default=())

    def __init__(self, *unnamed: object, **fields: object) -> None:
        super().__init__(**fields)
        self._unnamed = unnamed

    def naming_problems(self, what: str) -> Iterator[str]:
        """Plain-English problems with how the fields were written (unnamed or misspelt)."""
        if self._unnamed:
            count = len(self._unnamed)
            first = next(iter(type(self).model_fields))
            yield (
                f"{what} was given {count} value{'s' * (count != 1)} without a field name; "
                f'write each one as name=value, for example {first}="..."'
            )
        for extra in self.model_extra or {}:
            close = difflib.get_close_matches(extra, list(type(self).model_fields), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            fields = ", ".join(f"`{f}`" for f in type(self).model_fields)
            yield f"`{extra}` is not a field of {what} (the fields are {fields}){hint}"


class Action(_Lenient):
    """One action: what will happen, the role that owns it, and the target date."""

    what: Any = Field(default=None, description="What will happen, in one sentence.")
    owner: Any = Field(default=None, description="The role that owns it, not a person's name.")
    target_date: Any = Field(
        default=None, description="When it will be done: 2027-03-31 or 31/03/2027."
    )


class Reflection(_Lenient):
    """A lead's reflection on one principle, as a structured answer the course can check."""

    finding: Any = Field(default=None, description="What your self-audit showed.")
    ratings: Any = Field(
        default=None,
        description='Optional: ratings quoted from your self-audit, e.g. {"leadership.3": 1}.',
    )
    evidence: Any = Field(default=None, description="The evidence behind your ratings.")
    actions: Any = Field(default=None, description="One to three Action(...) items, in a list.")
    success_measure: Any = Field(default=None, description="How you will know it worked.")
    reflection: Any = Field(default=None, description="Your reflection, in your own words.")


def reflection_template(principle_id: str, criteria: Criteria | None = None) -> Reflection:
    """The reflection a lead starts from: every field holds guidance text to replace."""
    FRAMEWORK.principle(principle_id)
    t = (criteria or load_criteria()).template
    return Reflection(
        finding=t.finding,
        ratings={},
        evidence=t.evidence,
        actions=[
            Action(what=t.action_what, owner=t.action_owner, target_date=t.action_target_date)
        ],
        success_measure=t.success_measure,
        reflection=t.reflection,
    )


def template_code(principle_id: str, criteria: Criteria | None = None) -> str:
    """Python source of the template, for the code cell where a lead writes a reflection."""
    principle = FRAMEWORK.principle(principle_id)
    t = (criteria or load_criteria()).template
    example = principle.indicators[0].id
    q = _quote
    return f'''reflection = Reflection(
    finding={q(t.finding)},
    # Optional: ratings you quote from your saved self-audit, e.g. {{"{example}": 2}}
    ratings={{}},
    evidence={q(t.evidence)},
    actions=[  # one to three actions
        Action(
            what={q(t.action_what)},
            owner={q(t.action_owner)},
            target_date={q(t.action_target_date)},
        ),
    ],
    success_measure={q(t.success_measure)},
    reflection={q(t.reflection)},
)'''


def _quote(text: str) -> str:
    """A double-quoted Python string literal (JSON string syntax is valid Python)."""
    return json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# The checklist

Status = Literal["pass", "fail", "not checked"]
_MARK = {"pass": "✅", "fail": "❌", "not checked": "➖"}
_WORD = {"pass": "done", "fail": "to do", "not checked": "not checked"}
_TEXT_MARK = {"pass": "[x]", "fail": "[ ]", "not checked": "[-]"}


@dataclass(frozen=True)
class CriterionResult:
    """The outcome of one criterion, with a message saying why."""

    id: str
    title: str
    status: Status
    message: str
    points: int

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass(frozen=True)
class Checklist:
    """Per-criterion results for one reflection, shown as a friendly checklist."""

    principle_id: str
    results: tuple[CriterionResult, ...]
    notes: tuple[str, ...] = ()
    is_template: bool = False

    def result(self, criterion_id: str) -> CriterionResult:
        for result in self.results:
            if result.id == criterion_id:
                return result
        known = ", ".join(r.id for r in self.results)
        raise KeyError(f"no criterion {criterion_id!r}; known: {known}")

    def passed(self, criterion_id: str) -> bool:
        """True if the criterion passed (used by the nbgrader hidden tests)."""
        return self.result(criterion_id).passed

    def message(self, criterion_id: str) -> str:
        """The plain-English line for one criterion, as nbgrader feedback shows it."""
        r = self.result(criterion_id)
        return f"{r.title}: {_sentence(r.message)}"

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results if r.passed)

    @property
    def max_score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def to_do(self) -> list[CriterionResult]:
        return [r for r in self.results if r.status == "fail"]

    def _heading(self) -> str:
        name = FRAMEWORK.principle(self.principle_id).short_name
        done = sum(r.passed for r in self.results)
        checked = sum(r.status != "not checked" for r in self.results)
        return f"Reflection checklist: {name} ({done} of {checked} done)"

    def _intro(self) -> list[str]:
        lines = []
        if self.is_template:
            lines.append(
                "This is still the template: replace the guidance text in each field with "
                "your own words, then run the cell again."
            )
        lines.extend(_sentence(note) for note in self.notes)
        if not self.to_do and not self.is_template:
            lines.append("Everything the automatic check looks for is there. Well done.")
        return lines

    def __str__(self) -> str:
        lines = [self._heading()]
        lines += self._intro()
        for r in self.results:
            lines.append(f"{_TEXT_MARK[r.status]} {r.title}: {_sentence(r.message)}")
        lines.append(
            "These checks are automatic; your trainer reads the reflection itself against the rubric."
        )
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        lines = [f"**{self._heading()}**", ""]
        lines += [f"> {line}\n" for line in self._intro()]
        for r in self.results:
            lines.append(
                f"- {_MARK[r.status]} *{_WORD[r.status]}*: **{r.title}**. {_md(r.message)}"
            )
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        esc = html.escape
        items = "".join(
            f'<li class="reflect-{r.status.replace(" ", "-")}">'
            f'<span aria-hidden="true">{_MARK[r.status]}</span> '
            f"<em>{_WORD[r.status]}</em>: <strong>{esc(r.title)}</strong>. {_html(r.message)}</li>"
            for r in self.results
        )
        intro = "".join(f"<p>{esc(line)}</p>" for line in self._intro())
        return (
            f'<div class="reflect-checklist"><p><strong>{esc(self._heading())}</strong></p>'
            f'{intro}<ul style="list-style: none; padding-left: 0.5em">{items}</ul></div>'
        )


def _html(text: str) -> str:
    """Escape HTML, turning `code spans` into ``<code>``."""
    parts = html.escape(_sentence(text)).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _md(text: str) -> str:
    """Escape Markdown formatting characters outside `code spans`."""
    parts = _sentence(text).split("`")
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([\\*_\[\]<>])", r"\\\1", parts[i])
    return "`".join(parts)


# ---------------------------------------------------------------------------------------------
# Helpers for each criterion


def academic_window(today: dt.date, start: MonthDay) -> tuple[dt.date, dt.date]:
    """First and last day of the current and next academic years together."""
    year = today.year if (today.month, today.day) >= (start.month, start.day) else today.year - 1
    first = dt.date(year, start.month, start.day)
    return first, dt.date(year + 2, start.month, start.day) - dt.timedelta(days=1)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")
_MONTH_FORMATS = ("%B %Y", "%b %Y")


def parse_date(value: object) -> dt.date | None:
    """Read a target date: a ``date``, ISO ``2027-03-31``, UK ``31/03/2027``, ``31 March 2027``.

    ``March 2027`` means the last day of that month. Returns ``None`` if it cannot be read.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value.strip()).replace(",", "")
    text = re.sub(r"\b(\d{1,2})(st|nd|rd|th)\b", r"\1", text)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    for fmt in _MONTH_FORMATS:
        try:
            first = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    return None


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any phrase as whole words, spaces flexible."""
    parts = sorted({re.escape(p.strip()).replace(r"\ ", r"\s+") for p in phrases}, key=len)
    return re.compile(r"(?<![\w-])(?:" + "|".join(reversed(parts)) + r")(?![\w-])", re.I)


_MONTHS = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}"
    r"|(?:autumn|spring|summer)\s+(?:term\s+)?\d{4}"
)


def measurable_reason(text: str, criteria: Criteria) -> str | None:
    """Why ``text`` counts as measurable (a number, a date or an instrument), or ``None``."""
    instrument = _phrase_pattern(criteria.instruments).search(text)
    if instrument:
        return f"it names a measure ({instrument.group(0)})"
    if re.search(_MONTHS, text, re.I) or re.search(r"\d{1,4}[/-]\d{1,2}[/-]\d{2,4}", text):
        return "it gives a date"
    number = re.search(r"\d+(?:\.\d+)?\s*%?", text)
    if number:
        return f"it gives a number ({number.group(0).strip()})"
    word = _phrase_pattern(criteria.number_words).search(text)
    if word:
        return f"it gives a number ({word.group(0)})"
    return None


def mentioned_indicators(text: str, principle: Principle, criteria: Criteria) -> list[str]:
    """Ids of the principle's indicators that ``text`` names by id or by a listed phrase."""
    found = []
    for indicator in principle.indicators:
        by_id = re.search(rf"(?<![\w-]){re.escape(indicator.id)}(?!\d)", text, re.I)
        phrases = criteria.indicator_phrases.get(indicator.id, ())
        if by_id or (phrases and _phrase_pattern(phrases).search(text)):
            found.append(indicator.id)
    return found


_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+|[.;!?\n]")
_NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
]
_YEAR_GROUP = re.compile(
    r"\b(?:(?:Year|Yr|Y)\s?(?:1[0-3]|[1-9])|Year\s+(?:" + "|".join(_NUMBER_WORDS) + r")"
    r"|Reception)\b",
    re.I,
)
_UPN = re.compile(r"\b[A-Z](?=(?:[A-Z0-9]*\d){11})[A-Z0-9]{12}\b")
_DOB = re.compile(r"\bdate of birth\b|\bD\.?O\.?B\b", re.I)
# A name-like word: "Amy", "O'Neill", "McDonald", "Smith-Jones".
_CAPITALISED = re.compile(r"^[A-Z](?:[a-z]+(?:[A-Z][a-z]+)?|['’][A-Z][a-z]+)(?:-[A-Z]?[a-z]+)*$")


def privacy_flags(text: str, criteria: Criteria | None = None) -> list[str]:
    """Reasons ``text`` may identify a pupil, by the documented heuristic (empty if none).

    Flags two capitalised words in a row (not course vocabulary, not straight after "the" nor
    before an institution word such as "School") within ``privacy.window`` words of a year
    group or a pupil word, with no sentence break between; a Unique Pupil Number shape;
    "date of birth" or "DOB". Names are shown as initials only. The rules and word lists are
    documented in ``reflection_criteria.yaml``.
    """
    rules = (criteria or load_criteria()).privacy
    flags: list[str] = []
    # Year groups become a single marker token, so "Year 9" counts as one word.
    marked = _YEAR_GROUP.sub(lambda m: " \x00" + m.group(0).replace(" ", "\x01") + " ", text)
    tokens = re.findall(r"\x00\S+|" + _WORD_RE.pattern, marked)
    pupil_words = {w.lower() for w in rules.pupil_words}  # lower case: a pupil word in a sentence

    def is_trigger(j: int) -> bool:
        token = tokens[j]
        if token.startswith("\x00") or token in pupil_words:
            return True
        # Capitalised mid-sentence, a pupil word is part of a title ("Rights of the Child").
        return token.lower() in pupil_words and (j == 0 or tokens[j - 1] in _BREAKS)

    def is_name(token: str) -> bool:
        return bool(_CAPITALISED.match(token)) and token not in rules.not_names

    for i in range(len(tokens) - 1):
        if not (is_name(tokens[i]) and is_name(tokens[i + 1])):
            continue
        if (i > 0 and tokens[i - 1].lower() == "the") or (
            i + 2 < len(tokens) and tokens[i + 2] in rules.institution_words
        ):
            continue  # "the United Kingdom", "Riverside Park School": a place, not a pupil
        before = _until_break(range(i - 1, max(-1, i - rules.window - 2), -1), tokens)
        after = _until_break(range(i + 2, min(len(tokens), i + 3 + rules.window)), tokens)
        trigger = next((j for j in [*before, *after] if is_trigger(j)), None)
        if trigger is not None:
            shown = tokens[trigger].lstrip("\x00").replace("\x01", " ")
            initials = f"{tokens[i][0]}… {tokens[i + 1][0]}…"
            flags.append(f"two capitalised words ({initials}) next to '{shown}' look like a name")
    if _UPN.search(text):
        flags.append("something shaped like a Unique Pupil Number")
    if _DOB.search(text):
        flags.append("a date of birth")
    return flags


_BREAKS = frozenset({".", ";", "!", "?", "\n"})


def _until_break(indices: Iterable[int], tokens: list[str]) -> Iterator[int]:
    """The indices in order, stopping at the first sentence break."""
    for j in indices:
        if tokens[j] in _BREAKS:
            return
        yield j


# ---------------------------------------------------------------------------------------------
# The check itself


@dataclass
class _Reader:
    """Reads a lead's fields, collecting plain-English problems per criterion."""

    criteria: Criteria
    problems: dict[str, list[str]] = field(default_factory=dict)
    template_fields: list[str] = field(default_factory=list)

    def problem(self, criterion_id: str, text: str) -> None:
        self.problems.setdefault(criterion_id, []).append(text)

    def text(self, value: object, label: str, criterion_id: str, template: str) -> str | None:
        """A filled-in text field, or ``None`` after recording what is wrong with it."""
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem(criterion_id, f"{label} is empty")
            return None
        if not isinstance(value, str):
            self.problem(
                criterion_id,
                f"{label} should be text in quotes, not {_a(value)}",
            )
            return None
        if _normal(template) in _normal(value):
            self.template_fields.append(label)
            self.problem(criterion_id, f"{label} still holds the template text; replace it")
            return None
        return value


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _a(value: object) -> str:
    name = type(value).__name__
    kinds = {
        "str": "text",
        "list": "a list",
        "tuple": "a list",
        "dict": "a dictionary",
        "int": "a number",
        "float": "a number",
        "bool": "True or False",
        "NoneType": "nothing (None)",
    }
    if name in kinds:
        return kinds[name]
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _words(text: str) -> int:
    return len(re.findall(r"\w+(?:['’-]\w+)*", text))


@dataclass(frozen=True)
class SavedAudit:
    """The lead's latest saved self-audit for the principle, to compare quoted ratings with."""

    name: str
    record: AuditRecord


def check_reflection(
    reflection: object,
    principle_id: str,
    *,
    today: dt.date,
    saved: SavedAudit | None = None,
    records_place: str = "your records folder",
    criteria: Criteria | None = None,
) -> Checklist:
    """Check a reflection against the criteria for ``principle_id``; never raises on its content.

    ``today`` fixes the academic-year window. ``saved`` is the lead's latest saved self-audit
    rating this principle (``None``: there is none in ``records_place``).
    """
    criteria = criteria or load_criteria()
    principle = FRAMEWORK.principle(principle_id)
    notes: list[str] = []
    if isinstance(reflection, dict):
        reflection = Reflection(**{str(k): v for k, v in reflection.items()})
    if not isinstance(reflection, Reflection):
        notes.append(
            f"`reflection` should be a Reflection(...), not {_a(reflection)}: start again from "
            "the template."
        )
        reflection = Reflection()
    notes.extend(reflection.naming_problems("the reflection"))

    read = _Reader(criteria)
    t = criteria.template
    texts: dict[str, str] = {}
    for name, template in (
        ("finding", t.finding),
        ("evidence", t.evidence),
        ("success_measure", t.success_measure),
        ("reflection", t.reflection),
    ):
        criterion_id = "measurable" if name == "success_measure" else name
        value = read.text(getattr(reflection, name), f"`{name}`", criterion_id, template)
        if value is None:
            continue
        texts[name] = value
        limits = criteria.text_limits[name]
        count = _words(value)
        if count < limits.min_words:
            read.problem(
                criterion_id,
                f"`{name}` has {count} word{'s' * (count != 1)}; write at least {limits.min_words}",
            )
        elif count > limits.max_words:
            read.problem(
                criterion_id, f"`{name}` has {count} words; keep it to {limits.max_words} or fewer"
            )

    actions = _read_actions(reflection.actions, read, today)
    for action in actions:
        for key in ("what", "owner"):
            if isinstance(action.get(key), str):
                texts[f"action {action['n']} {key}"] = action[key]

    window = academic_window(today, criteria.academic_year_start)
    ratings = _read_ratings(reflection.ratings, principle, read)

    case = _Case(read, texts, actions, ratings, principle, criteria, window, saved, records_place)
    results = []
    for criterion in criteria.criteria:
        status, message = CHECKS[criterion.id](case)
        results.append(
            CriterionResult(criterion.id, criterion.title, status, message, criterion.points)
        )
    is_template = len(read.template_fields) >= 3
    return Checklist(principle.id, tuple(results), tuple(notes), is_template)


def _read_actions(value: object, read: _Reader, today: dt.date) -> list[dict[str, Any]]:
    """Each action as a dict with ``n`` (1-based), ``what``, ``owner``, ``date`` (or ``None``)."""
    limits = read.criteria.actions
    t = read.criteria.template
    if value is None:
        read.problem(
            "actions",
            f"`actions` is missing: add a list of {limits.min} to {limits.max} Action(...)",
        )
        return []
    if isinstance(value, Action | dict):
        read.problem(
            "actions",
            "`actions` should be a list in square brackets, even for one action: [Action(...)]",
        )
        return []
    if not isinstance(value, list | tuple):
        read.problem(
            "actions",
            f"`actions` should be a list of Action(...) in square brackets, not {_a(value)}",
        )
        return []
    if not limits.min <= len(value) <= limits.max:
        read.problem(
            "actions",
            f"`actions` has {len(value)} action{'s' * (len(value) != 1)}; "
            f"plan between {limits.min} and {limits.max}",
        )
    out = []
    for n, item in enumerate(value, start=1):
        label = f"action {n}"
        if isinstance(item, dict):
            item = Action(**{str(k): v for k, v in item.items()})
        if not isinstance(item, Action):
            read.problem(
                "actions",
                f"{label} should be Action(what=..., owner=..., target_date=...), not {_a(item)}",
            )
            continue
        for problem in item.naming_problems(label):
            read.problem("actions", problem)
        what = read.text(item.what, f"{label} `what`", "actions", t.action_what)
        owner = read.text(item.owner, f"{label} `owner`", "actions", t.action_owner)
        if owner is not None and not _phrase_pattern(read.criteria.role_words).search(owner):
            read.problem(
                "actions",
                f"{label} `owner` ({owner!r}) should be a role, for example 'Headteacher', "
                "'PSHE lead' or 'SENCo', rather than a person's name",
            )
        date = None
        raw = item.target_date
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            read.problem("dates", f"{label} `target_date` is empty")
        elif isinstance(raw, str) and _normal(raw) == _normal(t.action_target_date):
            read.template_fields.append(f"{label} `target_date`")
            read.problem("dates", f"{label} `target_date` still says {raw!r}; put in a real date")
        else:
            date = parse_date(raw)
            if date is None:
                read.problem(
                    "dates",
                    f"{label} `target_date` {raw!r} is not a date I can read; write it like "
                    f"'{today.year + 1}-03-31' or '31/03/{today.year + 1}'",
                )
        out.append({"n": n, "what": what, "owner": owner, "date": date})
    return out


def _read_ratings(value: object, principle: Principle, read: _Reader) -> dict[str, int]:
    """Quoted ratings as indicator id → value on the scale; problems go to ``audit-match``."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        read.problem(
            "audit-match",
            f'`ratings` should be a dictionary like {{"{principle.indicators[0].id}": 2}}, '
            f"not {_a(value)}",
        )
        return {}
    labels = {level.label.lower(): level.value for level in FRAMEWORK.scale}
    top = FRAMEWORK.max_rating
    out = {}
    for key, rating in value.items():
        ids = [i.id for i in principle.indicators]
        if key not in ids:
            read.problem(
                "audit-match",
                f"`ratings` names {key!r}, which is not an indicator of this principle "
                f"({ids[0]} to {ids[-1]})",
            )
            continue
        if isinstance(rating, str) and rating.strip().lower() in labels:
            rating = labels[rating.strip().lower()]
        if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= top:
            read.problem(
                "audit-match",
                f'`ratings["{key}"]` is {rating!r}; use a rating from 0 to {top} or its label '
                f"({FRAMEWORK.scale[0].label} to {FRAMEWORK.scale[-1].label})",
            )
            continue
        out[key] = rating
    return out


@dataclass(frozen=True)
class _Case:
    """What every criterion's check may look at."""

    read: _Reader
    texts: dict[str, str]
    actions: list[dict[str, Any]]
    ratings: dict[str, int]
    principle: Principle
    criteria: Criteria
    window: tuple[dt.date, dt.date]
    saved: SavedAudit | None
    records_place: str

    def problems(self, criterion_id: str) -> list[str]:
        return list(self.read.problems.get(criterion_id, []))


Outcome = tuple[Status, str]


def _verdict(problems: list[str], passed: str = "yes") -> Outcome:
    return ("fail", "; ".join(problems) + ".") if problems else ("pass", passed)


def _check_collected(criterion_id: str) -> Callable[[_Case], Outcome]:
    """A criterion decided only by what reading the fields found (finding, evidence...)."""
    return lambda case: _verdict(case.problems(criterion_id))


def _check_dates(case: _Case) -> Outcome:
    problems = case.problems("dates")
    first, last = case.window
    for action in case.actions:
        date = action["date"]
        if date is not None and not first <= date <= last:
            problems.append(
                f"action {action['n']} `target_date` {date:%d %B %Y} is outside this academic "
                f"year and the next ({first:%d %B %Y} to {last:%d %B %Y})"
            )
    if not case.actions and not problems:
        problems.append("there are no actions to check the dates of")
    return _verdict(problems)


def _check_measurable(case: _Case) -> Outcome:
    problems = case.problems("measurable")
    if problems:
        return _verdict(problems)
    reason = measurable_reason(case.texts.get("success_measure", ""), case.criteria)
    if reason is None:
        return _verdict(
            [
                "`success_measure` has no number, date or named measure; say what you will "
                "count or use, for example 'attendance', a survey score or a target date"
            ]
        )
    return "pass", f"yes: {reason}"


def _check_indicator(case: _Case) -> Outcome:
    everything = "\n".join(case.texts.values()) + "\n" + " ".join(case.ratings)
    found = mentioned_indicators(everything, case.principle, case.criteria)
    if found:
        return "pass", "yes: " + ", ".join(found)
    first = case.principle.indicators[0]
    phrase = case.criteria.indicator_phrases.get(first.id, ("",))[0]
    return _verdict(
        case.problems("indicator")
        + [
            f"name at least one indicator of this principle, by its id (e.g. {first.id}) "
            f"or in words (e.g. '{phrase}')"
        ]
    )


def _check_privacy(case: _Case) -> Outcome:
    if not case.texts:
        return "not checked", "nothing written yet"
    problems = case.problems("privacy")
    for name, text in case.texts.items():
        for flag in privacy_flags(text, case.criteria):
            problems.append(f"in {name}: {flag}; remove it")
    return _verdict(problems, "nothing that looks like pupil details")


def _check_audit_match(case: _Case) -> Outcome:
    problems = case.problems("audit-match")
    if problems:
        return _verdict(problems)
    if not case.ratings:
        return "not checked", "you quote no ratings, so there is nothing to compare"
    if case.saved is None:
        return "not checked", f"no saved self-audit for this principle in {case.records_place}"
    audit = case.saved.record
    saved = audit.rated()
    mismatches, compared = [], 0
    for key, quoted in sorted(case.ratings.items()):
        if key not in saved:
            continue
        compared += 1
        if saved[key] != quoted:
            mismatches.append(
                f"you quote {key} as {quoted} ({FRAMEWORK.level(quoted).label}) but your audit "
                f"of {audit.date:%d %B %Y} ({case.saved.name}) rates it {saved[key]} "
                f"({FRAMEWORK.level(saved[key]).label})"
            )
    if mismatches:
        return _verdict(mismatches)
    if not compared:
        return "not checked", f"your audit of {audit.date:%d %B %Y} does not rate these indicators"
    return "pass", f"yes: they match your audit of {audit.date:%d %B %Y}"


#: One check per criterion id of ``reflection_criteria.yaml``.
CHECKS: dict[str, Callable[[_Case], Outcome]] = {
    "finding": _check_collected("finding"),
    "evidence": _check_collected("evidence"),
    "actions": _check_collected("actions"),
    "reflection": _check_collected("reflection"),
    "dates": _check_dates,
    "measurable": _check_measurable,
    "indicator": _check_indicator,
    "privacy": _check_privacy,
    "audit-match": _check_audit_match,
}
