"""The action plan: rank the gaps of a self-audit, draft SMART actions, edit, save, export.

Ranking (plain functions, unit-tested):

* a gap is a rated indicator below the top of the scale; unrated indicators are not gaps;
* the size of a gap is how far the rating is from the top, and a gap in leadership and
  management (the centre of the approach) counts :data:`CENTRE_WEIGHT` times as much;
* biggest weighted gap first; ties keep the framework's order;
* the lead may pin indicators (they come first, in the order given, even if not gaps) or drop
  them (never in the plan); the plan keeps at most ``limit`` priorities.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import ipywidgets as widgets
from IPython.display import Markdown
from pydantic import BaseModel, ConfigDict, Field

from .audit import load_audit
from .autosave import DEFAULT_DELAY, Autosaver, SavesItself
from .datafiles import load_yaml_model
from .errors import DataFileError, RecordError
from .exports import Heading as DocHeading
from .exports import Paragraph as DocParagraph
from .exports import Table, markdown_table, write_csv, write_docx, write_text, write_xlsx
from .framework import FRAMEWORK, Framework, Indicator, Principle
from .records import STATUSES, AuditRecord, PlanAction, PlanRecord
from .storage import load_record, records_folder, save_record

PLAN_FILE = "plan.json"
SUGGESTIONS_FILE = Path(str(resources.files("wholeschool") / "data" / "suggested_actions.yaml"))
#: How much more a gap in the centre principle (leadership and management) counts.
CENTRE_WEIGHT = 1.5
#: How many priorities a drafted plan holds, unless the lead asks for another number.
DEFAULT_LIMIT = 8
EXPORT_FORMATS = ("csv", "xlsx", "md", "docx")
#: The text of an action the lead has just added, to be written over.
NEW_ACTION = "New action: describe what will be done."


# --- Suggested actions (data) -------------------------------------------------------------


class SuggestedAction(BaseModel):
    """A draft action for one indicator, from ``data/suggested_actions.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    what: str = Field(min_length=10, max_length=500)
    lead: str = Field(min_length=2, max_length=80)
    measure: str = Field(min_length=10, max_length=500)
    weeks: int = Field(ge=1, le=52)


class Suggestions(BaseModel):
    """All suggested actions, by indicator id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    actions: dict[str, tuple[SuggestedAction, ...]]


def load_suggestions(
    path: str | os.PathLike[str] = SUGGESTIONS_FILE, framework: Framework = FRAMEWORK
) -> Suggestions:
    """Read and validate the suggested actions; every indicator needs at least one."""
    path = Path(path)
    suggestions = load_yaml_model(path, Suggestions)
    for key, actions in suggestions.actions.items():
        if key not in framework.indicator_by_id:
            raise DataFileError(path, f"actions.{key}", "is not an indicator of the framework")
        if not actions:
            raise DataFileError(path, f"actions.{key}", "needs at least one action")
    missing = [i for i in framework.indicator_by_id if i not in suggestions.actions]
    if missing:
        raise DataFileError(path, "actions", f"no suggested action for {', '.join(missing)}")
    return suggestions


@cache
def default_suggestions() -> Suggestions:
    return load_suggestions()


# --- Ranking (pure) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """An indicator the plan should work on."""

    indicator: Indicator
    principle: Principle
    rating: int | None
    score: float
    pinned: bool = False


def gap_score(rating: int, principle: Principle, framework: Framework = FRAMEWORK) -> float:
    """How far ``rating`` is from the top of the scale, weighted for the centre principle."""
    weight = CENTRE_WEIGHT if principle.centre else 1.0
    return (framework.max_rating - rating) * weight


def _check_ids(ids: Sequence[str], field: str, framework: Framework) -> None:
    for key in ids:
        if key not in framework.indicator_by_id:
            raise ValueError(f"{field}: unknown indicator {key!r}")


def rank_gaps(
    ratings: Mapping[str, int],
    *,
    pinned: Sequence[str] = (),
    dropped: Iterable[str] = (),
    framework: Framework = FRAMEWORK,
) -> list[Gap]:
    """Every gap, biggest weighted gap first (ties: framework order), pinned ones at the top."""
    dropped = set(dropped)
    _check_ids(pinned, "pinned", framework)
    _check_ids(sorted(dropped), "dropped", framework)
    both = [key for key in pinned if key in dropped]
    if both:
        raise ValueError(f"{', '.join(both)} cannot be both pinned and dropped")
    order = {key: n for n, key in enumerate(framework.indicator_by_id)}
    result = []
    for key in dict.fromkeys(pinned):
        indicator = framework.indicator_by_id[key]
        principle = framework.principle(indicator.principle_id)
        rating = ratings.get(key)
        score = gap_score(rating, principle, framework) if rating is not None else 0.0
        result.append(Gap(indicator, principle, rating, score, pinned=True))
    others = []
    for key, rating in ratings.items():
        if key in dropped or key in pinned or rating is None or rating >= framework.max_rating:
            continue
        indicator = framework.indicator_by_id[key]
        principle = framework.principle(indicator.principle_id)
        others.append(Gap(indicator, principle, rating, gap_score(rating, principle, framework)))
    others.sort(key=lambda gap: (-gap.score, order[gap.indicator.id]))
    return result + others


def plan_message(
    ratings: Mapping[str, int], gaps: Sequence[Gap], kept: int, framework: Framework = FRAMEWORK
) -> str:
    """What the ranking found, in a sentence or two for the lead."""
    unrated = len(framework.indicator_by_id) - len(ratings)
    later = (
        f" {unrated} indicator{'s are' if unrated != 1 else ' is'} not rated yet; rate "
        f"{'them' if unrated != 1 else 'it'} in the self-audit to see whether action is needed."
        if unrated
        else ""
    )
    if not ratings:
        return (
            "Nothing has been rated yet. Rate your school in the self-audit pages: the plan is "
            "drafted from your ratings."
        )
    if not gaps:
        top = framework.scale[-1].label
        return f"Every rated indicator is {top}: there are no gaps to plan for.{later}"
    return (
        f"{kept} of {len(gaps)} gap{'s' if len(gaps) != 1 else ''} taken into the plan, "
        "lowest ratings first (leadership and management counts "
        f"{CENTRE_WEIGHT:g} times as the centre of the approach).{later}"
    )


# --- Drafting ------------------------------------------------------------------------------


def draft_plan(
    audit: AuditRecord,
    *,
    pinned: Sequence[str] = (),
    dropped: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
    start: dt.date | None = None,
    suggestions: Suggestions | None = None,
    framework: Framework = FRAMEWORK,
) -> tuple[PlanRecord, str]:
    """A plan drafted from ``audit``'s gaps, and the message describing it."""
    suggestions = suggestions or default_suggestions()
    start = start or dt.date.today()
    ratings = audit.rated()
    gaps = rank_gaps(ratings, pinned=pinned, dropped=dropped, framework=framework)
    kept = gaps[: max(limit, len(pinned))]
    actions = [
        PlanAction(
            indicator=gap.indicator.id,
            what=s.what,
            lead=s.lead,
            start=start,
            due=start + dt.timedelta(weeks=s.weeks),
            measure=s.measure,
        )
        for gap in kept
        for s in suggestions.actions[gap.indicator.id]
    ]
    plan = PlanRecord(
        school=audit.school,
        framework_version=framework.version,
        date=dt.date.today(),
        audit_date=audit.date,
        pinned=list(pinned),
        dropped=list(dropped),
        actions=actions,
    )
    return plan, plan_message(ratings, gaps, len(kept), framework)


def merge_plan(existing: PlanRecord, fresh: PlanRecord) -> PlanRecord:
    """Redraft without losing work: keep every existing action (unless its indicator is now
    dropped) and add the fresh draft's actions for indicators the plan does not cover yet."""
    dropped = set(fresh.dropped)
    kept = [a for a in existing.actions if a.indicator not in dropped]
    covered = {a.indicator for a in kept}
    added = [a for a in fresh.actions if a.indicator not in covered]
    return fresh.model_copy(update={"actions": kept + added})


def plan_path(folder: str | os.PathLike[str] | None = None) -> Path:
    return Path(folder if folder is not None else records_folder()) / PLAN_FILE


def load_plan(folder: str | os.PathLike[str] | None = None) -> PlanRecord | None:
    """The saved plan, or ``None``. A bad file raises RecordError."""
    path = plan_path(folder)
    return load_record(path, PlanRecord) if path.exists() else None


# --- Exports --------------------------------------------------------------------------------

COLUMNS = [
    "Principle",
    "Indicator",
    "Indicator text",
    "Audit rating",
    "Action",
    "Lead",
    "Start",
    "Due",
    "Success measure",
    "Status",
]
WIDTHS = {"Principle": 24, "Indicator text": 40, "Action": 50, "Success measure": 40, "Lead": 20}


def plan_table(
    plan: PlanRecord, audit: AuditRecord | None = None, framework: Framework = FRAMEWORK
) -> Table:
    """The plan as one table with a principle column, in plan order."""
    ratings = audit.rated() if audit else {}
    rows = []
    for action in plan.actions:
        indicator = framework.indicator_by_id[action.indicator]
        principle = framework.principle(indicator.principle_id)
        rating = ratings.get(action.indicator)
        rows.append(
            [
                principle.short_name,
                indicator.id,
                indicator.text,
                framework.level(rating).label if rating is not None else "Not rated",
                action.what,
                action.lead,
                action.start.isoformat(),
                action.due.isoformat(),
                action.measure,
                action.status,
            ]
        )
    return Table(COLUMNS, rows, WIDTHS)


def plan_markdown(plan: PlanRecord, table: Table) -> str:
    return (
        f"# Mental health and wellbeing action plan: {plan.school}\n\n"
        f"Drafted from the self-audit of {plan.audit_date or 'an unknown date'}; "
        f"last changed {plan.date}.\n\n{markdown_table(table)}\n"
    )


def export_plan(
    plan: PlanRecord,
    folder: str | os.PathLike[str],
    audit: AuditRecord | None = None,
    formats: Sequence[str] = EXPORT_FORMATS,
    framework: Framework = FRAMEWORK,
) -> dict[str, Path]:
    """Write the plan as ``action-plan.<format>`` files in ``folder``; returns their paths."""
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise ValueError(f"unknown export format {unknown[0]!r} (choose from {EXPORT_FORMATS})")
    folder = Path(folder)
    table = plan_table(plan, audit, framework)
    written = {}
    for fmt in formats:
        path = folder / f"action-plan.{fmt}"
        if fmt == "csv":
            write_csv(path, table)
        elif fmt == "xlsx":
            write_xlsx(path, {"Action plan": table})
        elif fmt == "md":
            write_text(path, plan_markdown(plan, table))
        else:
            intro = (
                f"Drafted from the self-audit of {plan.audit_date or 'an unknown date'}; "
                f"last changed {plan.date}."
            )
            blocks = [
                DocHeading(f"Mental health and wellbeing action plan: {plan.school}"),
                DocParagraph(intro),
            ]
            for principle in framework.principles:
                rows = [r for r in table.rows if r[0] == principle.short_name]
                if rows:
                    blocks.append(DocHeading(f"{principle.number}. {principle.short_name}", 2))
                    blocks.append(Table(COLUMNS[1:], [r[1:] for r in rows]))
            write_docx(path, blocks)
        written[fmt] = path
    return written


# --- The widget -----------------------------------------------------------------------------


def _friendly(error: RecordError) -> str:
    """Name the action by its number as the lead sees it, beside the file and field."""
    field = error.field or ""
    if field.startswith("actions["):
        number = int(field[len("actions[") : field.index("]")]) + 1
        return f"Action {number}: {error}"
    return str(error)


class ActionRow:
    """The editable fields of one action."""

    def __init__(self, number: int, action: PlanAction, framework: Framework) -> None:
        self.indicator = action.indicator
        indicator = framework.indicator_by_id[action.indicator]
        principle = framework.principle(indicator.principle_id)
        label = f"Action {number}"
        wide = widgets.Layout(width="95%")
        style = {"description_width": "initial"}
        self.header = widgets.HTML(
            f"<h4>{label} · {html.escape(principle.short_name)}</h4>"
            f"<p><strong>{indicator.id}</strong> {html.escape(indicator.text)}</p>"
        )
        self.what = widgets.Textarea(
            action.what, description=f"{label}: what", rows=2, layout=wide, style=style
        )
        self.lead = widgets.Text(
            action.lead,
            description=f"{label}: who leads",
            placeholder="A role, such as SMHL or PSHE lead (never a pupil)",
            style=style,
        )
        self.start = widgets.DatePicker(
            value=action.start, description=f"{label}: start", style=style
        )
        self.due = widgets.DatePicker(value=action.due, description=f"{label}: due", style=style)
        self.measure = widgets.Textarea(
            action.measure,
            description=f"{label}: success measure",
            rows=2,
            layout=wide,
            style=style,
        )
        self.status = widgets.Dropdown(
            options=STATUSES, value=action.status, description=f"{label}: status", style=style
        )
        self.controls = [self.what, self.lead, self.start, self.due, self.measure, self.status]
        self.box = widgets.VBox(
            [
                self.header,
                self.what,
                self.lead,
                widgets.HBox([self.start, self.due]),
                self.measure,
                self.status,
            ]
        )

    def data(self) -> dict:
        return {
            "indicator": self.indicator,
            "what": self.what.value,
            "lead": self.lead.value,
            "start": self.start.value,
            "due": self.due.value,
            "measure": self.measure.value,
            "status": self.status.value,
        }


class PlanEditor(SavesItself, widgets.VBox):
    """An editable action plan that saves itself to ``path`` on every change."""

    def __init__(
        self,
        plan: PlanRecord,
        path: Path,
        message: str = "",
        *,
        delay: float = DEFAULT_DELAY,
        framework: Framework = FRAMEWORK,
    ) -> None:
        self.plan = plan
        self.path = path
        self.framework = framework
        self.error: str | None = None
        self.saved_at: dt.datetime | None = None
        self.status = widgets.HTML()
        self.saver = Autosaver(self._save, delay)
        self.rows: list[ActionRow] = []
        for action in plan.actions:
            self._add_row(action)
        self.intro = widgets.HTML(f"<p>{html.escape(message)}</p>" if message else "")
        self.new_indicator = widgets.Dropdown(
            options=[(f"{i.id} {i.text}", i.id) for i in framework.indicator_by_id.values()],
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
        super().__init__()
        self._show()

    def _add_row(self, action: PlanAction) -> ActionRow:
        row = ActionRow(len(self.rows) + 1, action, self.framework)
        for control in row.controls:
            control.observe(lambda _change: self.saver.changed(), names="value")
        self.rows.append(row)
        return row

    def _show(self) -> None:
        adder = widgets.VBox(
            [widgets.HTML("<h4>Add an action</h4>"), self.new_indicator, self.add_button]
        )
        self.children = [self.intro, self.status, *(row.box for row in self.rows), adder]

    def add_action(self, indicator_id: str, start: dt.date | None = None) -> ActionRow:
        """Add a blank action for ``indicator_id`` to the end of the plan, and save."""
        start = start or dt.date.today()
        action = PlanAction(
            indicator=indicator_id,
            what=NEW_ACTION,
            start=start,
            due=start + dt.timedelta(weeks=8),
        )
        row = self._add_row(action)
        self._show()
        self.saver.changed()
        return row

    def flush(self) -> None:
        """Save a pending change now instead of waiting for the debounce timer."""
        self.saver.flush()

    def save_now(self) -> None:
        self._save()

    def _write(self) -> None:
        record = PlanRecord.model_validate(
            {
                **self.plan.model_dump(exclude={"actions", "date", "kind"}),
                "date": dt.date.today(),
                "actions": [row.data() for row in self.rows],
            }
        )
        save_record(record, self.path, self.framework)
        self.plan = record

    def _fail(self, error: RecordError) -> None:
        self.error = _friendly(error)
        self.status.value = (
            '<span style="color:#a4000f">Not saved: '
            f"{html.escape(self.error)}. Your earlier plan is kept as it was.</span>"
        )


def action_plan(
    folder: str | os.PathLike[str] | None = None,
    *,
    pinned: Sequence[str] = (),
    dropped: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
    redraft: bool = False,
    delay: float = DEFAULT_DELAY,
    framework: Framework = FRAMEWORK,
) -> widgets.Widget:
    """Open the saved plan, or draft one from the self-audit; returns the editing widget.

    ``redraft=True`` drafts again from the latest audit (with ``pinned``/``dropped``) and keeps
    every action already in the plan. A record that cannot be read is reported, never replaced.
    """
    folder = Path(folder) if folder is not None else records_folder()
    path = plan_path(folder)
    try:
        existing = load_plan(folder)
        audit = load_audit(folder, framework)
    except RecordError as error:
        return widgets.HTML(
            f'<p style="color:#a4000f">{html.escape(str(error))}</p><p>Nothing was changed. '
            "Fix the file or move it aside, then run this cell again.</p>"
        )
    if existing is not None and not redraft:
        return PlanEditor(existing, path, "Your saved plan.", delay=delay, framework=framework)
    if audit is None:
        return widgets.HTML(
            "<p>No self-audit has been saved yet. Rate your school in the self-audit page of "
            "each principle; the plan is drafted from your ratings.</p>"
        )
    plan, message = draft_plan(
        audit, pinned=pinned, dropped=dropped, limit=limit, framework=framework
    )
    if existing is not None:
        plan = merge_plan(existing, plan)
    editor = PlanEditor(plan, path, message, delay=delay, framework=framework)
    if plan.actions:
        editor.save_now()
    return editor


def export_files(
    folder: str | os.PathLike[str] | None = None, formats: Sequence[str] = EXPORT_FORMATS
) -> Markdown:
    """Export the saved plan into ``<records>/exports/``; a short list of the files written."""
    folder = Path(folder) if folder is not None else records_folder()
    try:
        plan = load_plan(folder)
        audit = load_audit(folder)
    except RecordError as error:
        return Markdown(f"**Not exported:** {error}")
    if plan is None or not plan.actions:
        return Markdown("There is no saved plan with actions to export yet.")
    written = export_plan(plan, folder / "exports", audit, formats)
    return Markdown("Exported:\n\n" + "\n".join(f"- `{p}`" for p in written.values()))
