"""Unix accounts a hub run may create, and removing exactly those afterwards.

The hub creates a Unix account (in one group) for each approved user on first login.
``Accounts`` remembers which names did not exist before, and removes only those, only while
they are still members of that group.
"""

from __future__ import annotations

import contextlib
import grp
import pwd
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

import psutil
from hub_process import end
from hub_settings import HubError


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
