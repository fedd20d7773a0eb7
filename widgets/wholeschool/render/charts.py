"""Charts with matplotlib's object API (no pyplot, no global state, no backend chosen here).

The progress radar and per-principle lines, and the governors' report's standing and change
charts, which use patterns, markers and value labels rather than colour so they read the
same printed in black and white. :func:`png` turns a figure into PNG bytes for notebooks, HTML
and Word. matplotlib is imported here only, so nothing that merely reads records needs it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from ..core.scoring import format_score

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
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _scale_axis(figure: Figure, levels: Sequence[str]):
    axes = figure.add_subplot()
    top = len(levels) - 1
    axes.set_xlim(0, top + 0.6)
    axes.set_xticks(range(top + 1))
    axes.set_xticklabels([f"{n}\n{label}" for n, label in enumerate(levels)], fontsize=8)
    axes.grid(axis="x", color="0.75", linestyle=":", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.invert_yaxis()
    return axes


def standing(
    names: Sequence[str], values: Sequence[float | None], levels: Sequence[str], title: str
) -> Figure:
    """Horizontal bars, one per principle, hatched, with the score written at the end."""
    figure = Figure(figsize=(7.5, 4.2), layout="constrained")
    axes = _scale_axis(figure, levels)
    bars = axes.barh(
        list(names),
        [v or 0 for v in values],
        color="0.85",
        edgecolor="black",
        hatch="///",
        linewidth=0.8,
    )
    for bar, value in zip(bars, values, strict=True):
        text = format_score(value, "not rated")
        axes.text(bar.get_width() + 0.05, bar.get_y() + bar.get_height() / 2, text, va="center")
    axes.set_title(title, fontsize=10)
    return figure


def change(
    names: Sequence[str],
    before: Sequence[float | None],
    now: Sequence[float | None],
    levels: Sequence[str],
    labels: tuple[str, str],
) -> Figure:
    """Last term (open ring) and now (filled square) per principle, joined by a line."""
    figure = Figure(figsize=(7.5, 4.2), layout="constrained")
    axes = _scale_axis(figure, levels)
    for y, (old, new) in enumerate(zip(before, now, strict=True)):
        if old is not None and new is not None:
            axes.plot([old, new], [y, y], color="black", linewidth=1)
        if old is not None:
            axes.plot(old, y, "o", markerfacecolor="white", markeredgecolor="black", ms=13)
        if new is not None:  # smaller, on top: an unchanged score shows a square in a ring
            axes.plot(new, y, "s", color="black", ms=6)
    axes.set_yticks(range(len(names)))
    axes.set_yticklabels(list(names))
    axes.set_ylim(len(names) - 0.5, -0.5)
    handles = [
        axes.plot([], [], "o", markerfacecolor="white", markeredgecolor="black")[0],
        axes.plot([], [], "s", color="black")[0],
    ]
    axes.legend(
        handles,
        list(labels),
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=2,
        frameon=False,
        fontsize=8,
    )
    return figure


def _wrap(text: str, width: int = 18) -> str:
    words, lines_, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines_.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines_, line])
