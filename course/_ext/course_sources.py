"""Sphinx extension: pages render helpline numbers and "Last checked" notes from package data.

* ``{helpline}`id``` (a role) writes one helpline's number from ``data/helplines.yaml``:
  ``call Samaritans on {helpline}`samaritans``` reads "call Samaritans on 116 123".
* ````{helplines}```` (a directive, one helpline id per line) writes a list of helplines with
  how to reach each, when, and who it is for.
* Every page that cites a source in the register (``data/sources.yaml``) ends with a note of
  those sources and the month each was last checked, added as the page is read.

An unknown helpline id is a build warning, so ``-W`` stops the build. Checked by
``tests/test_sources.py``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from wholeschool.core.sources import HELPLINES_FILE, SOURCES_FILE
from wholeschool.render.sources import helpline_list, helpline_number, last_checked_note


def helpline_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{helpline}`samaritans``` -> the helpline's number."""
    try:
        return [nodes.Text(helpline_number(text.strip()))], []
    except KeyError as problem:
        message = inliner.reporter.warning(str(problem).strip("'\""), line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]


class HelplinesDirective(Directive):
    """A list of helplines, one id per line of the directive's content."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        ids = [line.strip() for line in self.content if line.strip()]
        try:
            markdown = helpline_list(ids)
        except KeyError as problem:
            warning = str(problem).strip("'\"")
            return [self.state_machine.reporter.warning(warning, line=self.lineno)]
        container = nodes.container(classes=["helplines"])
        self.state.nested_parse(
            StringList(markdown.splitlines(), source="helplines"),
            self.content_offset,
            container,
        )
        return [container]


def add_last_checked(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: append the "Sources on this page" note to a page that cites any."""
    if not docname.startswith("course/") or docname == "course/references":
        return
    source[0] += last_checked_note(source[0])


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_role("helpline", helpline_role)
    app.add_directive("helplines", HelplinesDirective)
    app.connect("source-read", add_last_checked)
    # A change to this file or to the data makes Sphinx read every page again.
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for data in (SOURCES_FILE, HELPLINES_FILE):
        digest.update(data.read_bytes())
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": int(digest.hexdigest()[:8], 16) or 1,
    }
