"""Where records live, and the name of each record's file in a records folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Environment variable naming the folder where the lead's records live.
RECORDS_ENV = "WHOLESCHOOL_RECORDS"
#: In the browser (JupyterLite's Pyodide kernel) only files under /drive are kept between visits.
BROWSER_DRIVE = Path("/drive")
BROWSER_RECORDS = BROWSER_DRIVE / "records"

AUDIT_FILE = "audit.json"
PLAN_FILE = "plan.json"
EVIDENCE_FILE = "evidence.json"


def in_browser() -> bool:
    """True when running in a browser kernel (Pyodide, in JupyterLite)."""
    return sys.platform == "emscripten"


def browser_storage_kept(
    folder: Path, *, browser: bool | None = None, drive: Path = BROWSER_DRIVE
) -> bool:
    """False when ``folder`` is in the browser's storage (under ``drive``) but this browser
    Python has no working storage there: the drive was not mounted (JupyterLite found no service
    worker when the kernel started: a private window, a browser setting) or nothing answers it.
    Files written there would then live only in memory and be gone when the tab closes. True
    anywhere else (``browser``: whether this is the browser's Python; by default, asked)."""
    if not (in_browser() if browser is None else browser):
        return True
    if not folder.is_relative_to(drive):
        return True
    try:
        os.listdir(drive)  # the mounted drive asks the service worker; a bare folder is missing
    except OSError:
        return False
    return True


def records_folder() -> Path:
    """The folder for the lead's records.

    ``$WHOLESCHOOL_RECORDS`` if set; in the browser ``/drive/records`` (the browser's own
    storage); otherwise ``~/wholeschool-records``. The one place this default is decided.
    Building the book points the variable at an empty throwaway folder, so a lead's own records
    never end up in the published pages.
    """
    value = os.environ.get(RECORDS_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    return BROWSER_RECORDS if in_browser() else Path.home() / "wholeschool-records"


def log_file(academic_year: str, term: str) -> str:
    """``progress-2026-27-autumn.json``: the file name of a term's progress log."""
    return f"progress-{academic_year}-{term}.json"
