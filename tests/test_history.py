"""Every saved version is kept, any can be restored, two dates can be compared, and no crash
or second writer can leave a record without its version or two versions with one number."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating, RecordError
from wholeschool.core.clock import fixed_clock
from wholeschool.core.diff import FieldChange, diff_records
from wholeschool.store import RecordFolder, scan_records
from wholeschool.store.history import history_folder, list_versions, version_at

INDICATORS = sorted(FRAMEWORK.indicator_by_id)
UTC = dt.timezone.utc


def audit(step: int) -> AuditRecord:
    """A different record for every step: ratings spread over the indicators."""
    return AuditRecord(
        school="Oak Hill Primary",
        framework_version=FRAMEWORK.version,
        date=dt.date(2026, 5, 1),
        ratings={
            INDICATORS[step % len(INDICATORS)]: IndicatorRating(
                rating=step % 5, note=f"save {step}"
            )
        },
    )


def test_a_hundred_saves_keep_a_hundred_versions_and_any_can_be_restored(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    for step in range(100):
        folder.save(audit(step), "audit.json")
    versions = folder.versions("audit.json")
    assert [v.number for v in versions] == list(range(1, 101))
    for step, version in enumerate(versions):
        assert folder.read_version(version) == audit(step)
    for wanted in (1, 37, 99):
        new = folder.restore("audit.json", wanted)
        assert folder.read("audit.json") == audit(wanted - 1)
        assert folder.read_version(new) == audit(wanted - 1)
    # restoring only ever adds: three restores on top of the hundred versions
    assert len(folder.versions("audit.json")) == 103
    assert all(
        folder.read_version(v) == audit(i)
        for i, v in enumerate(folder.versions("audit.json")[:100])
    )


def test_history_sits_in_a_dot_folder_beside_the_record(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    folder.save(audit(2), "audit.json")
    version = folder.versions("audit.json")[0]
    assert version.path.parent == tmp_path / ".history" / "audit"
    assert json.loads(version.path.read_text())["kind"] == "audit"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".history", ".locks", "audit.json"]


def test_versions_are_stamped_by_the_clock_and_compared_by_date(tmp_path: Path):
    first = audit(0)
    second = first.model_copy(deep=True)
    second.ratings["leadership.1"] = IndicatorRating(rating=3, note="new lead in post")
    RecordFolder(tmp_path, clock=fixed_clock(dt.datetime(2026, 9, 20, 10, tzinfo=UTC))).save(
        first, "audit.json"
    )
    folder = RecordFolder(tmp_path, clock=fixed_clock(dt.datetime(2026, 12, 5, 16, tzinfo=UTC)))
    folder.save(second, "audit.json")
    path = folder.file("audit.json")
    assert version_at(path, dt.date(2026, 9, 1)) is None
    assert version_at(path, dt.date(2026, 9, 20)).number == 1
    assert version_at(path, dt.date(2027, 1, 1)).number == 2
    assert folder.diff("audit.json", dt.date(2026, 10, 1), dt.date(2026, 12, 31)) == [
        FieldChange('ratings["leadership.1"].note', None, "new lead in post"),
        FieldChange('ratings["leadership.1"].rating', None, 3),
    ]
    assert folder.diff("audit.json", dt.date(2026, 10, 1), dt.date(2026, 11, 1)) == []
    # before the first version the record did not exist: everything is new
    created = folder.diff("audit.json", dt.date(2026, 1, 1), dt.date(2026, 10, 1))
    assert {c.field for c in created} >= {"school", "date", "kind"}
    assert all(c.before is None for c in created)


def test_diff_records_lists_only_changes():
    before, after = audit(3), audit(3)
    assert diff_records(before, after) == []
    after.school = "Oak Hill Primary School"
    assert diff_records(before, after) == [
        FieldChange("school", "Oak Hill Primary", "Oak Hill Primary School")
    ]


def test_restoring_over_a_broken_record_refuses_and_keeps_both(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    path = folder.file("audit.json")
    path.write_text('{"kind": "audit", "school": ', encoding="utf-8")  # hand-edit gone wrong
    broken = path.read_bytes()
    with pytest.raises(RecordError, match="not saved"):
        folder.restore("audit.json", 1)
    assert path.read_bytes() == broken
    assert len(folder.versions("audit.json")) == 1


def test_unknown_version_is_a_clear_error(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    with pytest.raises(RecordError) as caught:
        folder.restore("audit.json", 7)
    assert caught.value.field == "version"
    assert "there is no version 7" in caught.value.problem


def test_a_corrupt_version_is_reported_by_its_own_file_name(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    (version,) = folder.versions("audit.json")
    version.path.write_text("{}", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        folder.restore("audit.json", 1)
    assert caught.value.path == str(version.path)
    assert folder.read("audit.json") == audit(1)


def test_version_numbers_never_collide_at_one_instant(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=fixed_clock(dt.datetime(2026, 5, 1, 9, tzinfo=UTC)))
    for step in range(3):
        folder.save(audit(step), "audit.json")  # same instant every time
    assert [v.number for v in folder.versions("audit.json")] == [1, 2, 3]
    assert len({v.path for v in folder.versions("audit.json")}) == 3


def test_a_history_that_cannot_be_written_stops_the_save_and_changes_nothing(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    path = folder.file("audit.json")
    before = path.read_bytes()
    history = history_folder(path)
    for version in history.iterdir():
        version.unlink()
    history.rmdir()
    history.write_text("not a folder", encoding="utf-8")  # history broken by hand
    with pytest.raises(RecordError, match="not saved: it could not be written"):
        folder.save(audit(2), "audit.json")
    assert path.read_bytes() == before  # a saved record never lacks its version
    assert history.read_text(encoding="utf-8") == "not a folder"  # left alone
    assert not list(tmp_path.glob(".audit.json.*.tmp"))


def test_a_record_without_its_version_gets_one_on_the_next_save(tmp_path: Path):
    """A record written before history existed, by hand, or by a crash between the record and
    its version is recovered: its content becomes a version before it is replaced."""
    folder = RecordFolder(tmp_path, clock=CLOCK)
    RecordFolder(tmp_path, history=False, clock=CLOCK).save(audit(1), "audit.json")
    assert folder.versions("audit.json") == []
    folder.save(audit(2), "audit.json")
    assert [folder.read_version(v) for v in folder.versions("audit.json")] == [audit(1), audit(2)]


def test_editing_a_record_in_place_never_changes_its_versions(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    (version,) = folder.versions("audit.json")
    kept = version.path.read_bytes()
    with open(folder.file("audit.json"), "r+b") as handle:  # an editor saving in place
        handle.write(b"{}")
    assert version.path.read_bytes() == kept


def test_temporary_files_left_by_a_killed_save_are_removed_by_the_next(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    left = tmp_path / ".audit.json.abc123.tmp"
    left.write_text('{"half": ', encoding="utf-8")
    half_version = tmp_path / ".history" / "audit" / ".version.abc123.tmp"
    half_version.write_text('{"half": ', encoding="utf-8")
    other = tmp_path / ".plan.json.abc123.tmp"  # another record's: not this save's to remove
    other.write_text("{", encoding="utf-8")
    folder.save(audit(2), "audit.json")
    assert not left.exists()
    assert not half_version.exists()
    assert other.exists()


def test_record_scans_skip_history_and_locks(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    for step in range(3):
        folder.save(audit(step), "audit.json")
    assert [loaded.path for loaded in scan_records([tmp_path], clock=CLOCK)] == [
        tmp_path / "audit.json"
    ]
    assert list_versions(tmp_path / "audit.json")[-1].number == 3


def test_versions_are_kept_where_the_file_system_has_no_hard_links(tmp_path: Path, monkeypatch):
    """The browser's Python has no os.link: a version is placed by a checked rename instead."""
    import os

    monkeypatch.delattr(os, "link")
    folder = RecordFolder(tmp_path, clock=CLOCK)
    for step in range(3):
        folder.save(audit(step), "audit.json")
    assert [folder.read_version(v) for v in folder.versions("audit.json")] == [
        audit(s) for s in range(3)
    ]
    assert not list(tmp_path.rglob("*.tmp"))
