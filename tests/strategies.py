"""Hypothesis strategies for every record type, and the fixed day the property tests run on.

Text is drawn from all of Unicode and passed through the package's own input rule
(:func:`wholeschool.core.text.clean_text`), as the forms do; dates stay on or before
:data:`TODAY`, and the record store is given a clock fixed at that day.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st
from wholeschool import FRAMEWORK
from wholeschool.core.clock import fixed_clock
from wholeschool.core.records import (
    STATUSES,
    AuditRecord,
    EvidenceEntry,
    EvidenceLog,
    IndicatorRating,
    PlanAction,
    PlanRecord,
    ProgressLog,
)
from wholeschool.core.terms import term_of
from wholeschool.core.text import clean_text

TODAY = dt.date(2026, 6, 1)
CLOCK = fixed_clock(TODAY)
INDICATORS = sorted(FRAMEWORK.indicator_by_id)
PRINCIPLES = [p.id for p in FRAMEWORK.principles]
CONTEXT = {"today": TODAY}

dates = st.dates(dt.date(2015, 1, 1), TODAY)


def typed(max_size: int, single_line: bool = False, min_size: int = 0) -> st.SearchStrategy[str]:
    """Anything a lead might type or paste, after the forms' cleaning."""
    return (
        st.text(max_size=max_size)
        .map(lambda s: clean_text(s, single_line=single_line).strip())
        .filter(lambda s: len(s) >= min_size and len(s) <= max_size)
    )


school = typed(80, single_line=True, min_size=1)
ratings = st.dictionaries(
    st.sampled_from(INDICATORS),
    st.builds(
        IndicatorRating,
        rating=st.one_of(st.none(), st.integers(0, FRAMEWORK.max_rating)),
        note=typed(300),
    ),
    max_size=12,
)
gate = st.one_of(
    st.none(),
    st.sampled_from([a.id for a in FRAMEWORK.gate.answers]) if FRAMEWORK.gate else st.none(),
)

audits = st.builds(
    AuditRecord,
    school=school,
    framework_version=st.just(FRAMEWORK.version),
    date=dates,
    ratings=ratings,
    gate=gate,
)

actions = st.builds(
    lambda indicator, what, lead, start, days, measure, status: PlanAction(
        indicator=indicator,
        what=what,
        lead=lead,
        start=start,
        due=start + dt.timedelta(days=days),
        measure=measure,
        status=status,
    ),
    indicator=st.sampled_from(INDICATORS),
    what=typed(200, min_size=1),
    lead=typed(80, single_line=True),
    start=st.dates(dt.date(2020, 1, 1), dt.date(2040, 1, 1)),
    days=st.integers(0, 800),
    measure=typed(200),
    status=st.sampled_from(STATUSES),
)
plans = st.builds(
    PlanRecord,
    school=school,
    framework_version=st.just(FRAMEWORK.version),
    date=dates,
    audit_date=st.one_of(st.none(), dates),
    pinned=st.lists(st.sampled_from(INDICATORS), max_size=3),
    dropped=st.lists(st.sampled_from(INDICATORS), max_size=3),
    actions=st.lists(actions, max_size=6),
)


def _log(school: str, day: dt.date, rated: dict, notes: list[str]) -> ProgressLog:
    term = term_of(day)
    return ProgressLog(
        school=school,
        framework_version=FRAMEWORK.version,
        date=day,
        academic_year=term.academic_year,
        term=term.name,
        indicator_ratings=rated,
        done=notes[0],
        helped=notes[1],
        hindered=notes[2],
        next_steps=notes[3],
    )


logs = st.builds(_log, school, dates, ratings, st.lists(typed(100), min_size=4, max_size=4))

entries = st.builds(
    EvidenceEntry,
    description=typed(200, single_line=True, min_size=3),
    date=dates,
    link=st.sampled_from(
        ["https://school.example/minutes/3", "S:/Wellbeing/survey.pdf", "/shared/policy.docx"]
    ),
)
evidence = st.builds(
    EvidenceLog,
    school=school,
    framework_version=st.just(FRAMEWORK.version),
    date=dates,
    entries=st.dictionaries(
        st.sampled_from(INDICATORS), st.lists(entries, min_size=1, max_size=3), max_size=4
    ),
)

#: One strategy per record kind: property tests are parametrized over these once.
RECORDS = {"audit": audits, "plan": plans, "progress": logs, "evidence": evidence}
