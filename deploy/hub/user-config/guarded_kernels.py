"""Who gets into a user's server and what it may run: its own user only, Voila renders only the
course apps, and no kernel starts for a lead's submitted work in the trainer's server (found via JUPYTER_CONFIG_PATH, see
jupyter_server_config.py).

A lead's notebook run as the trainer could read every lead's work and the gradebook; the course
apps are the only notebooks a server renders in Voila, and nbgrader's copies of leads' work
(``submitted``, ``autograded``, ``replaced``, ``feedback`` in ``~/assessments``) open without a
kernel.
"""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web

#: The course apps, as installed with the hub (``~/course-apps`` links here).
APPS = (Path(__file__).resolve().parent.parent / "apps").resolve()
#: Folders of the trainer's nbgrader course that hold leads' work.
LEADS_WORK = ("submitted", "autograded", "replaced", "feedback")


def owner_only() -> None:
    """Let only this server's own user in (``$JUPYTERHUB_USER``): JupyterHub lets an admin
    into every server; here the identity check refuses any other user (services such as the
    hub's own checks are unaffected)."""
    from jupyterhub.services.auth import HubAuth

    owner = os.environ.get("JUPYTERHUB_USER")
    check_scopes = HubAuth.check_scopes
    if not owner or getattr(check_scopes, "owner_only", False):
        return

    def checked(self, required_scopes, user):
        if user.get("kind", "user") == "user" and user.get("name") != owner:
            return set()
        return check_scopes(self, required_scopes, user)

    checked.owner_only = True
    HubAuth.check_scopes = checked


def only_course_apps(handler, notebook, cwd: str):
    """Voila's prelaunch hook: refuse (403) any notebook outside the course apps."""
    root = handler.settings.get("server_root_dir") or os.path.expanduser("~")
    folder = Path(root, cwd).resolve()
    if folder != APPS:
        raise web.HTTPError(403, "Only the course apps open here.")
    return None


def holds_leads_work(root: str, path: str | None) -> bool:
    """True if ``path`` (relative to the server's root) is in a folder of leads' work."""
    if not path:
        return False
    folder = Path(root, path).resolve()
    course = Path(root, "assessments").resolve()
    return any(folder.is_relative_to(course / part) for part in LEADS_WORK)


class GuardedKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager, refusing to start a kernel beside a lead's submitted work."""

    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs) -> str:
        if kernel_id is None and holds_leads_work(self.root_dir, path):
            raise web.HTTPError(
                403, "A lead's work opens without a kernel here: grade it with nbgrader."
            )
        return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
