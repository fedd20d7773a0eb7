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
@click.option(
    "--from",
    "source",
    default=None,
    type=click.Path(exists=True, file_okay=False),
    help="Folder of template files to use instead of the course's own.",
)
def templates(out: str, source: str | None) -> None:
    """Write the policy, referral map, incident plan and working agreement templates."""
    from ..core.errors import DataFileError
    from ..core.templates import load_templates
    from ..reports.templates import write_templates

    try:
        chosen = load_templates(Path(source)) if source else load_templates()
        paths = write_templates(Path(out), chosen)
    except DataFileError as error:
        raise click.ClickException(str(error)) from None
    for path in paths:
        click.echo(path.name)
