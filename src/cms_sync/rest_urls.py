"""Addresses of a WordPress site's REST API: checking site_url, building route URLs
(a /wp-json/ root or a ?rest_route= root), hiding credentials in URLs shown to people,
and the upload file name header."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from cms_sync.errors import CmsSyncError


def check_site_url(site_url: str) -> None:
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CmsSyncError(f"site_url {shown(site_url)!r} is not an https:// address")
    if parts.username or parts.password:
        raise CmsSyncError(
            f"site_url {shown(site_url)} must not hold a user name or password: "
            "set the user in cms-sync.toml and the application password in the environment"
        )


def require_https(url: str) -> None:
    """Application passwords travel in clear over http: allow that only for this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "http" and not is_loopback(host):
        raise CmsSyncError(
            f"refusing to send the application password to {host} over plain http "
            f"({shown(url)}): use https (plain http is allowed only for localhost)"
        )


def require_same_origin(site_url: str, url: str, where: str) -> None:
    """Credentials go to ``site_url``'s origin only: refuse ``url`` (what ``where`` says the
    site pointed at, a redirect or its Link header) when it is on another one."""
    if origin(url) == origin(site_url):
        return
    site, other = urlsplit(site_url), urlsplit(url)
    if site.hostname == other.hostname and (site.scheme, other.scheme) == ("https", "http"):
        raise CmsSyncError(
            f"refusing to send the application password over plain http: {where} "
            f"{shown(url)}, but site_url is {shown(site_url)}; make the site answer on "
            "https (WordPress Address and Site Address in Settings > General)"
        )
    raise CmsSyncError(
        f"{where} {shown(url)}, not on {site.netloc}: cms-sync sends the application "
        f"password only to site_url's host; if {other.netloc} is really the site, set "
        f"site_url to {urlunsplit((other.scheme, other.netloc, '', '', ''))}"
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def join(root: str, route: str, params: dict[str, Any]) -> str:
    """``route`` under ``root``, either a path root (/wp-json/) or a ?rest_route= root."""
    parts = urlsplit(root)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    base = [value for key, value in pairs if key == "rest_route"]
    others = [(key, value) for key, value in pairs if key != "rest_route"]
    route = quote("/" + route.lstrip("/"), safe="/")
    query = urlencode(others + param_pairs(params))
    path = parts.path
    if base:
        # The route is a query value here, so it is encoded like a path and kept first.
        query = "&".join(filter(None, ["rest_route=" + quote(base[0].rstrip("/")) + route, query]))
    else:
        path = path.rstrip("/") + route
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def param_pairs(params: dict[str, Any]) -> list[tuple[str, str]]:
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


def shown(url: str) -> str:
    """The URL without any user name or password in it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def content_disposition(filename: str) -> str:
    """``attachment; filename="ascii"`` plus RFC 5987 ``filename*`` for other names.

    WordPress reads only ``filename`` (and splits on ``;`` and ``=``), so the ASCII
    fallback is what it stores; ``filename*`` keeps the real name for other servers.
    """
    fallback = ascii_name(filename)
    value = f'attachment; filename="{fallback}"'
    if fallback != filename:
        value += "; filename*=UTF-8''" + quote(filename, safe="")
    return value


def ascii_name(filename: str) -> str:
    name = PurePosixPath(filename)
    suffix = re.sub(r"[^A-Za-z0-9.]", "", name.suffix)
    stem = unicodedata.normalize("NFKD", name.stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")
    return (stem or "media") + suffix


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: where a request's credentials would go."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default
