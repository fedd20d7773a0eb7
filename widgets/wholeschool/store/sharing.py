"""Sharing a lead's audit summary with their trainer on the course hub, and taking it back.

The trainer's course has a folder for shared summaries in nbgrader's exchange that leads can
write to but not list (made with the course's other exchange folders). A lead who chooses to
share writes ``<lead>+audit-summary+<random>.json`` there (the summary only, see
:mod:`wholeschool.core.shared_summary`); the name is kept in the lead's records folder, so
sharing again replaces it and stopping removes it. Nothing is sent anywhere else.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..core.shared_summary import summary_of
from .atomic import write_atomic
from .current import current_records
from .folder import RecordFolder

#: The exchange's folder of shared summaries (inside the course's folder).
SHARED_AUDITS = "shared-audits"
#: In the lead's records folder: the name of the summary they shared (not a record).
REMEMBERED = ".shared-with-trainer"


class SharingError(Exception):
    """Sharing could not be done; the message says why, in plain words."""


def hub_course() -> Path | None:
    """The course's folder in nbgrader's exchange, when this is a lead's server on the hub."""
    exchange = os.environ.get("WHOLESCHOOL_EXCHANGE", "")
    if os.environ.get("WHOLESCHOOL_HUB_ROLE") != "lead" or not exchange:
        return None
    return Path(exchange) / os.environ.get("WHOLESCHOOL_COURSE_ID", "wholeschool-smhl")


def sharing_folder() -> Path | None:
    """The hub's folder for shared summaries, when this is a lead's server on the hub."""
    course = hub_course()
    return None if course is None else course / SHARED_AUDITS


def shared_file(folder: RecordFolder, outbox: Path) -> Path | None:
    """The summary this lead shared and still shares, if any."""
    try:
        name = (folder.path / REMEMBERED).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    path = outbox / name
    return path if name and "/" not in name and path.is_file() else None


def share_summary(folder: RecordFolder, outbox: Path, lead: str) -> Path:
    """Share the summary of the lead's current self-audit (replacing one shared before)."""
    audit = current_records(folder).audit
    if audit is None or not audit.rated():
        raise SharingError("Rate at least one indicator in a self-audit first.")
    if not outbox.is_dir():
        raise SharingError(
            "Your trainer has not opened sharing yet: it opens when they release the first "
            "assignment."
        )
    earlier = shared_file(folder, outbox)
    summary = summary_of(audit, folder.today(), folder.framework)
    path = outbox / f"{lead}+audit-summary+{secrets.token_hex(8)}.json"
    write_atomic(path, summary.model_dump_json(indent=1))
    path.chmod(0o644)  # the trainer reads it; leads cannot list the folder to find it
    folder.path.mkdir(parents=True, exist_ok=True)
    write_atomic(folder.path / REMEMBERED, path.name + "\n")
    if earlier is not None:
        earlier.unlink(missing_ok=True)
    return path


def stop_sharing(folder: RecordFolder, outbox: Path) -> bool:
    """Remove the summary this lead shared; True if there was one."""
    shared = shared_file(folder, outbox)
    if shared is not None:
        shared.unlink(missing_ok=True)
    (folder.path / REMEMBERED).unlink(missing_ok=True)
    return shared is not None
