"""Jupyter server settings for every account on the course hub (found via JUPYTER_CONFIG_PATH;
the modules it imports beside it via PYTHONPATH, both set by the hub's spawner).

Voila renders the course apps: code hidden, widgets live, and no traceback ever shown to a lead
(an error is logged for the trainer instead).
"""

import atexit
import os
import shutil
import tempfile

from guarded_kernels import GuardedKernelManager, only_course_apps, owner_only

c = get_config()  # noqa: F821

# Only the server's own user gets in, never a hub admin (the trainer): every server shares the
# hub's origin, so a page a lead made (a notebook's output, an HTML file) opened in the
# trainer's browser would run with the trainer's rights.
owner_only()

# Voila renders only the course's own apps (deploy/hub/apps, reached through ~/course-apps),
# never a notebook of the user's, a lead's submission or anything else in a home.
c.VoilaConfiguration.prelaunch_hook = only_course_apps
# Kernels nobody is connected to (a page opened and never connected, a tab closed) are shut
# down after this many idle seconds; the warm kernel kept for the apps is not.
c.MappingKernelManager.cull_idle_timeout = int(
    os.environ.get("WHOLESCHOOL_HUB_KERNEL_CULL", "1200")
)
c.MappingKernelManager.cull_interval = min(60, c.MappingKernelManager.cull_idle_timeout)
c.MappingKernelManager.cull_connected = False

# The trainer's server never starts a kernel for a lead's work (submitted, autograded or
# replaced notebooks in ~/assessments): their code would run as the trainer.
c.ServerApp.kernel_manager_class = GuardedKernelManager

# The trainer's cohort page (cohort_page.py beside this file): on the trainer's server only.
if os.environ.get("WHOLESCHOOL_HUB_ROLE") == "trainer":
    c.ServerApp.jpserver_extensions = {"cohort_page": True}

if os.environ.get("WHOLESCHOOL_HUB_ROLE") == "lead":
    # One kernel kept warm (course package imported) for the next app page: a class opening
    # its apps at once does not wait for thirty kernel starts (see warm_kernels.py, SCALING.md).
    # WHOLESCHOOL_HUB_WARM_KERNELS=0 turns it off.
    from warm_kernels import WarmKernelManager

    c.ServerApp.kernel_manager_class = WarmKernelManager
    c.WarmKernelManager.warm_kernels = int(os.environ.get("WHOLESCHOOL_HUB_WARM_KERNELS", "1"))
    # A lead needs JupyterLab, nbgrader's Assignments tab and Validate, Jupytext (the course
    # pages) and Voila; not the language servers or the trainer's formgrader. A lighter
    # server starts faster when a whole class logs in (see SCALING.md).
    c.ServerApp.jpserver_extensions = {
        "jupyter_lsp": False,
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
    }
    # The course apps' index links to the lead's Assignments list through this workspace.
    from assignments_workspace import write_assignments_workspace

    write_assignments_workspace()

# Kernels talk to their server over Unix sockets in the account's own runtime folder (0700
# home), not TCP ports on 127.0.0.1: no port another account can reach, and no race for ports
# when a class's servers all start kernels at once (in a benchmark a kernel took the port the
# hub had chosen for another lead's server, and that server never came up).
# The sockets live in a folder of this account's own under /tmp (made 0700, name unguessable,
# removed when the server exits): a Unix socket's path must stay under 108 bytes, which the
# runtime folder inside a long home path does not.
SOCKETS = tempfile.mkdtemp(prefix="wsk-")
atexit.register(shutil.rmtree, SOCKETS, ignore_errors=True)
c.KernelManager.transport = "ipc"
c.KernelManager.ip = os.path.join(SOCKETS, "kernel")

# Nothing in a page's address changes how a page is drawn. Voila copies ``?theme=`` into the
# page unescaped and ``?template=lab`` pulls stylesheets from public CDNs; as every server shares
# the hub's origin, one crafted link clicked by the trainer ran script with the trainer's
# rights (it made a lead a hub admin). Theme and template are fixed here, never taken from the
# address or the notebook.
c.VoilaConfiguration.allow_template_override = "NO"
c.VoilaConfiguration.allow_theme_override = "NO"
# Script, styles, fonts and connections only from the hub's own origin (no CDN, no sending a
# page's content elsewhere); framed only by the hub's own pages (formgrader inside JupyterLab).
# Inline script stays allowed: JupyterLab and Voila's pages are built on it.
# Frames: the hub's own pages, and blob: documents, which only a page of this origin can make:
# JupyterLab's HTML viewer shows a page (a lead's returned feedback) as a blob: document in a
# sandboxed frame, and without ``frame-src ... blob:`` (``default-src`` applies) it showed
# "This content is blocked". ``frame-ancestors`` is unchanged: no other site may frame these.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": CONTENT_SECURITY_POLICY}}

if os.environ.get("WHOLESCHOOL_HUB_ROLE") == "lead":
    # A lead's answer boxes read as text boxes, not Python: lines wrap, no brackets closed for
    # them (lead-config/lab-settings), no syntax colours, the page's font
    # (lead-config/custom/custom.css, served as JupyterLab's custom CSS).
    LEAD_CONFIG = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lead-config"
    )
    c.LabApp.app_settings_dir = os.path.join(LEAD_CONFIG, "lab-settings")
    c.LabApp.custom_css = True
    c.ServerApp.tornado_settings["static_custom_path"] = [os.path.join(LEAD_CONFIG, "custom")]

c.VoilaConfiguration.strip_sources = True
c.VoilaConfiguration.show_tracebacks = False
c.VoilaConfiguration.theme = "light"
# Our template: Voila's lab template without stylesheets from a public CDN
# (deploy/hub/jupyter-data/voila/templates/wholeschool, found through JUPYTER_PATH).
c.VoilaConfiguration.template = "wholeschool"
# Only the front-end extensions the apps need: the widget managers and code highlighting.
# (nbgrader's and Jupytext's JupyterLab extensions fail to load inside Voila.)
c.VoilaConfiguration.extension_allowlist = [
    "@jupyter-widgets/jupyterlab-manager",
    "@voila-dashboards/widgets-manager8",
    "jupyterlab_pygments",
]

# Terminals keep the hub's PATH (a login shell would reset it from /etc/profile and lose the
# course environment, where `wholeschool` and `nbgrader` live).
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash", "-i"]}
