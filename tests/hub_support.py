"""Drive the course hub as its users would: through the proxy, with each user's own token.

Shared by ``tests/test_hub*.py`` and ``benchmarks/hub.py``. The modules of ``deploy/hub`` (on
the path by pyproject's ``pythonpath``) start and stop the hub; this module logs people in in
Chromium, opens apps, and talks to a user's Jupyter server (contents, nbgrader's assignment
list, terminals) over HTTP.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from hub_accounts import Accounts, remove_left_behind
from hub_process import Hub
from hub_settings import HubError, HubSettings, built_for, reachable_copy, unreachable

ROOT = Path(__file__).resolve().parents[1]

#: The self-audit app every lead opens, and the first indicator's rating control in it.
AUDIT_APP = "self-audit-leadership.ipynb"
AUDIT_LINK = "Self-audit: Leadership and management"
#: The rating groups of the self-audit app: radio buttons, each choice a level and its meaning.
FIRST_RATING = ".widget-radio-box"


@functools.cache
def ensure_hub_environment(root: Path = ROOT) -> Path:
    """Run ``deploy/hub/setup.sh`` for the checkout ``root`` once (quick when nothing
    changed); the users' environment it made. The hub's parts live under the checkout's own
    ``.venv`` whichever environment runs the tests (``built_for``)."""
    done = subprocess.run(
        ["bash", str(root / "deploy" / "hub" / "setup.sh")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        raise HubError(f"deploy/hub/setup.sh failed:\n{done.stdout}{done.stderr}")
    return built_for(root)[0]


def course_root(work: Path) -> Path:
    """This checkout when every account can read it, else a readable copy under ``work``
    (a clone in a private folder such as /root). ``WHOLESCHOOL_HUB_TEST_COPY=1`` forces the
    copy, to test that path."""
    import os

    if unreachable([ROOT]) or os.environ.get("WHOLESCHOOL_HUB_TEST_COPY") == "1":
        return reachable_copy(work / "course")
    return ROOT


def scratch_hub(
    prefix: str, group: str, trainers: list[str], extra_env: dict[str, str] | None = None
) -> tuple[Path, HubSettings]:
    """A throwaway folder (``prefix``...: homes, hub state, exchange, a readable course) and
    the settings of a hub that keeps everything in it; the users' environment is ready."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    work.chmod(0o755)
    (work / "home").mkdir(mode=0o755)
    root = course_root(work)
    ensure_hub_environment(root)
    settings = HubSettings(
        root=root,
        state=work / "hub",
        home_base=work / "home",
        exchange=work / "exchange",
        group=group,
        trainers=trainers,
        extra_env=extra_env or {},
    )
    return work, settings


#: Where each scratch hub records the Unix accounts its run claimed.
ACCOUNTS_RECORD = "created-accounts.txt"


def claim_accounts(work: Path, prefix: str, group: str, names: list[str]) -> Accounts:
    """Claim ``names`` for the scratch hub in ``work`` and make sure ``group`` exists, after
    removing what earlier runs left behind: a run killed before its clean-up (or a machine
    stopped mid-run) leaves its accounts, and the next run would find the names taken."""
    scratch = Path(tempfile.gettempdir()).glob(f"wholeschool-hub-*/{ACCOUNTS_RECORD}")
    remove_left_behind(record for record in scratch if record.parent != work)
    accounts = Accounts(prefix, group, work / ACCOUNTS_RECORD)
    accounts.claim(names)
    accounts.ensure_group()
    return accounts


@dataclass
class Person:
    name: str
    password: str


def wait_for_server(hub: Hub, name: str, timeout: float = 120) -> None:
    """Start ``name``'s server if needed and wait until the hub says it is ready."""
    user = hub.api("GET", f"/users/{name}").json()
    if not user["servers"].get("", {}).get("ready"):
        response = requests.post(
            f"{hub.url}/hub/api/users/{name}/server",
            headers={"Authorization": f"token {hub.settings.admin_token}"},
            timeout=60,
        )
        if response.status_code not in (201, 202, 400):  # 400: already starting
            response.raise_for_status()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.api("GET", f"/users/{name}").json()["servers"].get("", {}).get("ready"):
            hub.remember()
            return
        time.sleep(0.3)
    raise HubError(f"{name}'s server did not start in {timeout:.0f} s")


class UserServer:
    """One user's Jupyter server, reached through the hub's proxy with that user's token."""

    def __init__(self, hub: Hub, name: str) -> None:
        self.hub, self.name = hub, name
        self.base = f"{hub.url}/user/{name}"
        self.token = hub.user_token(name)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"
        # A fresh connection per request: the proxy (Node) drops idle keep-alive connections
        # after 5 s, and a request sent on one at that moment fails with a reset.
        self.session.headers["Connection"] = "close"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session.request(method, f"{self.base}{path}", timeout=120, **kwargs)
        response.raise_for_status()
        return response

    def upload(self, path: str, local: Path) -> None:
        """Save ``local`` at ``path`` in the user's home, as the browser's upload does."""
        if local.suffix == ".ipynb":
            body = {"type": "notebook", "format": "json", "content": json.loads(local.read_text())}
        else:
            body = {"type": "file", "format": "text", "content": local.read_text()}
        self.request("PUT", f"/api/contents/{path}", json=body)

    def assignments(self, action: str, course: str, assignment: str) -> dict:
        """nbgrader's Assignments tab: fetch, submit or fetch_feedback; nbgrader's answer
        (``success``, and ``value``: the assignment list, or ``message``)."""
        form = {"course_id": course, "assignment_id": assignment}
        return self.request("POST", f"/assignments/{action}", data=form).json()

    def terminal(self, command: str, timeout: float = 300) -> tuple[int, str]:
        """Type ``command`` into a new terminal of this server; (exit status, screen text)."""
        import websocket  # websocket-client

        name = self.request("POST", "/api/terminals").json()["name"]
        url = f"{self.base.replace('http://', 'ws://')}/terminals/websocket/{name}"
        ws = websocket.create_connection(url, header=[f"Authorization: token {self.token}"])
        ws.settimeout(timeout)
        screen = ""
        try:
            ws.send(json.dumps(["stdin", f"{command}; echo __DONE_$?__\r"]))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                kind, *data = json.loads(ws.recv())
                if kind == "stdout":
                    screen += data[0]
                    done = re.search(r"__DONE_(\d+)__", screen)
                    if done:
                        return int(done.group(1)), screen
            raise HubError(f"{command!r} did not finish in {timeout} s:\n{screen[-3000:]}")
        finally:
            ws.close()
            self.session.delete(f"{self.base}/api/terminals/{name}", timeout=30)


def browser_log_in(page, hub_url: str, person: Person, timeout_ms: int = 60_000) -> None:
    """Log in on the hub's login form (NativeAuthenticator); returns once the hub answered
    with the home page (or the user's server, when it is running already)."""
    page.set_default_timeout(timeout_ms)
    page.goto(f"{hub_url}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", person.name)
    page.fill("#password_input", person.password)
    with page.expect_navigation(timeout=timeout_ms):
        page.click("#login_submit")
    page.wait_for_url(re.compile(r".*/(hub/home|hub/spawn|user/).*"), timeout=timeout_ms)


def open_audit_app(page, timeout_ms: int = 120_000):
    """From the hub's home page, open the self-audit app; its first rating group once usable."""
    page.get_by_role("link", name=AUDIT_LINK).click()
    control = page.locator(FIRST_RATING).first
    control.wait_for(state="visible", timeout=timeout_ms)
    return control


def choose_level(group, level: str) -> None:
    """Choose a level (its name) in a rating group, as a lead clicks it."""
    group.locator("label").filter(has_text=f"{level}:").click()


@dataclass
class HubctlRun:
    """``hubctl run`` in a process of its own (as ``make hub`` runs it), and a ``Hub`` handle
    (no process of its own) to reach that hub's API with the same admin token."""

    process: subprocess.Popen
    hub: Hub
    #: The controlling terminal's other end when run in one (closing it hangs the terminal up).
    terminal: int | None = None

    def wait_until_answering(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"hubctl exited ({self.process.returncode})")
            try:
                if requests.get(f"{self.hub.url}/hub/api/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise HubError(f"the hub did not answer in {timeout:.0f} s")


def start_hubctl(settings: HubSettings, output: Path, terminal: bool = False) -> HubctlRun:
    """Run ``hubctl run`` for ``settings`` (its output to ``output``, or to a new terminal of
    its own — a pseudo-terminal it controls — when ``terminal``)."""
    import os

    command = [
        sys.executable,
        str(ROOT / "deploy" / "hub" / "hubctl.py"),
        "run",
        f"--state={settings.state}",
        f"--home-base={settings.home_base}",
        f"--exchange={settings.exchange}",
        f"--group={settings.group}",
        f"--port={settings.port}",
        f"--root={settings.root}",
        *(f"--trainer={name}" for name in settings.trainers),
    ]
    env = {
        **os.environ,
        **settings.extra_env,
        "WHOLESCHOOL_HUB_ADMIN_TOKEN": settings.admin_token,
        "PYTHONUNBUFFERED": "1",
    }
    if not terminal:
        with open(output, "wb") as out:
            process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        return HubctlRun(process, Hub(settings))
    import fcntl
    import termios

    main_end, terminal_end = os.openpty()

    def take_terminal() -> None:  # in the new session: this terminal becomes its own
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=terminal_end,
            stdout=terminal_end,
            stderr=terminal_end,
            start_new_session=True,
            preexec_fn=take_terminal,
        )
    finally:
        os.close(terminal_end)
    return HubctlRun(process, Hub(settings), terminal=main_end)
