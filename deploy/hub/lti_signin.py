"""Sign-in from a school's course platform (Moodle, Canvas, ...) by LTI 1.3, instead of the
hub's own sign-up (see README.md beside this file, "Signing in from Moodle or Canvas").

JupyterHub's ``ltiauthenticator`` checks the launch (the platform's signature from its JWKS,
issuer, audience, nonce and state); this module decides who the person is on the hub:

* **Role**: a teacher of the course on the platform (``membership#Instructor``) is a trainer
  (hub admin, nbgrader instructor, JupyterLab with formgrader: the same as a name listed in
  ``WHOLESCHOOL_HUB_TRAINERS``); a student (``membership#Learner``) is a lead. Anyone else is
  refused. Roles are data: ``TRAINER_ROLES`` and ``LEAD_ROLES``.
* **Account name**: the platform's value (``username_key``, an e-mail by default) made into a
  safe Unix name (:func:`unix_name`); each name is bound to one person of the platform (its
  issuer and ``sub``) in a file of the hub's state, so two people whose values look alike never
  share an account, and a person keeps their account if their e-mail changes.
* **Refusals** are pages in plain words; the technical reason goes to the hub's log.

Selected by ``WHOLESCHOOL_HUB_SIGN_IN=lti`` (jupyterhub_config.py calls :func:`use_lti`);
NativeAuthenticator stays the default.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.error import LoginError, ValidationError
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler, LTI13LoginInitHandler
from tornado.web import HTTPError
from traitlets import List, Unicode

#: The claim holding the person's roles in the course (LTI 1.3, section 5.3.7).
ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
#: Course (context) roles that make a trainer: the course's teachers and its administrators.
TRAINER_ROLES = (f"{_MEMBERSHIP}#Instructor", f"{_MEMBERSHIP}#Administrator")
#: Course roles that make a lead: the course's students.
LEAD_ROLES = (f"{_MEMBERSHIP}#Learner",)
#: Longest name made from the platform's value (room for a ``-xxxx`` suffix in Unix's 32).
NAME_LENGTH = 26

#: The headings of the hub's refusal pages (the message below says why and what to do).
NOT_SIGNED_IN = "Not signed in"
START_ON_PLATFORM = "Open the hub from your course page"
#: What a person sees when the launch could not be checked (bad signature, wrong audience,
#: expired, replayed, missing cookies); the reason goes to the hub's log for IT.
NOT_CHECKED = (
    "The hub could not check this sign-in from your course platform, so it did not let you in. "
    "Go back to your course page and open the hub from there again. If this keeps happening, "
    "tell whoever looks after your course platform: the hub's log says why."
)
#: What a person sees on the hub's own sign-in page (a launch starts on the platform).
OPEN_FROM_COURSE = (
    "This hub is opened from your course page on your school's course platform (Moodle, "
    "Canvas, ...): sign in there and follow the link to the course hub."
)
NO_ROLE = (
    "Your course platform says you are neither a teacher nor a student of this course, so the "
    "hub cannot tell which pages to give you. Ask your course's teacher to enrol you."
)
NO_NAME = (
    "Your course platform did not send a name the hub can use for your account. Tell whoever "
    "looks after your course platform (the hub's log says what was sent)."
)
NAME_TAKEN = (
    "The account name your course platform gives you is already used on this hub by someone "
    "else. Tell whoever looks after the course hub; nothing of yours or theirs was changed."
)


class Refused(LoginError):
    """A launch that was checked but cannot be let in; its message is shown to the person."""


def role_of(roles: object, trainer_roles: Iterable[str], lead_roles: Iterable[str]) -> str | None:
    """``"trainer"`` or ``"lead"`` for the roles claim of a launch, or None (neither, or not a
    list of strings)."""
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        return None
    held = set(roles)
    if held & set(trainer_roles):
        return "trainer"
    if held & set(lead_roles):
        return "lead"
    return None


def unix_name(value: object) -> str:
    """A safe Unix account name made from the platform's ``value`` (an e-mail: its part before
    ``@``): letters folded to plain ASCII and lower case, every run of characters other than
    letters, digits and ``_`` one
    ``-``, starting with a letter (else ``lms-`` first), at most ``NAME_LENGTH`` long.

    Raises :class:`Refused` for a value that is not text, holds control characters, is
    absurdly long or has nothing usable in it."""
    if not isinstance(value, str) or not value.strip():
        raise Refused(NO_NAME)
    if len(value) > 320 or re.search(r"[\x00-\x1f\x7f-\x9f]", value):
        raise Refused(NO_NAME)
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    local = text.strip().split("@", 1)[0]
    name = re.sub(r"[^a-z0-9_]+", "-", local).strip("-_")
    if not name:
        raise Refused(NO_NAME)
    if not name[0].isalpha() or len(name) < 2:
        name = f"lms-{name}"
    return name[:NAME_LENGTH].rstrip("-")


def account_exists(name: str) -> bool:
    """True if a Unix account is called ``name``."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class AccountNames:
    """Which person of the platform (``issuer sub``) owns which account name: a JSON file
    in the hub's state (root's only), written whole and atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, str]:
        try:
            names = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        if not isinstance(names, dict):
            raise ValueError(f"{self.path}: not a table of account names")
        return names

    def save(self, names: dict[str, str]) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(names, indent=1, sort_keys=True), encoding="utf-8")
        temporary.chmod(0o600)
        os.replace(temporary, self.path)

    def name_for(self, person: str, wanted: str, free: Callable[[str], bool]) -> str:
        """The account name of ``person``: theirs if they have one, else ``wanted`` or, if
        that is taken or not ``free``, ``wanted`` with four characters of the person's hash.

        Raises :class:`Refused` when both are taken."""
        names = self.load()
        for name, owner in names.items():
            if owner == person:
                return name
        suffix = hashlib.sha256(person.encode()).hexdigest()[:4]
        for candidate in (wanted, f"{wanted}-{suffix}"):
            if candidate not in names and free(candidate):
                names[candidate] = person
                self.save(names)
                return candidate
        raise Refused(NAME_TAKEN)


class LaunchStart(LTI13LoginInitHandler):
    """ltiauthenticator's login initiation: its state cookies cross from the platform's site
    (SameSite=None, Secure), and a visit without a launch gets a plain page."""

    def _set_oauth_cookie(self, key: str, value) -> None:
        # The hub's cookies are SameSite=Lax, which a browser leaves out of the platform's
        # cross-site form POST back to the hub: the launch would fail for want of its state.
        self._set_cookie(
            key, value, expires_days=1, httponly=True, encrypted=True, samesite="None", secure=True
        )

    def post(self):
        try:
            return super().post()
        except HTTPError as error:
            self.log.warning("LTI 1.3 login initiation refused: %s", error.log_message)
            raise HTTPError(400, OPEN_FROM_COURSE, reason=START_ON_PLATFORM) from None

    get = post


class LaunchCheck(LTI13CallbackHandler):
    """ltiauthenticator's launch (the platform's form POST with its signed id_token), with
    refusals in plain words and the technical reason in the log only."""

    async def post(self):
        try:
            id_token = self.decode_and_validate_launch_request()
        except (ValidationError, HTTPError) as error:
            self.log.warning("LTI 1.3 launch refused: %s", getattr(error, "log_message", error))
            raise HTTPError(401, NOT_CHECKED, reason=NOT_SIGNED_IN) from None
        try:
            user = await self.login_user(id_token)
        except Refused as error:
            raise HTTPError(403, str(error), reason=NOT_SIGNED_IN) from None
        if user is None:  # JupyterHub's own checks said no (a name it will not use)
            raise HTTPError(403, NAME_TAKEN, reason=NOT_SIGNED_IN)
        await self.redirect_to_next_url(user)


class LTIAccounts(LTI13Authenticator):
    """ltiauthenticator's LTI 1.3 sign-in with the course's roles and account names (put
    before the hub's Unix-account rules by :func:`lti_authenticator`)."""

    login_service = "your course platform"
    login_handler = LaunchStart
    callback_handler = LaunchCheck

    trainer_roles = List(
        Unicode(),
        default_value=list(TRAINER_ROLES),
        config=True,
        help="Course roles (LTI role URIs) that make a person a trainer.",
    )
    lead_roles = List(
        Unicode(),
        default_value=list(LEAD_ROLES),
        config=True,
        help="Course roles (LTI role URIs) that make a person a lead.",
    )
    names_file = Unicode(
        "lti-accounts.json",
        config=True,
        help="Where the account name of each person of the platform is kept.",
    )

    async def authenticate(self, handler, data=None):
        """The account and role of a checked launch (``data``: its id_token's claims)."""
        token = data or {}
        role = role_of(token.get(ROLES_CLAIM), self.trainer_roles, self.lead_roles)
        if role is None:
            self.log.warning("LTI 1.3 launch refused: roles %r", token.get(ROLES_CLAIM))
            raise Refused(NO_ROLE)
        try:
            wanted = unix_name(self.get_username(token))
        except (Refused, LoginError):
            self.log.warning("LTI 1.3 launch refused: no usable %s", self.username_key)
            raise Refused(NO_NAME) from None
        person = f"{token.get('iss')} {token.get('sub')}"

        def free(name: str) -> bool:
            # A listed trainer's account (made when the hub starts) goes to a teacher only.
            if name in self.admin_users:
                return role == "trainer" and self.validate_username(name)
            return not account_exists(name) and self.validate_username(name)

        name = AccountNames(Path(self.names_file)).name_for(person, wanted, free)
        self.log.info("LTI 1.3 launch: %s as %s (%s)", person, name, role)
        return {"name": name, "admin": role == "trainer" or name in self.admin_users}


def lti_authenticator(accounts: type) -> type:
    """The course's authenticator for LTI 1.3: ``accounts`` (the hub's own, which makes and
    guards the Unix accounts) with sign-in by LTI 1.3 instead of its forms."""
    return type("CourseLTIAuthenticator", (LTIAccounts, accounts), {})


def use_lti(c, accounts: type, state: Path) -> None:
    """Configure the hub ``c`` for LTI 1.3 sign-in (the platform's issuer, URLs and client ids
    are ``c.LTI13Authenticator`` settings: from ``WHOLESCHOOL_HUB_LTI_*``, course_hub.py, or
    a site's overrides file)."""
    c.JupyterHub.authenticator_class = lti_authenticator(accounts)
    # The hub's sign-in page sends a visitor on to the launch, which explains where to start.
    c.Authenticator.auto_login = True
    c.LTIAccounts.names_file = str(state / "lti-accounts.json")
