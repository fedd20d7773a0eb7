"""The termly progress log form: re-rate the indicators, answer four questions; saves itself.

The log re-rates indicators on the same scale as the self-audit, so the scores it gives each
principle compare like with like (see :mod:`wholeschool.reports.timeline`). A new log starts
from the latest ratings (the last log, else the self-audit): the lead changes what has moved.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import ipywidgets as widgets

from ..core.clock import Clock, system_clock
from ..core.errors import RecordError
from ..core.framework import FRAMEWORK, Framework
from ..core.records import AuditRecord, IndicatorRating, ProgressLog
from ..core.terms import term_of
from ..core.text import clean_text
from ..reports.progress import QUESTIONS
from ..store import AUDIT_FILE, RecordFolder
from ..store.current import current_records
from ..store.logs import file_log, log_path
from .audit_form import GateRow
from .autosave import DEFAULT_DELAY, Autosaver
from .looks import DEFAULT_SCHOOL, UNRATED, Looks, rated, rating_choices, reminder_html
from .saving import SavesItself


class ProgressForm(SavesItself, widgets.VBox):
    """This term's log: opens the existing one or starts a new one; saves itself on change."""

    def __init__(
        self, folder: RecordFolder, date: dt.date, *, delay: float = DEFAULT_DELAY
    ) -> None:
        self.folder = folder
        framework = self.framework = folder.framework
        self.term = term_of(date)
        self.date = date
        self.error = None
        self.saved_at = None
        self.status = widgets.HTML()
        self.path: Path = log_path(folder, self.term)
        self.filed = False
        existing: ProgressLog | None = None
        start: dict[str, int] = {}
        gate: str | None = None
        school = DEFAULT_SCHOOL
        try:
            folder.read_optional(AUDIT_FILE, AuditRecord)  # a bad audit file is reported
            records = current_records(folder)
            school = records.school or DEFAULT_SCHOOL
            if records.audit is not None:
                start = records.audit.rated()
            if records.gate is not None and records.gate.answer is not None:
                gate = records.gate.answer.id  # the latest answer by date
            for path, log in records.log_files:
                if log.term_key == self.term:
                    existing, self.path, self.filed = log, path, True
                elif log.term_key < self.term and log.indicator_ratings:
                    start = log.rated()
            if existing is None and self.path.exists():
                folder.read(self.path.name, ProgressLog)  # reports a bad file
        except RecordError as error:
            self._fail(error)
        if existing is not None:
            start, gate = existing.rated(), existing.gate
        #: The log as filed: what the form does not show (older whole-principle ratings,
        #: notes on ratings) is kept from it when the form saves.
        self.existing = existing
        self.school = existing.school if existing else school
        looks = Looks()
        heading = looks.html(
            f"<h3>Progress log: {self.term.name} term {self.term.academic_year}</h3>"
            + (
                "<p>You filed this log earlier this term; changes update it.</p>"
                if existing
                else "<p>Your latest ratings are filled in: change what has moved this term.</p>"
            )
        )
        self.ratings: dict[str, widgets.RadioButtons] = {}
        rows: list[widgets.Widget] = []
        for principle in framework.principles:
            rows.append(
                looks.html(f"<h4>{principle.number}. {html.escape(principle.short_name)}</h4>")
            )
            for n, indicator in enumerate(principle.indicators, start=1):
                control = widgets.RadioButtons(
                    options=rating_choices(framework),
                    value=start.get(indicator.id, UNRATED),
                    description=f"Rating {n}",
                    style=looks.description,
                    layout=looks.choices,
                )
                self.ratings[indicator.id] = control
                rows += [looks.html(f"<p>{n}. {html.escape(indicator.text)}</p>"), control]
        self.gate: GateRow | None = None
        if framework.gate is not None:
            self.gate = GateRow(framework, gate, looks)
            rows.append(self.gate.box)
        self.texts: dict[str, widgets.Textarea] = {}
        rows.append(looks.html(reminder_html()))
        for field, question in QUESTIONS.items():
            self.texts[field] = widgets.Textarea(
                value=getattr(existing, field) if existing else "",
                description=question,
                rows=3,
                style=looks.text_style,
                layout=looks.note,
            )
            rows.append(self.texts[field])
        self.summary = widgets.HTML()
        self._update_summary()
        self.saver = Autosaver(self._save, delay)
        controls = [*self.ratings.values(), *self.texts.values()]
        if self.gate is not None:
            controls.append(self.gate.answer)
        for control in controls:
            control.observe(self._changed, names="value")
        super().__init__([heading, widgets.HBox([self.summary]), self.status, *rows])

    @property
    def record_name(self) -> str:
        return self.path.name

    def _update_summary(self) -> None:
        count = sum(c.value != UNRATED for c in self.ratings.values())
        self.summary.value = f"{count} of {len(self.ratings)} indicators rated"

    def _changed(self, _change: dict) -> None:
        self._update_summary()
        self.saver.changed()

    def flush(self) -> None:
        """Save a pending change now instead of waiting for the pause."""
        self.saver.flush()

    def record(self) -> ProgressLog:
        """The log as the form shows it, over the filed log: a log made with an older framework
        keeps its whole-principle ratings, and ratings keep their notes."""
        today = self.folder.today()
        earlier = self.existing
        notes = {k: v.note for k, v in earlier.indicator_ratings.items()} if earlier else {}
        return ProgressLog.model_validate(
            {
                **(earlier.model_dump(exclude={"kind"}) if earlier else {}),
                "school": self.school,
                "framework_version": self.framework.version,
                "date": self.date,
                "academic_year": self.term.academic_year,
                "term": self.term.name,
                "indicator_ratings": {
                    key: IndicatorRating(rating=rated(c.value), note=notes.get(key, ""))
                    for key, c in self.ratings.items()
                    if rated(c.value) is not None
                },
                "gate": self.gate.value if self.gate is not None else (earlier and earlier.gate),
                **{field: clean_text(box.value) for field, box in self.texts.items()},
            },
            context={"today": today},
        )

    def _write(self) -> None:
        log = self.record()
        if self.filed:
            self.folder.save(log, self.path.name)
        else:
            self.path = file_log(self.folder, log)
            self.filed = True
        self.existing = log


def progress_log(
    folder: str | os.PathLike[str] | RecordFolder | None = None,
    date: dt.date | None = None,
    *,
    delay: float = DEFAULT_DELAY,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
) -> ProgressForm:
    """The log for the term of ``date`` (default today): the one filed earlier, or a new one."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder, clock=clock, framework=framework)
    return ProgressForm(folder, date or folder.today(), delay=delay)
