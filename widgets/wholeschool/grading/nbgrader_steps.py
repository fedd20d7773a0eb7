"""nbgrader's autograde, with two of its costs per notebook paid once per grading process.

Profiling a cohort's autograde showed two steps doing the same work again for every notebook:

- **Checking cell metadata.** nbgrader validates each cell's ``nbgrader`` metadata with
  ``jsonschema.validate``, which first checks the schema itself, then builds a validator: for
  every cell of every notebook, twice per notebook. :class:`CheckCellMetadata` is nbgrader's
  step with the schema checked once and its validator kept; the same cells pass, the same
  errors (jsonschema's ``best_match``) are raised.
- **Opening the gradebook.** Each step of nbgrader's autograde opens the gradebook anew (five
  or more times per notebook), and each opening makes a new SQLAlchemy engine, whose cache of
  compiled SQL starts empty: every query of every step is compiled again, per notebook.
  :func:`one_engine_per_gradebook` keeps one engine per database for the grading process, so
  a query is compiled once. Each opening still gets its own session and connection, commits
  what it always did and is closed as before (nbgrader disposes of the engine's connections
  when it closes a gradebook; the engine and its compiled queries stay).
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Iterator
from typing import Any

from jsonschema import exceptions as schema_errors
from jsonschema.validators import validator_for
from nbgrader.nbgraderformat import (
    MetadataValidator,
    SchemaTooNewError,
    SchemaTooOldError,
    ValidationError,
)
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata

_VALIDATORS: dict[int, Any] = {}


class _SchemaCheckedOnce(BaseMetadataValidator):  # type: ignore[misc]
    """nbgrader's ``BaseMetadataValidator.validate_cell``, with ``jsonschema.validate``'s check
    of the schema itself done once per process."""

    def _schema_validator(self) -> Any:
        validator = _VALIDATORS.get(self.schema_version)
        if validator is None:
            cls = validator_for(self.schema)
            cls.check_schema(self.schema)
            validator = _VALIDATORS[self.schema_version] = cls(self.schema)
        return validator

    def validate_cell(self, cell: Any) -> None:
        if "nbgrader" not in cell.metadata:
            return
        schema = cell.metadata["nbgrader"].get("schema_version", 0)
        if schema < self.schema_version:
            raise SchemaTooOldError(
                f"Outdated schema version: {schema} (expected {self.schema_version})",
                schema,
                self.schema_version,
            )
        if schema > self.schema_version:
            raise SchemaTooNewError(
                f"Schema version is too new: {schema} (expected {self.schema_version})",
                schema,
                self.schema_version,
            )
        validator = self._schema_validator()
        error = schema_errors.best_match(validator.iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class MetadataValidatorOnce(MetadataValidator, _SchemaCheckedOnce):  # type: ignore[misc]
    """nbgrader's metadata validator (its rules beyond the schema run as they are), on
    :class:`_SchemaCheckedOnce` in place of its base's schema check."""


class CheckCellMetadata(NbgraderCheckCellMetadata):  # type: ignore[misc]
    """nbgrader's ``CheckCellMetadata``, on :class:`MetadataValidatorOnce`."""

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        try:
            MetadataValidatorOnce().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


_ENGINES: dict[tuple, Any] = {}


def _shared_engine(url: Any, *args: Any, **kwargs: Any) -> Any:
    from sqlalchemy import create_engine

    key = (str(url), args, tuple(sorted(kwargs.items())), os.getpid())
    if key not in _ENGINES:
        _ENGINES[key] = create_engine(url, *args, **kwargs)
    return _ENGINES[key]


@contextlib.contextmanager
def one_engine_per_gradebook() -> Iterator[None]:
    """While inside, every nbgrader ``Gradebook`` opened in this process on the same database
    shares one SQLAlchemy engine (and its compiled queries), made on first use."""
    import nbgrader.api

    before = nbgrader.api.create_engine
    nbgrader.api.create_engine = _shared_engine
    try:
        yield
    finally:
        nbgrader.api.create_engine = before
