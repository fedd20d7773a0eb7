"""Every statistic in the course stands next to a citation, and every citation resolves.

The rule, applied to every Markdown page under ``course/``:

* A page is split into **blocks**: runs of text separated by blank lines. Each list item is a
  block of its own (a new block starts at every ``-``, ``*``, ``+`` or ``1.`` item marker), and a
  table (consecutive lines starting with ``|``) is one block. Front matter, code cells and other
  fenced code, directive option lines (``:class: ...``) and MyST comments are not text and are
  dropped; the body of an admonition is text like any other.
* A block holds a **statistic** when it contains any of:

  - a percentage: ``20.3%``, ``94 per cent``;
  - a percentile or percentage-point difference: ``11 percentile points``;
  - a ratio: ``1 in 5``, ``one in five``, ``1 in every 10``;
  - a multiplier: ``twice as likely``, ``3 times more likely``;
  - an effect size or correlation below one (``0.02``), a decimal with a unit (``4.5 points``),
    or months of progress (``4 months' progress``); version numbers (``1.0``) are not statistics;
  - a count of 20 or more written in figures, followed (after at most one describing word)
    by what was counted: ``213 programmes``, ``1,000 schools``, ``2,370 children``.

  Years (``2023``), year groups (``Year 10``), ages (``8 to 16 year olds``), phone and text
  numbers (``116 123``, ``85258``) and small thresholds (``groups under 10``) are not
  statistics. Sections headed ``A fictional ...`` (the invented schools in the practical steps
  pages) are stories, not evidence, and are not checked.
* A block that holds a statistic must also hold a citation role: ``{cite}``, ``{cite:p}``,
  ``{cite:t}`` or another ``{cite:...}`` form. A citation in the next paragraph does not count.

Every key used in any citation role must be an entry of ``course/references.bib``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import ROOT
from pybtex.database import parse_file

COURSE = ROOT / "course"
BIB = COURSE / "references.bib"

CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|fifty|a hundred)"
)
_COUNT_NOUNS = (
    r"programmes?|programs?|studies|study|trials?|schools?|colleges?|settings?|organisations?|"
    r"pupils?|students?|learners?|children|young people|participants?|respondents?|teachers?|"
    r"staff|teams?|interventions?|countries|families|parents?|adults?"
)
STATISTIC = re.compile(
    "|".join(
        [
            r"\d(?:[\d,]*\d)?(?:\.\d+)?\s?%",  # 20.3%, 94 %
            r"\b\d[\d,.]*\s+per\s?cent\b",  # 94 per cent
            r"\b\d[\d,.]*\s+percent(?:ile|age)[- ]points?\b",  # 11 percentile points
            rf"\b(?:\d+|{_NUMBER_WORD})\s+in\s+(?:every\s+)?(?:\d{{1,3}}|{_NUMBER_WORD})\b",  # 1 in 5
            r"\btwice\s+as\b",  # twice as likely
            rf"\b(?:\d+|{_NUMBER_WORD})\s+times\s+(?:as|more|higher|lower|less)\b",  # 3 times more
            # an effect size or correlation (0.02, 0.87), or a decimal with a unit (4.5 points);
            # not a version number (1.0, 2.0)
            r"\b0\.\d+\b",
            r"\b\d+\.\d+\s+(?:points?|months?|years?|times)\b",
            # months of progress, as the EEF reports effects: +4 months' progress
            r"\b\d+\s+months?'?\s+(?:of\s+)?(?:additional\s+)?progress\b",
            # 213 programmes, 1,000 schools; not a year (2023 schools)
            rf"\b(?!(?:19|20)\d\d\b)(?:[2-9]\d|\d{{3,}}|\d{{1,3}}(?:,\d{{3}})+)\+?\s+"
            rf"(?:[\w-]+\s+)?(?:{_COUNT_NOUNS})\b",
        ]
    ),
    re.I,
)
#: Numbers that look like counts but are not: year groups, key stages, ages.
NOT_A_COUNT = re.compile(r"\b(?:year|years|key stage|aged?|ages)\s+\d", re.I)

FENCE = re.compile(r"^(`{3,}|:{3,})(.*)$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
FICTION = re.compile(r"^#{1,6}\s+A fictional\b", re.I)
HEADING = re.compile(r"^(#{1,6})\s")


def text_lines(markdown: str) -> list[str]:
    """The prose lines of a MyST page: no front matter, code, fences, options or comments.

    Dropped lines become blank lines, so they still separate blocks.
    """
    lines = markdown.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = [""] * (end + 1) + lines[end + 1 :]
    out: list[str] = []
    directives: list[str] = []  # fences of the open directives (admonitions keep their text)
    code_fence: str | None = None  # the fence that closes a code block being skipped
    fiction_level = 0  # heading level of an "A fictional ..." section being skipped
    for line in lines:
        if code_fence is not None:
            out.append("")
            if line.strip() == code_fence:
                code_fence = None
            continue
        heading = HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            if fiction_level and level <= fiction_level:
                fiction_level = 0
            if FICTION.match(line):
                fiction_level = level
        if fiction_level:
            out.append("")
            continue
        fence = FENCE.match(line.strip())
        if fence:
            marker, info = fence.group(1), fence.group(2).strip()
            if not info and directives and directives[-1] == marker:
                directives.pop()  # the end of an admonition or other directive
            elif info.startswith("{") and not info.startswith("{code"):
                directives.append(marker)
            else:
                code_fence = marker  # a code cell or a plain code block: not prose
            out.append("")
            continue
        if re.match(r"^\s*:[\w-]+:", line) or line.lstrip().startswith("%"):
            out.append("")
            continue
        out.append(line)
    return out


def blocks(markdown: str) -> list[str]:
    """Split a page's prose into blocks: paragraphs, single list items, whole tables."""
    result: list[list[str]] = []
    current: list[str] = []

    def close() -> None:
        if current and any(line.strip() for line in current):
            result.append(list(current))
        current.clear()

    for line in text_lines(markdown):
        if not line.strip():
            close()
            continue
        is_table = line.lstrip().startswith("|")
        in_table = bool(current) and current[-1].lstrip().startswith("|")
        if LIST_ITEM.match(line) or HEADING.match(line) or is_table != in_table:
            close()
        current.append(line)
        if HEADING.match(line):
            close()
    close()
    return ["\n".join(block) for block in result]


def statistics_in(block: str) -> list[str]:
    """The statistics a block states, as matched text."""
    found = []
    for match in STATISTIC.finditer(block):
        before = block[max(0, match.start() - 10) : match.end()]
        if NOT_A_COUNT.search(before) and not re.search(r"%|per\s?cent", match.group(0)):
            continue
        found.append(match.group(0))
    return found


def uncited_statistics(markdown: str) -> list[tuple[str, str]]:
    """(statistic, block) for every block that states a statistic without a citation."""
    problems = []
    for block in blocks(markdown):
        stats = statistics_in(block)
        if stats and not CITE.search(block):
            problems.append((stats[0], block))
    return problems


def course_pages() -> list[Path]:
    return sorted(COURSE.rglob("*.md"))


# The rule itself, on strings -----------------------------------------------------------------

#: A real counter-example: the figure is cited, but only in the next paragraph.
UNCITED = """\
# A page

In 2023, 20.3% of 8 to 16 year olds in England had a probable mental disorder.

The survey is the official source {cite:p}`nhse2023mhcyp`.
"""

#: The same facts, cited in the paragraph that states them.
CITED = """\
# A page

In 2023, 20.3% of 8 to 16 year olds in England had a probable mental disorder
{cite:p}`nhse2023mhcyp`.
"""


def test_a_statistic_cited_only_in_the_next_paragraph_fails():
    problems = uncited_statistics(UNCITED)
    assert [stat for stat, _ in problems] == ["20.3%"]
    assert "20.3% of 8 to 16 year olds" in problems[0][1]


def test_a_statistic_cited_in_its_own_paragraph_passes():
    assert uncited_statistics(CITED) == []


@pytest.mark.parametrize(
    "text",
    [
        "20.3%",
        "94%",
        "a gain of 11 percentile points",
        "about 1 in 5 children",
        "one in five pupils",
        "1 in every 10 schools",
        "twice as likely",
        "three times more likely",
        "a difference of 0.02",
        "4.5 points higher",
        "+4 months' progress",
        "213 programmes",
        "213 school-based programmes",
        "more than 1,000 schools",
        "2,370 children and young people",
        "575,361 students",
        "50+ organisations",
        "12 per cent",
    ],
)
def test_these_are_statistics(text: str):
    assert statistics_in(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Year 10 pupils",
        "the Equality Act 2010",
        "8 to 16 year olds",
        "pupils aged 11 to 16",
        "Key Stage 4",
        "the eight principles",
        "three times a year",
        "text SHOUT to 85258",
        "call Samaritans free on 116 123",
        "NHS 111",
        "suppress groups under 10 pupils",
        "framework version 1.0",
        "your 1.0 ratings carry across to version 2.0",
        "one in the morning",
        "up to 12 months",
        "a school of 900 pupils",
    ],
)
def test_these_are_not_statistics(text: str):
    # "a school of 900 pupils" is a count, so only the fiction rule exempts it (next test).
    if text == "a school of 900 pupils":
        assert statistics_in(text)
        return
    assert not statistics_in(text), text


def test_fictional_school_sections_are_not_checked():
    page = """\
## Embedded

Keep it going.

## A fictional school: Brookfield

*An invented school of about 900 pupils.*

### What happened

Half the staff, 45 teachers, were trained.

## Related modules

- 94% of nothing, uncited.
"""
    assert [stat for stat, _ in uncited_statistics(page)] == ["94%"]


def test_code_cells_options_and_front_matter_are_not_text():
    page = """\
---
jupytext:
  version: 1.16
---

```{code-cell} ipython3
:tags: [remove-input]
share = 45%
```

```{admonition} Safeguarding comes first
:class: warning safeguarding
Nothing here is a statistic.
```
"""
    assert uncited_statistics(page) == []


def test_each_list_item_and_table_is_its_own_block():
    page = """\
Findings {cite:p}`durlak2011`:

- better skills;
- a gain of 11 percentile points.

| Age | Share | Source |
| --- | --- | --- |
| 8 to 10 | 15.7% | {cite:p}`nhse2023mhcyp` |
"""
    problems = uncited_statistics(page)
    assert [stat for stat, _ in problems] == ["11 percentile points"]


# The rule over the whole course --------------------------------------------------------------


@pytest.mark.parametrize("page", course_pages(), ids=lambda p: str(p.relative_to(COURSE)))
def test_every_statistic_in_the_course_stands_next_to_a_citation(page: Path):
    problems = uncited_statistics(page.read_text(encoding="utf-8"))
    assert not problems, "\n\n".join(
        f"{page.relative_to(ROOT)}: {stat!r} has no citation in its paragraph:\n{block}"
        for stat, block in problems
    )


def test_every_citation_key_in_the_course_resolves_in_the_bibliography():
    entries = set(parse_file(str(BIB), bib_format="bibtex").entries)
    unknown: dict[str, list[str]] = {}
    for page in course_pages():
        for match in CITE.finditer(page.read_text(encoding="utf-8")):
            for key in (k.strip() for k in match.group(1).split(",")):
                if key not in entries:
                    unknown.setdefault(key, []).append(str(page.relative_to(ROOT)))
    assert not unknown, f"cited but not in {BIB.relative_to(ROOT)}: {unknown}"


def test_every_reference_names_its_document_by_url_or_doi():
    """Each bibliography entry points at the exact document and edition it cites."""
    text = (ROOT / "course" / "references.bib").read_text(encoding="utf-8")
    entries = re.findall(r"@\w+\{([^,\s]+),(.*?)\n\}", text, flags=re.S)
    assert len(entries) >= 40
    missing = [
        key for key, body in entries if not re.search(r"^\s*(url|doi)\s*=", body, re.M | re.I)
    ]
    assert missing == []
