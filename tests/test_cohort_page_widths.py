"""The trainer's cohort page at a phone's, a tablet's and a laptop's width in headless Chromium:
nothing wider than the window, each lead a card on the phone, a table from the tablet up (the
same page on the real hub: tests/test_hub_cohort_page.py)."""

from __future__ import annotations

import pytest
from browser_support import launch_chromium, overflow_px
from playwright.sync_api import sync_playwright
from wholeschool.grading.cohort_page import cohort_page_html
from wholeschool.grading.cohort_status import (
    AssignmentProgress,
    CohortStatus,
    LeadProgress,
    PrincipleScore,
    SharedPrinciples,
    ToMark,
    WeakQuestion,
)

pytestmark = pytest.mark.browser

LONG_NAME = "a.very-long_account-name.of-a-lead-from-the-school-platform"
QUESTION = (
    "Describe how your school identifies pupils whose mental health needs may not be visible, "
    "who is involved, and how the information is recorded and shared."
)


def status() -> CohortStatus:
    leads = (
        LeadProgress("amina-k", True, True, True, False, False),
        LeadProgress("joe-b", True),
        LeadProgress("sam-p"),
        LeadProgress(LONG_NAME, True, True, True, True, True),
    )
    return CohortStatus(
        (AssignmentProgress("identifying-need", leads),),
        (ToMark("identifying-need", LONG_NAME, "Written answer 1", "0123abcd"),),
        (WeakQuestion("identifying-need", QUESTION, 1.5, 4.0, "Emerging", 3, 1),),
        (),
        SharedPrinciples(
            4, weakest=(PrincipleScore("3. Curriculum, teaching and learning", 1.4, 0.5, 2.5, 4),)
        ),
    )


@pytest.mark.parametrize("width", [1280, 820, 390])
def test_the_cohort_page_fits_every_width(width: int) -> None:
    html = cohort_page_html(status(), formgrader="/user/t/formgrader", lab="/user/t/lab")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_content(html, wait_until="load")
            wide = overflow_px(page)
            assert wide <= 0, f"{wide} px wider than the {width} px window"
            row = page.locator("tr[data-lead='sam-p']")
            assert row.locator("td.stage").inner_text() == "Not fetched yet"
            cell = row.locator("td.step").first
            display = cell.evaluate("cell => getComputedStyle(cell).display")
            label = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
            if width == 390:  # a card: each step named beside its mark
                assert display == "inline-block" and label == '"Fetched: "', (display, label)
                assert page.locator("table.steps thead").bounding_box()["height"] <= 1
            else:
                assert display == "table-cell" and label in ("none", "normal"), (display, label)
                assert page.get_by_role("columnheader", name="Where they are").is_visible()
        finally:
            browser.close()
