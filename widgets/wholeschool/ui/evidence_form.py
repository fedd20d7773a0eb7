"""The evidence log form: what backs up each rating, as references to documents the school keeps.

An entry is a short description, the date the evidence is from (never in the future) and a
link: a web address or the path of a file the school keeps. Only the reference is stored.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets

from ..core.dates import long_date
from ..core.errors import RecordError
from ..core.framework import Framework
from ..store import RecordFolder
from ..store.evidence import add_evidence, load_evidence
from .looks import error_html


def _reference_text(framework: Framework, key: str) -> str:
    if framework.gate is not None and key == framework.gate.id:
        return framework.gate.text
    return framework.indicator_by_id[key].text


def evidence_panel(folder: RecordFolder, indicator_id: str) -> widgets.VBox:
    """A small form to add evidence for one indicator, with the entries already logged."""
    framework = folder.framework
    text = _reference_text(framework, indicator_id)
    style = {"description_width": "initial"}
    description = widgets.Text(
        description="What it is",
        placeholder="e.g. Staff wellbeing survey summary, spring term",
        style=style,
    )
    date = widgets.DatePicker(description="Date of the evidence", value=folder.today(), style=style)
    link = widgets.Text(
        description="Link or file path", placeholder="https://... or S:/Wellbeing/...", style=style
    )
    add = widgets.Button(description="Add evidence", tooltip=f"Add evidence for: {text[:80]}")
    status = widgets.HTML()
    listing = widgets.HTML()
    hint = widgets.HTML("<small>Store where the document is kept, not the document itself.</small>")

    def show() -> None:
        log = load_evidence(folder)
        items = log.entries.get(indicator_id, []) if log else []
        if not items:
            listing.value = "<p>No evidence logged for this indicator yet.</p>"
            return
        lines = "".join(
            f"<li>{long_date(e.date)}: {html.escape(e.description)} "
            f"(<code>{html.escape(e.link)}</code>)</li>"
            for e in items
        )
        listing.value = f"<ul>{lines}</ul>"

    def on_add(_button: object) -> None:
        try:
            add_evidence(folder, indicator_id, description.value, date.value, link.value)
        except RecordError as error:
            status.value = error_html(str(error), "The evidence log was kept as it was.")
            return
        status.value = '<span role="status">\u2713 Added.</span>'
        description.value = link.value = ""
        try:
            show()
        except RecordError as error:
            listing.value = error_html(str(error), "")

    add.on_click(on_add)
    try:
        show()
    except RecordError as error:
        listing.value = f"<b>The evidence log could not be read.</b> {html.escape(str(error))}"
    heading = widgets.HTML(f"<p><b>Evidence for:</b> {html.escape(text)}</p>")
    return widgets.VBox([heading, hint, description, date, link, add, status, listing])


def evidence_log(folder: RecordFolder, indicators: Sequence[str] | None = None) -> widgets.VBox:
    """Pick an indicator (of ``indicators``, default all), then add and see its evidence."""
    framework = folder.framework
    ids = list(indicators) if indicators is not None else list(framework.indicator_by_id)
    chooser = widgets.Dropdown(
        options=[(_reference_text(framework, i)[:90], i) for i in ids],
        description="Evidence for",
        style={"description_width": "initial"},
        layout=widgets.Layout(width="95%"),
    )
    holder = widgets.VBox([evidence_panel(folder, chooser.value)])

    def switch(change: dict) -> None:
        holder.children = [evidence_panel(folder, change["new"])]

    chooser.observe(switch, names="value")
    return widgets.VBox([chooser, holder])
