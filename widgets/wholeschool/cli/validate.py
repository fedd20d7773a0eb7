"""``wholeschool validate``: check record files, one line per file, never changing them."""

from __future__ import annotations

import sys

import click

from ..render.safe import terminal_safe
from ..store import scan_records


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def validate(paths: tuple[str, ...]) -> None:
    """Check record files (or every *.json under folders); one line per file.

    Exits with status 1 if any file has a problem. Files are only read, never changed.
    """
    results = scan_records(paths)
    if not results:
        click.echo("no record files found", err=True)
        sys.exit(1)
    for result in results:
        if result.error is None:
            record = result.record
            line = f"ok    {result.path} ({record.kind_name}, {record.school}, {record.date})"
        else:
            line = f"FAIL  {result.error}"
        click.echo(terminal_safe(line))
    bad = sum(result.error is not None for result in results)
    click.echo(f"{len(results) - bad} ok, {bad} with problems", err=True)
    sys.exit(1 if bad else 0)
