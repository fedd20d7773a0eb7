"""nbgrader preprocessors for the feedback a lead reads (``nbgrader generate_feedback``).

nbgrader's feedback is the autograded notebook, and the autograded notebook holds the hidden
tests again (by design: nbgrader issue #917). :class:`HideHiddenTests` takes them out of every
test cell and cuts failed tests' tracebacks (which quote the hidden lines) down to their
message; :class:`PlainFeedback` shows a lead's text answers as text and a check by what it
found. :class:`RubricLevels` puts, under each written answer the trainer marked, the
rubric's level for that score and what each criterion looks like at that level. Both are
listed in ``GenerateFeedback.preprocessors`` in the course's ``nbgrader_config.py``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor
from traitlets import Bool, Unicode

from ..core.rubric import Rubric, load_rubric
from .answers import answer_text, check_message


class UnmarkedAnswers(ValueError):
    """Feedback asked for while some of a lead's answers are still to be marked."""


class GetMarks(GetGrades):
    """nbgrader's ``GetGrades``, also noting in each grade cell whether it still awaits a mark.

    Feedback is never made while an answer awaits its mark (``refuse_unmarked``): a lead would
    read a score that is not theirs. The trainer's ``feedback`` command checks first and says
    who and what; this refuses the same in every other way feedback is made (formgrader's
    "Generate feedback", ``nbgrader generate_feedback``), so nothing half-marked is ever made.
    """

    refuse_unmarked = Bool(True, help="Refuse feedback while an answer awaits a mark.").tag(
        config=True
    )

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        nb, resources = super().preprocess(nb, resources)
        waiting = [
            cell.metadata.nbgrader.get("grade_id", "")
            for cell in nb.cells
            if utils.is_grade(cell) and cell.metadata.nbgrader.get("needs_manual_grade")
        ]
        if waiting and self.refuse_unmarked:
            answers = "1 answer is" if len(waiting) == 1 else f"{len(waiting)} answers are"
            raise UnmarkedAnswers(
                f"No feedback made for {resources['nbgrader']['student']}: {answers} not "
                "marked yet. Mark them in formgrader first."
            )
        return nb, resources

    def _get_score(self, cell: Any, resources: Any) -> None:
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
        cell.metadata.nbgrader["needs_manual_grade"] = bool(grade.needs_manual_grade)


class HideHiddenTests(ClearHiddenTests):
    """Hidden test regions out of the feedback, and failed tests shown by their message only
    (a check's own sentence, with no ``AssertionError``; any other error by its name too)."""

    def preprocess_cell(self, cell: Any, resources: Any, cell_index: int) -> tuple[Any, Any]:
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [_error_message(output)]
        return cell, resources


def _error_message(output: Any) -> str:
    name, value = output.get("ename", "Error"), output.get("evalue", "")
    if name == "AssertionError":
        return check_message(AssertionError(value))
    return f"{name}: {value}"


class PlainFeedback(NbGraderPreprocessor):
    """The feedback reads as feedback, not as a notebook (with the ``lead-feedback`` template).

    A leads'-strand answer box (``%%reflection``, ``%%answer``, ``%%ratings``) loses its ``%%``
    first line and is marked as the lead's text (shown as typed, not as code), keeping what it
    showed (the reflection's checklist) but not its "Answer saved." line. An automatic check
    does not show again what the page already shows (the checklist, displayed by the first
    check too); what it printed (a moderator's reason) and what it found wrong stay. The
    template shows no code of the course's own boxes, only what they showed.
    """

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        shown: set[str] = set()
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            text = answer_text(cell.source)
            if text is not None:
                cell.source = text.strip("\n")
                cell.metadata.setdefault("wholeschool", {})["text_answer"] = True
                cell.outputs = [o for o in cell.outputs if o.get("output_type") != "stream"]
            if utils.is_grade(cell) and not utils.is_solution(cell):
                cell.outputs = [o for o in cell.outputs if not _shown_before(o, shown)]
            else:
                for output in cell.outputs:
                    _shown_before(output, shown)
        return nb, resources


def _shown_before(output: Any, shown: set[str]) -> bool:
    """Whether a display of ``output``'s data is already on the page (and note it if not)."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return False
    key = json.dumps(output.get("data", {}), sort_keys=True)
    if key in shown:
        return True
    shown.add(key)
    return False


class RubricLevels(NbGraderPreprocessor):
    """Under each marked written answer, its rubric level and the level's descriptors.

    Run it after :class:`GetMarks` (which puts each cell's score in its metadata). An answer
    still to be marked says so instead (the trainer's feedback command refuses those anyway).
    """

    rubric_file = Unicode("", help="The course's rubric (YAML); empty: no rubric levels.").tag(
        config=True
    )

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        if not self.rubric_file:
            return nb, resources
        if not os.path.exists(self.rubric_file):
            self.log.warning("No rubric at %s: feedback without rubric levels", self.rubric_file)
            return nb, resources
        rubric = load_rubric(self.rubric_file)
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            level = self.level_cell(cell, rubric)
            if level is not None:
                cells.append(level)
        nb.cells = cells
        return nb, resources

    @staticmethod
    def level_cell(cell: Any, rubric: Rubric) -> Any:
        """A markdown cell giving a marked written answer's rubric level, or ``None``."""
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "markdown" or not utils.is_grade(cell):
            return None
        score, points = meta.get("score"), meta.get("points")
        if meta.get("needs_manual_grade") or score is None or not points:
            return nbformat.v4.new_markdown_cell(
                "#### Rubric level for this answer\n\nNot marked yet."
            )
        text = f"#### Rubric level for this answer\n\n{rubric.feedback_markdown(score, points)}"
        return nbformat.v4.new_markdown_cell(text)
