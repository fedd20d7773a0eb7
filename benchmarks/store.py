"""The record store under load: save latency with the lock, and a stress run of many writers.

Usage: python benchmarks/store.py [--saves N] [--processes P] [--latency-runs N]

Prints, each next to its goal:
* the median and 95th percentile time of one save (lock, version, atomic write; local disk),
  goal: median < 5 ms;
* a stress run: P processes x N saves of ONE shared record (read-change-write under the lock,
  each process changing its own indicators) and of one record EACH; then counts lost updates,
  duplicate version numbers and files that do not load. Goal: 0, 0, 0;
* how long ``import wholeschool.cli`` takes in a fresh interpreter, goal < 0.3 s.
Works in a temporary folder; nothing else is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wholeschool import FRAMEWORK, AuditRecord, IndicatorRating
from wholeschool.core.clock import fixed_clock
from wholeschool.store import RecordFolder

CLOCK = fixed_clock(dt.date(2026, 6, 1))
INDICATORS = list(FRAMEWORK.indicator_by_id)


def record(n: int, school: str = "Oak") -> AuditRecord:
    return AuditRecord(
        school=school,
        framework_version=FRAMEWORK.version,
        date=dt.date(2026, 6, 1),
        ratings={INDICATORS[n % len(INDICATORS)]: IndicatorRating(rating=n % 5, note=f"save {n}")},
    )


def latency(folder: Path, runs: int) -> list[float]:
    store = RecordFolder(folder, clock=CLOCK)
    times = []
    for n in range(runs):
        start = time.perf_counter()
        store.save(record(n), "audit.json")
        times.append(time.perf_counter() - start)
    return times


def shared_writer(folder: str, worker: int, processes: int, saves: int) -> None:
    store = RecordFolder(folder, clock=CLOCK)
    mine = INDICATORS[worker::processes]
    for n in range(saves):
        key = mine[n % len(mine)]

        def change(current, key=key, n=n):
            ratings = dict(current.ratings) if current else {}
            ratings[key] = IndicatorRating(rating=n % 5, note=f"{worker}:{n}")
            return AuditRecord(
                school="Oak",
                framework_version=FRAMEWORK.version,
                date=dt.date(2026, 6, 1),
                ratings=ratings,
            )

        store.update("shared.json", AuditRecord, change)


def own_writer(folder: str, worker: int, processes: int, saves: int) -> None:
    store = RecordFolder(folder, clock=CLOCK)
    for n in range(saves):
        store.save(record(n, f"School {worker}"), f"own-{worker}.json")


def run(target, folder: Path, processes: int, saves: int) -> float:
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=target, args=(str(folder), w, processes, saves))
        for w in range(processes)
    ]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a writer failed (exit code {worker.exitcode})")
    return time.perf_counter() - start


def check(folder: Path, processes: int, saves: int) -> tuple[int, int, int, int]:
    """Lost updates, duplicate version numbers, files that do not load, versions checked."""
    store = RecordFolder(folder, clock=CLOCK)
    lost = duplicates = corrupt = checked = 0
    final = store.read("shared.json", AuditRecord)
    for worker in range(processes):
        mine = INDICATORS[worker::processes]
        for n in range(saves - len(mine), saves):
            if final.ratings[mine[n % len(mine)]].note != f"{worker}:{n}":
                lost += 1
    names = ["shared.json", *(f"own-{w}.json" for w in range(processes))]
    for name in names:
        numbers = [v.number for v in store.versions(name)]
        duplicates += len(numbers) - len(set(numbers))
        expected = processes * saves if name == "shared.json" else saves
        lost += max(0, expected - len(numbers))
        for version in store.versions(name):
            checked += 1
            try:
                store.read_version(version)
            except Exception:  # noqa: BLE001 - counted, not raised
                corrupt += 1
    corrupt += len(list(folder.rglob("*.tmp")))
    return lost, duplicates, corrupt, checked


def import_time() -> float:
    code = "import time; s = time.perf_counter(); import wholeschool.cli; print(time.perf_counter() - s)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--latency-runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times = sorted(latency(Path(tmp), args.latency_runs))
        median = statistics.median(times) * 1000
        p95 = times[int(0.95 * (len(times) - 1))] * 1000
        print(f"save latency (lock + version + atomic write), {len(times)} saves:")
        print(
            f"  median {median:6.2f} ms   p95 {p95:6.2f} ms   goal: median < 5 ms   {'met' if median < 5 else 'MISSED'}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shared = run(shared_writer, folder, args.processes, args.saves)
        own = run(own_writer, folder, args.processes, args.saves)
        lost, duplicates, corrupt, checked = check(folder, args.processes, args.saves)
        total = args.processes * args.saves
        print(
            f"stress: {args.processes} processes x {args.saves} saves of one shared record ({shared:.1f} s, {total / shared:.0f} saves/s)"
        )
        print(
            f"        and of one record each ({own:.1f} s, {total / own:.0f} saves/s); {checked} versions read back"
        )
        print(
            f"  lost updates {lost}   duplicate versions {duplicates}   corrupt files {corrupt}   goal: 0 0 0   {'met' if lost == duplicates == corrupt == 0 else 'MISSED'}"
        )
    seconds = import_time()
    print(
        f"import wholeschool.cli: {seconds:.3f} s (median of 5)   goal: < 0.3 s   {'met' if seconds < 0.3 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
