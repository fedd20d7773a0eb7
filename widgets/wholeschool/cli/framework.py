"""``wholeschool framework``: print the principles, indicators, gate and rating scale."""

from __future__ import annotations

import click

from ..core.framework import FRAMEWORK


@click.command()
def framework() -> None:
    """Print the principles, indicators and rating scale of the framework."""
    click.echo(f"{FRAMEWORK.title} (version {FRAMEWORK.version})")
    click.echo("Scale: " + ", ".join(f"{lv.value} {lv.label}" for lv in FRAMEWORK.scale))
    for principle in FRAMEWORK.principles:
        click.echo(f"\n{principle.number}. {principle.short_name} [{principle.id}]")
        for indicator in principle.indicators:
            click.echo(f"   {indicator.id:<22} {indicator.text}")
    if FRAMEWORK.gate is not None:
        gate = FRAMEWORK.gate
        click.echo(f"\nSafeguarding route [{gate.id}], asked on the {gate.principle} page:")
        click.echo(f"   {gate.text}")
        click.echo("   Answers: " + ", ".join(a.label for a in gate.answers))
