"""The action plan form: draft from the self-audit, edit, save itself, download the files.

The safeguarding gate's box heads the form, once: an escalation when its latest answer (self-
audit or progress log, by date) is short of "in place", whose actions are then always the first
ones; a calm note pointing to the question when it is not answered yet; nothing when in place.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Sequence

import ipywidgets as widgets
from pydantic import ValidationError

from ..core.clock import Clock, system_clock
from ..core.errors import RecordError, plain_message
from ..core.framework import FRAMEWORK, Framework
from ..core.gate import GateStatus
from ..core.planning import (
    DEFAULT_LIMIT,
    NEW_ACTION,
    draft_plan,
    merge_plan,
    reorder_plan,
    with_escalation,
)
from ..core.records import STATUSES, AuditRecord, ModerationRecord, PlanAction, PlanRecord
from ..core.team import disputed
from ..core.text import clean_text
from ..render.alert import alert_html
from ..render.word import available as word_available
from ..reports.plan_export import EXPORT_FORMATS, plan_files
from ..reports.safeguarding import gate_notes
from ..store import AUDIT_FILE, PLAN_FILE, RecordFolder
from ..store.current import current_records
from ..store.team import MODERATION_FILE
from .autosave import DEFAULT_DELAY, Autosaver
from .downloads import download_button
from .keep_focus import hand_on, keep_focus
from .looks import ERROR_COLOUR, Looks, reminder_html
from .saving import SavesItself


def _what_for(framework: Framework, key: str) -> tuple[str, str]:
    """Principle name and the indicator (or gate) text an action is for."""
    gate = framework.gate
    if gate is not None and key == gate.id:
        return framework.principle(gate.principle).short_name, gate.text
    indicator = framework.indicator_by_id[key]
    return framework.principle(indicator.principle_id).short_name, indicator.text


#: What each field of an action is called on screen, for errors written beside it.
FIELD_WORDS = {
    "what": "What you will do",
    "lead": "Who leads",
    "start": "The start date",
    "due": "The due date",
    "measure": "How you will know",
    "status": "The status",
}


def problem_words(error: ValidationError) -> str:
    """The first problem of an action's validation, in words about the field on screen."""
    first = error.errors(include_url=False)[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    name = FIELD_WORDS.get(field, "This action")
    kind = first["type"]
    if field == "due" and kind.startswith("value_error"):
        return "The due date is before the start date: choose a due date on or after it."
    if kind in ("date_type", "none_required", "missing", "date_from_datetime_parsing"):
        return (
            f"{name} is empty: choose a date." if field in ("start", "due") else f"{name} is empty."
        )
    if kind == "string_too_short":
        return f"{name} is empty: write a few words."
    if kind == "string_too_long":
        return (
            f"{name} is too long: shorten it to {first['ctx']['max_length']} characters or fewer."
        )
    return f"{name}: {plain_message(first)}."


class ActionRow:
    """The editable fields of one action, with buttons to move it to the top of the plan or
    take it out (not for the safeguarding action, which always comes first), and its problem,
    if any, written beside its fields."""

    def __init__(
        self,
        number: int,
        action: PlanAction,
        framework: Framework,
        looks: Looks,
        *,
        fixed: bool = False,
    ) -> None:
        self.indicator = action.indicator
        self.fixed = fixed
        self.principle, self.text = _what_for(framework, action.indicator)
        self.header = looks.html("")
        self.what = widgets.Textarea(action.what, rows=2, layout=looks.note, style=looks.text_style)
        self.lead = widgets.Text(
            action.lead, placeholder="A role, such as SMHL or PSHE lead", style=looks.text_style
        )
        self.start = widgets.DatePicker(value=action.start, style=looks.description)
        self.due = widgets.DatePicker(value=action.due, style=looks.description)
        self.measure = widgets.Textarea(
            action.measure, rows=2, layout=looks.note, style=looks.text_style
        )
        self.status = widgets.Dropdown(
            options=STATUSES, value=action.status, style=looks.description
        )
        self.problem = widgets.HTML()
        # The plan is drawn again after a move or a removal: these keep the keyboard's place.
        self.to_top = keep_focus(
            widgets.Button(layout=widgets.Layout(width="auto"), icon="arrow-up")
        )
        self.remove = keep_focus(widgets.Button(layout=widgets.Layout(width="auto"), icon="trash"))
        self.controls = [self.what, self.lead, self.start, self.due, self.measure, self.status]
        self.dates = widgets.HBox([self.start, self.due])
        moves = [] if fixed else [widgets.HBox([self.to_top, self.remove])]
        self.box = widgets.VBox(
            [
                self.header,
                self.what,
                self.lead,
                self.dates,
                self.problem,
                self.measure,
                self.status,
                *moves,
            ],
            layout=looks.row,
        )
        self.relabel(number)

    def relabel(self, number: int) -> None:
        """Number the action (its place in the plan) in its heading and every label."""
        label = f"Action {number}"
        self.number = number
        self.header.value = (
            f"<h4>{label} · {html.escape(self.principle)}</h4><p>{html.escape(self.text)}</p>"
        )
        self.what.description = f"{label}: what"
        self.lead.description = f"{label}: who leads"
        self.start.description = f"{label}: start"
        self.due.description = f"{label}: due"
        self.measure.description = f"{label}: how we will know"
        self.status.description = f"{label}: status"
        self.to_top.description = f"Move action {number} to the top"
        self.to_top.tooltip = "Put this action first in the plan (after any safeguarding action)"
        self.remove.description = f"Take action {number} out of the plan"
        self.remove.tooltip = "Remove this action from the plan"

    def check(self) -> str:
        """The action's problem in words (empty if it is valid), shown beside its fields."""
        try:
            PlanAction.model_validate(self.data())
        except ValidationError as error:
            words = problem_words(error)
            self.problem.value = (
                f'<p role="alert" style="color:{ERROR_COLOUR};margin:0">'
                f"<strong>{html.escape(words)}</strong></p>"
            )
            return words
        self.problem.value = ""
        return ""

    def data(self) -> dict:
        return {
            "indicator": self.indicator,
            "what": clean_text(self.what.value),
            "lead": clean_text(self.lead.value, single_line=True),
            "start": self.start.value,
            "due": self.due.value,
            "measure": clean_text(self.measure.value),
            "status": self.status.value,
        }


#: The plan's file formats as the buttons name them, in the order they are offered.
FORMAT_NAMES = {"xlsx": "Excel", "docx": "Word", "csv": "CSV spreadsheet", "md": "Markdown page"}


def export_formats() -> tuple[str, ...]:
    """The formats this Python can make (Word needs python-docx and lxml), as offered."""
    return tuple(
        f for f in FORMAT_NAMES if f in EXPORT_FORMATS and (f != "docx" or word_available())
    )


class PlanEditor(SavesItself, widgets.VBox):
    """An editable action plan that saves itself on every change."""

    record_name = PLAN_FILE
    kept = "Your earlier plan is kept as it was."

    def __init__(
        self,
        plan: PlanRecord,
        folder: RecordFolder,
        message: str = "",
        *,
        delay: float = DEFAULT_DELAY,
        gate: GateStatus | None = None,
        disputed: Sequence[str] = (),
        favoured: bool = False,
    ) -> None:
        self.plan = plan
        self.gate = gate
        self.disputed = list(disputed)
        self.folder = folder
        self.framework = folder.framework
        self.error = None
        self.saved_at = None
        self.looks = Looks()
        self.status = widgets.HTML()
        self.saver = Autosaver(self._save, delay)
        self.rows: list[ActionRow] = []
        for action in plan.actions:
            self._add_row(action)
        self.intro = self.looks.html(f"<p>{html.escape(message)}</p>" if message else "")
        options = []
        for principle in self.framework.principles:
            options += [(f"{principle.short_name}: {i.text}", i.id) for i in principle.indicators]
        self.new_indicator = widgets.Dropdown(
            options=options,
            description="Indicator for a new action",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="95%"),
        )
        self.add_button = widgets.Button(
            description="Add an action",
            tooltip="Add a blank action for the chosen indicator",
            icon="plus",
        )
        self.add_button.on_click(lambda _button: self.add_action(self.new_indicator.value))
        keep_focus(self.add_button)
        self.download_buttons = [
            download_button(
                f"Download the plan: {FORMAT_NAMES[fmt]}", lambda fmt=fmt: self.make_file(fmt)
            )
            for fmt in export_formats()
        ]
        self.files = widgets.HTML()  # a problem making the files, if any
        self.team_choice = widgets.RadioButtons(
            options=[
                ("Lowest ratings first, as usual", False),
                ("Also put first the indicators where your team differed", True),
            ],
            value=favoured,
            description="Order of the plan",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self.redraft_button = widgets.Button(
            description="Draft the plan again in this order",
            tooltip="Re-order the plan; every action and every edit you made is kept",
            icon="refresh",
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.redraft_button.on_click(lambda _button: self.redraft())
        keep_focus(self.redraft_button)
        super().__init__()
        self._show()

    def _add_row(self, action: PlanAction) -> ActionRow:
        gate = self.framework.gate
        fixed = gate is not None and action.indicator == gate.id
        row = ActionRow(len(self.rows) + 1, action, self.framework, self.looks, fixed=fixed)
        for control in row.controls:
            control.observe(lambda _change: self.saver.changed(), names="value")
        row.to_top.on_click(lambda _button, row=row: self.move_to_top(row))
        row.remove.on_click(lambda _button, row=row: self.remove_action(row))
        self.rows.append(row)
        return row

    def _renumber(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            row.relabel(number)
        self._show()
        self.saver.changed()

    def move_to_top(self, row: ActionRow) -> None:
        """Put ``row`` first in the plan, after any safeguarding action (which stays first)."""
        self.rows.remove(row)
        at = sum(1 for r in self.rows if r.fixed)
        self.rows.insert(at, row)
        self._renumber()

    def remove_action(self, row: ActionRow) -> None:
        """Take ``row`` out of the plan (never the safeguarding action)."""
        if not row.fixed:
            at = self.rows.index(row)
            self.rows.remove(row)
            # the keyboard goes on to the action that takes its place (or to "Add an action")
            hand_on(row.remove, self.rows[at].remove if at < len(self.rows) else self.add_button)
            self._renumber()

    def _escalation(self) -> str:
        """The gate's box (see :mod:`wholeschool.core.gate`), or nothing when in place."""
        return "".join(
            alert_html(note.title, note.text, urgent=note.urgent) for note in gate_notes(self.gate)
        )

    def _show(self) -> None:
        adder = widgets.VBox(
            [widgets.HTML("<h4>Add an action</h4>"), self.new_indicator, self.add_button]
        )
        exporter = widgets.VBox(
            [
                widgets.HTML(
                    "<h4>Take it into school</h4><p>Download the plan as a spreadsheet (Excel "
                    "or CSV), a Markdown page"
                    + (" or a Word document" if "docx" in export_formats() else "")
                    + ": each button makes the file from the plan on screen and downloads it."
                    "</p>"
                ),
                *self.download_buttons,
                self.files,
            ]
        )
        self.children = [
            self.looks.html(self._escalation()),
            self.intro,
            *self._team_box(),
            self.looks.html(reminder_html()),
            self.status,
            *(row.box for row in self.rows),
            adder,
            exporter,
        ]

    def _team_box(self) -> list[widgets.Widget]:
        """The choice to favour the team's disagreements, shown only after a team audit in
        which the team differed by two levels or more somewhere."""
        if not self.disputed:
            return []
        count = len(self.disputed)
        words = (
            f"<h4>Your team audit</h4><p>Your team differed by two levels or more on {count} "
            f"indicator{'' if count == 1 else 's'}. A wide spread often means practice differs "
            "across the school, so you can put those gaps first: each counts as if it were rated "
            "one level lower. Your actions and edits are kept whichever you choose.</p>"
        )
        return [
            widgets.VBox(
                [self.looks.html(words), self.team_choice, self.redraft_button],
                layout=self.looks.row,
            )
        ]

    def redraft(self) -> None:
        """Draft again from the latest audit in the chosen order, keeping every action."""
        self.flush()
        problems = [row.number for row in self.rows if row.check()]
        if problems:
            numbers = ", ".join(map(str, problems))
            self.intro.value = (
                f'<p style="color:{ERROR_COLOUR}">The plan was not drafted again: action '
                f"{numbers} has a problem (see the message beside the field). Fix it first.</p>"
            )
            return
        try:
            records = current_records(self.folder)
            if records.audit is None:
                raise ValueError("no self-audit has been saved yet")
            fresh, message = draft_plan(
                records.audit,
                today=self.folder.today(),
                pinned=self.plan.pinned,
                dropped=self.plan.dropped,
                framework=self.framework,
                gate=records.gate,
                favour=self.disputed if self.team_choice.value else (),
            )
            plan = reorder_plan(self.record(), fresh, self.framework)
            plan = with_escalation(
                plan, records.gate, self.folder.today(), framework=self.framework
            )
        except (RecordError, ValueError) as error:
            self.intro.value = (
                f'<p style="color:{ERROR_COLOUR}">The plan was not drafted again: '
                f"{html.escape(str(error))}. Your plan is unchanged.</p>"
            )
            return
        self.gate = records.gate
        self.plan = plan
        self.rows = []
        for action in plan.actions:
            self._add_row(action)
        order = "your team's differences first" if self.team_choice.value else "as usual"
        self.intro.value = (
            f"<p>Drafted again, lowest ratings first, {order}. {html.escape(message)}</p>"
        )
        self._show()
        self.save_now()

    def add_action(self, indicator_id: str, start: dt.date | None = None) -> ActionRow:
        """Add a blank action for ``indicator_id`` to the end of the plan, and save."""
        start = start or self.folder.today()
        action = PlanAction(
            indicator=indicator_id, what=NEW_ACTION, start=start, due=start + dt.timedelta(weeks=8)
        )
        row = self._add_row(action)
        self._show()
        self.saver.changed()
        return row

    def flush(self) -> None:
        """Save a pending change now instead of waiting for the pause."""
        self.saver.flush()

    def save_now(self) -> None:
        self._save()

    def record(self) -> PlanRecord:
        today = self.folder.today()
        return PlanRecord.model_validate(
            {
                **self.plan.model_dump(exclude={"actions", "date", "kind"}),
                "date": today,
                "actions": [row.data() for row in self.rows],
            },
            context={"today": today},
        )

    def _write(self) -> None:
        problems = [(row.number, row.check()) for row in self.rows]
        problems = [(n, words) for n, words in problems if words]
        if problems:
            numbers = ", ".join(str(n) for n, _ in problems)
            noun = "Action" if len(problems) == 1 else "Actions"
            raise RecordError(
                self.folder.file(PLAN_FILE),
                None,
                f"{noun} {numbers}: see the message beside the field",
            )
        record = self.record()
        self.folder.save(record, PLAN_FILE)
        self.plan = record

    def describe(self, error: RecordError) -> str:
        """The problem in words: an action's own problem is beside its fields, so the status
        line only points to it; no file path or field name reaches the lead."""
        field = error.field or ""
        if field.startswith("actions["):
            number = int(field[len("actions[") : field.index("]")]) + 1
            return f"Action {number}: see the message beside the field"
        return error.problem

    def make_file(self, fmt: str) -> tuple[str, bytes] | None:
        """The plan as one file (``fmt``: csv, xlsx, md or docx) from what is on screen: its
        name and bytes, or ``None`` with the problem shown under the buttons."""
        self.flush()
        self.files.value = ""
        try:
            records = current_records(self.folder)
            self.gate = records.gate
            files = plan_files(self.record(), records.audit, [fmt], self.framework, self.gate)
        except (RecordError, ValueError) as error:
            self.files.value = f'<p style="color:{ERROR_COLOUR}">{html.escape(str(error))}</p>'
            return None
        return next(iter(files.items()))


def action_plan(
    folder: str | os.PathLike[str] | RecordFolder | None = None,
    *,
    pinned: Sequence[str] = (),
    dropped: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
    redraft: bool = False,
    favour_team: bool = False,
    delay: float = DEFAULT_DELAY,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
) -> widgets.Widget:
    """Open the saved plan, or draft one from the self-audit; returns the editing form.

    ``redraft=True`` drafts again from the latest audit (with ``pinned``/``dropped``) and keeps
    every action already in the plan. After a team audit, ``favour_team=True`` drafts the gaps
    the team differed on first (the form offers the same as a choice). A record that cannot be
    read is reported, never replaced.
    """
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder, clock=clock, framework=framework)
    try:
        existing = folder.read_optional(PLAN_FILE, PlanRecord)
        folder.read_optional(AUDIT_FILE, AuditRecord)  # a bad audit file is reported
        records = current_records(folder)
        audit, gate = records.audit, records.gate
        moderation = folder.read_optional(MODERATION_FILE, ModerationRecord)
        team = {"disputed": disputed(moderation) if moderation else [], "favoured": favour_team}
        if existing is not None and not redraft:
            plan = with_escalation(existing, gate, folder.today(), framework=folder.framework)
            editor = PlanEditor(plan, folder, "Your saved plan.", delay=delay, gate=gate, **team)
            if len(plan.actions) > len(existing.actions):
                editor.save_now()  # the escalation's actions were added
            return editor
        if audit is None:
            return widgets.HTML(
                "<p>No self-audit has been saved yet. Rate your school in the self-audit page of "
                "each principle; the plan is drafted from your ratings.</p>"
            )
        plan, message = draft_plan(
            audit,
            today=folder.today(),
            pinned=pinned,
            dropped=dropped,
            limit=limit,
            framework=folder.framework,
            gate=gate,
            favour=team["disputed"] if favour_team else (),
        )
    except (RecordError, ValueError) as error:
        return widgets.HTML(
            f'<p style="color:{ERROR_COLOUR}">{html.escape(str(error))}</p><p>Nothing was '
            "changed. Fix the file or move it aside, then open this page again.</p>"
        )
    if existing is not None:  # a closed escalation kept from before does not cover a new one
        plan = merge_plan(existing, plan, folder.framework)
        plan = with_escalation(plan, gate, folder.today(), framework=folder.framework)
    editor = PlanEditor(plan, folder, message, delay=delay, gate=gate, **team)
    if plan.actions:
        editor.save_now()
    return editor
