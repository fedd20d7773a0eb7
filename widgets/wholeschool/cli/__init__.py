"""The ``wholeschool`` command line: one group, each command in a module of its own.

Commands import what they need when they run, so ``wholeschool validate`` starts without
pandas, matplotlib or ipywidgets.
"""

from __future__ import annotations

import click

from .. import __version__
from ..core.errors import WholeschoolError
from ..render.safe import terminal_safe
from ..store.atomic import file_in_the_way
from .framework import framework
from .report import report
from .serve import serve
from .sources import sources
from .team import calibrate, team
from .templates import templates
from .trainer import trainer
from .validate import validate


class Commands(click.Group):
    """The command group; a file or folder that cannot be read or written, or a record
    problem, ends any command with a one-line message naming it, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except WholeschoolError as error:
            raise click.ClickException(terminal_safe(str(error))) from None
        except OSError as error:
            blocked = file_in_the_way(error.filename) if error.filename else None
            if blocked is not None:
                raise click.ClickException(
                    terminal_safe(f"{blocked}: is a file, not a folder; choose another place")
                ) from None
            where = error.filename or "a file"
            reason = (error.strerror or type(error).__name__).lower()
            raise click.ClickException(
                terminal_safe(f"{where}: cannot be read or written ({reason})")
            ) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wholeschool")
def main() -> None:
    """Tools for the whole school mental health course for Senior Mental Health Leads."""


for command in (validate, framework, report, serve, sources, templates, trainer, team, calibrate):
    main.add_command(command)
