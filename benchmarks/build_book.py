"""Time a cold build of the book and a rebuild with no change (execution cache + Sphinx env).

Usage: python benchmarks/build_book.py [--runs N]
Builds into a temporary folder, so the project's own _build is left alone, with an empty
throwaway records folder (as `make book` does), so no lead's records reach the pages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).with_name("jupyter-book")


def build(output: Path, records: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(JB), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(output)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "WHOLESCHOOL_RECORDS": str(records)},
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="cold/rebuild pairs to time")
    args = parser.parse_args()
    cold, warm = [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out, records = Path(tmp) / "out", Path(tmp) / "records"
            records.mkdir()
            cold.append(build(out, records))
            warm.append(build(out, records))
        print(
            f"run {run + 1}: cold {cold[-1]:.2f} s, no-change rebuild {warm[-1]:.2f} s", flush=True
        )
    c, w = statistics.median(cold), statistics.median(warm)
    print(f"median cold build: {c:.2f} s")
    print(f"median no-change rebuild: {w:.2f} s")
    print(f"rebuild speed-up: {c / w:.1f}x")


if __name__ == "__main__":
    main()
