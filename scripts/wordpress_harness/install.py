"""Install WordPress and its users: the web installer, then what it has no form field for.

The install goes through ``wp-admin/install.php`` exactly as a browser would, so the site is
what a person gets.  Then WordPress's own PHP (``php/setup.php``) sets ``/%postname%/``
permalinks, adds an Author (the role without ``unfiltered_html``, which the tests need) and
creates application passwords, which have no installer field and must never be typed into a
form.  Last, the site is checked over HTTP for what cms-sync relies on.  urllib keeps the
harness free of anything beyond the standard library.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .processes import failure, program, run
from .webserver import PHP_INI

SETUP_SCRIPT = Path(__file__).parent / "php" / "setup.php"
ADMIN_SCRIPT = Path(__file__).parent / "php" / "admin.php"
APP_PASSWORD_NAME = "cms-sync-tests"
PERMALINKS = "/%postname%/"


def install(workdir: Path, url: str) -> tuple[dict[str, dict[str, Any]], str]:
    """Install the site at url; return the admin's and the author's accounts, and the theme."""
    admin_password = secrets.token_urlsafe(16)
    author_password = secrets.token_urlsafe(16)
    _run_installer(workdir, url, admin_password)
    setup = _run_setup(workdir, url, author_password)
    if setup.get("permalink_structure") != PERMALINKS:
        message = f"setup.php left permalinks at {setup.get('permalink_structure')!r}"
        raise failure(message, workdir / "setup.log")
    accounts = {
        role: {
            "user": role,
            "password": password,
            "app_password": setup[f"{role}_app_password"],
            "id": setup[f"{role}_id"],
        }
        for role, password in (("admin", admin_password), ("author", author_password))
    }
    _verify(workdir, url, accounts)
    return accounts, str(setup["theme"])


def _http(
    method: str,
    url: str,
    form: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request; returns (status, headers, body) for every status instead of raising."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def _run_installer(workdir: Path, url: str, admin_password: str) -> None:
    """Post the installer's form (step 2) as a browser would."""
    status, _headers, body = _http(
        "POST",
        f"{url}/wp-admin/install.php?step=2",
        {
            "weblog_title": "cms-sync local",
            "user_name": "admin",
            "admin_password": admin_password,
            "admin_password2": admin_password,
            "pw_weak": "1",
            "admin_email": "admin@example.com",
            "blog_public": "0",
            "language": "",
        },
    )
    if status != 200 or ("install-success" not in body and "Success!" not in body):
        text = re.sub(r"<[^>]+>", " ", body)
        raise failure(
            f"WordPress install answered {status}: {' '.join(text.split())[:500]}",
            workdir / "php.log",
        )


def _php_env(workdir: Path, url: str) -> dict[str, str]:
    """What php/load-wordpress.php needs to load the site from the command line."""
    return {**os.environ, "LW_PORT": url.rsplit(":", 1)[1], "LW_WWW": str(workdir / "www")}


def admin(workdir: Path, url: str, command: str, name: str) -> str:
    """One change made with WordPress's PHP (php/admin.php): ``activate-plugin FILE`` or
    ``switch-theme NAME``; returns what the script printed (the replaced theme)."""
    what = f"admin.php {command} {name}"
    cmd = [program("php"), *PHP_INI, str(ADMIN_SCRIPT), command, name]
    return run(cmd, workdir / "setup.log", what, _php_env(workdir, url)).strip()


def _run_setup(workdir: Path, url: str, author_password: str) -> dict[str, Any]:
    env = {
        **_php_env(workdir, url),
        "LW_AUTHOR_PASSWORD": author_password,
        "LW_APP_PASSWORD_NAME": APP_PASSWORD_NAME,
    }
    log = workdir / "setup.log"
    out = run([program("php"), *PHP_INI, str(SETUP_SCRIPT)], log, "setup.php", env)
    try:
        result: dict[str, Any] = json.loads(out)
    except ValueError as error:
        raise failure(f"setup.php printed no JSON ({error}): {out[-1000:]}", log) from error
    return result


def _verify(workdir: Path, url: str, accounts: dict[str, dict[str, Any]]) -> None:
    """Prove what the tests rely on: app passwords authenticate and the REST API is linked."""
    log = workdir / "php.log"
    for role, account in accounts.items():
        status, _h, body = _http(
            "GET",
            f"{url}/wp-json/wp/v2/users/me?context=edit",
            auth=(account["user"], account["app_password"]),
        )
        # A wrong app password is silently anonymous (401 rest_not_logged_in), so check the id.
        if status != 200 or json.loads(body).get("id") != account["id"]:
            raise failure(f"users/me as {role} answered {status}: {body[:500]}", log)
    status, headers, _body = _http("GET", f"{url}/")
    link = headers.get("Link", "")
    if status != 200 or 'rel="https://api.w.org/"' not in link:
        raise failure(f"front page answered {status} without the REST Link header ({link!r})", log)
