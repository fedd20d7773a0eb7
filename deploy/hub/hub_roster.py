"""Every approved lead on the trainer's cohort page, from the day their account is approved.

A trainer's server cannot list the hub's users (and a lead's must never), so the hub tells
the trainer's course who the leads are, the way nbgrader keeps a roster: each lead is a
student of each trainer's gradebook (``~/assessments/gradebook.db``), added by
``wholeschool trainer add-leads`` (:mod:`wholeschool.grading.roster`) run as that trainer,
never as root, so the hub writes nothing in a trainer's home the trainer could not.

The roster is brought up to date when a trainer approves a sign-up, when the hub makes a
user (a first login, a sign-in from the school's platform), and before a trainer's server
starts (their course may have just been copied, after the leads were approved). Leads are
only added: withdrawing an approval leaves the lead's work in the gradebook.

``jupyterhub_config.py`` uses it in two lines: ``CourseAuthenticator = ROSTER.authenticator
(CourseAuthenticator)`` and ``c.Spawner.pre_spawn_hook = ROSTER.after(prepare_account)``.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

#: Seconds the hub waits for one trainer's gradebook to be brought up to date.
SYNC_TIMEOUT = 120
#: Seconds after a user is made before the roster is read: a sign-in from the school's
#: platform says whether the person is a trainer (an admin) just after the user is made.
AFTER_NEW_USER = 2.0


class Roster:
    """Who the leads are (from the hub's database), written into each trainer's gradebook.

    ``trainers``: the trainers listed in the settings (hub admins are trainers too);
    ``user_env``: the users' Python environment (its ``wholeschool`` command);
    ``name_pattern``: the hub's rule for account names (nothing else is passed on).
    """

    def __init__(self, trainers: Collection[str], user_env: Path, name_pattern: str) -> None:
        self.trainers = set(trainers)
        self.command = user_env / "bin" / "wholeschool"
        self.pattern = re.compile(name_pattern)
        self._lock = asyncio.Lock()
        self._again = False
        self._tasks: set[asyncio.Task] = set()

    # --- who ----------------------------------------------------------------------------------
    def people(self, db) -> tuple[list[str], list[str]]:
        """(leads, trainers): approved sign-ups and hub users; admins and listed trainers are
        trainers, everyone else a lead."""
        from jupyterhub import orm

        users = {user.name: bool(user.admin) for user in db.query(orm.User)}
        approved: set[str] = set()
        try:
            from nativeauthenticator.orm import UserInfo
        except ImportError:  # another sign-in: the hub's users are everyone
            pass
        else:
            approved = {info.username for info in db.query(UserInfo).filter_by(is_authorized=True)}
        trainers = self.trainers | {name for name, admin in users.items() if admin}
        names = (approved | set(users)) - trainers
        leads = sorted(name for name in names if self.pattern.fullmatch(name))
        return leads, sorted(trainers)

    # --- writing ------------------------------------------------------------------------------
    async def add_to(self, trainer: str, leads: Iterable[str], log) -> bool:
        """Add ``leads`` to ``trainer``'s gradebook, as ``trainer``; False if their course is
        not there yet (it is made when their server first starts) or the command failed."""
        leads = list(leads)
        try:
            account = pwd.getpwnam(trainer)
        except KeyError:
            return False
        course = Path(account.pw_dir) / "assessments"
        if not leads or not (course / "nbgrader_config.py").is_file():
            return False
        process = await asyncio.create_subprocess_exec(
            str(self.command),
            "trainer",
            "--course",
            str(course),
            "add-leads",
            "--",
            *leads,
            cwd=str(course),
            user=account.pw_uid,
            group=account.pw_gid,
            extra_groups=os.getgrouplist(trainer, account.pw_gid),
            env={
                "HOME": account.pw_dir,
                "USER": trainer,
                "PATH": f"{self.command.parent}:/usr/bin:/bin",
                "LANG": "C.UTF-8",
            },
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), SYNC_TIMEOUT)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            log.error("Adding leads to %s's gradebook took over %d s", trainer, SYNC_TIMEOUT)
            return False
        text = output.decode("utf-8", "replace").strip()
        if process.returncode != 0:
            log.error("Could not add leads to %s's gradebook: %s", trainer, text[-500:])
            return False
        if text:
            log.info("%s's gradebook: %s", trainer, text.replace("\n", "; "))
        return True

    async def sync(self, db, log) -> None:
        """Bring every trainer's gradebook up to date; a call made while one runs is folded
        into one more run after it (a class signing in at once makes two runs, not thirty)."""
        self._again = True
        if self._lock.locked():
            return
        async with self._lock:
            while self._again:
                self._again = False
                leads, trainers = self.people(db)
                for trainer in trainers:
                    await self.add_to(trainer, leads, log)

    def sync_soon(self, db, log, delay: float = 0.0) -> None:
        """:meth:`sync` in the background, after ``delay`` seconds; errors go to the log."""

        async def later() -> None:
            await asyncio.sleep(delay)
            try:
                await self.sync(db, log)
            except Exception:  # the roster never stops a login or an approval
                log.exception("Could not bring the trainers' gradebooks up to date")

        task = asyncio.get_running_loop().create_task(later())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the hooks ----------------------------------------------------------------------------
    def authenticator(self, base: type) -> type:
        """``base`` (the hub's authenticator class) bringing the roster up to date when it
        makes a user and when a trainer approves a sign-up."""
        roster = self

        class WithRoster(base):  # type: ignore[misc, valid-type]
            async def add_user(self, user):
                await super().add_user(user)
                if user.name not in roster.trainers:  # trainers are made as the hub starts
                    roster.sync_soon(self.db, self.log, delay=AFTER_NEW_USER)

            def get_handlers(self, app):
                return [
                    (path, roster.approval_handler(handler) if "/authorize/" in path else handler)
                    for path, handler in super().get_handlers(app)
                ]

        WithRoster.__name__ = WithRoster.__qualname__ = base.__name__
        return WithRoster

    def approval_handler(self, base: type) -> type:
        """``base`` (the page that approves a sign-up, by POST) adding the lead once approved."""
        roster = self

        class ApproveAndAdd(base):  # type: ignore[misc, valid-type]
            async def post(self, slug):
                await super().post(slug)
                await roster.sync(self.db, self.log)

        return ApproveAndAdd

    def after(self, hook: Callable) -> Callable:
        """The spawner's ``hook``, then (for a trainer) the roster written into their course."""
        roster = self

        async def prepare(spawner) -> None:
            hook(spawner)
            user = spawner.user
            if user.name in roster.trainers or user.admin:
                leads, _ = roster.people(user.db)
                await roster.add_to(user.name, leads, spawner.log)

        return prepare
