"""The course content is complete, safe and well referenced.

Checks the source pages under ``course/`` and the content data files; the page-text checks use
the real built book (``built_book`` fixture). That the book builds with ``-W`` is covered by
``test_book.py``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, page_text
from pybtex.database import parse_file
from wholeschool import FRAMEWORK
from wholeschool.core.content import DATA, load_examples, load_resources
from wholeschool.core.errors import DataFileError

COURSE = ROOT / "course"
PAGE_KINDS = ("why", "good-practice", "steps", "self-audit", "reflection")
PRINCIPLE_IDS = [principle.id for principle in FRAMEWORK.principles]

#: Words that make a page need the safeguarding admonition: risk(s/y), self-harm (self harm,
#: self-harming), abuse (abused, abusive), suicide (suicidal), referral(s). Whole words, any case;
#: "refer" alone is not enough, and "asterisk" does not count as "risk".
SENSITIVE = re.compile(r"\b(risk\w*|self[- ]harm\w*|abus\w*|suicid\w*|referrals?)\b", re.I)

#: The admonition every such page carries: a ``{admonition}`` directive (backtick or colon fence)
#: whose ``:class:`` option includes ``safeguarding``, and whose body names the designated
#: safeguarding lead (or DSL) and links the safeguarding page (except on that page itself).
ADMONITION = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{admonition\}[^\n]*\n"
    r"(?::[a-z-]+:[^\n]*\n)*?"
    r":class:[^\n]*\bsafeguarding\b[^\n]*\n"
    r"(?P<body>.*?)^(?P=fence)\s*$",
    re.M | re.S,
)

#: MyST citation roles: {cite}`a`, {cite:p}`a,b`, {cite:t}`a`, {cite:ps}`a` ...
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def course_pages() -> list[Path]:
    return sorted(COURSE.rglob("*.md"))


# (1) every principle has its chapter with all five page kinds ---------------------------------


@pytest.mark.parametrize("principle_id", PRINCIPLE_IDS)
def test_every_principle_has_all_five_pages_in_toc_and_on_disk(principle_id: str):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    chapters = {
        chapter["file"]: [section["file"] for section in chapter.get("sections", [])]
        for part in toc["parts"]
        for chapter in part["chapters"]
    }
    index = f"course/principles/{principle_id}/index"
    assert index in chapters, f"{principle_id}: no chapter in _toc.yml"
    expected = [f"course/principles/{principle_id}/{kind}" for kind in PAGE_KINDS]
    assert chapters[index] == expected, f"{principle_id}: sections in _toc.yml"
    for page in [index, *expected]:
        path = ROOT / f"{page}.md"
        assert path.is_file(), f"missing {path}"
        assert "is being written" not in path.read_text(encoding="utf-8"), f"placeholder: {page}"


# (2) every indicator appears on its built "what good looks like" page ------------------------


@pytest.mark.book
def test_every_indicator_is_on_its_good_practice_page(built_book: Path):
    for principle in FRAMEWORK.principles:
        text = page_text(built_book / f"course/principles/{principle.id}/good-practice.html")
        examples = load_examples(principle.id)
        for indicator in principle.indicators:
            assert indicator.text in text, f"{indicator.id} missing from its good-practice page"
            for setting in ("primary", "secondary", "college"):
                example = " ".join(getattr(examples.indicators[indicator.id], setting).split())
                assert example in text, f"{indicator.id}: {setting} example not on the page"


@pytest.mark.book
def test_resources_page_lists_every_resource_with_its_evidence(built_book: Path):
    text = page_text(built_book / "course/resources.html")
    data = load_resources()
    for criterion in data.criteria:
        assert criterion.question in text, criterion.id
    for principle_id, items in data.principles.items():
        for item in items:
            assert item.title in text, f"{principle_id}: {item.title}"
            entry = text.split(item.title, 1)[1].split("Settings:", 1)[0]
            assert item.organisation in entry, f"{principle_id}: {item.title}"
            assert f"Evidence: {data.level(item.evidence).label}." in entry, item.title


# (3) pages on risk, self-harm, abuse, suicide or referral carry the safeguarding admonition --


def test_sensitive_word_pattern_matches_what_it_should():
    for text in ["Risk factors", "self-harm", "Self harming", "abused", "suicidal", "a referral"]:
        assert SENSITIVE.search(text), text
    for text in ["asterisk", "we refer to", "preferral", "safeguarding"]:
        assert not SENSITIVE.search(text), text


@pytest.mark.parametrize("page", course_pages(), ids=lambda p: str(p.relative_to(COURSE)))
def test_sensitive_pages_carry_the_safeguarding_admonition(page: Path):
    text = page.read_text(encoding="utf-8")
    found = SENSITIVE.search(text)
    if not found:
        return
    admonitions = list(ADMONITION.finditer(text))
    assert admonitions, (
        f"{page.relative_to(ROOT)} mentions {found.group(0)!r} but has no admonition "
        "with :class: safeguarding"
    )
    body = admonitions[0].group("body")
    assert re.search(r"designated safeguarding lead|\bDSL\b", body, re.I), "admonition names DSL"
    if page != COURSE / "safeguarding.md":
        assert "/course/safeguarding" in body, "admonition links {doc}`/course/safeguarding`"


# (4) citations and the bibliography match ------------------------------------------------------


def cited_keys() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for page in course_pages():
        for match in CITE.finditer(page.read_text(encoding="utf-8")):
            for key in match.group(1).split(","):
                keys.setdefault(key.strip(), []).append(str(page.relative_to(ROOT)))
    return keys


def test_every_cited_key_is_in_the_bibliography():
    entries = set(parse_file(str(COURSE / "references.bib"), bib_format="bibtex").entries)
    unknown = {key: pages for key, pages in cited_keys().items() if key not in entries}
    assert not unknown, f"cited but not in course/references.bib: {unknown}"


def test_every_bibliography_entry_is_cited():
    entries = set(parse_file(str(COURSE / "references.bib"), bib_format="bibtex").entries)
    uncited = sorted(entries - set(cited_keys()))
    assert not uncited, f"in course/references.bib but never cited: {uncited}"


def test_citation_pattern_reads_every_role_form():
    text = "{cite:p}`a, b` and {cite:t}`c` and {cite}`d` and {cite:ps}`e`"
    assert [k.strip() for m in CITE.finditer(text) for k in m.group(1).split(",")] == list("abcde")


# (5) content data files validate, and a malformed copy names the file and the field ----------


@pytest.mark.parametrize("principle_id", PRINCIPLE_IDS)
def test_examples_file_validates(principle_id: str):
    examples = load_examples(principle_id)
    assert examples.principle == principle_id


def test_no_stray_examples_files():
    stray = {p.stem for p in (DATA / "examples").glob("*.yaml")} - set(PRINCIPLE_IDS)
    assert not stray, f"examples files for unknown principles: {sorted(stray)}"


def test_resources_validate_and_cover_every_principle():
    data = load_resources()
    assert set(data.principles) == set(PRINCIPLE_IDS)
    assert [c.id for c in data.criteria] == [
        "clear",
        "age-appropriate",
        "clinically-safe",
        "evidence-informed",
        "inclusive",
        "up-to-date",
    ]
    assert all(len(items) >= 3 for items in data.principles.values())


def _broken_copy(source: Path, tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (lambda d: d["indicators"]["leadership.2"].pop("college"), "college", "is missing"),
        (lambda d: d["indicators"]["leadership.1"].update(primary="Too short."), "primary", "20"),
        (lambda d: d["indicators"].pop("leadership.3"), "indicators", "missing ['leadership.3']"),
        (lambda d: d.update(principle="ethos"), "principle", "expected 'leadership'"),
        (lambda d: d.update(pupil_name="x"), "pupil_name", "not a field"),
    ],
)
def test_malformed_examples_name_file_and_field(tmp_path: Path, edit, field: str, problem: str):
    path = _broken_copy(DATA / "examples" / "leadership.yaml", tmp_path, edit)
    before = path.read_bytes()
    with pytest.raises(DataFileError) as caught:
        load_examples("leadership", folder=tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert field in (caught.value.field or ""), message
    assert problem in message
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (
            lambda d: d["principles"]["ethos"][1].update(evidence="strong"),
            "principles.ethos[1].evidence",
            "'strong' is not one of",
        ),
        (
            lambda d: d["principles"]["curriculum"][0].pop("description"),
            "principles.curriculum[0].description",
            "is missing",
        ),
        (
            lambda d: d["principles"]["leadership"][0].update(url="www.example.org"),
            "principles.leadership[0].url",
            "should match pattern",
        ),
        (
            lambda d: d["principles"]["student-voice"][0].update(settings=["nursery"]),
            "principles.student-voice[0].settings[0]",
            "'primary', 'secondary' or 'college'",
        ),
        (lambda d: d["principles"].pop("targeted-support"), "principles", "targeted-support"),
        (lambda d: d["criteria"][2].pop("question"), "criteria[2].question", "is missing"),
    ],
)
def test_malformed_resources_name_file_and_field(tmp_path: Path, edit, field: str, problem: str):
    path = _broken_copy(DATA / "resources.yaml", tmp_path, edit)
    before = path.read_bytes()
    with pytest.raises(DataFileError) as caught:
        load_resources(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {field}: "), message
    assert problem in message, message
    assert path.read_bytes() == before


def test_resources_file_that_is_not_yaml_names_the_file(tmp_path: Path):
    path = tmp_path / "resources.yaml"
    shutil.copy(DATA / "resources.yaml", path)
    path.write_text(path.read_text(encoding="utf-8") + "\n  - : [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"^{re.escape(str(path))}: is not valid YAML"):
        load_resources(path)
