"""pytest-xdist scheduling for this suite: which tests go together to one worker, costliest first.

``make test`` spreads the suite over worker processes (``pytest -n``). The unit of work sent to
a worker is a test file, except that every test file of the course hub (``tests/test_hub*.py``)
is one unit: the hubs they start make real Unix accounts and groups, so they run one after the
other on one worker. Units are handed out costliest first (the longest-processing-time rule), so
the long hub and browser files start at once and the many short files fill in around them.

The rule uses file names because the scheduler sees only test ids (the workers collect, not the
controller); ``check_hub_files`` keeps the names honest: a test marked ``hub`` outside a
``test_hub`` file stops the run.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from xdist.scheduler import LoadScopeScheduling

#: The one unit every hub test belongs to.
HUB_UNIT = "hub"
HUB_FILE_PREFIX = "test_hub"

#: Seconds each unit took in a serial run (``pytest --durations=0``, 2 cores, rounded): only
#: the order matters, so a unit left out counts as a short one (a few seconds) and a stale figure
#: costs a little time, never a result.
COST_S = {
    HUB_UNIT: 480,
    "tests/test_browser.py": 250,
    "tests/test_lite.py": 215,
    "tests/test_nbgrader_trainer.py": 80,
    "tests/test_book.py": 80,
    "tests/test_nbgrader_e2e.py": 70,
    "tests/test_nbgrader_notebooks.py": 60,
    "tests/test_lite_team.py": 45,
    "tests/test_cohort_status.py": 40,
    "tests/test_lite_build.py": 35,
    "tests/test_nbgrader_calibration.py": 30,
    "tests/test_nbgrader_reflect.py": 25,
    "tests/test_forked_kernels.py": 12,
    "tests/test_launch_buttons.py": 9,
    "tests/test_reports.py": 9,
    "tests/test_gate.py": 9,
    "tests/test_report_widths.py": 7,
}


def work_unit(nodeid: str) -> str:
    """The unit a test belongs to: :data:`HUB_UNIT` for a hub file, else its file."""
    path = nodeid.split("::", 1)[0]
    if PurePosixPath(path).name.startswith(HUB_FILE_PREFIX):
        return HUB_UNIT
    return path


class CourseScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with :func:`work_unit` as the scope, costliest unit first."""

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)

    def _assign_work_unit(self, node) -> None:
        costliest = max(self.workqueue, key=lambda unit: COST_S.get(unit, 1))
        self.workqueue.move_to_end(costliest, last=False)
        super()._assign_work_unit(node)


def check_hub_files(items: list[pytest.Item]) -> None:
    """Stop the run if a test marked ``hub`` is in a file the scheduler would not keep with
    the other hub tests."""
    stray = sorted(
        {
            item.nodeid.split("::", 1)[0]
            for item in items
            if item.get_closest_marker("hub") and work_unit(item.nodeid) != HUB_UNIT
        }
    )
    if stray:
        raise pytest.UsageError(
            f"tests marked hub must be in files named {HUB_FILE_PREFIX}*.py (they run one "
            f"after the other on one worker): {', '.join(stray)}"
        )
