"""The trainer's cohort page, ``/user/<trainer>/wholeschool/cohort``: a Jupyter server extension
loaded on the trainer's server only (``WHOLESCHOOL_HUB_ROLE=trainer``, see
jupyter_server_config.py); a lead's server has no such page.

Thin: each visit reads the trainer's course (``~/assessments``) and the course's folder in
nbgrader's exchange with the trainer's own rights and returns
:func:`wholeschool.grading.cohort_page.cohort_page` (the logic and its tests live there).
A POST (the page's own form, with the server's XSRF token) opens the cohort's calibration
exercise on the chosen setting (:func:`wholeschool.store.calibration_exercise.open_exercise`).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

#: The page's address under the server's base URL.
PATH = "wholeschool/cohort"


class CohortPageHandler(JupyterHandler):
    """GET: the cohort page, made afresh (never cached)."""

    @web.authenticated
    async def get(self) -> None:
        from wholeschool.grading.cohort_page import cohort_page

        root = Path.home() / "assessments"
        formgrader = url_path_join(self.base_url, "formgrader")
        lab = url_path_join(self.base_url, "lab")
        xsrf = self.xsrf_token.decode("ascii")
        try:
            page = await asyncio.to_thread(
                cohort_page, root, exchange_course(), formgrader, lab, xsrf
            )
        except Exception:  # the trainer sees a plain sentence; the details go to the log
            self.log.exception("The cohort page could not be made")
            raise web.HTTPError(500, "The cohort page could not be made") from None
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)

    @web.authenticated
    async def post(self) -> None:
        """Open the calibration exercise on the chosen setting, then show the page again."""
        from wholeschool.core.clock import today
        from wholeschool.store.calibration_exercise import ExerciseError, open_exercise

        setting = self.get_body_argument("setting", "")
        try:
            await asyncio.to_thread(open_exercise, exchange_course(), setting, today())
        except ExerciseError as error:
            raise web.HTTPError(400, str(error)) from None
        self.redirect(url_path_join(self.base_url, PATH) + "#calibration", status=303)


def exchange_course() -> Path:
    """The course's folder in nbgrader's exchange."""
    exchange = Path(os.environ.get("WHOLESCHOOL_EXCHANGE", "/srv/nbgrader/exchange"))
    return exchange / os.environ.get("WHOLESCHOOL_COURSE_ID", "wholeschool-smhl")


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "cohort_page"}]


def _load_jupyter_server_extension(serverapp) -> None:
    if os.environ.get("WHOLESCHOOL_HUB_ROLE") != "trainer":
        return
    route = url_path_join(serverapp.web_app.settings["base_url"], PATH)
    serverapp.web_app.add_handlers(".*$", [(route, CohortPageHandler)])
