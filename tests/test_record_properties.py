"""Properties every record kind shares, tested once over all four kinds.

Any record survives a save and a load unchanged; any byte-level corruption of a saved file is a
clear error naming the file (or still a valid record), and the file is never touched; any text
a lead types is either storable as it is or cleaned into something storable.
"""

from __future__ import annotations

import pytest
from helpers import corrupt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import CLOCK, CONTEXT, RECORDS
from wholeschool import RecordError
from wholeschool.core.records import RECORD_ADAPTER
from wholeschool.core.text import clean_text, control_problem
from wholeschool.store import RecordFolder

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_round_trip(kind: str, tmp_path_factory: pytest.TempPathFactory):
    @SETTINGS
    @given(record=RECORDS[kind])
    def check(record):
        folder = RecordFolder(tmp_path_factory.mktemp(kind), clock=CLOCK)
        folder.save(record, f"{kind}.json")
        assert folder.read(f"{kind}.json", type(record)) == record
        assert len(folder.versions(f"{kind}.json")) == 1

    check()


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_corruption_is_caught_and_file_kept(kind: str, tmp_path_factory: pytest.TempPathFactory):
    @SETTINGS
    @given(record=RECORDS[kind], data=st.data())
    def check(record, data):
        folder = RecordFolder(tmp_path_factory.mktemp(kind), clock=CLOCK)
        raw = corrupt(record.model_dump_json(indent=2) + "\n", data)
        path = folder.file("record.json")
        path.write_bytes(raw)
        try:
            loaded = folder.read("record.json")
        except RecordError as error:
            assert str(error).startswith(f"{path}: ")
            assert error.problem
        else:  # a change can leave a valid record (a letter of a note): valid it must be
            assert RECORD_ADAPTER.validate_python(loaded.model_dump(), context=CONTEXT) == loaded
        assert path.read_bytes() == raw

    check()


@settings(max_examples=300, deadline=None)
@given(text=st.text(), single_line=st.booleans())
def test_typed_text_is_storable_once_cleaned(text: str, single_line: bool):
    cleaned = clean_text(text, single_line=single_line)
    assert control_problem(cleaned, single_line=single_line) is None
    assert clean_text(cleaned, single_line=single_line) == cleaned
    if control_problem(text, single_line=single_line) is None:
        assert cleaned == text
