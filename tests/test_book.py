"""The book builds with warnings as errors, executes its notebooks, and shows the framework."""

from __future__ import annotations

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
