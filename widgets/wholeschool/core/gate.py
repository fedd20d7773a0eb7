"""The safeguarding gate's state, decided in one place: the latest answer by date decides.

The gate is asked in the self-audit and again in each termly progress log. Whatever shows it
(the plan form, the plan's files, the governors' report, the progress summary) asks
:func:`gate_status` for the state and shows :attr:`GateStatus.title` and
:attr:`GateStatus.message`, once. There are three states:

* **in place**: nothing to raise;
* **short of in place** (partly, not in place, not sure): a real escalation, raised today;
* **not answered yet**: a calm note that says so and points to the question. It is not an
  alarm: a lead who sees a false alarm learns to ignore the real one.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .dates import long_date
from .framework import Framework, Gate, GateAnswer


class GateState(enum.Enum):
    """Where the safeguarding route stands."""

    IN_PLACE = "in place"
    SHORT = "short of in place"
    UNANSWERED = "not answered yet"


class Answered(Protocol):
    """A record that may answer the gate (a self-audit or a progress log)."""

    gate: str | None
    date: dt.date


@dataclass(frozen=True)
class GateStatus:
    """The gate's state, the answer that decided it, and where that answer came from."""

    gate: Gate
    state: GateState
    answer: GateAnswer | None = None
    date: dt.date | None = None
    #: "self-audit" or "progress log": the kind of record the deciding answer is in.
    source: str | None = None
    #: The principle whose self-audit asks the question ("8. Targeted support").
    asked_in: str = ""

    @property
    def escalates(self) -> bool:
        """True only for an answer short of "in place" (never for no answer yet)."""
        return self.state is GateState.SHORT

    @property
    def where_asked(self) -> str:
        """Where the lead answers the question, in words."""
        return (
            "the safeguarding route question in the self-audit of principle "
            f"{self.asked_in or self.gate.principle}"
        )

    @property
    def title(self) -> str:
        """The heading of the gate's box ("" when the route is in place)."""
        return {
            GateState.SHORT: "Safeguarding first.",
            GateState.UNANSWERED: "Safeguarding route: not answered yet.",
            GateState.IN_PLACE: "",
        }[self.state]

    @property
    def message(self) -> str:
        """What the box says ("" when the route is in place)."""
        if self.state is GateState.SHORT:
            assert self.answer is not None
            return (
                f"{self.gate.text} The latest answer{self._from()} is \u201c{self.answer.label}"
                f"\u201d. {self.gate.escalation}"
            )
        if self.state is GateState.UNANSWERED:
            return (
                "Whether every worry about a pupil reaches the designated safeguarding lead "
                f"(DSL) at once has not been answered yet. Answer {self.where_asked}. Until "
                "then, follow your school's safeguarding procedures and speak to the DSL about "
                "any worry."
            )
        return ""

    def _from(self) -> str:
        if self.source and self.date:
            return f" (in the {self.source} of {long_date(self.date)})"
        return ""


def gate_status(framework: Framework, records: Iterable[Answered | None]) -> GateStatus | None:
    """The gate's state from ``records`` (self-audits and progress logs, in any order).

    The latest answer by date decides; a record that does not answer the gate is passed over.
    On the same date a progress log counts as later than a self-audit (it is asked again
    there). ``None`` when the framework has no gate.
    """
    gate = framework.gate
    if gate is None:
        return None
    principle = framework.principle(gate.principle)
    asked_in = f"{principle.number}, {principle.short_name}"
    answered = [
        (record.date, getattr(record, "kind", "") == "progress", n, record)
        for n, record in enumerate(records)
        if record is not None and record.gate is not None
    ]
    if not answered:
        return GateStatus(gate, GateState.UNANSWERED, asked_in=asked_in)
    date, is_log, _, record = max(answered, key=lambda item: item[:3])
    answer = gate.answer(record.gate)
    state = GateState.IN_PLACE if record.gate == gate.in_place else GateState.SHORT
    source = "progress log" if is_log else "self-audit"
    return GateStatus(gate, state, answer, date, source, asked_in)
