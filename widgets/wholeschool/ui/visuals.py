"""Two small pictures the forms draw in HTML: a share bar and the rating scale as a strip.

Each carries its meaning in words too (an ``aria-label`` and visible text), so nothing is told
by colour alone, and both fit a phone's width.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from ..core.framework import Framework

#: Colours of the parts of a share bar, dark enough to read white text on (4.5:1 or more).
GOOD = "#1a6e32"
NEAR = "#8a4b00"
FAR = "#a4000f"
NONE = "#616161"
#: The strip's colour for a level someone chose (its shade says how many).
FILL = (31, 95, 168)


def share_bar(parts: Sequence[tuple[str, int, str]], label: str) -> str:
    """A horizontal bar split into ``(words, count, colour)`` parts, with a legend below."""
    total = sum(count for _, count, _ in parts) or 1
    pieces = "".join(
        f'<span style="display:inline-block;height:100%;width:{100 * count / total:.3f}%;'
        f'background:{colour}"></span>'
        for _, count, colour in parts
        if count
    )
    legend = "".join(
        f'<li style="display:inline-block;margin:0 1em .2em 0">'
        f'<span aria-hidden="true" style="display:inline-block;width:.9em;height:.9em;'
        f'background:{colour};vertical-align:middle;margin-right:.3em"></span>'
        f"{html.escape(words)}: <strong>{count}</strong></li>"
        for words, count, colour in parts
    )
    return (
        f'<div role="img" aria-label="{html.escape(label)}" class="wholeschool-bar" '
        'style="display:flex;height:1.2em;max-width:36em;border:1px solid #555;'
        f'margin:.4em 0">{pieces}</div>'
        f'<ul style="list-style:none;padding:0;margin:0 0 .6em 0">{legend}</ul>'
    )


def scale_strip(
    framework: Framework,
    *,
    counts: Sequence[int] | None = None,
    marks: Mapping[int, str] | None = None,
    label: str,
) -> str:
    """The rating scale as a row of cells, lowest level first: each cell shows how many chose
    that level (``counts``, shaded by how many) and/or a word such as "You" (``marks``)."""
    marks = marks or {}
    top = max(counts or [0]) or 1
    cells = []
    for level in framework.scale:
        n = counts[level.value] if counts is not None else 0
        mark = marks.get(level.value, "")
        filled = n > 0 or bool(mark)
        if counts is not None and n:
            alpha = 0.12 + 0.33 * n / top  # light enough for black text (9:1 or more)
            background = f"rgba({FILL[0]},{FILL[1]},{FILL[2]},{alpha:.2f})"
            colour = "#000"
        elif mark:
            background, colour = "#e8eef7", "#000"
        else:
            background, colour = "#fff", "#595959"
        shown = [f"<strong>{n}</strong>"] if counts is not None else []
        if mark:
            shown.append(f"<strong>{html.escape(mark)}</strong>")
        cells.append(
            f'<div style="flex:1 1 0;min-width:0;padding:.2em;text-align:center;'
            f"background:{background};color:{colour};border:1px solid "
            f'{"rgb" + str(FILL) if filled else "#bbb"};overflow-wrap:anywhere;font-size:.85em">'
            f"{'<br>'.join(shown) or '&nbsp;'}<br><small>{html.escape(level.label)}</small></div>"
        )
    return (
        f'<div role="img" aria-label="{html.escape(label)}" class="wholeschool-strip" '
        f'style="display:flex;gap:2px;max-width:36em;margin:.3em 0">{"".join(cells)}</div>'
    )
