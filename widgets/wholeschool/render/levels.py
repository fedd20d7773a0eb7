"""Book pages on rating: an indicator's own level descriptors, and the calibration settings."""

from __future__ import annotations

from IPython.display import Markdown

from ..core.calibration import SETTING_NAMES, calibration_settings
from ..core.framework import FRAMEWORK, Framework
from .safe import markdown_cell, markdown_text


def level_table(indicator_id: str, framework: Framework = FRAMEWORK) -> Markdown:
    """One indicator: its text, then each level and what it looks like for this indicator."""
    indicator = framework.indicator_by_id[indicator_id]
    rows = ["| Level | What it looks like for this indicator |", "| --- | --- |"]
    rows += [
        f"| {level.label} | {markdown_cell(framework.descriptor(indicator_id, level.value))} |"
        for level in framework.scale
    ]
    note = (
        f"\n\n*Setting note:* {markdown_text(indicator.setting_note)}"
        if indicator.setting_note
        else ""
    )
    return Markdown(f"**{markdown_text(indicator.text)}**\n\n" + "\n".join(rows) + note)


def calibration_list(framework: Framework = FRAMEWORK) -> Markdown:
    """The calibration settings: name, kind and the principles rated."""
    items = []
    for setting in calibration_settings().values():
        principles = " and ".join(
            framework.principle(p).short_name.lower() for p in setting.principles
        )
        items.append(
            f"- **{markdown_text(setting.name)}**: {SETTING_NAMES[setting.setting].lower()}; "
            f"you rate {principles} ({len(setting.moderated)} indicators)."
        )
    return Markdown("\n".join(items))
