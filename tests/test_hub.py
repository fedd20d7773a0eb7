"""The course hub end to end on 127.0.0.1: real JupyterHub, proxy, Unix accounts and servers.

A trainer and three leads sign up through NativeAuthenticator; the trainer approves the leads.
Each lead opens the self-audit app (Voila) in Chromium, rates, and the record lands in their own
home. The trainer releases an assignment through nbgrader's exchange, the leads fetch and submit
(one blank, one good, one hostile), the trainer collects, autogrades with ``wholeschool
trainer`` and returns feedback, and each lead fetches only their own. At the end the hub, the
proxy and every server are gone, and only the accounts this run created are removed.

Needs root (it creates Unix accounts); the tests run in file order and share one hub.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import hub_accounts
import hub_pages
import hub_process
import hub_settings
import psutil
import pytest
import requests
import requests.adapters
from browser_support import launch_chromium, offline_context, watch
from hub_support import (
    AUDIT_APP,
    Person,
    UserServer,
    browser_log_in,
    choose_level,
    claim_accounts,
    open_audit_app,
    scratch_hub,
    wait_for_server,
)
from playwright.sync_api import sync_playwright

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(os.geteuid() != 0, reason="the hub creates Unix accounts: run as root"),
]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PREFIX = "wshtest-"
GROUP = "wshtest-users"
#: A name that signs up during the tests to try approval by link (approved, then it logs in).
LATECOMER = f"{PREFIX}latecomer"
#: Seconds an unconnected kernel lives on this run's servers (the hub's default is 1200).
KERNEL_CULL = 30
#: bcrypt work factor of this run's hub (not NativeAuthenticator's own 12, so the test can
#: tell that the setting is used).
PASSWORD_COST = 11
#: The hub's range of ports for users' servers (its default, WHOLESCHOOL_HUB_SERVER_PORTS).
SERVER_PORTS = (20000, 29999)
COURSE = "wholeschool-smhl"
ASSIGNMENT = "identifying-need"
FIXTURES = ROOT / "tests" / "data" / "submissions"
#: Lead -> (fixture submission, autograded points it earns of 24; see test_nbgrader_e2e.py).
SUBMISSIONS = {
    f"{PREFIX}lead1": ("perfect", 12.0),
    f"{PREFIX}lead2": ("blank", 0.0),
    f"{PREFIX}lead3": ("edited-tests", 10.0),  # hostile: empties a hidden test cell
}
#: The trainer's marks for the written answers (4 points each) of the leads who wrote them;
#: feedback is refused until they are in (a blank answer nbgrader marks 0 by itself).
MARKS = {
    f"{PREFIX}lead1": {
        "identifying-need-q1": 4,
        "identifying-need-q2": 3,
        "identifying-need-q3": 1,
    },
    f"{PREFIX}lead3": {
        "identifying-need-q1": 2,
        "identifying-need-q2": 2,
        "identifying-need-q3": 2,
    },
}
TOTAL = 24.0
#: What each lead picks for the first indicator (labels of the rating scale).
RATINGS = {
    f"{PREFIX}lead1": "Emerging",
    f"{PREFIX}lead2": "Established",
    f"{PREFIX}lead3": "Embedded",
}


@dataclass
class Cohort:
    hub: hub_process.Hub
    accounts: hub_accounts.Accounts
    trainer: Person
    leads: list[Person]
    work: Path
    others_before: dict[str, tuple] = field(default_factory=dict)
    stopped: bool = False

    def home(self, name: str) -> Path:
        return Path(pwd.getpwnam(name).pw_dir)


def other_accounts() -> dict[str, tuple]:
    """Every Unix account not named with this run's prefix, with what could change about it."""
    return {
        p.pw_name: (p.pw_uid, p.pw_gid, p.pw_dir, p.pw_shell)
        for p in pwd.getpwall()
        if not p.pw_name.startswith(PREFIX)
    }


def as_user(name: str, *command: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` as the Unix account ``name`` (a lead trying something)."""
    return subprocess.run(
        ["runuser", "-u", name, "--", *command], capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def cohort() -> Iterator[Cohort]:
    trainer = Person(f"{PREFIX}trainer", "trainer-passphrase-7")
    leads = [Person(f"{PREFIX}lead{i}", f"lead-passphrase-{i}x") for i in (1, 2, 3)]
    work, settings = scratch_hub(
        "wholeschool-hub-test-",
        GROUP,
        [trainer.name],
        {
            "WHOLESCHOOL_HUB_PASSWORD_COST": str(PASSWORD_COST),
            "WHOLESCHOOL_HUB_KERNEL_CULL": str(KERNEL_CULL),
        },
    )
    names = [trainer.name, *(lead.name for lead in leads), LATECOMER]
    accounts = claim_accounts(work, PREFIX, GROUP, names)
    others = other_accounts()
    hub = hub_process.Hub(settings)
    state = Cohort(hub, accounts, trainer, leads, work, others)
    try:
        hub.start()
        yield state
    finally:
        try:
            hub.stop()
        finally:  # the accounts go even if stopping the hub failed
            accounts.remove()
            shutil.rmtree(work, ignore_errors=True)


def from_address(address: str) -> requests.Session:
    """A session whose connections come from ``address`` (a loopback address other than
    127.0.0.1: another computer, as the hub sees it)."""

    class FromAddress(requests.adapters.HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (address, 0)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", FromAddress())
    return session


def try_login(session: requests.Session, base: str, name: str, password: str) -> tuple[bool, str]:
    """One login attempt on the form: (signed in, the page's message)."""
    token = hub_pages.xsrf_token(session, f"{base}/hub/login")
    response = session.post(
        f"{base}/hub/login",
        data={"_xsrf": token, "username": name, "password": password},
        timeout=120,
        allow_redirects=False,
    )
    return response.status_code == 302, hub_pages.page_message(response.text, "login_error")


# --- the exchange -----------------------------------------------------------------------------


def test_the_exchange_course_folder_is_the_trainers_from_the_start(cohort: Cohort):
    """Before anyone has signed in, the course's folder in the exchange exists and is the
    trainer's: a lead who comes first cannot take the name."""
    folder = cohort.hub.settings.exchange / COURSE
    info = folder.lstat()
    assert info.st_uid == pwd.getpwnam(cohort.trainer.name).pw_uid
    assert oct(info.st_mode & 0o7777) == oct(0o755)
    assert oct(cohort.hub.settings.exchange.stat().st_mode & 0o7777) == oct(0o1777)


# --- accounts ---------------------------------------------------------------------------------


def test_trainer_and_leads_sign_up_and_the_trainer_approves_the_leads(cohort: Cohort):
    hub = cohort.hub
    message = hub_pages.sign_up(hub.url, cohort.trainer.name, cohort.trainer.password)
    assert "The signup was successful" in message, message
    trainer = hub_pages.log_in(hub.url, cohort.trainer.name, cohort.trainer.password)
    for lead in cohort.leads:
        message = hub_pages.sign_up(hub.url, lead.name, lead.password)
        assert "sent to the admin" in message, message
        with pytest.raises(hub_settings.HubError, match="has not been authorized"):
            hub_pages.log_in(hub.url, lead.name, lead.password)
    # An existing system account the hub did not create can never become a hub user.
    refused = hub_pages.sign_up(hub.url, "daemon", "daemon-passphrase-1")
    assert "Something went wrong" in refused, refused
    with pytest.raises(hub_settings.HubError):
        hub_pages.log_in(hub.url, "daemon", "daemon-passphrase-1")
    for lead in cohort.leads:
        hub_pages.approve(trainer, hub.url, lead.name)
        hub_pages.log_in(hub.url, lead.name, lead.password)
    for person in [cohort.trainer, *cohort.leads]:
        account = pwd.getpwnam(person.name)  # made by the hub on first login
        assert os.stat(account.pw_dir).st_mode & 0o777 == 0o700, person.name
    stored = hub.stored_passwords()
    assert set(stored) == {cohort.trainer.name, *(lead.name for lead in cohort.leads)}
    # Stored at the hub's work factor (set for this run), not NativeAuthenticator's own.
    assert all(h.startswith(f"$2b${PASSWORD_COST}$".encode()) for h in stored.values()), stored
    # A changed password too (changed, then changed back for the tests that follow).
    lead = cohort.leads[0]
    session = hub_pages.log_in(hub.url, lead.name, lead.password)
    for old, new in (
        (lead.password, lead.password + "-new"),
        (lead.password + "-new", lead.password),
    ):
        message = hub_pages.change_password(session, hub.url, old, new)
        assert "changed successfully" in message, message
        assert hub.stored_passwords()[lead.name].startswith(f"$2b${PASSWORD_COST}$".encode())
        with pytest.raises(hub_settings.HubError):
            hub_pages.log_in(hub.url, lead.name, old)
        hub_pages.log_in(hub.url, lead.name, new)
    users = {u["name"]: u for u in hub.api("GET", "/users").json()}
    assert users[cohort.trainer.name]["admin"] is True
    assert all(users[lead.name]["admin"] is False for lead in cohort.leads)
    assert "daemon" not in users


def test_sign_up_refuses_the_name_of_a_unix_group(cohort: Cohort):
    """Group names (``sudo``, the hub's own group) are refused at sign-up, as account names
    are: useradd would fail on them later."""
    for name in ("sudo", GROUP):
        message = hub_pages.sign_up(cohort.hub.url, name, "group-passphrase-1")
        assert "Something went wrong" in message, (name, message)
        assert name not in cohort.hub.stored_passwords()


def test_approving_or_discarding_a_sign_up_needs_the_form_and_its_token(cohort: Cohort):
    """A link (GET), or a post without the page's form token (another site's form), changes
    nothing; the authorisation page's own button does."""
    hub = cohort.hub
    message = hub_pages.sign_up(hub.url, LATECOMER, "latecomer-passphrase")
    assert "sent to the admin" in message, message
    trainer = hub_pages.log_in(hub.url, cohort.trainer.name, cohort.trainer.password)
    for action in ("authorize", "discard"):
        link = trainer.get(f"{hub.url}/hub/{action}/{LATECOMER}", timeout=30)
        assert link.status_code == 405, (action, link.status_code)
        forged = trainer.post(f"{hub.url}/hub/{action}/{LATECOMER}", data={}, timeout=30)
        assert forged.status_code == 403, (action, forged.status_code)
    assert LATECOMER in hub.stored_passwords(), "not discarded"
    with pytest.raises(hub_settings.HubError, match="has not been authorized"):
        hub_pages.log_in(hub.url, LATECOMER, "latecomer-passphrase")
    page = trainer.get(f"{hub.url}/hub/authorize", timeout=30).text
    assert f'action="/hub/authorize/{LATECOMER}"' in page and 'method="post"' in page
    hub_pages.approve(trainer, hub.url, LATECOMER)
    hub_pages.log_in(hub.url, LATECOMER, "latecomer-passphrase")


def test_guesses_sent_at_once_are_held_back_per_name_and_address(cohort: Cohort):
    """Twenty wrong passwords sent at once from one address: at most five are checked, and
    the right password from that address is then refused too; the same lead signs in from
    their own address, and guesses at the trainer's name never lock the trainer out."""
    from concurrent.futures import ThreadPoolExecutor

    hub, lead = cohort.hub, cohort.leads[1]
    guesser = from_address("127.0.0.2")
    hub_pages.xsrf_token(guesser, f"{hub.url}/hub/login")

    def guess(i: int) -> tuple[bool, str]:
        return try_login(guesser, hub.url, lead.name, f"wrong-guess-{i:04d}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(guess, range(20)))
    assert not any(ok for ok, _ in answers)
    held = [m for _ok, m in answers if "Too many failed attempts" in m]
    assert len(held) >= 15, answers
    signed_in, message = try_login(guesser, hub.url, lead.name, lead.password)
    assert not signed_in and "Too many failed attempts" in message, message
    hub_pages.log_in(hub.url, lead.name, lead.password)  # from 127.0.0.1: not locked out
    for i in range(8):
        try_login(guesser, hub.url, cohort.trainer.name, f"trainer-guess-{i}")
    hub_pages.log_in(hub.url, cohort.trainer.name, cohort.trainer.password)


def test_known_and_unknown_names_take_as_long_to_refuse(cohort: Cohort):
    import statistics

    hub = cohort.hub
    session = from_address("127.0.0.3")

    def refusal(name: str) -> float:
        started = time.monotonic()
        signed_in, _message = try_login(session, hub.url, name, "not-the-password-1")
        assert not signed_in
        return time.monotonic() - started

    known, unknown = [], []
    for i in range(4):  # in turn, so that the machine's load weighs on both alike
        known.append(refusal(cohort.leads[2].name))
        unknown.append(refusal(f"{PREFIX}nobody{i}"))
    known, unknown = statistics.median(known), statistics.median(unknown)
    print(f"refused in {known * 1000:.0f} ms (known name), {unknown * 1000:.0f} ms (unknown)")
    assert abs(known - unknown) < 0.5 * max(known, unknown), (known, unknown)


# --- the self-audit app -----------------------------------------------------------------------


def test_each_lead_rates_in_the_self_audit_app_and_the_record_lands_in_their_home(
    cohort: Cohort,
):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for lead in cohort.leads:
                offline = offline_context(browser)
                page = offline.context.new_page()
                log = watch(page)
                started = time.monotonic()
                browser_log_in(page, cohort.hub.url, lead)
                logged_in = time.monotonic()
                control = open_audit_app(page)
                print(
                    f"{lead.name}: logged in {logged_in - started:.1f} s, form {time.monotonic() - logged_in:.1f} s"
                )
                assert f"/user/{lead.name}/voila/render/" in page.url
                choose_level(control, RATINGS[lead.name])
                page.get_by_text(re.compile(r"Saved at \d\d:\d\d")).wait_for(timeout=30_000)
                text = page.inner_text("body")
                assert "from wholeschool" not in text and "Traceback" not in text
                assert "designated safeguarding lead" in text
                assert offline.blocked == [], offline.blocked
                # Requests cut short by moving on to the next page (the spawn page's progress
                # stream, Voila's kernel shutdown) are expected; anything else is a problem.
                problems = [p for p in log.problems if "net::ERR_ABORTED" not in p]
                assert not problems, problems
                offline.context.close()
        finally:
            browser.close()
            cohort.hub.remember()
    for lead in cohort.leads:
        record = cohort.home(lead.name) / "wholeschool-records" / "audit.json"
        assert record.stat().st_uid == pwd.getpwnam(lead.name).pw_uid
        check = subprocess.run(
            [str(BIN / "wholeschool"), "validate", str(record)], capture_output=True, text=True
        )
        assert check.returncode == 0 and check.stdout.startswith("ok"), check.stdout

        saved = json.loads(record.read_text(encoding="utf-8"))
        label_value = {"Emerging": 1, "Established": 3, "Embedded": 4}[RATINGS[lead.name]]
        assert saved["ratings"]["leadership.1"]["rating"] == label_value


#: Each rating group of the page: its role, screen-reader name, group names and checked choice.
RATING_GROUPS = """() => [...document.querySelectorAll('.widget-radio-box')].map(box => {
    const inputs = [...box.querySelectorAll('input[type=radio]')];
    return {role: box.getAttribute('role'), label: box.getAttribute('aria-label') || '',
            names: [...new Set(inputs.map(i => i.name))],
            checked: inputs.findIndex(i => i.checked), choices: inputs.length};
})"""
#: The rating group holding the keyboard focus (-1 if none), and whether it is in a note field.
FOCUS = """() => ({
    group: [...document.querySelectorAll('.widget-radio-box')]
        .findIndex(box => box.contains(document.activeElement)),
    tag: document.activeElement ? document.activeElement.tagName : ''})"""


def test_each_rating_in_the_app_is_one_radio_group_that_the_keyboard_keeps_to(
    cohort: Cohort, screens: Path
):
    """On a phone-width screen, keyboard only: the arrow keys change the rating in focus and no
    other, each rating is one Tab stop (then its note), and a screen reader hears its indicator
    (the course's radio-groups.js, served by the hub under its script policy)."""
    from wholeschool import FRAMEWORK

    indicators = FRAMEWORK.principle("leadership").indicators
    lead = cohort.leads[0]
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 390, "height": 844})
            page = offline.context.new_page()
            log = watch(page)
            browser_log_in(page, cohort.hub.url, lead)
            open_audit_app(page)
            page.wait_for_function(
                f"() => document.querySelectorAll('.widget-radio-box').length === {len(indicators)}"
            )
            groups = page.evaluate(RATING_GROUPS)
            names = [g["names"] for g in groups]
            assert all(len(n) == 1 and n[0] for n in names), f"choices not grouped: {names}"
            assert len({n[0] for n in names}) == len(names), "two ratings share a group"
            assert all(g["role"] == "radiogroup" for g in groups)
            for number, (group, indicator) in enumerate(zip(groups, indicators, strict=True), 1):
                assert group["label"].startswith(f"Rating {number}: "), group["label"]
                assert indicator.text in group["label"], group["label"]
            before = [g["checked"] for g in groups]
            # Tab from the top of the page to the first rating
            page.locator("body").evaluate("b => { b.tabIndex = -1; b.focus(); }")
            for _ in range(30):
                if page.evaluate(FOCUS)["group"] == 0:
                    break
                page.keyboard.press("Tab")
            assert page.evaluate(FOCUS)["group"] == 0, "Tab never reached the first rating"
            # once round the choices and one more: past the last choice, back to the first
            for _ in range(groups[0]["choices"] + 1):
                page.keyboard.press("ArrowDown")
            page.wait_for_timeout(300)
            after = [g["checked"] for g in page.evaluate(RATING_GROUPS)]
            assert after[0] == (before[0] + 1) % groups[0]["choices"], (before, after)
            assert after[1:] == before[1:], (
                f"the arrow key changed another rating: {before} -> {after}"
            )
            assert page.evaluate(FOCUS)["group"] == 0, "the arrow key left the rating"
            page.locator(".widget-radio-box").first.scroll_into_view_if_needed()
            page.screenshot(path=str(screens / "hub-radios-390.png"))
            # one Tab stop per rating: the next Tab is its note, the one after the next rating
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUS) == {"group": -1, "tag": "TEXTAREA"}, "a second stop"
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUS)["group"] == 1, "Tab did not reach the next rating"
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Shift+Tab")
            assert page.evaluate(FOCUS)["group"] == 0
            assert offline.blocked == [], offline.blocked
            problems = [p for p in log.problems if "net::ERR_ABORTED" not in p]
            assert not problems, problems
            offline.context.close()
        finally:
            browser.close()
            cohort.hub.remember()


#: A crafted link as a hostile lead would send it to the trainer: markup in ``?theme=`` that, if
#: copied into the page, makes the lead a hub admin through the hub's API with the trainer's
#: token (what it did before Voila's overrides were turned off) and marks the page.
XSS_THEME = (
    '"><img src=x onerror="window.__ws_xss=1;'
    "var c=JSON.parse(document.getElementById('jupyter-config-data').textContent);"
    "fetch('/hub/api/users/{lead}',{{method:'PATCH',"
    "headers:{{Authorization:'token '+(c.token||c.hubToken||'')}},"
    'body:JSON.stringify({{admin:true}})}})">'
)


def test_a_link_with_markup_in_its_address_runs_no_script_as_the_trainer(cohort: Cohort):
    """Voila's ``?theme=`` and ``?template=`` are ignored: the trainer follows a hostile lead's
    link, no script of the link runs, the lead stays a lead, nothing is fetched from outside,
    and every page of the servers carries a policy keeping script to the hub's own origin."""
    lead = cohort.leads[0].name
    links = {
        "theme": "?theme=" + quote(XSS_THEME.format(lead=lead)),
        "template": "?template=lab",
    }
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser)
            page = offline.context.new_page()
            # The app page itself (the hub's spawn page may come first): its policy is checked.
            app_pages = []
            page.on(
                "response",
                lambda r: app_pages.append(r) if "/voila/render/" in r.url else None,
            )
            browser_log_in(page, cohort.hub.url, cohort.trainer)
            for name, query in links.items():
                app_pages.clear()
                page.goto(
                    f"{cohort.hub.url}/hub/user-redirect/voila/render/course-apps/index.ipynb{query}",
                    wait_until="load",
                    timeout=120_000,
                )
                page.get_by_text(re.compile("self-audit", re.I)).first.wait_for(timeout=120_000)
                page.wait_for_timeout(1500)  # time for an injected handler to fire
                assert page.evaluate("window.__ws_xss === undefined"), name
                assert "<img src=x" not in page.content(), name
                assert f"/user/{cohort.trainer.name}/voila/render/" in page.url, page.url
                assert app_pages, f"{name}: the app page was never loaded"
                policy = app_pages[-1].headers.get("content-security-policy", "")
                assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy, policy
                assert offline.blocked == [], (name, offline.blocked)
            # Every cookie (the hub's, the server's, the form tokens) is SameSite=Lax.
            cookies = offline.context.cookies()
            assert cookies and all(c["sameSite"] == "Lax" for c in cookies), cookies
        finally:
            browser.close()
    users = {u["name"]: u for u in cohort.hub.api("GET", "/users").json()}
    assert users[lead]["admin"] is False
    assert users[cohort.trainer.name]["admin"] is True


#: Markup an address might carry into a page.
MARKUP = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def test_no_page_of_the_hub_takes_markup_from_its_address(cohort: Cohort):
    """The hub's own pages (login, sign-up, home, authorisation, errors, spawn) never copy
    markup from the address or a form into the page, and say where script may come from."""
    hub, mark = cohort.hub, quote(MARKUP)
    trainer = hub_pages.log_in(hub.url, cohort.trainer.name, cohort.trainer.password)
    anyone = requests.Session()
    pages = {
        "login": (anyone, f"/hub/login?next={mark}&username={mark}"),
        "signup": (anyone, f"/hub/signup?next={mark}&username={mark}"),
        "missing page": (anyone, f"/hub/{mark}"),
        "home": (trainer, f"/hub/home?next={mark}"),
        "authorize": (trainer, f"/hub/authorize?x={mark}"),
        "admin": (trainer, f"/hub/admin?x={mark}"),
        "token": (trainer, f"/hub/token?x={mark}"),
        "change password": (trainer, f"/hub/change-password?x={mark}"),
        "spawn": (trainer, f"/hub/spawn-pending/{cohort.trainer.name}?next={mark}"),
        "no such user": (trainer, f"/hub/spawn/{mark}"),
        "user redirect": (trainer, f"/hub/user-redirect/{mark}"),
    }
    for name, (session, path) in pages.items():
        response = session.get(f"{hub.url}{path}", timeout=60, allow_redirects=False)
        assert "<img src=x" not in response.text and "<script>alert" not in response.text, name
        if response.headers.get("content-type", "").startswith("text/html"):
            policy = response.headers.get("content-security-policy", "")
            assert "script-src 'self'" in policy, (name, policy)
    token = hub_pages.xsrf_token(anyone, f"{hub.url}/hub/login")
    refused = anyone.post(
        f"{hub.url}/hub/login",
        data={"_xsrf": token, "username": MARKUP, "password": "x"},
        timeout=60,
    )
    assert "<img src=x" not in refused.text and "<script>alert" not in refused.text


def test_the_trainer_never_opens_a_page_of_a_leads_server(cohort: Cohort):
    """Every server shares the hub's origin: a page a lead made (a notebook's output, an HTML
    file) opened in the trainer's browser would run as the trainer. The trainer, an admin,
    is refused inside a lead's server; their own opens."""
    hub, lead = cohort.hub, cohort.leads[0].name
    UserServer(hub, lead).request(
        "PUT",
        "/api/contents/planted.html",
        json={"type": "file", "format": "text", "content": "<script>window.x=1</script>"},
    )
    trainer = hub_pages.log_in(hub.url, cohort.trainer.name, cohort.trainer.password)
    wait_for_server(hub, cohort.trainer.name)
    own = trainer.get(f"{hub.url}/user/{cohort.trainer.name}/lab", timeout=60)
    assert own.status_code == 200, own.status_code
    for path in ("files/planted.html", "lab", f"voila/render/course-apps/{AUDIT_APP}"):
        response = trainer.get(f"{hub.url}/user/{lead}/{path}", timeout=60)
        if "/hub/api/oauth2/authorize" in response.url:  # the hub asks the admin to confirm:
            found = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.text)
            fields = [(name, html.unescape(value)) for name, value in found]
            response = trainer.post(response.url, data=fields, timeout=60)  # they do
        assert response.status_code == 403, (path, response.status_code, response.url)
        assert "window.x=1" not in response.text


def test_voila_renders_only_the_course_apps(cohort: Cohort):
    """A notebook of a lead's own (or one planted in a home) is never rendered by Voila."""
    lead = cohort.leads[1].name
    server = UserServer(cohort.hub, lead)
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "planted",
                "metadata": {},
                "outputs": [],
                "source": "open('planted-ran', 'w').write('ran')",
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    server.request(
        "PUT", "/api/contents/planted.ipynb", json={"type": "notebook", "content": notebook}
    )
    response = server.session.get(f"{server.base}/voila/render/planted.ipynb", timeout=120)
    assert response.status_code == 403, response.status_code
    assert not (cohort.home(lead) / "planted-ran").exists()
    app = server.session.get(f"{server.base}/voila/render/course-apps/{AUDIT_APP}", timeout=300)
    assert app.status_code == 200


def test_the_trainers_jupyterlab_and_formgrader_work_under_the_content_security_policy(
    cohort: Cohort,
):
    """JupyterLab and nbgrader's formgrader (framed inside it) load with no request refused
    by the policy and no error."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser)
            page = offline.context.new_page()
            log = watch(page)
            browser_log_in(page, cohort.hub.url, cohort.trainer)
            response = page.goto(
                f"{cohort.hub.url}/user/{cohort.trainer.name}/lab", wait_until="load"
            )
            assert "script-src 'self'" in response.headers.get("content-security-policy", "")
            page.locator("#jp-main-dock-panel").wait_for(timeout=120_000)
            page.get_by_text("Nbgrader", exact=True).first.click()
            page.get_by_text("Formgrader", exact=True).first.click()
            frame = page.frame_locator("iframe").first
            frame.get_by_text("Manage Assignments").first.wait_for(timeout=120_000)
            page.wait_for_timeout(2000)
            refused = [p for p in log.problems if "Content Security Policy" in p or "Refused" in p]
            assert not refused, refused
            assert offline.blocked == [], offline.blocked
        finally:
            browser.close()


def test_a_lead_cannot_read_another_leads_records(cohort: Cohort):
    one, two = cohort.leads[0].name, cohort.leads[1].name
    record = cohort.home(one) / "wholeschool-records" / "audit.json"
    assert as_user(one, "cat", str(record)).returncode == 0  # the owner can
    answers = cohort.hub.settings.root / "assessments" / "source" / ASSIGNMENT
    for attempt in (
        ["cat", str(record)],
        ["ls", str(cohort.home(one))],
        ["cat", str(answers / f"{ASSIGNMENT}.ipynb")],  # the model answers
    ):
        denied = as_user(two, *attempt)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr, attempt


def test_servers_use_their_own_ports_and_kernels_talk_over_unix_sockets(cohort: Cohort):
    """Each server listens on a port of the hub's server range (below the system's ephemeral
    range), so no kernel can take it while it starts; the kernels' channels are Unix sockets
    in a folder of the account's own, so no kernel holds a channel port on 127.0.0.1."""
    processes = cohort.accounts.processes()
    servers = [p for p in processes if "jupyterhub-singleuser" in " ".join(p.cmdline())]
    kernels = [p for p in processes if "ipykernel_launcher" in " ".join(p.cmdline())]
    assert len(servers) >= len(cohort.leads), "each lead's server"
    assert len(kernels) >= len(cohort.leads), "each lead's server keeps a kernel warm"

    def listening(proc: psutil.Process) -> list[int]:
        return [
            c.laddr.port
            for c in proc.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        ]

    for proc in servers:
        ports = listening(proc)
        assert ports and all(SERVER_PORTS[0] <= port <= SERVER_PORTS[1] for port in ports), ports
    for proc in kernels:
        connection = json.loads(Path(proc.cmdline()[proc.cmdline().index("-f") + 1]).read_text())
        assert connection["transport"] == "ipc", connection
        assert len(connection["ip"]) < 80, "a Unix socket's path must stay under 108 bytes"
        # Only ipykernel's own pipe for subprocess output (authenticated) is a TCP port.
        assert len(listening(proc)) <= 1, listening(proc)
        assert not any(SERVER_PORTS[0] <= p <= SERVER_PORTS[1] for p in listening(proc))


def test_no_process_of_a_lead_holds_the_hub_log_or_anything_not_their_own(cohort: Cohort):
    """The hub's log is root's alone (0600). Every handle held by a process of a lead (or the
    trainer) is their own: each server writes its output to ``~/.jupyter-server.log`` (0600),
    and no one reaches the hub's log or another's output through ``/proc``."""
    log = cohort.hub.log_path
    assert log.stat().st_mode & 0o777 == 0o600
    state = cohort.hub.settings.state.resolve()
    servers = {}
    for proc in cohort.accounts.processes():
        uid = proc.uids().real
        line = " ".join(proc.cmdline())
        if "jupyterhub-singleuser" in line:
            servers[pwd.getpwuid(uid).pw_name] = proc
        for fd in os.listdir(f"/proc/{proc.pid}/fd"):
            try:
                target = os.readlink(f"/proc/{proc.pid}/fd/{fd}")
            except FileNotFoundError:  # closed meanwhile
                continue
            if not target.startswith("/") or target.startswith(("/dev/null", "/dev/pts/")):
                continue
            path = Path(target.removesuffix(" (deleted)"))
            assert not path.resolve().is_relative_to(state), (line[:80], fd, target)
            if not path.exists():
                continue
            info = path.stat()
            flags = Path(f"/proc/{proc.pid}/fdinfo/{fd}").read_text().split("flags:")[1]
            writing = int(flags.split()[0], 8) & 0o3 != os.O_RDONLY
            # Their own files; anything else only for reading, and only if anyone may read it.
            assert info.st_uid == uid or (not writing and info.st_mode & 0o004), (
                line[:80],
                fd,
                target,
            )
    one, two = cohort.leads[0].name, cohort.leads[1].name
    server = servers[one]
    for fd in ("1", "2"):
        target = Path(os.readlink(f"/proc/{server.pid}/fd/{fd}"))
        assert target == cohort.home(one) / ".jupyter-server.log", target
        assert target.stat().st_mode & 0o777 == 0o600
    own = as_user(one, "cat", f"/proc/{server.pid}/fd/1")
    assert own.returncode == 0 and two not in own.stdout
    for attempt in (f"/proc/{server.pid}/fd/1", str(cohort.home(one) / ".jupyter-server.log")):
        denied = as_user(two, "cat", attempt)
        assert denied.returncode != 0, attempt
    hub_pid = cohort.hub.process.pid
    assert as_user(one, "cat", f"/proc/{hub_pid}/fd/1").returncode != 0
    assert as_user(one, "cat", str(log)).returncode != 0


def test_each_server_starts_with_limits(cohort: Cohort):
    """Open files, processes and memory per process are limited for every user's server and
    what it starts (one lead held 20,000 open files before)."""
    for proc in cohort.accounts.processes():
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        found = {
            name: line.split()[-3]
            for line in limits.splitlines()
            for name in ("Max open files", "Max processes", "Max address space")
            if line.startswith(name)
        }
        assert found == {
            "Max open files": "4096",
            "Max processes": "512",
            "Max address space": str(4 * 1024**3),
        }, (proc.cmdline()[:2], found)


def test_a_kernel_nobody_connects_to_is_shut_down(cohort: Cohort):
    """An app page fetched and never connected to leaves a kernel; it is shut down after the
    idle time (KERNEL_CULL here), while the kernel kept warm for the next page stays."""
    server = UserServer(cohort.hub, cohort.leads[2].name)
    before = {k["id"] for k in server.request("GET", "/api/kernels").json()}
    page = server.session.get(f"{server.base}/voila/render/course-apps/{AUDIT_APP}", timeout=300)
    assert page.status_code == 200
    deadline = time.monotonic() + KERNEL_CULL * 4 + 90
    while time.monotonic() < deadline:
        now = {k["id"] for k in server.request("GET", "/api/kernels").json()}
        if before - now:
            break
        time.sleep(5)
    assert before - now, "the page's kernel was never shut down"
    assert now, "the warm kernel stays"


# --- the trainer's cycle through nbgrader's exchange ------------------------------------------


def with_payload(notebook: Path, trainer_home: Path, other_lead: str) -> dict:
    """``notebook`` with a payload in a cell of its own: it tries to read the
    trainer's gradebook, another lead's submitted notebook and the trainer's home, and to
    write into that home; it writes what it managed into ``payload-report.txt`` beside it."""
    content = json.loads(notebook.read_text(encoding="utf-8"))
    course = trainer_home / "assessments"
    targets = [
        str(course / "gradebook.db"),
        str(course / "submitted" / other_lead / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        str(trainer_home / ".jupyter-server.log"),
    ]
    payload = f"""import pathlib as _pl
_report = []
for _target in {targets!r}:
    try:
        _p = _pl.Path(_target)
        _report.append(f"read {{_target}}: {{len(_p.read_bytes()) if _p.is_file() else len(list(_p.iterdir()))}}")
    except Exception as _error:
        _report.append(f"denied {{_target}}: {{type(_error).__name__}}")
try:
    _pl.Path({str(trainer_home)!r}, "payload-was-here").write_text("x")
except Exception:
    pass
_pl.Path("payload-report.txt").write_text("\\n".join(_report))
"""
    # A cell of the lead's own (leads' answer boxes hold text, so the payload gets a box of its
    # own, as anyone can add one in JupyterLab).
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
    if content.get("nbformat_minor", 0) >= 5:
        cell["id"] = "payload"
    content["cells"].insert(1, {**cell, "source": payload})
    return content


def test_release_fetch_submit_collect_autograde_and_feedback_through_the_exchange(
    cohort: Cohort,
):
    hub, trainer_name = cohort.hub, cohort.trainer.name
    wait_for_server(hub, trainer_name)
    trainer = UserServer(hub, trainer_name)

    def trainer_runs(command: str) -> str:
        status, screen = trainer.terminal(f"cd ~/assessments && {command}")
        assert status == 0, screen[-3000:]
        return screen

    trainer_runs(f"wholeschool trainer release {ASSIGNMENT} --exchange")
    for lead in cohort.leads:
        wait_for_server(hub, lead.name)
        server = UserServer(hub, lead.name)
        listed = server.assignments("fetch", COURSE, ASSIGNMENT)
        assert listed["success"], listed
        assert [a["status"] for a in listed["value"] if a["assignment_id"] == ASSIGNMENT] == [
            "fetched"
        ], listed
        case, _points = SUBMISSIONS[lead.name]
        for file in sorted((FIXTURES / case).iterdir()):
            server.upload(f"{ASSIGNMENT}/{file.name}", file)
        if lead.name == cohort.leads[2].name:  # the hostile lead's answer carries a payload
            notebook = with_payload(
                FIXTURES / case / f"{ASSIGNMENT}.ipynb",
                cohort.home(trainer_name),
                cohort.leads[0].name,
            )
            body = {"type": "notebook", "content": notebook}
            server.request("PUT", f"/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", json=body)
        submitted = server.assignments("submit", COURSE, ASSIGNMENT)
        assert submitted["success"], submitted

    inbound = hub.settings.exchange / COURSE / "inbound"
    peek = as_user(cohort.leads[1].name, "ls", str(inbound))
    assert peek.returncode != 0 and "Permission denied" in peek.stderr
    one_copy = cohort.home(cohort.leads[0].name) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert as_user(cohort.leads[1].name, "cat", str(one_copy)).returncode != 0

    # The hostile lead submits in the blank lead's name (a newer submission, their own
    # notebook), and takes the secret out of their own submission, which once stopped
    # everyone's feedback.
    hostile, victim = cohort.leads[2].name, cohort.leads[1].name
    forged = inbound / f"{victim}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+forged"
    planted = as_user(hostile, "cp", "-r", str(cohort.home(hostile) / ASSIGNMENT), str(forged))
    assert planted.returncode == 0, planted.stderr
    (own,) = inbound.glob(f"{hostile}+{ASSIGNMENT}+*")
    broken = as_user(hostile, "rm", str(own / "submission_secret.txt"))
    assert broken.returncode == 0, broken.stderr

    collected = trainer_runs(f"wholeschool trainer collect {ASSIGNMENT} --exchange")
    refusals = [line for line in collected.splitlines() if "Refused a submission" in line]
    assert len(refusals) == 1, collected[-3000:]
    assert f"in {victim}'s name: it belongs to {hostile}" in refusals[0], refusals
    graded = trainer_runs(f"wholeschool trainer autograde {ASSIGNMENT}")
    assert "3 graded, 0 not graded" in graded, graded[-3000:]
    # The payload ran during autograde, in the sandbox: it read nothing of the trainer's or
    # another lead's, wrote nothing outside its own folder.
    course = cohort.home(trainer_name) / "assessments"
    report = course / "autograded" / hostile / ASSIGNMENT / "payload-report.txt"
    lines = report.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(line.startswith("denied") for line in lines), lines
    assert not (cohort.home(trainer_name) / "payload-was-here").exists()
    from nbgrader.api import Gradebook

    gradebook_url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(gradebook_url, COURSE) as gradebook:
        scores = {s.student_id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}
    assert scores == {name: points for name, (_case, points) in SUBMISSIONS.items()}
    # Feedback waits for the written answers to be marked, then goes to everyone it can.
    status, screen = trainer.terminal(
        f"cd ~/assessments && wholeschool trainer feedback {ASSIGNMENT} --exchange"
    )
    assert status != 0 and "not marked yet" in screen, screen[-3000:]
    with Gradebook(gradebook_url, COURSE) as gradebook:
        for student, marks in MARKS.items():
            for question, points in marks.items():
                grade = gradebook.find_grade(question, ASSIGNMENT, ASSIGNMENT, student)
                grade.manual_score = points
                grade.needs_manual_grade = False
        gradebook.db.commit()
    trainer_runs(f"wholeschool trainer feedback {ASSIGNMENT} --exchange")

    for lead in cohort.leads:
        server = UserServer(hub, lead.name)
        assert server.assignments("fetch_feedback", COURSE, ASSIGNMENT)["success"]
        returned = list((cohort.home(lead.name) / ASSIGNMENT / "feedback").rglob("*.html"))
        if lead.name == hostile:  # their own broken submission: no feedback, for them alone
            assert returned == [], returned
            continue
        assert len(returned) == 1, (lead.name, returned)
        page = re.sub(r"\s+", " ", returned[0].read_text(encoding="utf-8"))
        marked = SUBMISSIONS[lead.name][1] + sum(MARKS.get(lead.name, {}).values())
        assert f"Your score: {marked:g} / {TOTAL:g}" in page, lead.name
        assert returned[0].stat().st_uid == pwd.getpwnam(lead.name).pw_uid


@pytest.fixture(scope="module")
def screens(tmp_path_factory) -> Path:
    """Where the browser walks leave their screenshots (printed, to look at)."""
    folder = tmp_path_factory.mktemp("hub-screens")
    print(f"screenshots: {folder}")
    return folder


def open_lab(page, hub_url: str, person: Person, path: str = "lab") -> None:
    """Log ``person`` in and open their JupyterLab (at ``path``) once it has settled."""
    browser_log_in(page, hub_url, person)
    page.goto(f"{hub_url}/user/{person.name}/{path}", wait_until="domcontentloaded")
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for(timeout=120_000)
    page.wait_for_timeout(4000)  # time for a pop-up (JupyterLab's news) to appear


def nbgrader_menu(page) -> list[str]:
    """The items of JupyterLab's Nbgrader menu (opened, read, closed)."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    items = page.locator(".lm-Menu-content .lm-Menu-item:visible .lm-Menu-itemLabel")
    items.first.wait_for()
    labels = items.all_inner_texts()
    page.keyboard.press("Escape")
    return labels


def news_pop_ups(page) -> int:
    """JupyterLab's news or update notices on the page."""
    return page.get_by_text(re.compile(r"Jupyter news|updates", re.I)).count()


def test_a_lead_reads_their_returned_feedback_in_jupyterlab(cohort: Cohort, screens: Path):
    """The feedback a lead fetched opens in JupyterLab's own HTML viewer (double-click in the
    file browser) and can be read there: their score, their answers, the rubric level. The
    servers' policy refused the viewer's frame ("This content is blocked") until it allowed
    frames made by the page itself (blob:); no other site may still frame a server's page."""
    hub, lead = cohort.hub, cohort.leads[0]
    home = cohort.home(lead.name)
    (returned,) = (home / ASSIGNMENT / "feedback").rglob(f"{ASSIGNMENT}.html")
    path = quote(str(returned.relative_to(home)))
    marked = SUBMISSIONS[lead.name][1] + sum(MARKS[lead.name].values())
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1280, "height": 820})
            page = offline.context.new_page()
            log = watch(page)
            open_lab(page, hub.url, lead, f"lab/tree/{path}")
            response = page.request.get(f"{hub.url}/user/{lead.name}/lab")
            assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
            viewer = page.frame_locator(".jp-HTMLViewer iframe")
            score = viewer.get_by_text(f"Your score: {marked:g} / {TOTAL:g}")
            score.wait_for(timeout=60_000)
            assert score.is_visible()
            assert viewer.get_by_text("Your answer", exact=True).first.is_visible()
            assert viewer.get_by_text("This content is blocked").count() == 0
            viewer.get_by_text("Rubric level for this answer").first.scroll_into_view_if_needed()
            assert viewer.get_by_text("Rubric level for this answer").first.is_visible()
            viewer.get_by_text("Your score").scroll_into_view_if_needed()
            # The file browser folded away, as a lead reading it would (room for the page).
            page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
            for width in (1280, 820, 390):
                page.set_viewport_size({"width": width, "height": 820})
                page.wait_for_timeout(1000)
                page.screenshot(path=str(screens / f"lead-feedback-in-jupyterlab-{width}.png"))
            assert score.is_visible()  # still readable on a phone's width
            refused = [p for p in log.problems if re.search("Content Security Policy|Refused", p)]
            assert not refused, refused
            assert offline.blocked == [], offline.blocked
        finally:
            browser.close()


#: The written answer the trainer marks in formgrader, and the score given there.
MARKED_IN_BROWSER = ("identifying-need-q3", 2)


def test_the_trainer_marks_a_written_answer_in_formgrader_inside_jupyterlab(
    cohort: Cohort, screens: Path
):
    """Nbgrader → Formgrader in the trainer's JupyterLab finds the course (no file made by
    hand, no gradebook anywhere else), lists the assignment and the leads' submissions; above
    each written answer the rubric's levels with their scores; a score given there is kept."""
    from nbgrader.api import Gradebook

    hub, trainer = cohort.hub, cohort.trainer
    lead = cohort.leads[0].name
    question, score = MARKED_IN_BROWSER
    home = cohort.home(trainer.name)
    gradebook_url = f"sqlite:///{home / 'assessments' / 'gradebook.db'}"
    with Gradebook(gradebook_url, COURSE) as gradebook:
        before = gradebook.find_grade(question, ASSIGNMENT, ASSIGNMENT, lead).score
        submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, lead).id
    assert before != score
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1280, "height": 820})
            page = offline.context.new_page()
            log = watch(page)
            open_lab(page, hub.url, trainer)
            assert news_pop_ups(page) == 0
            assert page.locator('[data-id="nbgrader-create_assignemnt"]').count() == 1
            assert "Formgrader" in nbgrader_menu(page)
            page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
            page.screenshot(path=str(screens / "trainer-1-nbgrader-menu.png"))
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Formgrader$")).click()
            grader = page.frame_locator("#formgrader iframe")
            grader.get_by_role("link", name=ASSIGNMENT, exact=True).wait_for(timeout=60_000)
            assert grader.get_by_text("No data available").count() == 0
            page.screenshot(path=str(screens / "trainer-2-formgrader-assignments.png"))
            grader.get_by_role("link", name="Manual Grading").click()
            # The assignment, then its one notebook (by address: the pages share link names).
            grader.locator(f'a[href$="/formgrader/gradebook/{ASSIGNMENT}"]').click()
            grader.locator(f'a[href$="/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}"]').click()
            link = grader.locator(f'a.name-hidden[href$="/formgrader/submissions/{submission}"]')
            link.wait_for(timeout=60_000)
            assert grader.locator("a.name-hidden").count() == len(SUBMISSIONS)
            page.screenshot(path=str(screens / "trainer-3-submissions.png"))
            log.console_errors.clear()
            log.page_errors.clear()
            link.click()
            answer = grader.locator(f"input.score#{question}")
            answer.wait_for(timeout=60_000)
            page.wait_for_timeout(2000)
            # The submission's page asked MathJax of a public CDN (refused by the policy, and
            # formgrader's script then stopped on "MathJax is not defined").
            assert log.console_errors == [] and log.page_errors == [], log.problems
            guide = grader.get_by_text("Rubric levels for this answer (out of 4)")
            assert guide.count() == 3, guide.count()
            assert grader.get_by_text(re.compile("3 or 4 = Strong")).count() == 3
            guide.last.scroll_into_view_if_needed()
            page.screenshot(path=str(screens / "trainer-4-rubric-levels-above-answer.png"))
            answer.fill(str(score))
            answer.press("Tab")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with Gradebook(gradebook_url, COURSE) as gradebook:
                    now = gradebook.find_grade(question, ASSIGNMENT, ASSIGNMENT, lead).score
                if now == score:
                    break
                time.sleep(0.5)
            page.screenshot(path=str(screens / "trainer-5-score-given.png"))
            assert now == score, (before, now)
            assert offline.blocked == [], offline.blocked
        finally:
            browser.close()
    assert not (home / "gradebook.db").exists(), "formgrader made a gradebook in the home"


def test_a_leads_jupyterlab_shows_their_assignments_and_none_of_the_trainers_panels(
    cohort: Cohort, screens: Path
):
    """A lead (the latecomer, who fetches the released assignment now) has the Assignments
    list, linked from their landing page, but no Formgrader, Courses or Create Assignment, no
    news pop-up, and the notebook's locked code boxes folded while their output shows."""
    hub = cohort.hub
    lead = Person(LATECOMER, "latecomer-passphrase")
    wait_for_server(hub, lead.name)
    server = UserServer(hub, lead.name)
    assert server.assignments("fetch", COURSE, ASSIGNMENT)["success"]
    notebook = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            offline = offline_context(browser, viewport={"width": 1280, "height": 820})
            page = offline.context.new_page()
            open_lab(page, hub.url, lead, f"lab/tree/{notebook}")
            page.screenshot(path=str(screens / "lead-1-notebook.png"))
            assert news_pop_ups(page) == 0
            assert page.locator('[data-id="nbgrader-create_assignemnt"]').count() == 0
            menu = nbgrader_menu(page)
            assert menu == ["Assignment List"], menu
            page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
            page.screenshot(path=str(screens / "lead-2-nbgrader-menu.png"))
            page.keyboard.press("Escape")
            cells = page.locator(".jp-Notebook .jp-Cell")
            cells.first.wait_for()
            # The set-up box, the plan box and its check: folded, no code on show; the
            # safeguarding choice (a box the lead writes in) stays open.
            for index, code in ((1, "start(PRINCIPLE)"), (3, "my_plan()"), (4, "assert")):
                cell = cells.nth(index)
                assert cell.locator(".jp-InputPlaceholder").is_visible(), index
                assert not cell.locator(".jp-InputArea-editor").is_visible(), index
                assert code not in cell.inner_text(), index
            choice = cells.nth(6)
            choice.scroll_into_view_if_needed()
            assert "Write one letter here" in choice.locator(".jp-InputArea-editor").inner_text()
            # The answer boxes read as text boxes, not Python (they stay code cells so that
            # the check reads the words the moment the box runs): lines wrap, the page's font,
            # no syntax colours (an apostrophe coloured the rest of a line as a string).
            box = page.locator(".jp-CodeCell", has_text="%%reflection").first
            box.scroll_into_view_if_needed()
            editor = box.locator(".cm-content")
            assert "cm-lineWrapping" in (editor.get_attribute("class") or "")
            font = editor.evaluate("e => getComputedStyle(e).fontFamily")
            assert "mono" not in font.lower(), font
            colours = editor.evaluate(
                "e => [...new Set([...e.querySelectorAll('.cm-line:not(:first-child) span')]"
                ".map(s => getComputedStyle(s).color))]"
            )
            assert len(colours) <= 1, colours
            page.screenshot(path=str(screens / "lead-answer-box-as-text.png"))
            # Run the boxes from the top as a lead does (Shift + Enter from the first): the
            # folded plan box still shows what it found.
            cells.nth(0).click()
            for _ in range(4):  # the intro, the set-up box, the plan's prompt, the plan box
                page.keyboard.press("Shift+Enter")
            output = cells.nth(3).locator(".jp-OutputArea-output")
            output.first.wait_for(timeout=120_000)
            assert output.first.inner_text().strip()
            cells.nth(3).scroll_into_view_if_needed()
            page.screenshot(path=str(screens / "lead-3-folded-code-output-shown.png"))
            page.set_viewport_size({"width": 820, "height": 820})
            page.screenshot(path=str(screens / "lead-3-folded-code-output-shown-820.png"))
            page.set_viewport_size({"width": 390, "height": 820})
            page.goto(
                f"{hub.url}/user/{lead.name}/voila/render/course-apps/index.ipynb",
                wait_until="domcontentloaded",
                timeout=180_000,  # Voila starts a kernel for the page: slow on a busy machine
            )
            page.get_by_role("link", name="Assignments page").wait_for(timeout=120_000)
            page.get_by_role("link", name="Assignments page").scroll_into_view_if_needed()
            page.screenshot(path=str(screens / "lead-4-apps-page-390.png"))
            page.set_viewport_size({"width": 1280, "height": 820})
            # The lead's landing page (the course apps, still open) links to their Assignments
            # list.
            page.get_by_role("link", name="Assignments page").click()
            listed = page.locator("#nbgrader-assignment-list")
            listed.get_by_text(ASSIGNMENT, exact=True).first.wait_for(timeout=60_000)
            page.screenshot(path=str(screens / "lead-5-assignments.png"))
            assert offline.blocked == [], offline.blocked
        finally:
            browser.close()


def test_the_trainers_server_opens_no_kernel_for_a_leads_work(cohort: Cohort):
    """A submitted notebook opens without a kernel in the trainer's server (its code would
    run as the trainer); the trainer's own notebooks still get one."""
    trainer = UserServer(cohort.hub, cohort.trainer.name)
    lead = cohort.leads[0].name
    notebook = f"assessments/submitted/{lead}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    assert (cohort.home(cohort.trainer.name) / notebook).is_file()
    body = {"path": notebook, "type": "notebook", "name": "", "kernel": {"name": "python3"}}
    kernels = {k["id"] for k in trainer.request("GET", "/api/kernels").json()}
    refused = trainer.session.post(f"{trainer.base}/api/sessions", json=body, timeout=120)
    assert refused.status_code >= 400, (refused.status_code, refused.text[:300])
    assert "opens without a kernel" in refused.text, refused.text[:300]
    assert {k["id"] for k in trainer.request("GET", "/api/kernels").json()} <= kernels
    own = {**body, "path": f"assessments/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"}
    session = trainer.request("POST", "/api/sessions", json=own).json()
    trainer.request("DELETE", f"/api/sessions/{session['id']}")


def test_no_server_starts_while_the_exchange_folder_is_not_the_trainers(cohort: Cohort):
    """Had a lead taken the course's folder in the exchange, no server would start (the
    trainer's neither) until it is the trainer's again."""
    hub, lead = cohort.hub, cohort.leads[2].name
    folder = hub.settings.exchange / COURSE
    hub.api("DELETE", f"/users/{lead}/server")
    deadline = time.monotonic() + 60
    while hub.api("GET", f"/users/{lead}").json()["servers"] and time.monotonic() < deadline:
        time.sleep(0.5)
    owner = folder.stat()
    account = pwd.getpwnam(lead)
    os.chown(folder, account.pw_uid, account.pw_gid)
    try:
        answer = requests.post(
            f"{hub.url}/hub/api/users/{lead}/server",
            headers={"Authorization": f"token {hub.settings.admin_token}"},
            timeout=120,
        )
        time.sleep(3)
        server = hub.api("GET", f"/users/{lead}").json()["servers"].get("", {})
        assert answer.status_code >= 400 and not server.get("ready"), (answer.status_code, server)
        assert "not the trainer" in hub.log_path.read_text(encoding="utf-8", errors="replace")
    finally:
        os.chown(folder, owner.st_uid, owner.st_gid)
    wait_for_server(hub, lead)


#: Holds every free port of the servers' range, as a hostile lead did (over as many processes
#: as the open-files limit needs).
HOLD_PORTS = f"""
import os, resource, socket, time
_soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
ports = list(range({SERVER_PORTS[0]}, {SERVER_PORTS[1] + 1}))
step = hard - 64
mine = ports[:step]
for start in range(step, len(ports), step):
    if os.fork() == 0:
        mine = ports[start:start + step]
        break
held = []
for port in mine:
    try:
        s = socket.socket()
        s.bind(("127.0.0.1", port))
        s.listen()
        held.append(s)
    except OSError:
        s.close()
time.sleep(600)
"""


def held_ports(uid: int) -> int:
    """Listening sockets of ``uid``'s processes in the servers' range."""
    count = 0
    for proc in psutil.process_iter(["uids"]):
        with contextlib.suppress(psutil.Error):
            if proc.info["uids"].real != uid:
                continue
            count += sum(
                c.status == psutil.CONN_LISTEN
                and SERVER_PORTS[0] <= c.laddr.port <= SERVER_PORTS[1]
                for c in proc.net_connections(kind="inet")
            )
    return count


def test_one_lead_holding_the_servers_ports_stops_no_server(cohort: Cohort):
    """A lead holds every free port of the servers' range; another lead's server still
    starts (the hub ends the processes squatting on its range)."""
    hub, holder, starter = cohort.hub, cohort.leads[1].name, cohort.leads[2].name
    uid = pwd.getpwnam(holder).pw_uid
    hub.api("DELETE", f"/users/{starter}/server")
    deadline = time.monotonic() + 60
    while hub.api("GET", f"/users/{starter}").json()["servers"] and time.monotonic() < deadline:
        time.sleep(0.5)
    squatter = subprocess.Popen(
        ["runuser", "-u", holder, "--", "/usr/bin/python3", "-c", HOLD_PORTS],
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while held_ports(uid) < 9000 and time.monotonic() < deadline:
            time.sleep(1)
        assert held_ports(uid) > 9000, held_ports(uid)
        wait_for_server(hub, starter, timeout=120)
        assert held_ports(uid) <= 1, "only the holder's own server keeps a port of the range"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(squatter.pid, signal.SIGKILL)
        squatter.wait(timeout=30)


# --- the end: nothing left behind -------------------------------------------------------------


def test_stopping_the_hub_leaves_no_process_and_removes_only_our_accounts(cohort: Cohort):
    hub, accounts = cohort.hub, cohort.accounts
    hub.remember()
    started = len(hub.running())
    assert started >= 2 + 4, "hub, proxy and the four servers should be running"
    strays = hub.stop()
    assert strays == [], f"still running after the hub stopped: {strays}"
    assert accounts.processes() == []
    created = accounts.existing()
    assert sorted(created) == sorted(
        [cohort.trainer.name, *(p.name for p in cohort.leads), LATECOMER]
    )
    removed = accounts.remove()
    assert sorted(removed) == sorted(created)
    assert accounts.existing() == []
    assert other_accounts() == cohort.others_before, "an account this run did not make changed"
