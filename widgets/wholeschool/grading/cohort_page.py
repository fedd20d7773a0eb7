"""The trainer's cohort page: :class:`~.cohort_status.CohortStatus` as one HTML page, with the
calibration exercise's section (:mod:`.cohort_calibration`) after it.

Every name and text on it (lead names, assignment names, question texts) is escaped by the
render layer's Jinja2 environment; the page loads nothing from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from ..core.calibration import SETTING_NAMES
from ..core.framework import FRAMEWORK
from ..core.team import SMALL_NUMBER
from ..render.html import CSS, environment
from ..reports.team import STATUS_WORDS, spread_words
from .cohort_calibration import CohortExercise, cohort_exercise
from .cohort_status import STEPS, CohortStatus, cohort_status


def exercise_context(exercise: CohortExercise, xsrf: str = "") -> dict[str, object]:
    """What the calibration section's template (``cohort-calibration.html.j2``) needs."""
    by_principle = []
    if exercise.result is not None:
        for principle_id in exercise.result.setting.principles:
            principle = FRAMEWORK.principle(principle_id)
            rows = [
                (principle.indicators.index(row.spread.indicator) + 1, row)
                for row in exercise.result.indicators
                if row.spread.indicator.principle_id == principle_id
            ]
            by_principle.append((f"{principle.number}. {principle.short_name}", rows))
    return {
        "exercise": exercise,
        "result_by_principle": by_principle,
        "scale": [level.label for level in FRAMEWORK.scale],
        "status_words": STATUS_WORDS,
        "spread_words": spread_words,
        "setting_names": SETTING_NAMES,
        "small_number": SMALL_NUMBER,
        "xsrf": xsrf,
    }


def cohort_page_html(
    status: CohortStatus,
    formgrader: str = "",
    lab: str = "",
    exercise: CohortExercise | None = None,
    xsrf: str = "",
) -> str:
    """The page; ``formgrader``: formgrader's address, to link each answer still to mark;
    ``lab``: JupyterLab's, to go back; ``exercise``: the calibration exercise's section;
    ``xsrf``: the server's form token, for choosing the exercise's setting."""
    template = environment().get_template("cohort-status.html.j2")
    return template.render(
        status=status,
        steps=STEPS,
        formgrader=formgrader.rstrip("/"),
        lab=lab,
        css=CSS,
        **(exercise_context(exercise, xsrf) if exercise is not None else {"exercise": None}),
    )


def cohort_page(
    root: Path,
    exchange_course: Path | None = None,
    formgrader: str = "",
    lab: str = "",
    xsrf: str = "",
) -> str:
    """Read the course ``root`` (and the exchange's course folder) and make the page."""
    return cohort_page_html(
        cohort_status(root, exchange_course),
        formgrader,
        lab,
        cohort_exercise(exchange_course) if exchange_course is not None else None,
        xsrf,
    )
