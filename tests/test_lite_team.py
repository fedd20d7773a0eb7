"""The live workbook's calibration form, colleague's rating form and moderation view in Debian's
Chromium, on the self-hosted build, with every request that would leave the machine blocked.

A lead opens the calibration form from its book page, rates with the keyboard and sees the
comparison; a colleague makes a rater file in the browser and downloads it; the lead loads it
with a second colleague's file and a hostile one in the moderation view and sees the spread,
then records the agreed rating. Screenshots at each width are kept in the test's folder.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import serve_counting
from lite_support import (
    FORM_READY,
    WIDTHS,
    Workbook,
    browser_file,
    open_live_form,
    persistent_offline,
    selected_labels,
    stored_paths,
    wait_drawn,
    wait_for_browser_file,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright
from test_lite import AXE_OPTIONS, FORMS, _tab_to_group, machine_words
from wholeschool import FRAMEWORK
from wholeschool.core.calibration import calibration_settings, compare
from wholeschool.core.records import DEFAULT_SCHOOL, ModerationRecord, RaterRecord
from wholeschool.store.reader import parse_record
from wholeschool.ui.calibration_form import summary_words

pytestmark = pytest.mark.lite

#: Where the screenshots are copied for people to look at (the test's own folder keeps them too).
SHOTS = Path("/work/wt/shots/calib")


def _form(form_id: str):
    return next(f for f in FORMS if f.id == form_id)


def _heading_is(page, title: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.workbook-heading')?.textContent === t",
        arg=title,
        timeout=180_000,
    )


def _at_each_width(page, folder: Path, name: str, anchor: str) -> None:
    """Screenshots at each width with ``anchor`` (a text) in view; nothing wider than the
    screen, and no serious accessibility problem."""
    try:
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
            page.wait_for_timeout(300)
            page.get_by_text(anchor).first.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(folder / f"{name}-{label}.png"))
            overflow = page.evaluate(
                "() => { const s = document.querySelector('.jp-CodeConsole-split');"
                " return s.scrollWidth - s.clientWidth; }"
            )
            assert overflow <= 1, f"{name} at {width}px: {overflow}px wider than the screen"
            results = Axe().run(page, options=AXE_OPTIONS).response
            failing = [
                f"{v['id']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
                for v in results["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert not failing, f"axe on {name} at {width}px:\n" + "\n".join(failing)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture(scope="module")
def browser(built_book: Path, tmp_path_factory) -> Iterator[tuple[object, str]]:
    """A lead's browser (one profile for the module: Python is fetched once)."""
    profile = tmp_path_factory.mktemp("team-browser")
    with sync_playwright() as playwright, serve_counting(built_book) as (base, _served):
        guarded = persistent_offline(playwright, profile)
        try:
            yield guarded, base
            assert guarded.blocked == [], guarded.blocked
        finally:
            guarded.context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("team-shots")
    yield folder
    SHOTS.mkdir(parents=True, exist_ok=True)
    for png in folder.glob("*.png"):
        shutil.copy2(png, SHOTS / png.name)
    print(f"screenshots: {folder} (copied to {SHOTS})")


def test_calibration_opens_from_its_page_rates_by_keyboard_and_compares(browser, shots):
    guarded, base = browser
    form = _form("calibration")
    page = guarded.context.pages[0]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}{form.page}.html", wait_until="load")
    page.get_by_text("a description, not the form").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "calibration-0-book-page.png"))
    page = open_live_form(page)
    page.wait_for_selector(FORM_READY, timeout=180_000)
    _heading_is(page, form.title)
    wait_drawn(page)
    setting = next(iter(calibration_settings().values()))  # the first setting is shown first
    page.locator(".wholeschool-picture h3", has_text=setting.name).wait_for()
    keys = list(setting.moderated)
    assert page.locator(FORM_READY).count() == len(keys)
    page.screenshot(path=str(shots / "calibration-1-picture.png"))

    # keyboard only: Tab to each rating, arrow down to a level (1 press: the lowest level)
    presses = [1 + (n % 4) for n in range(len(keys))]
    for group, count in enumerate(presses):
        _tab_to_group(page, group)
        for _ in range(count):
            page.keyboard.press("ArrowDown")
    labels = selected_labels(page)
    chosen = {key: count - 1 for key, count in zip(keys, presses, strict=True)}
    assert labels == [FRAMEWORK.scale[v].label for v in chosen.values()], labels
    page.get_by_text(f"{len(keys)} of {len(keys)} rated").wait_for(timeout=10_000)
    page.screenshot(path=str(shots / "calibration-2-rated-by-keyboard.png"))

    # Tab from the last rating reaches the button; Enter presses it, as on any web page (the
    # app around the forms binds Enter to its own commands: workbook.js keeps it from them)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent").startswith("Compare")
    page.keyboard.press("Enter")
    page.get_by_text("How your ratings compare").wait_for(timeout=30_000)
    expected = summary_words(compare(setting, chosen))
    shown = page.locator(".workbook").inner_text()
    assert expected in shown
    first = setting.moderated[keys[0]]
    assert first.reason in shown
    assert machine_words(shown) == [], machine_words(shown)
    _at_each_width(page, shots, "calibration-3-compared", "How your ratings compare")
    # practice only: nothing at all in this browser's records
    assert browser_file(page, "records/audit.json") is None


def _colleague_file(page, base: str, folder: Path) -> Path:
    """A colleague rates two indicators in the browser and downloads their file."""
    form = _form("colleague-rating")
    page.goto(f"{base}{form.page}.html", wait_until="load")
    page = open_live_form(page)
    page.wait_for_selector(FORM_READY, timeout=180_000)
    _heading_is(page, form.title)
    wait_drawn(page)
    page.get_by_label("School label").fill(DEFAULT_SCHOOL)
    page.get_by_label("Your role").fill("Pastoral lead")
    _tab_to_group(page, 0)
    page.keyboard.press("ArrowDown")  # leadership 1: Not started
    _tab_to_group(page, 1)
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # leadership 2: Developing
    page.locator(".jp-OutputArea-output textarea").first.fill("No time set aside this year")
    page.get_by_text("2 of ").first.wait_for(timeout=10_000)
    with page.expect_download(timeout=60_000) as download:  # one click: checked, then downloaded
        page.get_by_role("button", name="Download my file to send").click()
    page.get_by_text("Your file is made").wait_for(timeout=30_000)
    shown = page.locator(".workbook").inner_text()
    assert machine_words(shown) == [], machine_words(shown)
    assert download.value.suggested_filename.startswith("team-rating-pastoral-lead-")
    target = folder / download.value.suggested_filename
    download.value.save_as(target)
    return target


def test_a_colleague_makes_a_file_and_the_lead_sees_the_spread_of_two(
    browser, shots, tmp_path: Path
):
    guarded, base = browser
    page = Workbook(guarded.context.new_page())  # the workbook, once opened
    said: list[str] = []  # the tab's console, frames and workers included, for a failure
    page.page.on("console", lambda message: said.append(f"{message.type}: {message.text}"))
    try:
        made = _colleague_file(page, base, tmp_path)
        page.get_by_role("button", name="Download my file to send").scroll_into_view_if_needed()
        _at_each_width(page, shots, "colleague-1-file-ready", "Your file is made")
        colleague = parse_record(made.read_bytes(), made.name, today=dt.date.today())
        assert isinstance(colleague, RaterRecord) and colleague.rated() == {
            "leadership.1": 0,
            "leadership.2": 2,
        }
        assert browser_file(page, "records/audit.json") is None  # saved nowhere
        other = RaterRecord.model_validate(
            {
                **colleague.model_dump(mode="json"),
                "role": "Governor",
                "ratings": {
                    "leadership.1": {"rating": 3, "note": "Governors see a termly report"},
                    "leadership.2": {"rating": 2, "note": ""},
                },
            },
            context={"today": dt.date.today()},
        )
        second = tmp_path / "governor.json"
        second.write_text(other.model_dump_json())
        hostile = tmp_path / "someone-else.json"
        hostile.write_text(
            json.dumps({**json.loads(second.read_text()), "school": "<b>Elm Park</b>"})
        )

        form = _form("team-moderation")
        page.goto(f"{base}{form.page}.html", wait_until="load")
        page = open_live_form(page)
        try:
            _heading_is(page, form.title)
        except PlaywrightTimeoutError:
            shown = page.evaluate("() => document.body.innerText.slice(0, 2000)")
            raise AssertionError(
                f"the form did not open; it shows:\n{shown}\nthe page said:\n" + "\n".join(said)
            ) from None
        page.get_by_text("No colleague's file is loaded yet").wait_for(timeout=60_000)
        with page.expect_file_chooser() as chooser:
            page.get_by_text("Load colleagues' files").click()
        chooser.value.set_files([str(made), str(second), str(hostile)])
        page.get_by_text("Loaded 2 files").wait_for(timeout=60_000)
        refused = page.locator("[role=alert]").last.inner_text()
        assert "someone-else.json: the school label is for '<b>Elm Park</b>'" in refused
        # "Loaded" is one message; the rows under it are drawn after it, one widget at a time.
        try:
            page.wait_for_function(
                "() => document.querySelectorAll('.wholeschool-strip').length >= 2",
                timeout=30_000,
            )
        except PlaywrightTimeoutError:
            shown = page.locator(".workbook").inner_text()
            raise AssertionError(
                f"no spread drawn; the form shows:\n{shown}\nthe page said:\n" + "\n".join(said)
            ) from None
        wait_drawn(page)
        strips = page.locator(".wholeschool-strip").evaluate_all(
            "els => els.map(e => e.getAttribute('aria-label'))"
        )
        assert strips[:2] == [
            "Ratings: Not started 1, Established 1",
            "Ratings: Developing 2",
        ], strips
        shown = page.locator(".workbook").inner_text()
        assert "Differ by two levels or more" in shown and "2 people rated" in shown
        assert "Pastoral lead (Not started): No time set aside this year" in shown
        assert machine_words(shown) == [], machine_words(shown)
        page.get_by_text("Show only where the team differs").click()  # its words, as a lead does
        _at_each_width(page, shots, "moderation-1-spread", "The team's ratings")
        assert page.locator(FORM_READY).first.is_visible()
        page.locator(FORM_READY).first.locator("label").filter(has_text="Emerging:").click()
        page.get_by_role("button", name="Record the agreed ratings").click()
        page.get_by_text("Recorded 2 agreed ratings").wait_for(timeout=30_000)
        page.screenshot(path=str(shots / "moderation-2-recorded.png"))

        def recorded(text: str) -> ModerationRecord | None:
            record = parse_record(text, "moderation.json", today=dt.date.today())
            return record if isinstance(record, ModerationRecord) else None

        moderation = wait_for_browser_file(page, "records/moderation.json", recorded)
        assert moderation is not None, (
            f"not stored; the browser holds {stored_paths(page)}; the page said:\n"
            + "\n".join(said)
        )
        assert moderation.raters == 2
        assert moderation.indicators["leadership.1"].agreed == 1
        assert moderation.indicators["leadership.1"].counts == [1, 0, 0, 1, 0]
    finally:
        page.close()
