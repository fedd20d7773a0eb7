"""A made-up school's full year of records, for the governor report page, tests and benchmarks.

Everything here is fictional and deterministic (a seeded random generator): a baseline
self-audit, an action plan, up to three termly progress logs and an evidence log, saved with
their version history like a lead's own records. No pupil data, only roles and documents.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
from pathlib import Path

from ..core.clock import fixed_clock
from ..core.framework import FRAMEWORK, Framework
from ..core.records import (
    AuditRecord,
    EvidenceEntry,
    EvidenceLog,
    IndicatorRating,
    PlanAction,
    PlanRecord,
    ProgressLog,
    Record,
    Status,
)
from .folder import RecordFolder
from .locations import AUDIT_FILE, EVIDENCE_FILE, PLAN_FILE, log_file, records_folder

SCHOOL = "Oak Hill Primary (example)"
YEAR = "2025-26"
AUDIT_DATE = dt.date(2025, 9, 22)
LOG_DATES = {
    "autumn": dt.date(2025, 12, 12),
    "spring": dt.date(2026, 3, 27),
    "summer": dt.date(2026, 7, 17),
}
LEADS = ("SMHL", "Head teacher", "PSHE lead", "SENCO", "Wellbeing governor", "Pastoral lead")
#: Statuses drawn for the sample's actions (in progress twice as often as the others).
STATUS_DRAW: tuple[Status, ...] = ("done", "in progress", "in progress", "not started", "on hold")
DOCUMENTS = (
    ("Staff wellbeing survey summary", "S:/Wellbeing/staff-survey-{n}.pdf"),
    ("Governors' minutes, wellbeing item", "https://governors.oakhill.example/minutes/{n}"),
    ("Pupil voice survey results (whole-school summary)", "S:/Wellbeing/pupil-voice-{n}.xlsx"),
    ("Policy review notes", "S:/Policies/review-{n}.docx"),
    ("Training attendance log", "S:/CPD/training-log-{n}.xlsx"),
    ("Parent workshop feedback summary", "S:/Parents/workshop-feedback-{n}.pdf"),
    ("Intervention outcome summary (anonymised)", "S:/Wellbeing/outcomes-{n}.xlsx"),
)


def _save(folder: Path, record: Record, name: str, framework: Framework) -> None:
    """Save as if on the record's own date, so its history reads like a real year."""
    RecordFolder(folder, clock=fixed_clock(record.date), framework=framework).save(record, name)


def write_sample_year(
    folder: str | os.PathLike[str],
    *,
    actions: int = 40,
    evidence: int = 100,
    logs: int = 3,
    seed: int = 2025,
    framework: Framework = FRAMEWORK,
) -> Path:
    """Write the fictional school's records into ``folder`` and return it."""
    folder = Path(folder)
    rng = random.Random(seed)
    indicators = list(framework.indicator_by_id)
    base = {i: rng.choice((0, 1, 1, 2, 2, 3)) for i in indicators}
    audit = AuditRecord(
        school=SCHOOL,
        framework_version=framework.version,
        date=AUDIT_DATE,
        ratings={
            i: IndicatorRating(rating=r, note="Baseline, agreed with the head teacher.")
            for i, r in base.items()
        },
        gate=framework.gate.in_place if framework.gate else None,
    )
    _save(folder, audit, AUDIT_FILE, framework)

    gaps = sorted(indicators, key=lambda i: (base[i], indicators.index(i)))
    plan_actions = []
    for n in range(actions):
        indicator = gaps[n % len(gaps)]
        start = AUDIT_DATE + dt.timedelta(days=7 + 3 * n)
        plan_actions.append(
            PlanAction(
                indicator=indicator,
                # The indicator's words, not its id: the example report is read by leads.
                what=f"Action {n + 1}: {framework.indicator_by_id[indicator].text}",
                lead=LEADS[n % len(LEADS)],
                start=start,
                due=start + dt.timedelta(days=60 + 5 * (n % 9)),
                measure="Re-rated one level higher at the next termly review.",
                status=STATUS_DRAW[rng.randrange(len(STATUS_DRAW))] if n >= 8 else "in progress",
            )
        )
    plan = PlanRecord(
        school=SCHOOL,
        framework_version=framework.version,
        date=AUDIT_DATE + dt.timedelta(days=5),
        audit_date=AUDIT_DATE,
        pinned=[gaps[1]],
        actions=plan_actions,
    )
    _save(folder, plan, PLAN_FILE, framework)

    current = dict(base)
    for term in list(LOG_DATES)[:logs]:
        current = {
            i: min(framework.max_rating, r + rng.choice((0, 0, 1))) for i, r in current.items()
        }
        log = ProgressLog(
            school=SCHOOL,
            framework_version=framework.version,
            date=LOG_DATES[term],
            academic_year=YEAR,
            term=term,
            indicator_ratings={i: IndicatorRating(rating=r) for i, r in current.items()},
            gate=framework.gate.in_place if framework.gate else None,
            done="Staff training twilight; new pupil wellbeing ambassadors.",
            helped="Time protected by the head teacher.",
            hindered="Staff absence in the second half of term.",
            next_steps="Review the graduated response with the SENCO.",
        )
        _save(folder, log, log_file(YEAR, term), framework)

    entries: dict[str, list[EvidenceEntry]] = {}
    for n in range(evidence):
        indicator = indicators[(n * 7) % len(indicators)]
        description, link = DOCUMENTS[n % len(DOCUMENTS)]
        entries.setdefault(indicator, []).append(
            EvidenceEntry(
                description=description,
                date=AUDIT_DATE + dt.timedelta(days=(n * 3) % 300),
                link=link.format(n=n + 1),
            )
        )
    order = {i: k for k, i in enumerate(indicators)}
    log = EvidenceLog(
        school=SCHOOL,
        framework_version=framework.version,
        date=LOG_DATES["summer"],
        entries=dict(sorted(entries.items(), key=lambda kv: order[kv[0]])),
    )
    _save(folder, log, EVIDENCE_FILE, framework)
    return folder


def records_or_sample(
    folder: str | os.PathLike[str] | None = None,
    sample_folder: str | os.PathLike[str] | None = None,
) -> tuple[Path, bool]:
    """The lead's records folder if it holds a self-audit, else a folder with the sample year.

    Returns ``(folder, is_sample)``. The sample goes to ``sample_folder`` (default: a new
    temporary folder), never into the lead's records.
    """
    own = Path(folder) if folder is not None else records_folder()
    if (own / AUDIT_FILE).exists():
        return own, False
    target = (
        Path(sample_folder)
        if sample_folder is not None
        else Path(tempfile.mkdtemp(prefix="wholeschool-sample-"))
    )
    return write_sample_year(target), True
