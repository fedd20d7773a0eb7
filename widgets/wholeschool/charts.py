"""Progress charts with matplotlib: a radar of the eight principles, and a line per principle.

Figures are built with the object-oriented API (no pyplot, no global state, any backend), and
turned into PNG bytes for notebooks, HTML and Word.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

Series = Mapping[str, Sequence[float | None]]
COLOURS = ("#6c757d", "#0b5394", "#b45f06", "#38761d", "#741b47")


def radar(labels: Sequence[str], series: Series, top: int) -> Figure:
    """One closed polygon per series over ``labels`` (one spoke each), scale 0 to ``top``.

    A missing value (``None``) is drawn at 0 and marked as not rated in the legend text.
    """
    figure = Figure(figsize=(7, 6.5), layout="constrained")
    axes = figure.add_subplot(projection="polar")
    axes.set_theta_offset(math.pi / 2)  # the first label (the centre principle) at the top
    axes.set_theta_direction(-1)  # then clockwise, in framework order
    angles = [2 * math.pi * i / len(labels) for i in range(len(labels))]
    for n, (name, values) in enumerate(series.items()):
        points = [0.0 if v is None else float(v) for v in values]
        colour = COLOURS[n % len(COLOURS)]
        missing = sum(v is None for v in values)
        label = f"{name} ({missing} not rated)" if missing else name
        axes.plot([*angles, angles[0]], [*points, points[0]], color=colour, label=label, lw=2)
        axes.fill([*angles, angles[0]], [*points, points[0]], color=colour, alpha=0.12)
    axes.set_xticks(angles, [_wrap(label) for label in labels], fontsize=8)
    axes.set_ylim(0, top)
    axes.set_yticks(range(top + 1))
    axes.set_rlabel_position(360 / len(labels) / 2)
    axes.tick_params(axis="x", pad=12)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=2, frameon=False)
    return figure


def lines(
    points: Sequence[str], series: Series, top: int, columns: int = 4, ylabel: str = "Rating"
) -> Figure:
    """Small multiples: one panel per series (principle), its value at each point (term)."""
    rows = math.ceil(len(series) / columns)
    figure = Figure(figsize=(3.2 * columns, 2.6 * rows), layout="constrained")
    grid = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    x = list(range(len(points)))
    for axes, (name, values) in zip(grid.flat, series.items(), strict=False):
        known = [(i, v) for i, v in zip(x, values, strict=True) if v is not None]
        if known:
            axes.plot(*zip(*known, strict=True), marker="o", color=COLOURS[1], lw=2)
        axes.set_title(_wrap(name, 28), fontsize=9)
        axes.set_ylim(-0.2, top + 0.2)
        axes.set_yticks(range(top + 1))
        axes.grid(alpha=0.3)
    for axes in grid.flat[len(series) :]:
        axes.set_visible(False)
    for axes in grid[-1]:
        axes.set_xticks(x, points, rotation=45, ha="right", fontsize=8)
    for axes in grid[:, 0]:
        axes.set_ylabel(ylabel)
    return figure


def png(figure: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _wrap(text: str, width: int = 18) -> str:
    words, lines_, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines_.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines_, line])
