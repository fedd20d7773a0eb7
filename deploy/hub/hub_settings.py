"""Where the course hub's parts, state and people live, and the ports it listens on.

``setup.sh`` makes the hub's parts under the checkout's own ``.venv`` (``built_for``);
``HubSettings`` is one hub's folders, group, trainers and ports, handed to
``jupyterhub_config.py`` as ``WHOLESCHOOL_HUB_*`` settings (with this folder as the hub's
``PYTHONPATH``: the config's classes are the modules beside it).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CONFIG = HERE / "jupyterhub_config.py"


class HubError(RuntimeError):
    """The hub did not start or stop as it should; the message says where its log is."""


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
            # The config file's classes are modules beside it (course_hub.py, ...).
            "PYTHONPATH": str(self.root / HERE.relative_to(ROOT)),
        }
        return {**os.environ, **env, **self.extra_env}
