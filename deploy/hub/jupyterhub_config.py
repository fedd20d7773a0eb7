"""JupyterHub configuration for a trainer's cohort on one server (see README.md beside this file).

Start it as root from this folder: ``jupyterhub -f jupyterhub_config.py``. Every setting that
differs between servers comes from an environment variable named ``WHOLESCHOOL_HUB_...``
(listed in README.md); the defaults suit a dedicated server.

* Accounts: NativeAuthenticator (people sign up, a trainer approves them at ``/hub/authorize``).
  Each approved user gets their own Unix account on first login, with a private home (0700)
  and membership of one Unix group, so a lead never reads another lead's files.
* Roles: trainers (``WHOLESCHOOL_HUB_TRAINERS``) are hub admins and the nbgrader instructors of
  the course; everyone else is a lead (an nbgrader student).
* Apps: a lead lands on the course apps (self-audit, action plan, progress log, governors'
  report) rendered by Voila: forms, not code. Records stay in the lead's own home.
* nbgrader's exchange is a shared folder; an idle culler stops servers nobody uses.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import grp
import json
import multiprocessing
import os
import pwd
import random
import re
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

import bcrypt
from jupyterhub.auth import LocalAuthenticator
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from traitlets.config.loader import PyFileConfigLoader

c = get_config()  # noqa: F821  (JupyterHub provides get_config when it reads this file)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hub_guards import (  # noqa: E402  (beside this file)
    CourseSpawner,
    LoginThrottle,
    approval_handlers,
    check_exchange_course,
    ensure_exchange_course,
    squatters,
)
from hub_roster import Roster  # noqa: E402


def setting(name: str, default: str) -> str:
    """``$WHOLESCHOOL_HUB_<name>``, or ``default`` when it is unset or empty."""
    return os.environ.get(f"WHOLESCHOOL_HUB_{name}", "").strip() or default


#: The course checkout: apps, book pages and the nbgrader course come from here.
COURSE_ROOT = Path(setting("COURSE_ROOT", str(HERE.parents[1])))
#: Hub database, cookie secret and logs (readable by root only).
STATE = Path(setting("STATE", "/srv/wholeschool-hub"))
#: nbgrader's exchange: a shared folder every account can reach.
EXCHANGE = Path(setting("EXCHANGE", "/srv/nbgrader/exchange"))
#: The Python environment single-user servers run in (this package, Voila, nbgrader).
USER_ENV = Path(setting("USER_ENV", sys.prefix))
#: The Unix group of every account this hub creates; accounts outside it are never used.
GROUP = setting("GROUP", "wholeschool-hub")
#: Where the hub creates home folders.
HOME_BASE = setting("HOME_BASE", "/home")
#: Hub admins and nbgrader instructors (comma-separated user names); the first owns the
#: course's folder in nbgrader's exchange.
TRAINERS_LISTED = [
    name.strip() for name in setting("TRAINERS", "trainer").split(",") if name.strip()
]
TRAINERS = set(TRAINERS_LISTED)
#: Seconds without activity before the culler stops a server.
IDLE_TIMEOUT = int(setting("IDLE_TIMEOUT", "3600"))
#: bcrypt work factor for passwords set from now on (at sign-up or change; NativeAuthenticator's
#: own is 12). Each login costs about 2**(factor - 12) x 0.36 CPU s on the project's machine.
PASSWORD_COST = setting("PASSWORD_COST", "12")
if not PASSWORD_COST.isdigit() or not 10 <= int(PASSWORD_COST) <= 16:
    raise SystemExit(
        f"WHOLESCHOOL_HUB_PASSWORD_COST={PASSWORD_COST!r}: give a whole number from 10 "
        "(OWASP's minimum for bcrypt) to 16"
    )
PASSWORD_COST = int(PASSWORD_COST)
#: Ports for the users' servers ("FIRST-LAST"): below Linux's ephemeral range (32768-60999),
#: where kernels and every other program get the ports they ask the system for. JupyterHub's
#: own choice (a free ephemeral port, released, then taken by the server a moment later) let a
#: kernel of another lead take the port first when a class's servers started together.
SERVER_PORTS = setting("SERVER_PORTS", "20000-29999")
_first, _, _last = SERVER_PORTS.partition("-")
if not (
    _first.isdigit()
    and _last.isdigit()
    and int(_first) >= 1024
    and int(_first) + 99 <= int(_last) <= 32767
):
    raise SystemExit(
        f"WHOLESCHOOL_HUB_SERVER_PORTS={SERVER_PORTS!r}: give FIRST-LAST, at least 100 ports "
        "between 1024 and 32767"
    )
SERVER_PORTS = range(int(_first), int(_last) + 1)
#: configurable-http-proxy from npm (``bash deploy/hub/setup.sh`` installs it).
PROXY = setting(
    "PROXY",
    str(COURSE_ROOT / ".venv" / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"),
)

#: The nbgrader course id, read from the course's own config (one place to change it).
COURSE_ID = (
    PyFileConfigLoader("nbgrader_config.py", str(COURSE_ROOT / "assessments"))
    .load_config()
    .CourseDirectory.course_id
)
#: Unix names the hub may create: lower case, start with a letter, no dots or spaces.
USERNAME_PATTERN = r"^[a-z][a-z0-9_-]{1,31}$"

# --- network ----------------------------------------------------------------------------------
c.JupyterHub.bind_url = setting("URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = setting("HUB_BIND_URL", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.api_url = setting("PROXY_API_URL", "http://127.0.0.1:8001")
c.ConfigurableHTTPProxy.command = [PROXY]
c.ConfigurableHTTPProxy.debug = False

# --- what browsers are told ------------------------------------------------------------------
# The hub's own pages: script, styles and connections from the hub's origin only, never framed;
# every cookie (the hub's, each server's: JupyterHub hands its cookie options to the servers,
# the form tokens) SameSite=Lax: a form posted from another site arrives without them. Users'
# servers get their own policy (user-config/jupyter_server_config.py).
HUB_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
c.JupyterHub.tornado_settings = {
    "headers": {"Content-Security-Policy": HUB_CONTENT_SECURITY_POLICY},
    "cookie_options": {"samesite": "Lax"},
}

# --- state ------------------------------------------------------------------------------------
STATE.mkdir(mode=0o700, parents=True, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# Users are the accounts below; a hub restart must not leave servers running without it.
c.JupyterHub.cleanup_servers = True


# --- accounts ---------------------------------------------------------------------------------
def group_exists(name: str) -> bool:
    """True if a Unix group is called ``name``."""
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def in_group(name: str) -> bool:
    """True if the Unix account ``name`` is a member of the hub's group."""
    try:
        group = grp.getgrnam(GROUP)
    except KeyError:
        return False
    account = pwd.getpwnam(name)
    return name in group.gr_mem or account.pw_gid == group.gr_gid


@functools.cache
def password_checkers() -> concurrent.futures.ProcessPoolExecutor:
    """Worker processes for password checks, started on first use (spawned, not forked: the
    hub has threads)."""
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=os.cpu_count() or 2, mp_context=multiprocessing.get_context("spawn")
    )


def store_password(user, password: bytes) -> None:
    """Hash ``password`` again at this hub's work factor if it was stored with another (the
    factor is the third ``$`` field of a bcrypt hash: ``$2b$12$...``)."""
    if int(user.password.split(b"$")[2]) != PASSWORD_COST:
        user.password = bcrypt.hashpw(password, bcrypt.gensalt(PASSWORD_COST))


class _NoStatsd:
    """JupyterHub 6 dropped statsd (its metrics are Prometheus now), but NativeAuthenticator
    1.3.0's login handler still times logins with ``self.statsd``: give it a no-op timer."""

    def timer(self, _name: str) -> _NoStatsd:
        return self

    def start(self) -> _NoStatsd:
        return self

    def stop(self, send: bool = True) -> None:
        return None


#: Failed logins per name and address, and per address, over NativeAuthenticator's window.
LOGINS = LoginThrottle(per_name=5, per_address=30, window=300)
#: Checked against when the name is unknown, so that known and unknown names take as long.
NO_SUCH_USER = bcrypt.hashpw(os.urandom(16), bcrypt.gensalt(PASSWORD_COST))


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
        error = getattr(self, "login_refusal", "Invalid username or password.")
        self.finish(await self._render(login_error=error, username=data.get("username", "")))


class CourseAuthenticator(LocalAuthenticator, NativeAuthenticator):
    """NativeAuthenticator sign-up and approval, with one Unix account per approved user.

    A name that already belongs to a Unix account the hub did not create (``root``, a service
    account, a staff login) can neither sign up nor log in: only members of ``GROUP`` are used.
    """

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
        if not in_group(username):
            self.log.warning("Refusing %r: a Unix account outside group %s", username, GROUP)
            return False
        return super().validate_username(username)

    def create_user(self, username, password, **kwargs):
        """NativeAuthenticator's sign-up, the password then stored at ``PASSWORD_COST``."""
        user = super().create_user(username, password, **kwargs)
        if user is not None:
            store_password(user, password.encode())
            self.db.commit()
        return user

    def change_password(self, username, new_password):
        """NativeAuthenticator's change, the new password stored at ``PASSWORD_COST``."""
        changed = super().change_password(username, new_password)
        if changed:
            store_password(self.get_user(username), new_password.encode())
            self.db.commit()
        return changed

    async def authenticate(self, handler, data):
        """NativeAuthenticator's check, with the bcrypt comparison (about 0.3 s of CPU, and it
        holds Python's GIL) in worker processes: a class logging in at once uses every core
        and the hub keeps answering meanwhile.

        Each attempt is counted (per name and address, and per address) before its password
        is checked, so guesses sent at once are held back like guesses in turn; an unknown
        name is checked against a stand-in hash, so it takes as long as a known one."""
        username = self.normalize_username(data.get("username", ""))
        address = handler.request.remote_ip if handler is not None else ""
        ticket = LOGINS.begin(username, address)
        if ticket is None:
            if handler is not None:
                handler.login_refusal = (
                    "Too many failed attempts from here: wait five minutes and try again."
                )
            return None
        user = self.get_user(username)
        password = data.get("password", "").encode()
        matches = await asyncio.get_running_loop().run_in_executor(
            password_checkers(), bcrypt.checkpw, password, user.password if user else NO_SUCH_USER
        )
        checks = [user is not None, matches, user is not None and user.is_authorized]
        if user is not None and user.has_2fa:
            checks.append(user.is_valid_token(data.get("2fa")))
        if all(checks):
            LOGINS.succeeded(username, address, ticket)
            return username
        if user is not None and matches and not user.is_authorized and handler is not None:
            handler.login_refusal = (
                f"User {username} has not been authorized by an administrator yet."
            )
        return None

    def get_handlers(self, app):
        replaced = {r"/login": LoginHandler, **approval_handlers()}
        return [(path, replaced.get(path, handler)) for path, handler in super().get_handlers(app)]

    async def add_user(self, user):
        """Make the Unix account (JupyterHub calls this at start for every trainer); the
        first trainer's account then owns the course's folder in the exchange."""
        await super().add_user(user)
        if user.name == TRAINERS_LISTED[0]:
            ensure_exchange_course(EXCHANGE, COURSE_ID, user.name)

    def system_user_exists(self, user) -> bool:
        try:
            pwd.getpwnam(user.name)
        except KeyError:
            return False
        if not in_group(user.name):
            raise ValueError(f"{user.name} is a Unix account this hub did not create")
        return True


# Every approved lead in the trainers' gradebooks, so the cohort page lists them (hub_roster.py).
ROSTER = Roster(TRAINERS, USER_ENV, USERNAME_PATTERN)
CourseAuthenticator = ROSTER.authenticator(CourseAuthenticator)
c.JupyterHub.authenticator_class = CourseAuthenticator
c.Authenticator.admin_users = TRAINERS
# NativeAuthenticator decides who may log in (signed up and approved by a trainer).
c.Authenticator.allow_all = True
c.NativeAuthenticator.open_signup = setting("OPEN_SIGNUP", "0") == "1"
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 300
c.LocalAuthenticator.create_system_users = True
c.LocalAuthenticator.add_user_cmd = [
    "useradd",
    "--create-home",
    "--base-dir",
    HOME_BASE,
    "--key",
    "HOME_MODE=0700",
    "--shell",
    "/bin/bash",
    "--groups",
    GROUP,
]
# Sign-in from the school's course platform by LTI 1.3 instead (README.md, lti_signin.py).
if setting("SIGN_IN", "native") == "lti":
    from lti_signin import use_lti  # noqa: E402

    use_lti(c, CourseAuthenticator, STATE, setting)
if shutil.which("groupadd"):  # the group every hub account belongs to
    try:
        grp.getgrnam(GROUP)
    except KeyError:
        os.spawnvp(os.P_WAIT, "groupadd", ["groupadd", "--system", GROUP])

# --- nbgrader exchange ------------------------------------------------------------------------
# nbgrader wants its exchange root world-writable; the sticky bit stops one account removing
# what another put there. The course's folder in it is made for the first trainer when the hub
# starts (CourseAuthenticator.add_user), before any lead could take the name; no server starts
# while it belongs to anyone else. Inbound submissions are 0733 (leads cannot list them) and
# named with a random part; feedback is 0711 and named by a hash of the submission.
EXCHANGE.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o1777)


#: The port each user's server was last given (a port is never given to two servers at once).
GIVEN_PORTS: dict[str, int] = {}


def free_server_port(taken: set[int]) -> int | None:
    """A port of ``SERVER_PORTS`` nobody listens on and not in ``taken``, or None."""
    for port in random.sample(SERVER_PORTS, k=min(200, len(SERVER_PORTS))):
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    return None


def end_squatters() -> None:
    """End the processes of hub accounts listening on the servers' ports other than their
    own server's: the range is the hub's, and one lead holding it stopped every other server
    from starting."""
    members = set(grp.getgrnam(GROUP).gr_mem) if group_exists(GROUP) else set()
    users = {p.pw_uid for p in pwd.getpwall() if p.pw_name in members and p.pw_uid >= 1000}
    for pid, ports in squatters(SERVER_PORTS, users, set(GIVEN_PORTS.values())).items():
        print(f"ending process {pid}: it held {len(ports)} of the servers' ports", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def server_port(name: str) -> int:
    """A free port of ``SERVER_PORTS`` for ``name``'s server, not given to another server
    (a user's processes squatting on the range are ended first if none is free)."""
    taken = {port for user, port in GIVEN_PORTS.items() if user != name}
    port = free_server_port(taken)
    if port is None:
        end_squatters()
        time.sleep(0.5)  # the kernel frees the ports of the ended processes
        port = free_server_port(taken)
    if port is None:
        raise RuntimeError(f"no free port for a server in {SERVER_PORTS.start}-{SERVER_PORTS[-1]}")
    GIVEN_PORTS[name] = port
    return port


def prepare_account(spawner) -> None:
    """Before a server starts: a private home, the course apps, and the trainer's course."""
    name = spawner.user.name
    account = pwd.getpwnam(name)
    if account.pw_uid < 1000 or not in_group(name):
        raise ValueError(f"{name} is not an account of this hub")
    home = Path(account.pw_dir)
    home.chmod(0o700)  # whatever the system default, nobody else reads a lead's files
    links = {"course-apps": HERE / "apps", "course": COURSE_ROOT / "course"}
    for link, target in links.items():
        path = home / link
        if not path.is_symlink() and not path.exists():
            path.symlink_to(target)
            os.lchown(path, account.pw_uid, account.pw_gid)
    # A trainer is listed in WHOLESCHOOL_HUB_TRAINERS or made a hub admin (by a trainer, or by
    # an LMS launch as the course's teacher: lti_signin.py).
    trainer = name in TRAINERS or spawner.user.admin
    if trainer:
        # The trainer's own copy of the nbgrader course; never overwritten once made.
        course = home / "assessments"
        if not course.exists():
            shutil.copytree(
                COURSE_ROOT / "assessments",
                course,
                ignore=shutil.ignore_patterns(
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
                ),
            )
            for folder, _dirs, files in os.walk(course):
                os.chown(folder, account.pw_uid, account.pw_gid)
                for file in files:
                    os.chown(os.path.join(folder, file), account.pw_uid, account.pw_gid)
    # Nobody's server starts while the exchange's course folder is not the trainer's: a lead
    # who took it would receive the others' submissions and hand out assignments of their own.
    check_exchange_course(EXCHANGE, COURSE_ID, TRAINERS)
    spawner.environment["WHOLESCHOOL_HUB_ROLE"] = "trainer" if trainer else "lead"
    if trainer:  # the trainer's Python kernels run in a sandbox (sandbox_kernel.py)
        spawner.environment["JUPYTER_PATH"] = os.pathsep.join(
            [str(HERE / "trainer-data"), str(HERE / "jupyter-data")]
        )
    else:  # a lead's JupyterLab without the trainer's panels (lead-config/labconfig)
        spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            [str(HERE / "lead-config"), str(HERE / "user-config")]
        )
    spawner.port = server_port(name)
    spawner.default_url = "/lab" if trainer else "/voila/render/course-apps/index.ipynb"


# --- single-user servers ----------------------------------------------------------------------
# Each server's output goes to ~/.jupyter-server.log (the user's own, 0600), never the hub's
# log; no handle of the hub's is inherited; per-process limits (hub_guards.CourseSpawner).
c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.cmd = [str(USER_ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.pre_spawn_hook = ROSTER.after(prepare_account)
c.Spawner.environment = {
    "PATH": f"{USER_ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    # Course settings for every user's Jupyter: nbgrader's exchange and course id, Voila's.
    "JUPYTER_CONFIG_PATH": str(HERE / "user-config"),
    "JUPYTER_PATH": str(HERE / "jupyter-data"),  # the Voila template for the apps
    "WHOLESCHOOL_EXCHANGE": str(EXCHANGE),
    "WHOLESCHOOL_COURSE_ID": COURSE_ID,
    # Kernels kept warm per lead for the app pages (user-config/warm_kernels.py); 0: none.
    "WHOLESCHOOL_HUB_WARM_KERNELS": setting("WARM_KERNELS", "1"),
    # Seconds before a kernel nobody is connected to is shut down (user-config).
    "WHOLESCHOOL_HUB_KERNEL_CULL": setting("KERNEL_CULL", "1200"),
}
c.Spawner.start_timeout = int(setting("START_TIMEOUT", "120"))
c.Spawner.http_timeout = int(setting("HTTP_TIMEOUT", "120"))
# A lead's Jupyter (server, kernel, Voila) uses about 0.25 GB; see SCALING.md.
c.Spawner.mem_guarantee = "256M"
c.JupyterHub.concurrent_spawn_limit = int(setting("CONCURRENT_SPAWNS", "100"))

# --- home page: the course apps ---------------------------------------------------------------
c.JupyterHub.template_paths = [str(HERE / "templates")]
c.JupyterHub.template_vars = {
    "course_apps": json.loads((HERE / "apps" / "apps.json").read_text(encoding="utf-8")),
    "trainers": sorted(TRAINERS),
}

# --- idle culler ------------------------------------------------------------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={IDLE_TIMEOUT}",
            "--cull-every=300",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]

# A token for scripts that drive the hub (make hub, the tests, the benchmark): only when set.
_admin_token = os.environ.get("WHOLESCHOOL_HUB_ADMIN_TOKEN", "").strip()
if _admin_token:
    c.JupyterHub.services.append({"name": "hubctl", "api_token": _admin_token})
    c.JupyterHub.load_roles.append(
        {
            "name": "hubctl",
            "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
            "services": ["hubctl"],
        }
    )

# Site-specific overrides (LTI 1.3, TLS, ...) go in this file, kept out of git.
_local = Path(setting("LOCAL_CONFIG", str(STATE / "jupyterhub_config_local.py")))
if _local.is_file():
    load_subconfig(str(_local))  # noqa: F821
