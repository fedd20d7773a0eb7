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

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
from browser_support import launch_chromium, offline_context, watch
from hub_support import (
    Person,
    UserServer,
    browser_log_in,
    choose_level,
    hubctl,
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
#: bcrypt work factor of this run's hub (not NativeAuthenticator's own 12, so the test can
#: tell that the setting is used).
PASSWORD_COST = 11
#: The hub's range of ports for users' servers (its default, WHOLESCHOOL_HUB_SERVER_PORTS).
SERVER_PORTS = (20000, 29999)
COURSE = "wholeschool-smhl"
ASSIGNMENT = "identifying-need"
FIXTURES = ROOT / "tests" / "data" / "submissions"
#: Lead -> (fixture submission, autograded points it earns; see test_nbgrader_e2e.py).
SUBMISSIONS = {
    f"{PREFIX}lead1": ("perfect", 14.0),
    f"{PREFIX}lead2": ("blank", 0.0),
    f"{PREFIX}lead3": ("edited-tests", 12.0),  # hostile: empties a hidden test cell
}
#: What each lead picks for the first indicator (labels of the rating scale).
RATINGS = {
    f"{PREFIX}lead1": "Emerging",
    f"{PREFIX}lead2": "Established",
    f"{PREFIX}lead3": "Embedded",
}


@dataclass
class Cohort:
    hub: hubctl.Hub
    accounts: hubctl.Accounts
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
        {"WHOLESCHOOL_HUB_PASSWORD_COST": str(PASSWORD_COST)},
    )
    accounts = hubctl.Accounts(PREFIX, GROUP, work / "created-accounts.txt")
    others = other_accounts()
    accounts.claim([trainer.name, *(lead.name for lead in leads)])
    accounts.ensure_group()
    hub = hubctl.Hub(settings)
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


# --- accounts ---------------------------------------------------------------------------------


def test_trainer_and_leads_sign_up_and_the_trainer_approves_the_leads(cohort: Cohort):
    hub = cohort.hub
    message = hubctl.sign_up(hub.url, cohort.trainer.name, cohort.trainer.password)
    assert "The signup was successful" in message, message
    trainer = hubctl.log_in(hub.url, cohort.trainer.name, cohort.trainer.password)
    for lead in cohort.leads:
        message = hubctl.sign_up(hub.url, lead.name, lead.password)
        assert "sent to the admin" in message, message
        with pytest.raises(hubctl.HubError, match="has not been authorized"):
            hubctl.log_in(hub.url, lead.name, lead.password)
    # An existing system account the hub did not create can never become a hub user.
    refused = hubctl.sign_up(hub.url, "daemon", "daemon-passphrase-1")
    assert "Something went wrong" in refused, refused
    with pytest.raises(hubctl.HubError):
        hubctl.log_in(hub.url, "daemon", "daemon-passphrase-1")
    for lead in cohort.leads:
        hubctl.approve(trainer, hub.url, lead.name)
        hubctl.log_in(hub.url, lead.name, lead.password)
    for person in [cohort.trainer, *cohort.leads]:
        account = pwd.getpwnam(person.name)  # made by the hub on first login
        assert os.stat(account.pw_dir).st_mode & 0o777 == 0o700, person.name
    stored = hub.stored_passwords()
    assert set(stored) == {cohort.trainer.name, *(lead.name for lead in cohort.leads)}
    # Stored at the hub's work factor (set for this run), not NativeAuthenticator's own.
    assert all(h.startswith(f"$2b${PASSWORD_COST}$".encode()) for h in stored.values()), stored
    # A changed password too (changed, then changed back for the tests that follow).
    lead = cohort.leads[0]
    session = hubctl.log_in(hub.url, lead.name, lead.password)
    for old, new in (
        (lead.password, lead.password + "-new"),
        (lead.password + "-new", lead.password),
    ):
        message = hubctl.change_password(session, hub.url, old, new)
        assert "changed successfully" in message, message
        assert hub.stored_passwords()[lead.name].startswith(f"$2b${PASSWORD_COST}$".encode())
        with pytest.raises(hubctl.HubError):
            hubctl.log_in(hub.url, lead.name, old)
        hubctl.log_in(hub.url, lead.name, new)
    users = {u["name"]: u for u in hub.api("GET", "/users").json()}
    assert users[cohort.trainer.name]["admin"] is True
    assert all(users[lead.name]["admin"] is False for lead in cohort.leads)
    assert "daemon" not in users


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
            browser_log_in(page, cohort.hub.url, cohort.trainer)
            for name, query in links.items():
                response = page.goto(
                    f"{cohort.hub.url}/hub/user-redirect/voila/render/course-apps/index.ipynb{query}",
                    wait_until="load",
                    timeout=120_000,
                )
                page.get_by_text(re.compile("self-audit", re.I)).first.wait_for(timeout=120_000)
                page.wait_for_timeout(1500)  # time for an injected handler to fire
                assert page.evaluate("window.__ws_xss === undefined"), name
                assert "<img src=x" not in page.content(), name
                policy = response.headers.get("content-security-policy", "")
                assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy, policy
                assert offline.blocked == [], (name, offline.blocked)
        finally:
            browser.close()
    users = {u["name"]: u for u in cohort.hub.api("GET", "/users").json()}
    assert users[lead]["admin"] is False
    assert users[cohort.trainer.name]["admin"] is True


def test_a_lead_cannot_read_another_leads_records(cohort: Cohort):
    one, two = cohort.leads[0].name, cohort.leads[1].name
    record = cohort.home(one) / "wholeschool-records" / "audit.json"
    assert as_user(one, "cat", str(record)).returncode == 0  # the owner can
    for attempt in (["cat", str(record)], ["ls", str(cohort.home(one))]):
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


# --- the trainer's cycle through nbgrader's exchange ------------------------------------------


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
        submitted = server.assignments("submit", COURSE, ASSIGNMENT)
        assert submitted["success"], submitted

    inbound = hub.settings.exchange / COURSE / "inbound"
    peek = as_user(cohort.leads[1].name, "ls", str(inbound))
    assert peek.returncode != 0 and "Permission denied" in peek.stderr
    one_copy = cohort.home(cohort.leads[0].name) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert as_user(cohort.leads[1].name, "cat", str(one_copy)).returncode != 0

    trainer_runs(f"wholeschool trainer collect {ASSIGNMENT} --exchange")
    graded = trainer_runs(f"wholeschool trainer autograde {ASSIGNMENT}")
    assert "3 graded, 0 not graded" in graded, graded[-3000:]
    trainer_runs(f"wholeschool trainer feedback {ASSIGNMENT} --exchange")
    course = cohort.home(trainer_name) / "assessments"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE) as gradebook:
        scores = {s.student_id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}
    assert scores == {name: points for name, (_case, points) in SUBMISSIONS.items()}

    for lead in cohort.leads:
        server = UserServer(hub, lead.name)
        assert server.assignments("fetch_feedback", COURSE, ASSIGNMENT)["success"]
        returned = list((cohort.home(lead.name) / ASSIGNMENT / "feedback").rglob("*.html"))
        assert len(returned) == 1, (lead.name, returned)
        page = re.sub(r"\s+", " ", returned[0].read_text(encoding="utf-8"))
        assert f"Score: {SUBMISSIONS[lead.name][1]:.1f} / 26.0" in page, lead.name
        assert returned[0].stat().st_uid == pwd.getpwnam(lead.name).pw_uid


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
    assert sorted(created) == sorted([cohort.trainer.name, *(p.name for p in cohort.leads)])
    removed = accounts.remove()
    assert sorted(removed) == sorted(created)
    assert accounts.existing() == []
    assert other_accounts() == cohort.others_before, "an account this run did not make changed"
