"""What a lead fills in: a :class:`Reflection` with :class:`Action` items, and its template.

Every field accepts anything, so writing a reflection never fails; the check says in plain words
what is wrong with it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ...core.framework import FRAMEWORK, Framework
from .criteria import Criteria, load_criteria


class _Lenient(BaseModel):
    """Accepts anything, even values without names, so that writing an answer never fails."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
    _unnamed: tuple[object, ...] = PrivateAttr(default=())

    def __init__(self, *unnamed: object, **fields: object) -> None:
        super().__init__(**fields)
        self._unnamed = unnamed

    def naming_problems(self, what: str) -> Iterator[str]:
        """Plain-English problems with how the fields were written (unnamed or misspelt)."""
        if self._unnamed:
            count = len(self._unnamed)
            first = next(iter(type(self).model_fields))
            yield (
                f"{what} was given {count} value{'s' * (count != 1)} without a field name; "
                f'write each one as name=value, for example {first}="..."'
            )
        for extra in self.model_extra or {}:
            close = difflib.get_close_matches(extra, list(type(self).model_fields), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            fields = ", ".join(f"`{f}`" for f in type(self).model_fields)
            yield f"`{extra}` is not a field of {what} (the fields are {fields}){hint}"


class Action(_Lenient):
    """One action: what will happen, the role that owns it, and the target date."""

    what: Any = Field(default=None, description="What will happen, in one sentence.")
    owner: Any = Field(default=None, description="The role that owns it, not a person's name.")
    target_date: Any = Field(
        default=None, description="When it will be done: 2027-03-31 or 31/03/2027."
    )


class Reflection(_Lenient):
    """A lead's reflection on one principle, as a structured answer the course can check."""

    finding: Any = Field(default=None, description="What your self-audit showed.")
    ratings: Any = Field(
        default=None,
        description='Optional: ratings quoted from your self-audit, e.g. {"leadership.3": 1}.',
    )
    evidence: Any = Field(default=None, description="The evidence behind your ratings.")
    actions: Any = Field(default=None, description="One to three Action(...) items, in a list.")
    success_measure: Any = Field(default=None, description="How you will know it worked.")
    reflection: Any = Field(default=None, description="Your reflection, in your own words.")


def reflection_template(
    principle_id: str, criteria: Criteria | None = None, framework: Framework = FRAMEWORK
) -> Reflection:
    """The reflection a lead starts from: every field holds guidance text to replace."""
    framework.principle(principle_id)
    t = (criteria or load_criteria()).template
    return Reflection(
        finding=t.finding,
        ratings={},
        evidence=t.evidence,
        actions=[
            Action(what=t.action_what, owner=t.action_owner, target_date=t.action_target_date)
        ],
        success_measure=t.success_measure,
        reflection=t.reflection,
    )


def template_code(
    principle_id: str, criteria: Criteria | None = None, framework: Framework = FRAMEWORK
) -> str:
    """Python source of the template, for the code cell where a lead writes a reflection."""
    principle = framework.principle(principle_id)
    t = (criteria or load_criteria()).template
    example = principle.indicators[0].id
    q = _quote
    return f'''reflection = Reflection(
    finding={q(t.finding)},
    # Optional: ratings you quote from your saved self-audit, e.g. {{"{example}": 2}}
    ratings={{}},
    evidence={q(t.evidence)},
    actions=[  # one to three actions
        Action(
            what={q(t.action_what)},
            owner={q(t.action_owner)},
            target_date={q(t.action_target_date)},
        ),
    ],
    success_measure={q(t.success_measure)},
    reflection={q(t.reflection)},
)'''


def _quote(text: str) -> str:
    """A double-quoted Python string literal (JSON string syntax is valid Python)."""
    return json.dumps(text, ensure_ascii=False)
