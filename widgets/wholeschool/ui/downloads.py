"""Files made in the kernel, offered as downloads: in Jupyter, on a hub and in the browser.

Each file becomes a link the browser saves with its own name (a ``data:`` address), so the
same form works wherever it runs and nothing is sent anywhere.
"""

from __future__ import annotations

import base64
import html
import mimetypes

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


def downloads(files: dict[str, bytes], title: str = "Your files") -> widgets.HTML:
    """A list of download links."""
    items = "".join(f"<li>{download_link(name, data)}</li>" for name, data in files.items())
    return widgets.HTML(f"<p><strong>{html.escape(title)}</strong></p><ul>{items}</ul>")
