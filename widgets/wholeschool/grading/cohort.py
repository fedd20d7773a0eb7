"""The cohort view: many schools' self-audits side by side, for trainers and MAT leads.

Schools appear only under the labels their leads chose (anonymise them before sharing). Each
school's latest audit gives it one score per principle: the mean rating of the indicators it
rated. From those come per-principle distributions across the cohort and each school's
position against the cohort median (benchmarking), as tables and plots.

Built for scale: ratings go straight into a NumPy array (no per-rating Python objects beyond
the records themselves), so 10,000 audits aggregate in well under a second.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import attrgetter

import numpy as np
import pandas as pd

from ..core.framework import FRAMEWORK, Framework
from ..core.records import AuditRecord, IndicatorRating
from ..store import Loaded
from ..store.bulk import scan_summaries

_RATING = attrgetter("rating")


@dataclass(frozen=True)
class Cohort:
    """Per-school principle scores, and the files that could not be used (with reasons)."""

    scores: pd.DataFrame
    problems: list[str]
    skipped: int = 0


def latest_per_school(records: Iterable[AuditRecord]) -> list[AuditRecord]:
    """Each school's most recent audit (the later file wins a tie on date)."""
    latest: dict[str, AuditRecord] = {}
    for record in records:
        current = latest.get(record.school)
        if current is None or record.date >= current.date:
            latest[record.school] = record
    return [latest[school] for school in sorted(latest)]


def principle_scores(
    records: Sequence[AuditRecord], framework: Framework = FRAMEWORK
) -> pd.DataFrame:
    """Schools down, principles across: the mean rating of each principle's rated indicators.

    A principle with no rated indicator is NaN for that school. Schools are taken as given;
    call ``latest_per_school`` first if a school may have several audits.
    """
    return _principle_means(
        rating_matrix(records, framework), [record.school for record in records], framework
    )


def rating_matrix(records: Sequence[AuditRecord], framework: Framework = FRAMEWORK) -> np.ndarray:
    """Records down, the framework's indicators across (in its order): each rating, NaN where
    there is none. An indicator this framework does not have is left out."""
    columns = [ind.id for p in framework.principles for ind in p.indicators]
    position = {indicator: i for i, indicator in enumerate(columns)}
    # C-speed maps, not a Python loop per rating: 10,000 audits hold 600,000 ratings. An
    # indicator this framework does not have goes to a spare last column, dropped below.
    spare = len(position)
    cols = np.fromiter(
        chain.from_iterable(map(position.get, r.ratings, repeat(spare)) for r in records),
        dtype=np.intp,
    )
    values = np.array(  # an unrated indicator (None) becomes NaN
        list(chain.from_iterable(map(_RATING, r.ratings.values()) for r in records)), dtype=float
    )
    rows = np.repeat(np.arange(len(records)), [len(r.ratings) for r in records])
    ratings = np.full((len(records), spare + 1), np.nan)
    ratings[rows, cols] = values
    return ratings[:, :spare]


def _principle_means(
    ratings: np.ndarray, schools: Sequence[str], framework: Framework
) -> pd.DataFrame:
    """The scores table from a :func:`rating_matrix` and the schools of its rows."""
    means = {}
    start = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a school rated none of a principle
        for principle in framework.principles:
            stop = start + len(principle.indicators)
            means[principle.id] = np.nanmean(ratings[:, start:stop], axis=1)
            start = stop
    return pd.DataFrame(means, index=pd.Index(list(schools), name="school"))


@dataclass(frozen=True)
class _Audits:
    """What the cohort keeps of a chunk of files: each audit's school, date and ratings (a
    :func:`rating_matrix`), the problems (as the lines shown) and how many were not audits.
    Small to send back from a worker process, unlike the records themselves."""

    schools: list[str]
    dates: list[dt.date]
    ratings: np.ndarray
    problems: list[str]
    skipped: int


def _keep_audits(loaded: list[Loaded], framework: Framework) -> _Audits:
    audits, problems, skipped = [], [], 0
    for item in loaded:
        if item.error is not None:
            problems.append(str(item.error))
        elif isinstance(item.record, AuditRecord):
            audits.append(item.record)
        else:
            skipped += 1
    return _Audits(
        [record.school for record in audits],
        [record.date for record in audits],
        rating_matrix(audits, framework),
        problems,
        skipped,
    )


def load_cohort(
    paths: Iterable[str | os.PathLike[str]],
    framework: Framework = FRAMEWORK,
    workers: int | None = None,
) -> Cohort:
    """Read every audit record under ``paths`` (files or folders) into a cohort.

    Files that fail to load are listed in ``problems`` (file and field) and left untouched;
    records of other kinds (plans, progress logs) are counted in ``skipped``. Many files are
    read over several cores (see :mod:`wholeschool.store.bulk`; ``workers`` caps them).
    """
    chunks, walk_problems = scan_summaries(
        paths, _keep_audits, framework=framework, workers=workers
    )
    schools = [school for chunk in chunks for school in chunk.schools]
    dates = [date for chunk in chunks for date in chunk.dates]
    latest: dict[str, int] = {}  # as latest_per_school: the later file wins a tie on date
    for row, (school, date) in enumerate(zip(schools, dates, strict=True)):
        current = latest.get(school)
        if current is None or date >= dates[current]:
            latest[school] = row
    order = [latest[school] for school in sorted(latest)]
    ratings = np.concatenate([chunk.ratings for chunk in chunks])[order]
    problems = [line for chunk in chunks for line in chunk.problems]
    problems += [str(problem) for problem in walk_problems]
    return Cohort(
        _principle_means(ratings, [schools[row] for row in order], framework),
        sorted(problems),
        sum(chunk.skipped for chunk in chunks),
    )


def distributions(scores: pd.DataFrame) -> pd.DataFrame:
    """Per principle: schools scored, mean, quartiles, min and max across the cohort."""
    summary = scores.describe().T
    return summary.rename(columns={"count": "schools", "50%": "median"})


def against_median(scores: pd.DataFrame) -> pd.DataFrame:
    """Each school's principle scores minus the cohort median (positive: above the median)."""
    return scores - scores.median()


def school_position(scores: pd.DataFrame, school: str) -> pd.DataFrame:
    """One school against the cohort: its score, the median, the difference and its percentile."""
    if school not in scores.index:
        raise KeyError(f"no school labelled {school!r} in the cohort")
    row = scores.loc[school]
    percentile = (scores.rank(pct=True).loc[school] * 100).round(0)
    return pd.DataFrame(
        {
            "score": row,
            "cohort_median": scores.median(),
            "difference": row - scores.median(),
            "percentile": percentile,
        }
    ).rename_axis("principle")


def plot_distributions(scores: pd.DataFrame, framework: Framework = FRAMEWORK):
    """Box plots of the principle scores across the cohort; returns the matplotlib figure."""
    from matplotlib.figure import Figure

    names = {p.id: p.short_name for p in framework.principles}
    data = [scores[column].dropna().to_numpy() for column in scores.columns]
    fig = Figure(figsize=(9, 4.5), layout="constrained")
    ax = fig.add_subplot()
    labels = [names.get(c, c) for c in scores.columns]
    try:
        ax.boxplot(data, orientation="horizontal", tick_labels=labels)
    except TypeError:  # matplotlib < 3.10
        ax.boxplot(data, vert=False, labels=labels)
    ax.set_xlim(0, framework.max_rating)
    ax.invert_yaxis()
    ax.set_xlabel(f"Mean rating (0–{framework.max_rating})")
    ax.set_title(f"Where {len(scores)} schools stand on each principle")
    return fig


def plot_school(scores: pd.DataFrame, school: str, framework: Framework = FRAMEWORK):
    """One school's principle scores as bars, with the cohort median marked on each."""
    from matplotlib.figure import Figure

    position = school_position(scores, school)
    names = [next(p.short_name for p in framework.principles if p.id == i) for i in position.index]
    fig = Figure(figsize=(9, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(names, position["score"], color="#2a6f97", label=school)
    ax.scatter(
        position["cohort_median"], names, color="#d62828", marker="|", s=400, label="cohort median"
    )
    ax.set_xlim(0, framework.max_rating)
    ax.invert_yaxis()
    ax.set_xlabel(f"Mean rating (0–{framework.max_rating})")
    ax.legend(loc="lower right")
    ax.set_title(f"{school} against the cohort")
    return fig


def example_cohort(n: int, seed: int = 0, framework: Framework = FRAMEWORK) -> list[AuditRecord]:
    """``n`` invented audits ("School 0001", ...) with random ratings, for demos and benchmarks."""
    rng = np.random.default_rng(seed)
    indicators = [ind.id for p in framework.principles for ind in p.indicators]
    ratings = rng.integers(0, framework.max_rating + 1, size=(n, len(indicators)))
    ratings[rng.random((n, len(indicators))) < 0.1] = -1  # about one in ten left unrated
    # One shared (never mutated) rating object per value keeps 10,000 audits quick to make.
    shared = {
        v: IndicatorRating.model_construct(rating=v, note="")
        for v in range(framework.max_rating + 1)
    }
    shared[-1] = IndicatorRating.model_construct(rating=None, note="")
    width = len(str(n))
    start = dt.date(2026, 9, 1)
    return [
        AuditRecord.model_construct(
            school=f"School {i + 1:0{width}d}",
            framework_version=framework.version,
            date=start + dt.timedelta(days=i % 60),
            ratings={ind: shared[v] for ind, v in zip(indicators, row.tolist(), strict=True)},
        )
        for i, row in enumerate(ratings)
    ]
