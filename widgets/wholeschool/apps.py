"""The course pages as apps: one call builds a whole page's form, for Voila on the course hub.

A book page runs several cells (the form, then an export, then charts); an app notebook runs one
call, and what the later cells did becomes a button. Each function returns a single widget and
never raises: a record that cannot be read is reported in the page, as in the book.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import ipywidgets as widgets

from .audit import audit
from .errors import RecordError

__all__ = ["action_plan", "audit", "download_links", "governors_report", "progress_log"]


def download_links(paths: Iterable[Path]) -> str:
    """HTML links that download each file from the page itself (no file server needed)."""
    items = []
    for path in paths:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        name = html.escape(path.name)
        items.append(f'<li><a download="{name}" href="data:{kind};base64,{data}">{name}</a></li>')
    return "<ul>" + "".join(items) + "</ul>"


def _button(label: str, tooltip: str, run: Callable[[widgets.Output], None]) -> widgets.VBox:
    """A button that runs ``run`` into an output area below it, with a kind error."""
    button = widgets.Button(description=label, tooltip=tooltip, layout={"width": "auto"})
    out = widgets.Output()

    def click(_button: widgets.Button) -> None:
        out.clear_output()
        with out:
            try:
                run(out)
            except (RecordError, OSError) as error:
                from IPython.display import HTML, display

                display(HTML(f'<p style="color:#a4000f">{html.escape(str(error))}</p>'))

    button.on_click(click)
    return widgets.VBox([button, out])


def action_plan(folder: str | os.PathLike[str] | None = None) -> widgets.Widget:
    """The action plan editor, and a button that exports it and offers the files."""
    from IPython.display import HTML, display

    from .plan import EXPORT_FORMATS, export_plan, load_plan
    from .plan import action_plan as plan_editor
    from .storage import records_folder

    where = Path(folder) if folder is not None else records_folder()

    def export(_out: widgets.Output) -> None:
        from .audit import load_audit

        plan = load_plan(where)
        if plan is None or not plan.actions:
            display(HTML("<p>There is no saved plan with actions to export yet.</p>"))
            return
        written = export_plan(plan, where / "exports", load_audit(where), EXPORT_FORMATS)
        display(HTML("<p>Your plan, ready for school:</p>" + download_links(written.values())))

    return widgets.VBox(
        [
            plan_editor(where),
            widgets.HTML("<h3>Take it into school</h3>"),
            _button("Export the plan", "CSV, Excel, Markdown and Word", export),
        ]
    )


def progress_log(folder: str | os.PathLike[str] | None = None) -> widgets.Widget:
    """This term's log, and buttons for the charts and the one-page summary."""
    from IPython.display import HTML, display

    from .progress import export_summary, show_charts
    from .progress import progress_log as log_form

    def charts(_out: widgets.Output) -> None:
        display(show_charts(folder))

    def summary(_out: widgets.Output) -> None:
        written = export_summary(folder)
        if not written:
            display(HTML("<p>There is nothing to summarise yet.</p>"))
            return
        display(HTML("<p>Your summary:</p>" + download_links(written.values())))

    return widgets.VBox(
        [
            log_form(folder),
            widgets.HTML("<h3>Your progress so far</h3>"),
            _button("Show my progress", "Radar and trend charts", charts),
            _button("Write the summary", "Markdown, web page and Word", summary),
        ]
    )


def governors_report(folder: str | os.PathLike[str] | None = None) -> widgets.Widget:
    """The governors' report from the lead's records (a fictional school until there is an
    audit), the crosswalk to other frameworks, the evidence log and a button to save it."""
    from .crosswalk import crosswalk_view
    from .evidence import evidence_log
    from .reports import build_report, to_html, write_report
    from .sample_year import records_or_sample

    try:
        where, is_sample = records_or_sample(folder)
        report = build_report(where)
    except RecordError as error:
        return widgets.HTML(
            f'<p style="color:#a4000f">{html.escape(str(error))}</p><p>Nothing was changed. '
            "Fix the file or move it aside, then open this page again.</p>"
        )
    note = (
        "<p><strong>This is a fictional school's year.</strong> Save a self-audit and this page "
        "shows your own records.</p>"
        if is_sample
        else ""
    )

    def save(_out: widgets.Output) -> None:
        from IPython.display import HTML, display

        written = [write_report(report, where / name) for name in REPORT_FILES]
        display(HTML("<p>Your report:</p>" + download_links(written)))

    parts: list[widgets.Widget] = [
        widgets.HTML(note + to_html(report, standalone=False)),
        widgets.HTML("<h3>One audit, several frameworks</h3>"),
        crosswalk_view(report.records.audit.rated()),
        widgets.HTML("<h3>Log your evidence</h3>"),
        evidence_log(where),
    ]
    if not is_sample:
        parts += [widgets.HTML("<h3>Save the report</h3>")]
        parts += [_button("Save the report", "Word document and web page", save)]
    return widgets.VBox(parts)


REPORT_FILES = ("governors-report.docx", "governors-report.html")
