"""Many record files read over several worker processes: the same records, the same refusals
and the same order as one process reading them all (wholeschool.store.bulk)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import time_machine
from wholeschool.core.framework import FRAMEWORK, Framework
from wholeschool.grading.cohort import example_cohort, load_cohort
from wholeschool.store import Loaded, bulk

BAD = Path(__file__).parent / "data" / "bad-records"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def few_make_many(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers from a few dozen files on (thousands otherwise), so the tests stay quick."""
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 20)


def _hostile_folder(folder: Path) -> Path:
    """Good audits with every broken record of tests/data/bad-records between them, a pipe,
    an oversized file, a plan, and one school saved twice on the same day (first and last
    file: the later file must win, whichever worker read it)."""
    folder.mkdir()
    for record in example_cohort(60, seed=4):
        name = record.school.replace(" ", "-").lower()
        (folder / f"{name}.json").write_text(record.model_dump_json(), encoding="utf-8")
    for bad in BAD.glob("*.json"):
        shutil.copyfile(bad, folder / f"school-{bad.name}")
    os.mkfifo(folder / "school-pipe.json")
    (folder / "school-huge.json").write_bytes(b" " * 2_000_001)
    shutil.copyfile(Path(__file__).parent / "data" / "records" / "plan.json", folder / "plan.json")
    twice = json.loads((folder / "school-01.json").read_text(encoding="utf-8"))
    twice["ratings"] = {"leadership.1": {"rating": 0, "note": ""}}
    (folder / "aaa-first.json").write_text(json.dumps(twice), encoding="utf-8")
    twice["ratings"] = {"leadership.1": {"rating": 4, "note": ""}}
    (folder / "zzz-last.json").write_text(json.dumps(twice), encoding="utf-8")
    return folder


def test_workers_read_exactly_as_one_process(tmp_path: Path, few_make_many: None) -> None:
    folder = _hostile_folder(tmp_path / "records")
    alone = load_cohort([folder], workers=1)
    shared = load_cohort([folder], workers=2)
    pd.testing.assert_frame_equal(shared.scores, alone.scores)
    assert shared.problems == alone.problems
    assert shared.skipped == alone.skipped == 1
    assert len(shared.scores) == 60
    assert shared.scores.loc["School 01", "leadership"] == 4.0  # the later file won the tie
    refused = {Path(line.split(": ", 1)[0]).name for line in shared.problems}
    expected = {f"school-{bad.name}" for bad in BAD.glob("*.json")}
    assert expected | {"school-pipe.json", "school-huge.json"} <= refused


def _pids(loaded: list[Loaded], framework: Framework) -> tuple[int, list[str]]:
    return os.getpid(), [loaded_file.path.name for loaded_file in loaded]


def test_chunks_are_read_by_worker_processes_in_file_order(
    tmp_path: Path, few_make_many: None
) -> None:
    folder = _hostile_folder(tmp_path / "records")
    chunks, problems = bulk.scan_summaries([folder], _pids, workers=2, framework=FRAMEWORK)
    assert len(chunks) > 2 and not problems
    assert os.getpid() not in {pid for pid, _ in chunks}
    names = [name for _, names in chunks for name in names]
    assert names == sorted(p.name for p in folder.iterdir())


def test_few_files_are_read_here(tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path / "records")
    chunks, _ = bulk.scan_summaries([folder], _pids, workers=2)
    assert [pid for pid, _ in chunks] == [os.getpid()]
