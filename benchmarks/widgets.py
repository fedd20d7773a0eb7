"""Time the self-audit widget, a rating change reaching the disk, and the action plan exports.

Usage: python benchmarks/widgets.py [--runs N]

Prints, for each measurement, the first (cold) run, the median of the following runs, and the
median as a fraction of its target. Works in a temporary records folder seeded with the test
fixture audit; the lead's own records are never touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "records" / "audit.json"


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """(first run, median of the next ``runs`` runs), in seconds."""
    start = time.perf_counter()
    action()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def report(name: str, first: float, median: float, target: float) -> None:
    print(
        f"{name:<48} first {first * 1000:8.1f} ms   median {median * 1000:8.1f} ms   "
        f"target {target * 1000:5.0f} ms   median/target {median / target:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    start = time.perf_counter()
    from wholeschool import AuditRecord
    from wholeschool.core.planning import draft_plan
    from wholeschool.reports.plan_export import export_plan
    from wholeschool.store import RecordFolder
    from wholeschool.ui.audit_form import audit
    from wholeschool.ui.looks import UNRATED

    print(f"import the audit form and the plan: {(time.perf_counter() - start) * 1000:.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        folder = RecordFolder(tmp)
        shutil.copy(FIXTURE, folder.file("audit.json"))

        first, median = timed(lambda: audit(None, folder, delay=0, evidence=False), runs)
        report("build the eight-principle audit widget", first, median, 0.300)

        form = audit(None, folder, delay=0, evidence=False)
        row = form.rows["ethos.3"]
        values = [0, 1, 2, 3, 4, UNRATED]
        state = {"n": 0}

        def change() -> None:
            state["n"] += 1
            row.rating.value = values[state["n"] % len(values)]

        before = folder.file("audit.json").stat().st_mtime_ns
        first, median = timed(change, runs)
        assert folder.file("audit.json").stat().st_mtime_ns != before, "nothing was saved"
        report("rating change -> record saved (no debounce)", first, median, 0.050)

        saved = folder.read("audit.json", AuditRecord)
        out = folder.path / "exports"
        today = dt.date(2026, 10, 1)

        def plan_and_export() -> None:
            plan, _message = draft_plan(saved, today=today, limit=len(saved.ratings))
            export_plan(plan, out, saved)

        first, median = timed(plan_and_export, max(3, runs // 4))
        report("plan for a full audit + CSV/xlsx/md/docx", first, median, 1.0)
        plan, _ = draft_plan(saved, today=today, limit=len(saved.ratings))
        print(f"(full plan: {len(plan.actions)} actions; machine shared with other jobs)")


if __name__ == "__main__":
    main()
