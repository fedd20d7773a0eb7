"""The calibration assignment's cells, and the checks they run (issue 22).

A lead reads a fictional setting's one-page picture, rates every indicator of its principles,
and the autograder gives a point for each rating within one level of the moderated one. Each
hidden test prints the moderators' reason, so the feedback quotes it for every indicator; a
rating two or more levels out (or missing) fails with the reason as its message.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.calibration import calibration_settings, compare
from ..core.framework import FRAMEWORK
from ..core.records import NO_PUPIL_DATA
from .reflect_cells import CellSpec

ASSIGNMENT = "calibration"
SETTING = "primary"
IMPORTS = (
    "from wholeschool.grading.calibration_cells import check_format, check_rating, show_setting"
)
LEVELS = ", ".join(f'"{level.label}"' for level in FRAMEWORK.scale)


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
            parts.append(f'- **"{indicator.id}"**: {indicator.text}\n{levels}')
    return Markdown("\n\n".join(parts))


def check_format(setting_id: str, ratings: Mapping[str, object]) -> None:
    """Say which indicators still need a level (never reveals the moderated ratings)."""
    setting = calibration_settings()[setting_id]
    missing = [key for key in setting.moderated if _level(ratings.get(key)) is None]
    unknown = [key for key in ratings if key not in setting.moderated]
    if unknown:
        print(f"These are not indicators of this exercise: {', '.join(unknown)}")
    if missing:
        print(f"{len(missing)} still need a level ({LEVELS}): {', '.join(missing)}")
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
        f'    "{key}": "",  # {FRAMEWORK.indicator_by_id[key].text}' for key in setting.moderated
    )
    labels = {level.value: level.label for level in FRAMEWORK.scale}
    solution = "\n".join(
        f'    "{key}": "{labels[item.rating]}",' for key, item in setting.moderated.items()
    )
    answer = (
        f"# Write a level for each indicator: {LEVELS}.\n"
        f"# {NO_PUPIL_DATA}\n"
        f"ratings = {{\n{template}\n}}\n"
        f"### BEGIN SOLUTION\nratings = {{\n{solution}\n}}\n### END SOLUTION"
    )
    prompt = (
        "## Your ratings\n\n"
        "In the cell below, write a level in the quotes after each indicator, **delete the "
        "two lines** `# YOUR CODE HERE` and `raise NotImplementedError()`, and run it. The "
        "cell after it tells you which indicators still need a level."
    )
    specs = [
        CellSpec(f"{ASSIGNMENT}-intro", "markdown", intro),
        CellSpec(
            f"{ASSIGNMENT}-setting",
            "check",
            f'{IMPORTS}\n\nSETTING = "{setting_id}"\nshow_setting(SETTING)',
        ),
        CellSpec(f"{ASSIGNMENT}-prompt", "markdown", prompt),
        CellSpec(ASSIGNMENT, "answer", answer),
        CellSpec(f"{ASSIGNMENT}-format", "check", "check_format(SETTING, ratings)"),
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
