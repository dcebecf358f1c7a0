"""Reading WordPress's answers: errors understood as one line, what is worth a retry,
paging headers and batch answers. Pure functions over a ``requests.Response``."""

from __future__ import annotations

import json as jsonlib
import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

HTML_ANSWER = "the server answered with HTML, not JSON (maintenance mode or a proxy error page?)"
LATER = {
    429: "; the host limits how often it may be asked: wait a few minutes, then run again",
    503: "; the site is unavailable for now: run again later",
}
NOT_JSON = "a firewall's challenge page or a plugin's output? `cms-sync doctor` shows what answers"
NO_ROUTE = "the REST route does not exist (is this WordPress? is the REST API disabled?)"


@dataclass(frozen=True)
class Failure:
    """An error answer, understood: what WordPress said, or what the body looked like."""

    status: int
    code: str | None
    message: str
    data: dict[str, Any] | None
    body: Any  # the parsed JSON error, or None when the body was not JSON


def gave_up(retries: int, deadline: float | None = None) -> str:
    """Why the last attempt was the last: the number of retries, or the time limit."""
    if deadline is None:
        return f" (gave up after {retries} {'retry' if retries == 1 else 'retries'})"
    tried = (
        f"gave up after {retries} {'retry' if retries == 1 else 'retries'}"
        if retries
        else ("not retried")
    )
    return f" ({tried}: cms-sync waits at most {deadline:g} s for one request)"


RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})  # worth a retry of a GET/PUT/DELETE


def retryable(status: int) -> bool:
    # 501 is left out: a host that does not implement PUT or DELETE will not start to.
    return status in RETRIED_STATUSES


def cause(exc: BaseException) -> BaseException:
    """What went wrong under a requests exception: urllib3's error, out of a MaxRetryError."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    reason = getattr(inner, "reason", None)
    return reason if isinstance(inner, MaxRetryError) and reason is not None else inner


def transport_problem(exc: requests.RequestException, wait: float, *, resent: bool) -> str:
    """Why a request got no whole answer, and what to do, for a one-line message. ``resent``:
    the request is idempotent (else WordPress may have done it: the next run looks first)."""
    under = cause(exc)
    if isinstance(exc, requests.exceptions.SSLError) or isinstance(under, SSLError):
        return f"TLS error: {reason(exc)}; check the site's certificate"
    if isinstance(exc, requests.ConnectTimeout) or isinstance(under, ConnectTimeoutError):
        return f"cannot connect: {reason(exc)}; is the site up?"
    if isinstance(exc, requests.Timeout) or isinstance(under, ReadTimeoutError):
        problem, advice = f"no answer within {wait:g} s", "is the site overloaded?"
    elif isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        problem = f"the connection closed before the whole answer came ({reason(exc)})"
        advice = "is the site restarting, or a proxy cutting it?"
    else:
        return f"{type(exc).__name__}: {reason(exc)}"  # an invalid URL, a garbled answer
    if not resent:  # a POST: the site may have done it before the answer was lost
        advice = "WordPress may have done it all the same: the next run looks before it writes"
    return f"{problem}; {advice}"


def reason(exc: BaseException) -> str:
    """The useful end of a requests/urllib3 connection error, on one line."""
    inner = cause(exc)
    if isinstance(inner, ProtocolError) and len(inner.args) == 2:  # ("Connection aborted.", e)
        inner = inner.args[1] if isinstance(inner.args[1], BaseException) else inner
    text = str(getattr(inner, "reason", inner))
    if type(inner).__module__ in ("builtins", "http.client") and not text.startswith("["):
        text = f"{type(inner).__name__}: {text}" if text else type(inner).__name__
    # Drop urllib3's "HTTPConnection(host='x', port=443): " and "<... object at 0x...>: ".
    text = re.sub(r"^(\w+\([^)]*\)|<[^>]*>): ", "", text)
    return " ".join(text.split()) or type(exc).__name__


def understand(response: requests.Response) -> Failure:
    status = response.status_code
    body = json_or_none(response)
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code: str | None = body["code"]
        message = plain(str(body.get("message") or ""))
        data = body.get("data") if isinstance(body.get("data"), dict) else None
    else:
        code, data = None, None
        message = HTML_ANSWER if is_html(response) else f"unexpected answer: {snippet(response)}"
        message += LATER.get(
            status, "; run again later, or see the site's error log" * retryable(status)
        )
    if status == 404 and code == "rest_no_route":
        message = NO_ROUTE
    elif status == 401:
        message = message.rstrip(".") + "; check the user name and the application password"
    elif status == 403 and code is not None:  # not for a proxy's HTML page
        message = message.rstrip(".") + "; the user lacks the capability for this"
    elif 300 <= status < 400:
        message = f"redirected to {response.headers.get('Location')}; use that address as site_url"
    return Failure(status, code, message, data, body)


def json_or_none(response: requests.Response) -> Any:
    try:
        return jsonlib.loads(response.content)
    except ValueError:
        return None


def is_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return "html" in content_type or response.content.lstrip()[:1] == b"<"


def plain(message: str) -> str:
    """A WordPress message as plain text: no tags, no entities, one line."""
    return " ".join(unescape(re.sub(r"<[^>]*>", "", message)).split())


def snippet(response: requests.Response) -> str:
    text = " ".join(response.content[:400].decode("utf-8", "replace").split())
    return text[:80] or "(empty)"


def error_code(body: Any) -> str | None:
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def total_pages(response: requests.Response) -> int | None:
    value = response.headers.get("X-WP-TotalPages", "")
    return int(value) if value.isdigit() else None


def past_last_page(response: requests.Response) -> bool:
    # Only reached without X-WP-TotalPages: posts answer a page too far with this 400.
    return response.status_code == 400 and (
        error_code(json_or_none(response)) == "rest_post_invalid_page_number"
    )


def batch_refused(response: requests.Response) -> bool:
    """Whether the site does not take /batch/v1 at all (nothing in it was run)."""
    status = response.status_code
    if status == 404:  # no /batch/v1 before WordPress 5.6, or the host hides it
        return True
    if status == 403:  # /batch/v1 itself needs no capability: a plugin or host blocks it
        return True
    if status == 400:
        failure = understand(response)
        return "batch" in f"{failure.code} {failure.message}".lower()
    return False


def batch_answers_fit(answers: Any, count: int) -> bool:
    """Whether a 207's "responses" hold one {"status", "body"} per sub-request."""
    return (
        isinstance(answers, list)
        and len(answers) == count
        and all(isinstance(item, dict) and "status" in item for item in answers)
    )
