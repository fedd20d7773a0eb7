"""Records round-trip through save and load; writes are atomic; corruption is always caught."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from helpers import corrupt, load_corrupted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating, RecordError
from wholeschool.storage import load_record, save_record, scan_records

INDICATORS = sorted(FRAMEWORK.indicator_by_id)


def make_record(**ratings: int) -> AuditRecord:
    return AuditRecord(
        school="Oak Hill Primary",
        framework_version=FRAMEWORK.version,
        date=dt.date(2026, 10, 1),
        ratings={k.replace("_", "."): IndicatorRating(rating=v) for k, v in ratings.items()},
    )


def test_round_trip(tmp_path: Path):
    record = make_record(leadership_1=3, ethos_2=0)
    record.ratings["ethos.2"].note = "Started a staff working group."
    path = save_record(record, tmp_path / "audit.json")
    assert load_record(path, AuditRecord) == record
    assert json.loads(path.read_text())["kind"] == "audit"


def test_save_replaces_a_valid_record_and_leaves_no_temp_files(tmp_path: Path):
    path = tmp_path / "audit.json"
    save_record(make_record(leadership_1=1), path)
    save_record(make_record(leadership_1=2), path)
    assert load_record(path).rated() == {"leadership.1": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]


def test_failed_write_keeps_the_old_record(tmp_path: Path, monkeypatch):
    path = tmp_path / "audit.json"
    save_record(make_record(leadership_1=1), path)
    before = path.read_bytes()

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_record(make_record(leadership_1=4), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]


def test_invalid_record_is_not_saved(tmp_path: Path):
    record = make_record(leadership_1=9)
    with pytest.raises(RecordError, match=r'ratings\["leadership.1"\].rating: not saved: rating 9'):
        save_record(record, tmp_path / "audit.json")
    assert not (tmp_path / "audit.json").exists()


def test_wrong_kind_is_reported(tmp_path: Path):
    class Other(AuditRecord):
        kind_name = "plan"

    path = save_record(make_record(), tmp_path / "audit.json")
    with pytest.raises(RecordError, match="is a audit record, expected plan"):
        load_record(path, Other)


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(RecordError, match="file not found"):
        load_record(tmp_path / "nope.json")
    with pytest.raises(RecordError, match="is a folder"):
        load_record(tmp_path)


def test_scan_keeps_good_and_bad_side_by_side(tmp_path: Path):
    save_record(make_record(leadership_1=2), tmp_path / "a.json")
    (tmp_path / "b.json").write_text("{", encoding="utf-8")
    results = scan_records([tmp_path])
    assert [(r.path.name, r.record is not None, r.error is not None) for r in results] == [
        ("a.json", True, False),
        ("b.json", False, True),
    ]


ratings = st.dictionaries(
    st.sampled_from(INDICATORS),
    st.builds(
        IndicatorRating,
        rating=st.one_of(st.none(), st.integers(0, FRAMEWORK.max_rating)),
        note=st.text(max_size=200),
    ),
)
records = st.builds(
    AuditRecord,
    school=st.text(min_size=1, max_size=80).map(str.strip).filter(bool),
    framework_version=st.just(FRAMEWORK.version),
    date=st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
    ratings=ratings,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=records)
def test_property_round_trip(tmp_path: Path, record: AuditRecord):
    path = save_record(record, tmp_path / "audit.json")
    assert load_record(path) == record


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=records, data=st.data())
def test_property_corruption_is_caught_and_file_kept(tmp_path: Path, record: AuditRecord, data):
    raw = corrupt(record.model_dump_json(indent=2) + "\n", data)
    loaded = load_corrupted(tmp_path / "audit.json", raw)
    if loaded is not None:
        # Some changes leave a valid record (a letter of a note, say): then it must still be valid.
        assert loaded.model_dump() == AuditRecord.model_validate(loaded.model_dump()).model_dump()
