"""The governor report: one short report from the lead's audit, plan, logs and evidence.

:func:`build_report` reads a records folder into a :class:`GovernorReport` (plain data);
:func:`to_html` and :func:`write_docx` render it. Sections: where the school stands on each
principle (chart), what changed since last term (chart and table), the top priorities with
their leads and dates, the evidence behind each judgement, and the audit read against other
frameworks (the crosswalk). Charts use patterns, markers and value labels rather than colour,
so the report reads the same printed in black and white. HTML output is one self-contained
file (charts embedded as base64 PNG).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .crosswalk import Crosswalk, crosswalk_table, default_crosswalk
from .errors import RecordError
from .evidence import EvidenceLog
from .framework import FRAMEWORK, Framework
from .history import diff_dates
from .records import AuditRecord, PlanAction, PlanRecord, ProgressLog, Record
from .storage import load_record, write_atomic
from .terms import Term, term_of

OPEN_STATUSES = ("not started", "in progress", "on hold")
SECTIONS = (
    "Where the school stands",
    "What changed since last term",
    "Top priorities",
    "Evidence behind each judgement",
    "One audit, several frameworks",
    "About this report",
)


@dataclass(frozen=True)
class Snapshot:
    """Principle scores at one point: from the self-audit or a termly progress log."""

    label: str
    date: dt.date
    term: Term
    source: str
    scores: dict[str, float | None]


@dataclass
class Records:
    """What a records folder holds, newest of each kind, and the files that could not be read."""

    audit: AuditRecord | None = None
    audit_path: Path | None = None
    plan: PlanRecord | None = None
    plan_path: Path | None = None
    logs: list[ProgressLog] = field(default_factory=list)
    evidence: EvidenceLog | None = None
    evidence_path: Path | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class GovernorReport:
    """Everything the report shows, computed once and shared by both output formats."""

    school: str
    made_on: dt.date
    framework: Framework
    records: Records
    snapshots: list[Snapshot]
    changes: pd.DataFrame
    priorities: list[PlanAction]
    crosswalk: pd.DataFrame
    crosswalk_data: Crosswalk
    record_changes: pd.DataFrame | None = None
    since: dt.date | None = None
    charts: dict[str, bytes] = field(default_factory=dict)

    @property
    def current(self) -> Snapshot | None:
        return self.snapshots[-1] if self.snapshots else None

    @property
    def previous(self) -> Snapshot | None:
        return self.snapshots[-2] if len(self.snapshots) > 1 else None


# --- Reading the folder ---------------------------------------------------------------------


def record_files(folder: Path) -> list[Path]:
    """Record files under ``folder``, skipping hidden files and folders (such as ``.history``)."""
    return sorted(
        path
        for path in folder.rglob("*.json")
        if not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def read_records(folder: str | os.PathLike[str], framework: Framework = FRAMEWORK) -> Records:
    """Load every record in ``folder``; a bad file is listed in ``problems`` and left alone."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RecordError(folder, None, "is not a folder of records")
    found = Records()
    for path in record_files(folder):
        try:
            record: Record = load_record(path, framework=framework)
        except RecordError as error:
            found.problems.append(str(error))
            continue
        if isinstance(record, AuditRecord):
            if found.audit is None or record.date >= found.audit.date:
                found.audit, found.audit_path = record, path
        elif isinstance(record, PlanRecord):
            if found.plan is None or record.date >= found.plan.date:
                found.plan, found.plan_path = record, path
        elif isinstance(record, ProgressLog):
            found.logs.append(record)
        elif isinstance(record, EvidenceLog) and (
            found.evidence is None or record.date >= found.evidence.date
        ):
            found.evidence, found.evidence_path = record, path
    found.logs.sort(key=lambda log: (log.term_key, log.date))
    return found


# --- Computing the content ------------------------------------------------------------------


def audit_scores(audit: AuditRecord, framework: Framework = FRAMEWORK) -> dict[str, float | None]:
    """Mean rating per principle of an audit (``None`` where nothing is rated)."""
    rated = audit.rated()
    scores: dict[str, float | None] = {}
    for principle in framework.principles:
        values = [rated[i.id] for i in principle.indicators if i.id in rated]
        scores[principle.id] = round(sum(values) / len(values), 2) if values else None
    return scores


def snapshots(records: Records, framework: Framework = FRAMEWORK) -> list[Snapshot]:
    """One snapshot per term, oldest first: the latest log of the term, else the audit."""
    by_term: dict[Term, Snapshot] = {}
    if records.audit is not None:
        term = term_of(records.audit.date)
        by_term[term] = Snapshot(
            f"self-audit of {records.audit.date:%d %b %Y}",
            records.audit.date,
            term,
            "audit",
            audit_scores(records.audit, framework),
        )
    for log in records.logs:
        scores = {p.id: log.ratings.get(p.id) for p in framework.principles}
        by_term[log.term_key] = Snapshot(
            f"{log.term_key.label} log", log.date, log.term_key, "progress", scores
        )
    return [by_term[term] for term in sorted(by_term)]


def level_label(score: float | None, framework: Framework = FRAMEWORK) -> str:
    """The scale label nearest to a score (halves go up), or "Not rated"."""
    if score is None:
        return "Not rated"
    return framework.level(min(framework.max_rating, int(score + 0.5))).label


def change_table(
    previous: Snapshot | None, current: Snapshot | None, framework: Framework = FRAMEWORK
) -> pd.DataFrame:
    """Per principle: last term's score, this term's, the change and a word for it."""
    rows = []
    for principle in framework.principles:
        before = previous.scores.get(principle.id) if previous else None
        now = current.scores.get(principle.id) if current else None
        change = None if before is None or now is None else round(now - before, 2)
        word = (
            "no earlier rating"
            if change is None
            else "up"
            if change > 0
            else "down"
            if change < 0
            else "no change"
        )
        rows.append(
            {
                "principle": principle.short_name,
                "last_term": before,
                "now": now,
                "change": change,
                "direction": word,
            }
        )
    return pd.DataFrame(rows, columns=["principle", "last_term", "now", "change", "direction"])


def top_priorities(plan: PlanRecord | None, limit: int = 5) -> list[PlanAction]:
    """Open actions in plan order, pinned indicators first, at most ``limit``."""
    if plan is None:
        return []
    open_actions = [a for a in plan.actions if a.status in OPEN_STATUSES]
    pinned = set(plan.pinned)
    ordered = sorted(
        enumerate(open_actions), key=lambda pair: (pair[1].indicator not in pinned, pair[0])
    )
    return [action for _, action in ordered][:limit]


def record_changes(records: Records, since: dt.date, until: dt.date) -> pd.DataFrame:
    """Field changes in the audit, plan and evidence log between two dates (from history)."""
    frames = []
    for name, path in (
        ("Self-audit", records.audit_path),
        ("Action plan", records.plan_path),
        ("Evidence log", records.evidence_path),
    ):
        if path is None:
            continue
        changes = diff_dates(path, since, until)
        if not changes.empty:
            frames.append(changes.assign(record=name))
    if not frames:
        return pd.DataFrame(columns=["record", "field", "before", "after"])
    return pd.concat(frames, ignore_index=True)[["record", "field", "before", "after"]]


def build_report(
    folder: str | os.PathLike[str],
    *,
    since: dt.date | None = None,
    top: int = 5,
    made_on: dt.date | None = None,
    framework: Framework = FRAMEWORK,
    crosswalk: Crosswalk | None = None,
) -> GovernorReport:
    """Read ``folder`` and compute the report. Raises RecordError if there is no audit."""
    records = read_records(folder, framework)
    if records.audit is None:
        detail = f" ({len(records.problems)} file(s) could not be read)" if records.problems else ""
        raise RecordError(folder, None, f"holds no self-audit record to report on{detail}")
    crosswalk = crosswalk or default_crosswalk()
    shots = snapshots(records, framework)
    made_on = made_on or dt.date.today()
    report = GovernorReport(
        school=records.audit.school,
        made_on=made_on,
        framework=framework,
        records=records,
        snapshots=shots,
        changes=change_table(shots[-2] if len(shots) > 1 else None, shots[-1], framework),
        priorities=top_priorities(records.plan, top),
        crosswalk=crosswalk_table(records.audit.rated(), crosswalk, framework),
        crosswalk_data=crosswalk,
        since=since,
        record_changes=record_changes(records, since, made_on) if since else None,
    )
    report.charts = {"standing": standing_chart(report), "change": change_chart(report)}
    return report


# --- Charts (black-and-white friendly) ------------------------------------------------------


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _axis(figure: Figure, framework: Framework):
    axes = figure.add_subplot()
    top = framework.max_rating
    axes.set_xlim(0, top + 0.6)
    axes.set_xticks(range(top + 1))
    axes.set_xticklabels([f"{lv.value}\n{lv.label}" for lv in framework.scale], fontsize=8)
    axes.grid(axis="x", color="0.75", linestyle=":", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.invert_yaxis()
    return axes


def standing_chart(report: GovernorReport) -> bytes:
    """Horizontal bars, one per principle, hatched, with the score written at the end."""
    framework = report.framework
    current = report.current
    names = [p.short_name for p in framework.principles]
    values = [current.scores.get(p.id) if current else None for p in framework.principles]
    figure = Figure(figsize=(7.5, 4.2), layout="constrained")
    axes = _axis(figure, framework)
    bars = axes.barh(
        names,
        [v or 0 for v in values],
        color="0.85",
        edgecolor="black",
        hatch="///",
        linewidth=0.8,
    )
    for bar, value in zip(bars, values, strict=True):
        text = "not rated" if value is None else f"{value:.1f}"
        axes.text(bar.get_width() + 0.05, bar.get_y() + bar.get_height() / 2, text, va="center")
    axes.set_title(f"Where we stand: {current.label if current else 'no ratings yet'}", fontsize=10)
    return _png(figure)


def change_chart(report: GovernorReport) -> bytes:
    """Last term (open ring) and now (filled square) per principle, joined by a line."""
    framework = report.framework
    figure = Figure(figsize=(7.5, 4.2), layout="constrained")
    axes = _axis(figure, framework)
    previous, current = report.previous, report.current
    for y, principle in enumerate(framework.principles):
        before = previous.scores.get(principle.id) if previous else None
        now = current.scores.get(principle.id) if current else None
        if before is not None and now is not None:
            axes.plot([before, now], [y, y], color="black", linewidth=1)
        if before is not None:
            axes.plot(before, y, "o", markerfacecolor="white", markeredgecolor="black", ms=13)
        if now is not None:  # smaller, on top: an unchanged score shows a square in a ring
            axes.plot(now, y, "s", color="black", ms=6)
    axes.set_yticks(range(len(framework.principles)))
    axes.set_yticklabels([p.short_name for p in framework.principles])
    axes.set_ylim(len(framework.principles) - 0.5, -0.5)
    handles = [
        axes.plot([], [], "o", markerfacecolor="white", markeredgecolor="black")[0],
        axes.plot([], [], "s", color="black")[0],
    ]
    labels = [
        previous.label if previous else "last term (none yet)",
        current.label if current else "now",
    ]
    axes.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=2,
        frameon=False,
        fontsize=8,
    )
    return _png(figure)


# --- Words shared by both formats -----------------------------------------------------------


def _fmt(score: float | None) -> str:
    return "–" if score is None else f"{score:.1f}"


def _change_words(report: GovernorReport) -> str:
    if report.previous is None:
        return (
            "There is no earlier term to compare with yet: this is the first snapshot. The next "
            "termly progress log will show the change."
        )
    up = report.changes[report.changes["direction"] == "up"]["principle"].tolist()
    down = report.changes[report.changes["direction"] == "down"]["principle"].tolist()
    text = f"Compared with the {report.previous.label}, "
    text += f"{len(up)} principle(s) moved up" + (f" ({', '.join(up)})" if up else "")
    text += f" and {len(down)} moved down" + (f" ({', '.join(down)})" if down else "") + "."
    return text


def _intro(report: GovernorReport) -> str:
    current = report.current
    return (
        f"This report sets out where {report.school} stands on the eight principles of the whole "
        "school approach to mental health and wellbeing, what has changed since last term, what "
        "we will do next and the evidence behind each judgement. It was prepared by the senior "
        f"mental health lead on {report.made_on:%d %B %Y}, from "
        f"the {current.label if current else 'self-audit'}."
    )


ABOUT = [
    "Each principle is rated on a five-point scale, from 0 (not started) to 4 (embedded). "
    "A score such as 2.4 is the average of the ratings of the principle's indicators.",
    "The senior mental health lead (SMHL) is the member of staff who leads the school's whole "
    "school approach to mental health and wellbeing.",
    "The ratings are the school's own judgement, reviewed each term, not an external grade.",
    "This report holds no information about individual pupils. Any concern about a child's "
    "safety goes through the school's safeguarding procedures and the designated safeguarding "
    "lead (DSL).",
]


def _principle_evidence(report: GovernorReport, principle_id: str):
    log = report.records.evidence
    return log.for_principle(principle_id) if log else []


def _evidence_rows(report: GovernorReport, items) -> list[list[str]]:
    return [
        [
            f"{report.framework.indicator_by_id[i].text} ({i})",
            entry.description,
            entry.date.strftime("%d %b %Y"),
            entry.link,
        ]
        for i, entry in items
    ]


def _crosswalk_rows(report: GovernorReport, framework_id: str) -> list[list[str]]:
    short = report.crosswalk_data.other(framework_id).short_name
    part = report.crosswalk[report.crosswalk["framework"] == short]
    rows = []
    for row in part.itertuples():
        rated = f"{row.rated} of {row.indicators}"
        if pd.isna(row.mean_rating):
            rows.append([row.target, rated, "not rated yet", ""])
        else:
            weakest = report.framework.indicator_by_id[row.weakest]
            rows.append(
                [
                    row.target,
                    rated,
                    f"{row.mean_rating:.1f} ({row.percent}%)",
                    f"{weakest.text} ({weakest.id})",
                ]
            )
    return rows


def _priority_rows(report: GovernorReport) -> list[list[str]]:
    rows = []
    for action in report.priorities:
        principle = report.framework.principle(action.indicator.split(".", 1)[0])
        rows.append(
            [
                action.what,
                principle.short_name,
                action.lead or "not yet assigned",
                action.due.strftime("%d %b %Y"),
                action.status,
                action.measure,
            ]
        )
    return rows


STANDING_CAPTION = "Figure 1. Score per principle, from 0 (not started) to 4 (embedded)."
CHANGE_CAPTION = (
    "Figure 2. Last term (open ring) and now (filled square) for each principle; "
    "a square inside a ring means no change."
)
PRIORITY_HEADERS = ["Action", "Principle", "Lead", "Due by", "Status", "How we will know"]
CHANGE_HEADERS = ["Principle", "Last term", "Now", "Change", "Direction"]
CROSSWALK_HEADERS = [
    "Heading",
    "Indicators rated",
    "Average (0–4) and percent",
    "Weakest indicator",
]
EVIDENCE_HEADERS = ["Indicator", "Evidence", "Date", "Where it is kept"]


def _change_rows(report: GovernorReport) -> list[list[str]]:
    return [
        [
            row.principle,
            _fmt(row.last_term),
            _fmt(row.now),
            "–" if pd.isna(row.change) else "0" if row.change == 0 else f"{row.change:+.1f}",
            row.direction,
        ]
        for row in report.changes.itertuples()
    ]


def _history_rows(report: GovernorReport, limit: int = 40) -> list[list[str]]:
    table = report.record_changes
    if table is None:
        return []
    return [
        [
            row.record,
            row.field,
            "–" if row.before is None else str(row.before),
            "–" if row.after is None else str(row.after),
        ]
        for row in table.head(limit).itertuples()
    ]


# --- HTML -----------------------------------------------------------------------------------

CSS = """
body { font-family: Georgia, 'Times New Roman', serif; color: #000; background: #fff;
       max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1, h2, h3 { font-family: Arial, Helvetica, sans-serif; }
h2 { border-bottom: 2px solid #000; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #000; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #e6e6e6; }
img { max-width: 100%; height: auto; }
.note { border: 1px solid #000; padding: .5rem .8rem; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; }
               table, figure { page-break-inside: avoid; } }
"""


def _cell_html(value: object) -> str:
    """Escaped cell text; a web address becomes a link (followed only when clicked)."""
    text = html.escape(str(value))
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return f'<a href="{text}">{text}</a>'
    return text


def _table_html(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell_html(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure_html(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _standing_alt(report: GovernorReport) -> str:
    current = report.current
    return "Bar chart of scores per principle: " + "; ".join(
        f"{p.short_name} {_fmt(current.scores.get(p.id) if current else None)}"
        for p in report.framework.principles
    )


def to_html(report: GovernorReport, standalone: bool = True) -> str:
    """The report as one self-contained HTML page (charts embedded, no external files).

    ``standalone=False`` gives the body only, without page styles, to preview in a notebook.
    """
    fw = report.framework
    esc = html.escape
    page = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>Mental health and wellbeing: report to governors, {esc(report.school)}</title>",
        f"<style>{CSS}</style></head><body>",
    ]
    parts = [
        *(page if standalone else []),
        "<h1>Mental health and wellbeing: report to governors</h1>" if standalone else "",
        f"<p><strong>{esc(report.school)}</strong> · {report.made_on:%d %B %Y}</p>",
        f"<p>{esc(_intro(report))}</p>",
    ]
    if report.records.problems:
        items = "".join(f"<li>{esc(p)}</li>" for p in report.records.problems)
        parts.append(
            '<div class="note"><p>These files could not be read and were left out (they were not '
            f"changed):</p><ul>{items}</ul></div>"
        )
    parts.append(f"<h2>1. {SECTIONS[0]}</h2>")
    parts.append(
        _figure_html(
            report.charts["standing"],
            _standing_alt(report),
            STANDING_CAPTION,
        )
    )
    standing_rows = [
        [
            p.short_name,
            _fmt(s := (report.current.scores.get(p.id) if report.current else None)),
            level_label(s, fw),
        ]
        for p in fw.principles
    ]
    parts.append(_table_html(["Principle", "Score", "Judgement"], standing_rows))
    parts.append(f"<h2>2. {SECTIONS[1]}</h2><p>{esc(_change_words(report))}</p>")
    parts.append(
        _figure_html(
            report.charts["change"],
            "Dot chart per principle: open ring last term, filled square now. "
            + _change_words(report),
            CHANGE_CAPTION,
        )
    )
    parts.append(_table_html(CHANGE_HEADERS, _change_rows(report)))
    if report.record_changes is not None:
        parts.append(
            f"<h3>Changes to the records since {report.since:%d %B %Y}</h3>"
            f"<p>{len(report.record_changes)} field(s) changed in the saved records "
            "(from their version history).</p>"
        )
        parts.append(_table_html(["Record", "Field", "Before", "After"], _history_rows(report)))
    parts.append(f"<h2>3. {SECTIONS[2]}</h2>")
    if report.priorities:
        parts.append(_table_html(PRIORITY_HEADERS, _priority_rows(report)))
    else:
        parts.append("<p>No open actions in the action plan yet.</p>")
    parts.append(f"<h2>4. {SECTIONS[3]}</h2>")
    for principle in fw.principles:
        score = report.current.scores.get(principle.id) if report.current else None
        parts.append(
            f"<h3>{esc(principle.short_name)}: {esc(level_label(score, fw))} ({_fmt(score)})</h3>"
        )
        items = _principle_evidence(report, principle.id)
        if items:
            parts.append(
                _table_html(
                    EVIDENCE_HEADERS,
                    _evidence_rows(report, items),
                )
            )
        else:
            parts.append("<p>No evidence logged yet for this principle.</p>")
    parts.append(f"<h2>5. {SECTIONS[4]}</h2>")
    parts.append(
        "<p>The same self-audit, read against the headings of other frameworks the school is "
        "asked about. Each heading averages the indicators that count towards it.</p>"
    )
    for other in report.crosswalk_data.frameworks:
        parts.append(f"<h3>{esc(other.name)}</h3>")
        parts.append(_table_html(CROSSWALK_HEADERS, _crosswalk_rows(report, other.id)))
    parts.append(f"<h2>6. {SECTIONS[5]}</h2><ul>")
    parts.extend(f"<li>{esc(line)}</li>" for line in ABOUT)
    parts.append("</ul>")
    parts.append(
        _table_html(
            ["Score", "Level", "What it means"],
            [[str(lv.value), lv.label, lv.descriptor] for lv in fw.scale],
        )
    )
    if standalone:
        parts.append("</body></html>")
    return "\n".join(parts)


# --- Word -----------------------------------------------------------------------------------


def _docx_table(document, headers: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    cells = table._cells  # one flat list: much faster than table.cell(r, c) for big tables
    for c, header in enumerate(headers):
        cells[c].text = header
        for run in cells[c].paragraphs[0].runs:
            run.bold = True
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            cells[r * len(headers) + c].text = str(value)


def to_docx(report: GovernorReport):
    """The report as a python-docx ``Document`` (call ``.save(path)``)."""
    from docx import Document
    from docx.shared import Inches

    fw = report.framework
    document = Document()
    document.add_heading("Mental health and wellbeing: report to governors", 0)
    document.add_paragraph(f"{report.school} · {report.made_on:%d %B %Y}")
    document.add_paragraph(_intro(report))
    if report.records.problems:
        document.add_paragraph(
            "These files could not be read and were left out (they were not changed):"
        )
        for problem in report.records.problems:
            document.add_paragraph(problem, style="List Bullet")
    document.add_heading(f"1. {SECTIONS[0]}", 1)
    document.add_picture(io.BytesIO(report.charts["standing"]), width=Inches(6))
    document.add_paragraph(STANDING_CAPTION)
    _docx_table(
        document,
        ["Principle", "Score", "Judgement"],
        [
            [
                p.short_name,
                _fmt(s := (report.current.scores.get(p.id) if report.current else None)),
                level_label(s, fw),
            ]
            for p in fw.principles
        ],
    )
    document.add_heading(f"2. {SECTIONS[1]}", 1)
    document.add_paragraph(_change_words(report))
    document.add_picture(io.BytesIO(report.charts["change"]), width=Inches(6))
    document.add_paragraph(CHANGE_CAPTION)
    _docx_table(document, CHANGE_HEADERS, _change_rows(report))
    if report.record_changes is not None:
        document.add_heading(f"Changes to the records since {report.since:%d %B %Y}", 2)
        document.add_paragraph(
            f"{len(report.record_changes)} field(s) changed in the saved records (from their version history)."
        )
        _docx_table(document, ["Record", "Field", "Before", "After"], _history_rows(report))
    document.add_heading(f"3. {SECTIONS[2]}", 1)
    if report.priorities:
        _docx_table(document, PRIORITY_HEADERS, _priority_rows(report))
    else:
        document.add_paragraph("No open actions in the action plan yet.")
    document.add_heading(f"4. {SECTIONS[3]}", 1)
    for principle in fw.principles:
        score = report.current.scores.get(principle.id) if report.current else None
        document.add_heading(f"{principle.short_name}: {level_label(score, fw)} ({_fmt(score)})", 2)
        items = _principle_evidence(report, principle.id)
        if items:
            _docx_table(
                document,
                EVIDENCE_HEADERS,
                _evidence_rows(report, items),
            )
        else:
            document.add_paragraph("No evidence logged yet for this principle.")
    document.add_heading(f"5. {SECTIONS[4]}", 1)
    document.add_paragraph(
        "The same self-audit, read against the headings of other frameworks the school is asked "
        "about. Each heading averages the indicators that count towards it."
    )
    for other in report.crosswalk_data.frameworks:
        document.add_heading(other.name, 2)
        _docx_table(document, CROSSWALK_HEADERS, _crosswalk_rows(report, other.id))
    document.add_heading(f"6. {SECTIONS[5]}", 1)
    for line in ABOUT:
        document.add_paragraph(line, style="List Bullet")
    _docx_table(
        document,
        ["Score", "Level", "What it means"],
        [[str(lv.value), lv.label, lv.descriptor] for lv in fw.scale],
    )
    return document


# --- Writing files --------------------------------------------------------------------------


def write_report(report: GovernorReport, out: str | os.PathLike[str]) -> Path:
    """Write ``report`` to ``out``: ``.docx`` for Word, ``.html``/``.htm`` for a web page."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".docx":
        buffer = io.BytesIO()
        to_docx(report).save(buffer)
        return write_atomic(out, buffer.getvalue())
    if suffix in (".html", ".htm"):
        return write_atomic(out, to_html(report).encode("utf-8"))
    raise RecordError(out, None, "the report file name must end in .docx or .html")
