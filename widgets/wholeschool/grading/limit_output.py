"""An nbgrader autograde step that cuts oversized outputs, so one submission that prints
50 MB cannot bloat the autograded notebook, the feedback page or the trainer's browser.

nbgrader's own ``LimitOutput`` counts lines only; a single huge line passes it. The course
config (``assessments/nbgrader_config.py``) runs this right after it. Kept apart from
``autograde`` because it imports nbconvert, which the command line does not need.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer

#: Added where an output was cut; ``wholeschool.grading.autograde`` looks for it to tell the trainer.
CUT_MARKER = "[output cut by the autograder:"


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n{CUT_MARKER} {len(text):,} characters, limit {limit:,}]\n"


class LimitOutputSize(Preprocessor):
    """Truncate any output text longer than ``max_chars``; drop oversized non-text data."""

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled
    max_chars = Integer(20_000, help="Largest output text kept, in characters.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = _cut(output.get("text", ""), self.max_chars)
            elif output.get("output_type") == "error":
                output["traceback"] = [
                    _cut(line, self.max_chars) for line in output.get("traceback", [])
                ]
            data = output.get("data", {})
            for mime in list(data):
                value = data[mime]
                if isinstance(value, str) and len(value) > self.max_chars:
                    if mime.startswith("text/"):
                        data[mime] = _cut(value, self.max_chars)
                    else:
                        del data[mime]
                        data["text/plain"] = (
                            f"{CUT_MARKER} {mime} output of {len(value):,} characters]"
                        )
        return cell, resources
