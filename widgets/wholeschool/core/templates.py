"""Document templates a lead downloads and adapts (policy, referral map, plans, agreements).

Each template is a YAML file in ``data/templates/``, validated here; the reports layer renders it
to Word and Markdown. A template is a starting point for a school's own document, so text in
``[square brackets]`` is for the school to replace. No placeholder may ask for a pupil's name:
the check is part of the model, so such a file never loads.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .datafiles import load_yaml_model
from .errors import DataFileError

FOLDER = Path(str(resources.files("wholeschool") / "data" / "templates"))

#: A placeholder (short text in square brackets) that asks for a pupil's name or initials:
#: "[pupil's name]", "[name of child]", "[student initials]"...
PUPIL_NAME = re.compile(
    r"\[(?=[^\]]{0,60}\])(?=[^\]]*\b(?:pupil|child|children|student|learner|young (?:person|people))"
    r"(?:s|'s|s')?\b)(?=[^\]]*\b(?:names?|initials)\b)[^\]]*\]",
    re.I,
)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateTable(_Data):
    columns: tuple[str, ...] = Field(min_length=2)
    rows: tuple[tuple[str, ...], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _rows_fit(self) -> TemplateTable:
        for n, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {n + 1} has {len(row)} cells, the table has {len(self.columns)} columns"
                )
        return self


class TemplateNote(_Data):
    title: str = Field(min_length=3)
    text: str = Field(min_length=10)
    urgent: bool = False


class TemplateSection(_Data):
    heading: str = Field(min_length=3)
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    table: TemplateTable | None = None
    note: TemplateNote | None = None

    @model_validator(mode="after")
    def _has_content(self) -> TemplateSection:
        if not (self.paragraphs or self.bullets or self.table or self.note):
            raise ValueError("a section needs paragraphs, bullets, a table or a note")
        return self

    @model_validator(mode="after")
    def _no_pupil_names(self) -> TemplateSection:
        for text in template_texts(self):
            if found := PUPIL_NAME.search(text):
                raise ValueError(
                    f"the placeholder {found.group(0)} asks for a pupil's name; templates never do"
                )
        return self


class Template(_Data):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    #: Where the template comes in lists (smallest first).
    order: int = Field(ge=1)
    title: str = Field(min_length=5)
    summary: str = Field(min_length=20)
    sections: tuple[TemplateSection, ...] = Field(min_length=1)


def template_texts(section: TemplateSection) -> list[str]:
    """Every piece of text in a section, for checks that read all of it."""
    texts = [section.heading, *section.paragraphs, *section.bullets]
    if section.table:
        texts += [*section.table.columns, *(cell for row in section.table.rows for cell in row)]
    if section.note:
        texts += [section.note.title, section.note.text]
    return texts


def load_template(path: Path) -> Template:
    """One template file, validated; its ``id`` must match its file name."""
    template = load_yaml_model(path, Template)
    if template.id != path.stem:
        raise DataFileError(path, "id", f"is {template.id!r}, expected {path.stem!r}")
    return template


@cache
def load_templates(folder: Path = FOLDER) -> tuple[Template, ...]:
    """Every template in the folder, in their ``order``."""
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise DataFileError(folder, None, "holds no templates")
    return tuple(sorted((load_template(path) for path in paths), key=lambda t: (t.order, t.id)))
