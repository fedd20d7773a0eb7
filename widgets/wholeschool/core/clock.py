"""The clock, passed in rather than read: records, history and forms ask it for "now".

A clock is any function returning an aware ``datetime``. Code that needs the date takes a
``clock`` argument (default :func:`system_clock`), so tests can fix it and no result depends
on the day a test runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The real time, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def fixed_clock(when: dt.datetime | dt.date) -> Clock:
    """A clock that always says ``when`` (a date means noon UTC that day)."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time(12), tzinfo=dt.timezone.utc)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return lambda: when


def today(clock: Clock = system_clock) -> dt.date:
    """The local date according to ``clock``."""
    return clock().astimezone().date()
