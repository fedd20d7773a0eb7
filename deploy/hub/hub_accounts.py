"""Unix accounts a hub run may create, and removing exactly those afterwards.

The hub creates a Unix account (in one group) for each approved user on first login.
``Accounts`` remembers which names did not exist before, and removes only those, only while
they are still members of that group. Its record names the process that claimed them, so a
run killed before its clean-up leaves a record the next run can act on (``left_behind``).
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
from hub_process import end, same_process
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

    @classmethod
    def left_behind(cls, record: Path) -> Accounts | None:
        """The accounts claimed in ``record`` by a process that has ended without removing
        them; None while that process runs, or if the record does not say who claimed them."""
        try:
            lines = record.read_text(encoding="utf-8").splitlines()
            _, owner, pid, started = lines[0].split()
            _, group_word, group, made = lines[1].split()
            prefix = lines[2].split()[2]
        except (OSError, ValueError, IndexError):
            return None
        if (owner, group_word) != ("owner", "group"):
            return None
        try:
            if same_process(int(pid), float(started)) is not None:
                return None  # that run is still going: its accounts are its own
        except psutil.Error:  # cannot tell: leave them alone
            return None
        accounts = cls(prefix, group, record)
        accounts.claimed = [n for n in lines[3:] if n.startswith(prefix)]
        accounts.made_group = made == "made"
        return accounts

    def claim(self, names: Iterable[str]) -> list[str]:
        names = list(names)
        for name in names:  # all checked before any is claimed
            if not name.startswith(self.prefix):
                raise ValueError(f"{name!r} does not start with {self.prefix!r}")
            with contextlib.suppress(KeyError):
                pwd.getpwnam(name)
                raise HubError(f"Unix account {name} already exists; it is not ours to use")
        self.claimed.extend(names)
        self._write_record()
        return list(self.claimed)

    def ensure_group(self) -> None:
        try:
            grp.getgrnam(self.group)
        except KeyError:
            self.made_group = True  # recorded first: a run killed next must still remove it
            self._write_record()
            subprocess.run(["groupadd", "--system", self.group], check=True)

    def _write_record(self) -> None:
        """Who claims (this process), the group, the prefix, then one claimed name a line."""
        me = psutil.Process()
        made = "made" if self.made_group else "found"
        head = [
            f"# owner {me.pid} {me.create_time()!r}",
            f"# group {self.group} {made}",
            f"# prefix {self.prefix}",
        ]
        self.record.parent.mkdir(parents=True, exist_ok=True)
        self.record.write_text(
            "".join(f"{line}\n" for line in head + self.claimed), encoding="utf-8"
        )

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


def remove_left_behind(records: Iterable[Path]) -> list[str]:
    """Remove the accounts (and group) of every ended run in ``records`` that did not remove
    them itself (killed, or the machine stopped); the names removed."""
    removed = []
    for record in records:
        accounts = Accounts.left_behind(record)
        if accounts is not None:
            removed += accounts.remove()
    return removed
