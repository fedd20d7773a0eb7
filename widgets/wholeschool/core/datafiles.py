"""Read the package's YAML data files into validated models; errors name the file and field.

The framework, examples, questions, resources, suggested actions, crosswalk, criteria and
rubric are all YAML checked by a pydantic model: this is the one place that reads them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import DataFileError, from_validation_error

M = TypeVar("M", bound=BaseModel)
#: libyaml's safe loader where PyYAML was built with it (the same YAML, parsed in C: the
#: framework alone takes a third of a second in pure Python, paid by every grading kernel).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | os.PathLike[str], error: type[DataFileError] = DataFileError) -> object:
    """Parse a YAML file; a missing file or bad YAML raises ``error`` naming the file."""
    path = Path(path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    except FileNotFoundError:
        raise error(path, None, "file not found") from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise error(path, None, f"is not valid YAML{where}") from None


def parse_model(
    model: type[M],
    data: object,
    path: str | os.PathLike[str],
    error: type[DataFileError] = DataFileError,
) -> M:
    """Validate parsed ``data`` read from ``path``; a problem raises ``error`` naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        raise from_validation_error(problem, path, error) from None


def load_yaml_model(
    path: str | os.PathLike[str], model: type[M], error: type[DataFileError] = DataFileError
) -> M:
    """Read a YAML file and validate it as ``model``."""
    return parse_model(model, read_yaml(path, error), path, error)
