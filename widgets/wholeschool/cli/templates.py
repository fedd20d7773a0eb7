"""``wholeschool templates``: write the downloadable templates as Word and Markdown files."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the templates into (created if missing).",
)
def templates(out: str) -> None:
    """Write the policy, referral map, incident plan and working agreement templates."""
    from ..core.errors import DataFileError
    from ..reports.templates import write_templates

    try:
        paths = write_templates(Path(out))
    except DataFileError as error:
        raise click.ClickException(str(error)) from None
    for path in paths:
        click.echo(path.name)
