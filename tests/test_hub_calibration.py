"""The cohort's calibration exercise on the real hub, in headless Chromium: the trainer opens
it on the fictional primary school from the cohort page; one lead rates it in the calibration
app and sends their ratings, two more send theirs from the same form; the trainer's page shows
the spread per indicator beside the moderated rating, naming no one until three have sent. A
lead cannot write as another lead, read another's file, list the folder, nor reach the
trainer's page or change the setting.

Needs root (it creates Unix accounts); its own hub, accounts ``wshtest-cx*``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import hub_pages
import hub_process
import pytest
from browser_support import launch_chromium, offline_context, watch
from hub_support import (
    Person,
    UserServer,
    browser_log_in,
    choose_level,
    claim_accounts,
    scratch_hub,
    wait_for_server,
)
from playwright.sync_api import sync_playwright
from wholeschool.core.calibration import calibration_settings
from wholeschool.core.framework import FRAMEWORK
from wholeschool.store.calibration_exercise import ratings_record

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(os.geteuid() != 0, reason="the hub creates Unix accounts: run as root"),
]

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "wshtest-cx"
GROUP = "wshtest-users"
COURSE = "wholeschool-smhl"
SHOTS = Path(
    os.environ.get("WHOLESCHOOL_SHOTS", ROOT / "tests" / "output" / "calibration-exercise")
)
SETTING = calibration_settings()["primary"]
LEVELS = [level.label for level in FRAMEWORK.scale]
WIDTHS = (1280, 820, 390)


@pytest.fixture(scope="module")
def hub() -> Iterator[tuple[hub_process.Hub, Person, list[Person]]]:
    trainer = Person(f"{PREFIX}trainer", "trainer-passphrase-7")
    leads = [Person(f"{PREFIX}lead{i}", f"lead-passphrase-{i}x") for i in (1, 2, 3)]
    work, settings = scratch_hub("wholeschool-hub-exercise-", GROUP, [trainer.name])
    accounts = claim_accounts(work, PREFIX, GROUP, [trainer.name, *(lead.name for lead in leads)])
    running = hub_process.Hub(settings)
    try:
        running.start()
        hub_pages.sign_up(running.url, trainer.name, trainer.password)
        session = hub_pages.log_in(running.url, trainer.name, trainer.password)
        for lead in leads:
            hub_pages.sign_up(running.url, lead.name, lead.password)
            hub_pages.approve(session, running.url, lead.name)
            hub_pages.log_in(running.url, lead.name, lead.password)  # the hub makes the account
        yield running, trainer, leads
    finally:
        try:
            running.stop()
        finally:
            accounts.remove()
            shutil.rmtree(work, ignore_errors=True)


def text_of(raw: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def exercise_section(trainer_server: UserServer) -> str:
    page = trainer_server.request("GET", "/wholeschool/cohort").text
    return page.split('id="calibration"', 1)[1]


def row_text(section: str, number: int) -> str:
    return text_of(section.split(f'data-indicator="{number}"', 1)[1].split("</tr>", 1)[0])


def rate_in_terminal(server: UserServer, levels: tuple[int, int]) -> str:
    """The calibration app's own form, rated and sent from the lead's own terminal."""
    command = (
        "python -c 'from wholeschool.ui.calibration_form import calibration; f = calibration(); "
        "rows = list(f.rows.values()); "
        f"rows[0].value = rows[0].options[{levels[0] + 1}][1]; "
        f"rows[1].value = rows[1].options[{levels[1] + 1}][1]; "
        'print("SENT" if f.send() else f.sent.value)\''
    )
    status, screen = server.terminal(command)
    assert status == 0 and "SENT" in screen, screen[-2000:]
    return screen


def test_a_cohort_rates_the_shared_setting_and_the_trainer_sees_the_spread(hub) -> None:
    running, trainer, leads = hub
    for person in (trainer, *leads):
        wait_for_server(running, person.name)
    trainer_server = UserServer(running, trainer.name)
    cohort = f"{running.url}/user/{trainer.name}/wholeschool/cohort"
    ratings = running.settings.exchange / COURSE / "calibration-ratings"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            # The trainer opens the exercise on the primary school, from the cohort page.
            offline = offline_context(browser, viewport={"width": 1280, "height": 900})
            page = offline.context.new_page()
            browser_log_in(page, running.url, trainer)
            page.goto(cohort, wait_until="load")
            log = watch(page)
            page.get_by_label("Setting for the cohort to rate").select_option("primary")
            page.get_by_role("button", name="Open the exercise").click()
            page.get_by_text("No lead has sent their ratings yet.").wait_for(timeout=60_000)
            assert "The cohort is rating Brookfield Primary School" in page.inner_text(
                "#calibration"
            )
            assert not log.problems, log.problems
            offline.context.close()

            # The first lead rates it in the calibration app and sends, before comparing.
            offline = offline_context(browser, viewport={"width": 1280, "height": 900})
            page = offline.context.new_page()
            browser_log_in(page, running.url, leads[0])
            page.goto(
                f"{running.url}/user/{leads[0].name}/voila/render/course-apps/calibration.ipynb",
                wait_until="load",
            )
            note = page.get_by_text("Your trainer's calibration exercise")
            note.wait_for(timeout=180_000)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                note.scroll_into_view_if_needed()
                page.wait_for_timeout(300)
                page.screenshot(path=str(SHOTS / f"lead-form-top-{width}.png"))
            groups = page.locator(".widget-radio-box")
            choose_level(groups.nth(0), LEVELS[0])
            choose_level(groups.nth(1), LEVELS[2])
            page.get_by_role("button", name="Send my ratings to my trainer").click()
            page.get_by_text("Sent 2 of").wait_for(timeout=60_000)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_timeout(300)
                page.get_by_text("Sent 2 of").scroll_into_view_if_needed()
                page.screenshot(path=str(SHOTS / f"lead-form-sent-{width}.png"))
            offline.context.close()
        finally:
            browser.close()

        # The second lead sends from the same form: two leads, so nobody is named.
        rate_in_terminal(UserServer(running, leads[1].name), (3, 2))
        section = exercise_section(trainer_server)
        words = text_of(section)
        assert "2 leads have sent their ratings" in words, words[:600]
        assert "Fewer than 3 leads have sent ratings, so who rated what is not shown" in words
        assert not any(lead.name in words for lead in leads)
        first, second = row_text(section, 1), row_text(section, 2)
        assert "Differ by two levels or more" in first and f"{LEVELS[0]} 1, {LEVELS[3]} 1" in first
        assert "Agree" in second and f"{LEVELS[2]} 2" in second
        assert SETTING.moderated[next(iter(SETTING.moderated))].reason in first

        # A lead cannot write in another lead's name, list the folder or read another's file.
        forged = ratings / f"{leads[2].name}+primary+0123456789abcdef.json"
        valid = ratings_record(SETTING, {key: 4 for key in SETTING.moderated}, date.today())
        subprocess.run(
            ["runuser", "-u", leads[0].name, "--", "sh", "-c", f"cat > {forged}"],
            input=valid.model_dump_json().encode(),
            check=True,
        )
        words = text_of(exercise_section(trainer_server))
        assert (
            f"A file in {leads[2].name}'s name was made by another account ({leads[0].name})"
            in words
        )
        assert "2 leads have sent their ratings" in words
        listed = subprocess.run(
            ["runuser", "-u", leads[0].name, "--", "ls", str(ratings)], capture_output=True
        )
        assert listed.returncode != 0
        theirs = [p for p in ratings.iterdir() if p.name.startswith(f"{leads[1].name}+")]
        assert len(theirs) == 1
        read = subprocess.run(
            ["runuser", "-u", leads[0].name, "--", "cat", str(theirs[0])], capture_output=True
        )
        assert read.returncode != 0 and not read.stdout
        forged.unlink()

        # The third lead: now who rated what is shown.
        rate_in_terminal(UserServer(running, leads[2].name), (1, 2))
        section = exercise_section(trainer_server)
        words = text_of(section)
        assert "3 leads have sent their ratings" in words
        assert "so who rated what is not shown" not in words
        assert (
            f"Who rated what: {leads[0].name}: {LEVELS[0]} {leads[1].name}: {LEVELS[3]} "
            f"{leads[2].name}: {LEVELS[1]}"
        ) in row_text(section, 1)

        browser = launch_chromium(p)
        try:
            for width in WIDTHS:
                offline = offline_context(browser, viewport={"width": width, "height": 900})
                page = offline.context.new_page()
                browser_log_in(page, running.url, trainer)
                page.goto(f"{cohort}#calibration", wait_until="load")
                log = watch(page)
                page.locator("table.calibration").first.wait_for()
                page.locator("#calibration").screenshot(
                    path=str(SHOTS / f"trainer-view-{width}.png")
                )
                page.locator("#calibration").scroll_into_view_if_needed()
                page.screenshot(path=str(SHOTS / f"trainer-view-top-{width}.png"))
                assert not log.problems, log.problems
                assert not offline.blocked, offline.blocked
                offline.context.close()
        finally:
            browser.close()

    # A lead reaches neither the trainer's page nor its form.
    exercise_file = running.settings.exchange / COURSE / "calibration-exercise.json"
    before = exercise_file.read_bytes()
    lead = hub_pages.log_in(running.url, leads[1].name, leads[1].password)
    answer = lead.get(cohort, timeout=60)
    assert answer.status_code in (403, 404), answer.status_code
    assert "Calibration exercise" not in answer.text and leads[0].name not in answer.text
    posted = lead.post(cohort, data={"setting": "college"}, timeout=60, allow_redirects=False)
    assert posted.status_code in (302, 403, 404), posted.status_code
    assert exercise_file.read_bytes() == before
