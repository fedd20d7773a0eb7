"""``wholeschool sources``: the sources register, the longest unchecked first."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--kind",
    type=click.Choice(
        ["statutory", "guidance", "inspection", "dataset", "helpline", "resource", "policy"]
    ),
    help="Only sources of this kind.",
)
@click.option(
    "--before",
    metavar="YYYY-MM",
    help="Only sources last checked before this month.",
)
def sources(kind: str | None, before: str | None) -> None:
    """List the sources the course relies on, the longest unchecked first.

    Each line gives the month it was last checked, the register id, the title, the edition the
    course cites and where to check it. Update data/sources.yaml after checking.
    """
    from ..core.errors import DataFileError
    from ..core.sources import MONTH, load_register

    if before is not None and not MONTH.match(before):
        raise click.BadParameter(
            "should be a month written YYYY-MM, such as 2026-09", param_hint="--before"
        )
    try:
        register = load_register()
    except DataFileError as problem:
        raise click.ClickException(str(problem)) from None
    listed = [
        s
        for s in register.by_last_checked()
        if (kind is None or s.kind == kind) and (before is None or s.last_checked < before)
    ]
    for source in listed:
        click.echo(f"{source.last_checked}  {source.id:<24} {source.title} ({source.publisher})")
        click.echo(f"{'':9}{source.kind}; {source.edition}")
        click.echo(f"{'':9}{source.url}")
        if source.note:
            click.echo(f"{'':9}Note: {source.note}")
    click.echo(f"{len(listed)} of {len(register.sources)} sources listed.")
