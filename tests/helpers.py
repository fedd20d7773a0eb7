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
    book must never embed anyone's real records. The live forms get a self-hosted Pyodide
    (``WHOLESCHOOL_LIVE_PYODIDE=self``, unless set otherwise): the tests cannot reach its CDN.
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
            env={
                "WHOLESCHOOL_LIVE_PYODIDE": "self",
                **os.environ,
                "WHOLESCHOOL_RECORDS": records,
            },
        )


def toc_files(root: Path = ROOT) -> list[str]:
    """Every page in ``_toc.yml``, in reading order, as Sphinx docnames (``course/intro``)."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                names.append(str(entry["file"]).removesuffix(".md").removesuffix(".ipynb"))
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return names


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


def corrupt(text: str, data) -> bytes:
    """One byte-level corruption of ``text`` (a flipped, deleted or truncated byte), drawn
    from Hypothesis ``data``."""
    from hypothesis import strategies as st

    raw = bytearray(text.encode())
    position = data.draw(st.integers(0, len(raw) - 1))
    action = data.draw(st.sampled_from(["flip", "delete", "truncate"]))
    if action == "flip":
        raw[position] ^= data.draw(st.integers(1, 255))
    elif action == "delete":
        del raw[position]
    else:
        del raw[position:]
    return bytes(raw)


def example_plan_records(folder: Path) -> Path:
    """A lead's records folder holding a saved action plan with an action under every
    principle (what the leads' strand's plan box finds); returns ``folder``."""
    import json

    from wholeschool.core.framework import FRAMEWORK

    plan = {
        "kind": "plan",
        "schema_version": 1,
        "school": "Example School",
        "framework_version": FRAMEWORK.version,
        "date": "2026-09-01",
        "actions": [
            {
                "indicator": principle.indicators[0].id,
                "what": "Agree the first step with the senior team",
                "lead": "SMHL",
                "start": "2026-09-01",
                "due": "2026-12-18",
            }
            for principle in FRAMEWORK.principles
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(json.dumps(plan, indent=2), encoding="utf-8")
    return folder
