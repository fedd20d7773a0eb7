"""All records in one zip, and back: every file checked first, nothing written unless all pass,
nothing lost when a record is replaced."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating
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
