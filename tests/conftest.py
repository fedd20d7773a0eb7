"""Shared fixtures: the real built book."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import BUILD, build_book

# Everything this session runs, nbval's notebook kernels included (they inherit this process's
# environment), keeps records in a throwaway folder seeded with the fixture records, never in
# the lead's own ~/wholeschool-records.
_RECORDS = Path(tempfile.mkdtemp(prefix="wholeschool-test-records-"))
shutil.copytree(Path(__file__).parent / "data" / "records", _RECORDS, dirs_exist_ok=True)
os.environ["WHOLESCHOOL_RECORDS"] = str(_RECORDS)
atexit.register(shutil.rmtree, _RECORDS, True)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book once per test session (reusing the execution cache) and return its HTML."""
    result = build_book()
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr}"
    return BUILD / "html"
