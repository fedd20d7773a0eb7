"""The termly progress summary: the baseline audit and each log, as a table, charts and words.

:class:`Progress` reads a records folder once; :func:`summary_document` builds the summary
(blocks) once, and :func:`summary_files` renders it as Markdown (charts beside it as PNG),
one self-contained HTML page and Word. Every piece of text the lead typed is escaped by the
renderers; nothing here builds markup.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

from ..core.dates import long_date
from ..core.errors import RecordError
from ..core.gate import GateStatus
from ..core.records import AuditRecord, ProgressLog
from ..core.scoring import NOT_RATED, format_score, level_label
from ..render.blocks import Block, Document, Heading, Image, Note, Paragraph, Table
from ..store import RecordFolder
from ..store.atomic import write_output
from ..store.current import current_records
from .safeguarding import gate_notes
from .timeline import WHAT_IS_COMPARED, Snapshot, any_whole_principle, timeline

#: The free-text questions of a log: field name → question.
QUESTIONS = {
    "done": "What was done this term?",
    "helped": "What helped?",
    "hindered": "What got in the way?",
    "next_steps": "Next steps for next term",
}
SUMMARY_FORMATS = ("md", "html", "docx")


class Progress:
    """The baseline audit and the termly logs of one records folder, read once."""

    def __init__(self, folder: RecordFolder) -> None:
        framework = self.framework = folder.framework
        records = current_records(folder)
        self.audit: AuditRecord | None = records.audit
        self.logs: list[ProgressLog] = records.logs
        self.errors: list[RecordError] = records.problems
        self.gate: GateStatus | None = records.gate
        self.points: list[Snapshot] = timeline(self.audit, self.logs, framework)
        latest = self.logs[-1] if self.logs else self.audit
        self.school = latest.school if latest else ""

    @property
    def empty(self) -> bool:
        return not self.points

    def labels(self) -> list[str]:
        return ["Baseline" if p.source == "audit" else p.term.label for p in self.points]

    def table(self) -> Table:
        """Principle by principle: the score and its level at each point."""
        rows = []
        for principle in self.framework.principles:
            row: list = [principle.short_name]
            for point in self.points:
                score = point.scores.get(principle.id)
                mark = "*" if point.marked(principle.id) else ""
                row.append(
                    NOT_RATED
                    if score is None
                    else f"{format_score(score)}{mark} {level_label(score, self.framework)}"
                )
            rows.append(row)
        return Table(["Principle", *self.labels()], rows)

    def radar(self):
        """Principles now (latest point) against the baseline audit."""
        from ..render import charts

        fw = self.framework
        series = {}
        if self.audit is not None:
            series["Baseline audit"] = [self.points[0].scores[p.id] for p in fw.principles]
        if self.logs:
            latest = self.points[-1]
            series[f"Now ({latest.term.label})"] = [latest.scores[p.id] for p in fw.principles]
        return charts.radar([p.short_name for p in fw.principles], series, fw.max_rating)

    def trend(self):
        """One panel per principle: its score at each point."""
        from ..render import charts

        series = {
            p.short_name: [point.scores[p.id] for point in self.points]
            for p in self.framework.principles
        }
        return charts.lines(self.labels(), series, self.framework.max_rating, ylabel="Score")


def charts_available() -> bool:
    """Whether matplotlib is here (the browser's Python may not have it)."""
    return importlib.util.find_spec("matplotlib") is not None


def summary_document(progress: Progress, with_charts: bool = True) -> Document:
    """The one-page summary: what is compared, the table, the latest answers, the charts."""
    blocks: list[Block] = [*gate_notes(progress.gate)]
    if progress.logs:
        latest = progress.logs[-1]
        blocks.append(
            Paragraph(f"Latest log: {latest.term_key.label}, filed {long_date(latest.date)}.")
        )
    if progress.audit:
        blocks.append(Paragraph(f"Baseline: the self-audit of {long_date(progress.audit.date)}."))
    blocks.append(Paragraph(WHAT_IS_COMPARED, bold_prefix="What is compared. "))
    if any_whole_principle(progress.points):
        blocks.append(
            Paragraph(
                "Scores marked * come from a log made before framework 2.0, which rated each "
                "principle as a whole."
            )
        )
    if progress.errors:
        blocks.append(
            Note(
                "Left out.",
                "These records could not be read (they were not changed):",
                [str(error) for error in progress.errors],
            )
        )
    blocks.append(progress.table())
    if progress.logs:
        for field, question in QUESTIONS.items():
            answer = getattr(progress.logs[-1], field).strip() or "(not answered)"
            blocks += [Heading(question, 2), Paragraph(answer)]
    if with_charts and charts_available():
        from ..render.charts import png

        blocks += [
            Image(
                png(progress.radar()),
                "Radar chart: principles now against the baseline",
                width_cm=14,
            ),
            Image(png(progress.trend()), "Line charts: each principle across terms", width_cm=16),
        ]
    return Document(f"Progress summary: {progress.school}", blocks)


def summary_files(progress: Progress, formats: Sequence[str] = SUMMARY_FORMATS) -> dict[str, bytes]:
    """The summary as files by name: Markdown (with chart PNGs beside it), HTML, Word."""
    from ..render.html import to_html
    from ..render.markdown import to_markdown

    document = summary_document(progress)
    files: dict[str, bytes] = {}
    images = {n: b for n, b in enumerate(document.blocks) if isinstance(b, Image)}
    if "md" in formats:
        names = {}
        for k, (n, image) in enumerate(images.items(), start=1):
            names[n] = f"progress-chart-{k}.png"
            files[names[n]] = image.png
        files["progress-summary.md"] = to_markdown(document, names).encode("utf-8")
    if "html" in formats:
        files["progress-summary.html"] = to_html(document).encode("utf-8")
    if "docx" in formats:
        from ..render.word import to_docx

        files["progress-summary.docx"] = to_docx(document)
    return files


def export_summary(
    folder: RecordFolder,
    out: str | os.PathLike[str] | None = None,
    formats: Sequence[str] = SUMMARY_FORMATS,
) -> dict[str, Path]:
    """Write the summary files into ``out`` (default: ``exports/`` in the records folder)."""
    progress = Progress(folder)
    if progress.empty:
        return {}
    target = Path(out) if out is not None else folder.path / "exports"
    return {
        name: write_output(target / name, data)
        for name, data in summary_files(progress, formats).items()
    }
