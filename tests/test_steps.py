"""Every "Practical steps" page says what to do at every level of the rating scale, in order."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT
from wholeschool import FRAMEWORK

PRINCIPLE_IDS = [principle.id for principle in FRAMEWORK.principles]
LEVELS = [level.label for level in FRAMEWORK.scale]


def level_headings(markdown: str) -> list[str]:
    """The scale levels named by the page's second-level headings (``## Developing: ...``)."""
    labels = "|".join(re.escape(label) for label in LEVELS)
    return re.findall(rf"^## ({labels}):", markdown, flags=re.M)


def test_level_headings_are_read_in_page_order():
    page = "## Emerging: a\n\ntext\n\n## Not started: b\n\n### Developing: not a section\n"
    assert level_headings(page) == ["Emerging", "Not started"]


@pytest.mark.parametrize("principle_id", PRINCIPLE_IDS)
def test_steps_page_has_one_section_per_level_in_scale_order(principle_id: str):
    text = (ROOT / f"course/principles/{principle_id}/steps.md").read_text(encoding="utf-8")
    assert level_headings(text) == LEVELS, principle_id
    # Each level section holds at least one numbered step.
    sections = re.split(r"^## ", text, flags=re.M)
    for section in sections:
        if section.split(":", 1)[0] in LEVELS:
            assert re.search(r"^\d+\. \*\*", section, flags=re.M), section.splitlines()[0]
