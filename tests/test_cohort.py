"""The cohort view: principle scores per school, distributions, benchmarking, plots, speed."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import time_machine
from click.testing import CliRunner
from wholeschool.cli import main
from wholeschool.core.framework import FRAMEWORK
from wholeschool.core.records import AuditRecord
from wholeschool.grading.cohort import (
    against_median,
    distributions,
    example_cohort,
    latest_per_school,
    load_cohort,
    plot_distributions,
    plot_school,
    principle_scores,
    school_position,
)
from wholeschool.store import save_record

matplotlib.use("Agg")


#: The day these tests run as: records are checked against it (none may be dated later).
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """Records are made, saved and read (the CLI included) as of ``NOW``, not the real date."""
    with time_machine.travel(NOW, tick=True):
        yield


def audit(school: str, ratings: dict[str, int | None], day: int = 1) -> AuditRecord:
    return AuditRecord(
        school=school,
        framework_version=FRAMEWORK.version,
        date=dt.date(2026, 10, day),
        ratings={k: {"rating": v} for k, v in ratings.items()},
    )


@pytest.fixture
def three_schools() -> list[AuditRecord]:
    return [
        audit("A", {"leadership.1": 4, "leadership.2": 2, "ethos.1": 1}),
        audit("B", {"leadership.1": 1, "ethos.1": 3, "ethos.2": None}),
        audit("C", {"leadership.1": 0, "leadership.2": 0, "ethos.1": 2}),
    ]


def test_principle_scores_are_means_of_rated_indicators(three_schools) -> None:
    scores = principle_scores(three_schools)
    assert list(scores.columns) == [p.id for p in FRAMEWORK.principles]
    assert scores.loc["A", "leadership"] == 3.0
    assert scores.loc["B", "leadership"] == 1.0
    assert scores.loc["B", "ethos"] == 3.0  # the unrated ethos.2 does not count
    assert np.isnan(scores.loc["A", "curriculum"])


def test_latest_audit_per_school_wins() -> None:
    old, new = audit("A", {"leadership.1": 0}, day=1), audit("A", {"leadership.1": 4}, day=20)
    assert latest_per_school([new, old]) == [new]
    assert principle_scores(latest_per_school([old, new])).loc["A", "leadership"] == 4.0


def test_distributions_and_benchmarking(three_schools) -> None:
    scores = principle_scores(three_schools)
    summary = distributions(scores)
    assert summary.loc["leadership", "median"] == 1.0
    assert summary.loc["leadership", "schools"] == 3
    assert summary.loc["curriculum", "schools"] == 0
    diff = against_median(scores)
    assert diff.loc["A", "leadership"] == 2.0 and diff.loc["C", "leadership"] == -1.0
    position = school_position(scores, "B")
    assert position.loc["ethos", "score"] == 3.0
    assert position.loc["ethos", "cohort_median"] == 2.0
    assert position.loc["ethos", "difference"] == 1.0
    assert position.loc["ethos", "percentile"] == 100
    with pytest.raises(KeyError, match="no school labelled 'Z'"):
        school_position(scores, "Z")


def test_plots_show_every_principle(three_schools) -> None:
    scores = principle_scores(three_schools)
    fig = plot_distributions(scores)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [p.short_name for p in FRAMEWORK.principles]
    fig = plot_school(scores, "A")
    assert len(fig.axes[0].patches) == len(FRAMEWORK.principles)


def test_load_cohort_reports_bad_files_and_keeps_them(tmp_path: Path, three_schools) -> None:
    for record in three_schools:
        save_record(record, tmp_path / f"{record.school}.json")
    bad = tmp_path / "broken.json"
    bad.write_text('{"kind": "audit", "school": "D"', encoding="utf-8")
    before = bad.read_bytes()
    plan = json.loads((Path(__file__).parent / "data" / "records" / "plan.json").read_text())
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    view = load_cohort([tmp_path])
    assert list(view.scores.index) == ["A", "B", "C"]
    assert len(view.problems) == 1 and view.problems[0].startswith(f"{bad}: ")
    assert view.skipped == 1
    assert bad.read_bytes() == before


def test_trainer_cohort_command(tmp_path: Path, three_schools) -> None:
    for record in three_schools:
        save_record(record, tmp_path / "records" / f"{record.school}.json")
    result = CliRunner().invoke(
        main,
        [
            "trainer",
            "cohort",
            str(tmp_path / "records"),
            "--school",
            "A",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 schools (0 files with problems)" in result.output
    assert "A against the cohort median:" in result.output
    saved = pd.read_csv(tmp_path / "out" / "cohort-scores.csv", index_col="school")
    assert saved.loc["A", "leadership"] == 3.0
    for name in ("cohort-distributions.png", "school-vs-cohort.png"):
        assert (tmp_path / "out" / name).read_bytes()[:4] == b"\x89PNG"


#: School labels a spreadsheet would run as formulas (after spaces or a tab too).
FORMULA_LABELS = ["=SUM(1,2)", "+1+2", "-2+3", "@risk", "\t=TAB()", "  =SPACES()"]


def test_trainer_cohort_csv_files_are_formula_safe(tmp_path: Path) -> None:
    """Schools labelled like formulas, written as files a lead could send in and read by the
    real command: in the CSV files every such label starts with an apostrophe."""
    records = tmp_path / "records"
    records.mkdir()
    labels = [*FORMULA_LABELS, "Oak Hill Primary"]
    for number, label in enumerate(labels):
        record = {
            "kind": "audit",
            "schema_version": 1,
            "school": label,
            "framework_version": FRAMEWORK.version,
            "date": "2026-10-01",
            "ratings": {"leadership.1": {"rating": number % 5, "note": ""}},
        }
        (records / f"school-{number}.json").write_text(json.dumps(record), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["trainer", "cohort", str(records), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(labels)} schools (0 files with problems)" in result.output
    for name in ("cohort-scores.csv", "cohort-vs-median.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        cells = {row["school"] for row in rows}
        assert len(rows) == len(labels), name
        for label in FORMULA_LABELS:
            (cell,) = [c for c in cells if c.removeprefix("'").strip() == label.strip()]
            assert cell.startswith("'"), f"{name}: {cell!r} would run as a formula"
        assert "Oak Hill Primary" in cells  # ordinary text is left as it is
        assert {row["leadership"] for row in rows if row["school"] == "Oak Hill Primary"} != {""}


def test_ten_thousand_records_aggregate_correctly() -> None:
    """Correctness at scale only: the speed (goal < 1 s) is measured and printed next to its
    goal by ``benchmarks/autograde.py`` (a timing inside a unit test fails on a busy machine)."""
    records = example_cohort(10_000, seed=1)
    scores = principle_scores(latest_per_school(records))
    assert len(distributions(scores)) == len(FRAMEWORK.principles)
    assert len(against_median(scores)) == 10_000
    assert len(scores) == 10_000
    first = records[0].rated()
    for principle in FRAMEWORK.principles:  # one school, checked the slow, obvious way
        values = [v for k, v in first.items() if k.startswith(principle.id + ".")]
        assert scores.iloc[0][principle.id] == pytest.approx(sum(values) / len(values))


def test_every_school_scores_as_worked_out_by_hand() -> None:
    """All schools, not only the first: each principle's mean of the rated indicators; an
    unrated indicator, and one this framework does not have, count for nothing."""
    records = example_cohort(300, seed=3)
    records[0].ratings["leadership.99"] = records[0].ratings["leadership.1"].model_copy()
    records[1].ratings = {}
    scores = principle_scores(records)
    for row, record in enumerate(records):
        rated = record.rated()
        for principle in FRAMEWORK.principles:
            ids = {i.id for i in principle.indicators}
            values = [v for k, v in rated.items() if k in ids]
            expected = sum(values) / len(values) if values else np.nan
            assert scores.iloc[row][principle.id] == pytest.approx(expected, nan_ok=True)
    assert scores.iloc[1].isna().all()
