"""The self-audit widget: rate each indicator of one principle (or all eight); saves itself.

Every principle page shows the widget for its own principle; all of them share one record,
``audit.json`` in the records folder (see :func:`wholeschool.storage.records_folder`). A save
re-reads that file and replaces only this widget's indicators, so two pages never undo each
other's answers. A record that cannot be read is reported in the widget and never overwritten.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import ipywidgets as widgets
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

from .autosave import DEFAULT_DELAY, Autosaver, SavesItself
from .errors import RecordError
from .framework import FRAMEWORK, Framework, Indicator, Principle
from .records import NO_PUPIL_DATA, AuditRecord, IndicatorRating
from .storage import load_record, records_folder, save_record

AUDIT_FILE = "audit.json"
#: Dropdown value standing for "Not rated" (a selection widget cannot hold ``None`` as a choice).
NOT_RATED = -1
DEFAULT_SCHOOL = "My school"


def audit_path(folder: str | os.PathLike[str] | None = None) -> Path:
    """Where the self-audit record lives in ``folder`` (default: the records folder)."""
    return Path(folder if folder is not None else records_folder()) / AUDIT_FILE


def load_audit(
    folder: str | os.PathLike[str] | None = None, framework: Framework = FRAMEWORK
) -> AuditRecord | None:
    """The saved self-audit, or ``None`` if there is none yet. A bad file raises RecordError."""
    path = audit_path(folder)
    if not path.exists():
        return None
    return load_record(path, AuditRecord, framework)


def rating_options(framework: Framework = FRAMEWORK) -> list[tuple[str, int]]:
    """Choices for a rating control: scale labels (never bare numbers), then "Not rated"."""
    return [("Not rated", NOT_RATED)] + [(level.label, level.value) for level in framework.scale]


def descriptor_html(value: int | None, framework: Framework = FRAMEWORK) -> str:
    """The short description of a chosen level, shown under the rating control."""
    if value is None or value == NOT_RATED:
        return "<em>Not rated yet.</em>"
    level = framework.level(value)
    return f"<strong>{html.escape(level.label)}:</strong> {html.escape(level.descriptor)}"


def summary_text(rated: int, total: int) -> str:
    """The words beside the progress bar."""
    return f"{rated} of {total} indicators rated"


def kind_error(error: RecordError) -> str:
    """An error message a lead can act on, as HTML for the status line."""
    return (
        '<span style="color:#a4000f">Your answers are <strong>not being saved</strong>: '
        f"{html.escape(str(error))}</span>"
    )


class _Looks:
    """Layouts and styles shared by every row of a form: one model each instead of one per
    control, which makes building the eight-principle form about twice as fast."""

    def __init__(self) -> None:
        self.html_style = HTMLStyle()
        self.plain = widgets.Layout()
        self.full = widgets.Layout(width="100%")
        self.note = widgets.Layout(width="95%")
        self.row = widgets.Layout(margin="0 0 1em 0")
        self.dropdown_style = DescriptionStyle(description_width="initial")
        self.text_style = TextStyle(description_width="initial")


class IndicatorRow:
    """The controls for one indicator: its text, a rating, the level descriptor and a note."""

    def __init__(
        self,
        indicator: Indicator,
        entry: IndicatorRating | None,
        framework: Framework,
        looks: _Looks | None = None,
    ):
        self.indicator = indicator
        self.framework = framework
        looks = looks or _Looks()
        rating = entry.rating if entry and entry.rating is not None else NOT_RATED
        self.text = widgets.HTML(
            f"<strong>{indicator.id}</strong> {html.escape(indicator.text)}",
            layout=looks.full,
            style=looks.html_style,
        )
        self.rating = widgets.Dropdown(
            options=rating_options(framework),
            value=rating,
            description=f"Rating for {indicator.id}",
            tooltip=indicator.text,
            style=looks.dropdown_style,
            layout=looks.plain,
        )
        self.descriptor = widgets.HTML(
            descriptor_html(rating, framework), layout=looks.plain, style=looks.html_style
        )
        self.note = widgets.Textarea(
            value=entry.note if entry else "",
            description=f"Note for {indicator.id}",
            placeholder=f"Optional note. {NO_PUPIL_DATA}",
            rows=2,
            style=looks.text_style,
            layout=looks.note,
        )
        self.reminder = widgets.HTML(
            f"<small>{NO_PUPIL_DATA}</small>", layout=looks.plain, style=looks.html_style
        )
        self.rating.observe(self._show_descriptor, names="value")
        self.box = widgets.VBox(
            [self.text, self.rating, self.descriptor, self.note, self.reminder],
            layout=looks.row,
        )

    def _show_descriptor(self, change: dict) -> None:
        self.descriptor.value = descriptor_html(change["new"], self.framework)

    @property
    def value(self) -> int | None:
        return None if self.rating.value == NOT_RATED else self.rating.value

    def entry(self) -> dict | None:
        """What to store for this indicator (``None``: nothing to store)."""
        if self.value is None and not self.note.value:
            return None
        return {"rating": self.value, "note": self.note.value}


class AuditForm(SavesItself, widgets.VBox):
    """Self-audit of one or more principles that saves itself to ``path`` on every change."""

    def __init__(
        self,
        principles: list[Principle],
        path: Path,
        *,
        delay: float = DEFAULT_DELAY,
        framework: Framework = FRAMEWORK,
        evidence: bool = True,
    ) -> None:
        self.path = path
        self.framework = framework
        self.saved_at: dt.datetime | None = None
        self.error: str | None = None
        self.status = widgets.HTML()
        existing: AuditRecord | None = None
        try:
            existing = load_record(path, AuditRecord, framework) if path.exists() else None
        except RecordError as error:
            self.error = str(error)
            self.status.value = kind_error(error)
        ratings = existing.ratings if existing else {}
        self.school = widgets.Text(
            value=existing.school if existing else DEFAULT_SCHOOL,
            description="School label",
            placeholder="Any name you choose for your school",
            style={"description_width": "initial"},
        )
        self.rows: dict[str, IndicatorRow] = {}
        looks = _Looks()
        sections: list[widgets.Widget] = []
        for principle in principles:
            sections.append(
                widgets.HTML(
                    f"<h3>{principle.number}. {html.escape(principle.short_name)}</h3>"
                    f"<p><strong>Reminder:</strong> {NO_PUPIL_DATA}</p>"
                )
            )
            for indicator in principle.indicators:
                row = IndicatorRow(indicator, ratings.get(indicator.id), framework, looks)
                self.rows[indicator.id] = row
                sections.append(row.box)
        self.progress = widgets.IntProgress(
            value=0, min=0, max=len(self.rows), description="Rated", bar_style="info"
        )
        self.summary = widgets.HTML()
        self._update_summary()
        self.saver = Autosaver(self._save, delay)
        for row in self.rows.values():
            row.rating.observe(self._changed, names="value")
            row.note.observe(self._changed, names="value")
        self.school.observe(self._changed, names="value")
        bar = widgets.HBox([self.progress, self.summary, self.status])
        if evidence:  # the evidence behind the ratings, logged beside them (references only)
            from .evidence import evidence_log

            sections += [
                widgets.HTML("<h3>Evidence behind your ratings</h3>"),
                evidence_log(path.parent, framework, list(self.rows)),
            ]
        super().__init__([self.school, bar, *sections])

    def _update_summary(self) -> None:
        rated = sum(row.value is not None for row in self.rows.values())
        self.progress.value = rated
        self.summary.value = summary_text(rated, len(self.rows))

    def _changed(self, _change: dict) -> None:
        self._update_summary()
        self.saver.changed()

    def flush(self) -> None:
        """Save a pending change now instead of waiting for the debounce timer."""
        self.saver.flush()

    def _write(self) -> None:
        """Merge this form's indicators into the record on disk and write it atomically."""
        existing = (
            load_record(self.path, AuditRecord, self.framework) if self.path.exists() else None
        )
        ratings = dict(existing.ratings) if existing else {}
        for indicator_id, row in self.rows.items():
            entry = row.entry()
            if entry is None:
                ratings.pop(indicator_id, None)
            else:
                ratings[indicator_id] = entry
        order = list(self.framework.indicator_by_id)
        ratings = dict(
            sorted(ratings.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 0)
        )
        record = AuditRecord.model_validate(
            {
                "school": self.school.value or DEFAULT_SCHOOL,
                "framework_version": self.framework.version,
                "date": dt.date.today(),
                "ratings": ratings,
            }
        )
        save_record(record, self.path, self.framework)

    def _fail(self, error: RecordError) -> None:
        self.error = str(error)
        self.status.value = kind_error(error)


def audit(
    principle: str | None = None,
    folder: str | os.PathLike[str] | None = None,
    *,
    delay: float = DEFAULT_DELAY,
    framework: Framework = FRAMEWORK,
    evidence: bool = True,
) -> AuditForm:
    """The self-audit widget for one principle id, or for all eight when ``principle`` is None,
    with the evidence log for its indicators below the ratings (``evidence=False`` leaves it out).
    """
    principles = [framework.principle(principle)] if principle else list(framework.principles)
    return AuditForm(
        principles, audit_path(folder), delay=delay, framework=framework, evidence=evidence
    )
