"""Odd files never crash, hang or exhaust memory: a pipe, a link loop, a link to /dev/zero, an
unreadable file and a folder named like a record each give one clear line, and the other
records are still read, by ``wholeschool validate``, by the governors' report and by a form."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from helpers import BIN
from strategies import CLOCK
from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating, RecordError
from wholeschool.store import RecordFolder

GOOD = AuditRecord(
    school="Oak Hill Primary",
    framework_version=FRAMEWORK.version,
    date=dt.date(2026, 5, 1),
    ratings={"leadership.1": IndicatorRating(rating=2)},
)

#: Each odd file, made by the test, and part of the problem it must be reported with.
ODD = {
    "pipe.json": "is not a regular file",
    "loop.json": "cannot be read (too many levels of symbolic links)",
    "zero.json": "is not a regular file",
    "dangling.json": "file not found",
}


def make_odd_files(folder: Path) -> None:
    os.mkfifo(folder / "pipe.json")
    (folder / "loop.json").symlink_to(folder / "loop.json")
    (folder / "zero.json").symlink_to("/dev/zero")
    (folder / "dangling.json").symlink_to(folder / "gone.json")


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    RecordFolder(folder, clock=CLOCK).save(GOOD, "audit.json")
    make_odd_files(folder)
    return folder


def test_validate_reports_every_odd_file_and_still_reads_the_good_one(odd: Path):
    done = subprocess.run(
        [str(BIN / "wholeschool"), "validate", str(odd)],
        capture_output=True,
        text=True,
        timeout=60,  # a pipe must never make it wait
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"ok    {odd / 'audit.json'}")
    for name, problem in ODD.items():
        (line,) = [line for line in lines if f"{odd / name}: " in line]
        assert line.startswith("FAIL  ") and problem in line, line
    assert "Traceback" not in done.stderr
    assert f"1 ok, {len(ODD)} with problems" in done.stderr


def _validate_as_nobody(path: str, answer) -> None:
    """In a forked child: drop to an ordinary user (root reads anything), then read."""
    from wholeschool.store import scan_records

    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    (result,) = scan_records([path], clock=CLOCK)
    answer.send(str(result.error))


def test_a_file_that_cannot_be_read_is_a_clear_error(tmp_path: Path):
    import multiprocessing

    RecordFolder(tmp_path, clock=CLOCK).save(GOOD, "audit.json")
    path = tmp_path / "audit.json"
    path.chmod(0)
    for folder in (tmp_path, *tmp_path.parents):
        if folder != Path("/") and folder.stat().st_mode & 0o005 != 0o005:
            folder.chmod(folder.stat().st_mode | 0o005)  # let the ordinary user reach it
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_validate_as_nobody, args=(str(path), send))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert receive.recv() == f"{path}: cannot be read (permission denied)"


def test_the_governors_report_lists_odd_files_and_is_still_written(odd: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    done = subprocess.run(
        [str(BIN / "wholeschool"), "report", "governors", "--records", str(odd), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for name, problem in ODD.items():
        assert f"skipped  {odd / name}: " in done.stderr
        assert problem in done.stderr
    page = out.read_text(encoding="utf-8")
    assert "Files left out." in page
    assert all(f"{name}: " in page for name in ODD)


def test_a_form_over_an_odd_record_shows_the_problem_and_does_not_raise(tmp_path: Path):
    from wholeschool.ui.audit_form import audit

    os.mkfifo(tmp_path / "audit.json")
    form = audit("leadership", RecordFolder(tmp_path, clock=CLOCK), delay=0, evidence=False)
    assert "is not a regular file" in form.status.value
    form.rows["leadership.1"].rating.value = 3  # autosave runs, fails kindly, does not raise
    assert form.error and "not saved" in form.error
    assert "is not a regular file" in form.status.value
    assert (tmp_path / "audit.json").is_fifo()


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path):
    path = tmp_path / "audit.json"
    with open(path, "wb") as handle:
        handle.truncate(3_000_000_000)  # sparse: 3 GB that takes no disk
    with pytest.raises(RecordError, match="more than a record can be"):
        RecordFolder(tmp_path, clock=CLOCK).read("audit.json")
