"""A JupyterLab workspace that opens on nbgrader's Assignments list, for a lead's server.

JupyterLab has no address for the Assignments list (nbgrader's panel is opened from a menu),
but it restores the panels a workspace holds. At each start a lead's server writes the
workspace ``assignments`` (the panel and nothing else) among the lead's own workspaces; the
course apps' index links to ``lab/workspaces/course?clone=assignments``, which copies it into
the workspace ``course`` and opens it: the lead lands on their assignments every time.
"""

from __future__ import annotations

import json
import logging

#: The workspace the apps' index clones; the panel's key is nbgrader's restorer key.
NAME = "assignments"
PANEL = "nbgrader-assignment-list:nbgrader-assignment-list"


def write_assignments_workspace() -> None:
    """Write (or rewrite) the lead's ``assignments`` workspace; a failure is only logged."""
    from jupyterlab.commands import get_workspaces_dir
    from jupyterlab_server.workspaces_handler import WorkspacesManager

    workspace = {
        "data": {
            "layout-restorer:data": {
                "main": {
                    "dock": {"type": "tab-area", "currentIndex": 0, "widgets": [PANEL]},
                    "current": PANEL,
                }
            },
            PANEL: {"data": {}},
        },
        "metadata": {"id": NAME},
    }
    try:
        WorkspacesManager(get_workspaces_dir()).save(NAME, json.dumps(workspace))
    except (OSError, ValueError) as error:
        logging.getLogger(__name__).warning("No Assignments workspace: %s", error)
