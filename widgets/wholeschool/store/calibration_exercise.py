"""The cohort's calibration exercise in the hub's exchange: the trainer opens it on one
fictional setting; each lead sends their own ratings of it.

In the course's folder of nbgrader's exchange (the trainer's, 0755): ``calibration-exercise.json``
says which setting the cohort rates (only the trainer can write it), and ``calibration-ratings/``
(3733: leads can write to it but not list it, and each file in it takes the trainer's own
group) takes each lead's file, ``<lead>+<setting>+<random>.json``, a rater file made for the
setting, readable by its maker and the trainer's group only (0640), so no lead reads another's.
Whose it is comes from the Unix account that made it, checked when the trainer reads it
(:mod:`wholeschool.grading.cohort_calibration`).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from ..core.calibration import CalibrationSetting, calibration_settings
from ..core.cohort_calibration import Exercise
from ..core.errors import RecordError
from ..core.framework import FRAMEWORK, Framework
from ..core.records import RaterRecord
from .atomic import write_atomic
from .reader import Limits, read_guarded
from .sharing import hub_course

EXERCISE_FILE = "calibration-exercise.json"
RATINGS = "calibration-ratings"
#: Write-only for leads, never listed by them; only a file's maker or the trainer removes it;
#: a file made in it takes the folder's group (the trainer's own), which may read it.
RATINGS_MODE = stat.S_ISVTX | stat.S_ISGID | 0o733
#: A lead's file: theirs, and the trainer's group's to read; no other lead's.
FILE_MODE = 0o640
#: The role every lead's file gives: who rated comes from the file's owner, never its text.
LEAD_ROLE = "Course lead"
EXERCISE_LIMITS = Limits(max_bytes=4_096, max_depth=2)


class ExerciseError(Exception):
    """The exercise could not be opened or the ratings not sent; the message says why."""


def open_exercise(course: Path, setting_id: str, today: dt.date) -> Exercise:
    """The trainer opens (or moves) the exercise to ``setting_id``: the ratings folder is made
    and the choice written; ratings sent for another setting stay but no longer count."""
    if setting_id not in calibration_settings():
        raise ExerciseError("Choose one of the course's fictional settings.")
    exercise = Exercise(setting=setting_id, opened=today)
    folder = course / RATINGS
    folder.mkdir(exist_ok=True)
    if folder.is_symlink() or not folder.is_dir():
        raise ExerciseError("The ratings folder in the exchange is not a folder: move it away.")
    folder.chmod(RATINGS_MODE)
    path = course / EXERCISE_FILE
    write_atomic(path, exercise.model_dump_json(indent=1))
    path.chmod(0o644)
    return exercise


def current_exercise(course: Path) -> CalibrationSetting | None:
    """The setting the cohort is rating, or ``None`` if the trainer has not opened one;
    :class:`RecordError` (naming the file) if the choice file is not one the course makes."""
    path = course / EXERCISE_FILE
    if not os.path.lexists(path):
        return None
    try:
        exercise = Exercise.model_validate_json(read_guarded(path, EXERCISE_LIMITS))
    except ValueError as error:
        raise RecordError(path, None, "could not be read") from error
    setting = calibration_settings().get(exercise.setting)
    if setting is None:
        raise RecordError(path, "setting", "names a setting the course does not have")
    return setting


def lead_exercise() -> tuple[Path, CalibrationSetting] | None:
    """On a lead's server on the hub, the course folder and the setting the cohort rates."""
    course = hub_course()
    if course is None:
        return None
    try:
        setting = current_exercise(course)
    except RecordError:
        return None  # the trainer's page shows the problem; a lead simply sees no exercise
    return (course, setting) if setting is not None else None


def lead_name() -> str:
    """This account's name: the name a lead's file goes under (the trainer checks it)."""
    import pwd  # not in every Python the forms run in (the browser's has none to ask)

    return pwd.getpwuid(os.geteuid()).pw_name


def ratings_record(
    setting: CalibrationSetting,
    ratings: Mapping[str, int | None],
    today: dt.date,
    framework: Framework = FRAMEWORK,
) -> RaterRecord:
    """A lead's ratings of ``setting`` as the rater file they send (ratings only, no notes)."""
    return RaterRecord(
        school=setting.name,
        framework_version=framework.version,
        date=today,
        role=LEAD_ROLE,
        ratings={k: {"rating": v} for k, v in ratings.items() if v is not None},
    )


def send_ratings(
    course: Path,
    setting: CalibrationSetting,
    ratings: Mapping[str, int | None],
    today: dt.date,
    lead: str | None = None,
    framework: Framework = FRAMEWORK,
) -> Path:
    """Send a lead's ratings to the trainer: a new file of their own in the ratings folder
    (never replacing one; the trainer counts each lead's newest)."""
    if not any(v is not None for v in ratings.values()):
        raise ExerciseError("Rate at least one indicator first.")
    folder = course / RATINGS
    if not folder.is_dir():
        raise ExerciseError("Your trainer has not opened the exercise yet.")
    record = ratings_record(setting, ratings, today, framework)
    name = f"{lead or lead_name()}+{setting.id}+{secrets.token_hex(8)}.json"
    payload = record.model_dump_json(indent=1).encode("utf-8")
    try:
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    except OSError as error:
        raise ExerciseError(
            f"Your ratings could not be sent ({(error.strerror or 'refused').lower()})."
        ) from None
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)  # whatever the lead's umask
        handle.write(payload)
    return folder / name
