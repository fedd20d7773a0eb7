"""The cohort's calibration exercise: the trainer opens it on a fictional setting, each lead
sends their own ratings from the calibration form, and the cohort page shows the spread per
indicator beside the moderated rating, with the team audit's small-number rule; hostile files
in the exchange are named and never counted, and nothing there is changed."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from pathlib import Path

import pytest
from wholeschool.core.calibration import calibration_settings
from wholeschool.core.cohort_calibration import cohort_calibration
from wholeschool.core.framework import FRAMEWORK
from wholeschool.core.team import SMALL_NUMBER
from wholeschool.grading.cohort_calibration import cohort_exercise, read_cohort_ratings
from wholeschool.grading.cohort_page import cohort_page_html
from wholeschool.grading.cohort_status import CohortStatus
from wholeschool.store.calibration_exercise import (
    EXERCISE_FILE,
    RATINGS,
    ExerciseError,
    open_exercise,
    ratings_record,
    send_ratings,
)
from wholeschool.ui.calibration_form import CalibrationForm

DAY = dt.date(2026, 3, 2)
SETTING = calibration_settings()["primary"]
KEYS = list(SETTING.moderated)  # framework order of the setting's indicators
FIRST, SECOND = KEYS[0], KEYS[1]


def text_of(raw: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "exchange" / "wholeschool-smhl"
    folder.mkdir(parents=True)
    open_exercise(folder, "primary", DAY)
    return folder


def ratings(first: int, second: int | None = None) -> dict[str, int | None]:
    return {FIRST: first, SECOND: second}


def section(page: str) -> str:
    return text_of(page.split('id="calibration"', 1)[1])


def test_the_spread_uses_the_team_rule_and_sets_it_beside_the_moderated_rating() -> None:
    moderated = SETTING.moderated[FIRST].rating
    low = max(moderated - 1, 0)
    leads = {
        "amy": ratings_record(SETTING, ratings(low, 0), DAY),
        "ben": ratings_record(SETTING, ratings(low + 2, 0), DAY),
        "cat": ratings_record(SETTING, ratings(low, 0), DAY),
    }
    result = cohort_calibration(SETTING, leads)
    assert [i.spread.indicator.id for i in result.indicators] == KEYS
    first, second = result.indicators[0], result.indicators[1]
    assert first.spread.rated == 3 and first.spread.counts[low] == 2
    assert first.spread.status == "differ"  # two levels apart: the team audit's rule
    assert second.spread.status == "agree"
    assert result.indicators[2].spread.rated == 0
    assert first.within_one == 2 + (abs(low + 2 - moderated) <= 1)
    assert first.further == 3 - first.within_one
    assert result.shows_who and first.who == (("amy", low), ("ben", low + 2), ("cat", low))
    assert [i.spread.indicator.id for i in result.differ] == [FIRST]


def test_below_three_raters_no_one_is_named() -> None:
    leads = {name: ratings_record(SETTING, ratings(1, 2), DAY) for name in ("amy", "ben")}
    result = cohort_calibration(SETTING, leads)
    assert result.raters == 2 < SMALL_NUMBER
    assert not result.shows_who
    assert all(item.who == () for item in result.indicators)
    assert all(
        view.role == "Course lead" for item in result.indicators for view in item.spread.views
    )


def test_leads_send_and_the_page_shows_the_spread_and_the_small_number_rule(course: Path) -> None:
    send_ratings(course, SETTING, ratings(0, 2), DAY, lead="amy")
    send_ratings(course, SETTING, ratings(3, 2), DAY, lead="ben")
    page = cohort_page_html(CohortStatus((), (), ()), exercise=cohort_exercise(course), xsrf="t")
    words = section(page)
    assert "The cohort is rating Brookfield Primary School" in words
    assert "2 leads have sent their ratings" in words
    assert "Fewer than 3 leads have sent ratings, so who rated what is not shown" in words
    assert "amy" not in words and "ben" not in words and "Who rated what" not in words
    row = text_of(page.split('data-indicator="1"', 1)[1].split("</tr>", 1)[0])
    scale = [level.label for level in FRAMEWORK.scale]
    assert "Differ by two levels or more" in row
    assert f"{scale[0]} 1, {scale[3]} 1" in row
    assert SETTING.moderated[FIRST].reason in html.unescape(row)
    send_ratings(course, SETTING, ratings(1, 2), DAY, lead="cat")
    words = section(cohort_page_html(CohortStatus((), (), ()), exercise=cohort_exercise(course)))
    assert "3 leads have sent" in words and "so who rated what is not shown" not in words
    assert f"Who rated what: amy: {scale[0]} ben: {scale[3]} cat: {scale[1]}" in words


def test_a_lead_sending_again_counts_once_with_their_latest(course: Path) -> None:
    first = send_ratings(course, SETTING, ratings(0), DAY, lead="amy")
    later = send_ratings(course, SETTING, ratings(4), DAY, lead="amy")
    os.utime(first, (1, 1))
    found, refused = read_cohort_ratings(course / RATINGS, SETTING)
    assert refused == [] and list(found) == ["amy"]
    assert found["amy"].rated() == {FIRST: 4}
    assert first.exists() and later.exists()


HOSTILE = {
    "not-json": b"{not json",
    "another-kind": json.dumps({"kind": "audit", "school": SETTING.name}).encode(),
    "off-scale": None,  # made below: a valid file with a rating of 9
    "other-school": None,
    "huge": b" " * 200_000,
}


def _hostile(name: str) -> bytes:
    if HOSTILE[name] is not None:
        return HOSTILE[name]
    data = json.loads(ratings_record(SETTING, ratings(1), DAY).model_dump_json())
    if name == "off-scale":
        data["ratings"][FIRST]["rating"] = 9
    else:
        data["school"] = "Some Real School"
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("not-json", "is not valid JSON"),
        ("another-kind", "is not a colleague's ratings file"),
        ("off-scale", "rating 9 is outside 0–4"),
        ("other-school", "is for 'Some Real School'"),
        ("huge", "too large"),
    ],
)
def test_a_hostile_file_is_named_not_counted_and_left_alone(
    course: Path, case: str, words: str
) -> None:
    send_ratings(course, SETTING, ratings(2), DAY, lead="amy")
    bad = course / RATINGS / "eve+primary+0123456789abcdef.json"
    raw = _hostile(case)
    bad.write_bytes(raw)
    found, refused = read_cohort_ratings(course / RATINGS, SETTING)
    assert list(found) == ["amy"]
    assert len(refused) == 1 and refused[0].startswith("eve's ratings were not counted")
    assert words in refused[0], refused
    assert bad.read_bytes() == raw
    page = cohort_page_html(CohortStatus((), (), ()), exercise=cohort_exercise(course))
    assert "eve&#39;s ratings were not counted" in page and "1 lead has sent" in text_of(page)


def test_odd_entries_and_a_link_are_refused(course: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_bytes(ratings_record(SETTING, ratings(4), DAY).model_dump_json().encode())
    folder = course / RATINGS
    (folder / "eve+primary+0123456789abcdef.json").symlink_to(secret)
    (folder / "notes.txt").write_text("hello")
    (folder / "eve+college+0123456789abcdef.json").write_text("{}")  # another setting
    found, refused = read_cohort_ratings(folder, SETTING)
    assert found == {}
    assert refused == [
        "eve's ratings were not counted: is not a plain file.",
        "A file the course does not make was left in the ratings folder: not read.",
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another account needs root")
def test_a_file_in_another_leads_name_is_not_counted(course: Path) -> None:
    forged = send_ratings(course, SETTING, ratings(0), DAY, lead="amy")
    os.chown(forged, 65534, 65534)  # made by another account than amy's (nobody)
    found, refused = read_cohort_ratings(course / RATINGS, SETTING)
    assert found == {}
    assert len(refused) == 1 and "A file in amy's name was made by another account" in refused[0]


def test_the_trainers_choice_is_checked(course: Path) -> None:
    with pytest.raises(ExerciseError, match="Choose one of the course's fictional settings"):
        open_exercise(course, "../etc", DAY)
    assert json.loads((course / EXERCISE_FILE).read_text())["setting"] == "primary"
    assert oct((course / RATINGS).stat().st_mode & 0o7777) == "0o3733"
    (course / EXERCISE_FILE).write_text('{"setting": "primary", "opened": "x", "extra": 1}')
    exercise = cohort_exercise(course)
    assert exercise.setting is None and "choose again" in exercise.refused[0]
    open_exercise(course, "college", DAY)
    assert cohort_exercise(course).setting.id == "college"


def test_the_calibration_form_sends_only_on_the_trainers_setting(
    course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHOLESCHOOL_HUB_ROLE", "lead")
    monkeypatch.setenv("WHOLESCHOOL_EXCHANGE", str(course.parent))
    from wholeschool.ui.calibration_form import calibration

    form = calibration()
    assert form.choice.value == "primary"
    assert form.send_button in form.exercise_box.children
    assert not form.send()  # nothing rated yet
    assert "Not sent" in form.sent.value and "Rate at least one indicator" in form.sent.value
    form.rows[FIRST].value = form.rows[FIRST].options[3][1]
    assert form.send()
    assert "Sent 1 of" in form.sent.value
    found, _refused = read_cohort_ratings(course / RATINGS, SETTING)
    assert [record.rated() for record in found.values()] == [{FIRST: 2}]
    form.choice.value = "college"  # practice on another setting: nothing to send
    assert form.exercise_box.children == ()
    assert CalibrationForm().exercise_box.children == ()  # off the hub
