"""The application password goes to the configured site only, and nowhere else: not in any
output, log line, report or file, whatever the command, the flags or the failure; not to
another host a redirect or the REST Link header points at; not over plain http."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from click.testing import CliRunner, Result

from cms_sync import __version__
from cms_sync.cli import cli
from cms_sync.credentials import SiteAuth
from cms_sync.errors import CmsSyncError
from cms_sync.wordpress import Client, WordPressError

from .fake_wordpress import FakeWordPress

SITE = "https://blog.invalid"  # a reserved name: a request that escaped a mock goes nowhere
ROOT = SITE + "/wp-json/"
ME = ROOT + "wp/v2/users/me"
OTHER = "https://api.other.invalid"
SENTINEL = "s3nt SENT inel 0042 cmsX 9zzq"  # an application password, spaces as WordPress shows
USER = "editor"
BASIC = base64.b64encode(f"{USER}:{SENTINEL}".encode()).decode("ascii")
FORMS = (SENTINEL, SENTINEL.replace(" ", ""), BASIC, BASIC.replace("/", "\\/"))


def assert_no_secret(*texts: str, under: Path | None = None) -> None:
    """The password, as typed, without spaces, or as HTTP Basic's base64, in none of
    ``texts`` and in no file under ``under``."""
    for text in texts:
        for form in FORMS:
            assert form not in text
    for path in sorted(under.rglob("*")) if under else []:
        if path.is_file() and not path.is_symlink():
            content = path.read_bytes()
            for form in FORMS:
                assert form.encode() not in content, path


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's waits between retries, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr("cms_sync.wordpress.time.sleep", slept.append)
    return slept


def cms(project: Any, *args: str, env: dict[str, str] | None = None) -> Result:
    """cms-sync run as in CI with the sentinel password; global options go first."""
    base = {
        "CI": "true",
        "CMS_SYNC_URL": SITE,
        "CMS_SYNC_USER": USER,
        "CMS_SYNC_APP_PASSWORD": SENTINEL,
        "HOME": str(project.root),
    }
    options = [a for a in args if a in ("-v", "-q", "--debug")]
    rest = [a for a in args if a not in options]
    return CliRunner().invoke(
        cli, [*options, "--config", str(project.config), *rest], env={**base, **(env or {})}
    )


# -- every command, on a working site -----------------------------------------------------


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> FakeWordPress:
    """The in-memory WordPress at SITE, its editor's application password the sentinel."""
    fake = FakeWordPress(SITE)
    fake.users[USER].password = SENTINEL
    fake.install(monkeypatch)
    return fake


RUNS = [
    ("check",),
    ("check", "--json"),
    ("plan",),
    ("-v", "--debug", "publish", "--json"),
    ("-v", "publish"),
    ("--debug", "plan", "--format", "markdown", "--diff"),
    ("-v", "status"),
    ("-v", "--debug", "pull", "--json"),
    ("pull",),
    ("render", "--out", "out"),
]


def test_no_command_prints_or_writes_the_password(
    project: Any, site: FakeWordPress, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # requests' and urllib3's loggers too
    project.write("a.md", "---\ntitle: A\nstatus: publish\ncomment_status: open\n---\nText.\n")
    outputs = []
    for run in RUNS:
        result = cms(project, *run)
        assert result.exit_code in (0, 4), (run, result.output)
        outputs += [result.stdout, result.stderr]
    post = site.items("posts")[0]
    site.api("POST", f"/wp/v2/posts/{post.id}", json={"title": "Edited in wp-admin"})
    assert cms(project, "-v", "pull").exit_code == 0  # a file written from the site

    assert "Edited in wp-admin" in project.articles.joinpath("a.md").read_text()
    assert any(call.user is not None and call.user.login == USER for call in site.calls)
    assert_no_secret(*outputs, caplog.text, under=project.root)


# -- every command, on a failing site -----------------------------------------------------

ECHO = (
    "<html><body><h1>500 Internal Server Error</h1><pre>HTTP_AUTHORIZATION: Basic {basic}\n"
    "PHP_AUTH_USER: editor\nPHP_AUTH_PW: {password}</pre></body></html>"
)


def echoing_500(rsps: responses.RequestsMock) -> None:
    """A broken host that prints the request's headers in its error page."""
    body = ECHO.format(basic=BASIC, password=SENTINEL.replace(" ", "\n"))
    headers = {"Content-Type": "text/html", "Retry-After": "0"}
    rsps.get(ME, status=500, body=body, headers=headers)


def echoing_json(rsps: responses.RequestsMock) -> None:
    """A plugin's JSON error quoting the header, with PHP's escaped slashes."""
    escaped = BASIC.replace("/", "\\/")
    body = f'{{"code":"bad","message":"Authorization: Basic {escaped} for {SENTINEL}"}}'
    rsps.get(ME, status=400, body=body, content_type="application/json")


def echoing_200(rsps: responses.RequestsMock) -> None:
    """A 200 that is not JSON, as a debugging proxy might answer: its start is quoted."""
    body = f"Authorization: Basic {BASIC}\r\nPHP_AUTH_PW: {SENTINEL}\r\n"
    rsps.get(ME, body=body, content_type="text/plain")


def refused(rsps: responses.RequestsMock) -> None:
    body = {"code": "rest_not_logged_in", "message": "You are not logged in.", "data": {}}
    rsps.get(ME, status=401, json=body)


def down(rsps: responses.RequestsMock) -> None:
    rsps.replace(responses.GET, SITE + "/", body=requests.ConnectionError("Connection refused"))


def stalled(rsps: responses.RequestsMock) -> None:
    rsps.replace(responses.GET, SITE + "/", body=requests.ReadTimeout("Read timed out."))


FAILURES: dict[str, Callable[[responses.RequestsMock], None]] = {
    "500-echoing-headers": echoing_500,
    "400-json-echo": echoing_json,
    "200-text-echo": echoing_200,
    "401": refused,
    "site-down": down,
    "stalled": stalled,
}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(SITE + "/", headers={"Link": f'<{ROOT}>; rel="https://api.w.org/"'})
        yield mock


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize(
    "run",
    [("plan",), ("-v", "plan", "--json"), ("--debug", "publish"), ("-v", "--debug", "pull"),
     ("status",), ("publish", "--format", "markdown")],
    ids=" ".join,
)  # fmt: skip
def test_no_failure_prints_the_password(
    project: Any,
    rsps: responses.RequestsMock,
    quick: list[float],
    caplog: pytest.LogCaptureFixture,
    failure: str,
    run: tuple[str, ...],
) -> None:
    caplog.set_level(logging.DEBUG)
    project.write("a.md", "---\ntitle: A\ncomment_status: closed\n---\nText.\n")
    FAILURES[failure](rsps)

    result = cms(project, *run)

    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1].startswith("Error: ")
    assert_no_secret(result.stdout, result.stderr, caplog.text, under=project.root)
    if failure.endswith("-echo"):  # the message quotes the answer, and the echo is hidden
        assert "Basic [hidden]" in result.stderr


# -- credentials go to the site's origin only ---------------------------------------------


def not_routed(rsps: responses.RequestsMock) -> None:
    """/wp-json/ not routed to WordPress (a 404 page): the front page says where the API is."""
    rsps.get(re.compile(re.escape(ROOT) + ".*"), status=404, body="<html>Not Found</html>")


def elsewhere(rsps: responses.RequestsMock) -> list[str]:
    """The requests that went anywhere but SITE (with a password or not)."""
    return [
        call.request.url or ""
        for call in rsps.calls
        if not (call.request.url or "").startswith(SITE + "/")
    ]


PASSWORD_ONLY_TO_SITE = (
    "not on blog.invalid: cms-sync sends the application password only to site_url's host; "
    f"if api.other.invalid is really the site, set site_url to {OTHER}\n"
)


@pytest.mark.parametrize(
    ("front_page", "said"),
    [
        (
            {"headers": {"Link": f'<{OTHER}/wp-json/>; rel="https://api.w.org/"'}},
            f"Error: the site's Link header puts its REST API at {OTHER}/wp-json/, ",
        ),
        (
            {"status": 301, "headers": {"Location": OTHER + "/"}},
            f"Error: {SITE}/ redirects to {OTHER}/, ",
        ),
    ],
    ids=["link-header", "redirect"],
)
def test_another_host_stops_the_run_before_any_api_call(
    project: Any, rsps: responses.RequestsMock, front_page: dict[str, Any], said: str
) -> None:
    project.write("a.md", "---\ntitle: A\ncomment_status: closed\n---\nText.\n")
    not_routed(rsps)
    rsps.replace(responses.GET, SITE + "/", **front_page)
    rsps.get(OTHER + "/", headers={"Link": f'<{OTHER}/wp-json/>; rel="https://api.w.org/"'})
    rsps.get(OTHER + "/wp-json/wp/v2/users/me", json={"id": 1})

    result = cms(project, "publish")

    assert result.exit_code == 1
    assert result.stderr == said + PASSWORD_ONLY_TO_SITE
    assert len(rsps.calls) == 2  # /wp-json/ (a 404 page) and the front page, nothing after
    assert elsewhere(rsps) == []


@pytest.mark.parametrize("how", ["redirect", "link"])
def test_a_downgrade_to_plain_http_is_refused(
    project: Any, rsps: responses.RequestsMock, how: str
) -> None:
    project.write("a.md", "---\ntitle: A\ncomment_status: closed\n---\nText.\n")
    plain = "http://blog.invalid"
    not_routed(rsps)
    if how == "redirect":
        rsps.replace(responses.GET, SITE + "/", status=302, headers={"Location": plain + "/"})
    else:
        link = f'<{plain}/wp-json/>; rel="https://api.w.org/"'
        rsps.replace(responses.GET, SITE + "/", headers={"Link": link})
    rsps.get(plain + "/", headers={"Link": f'<{plain}/wp-json/>; rel="https://api.w.org/"'})

    result = cms(project, "publish")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: refusing to send the application password over plain http: "
    )
    assert "make the site answer on https" in result.stderr
    assert result.stderr.count("\n") == 1
    assert elsewhere(rsps) == []


def test_a_redirect_on_the_same_site_is_followed_with_the_password(
    rsps: responses.RequestsMock,
) -> None:
    not_routed(rsps)
    rsps.replace(responses.GET, SITE + "/", status=301, headers={"Location": "/blog/"})
    rsps.get(SITE + "/blog/")  # no Link header: ?rest_route= under /blog/
    rsps.get(SITE + "/blog/?rest_route=/wp/v2/users/me", json={"id": 1})

    assert Client(SITE, USER, SENTINEL).get("/wp/v2/users/me") == {"id": 1}
    assert rsps.calls[-1].request.headers["Authorization"] == "Basic " + BASIC


def test_an_api_call_redirected_to_another_host_is_not_followed(
    rsps: responses.RequestsMock,
) -> None:
    rsps.get(ME, status=302, headers={"Location": OTHER + "/wp-json/wp/v2/users/me"})

    with pytest.raises(WordPressError, match=f"redirected to {OTHER}/"):
        Client(SITE, USER, SENTINEL).get("/wp/v2/users/me")

    assert elsewhere(rsps) == []


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        (SITE + "/wp-json/", True),
        ("https://blog.invalid:443/x", True),
        ("http://blog.invalid/x", False),
        ("https://blog.invalid:8443/x", False),
        ("https://www.blog.invalid/x", False),
        (OTHER + "/x", False),
    ],
)
def test_the_password_is_attached_only_to_the_sites_origin(url: str, sent: bool) -> None:
    request = requests.Request("GET", url, auth=SiteAuth(USER, SENTINEL, SITE)).prepare()

    assert ("Authorization" in request.headers) is sent
    assert SENTINEL not in repr(SiteAuth(USER, SENTINEL, SITE))


def test_a_media_url_on_another_host_is_not_downloaded(rsps: responses.RequestsMock) -> None:
    with pytest.raises(CmsSyncError, match=f"is not on {SITE}: not downloaded"):
        Client(SITE, USER, SENTINEL).download(OTHER + "/wp-content/uploads/a.png")

    assert len(rsps.calls) == 0


# -- a stalled site, TLS, the user agent --------------------------------------------------


def test_tls_is_verified_and_a_private_ca_bundle_is_honoured(
    rsps: responses.RequestsMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rsps.get(ME, json={"id": 1})
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(variable, raising=False)
    Client(SITE, USER, SENTINEL).get("/wp/v2/users/me")
    bundle = tmp_path / "private-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    Client(SITE, USER, SENTINEL).get("/wp/v2/users/me")

    verify = [call.request.req_kwargs["verify"] for call in rsps.calls]
    assert verify == [True, str(bundle)]


def test_the_user_agent_names_cms_sync_and_its_version(rsps: responses.RequestsMock) -> None:
    rsps.get(ME, json={"id": 1})
    Client(SITE, USER, SENTINEL).get("/wp/v2/users/me")

    assert {call.request.headers["User-Agent"] for call in rsps.calls} == {
        f"cms-sync/{__version__}"
    }
