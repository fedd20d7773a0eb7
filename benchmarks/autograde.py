"""Autograde a cohort of 30 synthetic submissions: plain nbgrader vs our parallel autograde.

Both runs use the real command lines on identical copies of a course folder:
``nbgrader autograde identifying-need`` with nbgrader's own steps (one process, one notebook at
a time, each kernel started when its notebook is reached) and ``wholeschool trainer autograde
identifying-need`` (students spread over worker processes, each keeping a kernel started
ahead).
The scores of the two gradebooks are compared, then the cohort view's aggregation of 10,000
audit records is timed.

    .venv/bin/python benchmarks/autograde.py [--students 30] [--workers 2]
    .venv/bin/python benchmarks/autograde.py --only cohort   # the cohort view alone, seconds

Figures vary with machine load; quote them as ratios and say how busy the machine was. The
cohort read spreads over worker processes, which help only where cores are idle: with Linux's
autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``) the processes of one session
share that session's part of a busy machine, so there the two reads take about as long.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader_course import ASSIGNMENT, released_course

ROOT = Path(__file__).resolve().parents[1]
CASES = ("perfect", "partial", "blank", "edited-tests", "sys-exit")


def env() -> dict[str, str]:
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}


#: The goals of issue 23.
SPEEDUP_GOAL = 3.0
COHORT_FILES_GOAL = 1.0


def make_course(folder: Path, students: int, plain: bool = False) -> Path:
    """A course folder with one released assignment and ``students`` submissions."""
    fixtures = ROOT / "tests" / "data" / "submissions"
    submissions = {f"lead{i:02d}": fixtures / CASES[i % len(CASES)] for i in range(students)}
    return released_course(folder, submissions, plain=plain)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall clock, CPU user+sys of the command and every process it started) seconds."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env())
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds, cpu


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook
    from wholeschool.grading.autograde import course_directory

    coursedir = course_directory(course)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        return {s.student_id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}


def cohort_timing(n: int = 10_000) -> tuple[float, float]:
    """(first, best of 3) seconds to aggregate ``n`` audit records into the cohort view."""
    from wholeschool.grading.cohort import (
        against_median,
        distributions,
        example_cohort,
        latest_per_school,
        principle_scores,
    )

    records = example_cohort(n, seed=1)
    timings = []
    for _ in range(4):
        start = time.perf_counter()
        table = principle_scores(latest_per_school(records))
        distributions(table)
        against_median(table)
        timings.append(time.perf_counter() - start)
    return timings[0], min(timings[1:])


def cohort_files_timing(n: int = 10_000, workers: int | None = None) -> tuple[float, float]:
    """Seconds (wall clock, then CPU of this process and its worker processes) to read,
    validate and aggregate ``n`` audit record files from disk."""
    from wholeschool.grading.cohort import example_cohort, load_cohort

    with tempfile.TemporaryDirectory(prefix="wholeschool-cohort-") as folder:
        for record in example_cohort(n, seed=2):
            Path(folder, f"{record.school}.json").write_text(record.model_dump_json())
        start, cpu = time.perf_counter(), time.process_time() + _children_cpu()
        view = load_cohort([folder], workers=workers)
        seconds = time.perf_counter() - start
        cpu = time.process_time() + _children_cpu() - cpu
    assert len(view.scores) == n and not view.problems
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--only",
        choices=("autograde", "cohort"),
        help="run one part: the autograde comparison or the cohort view (a few seconds)",
    )
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    same = True
    if args.only != "cohort":
        same = autograde_comparison(args.students, args.workers)
    if args.only != "autograde":
        cohort_report()
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if not same:
        raise SystemExit("the two gradebooks disagree")


def autograde_comparison(students: int, workers: int) -> bool:
    """Time both autograde runs and print them; True if both gradebooks hold the same scores."""
    with tempfile.TemporaryDirectory(prefix="wholeschool-bench-") as tmp:
        sequential = make_course(Path(tmp) / "sequential", students, plain=True)
        parallel = make_course(Path(tmp) / "parallel", students)
        seq, seq_cpu = timed(
            [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], sequential
        )
        par, par_cpu = timed(
            [
                str(Path(sys.executable).parent / "wholeschool"),
                "trainer",
                "--course",
                str(parallel),
                "autograde",
                ASSIGNMENT,
                "--workers",
                str(workers),
            ],
            parallel,
        )
        same = scores(sequential) == scores(parallel)
    print(f"{students} submissions of {ASSIGNMENT}:")
    print(f"  nbgrader autograde (sequential):      {seq:6.1f} s (CPU {seq_cpu:.1f} s)")
    print(
        f"  wholeschool trainer autograde ({workers} workers): {par:6.1f} s (CPU {par_cpu:.1f} s)"
    )
    print(
        f"  speedup: {seq / par:.2f}x (goal: at least {SPEEDUP_GOAL:g}x)   "
        f"same scores in both gradebooks: {same}"
    )
    return same


def cohort_report() -> None:
    """Time the cohort view (in memory, then from files: over every core, then in one
    process) and print it."""
    from wholeschool.store.bulk import cores

    first, best = cohort_timing()
    print(f"Cohort view, 10,000 audit records: {best:.3f} s (best of 3; first run {first:.3f} s)")
    files, cpu = cohort_files_timing()
    print(
        f"  the same read from 10,000 files and validated first, over {cores()} cores: "
        f"{files:.2f} s "
        f"(goal: under {COHORT_FILES_GOAL:g} s; CPU time {cpu:.2f} s, "
        f"load average {os.getloadavg()[0]:.2f})"
    )
    files, cpu = cohort_files_timing(workers=1)
    print(
        f"  the same in one process: {files:.2f} s (CPU time {cpu:.2f} s, "
        f"load average {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main()
