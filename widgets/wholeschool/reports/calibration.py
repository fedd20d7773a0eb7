"""A lead's calibration result as a document: indicator by indicator, beside the moderated
rating, with the verdict and the moderators' reason."""

from __future__ import annotations

from ..core.calibration import SETTING_NAMES, Calibration
from ..core.framework import FRAMEWORK, Framework
from ..render.blocks import Block, Document, Heading, Paragraph, Table

HEADERS = ["Indicator", "Your rating", "Moderated rating", "Result", "Why"]
RESULT_WORDS = {
    "agree": "Agree",
    "one level out": "One level out",
    "further": "Two or more levels out",
    "not rated": "Not rated",
}


def calibration_document(calibration: Calibration, framework: Framework = FRAMEWORK) -> Document:
    """Every indicator of the setting's principles, with the lead's and the moderated rating."""
    setting = calibration.setting
    counts = calibration.counts
    blocks: list[Block] = [
        Paragraph(
            f"You agreed with the moderated rating on {counts['agree']} of {calibration.total} "
            f"indicators, were one level out on {counts['one level out']} and further out on "
            f"{counts['further']}"
            + (f"; {counts['not rated']} not rated." if counts["not rated"] else ".")
            + " Read the reasons where you differ: they show what decides each level."
        )
    ]
    for principle_id in setting.principles:
        principle = framework.principle(principle_id)
        rows = []
        for number, item in enumerate(
            (c for c in calibration.comparisons if c.indicator.principle_id == principle_id),
            start=1,
        ):
            yours = "" if item.rating is None else framework.scale[item.rating].label
            rows.append(
                [
                    f"{number}. {item.indicator.text}",
                    yours,
                    framework.scale[item.moderated].label,
                    RESULT_WORDS[item.verdict],
                    item.reason,
                ]
            )
        blocks += [
            Heading(f"{principle.number}. {principle.short_name}", 2),
            Table(HEADERS, rows, widths={"Indicator": 36, "Why": 36}),
        ]
    return Document(f"Calibration: {setting.name}", blocks, subtitle=SETTING_NAMES[setting.setting])
