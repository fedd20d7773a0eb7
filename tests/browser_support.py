"""Drive the built book in Debian's Chromium, offline: a local server, the browser, the pages.

Shared by the browser tests and ``benchmarks/site.py``. Nothing here downloads a browser: it
launches ``/usr/bin/chromium`` (``bash .ci/system-deps.sh`` installs it) through Playwright.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socketserver
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from wholeschool.cli.serve import make_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("WHOLESCHOOL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@contextmanager
def serve(directory: Path, *, compress: bool = False) -> Iterator[str]:
    """Serve ``directory`` on a free port of 127.0.0.1 from a thread; yield the base URL."""
    server = make_server(directory, port=0, compress=compress, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Refuse(socketserver.StreamRequestHandler):
    """Proxy side of :class:`BlockingProxy`: note where a request wanted to go, refuse it."""

    def handle(self) -> None:
        line = self.rfile.readline(65537).decode("latin-1").strip()
        while self.rfile.readline(65537).strip():  # the request's headers
            pass
        if line:
            method, _, rest = line.partition(" ")
            target = rest.rsplit(" ", 1)[0]
            self.server.refused.append(f"https://{target}" if method == "CONNECT" else target)
        self.wfile.write(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )


class BlockingProxy(socketserver.ThreadingTCPServer):
    """A proxy on 127.0.0.1 that refuses every request and keeps where each wanted to go.

    Chromium started with ``--proxy-server`` pointing here sends every request that is not to
    loopback through it: from pages, from web workers (the live forms' Python runs in one) and
    from service workers, none of which Playwright's routing sees."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Refuse)
        self.refused: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def argument(self) -> str:
        return f"--proxy-server=http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class ByteCounter:
    """Bytes a server sent (status lines, headers, bodies), per path, and when it last sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_path: dict[str, int] = {}
        self.last = time.monotonic()

    @property
    def total(self) -> int:
        return sum(self.by_path.values())

    def add(self, path: str, count: int) -> None:
        with self._lock:
            self.by_path[path] = self.by_path.get(path, 0) + count
            self.last = time.monotonic()

    def reset(self) -> None:
        with self._lock:
            self.by_path = {}
            self.last = time.monotonic()

    def wait_quiet(self, seconds: float, timeout: float = 60.0) -> None:
        """Return once nothing has been sent for ``seconds`` (or after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() - self.last < seconds and time.monotonic() < deadline:
            time.sleep(0.1)


class _CountingFile:
    """A handler's output stream that adds what it writes to a :class:`ByteCounter`."""

    def __init__(self, raw, counter: ByteCounter, handler) -> None:
        self._raw, self._counter, self._handler = raw, counter, handler

    def write(self, data) -> int:
        self._counter.add(urlsplit(getattr(self._handler, "path", "")).path, len(data))
        return self._raw.write(data)

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


@contextmanager
def serve_counting(directory: Path) -> Iterator[tuple[str, ByteCounter]]:
    """Like :func:`serve` with gzip, also counting every byte the server sends."""
    counter = ByteCounter()
    server = make_server(directory, port=0, compress=True, quiet=True)
    made = server.RequestHandlerClass  # functools.partial(handler class, directory=...)

    class Counting(made.func):
        def setup(self) -> None:
            super().setup()
            self.wfile = _CountingFile(self.wfile, counter, self)

    server.RequestHandlerClass = functools.partial(Counting, *made.args, **made.keywords)
    report = server.handle_error

    def quiet_when_closed(request, address) -> None:
        """A browser that closes while a file is on its way is no error of the server's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            report(request, address)

    server.handle_error = quiet_when_closed
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", counter
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch_chromium(playwright):  # -> playwright.sync_api.Browser
    """Debian's Chromium, headless, with no background traffic of its own."""
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} not found: install Debian's chromium with `bash .ci/system-deps.sh`"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@dataclass
class Offline:
    """A browser context that may reach only the loopback server; what it refused is kept."""

    context: object
    blocked: list[str] = field(default_factory=list)

    def _route(self, route) -> None:
        host = urlparse(route.request.url).hostname or ""
        if host in LOOPBACK:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")


def offline_context(browser, **options) -> Offline:
    """A new context in which every non-loopback request is aborted and recorded."""
    offline = Offline(browser.new_context(**options))
    offline.context.route("**/*", offline._route)
    return offline


@dataclass
class PageLog:
    """What a page said on the way: console errors, uncaught exceptions, failed requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors + self.failed_requests


def watch(page) -> PageLog:
    """Start recording ``page``'s console errors, exceptions and failed requests."""
    log = PageLog()
    page.on(
        "console",
        lambda msg: (
            log.console_errors.append(f"console error: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: log.page_errors.append(f"uncaught: {error}"))
    page.on(
        "requestfailed",
        lambda request: log.failed_requests.append(
            f"request failed: {request.url} ({request.failure})"
        ),
    )
    page.on(
        "response",
        lambda response: (
            log.failed_requests.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return log


def transferred(browser, url: str) -> tuple[int, list[str]]:
    """Bytes over the wire (headers + bodies) for one load of ``url`` with an empty cache."""
    offline = offline_context(browser)
    page = offline.context.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(url, wait_until="load")
    with contextlib.suppress(PlaywrightTimeout):  # late requests are counted if they come
        page.wait_for_load_state("networkidle", timeout=10_000)
    total = 0
    for request in responses:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    offline.context.close()
    return total, offline.blocked


#: JavaScript: how many saved widget views the page holds, and how many the renderer drew.
WIDGET_COUNTS_JS = """() => {
  const views = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]').length;
  const drawn = [...document.querySelectorAll('.widget-subarea')]
    .filter(area => area.querySelector('.jupyter-widgets')).length;
  return {views, drawn};
}"""


def wait_for_widgets(page, timeout_ms: int = 20_000) -> dict[str, int]:
    """Wait until every saved widget view on the page is drawn (or time out); return counts."""
    with contextlib.suppress(PlaywrightTimeout):  # the counts say what did not render
        page.wait_for_function(
            f"(() => {{ const c = ({WIDGET_COUNTS_JS})(); return c.drawn >= c.views; }})",
            timeout=timeout_ms,
        )
    return page.evaluate(WIDGET_COUNTS_JS)


class _LinksAndAnchors(HTMLParser):
    """The ``<a href>`` targets of a page and every ``id``/``name`` it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.anchors.add(values[key])
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])


@functools.lru_cache(maxsize=1024)
def _parse(path: Path) -> _LinksAndAnchors:
    parser = _LinksAndAnchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(root: Path, pages: list[Path]) -> list[str]:
    """Links on ``pages`` that lead nowhere inside the built site ``root``: a missing file, or
    a ``#fragment`` with no element of that id on the target page. Outside links are skipped
    (no network here)."""
    root = root.resolve()
    broken = []
    for page in pages:
        for href in _parse(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(root)}: {href}"
            if not target.is_relative_to(root) or not target.is_file():
                broken.append(f"{where} (no such page)")
            elif parts.fragment and unquote(parts.fragment) not in _parse(target).anchors:
                broken.append(f"{where} (no #{unquote(parts.fragment)} on that page)")
    return broken


def site_screens(name: str) -> Path:
    """Where the browser tests leave a screenshot to look at (in the pytest temp folder)."""
    import tempfile

    folder = Path(tempfile.gettempdir()) / "wholeschool-browser-screens"
    folder.mkdir(exist_ok=True)
    return folder / name


def overflow_px(page) -> int:
    """How many pixels the page is wider than its window (0 or less: it fits)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
