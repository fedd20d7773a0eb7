"""The governors' report: one short report from the lead's audit, plan, logs and evidence.

:func:`build_report` reads a records folder into a :class:`GovernorReport` (plain data);
:func:`report_document` turns it into one document (blocks), which is written as Word or as one
self-contained HTML page. The summary comes first and fits on two pages: the safeguarding
escalation when there is one, where the school stands, what changed, the top priorities. The
detail follows as marked appendices: the change chart and record changes, the evidence behind
each judgement, the crosswalk to other frameworks, and how to read the report.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core.crosswalk import Crosswalk, CrosswalkRow, crosswalk_table, default_crosswalk
from ..core.dates import long_date
from ..core.diff import FieldChange
from ..core.errors import RecordError
from ..core.framework import Framework
from ..core.gate import GateStatus
from ..core.records import OPEN_STATUSES, PlanAction, PlanRecord
from ..core.scoring import format_score, level_label
from ..render.blocks import (
    Block,
    Bullets,
    Document,
    Heading,
    Image,
    Note,
    Paragraph,
    Table,
)
from ..render.html import to_html as document_html
from ..render.word import to_docx as document_docx
from ..store import RecordFolder
from ..store.atomic import write_output
from .change_words import field_words, value_words
from .gather import Records, read_records
from .progress import charts_available
from .safeguarding import gate_notes
from .team import team_section
from .timeline import WHAT_IS_COMPARED, Snapshot, any_whole_principle, timeline

TITLE = "Mental health and wellbeing: report to governors"
SECTIONS = (
    "Where the school stands",
    "What changed since last term",
    "Top priorities",
)
APPENDICES = (
    "Appendix A: the change in detail",
    "Appendix B: evidence behind each judgement",
    "Appendix C: one audit, several frameworks",
    "Appendix D: about this report",
)
STANDING_CAPTION = "Figure 1. Score per principle, from 0 (not started) to 4 (embedded)."
CHANGE_CAPTION = (
    "Figure 2. Last term (open ring) and now (filled square) for each principle; "
    "a square inside a ring means no change."
)
PRIORITY_HEADERS = ["Action", "Lead", "Due by", "Status", "How we will know"]
CHANGE_HEADERS = ["Principle", "Before", "Now", "Change"]
CROSSWALK_HEADERS = [
    "Heading",
    "Indicators rated",
    "Average (0–4) and percent",
    "Weakest indicator",
]
EVIDENCE_HEADERS = ["Indicator", "Evidence", "Date", "Where it is kept"]
#: Field changes listed in appendix A at most (the rest are counted).
CHANGES_LISTED = 40


@dataclass
class GovernorReport:
    """Everything the report shows, computed once and shared by both output formats."""

    school: str
    made_on: dt.date
    framework: Framework
    records: Records
    snapshots: list[Snapshot]
    priorities: list[PlanAction]
    crosswalk: list[CrosswalkRow]
    crosswalk_data: Crosswalk
    record_changes: list[tuple[str, FieldChange]] | None = None
    since: dt.date | None = None
    charts: dict[str, bytes] = field(default_factory=dict)

    @property
    def current(self) -> Snapshot | None:
        return self.snapshots[-1] if self.snapshots else None

    @property
    def previous(self) -> Snapshot | None:
        return self.snapshots[-2] if len(self.snapshots) > 1 else None

    @property
    def gate(self) -> GateStatus | None:
        """The safeguarding gate: the latest answer by date, self-audit or progress log."""
        return self.records.gate

    @property
    def escalation(self) -> str | None:
        """The gate's escalation when the latest answer is short of "in place", else ``None``."""
        gate = self.gate
        return gate.message if gate is not None and gate.escalates else None


def top_priorities(
    plan: PlanRecord | None, framework: Framework, limit: int = 5
) -> list[PlanAction]:
    """Open actions: the safeguarding gate's first, then pinned indicators, then plan order."""
    if plan is None:
        return []
    gate_id = framework.gate.id if framework.gate else None
    pinned = set(plan.pinned)
    open_actions = [a for a in plan.actions if a.status in OPEN_STATUSES]
    ordered = sorted(
        enumerate(open_actions),
        key=lambda pair: (pair[1].indicator != gate_id, pair[1].indicator not in pinned, pair[0]),
    )
    return [action for _, action in ordered][:limit]


def build_report(
    folder: RecordFolder | str | os.PathLike[str],
    *,
    since: dt.date | None = None,
    top: int = 5,
    school: str | None = None,
    made_on: dt.date | None = None,
    crosswalk: Crosswalk | None = None,
) -> GovernorReport:
    """Read ``folder`` and compute the report. Raises RecordError if there is no audit."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder)
    if top < 1:
        raise ValueError(f"top must be 1 or more, not {top}")
    framework = folder.framework
    records = read_records(folder, school)
    if records.audit is None:
        detail = "".join(f"\n  left out: {problem}" for problem in records.problems)
        raise RecordError(folder.path, None, f"holds no self-audit record to report on{detail}")
    crosswalk = crosswalk or default_crosswalk()
    made_on = made_on or folder.today()
    report = GovernorReport(
        school=records.audit.school,
        made_on=made_on,
        framework=framework,
        records=records,
        snapshots=timeline(records.audit, records.logs, framework),
        priorities=top_priorities(records.plan, framework, top),
        crosswalk=crosswalk_table(records.audit.rated(), crosswalk, framework, _answer(records)),
        crosswalk_data=crosswalk,
        since=since,
        record_changes=record_changes(records, since, made_on) if since else None,
    )
    if charts_available():
        report.charts = {"standing": standing_chart(report), "change": change_chart(report)}
    return report


def _answer(records: Records) -> str | None:
    """The answer id that decides the gate (the latest by date), if any."""
    gate = records.gate
    return gate.answer.id if gate is not None and gate.answer is not None else None


def record_changes(
    records: Records, since: dt.date, until: dt.date
) -> list[tuple[str, FieldChange]]:
    """Field changes in the audit, plan and evidence log between two dates (from history)."""
    changes = []
    for name, path in (
        ("Self-audit", records.audit_path),
        ("Action plan", records.plan_path),
        ("Evidence log", records.evidence_path),
    ):
        if path is not None:
            changes += [(name, change) for change in records.folder.diff(path, since, until)]
    return changes


# --- Charts ---------------------------------------------------------------------------------


def _levels(framework: Framework) -> list[str]:
    return [level.label for level in framework.scale]


def standing_chart(report: GovernorReport) -> bytes:
    from ..render import charts

    fw = report.framework
    current = report.current
    values = [current.scores.get(p.id) if current else None for p in fw.principles]
    title = f"Where we stand: {current.label if current else 'no ratings yet'}"
    figure = charts.standing([p.short_name for p in fw.principles], values, _levels(fw), title)
    return charts.png(figure)


def change_chart(report: GovernorReport) -> bytes:
    from ..render import charts

    fw = report.framework
    previous, current = report.previous, report.current
    labels = (
        previous.label if previous else "before (none yet)",
        current.label if current else "now",
    )
    figure = charts.change(
        [p.short_name for p in fw.principles],
        [previous.scores.get(p.id) if previous else None for p in fw.principles],
        [current.scores.get(p.id) if current else None for p in fw.principles],
        _levels(fw),
        labels,
    )
    return charts.png(figure)


# --- The document ---------------------------------------------------------------------------


def _score(snapshot: Snapshot | None, principle_id: str) -> str:
    if snapshot is None:
        return "–"
    text = format_score(snapshot.scores.get(principle_id))
    return f"{text}*" if snapshot.marked(principle_id) else text


def change_rows(report: GovernorReport) -> list[list[str]]:
    rows = []
    for p in report.framework.principles:
        before = report.previous.scores.get(p.id) if report.previous else None
        now = report.current.scores.get(p.id) if report.current else None
        if before is None or now is None:
            change = "–"
        else:
            delta = now - before
            change = (
                "no change"
                if abs(delta) < 0.05
                else f"{format_score(delta) if delta < 0 else '+' + format_score(delta)}"
            )
        rows.append(
            [p.short_name, _score(report.previous, p.id), _score(report.current, p.id), change]
        )
    return rows


def change_words(report: GovernorReport) -> str:
    if report.previous is None:
        return (
            "There is no earlier point to compare with yet: this is the first snapshot. The next "
            "termly progress log will show the change."
        )
    up, down = [], []
    for p in report.framework.principles:
        before, now = report.previous.scores.get(p.id), report.current.scores.get(p.id)
        if before is not None and now is not None and abs(now - before) >= 0.05:
            (up if now > before else down).append(p.short_name)
    text = f"Compared with the {report.previous.label}, "
    noun = "principle" if len(up) == 1 else "principles"
    text += f"{len(up)} {noun} moved up" + (f" ({', '.join(up)})" if up else "")
    text += f" and {len(down)} moved down" + (f" ({', '.join(down)})" if down else "") + "."
    return text


def _intro(report: GovernorReport) -> str:
    current = report.current
    return (
        f"This report sets out where {report.school} stands on the eight principles of the whole "
        "school approach to mental health and wellbeing, what has changed, what we will do next "
        "and the evidence behind each judgement. It was prepared by the senior mental health "
        f"lead on {long_date(report.made_on)}, from the {current.label if current else 'self-audit'}. "
        "The appendices hold the detail."
    )


def _priority_rows(report: GovernorReport) -> list[list[str]]:
    return [
        [
            action.what,
            action.lead or "not yet assigned",
            action.due,
            action.status,
            action.measure,
        ]
        for action in report.priorities
    ]


def _crosswalk_rows(report: GovernorReport, short_name: str) -> list[list[str]]:
    rows = []
    for row in report.crosswalk:
        if row.framework != short_name:
            continue
        rated = f"{row.rated} of {row.indicators}"
        if row.gate is not None:
            average = f"Safeguarding route: {row.gate}"
        elif row.mean_rating is None:
            average = "not rated yet"
        else:
            average = f"{format_score(row.mean_rating)} ({row.percent}%)"
        weakest = ""
        if row.weakest:
            indicator = report.framework.indicator_by_id[row.weakest]
            weakest = indicator.text
        rows.append([row.target, rated, average, weakest])
    return rows


def _about(report: GovernorReport) -> list[str]:
    lines = [
        "Each principle is rated on a five-point scale, from 0 (not started) to 4 (embedded). "
        + WHAT_IS_COMPARED
        + " A score's judgement is the nearest level, halves going up.",
        "The senior mental health lead (SMHL) is the member of staff who leads the school's "
        "whole school approach to mental health and wellbeing.",
        "The ratings are the school's own judgement, reviewed each term, not an external grade.",
        "This report holds no information about individual pupils. Any concern about a child's "
        "safety goes through the school's safeguarding procedures to the designated safeguarding "
        "lead (DSL), at once.",
    ]
    if any_whole_principle(report.snapshots):
        lines.append(
            "Scores marked * come from a progress log made before framework 2.0, which rated "
            "each principle as a whole rather than indicator by indicator."
        )
    return lines


def report_document(report: GovernorReport) -> Document:
    """The whole report as blocks: a summary of at most two pages, then the appendices."""
    fw = report.framework
    blocks: list[Block] = []
    blocks += gate_notes(report.gate)
    blocks.append(Paragraph(_intro(report)))
    if report.records.problems:
        blocks.append(
            Note(
                "Files left out.",
                "These files could not be read and were left out (they were not changed):",
                [str(problem) for problem in report.records.problems],
            )
        )
    blocks += [
        Heading(f"1. {SECTIONS[0]}"),
        *_chart(report, "standing", _standing_alt(report), STANDING_CAPTION, 13),
        Table(
            ["Principle", "Score", "Judgement"],
            [
                [
                    p.short_name,
                    _score(report.current, p.id),
                    level_label(report.current.scores.get(p.id) if report.current else None, fw),
                ]
                for p in fw.principles
            ],
            widths={"Principle": 30, "Score": 8, "Judgement": 14},
        ),
        Heading(f"2. {SECTIONS[1]}"),
        Paragraph(change_words(report)),
        Table(CHANGE_HEADERS, change_rows(report), widths={"Principle": 30}),
        Heading(f"3. {SECTIONS[2]}"),
    ]
    if report.priorities:
        blocks.append(
            Table(
                PRIORITY_HEADERS,
                _priority_rows(report),
                widths={
                    "Action": 38,
                    "Lead": 12,
                    "Due by": 13,  # "30 September 2026" on two lines at most
                    "Status": 10,
                    "How we will know": 27,
                },
            )
        )
    else:
        blocks.append(Paragraph("No open actions in the action plan yet."))
    blocks += team_section(report.records.folder, fw)
    blocks += _appendices(report)
    return Document(TITLE, blocks, subtitle=f"{report.school} · {long_date(report.made_on)}")


def _appendices(report: GovernorReport) -> list[Block]:
    fw = report.framework
    blocks: list[Block] = [
        Heading(APPENDICES[0], new_page=True),
        *_chart(report, "change", change_words(report), CHANGE_CAPTION, 14),
    ]
    if report.record_changes is not None:
        listed = report.record_changes[:CHANGES_LISTED]
        more = len(report.record_changes) - len(listed)
        blocks += [
            Heading(f"Changes to the records since {long_date(report.since)}", 2),
            Paragraph(
                f"{len(report.record_changes)} field(s) changed in the saved records (from their "
                "version history)" + (f"; the first {len(listed)} are listed." if more else ".")
            ),
            Table(
                ["Record", "Field", "Before", "After"],
                [
                    [
                        name,
                        field_words(c, fw),
                        value_words(c, c.before, fw),
                        value_words(c, c.after, fw),
                    ]
                    for name, c in listed
                ],
            ),
        ]
    blocks.append(Heading(APPENDICES[1], new_page=True))
    log = report.records.evidence
    for principle in fw.principles:
        score = report.current.scores.get(principle.id) if report.current else None
        blocks.append(
            Heading(f"{principle.short_name}: {level_label(score, fw)} ({format_score(score)})", 2)
        )
        items = log.for_principle(principle.id, fw) if log else []
        if items:
            blocks.append(
                Table(
                    EVIDENCE_HEADERS,
                    [
                        [
                            _reference_text(fw, key),
                            e.description,
                            e.date,
                            e.link,
                        ]
                        for key, e in items
                    ],
                    widths={"Indicator": 29, "Evidence": 30, "Date": 13, "Where it is kept": 26},
                )
            )
        else:
            blocks.append(Paragraph("No evidence logged yet for this principle."))
    blocks += [
        Heading(APPENDICES[2], new_page=True),
        Paragraph(
            "The same self-audit, read against the headings of other frameworks the school is "
            "asked about. Each heading averages the indicators that count towards it."
        ),
    ]
    for other in report.crosswalk_data.frameworks:
        blocks += [
            Heading(other.name, 2),
            Table(
                CROSSWALK_HEADERS,
                _crosswalk_rows(report, other.short_name),
                widths={
                    "Heading": 26,
                    "Indicators rated": 10,
                    "Average (0–4) and percent": 14,
                    "Weakest indicator": 40,
                },
            ),
        ]
    blocks += [
        Heading(APPENDICES[3], new_page=True),
        Bullets(_about(report)),
        Table(
            ["Score", "Level", "What it means"],
            [[str(lv.value), lv.label, lv.descriptor] for lv in fw.scale],
            widths={"Score": 6, "Level": 12, "What it means": 60},
        ),
    ]
    return blocks


def _chart(report: GovernorReport, key: str, alt: str, caption: str, width: float) -> list[Block]:
    """The chart as an image block; where charts cannot be drawn (the browser's Python has no
    matplotlib) its description in words instead, so no section is left empty."""
    if key not in report.charts:
        return [Paragraph(f"In words (this copy of the report has no charts): {alt}")]
    return [Image(report.charts[key], alt, caption, width_cm=width)]


def _reference_text(framework: Framework, key: str) -> str:
    if framework.gate is not None and key == framework.gate.id:
        return framework.gate.text
    return framework.indicator_by_id[key].text


def _standing_alt(report: GovernorReport) -> str:
    current = report.current
    return "Bar chart of scores per principle: " + "; ".join(
        f"{p.short_name} {format_score(current.scores.get(p.id) if current else None)}"
        for p in report.framework.principles
    )


# --- Files ----------------------------------------------------------------------------------


def to_html(report: GovernorReport) -> str:
    """The report as one self-contained HTML page (charts embedded, text escaped)."""
    return document_html(report_document(report))


def to_docx(report: GovernorReport) -> bytes:
    """The report as the bytes of a Word document."""
    return document_docx(report_document(report))


#: The report's file types, by file name ending: the one suffix rule (the command line's too).
REPORT_SUFFIXES = {".docx": "Word", ".html": "web page", ".htm": "web page"}


def report_suffix(out: str | os.PathLike[str]) -> str:
    """The report's file ending (``.docx``, ``.html``, ``.htm``), or a RecordError naming it."""
    suffix = Path(out).suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise RecordError(out, None, "the report file name must end in .docx or .html")
    return suffix


def write_report(report: GovernorReport, out: str | os.PathLike[str]) -> Path:
    """Write ``report`` to ``out``: ``.docx`` for Word, ``.html``/``.htm`` for a web page.
    A place that cannot be written (a folder that is a file, no permission) is a RecordError
    naming it; nothing is half-written."""
    out = Path(out)
    data = to_docx(report) if report_suffix(out) == ".docx" else to_html(report)
    return write_output(out, data)
