"""The crosswalk file is complete and consistent; the view's numbers match a hand computation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from wholeschool import FRAMEWORK, DataFileError
from wholeschool.core.crosswalk import (
    CROSSWALK_FILE,
    crosswalk_table,
    default_crosswalk,
    load_crosswalk,
    parse_crosswalk,
)

RAW = yaml.safe_load(CROSSWALK_FILE.read_text(encoding="utf-8"))


def test_the_package_crosswalk_loads_and_matches_the_framework_version():
    crosswalk = load_crosswalk()
    assert crosswalk.framework_version == FRAMEWORK.version
    assert [f.id for f in crosswalk.frameworks] == ["five-steps", "dfe-smhl", "ofsted"]


def test_every_indicator_is_mapped_at_least_once_read_from_the_raw_file():
    for indicator in FRAMEWORK.indicator_by_id:
        targets = RAW["mappings"].get(indicator, {})
        assert any(targets.values()), f"{indicator} is not mapped"
    assert set(RAW["mappings"]) <= {*FRAMEWORK.indicator_by_id, FRAMEWORK.gate.id}
    assert RAW["mappings"][FRAMEWORK.gate.id]["ofsted"] == ["safeguarding"]


def test_every_target_id_used_is_listed_and_every_listed_target_is_used():
    listed = {f["id"]: {t["id"] for t in f["targets"]} for f in RAW["frameworks"]}
    used: dict[str, set[str]] = {f: set() for f in listed}
    for by_framework in RAW["mappings"].values():
        for framework_id, ids in by_framework.items():
            assert framework_id in listed
            used[framework_id].update(ids)
    assert used == listed


def test_target_counts_match_the_published_structures():
    """Five steps, eight DfE learning outcomes, Ofsted's six report-card areas and safeguarding."""
    counts = {f["id"]: len(f["targets"]) for f in RAW["frameworks"]}
    assert counts == {"five-steps": 5, "dfe-smhl": 8, "ofsted": 7}


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = CROSSWALK_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "crosswalk.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


BAD = [
    pytest.param(
        "  ethos.3:\n",
        "  ethos.99:\n",
        'mappings["ethos.99"]',
        "unknown indicator 'ethos.99'",
        id="unknown-indicator",
    ),
    pytest.param(
        "    dfe-smhl: [lo8]\n    ofsted: [personal-development-wellbeing]\n",
        "    dfe-smhl: [lo9]\n    ofsted: [personal-development-wellbeing]\n",
        'mappings["parents-carers.2"].dfe-smhl[0]',
        "unknown target 'lo9'",
        id="unknown-target",
    ),
    pytest.param(
        "  student-voice.1:\n    five-steps: [working-together]\n",
        "  student-voice.1:\n    six-steps: [working-together]\n",
        'mappings["student-voice.1"].six-steps',
        "unknown framework",
        id="unknown-framework",
    ),
    pytest.param(
        "  curriculum.4:\n    five-steps: [promoting-wellbeing]\n    dfe-smhl: [lo6]\n"
        "    ofsted: [curriculum-teaching]\n",
        "",
        "mappings",
        "indicators not mapped to anything: curriculum.4",
        id="indicator-not-mapped",
    ),
    pytest.param(
        "      - id: lo8\n        name: Working with parents and carers\n",
        "      - id: lo8\n        name: Working with parents and carers\n"
        "      - id: lo10\n        name: An outcome nobody maps\n",
        "frameworks.dfe-smhl",
        "target 'lo10' has no indicator mapped to it",
        id="target-unused",
    ),
    pytest.param(
        "      - id: lo1\n",
        "      - id: LO 1\n",
        "frameworks[1].targets[0].id",
        "should match pattern",
        id="bad-target-id",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "problem"), BAD)
def test_bad_crosswalk_names_file_and_field_and_is_left_alone(tmp_path, old, new, field, problem):
    path = _variant(tmp_path, old, new)
    before = path.read_bytes()
    with pytest.raises(DataFileError) as caught:
        load_crosswalk(path)
    assert caught.value.path == str(path)
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}: {field}: ")
    assert path.read_bytes() == before


def test_not_yaml_names_the_file(tmp_path):
    path = tmp_path / "crosswalk.yaml"
    path.write_text("frameworks: [\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"crosswalk.yaml: is not valid YAML"):
        load_crosswalk(path)


# A small crosswalk for hand computation: framework "x" with targets a, b, c.
SMALL = {
    "version": "1.0",
    "framework_version": "1.0",
    "frameworks": [
        {
            "id": "x",
            "name": "Example framework",
            "short_name": "Ex",
            "source": "Made up for this test only.",
            "targets": [
                {"id": "a", "name": "Heading A"},
                {"id": "b", "name": "Heading B"},
                {"id": "c", "name": "Heading C"},
            ],
        }
    ],
    "mappings": {
        "leadership.1": {"x": ["a"]},
        "leadership.2": {"x": ["a", "b"]},
        "ethos.1": {"x": ["b"]},
        "ethos.2": {"x": ["c"]},
    },
}


def by_target(rows) -> dict:
    return {row.target_id: row for row in rows}


def test_small_crosswalk_numbers_match_a_hand_computation():
    small = parse_crosswalk(SMALL, "small.yaml", complete=False)
    ratings = {"leadership.1": 1, "leadership.2": 4, "ethos.1": 2, "curriculum.1": 0}
    table = by_target(crosswalk_table(ratings, small))
    # a: leadership.1 (1) and leadership.2 (4): mean 2.5 of 4 -> 62.5% -> 63 (halves go up)
    assert (table["a"].indicators, table["a"].rated) == (2, 2)
    assert table["a"].mean_rating == 2.5
    assert table["a"].percent == 63
    assert table["a"].weakest == "leadership.1"
    # b: leadership.2 (4) and ethos.1 (2): mean 3.0 -> 75%, weakest ethos.1
    assert table["b"].mean_rating == 3.0
    assert table["b"].percent == 75
    assert table["b"].weakest == "ethos.1"
    # c: ethos.2 is not rated, so nothing to report yet
    assert (table["c"].indicators, table["c"].rated) == (1, 0)
    assert table["c"].mean_rating is None and table["c"].percent is None


def test_small_crosswalk_must_be_complete_when_asked():
    with pytest.raises(DataFileError, match="indicators not mapped to anything"):
        parse_crosswalk(SMALL, "small.yaml")


def test_package_crosswalk_numbers_for_ofsted_attendance_and_behaviour():
    # Everything 4, except: every ethos indicator 3, leadership.4 = 1, identifying-need.2 = 0,
    # parents-carers.4 = 2. Attendance and behaviour draws on leadership.4, ethos.1, ethos.2,
    # ethos.3, ethos.5, ethos.7, identifying-need.2 and parents-carers.4:
    # (1 + 3 + 3 + 3 + 3 + 3 + 0 + 2) / 8 = 18 / 8 = 2.25 -> 56.25% -> 56.
    ratings = {i: 4 for i in FRAMEWORK.indicator_by_id}
    ratings.update({i: 3 for i in ratings if i.startswith("ethos.")})
    ratings.update({"leadership.4": 1, "identifying-need.2": 0, "parents-carers.4": 2})
    table = by_target(crosswalk_table(ratings))
    row = table["attendance-behaviour"]
    assert (row.indicators, row.rated) == (8, 8)
    assert row.mean_rating == 2.25
    assert row.percent == 56
    assert row.weakest == "identifying-need.2"
    # lo3 (pupil voice) only draws on the seven student-voice indicators, all rated 4
    assert table["lo3"].indicators == 7
    assert table["lo3"].percent == 100


def test_the_gate_counts_for_ofsted_safeguarding_as_its_answer():
    gate = FRAMEWORK.gate
    rows = [r for r in crosswalk_table({}, gate_answer=gate.in_place) if r.gate is not None]
    assert [(r.framework, r.gate) for r in rows if r.framework == "Ofsted"] == [
        ("Ofsted", gate.answer(gate.in_place).label)
    ]
    assert all(r.gate == "Not answered" for r in crosswalk_table({}) if r.gate is not None)


def test_table_has_one_row_per_target():
    table = crosswalk_table({})
    assert len(table) == sum(len(f.targets) for f in default_crosswalk().frameworks)
    assert sum(row.rated for row in table) == 0


def test_view_switches_framework():
    from wholeschool import AuditRecord, IndicatorRating
    from wholeschool.ui.crosswalk_view import crosswalk_view

    audit = AuditRecord(
        school="Oak",
        framework_version=FRAMEWORK.version,
        date="2026-05-01",
        ratings={"leadership.1": IndicatorRating(rating=2), "ethos.1": IndicatorRating(rating=4)},
    )
    view = crosswalk_view(audit)
    chooser, heading, body = view.children
    assert "Leading change" in body.value
    assert "Personal development" not in body.value
    assert "not rated yet" in body.value  # e.g. Working together: nothing of it rated
    chooser.value = "ofsted"
    assert "Ofsted" in heading.value
    assert "Personal development" in body.value
    assert "Leading change" not in body.value
