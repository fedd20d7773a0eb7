"""Write the course apps for the hub: one thin notebook per page, rendered by Voila.

Run ``python deploy/hub/make_apps.py`` after changing the framework's principles or this list;
a test fails when the committed notebooks differ from what this writes. Each app notebook is a
short heading and one import and one call into the ``wholeschool`` package. ``apps.json``
lists them for the hub's home page and for the book's launch buttons (page -> app).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from wholeschool.ui.workbook_app import AUDIT_PREFIX, workbook_forms

APPS = Path(__file__).resolve().parent / "apps"
#: Imported by every app notebook (one import, one call).
MODULE = "wholeschool.ui"

SAFEGUARDING = (
    "Never name pupils or give details that could identify a pupil. Any worry about a child's "
    "safety goes to your designated safeguarding lead (DSL), following your school's "
    "safeguarding procedures, not into this form."
)
#: The lead's Assignments list in JupyterLab (from the index, deploy/hub/apps/index.ipynb, at
#: /user/<name>/voila/render/course-apps/): a workspace holding only that panel, written by
#: the lead's server (user-config/assignments_workspace.py), copied afresh on every visit.
ASSIGNMENTS_LINK = "../../../lab/workspaces/course?clone=assignments"
SAVES = "Your answers save themselves to your own folder on the hub (`wholeschool-records`)."
#: What the forms that save nothing say instead.
SAVES_NOTHING = {
    "calibration.ipynb": "Nothing is saved: this is practice on an invented school.",
    "colleague-rating.ipynb": "Nothing is saved on the hub: the form makes a file to send.",
}


#: The hub's file name of a workbook form where it is not the form's id.
FILE_NAMES = {"my-records": "records"}
#: The one call each app makes (a self-audit calls ``audit`` with its principle).
CALLS = {
    "calibration": "calibration()",
    "colleague-rating": "colleague_rating()",
    "team-moderation": "moderation_view()",
    "action-plan": "action_plan()",
    "progress-log": "progress_page()",
    "governors-report": "governors_report()",
    "my-records": "records_panel()",
}


def app_list() -> list[dict[str, str]]:
    """Every app: file name, title, one-line purpose, the book page it stands for, the call.

    The forms, their titles, purposes and pages are the live workbook's
    (``wholeschool/data/workbook.yaml``): one list for the browser and the hub."""
    apps = []
    for form in workbook_forms():
        if form.id.startswith(AUDIT_PREFIX):
            call = f'audit("{form.id[len(AUDIT_PREFIX) :]}")'
        else:
            call = CALLS[form.id]
        apps.append(
            {
                "file": f"{FILE_NAMES.get(form.id, form.id)}.ipynb",
                "title": form.title,
                "about": form.purpose,
                "page": form.page,
                "call": call,
            }
        )
    return apps


def app_notebook(app: dict[str, str]) -> nbformat.NotebookNode:
    function = app["call"].split("(", 1)[0]
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            f"# {app['title']}\n\n{app['about']} {SAVES_NOTHING.get(app['file'], SAVES)}\n\n"
            f"**Safeguarding:** {SAFEGUARDING}\n\n[All course apps](index.ipynb)"
        ),
        nbformat.v4.new_code_cell(f"from {MODULE} import {function}\n\n{app['call']}"),
    ]
    return nb


def index_notebook(apps: list[dict[str, str]]) -> nbformat.NotebookNode:
    """The landing page a lead sees first: every app, as links."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    lines = [f"- [{a['title']}]({a['file']}): {a['about']}" for a in apps]
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Your course apps\n\n"
            "Each app is a form that saves itself to your own folder on the hub; nobody else "
            "can read it. Work through the self-audit of each principle first: the action plan, "
            "the progress log and the report read from it.\n\n" + "\n".join(lines) + "\n\n"
            f"**Safeguarding:** {SAFEGUARDING}\n\n"
            "Your reflection tasks are on your "
            f"[Assignments page]({ASSIGNMENTS_LINK}) (in JupyterLab): fetch one, work through "
            "it and submit it there. When your trainer returns feedback, choose *Fetch "
            "Feedback* there, then in the file browser open the assignment's folder, its "
            "`feedback` folder and the dated folder in it, and double-click the page there to "
            "read it. The course pages are in the `course` folder."
        )
    ]
    return nb


def rendered() -> dict[str, str]:
    """File name -> exact text of every file this script writes."""
    apps = app_list()
    files = {a["file"]: nbformat.writes(app_notebook(a)) + "\n" for a in apps}
    files["index.ipynb"] = nbformat.writes(index_notebook(apps)) + "\n"
    manifest = [{k: a[k] for k in ("file", "title", "about", "page")} for a in apps]
    files["apps.json"] = json.dumps(manifest, indent=2) + "\n"
    return files


def _stable_ids(text: str, name: str) -> str:
    """nbformat gives cells random ids; number them instead so the output is reproducible."""
    nb = json.loads(text) if name.endswith(".ipynb") else None
    if nb is None:
        return text
    for number, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{number}"
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def expected() -> dict[str, str]:
    return {name: _stable_ids(text, name) for name, text in rendered().items()}


def main() -> None:
    APPS.mkdir(exist_ok=True)
    files = expected()
    for stale in APPS.glob("*.ipynb"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (APPS / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {APPS}")


if __name__ == "__main__":
    main()
