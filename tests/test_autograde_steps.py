"""The faster pieces of the trainer's autograde give what the slower ones gave: nbgrader's cell
metadata check (same passes, same errors), the results file (same bytes as the pandas writer),
and jsonschema's IRI check (its grammar built only when used)."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from helpers import ROOT
from nbgrader.nbgraderformat import MetadataValidator
from wholeschool.grading.autograde import GradeResult
from wholeschool.grading.course import write_results
from wholeschool.grading.nbgrader_steps import MetadataValidatorOnce
from wholeschool.grading.trainer import write_csv

NOTEBOOK = ROOT / "tests" / "data" / "submissions" / "perfect" / "identifying-need.ipynb"


def _breakages() -> list[tuple[str, object]]:
    """(what, how) pairs that corrupt the nbgrader metadata of the first grade cell."""
    return [
        ("points as text", lambda meta: meta.update(points="two")),
        ("grade missing", lambda meta: meta.pop("grade")),
        ("schema too old", lambda meta: meta.update(schema_version=2)),
        ("schema too new", lambda meta: meta.update(schema_version=9)),
        ("unknown key", lambda meta: meta.update(colour="red")),
        ("grade id not text", lambda meta: meta.update(grade_id=7)),
        ("nothing wrong", lambda meta: None),
    ]


def _outcome(validator: MetadataValidator, nb: nbformat.NotebookNode) -> tuple[str, str]:
    try:
        validator.validate_nb(nb)
    except Exception as error:  # compared, type and message, between the two validators
        return type(error).__name__, str(error)
    return "passed", ""


@pytest.mark.parametrize(("what", "how"), _breakages(), ids=[w for w, _ in _breakages()])
def test_metadata_check_once_agrees_with_nbgraders(what: str, how) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    how(cell.metadata["nbgrader"])
    expected = _outcome(MetadataValidator(), copy.deepcopy(nb))
    assert _outcome(MetadataValidatorOnce(), copy.deepcopy(nb)) == expected
    assert (expected[0] == "passed") == (what == "nothing wrong")


def test_duplicate_grade_ids_are_still_refused() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    graded[1].metadata["nbgrader"]["grade_id"] = graded[0].metadata["nbgrader"]["grade_id"]
    expected = _outcome(MetadataValidator(), copy.deepcopy(nb))
    assert expected[0] == "ValidationError" and "Duplicate grade id" in expected[1]
    assert _outcome(MetadataValidatorOnce(), nb) == expected


def test_results_file_is_what_the_pandas_writer_wrote(tmp_path: Path) -> None:
    results = [
        GradeResult(
            "lead-a", True, notes=["an oversized output was cut"], attempts=1, seconds=2.345
        ),
        GradeResult("lead-b", False, reason="=HYPERLINK(1) is empty", attempts=0, seconds=0.01),
    ]
    path = write_results(tmp_path, "identifying-need", results)
    frame = pd.DataFrame(
        {
            "student": [r.student for r in results],
            "graded": [r.graded for r in results],
            "reason": [r.reason for r in results],
            "notes": ["; ".join(r.notes) for r in results],
            "attempts": [r.attempts for r in results],
            "seconds": [round(r.seconds, 2) for r in results],
        }
    )
    before = write_csv(frame, tmp_path / "pandas.csv")
    assert path.read_bytes() == before.read_bytes()
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")  # formula-safe as before


def test_the_iri_grammar_is_built_only_when_an_iri_is_checked() -> None:
    code = """
import sys
from wholeschool.grading.autograde import defer_iri_grammar
defer_iri_grammar()
import nbgrader.apps.api, jsonschema
assert "lark" not in sys.modules, "the grammar was built on import"
checker = jsonschema.Draft7Validator.FORMAT_CHECKER
assert checker.conforms("https://example.org/caf\\u00e9", "iri")
assert not checker.conforms("no scheme at all", "iri")
assert "lark" in sys.modules
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
