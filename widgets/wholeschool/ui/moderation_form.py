"""The moderation view of a team audit: load colleagues' rater files, see the spread, agree.

The lead loads the files colleagues sent (from the colleague's rating form or ``wholeschool
team export``); each is checked as hostile by :func:`wholeschool.store.team.import_rater_uploads`
and a refused one is named beside the upload with its field, in plain words, while the others
come in. Per indicator the view shows how many chose each level (a strip of the scale), whether
the team agrees, is one level apart or differs by two or more (:mod:`wholeschool.core.team`),
and each colleague's note by role; the lead sets the agreed rating and, if they like, why.
"Record" keeps the agreed ratings with the spread as evidence and puts them in the self-audit
(:func:`wholeschool.store.team.record_agreement`).
"""

from __future__ import annotations

import html
import os

import ipywidgets as widgets
from pydantic import ValidationError

from ..core.clock import Clock, system_clock
from ..core.errors import RecordError, from_validation_error
from ..core.framework import FRAMEWORK, Framework
from ..core.records import ModeratedRating, ModerationRecord, RaterRecord
from ..core.team import Spread, spreads
from ..core.text import clean_text
from ..reports.team import STATUS_WORDS, spread_words
from ..store import RecordFolder
from ..store.current import school_label
from ..store.team import MODERATION_FILE, import_rater_uploads, record_agreement, team_raters
from .looks import DEFAULT_SCHOOL, ERROR_COLOUR, UNRATED, Looks, indicator_choices, rated
from .problems import problem_words
from .visuals import FAR, GOOD, NEAR, NONE, scale_strip

STATUS_COLOURS = {"agree": GOOD, "close": NEAR, "differ": FAR, "unrated": NONE}


def _alert(body: str) -> str:
    return f'<div role="alert" style="color:{ERROR_COLOUR}">{body}</div>'


class ModerationRow:
    """One indicator: its spread, the notes behind it, and the rating the team agrees."""

    def __init__(
        self,
        number: int,
        spread: Spread,
        kept: ModeratedRating | None,
        framework: Framework,
        looks: Looks,
    ) -> None:
        self.spread = spread
        indicator = spread.indicator
        words = spread_words(spread, framework)
        status = STATUS_WORDS[spread.status]
        views = "".join(
            f"<li><strong>{html.escape(view.role)}</strong>"
            f" ({html.escape(framework.scale[view.rating].label if view.rating is not None else 'not rated')})"
            + (f": {html.escape(view.note)}" if view.note.strip() else "")
            + "</li>"
            for view in spread.views
        )
        self.text = looks.html(
            f'<p style="margin-bottom:.2em"><strong>{number}. {html.escape(indicator.text)}'
            f"</strong></p>"
            f'<p style="margin:.1em 0"><span style="color:#fff;background:'
            f'{STATUS_COLOURS[spread.status]};padding:0 .4em;border-radius:3px">'
            f"{html.escape(status)}</span> {html.escape(words)}</p>"
            + scale_strip(framework, counts=spread.counts, label=f"Ratings: {words}")
            + (f'<ul style="margin:.2em 0">{views}</ul>' if views else "")
        )
        start = kept.agreed if kept is not None else spread.suggested()
        self.agreed = widgets.RadioButtons(
            options=indicator_choices(framework, indicator.id),
            value=UNRATED if start is None else start,
            description=f"Agreed rating {number}",
            style=looks.description,
            layout=looks.choices,
        )
        self.note = widgets.Textarea(
            value=kept.note if kept is not None else "",
            description=f"Why agreed {number}",
            placeholder="Optional: what the team agreed decides the level",
            rows=2,
            style=looks.text_style,
            layout=looks.note,
        )
        self.box = widgets.VBox([self.text, self.agreed, self.note], layout=looks.row)


class ModerationForm(widgets.VBox):
    """Load rater files, see the spread per indicator, record the agreed ratings."""

    def __init__(self, folder: RecordFolder) -> None:
        self.folder = folder
        self.framework = folder.framework
        self.looks = Looks()
        try:
            self.school = school_label(folder)
        except RecordError:
            self.school = DEFAULT_SCHOOL
        self.upload = widgets.FileUpload(
            accept=".json", multiple=True, description="Load colleagues' files"
        )
        self.upload.layout = widgets.Layout(width="auto")
        self.upload.observe(self._on_upload, names="value")
        self.loaded = self.looks.html("")
        self.summary = self.looks.html("")
        self.only_differ = widgets.Checkbox(
            description="Show only where the team differs",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.only_differ.observe(lambda _change: self._filter(), names="value")
        self.rows: dict[str, ModerationRow] = {}
        #: Each principle's heading and its rows, in order (the filter shows some of them).
        self.sections: list[tuple[widgets.Widget, list[ModerationRow]]] = []
        self.questions = widgets.VBox()
        self.record_button = widgets.Button(
            description="Record the agreed ratings",
            tooltip="Put the agreed ratings in your self-audit, keeping the spread as evidence",
            button_style="primary",
            layout=widgets.Layout(width="auto", max_width="100%", align_self="flex-start"),
        )
        self.record_button.on_click(lambda _button: self.record())
        self.status = self.looks.html("")
        intro = self.looks.html(
            "<p>Load the files your colleagues sent you (each made with the colleague's rating "
            "form). Each file is checked before it comes in; one with a problem is refused and "
            "named below, and the others still come in. Then talk through the indicators where "
            "the team differs, choose the rating you agree and record it: it goes into your "
            "self-audit, with the spread and everyone's notes kept as evidence.</p>"
            f"<p>Your school label is <strong>{html.escape(self.school)}</strong>. Give it to "
            "colleagues exactly: a file made for another label is refused.</p>"
        )
        #: The filter and the record button, shown once a colleague's file is loaded.
        self.filter_box = widgets.VBox()
        self.bottom = widgets.VBox()
        super().__init__(
            [
                intro,
                self.upload,
                self.loaded,
                self.summary,
                self.filter_box,
                self.questions,
                self.bottom,
            ]
        )
        self.refresh()

    def _on_upload(self, change: dict) -> None:
        files = {item["name"]: bytes(item["content"]) for item in change["new"]}
        if files:
            self.load(files)
            self.upload.value = ()

    def load(self, files: dict[str, bytes]) -> None:
        """Import uploaded rater files (name → bytes) and show what came in and what did not."""
        try:
            result = import_rater_uploads(self.folder, files, self.school)
        except RecordError as error:  # a file already in the records cannot be read
            self.loaded.value = _alert(html.escape(problem_words(error, self.framework)))
            return
        lines = []
        if result.added:
            lines.append(
                f'<p role="status">\u2713 Loaded {len(result.added)} '
                f"file{'' if len(result.added) == 1 else 's'}.</p>"
            )
        if result.skipped:
            names = ", ".join(path.name for path in result.skipped)
            lines.append(f"<p>Already loaded, so skipped: {html.escape(names)}.</p>")
        if result.refused:
            items = "".join(
                f"<li>{html.escape(problem_words(e, self.framework, with_file=True))}</li>"
                for e in result.refused
            )
            lines.append(
                _alert(
                    f"<p><strong>Not loaded</strong> ({len(result.refused)} "
                    f"file{'' if len(result.refused) == 1 else 's'}): nothing already loaded "
                    f"was changed.</p><ul>{items}</ul>"
                )
            )
        self.loaded.value = "".join(lines)
        self.refresh()

    def refresh(self) -> None:
        """Show every loaded colleague's ratings, indicator by indicator (keeping any agreed
        rating the lead has changed on screen)."""
        try:
            raters = team_raters(self.folder)
            kept = self.folder.read_optional(MODERATION_FILE, ModerationRecord)
        except RecordError as error:
            self.summary.value = _alert(
                html.escape(problem_words(error, self.framework, with_file=True))
            )
            return
        on_screen = {key: (row.agreed.value, row.note.value) for key, row in self.rows.items()}
        self.raters: list[RaterRecord] = raters
        if not raters:
            self.summary.value = "<p>No colleague's file is loaded yet.</p>"
            self.rows = {}
            self.sections = []
            self.questions.children = []
            self.filter_box.children = self.bottom.children = []
            return
        self.rows = {}
        self.sections = []
        found = spreads(raters, self.framework)
        by_principle: dict[str, list[Spread]] = {}
        for spread in found:
            if spread.views:
                by_principle.setdefault(spread.indicator.principle_id, []).append(spread)
        for principle in self.framework.principles:
            shown = by_principle.get(principle.id, [])
            if not shown:
                continue
            heading = self.looks.html(
                f"<h3>{principle.number}. {html.escape(principle.short_name)}</h3>"
            )
            section: list[ModerationRow] = []
            self.sections.append((heading, section))
            for spread in shown:
                number = principle.indicators.index(spread.indicator) + 1
                key = spread.indicator.id
                row = ModerationRow(
                    number,
                    spread,
                    kept.indicators.get(key) if kept is not None else None,
                    self.framework,
                    self.looks,
                )
                if key in on_screen:
                    row.agreed.value, row.note.value = on_screen[key]
                self.rows[key] = row
                section.append(row)
        differ = [s for s in found if s.status == "differ"]
        roles = ", ".join(r.role for r in raters)
        unrated = sum(1 for s in found if not s.views)
        self.summary.value = (
            f"<h3>The team's ratings</h3><p>{len(raters)} "
            f"{'person' if len(raters) == 1 else 'people'} rated ({html.escape(roles)}). "
            f"The team differs by two levels or more on <strong>{len(differ)}</strong> "
            f"indicator{'' if len(differ) == 1 else 's'}: talk these through first."
            + (f" {unrated} indicators no one rated are left out." if unrated else "")
            + " Each agreed rating starts at the middle rating: change it to what you agree.</p>"
        )
        self.filter_box.children = [self.only_differ]
        self.bottom.children = [self.record_button, self.status]
        self._filter()

    def _filter(self) -> None:
        """Show every row, or only those where the team differs (and their headings)."""
        only = self.only_differ.value
        children: list[widgets.Widget] = []
        for heading, section in self.sections:
            boxes = [r.box for r in section if not only or r.spread.status == "differ"]
            children += [heading, *boxes] if boxes else []
        self.questions.children = children

    def record(self) -> ModerationRecord | None:
        """Save the agreed ratings with the spread, and put them in the self-audit."""
        agreed = {key: rated(row.agreed.value) for key, row in self.rows.items()}
        notes = {key: clean_text(row.note.value) for key, row in self.rows.items()}
        try:
            try:
                moderation = record_agreement(self.folder, agreed, self.school, notes)
            except ValidationError as error:
                raise from_validation_error(
                    error, self.folder.file(MODERATION_FILE), RecordError
                ) from None
        except RecordError as error:
            self.status.value = _alert(
                "<p><strong>Not recorded:</strong> "
                f"{html.escape(problem_words(error, self.framework, with_file=True))}. "
                "Nothing already saved was changed.</p>"
            )
            return None
        count = sum(item.agreed is not None for item in moderation.indicators.values())
        self.status.value = (
            f'<p role="status">\u2713 Recorded {count} agreed '
            f"rating{'' if count == 1 else 's'} in your self-audit (at "
            f"{self.folder.clock().astimezone():%H:%M}). The spread and everyone's notes are "
            "kept with them as evidence; the action plan can put first the indicators where "
            "the team differed.</p>"
        )
        return moderation


def moderation_view(
    folder: str | os.PathLike[str] | RecordFolder | None = None,
    *,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
) -> ModerationForm:
    """The lead's moderation view of a team audit, on the lead's records ``folder``."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder, clock=clock, framework=framework)
    return ModerationForm(folder)
