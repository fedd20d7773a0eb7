"""wholeschool: the Python package behind the Senior Mental Health Lead course.

The widgets live in submodules, imported when needed: ``wholeschool.audit`` (self-audit),
``wholeschool.plan`` (action plan and its exports), ``wholeschool.progress`` (termly logs).
"""

from .errors import DataFileError, FrameworkError, RecordError, WholeschoolError
from .framework import FRAMEWORK, Framework, load_framework
from .records import AuditRecord, IndicatorRating, PlanAction, PlanRecord, ProgressLog
from .storage import load_record, records_folder, save_record, scan_records

__version__ = "0.1.0"

__all__ = [
    "FRAMEWORK",
    "AuditRecord",
    "DataFileError",
    "Framework",
    "FrameworkError",
    "IndicatorRating",
    "PlanAction",
    "PlanRecord",
    "ProgressLog",
    "RecordError",
    "WholeschoolError",
    "load_framework",
    "load_record",
    "records_folder",
    "save_record",
    "scan_records",
]
