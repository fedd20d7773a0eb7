"""The trainer's cohort page on the real hub, in headless Chromium: after a release, two leads
fetch (through nbgrader's Assignments tab on their own servers) and one submits; the trainer
opens the page from the hub's home page and sees the counts, with every approved lead listed,
those who never fetched (one never even logged in, one approved after the trainer's server
started) as "Not fetched yet"; the page fits a phone's width; a lead gets no page, neither on
the trainer's server nor on their own.

Needs root (it creates Unix accounts); its own hub, accounts ``wshtest-cp*``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import hub_pages
import hub_process
import pytest
import requests
from browser_support import launch_chromium, offline_context, watch
from hub_support import (
    Person,
    UserServer,
    browser_log_in,
    claim_accounts,
    scratch_hub,
    wait_for_server,
)
from playwright.sync_api import sync_playwright

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(os.geteuid() != 0, reason="the hub creates Unix accounts: run as root"),
]

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "wshtest-cp"
GROUP = "wshtest-users"
COURSE = "wholeschool-smhl"
ASSIGNMENT = "identifying-need"
FIXTURES = ROOT / "tests" / "data" / "submissions"
SHOTS = Path(os.environ.get("WHOLESCHOOL_SHOTS", ROOT / "tests" / "output" / "cohort-page"))


#: Approved before the trainer's server first starts (so before their course exists), and
#: never logs in: no account, no server, nothing fetched.
NEVER_IN = Person(f"{PREFIX}lead4", "lead-passphrase-4x")
#: Signs up and is approved once the trainer's course exists.
LATE = Person(f"{PREFIX}lead5", "lead-passphrase-5x")


@pytest.fixture(scope="module")
def hub() -> Iterator[tuple[hub_process.Hub, Person, list[Person]]]:
    trainer = Person(f"{PREFIX}trainer", "trainer-passphrase-7")
    leads = [Person(f"{PREFIX}lead{i}", f"lead-passphrase-{i}x") for i in (1, 2, 3)]
    work, settings = scratch_hub("wholeschool-hub-cohort-", GROUP, [trainer.name])
    names = [trainer.name, *(lead.name for lead in [*leads, NEVER_IN, LATE])]
    accounts = claim_accounts(work, PREFIX, GROUP, names)
    running = hub_process.Hub(settings)
    try:
        running.start()
        hub_pages.sign_up(running.url, trainer.name, trainer.password)
        session = hub_pages.log_in(running.url, trainer.name, trainer.password)
        for lead in leads:
            hub_pages.sign_up(running.url, lead.name, lead.password)
            hub_pages.approve(session, running.url, lead.name)
            hub_pages.log_in(running.url, lead.name, lead.password)  # the hub makes the account
        hub_pages.sign_up(running.url, NEVER_IN.name, NEVER_IN.password)
        hub_pages.approve(session, running.url, NEVER_IN.name)  # and never logs in
        yield running, trainer, leads
    finally:
        try:
            running.stop()
        finally:
            accounts.remove()
            shutil.rmtree(work, ignore_errors=True)


def text_of(raw: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def test_the_trainer_sees_who_fetched_and_submitted_and_a_lead_gets_no_page(hub) -> None:
    running, trainer, leads = hub
    wait_for_server(running, trainer.name)
    server = UserServer(running, trainer.name)
    status, screen = server.terminal(
        f"cd ~/assessments && wholeschool trainer release {ASSIGNMENT} --exchange"
    )
    assert status == 0, screen[-3000:]
    hub_pages.sign_up(running.url, LATE.name, LATE.password)
    hub_pages.approve(
        hub_pages.log_in(running.url, trainer.name, trainer.password), running.url, LATE.name
    )
    for lead in leads[:2]:  # two leads fetch, the first submits; the third does nothing
        wait_for_server(running, lead.name)
        own = UserServer(running, lead.name)
        fetched = own.assignments("fetch", COURSE, ASSIGNMENT)
        assert fetched["success"], fetched
        if lead is leads[0]:
            for file in sorted((FIXTURES / "perfect").iterdir()):
                own.upload(f"{ASSIGNMENT}/{file.name}", file)
            submitted = own.assignments("submit", COURSE, ASSIGNMENT)
            assert submitted["success"], submitted

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for width in (1280, 820, 390):
                offline = offline_context(browser, viewport={"width": width, "height": 900})
                page = offline.context.new_page()
                browser_log_in(page, running.url, trainer)  # the trainer lands in JupyterLab
                page.goto(f"{running.url}/hub/home", wait_until="load")
                log = watch(page)  # from the hub's home page on
                page.get_by_role("link", name="Open the cohort page").click()
                page.wait_for_url(f"**/user/{trainer.name}/wholeschool/cohort", timeout=120_000)
                section = page.locator(f'section[data-assignment="{ASSIGNMENT}"]')
                counts = " ".join(section.locator(".counts").inner_text().split())
                assert counts == (
                    "2 of 5 fetched 1 of 5 submitted 0 of 5 autograded 0 of 5 fully marked "
                    "0 of 5 feedback released"
                ), counts
                assert "1 submitted, not autograded yet" in section.locator(".next").inner_text()
                first = section.locator(f'tr[data-lead="{leads[0].name}"] td.step')
                assert [c.split()[0] for c in first.all_inner_texts()] == ["✓", "✓", "–", "–", "–"]
                for name, stage in [
                    (leads[0].name, "Submitted"),
                    (leads[1].name, "Fetched, not submitted"),
                    (leads[2].name, "Not fetched yet"),
                    (NEVER_IN.name, "Not fetched yet"),
                    (LATE.name, "Not fetched yet"),
                ]:
                    row = section.locator(f'tr[data-lead="{name}"]')
                    assert row.locator("td.stage").inner_text() == stage, name
                # Nothing wider than the window: on a phone each lead is a card.
                wide = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert wide <= 0, f"{wide} px wider than the {width} px window"
                cell = section.locator("td.step").first
                display = cell.evaluate("cell => getComputedStyle(cell).display")
                assert display == ("inline-block" if width == 390 else "table-cell"), display
                page.screenshot(path=str(SHOTS / f"cohort-page-{width}.png"), full_page=True)
                assert not log.problems, log.problems
                assert not offline.blocked, offline.blocked
                offline.context.close()
        finally:
            browser.close()

    # A lead: the trainer's page refuses them, and their own server has no such page.
    lead = hub_pages.log_in(running.url, leads[1].name, leads[1].password)
    for owner in (trainer.name, leads[1].name):
        answer = lead.get(
            f"{running.url}/user/{owner}/wholeschool/cohort", timeout=60, allow_redirects=True
        )
        assert answer.status_code in (403, 404), (owner, answer.status_code, answer.url)
        assert "Your cohort" not in answer.text and leads[0].name not in answer.text
    token = requests.get(
        f"{running.url}/user/{trainer.name}/wholeschool/cohort",
        headers={"Authorization": f"token {running.user_token(leads[1].name)}"},
        timeout=60,
        allow_redirects=False,
    )
    assert token.status_code in (302, 403, 404), token.status_code
    assert "Your cohort" not in token.text


SHARE = (
    "python -c 'from wholeschool.ui.records_form import records_panel; "
    "box = records_panel().children[-1]; box.children[1].value = True; "
    "print(box.children[2].value)'"
)


def test_the_weakest_principles_show_once_three_leads_chose_to_share(hub) -> None:
    """Each lead ticks "Share my audit summary with my trainer" (the records app's own widget,
    run in the lead's own terminal); the page waits for the third lead."""
    running, trainer, leads = hub
    audit = ROOT / "tests" / "data" / "records" / "audit.json"
    shared = running.settings.exchange / COURSE / "shared-audits"
    trainer_server = UserServer(running, trainer.name)
    for number, lead in enumerate(leads, start=1):
        wait_for_server(running, lead.name)
        own = UserServer(running, lead.name)
        own.request("PUT", "/api/contents/wholeschool-records", json={"type": "directory"})
        own.upload("wholeschool-records/audit.json", audit)
        status, screen = own.terminal(SHARE)
        assert status == 0 and "Shared" in screen, screen[-2000:]
        page = text_of(trainer_server.request("GET", "/wholeschool/cohort").text)
        if number < 3:
            assert f"{number} of the 3 needed" in page, page[-1500:]
            assert "Cohort average" not in page
    assert "Needs consent" not in page and "Cohort average" in page
    # Leads cannot list the shared summaries, nor read one whose name they were not told.
    looked = subprocess.run(
        ["runuser", "-u", leads[0].name, "--", "ls", str(shared)], capture_output=True
    )
    assert looked.returncode != 0
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for width in (1280, 390):
                offline = offline_context(browser, viewport={"width": width, "height": 900})
                page = offline.context.new_page()
                browser_log_in(page, running.url, trainer)
                page.goto(f"{running.url}/user/{trainer.name}/wholeschool/cohort")
                page.locator("table.principles").wait_for()
                page.screenshot(path=str(SHOTS / f"principles-{width}.png"), full_page=True)
                offline.context.close()
        finally:
            browser.close()
