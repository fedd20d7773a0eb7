"""The calibration assignment's cells, and the checks they run (issue 22).

A lead reads a fictional setting's one-page picture, rates every indicator of its principles,
and the autograder gives a point for each rating within one level of the moderated one. Each
hidden test prints the moderators' reason, so the feedback quotes it for every indicator; a
rating two or more levels out (or missing) fails with the reason as its message.

No code to write: the lead's ratings are a ``%%ratings`` box of plain lines, one per indicator
by its number in the self-audit ("2.3 Calm places ...: Developing"); running the box reads them
and says which still need a level.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..core.calibration import calibration_settings, compare
from ..core.framework import FRAMEWORK
from ..core.records import NO_PUPIL_DATA
from .answers import model_or_answer
from .reflect_cells import CellSpec

ASSIGNMENT = "calibration"
SETTING = "primary"
IMPORTS = "from wholeschool.grading.calibration_cells import check_rating, show_setting, start"
LEVELS = ", ".join(level.label for level in FRAMEWORK.scale[:-1]) + (
    f" or {FRAMEWORK.scale[-1].label}"
)
#: A line of the ratings box: an indicator's number, its words, a colon, then the level (after
#: the last colon, so words with a colon of their own still read).
_LINE = re.compile(r"^\s*(\d+)\.(\d+)\b[^\n]*:[ \t]*(?P<level>[^:\n]*?)\s*$", re.M)


def number(indicator_id: str) -> str:
    """An indicator's number as the self-audit shows it ("leadership.3" is "1.3")."""
    principle_id, _, index = indicator_id.rpartition(".")
    return f"{FRAMEWORK.principle(principle_id).number}.{index}"


def read_ratings(text: str) -> dict[str, str]:
    """The levels written in a ratings box, by indicator id; lines that are not
    "N.M ...: level" (instructions, blank lines) are skipped, and unknown numbers too."""
    by_number = {str(p.number): p.id for p in FRAMEWORK.principles}
    ratings = {}
    for match in _LINE.finditer(text):
        principle_id = by_number.get(match.group(1))
        key = f"{principle_id}.{match.group(2)}"
        if principle_id and key in FRAMEWORK.indicator_by_id:
            ratings[key] = match["level"]
    return ratings


def start(setting_id: str) -> None:
    """Make the ``%%ratings`` box work in this notebook (reads it into ``ratings``)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:  # not in a notebook: nothing to register
        return

    def ratings_magic(line: str, cell: str) -> None:
        ratings = read_ratings(model_or_answer(cell))
        shell.user_ns["ratings"] = ratings
        check_format(setting_id, ratings)

    shell.register_magic_function(ratings_magic, "cell", "ratings")
    shell.user_ns.setdefault("ratings", {})


def _level(value: object) -> int | None:
    """A rating written as a level name ("Developing") or its number (2); ``None`` if blank."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= FRAMEWORK.max_rating else None
    names = {level.label.lower(): level.value for level in FRAMEWORK.scale}
    return names.get(str(value).strip().lower())


def show_setting(setting_id: str) -> object:
    """The setting's picture and, per indicator, what each level looks like (as Markdown)."""
    from IPython.display import Markdown

    setting = calibration_settings()[setting_id]
    parts = [f"## {setting.name}\n\n{setting.picture}\n\n## What each level looks like"]
    for principle_id in setting.principles:
        principle = FRAMEWORK.principle(principle_id)
        parts.append(f"### {principle.number}. {principle.short_name}")
        for indicator in principle.indicators:
            levels = "\n".join(
                f"  - *{level.label}*: {FRAMEWORK.descriptor(indicator.id, level.value)}"
                for level in FRAMEWORK.scale
            )
            parts.append(f"- **{number(indicator.id)}** {indicator.text}\n{levels}")
    return Markdown("\n\n".join(parts))


def check_format(setting_id: str, ratings: Mapping[str, object]) -> None:
    """Say which indicators still need a level (never reveals the moderated ratings)."""
    setting = calibration_settings()[setting_id]
    missing = [key for key in setting.moderated if _level(ratings.get(key)) is None]
    unknown = [key for key in ratings if key not in setting.moderated]
    if unknown:
        print(f"Not part of this exercise: {', '.join(number(key) for key in unknown)}")
    if missing:
        print(
            f"{len(missing)} still need a level ({LEVELS}): "
            f"{', '.join(number(key) for key in missing)}"
        )
    else:
        print(f"All {len(setting.moderated)} indicators have a level. Ready to submit.")


def check_rating(setting_id: str, ratings: Mapping[str, object], indicator_id: str) -> None:
    """Print the comparison and the moderators' reason; fail if two or more levels out."""
    setting = calibration_settings()[setting_id]
    given = _level(ratings.get(indicator_id))
    result = compare(setting, {indicator_id: given}).comparisons
    (item,) = [c for c in result if c.indicator.id == indicator_id]
    scale = FRAMEWORK.scale
    yours = "not rated" if given is None else scale[given].label
    line = (
        f"{item.indicator.text}\nYou: {yours}. Moderated: {scale[item.moderated].label} "
        f"({item.verdict}).\nWhy: \u201c{item.reason}\u201d"
    )
    print(line)
    if item.verdict in ("further", "not rated"):
        raise AssertionError(line.replace("\n", " "))


def calibration_specs(setting_id: str = SETTING) -> list[CellSpec]:
    """Every cell of the calibration assignment, in order."""
    setting = calibration_settings()[setting_id]
    total = len(setting.moderated)
    intro = (
        f"# Calibration: rate a fictional school\n\n"
        f"Before you rate your own school, rate *{setting.name}*, an invented {setting.setting} "
        "school, from the one-page picture below. Course moderators have rated it too. "
        f"This assignment is worth **{total} points**: one for each indicator you rate within "
        "one level of the moderated rating. The feedback shows, for every indicator, the "
        "moderated rating and the reason for it, so you can see what decides each level.\n\n"
        "> **Safeguarding.** The school is invented. If the exercise raises a concern about a "
        "child in your own school, follow your school's safeguarding procedures and speak to "
        "your designated safeguarding lead (DSL) straight away."
    )
    template = "\n".join(
        f"{number(key)} {FRAMEWORK.indicator_by_id[key].text.rstrip('.')}:"
        for key in setting.moderated
    )
    labels = {level.value: level.label for level in FRAMEWORK.scale}
    solution = "\n".join(
        f"{number(key)} {FRAMEWORK.indicator_by_id[key].text.rstrip('.')}: {labels[item.rating]}"
        for key, item in setting.moderated.items()
    )
    answer = f"%%ratings\n{template}\n### BEGIN SOLUTION\n{solution}\n### END SOLUTION"
    prompt = (
        "## Your ratings\n\n"
        f"In the box below, after the colon at the end of each indicator, write one level: "
        f"{LEVELS}. Then run the box: it tells you which indicators still need a level. "
        f"Leave the first line (`%%ratings`) as it is.\n\n*{NO_PUPIL_DATA}*"
    )
    specs = [
        CellSpec(f"{ASSIGNMENT}-intro", "markdown", intro),
        CellSpec(
            f"{ASSIGNMENT}-setting",
            "check",
            "# Run this box first: it shows the school to rate (nothing to change here).\n"
            f'{IMPORTS}\n\nSETTING = "{setting_id}"\nstart(SETTING)\nshow_setting(SETTING)',
        ),
        CellSpec(f"{ASSIGNMENT}-prompt", "markdown", prompt),
        CellSpec(ASSIGNMENT, "answer", answer),
    ]
    for key in setting.moderated:
        text = FRAMEWORK.indicator_by_id[key].text
        specs.append(
            CellSpec(
                f"{ASSIGNMENT}-{key.replace('.', '-')}",
                "hidden",
                f"# Checked automatically: {text[0].lower()}{text[1:]}\n"
                f'### BEGIN HIDDEN TESTS\ncheck_rating(SETTING, ratings, "{key}")\n'
                "### END HIDDEN TESTS",
                1,
            )
        )
    return specs
