"""Every broken record in tests/data/bad-records gives its own clear error and stays untouched."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from wholeschool import AuditRecord, RecordError, load_record, save_record
from wholeschool.cli import main

BAD = Path(__file__).parent / "data" / "bad-records"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def test_corpus_and_expectations_match():
    assert len(EXPECTED) >= 15
    assert sorted(p.name for p in BAD.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_names_file_and_field(name: str, tmp_path: Path):
    path = tmp_path / name
    shutil.copyfile(BAD / name, path)
    before = path.read_bytes()
    with pytest.raises(RecordError) as caught:
        load_record(path)
    error = caught.value
    assert error.field == EXPECTED[name]["field"]
    assert EXPECTED[name]["problem"] in error.problem
    assert str(error).startswith(f"{path}: ")
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_save_refuses_to_overwrite_a_bad_file(name: str, tmp_path: Path):
    path = tmp_path / name
    shutil.copyfile(BAD / name, path)
    before = path.read_bytes()
    record = AuditRecord(school="Oak", framework_version="1.0", date=dt.date(2026, 10, 1))
    with pytest.raises(RecordError, match="not saved: the existing file has a problem"):
        save_record(record, path)
    assert path.read_bytes() == before
    visible = sorted(p.name for p in tmp_path.iterdir() if p.name != ".locks")
    assert visible == [name], "no temporary file or version left behind"


def test_cli_reports_every_bad_file_and_fails(tmp_path: Path):
    copy = tmp_path / "records"
    shutil.copytree(BAD, copy)
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    result = CliRunner().invoke(main, ["validate", str(copy)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(line.startswith("FAIL  ") for line in lines), "one line per file, no forged ones"
    assert len(lines) == len(EXPECTED)
    assert "\x1b" not in result.stdout, "control characters never reach the terminal raw"
    for name, expected in EXPECTED.items():
        (line,) = [line for line in lines if f"{name}: " in line]
        assert expected["problem"] in line
    assert f"0 ok, {len(EXPECTED)} with problems" in result.stderr
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before
