"""The WordPress REST API client: the only module of cms-sync that talks HTTP.

One ``requests.Session`` per :class:`Client` (user agent, HTTP Basic with an application
password), lazy discovery of the REST root, retries for idempotent requests only, and
one-line :class:`WordPressError` messages that name the method and the URL but never the
password.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json as jsonlib
import logging
import mimetypes
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

import requests

from cms_sync import __version__
from cms_sync.errors import CmsSyncError

log = logging.getLogger(__name__)

API_REL = "https://api.w.org/"
PER_PAGE = 100  # the largest page the REST API serves
BATCH_SIZE = 25  # /batch/v1 refuses more sub-requests
MAX_DELAY = 60.0
HIDDEN = "<hidden>"
HTML_ANSWER = "the server answered with HTML, not JSON (maintenance mode or a proxy error page?)"
NO_ROUTE = "the REST route does not exist (is this WordPress? is the REST API disabled?)"


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


@dataclass(frozen=True)
class _Failure:
    """An error answer, understood: what WordPress said, or what the body looked like."""

    status: int
    code: str | None
    message: str
    data: dict[str, Any] | None
    body: Any  # the parsed JSON error, or None when the body was not JSON


class Client:
    """A WordPress site's REST API, authenticated with an application password."""

    requests_made: int

    def __init__(
        self,
        site_url: str,
        user: str | None = None,
        password: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.site_url = site_url.rstrip("/")
        _check_site_url(self.site_url)
        if (user is None) != (password is None):
            raise CmsSyncError("give both a user name and an application password, or neither")
        if password is not None:
            _require_https(self.site_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.requests_made = 0
        self._user = user
        self._password = password  # kept only to scrub it from messages
        self._root: str | None = None
        self._batch_ok = True
        # A test may hand in a session whose transport is a fake WordPress.
        self._session = session or requests.Session()
        self._session.headers.update(
            {"User-Agent": f"cms-sync/{__version__}", "Accept": "application/json"}
        )
        if user is not None and password is not None:
            self._session.auth = (user, password)

    def __repr__(self) -> str:
        password = None if self._password is None else HIDDEN
        return f"Client({self.site_url!r}, user={self._user!r}, password={password})"

    # -- URLs ---------------------------------------------------------------------------

    def rest_url(self, route: str, params: dict[str, Any] | None = None) -> str:
        """The URL of ``route`` (e.g. ``/wp/v2/posts``); discovers the REST root on first use."""
        if self._root is None:
            self._root = self._discover()
        return _join(self._root, route, params or {})

    def _discover(self) -> str:
        url = self.site_url + "/"
        response = self._send("GET", url, retry=True, follow=True)
        if _retryable(response.status_code):
            raise self._http_error("GET", url, response, retry=True)
        link = response.links.get(API_REL, {}).get("url")
        # Without the Link header (stripped by some hosts), ?rest_route= works with any
        # permalink setting; the final URL keeps what redirects said about https and www.
        root = urljoin(response.url, link) if link else _site_of(response.url) + "/?rest_route=/"
        if self._password is not None:
            _require_https(root)
        log.debug("REST root of %s: %s", self.site_url, root)
        return root

    # -- requests -----------------------------------------------------------------------

    def get(self, route: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``route``; the parsed JSON. Retried."""
        return self._call("GET", route, retry=True, params=params)

    def get_all(self, route: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a list route, fetched 100 at a time."""
        items: list[Any] = []
        page = 1
        while True:
            url = self.rest_url(route, {**(params or {}), "per_page": PER_PAGE, "page": page})
            response = self._send("GET", url, retry=True)
            if page > 1 and _past_last_page(response):
                return items
            chunk = self._result("GET", url, response, retry=True)
            if not isinstance(chunk, list):
                raise self._error(f"GET {_shown(url)}: expected a list, got {_snippet(response)}")
            items.extend(chunk)
            total = _total_pages(response)
            # Some caches strip X-WP-TotalPages: then a short page is the last one.
            if (total is not None and page >= total) or (total is None and len(chunk) < PER_PAGE):
                return items
            page += 1

    def post(
        self, route: str, json: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> Any:
        """POST ``route``. Never retried: a create may succeed even when the answer is lost."""
        return self._call("POST", route, retry=False, params=params, json=json)

    def put(self, route: str, json: dict[str, Any]) -> Any:
        """PUT ``route`` (an update). Retried."""
        return self._call("PUT", route, retry=True, json=json)

    def delete(self, route: str, params: dict[str, Any] | None = None) -> Any:
        """DELETE ``route`` (to the trash unless ``force=true``). Retried."""
        return self._call("DELETE", route, retry=True, params=params)

    def upload_media(self, path: Path, filename: str) -> Any:
        """Upload a file as ``filename`` to the media library. Never retried."""
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CmsSyncError(f"{path}: cannot read: {exc.strerror}") from exc
        headers = {
            "Content-Type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            "Content-Disposition": _content_disposition(filename),
        }
        url = self.rest_url("/wp/v2/media")
        response = self._send("POST", url, retry=False, data=content, headers=headers)
        return self._result("POST", url, response, retry=False)

    def _call(
        self,
        method: str,
        route: str,
        *,
        retry: bool,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        url = self.rest_url(route, params)
        response = self._send(method, url, retry=retry, json=json)
        return self._result(method, url, response, retry=retry)

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
        answers = self._post_batch(chunk) if self._batch_ok else None
        if answers is None:
            self._batch_ok = False
            return [self._one(request) for request in chunk]
        results = []
        for request, answer in zip(chunk, answers, strict=True):
            # WordPress before 5.9 refuses posts in batches but runs the other requests.
            if _error_code(answer.get("body")) == "rest_batch_not_allowed":
                self._batch_ok = False
                results.append(self._one(request))
            else:
                results.append({"status": int(answer["status"]), "body": answer.get("body")})
        return results

    def _post_batch(self, chunk: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The answers to one batch, or None when the site does not take batches."""
        url = self.rest_url("/batch/v1")
        payload = {"validation": "normal", "requests": chunk}
        response = self._send("POST", url, retry=False, json=payload)
        if _batch_refused(response):
            log.info("%s does not take batch requests: sending them one by one", self.site_url)
            return None
        answer = self._result("POST", url, response, retry=False)
        answers = answer.get("responses") if isinstance(answer, dict) else None
        if not _batch_answers_fit(answers, len(chunk)):
            raise self._error(f"POST {_shown(url)}: unexpected batch answer: {_snippet(response)}")
        return answers

    def _one(self, request: dict[str, Any]) -> dict[str, Any]:
        """One batch sub-request sent on its own, answered in the batch's shape."""
        method = str(request["method"]).upper()
        parts = urlsplit(request["path"])
        url = self.rest_url(unquote(parts.path), dict(parse_qsl(parts.query)))
        retry = method != "POST"
        response = self._send(method, url, retry=retry, json=request.get("body"))
        if 200 <= response.status_code < 300:
            body = self._result(method, url, response, retry)
            return {"status": response.status_code, "body": body}
        failure = _understand(response)
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
        retry: bool,
        follow: bool = False,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one request, retrying when allowed; the last answer, whatever its status."""
        attempts = 1 + (self.max_retries if retry else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            self.requests_made += 1
            try:
                # No redirects for API calls: requests would turn a redirected POST into a GET.
                response = self._session.request(
                    method,
                    url,
                    json=json,
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=follow,
                )
            except requests.RequestException as exc:
                if last or not _transient(exc):
                    raise self._transport_error(method, url, exc, retried=attempt) from None
                problem, delay = _reason(exc), self._delay(attempt, None)
            else:
                self.requests_made += len(response.history)
                log.debug("%s %s: HTTP %s", method, _shown(url), response.status_code)
                if last or not _retryable(response.status_code):
                    return response
                problem, delay = f"HTTP {response.status_code}", self._delay(attempt, response)
            log.info("%s %s: %s; retrying in %g s", method, _shown(url), problem, delay)
            self.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _delay(self, attempt: int, response: requests.Response | None) -> float:
        after = None if response is None else _retry_after(response.headers.get("Retry-After"))
        return min(self.backoff * 2**attempt if after is None else after, MAX_DELAY)

    def _result(self, method: str, url: str, response: requests.Response, retry: bool) -> Any:
        """The parsed JSON of a successful answer; a WordPressError for anything else."""
        if not 200 <= response.status_code < 300:
            raise self._http_error(method, url, response, retry=retry)
        try:
            # Bytes, not text: json detects UTF-8 and skips the BOM some plugins emit.
            return jsonlib.loads(response.content)
        except ValueError:
            raise self._error(
                f"{method} {_shown(url)}: invalid JSON in the response: {_snippet(response)}",
                status=response.status_code,
            ) from None

    # -- errors ---------------------------------------------------------------------------

    def _http_error(
        self, method: str, url: str, response: requests.Response, *, retry: bool
    ) -> WordPressError:
        failure = _understand(response)
        head = f"HTTP {failure.status} {failure.code}" if failure.code else f"HTTP {failure.status}"
        gave_up = retry and self.max_retries > 0 and _retryable(failure.status)
        note = _gave_up(self.max_retries) if gave_up else ""
        return self._error(
            f"{method} {_shown(url)}: {head}: {failure.message}{note}",
            status=failure.status,
            code=failure.code,
            data=failure.data,
        )

    def _transport_error(
        self, method: str, url: str, exc: requests.RequestException, *, retried: int
    ) -> WordPressError:
        if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
            problem = f"no answer within {self.timeout:g} s; is the site overloaded?"
        elif isinstance(exc, requests.exceptions.SSLError):
            problem = f"TLS error: {_reason(exc)}; check the site's certificate"
        elif isinstance(exc, requests.ConnectionError | requests.Timeout):
            problem = f"cannot connect: {_reason(exc)}; is the site up?"
        else:  # too many redirects, an invalid URL, a garbled answer
            problem = f"{type(exc).__name__}: {_reason(exc)}"
        note = _gave_up(retried) if retried else ""
        return self._error(f"{method} {_shown(url)}: {problem}{note}")

    def _error(self, message: str, **attributes: Any) -> WordPressError:
        # Belt and braces: nothing should echo the password, but if a server ever does,
        # it must not reach the terminal or a CI log.
        if self._password:
            for secret in {self._password, self._password.replace(" ", "")}:
                message = message.replace(secret, HIDDEN)
        return WordPressError(message, **attributes)


# -- helpers ----------------------------------------------------------------------------------


def _check_site_url(site_url: str) -> None:
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CmsSyncError(f"site_url {_shown(site_url)!r} is not an https:// address")
    if parts.username or parts.password:
        raise CmsSyncError(
            f"site_url {_shown(site_url)} must not hold a user name or password: "
            "set the user in cms-sync.toml and the application password in the environment"
        )


def _require_https(url: str) -> None:
    """Application passwords travel in clear over http: allow that only for this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "http" and not _is_loopback(host):
        raise CmsSyncError(
            f"refusing to send the application password to {host} over plain http "
            f"({_shown(url)}): use https (plain http is allowed only for localhost)"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _site_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _join(root: str, route: str, params: dict[str, Any]) -> str:
    """``route`` under ``root``, either a path root (/wp-json/) or a ?rest_route= root."""
    parts = urlsplit(root)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    base = [value for key, value in pairs if key == "rest_route"]
    others = [(key, value) for key, value in pairs if key != "rest_route"]
    route = quote("/" + route.lstrip("/"), safe="/")
    query = urlencode(others + _param_pairs(params))
    path = parts.path
    if base:
        # The route is a query value here, so it is encoded like a path and kept first.
        query = "&".join(filter(None, ["rest_route=" + quote(base[0].rstrip("/")) + route, query]))
    else:
        path = path.rstrip("/") + route
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _param_pairs(params: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | tuple):
            # PHP keeps only the last of repeated keys; WordPress splits lists on commas.
            text = ",".join(str(item) for item in value)
        else:
            text = str(value)
        pairs.append((key, text))
    return pairs


def _shown(url: str) -> str:
    """The URL without any user name or password in it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _gave_up(retries: int) -> str:
    return f" (gave up after {retries} {'retry' if retries == 1 else 'retries'})"


def _retryable(status: int) -> bool:
    # 501 is excluded: a host that does not implement PUT or DELETE will not start to.
    return status == 429 or (status >= 500 and status != 501)


def _transient(exc: requests.RequestException) -> bool:
    # A certificate error or a redirect loop will be the same in a second.
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    return isinstance(exc, requests.ConnectionError | requests.Timeout)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, given as seconds or as an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _reason(exc: Exception) -> str:
    """The useful end of a requests/urllib3 connection error, on one line."""
    inner = exc.args[0] if exc.args else exc
    text = str(getattr(inner, "reason", inner))
    # Drop urllib3's "HTTPConnection(host='x', port=443): " and "<... object at 0x...>: ".
    text = re.sub(r"^(\w+\([^)]*\)|<[^>]*>): ", "", text)
    return " ".join(text.split()) or type(exc).__name__


def _understand(response: requests.Response) -> _Failure:
    status = response.status_code
    body = _json_or_none(response)
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code: str | None = body["code"]
        message = _plain(str(body.get("message") or ""))
        data = body.get("data") if isinstance(body.get("data"), dict) else None
    else:
        code, data = None, None
        message = HTML_ANSWER if _is_html(response) else f"unexpected answer: {_snippet(response)}"
    if status == 404 and code == "rest_no_route":
        message = NO_ROUTE
    elif status == 401:
        message = message.rstrip(".") + "; check the user name and the application password"
    elif status == 403 and code is not None:  # not for a proxy's HTML page
        message = message.rstrip(".") + "; the user lacks the capability for this"
    elif 300 <= status < 400:
        message = f"redirected to {response.headers.get('Location')}; use that address as site_url"
    return _Failure(status, code, message, data, body)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return jsonlib.loads(response.content)
    except ValueError:
        return None


def _is_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return "html" in content_type or response.content.lstrip()[:1] == b"<"


def _plain(message: str) -> str:
    """A WordPress message as plain text: no tags, no entities, one line."""
    return " ".join(unescape(re.sub(r"<[^>]*>", "", message)).split())


def _snippet(response: requests.Response) -> str:
    text = " ".join(response.content[:400].decode("utf-8", "replace").split())
    return text[:80] or "(empty)"


def _error_code(body: Any) -> str | None:
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _total_pages(response: requests.Response) -> int | None:
    value = response.headers.get("X-WP-TotalPages", "")
    return int(value) if value.isdigit() else None


def _past_last_page(response: requests.Response) -> bool:
    # Only reached without X-WP-TotalPages: posts answer a page too far with this 400.
    return response.status_code == 400 and (
        _error_code(_json_or_none(response)) == "rest_post_invalid_page_number"
    )


def _batch_refused(response: requests.Response) -> bool:
    """Whether the site does not take /batch/v1 at all (nothing in it was run)."""
    status = response.status_code
    if status == 404:  # no /batch/v1 before WordPress 5.6, or the host hides it
        return True
    if status == 403:  # /batch/v1 itself needs no capability: a plugin or host blocks it
        return True
    if status == 400:
        failure = _understand(response)
        return "batch" in f"{failure.code} {failure.message}".lower()
    return False


def _batch_answers_fit(answers: Any, count: int) -> bool:
    """Whether a 207's "responses" hold one {"status", "body"} per sub-request."""
    return (
        isinstance(answers, list)
        and len(answers) == count
        and all(isinstance(item, dict) and "status" in item for item in answers)
    )


def _content_disposition(filename: str) -> str:
    """``attachment; filename="ascii"`` plus RFC 5987 ``filename*`` for other names.

    WordPress reads only ``filename`` (and splits on ``;`` and ``=``), so the ASCII
    fallback is what it stores; ``filename*`` keeps the real name for other servers.
    """
    fallback = _ascii_name(filename)
    value = f'attachment; filename="{fallback}"'
    if fallback != filename:
        value += "; filename*=UTF-8''" + quote(filename, safe="")
    return value


def _ascii_name(filename: str) -> str:
    name = PurePosixPath(filename)
    suffix = re.sub(r"[^A-Za-z0-9.]", "", name.suffix)
    stem = unicodedata.normalize("NFKD", name.stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")
    return (stem or "media") + suffix
