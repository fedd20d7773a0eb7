"""Dates shown to people: one helper, one style ("1 November 2026"), whatever the locale."""

from __future__ import annotations

import datetime as dt

import pytest
from dates_shown import other_date_styles
from hypothesis import given
from hypothesis import strategies as st
from wholeschool.core.dates import long_date, long_date_text


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (dt.date(2026, 11, 1), "1 November 2026"),
        (dt.date(2027, 5, 31), "31 May 2027"),
        (dt.datetime(2026, 1, 9, 23, 59), "9 January 2026"),
    ],
)
def test_long_date(day: dt.date, shown: str):
    assert long_date(day) == shown


def test_long_date_text_turns_only_a_whole_iso_date():
    assert long_date_text("2026-11-01") == "1 November 2026"
    for kept in ("2026-13-01", "on 2026-11-01", "2026-11-01T10:00", "Set up a rota", ""):
        assert long_date_text(kept) == kept


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_every_long_date_is_the_one_style_and_reads_back(day: dt.date):
    shown = long_date(day)
    assert other_date_styles(shown) == []
    assert dt.datetime.strptime(shown, "%d %B %Y").date() == day
