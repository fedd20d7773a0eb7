"""The calibration exercise on the trainer's cohort page: which setting the cohort rates, the
leads' ratings read from the exchange, and the cohort's spread beside the moderated ratings.

Each lead's file is read with the trainer's own rights and counted only when the lead's own
account made it; it is checked like any rater file (:func:`wholeschool.store.team.read_rater_bytes`)
and a file that fails is named on the page with why, never counted; nothing in the exchange is
changed. Each lead's newest file counts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.calibration import CalibrationSetting, calibration_settings
from ..core.cohort_calibration import CohortCalibration, cohort_calibration
from ..core.errors import RecordError
from ..core.framework import FRAMEWORK, Framework
from ..core.records import RaterRecord
from ..store import RecordFolder
from ..store.calibration_exercise import RATINGS, current_exercise
from ..store.team import RATER_LIMITS, read_rater_bytes
from .cohort_status import _trusted, owner_name

_FILE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\+([a-z][a-z-]{0,30})\+[0-9a-f]{16}\.json$")


@dataclass(frozen=True)
class CohortExercise:
    """What the cohort page's calibration section shows."""

    settings: dict[str, CalibrationSetting]
    setting: CalibrationSetting | None = None
    result: CohortCalibration | None = None
    refused: tuple[str, ...] = field(default=())


def read_cohort_ratings(
    folder: Path, setting: CalibrationSetting, framework: Framework = FRAMEWORK
) -> tuple[dict[str, RaterRecord], list[str]]:
    """Lead → their newest valid ratings of ``setting``; and each refused file, in words."""
    checker = RecordFolder(folder, history=False, framework=framework)
    newest: dict[str, tuple[float, RaterRecord]] = {}
    refused: list[str] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return {}, []
    for entry in entries:
        match = _FILE.match(entry.name)
        if match is None:
            refused.append(
                "A file the course does not make was left in the ratings folder: not read."
            )
            continue
        lead, setting_id = match[1], match[2]
        if setting_id != setting.id:
            continue  # sent for a setting the cohort rated before
        path = Path(entry.path)
        if not _trusted(path, lead):
            refused.append(
                f"A file in {lead}'s name was made by another account ({owner_name(path)}): "
                "not counted."
            )
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                raise RecordError(path, None, "is not a plain file")
            info = entry.stat(follow_symlinks=False)
            raw = _read(path, info.st_size)
            record = read_rater_bytes(raw, f"{lead}'s ratings", checker, setting.name)
        except RecordError as error:
            refused.append(f"{lead}'s ratings were not counted: {error.problem}.")
            continue
        except OSError:
            refused.append(f"{lead}'s ratings could not be read: not counted.")
            continue
        if lead not in newest or info.st_mtime > newest[lead][0]:
            newest[lead] = (info.st_mtime, record)
    return {lead: record for lead, (_t, record) in newest.items()}, refused


def _read(path: Path, size: int) -> bytes:
    if size > RATER_LIMITS.max_bytes:
        raise RecordError(path, None, f"is too large ({size:,} bytes)")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    try:
        return os.read(fd, RATER_LIMITS.max_bytes + 1)
    finally:
        os.close(fd)


def cohort_exercise(course: Path | None, framework: Framework = FRAMEWORK) -> CohortExercise:
    """The exercise's state for the cohort page (``course``: the exchange's course folder)."""
    settings = calibration_settings()
    if course is None:
        return CohortExercise(settings)
    try:
        setting = current_exercise(course)
    except RecordError as error:
        return CohortExercise(
            settings, refused=(f"The choice of setting {error.problem}: choose again.",)
        )
    if setting is None:
        return CohortExercise(settings)
    ratings, refused = read_cohort_ratings(course / RATINGS, setting, framework)
    result = cohort_calibration(setting, ratings, framework)
    return CohortExercise(settings, setting, result, tuple(refused))
