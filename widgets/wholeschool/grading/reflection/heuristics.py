"""Reading a lead's words: dates, academic years, measures, indicators and pupil details."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from ...core.framework import Principle
from .criteria import Criteria, MonthDay, load_criteria


def academic_window(today: dt.date, start: MonthDay) -> tuple[dt.date, dt.date]:
    """First and last day of the current and next academic years together."""
    year = today.year if (today.month, today.day) >= (start.month, start.day) else today.year - 1
    first = dt.date(year, start.month, start.day)
    return first, dt.date(year + 2, start.month, start.day) - dt.timedelta(days=1)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")
_MONTH_FORMATS = ("%B %Y", "%b %Y")


#: Number words up to thirteen (Year groups go to 13; relative dates use the first twelve).
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
_SMALL = _NUMBER_WORDS[:12]
_RELATIVE = re.compile(
    r"^(?:in|within) (?P<n>\d{1,3}|a|an|" + "|".join(_SMALL) + r") "
    r"(?P<unit>day|week|month|year)s?(?: time| from now)?$",
    re.I,
)


def relative_date(text: str, today: dt.date) -> dt.date | None:
    """``in 3 months``, ``within six weeks``, ``in a year``: the date that far from ``today``."""
    match = _RELATIVE.match(text)
    if match is None:
        return None
    word = match["n"].lower()
    n = int(word) if word.isdigit() else 1 if word in ("a", "an") else _SMALL.index(word) + 1
    unit = match["unit"].lower()
    if unit in ("day", "week"):
        return today + dt.timedelta(days=n * (7 if unit == "week" else 1))
    months = today.month - 1 + n * (12 if unit == "year" else 1)
    year, month = today.year + months // 12, months % 12 + 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(today.day, last_day))


def parse_date(value: object, today: dt.date | None = None) -> dt.date | None:
    """Read a target date: a ``date``, ISO ``2027-03-31``, UK ``31/03/2027``, ``31 March 2027``,
    or (given ``today``) a time from now such as ``in 3 months`` or ``within six weeks``.

    ``March 2027`` means the last day of that month. Returns ``None`` if it cannot be read.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value.strip()).replace(",", "")
    if today is not None and (relative := relative_date(text.rstrip("."), today)) is not None:
        return relative
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
