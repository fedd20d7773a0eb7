"""Shared fixtures (the real built book) and how the suite is spread over worker processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from filelock import FileLock
from helpers import BUILD, build_book
from hypothesis import settings
from work_units import CourseScheduling, check_hub_files

# No property test is about speed: without a per-example deadline (Hypothesis' default is
# 200 ms), a busy machine (the suite's other workers, browsers, hubs) cannot fail one.
settings.register_profile("course", deadline=None)
settings.load_profile("course")


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book once per test run (reusing the execution cache) and return its HTML.

    Under pytest-xdist each worker asks for it: the first builds it while the others wait on a
    lock, then they find this run's mark and use the same build."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
    BUILD.mkdir(parents=True, exist_ok=True)
    mark = BUILD / ".built-by-test-run"
    with FileLock(BUILD / ".book-build.lock"):
        if not (mark.is_file() and mark.read_text() == run):
            mark.unlink(missing_ok=True)
            result = build_book()
            assert result.returncode == 0, (
                f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr}"
            )
            mark.write_text(run)
    return BUILD / "html"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    check_hub_files(items)


def pytest_xdist_make_scheduler(config: pytest.Config, log) -> CourseScheduling:
    """Hub tests together on one worker, costliest units first (see ``work_units``)."""
    return CourseScheduling(config, log)
