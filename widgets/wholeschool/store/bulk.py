"""Read thousands of record files at once, spread over the machine's cores.

A trainer's cohort view reads every school's audit (10,000 in the benchmark). Validating a
file is pure Python and pydantic work, so one process keeps one core busy; with many files
the list is cut into chunks and worker processes, forked from this one (nothing to import
again), each read their chunks with :func:`~wholeschool.store.reader.load_files`: the very
same guarded read and checks as :func:`~wholeschool.store.scan_records` (size cap, strict
JSON, control characters, framework version...). A worker sends back only what the caller's
``summarise`` keeps of a chunk (a few numbers per record, not the records), since copying
records between processes would cost as much as reading them.

Workers are used only where forking is safe and worth it: many files, more than one core, a
system that forks, and no other thread running in this process (a Jupyter kernel has several;
a forked child could inherit one of their locks held), else every chunk is read here.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Generic, TypeVar

from ..core.clock import Clock, system_clock, today
from ..core.errors import RecordError
from ..core.framework import FRAMEWORK, Framework
from .reader import Loaded, load_files, record_file_names

T = TypeVar("T")
#: What a scan keeps of a chunk of files, given the framework they were read against.
Summarise = Callable[[list[Loaded], Framework], T]

#: Below this many files one process reads them all: starting workers would cost more.
PARALLEL_FROM = 2_000
#: Chunks per worker: several, so a worker slowed by other work on its core takes fewer.
CHUNKS_PER_WORKER = 4


class _Job(Generic[T]):
    """What every chunk of one scan needs, handed to the forked workers by inheritance."""

    def __init__(self, summarise: Summarise[T], day: dt.date, framework: Framework) -> None:
        self.summarise, self.day, self.framework = summarise, day, framework

    def __call__(self, files: Sequence[str]) -> T:
        loaded = load_files(map(Path, files), today=self.day, framework=self.framework)
        return self.summarise(loaded, self.framework)


#: The job of the scan under way, set in this process before the workers fork from it.
_JOB: _Job | None = None


def _run_chunk(files: Sequence[str]) -> object:
    assert _JOB is not None, "workers are forked after the job is set"
    return _JOB(files)


def cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """True if worker processes may be forked from this one (see the module's note)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def scan_summaries(
    paths: Iterable[str | os.PathLike[str]],
    summarise: Summarise[T],
    *,
    clock: Clock = system_clock,
    framework: Framework = FRAMEWORK,
    workers: int | None = None,
) -> tuple[list[T], list[RecordError]]:
    """Read every record under ``paths`` (files or folders) and summarise it chunk by chunk.

    Returns ``summarise``'s result for each chunk of files, in file order (each chunk's
    :class:`Loaded` in file order too), and the problems met while listing the folders (a
    sub-folder that cannot be read, a folder named like a record). ``summarise`` must be a
    module-level function and return something picklable; ``workers`` (default: the cores
    this process may use) caps the worker processes.
    """
    problems: list[RecordError] = []
    files = record_file_names(paths, problems)
    job = _Job(summarise, today(clock), framework)
    workers = min(workers or cores(), len(files) // (PARALLEL_FROM // 2) or 1)
    if workers < 2 or len(files) < PARALLEL_FROM or not can_fork():
        return [job(files)], problems
    size = -(-len(files) // (workers * CHUNKS_PER_WORKER))
    chunks = [files[start : start + size] for start in range(0, len(files), size)]
    global _JOB
    _JOB = job
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_run_chunk, chunks)), problems
    finally:
        _JOB = None
