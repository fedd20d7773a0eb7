"""The store's reader parses a plain record file once (the cohort view reads thousands), and
takes the careful path, with its exact messages, for anything it cannot vouch for."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from wholeschool.core.errors import RecordError
from wholeschool.store import reader

TODAY = dt.date(2026, 11, 1)
AUDIT = {
    "kind": "audit",
    "schema_version": 1,
    "school": "Oak School",
    "framework_version": "2.0",
    "date": "2026-09-01",
    "ratings": {"leadership.1": {"rating": 2, "note": 'minutes / agenda \\ "quoted"'}},
}


def test_a_plain_record_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def careful(*args: object, **kwargs: object) -> object:
        raise AssertionError("the careful path ran for a plain record")

    monkeypatch.setattr(reader, "parse_json", careful)
    for text in (json.dumps(AUDIT), json.dumps(AUDIT, indent=2)):
        record = reader.parse_record(text, Path("a.json"), today=TODAY)
        assert record.school == "Oak School"
        assert record.ratings["leadership.1"].note == 'minutes / agenda \\ "quoted"'


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('"Oak School"', '"Oak\\tSchool"'), "school: contains a line break"),
        (lambda t: t.replace('"Oak School"', '"Oak\\u0007School"'), "control character"),
        (lambda t: t.replace('"Oak School"', '"Oak\u202eSchool"'), "control character (U+202E)"),
        (lambda t: t.replace('"Oak School"', '"Oak\tSchool"'), "is not valid JSON"),
        (lambda t: t.replace('"school":', '"school": "X", "school":'), "appears twice"),
        (lambda t: t.replace('"rating": 2', '"rating": NaN'), "has NaN"),
        (lambda t: t.replace('"rating": 2', '"rating": 1234567890123456'), "more than 15 digits"),
        (lambda t: t.replace('"rating": 2', '"rating": 1e999'), "out of range"),
        (lambda t: t.replace('"note"', '"x": ' + "[" * 13 + "]" * 13 + ', "note"'), "nested more"),
        (lambda t: t.replace('"rating": 2', '"rating": "2"'), "rating"),
        (lambda t: t[:-1], "is not valid JSON"),
    ],
)
def test_anything_else_gets_the_careful_paths_message(change, message: str) -> None:
    text = change(json.dumps(AUDIT))
    with pytest.raises(RecordError, match=re.escape(message)):
        reader.parse_record(text, Path("a.json"), today=TODAY)
