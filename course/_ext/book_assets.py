"""Sphinx extension: keep each page's scripts lean and loaded once.

* Sphinx 7.4 repeats inline scripts that extensions register after the builder starts (Jupyter
  Book's sphinx-thebe ``const THEBE_JS_URL`` among them), and MyST-NB can add a page's widget
  renderer twice. A repeated ``const`` is a JavaScript error on every page and a repeated
  renderer draws each widget twice, so exact repeats are dropped before a page is written.
* The theme loads Font Awesome's 1.5 MB JavaScript on every page only so that sites can add
  custom icons; its stylesheet already draws the icons we use from a 150 kB web font. The
  script tag is taken out of the written pages (measured by ``benchmarks/site.py``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _key(asset: Any) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """What makes two script or stylesheet entries the same tag."""
    filename = str(getattr(asset, "filename", asset) or "")
    attributes = getattr(asset, "attributes", {}) or {}
    return type(asset).__name__, filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def _drop_repeats(assets: list[Any]) -> None:
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for asset in assets:
        if (key := _key(asset)) not in seen:
            seen.add(key)
            unique.append(asset)
    assets[:] = unique


def dedupe_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context`` handler, run after the others (priority 900)."""
    for name in ("script_files", "css_files"):
        if isinstance(context.get(name), list):
            _drop_repeats(context[name])


FONTAWESOME_JS = re.compile(
    r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?'
)


def drop_fontawesome_js(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished`` handler: remove the theme's Font Awesome script from every page."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        lean = FONTAWESOME_JS.sub("", html)
        if lean != html:
            page.write_text(lean, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", dedupe_assets, priority=900)
    app.connect("build-finished", drop_fontawesome_js)
    # A new version of this file makes Sphinx rebuild every page (else old pages keep old HTML).
    source_version = int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8], 16) or 1
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": source_version,
    }
