"""The course's logic as plain data and functions: the framework, terms, record types,
scoring, planning, the crosswalk, migrations and the reflection checks.

This layer imports no other layer of the package, and none of pandas, matplotlib or
ipywidgets, so it runs anywhere (a browser kernel included).
"""

from .errors import DataFileError, FrameworkError, RecordError, WholeschoolError
from .framework import FRAMEWORK, Framework, load_framework
from .models import DataModel
from .records import (
    NO_PUPIL_DATA,
    AuditRecord,
    EvidenceEntry,
    EvidenceLog,
    IndicatorRating,
    PlanAction,
    PlanRecord,
    ProgressLog,
    Record,
)

__all__ = [
    "FRAMEWORK",
    "NO_PUPIL_DATA",
    "AuditRecord",
    "DataFileError",
    "DataModel",
    "EvidenceEntry",
    "EvidenceLog",
    "Framework",
    "FrameworkError",
    "IndicatorRating",
    "PlanAction",
    "PlanRecord",
    "ProgressLog",
    "Record",
    "RecordError",
    "WholeschoolError",
    "load_framework",
]
