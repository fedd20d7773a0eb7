"""``wholeschool report ...``: reports built from a records folder."""

from __future__ import annotations

import datetime as dt
import time

import click

from ..core.errors import RecordError
from ..render.safe import terminal_safe


@click.group()
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
@click.option(
    "--top",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="How many priorities to show (1 to 50).",
)
@click.option(
    "--school", default=None, help="The school to report on, when the folder holds several."
)
def governors(
    folder: str, out: str, since: dt.datetime | None, top: int, school: str | None
) -> None:
    """Write the report for the governing board from the records in FOLDER."""
    from ..reports.governors import build_report, report_suffix, write_report

    try:
        report_suffix(out)
    except RecordError as error:
        raise click.BadParameter(error.problem, param_hint="--out") from None
    started = time.perf_counter()
    try:
        built = build_report(folder, since=since.date() if since else None, top=top, school=school)
        path = write_report(built, out)
    except RecordError as error:
        raise click.ClickException(terminal_safe(str(error))) from None
    for problem in built.records.problems:
        click.echo(terminal_safe(f"skipped  {problem}"), err=True)
    click.echo(f"wrote {path} ({time.perf_counter() - started:.1f} s)")
