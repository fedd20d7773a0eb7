"""Serve the built book locally, compressing text files the way a web host does.

Python's plain ``http.server`` sends every file uncompressed, so the widget renderer alone
would cost a lead 1.9 MB per self-audit page. Gzip brings the heaviest page under 1 MB. The
live forms' WebAssembly and module scripts (the browser's Python) are compressed too, as static
hosts do, and a browser that already holds a file gets ``304 Not Modified`` instead of it again.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import http.server
from pathlib import Path

import click

#: Suffixes sent gzip-compressed when the browser accepts it.
COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".svg", ".txt", ".inv", ".wasm")


@functools.lru_cache(maxsize=512)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    """The compressed bytes of ``path`` (cached until the file changes)."""
    return gzip.compress(path.read_bytes(), compresslevel=6)


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text files gzip-compressed when the browser accepts it."""

    compress = True
    quiet = False

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if not self.quiet:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and wants_gzip and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().do_GET()
        stat = path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-gzip"'
        modified = self.date_time_string(int(stat.st_mtime))
        if self.headers.get("If-None-Match") == etag or self._unchanged_since(stat.st_mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        body = _gzipped(path, stat.st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _unchanged_since(self, mtime: float) -> bool:
        """Whether the browser's ``If-Modified-Since`` (without ``If-None-Match``) still holds."""
        since = self.headers.get("If-Modified-Since")
        if since is None or "If-None-Match" in self.headers:
            return False
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False


def make_server(
    directory: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    compress: bool = True,
    quiet: bool = False,
) -> http.server.ThreadingHTTPServer:
    """A threaded HTTP server for ``directory``; port 0 picks a free port."""
    handler = type("Handler", (BookHandler,), {"compress": compress, "quiet": quiet})
    return http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(directory))
    )


@click.command()
@click.argument("directory", default="_build/html", type=click.Path(exists=True, file_okay=False))
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(directory: str, port: int) -> None:
    """Serve the built book (gzip-compressed, as a web host would) until Ctrl+C."""
    try:
        server = make_server(directory, port=port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on port {port}: {error.strerror}") from None
    click.echo(f"\n  The course is at  http://127.0.0.1:{server.server_port}/   (Ctrl+C to stop)\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()
