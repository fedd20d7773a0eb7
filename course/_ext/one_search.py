"""Sphinx extension: one search box on every page, not two.

pydata-sphinx-theme 0.17 puts a search field in the page header ("navbar_persistent") unless
the book's own settings name that option; sphinx-book-theme 1.3 sets it empty only in its theme
defaults, which the newer pydata theme no longer reads. So on a wide screen a lead saw two search
boxes (the header's and the page list's), and on the search page three. This sets the option to
empty, as sphinx-book-theme means it: the page list keeps its search field on wide screens and
the page's top bar its search button on tablets and phones.

Checked by ``tests/test_browser.py`` (one visible search control at 1280, 820 and 390 px).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def no_header_search(app: Sphinx, config: Config) -> None:
    """``config-inited``: no search field in the header, unless the book's config asks for one."""
    config.html_theme_options.setdefault("navbar_persistent", [])


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", no_header_search)
    # A new version of this file makes Sphinx rebuild every page (else old pages keep old HTML).
    source_version = int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8], 16) or 1
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": source_version,
    }
