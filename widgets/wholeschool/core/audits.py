"""Putting a form's answers into the saved self-audit without losing anyone else's.

Each principle's page rates only its own indicators, and several pages (or kernels) may save
the one ``audit.json``. :func:`merge_audit` is the rule for what a save changes: the answers
given, and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .framework import Framework
from .records import DEFAULT_SCHOOL, AuditRecord, IndicatorRating
from .text import clean_text

#: Stands for "this form does not ask the gate": the saved answer is kept.
KEEP = object()


def merge_audit(
    existing: AuditRecord | None,
    answers: Mapping[str, IndicatorRating | None],
    *,
    school: str,
    framework: Framework,
    today: dt.date,
    gate: str | None | object = KEEP,
) -> AuditRecord:
    """The saved audit with ``answers`` put in (``None``: not rated, so removed) and every
    other indicator kept, dated ``today``, in the framework's order.

    ``gate`` is the form's answer to the safeguarding gate, or :data:`KEEP` when the form does
    not ask it. The school label is cleaned (one line); a blank label is the default one.
    """
    ratings = dict(existing.ratings) if existing else {}
    for indicator_id, entry in answers.items():
        if entry is None:
            ratings.pop(indicator_id, None)
        else:
            ratings[indicator_id] = entry
    order = {key: n for n, key in enumerate(framework.indicator_by_id)}
    kept_gate = existing.gate if existing else None
    return AuditRecord.model_validate(
        {
            "school": clean_text(school, single_line=True).strip() or DEFAULT_SCHOOL,
            "framework_version": framework.version,
            "date": today,
            "ratings": dict(sorted(ratings.items(), key=lambda kv: order.get(kv[0], 0))),
            "gate": kept_gate if gate is KEEP else gate,
        },
        context={"today": today},
    )
