"""The site a CI job may send a password to: the address the workflow pins, never one that
a pull request wrote into cms-sync.toml.

A pull request edits cms-sync.toml like any other file. If the job took the site's URL from
it, a pull request could point ``[sites.staging].site_url`` at its own host and receive the
staging password with the first request. So the workflow gives the URL (a repository or
environment variable), the job exports it as ``CMS_SYNC_URL`` (which overrides the
profile's), and before that this module checks that the checkout's profile names the same
site: a mismatch stops the job in one line, before the password is exported or anything is
sent, so it is seen instead of silently overridden.

    python -I -m cms_sync.ci_site SITE URL

prints the variable the profile reads its password from (``CMS_SYNC_APP_PASSWORD`` for the
top-level site) and exits 0, or prints one ``error:`` line and exits 1. SITE may be "" (the
profile CMS_SYNC_SITE or default_site picks, else the top-level site).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from cms_sync.config import Config, _key, _site_key, load_config
from cms_sync.errors import CmsSyncError, ConfigError
from cms_sync.rest_urls import shown

DEFAULT_PASSWORD_ENV = "CMS_SYNC_APP_PASSWORD"
_PORTS = {"http": 80, "https": 443}


def same_site(one: str, other: str) -> bool:
    """Whether two site URLs name one site: scheme, host, port and path, with case, the
    default port and a trailing slash aside."""
    try:
        return _parts(one) == _parts(other)
    except ValueError:  # a port that is not a number
        return False


def _parts(url: str) -> tuple[str, str, int | None, str]:
    split = urlsplit(url.strip())
    scheme = split.scheme.lower()
    port = split.port or _PORTS.get(scheme)
    return scheme, (split.hostname or "").lower(), port, split.path.rstrip("/")


def pinned(site: str | None, url: str) -> Config:
    """The checkout's config for ``site``, read as if the workflow's ``url`` were not set
    yet; a ConfigError when ``url`` is empty or the profile names another site."""
    if not url.strip():
        raise ConfigError(
            "no site URL from the workflow; give the site's address as the site-url input "
            "(or CMS_SYNC_URL), from a repository or environment variable, never from the "
            "checkout"
        )
    saved = os.environ.pop("CMS_SYNC_URL", None)  # the profile's own URL, to compare
    try:
        config = load_config(None, site or None)
    finally:
        if saved is not None:
            os.environ["CMS_SYNC_URL"] = saved
    if config.site_url and not same_site(config.site_url, url):
        raise ConfigError(
            f"{_where(config)} {shown(config.site_url)!r} is not the site this workflow "
            f"publishes to ({shown(url)}): no password is sent to an address the checkout "
            "names; set site_url back to the workflow's address, or change the workflow's "
            "variable"
        )
    return config


def _where(config: Config) -> str:
    """``cms-sync.toml:LINE: sites.NAME.site_url``, relative to the working folder."""
    path = config.path
    with contextlib.suppress(ValueError):  # elsewhere: the whole path
        path = path.relative_to(Path.cwd().resolve())
    text = config.path.read_text("utf-8")
    if config.site_name:
        return _site_key(path, text, config.site_name, "site_url")
    return _key(path, text, "site_url")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -I -m cms_sync.ci_site SITE URL", file=sys.stderr)
        return 2
    try:
        config = pinned(argv[0], argv[1])
    except CmsSyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(config.password_env or DEFAULT_PASSWORD_ENV)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
