"""One JupyterHub process on 127.0.0.1, from ``start()`` to ``stop()``, and what it started.

JupyterHub, configurable-http-proxy and one Jupyter server per Unix account run as real
processes; stopping the hub stops the proxy and every server (JupyterHub's
``cleanup_servers`` and ``cleanup_proxy``), and anything still running after a grace period
is ended.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time

import psutil
import requests
from hub_settings import CONFIG, ROOT, HubError, HubSettings, unreachable


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
        alive = (same_process(pid, created) for pid, created in self._seen.items())
        return [proc for proc in alive if proc is not None]

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


def same_process(pid: int, started: float) -> psutil.Process | None:
    """Process ``pid`` if it is still the one that started at ``started`` (a pid is reused
    once its process has ended) and has not exited; else None."""
    with contextlib.suppress(psutil.NoSuchProcess):
        proc = psutil.Process(pid)
        if abs(proc.create_time() - started) < 0.01 and proc.status() != psutil.STATUS_ZOMBIE:
            return proc
    return None


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
