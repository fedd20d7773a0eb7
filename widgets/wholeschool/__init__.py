"""wholeschool: the Python package behind the Senior Mental Health Lead course.

Layers, each importing only the ones below it (checked by the test suite):

* ``cli`` – the ``wholeschool`` command line;
* ``ui`` – the ipywidgets forms (self-audit, action plan, progress log, evidence, records);
  ``grading`` – the trainer's nbgrader tools and the reflection checks;
* ``reports`` – the governors' report, progress summary and plan exports, built once as blocks;
* ``render`` – blocks to HTML (Jinja2, escaped), Word, CSV/Excel (formula-safe), Markdown, charts;
* ``store`` – the record store: guarded reads, locked atomic writes, history;
* ``core`` – the framework, record types, scoring and planning as plain data and functions.
"""

from .core import (
    FRAMEWORK,
    AuditRecord,
    DataFileError,
    EvidenceLog,
    Framework,
    FrameworkError,
    IndicatorRating,
    PlanAction,
    PlanRecord,
    ProgressLog,
    RecordError,
    WholeschoolError,
    load_framework,
)
from .store import RecordFolder, load_record, records_folder, save_record, scan_records

__version__ = "0.2.0"

__all__ = [
    "FRAMEWORK",
    "AuditRecord",
    "DataFileError",
    "EvidenceLog",
    "Framework",
    "FrameworkError",
    "IndicatorRating",
    "PlanAction",
    "PlanRecord",
    "ProgressLog",
    "RecordError",
    "RecordFolder",
    "WholeschoolError",
    "load_framework",
    "load_record",
    "records_folder",
    "save_record",
    "scan_records",
]
