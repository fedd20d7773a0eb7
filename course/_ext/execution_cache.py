"""Sphinx extension: re-execute the notebooks when the ``wholeschool`` package changes.

Pages render the framework, examples, resources and questions from the package's data through
its code. MyST-NB's execution cache is keyed on a notebook's own cells, and Sphinx only sees the
page files, so an edit to ``widgets/wholeschool`` would otherwise leave stale pages behind. The
cache folder is named after a fingerprint of the package, so a change there means a fresh cache
(every notebook runs again) and a changed setting (Sphinx re-reads every page). A rebuild with
no change still reuses everything.
"""

from __future__ import annotations

import hashlib
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def package_fingerprint(package: str = "wholeschool") -> str:
    """A short hash of every source and data file of ``package``."""
    root = Path(str(resources.files(package)))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def use_fingerprinted_cache(app: Sphinx, config: Config) -> None:
    """Point MyST-NB's execution cache at a folder named after the package fingerprint."""
    if config.nb_execution_cache_path:
        return  # set explicitly by the user: leave it alone
    base = Path(app.outdir).parent / ".jupyter_cache"
    current = base / f"wholeschool-{package_fingerprint()}"
    for stale in base.glob("wholeschool-*"):
        if stale != current:  # outputs of an older package: never valid again
            shutil.rmtree(stale, ignore_errors=True)
    config.nb_execution_cache_path = str(current)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", use_fingerprinted_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
