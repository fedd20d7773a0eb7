"""A small form: pick another framework, see the self-audit read against its headings."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..core.crosswalk import Crosswalk, CrosswalkRow, crosswalk_table, default_crosswalk
from ..core.framework import FRAMEWORK, Framework
from ..core.records import AuditRecord
from ..core.scoring import format_score


def _rows_html(rows: list[CrosswalkRow], framework: Framework) -> str:
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in (
            "Heading",
            "Indicators",
            "Rated",
            f"Mean (0–{framework.max_rating})",
            "Percent",
            "Weakest indicator",
        )
    )
    body = []
    for row in rows:
        if row.gate is not None:
            mean, pct = f"Safeguarding route: {row.gate}", ""
        elif row.mean_rating is None:
            mean, pct = "not rated yet", ""
        else:
            mean, pct = format_score(row.mean_rating), f"{row.percent}%"
        weakest = framework.indicator_by_id[row.weakest].text if row.weakest else ""
        cells = [row.target, str(row.indicators), str(row.rated), mean, pct, weakest]
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return f'<table class="crosswalk"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def crosswalk_view(
    audit: AuditRecord, crosswalk: Crosswalk | None = None, framework: Framework = FRAMEWORK
) -> widgets.VBox:
    """Pick a framework, see the audit re-expressed against its headings."""
    crosswalk = crosswalk or default_crosswalk()
    rows = crosswalk_table(audit.rated(), crosswalk, framework, audit.gate)
    chooser = widgets.Dropdown(
        options=[(f.short_name, f.id) for f in crosswalk.frameworks], description="Framework"
    )
    heading = widgets.HTML()
    body = widgets.HTML()

    def show(_change: object = None) -> None:
        other = crosswalk.other(chooser.value)
        heading.value = f"<b>{html.escape(other.name)}</b><br><small>Source: {html.escape(other.source)}</small>"
        body.value = _rows_html([r for r in rows if r.framework == other.short_name], framework)

    chooser.observe(show, names="value")
    show()
    return widgets.VBox([chooser, heading, body])
