"""``wholeschool report ...``: reports built from a records folder.

Registered on the main command group by one import line in ``cli.py``.
"""

from __future__ import annotations

import datetime as dt
import time

import click

from . import evidence  # noqa: F401  (makes the "evidence" record kind known to `validate`)
from .cli import main
from .errors import RecordError


@main.group()
def report() -> None:
    """Reports built from your saved records."""


@report.command()
@click.option(
    "--records",
    "folder",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder holding the self-audit, action plan, progress logs and evidence log.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Report file to write: ending .docx (Word) or .html (web page).",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Also list what changed in the records since this date (YYYY-MM-DD).",
)
@click.option("--top", default=5, show_default=True, help="How many priorities to show.")
def governors(folder: str, out: str, since: dt.datetime | None, top: int) -> None:
    """Write the report for the governing board from the records in FOLDER."""
    from .reports import build_report, write_report

    if not out.lower().endswith((".docx", ".html", ".htm")):
        raise click.BadParameter(
            "the report file name must end in .docx or .html", param_hint="--out"
        )
    started = time.perf_counter()
    try:
        built = build_report(folder, since=since.date() if since else None, top=top)
        path = write_report(built, out)
    except RecordError as error:
        raise click.ClickException(str(error)) from None
    for problem in built.records.problems:
        click.echo(f"skipped  {problem}", err=True)
    click.echo(f"wrote {path} ({time.perf_counter() - started:.1f} s)")
