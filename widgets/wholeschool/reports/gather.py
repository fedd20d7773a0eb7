"""Read a records folder for a report: the newest record of each kind, and the files left out.

A folder must hold one school's records: a report that silently mixed two schools would
mislead governors, so several school labels are an error unless one is chosen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import RecordError
from ..core.records import AuditRecord, EvidenceLog, PlanRecord, ProgressLog
from ..store import RecordFolder


@dataclass
class Records:
    """What a records folder holds, newest of each kind, and the files that could not be read."""

    folder: RecordFolder
    audit: AuditRecord | None = None
    audit_path: Path | None = None
    plan: PlanRecord | None = None
    plan_path: Path | None = None
    logs: list[ProgressLog] = field(default_factory=list)
    evidence: EvidenceLog | None = None
    evidence_path: Path | None = None
    #: One line per file left out: the file, the field and the problem.
    problems: list[RecordError] = field(default_factory=list)

    @property
    def school(self) -> str:
        for record in (self.audit, self.plan, *reversed(self.logs), self.evidence):
            if record is not None:
                return record.school
        return ""


def read_records(
    folder: RecordFolder | str | os.PathLike[str], school: str | None = None
) -> Records:
    """Every record in ``folder`` (for ``school``, if given); bad files go to ``problems``."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder)
    if not folder.path.is_dir():
        raise RecordError(folder.path, None, "is not a folder of records")
    loaded = folder.scan()
    schools = sorted({item.record.school for item in loaded if item.record is not None})
    if school is not None and school not in schools:
        raise RecordError(
            folder.path,
            "school",
            f"holds no records for {school!r} (it has {', '.join(map(repr, schools)) or 'none'})",
        )
    if school is None and len(schools) > 1:
        raise RecordError(
            folder.path,
            "school",
            f"holds records of {len(schools)} schools ({', '.join(map(repr, schools))}); a "
            "report covers one school: choose one (--school on the command line)",
        )
    found = Records(folder)
    for item in loaded:
        record = item.record
        if record is None:
            found.problems.append(item.error)  # type: ignore[arg-type]
            continue
        if school is not None and record.school != school:
            continue
        if isinstance(record, AuditRecord):
            if found.audit is None or record.date >= found.audit.date:
                found.audit, found.audit_path = record, item.path
        elif isinstance(record, PlanRecord):
            if found.plan is None or record.date >= found.plan.date:
                found.plan, found.plan_path = record, item.path
        elif isinstance(record, ProgressLog):
            found.logs.append(record)
        elif isinstance(record, EvidenceLog) and (
            found.evidence is None or record.date >= found.evidence.date
        ):
            found.evidence, found.evidence_path = record, item.path
    found.logs.sort(key=lambda log: (log.term_key, log.date))
    return found
