"""The wholeschool command line."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from helpers import BIN
from wholeschool import FRAMEWORK, AuditRecord, save_record


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script for real."""
    return subprocess.run(
        [str(BIN / "wholeschool"), *args], capture_output=True, text=True, timeout=60
    )


def test_help_lists_commands():
    result = run("--help")
    assert result.returncode == 0
    assert "validate" in result.stdout and "framework" in result.stdout


def test_validate_ok_and_bad(tmp_path: Path):
    good = save_record(
        AuditRecord(school="Oak", framework_version=FRAMEWORK.version, date=dt.date(2026, 9, 1)),
        tmp_path / "good.json",
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "audit"', encoding="utf-8")
    result = run("validate", str(good))
    assert result.returncode == 0
    assert result.stdout == f"ok    {good} (audit, Oak, 2026-09-01)\n"
    result = run("validate", str(good), str(bad))
    assert result.returncode == 1
    assert f"FAIL  {bad}: is not valid JSON (line 1, column 17" in result.stdout
    assert "1 ok, 1 with problems" in result.stderr


def test_validate_missing_path_is_a_usage_error(tmp_path: Path):
    result = run("validate", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_framework_lists_every_indicator():
    result = run("framework")
    assert result.returncode == 0
    for indicator_id in FRAMEWORK.indicator_by_id:
        assert indicator_id in result.stdout
