"""What the reflection assignments' cells import: the structured reflection and its checklist.

:func:`check_reflection` is :func:`wholeschool.grading.reflection.check_reflection` with the lead's
latest saved self-audit for the principle looked up in their records folder, so quoted
ratings can be compared with it.
"""

from __future__ import annotations

import datetime as dt
import os

from ..core.clock import fixed_clock
from ..core.framework import FRAMEWORK, Principle
from ..core.records import AuditRecord
from ..store import RecordFolder
from ..store.current import newest
from .reflection import Action, Checklist, Reflection, SavedAudit
from .reflection import check_reflection as check

__all__ = ["Action", "Checklist", "Reflection", "check_reflection", "latest_audit"]


def latest_audit(folder: RecordFolder, principle: Principle) -> SavedAudit | None:
    """The current saved audit (the store's rule) among those rating any indicator of
    ``principle``; bad files skipped."""
    ids = {i.id for i in principle.indicators}
    found = newest(folder.scan(), AuditRecord, where=lambda audit: bool(ids & set(audit.rated())))
    return SavedAudit(found[0].name, found[1]) if found else None


def check_reflection(
    reflection: object,
    principle_id: str,
    *,
    today: dt.date | None = None,
    records: str | os.PathLike[str] | None = None,
) -> Checklist:
    """Check a reflection; never raises on its content. ``today`` fixes the academic-year
    window and the day the saved audits are read on (default: the real date); ``records`` is
    the folder of saved audits."""
    folder = (
        RecordFolder(records) if today is None else RecordFolder(records, clock=fixed_clock(today))
    )
    saved = latest_audit(folder, FRAMEWORK.principle(principle_id))
    return check(
        reflection,
        principle_id,
        today=today or folder.today(),
        saved=saved,
        records_place=str(folder.path),
    )
