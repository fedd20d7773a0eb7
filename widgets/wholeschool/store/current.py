"""Which record is current: one rule, used by reports, forms, grading and the progress logs.

* The current record of a kind is the **newest by its date** among the valid records of that
  kind in the folder (and folders below); on the same date the record's usual file name
  (``audit.json``, ``plan.json``, ``evidence.json``) wins, then the path.
* Progress logs are listed **oldest first**: by term, then date, then file name.
* The safeguarding gate is decided by the latest answer by date, self-audit or log (see
  :func:`wholeschool.core.gate.gate_status`).

A file that cannot be read is never current: it is kept in :attr:`Records.problems`, named
with its field, so whatever shows the records can say it was left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..core.errors import RecordError
from ..core.gate import GateStatus, gate_status
from ..core.records import (
    DEFAULT_SCHOOL,
    AuditRecord,
    EvidenceLog,
    PlanRecord,
    ProgressLog,
    Record,
)
from .folder import RecordFolder
from .locations import AUDIT_FILE, EVIDENCE_FILE, PLAN_FILE
from .reader import Loaded

R = TypeVar("R", bound=Record)
#: The usual file name of each kind that has one current record.
USUAL_NAME = {"audit": AUDIT_FILE, "plan": PLAN_FILE, "evidence": EVIDENCE_FILE}


def newest(
    loaded: Iterable[Loaded], kind: type[R], where: Callable[[R], bool] | None = None
) -> tuple[Path, R] | None:
    """The current record of ``kind`` (and its path) among ``loaded``, or ``None``.

    ``where`` narrows the choice (for example, audits that rate a principle).
    """
    found = [
        (item.path, item.record)
        for item in loaded
        if isinstance(item.record, kind) and (where is None or where(item.record))
    ]
    if not found:
        return None
    usual = USUAL_NAME.get(getattr(kind, "kind_name", ""), "")
    return max(found, key=lambda pair: (pair[1].date, pair[0].name == usual, str(pair[0])))


def log_order(pair: tuple[Path, ProgressLog]) -> tuple:
    """How progress logs are listed: by term, then date, then file name."""
    path, log = pair
    return (log.term_key, log.date, path.name)


@dataclass
class Records:
    """The current record of each kind in a folder, its logs, and the files left out."""

    folder: RecordFolder
    audit: AuditRecord | None = None
    audit_path: Path | None = None
    plan: PlanRecord | None = None
    plan_path: Path | None = None
    #: Progress logs with their files, oldest first.
    log_files: list[tuple[Path, ProgressLog]] = field(default_factory=list)
    evidence: EvidenceLog | None = None
    evidence_path: Path | None = None
    #: One error per file left out: the file, the field and the problem.
    problems: list[RecordError] = field(default_factory=list)

    @property
    def logs(self) -> list[ProgressLog]:
        """The progress logs, oldest first."""
        return [log for _path, log in self.log_files]

    @property
    def log_problems(self) -> list[RecordError]:
        """The problems of files named like progress logs."""
        return [e for e in self.problems if Path(e.path).name.startswith("progress-")]

    @property
    def school(self) -> str:
        for record in (self.audit, self.plan, *reversed(self.logs), self.evidence):
            if record is not None:
                return record.school
        return ""

    @property
    def gate(self) -> GateStatus | None:
        """The safeguarding gate: the latest answer by date, self-audit or log."""
        return gate_status(self.folder.framework, [self.audit, *self.logs])


def current_records(
    folder: RecordFolder, *, school: str | None = None, loaded: list[Loaded] | None = None
) -> Records:
    """The current records of ``folder`` (of ``school`` only, if given); ``loaded`` is a scan
    already made. A folder that does not exist yet holds no records."""
    if loaded is None:
        loaded = folder.scan()
    found = Records(folder)
    mine = []
    for item in loaded:
        if item.record is None:
            found.problems.append(item.error)  # type: ignore[arg-type]
        elif school is None or item.record.school == school:
            mine.append(item)
    for kind, name in ((AuditRecord, "audit"), (PlanRecord, "plan"), (EvidenceLog, "evidence")):
        pair = newest(mine, kind)
        if pair is not None:
            setattr(found, f"{name}_path", pair[0])
            setattr(found, name, pair[1])
    found.log_files = sorted(
        ((item.path, item.record) for item in mine if isinstance(item.record, ProgressLog)),
        key=log_order,
    )
    return found


def school_label(folder: RecordFolder) -> str:
    """The school label a new record of this folder gets: the current records' (the
    self-audit's first), else the default. A folder holds one school's records."""
    return current_records(folder).school or DEFAULT_SCHOOL


def relabel_school(folder: RecordFolder, old: str, new: str) -> list[Path]:
    """Give every record of this folder labelled ``old`` the label ``new`` (each saved with
    its history, under its own lock), so renaming the school in the self-audit never leaves
    the folder holding "two schools". Returns the files changed; a bad file is left alone."""
    changed = []
    if old == new:
        return changed
    for item in folder.scan():
        record = item.record
        if record is None or record.school != old or item.path.parent != folder.path:
            continue

        def rename(current: Record | None) -> Record:
            if current is None or current.school != old:
                return current  # type: ignore[return-value]
            return current.model_copy(update={"school": new})

        folder.update(item.path.name, type(record), rename)
        changed.append(item.path)
    return changed
