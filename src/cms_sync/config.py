"""cms-sync.toml: find it, read it, check it, and pick the site profile to use.

Paths in the file resolve relative to the file itself, so a command works from any
sub-folder of the repository. ``[sites.NAME]`` tables name several WordPress sites
(staging, production); ``--site NAME``, ``CMS_SYNC_SITE`` or ``default_site`` selects one,
and its URL, user, password variable and CA bundle replace the top-level ones.
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
    "sites",
    "default_site",
}
SITE_ENV = "CMS_SYNC_SITE"  # selects a [sites.NAME] profile, like --site
_SITE_KEYS = {"site_url", "user", "password_env", "ca_bundle"}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
    site_name: str | None = None  # the [sites.NAME] profile in use, None: the top-level site
    password_env: str | None = None  # the variable holding the selected site's password
    password_env_key: str = ""  # where password_env is written (PATH:LINE: sites.NAME...)
    # Every profile's password_env, used or not: variables no article's password_env may name.
    password_envs: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def site_label(self) -> str:
        """The site as output names it: ``staging (https://...)``, or just its URL."""
        url = shown(self.site_url) if self.site_url else "no site_url"
        return f"{self.site_name} ({url})" if self.site_name else url


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


def load_config(path: Path | None = None, site: str | None = None) -> Config:
    """Read and check a config file (``path``, or the nearest cms-sync.toml), with the
    site profile ``site`` (else $CMS_SYNC_SITE, else ``default_site``) selected."""
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
    profiles = _check_sites(path, text, data)
    name, profile = _selected(path, text, data, profiles, site)
    settings = {**data, **profile}  # the profile's site_url, user, ca_bundle win
    env_url = os.environ.get("CMS_SYNC_URL")
    env_user = os.environ.get("CMS_SYNC_USER")
    config = Config(
        path=path,
        site_url=(env_url or str(settings.get("site_url", ""))).rstrip("/"),
        user=env_user or str(settings.get("user", "")),
        articles_dir=path.parent / str(data.get("articles_dir", "articles")),
        templates_dir=path.parent / str(data.get("templates_dir", "templates")),
        default_lang=str(data.get("default_lang", "en")),
        default_status=str(data.get("default_status", "draft")),
        notice_mode=str(data.get("notice_mode", "pattern")),
        content_format=str(data.get("content_format", "blocks")),
        site_name=name,
        password_env=profile.get("password_env"),
        password_env_key=_site_key(path, text, name, "password_env") if name else "",
        password_envs=tuple(
            sorted({p["password_env"] for p in profiles.values() if "password_env" in p})
        ),
    )
    _check_values(config)
    if env_url:
        _check_site_url(config.site_url, "CMS_SYNC_URL")
    else:  # a profile's site_url was checked with the profile
        _check_site_url(str(data.get("site_url", "")).rstrip("/"), _key(path, text, "site_url"))
    env_bundle = os.environ.get("CMS_SYNC_CA_BUNDLE")
    if env_bundle:
        return dataclasses.replace(
            config, ca_bundle=check_ca_bundle(env_bundle, "CMS_SYNC_CA_BUNDLE")
        )
    if "ca_bundle" in settings:
        bundle = path.parent / str(settings["ca_bundle"])
        if name and "ca_bundle" in profile:
            where = _site_key(path, text, name, "ca_bundle")
        else:
            where = _key(path, text, "ca_bundle")
        return dataclasses.replace(config, ca_bundle=check_ca_bundle(bundle, where))
    return config


def _check_sites(path: Path, text: str, data: dict[str, object]) -> dict[str, dict[str, str]]:
    """Every ``[sites.NAME]`` profile, checked whether or not it is used: a table of known
    keys (no password in it), a usable site_url and a password_env that is a variable's
    name. Values are never repeated in an error: a password may have been written there."""
    sites = data.get("sites", {})
    if not isinstance(sites, dict):
        raise ConfigError(
            f"{_key(path, text, 'sites')}: must be tables; write [sites.staging] with "
            "site_url, user and password_env"
        )
    profiles: dict[str, dict[str, str]] = {}
    for name, table in sites.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"{_site_key(path, text, name)} must be a table; write [sites.{name}] with "
                "site_url, user and password_env"
            )
        for key, value in table.items():
            where = _site_key(path, text, name, key)
            if key in _SECRET_KEYS:
                raise ConfigError(
                    f"{where} must not be in the config file, which is committed to git; "
                    f'write password_env = "{name.upper()}_APP_PASSWORD" and export that variable'
                )
            if key not in _SITE_KEYS:
                hint = difflib.get_close_matches(key, sorted(_SITE_KEYS), n=1)
                did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
                raise ConfigError(f"{where}: unknown setting{did_you_mean}")
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where}: must be text in quotes")
        if "site_url" not in table:
            raise ConfigError(
                f"{_site_key(path, text, name)}: no site_url; add site_url = "
                '"https://..." to the table'
            )
        _check_site_url(table["site_url"].rstrip("/"), _site_key(path, text, name, "site_url"))
        env = table.get("password_env")
        if env is not None and not _ENV_NAME.fullmatch(env):
            raise ConfigError(
                f"{_site_key(path, text, name, 'password_env')}: must be the name of an "
                "environment variable (letters, digits and _), never the password itself; "
                f'e.g. password_env = "{name.upper()}_APP_PASSWORD"'
            )
        profiles[name] = table
    return profiles


def _selected(
    path: Path,
    text: str,
    data: dict[str, object],
    profiles: dict[str, dict[str, str]],
    site: str | None,
) -> tuple[str | None, dict[str, str]]:
    """The profile chosen by --site, else $CMS_SYNC_SITE, else default_site; a name that
    is not in the file stops every command (before anything is sent)."""
    if site is not None:  # --site "" is a mistake (an unset CI variable?), not "no profile"
        name, where = site, "--site"
    elif SITE_ENV in os.environ:  # set but empty: the same mistake as --site ""
        name, where = os.environ[SITE_ENV], SITE_ENV
    elif "default_site" in data:
        name, where = str(data["default_site"]), _key(path, text, "default_site")
    else:
        return None, {}
    if name in profiles:
        return name, profiles[name]
    known = ", ".join(sorted(profiles)) if profiles else "none"
    if not name.strip():
        raise ConfigError(
            f"{where} {name!r} names no site; give one of the sites of {path} (known sites: "
            f"{known}), or {'unset' if where == SITE_ENV else 'leave'} {where}"
            f"{'' if where == SITE_ENV else ' out'} for the top-level site_url"
        )
    started = [other for other in sorted(profiles) if other.startswith(name)]  # prod
    hint = started[:1] or difflib.get_close_matches(name, sorted(profiles), n=1)
    did_you_mean = f"did you mean '{hint[0]}'? " if hint else ""
    raise ConfigError(
        f"{where} {name!r}: {path} has no [sites.{name}] (known sites: {known}); {did_you_mean}"
        f"give one of them, or add [sites.{name}] with site_url, user and password_env"
    )


def _site_key(path: Path, text: str, name: str, key: str = "") -> str:
    """``PATH:LINE: sites.NAME.KEY``: where a profile's setting is written."""
    header = re.search(
        rf"^[ \t]*\[[ \t]*sites[ \t]*\.[ \t]*[\"']?{re.escape(name)}[\"']?[ \t]*\]",
        text,
        re.MULTILINE,
    )
    start = header.start() if header else 0
    found = re.search(rf"^[ \t]*{key}[ \t]*=", text[start:], re.MULTILINE) if key else None
    at = start + found.start() if found else start
    dotted = f"sites.{name}.{key}" if key else f"sites.{name}"
    return f"{path}:{text.count(chr(10), 0, at) + 1}: {dotted}"


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
        if key == "password_env":
            raise ConfigError(
                f"{path}: 'password_env' belongs in a [sites.NAME] table; for the top-level "
                "site set CMS_SYNC_APP_PASSWORD"
            )
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
