"""Records made with framework 1.0 still load, show and carry into plans, logs and reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, EvidenceLog, PlanRecord, RecordError
from wholeschool.core.migration import load_migrations
from wholeschool.store import RecordFolder

RECORDS = Path(__file__).parent / "data" / "records"
STEP = load_migrations()["1.0"]
GATE = FRAMEWORK.gate


def old_audit(**ratings: int) -> dict:
    return {
        "kind": "audit",
        "schema_version": 1,
        "school": "Oak",
        "framework_version": "1.0",
        "date": "2026-05-01",
        "ratings": {k: {"rating": v, "note": f"old {k}"} for k, v in ratings.items()},
    }


def write(folder: Path, name: str, data: dict) -> Path:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_mapping_covers_every_old_indicator_and_only_current_ones():
    assert len(STEP.indicators) == 38
    current = set(FRAMEWORK.indicator_by_id)
    targets = [new for news in STEP.indicators.values() for new in news]
    assert set(targets) <= current
    assert sorted(targets) == sorted(set(targets)), "each 2.0 indicator takes one old rating"
    for old, news in STEP.indicators.items():
        assert not news or news[0] == old, "the part that keeps the old id comes first"
    assert (
        STEP.gate.indicator == "targeted-support.3" and STEP.indicators["targeted-support.3"] == ()
    )


def test_a_split_indicator_copies_its_rating_and_note_to_each_part(tmp_path: Path):
    old = next(k for k, v in STEP.indicators.items() if len(v) > 1)
    write(tmp_path, "audit.json", old_audit(**{old: 1}))
    record = RecordFolder(tmp_path, clock=CLOCK).read("audit.json", AuditRecord)
    assert record.framework_version == FRAMEWORK.version
    for new in STEP.indicators[old]:
        assert (record.ratings[new].rating, record.ratings[new].note) == (1, f"old {old}")


@pytest.mark.parametrize(("rating", "answer"), sorted(STEP.gate.answers.items()))
def test_the_old_safeguarding_indicator_becomes_the_gate_answer(tmp_path: Path, rating, answer):
    write(tmp_path, "audit.json", old_audit(**{"targeted-support.3": rating}))
    record = RecordFolder(tmp_path, clock=CLOCK).read("audit.json", AuditRecord)
    assert record.gate == answer
    assert "targeted-support.3" not in record.ratings
    assert GATE.escalates(record.gate) == (answer != GATE.in_place)


def test_plan_actions_pins_and_evidence_move_with_their_indicator(tmp_path: Path):
    plan = json.loads((RECORDS / "plan.json").read_text())
    plan["actions"][0]["indicator"] = "targeted-support.3"
    plan["actions"][1]["indicator"] = "leadership.1"
    plan["pinned"] = ["targeted-support.3", "ethos.3"]
    plan["dropped"] = ["leadership.5"]
    write(tmp_path, "plan.json", plan)
    evidence = {
        "kind": "evidence",
        "schema_version": 1,
        "school": "Oak",
        "framework_version": "1.0",
        "date": "2026-05-01",
        "entries": {
            "targeted-support.3": [
                {"description": "Safeguarding briefing", "date": "2026-04-01", "link": "S:/sg.docx"}
            ],
            "ethos.3": [{"description": "Quiet room", "date": "2026-04-02", "link": "S:/q.docx"}],
        },
    }
    write(tmp_path, "evidence.json", evidence)
    folder = RecordFolder(tmp_path, clock=CLOCK)
    moved = folder.read("plan.json", PlanRecord)
    assert [a.indicator for a in moved.actions[:2]] == [GATE.id, "leadership.1"]
    assert moved.pinned == ["ethos.3"]  # the gate is never pinned: it is always first anyway
    assert moved.dropped == ["leadership.5"]
    log = folder.read("evidence.json", EvidenceLog)
    assert list(log.entries) == [GATE.id, "ethos.3"]


def test_an_unknown_old_indicator_is_named_with_its_field(tmp_path: Path):
    write(tmp_path, "audit.json", old_audit(**{"ethos.9": 2}))
    with pytest.raises(RecordError) as caught:
        RecordFolder(tmp_path, clock=CLOCK).read("audit.json")
    assert caught.value.field == 'ratings["ethos.9"]'
    assert "unknown indicator 'ethos.9' for framework 1.0" in caught.value.problem


def test_saving_a_migrated_record_writes_the_new_version_and_keeps_the_old_in_history(
    tmp_path: Path,
):
    original = write(tmp_path, "audit.json", old_audit(**{"leadership.1": 2})).read_bytes()
    folder = RecordFolder(tmp_path, clock=CLOCK)
    record = folder.read("audit.json", AuditRecord)
    folder.save(record.model_copy(update={"school": "Oak Hill"}), "audit.json")
    assert (
        json.loads(folder.file("audit.json").read_text())["framework_version"] == FRAMEWORK.version
    )
    first, second = folder.versions("audit.json")
    assert first.path.read_bytes() == original  # the 1.0 record, exactly as it was
    assert folder.read_version(second).school == "Oak Hill"


def test_the_shared_fixture_records_made_with_1_0_still_make_a_report():
    from wholeschool.reports.governors import build_report

    report = build_report(RecordFolder(RECORDS, clock=CLOCK))
    assert report.records.problems == []
    assert report.records.audit.framework_version == FRAMEWORK.version


def test_the_changes_page_lists_exactly_the_splits_in_the_migration_data():
    """The book's changelog table is prose around ids: its ids must match the data."""
    import re

    page = (Path(__file__).parents[1] / "course" / "changes.md").read_text(encoding="utf-8")
    section = page.split("### Indicators that were split", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| **")]
    by_number = {str(p.number): p.id for p in FRAMEWORK.principles}

    def ids(cell: str) -> list[str]:
        """The indicators a cell names by number (**1.6**: principle 1's sixth indicator)."""
        return [f"{by_number[p]}.{i}" for p, i in re.findall(r"\*\*(\d+)\.(\d+)\*\*", cell)]

    on_page = {}
    for row in rows:
        old, new = row.strip("|").split("|")[:2]
        on_page[ids(old)[0]] = ids(new)
    splits = {old: list(new) for old, new in STEP.indicators.items() if len(new) > 1}
    assert on_page == splits
