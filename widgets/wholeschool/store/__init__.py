"""The record store: guarded reads, locked atomic writes, version history.

:class:`RecordFolder` is the way in; :func:`records_folder` says where a lead's records live.
"""

from .folder import RecordFolder, load_record, save_record, scan_records
from .locations import (
    AUDIT_FILE,
    EVIDENCE_FILE,
    PLAN_FILE,
    RECORDS_ENV,
    browser_storage_kept,
    in_browser,
    log_file,
    records_folder,
)
from .reader import Limits, Loaded

__all__ = [
    "AUDIT_FILE",
    "EVIDENCE_FILE",
    "PLAN_FILE",
    "RECORDS_ENV",
    "Limits",
    "Loaded",
    "RecordFolder",
    "browser_storage_kept",
    "in_browser",
    "load_record",
    "log_file",
    "records_folder",
    "save_record",
    "scan_records",
]
