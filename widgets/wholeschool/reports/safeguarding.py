"""The safeguarding gate as a block of a document: one box, shown once, at the top.

The state comes from :func:`wholeschool.core.gate.gate_status` (the latest answer by date): an
answer short of "in place" is an urgent box, no answer yet a calm one that points to the
question, and a route in place shows nothing.
"""

from __future__ import annotations

from ..core.gate import GateStatus
from ..render.blocks import Note


def gate_notes(status: GateStatus | None) -> list[Note]:
    """The gate's box (none when the route is in place or there is no gate)."""
    if status is None or not status.title:
        return []
    return [Note(status.title, status.message, urgent=status.escalates)]
