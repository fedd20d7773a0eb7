"""The nbgrader cells of a structured reflection, for the assignment generator in ``assessments/``.

Per principle: a prompt, the answer cell a lead fills in (the template, with a model answer in
the solution region for the instructor's version), a visible test cell that shows the checklist
(formative; its hidden part awards the first criterion) and a hidden test cell for each other
graded criterion. Each returned
:class:`CellSpec` is turned into a notebook cell by the generator, so the cell text lives here,
next to the checks it runs, and is tested once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core.framework import FRAMEWORK
from ..core.records import NO_PUPIL_DATA
from .reflection import Criteria, Criterion, load_criteria, template_code

#: Prefix of every cell id (and nbgrader grade id) these cells use.
PREFIX = "structured-reflection"
IMPORTS = "from wholeschool.grading.checks import Action, Reflection, check_reflection"
#: What the leads' strand's checks call (imported by the notebook's set-up cell).
TEXT_CHECK = "check_written"


@dataclass(frozen=True)
class CellSpec:
    """One cell: ``answer`` is an ungraded solution cell; ``check`` and ``hidden`` are locked
    autograded test cells worth ``points`` (``check`` is the visible checklist)."""

    id: str
    kind: Literal["markdown", "answer", "check", "hidden"]
    source: str
    points: int = 0


def model_answer_code(principle_id: str) -> str:
    """A complete reflection that passes every check: the instructor's version of the answer.

    Target dates are relative to the day it runs, so the solution stays valid in later years.
    It repeats the imports, so the solution region runs on its own (fixture submissions are
    built from it).
    """
    principle = FRAMEWORK.principle(principle_id)
    indicator = principle.indicators[0]
    aim = indicator.text[0].lower() + indicator.text[1:].rstrip(".")
    return f'''import datetime

{IMPORTS}

_soon = datetime.date.today() + datetime.timedelta(days=90)
reflection = Reflection(
    finding=(
        "Our self-audit rated {indicator.id} as Emerging: it is only partly true that "
        "{aim}."
    ),
    evidence=(
        "We read the relevant policies and minutes, and talked with a sample of staff: the "
        "practice is real in some places and missing in others."
    ),
    actions=[
        Action(
            what="Agree with the senior team one change that would make this consistent.",
            owner="Senior mental health lead",
            target_date=_soon,
        ),
        Action(
            what="Report progress on it to the governing board.",
            owner="Headteacher",
            target_date=_soon + datetime.timedelta(days=120),
        ),
    ],
    success_measure=(
        "In the summer staff survey at least 70% of staff agree that this is in place."
    ),
    reflection=(
        "Rating this indicator honestly showed me how much depends on goodwill rather than on "
        "a shared expectation. Where it works, it works because one or two people care, and "
        "that makes it fragile. I want to turn it into something the whole school does, with a "
        "clear owner and a date, and to check whether staff and pupils notice the difference "
        "rather than assuming they do. The hardest part will be protecting time for it."
    ),
)'''


def model_answer_text(principle_id: str) -> str:
    """The leads' strand's model answer: the same reflection as :func:`model_answer_code`,
    written under headings. Its target dates are times from now, so it stays valid in any year."""
    principle = FRAMEWORK.principle(principle_id)
    indicator = principle.indicators[0]
    aim = indicator.text[0].lower() + indicator.text[1:].rstrip(".")
    return (
        "Finding:\n"
        f"Our self-audit rated {indicator.id} as Emerging: it is only partly true that {aim}.\n\n"
        "Evidence:\n"
        "We read the relevant policies and minutes, and talked with a sample of staff: the "
        "practice is real in some places and missing in others.\n\n"
        "Action 1: Agree with the senior team one change that would make this consistent.\n"
        "Owner: Senior mental health lead\n"
        "Target date: in 3 months\n\n"
        "Action 2: Report progress on it to the governing board.\n"
        "Owner: Headteacher\n"
        "Target date: in 7 months\n\n"
        "Success measure:\n"
        "In the summer staff survey at least 70% of staff agree that this is in place.\n\n"
        "Reflection:\n"
        "Rating this indicator honestly showed me how much depends on goodwill rather than on "
        "a shared expectation. Where it works, it works because one or two people care, and "
        "that makes it fragile. I want to turn it into something the whole school does, with a "
        "clear owner and a date, and to check whether staff and pupils notice the difference "
        "rather than assuming they do. The hardest part will be protecting time for it."
    )


def prompt_text_markdown(principle_id: str, criteria: Criteria | None = None) -> str:
    """The leads' strand's instructions above the reflection box: no code, just headings."""
    criteria = criteria or load_criteria()
    principle = FRAMEWORK.principle(principle_id)
    graded = graded_criteria(criteria)
    total = sum(c.points for c in graded)
    checks = "\n".join(f"- {c.title} ({c.points} point{'s' * (c.points != 1)})" for c in graded)
    limits = criteria.text_limits["reflection"]
    return (
        f"## Structured reflection ({total} points, checked automatically)\n\n"
        f"Sum up your work on *{principle.short_name.lower()}* in the box below, under its "
        "headings: what your self-audit found, the evidence, one to three actions (each with "
        "the role that owns it and a target date in this academic year or the next, such as "
        "31/03/2027 or *in 3 months*), how you will know it worked, and a reflection of "
        f"{limits.min_words} to {limits.max_words} words. Write over the guidance under each "
        "heading; for a second action add *Action 2:* with its own *Owner:* and *Target "
        "date:* lines. Keep the first line of the box as it is.\n\n"
        "Then run the box (click in it and press **Shift + Enter**): a checklist appears "
        "under it at once, showing what is there and what is missing. Change your words and "
        "run it again as often as you like.\n\n"
        "You may also quote ratings from your saved self-audit under a *Ratings:* heading, "
        f"one a line, such as `{principle.indicators[0].id}: Emerging`; the checklist compares "
        "them with the self-audit saved in your records.\n\n"
        f"The automatic checks:\n\n{checks}\n\n"
        "They look for the parts of a good plan, not at the quality of your thinking: your "
        "trainer reads the reflection itself.\n\n"
        f"*{NO_PUPIL_DATA} Write about roles, year groups and systems, not individuals.*"
    )


def text_specs(principle_id: str, criteria: Criteria | None = None) -> list[CellSpec]:
    """Every cell of the leads' strand's structured reflection for one principle, in order.

    The same graded cells as :func:`structured_reflection_specs`; the answer is headed plain
    text in a ``%%reflection`` box, read and checked when the lead runs it.
    """
    from .answers import reflection_template

    criteria = criteria or load_criteria()
    answer = (
        f"%%reflection\n{reflection_template(criteria)}\n"
        f"### BEGIN SOLUTION\n{model_answer_text(principle_id)}\n### END SOLUTION"
    )
    first, *rest = graded_criteria(criteria)
    return [
        CellSpec(f"{PREFIX}-prompt", "markdown", prompt_text_markdown(principle_id, criteria)),
        CellSpec(PREFIX, "answer", answer),
        CellSpec(
            f"{PREFIX}-{first.id}",
            "check",
            check_code(principle_id, criteria, TEXT_CHECK),
            first.points,
        ),
        *(
            CellSpec(
                f"{PREFIX}-{c.id}",
                "hidden",
                hidden_test_code(principle_id, c.id, criteria, TEXT_CHECK),
                c.points,
            )
            for c in rest
        ),
    ]


def prompt_markdown(principle_id: str, criteria: Criteria | None = None) -> str:
    """The instructions above the answer cell, listing what is checked and for how many points."""
    criteria = criteria or load_criteria()
    principle = FRAMEWORK.principle(principle_id)
    graded = graded_criteria(criteria)
    total = sum(c.points for c in graded)
    checks = "\n".join(
        f"- {c.title} ({c.points} point{'s' * (c.points != 1)})" for c in graded
    ) + "".join(
        f"\n- {c.title} (shown to you, not marked)" for c in criteria.criteria if not c.points
    )
    limits = criteria.text_limits["reflection"]
    return (
        f"## Structured reflection ({total} points, checked automatically)\n\n"
        f"Sum up your work on *{principle.short_name.lower()}* in the `Reflection` below: what "
        "your self-audit found, the evidence, one to three actions (each with the role that "
        "owns it and a target date in this academic year or the next), how you will know it "
        f"worked, and a reflection of {limits.min_words} to {limits.max_words} words. Replace "
        "the guidance text in each field, **delete the two lines** `# YOUR CODE HERE` and "
        "`raise NotImplementedError()`, and run the cell. The cell after it shows a checklist "
        "of what is there and what is missing; run both again until you are happy.\n\n"
        f"You may quote ratings from your saved self-audit (for example "
        f'`ratings={{"{principle.indicators[0].id}": 2}}`); the checklist compares them with '
        "the record on your computer.\n\n"
        f"The automatic checks:\n\n{checks}\n\n"
        "They look for the parts of a good plan, not at the quality of your thinking: your "
        "trainer reads the reflection itself.\n\n"
        f"*{NO_PUPIL_DATA} Write about roles, year groups and systems, not individuals.*"
    )


def check_code(
    principle_id: str, criteria: Criteria | None = None, checker: str = "check_reflection"
) -> str:
    """The visible test cell: show the checklist, then (hidden) award the first criterion.

    Showing the checklist never fails on a lead's input; the hidden part is an ordinary
    criterion test, so every test cell in the course carries points and hidden tests.
    """
    criteria = criteria or load_criteria()
    first = graded_criteria(criteria)[0]
    return (
        "# Shows what the automatic check finds. Run it again after each change above.\n"
        "from IPython.display import display\n\n"
        f'_checklist = {checker}(reflection, "{principle_id}")\n'
        "display(_checklist)\n"
        f"{_hidden_assert(first.id)}"
    )


def hidden_test_code(
    principle_id: str,
    criterion_id: str,
    criteria: Criteria | None = None,
    checker: str = "check_reflection",
) -> str:
    """A hidden test cell awarding one criterion's points; its failure message is the checklist line."""
    criterion = (criteria or load_criteria()).criterion(criterion_id)
    return (
        f"# Checked automatically: {criterion.title[0].lower()}{criterion.title[1:]}.\n"
        f'_checklist = {checker}(reflection, "{principle_id}")\n'
        f"{_hidden_assert(criterion.id)}"
    )


def _hidden_assert(criterion_id: str) -> str:
    return (
        "### BEGIN HIDDEN TESTS\n"
        f'assert _checklist.passed("{criterion_id}"), _checklist.message("{criterion_id}")\n'
        "### END HIDDEN TESTS"
    )


def graded_criteria(criteria: Criteria) -> list[Criterion]:
    """The criteria worth points, in checklist order."""
    return [c for c in criteria.criteria if c.points]


def structured_reflection_specs(
    principle_id: str, criteria: Criteria | None = None
) -> list[CellSpec]:
    """Every cell of the structured reflection for one principle, in order.

    Test cells are named ``structured-reflection-<criterion>``; the first one is the visible
    checklist cell.
    """
    criteria = criteria or load_criteria()
    answer = (
        f"{IMPORTS}\n\n{template_code(principle_id, criteria)}\n"
        f"### BEGIN SOLUTION\n{model_answer_code(principle_id)}\n### END SOLUTION"
    )
    first, *rest = graded_criteria(criteria)
    return [
        CellSpec(f"{PREFIX}-prompt", "markdown", prompt_markdown(principle_id, criteria)),
        CellSpec(PREFIX, "answer", answer),
        CellSpec(f"{PREFIX}-{first.id}", "check", check_code(principle_id, criteria), first.points),
        *(
            CellSpec(
                f"{PREFIX}-{c.id}",
                "hidden",
                hidden_test_code(principle_id, c.id, criteria),
                c.points,
            )
            for c in rest
        ),
    ]
