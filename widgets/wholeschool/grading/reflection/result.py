"""The checklist a lead sees: one result per criterion, as text, Markdown and HTML."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

Status = Literal["pass", "fail", "not checked"]
_MARK = {"pass": "✅", "fail": "❌", "not checked": "➖"}
_WORD = {"pass": "done", "fail": "to do", "not checked": "not checked"}
_TEXT_MARK = {"pass": "[x]", "fail": "[ ]", "not checked": "[-]"}


@dataclass(frozen=True)
class CriterionResult:
    """The outcome of one criterion, with a message saying why."""

    id: str
    title: str
    status: Status
    message: str
    points: int

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass(frozen=True)
class Checklist:
    """Per-criterion results for one reflection, shown as a friendly checklist."""

    principle_id: str
    principle_name: str
    results: tuple[CriterionResult, ...]
    notes: tuple[str, ...] = ()
    is_template: bool = False

    def result(self, criterion_id: str) -> CriterionResult:
        for result in self.results:
            if result.id == criterion_id:
                return result
        known = ", ".join(r.id for r in self.results)
        raise KeyError(f"no criterion {criterion_id!r}; known: {known}")

    def passed(self, criterion_id: str) -> bool:
        """True if the criterion passed (used by the nbgrader hidden tests)."""
        return self.result(criterion_id).passed

    def message(self, criterion_id: str) -> str:
        """The plain-English line for one criterion, as nbgrader feedback shows it."""
        r = self.result(criterion_id)
        return f"{r.title}: {_sentence(r.message)}"

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results if r.passed)

    @property
    def max_score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def to_do(self) -> list[CriterionResult]:
        return [r for r in self.results if r.status == "fail"]

    def _heading(self) -> str:
        name = self.principle_name
        done = sum(r.passed for r in self.results)
        checked = sum(r.status != "not checked" for r in self.results)
        return f"Reflection checklist: {name} ({done} of {checked} done)"

    def _intro(self) -> list[str]:
        lines = []
        if self.is_template:
            lines.append(
                "This is still the template: replace the guidance text in each field with "
                "your own words, then run the cell again."
            )
        lines.extend(_sentence(note) for note in self.notes)
        if not self.to_do and not self.is_template:
            lines.append("Everything the automatic check looks for is there. Well done.")
        return lines

    def __str__(self) -> str:
        lines = [self._heading()]
        lines += self._intro()
        for r in self.results:
            lines.append(f"{_TEXT_MARK[r.status]} {r.title}: {_sentence(r.message)}")
        lines.append(
            "These checks are automatic; your trainer reads the reflection itself against the rubric."
        )
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        lines = [f"**{self._heading()}**", ""]
        lines += [f"> {line}\n" for line in self._intro()]
        for r in self.results:
            lines.append(
                f"- {_MARK[r.status]} *{_WORD[r.status]}*: **{r.title}**. {_md(r.message)}"
            )
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        esc = html.escape
        items = "".join(
            f'<li class="reflect-{r.status.replace(" ", "-")}">'
            f'<span aria-hidden="true">{_MARK[r.status]}</span> '
            f"<em>{_WORD[r.status]}</em>: <strong>{esc(r.title)}</strong>. {_html(r.message)}</li>"
            for r in self.results
        )
        intro = "".join(f"<p>{esc(line)}</p>" for line in self._intro())
        return (
            f'<div class="reflect-checklist"><p><strong>{esc(self._heading())}</strong></p>'
            f'{intro}<ul style="list-style: none; padding-left: 0.5em">{items}</ul></div>'
        )


def _html(text: str) -> str:
    """Escape HTML, turning `code spans` into ``<code>``."""
    parts = html.escape(_sentence(text)).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _md(text: str) -> str:
    """Escape Markdown formatting characters outside `code spans`."""
    parts = _sentence(text).split("`")
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([\\*_\[\]<>])", r"\\\1", parts[i])
    return "`".join(parts)
