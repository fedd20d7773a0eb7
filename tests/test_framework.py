"""The framework data file loads, validates, and fails clearly when malformed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from wholeschool.core.errors import FrameworkError
from wholeschool.core.framework import FRAMEWORK, FRAMEWORK_FILE, load_framework

PRINCIPLES = [
    "leadership",
    "ethos",
    "curriculum",
    "student-voice",
    "staff-development",
    "identifying-need",
    "parents-carers",
    "targeted-support",
]


def test_eight_principles_leadership_at_the_centre():
    assert [p.id for p in FRAMEWORK.principles] == PRINCIPLES
    assert [p.id for p in FRAMEWORK.principles if p.centre] == ["leadership"]
    assert all(4 <= len(p.indicators) <= 10 for p in FRAMEWORK.principles)


def test_every_indicator_says_what_would_show_it_and_the_gate_stands_apart():
    assert all(i.shows for i in FRAMEWORK.indicator_by_id.values())
    gate = FRAMEWORK.gate
    assert gate.principle == "targeted-support"
    assert (
        gate.id not in FRAMEWORK.indicator_by_id
        and "targeted-support.3" not in FRAMEWORK.indicator_by_id
    )
    assert [a.id for a in gate.answers if not gate.escalates(a.id)] == [gate.in_place]
    assert not gate.escalates(None), "not answered yet is a question, not an alarm"
    assert "DSL" in gate.escalation and "governors" in gate.escalation


def test_scale_is_zero_to_four_with_labels():
    assert [(lv.value, lv.label) for lv in FRAMEWORK.scale] == [
        (0, "Not started"),
        (1, "Emerging"),
        (2, "Developing"),
        (3, "Established"),
        (4, "Embedded"),
    ]
    assert FRAMEWORK.max_rating == 4


def test_indicator_ids_are_unique_and_prefixed():
    ids = list(FRAMEWORK.indicator_by_id)
    assert len(ids) == sum(len(p.indicators) for p in FRAMEWORK.principles)
    for principle in FRAMEWORK.principles:
        assert all(i.id.startswith(principle.id + ".") for i in principle.indicators)


def test_unknown_principle_lists_known_ids():
    with pytest.raises(KeyError, match="unknown principle 'wellness'; known: leadership"):
        FRAMEWORK.principle("wellness")


def _broken_copy(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (lambda d: d.pop("version"), "version", "is missing"),
        (lambda d: d["principles"].pop(), "principles", "at least 8 items"),
        (
            lambda d: d["principles"][2]["indicators"][0].update(id="ethos.1"),
            "principles[2]",
            "must start with 'curriculum.'",
        ),
        (
            lambda d: d["principles"][1]["indicators"].__setitem__(slice(1, None), []),
            "principles[1].indicators",
            "at least 4 items",
        ),
        (lambda d: d["scale"][2].update(value=5), "scale", "numbered 0, 1, 2"),
        (lambda d: d["principles"][3].update(centre=True), None, "exactly one principle"),
        (lambda d: d["principles"][0].update(colour="red"), "principles[0].colour", "not a field"),
    ],
)
def test_malformed_framework_names_file_and_field(tmp_path, edit, field, problem):
    path = _broken_copy(tmp_path, edit)
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert str(caught.value).startswith(str(path))


def test_framework_file_that_is_not_yaml(tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_text("version: [1.0\nprinciples: :\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"is not valid YAML \(line"):
        load_framework(path)
