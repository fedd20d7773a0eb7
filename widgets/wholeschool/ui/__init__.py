"""The forms a lead fills in, the same in Jupyter, on a hub (Voilà) and in the browser.

Each returns an ipywidgets form that saves itself through :class:`wholeschool.store.RecordFolder`.
The forms are imported when first used, so a page that shows one form loads only its code.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "audit": "audit_form",
    "calibration": "calibration_form",
    "moderation_view": "moderation_form",
    "colleague_rating": "rater_form",
    "action_plan": "plan_editor",
    "progress_log": "progress_form",
    "progress_charts": "outputs",
    "progress_files": "outputs",
    "progress_page": "outputs",
    "records_panel": "records_form",
    "governors_report": "report_page",
    "workbook": "workbook_app",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
