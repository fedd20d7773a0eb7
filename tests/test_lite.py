"""The live workbook: "Open this form in the live workbook" on the book's form pages and the
browser app it opens (every form in one app, on one Python).

The book is built with a self-hosted Pyodide (``WHOLESCHOOL_LIVE_PYODIDE=self``, assembled from
PyPI and npm by ``deploy/lite/build_pyodide.py`` in the test set-up) and served from 127.0.0.1
gzip-compressed. In Debian's Chromium, with every request that would leave the machine blocked
and reported, a lead opens the leadership self-audit from the book, rates its indicators and
writes a note; the record is then read back from the browser's own storage and validated with
this package in CPython, after a reload and after the browser is closed and opened again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import build_pyodide
import lite_site
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import ByteCounter, PageLog, serve_counting, watch
from helpers import toc_files
from lite_support import (
    FORM_READY,
    WARM_FRAME,
    WIDTHS,
    WORKBOOK_READY,
    browser_file,
    choose,
    open_live_form,
    persistent_offline,
    selected_labels,
    stored_paths,
    wait_drawn,
    wait_for_browser_file,
)
from packaging.utils import parse_wheel_filename
from playwright.sync_api import sync_playwright
from wholeschool import FRAMEWORK, AuditRecord
from wholeschool.store.reader import parse_record

pytestmark = pytest.mark.lite

FORMS = lite_site.load_forms()
LEADERSHIP = next(form for form in FORMS if form.id == "self-audit-leadership")
APP_PATH = lite_site.APP
#: Where the screenshots of the workbook shown from a book page are kept to look at.
SHOTS_DIR = Path(
    os.environ.get("WHOLESCHOOL_SHOTS", Path(__file__).parent / "output" / "live-warm-start")
)
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


# --- the list of forms and the pages that carry them ----------------------------------------


def test_every_principle_has_a_live_self_audit_and_the_plan_pages_have_theirs():
    pages = toc_files()
    for principle in FRAMEWORK.principles:
        form = next(f for f in FORMS if f.id == f"self-audit-{principle.id}")
        assert form.page == f"course/principles/{principle.id}/self-audit"
        assert form.code.splitlines() == [
            "from wholeschool.ui import workbook",
            f'workbook("self-audit-{principle.id}")',
        ]
    assert {"action-plan", "progress-log", "governors-report"} <= {f.id for f in FORMS}
    assert all(form.page in pages for form in FORMS)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and "live-form-button" in values.get("class", "").split():
            self.buttons.append(values)


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.id)
def test_form_page_links_its_live_form_and_says_what_it_is_for(built_book: Path, form):
    page = built_book / f"{form.page}.html"
    html = page.read_text(encoding="utf-8")
    links = _Links()
    links.feed(html)
    assert len(links.buttons) == 1, f"{form.page}: {len(links.buttons)} live-form buttons"
    href = urlsplit(links.buttons[0]["href"])
    target = (page.parent / href.path).resolve()
    assert target == (built_book / "live" / "repl" / "index.html").resolve() and target.is_file()
    query = parse_qs(href.query)
    assert query["code"] == [form.code] and query["kernel"] == ["python"]
    assert query["hideCodeInput"] == ["1"] and query["showBanner"] == ["0"]
    assert "target" not in links.buttons[0]  # the workbook opens in the same tab, with a way back
    # the script that starts the workbook ahead on a repeat visit is on the page, once
    assert html.count('src="' + "../" * form.page.count("/") + "_static/live-warm-start.js") == 1
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).replace("\u2019", "'")
    assert form.purpose in text and "nothing is sent anywhere" in text
    assert "cannot save anything" not in text  # the text for a book without live forms
    # no copy of the form that could be mistaken for it: nothing to type into or click on the
    # page but links, and the form's description is labelled as one
    article = html[html.index('<article class="bd-article"') :]
    article = article[: article.index("</article>")]
    for control in ("<input", "<textarea", "<select", "widget-view+json", 'role="radio'):
        assert control not in article, f"{form.page}: {control} on the static page"
    assert "a description, not the form: nothing can be filled in here" in text
    if form.id.startswith("self-audit-"):
        principle = FRAMEWORK.principle(form.id.removeprefix("self-audit-"))
        assert all(ind.text.replace("\u2019", "'") in text for ind in principle.indicators)
    else:
        assert all(line.replace("\u2019", "'") in text for line in form.shows)


def test_only_pages_with_a_form_start_the_workbook_ahead(built_book: Path):
    with_form = {f"{form.page}.html" for form in FORMS}
    pages = [p.relative_to(built_book).as_posix() for p in built_book.rglob("*.html")]
    pages = [p for p in pages if not p.startswith(("live/", "_"))]
    starting = {p for p in pages if "live-warm-start.js" in (built_book / p).read_text("utf-8")}
    assert starting == with_form


def _article_text(page: Path) -> tuple[str, str]:
    """The main article of a built page: its HTML and the text a reader sees in it."""
    html = page.read_text(encoding="utf-8")
    start = html.find('<article class="bd-article"')
    article = html[start : html.index("</article>", start)] if start >= 0 else html
    visible = re.sub(r"<(script|style)\b.*?</\1>", " ", article, flags=re.S)
    return article, unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", visible)))


def test_no_book_page_shows_code_cells_ids_python_types_or_machine_paths(built_book: Path):
    found = {}
    for name in toc_files():
        article, text = _article_text(built_book / f"{name}.html")
        problems = machine_words(text)
        if "cell_input" in article:
            problems.append("a code cell")
        if problems:
            found[name] = sorted(set(problems))
    assert not found, f"pages showing what a lead should not see: {found}"


def test_without_a_live_site_pages_keep_their_own_text_and_misplaced_forms_are_reported(
    tmp_path: Path, monkeypatch
):
    """``live_pyodide: off``: no button, the directive's own text instead; a form that is not
    in the list, or not on its own page, is a warning (an error under -W)."""
    from sphinx.cmd.build import build_main

    monkeypatch.delenv("WHOLESCHOOL_LIVE_PYODIDE", raising=False)
    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    # In this process live_forms is importable already (pyproject's pythonpath: deploy/lite).
    (source / "conf.py").write_text("extensions = ['live_forms']\nlive_pyodide = 'off'\n")
    (source / "index.rst").write_text(
        "Forms\n=====\n\n.. live-form:: self-audit-leadership\n\n"
        "   This form saves only in Jupyter on your own computer.\n\n"
        ".. live-form:: no-such-form\n"
    )
    warnings = tmp_path / "warnings.txt"
    assert build_main(["-q", "-b", "html", "-w", str(warnings), str(source), str(out)]) == 0
    html = (out / "index.html").read_text()
    assert "This form saves only in Jupyter on your own computer." in html
    assert "live-form-button" not in html and not (out / "live").exists()
    reported = warnings.read_text()
    assert "no form 'no-such-form'" in reported
    assert f"'self-audit-leadership' belongs on {LEADERSHIP.page}" in reported
    assert "'self-audit-ethos' is placed 0 times on course/principles/ethos/self-audit" in reported


# --- the live site ---------------------------------------------------------------------------


def test_live_site_serves_its_own_python_and_lists_exactly_what_it_holds(built_book: Path):
    live = built_book / "live"
    config = json.loads((live / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
    options = kernel["loadPyodideOptions"]
    assert options["lockFileURL"] == "./static/pyodide/pyodide-lock.json"
    assert options["env"] == {"WHOLESCHOOL_RECORDS": "/drive/records"}
    assert config["enableServiceWorkerCache"] is True
    folder = live / "static" / "pyodide"
    for name in build_pyodide.CORE_FILES:
        assert (folder / name).is_file(), name
    lock = json.loads((folder / "pyodide-lock.json").read_text())["packages"]
    wheels = {p.name: p for p in folder.glob("*.whl")}
    assert {entry["file_name"] for entry in lock.values()} == set(wheels)
    for key, entry in lock.items():
        assert (
            entry["sha256"] == hashlib.sha256(wheels[entry["file_name"]].read_bytes()).hexdigest()
        )
        assert set(entry["depends"]) <= set(lock), (key, entry["depends"])
    assert set(options["packages"]) <= set(lock)
    assert {"pydantic", "pyyaml", "ipywidgets"} <= set(lock[lite_site.PACKAGE]["depends"])
    everything = json.dumps(config) + (folder / "pyodide-lock.json").read_text()
    assert "://" not in everything, "the self-hosted site names an outside address"


@pytest.fixture(scope="module")
def package_wheel(tmp_path_factory) -> Path:
    return lite_site.build_wheel(tmp_path_factory.mktemp("wheel"), "0test")


@pytest.mark.parametrize(
    "mode, base",
    [("cdn", lite_site.CDN), ("https://mirror.example.org/pyodide/", None)],
    ids=["cdn", "mirror"],
)
def test_cdn_site_takes_from_the_cdn_what_it_has_and_serves_the_rest(
    tmp_path: Path, package_wheel: Path, mode: str, base: str | None
):
    base = base or mode
    # the CDN copy is the very version whose npm core the tests run
    assert lite_site.CDN.endswith(f"/pyodide/v{build_pyodide.PYODIDE_VERSION}/full/")
    assembled = build_pyodide.assemble(quiet=True)
    cdn = json.loads((assembled / "cdn-lock.json").read_text())["packages"]
    dest = tmp_path / "pyodide"
    composed = lite_site.compose_pyodide(mode, assembled, package_wheel, dest)
    assert composed["settings"]["pyodideUrl"] == f"{base}pyodide.mjs"
    assert not any((dest / name).exists() for name in build_pyodide.CORE_FILES)
    lock = json.loads((dest / "pyodide-lock.json").read_text())["packages"]
    for key, entry in lock.items():
        if key in cdn:
            assert entry["file_name"] == base + cdn[key]["file_name"], key
        else:
            assert (dest / entry["file_name"]).is_file(), key
    local = {parse_wheel_filename(p.name)[0] for p in dest.glob("*.whl")}
    assert lite_site.PACKAGE in local
    assert "pydantic" in lock and "pydantic" not in local  # the CDN has it
    assert {"ipywidgets", "openpyxl"} <= local  # the CDN has not


@pytest.mark.parametrize(
    "text, problem",
    [
        ("forms: []\n", "forms: must be a non-empty list"),
        ("forms:\n  - id: a\n", "forms[0].page: missing or empty"),
        ("forms: [", "not valid YAML"),
    ],
)
def test_a_bad_forms_list_names_the_file_and_the_field(tmp_path: Path, text: str, problem: str):
    path = tmp_path / "forms.yaml"
    path.write_text(text)
    with pytest.raises(lite_site.LiteBuildError) as error:
        lite_site.load_forms(path)
    assert str(error.value).startswith(f"{path}: ") and problem in str(error.value)


@pytest.mark.parametrize("mode", ["cdn", "self", "https://mirror.example.org/pyodide/"])
def test_where_python_comes_from_is_one_of_the_documented_settings(mode: str):
    assert lite_site.check_mode(mode) == mode


@pytest.mark.parametrize("mode", ["CDN", "local", "https://mirror.example.org/pyodide", ""])
def test_any_other_setting_is_refused_with_the_choices(mode: str):
    with pytest.raises(lite_site.LiteBuildError, match="live_pyodide: .* is not 'cdn', 'self'"):
        lite_site.check_mode(mode)


def test_a_repeated_form_id_is_refused(tmp_path: Path):
    first = dict(LEADERSHIP.__dict__)
    path = tmp_path / "forms.yaml"
    path.write_text(json.dumps({"forms": [first, {**first, "page": "course/other"}]}))
    with pytest.raises(lite_site.LiteBuildError, match=r"forms\[1\]\.id: .* is used twice"):
        lite_site.load_forms(path)


def test_trimmed_wheel_keeps_its_record_true_and_carries_a_build_tag(tmp_path: Path):
    assembled = build_pyodide.assemble(quiet=True) / "pyodide"
    (original,) = assembled.glob("jedi-*.whl")
    copy = tmp_path / original.name.replace(f"-{build_pyodide.TRIM_TAG}", "")
    shutil.copy2(original, copy)
    trimmed = build_pyodide.rewrite_wheel(copy, "2again", build_pyodide.never_run)
    assert parse_wheel_filename(trimmed.name)[2] == (2, "again") and not copy.exists()
    with zipfile.ZipFile(trimmed) as wheel:
        names = wheel.namelist()
        record_name = next(n for n in names if n.endswith(".dist-info/RECORD"))
        rows = [line.split(",") for line in wheel.read(record_name).decode().splitlines()]
        assert {row[0] for row in rows} == set(names)
        for name, digest, size in rows:
            if name != record_name:
                assert digest == build_pyodide._record_hash(wheel.read(name)), name
                assert int(size) == len(wheel.read(name))
        assert not any(build_pyodide.never_run(n) for n in names)
        assert "jedi/__init__.py" in names


# --- in the browser --------------------------------------------------------------------------


def test_the_network_guard_catches_what_the_python_worker_fetches(tmp_path: Path):
    """The guard the live-form tests rely on is real: a site whose Python comes from the CDN
    cannot load here, and the attempt (made by the kernel's web worker through the service
    worker, which Playwright's own request events do not see) is reported. The lead, blocked
    as a school network may block the CDN, is told so: the download site by name, that school
    networks often block it, the address IT can allow, and that the course can be published
    with its own copy."""
    site = tmp_path / "html" / "live"
    lite_site.build_site(site, "cdn", title="Guard check")
    with sync_playwright() as playwright, serve_counting(site.parent) as (base, _):
        guarded = persistent_offline(playwright, tmp_path / "profile")
        try:
            guarded.context.pages[0].goto(f"{base}live/{LEADERSHIP.app_url()}")
            deadline = time.monotonic() + 120
            while not any("cdn.jsdelivr.net" in url for url in guarded.blocked):
                assert time.monotonic() < deadline, f"not reported: {guarded.blocked}"
                time.sleep(0.5)
            page = guarded.context.pages[0]
            assert page.locator(FORM_READY).count() == 0
            alert = page.locator("#workbook-status[role=alert]")
            alert.wait_for(timeout=60_000)
            page.screenshot(path=str(tmp_path / "cdn-blocked.png"))
            text = " ".join(alert.inner_text().split())
            for said in (
                "The live workbook could not open",
                "from cdn.jsdelivr.net, a public download site",
                "Many school networks block download sites like it",
                "ask your IT team to allow the download site https://cdn.jsdelivr.net/pyodide/",
                "publishes this course for your school can build it with its own copy",
            ):
                assert said in text, (said, text)
            assert machine_words(text) == [], machine_words(text)
        finally:
            guarded.context.close()


@dataclass
class LiveApp:
    """A lead's browser on the live self-audit, opened from the book's button."""

    playwright: object
    profile: Path
    base: str
    served: ByteCounter
    offline: object
    page: object
    logs: list[PageLog] = field(default_factory=list)

    def reopen(self) -> None:
        """Close the browser and open it again on the same profile, at the app's address."""
        url = self.page.url
        self.offline.context.close()
        self.offline = persistent_offline(self.playwright, self.profile)
        self.offline.context.on("page", lambda page: self.logs.append(watch(page)))
        self.page = self.offline.context.pages[0]
        self.logs.append(watch(self.page))
        self.page.goto(url)
        self.page.wait_for_selector(FORM_READY, timeout=180_000)
        wait_drawn(self.page)


@pytest.fixture(scope="module")
def live_app(built_book: Path, tmp_path_factory) -> Iterator[LiveApp]:
    profile = tmp_path_factory.mktemp("lead-browser")
    with sync_playwright() as playwright, serve_counting(built_book) as (base, served):
        offline = persistent_offline(playwright, profile)
        logs: list[PageLog] = []
        offline.context.on("page", lambda page: logs.append(watch(page)))
        book = offline.context.pages[0] if offline.context.pages else offline.context.new_page()
        book.goto(f"{base}{LEADERSHIP.page}.html", wait_until="load")
        page = open_live_form(book)
        page.wait_for_selector(FORM_READY, timeout=180_000)
        wait_drawn(page)
        app = LiveApp(playwright, profile, base, served, offline, page, logs)
        yield app
        app.offline.context.close()


def _problems(app: LiveApp) -> list[str]:
    return [problem for log in app.logs for problem in log.problems]


def test_live_form_opens_from_the_book_as_a_form_with_nothing_leaving(live_app: LiveApp):
    page = live_app.page
    assert page.url.startswith(f"{live_app.base}live/repl/index.html?")
    assert page.locator(WORKBOOK_READY).inner_text() == LEADERSHIP.title
    assert page.evaluate("() => window.workbookProblem ?? null") is None  # no false alarm
    page.wait_for_function("t => document.title.startsWith(t)", arg=LEADERSHIP.title)
    assert "Live workbook" in page.title()
    back = page.get_by_role("link", name="Back to the course page")
    assert back.get_attribute("href") == f"../../{LEADERSHIP.page}.html"
    assert live_app.offline.blocked == [], live_app.offline.blocked
    assert _problems(live_app) == [], [log.failed_requests for log in live_app.logs]
    leadership = FRAMEWORK.principle("leadership")
    assert page.locator(FORM_READY).count() >= len(leadership.indicators)
    text = page.locator("body").inner_text()
    assert leadership.indicators[0].text in text
    for code in ("import", "wholeschool", "audit(", "workbook("):
        assert code not in text, f"code shows on the form page: {code!r}"
    assert not page.locator(".jp-CodeConsole-input").is_visible()  # no prompt for more code
    # it opens at its first question, and the lead can scroll down to its last control
    height = page.viewport_size["height"]
    assert 0 <= page.locator(FORM_READY).first.bounding_box()["y"] < height
    last = page.locator(".jp-OutputArea-output button").last
    before = last.bounding_box()["y"]
    page.mouse.move(200, height // 2)
    page.mouse.wheel(0, 10 * height)
    page.wait_for_function("() => document.querySelector('.jp-CodeConsole-split').scrollTop > 0")
    assert last.bounding_box()["y"] < min(before, height)


def test_live_form_has_no_serious_accessibility_violations(live_app: LiveApp):
    results = Axe().run(live_app.page, options=AXE_OPTIONS).response
    failing = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not failing, "axe-core WCAG 2.1 AA serious/critical on the live form:\n" + "\n".join(
        failing
    )


def test_the_app_runs_only_the_course_forms_not_code_from_any_link(live_app: LiveApp):
    """The records live in this browser's storage for this site: a link carrying other code
    must not run it (it could read them and send them away). It lands on the book instead."""
    foreign = "open('/drive/records/planted.json', 'w').write('{}')"
    page = live_app.offline.context.new_page()
    try:
        page.goto(f"{live_app.base}live/{APP_PATH}?kernel=python&code={quote(foreign)}")
        page.wait_for_url(f"**/{toc_files()[0]}.html")
        also = f"{live_app.base}live/{LEADERSHIP.app_url()}&code={quote(foreign)}"
        page.goto(also)  # a form's own address with more code added
        page.wait_for_url(f"**/{toc_files()[0]}.html")
    finally:
        page.close()
    assert browser_file(live_app.page, "records/planted.json") is None


#: What a lead must never read: machine paths, Python types and code, tracebacks, "(s)".
MACHINE_WORDS = re.compile(
    r"/drive/|/tmp/|/home/|/root/|datetime\.|NoneType|<class |Traceback|wholeschool\.|"
    r"import |\w\(s\)|\bpinned=|\bdropped="
)
#: The framework's internal ids, such as leadership.1.
INDICATOR_IDS = re.compile(
    r"(?<![\w./-])("
    + "|".join(re.escape(i) for i in sorted(FRAMEWORK.indicator_by_id, key=len, reverse=True))
    + r")(?![\w-])"
)


def machine_words(text: str) -> list[str]:
    """Code, ids, types or paths in ``text`` (what a lead should not be shown)."""
    return MACHINE_WORDS.findall(text) + INDICATOR_IDS.findall(text)


def _shot(page, folder: Path, name: str) -> None:
    """A screenshot of what the lead sees now, kept under the test's output."""
    page.screenshot(path=str(folder / f"{name}.png"))


def _focus_in_group(page) -> int:
    """The rating group holding the keyboard focus (-1 if none)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.jp-OutputArea-output .widget-radio-box')]
              .findIndex(box => box.contains(document.activeElement))"""
    )


def test_each_rating_is_one_radio_group_that_the_keyboard_keeps_to(live_app: LiveApp):
    page = live_app.page
    leadership = FRAMEWORK.principle("leadership")
    groups = page.locator(FORM_READY).evaluate_all(
        """boxes => boxes.map(b => ({
             role: b.getAttribute('role'), label: b.getAttribute('aria-label'),
             names: [...new Set([...b.querySelectorAll('input')].map(i => i.name))]}))"""
    )
    names = [g["names"] for g in groups]
    assert all(len(n) == 1 and n[0] for n in names), names
    assert len({n[0] for n in names}) == len(names), "two ratings share a group"
    assert all(g["role"] == "radiogroup" for g in groups)
    for group, indicator in zip(groups, leadership.indicators, strict=False):
        assert indicator.text in group["label"], group["label"]
    # keyboard only: Tab reaches the first rating, one Tab stop per group, arrows stay inside
    before = selected_labels(page)
    page.locator(".workbook-heading").evaluate("h => { h.tabIndex = -1; h.focus(); }")
    for _ in range(12):
        if _focus_in_group(page) == 0:
            break
        page.keyboard.press("Tab")
    assert _focus_in_group(page) == 0, "Tab never reached the first rating"
    page.keyboard.press("Tab")
    assert _focus_in_group(page) == -1, "a second Tab stop inside the same rating"
    page.keyboard.press("Shift+Tab")
    assert _focus_in_group(page) == 0
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    after = selected_labels(page)
    order = ["Not rated yet", *(level.label for level in FRAMEWORK.scale)]
    assert after[0] == order[(order.index(before[0]) + 2) % len(order)], (before, after)
    assert after[1:] == before[1:], "the arrow keys changed another indicator"
    rated = sum(label != "Not rated yet" for label in after)
    page.get_by_text(f"{rated} of {len(leadership.indicators)} rated").wait_for(timeout=10_000)


def test_the_form_reads_at_every_width_with_no_serious_accessibility_problems(
    live_app: LiveApp, tmp_path_factory
):
    page = live_app.page
    shots = tmp_path_factory.mktemp("widths")
    try:
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
            page.wait_for_timeout(300)
            _shot(page, shots, f"self-audit-{name}")
            labels = page.locator(FORM_READY).first.locator("label").all()
            boxes = [label.bounding_box() for label in labels]
            for upper, lower in zip(boxes, boxes[1:], strict=False):
                assert upper["y"] + upper["height"] <= lower["y"] + 1, f"{name}: labels overlap"
            assert all(b["x"] + b["width"] <= width + 1 for b in boxes), f"{name}: cut off"
            overflow = page.evaluate(
                "() => { const s = document.querySelector('.jp-CodeConsole-split');"
                " return s.scrollWidth - s.clientWidth; }"
            )
            assert overflow <= 1, f"{name}: the form is {overflow} px wider than the screen"
            results = Axe().run(page, options=AXE_OPTIONS).response
            failing = [
                f"{v['id']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
                for v in results["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert not failing, f"axe at {width} px:\n" + "\n".join(failing)
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
    print(f"screenshots: {shots}")


def _saved_audit(page, expected: dict[str, int], notes: dict[str, str]) -> AuditRecord:
    """The audit in the browser's storage once it holds the ``expected`` ratings and ``notes``,
    validated here in CPython with the package (a RecordError names the field if it is not a
    valid record)."""

    def parsed(text: str) -> AuditRecord | None:
        # The browser dates the record by its own clock, the real one: so does this check.
        record = parse_record(text, "browser:/drive/records/audit.json", today=dt.date.today())
        ratings = {k: v.rating for k, v in record.ratings.items()}
        written = {k: record.ratings[k].note for k in notes if k in record.ratings}
        return record if ratings == expected and written == notes else None

    record = wait_for_browser_file(page, "records/audit.json", parsed)
    assert record is not None, f"records/audit.json: {browser_file(page, 'records/audit.json')}"
    return record


def test_ratings_and_note_stay_in_the_browser_across_reload_and_restart(live_app: LiveApp):
    page = live_app.page
    leadership = FRAMEWORK.principle("leadership")
    scale = {level.label: level.value for level in FRAMEWORK.scale}
    chosen = [
        FRAMEWORK.scale[i % len(FRAMEWORK.scale)].label for i in range(len(leadership.indicators))
    ]
    for i, label in enumerate(chosen):
        choose(page, i, label)
    note = "Governors hear a termly update; the SMHL has two hours a week."
    page.locator(".jp-OutputArea-output textarea").first.fill(note)
    page.get_by_text(re.compile(r"Saved at \d\d:\d\d")).wait_for(timeout=30_000)
    assert page.get_by_text("in this browser only; nothing is sent anywhere").count()

    expected = {
        ind.id: scale[label] for ind, label in zip(leadership.indicators, chosen, strict=True)
    }
    notes = {leadership.indicators[0].id: note}
    record = _saved_audit(page, expected, notes)
    assert record.framework_version == FRAMEWORK.version

    page.reload()
    page.wait_for_selector(FORM_READY, timeout=180_000)
    assert selected_labels(page)[: len(chosen)] == chosen
    assert page.locator(".jp-OutputArea-output textarea").first.input_value() == note

    live_app.reopen()  # the browser closed and opened again: same profile, same storage
    assert selected_labels(live_app.page)[: len(chosen)] == chosen
    assert _saved_audit(live_app.page, expected, notes) == record

    live_app.offline.context.set_offline(True)  # once loaded, the app opens with no network
    live_app.served.reset()
    live_app.page.reload()
    live_app.page.wait_for_selector(FORM_READY, timeout=180_000)
    assert selected_labels(live_app.page)[: len(chosen)] == chosen
    # Only the browser's own update check of the service worker script (which Chromium's offline
    # emulation does not cover; with no network it just fails) may still reach the server.
    reached = set(live_app.served.by_path) - {"/live/service-worker.js"}
    assert not reached, f"the offline app still fetched {sorted(reached)}"
    live_app.offline.context.set_offline(False)
    assert live_app.offline.blocked == [], live_app.offline.blocked


def _switch(page, title: str) -> float:
    """Open the form ``title`` from the workbook's own menu; seconds until its heading shows."""
    page.locator(".workbook-bar select").select_option(label=title)
    start = time.perf_counter()
    page.get_by_role("button", name="Open this form").click()
    page.wait_for_function(
        "t => document.querySelector('.workbook-heading')?.textContent === t",
        arg=title,
        timeout=30_000,
    )
    return time.perf_counter() - start


def test_switching_forms_keeps_the_same_python_and_takes_a_moment(live_app: LiveApp):
    """Another form opens in the same app and the same Python (no reload, no new kernel): the
    values the Python kept stay, and it takes about a second, not a new start."""
    page = live_app.page
    page.evaluate("() => { window.sameApp = true; }")
    chosen = selected_labels(page)
    seconds = {}
    for form in FORMS[1:]:
        seconds[form.id] = _switch(page, form.title)
        wait_drawn(page)
        shown = page.locator(".workbook").inner_text()
        assert machine_words(shown) == [], (form.id, machine_words(shown))
        assert page.title().startswith(form.title)
    seconds[LEADERSHIP.id] = _switch(page, LEADERSHIP.title)
    page.locator(FORM_READY).first.wait_for()
    assert page.evaluate("() => window.sameApp") is True, "the page was reloaded"
    assert selected_labels(page) == chosen  # read back from the records by the same Python
    assert page.url.startswith(f"{live_app.base}live/repl/index.html?")
    print("switching (s): " + ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()))
    slow = {k: v for k, v in seconds.items() if v > 5}
    assert not slow, f"switching took a new start's time: {slow}"


def _form_in_address(page) -> str:
    """The form the workbook's address names (the code the book's buttons put in it)."""
    code = parse_qs(urlsplit(page.url).query).get("code", [""])[0]
    named = [form.id for form in FORMS if form.code == code]
    return named[0] if named else f"(no form: {code!r})"


def _heading_becomes(page, title: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.workbook-heading')?.textContent === t",
        arg=title,
        timeout=30_000,
    )


def test_the_address_follows_the_form_so_back_reload_and_bookmarks_return_to_it(
    live_app: LiveApp, tmp_path: Path
):
    """Switching forms changes the address (a new history entry): Back and Forward open the
    form before or after in the same Python, a reload opens the form on screen, and the address
    is the one a bookmark keeps."""
    page = live_app.page
    plan, log = (next(f for f in FORMS if f.id == i) for i in ("action-plan", "progress-log"))
    if page.locator(".workbook-heading").inner_text() != LEADERSHIP.title:
        _switch(page, LEADERSHIP.title)
    page.evaluate("() => { window.sameApp = true; }")
    assert _form_in_address(page) == LEADERSHIP.id
    start = page.evaluate("() => history.length")
    _switch(page, plan.title)
    assert _form_in_address(page) == plan.id
    _switch(page, log.title)
    assert _form_in_address(page) == log.id
    assert page.evaluate("() => history.length") == start + 2
    page.get_by_text("indicators rated").first.wait_for()  # the log's own line, under its heading
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        _shot(page, tmp_path, f"after-a-switch-{name}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.go_back()
    _heading_becomes(page, plan.title)
    assert _form_in_address(page) == plan.id
    page.go_back()
    _heading_becomes(page, LEADERSHIP.title)
    page.locator(FORM_READY).first.wait_for()
    assert _form_in_address(page) == LEADERSHIP.id
    page.go_forward()
    _heading_becomes(page, plan.title)
    assert page.evaluate("() => window.sameApp") is True, "Back or Forward reloaded the page"
    assert page.evaluate("() => history.length") == start + 2  # Back/Forward add no entries
    assert page.title().startswith(plan.title)
    bookmark = page.url
    page.reload()
    page.wait_for_selector(WORKBOOK_READY, timeout=180_000)
    assert page.locator(WORKBOOK_READY).inner_text() == plan.title
    assert page.url == bookmark
    _shot(page, tmp_path, "after-reload")
    _switch(page, LEADERSHIP.title)  # as the tests after this one expect
    page.locator(FORM_READY).first.wait_for()


def _book_page_starts_nothing(page, url: str) -> None:
    """``url``, a book page with a form's button, opened in ``page``: three seconds after it
    has loaded (it would have started at once), it has started no workbook."""
    page.goto(url, wait_until="load")
    page.wait_for_timeout(3000)
    assert page.locator(WARM_FRAME).count() == 0


def test_a_repeat_visit_starts_the_workbook_while_the_page_is_read_and_the_click_shows_it(
    live_app: LiveApp, tmp_path: Path
):
    """This browser already holds the live site (the workbook was opened before): the book page
    starts the workbook out of sight while the lead reads it, out of reach of the keyboard and
    screen readers; the click shows it at once, with its address and title in the tab; switching
    forms moves the address, Back steps through the forms and then back to the book page, a
    second click shows the same workbook again, and its link to a course page opens in the tab.
    A first visit and a browser with Save-Data on start nothing ahead."""
    book_url = f"{live_app.base}{LEADERSHIP.page}.html"
    plan = next(f for f in FORMS if f.id == "action-plan")
    book = live_app.offline.context.new_page()
    try:
        book.set_viewport_size({"width": 1280, "height": 900})
        book.goto(book_url, wait_until="load")
        holder = book.locator(WARM_FRAME)
        holder.wait_for(state="attached", timeout=15_000)
        ahead = holder.element_handle().content_frame()
        ahead.wait_for_selector(FORM_READY, state="attached", timeout=180_000)
        assert not holder.is_visible()
        assert holder.get_attribute("aria-hidden") == "true"
        assert holder.evaluate("frame => frame.inert") is True
        for _ in range(30):  # the keyboard goes round the book page, never into the workbook
            book.keyboard.press("Tab")
            assert book.evaluate("() => document.activeElement?.tagName") != "IFRAME"
        assert holder.get_attribute("tabindex") == "-1"
        assert book.url == book_url and not book.title().endswith("Live workbook")
        ahead.evaluate("() => { window.startedAhead = true; }")
        _shot(book, tmp_path, "book-page-with-workbook-started")

        start = time.perf_counter()
        app = open_live_form(book)
        app.wait_for_selector(FORM_READY, timeout=5_000)
        shown_in = time.perf_counter() - start
        assert app.shown_frame() is not None and holder.is_visible()
        assert shown_in < 2.0, f"the workbook started ahead took {shown_in:.1f} s to show"
        assert app.evaluate("() => window.startedAhead") is True
        assert _form_in_address(book) == LEADERSHIP.id
        assert book.title() == f"{LEADERSHIP.title} · Live workbook"
        # the book page behind is out of reach; the keyboard is in the workbook
        assert book.evaluate(
            "() => document.querySelector('a.live-form-button').closest('[inert]') !== null"
        )
        _tab_to_group(app, 0)
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        for name, width in WIDTHS.items():
            book.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
            _shot(book, tmp_path, f"shown-from-the-book-page-{name}")
            _shot(book, SHOTS_DIR, f"shown-from-the-book-page-{name}")
        book.set_viewport_size({"width": 1280, "height": 900})

        _switch(app, plan.title)
        assert _form_in_address(book) == plan.id
        assert book.title().startswith(plan.title)
        book.evaluate("() => history.back()")
        _heading_becomes(app, LEADERSHIP.title)
        book.wait_for_function(
            'id => decodeURIComponent(location.search).includes(`workbook("${id}")`)',
            arg=LEADERSHIP.id,
        )
        book.evaluate("() => history.back()")
        book.wait_for_url(book_url)
        book.wait_for_function(
            "() => !document.documentElement.classList.contains('live-warm-open')"
        )
        assert not holder.is_visible() and book.title() != f"{LEADERSHIP.title} · Live workbook"
        assert book.evaluate("() => document.activeElement?.classList.contains('live-form-button')")

        app = open_live_form(book)  # again: the same workbook, shown at once
        app.wait_for_selector(FORM_READY, timeout=5_000)
        assert app.evaluate("() => window.startedAhead") is True
        app.locator("a.workbook-back").click()
        book.wait_for_url(book_url)
        book.wait_for_load_state("load")
        assert book.locator("a.live-form-button").is_visible()  # a fresh book page, in the tab
    finally:
        book.close()

    saving = live_app.offline.context.new_page()
    try:
        saving.add_init_script(
            "Object.defineProperty(navigator, 'connection', {value: {saveData: true}})"
        )
        _book_page_starts_nothing(saving, book_url)
    finally:
        saving.close()
    fresh = persistent_offline(live_app.playwright, tmp_path / "first-visit")
    try:
        _book_page_starts_nothing(fresh.context.pages[0], book_url)
    finally:
        fresh.context.close()


#: Makes the book page's question "does this browser hold the live site?" take 1.5 s (a slow
#: disk, a busy browser), so that a click can land before the page has the answer.
SLOW_ANSWER = """if (window.top === window) {
  const workers = navigator.serviceWorker;
  const ask = workers.getRegistration.bind(workers);
  workers.getRegistration = (...args) =>
    new Promise((resolve) => setTimeout(() => resolve(ask(...args)), 1500));
}"""


def test_a_click_while_the_workbook_is_still_starting_shows_it_and_it_opens_there(
    live_app: LiveApp, tmp_path: Path
):
    """A repeat visit where the lead clicks at once, before the book page has even started the
    workbook (it is still asking whether this browser holds the live site): the click waits for
    the answer and shows the frame, still starting and saying so, rather than starting afresh;
    the form then opens in it, with its address in the tab. The workbook's page started its
    Python's worker itself, before its app (the kernel took it: ``deploy/lite/early_kernel.py``).
    """
    book_url = f"{live_app.base}{LEADERSHIP.page}.html"
    book = live_app.offline.context.new_page()
    try:
        book.add_init_script(SLOW_ANSWER)
        book.set_viewport_size({"width": 1280, "height": 900})
        book.goto(book_url, wait_until="load")
        holder = book.locator(WARM_FRAME)
        assert holder.count() == 0, "started already: this test needs a click before it starts"
        app = open_live_form(book)
        shown = app.shown_frame()
        assert shown is not None, "the click started the workbook afresh instead of showing it"
        assert holder.is_visible() and holder.get_attribute("aria-hidden") is None
        status = shown.locator("#workbook-status")
        status.wait_for(timeout=10_000)
        assert "Opening the live workbook" in status.inner_text()
        # a repeat visit: nothing to fetch, and the panel does not say there is
        status.get_by_text("this browser's own copy of its Python").wait_for(timeout=10_000)
        assert "first visit" not in status.inner_text()
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        for name, width in WIDTHS.items():
            book.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
            _shot(book, SHOTS_DIR, f"clicked-while-starting-{name}")
        book.set_viewport_size({"width": 1280, "height": 900})
        app.wait_for_selector(FORM_READY, timeout=180_000)
        assert app.shown_frame() is not None  # the same frame, never a second start
        assert app.locator(WORKBOOK_READY).inner_text() == LEADERSHIP.title
        assert _form_in_address(book) == LEADERSHIP.id
        book.wait_for_function("t => document.title.startsWith(t)", arg=LEADERSHIP.title)
        # the kernel took the worker the workbook's page had started (null: taken; a page
        # that started none would not have the name at all)
        assert app.evaluate("() => '__wholeschoolWorker' in window && !window.__wholeschoolWorker")
        assert app.evaluate("() => window.workbookProblem ?? null") is None
        # the Python started ahead reads the lead's records from the browser's storage: the
        # form shows the ratings stored there (if any yet)
        leadership = FRAMEWORK.principle("leadership")
        names = {level.value: level.label for level in FRAMEWORK.scale}
        stored = browser_file(app, "records/audit.json")
        ratings = (
            parse_record(stored, "browser:audit.json", today=dt.date.today()).ratings
            if stored
            else {}
        )
        expected = [
            names[ratings[i.id].rating] if i.id in ratings else "Not rated yet"
            for i in leadership.indicators
        ]
        assert selected_labels(app)[: len(expected)] == expected
    finally:
        book.close()


# --- the rest of the loop: plan, exports, download all, restore elsewhere ----------------------
# These run after the self-audit test above, in the same browser, on the records it saved.


def _open_form(app: LiveApp, form_id: str, ready: str):
    """Open a form from its book page's button in the lead's browser; its app page."""
    form = next(f for f in FORMS if f.id == form_id)
    book = app.offline.context.new_page()
    book.goto(f"{app.base}{form.page}.html", wait_until="load")
    page = open_live_form(book)
    page.get_by_text(ready).first.wait_for(timeout=180_000)
    return page


def _download(page, button: str, save_to: Path) -> Path:
    """Click a download button once, as a lead does: the file downloads (no link to click
    next); where the browser saved it."""
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=button).click()
    target = save_to / download.value.suggested_filename
    download.value.save_as(target)
    return target


def test_the_plan_drafts_from_the_audit_and_its_files_download_valid(
    live_app: LiveApp, tmp_path: Path
):
    import csv
    import io

    import openpyxl
    from wholeschool import PlanRecord

    already = len(live_app.logs)
    page = _open_form(live_app, "action-plan", "Download the plan: Excel")
    plan_text = wait_for_browser_file(page, "records/plan.json", lambda text: text)
    plan = parse_record(plan_text, "browser:/drive/records/plan.json", today=dt.date.today())
    assert isinstance(plan, PlanRecord) and plan.actions
    files = {
        suffix: _download(page, f"Download the plan: {name}", tmp_path)
        for suffix, name in (("csv", "CSV spreadsheet"), ("xlsx", "Excel"), ("md", "Markdown page"))
    }
    assert {f.name for f in files.values()} == {f"action-plan.{s}" for s in files}
    assert page.get_by_role("button", name="Download the plan: Word").count() == 0  # no Word here
    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8-sig"))))
    assert [row["Action"] for row in rows] == [a.what for a in plan.actions]
    sheet = openpyxl.load_workbook(files["xlsx"])["Action plan"]
    assert sheet.max_row == 1 + len(plan.actions)
    assert plan.actions[0].what in files["md"].read_text(encoding="utf-8")
    problems = [p for log in live_app.logs[already:] for p in log.problems]
    assert problems == [], [log.failed_requests for log in live_app.logs[already:]]
    page.close()


def test_download_all_then_restore_in_a_fresh_browser_refusing_bad_files(
    live_app: LiveApp, tmp_path: Path
):
    page = _open_form(live_app, "my-records", "Download all records")
    assert page.get_by_text("nothing is sent anywhere", exact=False).count()
    bundle = _download(page, "Download all records", tmp_path)
    assert bundle.name.startswith("wholeschool-records-") and bundle.suffix == ".zip"
    with zipfile.ZipFile(bundle) as archive:
        names = sorted(archive.namelist())
        saved = {name: archive.read(name).decode() for name in names}
    assert {"audit.json", "plan.json"} <= set(names)
    for name, text in saved.items():
        parse_record(text, f"{bundle.name}/{name}", today=dt.date.today())
    page.close()

    fresh = persistent_offline(live_app.playwright, tmp_path / "another-browser")
    try:
        book = fresh.context.pages[0]
        form = next(f for f in FORMS if f.id == "my-records")
        book.goto(f"{live_app.base}{form.page}.html", wait_until="load")
        other = open_live_form(book)
        other.get_by_text("No records saved yet.").wait_for(timeout=180_000)

        def upload(path: Path) -> None:
            """Choose a file with the upload button, as a lead does."""
            with other.expect_file_chooser() as chooser:
                other.get_by_text("Restore from files").click()
            chooser.value.set_files(str(path))

        hostile = tmp_path / "hostile.zip"
        with zipfile.ZipFile(hostile, "w") as archive:
            archive.writestr("audit.json", saved["audit.json"])
            archive.writestr("../../escape.json", saved["plan.json"])
            archive.writestr(
                "plan.json", '{"kind": "plan", "school": "<img src=x onerror=alert(1)>"'
            )
        upload(hostile)
        other.get_by_text("Nothing was restored").wait_for(timeout=60_000)
        message = other.locator("[role=alert]").last.inner_text()
        assert "escape.json: is not a plain file name" in message
        assert "plan.json: is not valid JSON" in message
        assert browser_file(other, "records/audit.json") is None, "nothing stored from a bad upload"

        upload(bundle)
        other.get_by_text("Restored:").wait_for(timeout=60_000)
        for name, text in saved.items():
            restored = wait_for_browser_file(other, f"records/{name}", lambda got: got)
            assert parse_record(restored, name, today=dt.date.today()) == parse_record(
                text, name, today=dt.date.today()
            )
        assert fresh.blocked == [], fresh.blocked
    finally:
        fresh.context.close()


# --- when the browser's Python cannot start ---------------------------------------------------


@pytest.mark.parametrize("how", ["refused", "never-starts"])
def test_blocked_python_says_what_happened_and_what_to_try(
    live_app: LiveApp, tmp_path: Path, how: str
):
    """The Python files blocked (as a school filter may): a refused fetch of the loader is
    reported at once; a Python that never starts (its WebAssembly blocked) after the set time
    (here 6 s; 90 s on the site); each with what to try and the printable form, never
    "Loading" for ever."""
    base = live_app.base
    # Another lead's browser, beside the one of the other tests.
    guarded = persistent_offline(live_app.playwright, tmp_path / "profile")
    try:
        context = guarded.context
        if how == "refused":
            context.route("**/live/static/pyodide/**", lambda route: route.abort())
            wait = ""
        else:  # the loader is fetched, the WebAssembly is not: the kernel never starts
            context.route("**/live/static/pyodide/*.wasm", lambda route: route.abort())
            wait = "&failAfter=6"
        page = context.pages[0]
        page.goto(f"{base}{LEADERSHIP.page}.html", wait_until="load")
        start = time.monotonic()
        if wait:  # the workbook's address with a shorter wait (the page reads it from there)
            page.goto(f"{base}live/{LEADERSHIP.app_url()}{wait}", wait_until="commit")
        else:
            page.locator("a.live-form-button").click()
        page.wait_for_url("**/live/repl/index.html?*", wait_until="commit")
        alert = page.locator("#workbook-status[role=alert]")
        alert.wait_for(timeout=30_000)
        took = time.monotonic() - start
        page.screenshot(path=str(tmp_path / f"blocked-{how}.png"))
        text = alert.inner_text()
        assert "The live workbook could not open" in text
        if how == "refused":
            assert "could not fetch its own Python" in text and took < 20, took
        else:
            assert "has not started after 6 seconds" in text and 5 < took < 25, took
        for advice in ("Reload this page", "another browser", "ask your IT team"):
            assert advice in text, advice
        assert "Opening the live workbook" not in page.locator("body").inner_text()
        printable = alert.get_by_role("link", name="Open this form's questions on the course page")
        printable.click()
        page.wait_for_url(f"**/{LEADERSHIP.page}.html")
        assert page.get_by_text(FRAMEWORK.principle("leadership").indicators[0].text).count()
    finally:
        guarded.context.close()


#: A browser whose service worker registers late (a busy machine, a slow disk): each
#: registration waits 8 s before it starts, well after the app has made its kernel.
SLOW_SERVICE_WORKER = """
if (navigator.serviceWorker) {
  const register = navigator.serviceWorker.register.bind(navigator.serviceWorker);
  navigator.serviceWorker.register = (...args) =>
    new Promise(resolve => setTimeout(resolve, 8000)).then(() => register(...args));
}
"""
#: A browser with no service workers at all (as Firefox's private windows).
NO_SERVICE_WORKER = "delete Navigator.prototype.serviceWorker;"


def test_a_late_service_worker_still_keeps_the_answers_in_the_browser(
    live_app: LiveApp, tmp_path: Path
):
    """The kernel waits for the service worker before it decides where its files go: made
    before the registration, it used to keep them in memory only, and a lead's audit said
    "Saved" and was gone with the tab (seen on a busy machine as a moderation never stored)."""
    guarded = persistent_offline(live_app.playwright, tmp_path / "profile")
    try:
        guarded.context.add_init_script(SLOW_SERVICE_WORKER)
        book = guarded.context.pages[0]
        book.goto(f"{live_app.base}{LEADERSHIP.page}.html", wait_until="load")
        page = open_live_form(book)
        page.wait_for_selector(f"{FORM_READY}, #workbook-status[role=alert]", timeout=180_000)
        problem = page.evaluate("() => window.workbookProblem ?? null")
        assert problem is None, f"the workbook did not open: {problem}"
        level = FRAMEWORK.scale[2]
        choose(page, 0, level.label)
        page.get_by_text(re.compile(r"Saved at \d\d:\d\d")).wait_for(timeout=30_000)
        first = FRAMEWORK.principle("leadership").indicators[0].id

        def rated(text: str) -> AuditRecord | None:
            record = parse_record(text, "browser:/drive/records/audit.json", today=dt.date.today())
            chosen = record.ratings.get(first)
            return record if chosen is not None and chosen.rating == level.value else None

        record = wait_for_browser_file(page, "records/audit.json", rated)
        assert record is not None, f"not kept: the browser holds {stored_paths(page)}"
    finally:
        guarded.context.close()


@pytest.mark.parametrize("how", ["none", "blocked"])
def test_a_browser_that_keeps_nothing_is_told_so_instead_of_getting_a_form(
    live_app: LiveApp, tmp_path: Path, how: str
):
    """With no service worker the browser's Python cannot reach the browser's storage: the
    workbook does not open a form whose answers would vanish, it says why and what to try.
    Two such browsers: one with no service workers at all (the kernel never mounts the drive),
    one whose registrations a policy blocks (Playwright's own blocking: the drive is mounted but
    nothing answers it)."""
    options = {"service_workers": "block"} if how == "blocked" else {}
    guarded = persistent_offline(live_app.playwright, tmp_path / "profile", **options)
    try:
        if how == "none":
            guarded.context.add_init_script(NO_SERVICE_WORKER)
        page = guarded.context.pages[0]
        page.goto(f"{live_app.base}{LEADERSHIP.page}.html", wait_until="load")
        page.locator("a.live-form-button").click()
        page.wait_for_url("**/live/repl/index.html?*", wait_until="commit")
        alert = page.locator("#workbook-status[role=alert]")
        alert.wait_for(timeout=180_000)
        page.screenshot(path=str(tmp_path / f"keeps-nothing-{how}.png"))
        text = alert.inner_text()
        assert "The live workbook could not open" in text
        assert "not letting the workbook keep your answers" in text
        assert "normal (not private) window" in text and "Reload this page" in text
        assert "keep data in the browser" in text  # what IT can allow, for this problem
        assert ".wasm" not in text  # not the advice about downloading the browser's Python
        assert alert.get_by_role(
            "link", name="Open this form's questions on the course page"
        ).count()
        assert page.locator(FORM_READY).count() == 0  # no form to fill in for nothing
        assert machine_words(text) == [], machine_words(text)
        for name, width in WIDTHS.items():  # the notice fits a tablet and a phone too
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(tmp_path / f"keeps-nothing-{how}-{name}.png"), full_page=True)
            box = alert.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, box)
            wider = page.evaluate("() => document.documentElement.scrollWidth") - width
            assert wider <= 1, f"{name}: the page is {wider} px wider than the screen"
            reload = alert.get_by_role("button", name="Reload this page")
            reload.scroll_into_view_if_needed()  # the last of the panel can be reached
            button = reload.bounding_box()
            assert button and button["y"] >= 0 and button["y"] + button["height"] <= 900, name
    finally:
        guarded.context.close()


# --- the whole loop as a lead does it, at three widths ----------------------------------------


def _tab_to_group(page, group: int) -> None:
    for _ in range(40):
        if _focus_in_group(page) == group:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached rating {group + 1}")


#: The control the keyboard is on has this text (its name, for a button).
FOCUSED_IS = "t => document.activeElement?.textContent.trim() === t"


def _heading_is(page, title: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.workbook-heading')?.textContent === t",
        arg=title,
        timeout=60_000,
    )


def _no_machine_words(page, where: str) -> None:
    shown = page.locator(".workbook").inner_text()
    assert machine_words(shown) == [], (where, machine_words(shown))


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_lead_goes_round_the_whole_loop_in_the_workbook(
    live_app: LiveApp, tmp_path: Path, width: int
):
    """From the book's self-audit page: rate with the keyboard, then (by the workbook's "next
    step" buttons and menu, in one app) the plan with a priority moved up and one taken out,
    the progress log, the governors' report, download all and restore; what the lead reads is
    checked at each step and a screenshot of it kept in the test's folder."""
    shots = tmp_path / "screens"
    shots.mkdir()
    base = live_app.base
    # A new lead's browser, beside the one of the other tests.
    guarded = persistent_offline(live_app.playwright, tmp_path / "profile")
    try:
        page = guarded.context.pages[0]
        page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
        page.goto(f"{base}{LEADERSHIP.page}.html", wait_until="load")
        page.get_by_text("a description, not the form").scroll_into_view_if_needed()
        _shot(page, shots, "1-book-page")
        page = open_live_form(page)
        page.wait_for_selector(FORM_READY, timeout=180_000)
        _heading_is(page, LEADERSHIP.title)
        _shot(page, shots, "2-self-audit")
        assert page.evaluate("() => window.workbookProblem ?? null") is None
        _no_machine_words(page, "self-audit")

        # rate four indicators with the keyboard only: Tab to each, arrow to a level
        for group in range(4):
            _tab_to_group(page, group)
            for _ in range(1 + group % 2):
                page.keyboard.press("ArrowDown")
        labels = selected_labels(page)
        assert labels[:4] == [FRAMEWORK.scale[g % 2].label for g in range(4)], labels
        page.get_by_text(re.compile(r"Saved at \d\d:\d\d")).wait_for(timeout=30_000)
        _shot(page, shots, "3-rated-by-keyboard")
        bar = page.locator(".jp-OutputArea-output .widget-hprogress .progress").first
        box = bar.bounding_box()
        assert box and box["height"] >= 6 and box["width"] >= 60, f"'Rated' bar at {width}px: {box}"

        # next step: the plan, in the same app
        page.get_by_role("button", name="Next: Action plan").click()
        _heading_is(page, "Action plan")
        page.get_by_text("Action 3").first.wait_for(timeout=30_000)
        wait_drawn(page)  # every action, not only the first three
        _no_machine_words(page, "plan")
        for date in page.locator(".jp-OutputArea-output .widget-datepicker input").all()[:4]:
            box = date.bounding_box()
            assert box["x"] + box["width"] <= width + 1, "a date field is cut off"
        _shot(page, shots, "4-plan")
        headings = page.locator(".jp-OutputArea-output h4").all_inner_texts()
        actions = [h for h in headings if h.startswith("Action ")]
        third = actions[2].split(" · ", 1)[1]
        # by the keyboard, as a lead who does not use a mouse does: the focus stays with the
        # moved action's button once the plan is redrawn (keep-focus.js), not back at the top
        page.get_by_role("button", name="Move action 3 to the top").focus()
        page.keyboard.press("Enter")
        # The rows are renumbered one by one, then redrawn in their new order (old and new
        # drawings may briefly both be on the page): wait for the plan as it ends up, the
        # moved action first and the buttons numbered 1 to n, each once, in order.
        page.wait_for_function(
            """([t, n]) => {
              const first = [...document.querySelectorAll('.jp-OutputArea-output h4')]
                .find(h => h.textContent.startsWith('Action '));
              const takes = [...document.querySelectorAll('.jp-OutputArea-output button')]
                .map(b => b.textContent.trim()).filter(x => x.startsWith('Take action'));
              return first?.textContent.endsWith(t) && takes.length === n
                && takes.every((x, i) => x === `Take action ${i + 1} out of the plan`);
            }""",
            arg=[third, len(actions)],
        )
        # (the moved button is relabelled before the plan is redrawn: look once it is drawn)
        wait_drawn(page)
        page.wait_for_function(FOCUSED_IS, arg="Move action 1 to the top", timeout=10_000)
        page.get_by_role("button", name="Take action 2 out of the plan").focus()
        page.keyboard.press("Enter")
        page.wait_for_function(
            "n => [...document.querySelectorAll('.jp-OutputArea-output h4')]"
            ".filter(h => h.textContent.startsWith('Action ')).length === n",
            arg=len(actions) - 1,
        )
        # the focus goes on to the action that took its place, now action 2
        wait_drawn(page)
        page.wait_for_function(FOCUSED_IS, arg="Take action 2 out of the plan", timeout=10_000)
        plan = wait_for_browser_file(
            page,
            "records/plan.json",
            lambda text: text if len(json.loads(text)["actions"]) == len(actions) - 1 else None,
        )
        assert plan is not None, "the plan without the action taken out was not saved"
        assert any(third in h for h in page.locator(".jp-OutputArea-output h4").all_inner_texts())
        _shot(page, shots, "5-plan-reordered")

        page.get_by_role("button", name="Next: Termly progress log").click()
        _heading_is(page, "Termly progress log")
        page.locator(FORM_READY).first.wait_for(timeout=30_000)
        _no_machine_words(page, "progress log")
        _shot(page, shots, "6-progress-log")

        page.get_by_role("button", name="Next: Report to governors").click()
        _heading_is(page, "Report to governors")
        page.get_by_role("button", name="Download the report as a web page").wait_for(
            timeout=60_000
        )
        shown = page.locator(".workbook").inner_text()
        assert "the charts are described in words" in shown  # no matplotlib in the browser
        _no_machine_words(page, "report")
        _shot(page, shots, "7-governors-report")
        report = _download(page, "Download the report as a web page", tmp_path)
        assert report.name == "governors-report.html"
        report_text = report.read_text(encoding="utf-8")
        assert "In words (this copy of the report has no charts)" in report_text
        assert (
            page.get_by_role("button", name="Download the report as a Word document").count() == 0
        )

        page.get_by_role("button", name="Next: Your records").click()
        _heading_is(page, "Your records")
        _no_machine_words(page, "records")
        bundle = _download(page, "Download all records", tmp_path)
        with zipfile.ZipFile(bundle) as archive:
            assert {"audit.json", "plan.json"} <= set(archive.namelist())
        with page.expect_file_chooser() as chooser:
            page.get_by_text("Restore from files").click()
        chooser.value.set_files(str(bundle))
        page.get_by_text("Restored:").wait_for(timeout=60_000)
        _shot(page, shots, "8-records-restored")

        page.get_by_role("link", name="Back to the course page").click()
        page.wait_for_url("**/course/records.html")
        _shot(page, shots, "9-back-in-the-book")
        assert guarded.blocked == [], guarded.blocked
    finally:
        guarded.context.close()
    assert len(list(shots.glob("*.png"))) == 9
    print(f"screenshots: {shots}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
