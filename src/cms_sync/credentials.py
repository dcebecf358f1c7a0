"""Where the application password comes from: environment, ~/.netrc, or a prompt.

Never from cms-sync.toml (it is committed) and never echoed: error messages name the
variables to set, not their values.
"""

from __future__ import annotations

import netrc
import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

import click

from cms_sync.errors import CmsSyncError

PASSWORD_ENV = "CMS_SYNC_APP_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    def __repr__(self) -> str:  # keep the password out of tracebacks and logs
        return f"Credentials(user={self.user!r}, password=<hidden>)"


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


def resolve(site_url: str, user: str) -> Credentials:
    """Find the user and application password for ``site_url``."""
    host = urlsplit(site_url).hostname or ""
    netrc_user, netrc_password = _from_netrc(host)
    user = user or netrc_user or ""
    if not user:
        raise CmsSyncError("no WordPress user: set 'user' in cms-sync.toml or CMS_SYNC_USER")
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
