"""Notebook outputs for the progress page: the charts, and the summary files to download."""

from __future__ import annotations

import os

import ipywidgets as widgets

from ..core.clock import Clock, system_clock
from ..core.errors import RecordError
from ..reports.progress import Progress, charts_available, summary_files
from ..store import RecordFolder
from .downloads import download_button
from .looks import ERROR_COLOUR


def _folder(folder: str | os.PathLike[str] | RecordFolder | None, clock: Clock) -> RecordFolder:
    return folder if isinstance(folder, RecordFolder) else RecordFolder(folder, clock=clock)


def _message(text: str, error: bool = False) -> widgets.HTML:
    colour = f' style="color:{ERROR_COLOUR}"' if error else ""
    return widgets.HTML(f"<p{colour}>{text}</p>")


def progress_charts(
    folder: str | os.PathLike[str] | RecordFolder | None = None, *, clock: Clock = system_clock
) -> widgets.Widget:
    """The radar and trend charts, or a message saying why there are none."""
    import html

    try:
        progress = Progress(_folder(folder, clock))
    except RecordError as error:
        return _message(f"<strong>Cannot draw the charts:</strong> {html.escape(str(error))}", True)
    if progress.empty:
        return _message(
            "There is nothing to chart yet: save a self-audit and file a progress log first."
        )
    if not charts_available():
        return _message(
            "The charts are not drawn in this online workbook. The one-page summary (next) "
            "has the same figures as a table; the course hub, if your trainer runs one, draws "
            "the charts."
        )
    from ..render.charts import png

    notes = [
        _message(f"<strong>Left out (file has a problem):</strong> {html.escape(str(e))}", True)
        for e in progress.errors
    ]
    images = [
        widgets.Image(
            value=png(progress.radar()), format="png", layout=widgets.Layout(max_width="100%")
        ),
        widgets.Image(
            value=png(progress.trend()), format="png", layout=widgets.Layout(max_width="100%")
        ),
    ]
    return widgets.VBox([*notes, *images])


def progress_files(
    folder: str | os.PathLike[str] | RecordFolder | None = None, *, clock: Clock = system_clock
) -> widgets.Widget:
    """Buttons that make the progress summary (web page, Word, Markdown) and download it, each
    in one click; Markdown with charts comes as a zip (the page and its chart pictures)."""
    import html
    import io
    import zipfile

    from ..render.word import available as word_available

    target = _folder(folder, clock)
    problem = widgets.VBox()

    def make(fmt: str) -> tuple[str, bytes] | None:
        problem.children = []
        try:
            progress = Progress(target)
        except RecordError as error:
            problem.children = [_message(html.escape(str(error)), True)]
            return None
        if progress.empty:
            problem.children = [_message("There is nothing to summarise yet.")]
            return None
        files = summary_files(progress, (fmt,))
        if len(files) == 1:
            return next(iter(files.items()))
        bundle = io.BytesIO()
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return "progress-summary.zip", bundle.getvalue()

    names = {"html": "a web page", "docx": "a Word document", "md": "Markdown"}
    formats = ("html", "docx", "md") if word_available() else ("html", "md")
    buttons = [
        download_button(f"Download the summary as {names[fmt]}", lambda fmt=fmt: make(fmt))
        for fmt in formats
    ]
    return widgets.VBox([*buttons, problem])


def progress_page(
    folder: str | os.PathLike[str] | RecordFolder | None = None, *, clock: Clock = system_clock
) -> widgets.VBox:
    """The whole progress page as one form: this term's log, the charts, the summary files."""
    from .progress_form import progress_log

    target = _folder(folder, clock)
    return widgets.VBox(
        [
            progress_log(target),
            widgets.HTML("<h3>Your progress so far</h3>"),
            progress_charts(target),
            widgets.HTML("<h3>A one-page summary</h3>"),
            progress_files(target),
        ]
    )
