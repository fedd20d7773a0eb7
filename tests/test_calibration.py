"""Calibration: three fictional settings with moderated ratings, a lead's ratings compared."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import BIN
from markupsafe import escape
from wholeschool import FRAMEWORK, DataFileError
from wholeschool.core.calibration import (
    CALIBRATION,
    calibration_settings,
    compare,
    feedback_lines,
    load_setting,
)
from wholeschool.render.html import to_html
from wholeschool.reports.calibration import calibration_document

SETTINGS = calibration_settings()


def test_three_settings_each_moderate_every_indicator_of_at_least_two_principles():
    assert [s.setting for s in SETTINGS.values()] == ["primary", "secondary", "college"]
    for setting in SETTINGS.values():
        assert len(setting.principles) >= 2
        wanted = [i.id for p in setting.principles for i in FRAMEWORK.principle(p).indicators]
        assert sorted(setting.moderated) == sorted(wanted)
        assert all(
            len(m.reason) <= 200 and "\n" not in m.reason for m in setting.moderated.values()
        )
        assert setting.framework_version == FRAMEWORK.version
        assert 1500 <= len(setting.picture) <= 4500, "a one-page picture"


def test_compare_says_agree_one_level_out_or_further_with_the_reason():
    setting = SETTINGS["primary"]
    moderated = {k: m.rating for k, m in setting.moderated.items()}
    ratings = dict(moderated)
    ratings["ethos.2"] = moderated["ethos.2"] + 1  # one out
    ratings["leadership.8"] = moderated["leadership.8"] + 2  # further
    del ratings["ethos.9"]
    result = compare(setting, ratings)
    by_id = {c.indicator.id: c for c in result.comparisons}
    assert by_id["ethos.2"].verdict == "one level out" and by_id["ethos.2"].distance == 1
    assert by_id["leadership.8"].verdict == "further"
    assert by_id["ethos.9"].verdict == "not rated"
    assert by_id["ethos.1"].verdict == "agree"
    assert result.counts == {
        "agree": result.total - 3,
        "one level out": 1,
        "further": 1,
        "not rated": 1,
    }
    assert result.within_one == result.total - 2
    feedback = "\n".join(feedback_lines(result))
    assert setting.moderated["leadership.8"].reason in feedback
    assert setting.moderated["ethos.1"].reason not in feedback, "agreed ones are not repeated"
    assert "ethos." not in feedback and "leadership." not in feedback, "no internal ids"


def test_ratings_for_another_setting_or_off_the_scale_are_refused():
    with pytest.raises(ValueError, match="not an indicator of this calibration setting"):
        compare(SETTINGS["college"], {"ethos.1": 2})
    with pytest.raises(ValueError, match="outside 0–4"):
        compare(SETTINGS["college"], {"parents-carers.1": 9})


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (lambda d: d["moderated"].pop("ethos.3"), "moderated", "no moderated rating for ethos.3"),
        (lambda d: d.update(framework_version="2.0"), "framework_version", "re-moderate"),
        (lambda d: d.update(principles=["ethos"]), "principles", "at least 2"),
        (lambda d: d["moderated"]["ethos.3"].update(reason="Too short"), "moderated", "10"),
    ],
)
def test_a_malformed_setting_names_file_and_field(tmp_path: Path, edit, field, problem):
    data = yaml.safe_load((CALIBRATION / "primary.yaml").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "primary.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_setting(path)
    assert caught.value.field.startswith(field) and problem in caught.value.problem
    assert str(caught.value).startswith(str(path))


def test_the_report_escapes_and_shows_every_indicator_with_its_reason():
    setting = SETTINGS["secondary"]
    result = compare(setting, {"student-voice.1": 3})
    html = to_html(calibration_document(result))
    for item in setting.moderated.values():
        assert str(escape(item.reason)) in html
    assert "Castleford Road Academy" in html and "A fictional secondary school" in html
    assert "student-voice." not in html


def test_cli_compares_a_ratings_file(tmp_path: Path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("parents-carers.1: Developing\nparents-carers.2: 0\n", encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "wholeschool"), "calibrate", "college", "--ratings", str(mine)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "You agreed with the moderated rating on 1 of 14" in result.stdout
    assert "Two or more levels out" in result.stdout
    assert SETTINGS["college"].moderated["parents-carers.2"].reason in result.stdout


def test_the_ratings_box_reads_levels_by_indicator_number_and_skips_other_lines():
    from wholeschool.grading.calibration_cells import number, read_ratings

    assert number("leadership.3") == "1.3" and number("ethos.9") == "2.9"
    box = (
        "%%ratings\n"
        "Write a level after each colon.\n"
        "1.3 Objectives: costed, in the plan: Developing\n"  # a colon in the words
        "2.1 Warm relationships:\n"  # not rated yet
        "9.1 No such principle: Embedded\n"
        "1.99 No such indicator: Embedded\n"
    )
    assert read_ratings(box) == {"leadership.3": "Developing", "ethos.1": ""}
