"""The governors' report (HTML) at a phone's, a tablet's and a laptop's width in headless
Chromium: nothing wider than the window; on a phone each table row is a card whose values are
named by their column."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_support import launch_chromium, overflow_px, site_screens
from playwright.sync_api import sync_playwright
from wholeschool.core.clock import fixed_clock
from wholeschool.reports.governors import build_report, to_html
from wholeschool.store import RecordFolder
from wholeschool.store.sample_year import write_sample_year

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = write_sample_year(tmp_path_factory.mktemp("year") / "records", actions=12, evidence=20)
    return to_html(build_report(RecordFolder(folder, clock=fixed_clock(dt.date(2026, 8, 1)))))


@pytest.mark.parametrize("width", [1280, 820, 390])
def test_the_governors_report_fits_every_width(report_html: str, width: int) -> None:
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_content(report_html, wait_until="load")
            wide = overflow_px(page)
            assert wide <= 0, f"{wide} px wider than the {width} px window"
            first = page.locator("tbody td").first
            label = first.evaluate("td => getComputedStyle(td, '::before').content")
            header_shown = page.locator("thead").first.is_visible()
            page.screenshot(path=str(site_screens(f"governors-report-{width}.png")), full_page=True)
        finally:
            browser.close()
    if width == 390:
        assert label.strip('"').endswith(": ") and label != '""'
    else:
        assert label in ("none", "normal", ""), label
        assert header_shown
