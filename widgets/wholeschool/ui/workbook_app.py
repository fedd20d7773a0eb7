"""The live workbook: every form of the course in one app, on one running Python.

The book's "Open in the live workbook" buttons open the browser app at one form
(``workbook("action-plan")``); the workbook shows that form under its heading, a link back to
the course page it belongs to, a menu to open any other form and "next step" buttons. Opening
another form replaces the one on screen (after saving it) in the same Python, so it takes a
moment rather than a new start. The forms, their order, titles and pages are data:
``data/workbook.yaml`` (the book build reads the same list).
"""

from __future__ import annotations

import html
import os
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import ipywidgets as widgets
import yaml

from ..core.clock import Clock, system_clock
from ..store import RecordFolder, browser_storage_kept

WORKBOOK_FILE = Path(str(resources.files("wholeschool") / "data" / "workbook.yaml"))
#: From the app's page (``live/repl/index.html``) to the book's root.
BOOK_ROOT = "../../"
AUDIT_PREFIX = "self-audit-"


@dataclass(frozen=True)
class WorkbookForm:
    """One form of the workbook: its id, book page, heading and one-line purpose."""

    id: str
    page: str
    title: str
    purpose: str


def workbook_forms(path: Path = WORKBOOK_FILE) -> list[WorkbookForm]:
    """The workbook's forms in order (the book build checks the file in full)."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["forms"]
    return [WorkbookForm(e["id"], e["page"], e["title"], e["purpose"]) for e in entries]


def build_form(form_id: str, folder: RecordFolder) -> widgets.Widget:
    """The form widget for ``form_id``, on the lead's records ``folder``."""
    from . import (
        action_plan,
        audit,
        calibration,
        colleague_rating,
        governors_report,
        moderation_view,
        progress_page,
        records_panel,
    )

    if form_id.startswith(AUDIT_PREFIX):
        return audit(form_id[len(AUDIT_PREFIX) :], folder)
    if form_id == "calibration":
        return calibration(folder.framework)  # practice on an invented school: saves nothing
    builders = {
        "colleague-rating": colleague_rating,
        "team-moderation": moderation_view,
        "action-plan": action_plan,
        "progress-log": progress_page,
        "governors-report": governors_report,
        "my-records": records_panel,
    }
    return builders[form_id](folder)


#: Forms a lead's colleague fills in: never a lead's next step, and with none of their own.
COLLEAGUE_FORMS = frozenset({"colleague-rating"})
#: After practising on an invented school, a lead rates their own.
CALIBRATION = "calibration"


def next_steps(forms: list[WorkbookForm], form_id: str) -> list[WorkbookForm]:
    """Where a lead goes after ``form_id``: the next form in order (calibration, which comes
    before rating, and a colleague's form skipped; the first self-audit after calibration)
    and, from a self-audit that is not the last, the action plan too. A colleague's form
    offers none."""
    if form_id in COLLEAGUE_FORMS:
        return []
    ids = [f.id for f in forms]
    at = ids.index(form_id)
    following = [f for f in forms[at + 1 :] if f.id not in {*COLLEAGUE_FORMS, CALIBRATION}]
    if form_id == CALIBRATION:
        following = [f for f in forms if f.id.startswith(AUDIT_PREFIX)] or following
    steps = following[:1]
    plan = next((f for f in forms if f.id == "action-plan"), None)
    if form_id.startswith(AUDIT_PREFIX) and plan is not None and plan not in steps:
        steps.append(plan)
    return steps


class Workbook(widgets.VBox):
    """The workbook app: a bar (back to the course, open another form), the form's heading,
    the form, and its next steps."""

    def __init__(self, start: str, folder: RecordFolder, book_root: str = BOOK_ROOT) -> None:
        self.forms = workbook_forms()
        self.by_id = {f.id: f for f in self.forms}
        if start not in self.by_id:
            start = self.forms[0].id
        self.folder = folder
        self.book_root = book_root
        self.back = widgets.HTML()
        self.menu = widgets.Dropdown(
            options=[(f.title, f.id) for f in self.forms],
            value=start,
            description="Another form",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.go = widgets.Button(
            description="Open this form",
            tooltip="Open the form chosen in the list (your answers here are saved first)",
            layout=widgets.Layout(width="auto"),
        )
        self.go.on_click(lambda _button: self.show(self.menu.value))
        bar = widgets.HBox(
            [self.back, self.menu, self.go],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        bar.add_class("workbook-bar")
        self.heading = widgets.HTML()
        self.body = widgets.VBox()
        self.next = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.next.add_class("workbook-next")
        self.form: widgets.Widget | None = None
        self.current = start
        self.switch_seconds = 0.0
        super().__init__([bar, self.heading, self.body, self.next])
        self.add_class("workbook")
        self.show(start)

    def show(self, form_id: str) -> None:
        """Save the form on screen, then show ``form_id`` with its heading and next steps."""
        started = time.perf_counter()
        flush = getattr(self.form, "flush", None)
        if callable(flush):
            flush()
        form = self.by_id[form_id]
        self.current = form_id
        self.menu.value = form_id
        self.form = build_form(form_id, self.folder)
        self.body.children = [self.form]
        buttons = []
        for step in next_steps(self.forms, form_id):
            button = widgets.Button(
                description=f"Next: {step.title}",
                tooltip=f"Open {step.title} (your answers here are saved first)",
                layout=widgets.Layout(width="auto", max_width="100%"),
            )
            button.on_click(lambda _button, target=step.id: self.show(target))
            buttons.append(button)
        self.next.children = [widgets.HTML("<h2>Next step</h2>"), *buttons] if buttons else []
        self.back.value = (
            f'<a class="workbook-back" href="{html.escape(self.book_root + form.page)}.html">'
            "\u2190 Back to the course page</a>"
        )
        # The heading changes last: the new heading never stands over the old form, and the
        # page script takes its change as the sign that the form is on screen (page title,
        # focus, address).
        self.heading.value = (
            f'<h1 class="workbook-heading" data-form="{html.escape(form.id)}">'
            f"{html.escape(form.title)}</h1><p>{html.escape(form.purpose)}</p>"
        )
        self.switch_seconds = time.perf_counter() - started


#: What the workbook says instead of opening when the browser keeps nothing (see
#: ``store.browser_storage_kept``); the page script shows it with what to try.
STORAGE_MISSING = (
    "This browser is not letting the workbook keep your answers, so it has not opened: "
    "anything typed would be lost when the page closes. A private (incognito) window, or a "
    "browser setting that blocks site storage, does this."
)
STORAGE_TRY = "Open the course in a normal (not private) window of your browser."
STORAGE_IT = (
    "If this is a school computer, ask your IT team to let this site keep data in the browser "
    "(its site storage and service worker), which a browser setting or policy may block."
)


def storage_missing() -> widgets.HTML:
    """The notice shown instead of the workbook when answers could not be kept: the page's
    panel over it says it aloud, with what to try (so the notice itself is not read twice)."""
    return widgets.HTML(
        f'<div class="workbook-problem" aria-hidden="true" data-try="{html.escape(STORAGE_TRY)}"'
        f' data-it="{html.escape(STORAGE_IT)}">{html.escape(STORAGE_MISSING)}</div>'
    )


def workbook(
    start: str,
    folder: str | os.PathLike[str] | RecordFolder | None = None,
    *,
    clock: Clock = system_clock,
) -> Workbook | widgets.HTML:
    """The live workbook opened at the form ``start`` (an id of ``data/workbook.yaml``); in a
    browser that would keep none of its answers, a notice saying so instead."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder, clock=clock)
    if not browser_storage_kept(folder.path):
        return storage_missing()
    return Workbook(start, folder)
