"""The ``wholeschool`` command line: one group, each command in a module of its own.

Commands import what they need when they run, so ``wholeschool validate`` starts without
pandas, matplotlib or ipywidgets.
"""

from __future__ import annotations

import click

from .. import __version__
from .framework import framework
from .report import report
from .serve import serve
from .team import calibrate, team
from .trainer import trainer
from .validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wholeschool")
def main() -> None:
    """Tools for the whole school mental health course for Senior Mental Health Leads."""


for command in (validate, framework, report, serve, trainer, team, calibrate):
    main.add_command(command)
