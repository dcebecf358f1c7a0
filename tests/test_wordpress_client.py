"""The REST client: discovery, errors, pages, batches, media against `responses`; retries
and timeouts on real sockets, through tests/fault_proxy.py in front of a stub site.

The sites are addresses that can never answer (a reserved TLD, the discard port), so a
request that escaped the mocks would fail instead of reaching a real server.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from requests.adapters import BaseAdapter
from urllib3.util import Retry

from cms_sync.errors import CmsSyncError
from cms_sync.wordpress import Client, WordPressError

from .fault_proxy import FaultProxy

SITE = "https://blog.invalid"
ROOT = SITE + "/wp-json/"
POSTS = ROOT + "wp/v2/posts"
LOCAL = "http://127.0.0.1:9"
PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"
HTML_503 = "<!DOCTYPE html><html><body><h1>Briefly unavailable for scheduled maintenance."


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(rsps: responses.RequestsMock, sleeps: list[float]) -> Client:
    """An authenticated client of SITE, whose REST root is ROOT (/wp-json/, tried first)."""
    return Client(SITE, "editor", PASSWORD, sleep=sleeps.append)


def front_page(rsps: responses.RequestsMock, site: str, root: str | None) -> None:
    headers = {"Link": f'<{root}>; rel="https://api.w.org/"'} if root else {}
    rsps.get(site + "/", body="<html>home</html>", headers=headers)


def wp_error(code: str, message: str, status: int, **data: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "data": {"status": status, **data}}


def calls_to(rsps: responses.RequestsMock, method: str, url: str) -> int:
    return sum(1 for call in rsps.calls if (call.request.method, call.request.url) == (method, url))


# -- discovery and URLs --------------------------------------------------------------------


def test_tries_wp_json_first_without_reading_the_front_page(
    rsps: responses.RequestsMock, client: Client
) -> None:
    rsps.get(POSTS + "/7", json={"id": 7})

    assert client.get("/wp/v2/posts/7") == {"id": 7}
    assert client.get("/wp/v2/posts/7") == {"id": 7}

    assert client.requests_made == 2  # no front page: /wp-json/ answered as the REST API
    sent = rsps.calls[-1].request.headers
    assert sent["User-Agent"].startswith("cms-sync/")
    assert sent["Authorization"] == "Basic " + base64.b64encode(
        f"editor:{PASSWORD}".encode()
    ).decode("ascii")


def not_routed(rsps: responses.RequestsMock, site: str, status: int = 404) -> None:
    """/wp-json/ on a server that does not route it to WordPress: a page, not JSON."""
    rsps.get(re.compile(re.escape(site + "/wp-json/") + ".*"), status=status, body="<html/>")


@pytest.mark.parametrize("status", [404, 200])
def test_falls_back_to_rest_route_without_a_link_header(
    rsps: responses.RequestsMock, status: int
) -> None:
    not_routed(rsps, LOCAL, status)
    front_page(rsps, LOCAL, None)
    rsps.get(LOCAL + "/?rest_route=/wp/v2/posts&a=1", json=[])
    client = Client(LOCAL, "editor", PASSWORD)

    assert client.get("/wp/v2/posts", {"a": 1}) == []
    assert client.get("/wp/v2/posts", {"a": 1}) == []

    assert client.rest_url("/wp/v2/posts", {"a": 1}) == LOCAL + "/?rest_route=/wp/v2/posts&a=1"
    assert client.requests_made == 4  # /wp-json/ and the front page once, then the API


def test_a_write_to_an_unrouted_root_is_sent_again_to_the_discovered_one(
    rsps: responses.RequestsMock,
) -> None:
    rsps.post(LOCAL + "/wp-json/wp/v2/posts", status=404, body="<html>Not Found</html>")
    front_page(rsps, LOCAL, None)
    rsps.post(LOCAL + "/?rest_route=/wp/v2/posts", json={"id": 7})
    client = Client(LOCAL, "editor", PASSWORD)

    assert client.post("/wp/v2/posts", {"title": "T"}) == {"id": 7}  # the 404 ran nothing


def test_a_page_answering_a_write_is_an_error_not_a_second_write(
    rsps: responses.RequestsMock,
) -> None:
    rsps.post(LOCAL + "/wp-json/wp/v2/posts", status=200, body="<br />Notice {")
    client = Client(LOCAL, "editor", PASSWORD)

    with pytest.raises(WordPressError, match="invalid JSON"):
        client.post("/wp/v2/posts", {"title": "T"})  # WordPress may have made the post

    assert client.requests_made == 1


def test_fallback_root_follows_the_front_page_redirect(rsps: responses.RequestsMock) -> None:
    not_routed(rsps, LOCAL)
    rsps.get(LOCAL + "/", status=301, headers={"Location": LOCAL + "/blog/"})
    front_page(rsps, LOCAL + "/blog", None)
    rsps.get(LOCAL + "/blog/?rest_route=/wp/v2/posts", json=[])

    client = Client(LOCAL)

    assert client.get("/wp/v2/posts") == []
    assert client.rest_url("/wp/v2/posts") == LOCAL + "/blog/?rest_route=/wp/v2/posts"
    assert client.requests_made == 4


def test_a_redirected_wp_json_is_discovered_not_followed(rsps: responses.RequestsMock) -> None:
    rsps.get(LOCAL + "/wp-json/wp/v2/posts", status=301, headers={"Location": "https://x.invalid/"})
    front_page(rsps, LOCAL, LOCAL + "/index.php/wp-json/")
    rsps.get(LOCAL + "/index.php/wp-json/wp/v2/posts", json=[])

    assert Client(LOCAL).get("/wp/v2/posts") == []


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("http://127.0.0.1:9/wp-json/", "http://127.0.0.1:9/wp-json/wp/v2/posts?a=1"),
        (
            "http://127.0.0.1:9/index.php?rest_route=/",
            "http://127.0.0.1:9/index.php?rest_route=/wp/v2/posts&a=1",
        ),
    ],
)
def test_rest_url_under_a_pretty_or_a_query_root(
    rsps: responses.RequestsMock, root: str, expected: str
) -> None:
    not_routed(rsps, LOCAL)
    front_page(rsps, LOCAL, root)
    rsps.get(expected.replace("?a=1", "").replace("&a=1", ""), json={})
    client = Client(LOCAL)

    client.get("/wp/v2/posts")

    assert client.rest_url("/wp/v2/posts", {"a": 1}) == expected


def test_rest_url_encodes_non_ascii_routes_and_wordpress_style_params(
    rsps: responses.RequestsMock,
) -> None:
    client = Client(LOCAL)

    assert client.rest_url("/wp/v2/tags/ছবি") == (
        LOCAL + "/wp-json/wp/v2/tags/%E0%A6%9B%E0%A6%AC%E0%A6%BF"
    )
    params = {"include": [3, 4], "force": True, "search": "a b&c", "after": None}
    assert client.rest_url("/wp/v2/posts", params) == (
        LOCAL + "/wp-json/wp/v2/posts?include=3%2C4&force=true&search=a+b%26c"
    )


def test_a_certificate_error_is_not_retried(
    rsps: responses.RequestsMock, sleeps: list[float]
) -> None:
    failure = requests.exceptions.SSLError("certificate verify failed: self-signed certificate")
    rsps.get(POSTS, body=failure)
    client = Client(SITE, "editor", PASSWORD, sleep=sleeps.append)

    with pytest.raises(WordPressError) as caught:
        client.get("/wp/v2/posts")

    assert str(caught.value) == (
        f"GET {POSTS}: TLS error: certificate verify failed: self-signed certificate; "
        "check the site's certificate"
    )
    assert sleeps == []


# -- retries, on real sockets: urllib3's Retry runs inside requests' HTTPAdapter ------------


class StubSite(BaseHTTPRequestHandler):
    """A site whose front page announces /wp-json/ and whose every route answers what it
    was asked, as JSON; ``received`` lists what reached it ("PUT /wp-json/...")."""

    protocol_version = "HTTP/1.1"
    received: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.received.append(f"{self.command} {self.path}")
        host = f"http://{self.headers['Host']}"
        body = json.dumps({"method": self.command, "path": self.path}).encode()
        self.send_response(201 if self.command == "POST" else 200)
        if self.path == "/":
            self.send_header("Link", f'<{host}/wp-json/>; rel="https://api.w.org/"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_DELETE = do_GET


@pytest.fixture
def stub() -> Iterator[tuple[str, list[str]]]:
    """The stub site's URL and what reached it."""
    received: list[str] = []
    handler = type("Handler", (StubSite,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(stub: tuple[str, list[str]]) -> Iterator[FaultProxy]:
    """The stub site behind the fault proxy; cms-sync talks to the proxy."""
    with FaultProxy(stub[0]) as started:
        yield started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("handed_in", [False, True], ids=["own-session", "handed-in-session"])
def test_a_get_answered_503_is_retried_after_its_retry_after(
    proxy: FaultProxy, sleeps: list[float], caplog: pytest.LogCaptureFixture, handed_in: bool
) -> None:
    caplog.set_level(logging.INFO, "cms_sync")
    proxy.arm("GET", "/wp/v2/posts", "503", retry_after="7")
    session = requests.Session() if handed_in else None
    client = Client(proxy.url, "editor", PASSWORD, sleep=sleeps.append, session=session)

    assert client.get("/wp/v2/posts") == {"method": "GET", "path": "/wp-json/wp/v2/posts"}

    assert sleeps == [7.0]
    assert proxy.seen == ["GET /wp-json/wp/v2/posts", "GET /wp-json/wp/v2/posts"]
    assert client.requests_made == 2
    assert f"GET {proxy.url}/wp-json/wp/v2/posts: HTTP 503; retrying in 7 s" in caplog.text


def test_a_far_retry_after_is_capped_then_backoff_doubles(
    proxy: FaultProxy, sleeps: list[float]
) -> None:
    proxy.arm("GET", "/wp/v2/posts", "429", retry_after="Wed, 21 Oct 2099 07:28:00 GMT")
    proxy.arm("GET", "/wp/v2/posts", "429", retry_after="")
    proxy.arm("GET", "/wp/v2/posts", "500")

    assert Client(proxy.url, sleep=sleeps.append).get("/wp/v2/posts")["method"] == "GET"

    assert sleeps == [30.0, 1.0, 2.0]  # at most 30 s whatever the date; then 0.5 * 2**n


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_idempotent_request_whose_answer_was_lost_is_sent_again(
    proxy: FaultProxy, stub: tuple[str, list[str]], sleeps: list[float], method: str
) -> None:
    proxy.arm(method, "/wp/v2/posts/7", "lose")  # the site did it; the answer never came
    client = Client(proxy.url, "editor", PASSWORD, sleep=sleeps.append)

    answer = {"GET": client.get, "DELETE": client.delete}.get(method) or (
        lambda route: client.put(route, {"title": "New"})
    )

    assert answer("/wp/v2/posts/7")["method"] == method
    assert stub[1].count(f"{method} /wp-json/wp/v2/posts/7") == 2
    assert sleeps == [0.5]


def test_gives_up_after_max_retries_with_a_clear_error(
    proxy: FaultProxy, sleeps: list[float]
) -> None:
    proxy.arm("GET", "/wp/v2/posts", "503", times=None, retry_after="")
    client = Client(proxy.url, "editor", PASSWORD, max_retries=3, sleep=sleeps.append)

    with pytest.raises(WordPressError) as caught:
        client.get("/wp/v2/posts")

    assert str(caught.value) == (
        f"GET {proxy.url}/wp-json/wp/v2/posts: HTTP 503: the server answered with HTML, not "
        "JSON (maintenance mode or a proxy error page?); the site is unavailable for now: run "
        "again later (gave up after 3 retries)"
    )
    assert caught.value.status == 503
    assert sleeps == [0.5, 1.0, 2.0]
    assert proxy.counts["GET"] == 4


@pytest.mark.parametrize("fault", ["lose", "503", "500", "cut", "waf"])
def test_a_post_is_sent_once_whatever_happens_to_it(
    proxy: FaultProxy, stub: tuple[str, list[str]], sleeps: list[float], fault: str
) -> None:
    proxy.arm("POST", "/wp/v2/posts", fault)
    client = Client(proxy.url, "editor", PASSWORD, sleep=sleeps.append)

    with pytest.raises(WordPressError) as caught:
        client.post("/wp/v2/posts", {"title": "Part 1"})

    message = str(caught.value)
    assert message.startswith(f"POST {proxy.url}/wp-json/wp/v2/posts: ")
    assert "gave up" not in message and "\n" not in message
    if fault in ("lose", "cut"):
        assert message.endswith(
            "WordPress may have done it all the same: the next run looks before it writes"
        )
    assert proxy.counts["POST"] == 1
    assert sleeps == []


def test_an_upload_whose_answer_was_lost_is_not_sent_again(
    proxy: FaultProxy, stub: tuple[str, list[str]], tmp_path: Path, sleeps: list[float]
) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n fake")
    proxy.arm("POST", "/wp/v2/media", "lose")

    with pytest.raises(WordPressError, match="the connection closed before the whole answer"):
        Client(proxy.url, "editor", PASSWORD, sleep=sleeps.append).upload_media(image, "a.png")

    assert stub[1].count("POST /wp-json/wp/v2/media") == 1
    assert sleeps == []


def test_an_unreachable_site_is_tried_five_times_and_named(sleeps: list[float]) -> None:
    site = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    client = Client(site, sleep=sleeps.append)

    with pytest.raises(WordPressError) as caught:
        client.get("/wp/v2/posts")

    assert str(caught.value) == (
        f"GET {site}/wp-json/wp/v2/posts: cannot connect: Failed to establish a new "
        "connection: [Errno 111] Connection refused; is the site up? (gave up after 4 retries)"
    )
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


def test_a_stalled_site_is_given_up_at_the_request_deadline(
    proxy: FaultProxy, sleeps: list[float]
) -> None:
    client = Client(proxy.url, timeout=1, deadline=2.5, sleep=sleeps.append)
    client.rest_url("/")  # discovery first
    proxy.arm("GET", "/wp/v2/posts", "hang", times=None)
    started = time.monotonic()

    with pytest.raises(WordPressError) as caught:
        client.get("/wp/v2/posts")

    assert str(caught.value) == (
        f"GET {proxy.url}/wp-json/wp/v2/posts: no answer within 1 s; is the site overloaded? "
        "(gave up after 1 retry: cms-sync waits at most 2.5 s for one request)"
    )
    assert time.monotonic() - started < 2.5 + 1  # two tries of 1 s, not five
    assert sleeps == [0.5]


def test_a_retry_after_past_the_deadline_is_not_waited_for(proxy: FaultProxy) -> None:
    proxy.arm("GET", "/wp/v2/users/me", "503", times=None, retry_after="25")
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    client = Client(proxy.url, "editor", PASSWORD, deadline=40, sleep=sleep, clock=lambda: now[0])

    with pytest.raises(WordPressError) as caught:
        client.get("/wp/v2/users/me")

    assert str(caught.value).endswith(
        "(maintenance mode or a proxy error page?); the site is unavailable for now: run again "
        "later (gave up after 1 retry: cms-sync waits at "
        "most 40 s for one request)"
    )
    assert slept == [25.0]  # the second 25 s would pass the 40 s


def test_a_post_waits_for_its_answer_longer_than_a_read(proxy: FaultProxy) -> None:
    client = Client(proxy.url, timeout=1, write_timeout=5, max_retries=0)
    proxy.arm("*", "/wp/v2/posts", "stall", delay=1.5, times=2)

    assert client.post("/wp/v2/posts", {"title": "Slow"})["method"] == "POST"
    with pytest.raises(WordPressError, match="no answer within 1 s; is the site overloaded"):
        client.get("/wp/v2/posts")


def test_past_the_run_deadline_nothing_more_is_sent(proxy: FaultProxy) -> None:
    now = [0.0]
    client = Client(proxy.url, run_deadline=600, clock=lambda: now[0])
    client.get("/wp/v2/posts")
    now[0] = 601.0

    with pytest.raises(WordPressError) as caught:
        client.get("/wp/v2/posts")

    assert str(caught.value) == (
        f"GET {proxy.url}/wp-json/wp/v2/posts: not sent: this run has passed its deadline of "
        "600 s; run the command again to finish"
    )
    assert proxy.count == 1


def test_a_cut_or_challenge_answer_to_a_read_is_one_line_naming_it(proxy: FaultProxy) -> None:
    client = Client(proxy.url, "editor", PASSWORD)
    proxy.arm("GET", "/wp/v2/posts", "cut")
    # A page answering the first read may be a server's that does not route /wp-json/:
    # the root is looked up on the front page and the read sent again, challenged again.
    proxy.arm("GET", "/wp/v2/posts", "waf", times=2)
    messages = []
    for _ in range(2):
        with pytest.raises(WordPressError) as caught:
            client.get("/wp/v2/posts")
        messages.append(str(caught.value))

    url = f"{proxy.url}/wp-json/wp/v2/posts"
    assert messages[0].startswith(f"GET {url}: the connection closed before the whole answer")
    assert messages[0].endswith("is the site restarting, or a proxy cutting it?")
    assert messages[1].startswith(f"GET {url}: invalid JSON in the response: <!DOCTYPE html>")
    assert messages[1].endswith(
        "; a firewall's challenge page or a plugin's output? `cms-sync doctor` shows what answers"
    )


def test_retries_go_on_a_handed_in_sessions_adapters_and_spare_other_transports() -> None:
    session = requests.Session()
    session.verify = "/etc/private-ca.pem"  # as --ca-bundle hands it in
    fake = BaseAdapter()
    session.mount("https://fake.invalid", fake)

    Client(SITE, "editor", PASSWORD, session=session)

    retries = session.adapters["https://"].max_retries  # type: ignore[attr-defined]
    assert isinstance(retries, Retry)
    assert retries.allowed_methods == {"GET", "PUT", "DELETE", "HEAD"}
    assert set(retries.status_forcelist) == {429, 500, 502, 503, 504}
    assert session.adapters["https://fake.invalid"] is fake
    assert session.verify == "/etc/private-ca.pem"


# -- errors --------------------------------------------------------------------------------


def test_401_keeps_wordpress_message_and_hints_at_the_password(
    rsps: responses.RequestsMock, client: Client
) -> None:
    message = "Sorry, you are not allowed to create posts as this user."
    rsps.post(POSTS, status=401, json=wp_error("rest_cannot_create", message, 401))

    with pytest.raises(WordPressError) as caught:
        client.post("/wp/v2/posts", {"title": "Part 1"})

    assert str(caught.value) == (
        f"POST {POSTS}: HTTP 401 rest_cannot_create: Sorry, you are not allowed to create "
        "posts as this user; check the user name and the application password"
    )
    assert (caught.value.status, caught.value.code) == (401, "rest_cannot_create")


def test_403_says_the_user_lacks_the_capability(
    rsps: responses.RequestsMock, client: Client
) -> None:
    message = "Sorry, you are not allowed to edit this post."
    rsps.put(POSTS + "/7", status=403, json=wp_error("rest_cannot_edit", message, 403))

    with pytest.raises(WordPressError) as caught:
        client.put("/wp/v2/posts/7", {"title": "x"})

    assert str(caught.value) == (
        f"PUT {POSTS}/7: HTTP 403 rest_cannot_edit: Sorry, you are not allowed to edit this "
        "post; the user lacks the capability for this"
    )


def test_404_rest_no_route_says_the_route_does_not_exist(
    rsps: responses.RequestsMock, client: Client
) -> None:
    message = "No route was found matching the URL and request method."
    rsps.get(POSTS, status=404, json=wp_error("rest_no_route", message, 404))

    with pytest.raises(WordPressError) as caught:
        client.get("/wp/v2/posts")

    assert str(caught.value) == (
        f"GET {POSTS}: HTTP 404 rest_no_route: the REST route does not exist "
        "(is this WordPress? is the REST API disabled?)"
    )


def test_wordpress_message_loses_its_html_and_keeps_its_data(
    rsps: responses.RequestsMock, client: Client
) -> None:
    message = "<strong>Error:</strong> A term with the name\nprovided already exists &amp; more."
    terms = ROOT + "wp/v2/tags"
    rsps.post(terms, status=400, json=wp_error("term_exists", message, 400, term_id=5))

    with pytest.raises(WordPressError) as caught:
        client.post("/wp/v2/tags", {"name": "hiring"})

    assert str(caught.value) == (
        f"POST {terms}: HTTP 400 term_exists: Error: A term with the name provided "
        "already exists & more."
    )
    assert caught.value.data == {"status": 400, "term_id": 5}


def test_html_error_page_is_named_as_such(rsps: responses.RequestsMock, client: Client) -> None:
    rsps.post(POSTS, status=502, body="<html><body>Bad Gateway</body></html>")

    with pytest.raises(WordPressError) as caught:
        client.post("/wp/v2/posts", {})

    assert str(caught.value) == (
        f"POST {POSTS}: HTTP 502: the server answered with HTML, not JSON "
        "(maintenance mode or a proxy error page?); run again later, or see the site's error log"
    )


def test_invalid_json_in_a_200_shows_its_start(
    rsps: responses.RequestsMock, client: Client
) -> None:
    body = (
        "<br />\n<b>Warning</b>: Undefined variable $x in "
        '/var/www/wp-content/plugins/seo/seo.php on line 3<br />\n{"id": 7}'
    )
    rsps.get(POSTS + "/7", body=body, content_type="application/json")

    with pytest.raises(WordPressError) as caught:
        client.get("/wp/v2/posts/7")

    start = " ".join(body.split())[:80]
    assert str(caught.value).startswith(f"GET {POSTS}/7: invalid JSON in the response: {start}; ")
    assert "\n" not in str(caught.value)


def test_json_after_a_byte_order_mark_is_accepted(
    rsps: responses.RequestsMock, client: Client
) -> None:
    rsps.get(POSTS + "/7", body=b'\xef\xbb\xbf{"id": 7}')

    assert client.get("/wp/v2/posts/7") == {"id": 7}


# -- credentials ---------------------------------------------------------------------------


def test_plain_http_to_another_host_is_refused_before_any_request(
    rsps: responses.RequestsMock,
) -> None:
    with pytest.raises(CmsSyncError) as caught:
        Client("http://blog.example", "editor", PASSWORD)

    assert "blog.example" in str(caught.value)
    assert "use https" in str(caught.value)
    assert len(rsps.calls) == 0
    for local in ("http://127.0.0.1:8080", "http://127.5.0.1", "http://[::1]:8080", LOCAL):
        Client(local, "editor", PASSWORD)  # this machine is fine
    Client("http://blog.example")  # and so is reading without a password


def test_a_plain_http_rest_root_is_refused_too(rsps: responses.RequestsMock) -> None:
    not_routed(rsps, SITE)
    front_page(rsps, SITE, "http://blog.invalid/wp-json/")
    client = Client(SITE, "editor", PASSWORD)

    with pytest.raises(CmsSyncError, match="refusing to send the application password"):
        client.get("/wp/v2/posts")

    assert len(rsps.calls) == 2  # /wp-json/ and the front page, which said where the API is


def test_the_password_never_shows(
    rsps: responses.RequestsMock,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # A broken server that echoes what it was sent, to prove messages are scrubbed too.
    rsps.get(POSTS, status=401, json=wp_error("bad_auth", f"bad password {PASSWORD}", 401))
    rsps.put(POSTS + "/1", status=503, body=f"<html>{PASSWORD}</html>")
    rsps.delete(POSTS + "/1", body=requests.ConnectionError("Connection refused"))
    rsps.get(POSTS + "/1", body=f"not json {PASSWORD}")
    failing = [
        lambda: client.get("/wp/v2/posts"),
        lambda: client.put("/wp/v2/posts/1", {}),
        lambda: client.delete("/wp/v2/posts/1"),
        lambda: client.get("/wp/v2/posts/1"),
        lambda: Client("http://blog.example", "editor", PASSWORD),
    ]
    basic = base64.b64encode(f"editor:{PASSWORD}".encode()).decode("ascii")

    messages = []
    for fail in failing:
        with pytest.raises(CmsSyncError) as caught:
            fail()
        messages.append(str(caught.value))

    assert messages[0].endswith(
        "bad password [hidden]; check the user name and the application password"
    )
    for shown in (*messages, repr(client), str(client), caplog.text):
        assert PASSWORD not in shown
        assert basic not in shown
    assert repr(client) == "Client('https://blog.invalid', user='editor', password=<hidden>)"


# -- lists and batches ---------------------------------------------------------------------


def test_get_all_follows_total_pages(rsps: responses.RequestsMock, client: Client) -> None:
    for page, count in ((1, 100), (2, 100), (3, 7)):
        items = [{"id": page * 1000 + n} for n in range(count)]
        url = f"{POSTS}?status=any&per_page=100&page={page}"
        rsps.get(url, json=items, headers={"X-WP-Total": "207", "X-WP-TotalPages": "3"})

    posts = client.get_all("/wp/v2/posts", {"status": "any"})

    assert len(posts) == 207
    assert posts[0] == {"id": 1000} and posts[-1] == {"id": 3006}
    assert client.requests_made == 3  # three pages


def test_get_all_reads_the_other_pages_side_by_side_and_keeps_their_order(
    rsps: responses.RequestsMock, client: Client
) -> None:
    """After the first page, the next four are in flight at once (each waits at a barrier
    of four: read one after the other they would time out), and the items come back in
    page order although the later pages answer first."""
    barrier = threading.Barrier(4, timeout=10)

    def page(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        number = int(dict(parse_qsl(urlsplit(request.url or "").query))["page"])
        if 2 <= number <= 5:
            barrier.wait()
            time.sleep(0.05 * (6 - number))  # page 5 answers first, page 2 last
        items = [{"id": number * 1000 + n} for n in range(100 if number < 6 else 3)]
        return 200, {"X-WP-TotalPages": "6"}, json.dumps(items)

    rsps.add_callback("GET", POSTS, callback=page)
    posts = client.get_all("/wp/v2/posts")

    assert [p["id"] for p in posts] == [n * 1000 + i for n in range(1, 7) for i in
                                       range(100 if n < 6 else 3)]  # fmt: skip
    assert client.requests_made == 6


def test_get_all_without_total_pages_stops_at_a_short_page(
    rsps: responses.RequestsMock, client: Client
) -> None:
    rsps.get(f"{POSTS}?per_page=100&page=1", json=[{"id": n} for n in range(100)])
    rsps.get(f"{POSTS}?per_page=100&page=2", json=[{"id": 100}])

    assert len(client.get_all("/wp/v2/posts")) == 101


def batch_answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
    """/batch/v1 as WordPress answers it: 207 and one envelope per sub-request."""
    sent = json.loads(request.body or "{}")
    assert sent["validation"] == "normal"
    answers = [
        {"status": 200, "body": {"id": int(sub["path"].rsplit("/", 1)[1])}, "headers": {}}
        for sub in sent["requests"]
    ]
    return 207, {}, json.dumps({"responses": answers})


def test_batch_sends_30_requests_as_25_and_5(rsps: responses.RequestsMock, client: Client) -> None:
    rsps.add_callback("POST", ROOT + "batch/v1", callback=batch_answer)
    requests_ = [
        {"method": "PUT", "path": f"/wp/v2/posts/{n}", "body": {"title": f"T{n}"}}
        for n in range(1, 31)
    ]

    results = client.batch(requests_)

    assert results == [{"status": 200, "body": {"id": n}} for n in range(1, 31)]
    sizes = [len(json.loads(call.request.body)["requests"]) for call in rsps.calls]
    assert sizes == [25, 5]


def test_batch_falls_back_to_single_requests_when_the_route_is_missing(
    rsps: responses.RequestsMock, client: Client
) -> None:
    no_route = wp_error("rest_no_route", "No route was found matching the URL.", 404)
    rsps.post(ROOT + "batch/v1", status=404, json=no_route)
    rsps.put(POSTS + "/1", json={"id": 1})
    invalid = wp_error("rest_invalid_param", "Invalid parameter(s): status", 400)
    rsps.post(POSTS, status=400, json=invalid)
    rsps.delete(POSTS + "/3?force=true", status=503, body=HTML_503)
    batch = [
        {"method": "PUT", "path": "/wp/v2/posts/1", "body": {"title": "One"}},
        {"method": "POST", "path": "/wp/v2/posts", "body": {"status": "nope"}},
        {"method": "DELETE", "path": "/wp/v2/posts/3?force=true"},
    ]

    first = client.batch(batch)
    again = client.batch(batch[:1])

    assert first == [
        {"status": 200, "body": {"id": 1}},
        {"status": 400, "body": invalid},
        {
            "status": 503,
            "body": {
                "code": "http_error",
                "message": "the server answered with HTML, not JSON "
                "(maintenance mode or a proxy error page?); the site is unavailable for now: "
                "run again later",
            },
        },
    ]
    assert again == [{"status": 200, "body": {"id": 1}}]
    assert calls_to(rsps, "POST", ROOT + "batch/v1") == 1  # remembered: not asked twice
    assert calls_to(rsps, "POST", POSTS) == 1  # the failed create was not retried


def test_batch_resends_only_the_sub_requests_wordpress_would_not_batch(
    rsps: responses.RequestsMock, client: Client
) -> None:
    not_allowed = wp_error(
        "rest_batch_not_allowed", "The requested route does not support batch requests.", 400
    )
    answers = [
        {"status": 201, "body": {"id": 9, "name": "hiring"}, "headers": {}},
        {"status": 400, "body": not_allowed, "headers": {}},
    ]
    rsps.post(ROOT + "batch/v1", status=207, json={"responses": answers})
    rsps.put(POSTS + "/7", json={"id": 7})
    batch = [
        {"method": "POST", "path": "/wp/v2/tags", "body": {"name": "hiring"}},
        {"method": "PUT", "path": "/wp/v2/posts/7", "body": {"tags": [9]}},
    ]

    assert client.batch(batch) == [
        {"status": 201, "body": {"id": 9, "name": "hiring"}},
        {"status": 200, "body": {"id": 7}},
    ]
    assert calls_to(rsps, "POST", ROOT + "wp/v2/tags") == 0  # it was created in the batch


# -- media ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("funnel.png", 'attachment; filename="funnel.png"'),
        (
            "café résumé.png",
            'attachment; filename="cafe-resume.png"; '
            "filename*=UTF-8''caf%C3%A9%20r%C3%A9sum%C3%A9.png",
        ),
        (
            "ছবি.png",
            "attachment; filename=\"media.png\"; filename*=UTF-8''%E0%A6%9B%E0%A6%AC%E0%A6%BF.png",
        ),
    ],
)
def test_upload_media_sends_the_raw_file_with_its_name(
    rsps: responses.RequestsMock, client: Client, tmp_path: Path, name: str, disposition: str
) -> None:
    image = tmp_path / "image.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n fake")
    rsps.post(ROOT + "wp/v2/media", status=201, json={"id": 31, "source_url": "x.png"})

    assert client.upload_media(image, name)["id"] == 31

    sent = rsps.calls[-1].request
    assert sent.headers["Content-Type"] == "image/png"
    assert sent.headers["Content-Disposition"] == disposition
    assert sent.body == b"\x89PNG\r\n\x1a\n fake"


def test_upload_media_is_never_retried(
    rsps: responses.RequestsMock, client: Client, tmp_path: Path, sleeps: list[float]
) -> None:
    image = tmp_path / "a.jpg"
    image.write_bytes(b"jpeg")
    rsps.post(ROOT + "wp/v2/media", status=503, body=HTML_503)

    with pytest.raises(WordPressError, match="HTTP 503"):
        client.upload_media(image, "a.jpg")

    assert calls_to(rsps, "POST", ROOT + "wp/v2/media") == 1
    assert sleeps == []
