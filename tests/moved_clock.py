"""pytest plugin: run the tests with the clock moved, so a test tied to today's date fails now.

``make test`` runs the unit tests a second time with ``WHOLESCHOOL_CLOCK_AHEAD_DAYS=400``: every
``datetime.now()``, ``date.today()`` and ``time.time()`` in the test process is more than a year
ahead (the clock keeps ticking). A test that only passes on the day it was written fails then.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

AHEAD = "WHOLESCHOOL_CLOCK_AHEAD_DAYS"


def pytest_configure(config: pytest.Config) -> None:
    days = int(os.environ.get(AHEAD, "0") or 0)
    if not days:
        return
    import time_machine

    traveller = time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days))
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    days = os.environ.get(AHEAD)
    return f"clock moved {days} days ahead ({AHEAD})" if days else None
