"""Stopping the course hub leaves nothing running, however it is stopped.

``hubctl run`` starts the real hub in a process of its own (as ``make hub`` does); two people
sign in and their servers start; then the hub is stopped by ``hubctl stop``, by SIGTERM to
hubctl, by closing the terminal hubctl runs in (SIGHUP), or by ``hubctl stop`` after hubctl
itself was killed (it stops the hub left running). Afterwards the process table holds
no process of the hub, the proxy, either server or the two accounts, and no process listens on
a port any of them listened on.

Needs root (it creates Unix accounts); each case starts a hub of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import hub_pages
import hub_process
import hub_running
import psutil
import pytest
from hub_support import Person, claim_accounts, scratch_hub, start_hubctl, wait_for_server

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(os.geteuid() != 0, reason="the hub creates Unix accounts: run as root"),
]

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "wshtest-"
GROUP = "wshtest-stop"
TRAINER = Person(f"{PREFIX}stoptrainer", "trainer-passphrase-9")
LEAD = Person(f"{PREFIX}stoplead", "lead-passphrase-9x")


def alive(seen: dict[int, float]) -> list[str]:
    """Processes of ``seen`` (pid -> start time) still running: one line each."""
    left = []
    for pid, created in seen.items():
        proc = hub_process.same_process(pid, created)
        with contextlib.suppress(psutil.NoSuchProcess):
            if proc is not None:
                left.append(f"{pid} {' '.join(proc.cmdline()[:3])}")
    return left


def listening(ports: set[int]) -> list[str]:
    """Sockets listening on any of ``ports`` now, with the process holding each."""
    return [
        f"{c.laddr.ip}:{c.laddr.port} (pid {c.pid})"
        for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port in ports
    ]


def the_hubs_processes(state: Path) -> list[psutil.Process]:
    """JupyterHub (from its pid file) and everything it started, as the process table says."""
    hub = psutil.Process(int((state / "jupyterhub.pid").read_text()))
    return [hub, *hub.children(recursive=True)]


@pytest.mark.parametrize(
    "how", ["hubctl stop", "SIGTERM", "closed terminal", "hubctl stop after hubctl was killed"]
)
def test_the_hub_stops_leaving_no_process_and_no_port_held(how: str):
    work, settings = scratch_hub(
        "wholeschool-hub-stop-",
        GROUP,
        [TRAINER.name],
        {"WHOLESCHOOL_HUB_PASSWORD_COST": "10"},
    )
    accounts = claim_accounts(work, PREFIX, GROUP, [TRAINER.name, LEAD.name])
    run = start_hubctl(settings, work / "hubctl.out", terminal=how == "closed terminal")
    seen: dict[int, float] = {}
    try:
        run.wait_until_answering()
        hub = run.hub
        hub_pages.sign_up(hub.url, TRAINER.name, TRAINER.password)
        trainer = hub_pages.log_in(hub.url, TRAINER.name, TRAINER.password)
        hub_pages.sign_up(hub.url, LEAD.name, LEAD.password)
        hub_pages.approve(trainer, hub.url, LEAD.name)
        hub_pages.log_in(hub.url, LEAD.name, LEAD.password)  # makes the Unix account
        for person in (TRAINER, LEAD):
            wait_for_server(hub, person.name)

        found = the_hubs_processes(settings.state) + accounts.processes()
        procs = list({p.pid: p for p in found}.values())
        seen = {p.pid: p.create_time() for p in procs}
        lines = [" ".join(p.cmdline()) for p in procs]
        assert sum("configurable-http-proxy" in line for line in lines) == 1, lines
        assert sum("jupyterhub-singleuser" in line for line in lines) == 2, lines
        ports = {
            c.laddr.port
            for p in procs
            for c in p.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        }
        assert settings.port in ports and len(ports) >= 5, ports  # hub, proxy (2), servers

        if how.startswith("hubctl stop"):
            if how.endswith("killed"):  # the hub runs on without it (a session of its own)
                run.process.kill()
                run.process.wait(timeout=30)
                assert alive(seen) and listening(ports)
            stopped = subprocess.run(
                [sys.executable, str(ROOT / "deploy/hub/hubctl.py"), "stop"]
                + [f"--state={settings.state}"],
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        elif how == "SIGTERM":
            run.process.send_signal(signal.SIGTERM)
        else:
            os.close(run.terminal)  # the terminal window closes: SIGHUP
            run.terminal = None
        run.process.wait(timeout=180)

        assert alive(seen) == [], f"still running after {how}"
        assert accounts.processes() == []
        assert listening(ports) == []
        assert not (settings.state / hub_running.PID_FILE).exists()
    finally:  # whatever happened, nothing of this run stays
        leftover = []
        for pid, created in seen.items():
            with contextlib.suppress(psutil.NoSuchProcess):
                proc = psutil.Process(pid)
                if abs(proc.create_time() - created) < 0.01:
                    leftover.append(proc)
        with contextlib.suppress(OSError, ValueError, psutil.Error):
            leftover += the_hubs_processes(settings.state)
        hub_process.end(leftover)  # SIGTERM first: the hub gets to stop its servers itself
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            run.process.kill()
            run.process.wait(timeout=30)
        if run.terminal is not None:
            os.close(run.terminal)
        accounts.remove()
        shutil.rmtree(work, ignore_errors=True)
