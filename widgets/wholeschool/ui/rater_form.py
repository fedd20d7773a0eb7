"""A colleague's rating form for a team audit: rate the school alone, download one small file.

A colleague of the lead (the mental health team, a governor, pastoral staff) rates every
indicator with the self-audit's own controls, gives their role (not their name) and the school
label the lead uses, and downloads a rater file to send the lead, who loads it in the
moderation view. Nothing is saved in the browser or the records folder: the file is the
colleague's answer, and the lead's own self-audit on the same device is never touched. The
file is a :class:`~wholeschool.core.records.RaterRecord`, checked here exactly as the lead's
import will check it (:func:`wholeschool.store.team.read_rater_bytes`).
"""

from __future__ import annotations

import html
import os

import ipywidgets as widgets
from pydantic import ValidationError

from ..core.clock import Clock, system_clock
from ..core.errors import RecordError, from_validation_error
from ..core.framework import FRAMEWORK, Framework
from ..core.records import RaterRecord
from ..core.text import clean_text
from ..store import RecordFolder
from ..store.team import read_rater_bytes, role_slug
from .audit_form import IndicatorRow
from .downloads import download_now
from .looks import ERROR_COLOUR, Looks, reminder_html
from .problems import problem_words


def _problem(text: str) -> str:
    return (
        f'<p role="alert" style="color:{ERROR_COLOUR};margin:.2em 0">'
        f"<strong>{html.escape(text)}</strong></p>"
        if text
        else ""
    )


class RaterForm(widgets.VBox):
    """Every indicator to rate, the rater's role and school label, and the file to send."""

    def __init__(self, folder: RecordFolder) -> None:
        self.folder = folder
        framework = self.framework = folder.framework
        looks = Looks()
        self.school = widgets.Text(
            description="School label",
            placeholder="Exactly as your lead gave it to you",
            style=looks.text_style,
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.school_problem = widgets.HTML()
        self.role = widgets.Text(
            description="Your role",
            placeholder='For example "Governor" or "Pastoral lead" (not your name)',
            style=looks.text_style,
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.role_problem = widgets.HTML()
        self.rows: dict[str, IndicatorRow] = {}
        self.row_problems: dict[str, widgets.HTML] = {}
        sections: list[widgets.Widget] = []
        for principle in framework.principles:
            sections.append(
                looks.html(f"<h3>{principle.number}. {html.escape(principle.short_name)}</h3>")
            )
            for number, indicator in enumerate(principle.indicators, start=1):
                row = IndicatorRow(number, indicator, None, framework, looks)
                row.note.placeholder = "Optional: what you have seen that decides the level"
                row.rating.observe(lambda _change: self._update(), names="value")
                self.rows[indicator.id] = row
                self.row_problems[indicator.id] = widgets.HTML()
                sections.append(widgets.VBox([row.box, self.row_problems[indicator.id]]))
        self.progress = widgets.IntProgress(
            value=0, min=0, max=len(self.rows), description="Rated", bar_style="info"
        )
        self.summary = widgets.HTML()
        self.make = widgets.Button(
            description="Download my file to send",
            tooltip="Check your answers, then download the file to send your lead",
            icon="download",
            button_style="primary",
            layout=widgets.Layout(width="auto", max_width="100%", align_self="flex-start"),
        )
        self.make.on_click(lambda _button: self.make_file())
        self.outcome = widgets.HTML()
        intro = looks.html(
            "<p><strong>For a colleague of your school's mental health lead.</strong> Rate each "
            "indicator on your own, from what you have seen in school; skip any you cannot "
            "judge. Then make your file and send it to the lead (by email or on a memory "
            "stick). It holds your ratings, your notes and your role, not your name. Nothing "
            "is kept in this browser: make your file before you close the page.</p>"
        )
        self._update()
        super().__init__(
            [
                intro,
                looks.html(reminder_html()),
                self.school,
                self.school_problem,
                self.role,
                self.role_problem,
                widgets.HBox([self.progress, self.summary]),
                *sections,
                self.make,
                self.outcome,
            ]
        )

    def _update(self) -> None:
        count = sum(row.value is not None for row in self.rows.values())
        self.progress.value = count
        self.summary.value = f"{count} of {len(self.rows)} rated"

    def record(self) -> RaterRecord:
        """The rater file's record from what is on screen; ``RecordError`` naming the field."""
        today = self.folder.today()
        data = {
            "school": clean_text(self.school.value, single_line=True).strip(),
            "framework_version": self.framework.version,
            "date": today,
            "role": clean_text(self.role.value, single_line=True).strip(),
            "ratings": {key: entry for key, row in self.rows.items() if (entry := row.entry())},
        }
        where = self.folder.file("rater.json")
        if not data["school"]:
            raise RecordError(where, "school", "is empty: type the label your lead uses")
        if not data["role"]:
            raise RecordError(where, "role", "is empty: write your role, not your name")
        try:
            record = RaterRecord.model_validate(data, context={"today": today})
        except ValidationError as error:
            raise from_validation_error(error, where, RecordError) from None
        if not record.rated():
            raise RecordError(where, "ratings", "has no rating yet: rate at least one indicator")
        return record

    def make_file(self) -> bytes | None:
        """Check the answers, then offer the file; a problem is shown beside its field."""
        for problem in [self.school_problem, self.role_problem, *self.row_problems.values()]:
            problem.value = ""
        self.outcome.value = ""
        try:
            record = self.record()
            data = (record.model_dump_json(indent=2) + "\n").encode("utf-8")
            read_rater_bytes(data, "rater.json", self.folder, record.school)  # as the lead will
        except RecordError as error:
            self._show_problem(error)
            return None
        count = len(record.rated())
        name = f"team-rating-{role_slug(record.role)}-{record.date}.json"
        self.outcome.value = (
            f"<div><p>\u2713 Your file is made: {count} rating{'' if count == 1 else 's'} "
            f"for {html.escape(record.school)}, as {html.escape(record.role)}. Send it to your "
            f"lead.</p>{download_now(name, data)}</div>"
        )
        return data

    def _show_problem(self, error: RecordError) -> None:
        field = error.field or ""
        words = problem_words(error, self.framework)
        key = next((k for k in self.rows if f'["{k}"]' in field), None)
        beside = {"school": self.school_problem, "role": self.role_problem}.get(field)
        if beside is None and key is not None:
            beside = self.row_problems[key]
        if beside is not None:
            beside.value = _problem(words)
            words = "Your file was not made: see the message beside the field."
        self.outcome.value = _problem(words)


def colleague_rating(
    folder: str | os.PathLike[str] | RecordFolder | None = None,
    *,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
) -> RaterForm:
    """A colleague's rating form for the team audit (it saves nothing; it makes a file)."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder, clock=clock, framework=framework)
    return RaterForm(folder)
