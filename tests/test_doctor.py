"""`cms-sync doctor`: the read-only preflight, against a fake WordPress and the real one.

The fake here (:class:`DoctorWordPress`) adds to FakeWordPress what doctor reads and the
fast tests do not otherwise need, as WordPress 6.1 does it: ``authentication`` and the
``/batch/v1`` route in the REST index, the refusals of ``wp_authenticate_application_password``
(401 ``incorrect_password`` for a known user, ``invalid_username`` for an unknown one), and
switches for a server that strips the Authorization header, application passwords turned
off, no batch route and the companion plugin.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from cms_sync.cli import cli
from cms_sync.doctor import FAIL, OK, SKIP, WARN, Diagnosis, diagnose

from .fake_wordpress import Call, FakeWordPress, RestError, _json_response, _response
from .publishing import cli_env


class DoctorWordPress(FakeWordPress):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.strips_authorization = False
        self.refuses_credentials = False  # 401 incorrect_password rather than anonymous
        self.application_passwords = True
        self.xmlrpc = True
        self.batch = True
        self.companion_version: str | None = None
        self.version = "6.1.9"
        self.rest_refuses: str | None = None  # "everyone", "anonymous" or a login name

    def handle(self, request: requests.PreparedRequest) -> requests.Response:
        url = request.url or ""
        if url == f"{self.url}/xmlrpc.php":
            return self._xmlrpc(request)
        header = request.headers.get("Authorization", "")
        if self.strips_authorization:
            request.headers.pop("Authorization", None)
        elif self.refuses_credentials and header.startswith("Basic "):
            refusal = self._refusal(header)
            if refusal is not None and url.rstrip("/") != self.url:
                return _json_response(request, 401, refusal.body())
        refused = self._rest_refusal(request)
        if refused is not None:
            return _json_response(request, refused.status, refused.body())
        response = super().handle(request)
        if url.rstrip("/") == self.url:
            page = f'<meta name="generator" content="WordPress {self.version}" />'
            response._content = page.encode()
        return response

    def _rest_refusal(self, request: requests.PreparedRequest) -> RestError | None:
        """A rest_authentication_errors filter: for everyone, for whoever is not logged
        in (most "disable REST API" plugins), or for one user (a security plugin's rule)."""
        url = request.url or ""
        if self.rest_refuses is None or not ("/wp-json" in url or "rest_route=" in url):
            return None
        header = request.headers.get("Authorization", "")
        user = self._login(header) if header.startswith("Basic ") else None
        if self.rest_refuses == "everyone":
            return RestError(403, "rest_disabled", "The REST API is disabled.")
        if self.rest_refuses == "anonymous" and user is None:
            return RestError(401, "rest_not_logged_in", "Only logged-in users.")
        if user is not None and user.login == self.rest_refuses:
            return RestError(403, "rest_forbidden", "Not for you.")
        return None

    def _xmlrpc(self, request: requests.PreparedRequest) -> requests.Response:
        """wp.getUsersBlogs: the credentials in the body; fault 403 when wrong, 405 off."""
        self.calls.append(Call("POST", "xmlrpc", {}, None, None))
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        login, password = re.findall(r"<string>(.*?)</string>", body)
        user = self.users.get(html.unescape(login))
        if not self.xmlrpc:
            fault = 405
        elif user is None or html.unescape(password) != user.password:
            fault = 403
        else:
            answer = "<methodResponse><params><param><value><array><data/></array></value>"
            return _response(
                request, 200, f"{answer}</param></params></methodResponse>".encode(), {}
            )
        member = f"<member><name>faultCode</name><value><int>{fault}</int></value></member>"
        fault_value = f"<fault><value><struct>{member}</struct></value></fault>"
        page = f"<methodResponse>{fault_value}</methodResponse>"
        return _response(request, 200, page.encode(), {})

    def _refusal(self, header: str) -> RestError | None:
        login, _, _ = base64.b64decode(header[6:]).decode().partition(":")
        if login not in self.users:
            return RestError(401, "invalid_username", "Unknown username.")
        if not self.application_passwords:
            return RestError(401, "application_passwords_disabled", "Not available.")
        if self._login(header) is None:
            return RestError(401, "incorrect_password", "Invalid application password.")
        return None

    def _index(self, call: Any) -> Any:
        namespaces = ["oembed/1.0", "wp/v2", "wp-site-health/v1"]
        if self.companion_version:
            namespaces.append("cms-sync/v1")
        index: dict[str, Any] = {"namespaces": namespaces, "routes": {"/": {}}}
        index["authentication"] = (
            {"application-passwords": {"endpoints": {}}} if self.application_passwords else []
        )
        if self.batch:
            index["routes"]["/batch/v1"] = {"methods": ["POST"]}
        return 200, index, {}

    def _route(self, call: Any) -> Any:
        if call.route == "/cms-sync/v1/info" and self.companion_version:
            return lambda _: (200, {"version": self.companion_version, "features": []}, {})
        return super()._route(call)


def run(site: DoctorWordPress, user: str = "admin", password: str | None = None) -> Diagnosis:
    login = site.users[user]
    return diagnose(site.url, login.login, password or login.password, session=site.session)


def states(found: Diagnosis) -> dict[str, str]:
    return {check.name: check.state for check in found.checks}


def check(found: Diagnosis, name: str) -> Any:
    return next(c for c in found.checks if c.name == name)


def test_an_administrator_on_a_healthy_site_passes_every_check():
    site = DoctorWordPress()
    found = run(site)
    assert set(states(found).values()) == {OK}, found.as_text()
    assert found.ok
    assert "logged in as admin (administrator)" in check(found, "authentication").finding
    assert check(found, "REST API").finding == f"at {site.url}/wp-json/ (pretty permalinks)"
    assert check(found, "WordPress version").finding == "6.1.9"
    assert "not active" in check(found, "companion plugin").finding
    assert site.writes() == []  # read-only


def test_plain_permalinks_use_the_rest_route_form():
    found = run(DoctorWordPress(pretty_permalinks=False))
    assert found.ok
    assert "?rest_route=" in check(found, "REST API").finding


def test_an_author_is_warned_of_the_capabilities_missing():
    found = run(DoctorWordPress(), "author")
    caps = check(found, "capabilities")
    assert caps.state == WARN and found.ok
    assert caps.finding == "no unfiltered_html, edit_others_posts"
    assert "stripped" in caps.todo and "Editor" in caps.todo


def test_a_wrong_password_is_told_apart_from_a_stripped_header():
    found = run(DoctorWordPress(), password="wrong pass word")
    auth = check(found, "authentication")
    assert auth.state == FAIL and not found.ok
    assert "is wrong (XML-RPC refuses them too)" in auth.finding
    assert "Application Passwords" in auth.todo and "SetEnvIf" not in auth.todo
    for name in ("capabilities", "batch API", "synced patterns", "companion plugin"):
        assert check(found, name).state == SKIP


def test_a_password_refused_by_the_rest_api_needs_no_xml_rpc():
    site = DoctorWordPress()
    site.refuses_credentials = True
    found = run(site, password="wrong pass word")
    assert check(found, "REST API").state == OK  # the index, read without the credentials
    auth = check(found, "authentication")
    assert "received the credentials" in auth.finding and "wrong" in auth.finding
    assert site.count("POST", "xmlrpc") == 0


def test_a_stripped_authorization_header_gets_the_server_fixes():
    site = DoctorWordPress()
    site.strips_authorization = True
    auth = check(run(site), "authentication")
    assert auth.state == FAIL
    assert "the server strips the Authorization header" in auth.finding
    assert "SetEnvIf Authorization" in auth.todo and "fastcgi_param" in auth.todo
    assert "Application Passwords" not in auth.todo


def test_without_xml_rpc_both_causes_and_both_fixes_are_given():
    site = DoctorWordPress()
    site.strips_authorization = True
    site.xmlrpc = False
    auth = check(run(site), "authentication")
    assert "password is wrong, or the server strips" in auth.finding
    assert "Application Passwords" in auth.todo and "SetEnvIf" in auth.todo


def test_application_passwords_turned_off_stop_the_checks_that_need_them():
    site = DoctorWordPress()
    site.application_passwords = False
    found = run(site)
    assert check(found, "application passwords").state == FAIL
    todo = check(found, "application passwords").todo  # the site is on https already:
    assert "wp_is_application_passwords_available filter" in todo and "https" not in todo
    assert check(found, "authentication").state == SKIP


def test_a_rest_api_turned_off_for_everyone_is_told_apart_from_one_for_users_only():
    site = DoctorWordPress()
    site.rest_refuses = "everyone"
    rest = check(run(site), "REST API")
    assert rest.state == FAIL and rest.finding.startswith("turned off: WordPress answers HTTP 403")
    site.rest_refuses = "anonymous"
    assert run(site).ok  # cms-sync logs in: a REST API for logged-in users only is enough


def test_a_rest_api_for_logged_in_users_only_with_the_header_stripped_gets_the_fix():
    site = DoctorWordPress()
    site.rest_refuses = "anonymous"
    site.strips_authorization = True
    found = run(site)
    rest = check(found, "REST API")
    assert (rest.state, rest.todo) == (WARN, "see authentication below")
    assert "answers only logged-in users (HTTP 401 rest_not_logged_in)" in rest.finding
    assert check(found, "application passwords").state == SKIP
    auth = check(found, "authentication")
    assert auth.state == FAIL and "SetEnvIf Authorization" in auth.todo


def test_a_rest_api_refused_to_this_user_only_says_so():
    site = DoctorWordPress()
    site.rest_refuses = "admin"
    rest = check(run(site), "REST API")
    assert rest.finding == "answers anonymous readers but refuses admin (HTTP 403 rest_forbidden)"
    assert rest.todo.endswith("allow it for admin")


def test_no_batch_route_is_a_warning():
    site = DoctorWordPress()
    site.batch = False
    found = run(site)
    assert check(found, "batch API").state == WARN and found.ok


def test_the_companion_plugin_and_its_version():
    site = DoctorWordPress()
    site.companion_version = "0.1.0"
    assert check(run(site), "companion plugin").finding == "active, version 0.1.0"


def test_an_html_page_instead_of_the_rest_api_is_a_firewall_in_the_way():
    site = DoctorWordPress()
    site.unavailable("GET", "/", times=None, status=403)
    found = run(site)
    rest = check(found, "REST API")
    assert rest.state == FAIL and "firewall" in rest.todo
    assert check(found, "authentication").state == SKIP


def test_an_unreachable_site_fails_first():
    found = diagnose("http://127.0.0.1:9", "admin", "a b c")
    assert check(found, "reachable").state == FAIL
    assert check(found, "REST API").state == SKIP


def test_the_command_prints_a_line_per_check_and_exits_1_on_failure(project, monkeypatch):
    site = DoctorWordPress()
    site.install(monkeypatch)
    env = cli_env(project, site)
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", str(project.config), "doctor"], env=env)
    assert result.exit_code == 0, result.output
    assert "authentication" in result.output and "0 failed" in result.output
    env["CMS_SYNC_APP_PASSWORD"] = "wrong"
    args = ["--config", str(project.config), "doctor", "--json"]
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["ok"] is False and "wrong" not in json.dumps(answer["checks"][0])


# -- the real WordPress -----------------------------------------------------------------------


def real(wp: Any, role: str = "admin", password: str | None = None) -> Diagnosis:
    login = wp.state[role]
    return diagnose(wp.url, login["user"], password or login["app_password"])


def test_the_real_site_passes_every_check_as_administrator(wp):
    found = real(wp)
    assert found.ok, found.as_text()
    assert set(states(found).values()) == {OK}, found.as_text()


@contextlib.contextmanager
def authorization_stripped(wp: Any) -> Iterator[None]:
    """The test site's router (a copy in its workdir, which php -S reads on each request)
    drops the credentials before WordPress sees them, as CGI hosting does; put back after."""
    router = Path(wp.state["workdir"]) / "router.php"
    original = router.read_text()
    strip = (
        "unset($_SERVER['HTTP_AUTHORIZATION'], $_SERVER['PHP_AUTH_USER'], $_SERVER['PHP_AUTH_PW']);"
    )
    router.write_text(original.replace("<?php\n", f"<?php\n{strip}\n", 1))
    try:
        _wait_for_login(wp, 401)  # opcache looks at the file's time every 2 s
        yield
    finally:
        router.write_text(original)
        _wait_for_login(wp, 200)


def _wait_for_login(wp: Any, status: int) -> None:
    deadline = time.monotonic() + 15
    while True:
        answer = wp.session.get(f"{wp.url}/wp-json/wp/v2/users/me", timeout=30).status_code
        if answer == status:
            return
        assert time.monotonic() < deadline, f"users/me answers {answer}, not {status}"
        time.sleep(0.5)


def test_the_real_site_with_the_header_stripped_gets_the_fix(wp):
    with authorization_stripped(wp):
        found = real(wp)
    auth = check(found, "authentication")
    assert "the server strips the Authorization header" in auth.finding, auth
    assert "SetEnvIf Authorization" in auth.todo


def test_the_real_site_tells_a_wrong_password(wp):
    auth = check(real(wp, password="aaaa bbbb cccc dddd eeee ffff"), "authentication")
    assert auth.state == FAIL and "wrong" in auth.finding, auth


@pytest.mark.compat
def test_the_real_site_shows_the_companion_version(companion):
    found = real(companion)
    assert check(found, "companion plugin").finding.startswith("active, version 0."), found


@contextlib.contextmanager
def mu_plugin(wp: Any, name: str, php: str) -> Iterator[None]:
    """A must-use plugin on the test site (loaded on every request while the file is there),
    removed afterwards."""
    folder = Path(wp.state["workdir"]) / "www" / "wp-content" / "mu-plugins"
    folder.mkdir(exist_ok=True)
    plugin = folder / f"{name}.php"
    plugin.write_text(f"<?php\n{php}\n")
    try:
        yield
    finally:
        plugin.unlink()


@pytest.mark.compat
def test_the_real_site_with_application_passwords_turned_off_by_a_filter(wp):
    off = "add_filter('wp_is_application_passwords_available', '__return_false');"
    with mu_plugin(wp, "no-application-passwords", off):
        found = real(wp)
    assert check(found, "REST API").state == OK
    passwords = check(found, "application passwords")
    assert (passwords.state, passwords.finding) == (FAIL, "turned off on this site")
    assert "wp_is_application_passwords_available filter turns them off" in passwords.todo
    assert "serve the site over https" in passwords.todo  # the test site is on plain http
    assert check(found, "authentication").state == SKIP
    assert real(wp).ok  # the filter is gone with the plugin


REST_OFF = """add_filter('rest_authentication_errors', function ($result) {
    return new WP_Error('rest_disabled', 'The REST API is disabled.', ['status' => 403]);
});"""
# What most "disable REST API" plugins do: refuse whoever is not logged in.
REST_LOGIN_ONLY = """add_filter('rest_authentication_errors', function ($result) {
    if (!empty($result) || is_user_logged_in()) {
        return $result;
    }
    return new WP_Error('rest_not_logged_in', 'Only logged-in users.', ['status' => 401]);
});"""


@pytest.mark.compat
def test_the_real_site_with_the_rest_api_turned_off(wp):
    with mu_plugin(wp, "no-rest-api", REST_OFF):
        found = real(wp)
    rest = check(found, "REST API")
    assert rest.state == FAIL, found.as_text()
    assert rest.finding == (
        "turned off: WordPress answers HTTP 403 rest_disabled to every request, even the index"
    )
    assert "rest_authentication_errors filter" in rest.todo and "logged-in users" in rest.todo
    assert check(found, "authentication").state == SKIP


@pytest.mark.compat
def test_the_real_site_with_the_rest_api_for_logged_in_users_only_works(wp):
    with mu_plugin(wp, "rest-api-login-only", REST_LOGIN_ONLY):
        found = real(wp)
        anonymous = requests.get(f"{wp.url}/wp-json/", timeout=30)
    assert anonymous.status_code == 401  # the plugin is at work
    assert found.ok and set(states(found).values()) == {OK}, found.as_text()
