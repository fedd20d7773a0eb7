"""All records in one zip, and back: every file checked first, nothing written unless all pass,
nothing lost when a record is replaced."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating, RecordError
from wholeschool.core.records import PlanRecord
from wholeschool.store import RecordFolder
from wholeschool.store.bundle import MAX_FILES, export_zip, import_files

RECORDS = Path(__file__).parent / "data" / "records"


def audit(rating: int) -> AuditRecord:
    return AuditRecord(
        school="Oak",
        framework_version=FRAMEWORK.version,
        date="2026-05-01",
        ratings={"ethos.1": IndicatorRating(rating=rating)},
    )


def zipped(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def source(tmp_path: Path) -> RecordFolder:
    folder = RecordFolder(tmp_path / "source", clock=CLOCK)
    for path in RECORDS.glob("*.json"):
        folder.save(folder.parse(path.read_bytes(), path), path.name)
    return folder


def test_download_all_then_restore_into_an_empty_folder(source: RecordFolder, tmp_path: Path):
    data = export_zip(source)
    names = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert names == sorted(p.name for p in RECORDS.glob("*.json"))  # records only, no history
    target = RecordFolder(tmp_path / "target", clock=CLOCK)
    result = import_files(target, {"records.zip": data})
    assert result.ok and sorted(result.saved) == names
    for name in names:
        assert target.read(name) == source.read(name)


def test_a_restore_keeps_the_replaced_record_in_its_history(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    result = import_files(folder, {"audit.json": audit(3).model_dump_json().encode()})
    assert result.saved == ["audit.json"]
    assert [folder.read_version(v).rated() for v in folder.versions("audit.json")] == [
        {"ethos.1": 1},
        {"ethos.1": 3},
    ]


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"audit.json": "{"}, "audit.json: is not valid JSON"),
        ({"../escape.json": "{}"}, "../escape.json: is not a plain file name"),
        ({"/etc/passwd.json": "{}"}, "is not a plain file name"),
        ({"deep/audit.json": "{}"}, "deep/audit.json: is not a plain file name"),
        (
            {
                "audit.json": '{"kind": "audit", "school": "x\\u001b[2J", "framework_version": "2.0", "date": "2026-01-01"}'
            },
            "contains a control character",
        ),
        (
            {
                "plan.json": '{"kind": "audit", "school": "Oak", "framework_version": "2.0", "date": "2026-01-01", "ratings": {}, "pupil": "A"}'
            },
            "records never hold pupil data",
        ),
    ],
)
def test_a_bad_upload_is_refused_whole_and_nothing_changes(tmp_path: Path, files, problem):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    good = {
        "evidence.json": '{"kind": "evidence", "school": "Oak", "framework_version": "2.0", "date": "2026-01-01"}'
    }
    result = import_files(folder, {"upload.zip": zipped({**good, **files})})
    assert not result.ok and result.saved == []
    assert any(problem in str(p) for p in result.problems), [str(p) for p in result.problems]
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_not_a_zip_too_many_files_and_nothing_at_all_are_clear(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    assert "is neither a zip of records" in str(
        import_files(folder, {"x.zip": b"PK nope"}).problems[0]
    )
    many = zipped({f"r{n}.json": "{}" for n in range(MAX_FILES + 1)})
    assert f"at most {MAX_FILES}" in str(import_files(folder, {"x.zip": many}).problems[0])
    assert "holds no records" in str(
        import_files(folder, {"x.zip": zipped({"README.txt": "hi"})}).problems[0]
    )


def test_a_bad_file_already_here_is_never_replaced(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    (tmp_path / "audit.json").write_text("{", encoding="utf-8")
    result = import_files(folder, {"audit.json": audit(2).model_dump_json().encode()})
    assert not result.ok and "it was kept, so the upload was not saved" in str(result.problems[0])
    assert (tmp_path / "audit.json").read_text() == "{"


# --- Hostile zips and names (issue 19, item 4): a clear refusal naming the file, never raising


GOOD = audit(2).model_dump_json().encode()


def _patch(data: bytes, signature: bytes, offset: int, value: bytes) -> bytes:
    """``data`` with ``value`` written at ``offset`` after every ``signature`` (zip headers)."""
    out = bytearray(data)
    start = out.find(signature)
    while start != -1:
        out[start + offset : start + offset + len(value)] = value
        start = out.find(signature, start + 4)
    return bytes(out)


def _deflated(name: str = "audit.json", data: bytes = GOOD) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"


def _corrupt_member() -> bytes:
    data = bytearray(_deflated())
    body = data.find(LOCAL) + 30 + len("audit.json")
    for n in range(body + 2, body + 12):
        data[n] ^= 0xFF
    return bytes(data)


def _encrypted() -> bytes:
    data = _patch(_deflated(), LOCAL, 6, b"\x01\x00")
    return _patch(data, CENTRAL, 8, b"\x01\x00")


def _odd_method() -> bytes:
    data = _patch(_deflated(), LOCAL, 8, b"\x63\x00")  # 99: AES, which zipfile cannot read
    return _patch(data, CENTRAL, 10, b"\x63\x00")


def _lying_size() -> bytes:
    return _patch(_deflated(), CENTRAL, 24, (20).to_bytes(4, "little"))


def _bigger_than_it_says() -> bytes:
    return _patch(_deflated(), CENTRAL, 24, (len(GOOD) + 500).to_bytes(4, "little"))


def _not_utf8_name() -> bytes:
    data = _deflated("audit-\u00e9.json")  # written with the UTF-8 flag
    return data.replace("audit-\u00e9.json".encode(), b"audit-\xff\xfe.json")


def _bzip2() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("audit.json", GOOD)
    return buffer.getvalue()


HOSTILE = {
    "corrupt member": (_corrupt_member, "records.zip/audit.json: is damaged"),
    "encrypted member": (_encrypted, "records.zip/audit.json: is protected with a password"),
    "unsupported compression": (_odd_method, "records.zip/audit.json: is compressed in a way"),
    "bzip2, which the browser may lack": (_bzip2, "records.zip/audit.json: is compressed in a way"),
    "size smaller than the data": (_lying_size, "records.zip/audit.json: is damaged"),
    "size bigger than the data": (_bigger_than_it_says, "records.zip/audit.json: is damaged"),
    "non-UTF-8 name": (_not_utf8_name, "records.zip: has a file whose name is not valid text"),
    "truncated zip": (lambda: _deflated()[:-30], "records.zip: is neither a zip"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_zip_is_refused_with_a_message_naming_the_file(case: str, tmp_path: Path):
    make, message = HOSTILE[case]
    folder = RecordFolder(tmp_path, clock=CLOCK)
    folder.save(audit(1), "audit.json")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = import_files(folder, {"records.zip": make()})
    assert not result.ok and result.saved == []
    assert any(str(p).startswith(message) for p in result.problems), [
        str(p) for p in result.problems
    ]
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


WINDOWS_NAMES = [
    "D:x.json",
    "C:audit.json",
    "x\\..\\..\\x.json",
    "C:\\x.json",
    "CON.json",
    "nul.json",
]


@pytest.mark.parametrize("name", WINDOWS_NAMES)
def test_windows_style_names_are_refused_in_a_zip_and_as_an_upload(name: str, tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    in_zip = import_files(folder, {"records.zip": zipped({name: GOOD})})
    assert not in_zip.ok
    assert str(in_zip.problems[0]).startswith(f"records.zip/{name}: ")
    assert "name" in in_zip.problems[0].problem
    alone = import_files(folder, {name: GOOD})
    assert not alone.ok and str(alone.problems[0]).startswith(f"{name}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_single_json_upload_obeys_the_size_limit_with_the_readers_message(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    big = GOOD[:-1] + b"," + b" " * 2_100_000 + b'"x": 1}'
    result = import_files(folder, {"audit.json": big})
    assert not result.ok
    assert "more than a record can be (2,000,000)" in str(result.problems[0])
    (tmp_path / "huge.json").write_bytes(big)
    with pytest.raises(RecordError) as read:
        folder.read("huge.json")
    assert read.value.problem == result.problems[0].problem, "the same message as a read"


def test_a_record_too_large_to_read_back_is_never_written(tmp_path: Path):
    folder = RecordFolder(tmp_path, clock=CLOCK)
    action = {"indicator": "ethos.1", "what": "x" * 500, "start": "2026-05-01", "due": "2026-06-01"}
    plan = PlanRecord.model_validate(
        {
            "school": "Oak",
            "framework_version": FRAMEWORK.version,
            "date": "2026-05-01",
            "actions": [action] * 6000,
        }
    )
    with pytest.raises(RecordError) as caught:
        folder.save(plan, "plan.json")
    assert caught.value.problem.startswith("not saved: is ")
    assert "more than a record can be (2,000,000)" in caught.value.problem
    assert not (tmp_path / "plan.json").exists()
