"""The course hub's guards: what keeps each role in its room (see SECURITY.md beside this file).

Imported by the hub's classes (``course_accounts.py``, ``course_servers.py``); nothing here runs
at import time.

* :class:`LoginThrottle`: failed logins counted per name *and* address, and per address, each
  attempt counted when it starts (guesses sent at once are refused before any is checked);
  a name is held back only for the address that guessed, so nobody can lock the trainer out.
* :class:`GuardedSpawner`: each user's server writes its output to a file only that user can
  read (never the hub's log), starts with no handle of the hub's, and with per-process limits.
* :func:`ensure_exchange_course` / :func:`check_exchange_course`: the course's folder in
  nbgrader's exchange belongs to the trainer from the hub's start; a server does not start if
  it does not.
* :func:`approval_handlers`: approving or discarding a sign-up only by POST (form token).
"""

from __future__ import annotations

import os
import pwd
import resource
import stat
import subprocess
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Integer, Unicode

# --- logins -----------------------------------------------------------------------------------


@dataclass
class LoginThrottle:
    """Failed (and in-flight) logins in a sliding window of ``window`` seconds.

    An attempt is refused before its password is checked when its name has had ``per_name``
    failures from the same address, or its address ``per_address`` failures over all names.
    Counting per name *and* address means a guesser holds back only their own address: the
    trainer, signing in from elsewhere, is never locked out by someone else's guesses.
    """

    per_name: int = 5
    per_address: int = 30
    window: float = 300.0
    clock: object = time.monotonic
    _pairs: dict[tuple[str, str], deque] = field(default_factory=dict)
    _addresses: dict[str, deque] = field(default_factory=dict)

    def _recent(self, table: dict, key) -> deque:
        times = table.setdefault(key, deque())
        cutoff = self.clock() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        return times

    def _forget_old(self) -> None:
        """Drop names and addresses with no attempt left in the window (bounded memory when
        someone tries thousands of names)."""
        for table in (self._pairs, self._addresses):
            for key in [key for key, times in table.items() if not self._recent(table, key)]:
                del table[key]

    def begin(self, name: str, address: str) -> float | None:
        """Count an attempt now; its ticket, or None when it must be refused unchecked."""
        if len(self._pairs) > 10_000:
            self._forget_old()
        pair, by_address = (
            self._recent(self._pairs, (name, address)),
            self._recent(self._addresses, address),
        )
        if len(pair) >= self.per_name or len(by_address) >= self.per_address:
            return None
        ticket = self.clock()
        pair.append(ticket)
        by_address.append(ticket)
        return ticket

    def succeeded(self, name: str, address: str, ticket: float) -> None:
        """A right password: this name's failures from this address are forgotten."""
        self._pairs.pop((name, address), None)
        by_address = self._addresses.get(address)
        if by_address and ticket in by_address:
            by_address.remove(ticket)


# --- users' servers ---------------------------------------------------------------------------

#: Where each user's server writes its output, in their own (0700) home.
SERVER_LOG = ".jupyter-server.log"


def limit_resources(open_files: int, processes: int, memory_bytes: int) -> None:
    """Per-process limits for what a user's server starts (set as the user, before exec)."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def output_to_own_file(home: str) -> None:
    """Send this process's stdout and stderr to ``~/.jupyter-server.log``, opened as the user
    (already switched to), never following a link the user may have put there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW
    fd = os.open(os.path.join(home, SERVER_LOG), flags, 0o600)
    os.fchmod(fd, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


class GuardedSpawner(LocalProcessSpawner):
    """JupyterHub's local spawner, with each server's output in a file of the user's own
    (the hub's log is never handed to a user's process), stdin closed, and limits."""

    open_files = Integer(4096, config=True, help="Open files per process of a user.")
    processes = Integer(
        512, config=True, help="Processes and threads of a user, all together (RLIMIT_NPROC)."
    )
    memory_per_process = Integer(
        4 * 1024**3, config=True, help="Address space per process of a user, bytes (0: none)."
    )
    server_log = Unicode(SERVER_LOG, config=True, help="Server output, in the user's home.")

    def make_preexec_fn(self, name: str):
        become_user = set_user_setuid(name)
        home = pwd.getpwnam(name).pw_dir
        limits = (self.open_files, self.processes, self.memory_per_process)

        def preexec() -> None:
            become_user()
            output_to_own_file(home)
            limit_resources(*limits)

        return preexec

    async def start(self):
        # Nothing of the hub's reaches the server: no stdin, no inherited descriptors
        # (Popen closes all but 0-2; 1 and 2 are replaced in preexec).
        self.popen_kwargs = {**self.popen_kwargs, "stdin": subprocess.DEVNULL, "close_fds": True}
        return await super().start()


# --- servers' ports ---------------------------------------------------------------------------


def listening_sockets(ports: range) -> dict[int, tuple[int, int]]:
    """Socket inode -> (port, uid) of every TCP socket listening on one of ``ports``."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[3] == "0A" and port in ports:  # 0A: LISTEN
                found[int(fields[9])] = (port, int(fields[7]))
    return found


def squatters(ports: range, users: set[int], spared: set[int]) -> dict[int, list[int]]:
    """Processes of ``users`` (uids) listening on ``ports`` other than ``spared`` (the ports
    the hub gave to servers): pid -> ports held."""
    sockets = {
        inode: port
        for inode, (port, uid) in listening_sockets(ports).items()
        if uid in users and port not in spared
    }
    held: dict[int, list[int]] = {}
    if not sockets:
        return held
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    port = sockets.get(int(target[8:-1]))
                    if port is not None:
                        held.setdefault(int(entry.name), []).append(port)
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return held


# --- nbgrader's exchange ----------------------------------------------------------------------


class ExchangeError(RuntimeError):
    """The exchange's course folder is not the trainer's: no server starts until it is."""


def ensure_exchange_course(exchange: Path, course_id: str, owner: str) -> Path:
    """The exchange (1777) and its course folder (0755, ``owner``'s), made if missing."""
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o1777)
    folder = exchange / course_id
    account = pwd.getpwnam(owner)
    try:
        folder.mkdir(mode=0o755)
    except FileExistsError:
        return folder
    os.chown(folder, account.pw_uid, account.pw_gid)
    folder.chmod(0o755)
    return folder


def check_exchange_course(exchange: Path, course_id: str, owners: set[str]) -> None:
    """Raise :class:`ExchangeError` unless the course folder is a real folder, owned by one
    of ``owners`` and writable by nobody else."""
    folder = exchange / course_id
    try:
        info = folder.lstat()
    except FileNotFoundError:
        raise ExchangeError(f"the exchange folder {folder} is missing") from None
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    if not stat.S_ISDIR(info.st_mode) or owner not in owners or info.st_mode & 0o022:
        raise ExchangeError(
            f"the exchange folder {folder} belongs to {owner}, not the trainer: move it away "
            "and restart the hub"
        )


# --- approving sign-ups -----------------------------------------------------------------------


def approval_handlers():
    """NativeAuthenticator's authorize and discard pages, answering POST only (JupyterHub
    checks the form's token on every POST); a GET link changes nothing (405)."""
    from nativeauthenticator.handlers import (
        DiscardHandler,
        LocalBase,
        ToggleAuthorizationHandler,
    )

    class ToggleAuthorization(LocalBase):
        post = ToggleAuthorizationHandler.get

    class Discard(LocalBase):
        post = DiscardHandler.get

    return {r"/authorize/([^/]*)": ToggleAuthorization, r"/discard/([^/]*)": Discard}
