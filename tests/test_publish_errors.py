"""publish error paths a real server will not produce on demand (mocked with `responses`)."""

from __future__ import annotations

import pytest
import responses
from click.testing import CliRunner

from cms_sync.cli import cli

SITE = "http://127.0.0.1:9"
PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"


@pytest.fixture
def ready(project):
    project.write("a.md", "---\ntitle: A\ncomment_status: closed\n---\nText.\n")
    return project


def publish(project, env: dict[str, str], *args: str):
    base = {
        "CI": "true",
        "CMS_SYNC_URL": SITE,
        "CMS_SYNC_USER": "editor",
        "CMS_SYNC_APP_PASSWORD": PASSWORD,
        "HOME": str(project.root),
    }
    options = [a for a in args if a in ("-q", "-v")]  # global options go first
    rest = [a for a in args if a not in options]
    result = CliRunner().invoke(
        cli, [*options, "--config", str(project.config), "publish", *rest], env={**base, **env}
    )
    assert PASSWORD not in result.output + result.stderr
    return result


def test_missing_password_in_ci_names_the_variables(ready):
    result = publish(ready, {"CMS_SYNC_APP_PASSWORD": ""})
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no application password for editor: set CMS_SYNC_APP_PASSWORD (and "
        "CMS_SYNC_URL, CMS_SYNC_USER if not in cms-sync.toml) or add 127.0.0.1 to ~/.netrc\n"
    )


@responses.activate
def test_password_from_netrc(ready):
    (ready.root / ".netrc").write_text("machine 127.0.0.1 login editor password from-netrc\n")
    ready.root.joinpath(".netrc").chmod(0o600)
    responses.get(SITE + "/", headers={"Link": f'<{SITE}/wp-json/>; rel="https://api.w.org/"'})
    responses.get(
        SITE + "/wp-json/wp/v2/users/me",
        status=401,
        json={"code": "rest_not_logged_in", "message": "You are not logged in."},
    )
    result = publish(ready, {"CMS_SYNC_APP_PASSWORD": ""})
    assert result.exit_code == 1
    assert "Error: WordPress did not accept the application password" in result.stderr
    auth = responses.calls[-1].request.headers["Authorization"]
    assert auth == "Basic ZWRpdG9yOmZyb20tbmV0cmM="  # editor:from-netrc


@responses.activate
def test_plain_http_to_a_remote_host_is_refused_before_any_request(ready):
    result = publish(ready, {"CMS_SYNC_URL": "http://blog.example.org"})
    assert result.exit_code == 1
    assert "blog.example.org" in result.stderr and "https" in result.stderr
    assert result.stderr.count("\n") == 1
    assert len(responses.calls) == 0


@responses.activate
def test_nothing_is_sent_while_an_article_is_invalid(ready):
    ready.write("b.md", "---\ntitle: B\nstatus: nope\n---\n")
    result = publish(ready, {})
    assert result.exit_code == 1
    assert len(responses.calls) == 0
    assert result.stderr.splitlines()[-1] == (
        "Error: 1 problem(s) in the articles; nothing was done"
    )


@responses.activate
def test_maintenance_page_is_one_error_line_after_logged_retries(ready):
    responses.get(SITE + "/", headers={"Link": f'<{SITE}/wp-json/>; rel="https://api.w.org/"'})
    responses.get(
        SITE + "/wp-json/wp/v2/users/me",
        status=503,
        body="<html><h1>Briefly unavailable for scheduled maintenance.</h1></html>",
        headers={"Retry-After": "0", "Content-Type": "text/html"},
    )
    result = publish(ready, {})
    assert result.exit_code == 1
    *retries, error = result.stderr.splitlines()
    assert (
        retries
        == [f"GET {SITE}/wp-json/wp/v2/users/me?context=edit: HTTP 503; retrying in 0 s"] * 4
    )
    assert error.startswith(f"Error: GET {SITE}/wp-json/wp/v2/users/me")
    assert "HTML" in error and "gave up after 4 retries" in error
    assert len(responses.calls) == 5  # the first try and 4 retries (/wp-json/: no discovery)
    quiet = publish(ready, {}, "-q")
    assert quiet.stderr.count("\n") == 1


@responses.activate
def test_missing_rest_route_is_explained(ready):
    responses.get(SITE + "/wp-json/wp/v2/users/me", status=404, body="<html>Not Found</html>")
    responses.get(SITE + "/")  # no Link header: fall back to ?rest_route=
    responses.get(
        SITE + "/",
        status=404,
        json={"code": "rest_no_route", "message": "No route was found."},
        match=[
            responses.matchers.query_param_matcher(
                {"rest_route": "/wp/v2/users/me", "context": "edit"}
            )
        ],
    )
    result = publish(ready, {})
    assert result.exit_code == 1
    assert "rest_no_route" in result.stderr
    assert result.stderr.count("\n") == 1


@responses.activate
def test_user_without_a_capability_is_told_which(ready):
    ready.write("a.md", "---\ntitle: A\nstatus: publish\ncomment_status: closed\n---\nText.\n")
    responses.get(SITE + "/", headers={"Link": f'<{SITE}/wp-json/>; rel="https://api.w.org/"'})
    responses.get(
        SITE + "/wp-json/wp/v2/users/me",
        json={"id": 3, "slug": "contributor", "capabilities": {"edit_posts": True}},
    )
    responses.get(SITE + "/wp-json/", json={"namespaces": ["wp/v2"]})
    responses.get(SITE + "/wp-json/wp/v2/block-types", json=[])
    responses.get(SITE + "/wp-json/wp/v2/posts", json=[], headers={"X-WP-TotalPages": "0"})
    responses.get(SITE + "/wp-json/wp/v2/blocks", json=[], headers={"X-WP-TotalPages": "0"})
    result = publish(ready, {})
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: WordPress user 'contributor' may not publish posts "
        "(missing publish_posts); nothing was written: ask an "
        "administrator for a role with it\n"
    )
    assert all(call.request.method == "GET" for call in responses.calls)


@responses.activate
def test_password_prompt_at_a_terminal_is_hidden(ready, monkeypatch):
    import cms_sync.credentials

    monkeypatch.setattr(cms_sync.credentials, "interactive", lambda: True)
    responses.get(SITE + "/", headers={"Link": f'<{SITE}/wp-json/>; rel="https://api.w.org/"'})
    responses.get(
        SITE + "/wp-json/wp/v2/users/me",
        status=401,
        json={"code": "rest_not_logged_in", "message": "You are not logged in."},
    )
    base = {
        "CMS_SYNC_URL": SITE,
        "CMS_SYNC_USER": "editor",
        "CMS_SYNC_APP_PASSWORD": "",
        "HOME": str(ready.root),
    }
    result = CliRunner().invoke(
        cli, ["--config", str(ready.config), "publish"], env=base, input="typed-secret\n"
    )
    assert "Application password for editor at 127.0.0.1: " in result.stderr
    assert "typed-secret" not in result.output + result.stderr
    auth = responses.calls[-1].request.headers["Authorization"]
    assert auth == "Basic ZWRpdG9yOnR5cGVkLXNlY3JldA=="  # editor:typed-secret
