"""Live workbook: bytes and time from the click to a usable form on a first and a repeat visit,
and the time to switch between forms inside the workbook.

A lead opens the leadership self-audit page of the built book, clicks "Open this form in the
live workbook" and waits until the form's rating controls are drawn and on screen (usable). This
is done with the same browser profile: a first visit (empty profile), then repeat visits (the
browser closed and opened again, its cache and the live site's service worker kept). On a repeat
visit the book page starts the workbook out of sight while the lead reads it
(``course/_static/live-warm-start.js``), so a repeat visit is timed twice: the lead clicking as
soon as the page has loaded, and after reading it for ``--read`` seconds. Each visit is timed
from the click and, so that what the page does ahead is counted too, from the moment the book
page was asked for. Bytes are counted at the server (status lines, headers and bodies,
gzip-compressed as ``make serve`` and web hosts send them) from the book page's load (repeat
visits; from the click on a first visit) until the form is usable and the network has been quiet
for 2 s.

After each first visit, in the same app, the lead opens every other form from the workbook's
menu and comes back to the self-audit: each switch is timed from the click on "Open this form"
to the new form's heading on screen (the same Python, no new start).

Then one more pair of visits, on a copy of the site whose kernel worker logs the time after
each of its start-up steps, shows where a repeat visit's time goes.

Goals (issue 20): first visit to a usable form <= 12 s and <= 15 MB transferred (gzip); a
repeat visit <= 6 s, whether the lead clicks at once or after reading (the verdict is on the
slower of the two medians); switching between forms inside the workbook < 1 s.

Usage: make bench-lite ARGS='[--html _build/html] [--runs 3] [--read 20]' (the Makefile puts the tests'
and the live workbook's modules on ``PYTHONPATH``)
Build the book first (``make book``). If its live site loads Pyodide from the CDN (the default),
a self-hosted one is built (cached under _build/) and served in its place: no request leaves
127.0.0.1 (any that tries is blocked and reported).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import lite_site
import yaml
from browser_support import serve_counting
from lite_support import FORM_READY, open_live_form, persistent_offline
from playwright.sync_api import sync_playwright
from wholeschool.ui.workbook_app import workbook_forms

ROOT = Path(__file__).resolve().parents[1]

MB = 1_000_000
FIRST_VISIT_GOAL = 15 * MB
FIRST_VISIT_GOAL_S = 12.0
REPEAT_GOAL_S = 6.0
SWITCH_GOAL_S = 1.0
PAGE = "course/principles/leadership/self-audit.html"


def switch_times(app) -> dict[str, float]:
    """Open every other form from the workbook's menu, then the first again: seconds from the
    click on "Open this form" to the form's heading on screen, by form."""
    forms = workbook_forms()
    seconds = {}
    for form in [*forms[1:], forms[0]]:
        app.locator(".workbook-bar select").select_option(label=form.title)
        start = time.perf_counter()
        app.get_by_role("button", name="Open this form").click()
        app.wait_for_function(
            "t => document.querySelector('.workbook-heading')?.textContent === t",
            arg=form.title,
            timeout=60_000,
        )
        seconds[form.id] = time.perf_counter() - start
    return seconds


@dataclass
class Visit:
    """One visit: bytes sent by the server per path, seconds to a usable form from the click
    and from asking for the book page, whether the click showed a workbook the page had started
    ahead, and the URLs that tried to leave 127.0.0.1 (blocked)."""

    sizes: dict[str, int]
    from_click: float
    from_page: float
    ahead: bool
    blocked: list[str]


def visit(
    playwright,
    profile: Path,
    base: str,
    counter,
    own: list[str],
    switches: list | None = None,
    read_s: float = 0.0,
) -> Visit:
    """One visit, the lead clicking after ``read_s`` seconds on the book page; Chromium's own
    background requests (refused too) are added to ``own``, and the switching times between
    forms to ``switches`` if given."""
    offline = persistent_offline(playwright, profile)
    try:
        page = offline.context.pages[0] if offline.context.pages else offline.context.new_page()
        counter.reset()
        asked = time.perf_counter()
        page.goto(base + PAGE, wait_until="load")
        if switches is not None:  # a first visit: count from the click, as before
            counter.reset()
        time.sleep(read_s)
        start = time.perf_counter()
        app = open_live_form(page)
        app.wait_for_selector(FORM_READY, timeout=180_000)
        end = time.perf_counter()
        ahead = app.shown_frame() is not None
        counter.wait_quiet(2.0)
        own.extend(offline.browser_own)
        sizes = dict(counter.by_path)
        if switches is not None:
            switches.append(switch_times(app))
        return Visit(sizes, end - start, end - asked, ahead, offline.blocked)
    finally:
        offline.context.close()


#: What the bytes of a visit are, by where they live in the live site.
KINDS = {
    "Pyodide runtime (wasm, stdlib, loader)": r"/live/static/pyodide/(pyodide|python_stdlib)",
    "wheels and lock file": r"/live/static/pyodide/",
    "JupyterLite app (JS, CSS, fonts, settings)": r"/live/",
    "book page": r"",
}


def by_kind(by_path: dict[str, int]) -> dict[str, int]:
    """The bytes of one visit grouped as :data:`KINDS` (first pattern that matches)."""
    totals = dict.fromkeys(KINDS, 0)
    for path, size in by_path.items():
        kind = next(k for k, pattern in KINDS.items() if re.match(pattern, path))
        totals[kind] += size
    return totals


def book_without_live(html: Path, folder: Path) -> Path:
    """``folder``, made to hold links to everything of the built book ``html`` but its live
    site (the caller puts a ``live`` of its own beside them)."""
    folder.mkdir()
    for entry in html.iterdir():
        if entry.name != "live":
            (folder / entry.name).symlink_to(entry.resolve())
    return folder


def with_self_hosted_live(html: Path, work: Path) -> Path:
    """``html`` if its live site is self-hosted; else a folder of links to it whose ``live`` is
    a self-hosted build of the same sources (built once per fingerprint, under _build/)."""
    if (html / "live" / "static" / "pyodide" / "pyodide.mjs").is_file():
        return html
    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    site = ROOT / "_build" / ".live-site-benchmark" / lite_site.fingerprint("self", title)
    if not (site / "jupyter-lite.json").is_file():
        if site.parent.exists():
            shutil.rmtree(site.parent)
        print("building a self-hosted live site for the benchmark...", flush=True)
        lite_site.build_site(site, "self", title=title)
    overlay = book_without_live(html, work / "html")
    (overlay / "live").symlink_to(site)
    return overlay


#: The kernel worker's start-up steps (jupyterlite-pyodide-kernel 0.8), in order, as named in
#: its code, and what each does.
WORKER_STEPS = {
    "initRuntime": "Pyodide and its packages (loaded from cache, unpacked) and the early "
    "imports: what is left of them once the app has started (the workbook's page starts them "
    "with the app: deploy/lite/early_kernel.py)",
    "initFilesystem": "the browser-storage drive mounted",
    "initPackageManager": "package manager (micropip, piplite imported)",
    "initKernel": "the kernel's Python (IPython, ipykernel) imported",
    "initGlobals": "kernel objects handed to the worker",
}
STEP_MARK = "WHOLESCHOOL-STEP"
#: A browser with Save-Data on, as the book page's script sees it.
SAVE_DATA = "Object.defineProperty(navigator, 'connection', {value: {saveData: true}})"


def with_step_marks(html: Path, work: Path) -> Path | None:
    """A copy of the site whose kernel worker logs the time after each start-up step (and at
    its start); None if this JupyterLite's worker does not have the expected steps."""
    live = (html / "live").resolve()
    marked = book_without_live(html, work / "marked")
    shutil.copytree(live, marked / "live", symlinks=True)
    static = marked / "live" / "extensions" / "@jupyterlite" / "pyodide-kernel-extension"
    workers = sorted((static / "static").glob("*.worker.*.js"))
    stamp = "performance.timeOrigin+performance.now()"
    for worker in workers:
        code = worker.read_text(encoding="utf-8")
        calls = re.compile(r"await this\.(" + "|".join(WORKER_STEPS) + r")\((\w+)\)")
        if [m.group(1) for m in calls.finditer(code)] != list(WORKER_STEPS):
            return None
        code = calls.sub(
            lambda m: f'{m.group(0)},console.log("{STEP_MARK} {m.group(1)} "+({stamp}))', code
        )
        first = f"await this.{next(iter(WORKER_STEPS))}("
        code = code.replace(first, f'console.log("{STEP_MARK} start "+({stamp})),{first}', 1)
        worker.write_text(code, encoding="utf-8")
    return marked if workers else None


def marked_visit(playwright, profile: Path, base: str) -> tuple[dict[str, float], float, float]:
    """One visit to the marked site: the worker's marks, the click and the usable form (epoch
    milliseconds, as the browser's clock tells them)."""
    offline = persistent_offline(playwright, profile)
    marks: dict[str, float] = {}

    def note(message) -> None:
        parts = message.text.split()
        if len(parts) == 3 and parts[0] == STEP_MARK:
            marks.setdefault(parts[1], float(parts[2]))

    offline.context.on("console", note)
    try:
        page = offline.context.pages[0] if offline.context.pages else offline.context.new_page()
        # The breakdown is of a start from the click: the book page starts nothing ahead, as
        # with Save-Data on.
        page.add_init_script(SAVE_DATA)
        page.goto(base + PAGE, wait_until="load")
        clicked = page.evaluate("performance.timeOrigin + performance.now()")
        app = open_live_form(page)
        app.wait_for_selector(FORM_READY, timeout=180_000)
        ready = app.evaluate("performance.timeOrigin + performance.now()")
    finally:
        offline.context.close()
    return marks, clicked, ready


def breakdown(playwright, html: Path, work: Path) -> str:
    """Where a repeat visit's time goes: one more first and repeat visit, on a copy of the site
    whose kernel worker marks its steps (the marks are console lines; nothing else changes),
    the workbook started from the click."""
    marked = with_step_marks(html, work)
    if marked is None:
        return "(no breakdown: this JupyterLite's kernel worker does not have the expected steps)"
    with serve_counting(marked) as (base, _counter), tempfile.TemporaryDirectory() as profile:
        marked_visit(playwright, Path(profile), base)  # the first visit fills the cache
        marks, clicked, ready = marked_visit(playwright, Path(profile), base)
    if "start" not in marks or any(step not in marks for step in WORKER_STEPS):
        return "(no breakdown: the kernel worker's marks did not arrive)"
    lines, before = [], clicked
    rows = [("start", "JupyterLite app start (click to the kernel's worker)")]
    rows += list(WORKER_STEPS.items())
    for step, what in rows:
        lines.append(f"    {(marks[step] - before) / 1000:5.2f} s  {what}")
        before = marks[step]
    lines.append(
        f"    {(ready - before) / 1000:5.2f} s  the form: wholeschool imported, built, drawn"
    )
    lines.append(f"    {(ready - clicked) / 1000:5.2f} s  in all (this visit)")
    return "\n".join(lines)


def largest(by_path: dict[str, int], count: int = 6) -> str:
    """The biggest transfers of a visit, one per line."""
    top = sorted(by_path.items(), key=lambda item: -item[1])[:count]
    return "\n".join(f"    {size / MB:6.2f} MB  {path}" for path, size in top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--runs", type=int, default=3, help="first/repeat pairs (new profile each)")
    parser.add_argument(
        "--read", type=float, default=20.0, help="seconds a lead reads the page on a repeat visit"
    )
    args = parser.parse_args()
    if not (args.html / PAGE).is_file():
        sys.exit(f"{args.html}/{PAGE} not found: build the book first (make book)")
    first: list[Visit] = []
    at_once: list[Visit] = []
    reading: list[Visit] = []
    blocked: list[str] = []
    own: list[str] = []
    switches: list[dict[str, float]] = []
    work = Path(tempfile.mkdtemp(prefix="wholeschool-lite-bench-"))
    html = with_self_hosted_live(args.html, work)
    with sync_playwright() as playwright, serve_counting(html) as (base, counter):
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="wholeschool-lite-profile-") as profile:
                first.append(visit(playwright, Path(profile), base, counter, own, switches))
                at_once.append(visit(playwright, Path(profile), base, counter, own))
                reading.append(
                    visit(playwright, Path(profile), base, counter, own, read_s=args.read)
                )
            for done in (first[-1], at_once[-1], reading[-1]):
                blocked.extend(done.blocked)
            print(
                f"run {run + 1}: first visit {sum(first[-1].sizes.values()) / MB:.2f} MB, "
                f"{first[-1].from_click:.1f} s; repeat visit, click at once "
                f"{at_once[-1].from_click:.1f} s (page to form {at_once[-1].from_page:.1f} s, "
                f"shown from the page's start: {'yes' if at_once[-1].ahead else 'no'}); "
                f"after reading {args.read:.0f} s {reading[-1].from_click:.2f} s (page to form "
                f"{reading[-1].from_page:.1f} s, shown from the page's start: "
                f"{'yes' if reading[-1].ahead else 'no'}); "
                f"repeat visits {sum(reading[-1].sizes.values()) / MB:.2f} MB",
                flush=True,
            )
        steps = breakdown(playwright, html, work)
    shutil.rmtree(work)

    def median(visits: list[Visit], what: str) -> float:
        return statistics.median(getattr(v, what) for v in visits)

    first_bytes = statistics.median(sum(v.sizes.values()) for v in first)
    repeat_bytes = statistics.median(sum(v.sizes.values()) for v in at_once + reading)
    first_time = median(first, "from_click")
    repeat_time = median(reading, "from_click")
    at_once_time = median(at_once, "from_click")
    per_form = {k: statistics.median(run[k] for run in switches) for k in switches[0]}
    switch_all = [s for run in switches for s in run.values()]
    switch_median, switch_max = statistics.median(switch_all), max(switch_all)
    print(f"first visit: {len(first[0].sizes)} files; by kind:")
    for kind, size in by_kind(first[0].sizes).items():
        print(f"    {size / MB:6.2f} MB  {kind}")
    print(f"largest:\n{largest(first[0].sizes)}")
    print(f"repeat visit: {len(reading[0].sizes)} files; largest:\n{largest(reading[0].sizes)}")
    print(
        f"first visit (median of {args.runs}): {first_bytes / MB:.2f} MB transferred (gzip), "
        f"{first_time:.1f} s from click to usable form "
        f"({median(first, 'from_page'):.1f} s from asking for the book page)"
    )
    print(
        f"repeat visit (median of {args.runs}): {repeat_bytes / MB:.2f} MB transferred; "
        f"click at once: {at_once_time:.2f} s from click to usable form "
        f"({median(at_once, 'from_page'):.2f} s from asking for the book page); "
        f"after reading the page {args.read:.0f} s: {repeat_time:.2f} s from click "
        f"({median(reading, 'from_page'):.2f} s from asking for the book page); "
        f"shown from the page's start in {sum(v.ahead for v in reading)} of {len(reading)} "
        f"after reading, {sum(v.ahead for v in at_once)} of {len(at_once)} clicking at once"
    )
    print("switching between forms in the workbook (median of the runs, click to heading):")
    for form_id, seconds in per_form.items():
        print(f"    {seconds:5.2f} s  {form_id}")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print("goals:")
    print(
        f"    first visit to a usable form <= {FIRST_VISIT_GOAL_S:.0f} s: "
        f"{verdict(first_time <= FIRST_VISIT_GOAL_S)} ({first_time:.1f} s)"
    )
    print(
        f"    first visit <= {FIRST_VISIT_GOAL / MB:.0f} MB gzip: "
        f"{verdict(first_bytes <= FIRST_VISIT_GOAL)} ({first_bytes / MB:.2f} MB)"
    )
    print(
        f"    repeat visit <= {REPEAT_GOAL_S:.0f} s (the slower of clicking at once and after "
        f"reading {args.read:.0f} s): "
        f"{verdict(max(at_once_time, repeat_time) <= REPEAT_GOAL_S)} (clicking at once "
        f"{at_once_time:.2f} s, after reading {repeat_time:.2f} s)"
    )
    print(
        f"    switching forms < {SWITCH_GOAL_S:.0f} s: "
        f"{verdict(switch_max < SWITCH_GOAL_S)} (median {switch_median:.2f} s, "
        f"slowest {switch_max:.2f} s)"
    )
    print(
        f"Chromium's own background services asked {len(own)} times (refused; not the app's): "
        + ", ".join(sorted({url.split("/")[2] for url in own}))
    )
    print(f"where a repeat visit's time goes (one more visit, steps marked):\n{steps}")
    if blocked:
        print(f"WARNING: {len(set(blocked))} requests tried to leave 127.0.0.1 (blocked):")
        for url in sorted(set(blocked)):
            print("  ", url)


if __name__ == "__main__":
    main()
