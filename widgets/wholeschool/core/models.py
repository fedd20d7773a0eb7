"""The one strict base of the package's pydantic models.

Unknown fields are refused everywhere (a record never holds pupil data a form did not ask for;
a typo in a data file is an error, not a silent default), and data read from the package's
files (framework, rubric, suggestions, crosswalk, migrations) is frozen. Saved records are
edited by the forms, so :class:`wholeschool.core.records.Record` unfreezes itself.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DataModel(BaseModel):
    """Strict (unknown fields refused) and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
