"""The sources register and the helplines file: valid data, used by every page, listed by age.

* Every web source in ``course/references.bib`` (each ``@misc`` entry) is in the register, and
  every key the register names is in the bibliography.
* No course page writes a phone or text number by hand; every number on a built page is in
  ``data/helplines.yaml``.
* A built page that cites a register source shows "Last checked: <month year>" from the
  register. Nothing here reads today's date.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import BIN, ROOT, page_text
from pybtex.database import parse_file
from wholeschool.core.errors import DataFileError
from wholeschool.core.sources import (
    HELPLINES_FILE,
    SOURCES_FILE,
    load_helplines,
    load_register,
    numbers_in,
)
from wholeschool.render.sources import cited_keys, helpline_list, last_checked_note

COURSE = ROOT / "course"
BIB = parse_file(str(COURSE / "references.bib"), bib_format="bibtex")


def course_pages() -> list[Path]:
    return sorted(COURSE.rglob("*.md"))


# --- the register ------------------------------------------------------------------------


def test_every_web_source_in_the_bibliography_is_in_the_register():
    register = load_register()
    in_register = set(register.by_cite_key())
    web = {key for key, entry in BIB.entries.items() if entry.type == "misc"}
    missing = sorted(web - in_register)
    assert not missing, f"add to widgets/wholeschool/data/sources.yaml: {missing}"
    unknown = sorted(in_register - set(BIB.entries))
    assert not unknown, f"the register names keys not in course/references.bib: {unknown}"


def test_register_covers_each_kind_the_course_relies_on():
    kinds = {source.kind for source in load_register().sources}
    assert {"statutory", "inspection", "dataset", "helpline"} <= kinds


def _broken_copy(source: Path, tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (
            lambda d: d["sources"][0].update(last_checked="Dec 2026"),
            "sources[0].last_checked",
            "YYYY-MM",
        ),
        (
            lambda d: d["sources"][0].update(last_checked="2026-13"),
            "sources[0].last_checked",
            "YYYY-MM",
        ),
        (lambda d: d["sources"][1].pop("edition"), "sources[1].edition", "is missing"),
        (lambda d: d["sources"][2].update(url="www.gov.uk"), "sources[2].url", "pattern"),
        (lambda d: d["sources"][3].update(kind="blog"), "sources[3].kind", "'statutory'"),
        (lambda d: d["sources"][1].update(id=d["sources"][0]["id"]), "sources[1].id", "used twice"),
        (
            lambda d: d["sources"][1].update(cites=d["sources"][0]["cites"]),
            "sources[1].cites",
            "listed twice",
        ),
    ],
)
def test_malformed_register_names_file_and_field(tmp_path: Path, edit, field: str, problem: str):
    path = _broken_copy(SOURCES_FILE, tmp_path, edit)
    before = path.read_bytes()
    with pytest.raises(DataFileError) as caught:
        load_register(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {field}: "), message
    assert problem in message, message
    assert path.read_bytes() == before


def test_last_checked_note_names_each_cited_source_and_the_oldest_month():
    register = load_register()
    kcsie, samaritans = register.source("kcsie"), register.source("samaritans")
    page = "Text {cite:p}`dfe2024kcsie` and {cite:p}`samaritanscontact,durlak2011`."
    assert cited_keys(page) == ["dfe2024kcsie", "samaritanscontact", "durlak2011"]
    note = last_checked_note(page, register)
    oldest = min((kcsie, samaritans), key=lambda s: s.last_checked)
    assert f"Last checked: {oldest.checked_label}." in note
    assert f"*{kcsie.title}* ({kcsie.publisher}), {kcsie.edition}." in note
    assert f"Last checked: {samaritans.checked_label}." in note
    assert last_checked_note("A page citing only {cite:p}`durlak2011`.", register) == ""


def test_month_label_is_read_from_the_register_not_the_clock(tmp_path: Path):
    path = _broken_copy(
        SOURCES_FILE, tmp_path, lambda d: d["sources"][0].update(last_checked="2019-02")
    )
    source = load_register(path).sources[0]
    assert source.checked_label == "February 2019"


# --- the command -------------------------------------------------------------------------


def wholeschool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "wholeschool"), *args], capture_output=True, text=True, timeout=60
    )


def test_sources_command_lists_the_longest_unchecked_first():
    result = wholeschool("sources")
    assert result.returncode == 0, result.stderr
    months = re.findall(r"^(\d{4}-\d{2})  (\S+)", result.stdout, re.M)
    register = load_register()
    assert [source_id for _, source_id in months] == [s.id for s in register.by_last_checked()]
    assert [m for m, _ in months] == sorted(m for m, _ in months)
    assert f"{len(register.sources)} of {len(register.sources)} sources listed." in result.stdout


def test_sources_command_filters_by_kind_and_month():
    register = load_register()
    newest = max(s.last_checked for s in register.sources)
    result = wholeschool("sources", "--kind", "helpline", "--before", newest)
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^\d{4}-\d{2}  (\S+)", result.stdout, re.M)
    expected = [
        s.id for s in register.by_last_checked() if s.kind == "helpline" and s.last_checked < newest
    ]
    assert listed == expected
    bad = wholeschool("sources", "--before", "December")
    assert bad.returncode != 0
    assert "YYYY-MM" in bad.stderr and "Traceback" not in bad.stderr


# --- helplines ---------------------------------------------------------------------------


def test_helplines_validate_and_name_register_sources():
    helplines = load_helplines()
    ids = {s.id for s in load_register().sources}
    assert {"samaritans", "childline", "shout", "papyrus", "nhs-111", "emergency"} <= {
        h.id for h in helplines.helplines
    }
    for line in helplines.helplines:
        assert line.source is None or line.source in ids, line.id
    assert "**Shout**: text SHOUT to 85258" in helpline_list(["shout"], helplines)


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (
            lambda d: d["helplines"][2].update(source="nowhere"),
            "helplines[2].source",
            "not in the register",
        ),
        (lambda d: d["helplines"][2]["contacts"][0].update(number="116-123"), "number", "pattern"),
        (lambda d: d["helplines"][3].pop("who"), "helplines[3].who", "is missing"),
    ],
)
def test_malformed_helplines_name_file_and_field(tmp_path: Path, edit, field: str, problem: str):
    path = _broken_copy(HELPLINES_FILE, tmp_path, edit)
    with pytest.raises(DataFileError) as caught:
        load_helplines(path)
    assert str(caught.value).startswith(f"{path}: "), str(caught.value)
    assert field in (caught.value.field or ""), str(caught.value)
    assert problem in str(caught.value)


def test_number_pattern_finds_phone_and_text_numbers_and_nothing_else():
    text = (
        "Call 116 123, text SHOUT to 85258, ring 0800 068 4141 or 0800 1111, or 999 or NHS 111. "
        "Ring 01379 871091."
    )
    assert numbers_in(text) == [
        "116123",
        "85258",
        "08000684141",
        "08001111",
        "999",
        "111",
        "01379871091",
    ]
    for not_a_number in [
        "2,370 children",
        "20.3%",
        "in 2023",
        "Year 10",
        "8,376 pupils",
        "575,361 pupils",
        "0.02",
        "1.111",
        "CDP-2024-0166",
        "10.1111/cdev.13968",
        "question 62226",
    ]:
        assert numbers_in(not_a_number) == [], not_a_number


@pytest.mark.parametrize("page", course_pages(), ids=lambda p: str(p.relative_to(COURSE)))
def test_no_page_writes_a_number_by_hand(page: Path):
    found = numbers_in(page.read_text(encoding="utf-8"))
    assert not found, (
        f"{page.relative_to(ROOT)} writes {found}: use {{helpline}}`id` with a number from "
        "widgets/wholeschool/data/helplines.yaml"
    )


@pytest.mark.book
def test_built_pages_show_only_numbers_from_the_helplines_file(built_book: Path):
    known = load_helplines().numbers()
    pages = sorted((built_book / "course").rglob("*.html"))
    assert pages
    shown: set[str] = set()
    for page in pages:
        numbers = set(numbers_in(page_text(page)))
        assert numbers <= known, f"{page.relative_to(built_book)}: {sorted(numbers - known)}"
        shown |= numbers
    assert {"116123", "08001111", "999"} <= shown, "the helplines render on the pages"


@pytest.mark.book
def test_built_pages_show_when_their_sources_were_last_checked(built_book: Path):
    register = load_register()
    checked = 0
    for source_page in course_pages():
        docname = source_page.relative_to(ROOT).with_suffix("")
        if str(docname) == "course/references":
            continue
        html = built_book / docname.with_suffix(".html")
        if not html.is_file():
            continue
        sources = register.for_keys(cited_keys(source_page.read_text(encoding="utf-8")))
        text = page_text(html)
        if not sources:
            assert "Sources on this page" not in text, docname
            continue
        oldest = min(sources, key=lambda s: s.last_checked)
        assert f"Last checked: {oldest.checked_label}." in text, docname
        for source in sources:
            assert f"{source.title} ({source.publisher})" in text, (docname, source.id)
        checked += 1
    assert checked >= 10


# --- the book extension, in a small real Sphinx build ---------------------------------------


def sphinx_build(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    """Build a one-page MyST project with the course's sources extension, warnings as errors."""
    src = tmp_path / "src"
    (src / "course").mkdir(parents=True)
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'sphinxcontrib.bibtex', 'course_sources']\n"
        "myst_enable_extensions = ['colon_fence']\n"
        f"bibtex_bibfiles = [{str(COURSE / 'references.bib')!r}]\n",
        encoding="utf-8",
    )
    (src / "index.md").write_text(
        "# Test\n\n```{toctree}\ncourse/page\n```\n\n```{bibliography}\n:filter: cited\n```\n",
        encoding="utf-8",
    )
    (src / "course" / "page.md").write_text(page, encoding="utf-8")
    return subprocess.run(
        [str(BIN / "sphinx-build"), "-W", "-q", "-b", "html", str(src), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        # The extension's folder, as _config.yml's local_extensions gives it to the book.
        env={**os.environ, "PYTHONPATH": str(COURSE / "_ext")},
    )


def test_extension_renders_numbers_lists_and_the_last_checked_note(tmp_path: Path):
    page = (
        "# Page\n\nCall Samaritans on {helpline}`samaritans` or {helpline}`shout`.\n\n"
        "```{helplines}\nchildline\npapyrus\n```\n\nA source {cite:p}`dfe2024kcsie`.\n"
    )
    result = sphinx_build(tmp_path, page)
    assert result.returncode == 0, result.stdout + result.stderr
    text = page_text(tmp_path / "out" / "course" / "page.html")
    kcsie = load_register().source("kcsie")
    assert "Call Samaritans on 116 123 or text SHOUT to 85258." in text
    assert "Childline : call 0800 1111" in text and "PAPYRUS HOPELINE247" in text
    assert f"Last checked: {kcsie.checked_label}." in text
    assert "Sources on this page" not in page_text(tmp_path / "out" / "index.html")


def test_an_unknown_helpline_stops_the_build_and_names_it(tmp_path: Path):
    result = sphinx_build(tmp_path, "# Page\n\nCall {helpline}`samaritan` now.\n")
    assert result.returncode != 0
    assert "no helpline 'samaritan'" in result.stderr
    assert "samaritans" in result.stderr, "the message lists the helplines there are"
