"""The calibration form: read a fictional setting, rate it, then compare with the moderators.

The lead chooses one of the course's fictional settings, reads its one-page picture and rates
its indicators with the self-audit's own controls (each indicator's level descriptors as the
choices). "Compare" then shows, indicator by indicator, the lead's rating beside the moderated
one with the moderators' reason, and how far they agree, in words and as a bar. The ratings of
an invented school are practice: nothing is saved, so nothing can be mistaken for the lead's
own self-audit (the comparison rule is :func:`wholeschool.core.calibration.compare`).

On the course hub, when the trainer has opened the cohort's calibration exercise on a
setting, the form starts on that setting and offers "Send my ratings to my trainer": the only
thing that leaves the page, as a file of the lead's own in the exchange
(:mod:`wholeschool.store.calibration_exercise`).
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from ..core.calibration import (
    SETTING_NAMES,
    Calibration,
    CalibrationSetting,
    calibration_settings,
    compare,
)
from ..core.clock import Clock, system_clock, today
from ..core.framework import FRAMEWORK, Framework
from ..reports.calibration import RESULT_WORDS
from ..store.calibration_exercise import ExerciseError, lead_exercise, send_ratings
from .looks import ERROR_COLOUR, UNRATED, Looks, indicator_choices, rated
from .visuals import FAR, GOOD, NEAR, NONE, scale_strip, share_bar

VERDICT_COLOURS = {"agree": GOOD, "one level out": NEAR, "further": FAR, "not rated": NONE}


def picture_html(setting: CalibrationSetting) -> str:
    """The setting's one-page picture, paragraph by paragraph (escaped)."""
    paragraphs = [p.strip() for p in setting.picture.split("\n\n") if p.strip()]
    body = "".join(f"<p>{html.escape(' '.join(p.split()))}</p>" for p in paragraphs)
    return (
        f'<div class="wholeschool-picture" style="border-left:4px solid #1f5fa8;'
        f'padding:.2em .9em;margin:.6em 0;max-width:46em">'
        f"<h3>{html.escape(setting.name)}</h3>"
        f"<p><em>{html.escape(SETTING_NAMES[setting.setting])}. Every detail is invented."
        f"</em></p>{body}</div>"
    )


def summary_words(result: Calibration) -> str:
    """How close the lead came, in one or two sentences."""
    counts = result.counts
    words = (
        f"You agreed with the moderated rating on {counts['agree']} of {result.total} "
        f"indicators, were one level out on {counts['one level out']} and two or more levels "
        f"out on {counts['further']}."
    )
    if counts["not rated"]:
        words += f" {counts['not rated']} not rated yet."
    if result.within_one == result.total:
        words += " All within one level: your judgement matches the moderators' closely."
    elif counts["further"]:
        words += (
            " Where you are further out, read the reason and the level descriptions again: "
            "it is often a sign of rating what is planned rather than what can be shown."
        )
    return words


def comparison_html(result: Calibration, framework: Framework = FRAMEWORK) -> str:
    """The comparison: the summary in words, a bar, then each indicator with the reason."""
    counts = result.counts
    parts = [(RESULT_WORDS[v], counts[v], VERDICT_COLOURS[v]) for v in counts]
    out = [
        '<h3 tabindex="-1" class="calibration-result">How your ratings compare</h3>',
        f'<p role="status">{html.escape(summary_words(result))}</p>',
        share_bar(parts, summary_words(result).split(".")[0]),
    ]
    for principle_id in result.setting.principles:
        principle = framework.principle(principle_id)
        out.append(f"<h4>{principle.number}. {html.escape(principle.short_name)}</h4>")
        items = [c for c in result.comparisons if c.indicator.principle_id == principle_id]
        for number, item in enumerate(items, start=1):
            moderated = framework.scale[item.moderated].label
            yours = "not rated" if item.rating is None else framework.scale[item.rating].label
            marks = {item.moderated: "Moderated"}
            if item.rating is not None:
                marks[item.rating] = "You" if item.rating != item.moderated else "You and moderated"
            verdict = RESULT_WORDS[item.verdict]
            out.append(
                '<div class="calibration-item" style="margin:0 0 1.1em 0">'
                f'<p style="margin-bottom:.2em"><strong>{number}. '
                f"{html.escape(item.indicator.text)}</strong></p>"
                f'<p style="margin:.1em 0">Your rating: <strong>{html.escape(yours)}</strong>. '
                f"Moderated: <strong>{html.escape(moderated)}</strong>. "
                f'<span style="color:#fff;background:{VERDICT_COLOURS[item.verdict]};'
                f'padding:0 .4em;border-radius:3px">{html.escape(verdict)}</span></p>'
                + scale_strip(
                    framework,
                    marks=marks,
                    label=f"Your rating {yours}; moderated rating {moderated}",
                )
                + f'<p style="margin:.1em 0"><em>Why {html.escape(moderated)}:</em> '
                f"{html.escape(item.reason)}</p></div>"
            )
    return "".join(out)


class CalibrationForm(widgets.VBox):
    """Rate one fictional setting and compare; holds its ratings in memory only."""

    def __init__(
        self,
        framework: Framework = FRAMEWORK,
        exercise: tuple[Path, CalibrationSetting] | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.framework = framework
        self.exercise = exercise
        self.clock = clock
        self.settings = calibration_settings()
        self.looks = Looks()
        self.choice = widgets.Dropdown(
            options=[
                (f"{s.name} ({SETTING_NAMES[s.setting].removeprefix('A fictional ')})", key)
                for key, s in self.settings.items()
            ],
            description="Setting to rate",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.picture = self.looks.html("")
        self.progress = widgets.IntProgress(value=0, min=0, description="Rated", bar_style="info")
        self.summary = widgets.HTML()
        self.rows: dict[str, widgets.RadioButtons] = {}
        self.questions = widgets.VBox()
        self.compare_button = widgets.Button(
            description="Compare with the moderated ratings",
            tooltip="See your ratings beside the moderated ones, with the moderators' reasons",
            button_style="primary",
            layout=widgets.Layout(width="auto", max_width="100%", align_self="flex-start"),
        )
        self.compare_button.on_click(lambda _button: self.compare())
        self.result = self.looks.html("")
        self.send_button = widgets.Button(
            description="Send my ratings to my trainer",
            tooltip="Send your ratings of this setting (no notes) to your trainer",
            icon="paper-plane",
            button_style="success",
            layout=widgets.Layout(width="auto", max_width="100%", align_self="flex-start"),
        )
        self.send_button.on_click(lambda _button: self.send())
        self.sent = self.looks.html("")
        self.exercise_note = self.looks.html("")
        #: The trainer's exercise: its note, the send button and what sending did.
        self.exercise_box = widgets.VBox()
        if exercise is not None:
            self.choice.value = exercise[1].id
            self.exercise_note.value = (
                '<div class="wholeschool-exercise" style="border-left:4px solid #2e7d32;'
                'padding:.1em .9em;margin:.6em 0;max-width:46em">'
                f"<p><strong>Your trainer's calibration exercise:</strong> the cohort rates "
                f"{html.escape(exercise[1].name)}. Rate it on your own and send your ratings "
                "<em>before</em> you compare, so your trainer sees your own judgement. Your "
                "trainer sees how the cohort's ratings spread, indicator by indicator; who "
                "rated what only once at least three leads have sent theirs. Only your ratings "
                "are sent, and only when you press <em>Send my ratings to my trainer</em>; you "
                "can send again, and your latest counts.</p></div>"
            )
        self.choice.observe(lambda _change: self._show_setting(), names="value")
        intro = self.looks.html(
            "<p><strong>Practice on an invented school.</strong> Read the picture, rate each "
            "indicator from what it shows (not what is planned), then compare. Nothing you "
            "choose here is saved, and none of it goes into your own school's self-audit.</p>"
        )
        super().__init__(
            [
                intro,
                self.choice,
                self.exercise_note,
                self.picture,
                widgets.HBox([self.progress, self.summary]),
                self.questions,
                self.exercise_box,
                self.compare_button,
                self.result,
            ]
        )
        self._show_setting()

    @property
    def setting(self) -> CalibrationSetting:
        return self.settings[self.choice.value]

    def _show_setting(self) -> None:
        """Show the chosen setting's picture and a fresh set of ratings for it."""
        setting, framework, looks = self.setting, self.framework, self.looks
        self.picture.value = picture_html(setting)
        self.rows = {}
        children: list[widgets.Widget] = []
        for principle_id in setting.principles:
            principle = framework.principle(principle_id)
            children.append(
                looks.html(f"<h3>{principle.number}. {html.escape(principle.short_name)}</h3>")
            )
            for number, indicator in enumerate(principle.indicators, start=1):
                control = widgets.RadioButtons(
                    options=indicator_choices(framework, indicator.id),
                    value=UNRATED,
                    description=f"Rating {number}",
                    style=looks.description,
                    layout=looks.choices,
                )
                control.observe(lambda _change: self._update(), names="value")
                self.rows[indicator.id] = control
                shows = (
                    f'<br><small class="wholeschool-shows">What would show this: '
                    f"{html.escape(indicator.shows)}</small>"
                    if indicator.shows
                    else ""
                )
                text = looks.html(
                    f"<p><strong>{number}. {html.escape(indicator.text)}</strong>{shows}</p>"
                )
                children.append(widgets.VBox([text, control], layout=looks.row))
        self.questions.children = children
        self.progress.max = len(self.rows)
        self.result.value = ""
        self.sent.value = ""
        ours = self.exercise is not None and self.exercise[1].id == setting.id
        self.exercise_box.children = [self.send_button, self.sent] if ours else []
        self._update()

    def _update(self) -> None:
        count = sum(rated(c.value) is not None for c in self.rows.values())
        self.progress.value = count
        self.summary.value = f"{count} of {len(self.rows)} rated"

    def ratings(self) -> dict[str, int | None]:
        """The lead's ratings on screen (``None`` where not rated yet)."""
        return {key: rated(control.value) for key, control in self.rows.items()}

    def send(self) -> bool:
        """Send the ratings on screen to the trainer's exercise; say what happened."""
        if self.exercise is None:
            return False
        course, setting = self.exercise
        try:
            send_ratings(
                course, setting, self.ratings(), today(self.clock), framework=self.framework
            )
        except ExerciseError as error:
            self.sent.value = (
                f'<p role="alert" style="color:{ERROR_COLOUR}"><strong>Not sent:</strong> '
                f"{html.escape(str(error))}</p>"
            )
            return False
        count = sum(value is not None for value in self.ratings().values())
        self.sent.value = (
            f'<p role="status">\u2713 Sent {count} of {len(self.rows)} ratings to your trainer '
            f"(at {self.clock().astimezone():%H:%M}). Now compare them with the moderated "
            "ratings below.</p>"
        )
        return True

    def compare(self) -> Calibration:
        """Show the comparison below the ratings, and return it."""
        result = compare(self.setting, self.ratings(), self.framework)
        self.result.value = comparison_html(result, self.framework)
        return result


def calibration(framework: Framework = FRAMEWORK) -> CalibrationForm:
    """The calibration form (it saves nothing: the school is invented); on the hub, with the
    trainer's exercise if one is open."""
    return CalibrationForm(framework, lead_exercise())
