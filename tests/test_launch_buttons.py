"""Launch buttons: the course hub opens each page's app (or the page), Binder only with a real
repository, and nothing at all when neither is configured.

A tiny Jupyter Book (two pages at the course's paths) is built with the real theme and the
course's ``launch_buttons`` extension under each setting; the built HTML is checked. The full
book's pages are checked by ``test_browser.py`` with the repository's own ``_config.yml``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HUB = "https://hub.example.ac.uk"
PAGE = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# {title}

Text only.
"""


def build(tmp_path: Path, repository: str, jupyterhub: str) -> dict[str, list[str]]:
    """Build the tiny book; the launch links of each page."""
    book = tmp_path / "book"
    (book / "course" / "principles" / "leadership").mkdir(parents=True)
    (book / "course" / "intro.md").write_text(PAGE.format(title="Intro"), encoding="utf-8")
    audit = book / "course" / "principles" / "leadership" / "self-audit.md"
    audit.write_text(PAGE.format(title="Self-audit"), encoding="utf-8")
    (book / "deploy" / "hub" / "apps").mkdir(parents=True)
    manifest = ROOT / "deploy" / "hub" / "apps" / "apps.json"
    (book / "deploy" / "hub" / "apps" / "apps.json").write_bytes(manifest.read_bytes())
    toc = {
        "format": "jb-book",
        "root": "course/intro",
        "chapters": [{"file": "course/principles/leadership/self-audit"}],
    }
    config = {
        "title": "Launch test",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "repository": {"url": repository, "branch": "main"},
        "launch_buttons": {
            "notebook_interface": "jupyterlab",
            "binderhub_url": "https://mybinder.org",
            "jupyterhub_url": jupyterhub,
        },
        "sphinx": {"local_extensions": {"launch_buttons": str(ROOT / "course" / "_ext")}},
    }
    (book / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    (book / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(book), "-W", "-n"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    links = {}
    for name in ("course/intro", "course/principles/leadership/self-audit"):
        page = (book / "_build" / "html" / f"{name}.html").read_text(encoding="utf-8")
        group = re.search(r'<div class="dropdown dropdown-launch-buttons">(.*?)</ul>', page, re.S)
        links[name] = re.findall(r'href="([^"]+)"', group.group(1)) if group else []
    return links


def test_with_a_hub_and_a_repository_both_buttons_open_this_page(tmp_path: Path):
    links = build(tmp_path, "https://github.com/example-org/course", HUB)
    assert links["course/principles/leadership/self-audit"] == [
        f"{HUB}/hub/user-redirect/voila/render/course-apps/self-audit-leadership.ipynb",
        "https://mybinder.org/v2/gh/example-org/course/main"
        "?urlpath=lab/tree/course/principles/leadership/self-audit.md",
    ]
    assert links["course/intro"] == [
        f"{HUB}/hub/user-redirect/lab/tree/course/intro.md",
        "https://mybinder.org/v2/gh/example-org/course/main?urlpath=lab/tree/course/intro.md",
    ]


def test_without_a_repository_there_is_no_binder_button_and_the_hub_still_works(
    tmp_path: Path,
):
    links = build(tmp_path, "", HUB)
    assert links["course/principles/leadership/self-audit"] == [
        f"{HUB}/hub/user-redirect/voila/render/course-apps/self-audit-leadership.ipynb"
    ]
    assert all("mybinder" not in url for urls in links.values() for url in urls)


def test_with_neither_there_is_no_launch_button(tmp_path: Path):
    links = build(tmp_path, "", "")
    assert links == {"course/intro": [], "course/principles/leadership/self-audit": []}
