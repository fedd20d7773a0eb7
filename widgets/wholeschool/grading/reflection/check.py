"""The check itself: a reflection against the criteria, as a :class:`Checklist`.

It never raises on a lead's input: a field left as the template, a wrong type, a date that does
not parse or an empty owner each become a failed line naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...core.dates import long_date
from ...core.framework import FRAMEWORK, Framework, Principle
from ...core.records import AuditRecord
from .answer import Action, Reflection
from .criteria import Criteria, load_criteria
from .heuristics import (
    _phrase_pattern,
    academic_window,
    measurable_reason,
    mentioned_indicators,
    parse_date,
    privacy_flags,
)
from .result import Checklist, CriterionResult, Status


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
    framework: Framework = FRAMEWORK,
) -> Checklist:
    """Check a reflection against the criteria for ``principle_id``; never raises on its content.

    ``today`` fixes the academic-year window. ``saved`` is the lead's latest saved self-audit
    rating this principle (``None``: there is none in ``records_place``).
    """
    criteria = criteria or load_criteria(framework=framework)
    principle = framework.principle(principle_id)
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
    ratings = _read_ratings(reflection.ratings, principle, read, framework)

    case = _Case(
        read, texts, actions, ratings, principle, criteria, window, saved, records_place, framework
    )
    results = []
    for criterion in criteria.criteria:
        status, message = CHECKS[criterion.id](case)
        results.append(
            CriterionResult(criterion.id, criterion.title, status, message, criterion.points)
        )
    is_template = len(read.template_fields) >= 3
    return Checklist(principle.id, principle.short_name, tuple(results), tuple(notes), is_template)


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
            date = parse_date(raw, today)
            if date is None:
                read.problem(
                    "dates",
                    f"{label} `target_date` {raw!r} is not a date I can read; write it like "
                    f"'{today.year + 1}-03-31', '31/03/{today.year + 1}' or 'in 3 months'",
                )
        out.append({"n": n, "what": what, "owner": owner, "date": date})
    return out


def _read_ratings(
    value: object, principle: Principle, read: _Reader, framework: Framework
) -> dict[str, int]:
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
    labels = {level.label.lower(): level.value for level in framework.scale}
    top = framework.max_rating
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
                f"({framework.scale[0].label} to {framework.scale[-1].label})",
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
    framework: Framework = FRAMEWORK

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
                f"action {action['n']} `target_date` {long_date(date)} is outside this academic "
                f"year and the next ({long_date(first)} to {long_date(last)})"
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
                f"you quote {key} as {quoted} ({case.framework.level(quoted).label}) but your audit "
                f"of {long_date(audit.date)} ({case.saved.name}) rates it {saved[key]} "
                f"({case.framework.level(saved[key]).label})"
            )
    if mismatches:
        return _verdict(mismatches)
    if not compared:
        return (
            "not checked",
            f"your audit of {long_date(audit.date)} does not rate these indicators",
        )
    return "pass", f"yes: they match your audit of {long_date(audit.date)}"


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
