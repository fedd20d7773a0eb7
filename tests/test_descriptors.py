"""Framework 2.1: every indicator says what each level looks like for it, and 2.0 records carry
on (ratings kept, reworded indicators flagged for a second look, new indicators unrated)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, FrameworkError, PlanRecord, load_framework
from wholeschool.core.framework import FRAMEWORK_FILE
from wholeschool.core.migration import load_migrations, to_review
from wholeschool.store import RecordFolder

STEP = load_migrations()["2.0"]
NEW = ["leadership.9", "ethos.9", "student-voice.7", "targeted-support.7", "targeted-support.8"]
REWORDED = [
    "ethos.2",
    "ethos.6",
    "ethos.8",
    "identifying-need.5",
    "targeted-support.5",
    "staff-development.1",
    "staff-development.4",
    "parents-carers.3",
    "parents-carers.6",
]


def test_every_indicator_describes_each_level_from_emerging_to_embedded():
    assert FRAMEWORK.version == "2.1"
    for indicator in FRAMEWORK.indicator_by_id.values():
        assert sorted(indicator.levels) == [1, 2, 3, 4], indicator.id
        sentences = list(indicator.levels.values())
        assert len(set(sentences)) == 4, f"{indicator.id}: two levels read the same"
        assert all(s.endswith(".") and len(s) <= 160 for s in sentences), indicator.id


def test_choices_show_the_indicators_own_descriptor_with_the_generic_scale_as_fallback():
    choices = FRAMEWORK.level_choices("targeted-support.7")
    assert [value for _, value in choices] == [0, 1, 2, 3, 4]
    assert choices[0][0] == f"Not started: {FRAMEWORK.scale[0].descriptor}"
    assert choices[1][0].startswith("Emerging: There is no written protocol")
    assert FRAMEWORK.descriptor("ethos.3", 4) == FRAMEWORK.indicator_by_id["ethos.3"].levels[4]


def test_without_own_levels_the_generic_scale_is_used(tmp_path: Path):
    data = yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    del data["principles"][0]["indicators"][0]["levels"]
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    framework = load_framework(path)
    assert framework.level_choices("leadership.1")[2] == (
        f"Developing: {framework.scale[2].descriptor}",
        2,
    )


@pytest.mark.parametrize(
    ("levels", "problem"),
    [
        ({1: "One level only, said plainly."}, "levels must describe [1, 2, 3, 4]"),
        ({1: "x" * 170, 2: "Fine.........", 3: "Fine..........", 4: "Fine..........."}, "160"),
    ],
)
def test_malformed_levels_are_refused_naming_the_file(tmp_path: Path, levels, problem):
    data = yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    data["principles"][1]["indicators"][0]["levels"] = levels
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    assert problem in caught.value.problem and str(caught.value).startswith(str(path))


def test_new_indicators_come_at_the_end_of_their_principles_and_no_id_is_reused():
    for key in NEW:
        principle = FRAMEWORK.principle(key.split(".")[0])
        ids = [i.id for i in principle.indicators]
        older = [int(i.split(".")[1]) for i in ids if i in STEP.indicators]
        assert key in ids and int(key.split(".")[1]) > max(older)
        assert ids.index(key) > max(ids.index(i) for i in ids if i in STEP.indicators)
    assert "targeted-support.3" not in FRAMEWORK.indicator_by_id  # retired in 2.0, never reused
    assert len(FRAMEWORK.indicator_by_id) == 55 + len(NEW)


def test_the_step_keeps_every_2_0_id_and_flags_the_reworded_ones():
    assert len(STEP.indicators) == 55
    assert all(news == (old,) for old, news in STEP.indicators.items())
    assert not set(NEW) & set(STEP.indicators)
    assert sorted(STEP.review) == sorted(REWORDED)
    assert set(to_review("2.0", FRAMEWORK)) == set(REWORDED)
    assert to_review("2.1", FRAMEWORK) == ()


def _audit_2_0() -> dict:
    return {
        "kind": "audit",
        "schema_version": 1,
        "school": "Oak",
        "framework_version": "2.0",
        "date": "2026-05-01",
        "ratings": {
            "ethos.8": {"rating": 2, "note": "assemblies only"},
            "targeted-support.6": {"rating": 3, "note": ""},
        },
        "gate": "partly",
    }


def test_a_2_0_audit_loads_keeps_ratings_and_gate_and_leaves_new_indicators_unrated(
    tmp_path: Path,
):
    (tmp_path / "audit.json").write_text(json.dumps(_audit_2_0()), encoding="utf-8")
    record = RecordFolder(tmp_path, clock=CLOCK).read("audit.json", AuditRecord)
    assert record.framework_version == "2.1"
    assert record.rated() == {"ethos.8": 2, "targeted-support.6": 3}
    assert record.ratings["ethos.8"].note == "assemblies only"
    assert record.gate == "partly"


def test_a_2_0_plan_with_an_escalated_gate_action_carries_on(tmp_path: Path):
    plan = {
        "kind": "plan",
        "schema_version": 1,
        "school": "Oak",
        "framework_version": "2.0",
        "date": "2026-05-01",
        "pinned": ["ethos.2"],
        "actions": [
            {
                "indicator": FRAMEWORK.gate.id,
                "what": "Brief every adult on the one route.",
                "start": "2026-05-01",
                "due": "2026-05-08",
            }
        ],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    record = RecordFolder(tmp_path, clock=CLOCK).read("plan.json", PlanRecord)
    assert record.framework_version == "2.1"
    assert [a.indicator for a in record.actions] == [FRAMEWORK.gate.id]
    assert record.pinned == ["ethos.2"]


def test_a_2_0_audit_shows_in_the_form_with_its_ratings_and_the_new_indicators_unrated(
    tmp_path: Path,
):
    from wholeschool.ui.audit_form import audit
    from wholeschool.ui.looks import UNRATED

    (tmp_path / "audit.json").write_text(json.dumps(_audit_2_0()), encoding="utf-8")
    form = audit("ethos", RecordFolder(tmp_path, clock=CLOCK), delay=0, evidence=False)
    assert form.rows["ethos.8"].rating.value == 2
    assert form.rows["ethos.8"].note.value == "assemblies only"
    assert form.rows["ethos.9"].rating.value == UNRATED
    labels = [label for label, _ in form.rows["ethos.9"].rating.options]
    assert labels[2] == f"Emerging: {FRAMEWORK.indicator_by_id['ethos.9'].levels[1]}"


def test_book_helpers_show_an_indicators_levels_and_the_settings_without_ids():
    from wholeschool.render.levels import calibration_list, level_table

    table = level_table("ethos.3").data
    for sentence in FRAMEWORK.indicator_by_id["ethos.3"].levels.values():
        assert sentence in table
    assert "Setting note" in table and "ethos.3" not in table
    listed = calibration_list().data
    assert "Brookfield Primary School" in listed and "Riverside College" in listed
    assert "ethos" not in listed.replace("ethos and environment", "")
