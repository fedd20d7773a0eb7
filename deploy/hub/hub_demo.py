"""``make hub``: the hub on 127.0.0.1 with a trainer and three leads signed up, and removing
the demo's accounts afterwards."""

from __future__ import annotations

import pwd
import shutil

from hub_accounts import Accounts
from hub_pages import approve, log_in, sign_up
from hub_process import Hub
from hub_running import left_running, say, serve, serving
from hub_settings import ROOT, HubError, HubSettings

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
