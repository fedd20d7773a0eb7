"""One score, one label: every form, chart and report shows a mean the same way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wholeschool import FRAMEWORK
from wholeschool.core.scoring import NOT_RATED, format_score, level_for, level_label, mean

LABELS = [level.label for level in FRAMEWORK.scale]


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0.0, LABELS[0]),
        (0.49, LABELS[0]),
        (0.5, LABELS[1]),
        (2.5, LABELS[3]),
        (2.49, LABELS[2]),
        (3.5, LABELS[4]),
        (4.0, LABELS[4]),
    ],
)
def test_halves_go_up(score, label):
    assert level_label(score, FRAMEWORK) == label


def test_not_rated_is_one_value_everywhere():
    assert mean([]) is None
    assert level_for(None, FRAMEWORK) is None
    assert level_label(None, FRAMEWORK) == NOT_RATED == "Not rated"
    assert format_score(None) == "–"


@pytest.mark.parametrize(
    ("score", "text"), [(2.25, "2.3"), (2.35, "2.4"), (1.875, "1.9"), (2.0, "2.0"), (-0.25, "-0.3")]
)
def test_one_decimal_halves_up(score, text):
    assert format_score(score) == text


@given(st.lists(st.integers(0, FRAMEWORK.max_rating), min_size=1, max_size=8))
def test_the_label_matches_the_shown_number_of_any_mean(ratings):
    """What the form, the progress summary and the governors' report show agree: the label of a
    mean is the level nearest to it, halves up, and the shown number rounds the same way."""
    score = mean(ratings)
    level = level_for(score, FRAMEWORK)
    assert abs(level.value - score) <= 0.5
    if abs(level.value - score) == 0.5:
        assert level.value > score
    assert level_label(float(format_score(score)), FRAMEWORK) in (
        level.label,
        level_label(score + 0.05, FRAMEWORK),
    )


def test_the_progress_form_and_the_report_use_the_same_rule():
    """A principle mean of 2.5 is the same word in the progress summary and the report."""
    from wholeschool.reports import governors, progress

    for module in (governors, progress):
        assert module.level_label is level_label
