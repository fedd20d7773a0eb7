"""JupyterHub configuration for a trainer's cohort on one server (see README.md beside this file).

Start it as root from the checkout, with this folder on Python's path (its modules hold the
hub's classes): ``PYTHONPATH=deploy/hub jupyterhub -f deploy/hub/jupyterhub_config.py``.
Every setting that differs between servers comes from an environment variable named
``WHOLESCHOOL_HUB_...`` (listed in README.md, read once by ``course_hub.environment_config``);
the defaults suit a dedicated server.

Where things are:

* ``course_hub.py``: the course's own settings (``c.CourseHub``: folders, group, trainers,
  ports, password work factor), each a trait with its help, and the environment's names.
* ``course_accounts.py``: ``CourseAuthenticator``: NativeAuthenticator's sign-up and approval,
  one Unix account per approved user (private home, one group); trainers are hub admins.
* ``course_servers.py``: ``CourseSpawner``: each server's account prepared before it starts
  (course apps, the trainer's course, role, port); a lead lands on the apps (Voila), a trainer
  in JupyterLab. Its guards are ``hub_guards.py``; sign-in by LTI 1.3 is ``lti_signin.py``.
* This file: what this hub decides (policies, pages' headers, services), in ``c.X.y`` lines.
"""

import os
import sys
from pathlib import Path

from course_accounts import CourseAuthenticator
from course_hub import USERNAME_PATTERN, CourseHub, course_apps, environment_config
from course_servers import CourseSpawner
from hub_roster import Roster
from lti_signin import use_lti

c = get_config()  # noqa: F821  (JupyterHub provides get_config when it reads this file)

# --- this hub's defaults where JupyterHub's differ (WHOLESCHOOL_HUB_* below may change them) ---
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:8081"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:8001"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.concurrent_spawn_limit = 100

# --- the environment, read once: a bad setting stops the hub here, with its name -------------
c.merge(environment_config(os.environ))
#: The course's own settings (course_hub.CourseHub), for what this file derives from them.
course = CourseHub(config=c)

# --- network ----------------------------------------------------------------------------------
c.ConfigurableHTTPProxy.command = [course.proxy]
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
# Made now, before the hub starts: the state folder (root's), the accounts' group, the exchange.
course.prepare_host()
STATE = Path(course.state)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# Users are the accounts below; a hub restart must not leave servers running without it.
c.JupyterHub.cleanup_servers = True

# --- accounts ---------------------------------------------------------------------------------
# Every approved lead in the trainers' gradebooks, so the cohort page lists them (hub_roster.py):
# when a sign-up is approved, when an account is made, and before a trainer's server starts.
ROSTER = Roster(course.trainers, Path(course.user_env), USERNAME_PATTERN)
CourseAuthenticator = ROSTER.authenticator(CourseAuthenticator)
c.Spawner.pre_spawn_hook = ROSTER.after(lambda spawner: None)
c.JupyterHub.authenticator_class = CourseAuthenticator
c.Authenticator.admin_users = set(course.trainers)
# NativeAuthenticator decides who may log in (signed up and approved by a trainer).
c.Authenticator.allow_all = True
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
# Failed logins are held back per name and address, and per address, over five minutes
# (CourseAuthenticator.failed_logins_*, hub_guards.LoginThrottle), never per name alone.
c.CourseAuthenticator.failed_logins_per_name = 5
c.CourseAuthenticator.failed_logins_per_address = 30
c.CourseAuthenticator.failed_logins_window = 300
c.LocalAuthenticator.create_system_users = True
# Sign-in from the school's course platform by LTI 1.3 instead (README.md, lti_signin.py).
if course.sign_in == "lti":
    use_lti(c, CourseAuthenticator, STATE)

# --- single-user servers ----------------------------------------------------------------------
# Each server's output goes to ~/.jupyter-server.log (the user's own, 0600), never the hub's
# log; no handle of the hub's is inherited; per-process limits (hub_guards.GuardedSpawner).
# Its command and environment come from the course's settings (course_servers.py).
c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.notebook_dir = "~"
# A lead's Jupyter (server, kernel, Voila) uses about 0.25 GB; see SCALING.md.
c.Spawner.mem_guarantee = "256M"

# --- home page: the course apps ---------------------------------------------------------------
c.JupyterHub.template_paths = [str(Path(__file__).resolve().parent / "templates")]
c.JupyterHub.template_vars = {
    "course_apps": course_apps(),
    "trainers": sorted(course.trainers),
}

# --- idle culler ------------------------------------------------------------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={course.idle_timeout}",
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
if course.admin_token:
    c.JupyterHub.services.append({"name": "hubctl", "api_token": course.admin_token})
    c.JupyterHub.load_roles.append(
        {
            "name": "hubctl",
            "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
            "services": ["hubctl"],
        }
    )

# Site-specific overrides (LTI, TLS, ...) go in this file, kept out of git; loaded last.
if os.path.isfile(course.local_config):
    load_subconfig(course.local_config)  # noqa: F821
