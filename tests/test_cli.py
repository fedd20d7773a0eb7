"""The wholeschool command line."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import BIN
from wholeschool import FRAMEWORK, AuditRecord, save_record
from wholeschool.cli import main

RECORDS = Path(__file__).parent / "data" / "records"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script for real."""
    return subprocess.run(
        [str(BIN / "wholeschool"), *args], capture_output=True, text=True, timeout=60
    )


def test_help_lists_commands():
    result = run("--help")
    assert result.returncode == 0
    assert "validate" in result.stdout and "framework" in result.stdout


def test_validate_ok_and_bad(tmp_path: Path):
    good = save_record(
        AuditRecord(school="Oak", framework_version=FRAMEWORK.version, date=dt.date(2026, 9, 1)),
        tmp_path / "good.json",
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "audit"', encoding="utf-8")
    result = run("validate", str(good))
    assert result.returncode == 0
    assert result.stdout == f"ok    {good} (audit, Oak, 2026-09-01)\n"
    result = run("validate", str(good), str(bad))
    assert result.returncode == 1
    assert f"FAIL  {bad}: is not valid JSON (line 1, column 17" in result.stdout
    assert "1 ok, 1 with problems" in result.stderr


def test_validate_missing_path_is_a_usage_error(tmp_path: Path):
    result = run("validate", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_framework_lists_every_indicator():
    result = run("framework")
    assert result.returncode == 0
    for indicator_id in FRAMEWORK.indicator_by_id:
        assert indicator_id in result.stdout


def test_serve_sends_the_book_gzip_compressed(tmp_path: Path):
    import gzip
    import re
    import urllib.error
    import urllib.request

    site = tmp_path / "html"
    site.mkdir()
    script = ("var widgets = 1;\n" * 5000).encode()
    wasm = b"\0asm\1\0\0\0" + bytes(20_000)  # the browser's Python: WebAssembly gzips too
    (site / "index.html").write_text("<!DOCTYPE html><title>Course</title>", encoding="utf-8")
    (site / "embed.js").write_bytes(script)
    (site / "python.wasm").write_bytes(wasm)
    server = subprocess.Popen(  # port 0: the system picks a free port; read it back
        [str(BIN / "wholeschool"), "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        announced = server.stdout.readline() + server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:([0-9]+)/", announced)
        assert found, announced
        port = int(found.group(1))
        assert port != 0
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/embed.js", headers={"Accept-Encoding": "gzip"}
        )
        response = urllib.request.urlopen(request, timeout=5)  # listening before it said so
        body = response.read()
        assert response.headers["Content-Encoding"] == "gzip"
        assert len(body) < len(script) / 10
        assert gzip.decompress(body) == script
        packed = urllib.request.urlopen(
            urllib.request.Request(
                f"http://127.0.0.1:{port}/python.wasm", headers={"Accept-Encoding": "gzip"}
            ),
            timeout=5,
        )
        assert packed.headers["Content-Type"] == "application/wasm"
        assert gzip.decompress(packed.read()) == wasm
        # a browser that holds this copy is told it is still good, without the body
        again = urllib.request.Request(
            request.full_url,
            headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]},
        )
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(again, timeout=5)
        assert not_modified.value.code == 304 and not_modified.value.read() == b""
        by_date = urllib.request.Request(
            request.full_url,
            headers={
                "Accept-Encoding": "gzip",
                "If-Modified-Since": response.headers["Last-Modified"],
            },
        )
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(by_date, timeout=5)
        assert not_modified.value.code == 304
        plain = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        assert plain.headers.get("Content-Encoding") is None
        assert b"<title>Course</title>" in plain.read()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_reports_a_busy_port(tmp_path: Path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run("serve", str(tmp_path), "--port", str(busy.getsockname()[1]))
    assert result.returncode == 1
    assert "cannot listen on port" in result.stderr


def _unreadable_folder(parent: Path) -> Path:
    """A sub-folder whose path is too long to open (unreadable even for root)."""
    top = parent / "deep"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(20):
            name = "d" * 250
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    return top


def test_validate_reports_unreadable_and_odd_folders_and_fails(tmp_path: Path):
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copyfile(RECORDS / "audit.json", folder / "audit.json")
    (folder / "plan.json").mkdir()
    (folder / "evidence.json").symlink_to(folder / "plan.json")
    _unreadable_folder(folder)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"ok    {folder / 'audit.json'}") for line in lines)
    assert (
        f"FAIL  {folder / 'plan.json'}: is a folder (or a link to one) named like a record; records are files"
        in lines
    )
    assert any(f"{folder / 'evidence.json'}: is a folder (or a link" in line for line in lines)
    assert any("cannot be read (file name too long)" in line for line in lines), lines
    assert "1 ok, 3 with problems" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["report", "governors", "--records", "{records}", "--out", "{file}/report.html"],
        ["report", "governors", "--records", "{records}", "--out", "{file}/report.docx"],
        ["trainer", "cohort", "{records}", "--out", "{file}/cohort"],
    ],
)
def test_an_output_place_that_is_a_file_is_a_clear_error(command, tmp_path: Path):
    records = tmp_path / "records"
    shutil.copytree(RECORDS, records)
    afile = tmp_path / "afile"
    afile.write_text("not a folder", encoding="utf-8")
    args = [part.format(records=records, file=afile) for part in command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert f"Error: {afile}: is a file, not a folder; choose another place" in result.stderr
    assert afile.read_text(encoding="utf-8") == "not a folder"
