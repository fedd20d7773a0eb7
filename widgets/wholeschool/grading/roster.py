"""The cohort's leads as students of the trainer's nbgrader gradebook, as nbgrader keeps them.

The cohort page lists every lead in the gradebook's students table, so a lead appears from
the day their account is approved, not only once they fetch an assignment. On the hub the hub
itself adds them (``deploy/hub/hub_roster.py`` runs ``wholeschool trainer add-leads`` as the
trainer): a trainer's server cannot list the hub's users, and a lead's must never.

Leads are only ever added: removing a student from the gradebook would delete their work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .trainer import GradingError

#: A lead's id: the name of their hub account (nbgrader's student id, the exchange's file names).
LEAD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def add_leads(root: Path, names: Iterable[str]) -> list[str]:
    """Add each of ``names`` to the gradebook of the course ``root`` as a student, unless it is
    there already; the names added, in order. Every name is checked before any is added."""
    from nbgrader.api import Gradebook, InvalidEntry

    from .autograde import course_directory

    names = sorted(set(names))
    bad = [name for name in names if not LEAD_ID.match(name)]
    if bad:
        raise GradingError(
            f"{bad[0]!r} is not a lead's account name (letters, digits, '.', '_' and '-')"
        )
    coursedir = course_directory(root)
    added = []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        known = {student.id for student in gradebook.students}
        for name in names:
            if name in known:
                continue
            try:
                gradebook.add_student(name)
            except InvalidEntry:  # added meanwhile by another run: nothing to do
                continue
            added.append(name)
    return added
