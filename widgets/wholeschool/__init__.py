"""wholeschool: the Python package behind the Senior Mental Health Lead course."""

from .errors import DataFileError, FrameworkError, RecordError, WholeschoolError
from .framework import FRAMEWORK, Framework, load_framework
from .records import AuditRecord, IndicatorRating
from .storage import load_record, save_record, scan_records

__version__ = "0.1.0"

__all__ = [
    "FRAMEWORK",
    "AuditRecord",
    "DataFileError",
    "Framework",
    "FrameworkError",
    "IndicatorRating",
    "RecordError",
    "WholeschoolError",
    "load_framework",
    "load_record",
    "save_record",
    "scan_records",
]
