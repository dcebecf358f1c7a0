"""A fault-injecting reverse proxy for tests, between cms-sync and a real WordPress.

Standard library only (``http.server.ThreadingHTTPServer`` in front, ``http.client`` to the
site), bound to 127.0.0.1 on a free port. Everything not faulted is forwarded as it is, and
every request is counted, so a test can say "zero requests reached the site"::

    with FaultProxy(wp.url) as proxy:          # or the `fault_proxy` fixture (conftest.py)
        env = proxy.env(wp.env())              # CMS_SYNC_URL is now proxy.url
        proxy.arm("POST", "/batch/v1", "lose")  # the next batch: run, answer dropped
        ... run cms-sync with env ...
        assert proxy.fired == ["POST /batch/v1 lose"]
        assert proxy.count == 0                # how many requests reached the proxy
        proxy.counts["POST"]                   # ... by method; proxy.seen: "GET /path"

The site's address. WordPress builds every link from its own siteurl (the upstream origin,
``http://127.0.0.1:<wp port>``), and cms-sync refuses a REST root or a redirect on another
origin than site_url. So the proxy rewrites the upstream origin to its own in the answers'
headers (Link, Location) and bodies (plain and as JSON writes it, ``http:\\/\\/...``), and
its own origin back to the upstream's in request bodies; Host is the upstream's. WordPress
thus stores its own addresses and cms-sync sees only the proxy's: a test may look at the
site directly (the `wp` fixture) or through the proxy. Accept-Encoding is not passed on, so
bodies arrive uncompressed and can be rewritten; a chunked answer is passed on whole, with
a Content-Length. Those are the only changes to the bytes.

Faults: ``arm(method, route, fault, times=1, after=0, ...)`` applies ``fault`` to the next
``times`` requests (None: all) whose method is ``method`` ("*": any) and whose decoded
path and query contain ``route`` (so "/wp/v2/posts" matches /wp-json/wp/v2/posts/7 and
?rest_route=/wp/v2/posts alike), after letting ``after`` of them through untouched.

======== ===================================================================================
lose     forward, let WordPress do it, then close the connection without an answer
503/429  answer that status, ``Retry-After: <retry_after>`` ("": none), an HTML page; not forwarded
500      answer 500 with an HTML page (a PHP fatal error as hosts show it); not forwarded
waf      answer 200 with an HTML challenge page, not JSON (a web application firewall)
404      answer WordPress's JSON rest_no_route 404 (a host that hides /batch/v1, say)
cut      forward, then send the status, the headers and half of the body, and close
stall    wait ``delay`` seconds (past the client's timeout), then forward and answer
hang     never forward, never answer (until the proxy stops): a kill lands while it waits
hold     forward, let WordPress do it, then never answer (until the proxy stops)
======== ===================================================================================

``wait_fired(n)`` blocks until ``n`` faults fired (a test that kills cms-sync mid-run waits
for the stall it set up). ``clear()`` disarms everything and zeroes the counts.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

FAULTS = ("lose", "503", "429", "500", "waf", "404", "cut", "stall", "hang", "hold")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "accept-encoding",
    "content-length",
    "host",
}
TEXT_TYPES = ("json", "text", "html", "xml", "javascript", "x-www-form-urlencoded")
UNAVAILABLE = (
    "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>"
    "<h1>Service Unavailable</h1><p>The server is temporarily busy, try again later.</p>"
    "</body></html>"
)
FATAL = (
    "<!DOCTYPE html><html><head><title>Internal Server Error</title></head><body>"
    "<h1>There has been a critical error on this website.</h1></body></html>"
)
CHALLENGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<noscript>Enable JavaScript and cookies to continue</noscript>"
    "<p>Checking your browser before accessing the site.</p></body></html>"
)
NO_ROUTE = (
    '{"code":"rest_no_route","message":"No route was found matching the URL and request '
    'method.","data":{"status":404}}'
)
PAGES = {"503": (503, UNAVAILABLE), "429": (429, UNAVAILABLE), "500": (500, FATAL)}


@dataclass
class Fault:
    method: str
    route: str
    fault: str
    times: int | None  # None: every matching request
    after: int  # matching requests let through first
    retry_after: str
    delay: float

    def matches(self, method: str, target: str) -> bool:
        return self.method in ("*", method) and self.route in unquote(target)


class FaultProxy:
    """See the module docstring. ``upstream`` None: every request not faulted gets a 502
    (a dead end that still counts requests)."""

    def __init__(self, upstream: str | None, *, upstream_timeout: float = 60.0) -> None:
        self.upstream = upstream.rstrip("/") if upstream else None
        self.upstream_timeout = upstream_timeout
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._fired_event = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self.counts: Counter[str] = Counter()
        self.seen: list[str] = []  # "METHOD /path?query" of every request, in order
        self.fired: list[str] = []  # "METHOD /route fault" of every fault applied
        self.busy = 0  # requests being handled now (a stalled one forwards later)
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    # -- life -------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes stalled and hanging requests
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- for tests ----------------------------------------------------------------------------

    @property
    def count(self) -> int:
        """How many requests reached the proxy (faulted or not)."""
        with self._lock:
            return sum(self.counts.values())

    def env(self, env: dict[str, str]) -> dict[str, str]:
        """``env`` (e.g. ``wp.env()``) with cms-sync pointed at the proxy."""
        return {**env, "CMS_SYNC_URL": self.url}

    def arm(
        self,
        method: str,
        route: str,
        fault: str,
        *,
        times: int | None = 1,
        after: int = 0,
        retry_after: str = "1",
        delay: float = 5.0,
    ) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}: one of {', '.join(FAULTS)}")
        with self._lock:
            self._faults.append(Fault(method, route, fault, times, after, retry_after, delay))

    def clear(self) -> None:
        """No fault armed, nothing counted."""
        with self._lock:
            self._faults.clear()
            self.counts.clear()
            self.seen.clear()
            self.fired.clear()

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Until no request is being handled (stalled ones have reached the site)."""
        with self._fired_event:
            if not self._fired_event.wait_for(lambda: self.busy == 0, timeout):
                raise TimeoutError(f"{self.busy} requests still in the proxy")

    def wait_fired(self, count: int = 1, timeout: float = 60.0) -> None:
        with self._fired_event:
            if not self._fired_event.wait_for(lambda: len(self.fired) >= count, timeout):
                raise TimeoutError(f"{len(self.fired)} of {count} faults fired: {self.seen}")

    # -- for the handler ---------------------------------------------------------------------

    def _take(self, method: str, target: str) -> Fault | None:
        """Count the request; the fault it gets, if any."""
        with self._lock:
            self.counts[method] += 1
            self.seen.append(f"{method} {target}")
            for fault in self._faults:
                if fault.times == 0 or not fault.matches(method, target):
                    continue
                if fault.after:
                    fault.after -= 1
                    return None
                if fault.times is not None:
                    fault.times -= 1
                self.fired.append(f"{method} {fault.route} {fault.fault}")
                self._fired_event.notify_all()
                return fault
        return None

    def _to_site(self, data: bytes) -> bytes:
        return _swap(data, self.url, self.upstream)

    def _to_client(self, data: bytes) -> bytes:
        return _swap(data, self.upstream, self.url)


def _swap(data: bytes, source: str | None, target: str | None) -> bytes:
    """``data`` with the origin ``source`` replaced by ``target``, also as JSON escapes it."""
    if source is None or target is None:
        return data
    for old, new in ((source, target), (source.replace("/", "\\/"), target.replace("/", "\\/"))):
        data = data.replace(old.encode(), new.encode())
    return data


class _Handler(BaseHTTPRequestHandler):
    proxy: FaultProxy
    protocol_version = "HTTP/1.1"  # keep-alive, as requests uses it

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _serve(self) -> None:
        proxy = self.proxy
        with proxy._lock:
            proxy.busy += 1
        try:
            with contextlib.suppress(ConnectionError):  # the client gave up: nobody to answer
                self._handle()
        finally:
            with proxy._fired_event:
                proxy.busy -= 1
                proxy._fired_event.notify_all()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        proxy = self.proxy
        fault = proxy._take(self.command, self.path)
        kind = fault.fault if fault else None
        if fault and kind in PAGES:
            status, page = PAGES[kind]
            late = kind != "500" and fault.retry_after
            extra = {"Retry-After": fault.retry_after} if late else {}
            return self._answer(status, page.encode(), "text/html; charset=UTF-8", extra)
        if kind == "waf":
            return self._answer(200, CHALLENGE.encode(), "text/html; charset=UTF-8", {})
        if kind == "404":
            return self._answer(404, NO_ROUTE.encode(), "application/json; charset=UTF-8", {})
        if fault and kind == "hang":
            proxy._stopping.wait(600)
            return self._drop()
        if fault and kind == "stall" and proxy._stopping.wait(fault.delay):
            return self._drop()
        try:
            status, reason, headers, answer = self._forward(body)
        except OSError as exc:
            message = f"fault proxy: upstream failed: {exc}".encode()
            return self._answer(502, message, "text/plain", {})
        if kind == "hold":
            proxy._stopping.wait(600)
        if kind in ("lose", "hold"):
            return self._drop()
        self.send_response_only(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        if kind == "cut":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer[: len(answer) // 2])
            self.wfile.flush()
            return self._drop()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer)

    def _forward(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
        proxy = self.proxy
        if proxy.upstream is None:
            return 502, "Bad Gateway", [("Content-Type", "text/plain")], b"fault proxy: no site"
        upstream = urlsplit(proxy.upstream)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if body and any(t in self.headers.get("Content-Type", "") for t in TEXT_TYPES):
            body = proxy._to_site(body)
        headers["Host"] = upstream.netloc
        headers["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection(
            upstream.hostname or "127.0.0.1", upstream.port, timeout=proxy.upstream_timeout
        )
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            kept = [
                (name, proxy._to_client(value.encode("latin-1")).decode("latin-1"))
                for name, value in response.getheaders()
                if name.lower() not in HOP_BY_HOP
            ]
            return response.status, response.reason, kept, proxy._to_client(answer)
        finally:
            connection.close()

    def _answer(self, status: int, body: bytes, content_type: str, extra: dict[str, str]) -> None:
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        """Close the connection with nothing (more) said."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
