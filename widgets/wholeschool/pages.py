"""Render framework data as Markdown for the book, so pages never restate the data by hand."""

from __future__ import annotations

from IPython.display import Markdown

from .framework import FRAMEWORK, Framework


def indicator_list(principle_id: str, framework: Framework = FRAMEWORK) -> Markdown:
    """The indicators of one principle as a numbered Markdown list with their ids."""
    principle = framework.principle(principle_id)
    lines = [f"1. {indicator.text} `{indicator.id}`" for indicator in principle.indicators]
    return Markdown("\n".join(lines))


def principle_summary(principle_id: str, framework: Framework = FRAMEWORK) -> Markdown:
    """The full name and one-line summary of a principle."""
    principle = framework.principle(principle_id)
    centre = " It sits at the centre of the approach." if principle.centre else ""
    return Markdown(
        f"**Principle {principle.number}: {principle.name}.**\n\n{principle.summary}{centre}"
    )


def rating_scale(framework: Framework = FRAMEWORK) -> Markdown:
    """The rating scale as a Markdown table."""
    rows = ["| Rating | Level | What it means |", "| --- | --- | --- |"]
    rows += [f"| {lv.value} | {lv.label} | {lv.descriptor} |" for lv in framework.scale]
    return Markdown("\n".join(rows))
