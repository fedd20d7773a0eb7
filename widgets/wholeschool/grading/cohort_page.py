"""The trainer's cohort page: :class:`~.cohort_status.CohortStatus` as one HTML page.

Every name and text on it (lead names, assignment names, question texts) is escaped by the
render layer's Jinja2 environment; the page loads nothing from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from ..render.html import CSS, environment
from .cohort_status import STEPS, CohortStatus, cohort_status


def cohort_page_html(status: CohortStatus, formgrader: str = "", lab: str = "") -> str:
    """The page; ``formgrader``: formgrader's address, to link each answer still to mark;
    ``lab``: JupyterLab's, to go back."""
    template = environment().get_template("cohort-status.html.j2")
    return template.render(
        status=status, steps=STEPS, formgrader=formgrader.rstrip("/"), lab=lab, css=CSS
    )


def cohort_page(
    root: Path, exchange_course: Path | None = None, formgrader: str = "", lab: str = ""
) -> str:
    """Read the course ``root`` (and the exchange's course folder) and make the page."""
    return cohort_page_html(cohort_status(root, exchange_course), formgrader, lab)
