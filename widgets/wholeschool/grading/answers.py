"""The leads' strand: answers written as plain text, read by the checks (no code to write).

A lead's notebook starts with one locked cell that calls :func:`start`. From then on:

- ``%%reflection`` cells hold the structured reflection as headed plain text (*Finding:*,
  *Evidence:*, *Action 1:* with *Owner:* and *Target date:*, *Success measure:*,
  *Reflection:*, and optionally *Ratings:*). Running the cell reads it into a
  :class:`~wholeschool.grading.reflection.Reflection` and shows the checklist at once.
- ``%%answer NAME`` cells hold a short answer, such as the letter of a choice.
- :func:`my_plan` finds the lead's saved action plan in their records folder and keeps a
  copy beside the notebook, so it is handed in with it; the lead never touches a file.

Nothing here raises on a lead's words: a heading missing or misspelt becomes a line of the
checklist, in plain English.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.dates import long_date
from ..core.errors import RecordError
from ..core.framework import FRAMEWORK, Framework
from ..core.records import PlanRecord
from ..store import PLAN_FILE, RecordFolder
from .checks import check_reflection as check_with_records
from .reflection import Action, Checklist, Criteria, Reflection, load_criteria

#: The copy of the lead's plan handed in with the notebook.
PLAN_COPY = "my-action-plan.json"

#: Headings of a written reflection (lower case) → the field they fill.
HEADINGS = {
    "finding": "finding",
    "ratings": "ratings",
    "evidence": "evidence",
    "success measure": "success_measure",
    "reflection": "reflection",
}
ACTION_HEADINGS = {"owner": "owner", "target date": "target_date"}
_HEADING = re.compile(r"^\s*(?P<name>[A-Za-z][A-Za-z ]*?)(?:\s+(?P<n>\d+))?\s*:\s*(?P<rest>.*)$")

#: How the checklist names each field in the leads' strand (the code names are for the data
#: strand's ``Reflection(...)``).
WORDING = {
    "`finding`": "Finding",
    "`evidence`": "Evidence",
    "`success_measure`": "Success measure",
    "`reflection`": "Reflection",
    "`ratings`": "Ratings",
    "`actions`": "Your actions",
    " `what`": "",
    "`owner`": "Owner",
    "`target_date`": "Target date",
}


@dataclass
class Written:
    """A reflection read from text, with what could not be read."""

    reflection: Reflection
    notes: list[str] = field(default_factory=list)


def read_reflection(text: str, framework: Framework = FRAMEWORK) -> Written:
    """Read a headed plain-text reflection; never raises."""
    fields: dict[str, list[str]] = {}
    actions: list[dict[str, list[str]]] = []
    notes: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        match = _HEADING.match(line)
        name = match["name"].strip().lower() if match else ""
        if match and name == "action":
            actions.append({"what": [match["rest"]]})
            current = actions[-1]["what"]
        elif match and name in ACTION_HEADINGS and actions:
            current = actions[-1].setdefault(ACTION_HEADINGS[name], [])
            current.append(match["rest"])
        elif match and name in HEADINGS and not match["n"]:
            current = fields.setdefault(HEADINGS[name], [])
            current.append(match["rest"])
        elif current is not None and (current is not fields.get("ratings") or line.strip()):
            current.append(line)
        elif line.strip():
            notes.append(
                f"the line {line.strip()[:40]!r} is not under a heading; put it under Finding, "
                "Evidence, Action 1, Success measure or Reflection"
            )
    values: dict[str, Any] = {
        key: _joined(lines) for key, lines in fields.items() if key != "ratings"
    }
    values["ratings"] = _ratings(fields.get("ratings", []))
    values["actions"] = [
        Action(**{key: _joined(lines) for key, lines in action.items()}) for action in actions
    ]
    return Written(Reflection(**values), notes)


def _joined(lines: list[str]) -> str:
    return "\n".join(lines).strip()


def _ratings(lines: list[str]) -> dict[str, Any]:
    """``indicator: level`` lines as a dict (levels by label or number, read by the check)."""
    out: dict[str, Any] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep:
            key, sep, value = line.partition("=")
        if not key.strip():
            continue
        value = value.strip()
        out[key.strip()] = int(value) if value.isdigit() else value
    return out


def reflection_template(criteria: Criteria | None = None) -> str:
    """The text a lead starts from: every heading with guidance to replace."""
    t = (criteria or load_criteria()).template
    return (
        f"Finding:\n{t.finding}\n\n"
        f"Evidence:\n{t.evidence}\n\n"
        f"Action 1: {t.action_what}\n"
        f"Owner: {t.action_owner}\n"
        f"Target date: {t.action_target_date}\n\n"
        f"Success measure:\n{t.success_measure}\n\n"
        f"Reflection:\n{t.reflection}\n"
    )


def reword(checklist: Checklist) -> Checklist:
    """The checklist with fields named as the lead sees them (headings, not code names)."""
    from dataclasses import replace

    def plain(text: str) -> str:
        for code, words in WORDING.items():
            text = text.replace(code, words)
        return text.replace("Action(...)", "actions").replace("Reflection(...)", "reflection")

    results = tuple(replace(r, message=plain(r.message)) for r in checklist.results)
    notes = tuple(plain(n) for n in checklist.notes)
    return replace(checklist, results=results, notes=notes)


#: Lines of the last reflection read that sat under no heading, by the reflection's id.
_NOTES: dict[int, tuple[str, ...]] = {}


def check_written(reflection: object, principle_id: str, **kwargs: Any) -> Checklist:
    """:func:`wholeschool.grading.checks.check_reflection`, worded for the leads' strand."""
    from dataclasses import replace

    checklist = reword(check_with_records(reflection, principle_id, **kwargs))
    place = str(RecordFolder(kwargs.get("records")).path)
    results = tuple(
        replace(r, message=r.message.replace(place, "your records")) for r in checklist.results
    )
    checklist = replace(checklist, results=results)
    notes = _NOTES.get(id(reflection), ())
    return replace(checklist, notes=(*checklist.notes, *notes)) if notes else checklist


# --- the lead's action plan ------------------------------------------------------------------


@dataclass(frozen=True)
class FoundPlan:
    """The lead's plan (or ``None``) and a sentence saying where it came from."""

    plan: PlanRecord | None
    message: str

    def __repr__(self) -> str:
        return self.message.replace("*", "")

    def _repr_html_(self) -> str:
        """The message with the lead's own text escaped (a school label is shown as typed)."""
        import html

        return (
            f"<p>{html.escape(self.message).replace('*Action plan*', '<em>Action plan</em>')}</p>"
        )


def my_plan(here: str | os.PathLike[str] = ".") -> FoundPlan:
    """The lead's newest saved plan, copied beside the notebook to be handed in with it.

    Looks in the lead's records folder first; if there is none there, uses the copy handed in.
    A notebook being graded (``<course>/autograded/<lead>/<assignment>``) uses only the copy
    the lead handed in, never the records of whoever runs the grading. Never raises.
    """
    copy = Path(here) / PLAN_COPY
    place = _course_folder(copy.parent)
    if place not in ("autograded", "submitted"):
        try:
            folder = RecordFolder()
            source = folder.file(PLAN_FILE)
            if source.is_file():
                plan = folder.read(PLAN_FILE, PlanRecord)
                # The trainer's own versions never get a copy: it would go out to every lead.
                if source.resolve() != copy.resolve() and place is None:
                    shutil.copyfile(source, copy)
                handed_in = place is None
                return FoundPlan(plan, _described(plan, "your records", handed_in))
        except (RecordError, OSError):
            return FoundPlan(
                None,
                "Your saved action plan could not be read. Open the course's *Action plan* "
                "page, check it and save it again, then run this cell again.",
            )
    if copy.is_file():
        try:
            plan = RecordFolder(copy.parent).read(PLAN_COPY, PlanRecord)
        except RecordError:
            return FoundPlan(None, "The copy of your action plan handed in could not be read.")
        return FoundPlan(plan, _described(plan, "the copy handed in with this notebook", True))
    return FoundPlan(
        None,
        "No saved action plan was found. Make your action plan first, on the course's "
        "*Action plan* page (it is saved for you), then run this box again.",
    )


def _course_folder(folder: Path) -> str | None:
    """Which of the trainer's nbgrader folders ``folder`` is an assignment folder of
    (``source``, ``release``, ``submitted``, ``autograded``), or ``None`` (a lead's own)."""
    folder = folder.resolve()
    for kind, course in (
        (folder.parent.name, folder.parent.parent),
        (folder.parent.parent.name, folder.parent.parent.parent),
    ):
        if (
            kind in ("source", "release", "submitted", "autograded")
            and (course / "nbgrader_config.py").is_file()
        ):
            return kind
    return None


def _described(plan: PlanRecord, where: str, handed_in: bool) -> str:
    principles = sorted({a.indicator.split(".")[0] for a in plan.actions})
    names = [FRAMEWORK.principle(p).short_name for p in principles if p in _principle_ids()]
    count = len(plan.actions)
    return (
        f"Found your action plan for {plan.school} of {long_date(plan.date)} in {where}: "
        f"{count} action{'s' * (count != 1)}"
        + (f", under {', '.join(names)}" if names else "")
        + "."
        + (" A copy is handed in with this notebook." if handed_in else "")
    )


def _principle_ids() -> set[str]:
    return {p.id for p in FRAMEWORK.principles}


def planned_principles(found: FoundPlan) -> set[str]:
    """The principles the plan has actions under (none if there is no plan)."""
    if found.plan is None:
        return set()
    return {a.indicator.split(".")[0] for a in found.plan.actions}


# --- cell magics ------------------------------------------------------------------------------

#: Short answers by name, as the lead's ``%%answer`` cells last gave them.
ANSWERS: dict[str, str] = {}


def answer(name: str) -> str:
    """The lead's short answer ``name`` (``""`` if that cell has not been run)."""
    return ANSWERS.get(name, "")


_CHOICE = re.compile(r"^\(?([A-Za-z])\)?(?:$|[\s.:,)-])")


def choice(name: str) -> str:
    """The letter a lead chose in answer ``name`` ("B", "b)", "B - the DSL" all give "B");
    ``""`` if the answer does not start with a single letter."""
    match = _CHOICE.match(answer(name).strip())
    return match.group(1).upper() if match else ""


def model_or_answer(cell: str) -> str:
    """The text of an answer box: in the trainer's version only the model answer between
    nbgrader's solution markers (the template above it is for the leads)."""
    match = _SOLUTION.search(cell)
    return match.group(1) if match else cell


_SOLUTION = re.compile(r"^### BEGIN SOLUTION\n(.*?)\n?### END SOLUTION", re.S | re.M)


def start(principle_id: str | None) -> None:
    """Make ``%%reflection`` and ``%%answer`` cells work in this notebook."""
    from IPython import get_ipython
    from IPython.display import display

    shell = get_ipython()
    if shell is None:  # not in a notebook: nothing to register
        return

    def reflection_magic(line: str, cell: str) -> None:
        written = read_reflection(model_or_answer(cell))
        _NOTES.clear()
        _NOTES[id(written.reflection)] = tuple(written.notes)
        shell.user_ns["reflection"] = written.reflection
        if principle_id:
            display(check_written(written.reflection, principle_id))

    def answer_magic(line: str, cell: str) -> None:
        name = line.strip() or "answer"
        text = model_or_answer(cell).strip()
        ANSWERS[name] = text
        print("Answer saved." if text else "No answer yet: write it under the first line.")

    shell.register_magic_function(reflection_magic, "cell", "reflection")
    shell.register_magic_function(answer_magic, "cell", "answer")
    shell.set_custom_exc((AssertionError,), _check_not_passed)


#: What a check that did not pass says when it gives no reason of its own.
NOT_PASSED = "This check did not pass yet: look at the box above it, change it and run both again."


def check_message(error: BaseException) -> str:
    """What a lead reads when a check box does not pass: the check's own sentence, in plain
    words (no ``AssertionError``, no code, no traceback)."""
    text = str(error).replace("*", "").strip()
    if not text:
        return NOT_PASSED
    # A sentence starts with a capital; a name from code ("lowest_year should be...") does not.
    return text[:1].upper() + text[1:] if re.match(r"[a-z]+\b(?!_)", text) else text


#: The first line of a leads'-strand answer box (``%%reflection``, ``%%answer NAME``, and the
#: calibration's ``%%ratings``).
_TEXT_BOX = re.compile(r"\A%%(?:reflection|answer|ratings)\b[^\n]*(?:\n|\Z)")


def answer_text(source: str) -> str | None:
    """The lead's words in an answer box (its ``%%`` first line off), or ``None`` if the cell
    is not an answer box."""
    match = _TEXT_BOX.match(source)
    return None if match is None else source[match.end() :]


def _check_not_passed(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset=None):
    """IPython's handler for a check's ``assert`` in the leads' notebooks: the message alone.

    A lead running a check box that does not pass (no saved plan yet, no letter chosen) saw
    an ``AssertionError`` traceback quoting the check's code. The error is still an error
    (nbgrader's autograde scores the box 0), but what it shows is one plain sentence.
    """
    message = check_message(value)
    shell._showtraceback(etype, value, [message])
    return [message]
