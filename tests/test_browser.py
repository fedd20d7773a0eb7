"""The built book in a real browser: Debian's Chromium through Playwright, with no network.

The book is built once per session (``built_book``) and served from 127.0.0.1. Every page in
``_toc.yml`` is visited once (the ``sweep`` fixture), each in a new browser context (an empty
cache, as a first visit) that aborts any request leaving the machine, from a server that
compresses as web hosts do; the tests then judge what the sweep saw (the page's weight too), so
they cover new pages as the content grows.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from browser_support import (
    ROOT,
    Offline,
    broken_links,
    launch_chromium,
    offline_context,
    serve,
    site_screens,
    wait_for_widgets,
    watch,
)
from helpers import toc_files
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from wholeschool import FRAMEWORK

pytestmark = pytest.mark.browser

#: Words that make a page one that must carry the safeguarding admonition (common brief).
SENSITIVE = re.compile(
    r"\b(risks?|self-harm|self harm|abuse[ds]?|abusive|suicid\w*|referrals?)\b", re.I
)
#: axe-core rules for WCAG 2.1 level A and AA; only these impacts fail the test.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
    # axe's stylesheet preload resolves the theme's @import against the page URL (a false 404);
    # it only serves the css-orientation-lock rule.
    "preload": False,
}
FAILING_IMPACTS = ("serious", "critical")
#: Page weight target (issue 7): bytes transferred for a page and everything it loads.
PAGE_WEIGHT_LIMIT = 1_500_000
#: Page furniture that must not print (checked under print media).
SCREEN_ONLY = (
    ".bd-header",
    ".bd-sidebar-primary",
    ".bd-sidebar-secondary",
    ".bd-header-article",
    ".prev-next-area",
    ".bd-footer",
)


@dataclass
class PageReport:
    """What one visit to one page saw."""

    docname: str
    problems: list[str]
    blocked: list[str]
    title: str
    text: str
    safeguarding_admonition_visible: bool
    widget_views: int
    widgets_drawn: int
    launch_links: list[str]
    launch_button_visible: bool
    #: bytes over the wire (headers and bodies, gzip) for the page and all it loads
    weight: int = 0
    axe_failures: list[dict] = field(default_factory=list)
    print_issues: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def site(built_book: Path) -> Iterator[str]:
    """The built book over HTTP on 127.0.0.1 (base URL), gzip-compressed as web hosts send it."""
    with serve(built_book, compress=True) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def offline(chromium) -> Iterator[Offline]:
    """A fresh browser context that can reach only the local server."""
    context = offline_context(chromium)
    yield context
    context.context.close()


def _article_text(page) -> str:
    """The article's visible text, without the reference list entries."""
    return page.evaluate(
        """() => {
          const article = document.querySelector('article.bd-article');
          if (!article) return '';
          const copy = article.cloneNode(true);
          copy.querySelectorAll('.bibliography, .citation, dl.citation').forEach(e => e.remove());
          document.body.appendChild(copy);
          copy.style.position = 'absolute';
          const text = copy.innerText;
          copy.remove();
          return text;
        }"""
    )


def _safeguarding_admonition_visible(page) -> bool:
    for box in page.locator("article.bd-article .admonition").all():
        text = box.inner_text().lower()
        names_dsl = "designated safeguarding lead" in text or re.search(r"\bdsl\b", text)
        if "safeguarding" in text and names_dsl and box.is_visible():
            return True
    return False


def _print_issues(page) -> list[str]:
    """Under print media: no site furniture, the article at full width, nothing cut off."""
    page.emulate_media(media="print")
    try:
        issues = [f"{sel} prints" for sel in SCREEN_ONLY if page.locator(sel).first.is_visible()]
        layout = page.evaluate(
            """() => {
              const a = document.querySelector('article.bd-article');
              const r = a ? a.getBoundingClientRect() : {width: 0};
              return {article: r.width, page: document.documentElement.clientWidth,
                      scroll: document.documentElement.scrollWidth};
            }"""
        )
        if layout["article"] < 0.85 * layout["page"]:
            issues.append(f"article is {layout['article']:.0f}px of {layout['page']}px page width")
        if layout["scroll"] > layout["page"] + 2:
            issues.append(f"content {layout['scroll']}px wide overflows {layout['page']}px page")
        return issues
    finally:
        page.emulate_media(media="screen")


def _visit(chromium, base: str, docname: str) -> PageReport:
    """One first visit to a page, in a context of its own (an empty cache)."""
    offline = offline_context(chromium)
    page = offline.context.new_page()
    log = watch(page)
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{base}{docname}.html", wait_until="load")
    counts = wait_for_widgets(page)
    with contextlib.suppress(PlaywrightTimeout):  # late requests are weighed if they come
        page.wait_for_load_state("networkidle", timeout=10_000)
    weight = sum(
        sizes["responseBodySize"] + sizes["responseHeadersSize"]
        for sizes in (request.sizes() for request in finished)
    )
    launch = page.locator(".dropdown-launch-buttons")
    report = PageReport(
        docname=docname,
        problems=log.problems,
        blocked=offline.blocked,
        title=page.title(),
        text=_article_text(page),
        safeguarding_admonition_visible=_safeguarding_admonition_visible(page),
        widget_views=counts["views"],
        widgets_drawn=counts["drawn"],
        launch_links=launch.locator("a").evaluate_all("links => links.map(a => a.href)"),
        launch_button_visible=launch.count() > 0 and launch.locator("button").first.is_visible(),
        weight=weight,
    )
    results = Axe().run(page, options=AXE_OPTIONS).response
    report.axe_failures = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": len(v["nodes"]),
            "target": v["nodes"][0]["target"] if v["nodes"] else [],
            "help": v["help"],
        }
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]
    report.print_issues = _print_issues(page)
    report.problems = log.problems  # anything logged while axe and print ran counts too
    offline.context.close()
    return report


@pytest.fixture(scope="module")
def sweep(site: str, chromium) -> dict[str, PageReport]:
    """Visit every page of the book once (plus the search page) and keep what each showed."""
    return {name: _visit(chromium, site, name) for name in [*toc_files(), "search"]}


def _open_home(page, site: str):
    """Open the site's address; the book's index.html forwards to the root page."""
    response = page.goto(site, wait_until="load")
    page.wait_for_url(f"**/{toc_files()[0]}.html")
    page.wait_for_load_state("load")
    return response


def _principle_pages(sweep: dict[str, PageReport]) -> list[PageReport]:
    return [r for name, r in sweep.items() if name.startswith("course/principles/")]


# --- loading, network, console --------------------------------------------------------------


def test_home_page_loads_without_console_errors(site: str, offline: Offline):
    page = offline.context.new_page()
    log = watch(page)
    response = _open_home(page, site)
    page.wait_for_load_state("networkidle")
    assert response is not None and response.ok
    assert page.locator("article.bd-article h1").first.is_visible()
    assert FRAMEWORK.principles[0].name.split()[0] in page.content()
    assert log.problems == []
    assert offline.blocked == []


def test_every_page_renders_with_no_network_and_no_errors(sweep: dict[str, PageReport]):
    assert len(sweep) >= len(toc_files())
    blocked = {name: r.blocked for name, r in sweep.items() if r.blocked}
    assert not blocked, f"pages asked for outside resources (blocked): {blocked}"
    problems = {name: r.problems for name, r in sweep.items() if r.problems}
    assert not problems, f"pages logged errors: {problems}"


# --- navigation and search ------------------------------------------------------------------


def test_navigation_reaches_every_principle_chapter(site: str, offline: Offline):
    page = offline.context.new_page()
    for principle in FRAMEWORK.principles:
        _open_home(page, site)
        nav = page.locator("nav.bd-docs-nav")
        link = nav.locator(f'a[href$="principles/{principle.id}/index.html"]')
        assert link.count() == 1, f"no navigation link to the {principle.id} chapter"
        link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"course/principles/{principle.id}/index.html")
        heading = page.locator("article.bd-article h1").first.inner_text()
        assert principle.short_name.lower() in heading.lower() or principle.name in heading
        # the chapter's own sections are one click away in the navigation too
        hrefs = page.locator("nav.bd-docs-nav a").evaluate_all("a => a.map(x => x.href)")
        sections = {h for h in hrefs if f"/principles/{principle.id}/" in h}
        assert len(sections) >= 2, f"{principle.id}: chapter sections missing from the navigation"
    assert offline.blocked == []


@pytest.mark.parametrize("width", [390, 820])
def test_the_menu_button_opens_the_page_list_on_phones_and_tablets(site: str, chromium, width: int):
    """The visible menu button opens the page list, from which a lead reaches a chapter (the
    theme once listened only to a hidden copy of the button: tapping did nothing)."""
    context = offline_context(chromium, viewport={"width": width, "height": 800})
    page = context.context.new_page()
    page.goto(f"{site}/course/intro.html", wait_until="load")
    buttons = page.locator(".primary-toggle")
    (visible,) = [buttons.nth(i) for i in range(buttons.count()) if buttons.nth(i).is_visible()]
    visible.click()
    menu = page.locator("#pst-primary-sidebar-modal")
    menu.wait_for(state="visible", timeout=5000)
    link = menu.locator('a[href$="principles/leadership/index.html"]')
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("course/principles/leadership/index.html")
    page.screenshot(path=str(site_screens(f"menu-{width}.png")))
    context.context.close()
    assert context.blocked == []


#: The box around the book's title in the page list (its text's lines), or null if none shows.
TITLE_BOX_JS = """() => {
  const title = [...document.querySelectorAll('.logo__title')].find(e => e.offsetParent !== null);
  if (!title) return null;
  const range = document.createRange();
  range.selectNodeContents(title);
  const lines = [...range.getClientRects()];
  const top = Math.min(...lines.map(r => r.top)), bottom = Math.max(...lines.map(r => r.bottom));
  const left = Math.min(...lines.map(r => r.left)), right = Math.max(...lines.map(r => r.right));
  return {x: left, y: top, width: right - left, height: bottom - top, lines: lines.length,
          inside: top >= 0 && bottom <= window.innerHeight};
}"""
#: Hide everything on the page but the title, its ancestors and what they hold.
ONLY_THE_TITLE_JS = """() => {
  let e = [...document.querySelectorAll('.logo__title')].find(e => e.offsetParent !== null);
  for (; e.parentElement; e = e.parentElement)
    for (const sibling of e.parentElement.children)
      if (sibling !== e) sibling.style.visibility = 'hidden';
}"""


@pytest.mark.parametrize("width", [1280, 820, 390])
def test_the_book_title_shows_whole(site: str, chromium, width: int):
    """The book's title above the page list shows whole: nothing draws over any of its lines
    (at 1280 px its second line, "health", was half hidden under the search field's background,
    a shadow no click test sees, so the title is compared with itself alone on the page). On
    tablets and phones the title is in the page list the menu button opens."""
    context = offline_context(chromium, viewport={"width": width, "height": 800})
    page = context.context.new_page()
    page.goto(f"{site}course/safeguarding.html", wait_until="load")
    if width < 960:
        buttons = page.locator(".primary-toggle")
        [b for b in (buttons.nth(i) for i in range(buttons.count())) if b.is_visible()][0].click()
        page.locator("#pst-primary-sidebar-modal").wait_for(state="visible", timeout=5000)
    page.wait_for_timeout(300)  # the page list's opening animation
    page.screenshot(path=str(site_screens(f"book-title-{width}.png")))
    box = page.evaluate(TITLE_BOX_JS)
    assert box and box["inside"], f"at {width}px the book title is not in sight: {box}"
    clip = {k: box[k] for k in ("x", "y", "width", "height")}
    as_shown = page.screenshot(clip=clip)
    page.evaluate(ONLY_THE_TITLE_JS)
    alone = page.screenshot(clip=clip)
    context.context.close()
    assert as_shown == alone, f"at {width}px something draws over the book title ({box})"
    assert context.blocked == []


def test_the_download_menu_offers_print_but_not_the_page_source(site: str, offline: Offline):
    """A lead downloading a page gets a printable copy, never its source full of code."""
    page = offline.context.new_page()
    page.goto(f"{site}/course/principles/leadership/self-audit.html", wait_until="load")
    page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
    assert page.locator(".btn-download-pdf-button").is_visible()
    assert page.locator(".btn-download-source-button").count() == 1  # there, and hidden
    assert not page.locator(".btn-download-source-button").is_visible()


#: Every search control a lead could see: the search fields and buttons the theme places (page
#: header, page list, top bar) and the search page's own field; not the search dialog's.
SEARCH_CONTROLS_JS = """() => [...document.querySelectorAll(
    'button.search-button__button, .bd-search-container form.bd-search')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 0
               && getComputedStyle(e).visibility !== 'hidden')
  .map(e => e.closest('.bd-header, .bd-sidebar-primary, .bd-header-article, .bd-search-container')
             ?.className.split(' ')[0] || e.className)"""
#: Whether the one search control is in sight when the page opens: inside the window and not
#: covered (the theme scrolls the page list to the page open, with its search field).
SEARCH_IN_SIGHT_JS = """() => [...document.querySelectorAll(
    'button.search-button__button, .bd-search-container form.bd-search')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 0)
  .some(e => {
    const r = e.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) return false;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && e.contains(hit);
  })"""
#: How far the typed text of each visible search field starts right of its magnifying glass
#: (negative: the glass sits on the text).
SEARCH_ICON_GAP_JS = """() => [...document.querySelectorAll('form.bd-search')]
  .filter(f => f.offsetParent !== null && f.getBoundingClientRect().width > 0)
  .map(f => {
    const icon = f.querySelector('i').getBoundingClientRect();
    const input = f.querySelector('input');
    const style = getComputedStyle(input);
    const text = input.getBoundingClientRect().left + parseFloat(style.borderLeftWidth)
                 + parseFloat(style.paddingLeft);
    return text - icon.right;
  })"""


@pytest.mark.parametrize("width", [1280, 820, 390])
def test_one_search_box_and_its_glass_clear_of_the_text(site: str, chromium, width: int):
    """A page shows one search control (the theme once showed the header's and the page
    list's side by side, three on the search page), and in each search field the typed text
    starts clear of the magnifying glass (it once sat on the first letter)."""
    context = offline_context(chromium, viewport={"width": width, "height": 900})
    page = context.context.new_page()
    pages = ("course/principles/leadership/self-audit", "course/governors-report", "search")
    for name in pages:
        page.goto(f"{site}{name}.html", wait_until="load")
        controls = page.evaluate(SEARCH_CONTROLS_JS)
        assert len(controls) == 1, f"{name} at {width}px: {controls}"
        assert page.evaluate(SEARCH_IN_SIGHT_JS), f"{name} at {width}px: search out of sight"
        if name == "search":
            page.locator(".bd-search-container input").fill("governors")
            page.screenshot(path=str(site_screens(f"search-page-{width}.png")))
        else:  # the one control opens the search dialog
            page.locator("button.search-button__button:visible").first.click()
            page.locator("#pst-search-dialog input").fill("governors")
            page.screenshot(path=str(site_screens(f"search-dialog-{width}.png")))
        gaps = page.evaluate(SEARCH_ICON_GAP_JS)
        assert gaps and min(gaps) >= 4, (
            f"{name} at {width}px: text starts {gaps} px after the glass"
        )
    context.context.close()
    assert context.blocked == []


def _glossary_terms(page) -> list[str]:
    terms = page.locator("article.bd-article dl.glossary > dt")
    if terms.count() == 0:
        terms = page.locator("article.bd-article dl > dt")
    return [" ".join(t.split()) for t in terms.all_inner_texts() if t.strip()]


def test_search_finds_glossary_terms(site: str, offline: Offline):
    page = offline.context.new_page()
    page.goto(f"{site}course/glossary.html", wait_until="load")
    terms = _glossary_terms(page)
    assert terms, "the built glossary page defines no terms (no <dl> entries)"
    for term in dict.fromkeys([terms[0], terms[-1]]):
        query = re.sub(r"[^\w\s-]", " ", term).strip()
        page.goto(f"{site}search.html?q={quote(query)}", wait_until="load")
        summary = page.locator("#search-results .search-summary")
        summary.wait_for(timeout=15_000)
        hrefs = page.locator("#search-results ul.search li a").evaluate_all(
            "links => links.map(a => a.href)"
        )
        assert any("course/glossary.html" in h for h in hrefs), (
            f"searching for {query!r} did not list the glossary: {summary.inner_text()} {hrefs}"
        )
    assert offline.blocked == []


#: What a lead new to the book types, and the page that must come first (issue 20: the
#: safeguarding page came about 28th for "safeguarding").
LEAD_SEARCHES = {
    "safeguarding": "course/safeguarding",
    "DSL": "course/safeguarding",
    "risk": "course/safeguarding",
    "action plan": "course/action-plan",
    "Governors": "course/governors-report",
}


def _first_result(page, site: str, query: str) -> str:
    """The page (docname, no anchor) the search page lists first for ``query``."""
    page.goto(f"{site}search.html?q={quote(query)}", wait_until="load")
    page.locator("#search-results .search-summary").wait_for(timeout=15_000)
    first = page.locator("#search-results ul.search li a").first.get_attribute("href")
    return first.split("#")[0].removesuffix(".html")


def test_a_leads_usual_searches_find_their_page_first(site: str, offline: Offline):
    """The safeguarding page first for "safeguarding" (and "DSL", "risk"), the plan for "action
    plan", the report for "governors"; and every pair the book's ``search_first`` names (a page
    without the word would not be found at all)."""
    book = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    wanted = {**book["search_first"], **LEAD_SEARCHES}
    page = offline.context.new_page()
    wrong = {
        q: got
        for q, page_name in wanted.items()
        if (got := _first_result(page, site, q)) != page_name
    }
    assert not wrong, f"searches whose first result is another page: {wrong}"
    assert offline.blocked == []


# --- safeguarding, widgets, launch buttons --------------------------------------------------


def test_pages_touching_risk_show_the_safeguarding_admonition(sweep: dict[str, PageReport]):
    needing = {
        name: r for name, r in sweep.items() if name != "search" and SENSITIVE.search(r.text)
    }
    missing = {
        name: sorted({m.lower() for m in SENSITIVE.findall(r.text)})
        for name, r in needing.items()
        if not r.safeguarding_admonition_visible
    }
    assert not missing, (
        "pages mentioning these words need a visible admonition pointing to the school's "
        f"safeguarding procedures and the designated safeguarding lead (DSL): {missing}"
    )


def test_self_audit_pages_hold_no_copy_of_the_form_to_type_into(sweep: dict[str, PageReport]):
    """A drawn copy of the form, whose choices click and whose notes take text but which saves
    nothing, could cost a lead a whole audit: the page describes the form and links to it."""
    audits = [r for r in _principle_pages(sweep) if r.docname.endswith("/self-audit")]
    assert len(audits) == len(FRAMEWORK.principles)
    copies = [r.docname for r in audits if r.widget_views]
    assert not copies, f"self-audit pages drawing a copy of the form: {copies}"
    assert all("Open this form in the live workbook" in r.text for r in audits)


def test_every_saved_widget_renders_in_the_static_page(sweep: dict[str, PageReport]):
    undrawn = {
        r.docname: f"{r.widgets_drawn} of {r.widget_views} drawn"
        for r in sweep.values()
        if r.widgets_drawn < r.widget_views
    }
    assert not undrawn, f"saved widgets that did not render offline: {undrawn}"


def _launch_expected() -> dict[str, list[str]]:
    """Launch links each page should carry under this repository's ``_config.yml``."""
    from launch_buttons import APPS_MANIFEST, launch_links, read_apps

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    launch, repository = config["launch_buttons"], config.get("repository") or {}
    settings = {
        "jupyterhub_url": launch.get("jupyterhub_url") or "",
        "binderhub_url": launch.get("binderhub_url") or "",
        "repository_url": repository.get("url") or "",
        "repository_branch": repository.get("branch") or "main",
    }
    apps = read_apps(ROOT / APPS_MANIFEST)
    expected = {}
    for name in toc_files():
        source = (ROOT / f"{name}.md").read_text(encoding="utf-8")
        notebook = source.startswith("---") and "kernelspec:" in source.split("---")[1]
        expected[name] = [b["url"] for b in launch_links(settings, name, apps)] if notebook else []
    return expected


def test_widget_pages_say_they_need_jupyter_and_launch_as_configured(
    sweep: dict[str, PageReport],
):
    expected = _launch_expected()
    for r in (r for r in sweep.values() if r.widget_views):
        assert r.launch_links == expected[r.docname], r.docname
        assert r.launch_button_visible == bool(expected[r.docname]), r.docname
        assert re.search(r"\b(Jupyter\w*|Binder|launch)\b", r.text), (
            f"{r.docname}: the page does not say its widgets need Jupyter"
        )


# --- accessibility and print ----------------------------------------------------------------


def test_no_serious_or_critical_accessibility_violations(sweep: dict[str, PageReport]):
    failing = {name: r.axe_failures for name, r in sweep.items() if r.axe_failures}
    lines = [
        f"{name}: {sum(v['nodes'] for v in violations)} element(s) in "
        f"{len(violations)} rule(s): "
        + "; ".join(
            f"{v['id']} ({v['impact']}, {v['nodes']}x, e.g. {v['target']})" for v in violations
        )
        for name, violations in failing.items()
    ]
    assert not failing, (
        f"axe-core WCAG 2.1 AA serious/critical violations on {len(failing)} of "
        f"{len(sweep)} pages:\n" + "\n".join(lines)
    )


def test_principle_pages_print_cleanly(sweep: dict[str, PageReport]):
    pages = _principle_pages(sweep)
    assert len(pages) >= len(FRAMEWORK.principles)
    issues = {r.docname: r.print_issues for r in pages if r.print_issues}
    assert not issues, f"print layout problems: {issues}"


def test_principle_chapters_print_to_pdf(site: str, offline: Offline):
    page = offline.context.new_page()
    for principle in FRAMEWORK.principles:
        page.goto(f"{site}course/principles/{principle.id}/index.html", wait_until="load")
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 5_000, principle.id
    assert offline.blocked == []


def test_every_page_weighs_under_the_target(sweep: dict[str, PageReport]):
    """Each page with all it loads (empty cache) stays under 1.5 MB, served gzip-compressed as
    web hosts send text files. ``benchmarks/site.py`` also prints the uncompressed figure."""
    assert all(r.weight > 0 for r in sweep.values()), "a page was not weighed"
    heavy = {
        name: f"{r.weight / 1e6:.2f} MB"
        for name, r in sweep.items()
        if r.weight >= PAGE_WEIGHT_LIMIT
    }
    assert not heavy, f"pages over {PAGE_WEIGHT_LIMIT / 1e6} MB transferred: {heavy}"


# --- links ----------------------------------------------------------------------------------


@pytest.mark.book
def test_every_internal_link_resolves(built_book: Path):
    """Every in-book link (citations, glossary terms, cross-references, navigation) on every
    page leads to an existing page and, with a #fragment, to an existing anchor on it."""
    pages = [built_book / f"{name}.html" for name in [*toc_files(), "search", "genindex"]]
    broken = broken_links(built_book, pages)
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_launch_buttons_follow_the_config(sweep: dict[str, PageReport]):
    """Every page carries exactly the launch links _config.yml asks for: the course hub (the
    page's app, or the page) when jupyterhub_url is set, Binder only with a repository, and
    no launch button at all with neither (the repository's default)."""
    expected = _launch_expected()
    wrong = {
        name: (r.launch_links, expected[name])
        for name, r in sweep.items()
        if name in expected and r.launch_links != expected[name]
    }
    assert not wrong, wrong
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    if not (config.get("repository") or {}).get("url"):
        binder = [n for n, r in sweep.items() if any("/v2/" in u for u in r.launch_links)]
        assert not binder, f"Binder links without a repository: {binder}"
