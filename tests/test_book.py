"""The book builds with warnings as errors, executes its notebooks, and shows the framework."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from helpers import BUILD, ROOT, page_text, toc_files
from wholeschool import FRAMEWORK

pytestmark = pytest.mark.book


def test_every_principle_has_a_chapter_in_the_toc():
    chapters = {f.split("/")[2] for f in toc_files() if f.startswith("course/principles/")}
    assert chapters == set(FRAMEWORK.principle_by_id)


def test_config_executes_with_cache_and_treats_errors_as_failures():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["only_build_toc_files"] is True
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["allow_errors"] is False
    assert config["sphinx"]["config"]["nb_execution_raise_on_error"] is True


def test_book_builds_and_every_toc_page_exists(built_book: Path):
    for name in toc_files():
        assert (built_book / f"{name}.html").is_file(), name
    assert (built_book / "index.html").is_file()


def test_chapter_pages_show_the_summary_rendered_from_the_data(built_book: Path):
    # The indicators themselves are checked on each "what good looks like" page
    # (tests/test_content.py); the landing page shows the principle's summary from the data.
    for principle in FRAMEWORK.principles:
        text = page_text(built_book / f"course/principles/{principle.id}/index.html")
        assert principle.summary in text, principle.id


def test_notebooks_were_executed_into_the_cache(built_book: Path):
    cache = BUILD / ".jupyter_cache"
    assert cache.is_dir()
    executed = [p for p in toc_files() if "{code-cell}" in (ROOT / f"{p}.md").read_text("utf-8")]
    reports = list((built_book.parent / "jupyter_execute").rglob("*.ipynb"))
    assert len(reports) >= len(executed)


@pytest.mark.parametrize(
    ("page", "header"),
    [("course/intro.html", "What it means"), ("course/resources.html", "What it means")],
)
def test_tables_made_by_code_cells_are_real_tables(built_book: Path, page: str, header: str):
    # wholeschool.pages returns Markdown tables; MyST-NB must parse them (GitHub Flavoured
    # Markdown), not print the pipes as text.
    html = (built_book / page).read_text(encoding="utf-8")
    assert "<table" in html and f'<th class="head"><p>{header}</p></th>' in html, page
    assert "| --- |" not in html and "| — |" not in html, page


# --- numbering and words that must be true of what the page shows ------------------------------

SUB_PAGES = ("why", "good-practice", "steps", "self-audit", "reflection")


def _section_numbers(path: Path) -> list[str]:
    """The automatic section numbers on a built page, in its headings, its menu and its
    previous/next links ("1.3. What good looks like"), in the order they come."""
    html = path.read_text(encoding="utf-8")
    return re.findall(r">\s*(\d+(?:\.\d+)*\.)\s", html)


def test_only_the_principles_are_numbered_and_as_the_framework_numbers_them(built_book: Path):
    """The book's own numbering must not stand beside the framework's: a page titled "1.3." with
    "Indicator 1.3" on it reads as two numberings. Only a principle's first page carries a
    number, the framework's own ("1." is Principle 1), in its heading and in the menu."""
    for principle in FRAMEWORK.principles:
        folder = built_book / "course" / "principles" / principle.id
        headings = re.findall(r"<h1>(.*?)</h1>", (folder / "index.html").read_text("utf-8"), re.S)
        number = f'<span class="section-number">{principle.number}. </span>'
        assert any(number in h for h in headings), f"{principle.id}: {headings}"
        for page in SUB_PAGES:
            numbers = {n for n in _section_numbers(folder / f"{page}.html") if "." in n[:-1]}
            assert not numbers, f"{principle.id}/{page} shows section numbers {sorted(numbers)}"
    for name in toc_files():
        numbers = {n for n in _section_numbers(built_book / f"{name}.html") if "." in n[:-1]}
        assert not numbers, f"{name} shows section numbers {sorted(numbers)}"


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


#: A sentence that places a form, plan, log or chart above or below on the page: the static page
#: shows none of them (the forms are in the live workbook), only the button and its box.
PLACED = r"\b(the|this|a)\s+(forms?|plan|log|charts?)\b[^.;:]{0,60}\b(below|above)\b"
PLACED_AFTER = r"\b(below|above)\s+(the|this)\s+(forms?|plan|log|charts?)\b"
#: A sentence about charts must say where they are drawn: the browser's Python draws none.
CHART = r"\b(charts?|graphs?|plots?)\b"
CHART_WHERE = ("Jupyter", "hub", "browser", "workbook", "where charts are drawn")


def test_pages_speak_only_of_what_the_lead_sees(built_book: Path):
    """No "the form below" or chart the static page does not show: the forms and their charts
    are in the live workbook (opened by the button in the form's box)."""
    wrong = []
    for name in toc_files():
        for sentence in _sentences(page_text(built_book / f"{name}.html")):
            if (
                re.search(PLACED, sentence, re.I) or re.search(PLACED_AFTER, sentence, re.I)
            ) and not re.search(r"\b(button|box)\b", sentence):
                wrong.append(f"{name}: {sentence[:160]}")
            if re.search(CHART, sentence, re.I) and not any(w in sentence for w in CHART_WHERE):
                wrong.append(f"{name}: {sentence[:160]}")
    assert not wrong, "\n".join(wrong)


NUMBER_WORDS = {"five": 5, "ten": 10, "fifteen": 15, "twenty": 20}


def test_a_self_audit_takes_the_same_time_on_every_page_that_says(built_book: Path):
    """The self-audit page and its module's table give one figure, and the module's total is
    the sum of its table."""
    for principle in FRAMEWORK.principles:
        folder = built_book / "course" / "principles" / principle.id
        audit = page_text(folder / "self-audit.html")
        said = re.search(r"Take (?:about )?(\w+) minutes", audit)
        assert said, f"{principle.id}: the self-audit page says no time"
        minutes = NUMBER_WORDS.get(said.group(1)) or int(said.group(1))
        index = page_text(folder / "index.html")
        row = re.search(r"Rate where your school stands today (\d+) minutes", index)
        assert row and int(row.group(1)) == minutes, (principle.id, said.group(0), row)
        rows = [int(n) for n in re.findall(r"(\d+) minutes", index.split("Allow about")[0])]
        total = re.search(r"Allow about (\d+) minutes for the whole module", index)
        assert total and abs(int(total.group(1)) - sum(rows)) <= 5, (principle.id, rows, total)
