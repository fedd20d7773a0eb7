"""What every form shares: its styles, its choices, its reminder and its status line.

The choices on a rating are the level names with what each means, never bare numbers, and no
form shows an internal id such as ``leadership.1``.
"""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as widgets
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

from ..core.framework import Framework
from ..core.records import DEFAULT_SCHOOL, NO_PUPIL_DATA
from ..render.alert import ALERT_COLOUR

#: A rating control's value for "not rated yet" (a selection cannot hold ``None`` as a choice).
UNRATED = -1
__all__ = ["DEFAULT_SCHOOL", "UNRATED", "Looks", "indicator_choices", "rating_choices", "rated"]
ERROR_COLOUR = ALERT_COLOUR


class Looks:
    """Layouts and styles shared by every row of a form: one model each instead of one per
    control, which makes building the eight-principle form about twice as fast."""

    def __init__(self) -> None:
        self.html_style = HTMLStyle()
        self.plain = widgets.Layout()
        self.full = widgets.Layout(width="100%")
        self.note = widgets.Layout(width="95%")
        self.row = widgets.Layout(margin="0 0 1.2em 0")
        self.choices = widgets.Layout(width="auto")
        self.description = DescriptionStyle(description_width="initial")
        self.text_style = TextStyle(description_width="initial")

    def html(self, value: str) -> widgets.HTML:
        return widgets.HTML(value, layout=self.full, style=self.html_style)


def rating_choices(framework: Framework) -> list[tuple[str, int]]:
    """The choices of a rating: "Not rated yet", then each level's name and what it means."""
    return [("Not rated yet", UNRATED)] + [
        (f"{level.label}: {level.descriptor}", level.value) for level in framework.scale
    ]


def indicator_choices(framework: Framework, indicator_id: str) -> list[tuple[str, int]]:
    """The choices of one indicator's rating: "Not rated yet", then what each level looks like
    for this indicator (the generic meaning where it has no descriptor)."""
    return rating_choices(framework)[:1] + framework.level_choices(indicator_id)


def rated(value: int) -> int | None:
    """A rating control's value as stored (``None`` for not rated)."""
    return None if value == UNRATED else value


def reminder_html() -> str:
    """The one privacy reminder a form shows, above its first free-text field."""
    return (
        '<p class="wholeschool-reminder"><strong>Before you write:</strong> '
        f"{html.escape(NO_PUPIL_DATA)} Write about practice, policies and groups, not about "
        "individual children. A worry about a child's safety goes to your designated "
        "safeguarding lead (DSL) now, following your school's procedures, not into this form.</p>"
    )


def saved_html(when: dt.datetime, where: str) -> str:
    """The status line after a save: plainly saved, when, and where."""
    return (
        f'<span role="status"><strong>\u2713 Saved</strong> at {when:%H:%M} '
        f"<small>({html.escape(where)})</small></span>"
    )


def error_html(message: str, consequence: str) -> str:
    """The status line when a save failed: what is wrong and what was kept."""
    return (
        f'<span role="alert" style="color:{ERROR_COLOUR}"><strong>Not saved:</strong> '
        f"{html.escape(message)}. {html.escape(consequence)}</span>"
    )
