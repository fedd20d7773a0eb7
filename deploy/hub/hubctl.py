"""Start the course hub on 127.0.0.1, stop it, and remove the demo's accounts.

``make hub`` runs ``hubctl.py demo``; ``hubctl.py stop`` stops the hub started from this
checkout (or from ``--state``); ``hubctl.py run`` starts a hub keeping everything in the
folders given (the hub tests use it). Only loopback addresses are used. The work is done by
``hub_settings`` (where things live), ``hub_process`` (one JupyterHub process),
``hub_running`` (running until stopped), ``hub_accounts`` (Unix accounts of a run),
``hub_pages`` (signing people up) and ``hub_demo`` (``make hub``).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from hub_demo import DEMO_STATE, demo, remove_demo
from hub_process import Hub
from hub_running import say, serve, stop_running
from hub_settings import ROOT, HubError, HubSettings


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
