"""Time the governor report for a full school year, in both formats.

A fictional school's year (self-audit, a plan with 40 actions, 3 termly logs, 100 evidence
entries) is written to a temporary folder; each run reads the folder, computes the report,
draws the charts and writes the file, in-process (the target is < 2 s per format). The command
line (`wholeschool report governors`) is timed once too: it adds Python start-up and imports.

Usage: python benchmarks/reports.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wholeschool.reports.governors import build_report, write_report
from wholeschool.store.sample_year import write_sample_year

TARGET = 2.0


def time_format(folder: Path, out: Path) -> float:
    start = time.perf_counter()
    write_report(build_report(folder), out)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per format")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_sample_year(Path(tmp) / "records", actions=40, evidence=100, logs=3)
        time_format(folder, Path(tmp) / "warm-up.html")  # first chart pays for font loading
        for suffix in ("html", "docx"):
            times = [time_format(folder, Path(tmp) / f"report.{suffix}") for _ in range(args.runs)]
            median = statistics.median(times)
            size = (Path(tmp) / f"report.{suffix}").stat().st_size
            verdict = "ok" if median < TARGET else "SLOWER THAN TARGET"
            print(
                f"{suffix:>4}: median {median:.2f} s, max {max(times):.2f} s over {args.runs} runs "
                f"({size / 1024:.0f} KiB) - target < {TARGET:.0f} s: {verdict} "
                f"({TARGET / median:.1f}x headroom)",
                flush=True,
            )
        cli = Path(sys.executable).with_name("wholeschool")
        start = time.perf_counter()
        subprocess.run(
            [
                str(cli),
                "report",
                "governors",
                "--records",
                str(folder),
                "--out",
                str(Path(tmp) / "cli.docx"),
            ],
            check=True,
            capture_output=True,
        )
        print(
            f" cli: {time.perf_counter() - start:.2f} s for .docx, including start-up and imports"
        )


if __name__ == "__main__":
    main()
