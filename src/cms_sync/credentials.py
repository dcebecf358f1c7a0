"""Where the application password comes from (environment, ~/.netrc, or a prompt), where
it may go (the site's own origin), and keeping it out of everything cms-sync prints.

Never from cms-sync.toml (it is committed) and never echoed: error messages name the
variables to set, not their values.
"""

from __future__ import annotations

import base64
import netrc
import os
import re
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

import click
import requests

from cms_sync.errors import CmsSyncError
from cms_sync.rest_urls import origin

PASSWORD_ENV = "CMS_SYNC_APP_PASSWORD"
HIDDEN = "<hidden>"  # in reprs
SCRUBBED = "[hidden]"  # in text from elsewhere: survives the removal of an HTML page's tags


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    def __repr__(self) -> str:  # keep the password out of tracebacks and logs
        return f"Credentials(user={self.user!r}, password={HIDDEN})"


def interactive() -> bool:
    """A person at a terminal (not CI): prompting is allowed."""
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    return not ci and sys.stdin.isatty()


def _from_netrc(host: str) -> tuple[str | None, str | None]:
    try:
        entry = netrc.netrc().authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return None, None
    if entry is None:
        return None, None
    login, _account, password = entry
    return login or None, password or None


def resolve(
    site_url: str, user: str, password_env: str | None = None, password_key: str = ""
) -> Credentials:
    """Find the user and application password for ``site_url``. A site profile's
    ``password_env`` (written at ``password_key``) names the one variable to read: when
    it is unset that is an error, never a fall back to CMS_SYNC_APP_PASSWORD, which may
    hold another site's password."""
    host = urlsplit(site_url).hostname or ""
    netrc_user, netrc_password = _from_netrc(host)
    user = user or netrc_user or ""
    if not user:
        raise CmsSyncError("no WordPress user: set 'user' in cms-sync.toml or CMS_SYNC_USER")
    if password_env:
        chosen = os.environ.get(password_env, "")
        if not chosen.strip():
            raise CmsSyncError(
                f"no application password for {user} at {host}: the variable {password_env} "
                f"is not set ({password_key} names it); export {password_env} with the "
                "application password of that site"
            )
        return Credentials(user, chosen.strip())
    password = os.environ.get(PASSWORD_ENV) or netrc_password
    if not password and interactive():
        password = click.prompt(
            f"Application password for {user} at {host}", hide_input=True, err=True
        )
    if not password:
        raise CmsSyncError(
            f"no application password for {user}: set {PASSWORD_ENV} "
            f"(and CMS_SYNC_URL, CMS_SYNC_USER if not in cms-sync.toml) or add {host} to ~/.netrc"
        )
    return Credentials(user, password.strip())


def basic_token(user: str, password: str) -> str:
    """The base64 of ``user:password`` that HTTP Basic sends (UTF-8, as WordPress reads it)."""
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class SiteAuth(requests.auth.AuthBase):
    """HTTP Basic with the application password, attached only to requests for the site's
    own origin (scheme, host, port): whatever URL a bug or a server hands the client, the
    password cannot travel anywhere else."""

    def __init__(self, user: str, password: str, site_url: str) -> None:
        self._header = "Basic " + basic_token(user, password)
        self._origin = origin(site_url)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.url and origin(request.url) == self._origin:
            request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"SiteAuth({HIDDEN})"


class Scrubber:
    """Replaces the password, in every form a server could echo it, with ``[hidden]``: as
    typed, with its spaces changed or gone (WordPress ignores them), and the base64 of
    ``user:password`` that the Authorization header carries (also with JSON's ``\\/``)."""

    def __init__(self, user: str | None, password: str | None) -> None:
        forms = []
        if password:
            forms.append(r"\s*".join(re.escape(group) for group in password.split()))
            for variant in {password, "".join(password.split())}:
                token = basic_token(user or "", variant)
                forms += [re.escape(token), re.escape(token.replace("/", "\\/"))]
        pattern = "|".join(sorted(forms, key=len, reverse=True))  # longest first
        self._text = re.compile(pattern) if forms else None
        self._bytes = re.compile(pattern.encode()) if forms else None

    def text(self, text: str) -> str:
        return self._text.sub(SCRUBBED, text) if self._text else text

    def content(self, content: bytes) -> bytes:
        return self._bytes.sub(SCRUBBED.encode(), content) if self._bytes else content
