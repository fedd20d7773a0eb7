"""Termly progress logs: re-rate the eight principles, say what happened, chart the trend.

Rules (see :mod:`wholeschool.terms` for the term dates):

* a log belongs to the term its date falls in; at most one log per term, so at most three per
  academic year (autumn, spring, summer; the year starts on 1 September);
* filing a second log for a term that already has one is refused with a message naming the
  earlier file, which is left exactly as it was; the lead edits that log instead;
* a log's stored term and academic year must match its date (checked on every load and save).

The baseline is the self-audit: each principle's baseline is the average of its rated
indicators. A log rates each principle as a whole, on the same scale.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as widgets
from IPython.display import Image, Markdown, display

from . import charts
from .audit import descriptor_html, load_audit, rating_options
from .autosave import DEFAULT_DELAY, Autosaver, SavesItself
from .errors import RecordError
from .exports import (
    Heading,
    Paragraph,
    Table,
    markdown_table,
    markdown_to_html,
    write_docx,
    write_text,
)
from .exports import Image as DocImage
from .framework import FRAMEWORK, Framework
from .records import NO_PUPIL_DATA, AuditRecord, ProgressLog
from .storage import load_record, records_folder, save_record, scan_records, write_atomic
from .terms import Term, term_of

TERMS_PER_YEAR = 3
#: The free-text questions of a log: field name → question.
QUESTIONS = {
    "done": "What was done this term?",
    "helped": "What helped?",
    "hindered": "What got in the way?",
    "next_steps": "Next steps for next term",
}


def _folder(folder: str | os.PathLike[str] | None) -> Path:
    return Path(folder) if folder is not None else records_folder()


def log_path(folder: str | os.PathLike[str] | None, term: Term) -> Path:
    """``progress-2026-27-autumn.json`` in the records folder."""
    return _folder(folder) / f"progress-{term.academic_year}-{term.name}.json"


def scan_logs(
    folder: str | os.PathLike[str] | None = None, framework: Framework = FRAMEWORK
) -> tuple[list[tuple[Path, ProgressLog]], list[RecordError]]:
    """Every progress log in ``folder`` by term, and the errors of ``progress-*`` files."""
    folder = _folder(folder)
    if not folder.is_dir():
        return [], []
    logs, errors = [], []
    for loaded in scan_records([folder], framework):
        if isinstance(loaded.record, ProgressLog):
            logs.append((loaded.path, loaded.record))
        elif loaded.error is not None and loaded.path.name.startswith("progress-"):
            errors.append(loaded.error)
    logs.sort(key=lambda item: (item[1].term_key, item[0].name))
    return logs, errors


def new_log(
    school: str, date: dt.date | None = None, framework: Framework = FRAMEWORK, **fields
) -> ProgressLog:
    """A log dated ``date`` (default today), its term and academic year worked out from it."""
    date = date or dt.date.today()
    term = term_of(date)
    return ProgressLog(
        school=school,
        framework_version=framework.version,
        date=date,
        academic_year=term.academic_year,
        term=term.name,
        **fields,
    )


def file_log(
    log: ProgressLog,
    folder: str | os.PathLike[str] | None = None,
    framework: Framework = FRAMEWORK,
    today: dt.date | None = None,
) -> Path:
    """Save a new log, refusing a second one for the same term (the earlier file is kept)."""
    term = log.term_key
    path = log_path(folder, term)
    if log.date > (today or dt.date.today()):
        raise RecordError(path, "date", f"{log.date} is in the future; date a log when you file it")
    logs, _errors = scan_logs(folder, framework)
    same = [p for p, earlier in logs if earlier.term_key == term]
    if path.exists() and path not in same:
        same.append(path)
    if same:
        in_year = {
            earlier.term for _p, earlier in logs if earlier.academic_year == term.academic_year
        }
        full = (
            f" All {TERMS_PER_YEAR} logs for {term.academic_year} have been filed."
            if len(in_year) >= TERMS_PER_YEAR
            else ""
        )
        raise RecordError(
            path,
            "term",
            f"not saved: there is already a progress log for the {term.name} term of "
            f"{term.academic_year} ({same[0].name}); there can be one log per term, so edit "
            f"that one instead.{full}",
        )
    return save_record(log, path, framework)


def principle_averages(
    audit: AuditRecord | None, framework: Framework = FRAMEWORK
) -> dict[str, float | None]:
    """Each principle's average rating in the self-audit (``None`` if none of it is rated)."""
    rated = audit.rated() if audit else {}
    result: dict[str, float | None] = {}
    for principle in framework.principles:
        values = [rated[i.id] for i in principle.indicators if i.id in rated]
        result[principle.id] = round(sum(values) / len(values), 2) if values else None
    return result


# --- The widget -----------------------------------------------------------------------------


class ProgressForm(SavesItself, widgets.VBox):
    """This term's log: opens the existing one or starts a new one; saves itself on change."""

    def __init__(
        self,
        folder: Path,
        date: dt.date,
        *,
        delay: float = DEFAULT_DELAY,
        framework: Framework = FRAMEWORK,
    ) -> None:
        self.folder = folder
        self.framework = framework
        self.term = term_of(date)
        self.date = date
        self.error: str | None = None
        self.saved_at: dt.datetime | None = None
        self.status = widgets.HTML()
        self.path = log_path(folder, self.term)
        self.filed = False
        existing: ProgressLog | None = None
        baseline: dict[str, float | None] = {}
        school = "My school"
        try:
            audit = load_audit(folder, framework)
            baseline = principle_averages(audit, framework)
            school = audit.school if audit else school
            logs, _ = scan_logs(folder, framework)
            for path, log in logs:
                if log.term_key == self.term:
                    existing, self.path, self.filed = log, path, True
            if existing is None and self.path.exists():
                load_record(self.path, ProgressLog, framework)  # reports a bad file
        except RecordError as error:
            self._fail(error)
        self.school = existing.school if existing else school
        heading = widgets.HTML(
            f"<h3>Progress log: {self.term.name} term {self.term.academic_year}</h3>"
            + (
                "<p>You filed this log earlier this term; changes update it.</p>"
                if existing
                else ""
            )
            + f"<p><strong>Reminder:</strong> {NO_PUPIL_DATA}</p>"
        )
        self.ratings: dict[str, widgets.Dropdown] = {}
        rows = []
        for principle in framework.principles:
            value = existing.ratings.get(principle.id) if existing else None
            control = widgets.Dropdown(
                options=rating_options(framework),
                value=-1 if value is None else value,
                description=f"{principle.number}. {principle.short_name}",
                style={"description_width": "18em"},
                layout=widgets.Layout(width="36em"),
            )
            base = baseline.get(principle.id)
            base_text = (
                f"baseline audit average {base:.1f} ({framework.level(round(base)).label})"
                if base is not None
                else "not rated in the baseline audit"
            )
            descriptor = widgets.HTML(descriptor_html(control.value, framework))
            control.observe(
                lambda change, d=descriptor: setattr(
                    d, "value", descriptor_html(change["new"], framework)
                ),
                names="value",
            )
            self.ratings[principle.id] = control
            rows.append(
                widgets.VBox([control, widgets.HTML(f"<small>{base_text}</small>"), descriptor])
            )
        self.texts: dict[str, widgets.Textarea] = {}
        for field, question in QUESTIONS.items():
            self.texts[field] = widgets.Textarea(
                value=getattr(existing, field) if existing else "",
                description=question,
                placeholder=NO_PUPIL_DATA,
                rows=3,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="95%"),
            )
            rows.append(self.texts[field])
            rows.append(widgets.HTML(f"<small>{NO_PUPIL_DATA}</small>"))
        self.summary = widgets.HTML()
        self._update_summary()
        self.saver = Autosaver(self._save, delay)
        for control in [*self.ratings.values(), *self.texts.values()]:
            control.observe(self._changed, names="value")
        super().__init__([heading, widgets.HBox([self.summary, self.status]), *rows])

    def _update_summary(self) -> None:
        rated = sum(c.value != -1 for c in self.ratings.values())
        self.summary.value = f"{rated} of {len(self.ratings)} principles rated · "

    def _changed(self, _change: dict) -> None:
        self._update_summary()
        self.saver.changed()

    def flush(self) -> None:
        """Save a pending change now instead of waiting for the debounce timer."""
        self.saver.flush()

    def record(self) -> ProgressLog:
        return ProgressLog.model_validate(
            {
                "school": self.school,
                "framework_version": self.framework.version,
                "date": self.date,
                "academic_year": self.term.academic_year,
                "term": self.term.name,
                "ratings": {
                    pid: (None if c.value == -1 else c.value) for pid, c in self.ratings.items()
                },
                **{field: box.value for field, box in self.texts.items()},
            }
        )

    def _write(self) -> None:
        log = self.record()
        if self.filed:
            save_record(log, self.path, self.framework)
        else:
            self.path = file_log(log, self.folder, self.framework)
            self.filed = True

    def _fail(self, error: RecordError) -> None:
        self.error = str(error)
        self.status.value = (
            '<span style="color:#a4000f">Not saved: '
            f"{html.escape(self.error)}. Nothing already saved was changed.</span>"
        )


def progress_log(
    folder: str | os.PathLike[str] | None = None,
    date: dt.date | None = None,
    *,
    delay: float = DEFAULT_DELAY,
    framework: Framework = FRAMEWORK,
) -> ProgressForm:
    """The log for the term of ``date`` (default today): the one filed earlier, or a new one."""
    return ProgressForm(_folder(folder), date or dt.date.today(), delay=delay, framework=framework)


# --- Charts and summary ---------------------------------------------------------------------


class Progress:
    """Everything the charts and the summary need, read once from the records folder."""

    def __init__(
        self, folder: str | os.PathLike[str] | None = None, framework: Framework = FRAMEWORK
    ) -> None:
        self.framework = framework
        self.audit = load_audit(folder, framework)
        logs, self.errors = scan_logs(folder, framework)
        self.logs = [log for _path, log in logs]
        self.baseline = principle_averages(self.audit, framework)
        self.school = self.logs[-1].school if self.logs else self.audit.school if self.audit else ""

    @property
    def empty(self) -> bool:
        return self.audit is None and not self.logs

    def radar(self):
        """Principles now (latest log) against the baseline audit."""
        fw = self.framework
        series = {}
        if self.audit is not None:
            series["Baseline audit"] = [self.baseline[p.id] for p in fw.principles]
        if self.logs:
            latest = self.logs[-1]
            series[f"Now ({latest.term_key.label})"] = [
                latest.ratings.get(p.id) for p in fw.principles
            ]
        return charts.radar([p.short_name for p in fw.principles], series, fw.max_rating)

    def points(self) -> list[str]:
        return (["Baseline"] if self.audit else []) + [log.term_key.label for log in self.logs]

    def trend(self):
        """One panel per principle: the baseline, then each term's rating."""
        fw = self.framework
        series = {
            p.short_name: ([self.baseline[p.id]] if self.audit else [])
            + [log.ratings.get(p.id) for log in self.logs]
            for p in fw.principles
        }
        return charts.lines(self.points(), series, fw.max_rating)

    def table(self) -> Table:
        """Principle by principle: baseline average, then each term's rating."""
        columns = ["Principle", *self.points()]
        rows = []
        for p in self.framework.principles:
            row: list = [p.short_name]
            if self.audit:
                base = self.baseline[p.id]
                row.append("not rated" if base is None else f"{base:.1f}")
            for log in self.logs:
                value = log.ratings.get(p.id)
                row.append(
                    "not rated" if value is None else f"{value} {self.framework.level(value).label}"
                )
            rows.append(row)
        return Table(columns, rows)

    def markdown(self, images: dict[str, str] | None = None) -> str:
        """The one-page summary; ``images`` maps "radar"/"trend" to image addresses."""
        lines = [f"# Progress summary: {self.school}", ""]
        if self.logs:
            latest = self.logs[-1]
            lines += [f"Latest log: {latest.term_key.label}, filed {latest.date}.", ""]
        if self.audit:
            lines += [
                f"Baseline: self-audit of {self.audit.date} (average of rated indicators).",
                "",
            ]
        lines += [markdown_table(self.table()), ""]
        if self.logs:
            for field, question in QUESTIONS.items():
                answer = getattr(self.logs[-1], field).strip() or "(not answered)"
                lines += [f"## {question}", "", answer, ""]
        for key, alt in (
            ("radar", "Radar chart: principles now against the baseline"),
            ("trend", "Line charts: each principle across terms"),
        ):
            if images and key in images:
                lines += [f"![{alt}]({images[key]})", ""]
        return "\n".join(lines)


def show_charts(folder: str | os.PathLike[str] | None = None):
    """The radar and trend charts as images for a notebook, or a message if there is no data."""
    try:
        progress = Progress(folder)
    except RecordError as error:
        return Markdown(f"**Cannot draw the charts:** {error}")
    if progress.empty:
        return Markdown(
            "There is nothing to chart yet: save a self-audit and file a progress log first."
        )
    for error in progress.errors:
        display(Markdown(f"**Left out (file has a problem):** {error}"))
    display(Image(data=charts.png(progress.radar()), format="png"))
    return Image(data=charts.png(progress.trend()), format="png")


def export_summary(
    folder: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    formats: Sequence[str] = ("md", "html", "docx"),
) -> dict[str, Path]:
    """Write the summary (Markdown with PNG charts beside it, self-contained HTML, Word)."""
    progress = Progress(folder)
    if progress.empty:
        return {}
    out = Path(out) if out is not None else _folder(folder) / "exports"
    pngs = {"radar": charts.png(progress.radar()), "trend": charts.png(progress.trend())}
    written: dict[str, Path] = {}
    if "md" in formats:
        for key, data in pngs.items():
            write_atomic(out / f"progress-{key}.png", data)
        names = {key: f"progress-{key}.png" for key in pngs}
        written["md"] = write_text(out / "progress-summary.md", progress.markdown(names))
    if "html" in formats:
        inline = {
            k: "data:image/png;base64," + base64.b64encode(v).decode() for k, v in pngs.items()
        }
        page = markdown_to_html(progress.markdown(inline), f"Progress summary: {progress.school}")
        written["html"] = write_text(out / "progress-summary.html", page)
    if "docx" in formats:
        blocks: list = [Heading(f"Progress summary: {progress.school}")]
        if progress.logs:
            latest = progress.logs[-1]
            blocks.append(Paragraph(f"Latest log: {latest.term_key.label}, filed {latest.date}."))
        blocks.append(progress.table())
        if progress.logs:
            for field, question in QUESTIONS.items():
                blocks.append(Heading(question, 2))
                blocks.append(Paragraph(getattr(progress.logs[-1], field) or "(not answered)"))
        blocks += [DocImage(pngs["radar"], 14), DocImage(pngs["trend"], 16)]
        written["docx"] = write_docx(out / "progress-summary.docx", blocks)
    return written


def summary_files(folder: str | os.PathLike[str] | None = None):
    """Notebook helper: export the summary and list the files, or say why not."""
    try:
        written = export_summary(folder)
    except RecordError as error:
        return Markdown(f"**Not exported:** {error}")
    if not written:
        return Markdown("There is nothing to summarise yet.")
    return Markdown("Exported:\n\n" + "\n".join(f"- `{p}`" for p in written.values()))
