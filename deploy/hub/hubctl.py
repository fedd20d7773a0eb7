"""Start the course hub on 127.0.0.1, sign people up, and stop it leaving nothing behind.

Used by ``make hub`` (``python deploy/hub/hubctl.py demo``), the hub tests and
``benchmarks/hub.py``. Everything runs as real processes: JupyterHub, configurable-http-proxy,
one Jupyter server per Unix account. Only loopback addresses are used.

Accounts: the hub creates a Unix account (in one group) for each approved user on first login.
``Accounts`` remembers which names did not exist before, and removes only those, only while
they are still members of that group.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CONFIG = HERE / "jupyterhub_config.py"
#: Made by ``bash deploy/hub/setup.sh``: the users' environment and the proxy.
USER_ENV = ROOT / ".venv" / "hub-user"
PROXY = ROOT / ".venv" / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"


def built_for(root: Path) -> tuple[Path, Path]:
    """The users' environment and the proxy that ``setup.sh`` makes under ``root/.venv``."""
    venv = root / ".venv"
    return (
        venv / "hub-user",
        venv / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy",
    )


def reachable_copy(dest: Path) -> Path:
    """A copy of the course's tracked files that every account can read, for a checkout in a
    private folder (``/root/...``); run ``deploy/hub/setup.sh`` on it before starting a hub."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, target = ROOT / name, dest / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for folder, _dirs, files in os.walk(dest):
        os.chmod(folder, 0o755)
        for file in files:
            path = os.path.join(folder, file)
            os.chmod(path, os.stat(path).st_mode | 0o444)
    (dest / "assessments").chmod(0o700)  # the model answers: root's alone
    (dest / ".venv").mkdir(exist_ok=True)
    return dest


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unreachable(paths: Iterable[Path]) -> list[Path]:
    """Folders on the way to ``paths`` that other accounts cannot enter (no o+x)."""
    blocked = []
    for path in paths:
        for folder in [path, *path.parents]:
            if folder.exists() and not os.stat(folder).st_mode & 0o001:
                blocked.append(folder)
    return sorted(set(blocked))


@dataclass
class HubSettings:
    """Where the hub keeps its state and who its trainers are; ports are picked when unset."""

    state: Path
    home_base: Path
    exchange: Path
    group: str
    trainers: list[str]
    port: int = 0
    idle_timeout: int = 3600
    root: Path = ROOT
    user_env: Path | None = None
    proxy: Path | None = None
    admin_token: str = field(default_factory=lambda: secrets.token_hex(32))
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        user_env, proxy = built_for(self.root)
        self.user_env = self.user_env or user_env
        self.proxy = self.proxy or proxy
        self.port = self.port or free_port()
        self.hub_port = free_port()
        self.api_port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environ(self) -> dict[str, str]:
        env = {
            "WHOLESCHOOL_HUB_COURSE_ROOT": str(self.root),
            "WHOLESCHOOL_HUB_STATE": str(self.state),
            "WHOLESCHOOL_HUB_EXCHANGE": str(self.exchange),
            "WHOLESCHOOL_HUB_GROUP": self.group,
            "WHOLESCHOOL_HUB_HOME_BASE": str(self.home_base),
            "WHOLESCHOOL_HUB_TRAINERS": ",".join(self.trainers),
            "WHOLESCHOOL_HUB_USER_ENV": str(self.user_env),
            "WHOLESCHOOL_HUB_PROXY": str(self.proxy),
            "WHOLESCHOOL_HUB_IDLE_TIMEOUT": str(self.idle_timeout),
            "WHOLESCHOOL_HUB_URL": self.url,
            "WHOLESCHOOL_HUB_HUB_BIND_URL": f"http://127.0.0.1:{self.hub_port}",
            "WHOLESCHOOL_HUB_PROXY_API_URL": f"http://127.0.0.1:{self.api_port}",
            "WHOLESCHOOL_HUB_ADMIN_TOKEN": self.admin_token,
        }
        return {**os.environ, **env, **self.extra_env}


class HubError(RuntimeError):
    """The hub did not start or stop as it should; the message says where its log is."""


class Hub:
    """One JupyterHub process (and what it starts), from ``start()`` to ``stop()``."""

    def __init__(self, settings: HubSettings) -> None:
        self.settings = settings
        self.process: subprocess.Popen | None = None
        self.log_path = settings.state / "jupyterhub.log"
        self._seen: dict[int, float] = {}  # pid -> create time of everything the hub started

    @property
    def url(self) -> str:
        return self.settings.url

    def check(self) -> None:
        """Fail early, with the reason, when the accounts could not run the course."""
        if os.geteuid() != 0:
            raise HubError("the hub creates Unix accounts and must run as root")
        for made in (self.settings.proxy, self.settings.user_env / "bin" / "jupyterhub"):
            if not made.exists():
                raise HubError(f"{made} is missing: run `bash deploy/hub/setup.sh` (or make hub)")
        python = (self.settings.user_env / "bin" / "python").resolve()
        blocked = unreachable(
            [self.settings.root, python, self.settings.user_env, self.settings.home_base]
        )
        if blocked:
            raise HubError(
                "other accounts cannot enter "
                + ", ".join(map(str, blocked))
                + ": put the course checkout where every account can read it (see README.md)"
            )

    def start(self, timeout: float = 90) -> Hub:
        self.check()
        self.settings.state.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The hub's log holds every user's requests: root's alone (0600), and no user's
        # process inherits it (each server writes to a file of its own: hub_guards.py).
        log = os.fdopen(os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        os.fchmod(log.fileno(), 0o600)
        self.process = subprocess.Popen(
            [
                str(self.settings.user_env / "bin" / "jupyterhub"),
                "-f",
                str(self.settings.root / CONFIG.relative_to(ROOT)),
            ],
            cwd=self.settings.state,
            env=self.settings.environ(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"the hub exited ({self.process.returncode}); see {self.log_path}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    self.remember()
                    return self
            time.sleep(0.3)
        self.stop()
        raise HubError(f"the hub did not answer in {timeout:.0f} s; see {self.log_path}")

    def remember(self) -> None:
        """Note every process the hub has started so far (proxy, services, servers, kernels)."""
        if self.process is None:
            return
        with contextlib.suppress(psutil.NoSuchProcess):
            hub = psutil.Process(self.process.pid)
            for proc in [hub, *hub.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    self._seen[proc.pid] = proc.create_time()

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the hub's REST API with the admin token of this run."""
        headers = {"Authorization": f"token {self.settings.admin_token}"}
        response = requests.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kwargs
        )
        response.raise_for_status()
        return response

    def user_token(self, name: str) -> str:
        """A short-lived API token of ``name`` (to reach their server as they would)."""
        body = {"expires_in": 3600, "note": "hubctl", "scopes": [f"access:servers!user={name}"]}
        return self.api("POST", f"/users/{name}/tokens", json=body).json()["token"]

    def stored_passwords(self) -> dict[str, bytes]:
        """User name -> password hash, as NativeAuthenticator stored it in the hub's database
        (read only)."""
        database = self.settings.state / "jupyterhub.sqlite"
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            return dict(db.execute("SELECT username, password FROM users_info"))

    def running(self) -> list[psutil.Process]:
        """Processes this hub started that are still alive (same pid and start time)."""
        alive = []
        for pid, created in self._seen.items():
            with contextlib.suppress(psutil.NoSuchProcess):
                proc = psutil.Process(pid)
                if abs(proc.create_time() - created) < 0.01 and proc.status() != "zombie":
                    alive.append(proc)
        return alive

    def stop(self, timeout: float = 60, grace: float = 10) -> list[str]:
        """Stop the hub (which stops every server and the proxy); end whatever is left.

        Returns a line per process still running ``grace`` seconds after the hub exited
        (should be none).
        """
        if self.process is None:
            return []
        self.remember()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        # A kernel whose server has just gone ends itself a moment later (it watches its
        # parent): only what is still running after a grace period is a stray.
        psutil.wait_procs(self.running(), timeout=grace)
        strays = []
        for proc in self.running():
            with contextlib.suppress(psutil.Error):  # it may exit (or be a zombie) meanwhile
                strays.append(f"{proc.pid} {' '.join(proc.cmdline()[:3])}")
        end(self.running())
        self.process = None
        return strays


def end(processes: list[psutil.Process], grace: float = 5) -> None:
    """SIGTERM these processes, then SIGKILL any still alive after ``grace`` seconds."""
    for proc in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _gone, alive = psutil.wait_procs(processes, timeout=grace)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(alive, timeout=grace)


# --- accounts ---------------------------------------------------------------------------------


class Accounts:
    """Unix accounts a run may create, named with one prefix, in one group.

    ``claim(names)`` refuses names that already exist (never touches another's account) and
    writes them to ``record`` before the hub can create them; ``remove()`` deletes only the
    claimed accounts that exist and belong to ``group``, with their homes, then the group.
    """

    def __init__(self, prefix: str, group: str, record: Path) -> None:
        self.prefix, self.group, self.record = prefix, group, record
        self.claimed: list[str] = []
        self.made_group = False

    def claim(self, names: Iterable[str]) -> list[str]:
        names = list(names)
        for name in names:  # all checked before any is claimed
            if not name.startswith(self.prefix):
                raise ValueError(f"{name!r} does not start with {self.prefix!r}")
            with contextlib.suppress(KeyError):
                pwd.getpwnam(name)
                raise HubError(f"Unix account {name} already exists; it is not ours to use")
        self.claimed.extend(names)
        self.record.parent.mkdir(parents=True, exist_ok=True)
        self.record.write_text("".join(f"{n}\n" for n in self.claimed), encoding="utf-8")
        return list(self.claimed)

    def ensure_group(self) -> None:
        try:
            grp.getgrnam(self.group)
        except KeyError:
            subprocess.run(["groupadd", "--system", self.group], check=True)
            self.made_group = True

    def existing(self) -> list[str]:
        present = []
        for name in self.claimed:
            with contextlib.suppress(KeyError):
                pwd.getpwnam(name)
                present.append(name)
        return present

    def uids(self) -> set[int]:
        return {pwd.getpwnam(name).pw_uid for name in self.existing()}

    def processes(self, zombies: bool = False) -> list[psutil.Process]:
        """Processes of the claimed accounts (exited ones not yet reaped only if ``zombies``)."""
        uids = self.uids()
        found = []
        for proc in psutil.process_iter(["uids", "status"]):
            with contextlib.suppress(psutil.Error):
                ours = proc.info["uids"] and proc.info["uids"].real in uids
                if ours and (zombies or proc.info["status"] != psutil.STATUS_ZOMBIE):
                    found.append(proc)
        return found

    def remove(self) -> list[str]:
        """Delete the claimed accounts (homes included) and the group if this run made it."""
        removed = []
        members = set()
        with contextlib.suppress(KeyError):
            members = set(grp.getgrnam(self.group).gr_mem)
        end(self.processes())
        deadline = time.monotonic() + 15  # exited processes are reaped by init, not at once
        while self.processes(zombies=True) and time.monotonic() < deadline:
            time.sleep(0.2)
        for name in self.existing():
            if name not in members:  # not created by the hub of this run: leave it alone
                continue
            # --force: an exited process init has not reaped yet must not keep the account.
            subprocess.run(["userdel", "--force", "--remove", name], capture_output=True)
            removed.append(name)
        if self.made_group:
            with contextlib.suppress(KeyError):
                if not grp.getgrnam(self.group).gr_mem:
                    subprocess.run(["groupdel", self.group], check=False, capture_output=True)
        with contextlib.suppress(FileNotFoundError):
            self.record.unlink()
        return removed


# --- signing up and logging in ----------------------------------------------------------------


def _xsrf(session: requests.Session, url: str) -> str:
    session.get(url, timeout=30).raise_for_status()
    return session.cookies.get("_xsrf", path="/hub/") or session.cookies.get("_xsrf") or ""


def _submit(session: requests.Session, url: str, fields: dict[str, str]) -> str:
    """Fill in the hub's form at ``url`` (its XSRF token taken from the page); the message the
    page shows after."""
    form = {"_xsrf": _xsrf(session, url), **fields}
    response = session.post(url, data=form, timeout=30)
    response.raise_for_status()
    return _page_message(response.text, "alert")


def sign_up(base: str, name: str, password: str) -> str:
    """Fill in NativeAuthenticator's sign-up form; the message the page shows."""
    fields = {
        "username": name,
        "signup_password": password,
        "signup_password_confirmation": password,
    }
    return _submit(requests.Session(), f"{base}/hub/signup", fields)


def change_password(session: requests.Session, base: str, old: str, new: str) -> str:
    """Fill in NativeAuthenticator's change-password form as the signed-in ``session``; the
    message the page shows."""
    fields = {"old_password": old, "new_password": new, "new_password_confirmation": new}
    return _submit(session, f"{base}/hub/change-password", fields)


def _page_message(page: str, css_class: str) -> str:
    """The text of the first element with ``css_class`` (a sign-up or login message)."""
    from bs4 import BeautifulSoup

    found = BeautifulSoup(page, "html.parser").find(["p", "div"], class_=css_class)
    return " ".join(found.get_text(" ").split()) if found else "no message"


def log_in(base: str, name: str, password: str, timeout: float = 60) -> requests.Session:
    """A session logged in to the hub as ``name``; raises HubError with the hub's reason."""
    session = requests.Session()
    token = _xsrf(session, f"{base}/hub/login")
    response = session.post(
        f"{base}/hub/login?next=/hub/home",
        data={"_xsrf": token, "username": name, "password": password},
        timeout=timeout,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise HubError(f"{name} could not log in: {_page_message(response.text, 'login_error')}")
    return session


def approve(trainer: requests.Session, base: str, name: str) -> None:
    """The trainer approves ``name`` on the authorisation page (its button posts the form,
    with the page's form token)."""
    token = _xsrf(trainer, f"{base}/hub/authorize")
    trainer.post(
        f"{base}/hub/authorize/{name}", data={"_xsrf": token}, timeout=30
    ).raise_for_status()


def prestart(hub: Hub, names: list[str], stop_first: bool = False, timeout: float = 900) -> None:
    """Start these users' servers before a class (what the admin page's "Start All" does)."""
    if stop_first:
        for name in names:
            with contextlib.suppress(requests.HTTPError):
                hub.api("DELETE", f"/users/{name}/server")
        _wait(hub, names, lambda server: not server, timeout)
    from concurrent.futures import ThreadPoolExecutor

    def start(name: str) -> None:
        with contextlib.suppress(requests.HTTPError):  # 400: already running
            hub.api("POST", f"/users/{name}/server")

    with ThreadPoolExecutor(max_workers=16) as pool:  # all at once, as "Start All" does
        list(pool.map(start, names))
    _wait(hub, names, lambda server: bool(server.get("ready")), timeout)
    hub.remember()


def _wait(hub: Hub, names: list[str], done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = set(names)
    while waiting and time.monotonic() < deadline:
        users = {u["name"]: u for u in hub.api("GET", "/users").json()}
        waiting = {n for n in waiting if not done(users[n]["servers"].get("", {}))}
        time.sleep(0.5)
    if waiting:
        raise HubError(f"servers of {sorted(waiting)} not ready in {timeout:.0f} s")


# --- running until stopped -------------------------------------------------------------------

#: In the hub's state folder while ``hubctl`` runs the hub: that process's id and start time.
PID_FILE = "hubctl.pid"
#: What stops a hub hubctl runs: Ctrl-C, ``hubctl stop`` or ``kill`` (SIGTERM), and its
#: terminal closing (SIGHUP).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopping(Exception):
    """A stop signal arrived: the hub is to be stopped with everything it started."""


def _stopping(signum: int, _frame: object) -> None:
    raise Stopping(signal.Signals(signum).name)


def serve(hub: Hub, ready: Callable[[Hub], None] = lambda hub: None) -> list[str]:
    """Start ``hub``, run ``ready`` once it answers, and keep it running until a stop signal
    (or until it exits by itself); then stop it, which stops the proxy and every server
    (JupyterHub's ``cleanup_servers`` and ``cleanup_proxy``), and end anything left.

    Returns a line per process that had to be ended after the hub stopped (should be none).
    """
    state = hub.settings.state
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    if serving(state) or left_running(state):
        raise HubError(f"a hub is running from {state} already; `hubctl stop` stops it")
    previous = {sig: signal.signal(sig, _stopping) for sig in STOP_SIGNALS}
    pid_file = state / PID_FILE
    try:
        me = psutil.Process()
        with os.fdopen(os.open(pid_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            json.dump({"pid": me.pid, "started": me.create_time()}, f)
        hub.start()
        ready(hub)
        while hub.process is not None and hub.process.poll() is None:
            time.sleep(1)
    except Stopping:
        pass
    finally:
        for sig in STOP_SIGNALS:  # a second signal must not cut the stopping short
            signal.signal(sig, signal.SIG_IGN)
        try:
            strays = hub.stop()
        finally:
            pid_file.unlink(missing_ok=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    return strays


def serving(state: Path) -> psutil.Process | None:
    """The ``hubctl`` process running the hub of ``state`` (by its pid file), if any."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, psutil.Error):
        record = json.loads((state / PID_FILE).read_text(encoding="utf-8"))
        proc = psutil.Process(int(record["pid"]))
        same = abs(proc.create_time() - float(record["started"])) < 0.01
        if same and proc.status() != psutil.STATUS_ZOMBIE:
            return proc
    return None


def left_running(state: Path) -> psutil.Process | None:
    """A JupyterHub of ``state`` still running without its hubctl (hubctl was killed): by
    JupyterHub's own pid file, and only if that process runs in ``state``."""
    with contextlib.suppress(OSError, ValueError, psutil.Error):
        proc = psutil.Process(int((state / "jupyterhub.pid").read_text(encoding="ascii")))
        started_here = Path(proc.cwd()) == state.resolve()
        if started_here and proc.status() != psutil.STATUS_ZOMBIE:
            return proc
    return None


def stop_running(state: Path, timeout: float = 120, grace: float = 10) -> str:
    """Stop the hub run from ``state``: its ``hubctl`` is sent SIGTERM (it stops the hub, the
    proxy and every server) and waited for; a hub left running by a hubctl that was killed is
    stopped directly, and whatever it started is ended. One line saying what was done."""
    runner = serving(state)
    if runner is not None:
        runner.terminate()
        if not gone(runner, timeout):
            raise HubError(f"hubctl (process {runner.pid}) did not stop in {timeout:.0f} s")
        return "hub stopped"
    (state / PID_FILE).unlink(missing_ok=True)  # its hubctl was killed, if there was one
    hub = left_running(state)
    if hub is None:
        return f"no hub is running from {state}"
    started = hub.children(recursive=True)
    hub.terminate()
    if not gone(hub, timeout):
        hub.kill()
    _gone, left = psutil.wait_procs(started, timeout=grace)
    left = [p for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    end(left)
    return "hub stopped" + (f"; ended {len(left)} leftover processes" if left else "")


def gone(proc: psutil.Process, timeout: float) -> bool:
    """Wait until ``proc`` has exited (an exited process its parent has not reaped yet counts:
    hubctl's parent is another program); False if it still runs after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(psutil.NoSuchProcess):
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                time.sleep(0.2)
                continue
        return True
    return False


def say(text: str) -> None:
    """Print ``text`` if the terminal is still there (after SIGHUP it is not)."""
    with contextlib.suppress(OSError):
        print(text, flush=True)


# --- make hub ---------------------------------------------------------------------------------

DEMO_PASSWORD = "wholeschool-demo-2026"
DEMO_PREFIX = "wsdemo-"
#: The demo's folder (``make hub``): hub state, homes, exchange.
DEMO_STATE = ROOT / "_build" / "hub-demo"


def demo(port: int) -> None:
    """Start the hub with a trainer and three leads; stop it (and their servers) on Ctrl-C,
    ``hubctl stop``, SIGTERM or the terminal closing."""
    trainer, leads = f"{DEMO_PREFIX}trainer", [f"{DEMO_PREFIX}lead{i}" for i in (1, 2, 3)]
    settings = HubSettings(
        state=DEMO_STATE / "hub",
        home_base=DEMO_STATE / "home",
        exchange=DEMO_STATE / "exchange",
        group="wsdemo-users",
        trainers=[trainer],
        port=port,
    )
    settings.home_base.mkdir(parents=True, exist_ok=True)
    settings.home_base.chmod(0o755)

    def sign_up_everyone(hub: Hub) -> None:
        for name in [trainer, *leads]:
            sign_up(hub.url, name, DEMO_PASSWORD)
        admin = log_in(hub.url, trainer, DEMO_PASSWORD)
        for lead in leads:
            try:
                log_in(hub.url, lead, DEMO_PASSWORD)
            except HubError:
                approve(admin, hub.url, lead)
        say(f"\nThe course hub is at {hub.url}/ (only on this machine).")
        say(f"  trainer: {trainer}   leads: {', '.join(leads)}   password: {DEMO_PASSWORD}")
        say(f"  hub log: {hub.log_path}")
        say("  The Unix accounts stay for next time; remove them with")
        say("  `.venv/bin/python deploy/hub/hubctl.py remove-demo`.")
        say("  Ctrl-C here (or `.venv/bin/python deploy/hub/hubctl.py stop`) stops the hub.\n")

    strays = serve(Hub(settings), sign_up_everyone)
    say("hub stopped" + (f"; ended {len(strays)} leftover processes" if strays else ""))


def remove_demo() -> None:
    """Remove the demo's Unix accounts (and only them) and its state."""
    if serving(DEMO_STATE / "hub") or left_running(DEMO_STATE / "hub"):
        raise HubError("the demo hub is running: stop it first (`hubctl.py stop`)")
    accounts = Accounts(DEMO_PREFIX, "wsdemo-users", DEMO_STATE / "accounts.txt")
    accounts.claimed = [p.pw_name for p in pwd.getpwall() if p.pw_name.startswith(DEMO_PREFIX)]
    accounts.made_group = True
    print("removed:", ", ".join(accounts.remove()) or "nothing")
    shutil.rmtree(DEMO_STATE, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    """Start a hub with the folders given and keep it running until it is stopped."""
    settings = HubSettings(
        state=args.state,
        home_base=args.home_base,
        exchange=args.exchange,
        group=args.group,
        trainers=args.trainer,
        port=args.port,
        root=args.root,
        # Never on the command line (every account can read that): from the environment.
        admin_token=os.environ.get("WHOLESCHOOL_HUB_ADMIN_TOKEN") or secrets.token_hex(32),
    )
    strays = serve(
        Hub(settings), lambda hub: say(f"The course hub is at {hub.url}/ ; log: {hub.log_path}")
    )
    say("hub stopped" + (f"; ended {len(strays)} leftover processes" if strays else ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo_cmd = sub.add_parser("demo", help="start the hub with demo accounts on 127.0.0.1")
    demo_cmd.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    sub.add_parser("remove-demo", help="remove the demo accounts and the demo's state")
    stop_cmd = sub.add_parser("stop", help="stop the hub started from this checkout")
    stop_cmd.add_argument(
        "--state", type=Path, default=DEMO_STATE / "hub", help="the hub's own folder"
    )
    run_cmd = sub.add_parser(
        "run", help="start a hub keeping its state, homes and exchange in the folders given"
    )
    run_cmd.add_argument("--state", type=Path, required=True, help="the hub's own folder")
    run_cmd.add_argument("--home-base", type=Path, required=True, help="where homes are made")
    run_cmd.add_argument("--exchange", type=Path, required=True, help="nbgrader's exchange")
    run_cmd.add_argument("--group", required=True, help="the Unix group of the hub's accounts")
    run_cmd.add_argument("--trainer", action="append", required=True, help="a trainer's name")
    run_cmd.add_argument("--port", type=int, default=0, help="the hub's port (0: any free)")
    run_cmd.add_argument("--root", type=Path, default=ROOT, help="the course checkout")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            demo(args.port)
        elif args.command == "run":
            run(args)
        elif args.command == "stop":
            print(stop_running(args.state))
        else:
            remove_demo()
    except HubError as error:
        sys.exit(f"hub: {error}")


if __name__ == "__main__":
    main()
