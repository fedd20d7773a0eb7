"""Shared fixtures: the real built book."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import BUILD, build_book


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book once per test session (reusing the execution cache) and return its HTML."""
    result = build_book()
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr}"
    return BUILD / "html"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep together, on one pytest-xdist worker (``-n auto --dist loadgroup``), what shares
    one costly or exclusive thing: every hub test (one hub and its real Unix accounts), every
    test of the built book (one build), and otherwise each test file (its module fixtures,
    such as an nbgrader course graded once, are made once)."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.get_closest_marker("hub"):
            group = "hub"
        elif "built_book" in getattr(item, "fixturenames", ()):
            group = "book"
        else:
            group = item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))
