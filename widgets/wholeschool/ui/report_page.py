"""The governors' report page: a preview of the report, the crosswalk, the evidence log and the
report files to download. With no self-audit saved yet it shows a made-up school's year."""

from __future__ import annotations

import html
import os

import ipywidgets as widgets

from ..core.clock import Clock, system_clock
from ..core.errors import RecordError
from ..render.html import body_html
from ..render.word import available as word_available
from ..reports.governors import build_report, report_document, to_docx, to_html
from ..store import AUDIT_FILE, RecordFolder
from ..store.sample_year import SCHOOL, write_sample_year
from .crosswalk_view import crosswalk_view
from .downloads import download_button
from .evidence_form import evidence_log
from .looks import ERROR_COLOUR


def records_or_sample(
    folder: RecordFolder, sample: RecordFolder | None = None
) -> tuple[RecordFolder, bool]:
    """The lead's folder if it holds a self-audit, else a new folder with the sample year."""
    if folder.file(AUDIT_FILE).exists():
        return folder, False
    import tempfile

    target = sample or RecordFolder(tempfile.mkdtemp(prefix="wholeschool-sample-"))
    write_sample_year(target.path, framework=folder.framework)
    return RecordFolder(target.path, clock=folder.clock, framework=folder.framework), True


def governors_report(
    folder: str | os.PathLike[str] | RecordFolder | None = None,
    *,
    clock: Clock = system_clock,
) -> widgets.VBox:
    """The report built from the lead's records (or the sample year), with its files."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder, clock=clock)
    try:
        folder, is_sample = records_or_sample(folder)
        report = build_report(folder)
    except RecordError as error:
        return widgets.VBox(
            [
                widgets.HTML(
                    f'<p style="color:{ERROR_COLOUR}"><strong>The report cannot be made yet:'
                    f"</strong> {html.escape(str(error))}</p>"
                )
            ]
        )
    intro = (
        f"<p><strong>This is an example:</strong> no self-audit is saved yet, so the report "
        f"shows {SCHOOL}, a made-up school. Save your self-audit and it shows yours.</p>"
        if is_sample
        else ""
    )
    buttons = [
        download_button(
            "Download the report as a web page",
            lambda: ("governors-report.html", to_html(report).encode("utf-8")),
        )
    ]
    if word_available():
        buttons.append(
            download_button(
                "Download the report as a Word document",
                lambda: ("governors-report.docx", to_docx(report)),
            )
        )
    what_made = (
        "<p>The report files are a web page (open it in any browser or in Word, then print or "
        "save it as PDF) and a Word document.</p>"
        if word_available()
        else "<p>The report file is a web page: open it in any browser or in Word, then print "
        "it or save it as PDF. A separate Word document and the report's charts are made on "
        "the course hub (if your trainer runs one), not in this online workbook; here the "
        "charts are described in words.</p>"
    )
    children: list[widgets.Widget] = [
        widgets.HTML(intro + body_html(report_document(report))),
        widgets.HTML("<h3>One audit, several frameworks</h3>"),
        crosswalk_view(report.records.audit, framework=folder.framework),  # type: ignore[arg-type]
        widgets.HTML("<h3>Take it to the governors</h3>" + what_made),
        *buttons,
    ]
    if not is_sample:
        children[4:4] = [widgets.HTML("<h3>Log your evidence</h3>"), evidence_log(folder)]
    return widgets.VBox(children)
