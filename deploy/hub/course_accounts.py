"""Who may sign in to the course hub: NativeAuthenticator's sign-up and approval, with one Unix
account per approved user (``CourseAuthenticator``).

* Only names of the hub's own making are used: a name that belongs to a Unix account outside
  the hub's group (``root``, a service account, a staff login) or to a Unix group can neither
  sign up nor log in.
* Passwords are stored at :attr:`CourseHub.password_cost`; each one is checked in a worker
  process (bcrypt holds Python's GIL for about 0.3 s), an unknown name against a stand-in hash
  so that it takes as long; NativeAuthenticator then decides as it always does.
* Failed logins are held back per name *and* address, and per address (``hub_guards``), not per
  name alone as NativeAuthenticator does: nobody can lock the trainer out.

Importing this module changes nothing; see ``jupyterhub_config.py`` for how the hub uses it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import grp
import multiprocessing
import os
import pwd
import re
from pathlib import Path

import bcrypt
from course_hub import USERNAME_PATTERN, CourseHub
from hub_guards import LoginThrottle, approval_handlers, ensure_exchange_course
from jupyterhub.auth import LocalAuthenticator
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from traitlets import Instance, Integer, default

#: What a person sees when their address made too many failed attempts.
TOO_MANY = "Too many failed attempts from here: wait five minutes and try again."
#: What the hub's sign-in page says when nothing more precise is known.
INVALID = "Invalid username or password."


def group_exists(name: str) -> bool:
    """True if a Unix group is called ``name``."""
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def in_group(name: str, group: str) -> bool:
    """True if the Unix account ``name`` is a member of ``group``."""
    try:
        members = grp.getgrnam(group)
    except KeyError:
        return False
    account = pwd.getpwnam(name)
    return name in members.gr_mem or account.pw_gid == members.gr_gid


@functools.cache
def password_checkers() -> concurrent.futures.ProcessPoolExecutor:
    """Worker processes for password checks, started on first use (spawned, not forked: the
    hub has threads)."""
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=os.cpu_count() or 2, mp_context=multiprocessing.get_context("spawn")
    )


@functools.cache
def stand_in_hash(cost: int) -> bytes:
    """A hash no password matches, checked when the name is unknown."""
    return bcrypt.hashpw(os.urandom(16), bcrypt.gensalt(cost))


def store_password(user, password: bytes, cost: int) -> None:
    """Hash ``password`` again at work factor ``cost`` if it was stored with another (the
    factor is the third ``$`` field of a bcrypt hash: ``$2b$12$...``)."""
    if int(user.password.split(b"$")[2]) != cost:
        user.password = bcrypt.hashpw(password, bcrypt.gensalt(cost))


#: (name, whether its password matched) of the login this task is checking.
_CHECKED: contextvars.ContextVar[tuple[str, bool] | None] = contextvars.ContextVar(
    "checked_password", default=None
)


class CheckedPassword:
    """NativeAuthenticator's record of a user, whose password was already checked (in a
    worker process): ``is_valid_password`` gives that answer instead of hashing again."""

    def __init__(self, user, matches: bool) -> None:
        self._user, self._matches = user, matches

    def __getattr__(self, name: str):
        return getattr(self._user, name)

    def is_valid_password(self, _password: str) -> bool:
        return self._matches


class _NoStatsd:
    """JupyterHub 6 dropped statsd (its metrics are Prometheus now), but NativeAuthenticator
    1.3.0's login handler still times logins with ``self.statsd``: give it a no-op timer."""

    def timer(self, _name: str) -> _NoStatsd:
        return self

    def start(self) -> _NoStatsd:
        return self

    def stop(self, send: bool = True) -> None:
        return None


class LoginHandler(NativeLoginHandler):
    statsd = _NoStatsd()

    async def post(self):
        """NativeAuthenticator's login, without its second password check in the hub's own
        thread (which made known names slower to refuse than unknown ones)."""
        data = {arg: self.get_argument(arg, strip=False) for arg in self.request.arguments}
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        error = getattr(self, "login_refusal", INVALID)
        self.finish(await self._render(login_error=error, username=data.get("username", "")))


class CourseAuthenticator(LocalAuthenticator, NativeAuthenticator):
    """NativeAuthenticator sign-up and approval, with one Unix account per approved user.

    A name that already belongs to a Unix account the hub did not create can neither sign up
    nor log in: only members of :attr:`CourseHub.group` are used.
    """

    course = Instance(CourseHub, help="The course hub's shared settings.")
    failed_logins_per_name = Integer(
        5,
        min=1,
        config=True,
        help="Failed logins of one name from one address before that pair is held back.",
    )
    failed_logins_per_address = Integer(
        30,
        min=1,
        config=True,
        help="Failed logins from one address, over all names, before it is held back.",
    )
    failed_logins_window = Integer(
        300, min=1, config=True, help="Seconds over which failed logins are counted."
    )
    logins = Instance(LoginThrottle, help="Failed and in-flight logins (per name and address).")

    @default("course")
    def _course(self) -> CourseHub:
        return CourseHub(parent=self)

    @default("logins")
    def _logins(self) -> LoginThrottle:
        return LoginThrottle(
            per_name=self.failed_logins_per_name,
            per_address=self.failed_logins_per_address,
            window=self.failed_logins_window,
        )

    @default("add_user_cmd")
    def _add_user_cmd(self) -> list[str]:
        """``useradd`` making a private home (0700) under the hub's home base, in its group."""
        return [
            "useradd",
            "--create-home",
            "--base-dir",
            self.course.home_base,
            "--key",
            "HOME_MODE=0700",
            "--shell",
            "/bin/bash",
            "--groups",
            self.course.group,
        ]

    def validate_username(self, username: str) -> bool:
        if not re.fullmatch(USERNAME_PATTERN, username):
            return False
        try:
            pwd.getpwnam(username)
        except KeyError:
            if group_exists(username):  # useradd would fail later (sudo, the course's group)
                self.log.warning("Refusing %r: the name of a Unix group", username)
                return False
            return super().validate_username(username)
        if not in_group(username, self.course.group):
            self.log.warning(
                "Refusing %r: a Unix account outside group %s", username, self.course.group
            )
            return False
        return super().validate_username(username)

    def create_user(self, username, password, **kwargs):
        """NativeAuthenticator's sign-up, the password then stored at the hub's work factor."""
        user = super().create_user(username, password, **kwargs)
        if user is not None:
            store_password(user, password.encode(), self.course.password_cost)
            self.db.commit()
        return user

    def change_password(self, username, new_password):
        """NativeAuthenticator's change, the new password stored at the hub's work factor."""
        changed = super().change_password(username, new_password)
        if changed:
            store_password(
                self.get_user(username), new_password.encode(), self.course.password_cost
            )
            self.db.commit()
        return changed

    # --- logging in ---------------------------------------------------------------------------

    def is_blocked(self, username: str) -> bool:
        """Never by name alone, as NativeAuthenticator's ``allowed_failed_logins`` would (anyone
        could lock the trainer out): :attr:`logins` holds back a name per address before its
        password is checked."""
        return False

    def add_login_attempt(self, username: str) -> None:
        """Failures are counted by :attr:`logins`, per name and address."""

    def get_user(self, username):
        """NativeAuthenticator's record of ``username``; while its login is checked, with the
        answer of the worker process's password check."""
        user = super().get_user(username)
        checked = _CHECKED.get()
        if user is not None and checked is not None and checked[0] == user.username:
            return CheckedPassword(user, checked[1])
        return user

    async def authenticate(self, handler, data):
        """NativeAuthenticator's check, with the bcrypt comparison in worker processes: a class
        logging in at once uses every core and the hub keeps answering meanwhile.

        Each attempt is counted (per name and address, and per address) before its password
        is checked, so guesses sent at once are held back like guesses in turn; an unknown
        name is checked against a stand-in hash, so it takes as long as a known one."""
        username = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        address = handler.request.remote_ip if handler is not None else ""
        ticket = self.logins.begin(username, address)
        if ticket is None:
            if handler is not None:
                handler.login_refusal = TOO_MANY
            return None
        user = self.get_user(username)
        stored = user.password if user else stand_in_hash(self.course.password_cost)
        matches = await asyncio.get_running_loop().run_in_executor(
            password_checkers(), bcrypt.checkpw, password.encode(), stored
        )
        checked = _CHECKED.set((username, matches))
        try:
            name = await super().authenticate(
                handler, {**data, "username": username, "password": password}
            )
        finally:
            _CHECKED.reset(checked)
        if name:
            self.logins.succeeded(username, address, ticket)
            return name
        if user is not None and matches and not user.is_authorized and handler is not None:
            handler.login_refusal = (
                f"User {username} has not been authorized by an administrator yet."
            )
        return None

    def get_handlers(self, app):
        replaced = {r"/login": LoginHandler, **approval_handlers()}
        return [(path, replaced.get(path, handler)) for path, handler in super().get_handlers(app)]

    # --- Unix accounts ------------------------------------------------------------------------

    async def add_user(self, user):
        """Make the Unix account (JupyterHub calls this at start for every trainer); the
        first trainer's account then owns the course's folder in the exchange."""
        await super().add_user(user)
        if user.name == self.course.trainers[0]:
            ensure_exchange_course(Path(self.course.exchange), self.course.course_id, user.name)

    def system_user_exists(self, user) -> bool:
        try:
            pwd.getpwnam(user.name)
        except KeyError:
            return False
        if not in_group(user.name, self.course.group):
            raise ValueError(f"{user.name} is a Unix account this hub did not create")
        return True
