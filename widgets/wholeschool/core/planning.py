"""The action plan's logic: rank the gaps of a self-audit, draft SMART actions, merge redrafts.

Ranking (plain functions, unit-tested):

* a gap is a rated indicator below the top of the scale; unrated indicators are not gaps;
* the size of a gap is how far the rating is from the top, and a gap in leadership and
  management (the centre of the approach) counts :data:`CENTRE_WEIGHT` times as much;
* biggest weighted gap first; ties keep the framework's order;
* the lead may pin indicators (they come first, in the order given, even if not gaps) or drop
  them (never in the plan); the plan keeps at most ``limit`` priorities.

The safeguarding gate stands outside all of this: when its latest answer is short of "in
place", its escalation is the plan's first action, whatever the limit, pins or drops say.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import Field

from .datafiles import load_yaml_model
from .errors import DataFileError
from .framework import FRAMEWORK, Framework, Indicator, Principle
from .gate import GateStatus, gate_status
from .models import DataModel
from .records import OPEN_STATUSES, AuditRecord, PlanAction, PlanRecord

SUGGESTIONS_FILE = Path(str(resources.files("wholeschool") / "data" / "suggested_actions.yaml"))
#: How much more a gap in the centre principle (leadership and management) counts.
CENTRE_WEIGHT = 1.5
#: How many priorities a drafted plan holds, unless the lead asks for another number.
DEFAULT_LIMIT = 8
#: The text of an action the lead has just added, to be written over.
NEW_ACTION = "New action: describe what will be done."


# --- Suggested actions (data) -------------------------------------------------------------


class SuggestedAction(DataModel):
    """A draft action for one indicator, from ``data/suggested_actions.yaml``."""

    what: str = Field(min_length=10, max_length=500)
    lead: str = Field(min_length=2, max_length=80)
    measure: str = Field(min_length=10, max_length=500)
    weeks: int | None = Field(default=None, ge=1, le=52)


class Suggestions(DataModel):
    """All suggested actions, by indicator id."""

    version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    actions: dict[str, tuple[SuggestedAction, ...]]


def load_suggestions(
    path: str | os.PathLike[str] = SUGGESTIONS_FILE, framework: Framework = FRAMEWORK
) -> Suggestions:
    """Read and validate the suggested actions; every indicator needs at least one."""
    path = Path(path)
    suggestions = load_yaml_model(path, Suggestions)
    for key, actions in suggestions.actions.items():
        if not framework.is_reference(key):
            raise DataFileError(path, f"actions.{key}", "is not an indicator of the framework")
        if not actions:
            raise DataFileError(path, f"actions.{key}", "needs at least one action")
        is_gate = framework.gate is not None and key == framework.gate.id
        for index, action in enumerate(actions):
            if is_gate and action.weeks is not None:
                raise DataFileError(
                    path,
                    f"actions.{key}[{index}].weeks",
                    "must be left out: the gate is never scheduled",
                )
            if not is_gate and action.weeks is None:
                raise DataFileError(path, f"actions.{key}[{index}].weeks", "is missing")
    wanted = [*framework.indicator_by_id, *([framework.gate.id] if framework.gate else [])]
    missing = [i for i in wanted if i not in suggestions.actions]
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


#: Extra weight (in levels) a favoured gap gets, such as one a team audit disagreed on.
FAVOUR_BONUS = 1.0


def favour_gaps(gaps: Sequence[Gap], favoured: Sequence[str]) -> list[Gap]:
    """``gaps`` re-ordered so each favoured gap counts one level bigger.

    Pinned gaps stay at the top in their order; the rest keep their order when scores tie.
    """
    wanted = set(favoured)
    order = {gap.indicator.id: n for n, gap in enumerate(gaps)}
    others = [
        replace(gap, score=gap.score + FAVOUR_BONUS) if gap.indicator.id in wanted else gap
        for gap in gaps
        if not gap.pinned
    ]
    others.sort(key=lambda gap: (-gap.score, order[gap.indicator.id]))
    return [gap for gap in gaps if gap.pinned] + others


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


def escalation_actions(
    gate: GateStatus | None, start: dt.date, suggestions: Suggestions
) -> list[PlanAction]:
    """The gate's actions, due at once, when its latest answer is short of "in place" (no
    answer yet is a question to answer, not an escalation)."""
    if gate is None or not gate.escalates:
        return []
    return [
        PlanAction(
            indicator=gate.gate.id,
            what=s.what,
            lead=s.lead,
            start=start,
            due=start,
            measure=s.measure,
        )
        for s in suggestions.actions[gate.gate.id]
    ]


def with_escalation(
    plan: PlanRecord,
    gate: GateStatus | None,
    start: dt.date,
    suggestions: Suggestions | None = None,
    framework: Framework = FRAMEWORK,
) -> PlanRecord:
    """``plan`` with the gate's actions at the top; when the gate's latest answer is short of
    "in place" and the plan has no open action for it (it was drafted while the route was in
    place), the escalation's actions are added, due at once. Nothing is removed."""
    open_gate = [
        a
        for a in plan.actions
        if gate is not None and a.indicator == gate.gate.id and a.status in OPEN_STATUSES
    ]
    added = (
        [] if open_gate else escalation_actions(gate, start, suggestions or default_suggestions())
    )
    return plan.model_copy(update={"actions": gate_first(added + list(plan.actions), framework)})


def gate_first(actions: Sequence[PlanAction], framework: Framework) -> list[PlanAction]:
    """``actions`` with the safeguarding gate's actions moved to the top (order kept otherwise)."""
    gate_id = framework.gate.id if framework.gate else None
    return sorted(actions, key=lambda action: action.indicator != gate_id)


def draft_plan(
    audit: AuditRecord,
    *,
    today: dt.date,
    pinned: Sequence[str] = (),
    dropped: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
    start: dt.date | None = None,
    suggestions: Suggestions | None = None,
    framework: Framework = FRAMEWORK,
    gate: GateStatus | None = None,
    favour: Sequence[str] = (),
) -> tuple[PlanRecord, str]:
    """A plan drafted from ``audit``'s gaps (dated ``today``), and the message describing it.

    An escalation of the safeguarding gate comes first and does not count towards ``limit``.
    ``gate`` is the gate's state from every record (default: the audit's own answer); the
    message does not repeat the escalation (whatever shows the plan shows the gate's box).
    ``favour`` (indicators a team audit disagreed on) counts those gaps one level bigger.
    """
    if gate is None:
        gate = gate_status(framework, [audit])
    suggestions = suggestions or default_suggestions()
    start = start or today
    ratings = audit.rated()
    gaps = rank_gaps(ratings, pinned=pinned, dropped=dropped, framework=framework)
    if favour:
        gaps = favour_gaps(gaps, favour)
    kept = gaps[: max(limit, len(pinned))]
    actions = escalation_actions(gate, start, suggestions) + [
        PlanAction(
            indicator=gap.indicator.id,
            what=s.what,
            lead=s.lead,
            start=start,
            due=start + dt.timedelta(weeks=s.weeks or 0),
            measure=s.measure,
        )
        for gap in kept
        for s in suggestions.actions[gap.indicator.id]
    ]
    plan = PlanRecord(
        school=audit.school,
        framework_version=framework.version,
        date=today,
        audit_date=audit.date,
        pinned=list(pinned),
        dropped=list(dropped),
        actions=actions,
    )
    return plan, plan_message(ratings, gaps, len(kept), framework)


def merge_plan(
    existing: PlanRecord, fresh: PlanRecord, framework: Framework = FRAMEWORK
) -> PlanRecord:
    """Redraft without losing work: keep every existing action (unless its indicator is now
    dropped) and add the fresh draft's actions for indicators the plan does not cover yet.
    The safeguarding gate's actions stay at the top."""
    dropped = set(fresh.dropped)
    kept = [a for a in existing.actions if a.indicator not in dropped]
    covered = {a.indicator for a in kept}
    added = [a for a in fresh.actions if a.indicator not in covered]
    return fresh.model_copy(update={"actions": gate_first(kept + added, framework)})


def reorder_plan(
    existing: PlanRecord, fresh: PlanRecord, framework: Framework = FRAMEWORK
) -> PlanRecord:
    """Redraft in a new order without losing work (such as favouring the gaps a team audit
    disagreed on): the fresh draft's indicators come first in its order, each with the
    existing actions for it (edits kept) or else the fresh ones; every other existing action
    follows in its old order. The safeguarding gate's actions stay at the top."""
    dropped = set(fresh.dropped)
    kept = [a for a in existing.actions if a.indicator not in dropped]
    order = list(dict.fromkeys(a.indicator for a in fresh.actions))
    actions = []
    for indicator in order:
        mine = [a for a in kept if a.indicator == indicator]
        actions += mine or [a for a in fresh.actions if a.indicator == indicator]
    actions += [a for a in kept if a.indicator not in set(order)]
    return fresh.model_copy(update={"actions": gate_first(actions, framework)})
