"""The course hub's own settings, as traitlets, and the one reading of its environment.

:class:`CourseHub` holds what the hub's classes share (where the course, the hub's state and
nbgrader's exchange are; the accounts' group; the trainers; the servers' ports; the password
work factor), each a trait with its help and default, checked when it is set: a bad setting
stops the hub with one line naming it. ``jupyterhub_config.py`` reads ``WHOLESCHOOL_HUB_*``
once (:func:`environment_config`) and sets the rest; the authenticator
(``course_accounts.py``) and the spawner (``course_servers.py``) read these settings with
``CourseHub(parent=self)``, as nbgrader's apps share ``CourseDirectory``.

Importing this module changes nothing: :meth:`CourseHub.prepare_host` (called by the config
file) makes the state folder, the accounts' group and nbgrader's exchange.
"""

from __future__ import annotations

import functools
import grp
import importlib
import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from traitlets import Container, Enum, Integer, List, TraitError, Unicode, default, validate
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

HERE = Path(__file__).resolve().parent

#: Prefix of the hub's environment settings (README.md lists them).
PREFIX = "WHOLESCHOOL_HUB_"

#: Each ``WHOLESCHOOL_HUB_<NAME>`` and the trait it sets (``Class.trait``). Lists are
#: comma-separated. A new setting is one line here and, for the course's own, one trait below.
ENVIRONMENT = {
    "COURSE_ROOT": "CourseHub.course_root",
    "STATE": "CourseHub.state",
    "EXCHANGE": "CourseHub.exchange",
    "USER_ENV": "CourseHub.user_env",
    "GROUP": "CourseHub.group",
    "HOME_BASE": "CourseHub.home_base",
    "TRAINERS": "CourseHub.trainers",
    "IDLE_TIMEOUT": "CourseHub.idle_timeout",
    "PASSWORD_COST": "CourseHub.password_cost",
    "SERVER_PORTS": "CourseHub.server_ports",
    "PROXY": "CourseHub.proxy",
    "WARM_KERNELS": "CourseHub.warm_kernels",
    "KERNEL_CULL": "CourseHub.kernel_cull",
    "SIGN_IN": "CourseHub.sign_in",
    "ADMIN_TOKEN": "CourseHub.admin_token",
    "LOCAL_CONFIG": "CourseHub.local_config",
    "URL": "JupyterHub.bind_url",
    "HUB_BIND_URL": "JupyterHub.hub_bind_url",
    "CONCURRENT_SPAWNS": "JupyterHub.concurrent_spawn_limit",
    "PROXY_API_URL": "ConfigurableHTTPProxy.api_url",
    "START_TIMEOUT": "Spawner.start_timeout",
    "HTTP_TIMEOUT": "Spawner.http_timeout",
    "OPEN_SIGNUP": "NativeAuthenticator.open_signup",
    # Sign-in from the school's course platform (lti_signin.py), when SIGN_IN is lti.
    "LTI_ISSUER": "LTI13Authenticator.issuer",
    "LTI_AUTHORIZE_URL": "LTI13Authenticator.authorize_url",
    "LTI_JWKS_URL": "LTI13Authenticator.jwks_endpoint",
    "LTI_CLIENT_ID": "LTI13Authenticator.client_id",
    "LTI_USERNAME_KEY": "LTI13Authenticator.username_key",
}

#: Where the classes named in ``ENVIRONMENT`` live (imported only when a setting needs one).
CLASSES = {
    "CourseHub": f"{__name__}:CourseHub",
    "JupyterHub": "jupyterhub.app:JupyterHub",
    "ConfigurableHTTPProxy": "jupyterhub.proxy:ConfigurableHTTPProxy",
    "Spawner": "jupyterhub.spawner:Spawner",
    "NativeAuthenticator": "nativeauthenticator:NativeAuthenticator",
    "LTI13Authenticator": "ltiauthenticator.lti13.auth:LTI13Authenticator",
}

#: Unix names the hub may create: lower case, start with a letter, no dots or spaces.
USERNAME_PATTERN = r"^[a-z][a-z0-9_-]{1,31}$"


class CourseHub(Configurable):
    """Where the course hub's parts and people are: shared by its authenticator and spawner."""

    course_root = Unicode(
        config=True, help="The course checkout: apps, book pages and the nbgrader course."
    )
    state = Unicode(
        "/srv/wholeschool-hub",
        config=True,
        help="Hub database, cookie secret and logs (readable by root only).",
    )
    exchange = Unicode(
        "/srv/nbgrader/exchange",
        config=True,
        help="nbgrader's exchange: a shared folder every account can reach.",
    )
    user_env = Unicode(
        config=True,
        help="The Python environment users' servers run in (this package, Voila, nbgrader).",
    )
    group = Unicode(
        "wholeschool-hub",
        config=True,
        help="The Unix group of every account this hub creates; accounts outside it are never "
        "used.",
    )
    home_base = Unicode("/home", config=True, help="Where the hub creates home folders.")
    trainers = List(
        Unicode(),
        default_value=["trainer"],
        minlen=1,
        config=True,
        help="Hub admins and nbgrader instructors; the first owns the course's folder in "
        "nbgrader's exchange.",
    ).tag(hint="give one or more user names, separated by commas")
    idle_timeout = Integer(
        3600, min=60, config=True, help="Seconds without activity before the culler stops a server."
    ).tag(hint="give a number of seconds, at least 60")
    password_cost = Integer(
        12,
        config=True,
        help="bcrypt work factor for passwords set from now on (at sign-up or change). Each "
        "login costs about 2**(factor - 12) x 0.36 CPU s on the project's machine.",
    ).tag(hint="give a whole number from 10 (OWASP's minimum for bcrypt) to 16")
    server_ports = Unicode(
        "20000-29999",
        config=True,
        help="Ports for the users' servers (FIRST-LAST): below Linux's ephemeral range "
        "(32768-60999), where kernels and every other program get the ports they ask for.",
    ).tag(hint="give FIRST-LAST, at least 100 ports between 1024 and 32767")
    proxy = Unicode(config=True, help="configurable-http-proxy from npm (setup.sh installs it).")
    warm_kernels = Integer(
        1, min=0, config=True, help="Kernels kept warm per lead for the app pages; 0: none."
    ).tag(hint="give a whole number, 0 for none")
    kernel_cull = Integer(
        1200,
        min=0,
        config=True,
        help="Seconds before a kernel nobody is connected to is shut down.",
    ).tag(hint="give a number of seconds")
    sign_in = Enum(
        ["native", "lti"],
        "native",
        config=True,
        help="native: sign-up and approval on the hub; lti: sign-in from the school's course "
        "platform by LTI 1.3 (lti_signin.py).",
    ).tag(hint="give native or lti")
    admin_token = Unicode(
        "", config=True, help="A token for scripts that drive the hub (hubctl, the tests)."
    )
    local_config = Unicode(
        config=True, help="Site-specific overrides (LTI, TLS, ...), loaded last; kept out of git."
    )

    @default("course_root")
    def _course_root(self) -> str:
        return str(HERE.parents[1])

    @default("user_env")
    def _user_env(self) -> str:
        return sys.prefix

    @default("proxy")
    def _proxy(self) -> str:
        bin_ = Path(self.course_root) / ".venv" / "hub-node" / "node_modules" / ".bin"
        return str(bin_ / "configurable-http-proxy")

    @default("local_config")
    def _local_config(self) -> str:
        return str(Path(self.state) / "jupyterhub_config_local.py")

    @validate("password_cost")
    def _check_cost(self, proposal) -> int:
        if not 10 <= proposal.value <= 16:
            raise TraitError(self._refusal("password_cost", proposal.value))
        return proposal.value

    @validate("server_ports")
    def _check_ports(self, proposal) -> str:
        first, _, last = proposal.value.partition("-")
        if not (
            first.isdigit()
            and last.isdigit()
            and int(first) >= 1024
            and int(first) + 99 <= int(last) <= 32767
        ):
            raise TraitError(self._refusal("server_ports", proposal.value))
        return proposal.value

    @validate("trainers")
    def _check_trainers(self, proposal) -> list[str]:
        names = [name.strip() for name in proposal.value]
        if not all(names):
            raise TraitError(self._refusal("trainers", proposal.value))
        return names

    def _refusal(self, name: str, value: object) -> str:
        return f"CourseHub.{name} = {value!r}: {self.traits()[name].metadata['hint']}"

    # --- what the settings mean -------------------------------------------------------------

    @property
    def port_range(self) -> range:
        first, _, last = self.server_ports.partition("-")
        return range(int(first), int(last) + 1)

    @property
    def course_id(self) -> str:
        """The nbgrader course id, from the course's own config (one place to change it)."""
        return course_id_of(Path(self.course_root))

    def is_trainer(self, name: str) -> bool:
        return name in self.trainers

    def prepare_host(self) -> None:
        """Before the hub starts: its state folder (root's alone), the group of every account
        it makes, and nbgrader's exchange (world-writable with the sticky bit, as nbgrader
        wants: nobody removes what another put there)."""
        Path(self.state).mkdir(mode=0o700, parents=True, exist_ok=True)
        if shutil.which("groupadd"):
            try:
                grp.getgrnam(self.group)
            except KeyError:
                os.spawnvp(os.P_WAIT, "groupadd", ["groupadd", "--system", self.group])
        exchange = Path(self.exchange)
        exchange.mkdir(parents=True, exist_ok=True)
        exchange.chmod(0o1777)


@functools.cache
def course_id_of(course_root: Path) -> str:
    """The ``CourseDirectory.course_id`` of the course's ``assessments/nbgrader_config.py``."""
    loader = PyFileConfigLoader("nbgrader_config.py", str(course_root / "assessments"))
    return loader.load_config().CourseDirectory.course_id


def course_apps() -> list[dict]:
    """The course apps listed on the hub's home page (``apps/apps.json``, by make_apps.py)."""
    return json.loads((HERE / "apps" / "apps.json").read_text(encoding="utf-8"))


# --- the environment --------------------------------------------------------------------------


class SettingError(SystemExit):
    """A ``WHOLESCHOOL_HUB_*`` setting the hub cannot use; its message names it."""


def _trait(target: str):
    section, name = target.split(".")
    module, _, attribute = CLASSES[section].partition(":")
    return section, name, getattr(importlib.import_module(module), attribute).class_traits()[name]


def environment_config(environ: Mapping[str, str]) -> Config:
    """The hub's settings from ``WHOLESCHOOL_HUB_*`` in ``environ`` (set and not empty), each
    converted and checked by its trait; :class:`SettingError` names the first that is not."""
    config = Config()
    for short, target in ENVIRONMENT.items():
        text = environ.get(PREFIX + short, "").strip()
        if not text:
            continue
        section, name, trait = _trait(target)
        try:
            if isinstance(trait, Container):
                value = [part.strip() for part in text.split(",") if part.strip()]
            else:
                value = trait.from_string(text)
            if section == "CourseHub":  # its own checks, on a throwaway instance
                value = getattr(CourseHub(config=Config({section: {name: value}})), name)
        except (TraitError, ValueError) as error:
            hint = trait.metadata.get("hint", str(error).splitlines()[0])
            raise SettingError(f"{PREFIX}{short}={text!r}: {hint}") from None
        config[section][name] = value
    return config
