"""cms-sync.toml: find it, read it, check it.

Paths in the file resolve relative to the file itself, so a command works from any
sub-folder of the repository.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import ssl
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cms_sync.errors import ConfigError
from cms_sync.findings import caret_lines
from cms_sync.rest_urls import is_loopback, shown

CONFIG_NAME = "cms-sync.toml"
STATUSES = ("draft", "pending", "publish", "private", "future")
NOTICE_MODES = ("pattern", "inline")
CONTENT_FORMATS = ("classic", "blocks")

# Keys that must never be read from a file that is committed to git.
_SECRET_KEYS = {"password", "app_password", "application_password", "token"}
_KNOWN_KEYS = {
    "site_url",
    "user",
    "articles_dir",
    "templates_dir",
    "default_lang",
    "default_status",
    "notice_mode",
    "ca_bundle",
    "content_format",
}


@dataclass(frozen=True)
class Config:
    """Settings of one repository's series."""

    path: Path
    site_url: str
    user: str
    articles_dir: Path
    templates_dir: Path
    default_lang: str = "en"
    default_status: str = "draft"
    notice_mode: str = "pattern"
    ca_bundle: Path | None = None  # a private CA's certificates (PEM) to verify the site with
    content_format: str = "blocks"  # "classic": plain HTML, one Classic block in the editor

    @property
    def root(self) -> Path:
        return self.path.parent


def find_config(start: Path) -> Path:
    """Return cms-sync.toml in ``start`` or the nearest parent folder."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"no {CONFIG_NAME} in {start} or any parent folder; "
        f"create one (see README, Configuration) or pass --config PATH"
    )


def load_config(path: Path | None = None) -> Config:
    """Read and check a config file (``path``, or the nearest cms-sync.toml)."""
    path = (path or find_config(Path.cwd())).resolve()
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(path, text, exc)) from None
    _check_keys(path, data)
    env_url = os.environ.get("CMS_SYNC_URL")
    env_user = os.environ.get("CMS_SYNC_USER")
    config = Config(
        path=path,
        site_url=(env_url or str(data.get("site_url", ""))).rstrip("/"),
        user=env_user or str(data.get("user", "")),
        articles_dir=path.parent / str(data.get("articles_dir", "articles")),
        templates_dir=path.parent / str(data.get("templates_dir", "templates")),
        default_lang=str(data.get("default_lang", "en")),
        default_status=str(data.get("default_status", "draft")),
        notice_mode=str(data.get("notice_mode", "pattern")),
        content_format=str(data.get("content_format", "blocks")),
    )
    _check_values(config)
    _check_site_url(config.site_url, "CMS_SYNC_URL" if env_url else _key(path, text, "site_url"))
    env_bundle = os.environ.get("CMS_SYNC_CA_BUNDLE")
    if env_bundle:
        return dataclasses.replace(
            config, ca_bundle=check_ca_bundle(env_bundle, "CMS_SYNC_CA_BUNDLE")
        )
    if "ca_bundle" in data:
        bundle = path.parent / str(data["ca_bundle"])
        where = _key(path, text, "ca_bundle")
        return dataclasses.replace(config, ca_bundle=check_ca_bundle(bundle, where))
    return config


def _key(path: Path, text: str, key: str) -> str:
    """``PATH:LINE: key``: where a setting is written, for its error message."""
    found = re.search(rf"^[ \t]*{key}[ \t]*=", text, re.MULTILINE)
    line = text.count("\n", 0, found.start()) + 1 if found else 1
    return f"{path}:{line}: {key}"


def _check_site_url(url: str, where: str) -> None:
    """A site URL that can never work stops every command, named where it was set: no scheme
    or no host, or plain http to another machine (application passwords travel only over
    https; WordPress itself offers them over http only to a local site)."""
    if not url:
        return  # the commands that talk to the site say that it is missing
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        rest = url.split("://", 1)[-1]  # what was written after a wrong or missing scheme
        fixed = f"https://{rest}"
        usable = urlsplit(fixed).hostname and not rest.endswith(":")
        example = shown(fixed) if usable else "https://blog.example.org"
        raise ConfigError(
            f"{where} {shown(url)!r} is not a web address; write it with https:// and the "
            f"host, e.g. {example}"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        https = shown(urlunsplit(parts._replace(scheme="https")))
        raise ConfigError(
            f"{where} {shown(url)!r} is plain http to another machine, which would carry the "
            f"application password in clear; write {https} (plain http only for localhost)"
        )


def check_ca_bundle(value: str | Path, where: str) -> Path:
    """The path of a CA bundle (``where`` names the option, variable or key that gave it),
    if it is a file of PEM certificates; else a ConfigError saying what to give."""
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise ConfigError(
            f"{where} {path}: no such file; give the PEM file of the certificate authority "
            "that signed the site's certificate"
        )
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ConfigError(
            f"{where} {path} holds no certificate cms-sync can read ({reason}); give a PEM "
            "file (-----BEGIN CERTIFICATE-----)"
        ) from None
    return path


_TOML_WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")
# tomllib's messages, from their start, and what they expect in plain words.
_TOML_EXPECTED = (
    ("Invalid value", "expected a value after '=': text in quotes, a number, true or false"),
    (
        "Expected '=' after a key",
        "expected a 'key = value' line (no spaces in the key, '=' not ':')",
    ),
    ("Illegal character '\\n'", "expected a closing quote before the end of the line"),
    ("Unterminated string", "expected a closing quote"),
    ('Expected "\'"', "expected a closing quote"),
    ("Cannot overwrite a value", "this key is already set above; keep one"),
    ("Unclosed array", "expected a closing ']' for the list (items separated by ',')"),
    ("Expected ']' at the end of a table", "expected a closing ']' for the [table] name"),
    ("Expected newline or end of document", "expected the end of the line after the value"),
)


def _toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """``PATH:LINE: invalid TOML: what is expected``, then the line with a caret."""
    message = str(exc)
    where = _TOML_WHERE.search(message)
    problem = message[: where.start()] if where else message
    plain = next((says for start, says in _TOML_EXPECTED if problem.startswith(start)), problem)
    lines = text.split("\n")
    if where and where.group(1):
        line, column = int(where.group(1)), int(where.group(2))
    else:  # at the end of the document: the last line that has text
        line = max((i for i, t in enumerate(lines, 1) if t.strip()), default=1)
        column = len(lines[line - 1]) + 1
    excerpt = caret_lines(lines[line - 1], column) if line <= len(lines) else []
    return "\n".join([f"{path}:{line}: invalid TOML: {plain}", *excerpt])


def _check_keys(path: Path, data: dict[str, object]) -> None:
    for key in data:
        if key in _SECRET_KEYS:
            raise ConfigError(
                f"{path}: '{key}' must not be in the config file, which is committed to git; "
                "set CMS_SYNC_APP_PASSWORD or use ~/.netrc"
            )
        if key not in _KNOWN_KEYS:
            hint = difflib.get_close_matches(key, sorted(_KNOWN_KEYS), n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise ConfigError(f"{path}: unknown setting '{key}'{did_you_mean}")


def _check_values(config: Config) -> None:
    if config.default_status not in STATUSES:
        raise ConfigError(
            f"{config.path}: default_status '{config.default_status}' is not one of "
            + ", ".join(STATUSES)
        )
    if config.notice_mode not in NOTICE_MODES:
        raise ConfigError(
            f"{config.path}: notice_mode '{config.notice_mode}' is not one of "
            + ", ".join(NOTICE_MODES)
        )
    if config.content_format not in CONTENT_FORMATS:
        raise ConfigError(
            f"{config.path}: content_format '{config.content_format}' is not one of "
            + ", ".join(CONTENT_FORMATS)
        )
    if not config.articles_dir.is_dir():
        raise ConfigError(f"{config.path}: articles_dir {config.articles_dir} is not a folder")
    if not config.templates_dir.is_dir():
        raise ConfigError(f"{config.path}: templates_dir {config.templates_dir} is not a folder")
