"""Keep a hub running until it is told to stop, and stop the one run from a state folder.

``serve`` starts the hub and stops it — the proxy and every server with it — on Ctrl-C,
SIGTERM, SIGHUP (its terminal closed) or ``hubctl stop``; it names itself in the state folder
(``hubctl.pid``) so that ``stop_running`` finds it. A hub whose hubctl was killed is found by
JupyterHub's own pid file and stopped directly.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from hub_process import Hub, end, same_process
from hub_settings import HubError

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
        return same_process(int(record["pid"]), float(record["started"]))
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
