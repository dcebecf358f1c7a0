"""The WordPress REST API client: the only module of cms-sync that talks HTTP.

One ``requests.Session`` per :class:`Client` (user agent, HTTP Basic with an application
password sent to the site's own origin only), the REST root at ``site_url + "/wp-json/"``
tried first and, when that answer is not WordPress's REST API (a 404 page, HTML, a redirect),
discovered once from the front page (it must be on the site's origin too), retries for
idempotent requests only, within a time limit, and one-line
:class:`WordPressError` messages that name the method and the URL but never the password.

Time: a read waits ``timeout`` (30 s) for its answer, a POST ``write_timeout`` (120 s: it is
never resent, so it is given time); a request and its retries take at most ``deadline``
(60 s); every request's timeout is cut to what ``run_deadline`` (15 min from the Client's
making, i.e. the command's run) leaves, and past it nothing more is sent.

Retries are urllib3's (:class:`_Retry`), set on the HTTPAdapters of the Client's session,
also of a session handed in (``--ca-bundle``'s, a test's): the Client owns that session's
adapters' retry policy from then on (one Client per session). An adapter that is not an
HTTPAdapter (the fast tests' fake WordPress) is left as it is, and gets no retries.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import logging
import mimetypes
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util import Retry, Timeout

from cms_sync import __version__
from cms_sync import rest_answers as answers
from cms_sync import rest_urls as urls
from cms_sync.credentials import HIDDEN, Scrubber, SiteAuth
from cms_sync.errors import CmsSyncError

log = logging.getLogger(__name__)
# urllib3 warns of each retry in its own words; the Client logs them (see Client._retrying).
logging.getLogger("urllib3.connectionpool").addFilter(
    lambda record: not record.getMessage().startswith("Retrying (")
)

API_REL = "https://api.w.org/"
PER_PAGE = 100  # the largest page the REST API serves
READ_JOBS = 4  # pages of a list read at once (a browser opens six connections to a host)
BATCH_SIZE = 25  # /batch/v1 refuses more sub-requests
BACKOFF = 0.5  # the first wait before a retry without Retry-After; doubled each time
MAX_DELAY = 30.0  # the longest wait between two tries, whatever Retry-After asks
DEADLINE = 60.0  # the longest a request and its retries keep the user waiting
TIMEOUT = 30.0  # the longest a request waits for its answer (and to connect)
WRITE_TIMEOUT = 120.0  # a POST's answer: a create is never resent, so it is waited for longer
RUN_DEADLINE = 15 * 60.0  # the longest one Client (one command's run) keeps sending requests
RETRIED = frozenset({"GET", "PUT", "DELETE", "HEAD"})  # idempotent: safe to send again
GUESSED_ROOT = "/wp-json/"  # the REST root of most sites: tried before any discovery
MAX_REDIRECTS = 5  # of the front page, while discovering the REST root
MAX_DOWNLOAD = 50 << 20  # bytes of one media file pull downloads
USER_AGENT = f"cms-sync/{__version__}"


class WordPressError(CmsSyncError):
    """A request failed: ``<METHOD> <url>: HTTP <status> <code>: <message>``, on one line."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status
        self.code = code
        self.data = data


class Client:
    """A WordPress site's REST API, authenticated with an application password."""

    requests_made: int

    def __init__(
        self,
        site_url: str,
        user: str | None = None,
        password: str | None = None,
        *,
        timeout: float | None = None,
        write_timeout: float | None = None,
        max_retries: int = 4,
        backoff: float | None = None,
        deadline: float | None = None,
        run_deadline: float | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.site_url = site_url.rstrip("/")
        urls.check_site_url(self.site_url)
        if (user is None) != (password is None):
            raise CmsSyncError("give both a user name and an application password, or neither")
        if password is not None:
            urls.require_https(self.site_url)
        # The defaults are looked up now, not at import: a test may shorten them.
        self.timeout = TIMEOUT if timeout is None else timeout
        self.write_timeout = WRITE_TIMEOUT if write_timeout is None else write_timeout
        self.max_retries = max_retries
        self.backoff = BACKOFF if backoff is None else backoff
        self.deadline = DEADLINE if deadline is None else deadline
        self.run_deadline = RUN_DEADLINE if run_deadline is None else run_deadline
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.requests_made = 0
        self._counting = threading.Lock()  # threads may share a Client (publish --jobs)
        self._born = self.clock()
        self._flight = _InFlight(self._born, ("GET", self.site_url))
        self._user = user
        self._password = password
        self._scrubber = Scrubber(user, password)
        self._root = self.site_url + GUESSED_ROOT  # confirmed by the first REST answer
        self._confirmed = False
        self._batch_ok = True
        # TLS certificates are verified (requests' default; REQUESTS_CA_BUNDLE or a handed-in
        # session's .verify name a private CA's bundle). The retries go on the session's
        # HTTPAdapters; another transport (a test's fake WordPress) is left as it is.
        self._session = session or requests.Session()
        _Retry.mount(self, self._session)
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if user is not None and password is not None:
            self._session.auth = SiteAuth(user, password, self.site_url)

    def __repr__(self) -> str:
        password = None if self._password is None else HIDDEN
        return f"Client({self.site_url!r}, user={self._user!r}, password={password})"

    # -- URLs ---------------------------------------------------------------------------

    def rest_url(self, route: str, params: dict[str, Any] | None = None) -> str:
        """The URL of ``route`` (e.g. ``/wp/v2/posts``) under the REST root as known so far:
        ``/wp-json/`` until an answer from there proved otherwise."""
        return urls.join(self._root, route, params or {})

    def _send_rest(
        self, method: str, route: str, params: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, requests.Response]:
        """Send a request to ``route``; its URL and answer. The first answer from the
        guessed root confirms it, or, when it is not the REST API's (a 404 page, HTML, a
        redirect), the root is discovered from the front page and the request sent there
        once more, a write too: nothing under a root that is not the REST API's ran it."""
        url = self.rest_url(route, params)
        response = self._send(method, url, **kw)
        if self._confirmed or answers.retryable(response.status_code):
            return url, response
        if not _misrouted(method, response):
            self._confirmed = _is_json(response)
            return url, response
        log.debug("%s is not the REST root of %s: discovering it", self._root, self.site_url)
        self._root, self._confirmed = self._discover(), True
        url = self.rest_url(route, params)
        return url, self._send(method, url, **kw)

    def _discover(self) -> str:
        """The REST root the front page announces, on site_url's origin or refused: every
        API call carries the password there. Redirects are followed by hand, each checked
        before it is followed, so none can take the password to another host or to http."""
        url = self.site_url + "/"
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._send("GET", url)
            if not response.is_redirect:
                break
            target = urljoin(url, response.headers["Location"])
            urls.require_same_origin(self.site_url, target, f"{urls.shown(url)} redirects to")
            url = target
        else:
            raise self._error(f"GET {self.site_url}/: more than {MAX_REDIRECTS} redirects")
        if answers.retryable(response.status_code):
            raise self._http_error("GET", url, response)
        link = response.links.get(API_REL, {}).get("url")
        # Without the Link header (stripped by some hosts), ?rest_route= works with any
        # permalink setting; the final URL keeps the path redirects led to.
        root = urljoin(url, link) if link else urls.site_of(url) + "/?rest_route=/"
        urls.require_same_origin(self.site_url, root, "the site's Link header puts its REST API at")
        log.debug("REST root of %s: %s", self.site_url, root)
        return root

    # -- requests -----------------------------------------------------------------------

    def get(self, route: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``route``; the parsed JSON. Retried."""
        return self._call("GET", route, params=params)

    def get_all(self, route: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a list route, fetched 100 at a time. Once the first page tells how
        many there are, the others are asked for READ_JOBS at a time (a thousand posts are
        ten pages, and the site answers them side by side)."""
        first, total = self._page(route, params, 1)
        if total is None:  # some caches strip X-WP-TotalPages: a short page is the last one
            items, page, chunk = list(first), 1, first
            while len(chunk) == PER_PAGE:
                page += 1
                chunk, _ = self._page(route, params, page)
                items.extend(chunk)
            return items
        rest = range(2, total + 1)
        if len(rest) <= 1:
            pages = [self._page(route, params, n)[0] for n in rest]
        else:
            with ThreadPoolExecutor(min(READ_JOBS, len(rest)), "cms-sync-read") as pool:
                pages = [
                    found for found, _ in pool.map(lambda n: self._page(route, params, n), rest)
                ]
        return [item for chunk in [first, *pages] for item in chunk]

    def _page(
        self, route: str, params: dict[str, Any] | None, page: int
    ) -> tuple[list[Any], int | None]:
        """One page of a list route, and how many pages the site says there are; a page past
        the last (the list shrank meanwhile) is empty."""
        query = {**(params or {}), "per_page": PER_PAGE, "page": page}
        url, response = self._send_rest("GET", route, query)
        if page > 1 and answers.past_last_page(response):
            return [], None
        chunk = self._result("GET", url, response)
        if not isinstance(chunk, list):
            raise self._error(
                f"GET {urls.shown(url)}: expected a list, got {answers.snippet(response)}"
            )
        return chunk, answers.total_pages(response)

    def post(
        self, route: str, json: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> Any:
        """POST ``route``. Never retried: a create may succeed even when the answer is lost."""
        return self._call("POST", route, params=params, json=json)

    def put(self, route: str, json: dict[str, Any]) -> Any:
        """PUT ``route`` (an update). Retried."""
        return self._call("PUT", route, json=json)

    def delete(self, route: str, params: dict[str, Any] | None = None) -> Any:
        """DELETE ``route`` (to the trash unless ``force=true``). Retried."""
        return self._call("DELETE", route, params=params)

    def upload_media(self, path: Path, filename: str) -> Any:
        """Upload a file as ``filename`` to the media library. Never retried."""
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CmsSyncError(f"{path}: cannot read: {exc.strerror}") from exc
        headers = {
            "Content-Type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            "Content-Disposition": urls.content_disposition(filename),
        }
        url, response = self._send_rest("POST", "/wp/v2/media", data=content, headers=headers)
        return self._result("POST", url, response)

    def download(self, url: str, limit: int = MAX_DOWNLOAD) -> bytes:
        """The bytes of a file this site serves (a media file). Retried. Another host's
        URL is refused: the application password goes to this site only."""
        if urls.origin(url) != urls.origin(self.site_url):
            raise CmsSyncError(f"{urls.shown(url)} is not on {self.site_url}: not downloaded")
        response = self._send("GET", url)
        if not 200 <= response.status_code < 300:
            raise self._http_error("GET", url, response)
        if len(response.content) > limit:
            raise self._error(f"GET {urls.shown(url)}: larger than {limit >> 20} MiB")
        return response.content

    def redirect_of(self, url: str) -> tuple[int, str]:
        """A page of this site asked for without following redirects: its HTTP status and
        the absolute URL it redirects to ("" if none). Another host's URL is refused."""
        if urls.origin(url) != urls.origin(self.site_url):
            raise CmsSyncError(f"{urls.shown(url)} is not on {self.site_url}: not asked")
        response = self._send("GET", url)
        location = response.headers.get("Location", "")
        return response.status_code, urljoin(url, location) if location else ""

    def _call(
        self,
        method: str,
        route: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        url, response = self._send_rest(method, route, params, json=json)
        return self._result(method, url, response)

    # -- batches ------------------------------------------------------------------------

    def batch(
        self,
        requests: list[dict[str, Any]],
        answered: Callable[[int], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Send ``{"method", "path", "body"}`` requests through /batch/v1, 25 at a time.

        Returns one ``{"status", "body"}`` per request, in order; a failed request is a
        result, not an exception. Sites that refuse batches get the requests one by one.
        ``answered(count)`` is told how many requests have their answer after each batch.
        """
        results: list[dict[str, Any]] = []
        for start in range(0, len(requests), BATCH_SIZE):
            results.extend(self._batch_chunk(requests[start : start + BATCH_SIZE]))
            if answered is not None:
                answered(len(results))
        return results

    def _batch_chunk(self, chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
        replies = self._post_batch(chunk) if self._batch_ok else None
        if replies is None:
            self._batch_ok = False
            return [self._one(request) for request in chunk]
        results = []
        for request, answer in zip(chunk, replies, strict=True):
            # WordPress before 5.9 refuses posts in batches but runs the other requests.
            if answers.error_code(answer.get("body")) == "rest_batch_not_allowed":
                self._batch_ok = False
                results.append(self._one(request))
            else:
                results.append({"status": int(answer["status"]), "body": answer.get("body")})
        return results

    def _post_batch(self, chunk: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The answers to one batch, or None when the site does not take batches."""
        payload = {"validation": "normal", "requests": chunk}
        url, response = self._send_rest("POST", "/batch/v1", json=payload)
        if answers.batch_refused(response):
            log.info("%s does not take batch requests: sending them one by one", self.site_url)
            return None
        answer = self._result("POST", url, response)
        replies = answer.get("responses") if isinstance(answer, dict) else None
        if not answers.batch_answers_fit(replies, len(chunk)):
            snippet = answers.snippet(response)
            raise self._error(f"POST {urls.shown(url)}: unexpected batch answer: {snippet}")
        return replies

    def _one(self, request: dict[str, Any]) -> dict[str, Any]:
        """One batch sub-request sent on its own, answered in the batch's shape."""
        method = str(request["method"]).upper()
        parts = urlsplit(request["path"])
        route, query = unquote(parts.path), dict(parse_qsl(parts.query))
        query.pop("_fields", None)  # answered whole, as its error messages name the route
        headers = request.get("headers")
        url, response = self._send_rest(
            method, route, query, json=request.get("body"), headers=headers
        )
        if 200 <= response.status_code < 300:
            body = self._result(method, url, response)
            return {"status": response.status_code, "body": body}
        failure = answers.understand(response)
        body = failure.body
        if not isinstance(body, dict):
            body = {"code": failure.code or "http_error", "message": failure.message}
        return {"status": response.status_code, "body": body}

    # -- transport ------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one request; the last answer, whatever its status, its body scrubbed of the
        password before anything reads it. GET, PUT, DELETE and HEAD are retried by urllib3
        (see :class:`_Retry`); a POST is sent once, and waits ``write_timeout`` for its answer."""
        if self._run_left() <= 0:
            raise self._error(
                f"{method} {urls.shown(url)}: not sent: this run has passed its deadline of "
                f"{self.run_deadline:g} s; run the command again to finish"
            )
        self._count()
        self._flight.begin(self.clock(), (method, url))
        wait = self.write_timeout if method not in RETRIED else self.timeout
        timeout = _Timeout(min(self.timeout, wait), wait, self._time_left)
        try:
            # No redirects: requests would turn a redirected POST into a GET, and the
            # discovery checks each hop itself.
            response = self._session.request(
                method,
                url,
                json=json,
                data=data,
                headers=headers,
                timeout=cast(Any, timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise self._transport_error(method, url, exc, wait) from None
        response._content = self._scrubber.content(response.content)
        log.debug("%s %s: HTTP %s", method, urls.shown(url), response.status_code)
        return response

    def _time_left(self) -> float:
        """Seconds the request in flight may still take: its deadline, the run's."""
        return min(self.deadline - (self.clock() - self._flight.started), self._run_left())

    def _run_left(self) -> float:
        return self.run_deadline - (self.clock() - self._born)

    def _retrying(self, retries: int, problem: str, delay: float) -> bool:
        """Told by :class:`_Retry` that try ``retries`` failed with ``problem``: whether to
        try again after ``delay`` s (logged), or give up (said in the error message)."""
        method, url = self._flight.sending
        if retries >= self.max_retries:
            self._flight.gave_up = answers.gave_up(retries) if retries else ""
            return False
        if self.clock() - self._flight.started + delay >= self.deadline:
            self._flight.gave_up = answers.gave_up(retries, self.deadline)
            return False
        if self._run_left() - delay <= 0:
            self._flight.gave_up = f" (not retried: this run's deadline of {self.run_deadline:g} s)"
            return False
        problem = self._scrubber.text(problem)  # an error's text may quote what was sent
        log.info("%s %s: %s; retrying in %g s", method, urls.shown(url), problem, delay)
        self._count()
        return True

    def _count(self) -> None:
        with self._counting:
            self.requests_made += 1

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)

    def _result(self, method: str, url: str, response: requests.Response) -> Any:
        """The parsed JSON of a successful answer; a WordPressError for anything else."""
        if not 200 <= response.status_code < 300:
            raise self._http_error(method, url, response)
        try:
            # Bytes, not text: json detects UTF-8 and skips the BOM some plugins emit.
            return jsonlib.loads(response.content)
        except ValueError:
            raise self._error(
                f"{method} {urls.shown(url)}: invalid JSON in the response: "
                f"{answers.snippet(response)}; {answers.NOT_JSON}",
                status=response.status_code,
            ) from None

    # -- errors ---------------------------------------------------------------------------

    def _http_error(self, method: str, url: str, response: requests.Response) -> WordPressError:
        failure = answers.understand(response)
        head = f"HTTP {failure.status} {failure.code}" if failure.code else f"HTTP {failure.status}"
        note = self._flight.gave_up if answers.retryable(failure.status) else ""
        return self._error(
            f"{method} {urls.shown(url)}: {head}: {failure.message}{note}",
            status=failure.status,
            code=failure.code,
            data=failure.data,
        )

    def _transport_error(
        self, method: str, url: str, exc: requests.RequestException, wait: float
    ) -> WordPressError:
        """A request that got no whole answer; how many retries went before it, if any."""
        problem = answers.transport_problem(exc, wait, resent=method in RETRIED)
        return self._error(f"{method} {urls.shown(url)}: {problem}{self._flight.gave_up}")

    def _error(self, message: str, **attributes: Any) -> WordPressError:
        # Answers are scrubbed as they arrive; this catches what else a message quotes
        # (an exception's text), after the spaces are evened out as the message will be.
        message = self._scrubber.text(" ".join(message.split()))
        return WordPressError(message, **attributes)


class _InFlight(threading.local):
    """The request this thread has in flight: when it started, what it is (for the retry
    log), why its retries stopped (for its error message)."""

    def __init__(self, started: float, sending: tuple[str, str]) -> None:
        self.begin(started, sending)

    def begin(self, started: float, sending: tuple[str, str]) -> None:
        self.started, self.sending, self.gave_up = started, sending, ""


def _is_json(response: requests.Response) -> bool:
    try:
        jsonlib.loads(response.content)
    except ValueError:
        return False
    return True


def _misrouted(method: str, response: requests.Response) -> bool:
    """Whether an answer says the request never reached the REST API: a redirect, or a
    page (not JSON) that is a 404 or, to a read, a 200 (a theme's front page). An error of
    the REST API is JSON; an HTML 403 or 500 may be a firewall's or a crash after a write
    ran, and is reported as it is, never answered by sending a write again."""
    if response.is_redirect:
        return True
    status = response.status_code
    page = status == 404 or (method in RETRIED and 200 <= status < 300)
    json_type = "json" in response.headers.get("Content-Type", "")
    return page and not json_type and not _is_json(response)


class _Retry(Retry):
    """urllib3's Retry as cms-sync wants it, on the HTTPAdapters of a Client's session.

    Only GET, PUT, DELETE and HEAD are tried again: after a connection error, a timeout or
    an answer 429, 500, 502, 503 or 504 (the last answer is returned, not an exception, so
    the error message can quote WordPress). The wait is Retry-After when the answer has one,
    else ``backoff * 2**n``, and at most MAX_DELAY. Whether to try again, and the wait itself,
    are the Client's (:meth:`Client._retrying`, :meth:`Client._pause`): it counts the tries,
    keeps the deadlines, logs each retry and sleeps with the function it was given. A POST
    is never resent: WordPress may have made the post even when the answer was lost.
    """

    client: Client | None = None
    pending = 0.0  # what sleep() waits: decided by increment()

    @classmethod
    def mount(cls, client: Client, session: requests.Session) -> None:
        """Put the client's retries on each HTTPAdapter of ``session``, whoever made it."""
        retry = cls(
            total=None,  # the Client counts
            other=0,  # a TLS error will be the same in a second
            allowed_methods=RETRIED,
            status_forcelist=answers.RETRIED_STATUSES,
            backoff_factor=client.backoff,
            raise_on_status=False,
        )
        retry.client = client
        for adapter in session.adapters.values():
            if isinstance(adapter, HTTPAdapter):
                adapter.max_retries = retry

    def new(self, **kw: Any) -> Self:
        retry = super().new(**kw)
        retry.client = self.client
        return retry

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if error is not None and not self._is_method_retryable(method or "POST"):
            raise MaxRetryError(
                cast(ConnectionPool, _pool), url or "", error
            ) from error  # sent once, as it was
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        delay = retry.wait(response)
        client = self.client
        if error is not None:
            problem, reason = answers.reason(error), error
        else:
            problem = f"HTTP {response.status if response is not None else '?'}"
            reason = ResponseError(problem)
        if client is not None and not client._retrying(len(self.history), problem, delay):
            raise MaxRetryError(cast(ConnectionPool, _pool), url or "", reason) from error
        retry.pending = delay
        return retry

    def wait(self, response: BaseHTTPResponse | None) -> float:
        """Seconds before the next try: Retry-After, else exponential backoff; capped."""
        after = None
        if response is not None and self.respect_retry_after_header:
            with contextlib.suppress(InvalidHeader):
                after = self.get_retry_after(response)
        backoff = self.backoff_factor * 2 ** (len(self.history) - 1)
        return min(backoff if after is None else after, MAX_DELAY)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        if self.client is not None:
            self.client._pause(self.pending)


class _Timeout(Timeout):
    """The timeout of one request, cut at each try to the time its deadlines leave."""

    def __init__(self, connect: float, read: float, left: Callable[[], float]) -> None:
        super().__init__(connect=connect, read=read)
        self.seconds = (connect, read)
        self.left = left

    def clone(self) -> Timeout:  # urllib3 takes a clone for each try
        left = max(1.0, self.left())
        return Timeout(connect=min(self.seconds[0], left), read=min(self.seconds[1], left))
