"""Sphinx extension: the rocket (launch) button on notebook pages, from ``_config.yml``.

* **Course hub** (``launch_buttons.jupyterhub_url``): the course is installed on the hub
  (``deploy/hub``), so the button opens the page's app in Voila when it has one (self-audit,
  action plan, progress log, governors' report: forms, not code) and the page itself in
  JupyterLab otherwise. Nothing is pulled from git, so it needs no public repository.
* **Binder** (``launch_buttons.binderhub_url``): only when ``repository.url`` names a real
  repository (the one setting that says where the course is published). With no repository
  there is no Binder button: never a link that leads nowhere.

The theme's own launch buttons are switched off: it sends JupyterHub users through nbgitpuller
and fails without a repository. With neither setting, a page has no launch button at all.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from sphinx.application import Sphinx
from sphinx.config import Config

#: Where the hub's apps are listed (page -> app), relative to the book's source folder.
APPS_MANIFEST = "deploy/hub/apps/apps.json"
#: The folder of app notebooks and of the course pages in each hub user's home.
HUB_APPS, HUB_COURSE = "course-apps", "course"


def read_apps(path: Path) -> dict[str, str]:
    """Book page (docname) -> app notebook file, from the hub's ``apps.json``."""
    if not path.is_file():
        return {}
    return {app["page"]: app["file"] for app in json.loads(path.read_text(encoding="utf-8"))}


def binder_url(binderhub: str, repository: str, branch: str, docname: str) -> str | None:
    """Binder link for a page of a published repository, or None without a repository."""
    binderhub, repository = binderhub.strip().rstrip("/"), repository.strip().rstrip("/")
    if not binderhub or not repository:
        return None
    parts = urlparse(repository)
    owner_repo = parts.path.strip("/").removesuffix(".git")
    if parts.netloc == "github.com" and owner_repo.count("/") == 1:
        where = f"gh/{owner_repo}/{branch}"
    else:
        where = f"git/{quote(repository, safe='')}/{branch}"
    return f"{binderhub}/v2/{where}?urlpath=lab/tree/{docname}.md"


def hub_url(jupyterhub: str, docname: str, apps: dict[str, str]) -> str | None:
    """The course hub link: the page's app in Voila, else the page in JupyterLab."""
    jupyterhub = jupyterhub.strip().rstrip("/")
    if not jupyterhub:
        return None
    if docname in apps:
        return f"{jupyterhub}/hub/user-redirect/voila/render/{HUB_APPS}/{quote(apps[docname])}"
    page = docname.removeprefix(f"{HUB_COURSE}/")
    return f"{jupyterhub}/hub/user-redirect/lab/tree/{HUB_COURSE}/{quote(page)}.md"


def launch_links(settings: dict[str, Any], docname: str, apps: dict[str, str]) -> list[dict]:
    """The buttons a notebook page gets; ``settings`` holds the ``_config.yml`` values."""
    buttons = []
    hub = hub_url(settings.get("jupyterhub_url") or "", docname, apps)
    if hub:
        buttons.append(
            {
                "type": "link",
                "text": "Course hub",
                "tooltip": "Open this page on your course hub",
                "icon": "_static/images/logo_jupyterhub.svg",
                "url": hub,
            }
        )
    binder = binder_url(
        settings.get("binderhub_url") or "",
        settings.get("repository_url") or "",
        settings.get("repository_branch") or "main",
        docname,
    )
    if binder:
        buttons.append(
            {
                "type": "link",
                "text": "Binder",
                "tooltip": "Launch on Binder (temporary: download your records before closing)",
                "icon": "_static/images/logo_binder.svg",
                "url": binder,
            }
        )
    return buttons


def take_over(app: Sphinx, config: Config) -> None:
    """``config-inited``: keep the launch settings for this extension, hide them from the theme."""
    options = config.html_theme_options
    launch = dict(options.get("launch_buttons") or {})
    app.course_launch = {  # type: ignore[attr-defined]
        "jupyterhub_url": launch.pop("jupyterhub_url", ""),
        "binderhub_url": launch.pop("binderhub_url", ""),
        "repository_url": options.get("repository_url", ""),
        "repository_branch": options.get("repository_branch", "main"),
    }
    options["launch_buttons"] = launch
    app.course_apps = read_apps(Path(app.srcdir) / APPS_MANIFEST)  # type: ignore[attr-defined]


def add_buttons(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context`` (after the theme's buttons): the launch group of a notebook page."""
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    buttons = launch_links(app.course_launch, pagename, app.course_apps)  # type: ignore[attr-defined]
    if buttons and isinstance(context.get("header_buttons"), list):
        context["header_buttons"].append(
            {
                "type": "group",
                "tooltip": "Launch interactive content",
                "icon": "fas fa-rocket",
                "buttons": buttons,
                "label": "launch-buttons",
            }
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", take_over, priority=100)
    app.connect("html-page-context", add_buttons, priority=502)
    # A new version of this file makes Sphinx rebuild every page (else old pages keep old HTML).
    source_version = int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8], 16) or 1
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": source_version,
    }
