"""The course folder and the autograde results file: what ``wholeschool trainer autograde``
needs besides nbgrader, kept free of pandas so the command starts grading without loading it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core.errors import WholeschoolError
from ..render.blocks import Table
from ..render.sheets import csv_bytes
from ..store.atomic import write_atomic
from .autograde import GradeResult

RESULTS_FILE = "autograde.csv"


class GradingError(WholeschoolError):
    """A step of the trainer's cycle could not be done; the message says why."""


def find_course(course: Path | None) -> Path:
    """The course folder: ``--course``, else this folder or ``./assessments`` if either has an
    ``nbgrader_config.py``."""
    candidates = [course] if course else [Path.cwd(), Path.cwd() / "assessments"]
    for folder in candidates:
        if (folder / "nbgrader_config.py").is_file():
            return folder.resolve()
    where = course or "this folder or ./assessments"
    raise GradingError(f"no nbgrader_config.py in {where}; pass --course FOLDER")


def write_results(root: Path, assignment: str, results: Sequence[GradeResult]) -> Path:
    """``reports/<assignment>/autograde.csv``: one row per student, graded or not and why."""
    path = root / "reports" / assignment / RESULTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    table = Table(
        ["student", "graded", "reason", "notes", "attempts", "seconds"],
        [
            [r.student, r.graded, r.reason, "; ".join(r.notes), r.attempts, round(r.seconds, 2)]
            for r in results
        ],
    )
    return write_atomic(path, csv_bytes(table))
