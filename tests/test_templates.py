"""The downloadable templates: data that validates, Word and Markdown files with the right
headings, no placeholder that asks for a pupil's name, and their place in the built book."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest
from helpers import BIN, page_text
from wholeschool.core.errors import DataFileError
from wholeschool.core.templates import FOLDER, PUPIL_NAME, load_template, load_templates
from wholeschool.reports.templates import HOW_TO_USE, write_templates

TEMPLATES = load_templates()
EXPECTED = {"critical-incident-plan", "mental-health-policy", "referral-map", "smhl-dsl-agreement"}


def word_headings(path: Path) -> list[tuple[str, str]]:
    """(style, text) of the title and headings of a Word file, in order."""
    document = docx.Document(str(path))
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name == "Title" or p.style.name.startswith("Heading")
    ]


def test_the_four_templates_are_there_in_order():
    assert [template.id for template in TEMPLATES] == [
        "mental-health-policy",
        "referral-map",
        "critical-incident-plan",
        "smhl-dsl-agreement",
    ]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The templates written by the real ``wholeschool templates`` command."""
    out = tmp_path_factory.mktemp("templates")
    result = subprocess.run(
        [str(BIN / "wholeschool"), "templates", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == sorted(
        f"{t}.{suffix}" for t in EXPECTED for suffix in ("docx", "md")
    )
    return out


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_each_word_file_opens_with_the_template_headings(written: Path, template):
    headings = word_headings(written / f"{template.id}.docx")
    assert headings[0] == ("Title", template.title)
    assert headings[1:] == [("Heading 1", section.heading) for section in template.sections]
    text = "\n".join(p.text for p in docx.Document(str(written / f"{template.id}.docx")).paragraphs)
    assert template.summary in text


def test_each_word_file_carries_its_title_and_none_of_the_library_s_properties(written: Path):
    """File > Info in Word shows the template's title, no "python-docx" author or comment and
    no 2013 dates from the library's empty template."""
    for path in sorted(written.glob("*.docx")):
        props = docx.Document(str(path)).core_properties
        assert props.title and "python-docx" not in f"{props.author}{props.comments}", path.name
        assert props.created is None and props.modified is None, path.name


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_each_markdown_file_has_the_template_headings_and_the_reminder(written: Path, template):
    markdown = (written / f"{template.id}.md").read_text(encoding="utf-8")
    assert re.findall(r"^# (.+)$", markdown, re.M) == [template.title.replace("[", "\\[")]
    assert re.findall(r"^## (.+)$", markdown, re.M) == [s.heading for s in template.sections]
    assert HOW_TO_USE in markdown


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_no_template_asks_for_a_pupil_name(written: Path, template):
    word = docx.Document(str(written / f"{template.id}.docx"))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in word.paragraphs] + cells)
    assert "[" in text, "templates have placeholders to fill in"
    assert not PUPIL_NAME.search(text)
    markdown = (written / f"{template.id}.md").read_text(encoding="utf-8").replace("\\", "")
    assert not PUPIL_NAME.search(markdown)


@pytest.mark.parametrize(
    "text, asks",
    [
        ("[pupil's name]", True),
        ("[Name of child]", True),
        ("[student initials]", True),
        ("[names of the young people affected]", True),
        ("[name and role]", False),
        ("[names]", False),
        ("[date]", False),
        ("never pupils' names", False),
    ],
)
def test_the_pupil_name_rule(text: str, asks: bool):
    assert bool(PUPIL_NAME.search(text)) is asks


def _copy(tmp_path: Path, name: str, edit) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(edit((FOLDER / f"{name}.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_a_template_asking_for_a_pupil_name_is_refused_naming_file_and_field(tmp_path: Path):
    path = _copy(tmp_path, "referral-map", lambda t: t.replace("[names]", "[pupil's name]", 1))
    before = path.read_bytes()
    with pytest.raises(DataFileError) as caught:
        load_template(path)
    assert caught.value.path == str(path)
    assert caught.value.field == "sections[1]"
    assert "the placeholder [pupil's name] asks for a pupil's name" in caught.value.problem
    assert path.read_bytes() == before


def test_a_table_row_that_does_not_fit_is_refused_naming_the_row(tmp_path: Path):
    path = _copy(
        tmp_path,
        "smhl-dsl-agreement",
        lambda t: t.replace('[Headteacher, "[name]", "[date]"]', '[Headteacher, "[name]"]'),
    )
    with pytest.raises(DataFileError) as caught:
        load_template(path)
    assert caught.value.field == "sections[5].table"
    assert "row 3 has 2 cells, the table has 3 columns" in caught.value.problem


def test_an_id_that_does_not_match_the_file_name_is_refused(tmp_path: Path):
    path = _copy(tmp_path, "referral-map", lambda t: t.replace("id: referral-map", "id: other"))
    with pytest.raises(DataFileError, match="id: is 'other', expected 'referral-map'"):
        load_template(path)


def test_the_command_reports_a_bad_template_without_a_traceback(tmp_path: Path):
    bad = tmp_path / "templates"
    bad.mkdir()
    _copy(bad, "referral-map", lambda t: t.replace("[names]", "[pupil's name]", 1))
    result = subprocess.run(
        [str(BIN / "wholeschool"), "templates", "--from", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "referral-map.yaml: sections[1]: the placeholder [pupil's name]" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "o").exists()


def test_unchanged_templates_are_not_rewritten(tmp_path: Path):
    paths = write_templates(tmp_path)
    stamps = {path: path.stat().st_mtime_ns for path in paths}
    write_templates(tmp_path)
    assert {path: path.stat().st_mtime_ns for path in paths} == stamps


@pytest.mark.book
def test_the_templates_page_offers_every_download(built_book: Path):
    page = built_book / "course" / "understanding" / "templates.html"
    html = page.read_text(encoding="utf-8")
    text = page_text(page)
    for template in TEMPLATES:
        assert template.summary in text
        for suffix, label in (("docx", "Word"), ("md", "Markdown")):
            assert f"{template.title} ({label})" in text
            links = re.findall(rf'href="([^"]*/{template.id}\.{suffix})"', html)
            assert len(links) == 1, (template.id, suffix, links)
            target = (page.parent / links[0]).resolve()
            assert target.is_file(), target
            if suffix == "docx":
                assert word_headings(target)[0] == ("Title", template.title)
