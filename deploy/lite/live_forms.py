"""Sphinx extension: "Open this form in the live workbook" on the book's form pages, and the
site it opens.

* The ``live-form`` directive places a form's box on its page::

      ```{live-form} self-audit-leadership
      What the page says instead when the book is built without live forms.
      ```

  The forms (id, page, title, purpose) come from one list, the package's ``data/workbook.yaml``.
  With a live site the box names the form, says what it is for, describes what it asks (a
  list, labelled as a description: nothing on the page can be typed into) and has one button
  that opens the live workbook at that form; without one it shows the directive's own text.
  Every form must be placed on its own page exactly once (a warning otherwise, so an error under ``-W``).
* The ``live_pyodide`` setting (``_config.yml``, ``sphinx: config:``) says where the browser's
  Python comes from: ``cdn`` (default), ``self`` (in the site, for schools that block CDNs), a
  URL of another copy, or ``off`` (no live site, no buttons). The environment variable
  ``WHOLESCHOOL_LIVE_PYODIDE`` overrides it (the tests build with ``self``).
* When the HTML is written, the live site (``lite_site.py`` beside this file: JupyterLite's REPL app
  and Pyodide) is built clean into a cache beside the output, named after a fingerprint of
  everything it is made from, and copied to ``<html>/live/``. A rebuild with no change reuses
  it, so the no-change rebuild of the book stays fast.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
from pathlib import Path
from typing import Any

import lite_site
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

logger = logging.getLogger(__name__)

ENV_OVERRIDE = "WHOLESCHOOL_LIVE_PYODIDE"
LIVE_DIR = "live"
CACHE_DIR = ".live-site"
AUDIT_PREFIX = "self-audit-"


def live_enabled(config: Config) -> bool:
    return config.live_pyodide != "off"


def _forms(env: BuildEnvironment) -> dict[str, lite_site.Form]:
    """The forms of ``workbook.yaml`` by id (read once per build)."""
    cached = getattr(env.app, "_live_forms", None)
    if cached is None:
        try:
            cached = {form.id: form for form in lite_site.load_forms()}
        except lite_site.LiteBuildError as error:
            raise ExtensionError(str(error)) from None
        env.app._live_forms = cached
    return cached


def outline(form: lite_site.Form) -> list[str]:
    """What the form asks, one line each: a self-audit's indicators and choices, or the
    form's own ``shows`` lines."""
    if form.id.startswith(AUDIT_PREFIX):
        from wholeschool import FRAMEWORK

        principle = FRAMEWORK.principle(form.id[len(AUDIT_PREFIX) :])
        levels = ", ".join(level.label for level in FRAMEWORK.scale)
        lines = [
            *(f"{n}. {ind.text}" for n, ind in enumerate(principle.indicators, start=1)),
            f"For each: choose one level ({levels}) and, if you like, write a short note.",
        ]
        gate = FRAMEWORK.gate
        if gate is not None and gate.principle == principle.id:  # the one question not rated
            answers = ", ".join(answer.label for answer in gate.answers)
            lines.insert(0, f"First, the safeguarding route: {gate.text} Answer: {answers}.")
        return lines
    return list(form.shows)


def live_box(form: lite_site.Form, href: str) -> nodes.Node:
    """The box on the page: what the form is for, a description of it that cannot be mistaken
    for the form (no controls, labelled as a description), the one button, where answers stay."""
    box = nodes.admonition(classes=["live-form", "tip"])
    box += nodes.title(text=f"Fill it in online: {form.title}")
    box += nodes.paragraph(text=form.purpose)
    lines = outline(form)
    if lines:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        box += nodes.raw(
            "",
            '<div class="live-form-outline" role="note" aria-label="What the form asks">'
            "<p><strong>What the form asks</strong> (a description, not the form: nothing can "
            "be filled in here; use the button below)</p>"
            f"<ul>{items}</ul></div>",
            format="html",
        )
    button = (
        f'<p><a class="btn btn-primary live-form-button" href="{html.escape(href)}">'
        "Open this form in the live workbook</a></p>"
    )
    box += nodes.raw("", button, format="html")
    box += nodes.paragraph(
        text=(
            "The live workbook runs in your web browser, with nothing to install and no "
            "account: all the forms of the course in one place, each with a link back to its "
            "page. What a form saves stays in this browser, on this device, and nothing is sent "
            "anywhere. The first visit downloads the browser's own Python (about 15 MB); after "
            "that the workbook opens from the browser's copy, offline too. The same forms work "
            "in Jupyter on your own computer."
        )
    )
    return box


class LiveFormDirective(SphinxDirective):
    """``live-form <id>``: the form's box, or the directive's text without a live site."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(lite_site.FORMS_FILE))
        form = _forms(self.env).get(self.arguments[0])
        if form is None:
            logger.warning(
                f"live-form: no form {self.arguments[0]!r} in {lite_site.FORMS_FILE}",
                location=self.get_location(),
            )
            return []
        if form.page != self.env.docname:
            logger.warning(
                f"live-form: {form.id!r} belongs on {form.page} ({lite_site.FORMS_FILE})",
                location=self.get_location(),
            )
        self.env.live_forms_placed.setdefault(self.env.docname, []).append(form.id)
        if live_enabled(self.config):
            page = self.env.app.builder.get_target_uri(self.env.docname)
            return [live_box(form, relative_uri(page, f"{LIVE_DIR}/{form.app_url()}"))]
        note = nodes.note()
        self.state.nested_parse(self.content, self.content_offset, note)
        return [note]


def _init_env(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if not hasattr(env, "live_forms_placed"):
        env.live_forms_placed = {}


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "live_forms_placed", {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment):
    env.live_forms_placed.update(
        {d: ids for d, ids in getattr(other, "live_forms_placed", {}).items() if d in docnames}
    )


def check_placement(app: Sphinx, env: BuildEnvironment) -> None:
    """Every form of the list is on its page, once."""
    placed = getattr(env, "live_forms_placed", {})
    for form in _forms(env).values():
        count = placed.get(form.page, []).count(form.id)
        if count != 1:
            logger.warning(
                f"live-form: {form.id!r} is placed {count} times on {form.page} "
                f"(expected once; {lite_site.FORMS_FILE})"
            )


def apply_override(app: Sphinx, config: Config) -> None:
    """``WHOLESCHOOL_LIVE_PYODIDE`` wins over ``_config.yml``; the value is checked."""
    if os.environ.get(ENV_OVERRIDE, "").strip():
        config.live_pyodide = os.environ[ENV_OVERRIDE].strip()
    if config.live_pyodide != "off":
        try:
            lite_site.check_mode(config.live_pyodide)
        except lite_site.LiteBuildError as error:
            raise ExtensionError(str(error)) from None


def build_live_site(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the live site at ``<html>/live``, built only when its sources change."""
    if exception is not None or app.builder.format != "html" or not live_enabled(app.config):
        return
    outdir = Path(app.outdir)
    title = app.config.html_title or app.config.project
    mode = app.config.live_pyodide
    cache = outdir.parent / CACHE_DIR
    fingerprint = lite_site.fingerprint(mode, title)
    site = cache / fingerprint
    if not (site / "jupyter-lite.json").is_file():
        logger.info(f"live forms: building the live site ({mode})...")
        if cache.exists():
            shutil.rmtree(cache)  # sites of older sources are never used again
        try:
            summary = lite_site.build_site(site, mode, title=title)
        except lite_site.SITE_ERRORS as error:
            raise ExtensionError(f"live forms: {error}") from None
        logger.info(
            f"live forms: built with {summary['wheel']}; not in the browser: "
            + ", ".join(summary["left_out"])
        )
    target = outdir / LIVE_DIR
    stamp = cache / ("installed-" + hashlib.sha256(str(target).encode()).hexdigest()[:12])
    if target.is_dir() and stamp.is_file() and stamp.read_text() == fingerprint:
        return
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(site, target)
    stamp.write_text(fingerprint)


#: The book pages' script that starts the workbook ahead on a repeat visit (course/_static).
WARM_START_JS = "live-warm-start.js"


def add_warm_start(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: pages with a form's button get the script that starts the
    workbook ahead while the lead reads them (``course/_static/live-warm-start.js``)."""
    if live_enabled(app.config) and getattr(app.env, "live_forms_placed", {}).get(pagename):
        app.add_js_file(WARM_START_JS, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("live_pyodide", "cdn", "env", [str])
    app.add_directive("live-form", LiveFormDirective)
    app.connect("config-inited", apply_override)
    app.connect("env-before-read-docs", _init_env)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", check_placement)
    app.connect("html-page-context", add_warm_start)
    app.connect("build-finished", build_live_site)
    # A new version of this file makes Sphinx rebuild every page (else old pages keep old HTML).
    source_version = int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8], 16) or 1
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": source_version,
    }
