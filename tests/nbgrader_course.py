"""A course folder for the grading tests and the autograde benchmark: the real assignment released
by the real ``nbgrader generate_assignment``, submissions copied in as nbgrader collects them,
and (``plain``) nbgrader's own grading steps in place of wholeschool's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from wholeschool.grading.autograde import ensure_tools_on_path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "identifying-need"

#: Appended to a course's config: nbgrader's own Execute and CheckCellMetadata steps, as
#: nbgrader ships them, in place of wholeschool's.
PLAIN_NBGRADER = """
_NBGRADER_STEPS = {
    "wholeschool.grading.execute.Execute": "nbgrader.preprocessors.Execute",
    "wholeschool.grading.nbgrader_steps.CheckCellMetadata": "nbgrader.preprocessors.CheckCellMetadata",
}
c.Autograde.autograde_preprocessors = [
    _NBGRADER_STEPS.get(step, step) for step in c.Autograde.autograde_preprocessors
]
c.Autograde.sanitize_preprocessors = [
    _NBGRADER_STEPS.get(step, step) for step in c.Autograde.sanitize_preprocessors
]
"""


def released_course(folder: Path, submissions: Mapping[str, Path], *, plain: bool = False) -> Path:
    """``folder`` made a course with :data:`ASSIGNMENT` released and each student's submission
    (student id → a folder of their files) in ``submitted/``."""
    ensure_tools_on_path()  # nbgrader runs alembic from this Python's scripts folder
    folder.mkdir(parents=True)
    config = (ROOT / "assessments" / "nbgrader_config.py").read_text(encoding="utf-8")
    (folder / "nbgrader_config.py").write_text(config + (PLAIN_NBGRADER if plain else ""))
    shutil.copy(ROOT / "assessments" / "rubric.yaml", folder)
    shutil.copytree(ROOT / "assessments" / "source" / ASSIGNMENT, folder / "source" / ASSIGNMENT)
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    for student, files in submissions.items():
        shutil.copytree(files, folder / "submitted" / student / ASSIGNMENT)
    return folder
