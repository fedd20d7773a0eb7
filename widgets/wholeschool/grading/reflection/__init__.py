"""Structured reflections and the automatic checklist that gives a lead feedback at once.

A lead writes a :class:`Reflection` (in the data strand as code from :func:`template_code`, in
the leads' strand as plain text read by :mod:`wholeschool.grading.reflection_text`), and
:func:`check_reflection` returns a :class:`Checklist`: one line per criterion, each passed or
failed with a message in plain English. The criteria live in ``data/reflection_criteria.yaml``.
The checks are formative; the trainer grades the thinking by hand.

One module per job: :mod:`.criteria` (the criteria as data), :mod:`.answer` (what a lead fills
in), :mod:`.heuristics` (reading dates, measures, indicators and pupil details in text),
:mod:`.check` (the check) and :mod:`.result` (the checklist and how it shows).
"""

from .answer import Action, Reflection, reflection_template, template_code
from .check import CHECKS, SavedAudit, check_reflection
from .criteria import CRITERIA_FILE, CRITERION_IDS, TEXT_FIELDS, Criteria, Criterion, load_criteria
from .heuristics import (
    academic_window,
    measurable_reason,
    mentioned_indicators,
    parse_date,
    privacy_flags,
)
from .result import Checklist, CriterionResult

__all__ = [
    "CHECKS",
    "CRITERIA_FILE",
    "CRITERION_IDS",
    "TEXT_FIELDS",
    "Action",
    "Checklist",
    "Criteria",
    "Criterion",
    "CriterionResult",
    "Reflection",
    "SavedAudit",
    "academic_window",
    "check_reflection",
    "load_criteria",
    "measurable_reason",
    "mentioned_indicators",
    "parse_date",
    "privacy_flags",
    "reflection_template",
    "template_code",
]
