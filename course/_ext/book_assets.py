"""Sphinx extension: write each page's <script> and <link> tags once.

Sphinx 7.4 repeats inline scripts that extensions register after the builder starts (Jupyter
Book's sphinx-thebe ``const THEBE_JS_URL`` among them), and MyST-NB can add a page's widget
renderer twice. A repeated ``const`` is a JavaScript error on every page and a repeated
renderer draws each widget twice, so this drops exact repeats just before the page is written.
"""

from __future__ import annotations

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


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", dedupe_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
