"""pytest plugin: run nbval on MyST Markdown notebooks (``.md`` with a jupytext kernelspec).

nbval only collects ``.ipynb`` files. The course pages are text notebooks, so this collector
reads them through jupytext and hands them to nbval's own collector, unchanged otherwise.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import jupytext
import nbformat
import pytest
from nbval.plugin import IPyNbFile


def _read(path: str, as_version: int = 4) -> nbformat.NotebookNode:
    if path.endswith(".md"):
        return jupytext.read(path)
    return nbformat.read(path, as_version=as_version)


class TextNotebookFile(IPyNbFile):
    """nbval's collector, reading the notebook through jupytext."""

    def collect(self):
        with mock.patch("nbval.plugin.nbformat.read", _read):
            yield from list(super().collect())


def is_text_notebook(path: Path) -> bool:
    """A Markdown file whose front matter declares a kernel."""
    if path.suffix != ".md":
        return False
    head = path.read_text(encoding="utf-8")[:1000]
    return head.startswith("---") and "\nkernelspec:" in head


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every notebook cell nbval runs ``notebooks``, so the fast unit run can leave them out."""
    for item in items:
        if isinstance(item.parent, IPyNbFile):
            item.add_marker(pytest.mark.notebooks)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    opt = parent.config.option
    if (opt.nbval or opt.nbval_lax) and is_text_notebook(file_path):
        return TextNotebookFile.from_parent(parent, path=file_path)
    return None
