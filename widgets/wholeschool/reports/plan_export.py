"""The action plan as files to take into school: CSV, Excel, Markdown and Word.

One document is built from the plan; the spreadsheet formats take its table, Word and Markdown
take one block per action (a nine-column table does not fit a portrait page). Files are
made as bytes, so a browser can download them; :func:`export_plan` writes them to a folder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..core.dates import long_date
from ..core.framework import FRAMEWORK, Framework
from ..core.gate import GateStatus, gate_status
from ..core.records import AuditRecord, PlanAction, PlanRecord
from ..core.scoring import NOT_RATED
from ..render.blocks import Document, Fields, Heading, Paragraph, Table, cell_text
from ..store.atomic import write_output
from .safeguarding import gate_notes

EXPORT_FORMATS = ("csv", "xlsx", "md", "docx")
COLUMNS = [
    "Principle",
    "Indicator",
    "Audit rating",
    "Action",
    "Lead",
    "Start",
    "Due",
    "Success measure",
    "Status",
]
WIDTHS = {
    "Principle": 22,
    "Indicator": 40,
    "Audit rating": 14,
    "Action": 50,
    "Lead": 18,
    "Start": 12,
    "Due": 12,
    "Success measure": 40,
    "Status": 13,
}
TITLE = "Mental health and wellbeing action plan"


def _where(
    action: PlanAction, audit: AuditRecord | None, framework: Framework, status: GateStatus | None
) -> list[str]:
    """Principle, indicator text and audit rating (or the gate's latest answer) of an action."""
    gate = framework.gate
    if gate is not None and action.indicator == gate.id:
        answer = status.answer if status is not None else None
        principle = framework.principle(gate.principle)
        return [principle.short_name, gate.text, answer.label if answer else "Not answered"]
    indicator = framework.indicator_by_id[action.indicator]
    principle = framework.principle(indicator.principle_id)
    rating = (audit.rated() if audit else {}).get(action.indicator)
    return [
        principle.short_name,
        indicator.text,
        framework.level(rating).label if rating is not None else NOT_RATED,
    ]


def plan_table(
    plan: PlanRecord,
    audit: AuditRecord | None = None,
    framework: Framework = FRAMEWORK,
    gate: GateStatus | None = None,
) -> Table:
    """The plan as one table, in plan order (the safeguarding escalation first). ``gate`` is
    the gate's state (default: the audit's answer)."""
    gate = gate if gate is not None else gate_status(framework, [audit])
    rows = [
        [
            *_where(action, audit, framework, gate),
            action.what,
            action.lead,
            action.start,
            action.due,
            action.measure,
            action.status,
        ]
        for action in plan.actions
    ]
    return Table(COLUMNS, rows, WIDTHS)


def plan_document(
    plan: PlanRecord,
    audit: AuditRecord | None = None,
    framework: Framework = FRAMEWORK,
    gate: GateStatus | None = None,
) -> Document:
    """The plan as a document: the gate's box (see :mod:`.safeguarding`), then one block of
    label–value pairs per action, by principle (each keeps its number in the plan, as the form
    shows it)."""
    gate = gate if gate is not None else gate_status(framework, [audit])
    table = plan_table(plan, audit, framework, gate)
    count = len(plan.actions)
    blocks = [
        Paragraph(
            f"Drafted from the self-audit of "
            f"{long_date(plan.audit_date) if plan.audit_date else 'an unknown date'}; "
            f"last changed {long_date(plan.date)}. {count} action{'' if count == 1 else 's'}."
        )
    ]
    blocks[:0] = gate_notes(gate)
    # Grouped by principle, each action keeps its number in the plan (as the form shows it).
    numbered = list(enumerate(table.rows, start=1))
    for principle in framework.principles:
        rows = [(n, r) for n, r in numbered if r[0] == principle.short_name]
        if not rows:
            continue
        blocks.append(Heading(f"{principle.number}. {principle.short_name}", 2))
        for number, row in rows:
            pairs = list(zip(COLUMNS[1:], [cell_text(c) for c in row[1:]], strict=True))
            blocks.append(Fields(f"Action {number}", pairs))
    return Document(f"{TITLE}: {plan.school}", blocks)


def plan_files(
    plan: PlanRecord,
    audit: AuditRecord | None = None,
    formats: Sequence[str] = EXPORT_FORMATS,
    framework: Framework = FRAMEWORK,
    gate: GateStatus | None = None,
) -> dict[str, bytes]:
    """The plan as ``action-plan.<format>`` file contents, by file name. ``gate`` is the
    safeguarding gate's state (default: the audit's answer)."""
    gate = gate if gate is not None else gate_status(framework, [audit])
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise ValueError(f"unknown export format {unknown[0]!r} (choose from {EXPORT_FORMATS})")
    files: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "csv":
            from ..render.sheets import csv_bytes

            data = csv_bytes(plan_table(plan, audit, framework, gate))
        elif fmt == "xlsx":
            from ..render.sheets import xlsx_bytes

            data = xlsx_bytes({"Action plan": plan_table(plan, audit, framework, gate)})
        elif fmt == "md":
            from ..render.markdown import to_markdown

            data = to_markdown(plan_document(plan, audit, framework, gate)).encode("utf-8")
        else:
            from ..render.word import to_docx

            data = to_docx(plan_document(plan, audit, framework, gate))
        files[f"action-plan.{fmt}"] = data
    return files


def export_plan(
    plan: PlanRecord,
    folder: str | os.PathLike[str],
    audit: AuditRecord | None = None,
    formats: Sequence[str] = EXPORT_FORMATS,
    framework: Framework = FRAMEWORK,
    gate: GateStatus | None = None,
) -> dict[str, Path]:
    """Write the plan as ``action-plan.<format>`` files in ``folder``; returns their paths."""
    files = plan_files(plan, audit, formats, framework, gate)
    return {
        name.rsplit(".", 1)[1]: write_output(Path(folder) / name, data)
        for name, data in files.items()
    }
