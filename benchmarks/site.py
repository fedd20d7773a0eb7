"""Page weight and load time of the built book in Debian's Chromium, from a local server.

For the home page and for the heaviest page under course/principles/ it prints the bytes
transferred (every resource the page loads, empty cache), both as a plain static server sends
them and gzip-compressed as a typical web host sends them, and the median time to the browser's
``load`` event over N fresh loads. Targets: heaviest page < 1.5 MB transferred, load < 1 s.

Usage: make bench-site ARGS='[--html _build/html] [--loads 5]' (the Makefile puts the tests'
modules on ``PYTHONPATH``)
Build the book first (``make book``, or pass the ``--html`` of another build). No network is
used: requests that leave 127.0.0.1 are blocked and reported.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from browser_support import (
    launch_chromium,
    offline_context,
    serve,
    transferred,
)
from helpers import toc_files
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]

MB = 1_000_000
TARGET_BYTES = 1.5 * MB
TARGET_LOAD_S = 1.0


def load_seconds(browser, url: str, loads: int) -> float:
    """Median seconds from navigation start to the ``load`` event, each in a fresh context."""
    times = []
    for _ in range(loads):
        offline = offline_context(browser)
        page = offline.context.new_page()
        page.goto(url, wait_until="load")
        times.append(
            page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return (n.loadEventStart - n.startTime) / 1000; }"
            )
        )
        offline.context.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    if not (args.html / "index.html").is_file():
        sys.exit(f"{args.html}/index.html not found: build the book first (make book)")

    home = toc_files()[0]
    principle_pages = [n for n in toc_files() if n.startswith("course/principles/")]
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        with serve(args.html) as plain, serve(args.html, compress=True) as gzipped:
            weights = {}
            for name in principle_pages:
                size, refused = transferred(browser, f"{plain}{name}.html")
                weights[name] = size
                blocked += refused
            heaviest = max(weights, key=weights.get)
            rows = []
            for label, name in (("home", home), ("heaviest principle page", heaviest)):
                raw, refused = transferred(browser, f"{plain}{name}.html")
                packed, refused_too = transferred(browser, f"{gzipped}{name}.html")
                seconds = load_seconds(browser, f"{plain}{name}.html", args.loads)
                blocked += refused + refused_too
                rows.append((label, name, raw, packed, seconds))
        browser.close()

    print(f"Built book: {args.html}  ({len(principle_pages)} principle pages weighed)")
    print(
        f"{'page':<25} {'file':<52} {'plain':>9} {'gzip':>9} {'load (median of ' + str(args.loads) + ')':>22}"
    )
    for label, name, raw, packed, seconds in rows:
        print(
            f"{label:<25} {name + '.html':<52} {raw / MB:>7.2f}MB {packed / MB:>7.2f}MB "
            f"{seconds * 1000:>19.0f} ms"
        )
    _, _, raw, packed, seconds = rows[-1]
    print(
        f"targets: heaviest < {TARGET_BYTES / MB:.1f} MB: plain {'met' if raw < TARGET_BYTES else 'MISSED'}, "
        f"gzip {'met' if packed < TARGET_BYTES else 'MISSED'}; "
        f"load < {TARGET_LOAD_S:.0f} s: "
        f"{'met' if max(r[4] for r in rows) < TARGET_LOAD_S else 'MISSED'}"
    )
    if blocked:
        print(f"WARNING: pages asked for {len(set(blocked))} outside resources (blocked):")
        for url in sorted(set(blocked)):
            print("  ", url)


if __name__ == "__main__":
    main()
