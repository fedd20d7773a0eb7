"""pytest plugin: every test run keeps records in a throwaway folder, never the lead's own.

Loaded with ``-p isolated_records`` from the pytest options, so it applies to any selection of
tests or notebooks (``pytest course/action-plan.md`` included), not only runs that load
``tests/conftest.py``. nbval's notebook kernels inherit this process's environment, so they see
the same folder, seeded with the fixture records in ``tests/data/records``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

FIXTURE_RECORDS = Path(__file__).parent / "data" / "records"


def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="wholeschool-test-records-"))
    shutil.copytree(FIXTURE_RECORDS, folder, dirs_exist_ok=True)
    os.environ["WHOLESCHOOL_RECORDS"] = str(folder)
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
