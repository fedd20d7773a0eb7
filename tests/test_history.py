"""Every saved version is kept, any can be restored, and two dates can be compared."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating, RecordError
from wholeschool.history import (
    diff_dates,
    diff_records,
    history_folder,
    keep_version,
    list_versions,
    record_version,
    restore_version,
    save_with_history,
    version_at,
)
from wholeschool.storage import load_record, save_record, scan_records

INDICATORS = sorted(FRAMEWORK.indicator_by_id)
UTC = dt.timezone.utc


def audit(step: int) -> AuditRecord:
    """A different record for every step: ratings spread over the indicators."""
    return AuditRecord(
        school="Oak Hill Primary",
        framework_version=FRAMEWORK.version,
        date=dt.date(2026, 10, 1),
        ratings={
            INDICATORS[step % len(INDICATORS)]: IndicatorRating(
                rating=step % 5, note=f"save {step}"
            )
        },
    )


def test_a_hundred_saves_keep_a_hundred_versions_and_any_can_be_restored(tmp_path: Path):
    path = tmp_path / "audit.json"
    for step in range(100):
        save_with_history(audit(step), path)
    versions = list_versions(path)
    assert [v.number for v in versions] == list(range(1, 101))
    for step, version in enumerate(versions):
        assert version.read() == audit(step)
    for wanted in (1, 37, 99):
        new = restore_version(path, wanted)
        assert load_record(path) == audit(wanted - 1)
        assert new.read() == audit(wanted - 1)
    # restoring only ever adds: three restores on top of the hundred versions
    assert len(list_versions(path)) == 103
    assert all(v.read() == audit(i) for i, v in enumerate(list_versions(path)[:100]))


def test_an_unchanged_save_adds_no_version(tmp_path: Path):
    path = tmp_path / "audit.json"
    save_with_history(audit(1), path)
    save_with_history(audit(1), path)
    assert len(list_versions(path)) == 1
    record_version(path, force=True)
    assert len(list_versions(path)) == 2


def test_history_sits_in_a_dot_folder_beside_the_record(tmp_path: Path):
    path = tmp_path / "audit.json"
    save_with_history(audit(1), path)
    save_with_history(audit(2), path)
    (version,) = list_versions(path)[:1]
    assert version.path.parent == tmp_path / ".history" / "audit"
    assert json.loads(version.path.read_text())["kind"] == "audit"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".history", "audit.json"]


def test_diff_between_two_dates(tmp_path: Path):
    path = tmp_path / "audit.json"
    first = audit(0)
    second = first.model_copy(deep=True)
    second.ratings["leadership.1"] = IndicatorRating(rating=3, note="new lead in post")
    save_record(first, path)
    record_version(path, now=dt.datetime(2026, 9, 20, 10, tzinfo=UTC))
    save_record(second, path)
    record_version(path, now=dt.datetime(2026, 12, 5, 16, tzinfo=UTC))
    assert version_at(path, dt.date(2026, 9, 1)) is None
    assert version_at(path, dt.date(2026, 9, 20)).number == 1
    assert version_at(path, dt.date(2027, 1, 1)).number == 2
    changes = diff_dates(path, dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert changes.to_dict("records") == [
        {"field": 'ratings["leadership.1"].note', "before": None, "after": "new lead in post"},
        {"field": 'ratings["leadership.1"].rating', "before": None, "after": 3},
    ]
    assert diff_dates(path, dt.date(2026, 10, 1), dt.date(2026, 11, 1)).empty
    # before the first version the record did not exist: everything is new
    created = diff_dates(path, dt.date(2026, 1, 1), dt.date(2026, 10, 1))
    assert set(created["field"]) >= {"school", "date", "kind"}
    assert created["before"].isna().all()


def test_diff_records_lists_only_changes():
    before, after = audit(3), audit(3)
    assert diff_records(before, after).empty
    after.school = "Oak Hill Primary School"
    assert diff_records(before, after).to_dict("records") == [
        {"field": "school", "before": "Oak Hill Primary", "after": "Oak Hill Primary School"}
    ]


def test_restoring_over_a_broken_record_refuses_and_keeps_both(tmp_path: Path):
    path = tmp_path / "audit.json"
    save_with_history(audit(1), path)
    path.write_text('{"kind": "audit", "school": ', encoding="utf-8")  # hand-edit gone wrong
    broken = path.read_bytes()
    with pytest.raises(RecordError, match="not saved"):
        restore_version(path, 1)
    assert path.read_bytes() == broken
    assert len(list_versions(path)) == 1


def test_unknown_version_names_the_history_folder(tmp_path: Path):
    path = tmp_path / "audit.json"
    save_with_history(audit(1), path)
    with pytest.raises(RecordError) as caught:
        restore_version(path, 7)
    assert caught.value.field == "version"
    assert ".history" in caught.value.path


def test_a_corrupt_version_is_reported_by_its_own_file_name(tmp_path: Path):
    path = tmp_path / "audit.json"
    save_with_history(audit(1), path)
    (version,) = list_versions(path)
    version.path.write_text("{}", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        restore_version(path, 1)
    assert caught.value.path == str(version.path)
    assert load_record(path) == audit(1)


def test_version_numbers_never_collide(tmp_path: Path):
    path = tmp_path / "audit.json"
    when = dt.datetime(2026, 11, 1, 9, tzinfo=UTC)
    for step in range(3):
        save_record(audit(step), path)
        record_version(path, now=when)  # same instant every time
    assert [v.number for v in list_versions(path)] == [1, 2, 3]
    assert len({v.path for v in list_versions(path)}) == 3


def test_keep_version_only_where_history_is_kept(tmp_path: Path, monkeypatch):
    scratch, records, started = tmp_path / "scratch", tmp_path / "records", tmp_path / "started"
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(records))
    for folder in (scratch, records, started):
        save_record(audit(1), folder / "audit.json")
    (started / ".history").mkdir()
    assert keep_version(scratch / "audit.json") is None
    assert sorted(p.name for p in scratch.iterdir()) == ["audit.json"]  # left exactly as it was
    assert keep_version(records / "audit.json").number == 1  # the lead's records folder
    assert keep_version(started / "audit.json").number == 1  # a folder that keeps history


def test_a_history_that_cannot_be_written_warns_but_the_save_succeeds(tmp_path: Path):
    path = tmp_path / "audit.json"
    save_with_history(audit(1), path)
    shutil.rmtree(history_folder(path))
    history_folder(path).write_text("not a folder", encoding="utf-8")  # history broken by hand
    with pytest.warns(UserWarning, match="could not be added to its history"):
        save_record(audit(2), path)
    assert load_record(path) == audit(2)
    assert history_folder(path).read_text(encoding="utf-8") == "not a folder"  # left alone


def test_every_save_in_the_records_folder_keeps_a_version(tmp_path: Path, monkeypatch):
    """storage.save_record itself keeps history where the lead's records live."""
    monkeypatch.setenv("WHOLESCHOOL_RECORDS", str(tmp_path))
    path = tmp_path / "audit.json"
    for step in range(5):
        save_record(audit(step), path)
    assert [v.read() for v in list_versions(path)] == [audit(step) for step in range(5)]


def test_saves_elsewhere_leave_the_folder_as_it_was(tmp_path: Path):
    path = tmp_path / "elsewhere" / "audit.json"
    save_record(audit(1), path)
    save_record(audit(2), path)
    assert [p.name for p in path.parent.iterdir()] == ["audit.json"]


def test_record_scans_skip_history(tmp_path: Path):
    path = tmp_path / "audit.json"
    for step in range(3):
        save_with_history(audit(step), path)
    assert [loaded.path for loaded in scan_records([tmp_path])] == [path]
