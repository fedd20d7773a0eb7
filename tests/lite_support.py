"""Drive the book's live forms (JupyterLite + Pyodide) in Debian's Chromium, offline.

Shared by the live-form tests and ``benchmarks/lite.py``. The live site keeps the lead's records
in the browser's own storage (IndexedDB, through JupyterLite's contents) and runs a service
worker, so the browser here is a persistent profile (a folder, like a lead's own browser) and
nothing but 127.0.0.1 can be reached: Playwright's routing blocks and records every other
request, and a proxy that does not exist catches any the service worker makes itself.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

# Let Playwright see (and route) the service worker's own requests; read when it starts.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

from browser_support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LOOPBACK,
    BlockingProxy,
)

#: The live form is usable: its rating controls (radio groups) are drawn in the app's output.
FORM_READY = ".jp-OutputArea-output .widget-radio-box"
#: The live workbook has drawn a form under its heading.
WORKBOOK_READY = ".jp-OutputArea-output .workbook-heading"
#: The widths a lead's screen may have: a desktop, a tablet, a phone.
WIDTHS = {"desktop": 1280, "tablet": 820, "phone": 390}
#: Where the kernel's /drive lives in the browser: JupyterLite's contents store (IndexedDB).
STORAGE_JS = """async ([path]) => {
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const name = 'JupyterLite Storage - ' + config.baseUrl;
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const store = db.transaction('files').objectStore('files');
    return await new Promise((resolve, reject) => {
      const request = store.get(path);
      request.onsuccess = () => resolve(request.result ?? null);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}"""


#: Chromium's own background services (component updates, network time, account checks,
#: autofill, optimisation hints, safe browsing): a persistent profile calls them with nothing
#: but about:blank open. They are refused like everything else and listed apart (``browser_own``)
#: from what the pages and their workers asked for (``blocked``).
CHROMIUM_SERVICES = frozenset(
    {
        "accounts.google.com",
        "clients2.google.com",
        "redirector.gvt1.com",
        "content-autofill.googleapis.com",
        "optimizationguide-pa.googleapis.com",
        "safebrowsing.googleapis.com",
        "update.googleapis.com",
    }
)


def _host(url: str) -> str:
    return urlparse(url).hostname or ""


@dataclass
class GuardedBrowser:
    """A persistent Chromium that reaches only 127.0.0.1; ``blocked`` lists every request that
    tried to go anywhere else (from a page, the Python worker or the service worker)."""

    context: object
    proxy: BlockingProxy
    seen: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> list[str]:
        return [u for u in [*self.seen, *self.proxy.refused] if _host(u) not in CHROMIUM_SERVICES]

    @property
    def browser_own(self) -> list[str]:
        return [u for u in self.proxy.refused if _host(u) in CHROMIUM_SERVICES]


def persistent_offline(playwright, profile: Path, **options) -> GuardedBrowser:
    """Chromium with the user data folder ``profile`` (a lead's own browser: its storage, cache
    and service worker outlive a restart), reaching only 127.0.0.1; ``options``: more of
    Playwright's context options (``service_workers="block"``...).

    Everything else goes through :class:`BlockingProxy`, which refuses and records it; requests
    Playwright sees are recorded too. Playwright's own routing is not used: it would switch off
    the browser's cache, which a repeat visit depends on."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: install it with `bash .ci/system-deps.sh`")
    proxy = BlockingProxy()
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, proxy.argument],
        headless=True,
        **options,
    )
    guarded = GuardedBrowser(context, proxy)

    def note(request) -> None:
        if _host(request.url) not in LOOPBACK and request.url.startswith(
            ("http:", "https:", "ws:", "wss:")
        ):
            guarded.seen.append(request.url)

    context.on("request", note)
    context.on("close", lambda _context: proxy.stop())
    return guarded


#: The frame a book page starts the workbook in ahead of the click (repeat visits only:
#: ``course/_static/live-warm-start.js``), and the class its page has while showing it.
WARM_FRAME = "iframe.live-warm-start"
WARM_SHOWN = "html.live-warm-open"
#: What a test asks of the workbook itself (its content), as against the browser tab around it.
_CONTENT_CALLS = frozenset(
    {
        "locator",
        "get_by_text",
        "get_by_role",
        "get_by_label",
        "wait_for_selector",
        "wait_for_function",
        "evaluate",
        "query_selector",
        "query_selector_all",
        "inner_text",
        "select_option",
        "click",
        "fill",
    }
)


class Workbook:
    """The live workbook in a browser tab, opened from a book page's button: whether the click
    opened it as a page of its own or showed the copy that page had started ahead in a frame
    (a repeat visit), what a test asks of the workbook goes to wherever it is on screen, and
    everything else (keyboard, downloads, file choosers, screenshots, the address) to the tab."""

    def __init__(self, page) -> None:
        self.page = page

    def shown_frame(self):
        """The frame the workbook is shown in over its book page; None when the tab is the
        workbook itself (or a book page showing no workbook)."""
        main = self.page.main_frame
        if not main.evaluate(f"() => !!document.querySelector({WARM_SHOWN!r})"):
            return None
        return self.page.locator(WARM_FRAME).element_handle().content_frame()

    def __getattr__(self, name: str):
        if name in _CONTENT_CALLS:
            return getattr(self.shown_frame() or self.page, name)
        return getattr(self.page, name)


def open_live_form(page) -> Workbook:
    """Click the book page's "Open this form in the live workbook": the workbook opens in the
    same tab (as a page of its own, or shown from the frame the book page had started it in):
    return it once the tab's address is the workbook's."""
    page = page.page if isinstance(page, Workbook) else page
    page.locator("a.live-form-button").click()
    page.wait_for_url("**/live/repl/index.html?*", wait_until="commit")
    return Workbook(page)


def browser_file(page, path: str) -> str | None:
    """The text of ``path`` (relative to the kernel's /drive) as JupyterLite stores it in this
    browser, read from the app's ``page``; None if there is no such file."""
    model = page.evaluate(STORAGE_JS, [path])
    if model is None:
        return None
    content = model["content"]
    if model.get("format") == "base64":
        return base64.b64decode(content).decode("utf-8")
    if model.get("format") == "json" or not isinstance(content, str):
        return json.dumps(content)
    return content


#: The paths of every file JupyterLite stores in this browser (run in the app's page).
STORED_PATHS_JS = """async () => {
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('JupyterLite Storage - ' + config.baseUrl);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const store = db.transaction('files').objectStore('files');
    return await new Promise((resolve, reject) => {
      const request = store.getAllKeys();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}"""


def stored_paths(page) -> list[str]:
    """Every path JupyterLite stores in this browser, sorted (to say where a file went)."""
    return sorted(page.evaluate(STORED_PATHS_JS))


#: True once nothing has been added to or taken from the workbook's drawing for half a
#: second: its widgets are drawn one by one after the message that makes them, so the first
#: one on screen does not mean the rest are.
DRAWN_JS = """key => {
  const root = document.querySelector('.workbook');
  if (!root) return false;
  const seen = (window.__workbookDrawn ??= {});
  if (!seen[key]) {
    const mark = {last: performance.now()};
    mark.observer = new MutationObserver(() => { mark.last = performance.now(); });
    mark.observer.observe(root, {subtree: true, childList: true});
    seen[key] = mark;
    return false;
  }
  if (performance.now() - seen[key].last < 500) return false;
  seen[key].observer.disconnect();
  delete seen[key];
  return true;
}"""


def wait_drawn(page, timeout: float = 30_000) -> None:
    """Wait until the workbook on ``page`` has finished drawing (see :data:`DRAWN_JS`)."""
    page.wait_for_function(DRAWN_JS, arg=os.urandom(8).hex(), polling=100, timeout=timeout)


def wait_for_browser_file(page, path: str, done, timeout: float = 30.0):
    """Poll ``path`` in the browser's storage until ``done(text)`` returns a value that is not
    None (a save is written a moment after the change); return that value."""
    deadline = time.monotonic() + timeout
    while True:
        text = browser_file(page, path)
        result = done(text) if text is not None else None
        if result is not None or time.monotonic() > deadline:
            return result
        time.sleep(0.25)


def selected_labels(page) -> list[str]:
    """The level chosen in every rating group of the form, in order: the level's name, the
    part of the choice before its meaning (ipywidgets draws spaces as non-breaking ones)."""
    labels = page.locator(FORM_READY).evaluate_all(
        "boxes => boxes.map(b => b.querySelector('input:checked')?.parentElement?.textContent ?? '')"
    )
    return [label.replace("\xa0", " ").strip().split(":")[0] for label in labels]


def choose(page, group: int, level: str) -> None:
    """Choose ``level`` (a level's name) in the ``group``-th rating group, as a lead clicks it."""
    page.locator(FORM_READY).nth(group).locator("label").filter(has_text=f"{level}:").click()
