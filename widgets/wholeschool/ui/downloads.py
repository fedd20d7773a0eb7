"""Files made in the kernel, offered as downloads: in Jupyter, on a hub and in the browser.

Each file becomes a link the browser saves with its own name (a ``data:`` address), so the
same form works wherever it runs and nothing is sent anywhere. A :func:`download_button` makes
its file and downloads it in the same click: the link it shows follows itself once, at once (a
lead once clicked "Make the files", then a link); the link stays, should the browser not start
the download.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import time
from collections.abc import Callable

import ipywidgets as widgets

TYPES = {
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".html": "text/html",
    ".json": "application/json",
    ".zip": "application/zip",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
LABELS = {
    ".csv": "spreadsheet (CSV)",
    ".xlsx": "Excel",
    ".md": "Markdown",
    ".docx": "Word",
    ".html": "web page",
    ".png": "chart (PNG)",
    ".zip": "all records (zip)",
    ".json": "ratings file",
}


def _type(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    return TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def download_link(name: str, data: bytes) -> str:
    """An HTML link that downloads ``data`` as ``name``."""
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    label = LABELS.get(suffix, "file")
    uri = f"data:{_type(name)};base64,{base64.b64encode(data).decode('ascii')}"
    return (
        f'<a download="{html.escape(name)}" href="{uri}" class="wholeschool-download">'
        f"Download {html.escape(name)}</a> <small>({label}, {max(1, round(len(data) / 1024))} KB)</small>"
    )


#: Follows the download link beside it, once: an image that cannot load runs it as the widget
#: shows it (widgets' HTML runs no <script>). Only a link made in the last two minutes, so a
#: notebook reopened with its widgets saved downloads nothing by itself.
_FOLLOW = (
    '<img alt="" hidden src="data:," onerror="'
    "var a=this.parentNode.querySelector('a[download]');this.remove();"
    'if(a&amp;&amp;Math.abs(Date.now()-{made})&lt;120000)a.click();">'
)


def download_now(name: str, data: bytes) -> str:
    """HTML that downloads ``data`` as ``name`` as soon as it is shown, keeping its link."""
    made = round(time.time() * 1000)
    return (
        f'<p class="wholeschool-download-now" role="status">\u2713 {html.escape(name)} is '
        "downloading (see your browser's downloads). If it does not start: "
        f"{download_link(name, data)}{_FOLLOW.format(made=made)}</p>"
    )


def download_button(
    description: str, make: Callable[[], tuple[str, bytes] | None], tooltip: str = ""
) -> widgets.VBox:
    """A button that makes a file with ``make`` (its name and bytes, or ``None`` when ``make``
    has shown a problem itself) and downloads it in the same click."""
    button = widgets.Button(
        description=description,
        tooltip=tooltip or description,
        icon="download",
        layout=widgets.Layout(width="auto", max_width="100%"),
    )
    shown = widgets.HTML()

    def on_click(_button: object) -> None:
        shown.value = ""
        made = make()
        if made is not None:
            shown.value = download_now(*made)

    button.on_click(on_click)
    return widgets.VBox([button, shown], layout=widgets.Layout(margin="0 0 0.5em 0"))
