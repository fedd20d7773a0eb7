"""The record store: round trips, atomic writes, refusing to overwrite, clear errors."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating, RecordError
from wholeschool.store import RecordFolder, load_record, save_record, scan_records


def make_record(**ratings: int) -> AuditRecord:
    return AuditRecord(
        school="Oak Hill Primary",
        framework_version=FRAMEWORK.version,
        date=dt.date(2026, 5, 1),
        ratings={k.replace("_", "."): IndicatorRating(rating=v) for k, v in ratings.items()},
    )


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_round_trip(tmp_path: Path):
    record = make_record(leadership_1=3, ethos_2=0)
    record.ratings["ethos.2"].note = "Started a staff working group."
    path = save_record(record, tmp_path / "audit.json", clock=CLOCK)
    assert load_record(path, AuditRecord, clock=CLOCK) == record
    assert json.loads(path.read_text())["kind"] == "audit"


def test_save_replaces_a_valid_record_and_leaves_no_temp_files(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(make_record(leadership_1=1), "audit.json")
    folder.save(make_record(leadership_1=2), "audit.json")
    assert folder.read("audit.json").rated() == {"leadership.1": 2}
    assert visible(tmp_path) == ["audit.json"]
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_save_that_changes_nothing_adds_no_version(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(make_record(leadership_1=1), "audit.json")
    folder.save(make_record(leadership_1=1), "audit.json")
    assert [v.number for v in folder.versions("audit.json")] == [1]


def test_failed_write_keeps_the_old_record(tmp_path: Path, monkeypatch):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(make_record(leadership_1=1), "audit.json")
    before = folder.file("audit.json").read_bytes()

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(RecordError, match="not saved: it could not be written \\(no space left"):
        folder.save(make_record(leadership_1=4), "audit.json")
    assert folder.file("audit.json").read_bytes() == before
    assert visible(tmp_path) == ["audit.json"]
    assert not list(tmp_path.rglob("*.tmp"))
    assert [v.number for v in folder.versions("audit.json")] == [1]


def test_invalid_record_is_not_saved(tmp_path: Path):
    record = make_record(leadership_1=9)
    with pytest.raises(RecordError, match=r'ratings\["leadership.1"\].rating: not saved: rating 9'):
        save_record(record, tmp_path / "audit.json", clock=CLOCK)
    assert not (tmp_path / "audit.json").exists()


def test_wrong_kind_is_reported_and_not_overwritten(tmp_path: Path):
    from wholeschool import PlanRecord

    path = save_record(make_record(), tmp_path / "audit.json", clock=CLOCK)
    with pytest.raises(RecordError, match="is a audit record, expected plan"):
        load_record(path, PlanRecord, clock=CLOCK)
    plan = PlanRecord(school="Oak", framework_version=FRAMEWORK.version, date=dt.date(2026, 5, 1))
    before = path.read_bytes()
    with pytest.raises(RecordError, match="the existing file is a audit record, not plan"):
        save_record(plan, path, clock=CLOCK)
    assert path.read_bytes() == before


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(RecordError, match="file not found"):
        load_record(tmp_path / "nope.json")
    with pytest.raises(RecordError, match="is a folder"):
        load_record(tmp_path)


def test_scan_keeps_good_and_bad_side_by_side(tmp_path: Path):
    save_record(make_record(leadership_1=2), tmp_path / "a.json", clock=CLOCK)
    (tmp_path / "b.json").write_text("{", encoding="utf-8")
    results = scan_records([tmp_path], clock=CLOCK)
    assert [(r.path.name, r.record is not None, r.error is not None) for r in results] == [
        ("a.json", True, False),
        ("b.json", False, True),
    ]


def test_a_date_in_the_future_is_refused_by_the_clock(tmp_path: Path):
    record = make_record(leadership_1=2).model_copy(update={"date": dt.date(2026, 6, 3)})
    with pytest.raises(RecordError, match=r"date: not saved: 2026-06-03 is in the future"):
        save_record(record, tmp_path / "audit.json", clock=CLOCK)
    assert not (tmp_path / "audit.json").exists()


def test_history_off_keeps_no_versions(tmp_path: Path):
    folder = RecordFolder(tmp_path, history=False, clock=CLOCK)
    folder.save(make_record(leadership_1=2), "audit.json")
    assert folder.versions("audit.json") == []
    assert not (tmp_path / ".history").exists()


def test_an_export_write_removes_temporary_files_a_killed_write_left_long_ago(tmp_path: Path):
    from wholeschool.store.atomic import STALE_AFTER, write_atomic

    old = tmp_path / ".action-plan.csv.abc.tmp"
    recent = tmp_path / ".action-plan.csv.def.tmp"  # perhaps another export under way now
    for leftover in (old, recent):
        leftover.write_bytes(b"half")
    long_ago = recent.stat().st_mtime - STALE_AFTER - 60  # by the file system's own clock
    os.utime(old, (long_ago, long_ago))
    write_atomic(tmp_path / "action-plan.csv", "a,b\n")
    assert not old.exists() and recent.exists()
    assert (tmp_path / "action-plan.csv").read_text() == "a,b\n"


def test_in_the_browser_a_save_needs_no_lock_file(tmp_path: Path, monkeypatch):
    """The browser's Python has no file locks (filelock would warn and use lock files)."""
    import sys
    import warnings

    monkeypatch.setattr(sys, "platform", "emscripten")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RecordFolder(tmp_path, clock=CLOCK).save(make_record(leadership_1=2), "audit.json")
    assert not (tmp_path / ".locks").exists()
    assert RecordFolder(tmp_path, clock=CLOCK).read("audit.json").rated() == {"leadership.1": 2}


def test_a_folder_not_made_yet_holds_no_records(tmp_path: Path):
    assert RecordFolder(tmp_path / "not-yet", clock=CLOCK).scan() == []
