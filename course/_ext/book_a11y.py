"""Sphinx extension: accessibility fixes to HTML the theme and Sphinx write (axe-core rules).

* ``summary-name`` (serious): the navigation's expand/collapse toggles are ``<summary>``
  elements holding only an icon, so a screen reader announces an unnamed control. Each gets
  ``aria-label="Sections of <chapter title>"``.
* ``aria-required-children`` (critical): Sphinx writes the reference list as
  ``role="list"`` holding ``role="doc-biblioentry"`` items, which the list role does not allow
  (the DPUB role is deprecated); the entries become ``role="listitem"``.

Checked by ``tests/test_browser.py`` (axe-core on every page).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from sphinx.application import Sphinx


def label_nav_toggles(nav: BeautifulSoup) -> BeautifulSoup:
    """Name every icon-only ``<summary>`` in a navigation tree after its chapter (in place)."""
    for summary in nav.select("li > details > summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        link = summary.find_parent("li").find("a")
        if link is not None and link.get_text(strip=True):
            summary["aria-label"] = f"Sections of {link.get_text(' ', strip=True)}"
    return nav


def _wrap_toctree(generate):
    """The theme's ``generate_toctree_html`` (HTML string or soup), with labelled toggles."""

    @functools.wraps(generate)
    def wrapped(*args: Any, **kwargs: Any):
        result = generate(*args, **kwargs)
        if isinstance(result, str):
            return str(label_nav_toggles(BeautifulSoup(result, "html.parser")))
        return label_nav_toggles(result) if isinstance(result, BeautifulSoup) else result

    return wrapped


def fix_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context`` handler, after the theme's (priority 900)."""
    if callable(context.get("generate_toctree_html")):
        context["generate_toctree_html"] = _wrap_toctree(context["generate_toctree_html"])
    if isinstance(context.get("body"), str):
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", fix_page, priority=900)
    # A new version of this file makes Sphinx rebuild every page (else old pages keep old HTML).
    source_version = int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8], 16) or 1
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": source_version,
    }
