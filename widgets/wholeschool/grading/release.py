"""nbgrader's ``ClearSolutions`` for the leads' strand: a text answer keeps its template only.

A leads'-strand answer cell (``%%reflection``, ``%%answer`` or ``%%ratings``) holds the template a lead writes
over, then the model answer between nbgrader's solution markers. nbgrader would put its code
stub (``# YOUR CODE HERE`` and ``raise NotImplementedError()``) in place of the model answer;
here such a cell keeps just the template, so the lead never sees a line of code to delete.
Every other cell is cleared exactly as nbgrader does.
"""

from __future__ import annotations

import re
from typing import Any

from nbgrader.preprocessors import ClearSolutions as NbgraderClearSolutions

#: First lines of the cells whose solutions are removed without a stub.
TEXT_ANSWER = re.compile(r"^%%(reflection|answer|ratings)\b")
_REGION = re.compile(r"\n?[ \t]*### BEGIN SOLUTION\n.*?### END SOLUTION[ \t]*(\n|$)", re.S)


class ClearSolutions(NbgraderClearSolutions):
    """Solutions out of the release; text answers keep their template and get no code stub."""

    def _replace_solution_region(self, cell: Any, language: str) -> bool:
        if cell.cell_type == "code" and TEXT_ANSWER.match(cell.source):
            cleared, count = _REGION.subn("\n", cell.source)
            cell.source = cleared.rstrip("\n")
            return count > 0
        return super()._replace_solution_region(cell, language)
