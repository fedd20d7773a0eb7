"""Your records: where they are, what they are, one zip to download, and restoring from one.

In the browser the records live in the browser's own storage on this device, and nothing is
sent anywhere; the zip is how a lead keeps a copy, moves to another browser or device, or
takes the records into Jupyter. Every uploaded file is checked like ``wholeschool validate``
checks it, and nothing is written unless all of them pass.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import ipywidgets as widgets

from ..core.clock import Clock, system_clock
from ..core.dates import long_date
from ..store import RecordFolder, in_browser
from ..store.bundle import export_zip, import_files
from ..store.sharing import SharingError, share_summary, shared_file, sharing_folder, stop_sharing
from .downloads import download_button
from .looks import ERROR_COLOUR


def where_text(folder: RecordFolder) -> str:
    """Where the records are, said plainly."""
    if in_browser():
        return (
            "Your records are kept in this browser's own storage on this device. Nothing is sent "
            "anywhere: not to us, not to anyone. Clearing this site's data in the browser deletes "
            "them, so download a copy now and then."
        )
    return (
        f"Your records are files in your own records folder, {folder.path.name}: "
        "nobody else can open it, and nothing is sent anywhere."
    )


#: What each kind of record is called in front of a lead.
KIND_WORDS = {
    "audit": "Self-audit",
    "plan": "Action plan",
    "progress": "Progress log",
    "evidence": "Evidence log",
    "rater": "A colleague's ratings",
    "moderation": "Team ratings agreed",
}


def _listing(folder: RecordFolder) -> str:
    """The saved records in words (what, which school, the day), each with its file's name, the
    name it has in a download of all records."""
    rows = []
    for loaded in folder.scan():
        name = html.escape(loaded.path.name)
        if loaded.record is not None:
            r = loaded.record
            what = KIND_WORDS.get(r.kind_name, r.kind_name.capitalize())
            rows.append(
                f"<li>{what} for {html.escape(r.school)}, saved {long_date(r.date)} "
                f'<span style="color:#555">(file {name})</span></li>'
            )
        else:
            rows.append(
                f'<li style="color:{ERROR_COLOUR}">{name}: {html.escape(loaded.error.problem)}</li>'  # type: ignore[union-attr]
            )
    return f"<ul>{''.join(rows)}</ul>" if rows else "<p>No records saved yet.</p>"


SHARE_LABEL = "Share my audit summary with my trainer"
SHARE_TEXT = (
    "Your trainer sees the cohort's weakest principles once at least three leads share. Only the "
    "average rating of each principle from your current self-audit is shared: never your notes, "
    "your school's name or your ratings of single indicators. Untick to stop sharing at any time."
)


def sharing_box(folder: RecordFolder, outbox: Path, lead: str) -> widgets.VBox:
    """The lead's choice to share their audit summary with their trainer (on the hub)."""
    choice = widgets.Checkbox(
        value=shared_file(folder, outbox) is not None,
        description=SHARE_LABEL,
        indent=False,
        layout=widgets.Layout(width="auto"),
    )
    outcome = widgets.HTML()

    def on_choice(change: dict) -> None:
        if change["new"]:
            try:
                share_summary(folder, outbox, lead)
            except (SharingError, OSError) as error:
                message = (
                    str(error)
                    if isinstance(error, SharingError)
                    else ("Your summary could not be shared; try again later.")
                )
                outcome.value = (
                    f'<p role="alert" style="color:{ERROR_COLOUR}">{html.escape(message)}</p>'
                )
                choice.unobserve(on_choice, names="value")
                choice.value = False
                choice.observe(on_choice, names="value")
                return
            outcome.value = (
                '<p role="status">\u2713 Shared: your trainer can see your average rating for '
                "each principle. Tick again after a new self-audit to update it.</p>"
            )
        else:
            stop_sharing(folder, outbox)
            outcome.value = '<p role="status">Not shared: your trainer sees nothing of it.</p>'

    choice.observe(on_choice, names="value")
    return widgets.VBox(
        [widgets.HTML(f"<h3>Your trainer</h3><p>{html.escape(SHARE_TEXT)}</p>"), choice, outcome]
    )


def records_panel(
    folder: str | os.PathLike[str] | RecordFolder | None = None, *, clock: Clock = system_clock
) -> widgets.VBox:
    """Download all records as one zip; restore records from a zip or .json files."""
    if not isinstance(folder, RecordFolder):
        folder = RecordFolder(folder, clock=clock)
    listing = widgets.HTML(_listing(folder))
    download = download_button(
        "Download all records",
        lambda: (f"wholeschool-records-{folder.today()}.zip", export_zip(folder)),
        "Download every record as one zip file",
    )
    upload = widgets.FileUpload(
        accept=".zip,.json", multiple=True, description="Restore from files"
    )
    outcome = widgets.HTML()

    def on_upload(change: dict) -> None:
        files = {item["name"]: bytes(item["content"]) for item in change["new"]}
        if not files:
            return
        result = import_files(folder, files)
        if result.ok:
            done = ", ".join(result.saved) or "none"
            same = (
                f" Already up to date: {', '.join(result.unchanged)}." if result.unchanged else ""
            )
            outcome.value = (
                f'<p role="status">\u2713 Restored: {html.escape(done)}.{html.escape(same)} '
                "Earlier versions are kept in the history.</p>"
            )
        else:
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in result.problems)
            outcome.value = (
                f'<div role="alert" style="color:{ERROR_COLOUR}"><p><strong>Nothing was restored'
                f"</strong>: these files were refused, and your saved records are unchanged.</p>"
                f"<ul>{items}</ul></div>"
            )
        listing.value = _listing(folder)
        upload.value = ()

    upload.observe(on_upload, names="value")
    parts = [
        widgets.HTML(f"<p>{html.escape(where_text(folder))}</p>"),
        listing,
        download,
        upload,
        outcome,
    ]
    outbox = sharing_folder()
    if outbox is not None and os.environ.get("JUPYTERHUB_USER"):
        parts.append(sharing_box(folder, outbox, os.environ["JUPYTERHUB_USER"]))
    return widgets.VBox(parts)
