"""The self-audit form: rate each indicator of one principle (or all eight); it saves itself.

Every principle page shows the form for its own principle; all of them share one record,
``audit.json`` in the records folder. A save re-reads that file under its lock and replaces
only this form's indicators, so two pages (or two kernels) never undo each other's answers.
A record that cannot be read is reported in the form and never overwritten.
"""

from __future__ import annotations

import html
import os

import ipywidgets as widgets

from ..core.audits import KEEP, merge_audit
from ..core.clock import Clock, system_clock
from ..core.errors import RecordError
from ..core.framework import FRAMEWORK, Framework, Indicator, Principle
from ..core.records import AuditRecord, IndicatorRating
from ..core.text import clean_text
from ..render.alert import alert_html
from ..store import AUDIT_FILE, RecordFolder
from ..store.current import relabel_school, school_label
from .autosave import DEFAULT_DELAY, Autosaver
from .looks import (
    DEFAULT_SCHOOL,
    UNRATED,
    Looks,
    error_html,
    indicator_choices,
    rated,
    reminder_html,
)
from .saving import SavesItself


def summary_text(rated_count: int, total: int) -> str:
    """The words beside the progress bar."""
    return f"{rated_count} of {total} rated"


class IndicatorRow:
    """The controls for one indicator: its text, what would show it, a rating and a note."""

    def __init__(
        self,
        number: int,
        indicator: Indicator,
        entry: IndicatorRating | None,
        framework: Framework,
        looks: Looks,
    ) -> None:
        self.indicator = indicator
        shows = (
            f'<br><small class="wholeschool-shows">What would show this: '
            f"{html.escape(indicator.shows)}</small>"
            if indicator.shows
            else ""
        )
        self.text = looks.html(
            f"<p><strong>{number}. {html.escape(indicator.text)}</strong>{shows}</p>"
        )
        value = entry.rating if entry and entry.rating is not None else UNRATED
        self.rating = widgets.RadioButtons(
            options=indicator_choices(framework, indicator.id),
            value=value,
            description=f"Rating {number}",
            style=looks.description,
            layout=looks.choices,
        )
        self.note = widgets.Textarea(
            value=entry.note if entry else "",
            description=f"Note {number}",
            placeholder="Optional: why you chose this level",
            rows=2,
            style=looks.text_style,
            layout=looks.note,
        )
        self.box = widgets.VBox([self.text, self.rating, self.note], layout=looks.row)

    @property
    def value(self) -> int | None:
        return rated(self.rating.value)

    def entry(self) -> dict | None:
        """What to store for this indicator (``None``: nothing to store); validated with the
        record, so an error names the indicator's field."""
        note = clean_text(self.note.value)
        if self.value is None and not note.strip():
            return None
        return {"rating": self.value, "note": note}


class GateRow:
    """The safeguarding route: one of four answers, outside the rating scale."""

    def __init__(self, framework: Framework, answer: str | None, looks: Looks) -> None:
        gate = framework.gate
        assert gate is not None
        self.gate = gate
        self.intro = looks.html(
            "<h4>The safeguarding route (not a rating)</h4>"
            f"<p><strong>{html.escape(gate.text)}</strong><br><small>What would show this: "
            f"{html.escape(gate.shows)}</small></p>"
        )
        self.answer = widgets.RadioButtons(
            options=[("Not answered yet", "")]
            + [(f"{a.label}: {a.meaning}", a.id) for a in gate.answers],
            value=answer or "",
            description="Safeguarding route",
            style=looks.description,
            layout=looks.choices,
        )
        self.escalation = looks.html("")
        self.answer.observe(lambda _change: self._show(), names="value")
        self._show()
        self.box = widgets.VBox([self.intro, self.answer, self.escalation], layout=looks.row)

    @property
    def value(self) -> str | None:
        return self.answer.value or None

    def _show(self) -> None:
        if self.value is None or not self.gate.escalates(self.value):
            self.escalation.value = ""
            return
        self.escalation.value = alert_html("Act now.", self.gate.escalation, urgent=True)


class AuditForm(SavesItself, widgets.VBox):
    """Self-audit of one or more principles that saves itself on every change."""

    record_name = AUDIT_FILE
    kept = "Your earlier answers on disk were kept as they were."

    def __init__(
        self,
        principles: list[Principle],
        folder: RecordFolder,
        *,
        delay: float = DEFAULT_DELAY,
    ) -> None:
        self.folder = folder
        framework = self.framework = folder.framework
        self.error = None
        self.saved_at = None
        self.status = widgets.HTML()
        existing: AuditRecord | None = None
        try:
            existing = folder.read_optional(AUDIT_FILE, AuditRecord)
        except RecordError as error:
            self.error = str(error)
            self.status.value = error_html(self.error, self.kept)
        looks = Looks()
        ratings = existing.ratings if existing else {}
        self.school = widgets.Text(
            value=existing.school if existing else self._label(folder),
            description="School label",
            placeholder="Any name you choose for your school",
            style=looks.text_style,
        )
        self.first_label = self.school.value
        self.rows: dict[str, IndicatorRow] = {}
        sections: list[widgets.Widget] = []
        self.gate: GateRow | None = None
        for principle in principles:
            sections.append(
                looks.html(f"<h3>{principle.number}. {html.escape(principle.short_name)}</h3>")
            )
            for n, indicator in enumerate(principle.indicators, start=1):
                row = IndicatorRow(n, indicator, ratings.get(indicator.id), framework, looks)
                self.rows[indicator.id] = row
                sections.append(row.box)
            if framework.gate is not None and framework.gate.principle == principle.id:
                self.gate = GateRow(framework, existing.gate if existing else None, looks)
                sections.append(self.gate.box)
        self.progress = widgets.IntProgress(
            value=0, min=0, max=len(self.rows), description="Rated", bar_style="info"
        )
        self.summary = widgets.HTML()
        self._update_summary()
        self.saver = Autosaver(self._save, delay)
        controls = [self.school]
        for row in self.rows.values():
            controls += [row.rating, row.note]
        if self.gate is not None:
            controls.append(self.gate.answer)
        for control in controls:
            control.observe(self._changed, names="value")
        bar = widgets.HBox([self.progress, self.summary])
        super().__init__([looks.html(reminder_html()), self.school, bar, self.status, *sections])

    def _update_summary(self) -> None:
        count = sum(row.value is not None for row in self.rows.values())
        self.progress.value = count
        self.summary.value = summary_text(count, len(self.rows))

    def _changed(self, _change: dict) -> None:
        self._update_summary()
        self.status.value = "<span>Saving\u2026</span>" if self.saver.delay > 0 else ""
        self.saver.changed()

    def flush(self) -> None:
        """Save a pending change now instead of waiting for the pause."""
        self.saver.flush()

    def merged(self, existing: AuditRecord | None) -> AuditRecord:
        """The record on disk with this form's answers put in (others' answers kept); the
        rule is :func:`wholeschool.core.audits.merge_audit`."""
        return merge_audit(
            existing,
            {indicator_id: row.entry() for indicator_id, row in self.rows.items()},
            school=self.school.value,
            framework=self.framework,
            today=self.folder.today(),
            gate=self.gate.value if self.gate is not None else KEEP,
        )

    @staticmethod
    def _label(folder: RecordFolder) -> str:
        try:
            return school_label(folder)
        except RecordError:
            return DEFAULT_SCHOOL

    def _write(self) -> None:
        before: list[str] = []

        def merge(existing: AuditRecord | None) -> AuditRecord:
            before[:] = [existing.school] if existing else []
            return self.merged(existing)

        saved = self.folder.update(AUDIT_FILE, AuditRecord, merge)
        old = before[0] if before else self.first_label
        if old != saved.school:  # the school was named or renamed: one label in the folder
            relabel_school(self.folder, old, saved.school)
        self.first_label = saved.school


def audit(
    principle: str | None = None,
    folder: str | os.PathLike[str] | RecordFolder | None = None,
    *,
    delay: float = DEFAULT_DELAY,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
    evidence: bool = True,
) -> widgets.Widget:
    """The self-audit form for one principle id, or for all eight when ``principle`` is None,
    with the evidence log for its indicators below the ratings (``evidence=False`` leaves it
    out)."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder, clock=clock, framework=framework)
    principles = [framework.principle(principle)] if principle else list(framework.principles)
    form = AuditForm(principles, folder, delay=delay)
    if not evidence:
        return form
    from .evidence_form import evidence_log

    ids = list(form.rows) + (
        [framework.gate.id] if form.gate is not None and framework.gate else []
    )
    form.children = [
        *form.children,
        widgets.HTML("<h3>Evidence behind your ratings</h3>"),
        evidence_log(folder, ids),
    ]
    return form
