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


@pytest.mark.parametrize(
    "change",
    [
        # a key twice, the first written with a space (or a line break) before its colon
        lambda t: t.replace('"school":', '"school" : "X", "school":'),
        lambda t: t.replace('"school":', '"school"\n:"X", "school":'),
        # ... and with a quoted colon in a note making up the count
        lambda t: t.replace('"school":', '"school" : "X", "school":').replace(
            "agenda", 'agenda \\":'
        ),
        # a key twice inside one rating, or one indicator rated twice
        lambda t: t.replace('"rating": 2', '"rating": 1, "rating": 2'),
        lambda t: t.replace('"leadership.1":', '"leadership.1": {"rating": 0}, "leadership.1":'),
    ],
)
def test_a_key_given_twice_is_never_read_once(change) -> None:
    text = change(json.dumps(AUDIT))
    with pytest.raises(RecordError, match="appears twice"):
        reader.parse_record(text, Path("a.json"), today=TODAY)


def test_odd_but_valid_spacing_still_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    text = json.dumps(AUDIT).replace('"school":', '"school" :').replace("agenda", "agenda: a")
    record = reader.parse_record(text, Path("a.json"), today=TODAY)
    assert record.school == "Oak School"
    assert record.ratings["leadership.1"].note.startswith("minutes / agenda: a")


def _depth(schema: dict, defs: dict, seen: frozenset[str] = frozenset()) -> int:
    """How deep JSON valid against ``schema`` can nest (objects and arrays)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        assert name not in seen, f"{name} can hold itself: no depth limit"
        return _depth(defs[name], defs, seen | {name})
    inner = [s for key in ("anyOf", "oneOf", "allOf") for s in schema.get(key, [])]
    if inner:
        return max(_depth(s, defs, seen) for s in inner)
    kind = schema.get("type")
    if kind == "object":
        assert "properties" in schema or "additionalProperties" in schema, "an open object"
        parts = list(schema.get("properties", {}).values())
        extra = schema.get("additionalProperties")
        assert extra is not True, "an object holding any JSON"
        parts += [extra] if isinstance(extra, dict) else []
        return 1 + max((_depth(p, defs, seen) for p in parts), default=0)
    if kind == "array":
        assert "items" in schema, "an array holding any JSON"
        return 1 + _depth(schema["items"], defs, seen)
    assert (
        kind in ("string", "integer", "null", "boolean") or "const" in schema or "enum" in schema
    ), schema
    return 0


def test_no_record_can_nest_deeper_than_the_readers_limit() -> None:
    """The single read leaves the depth rule to the models: no field holds free-form JSON,
    so a record that validates is never deeper than the limit."""
    from wholeschool.core.records import RECORD_ADAPTER

    schema = RECORD_ADAPTER.json_schema()
    deepest = _depth(schema, schema["$defs"])
    assert 2 <= deepest <= reader.DEFAULT_LIMITS.max_depth


def test_the_models_control_character_rule_is_the_text_rule() -> None:
    """The record models check text in Rust with a pattern built from the same classes as
    :func:`control_problem`; the two agree on every character."""
    from pydantic import TypeAdapter, ValidationError
    from wholeschool.core.records import Note, SchoolLabel
    from wholeschool.core.text import control_problem

    for single_line, adapter in ((False, TypeAdapter(Note)), (True, TypeAdapter(SchoolLabel))):
        for code in [*range(0x3000), *range(0xFE00, 0x10000), 0x1F600, 0xE0001]:
            text = f"a{chr(code)}b"
            try:
                adapter.validate_python(text)
                refused = False
            except ValidationError:
                refused = True
            assert refused == (control_problem(text, single_line=single_line) is not None), (
                hex(code),
                single_line,
            )


def test_paused_gc_restores_the_collector() -> None:
    import gc

    assert gc.isenabled()
    with reader.paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with reader.paused_gc():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
