"""Adding to the evidence log: one entry checked, then appended under the log's lock.

The log (``evidence.json``, kind ``evidence``) is a record of its own beside the self-audit, so
the audit form's autosave and the evidence log never write over each other. Because the store
writes a version before it replaces the record, a failed save changes nothing: a retry never
adds a duplicate.
"""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError

from ..core.errors import RecordError, format_location, from_validation_error
from ..core.records import EvidenceEntry, EvidenceLog
from ..core.text import clean_text
from .current import school_label
from .folder import RecordFolder
from .locations import EVIDENCE_FILE


def load_evidence(folder: RecordFolder) -> EvidenceLog | None:
    """The saved evidence log, or ``None``. A bad file raises RecordError."""
    return folder.read_optional(EVIDENCE_FILE, EvidenceLog)


def add_evidence(
    folder: RecordFolder,
    indicator_id: str,
    description: str,
    date: dt.date,
    link: str,
    school: str | None = None,
) -> EvidenceLog:
    """Check one entry, append it to the log and save (with history).

    Errors name the log file and the field (``entries["ethos.2"][3].link``); on any error
    nothing is written, so the log on disk stays as it was.
    """
    framework = folder.framework
    path = folder.file(EVIDENCE_FILE)
    if not framework.is_reference(indicator_id):
        raise RecordError(path, "indicator", f"unknown indicator {indicator_id!r}")
    today = folder.today()
    school = school or school_label(folder)

    def append(log: EvidenceLog | None) -> EvidenceLog:
        position = len(log.entries.get(indicator_id, [])) if log else 0
        where = format_location(("entries", indicator_id, position))
        try:
            entry = EvidenceEntry.model_validate(
                {
                    "description": clean_text(description, single_line=True),
                    "date": date,
                    "link": clean_text(link, single_line=True),
                },
                context={"today": today},
            )
        except ValidationError as error:
            problem = from_validation_error(error, path, RecordError)
            raise RecordError(path, f"{where}.{problem.field}", problem.problem) from None
        if log is None:
            log = EvidenceLog(school=school, framework_version=framework.version, date=today)
        entries = {key: list(items) for key, items in log.entries.items()}
        entries.setdefault(indicator_id, []).append(entry)
        order = [*framework.indicator_by_id, *([framework.gate.id] if framework.gate else [])]
        return log.model_copy(
            update={
                "entries": dict(sorted(entries.items(), key=lambda kv: order.index(kv[0]))),
                "date": max(log.date, today),
                "framework_version": framework.version,
            }
        )

    return folder.update(EVIDENCE_FILE, EvidenceLog, append)
