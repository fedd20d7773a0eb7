"""Each user's Jupyter server on the course hub (``CourseSpawner``): before it starts, a private
home with the course apps, the trainer's own copy of the nbgrader course, the role's settings
and a port of the hub's own range.

The guards it inherits (own output file, no handle of the hub's, limits) are in
``hub_guards.GuardedSpawner``. Importing this module changes nothing.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import random
import shutil
import signal
import socket
import sys
import time
from pathlib import Path
from typing import ClassVar

from course_accounts import group_exists, in_group
from course_hub import HERE, CourseHub
from hub_guards import GuardedSpawner, check_exchange_course, squatters
from traitlets import Instance, default

#: What of the course's nbgrader folder the trainer's copy leaves out (work, grades, logs).
NOT_COPIED = (
    "release",
    "submitted",
    "autograded",
    "feedback",
    "reports",
    "replaced",
    "gradebook.db",
    ".nbgrader.log",
    "__pycache__",
    ".ipynb_checkpoints",
)
#: Jupyter settings for every account (``JUPYTER_CONFIG_PATH``), and the modules they import.
USER_CONFIG = HERE / "user-config"
#: A lead's JupyterLab without the trainer's panels, before ``USER_CONFIG``.
LEAD_CONFIG = HERE / "lead-config"
#: The Voila template for the apps; for the trainer, the sandboxed kernel first.
JUPYTER_DATA = HERE / "jupyter-data"
TRAINER_DATA = HERE / "trainer-data"
#: Where a lead lands, and where a trainer does.
LEAD_URL = "/voila/render/course-apps/index.ipynb"
TRAINER_URL = "/lab"


def free_server_port(ports: range, taken: set[int]) -> int | None:
    """A port of ``ports`` nobody listens on and not in ``taken``, or None."""
    for port in random.sample(ports, k=min(200, len(ports))):
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    return None


def end_squatters(ports: range, group: str, given: set[int]) -> None:
    """End the processes of hub accounts listening on ``ports`` other than their own
    server's: the range is the hub's, and one lead holding it stopped every other server
    from starting."""
    members = set(grp.getgrnam(group).gr_mem) if group_exists(group) else set()
    users = {p.pw_uid for p in pwd.getpwall() if p.pw_name in members and p.pw_uid >= 1000}
    for pid, held in squatters(ports, users, given).items():
        print(f"ending process {pid}: it held {len(held)} of the servers' ports", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def copy_course(source: Path, dest: Path, uid: int, gid: int) -> None:
    """The trainer's own copy of the nbgrader course at ``dest``, theirs; never overwritten."""
    if dest.exists():
        return
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*NOT_COPIED))
    for folder, _dirs, files in os.walk(dest):
        os.chown(folder, uid, gid)
        for file in files:
            os.chown(os.path.join(folder, file), uid, gid)


class CourseSpawner(GuardedSpawner):
    """The guarded local spawner, preparing each account before its server starts."""

    course = Instance(CourseHub, help="The course hub's shared settings.")

    #: The port each user's server was last given (never given to two servers at once).
    given_ports: ClassVar[dict[str, int]] = {}

    @default("course")
    def _course(self) -> CourseHub:
        return CourseHub(parent=self)

    @default("cmd")
    def _cmd(self) -> list[str]:
        return [str(Path(self.course.user_env) / "bin" / "jupyterhub-singleuser")]

    @default("environment")
    def _environment(self) -> dict[str, str]:
        """Every user's server: the users' environment, the course's Jupyter settings (and
        the modules beside them), nbgrader's exchange and course id, the kernels' settings."""
        return {
            "PATH": f"{Path(self.course.user_env) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "PYTHONPATH": str(USER_CONFIG),
            "JUPYTER_CONFIG_PATH": str(USER_CONFIG),
            "JUPYTER_PATH": str(JUPYTER_DATA),
            "WHOLESCHOOL_EXCHANGE": self.course.exchange,
            "WHOLESCHOOL_COURSE_ID": self.course.course_id,
            # Kernels kept warm per lead for the app pages (user-config/warm_kernels.py).
            "WHOLESCHOOL_HUB_WARM_KERNELS": str(self.course.warm_kernels),
            # Seconds before a kernel nobody is connected to is shut down (user-config).
            "WHOLESCHOOL_HUB_KERNEL_CULL": str(self.course.kernel_cull),
        }

    def is_trainer(self) -> bool:
        """Listed in ``CourseHub.trainers`` or made a hub admin (by a trainer, or by an LMS
        launch as the course's teacher: lti_signin.py)."""
        return self.course.is_trainer(self.user.name) or bool(self.user.admin)

    def run_pre_spawn_hook(self):
        """Prepare the account, then run the site's own ``pre_spawn_hook`` if it has one."""
        self.prepare_account()
        return super().run_pre_spawn_hook()

    def prepare_account(self) -> None:
        """Before a server starts: a private home, the course apps, and the trainer's course."""
        name = self.user.name
        account = pwd.getpwnam(name)
        if account.pw_uid < 1000 or not in_group(name, self.course.group):
            raise ValueError(f"{name} is not an account of this hub")
        home = Path(account.pw_dir)
        home.chmod(0o700)  # whatever the system default, nobody else reads a lead's files
        links = {"course-apps": HERE / "apps", "course": Path(self.course.course_root) / "course"}
        for link, target in links.items():
            path = home / link
            if not path.is_symlink() and not path.exists():
                path.symlink_to(target)
                os.lchown(path, account.pw_uid, account.pw_gid)
        trainer = self.is_trainer()
        if trainer:
            source = Path(self.course.course_root) / "assessments"
            copy_course(source, home / "assessments", account.pw_uid, account.pw_gid)
        # Nobody's server starts while the exchange's course folder is not the trainer's: a
        # lead who took it would receive the others' submissions and hand out assignments.
        check_exchange_course(
            Path(self.course.exchange), self.course.course_id, set(self.course.trainers)
        )
        self.environment["WHOLESCHOOL_HUB_ROLE"] = "trainer" if trainer else "lead"
        if trainer:  # the trainer's Python kernels run in a sandbox (sandbox_kernel.py)
            self.environment["JUPYTER_PATH"] = os.pathsep.join(
                [str(TRAINER_DATA), str(JUPYTER_DATA)]
            )
        else:  # a lead's JupyterLab without the trainer's panels (lead-config/labconfig)
            self.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
                [str(LEAD_CONFIG), str(USER_CONFIG)]
            )
        self.port = self.server_port()
        self.default_url = TRAINER_URL if trainer else LEAD_URL

    def server_port(self) -> int:
        """A free port of the hub's range for this user's server, not given to another server
        (a user's processes squatting on the range are ended first if none is free)."""
        ports, name = self.course.port_range, self.user.name
        taken = {port for user, port in self.given_ports.items() if user != name}
        port = free_server_port(ports, taken)
        if port is None:
            end_squatters(ports, self.course.group, set(self.given_ports.values()))
            time.sleep(0.5)  # the kernel frees the ports of the ended processes
            port = free_server_port(ports, taken)
        if port is None:
            raise RuntimeError(f"no free port for a server in {ports.start}-{ports[-1]}")
        self.given_ports[name] = port
        return port
