"""The ``wholeschool`` command line: checks records and prints the framework."""

from __future__ import annotations

import sys

import click

from . import __version__
from .framework import FRAMEWORK
from .storage import scan_records


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wholeschool")
def main() -> None:
    """Tools for the whole school mental health course for Senior Mental Health Leads."""


@main.command()
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
            click.echo(f"ok    {result.path} ({record.kind_name}, {record.school}, {record.date})")
        else:
            click.echo(f"FAIL  {result.error}")
    bad = sum(result.error is not None for result in results)
    click.echo(f"{len(results) - bad} ok, {bad} with problems", err=True)
    sys.exit(1 if bad else 0)


@main.command()
@click.argument("directory", default="_build/html", type=click.Path(exists=True, file_okay=False))
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(directory: str, port: int) -> None:
    """Serve the built book (gzip-compressed, as a web host would) until Ctrl+C."""
    from .serve import make_server

    try:
        server = make_server(directory, port=port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on port {port}: {error.strerror}") from None
    click.echo(f"\n  The course is at  http://127.0.0.1:{server.server_port}/   (Ctrl+C to stop)\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


@main.command()
def framework() -> None:
    """Print the principles, indicators and rating scale of the framework."""
    click.echo(f"{FRAMEWORK.title} (version {FRAMEWORK.version})")
    click.echo("Scale: " + ", ".join(f"{lv.value} {lv.label}" for lv in FRAMEWORK.scale))
    for principle in FRAMEWORK.principles:
        click.echo(f"\n{principle.number}. {principle.short_name} [{principle.id}]")
        for indicator in principle.indicators:
            click.echo(f"   {indicator.id:<22} {indicator.text}")


from . import cli_report  # noqa: E402, F401  (registers the `wholeschool report` commands)
from .trainer import trainer  # noqa: E402

main.add_command(trainer)

if __name__ == "__main__":  # pragma: no cover
    main()
