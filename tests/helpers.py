"""Paths and commands the tests share."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Where the test build goes: the project's own _build unless WHOLESCHOOL_BOOK_OUTPUT names
#: another folder (so that two checkouts or two developers can build side by side).
OUTPUT = Path(os.environ.get("WHOLESCHOOL_BOOK_OUTPUT", ROOT))
BUILD = OUTPUT / "_build"
BIN = Path(sys.executable).parent


def build_book(*extra: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``jupyter-book build`` with warnings as errors.

    The notebooks run with ``WHOLESCHOOL_RECORDS`` set to an empty throwaway folder: the built
    book must never embed anyone's real records.
    """
    with tempfile.TemporaryDirectory(prefix="wholeschool-book-records-") as records:
        return subprocess.run(
            [
                str(BIN / "jupyter-book"),
                "build",
                str(ROOT),
                "-W",
                "-n",
                "--keep-going",
                "--path-output",
                str(OUTPUT),
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=1800,
            cwd=ROOT,
            env={**os.environ, "WHOLESCHOOL_RECORDS": records},
        )


def page_text(path: Path) -> str:
    """The visible text of a built page, with Sphinx's smart quotes turned back to plain ones."""
    import html
    import re

    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    text = text.translate(
        str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
    )
    return re.sub(r"\s+", " ", text)
