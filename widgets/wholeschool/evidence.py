"""The evidence log: what backs up each rating, as references to documents the school keeps.

An entry is a short description, the date the evidence is from (never in the future) and a
link: a web address (``http://`` or ``https://``) or a path to a file the school keeps. Only the
reference is stored, never the document's content, and nothing about pupils. The log is a
record of its own (``evidence.json``, kind ``evidence``) beside the self-audit, so the audit
widget's autosave and the evidence log never write over each other.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from .errors import RecordError, from_validation_error
from .framework import FRAMEWORK, Framework
from .records import NO_PUPIL_DATA, RECORD_TYPES, Record

EVIDENCE_FILE = "evidence.json"
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LINK_HELP = (
    "give a web address starting http:// or https://, or the path of a file the school keeps "
    "(for example S:/Wellbeing/staff-survey-2026.pdf)"
)


def check_link(value: str) -> str:
    """Return ``value`` stripped if it is an http(s) URL or a file path; else ``ValueError``."""
    link = value.strip()
    if not link:
        raise ValueError(f"is empty: {LINK_HELP}")
    if len(link) > 500:
        raise ValueError("is longer than 500 characters")
    if _CONTROL.search(link):
        raise ValueError("contains a line break or control character")
    if "://" in link or (_SCHEME.match(link) and not _DRIVE.match(link)):
        parts = urlsplit(link)
        if parts.scheme.lower() not in ("http", "https"):
            raise ValueError(f"{link!r} is not a web (http or https) address: {LINK_HELP}")
        if not parts.netloc or " " in link:
            raise ValueError(f"{link!r} is not a complete web address: {LINK_HELP}")
        return link
    if link.lower().startswith("www."):
        raise ValueError(f"{link!r} looks like a web address: add https:// in front")
    looks_like_path = (
        link.startswith(("/", "~/", "./", "../", "\\\\"))
        or _DRIVE.match(link)
        or "/" in link
        or "\\" in link
        or _EXTENSION.search(link)
    )
    if not looks_like_path:
        raise ValueError(f"{link!r} is neither a web address nor a file path: {LINK_HELP}")
    return link


class EvidenceEntry(BaseModel):
    """One piece of evidence: what it is, when it is from, and where the school keeps it."""

    model_config = ConfigDict(extra="forbid")

    description: Description
    date: dt.date
    link: str

    @field_validator("date")
    @classmethod
    def _not_in_future(cls, value: dt.date) -> dt.date:
        if value > dt.date.today():
            raise ValueError(
                f"{value.isoformat()} is in the future; evidence records something that has "
                "already happened"
            )
        return value

    @field_validator("link")
    @classmethod
    def _link(cls, value: str) -> str:
        return check_link(value)


class EvidenceLog(Record):
    """Evidence entries per indicator id."""

    kind_name: ClassVar[str] = "evidence"
    kind: Literal["evidence"] = "evidence"
    entries: dict[str, list[EvidenceEntry]] = Field(default_factory=dict)

    def framework_problems(self, framework: Framework) -> Iterator[tuple[str, str]]:
        yield from super().framework_problems(framework)
        for key in self.entries:
            if key not in framework.indicator_by_id:
                yield f'entries["{key}"]', f"unknown indicator {key!r} (not in the framework)"

    def count(self) -> int:
        """How many entries the log holds."""
        return sum(len(items) for items in self.entries.values())

    def for_principle(self, principle_id: str) -> list[tuple[str, EvidenceEntry]]:
        """``(indicator id, entry)`` for one principle, newest first."""
        pairs = [
            (indicator, entry)
            for indicator, items in self.entries.items()
            if indicator.split(".", 1)[0] == principle_id
            for entry in items
        ]
        return sorted(pairs, key=lambda pair: pair[1].date, reverse=True)


# Make the "evidence" kind known to storage (records.py also imports this module).
RECORD_TYPES.setdefault(EvidenceLog.kind_name, EvidenceLog)


def evidence_path(folder: str | os.PathLike[str] | None = None) -> Path:
    """Where the evidence log lives in ``folder`` (default: the records folder)."""
    from .storage import records_folder

    return Path(folder if folder is not None else records_folder()) / EVIDENCE_FILE


def load_evidence(
    folder: str | os.PathLike[str] | None = None, framework: Framework = FRAMEWORK
) -> EvidenceLog | None:
    """The saved evidence log, or ``None`` if there is none yet. A bad file raises RecordError."""
    from .storage import load_record

    path = evidence_path(folder)
    return load_record(path, EvidenceLog, framework) if path.exists() else None


def add_evidence(
    indicator_id: str,
    description: str,
    date: dt.date,
    link: str,
    folder: str | os.PathLike[str] | None = None,
    school: str = "My school",
    framework: Framework = FRAMEWORK,
) -> EvidenceLog:
    """Check one entry, append it to the log in ``folder`` and save (with history).

    Errors name the log file and the field (``entries["ethos.2"][3].link``); on any error
    nothing is written, so the log on disk stays as it was.
    """
    from .history import save_with_history

    path = evidence_path(folder)
    log = load_evidence(folder, framework)
    if indicator_id not in framework.indicator_by_id:
        raise RecordError(path, "indicator", f"unknown indicator {indicator_id!r}")
    position = len(log.entries.get(indicator_id, [])) if log else 0
    where = f'entries["{indicator_id}"][{position}]'
    try:
        entry = EvidenceEntry(description=description, date=date, link=link)
    except ValidationError as error:
        problem = from_validation_error(error, path, RecordError)
        raise RecordError(path, f"{where}.{problem.field}", problem.problem) from None
    if log is None:
        log = EvidenceLog(school=school, framework_version=framework.version, date=dt.date.today())
    entries = {key: list(items) for key, items in log.entries.items()}
    entries.setdefault(indicator_id, []).append(entry)
    order = list(framework.indicator_by_id)
    updated = log.model_copy(
        update={
            "entries": dict(sorted(entries.items(), key=lambda kv: order.index(kv[0]))),
            "date": max(log.date, dt.date.today()),
        }
    )
    save_with_history(updated, path, framework)
    return updated


def evidence_table(log: EvidenceLog | None, framework: Framework = FRAMEWORK):
    """One row per entry (a pandas DataFrame): principle, indicator, description, date, link."""
    import pandas as pd

    rows = []
    if log is not None:
        for indicator_id, items in log.entries.items():
            principle = framework.principle_by_id[indicator_id.split(".", 1)[0]]
            for entry in items:
                rows.append(
                    {
                        "principle": principle.short_name,
                        "indicator": indicator_id,
                        "description": entry.description,
                        "date": entry.date,
                        "link": entry.link,
                    }
                )
    return pd.DataFrame(rows, columns=["principle", "indicator", "description", "date", "link"])


def evidence_panel(
    indicator_id: str,
    folder: str | os.PathLike[str] | None = None,
    framework: Framework = FRAMEWORK,
):
    """A small form to add evidence for one indicator, with the entries already logged."""
    import ipywidgets as widgets

    indicator = framework.indicator_by_id[indicator_id]
    style = {"description_width": "initial"}
    description = widgets.Text(
        description="What it is",
        placeholder="e.g. Staff wellbeing survey summary, spring term",
        style=style,
    )
    date = widgets.DatePicker(
        description="Date of the evidence", value=dt.date.today(), style=style
    )
    link = widgets.Text(
        description="Link or file path", placeholder="https://... or S:/Wellbeing/...", style=style
    )
    add = widgets.Button(description="Add evidence", tooltip=f"Add evidence for {indicator.id}")
    status = widgets.HTML()
    listing = widgets.HTML()
    reminder = widgets.HTML(
        f"<small>{html.escape(NO_PUPIL_DATA)} Store where the document is, not the document.</small>"
    )

    def show() -> None:
        log = load_evidence(folder, framework)
        items = log.entries.get(indicator_id, []) if log else []
        if not items:
            listing.value = "<p>No evidence logged for this indicator yet.</p>"
            return
        lines = "".join(
            f"<li>{e.date.isoformat()}: {html.escape(e.description)} "
            f"(<code>{html.escape(e.link)}</code>)</li>"
            for e in items
        )
        listing.value = f"<ul>{lines}</ul>"

    def on_add(_button: object) -> None:
        try:
            add_evidence(
                indicator_id,
                description.value,
                date.value,
                link.value,
                folder=folder,
                framework=framework,
            )
        except RecordError as error:
            status.value = f"<b>Not added.</b> {html.escape(str(error))}"
            return
        status.value = "Added."
        description.value = link.value = ""
        show()

    add.on_click(on_add)
    try:
        show()
    except RecordError as error:
        listing.value = f"<b>The evidence log could not be read.</b> {html.escape(str(error))}"
    heading = widgets.HTML(f"<b>Evidence for {indicator.id}</b>: {html.escape(indicator.text)}")
    return widgets.VBox([heading, reminder, description, date, link, add, status, listing])


def evidence_log(
    folder: str | os.PathLike[str] | None = None,
    framework: Framework = FRAMEWORK,
    indicators: Sequence[str] | None = None,
):
    """Pick an indicator (of ``indicators``, default all), then add and see its evidence."""
    import ipywidgets as widgets

    ids = list(indicators) if indicators is not None else list(framework.indicator_by_id)
    chooser = widgets.Dropdown(
        options=[(f"{i}: {framework.indicator_by_id[i].text[:60]}", i) for i in ids],
        description="Indicator",
        layout=widgets.Layout(width="95%"),
    )
    holder = widgets.VBox([evidence_panel(chooser.value, folder, framework)])

    def switch(change: dict) -> None:
        holder.children = [evidence_panel(change["new"], folder, framework)]

    chooser.observe(switch, names="value")
    return widgets.VBox([chooser, holder])
