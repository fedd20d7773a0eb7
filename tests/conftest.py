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
