"""Sphinx extension: the page a lead means comes first in the book's search.

Sphinx ranks a page by where a word appears (a page title, any section title, the text) and
breaks ties alphabetically, so "safeguarding", a word in a section title on dozens of pages,
listed *Safeguarding comes first* about 28th. The book's ``search_first`` setting (in
``_config.yml``) maps what a lead types to the page that answers it; this writes those pairs
into Sphinx's search scorer (``html_search_scorer``, ``search_first.js`` beside this file), which
lifts that page above every other result for exactly that search. Every other search is ranked
as Sphinx ranks it. A page named in ``search_first`` that is not in the book fails the build.

Checked by ``tests/test_browser.py`` (the first result for a lead's usual searches).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)
SCORER = Path(__file__).with_name("search_first.js")


def normalise(query: str) -> str:
    """A search as the scorer compares it: lower case, single spaces (as ``search_first.js``)."""
    return " ".join(query.lower().split())


def searches(config: Config) -> dict[str, str]:
    """The book's ``search_first``: normalised search -> page (docname, no suffix)."""
    return {normalise(query): str(page) for query, page in (config.search_first or {}).items()}


def write_scorer(app: Sphinx, config: Config) -> None:
    """``config-inited``: the scorer with the book's pairs, named as the book's search scorer."""
    target = Path(app.doctreedir).parent / "search_first.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    pairs = json.dumps(searches(config), indent=1, sort_keys=True)
    target.write_text(f"var SEARCH_FIRST = {pairs};\n{SCORER.read_text()}", encoding="utf-8")
    config.html_search_scorer = str(target)


def check_pages(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-check-consistency``: every page ``search_first`` names is a page of the book."""
    for query, page in searches(app.config).items():
        if page not in env.found_docs:
            logger.warning(
                "search_first: %r names %r, which is not a page of the book", query, page
            )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("search_first", {}, "html", dict)
    app.connect("config-inited", write_scorer)
    app.connect("env-check-consistency", check_pages)
    # Sphinx writes the scorer (into language_data.js) only when it writes some page: a new
    # version of this file or of the scorer rebuilds every page, as a new search_first does.
    version = hashlib.sha256(Path(__file__).read_bytes() + SCORER.read_bytes()).hexdigest()
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": int(version[:8], 16) or 1,
    }
