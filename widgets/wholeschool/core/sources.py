"""The sources register and the helplines file: what the course relies on, kept as data.

``data/sources.yaml`` lists every statutory, guidance, inspection, dataset and helpline source
the course cites, with its edition and the month it was last checked; the book shows that month
on every page that cites a register source, and ``wholeschool sources`` lists them by it.
``data/helplines.yaml`` holds every phone and text number the course gives and who each is for;
pages render numbers from it and never write one by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .datafiles import load_yaml_model
from .errors import DataFileError

DATA = Path(str(resources.files("wholeschool") / "data"))
SOURCES_FILE = DATA / "sources.yaml"
HELPLINES_FILE = DATA / "helplines.yaml"

Kind = Literal["statutory", "guidance", "inspection", "dataset", "helpline", "resource", "policy"]
MONTH = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Data):
    """One source the course relies on, with the edition it cites and when it was checked."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=3, max_length=200)
    publisher: str = Field(min_length=2, max_length=120)
    kind: Kind
    edition: str = Field(min_length=3, max_length=200)
    url: str = Field(pattern=r"^https://[^\s]+$")
    last_checked: str = Field(description="The month it was last checked, as YYYY-MM.")
    cites: tuple[str, ...] = Field(default=(), description="Bibliography keys for this source.")
    note: str | None = Field(default=None, max_length=400)

    @field_validator("last_checked")
    @classmethod
    def _month(cls, value: str) -> str:
        if not MONTH.match(value):
            raise ValueError("should be a month written YYYY-MM, such as 2026-12")
        return value

    @property
    def checked(self) -> dt.date:
        """The first day of the month it was last checked."""
        year, month = value_month(self.last_checked)
        return dt.date(year, month, 1)

    @property
    def checked_label(self) -> str:
        """The month it was last checked, in words: ``December 2026``."""
        return self.checked.strftime("%B %Y")


class Register(_Data):
    version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    sources: tuple[Source, ...] = Field(min_length=1)

    def by_cite_key(self) -> dict[str, Source]:
        return {key: source for source in self.sources for key in source.cites}

    def for_keys(self, keys: Iterable[str]) -> list[Source]:
        """The register sources behind ``keys`` (bibliography keys), in register order."""
        wanted = set(keys)
        return [s for s in self.sources if wanted.intersection(s.cites)]

    def by_last_checked(self) -> list[Source]:
        """Every source, the longest unchecked first (ties in register order)."""
        return sorted(self.sources, key=lambda s: s.last_checked)

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)


def value_month(value: str) -> tuple[int, int]:
    year, month = value.split("-")
    return int(year), int(month)


def load_register(path: str | Path = SOURCES_FILE) -> Register:
    """Read and check the register: ids and bibliography keys each appear once."""
    register = load_yaml_model(path, Register)
    seen: set[str] = set()
    keys: set[str] = set()
    for index, source in enumerate(register.sources):
        if source.id in seen:
            raise DataFileError(path, f"sources[{index}].id", f"{source.id!r} is used twice")
        seen.add(source.id)
        for key in source.cites:
            if key in keys:
                raise DataFileError(path, f"sources[{index}].cites", f"{key!r} is listed twice")
            keys.add(key)
    return register


@cache
def default_register() -> Register:
    return load_register()


# --- Helplines ---------------------------------------------------------------------------


class Contact(_Data):
    """One way to reach a helpline: a number to call or text."""

    how: Literal["call", "text"]
    number: str = Field(pattern=r"^[0-9]+( [0-9]+)*$", description="As shown: 0800 068 4141.")
    keyword: str | None = Field(default=None, pattern=r"^[A-Z]+$", description="Word to text.")

    @property
    def digits(self) -> str:
        return self.number.replace(" ", "")

    @property
    def text(self) -> str:
        """The contact as a reader sees it: ``116 123`` or ``text SHOUT to 85258``."""
        if self.how == "text" and self.keyword:
            return f"text {self.keyword} to {self.number}"
        return self.number


class Helpline(_Data):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=2, max_length=80)
    who: str = Field(min_length=10, max_length=300, description="Who it is for, in plain words.")
    hours: str = Field(min_length=3, max_length=120)
    contacts: tuple[Contact, ...] = Field(min_length=1)
    source: str | None = Field(default=None, description="The register id it was checked against.")

    @property
    def number(self) -> str:
        """The first contact as a reader sees it."""
        return self.contacts[0].text


class Helplines(_Data):
    version: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    helplines: tuple[Helpline, ...] = Field(min_length=1)

    def helpline(self, helpline_id: str) -> Helpline:
        for line in self.helplines:
            if line.id == helpline_id:
                return line
        known = ", ".join(line.id for line in self.helplines)
        raise KeyError(f"no helpline {helpline_id!r}; the helplines are {known}")

    def numbers(self) -> set[str]:
        """Every number in the file, digits only."""
        return {c.digits for line in self.helplines for c in line.contacts}


def load_helplines(
    path: str | Path = HELPLINES_FILE, register: Register | None = None
) -> Helplines:
    """Read and check the helplines; each names a register source that exists."""
    helplines = load_yaml_model(path, Helplines)
    register = register or default_register()
    ids = {s.id for s in register.sources}
    seen: set[str] = set()
    for index, line in enumerate(helplines.helplines):
        if line.id in seen:
            raise DataFileError(path, f"helplines[{index}].id", f"{line.id!r} is used twice")
        seen.add(line.id)
        if line.source is not None and line.source not in ids:
            raise DataFileError(
                path, f"helplines[{index}].source", f"{line.source!r} is not in the register"
            )
    return helplines


@cache
def default_helplines() -> Helplines:
    return load_helplines()


# --- Phone and text numbers written in a page --------------------------------------------

#: A UK phone number (0800 1111, 0800 068 4141), a 116 number (116 123), a number to text
#: ("to 85258"), or the two three-digit services (999, 111). Years, counts with commas and
#: statistics do not match.
PHONE_NUMBER = re.compile(
    r"(?<![\w/-])(?<!\d[.,])(?:"
    r"0\d{2,4}[ \u00a0]\d{3,6}(?:[ \u00a0]\d{3,4})?"  # 0800 1111, 0800 068 4141
    r"|0\d{9,10}"  # 08001111 written without spaces
    r"|1\d\d[ \u00a0]\d{3}"  # 116 123
    r"|999|111"
    r")(?![\w/-]|[.,]\d)"
    r"|(?<=\bto[ \u00a0])\d{5,6}\b"  # text SHOUT to 85258
)


def numbers_in(text: str) -> list[str]:
    """Every phone or text number written in ``text``, digits only, in order."""
    return [re.sub(r"\D", "", match.group(0)) for match in PHONE_NUMBER.finditer(text)]
