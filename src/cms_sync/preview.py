"""`cms-sync preview`: serve the series as readers will see it, reloading on every save.

A watcher thread polls the mtimes of the config, the articles folder (images included)
and the templates ten times a second. On a change it rebuilds every page, then bumps a
version number; each open page long-polls ``/__preview/wait`` and reloads when the version
moves. A broken file takes only its own pages down: an article or notice with errors gets
a page that shows each as ``file:line: message`` with the source line marked (where its
page would be), the index lists it as broken, and a template error replaces each page
that uses the template. Every page keeps reloading; fixing the file brings it back.
Only a broken cms-sync.toml replaces every page.

A page that shows an error answers 500, with the error as its body: the browser shows it
all the same, and a script that fetches the pages (curl -f, a link checker in CI) sees
which ones would not publish.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from cms_sync.config import Config, load_config
from cms_sync.errors import CmsSyncError
from cms_sync.pages import Pages, build_pages, error_page, problem_of_message
from cms_sync.project import load_project

POLL_SECONDS = 0.1
WAIT_SECONDS = 25.0
RELOAD_JS = """\
(async () => {
  const version = document.documentElement.dataset.previewVersion;
  for (;;) {
    try {
      const answer = await fetch("/__preview/wait?version=" + version, {cache: "no-store"});
      if ((await answer.text()) !== version) { location.reload(); return; }
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
})();
"""
_CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                  ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                  ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}  # fmt: skip


def snapshot(folders: list[Path], files: list[Path]) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file under ``folders`` plus ``files``: what a save changes."""
    seen: dict[str, tuple[int, int]] = {}
    for path in files:
        if path.is_file():
            stat = path.stat()
            seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
    for folder in folders:
        for root, _dirs, names in os.walk(folder):
            for name in names:
                try:
                    stat = os.stat(os.path.join(root, name))
                except FileNotFoundError:  # deleted while walking (editors save via renames)
                    continue
                seen[os.path.join(root, name)] = (stat.st_mtime_ns, stat.st_size)
    return seen


class Preview:
    """The pages of the latest build (error pages among them), or the error that stopped the
    whole build (cms-sync.toml), and a version number."""

    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self.config: Config = load_config(config_path)
        self.version = 0
        self.pages = Pages()
        self.errors: list[str] = []
        self.changed = threading.Condition()
        self._seen: dict[str, tuple[int, int]] = {}
        self._stop = threading.Event()
        self.rebuild()

    def watched(self) -> dict[str, tuple[int, int]]:
        return snapshot([self.config.articles_dir, self.config.templates_dir], [self.config_path])

    def rebuild(self) -> None:
        """Build every page, broken files as error pages; if the whole build fails, keep the
        error to show on every page instead."""
        self._seen = self.watched()
        try:
            self.config = load_config(self.config_path)
            project, findings = load_project(self.config)
            # The last build's page names, so a file whose slug cannot be read now keeps its.
            pages = build_pages(
                project, findings, live=True, version=self.version + 1, names=self.pages.names
            )
            errors: list[str] = []
        except CmsSyncError as exc:
            errors, pages = [exc.format_message()], Pages()
        with self.changed:
            self.errors, self.pages = errors, pages
            self.version += 1
            self.changed.notify_all()

    def watch(self) -> None:
        """Poll for saved files until stopped; rebuild on every change."""
        while not self._stop.wait(POLL_SECONDS):
            if self.watched() != self._seen:
                self.rebuild()

    def stop(self) -> None:
        self._stop.set()
        with self.changed:
            self.changed.notify_all()

    def wait(self, version: str) -> int:
        """Block until the version differs from ``version`` (or a timeout); return it."""
        with self.changed:
            self.changed.wait_for(
                lambda: str(self.version) != version or self._stop.is_set(), timeout=WAIT_SECONDS
            )
            return self.version

    def error_page(self) -> str:
        """The page shown for every URL while the whole build fails."""
        problems = [problem_of_message(line) for line in self.errors]
        root = self.config_path.parent
        return error_page("the preview cannot be built", problems, root, live=True,
                          version=self.version)  # fmt: skip


def make_handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "cms-sync-preview"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            name = unquote(url.path).lstrip("/") or "index.html"
            if name == "__preview/reload.js":
                return self.send(RELOAD_JS.encode(), "text/javascript; charset=utf-8")
            if name == "__preview/wait":
                version = parse_qs(url.query).get("version", [""])[0]
                return self.send(str(preview.wait(version)).encode(), "text/plain")
            if preview.errors:
                return self.send(
                    preview.error_page().encode(),
                    _CONTENT_TYPES[".html"],
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                )
            pages = preview.pages
            if name in pages.html:
                status = HTTPStatus.INTERNAL_SERVER_ERROR if name in pages.failed else HTTPStatus.OK
                return self.send(pages.html[name].encode(), _CONTENT_TYPES[".html"], status)
            try:
                source = pages.file_at(name)
            except CmsSyncError as exc:  # swapped for a link outside since the build
                return self.send(f"{exc}\n".encode(), "text/plain", HTTPStatus.FORBIDDEN)
            if source is not None:
                kind = _CONTENT_TYPES.get(source.suffix.lower(), "application/octet-stream")
                return self.send(source.read_bytes(), kind)
            self.send(b"not found\n", "text/plain", HTTPStatus.NOT_FOUND)

        def send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            try:
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the reader left (closed the tab) while a reload wait was open

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per request would drown the useful output

    return Handler


class PreviewServer:
    """The HTTP server and the watcher thread, started together and stopped together."""

    def __init__(self, config_path: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.preview = Preview(config_path)
        try:
            self.http = ThreadingHTTPServer((host, port), make_handler(self.preview))
        except OSError as exc:
            raise CmsSyncError(
                f"cannot listen on {host}:{port}: {exc.strerror}; pass another --port"
            ) from None
        self.http.daemon_threads = True
        self.url = f"http://{host}:{self.http.server_address[1]}/"
        self._threads = [threading.Thread(target=self.preview.watch, daemon=True),
                         threading.Thread(target=self.http.serve_forever, args=(0.2,),
                                          daemon=True)]  # fmt: skip

    def start(self) -> PreviewServer:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.preview.stop()
        self.http.shutdown()
        self.http.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    config_path: Path, host: str, port: int, ready: Callable[[str], None] | None = None
) -> None:
    """Serve until interrupted (Ctrl-C)."""
    with PreviewServer(config_path, host, port) as server:
        if ready:
            ready(server.url)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
