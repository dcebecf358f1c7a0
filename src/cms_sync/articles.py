"""Articles: front matter turned into a checked, typed :class:`Article`.

One table (``FIELDS``) says which keys an article may have; each key has one
normaliser that returns the value or raises :class:`_Invalid` with the message.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cms_sync.config import STATUSES
from cms_sync.findings import Finding
from cms_sync.slugs import MAX_ENCODED, encoded_length, wordpress_slug
from cms_sync.source import Document

COMMENT_STATUSES = ("open", "closed")
# The post formats WordPress knows (get_post_format_slugs), whatever the theme supports.
FORMATS = ("standard", "aside", "chat", "gallery", "link", "image", "quote", "status", "video",
           "audio")  # fmt: skip
TYPES = ("post", "page")
SEO_KEYS = ("title", "description", "focus_keyword")
# Front-matter keys a page cannot have: WordPress pages have no excerpt, stickiness, format,
# categories or tags, and the series navigation is for posts.
NOT_FOR_PAGES = ("excerpt", "sticky", "format", "categories", "tags", "series")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OMITTED = {"omit_default": True}  # left out of the source hash while unset (inputs.record)
_HASH = re.compile(r"^[0-9a-f]{16}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
# WordPress keeps menu_order in a signed 32-bit column (wp_posts.menu_order int(11)); PHP's
# integers, meta values included, are 64-bit.
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
# Characters that reorder the text around them (bidi embeddings, overrides and isolates):
# a title or slug holding them shows other letters than it has ("Trojan Source" spoofing).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# The variables that hold an application password, whatever a project calls them: a post's
# password_env may not name one (it would publish the site's credential as a post password).
APP_PASSWORD_ENV = "CMS_SYNC_APP_PASSWORD"
_CREDENTIAL_NAME = re.compile(r"^CMS_SYNC_|APP_?PASSWORD|APPLICATION_?PASSWORD|TOKEN", re.I)
# The meta keys each SEO plugin keeps its fields in, by the front matter's seo keys.
SEO_PLUGINS: dict[str, dict[str, str]] = {
    "Yoast SEO": {
        "title": "_yoast_wpseo_title",
        "description": "_yoast_wpseo_metadesc",
        "focus_keyword": "_yoast_wpseo_focuskw",
    },
    "Rank Math": {
        "title": "rank_math_title",
        "description": "rank_math_description",
        "focus_keyword": "rank_math_focus_keyword",
    },
}


class _Invalid(ValueError):
    """A front-matter value is wrong; the message says how to fix it."""


@dataclass(frozen=True)
class Pulled:
    """The site version a file was pulled from (written by `cms-sync pull`): the post's
    stored-state hash then, and the source hash the pulled file gave then. While both
    still hold, the file and the post say the same thing: nothing to write, no conflict."""

    state: str
    source: str


@dataclass(frozen=True)
class Secret:
    """A value read from the environment (a post's password): compared and hashed, never
    shown. Its repr is what a report may print."""

    value: str = field(repr=False)
    env: str = field(default="", compare=False)  # the variable it came from ("": the site)

    def __repr__(self) -> str:
        if not self.value:
            return "(none)"
        return f"(changed: ${self.env})" if self.env else "(set)"


@dataclass(frozen=True)
class Article:
    """One post of the series, as the source file describes it."""

    path: Path
    title: str
    slug: str
    status: str
    lang: str
    body: str
    body_line: int
    date: dt.datetime | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    excerpt: str = ""
    series_name: str | None = None
    series_part: int | None = None
    comment_status: str = "open"
    featured_image: Path | None = None
    image_alt: str | None = None  # the featured image's alt text; "" for a decorative one
    pulled: Pulled | None = None
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    # Post fields that WordPress keeps as they are unless the article sets them (None: unset).
    sticky: bool | None = field(default=None, metadata=_OMITTED)
    ping_status: str | None = field(default=None, metadata=_OMITTED)
    format: str | None = field(default=None, metadata=_OMITTED)
    template: str | None = field(default=None, metadata=_OMITTED)
    author: str | None = field(default=None, metadata=_OMITTED)  # a login
    password: Secret | None = field(default=None, metadata=_OMITTED)  # from password_env
    meta: Mapping[str, Any] = field(default_factory=dict, hash=False, metadata=_OMITTED)
    taxonomies: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict, hash=False, metadata=_OMITTED
    )
    seo: Mapping[str, str] = field(default_factory=dict, hash=False, metadata=_OMITTED)
    type: str = field(default="post", metadata=_OMITTED)
    parent: Path | None = field(default=None, metadata=_OMITTED)  # the parent page's file
    menu_order: int | None = field(default=None, metadata=_OMITTED)

    def line_of(self, key: str) -> int:
        """Line of a front-matter key in the source file (1 when the key is absent)."""
        return self.key_lines.get(key, 1)


def _text(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Invalid("must be text")
    text = str(value).strip()
    bidi = _BIDI.search(text)
    if bidi:
        name = unicodedata.name(bidi.group(0), "")
        raise _Invalid(
            f"holds U+{ord(bidi.group(0)):04X} {name} at character {bidi.start() + 1}, an "
            "invisible control that makes the text show in another order than it is "
            "written (spoofing); remove it"
        )
    return text


# What a browser reads as markup in text: a tag (``<b>``, ``</b>``, ``<!--``, ``<?``) or a
# character reference (``&amp;``, ``&#38;``). A '<' before a space and a lone '&' are text.
_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)


def _plain(value: Any) -> str:
    """Text that reads the same as HTML and as text: titles, excerpts, term names.

    WordPress stores a title and an excerpt as written and themes print them as HTML, while
    the preview (and the series navigation inside every post) shows them as text. Escaping
    them before sending would put ``&lt;`` into the editor's title field and into what
    `pull` reads back; so markup is refused at `check` instead. What is left is plain text,
    shown the same in the preview and on the site: ``Q&A`` and ``a < b`` included (a lone
    '&' and a '<' before a space are no markup; WordPress prints '&' as ``&#038;``).
    Term names the same: WordPress strips tags from them, and refuses one left empty.
    """
    text = _text(value)
    found = _MARKUP.search(text)
    if found is None:
        return text
    if found.group(0).startswith("&"):
        end = text.index(";", found.start()) + 1
        raise _Invalid(
            f"'{text[found.start() : end]}' is an HTML character reference, which the site "
            "would show as the character and the preview as written; write the character itself"
        )
    end = text.find(">", found.start()) + 1 or len(text)
    raise _Invalid(
        f"'{text[found.start() : end]}' is HTML markup; this field is plain text, shown as "
        "written in the preview but read as HTML by WordPress themes; remove the markup (a '<' "
        "before a space, as in 'a < b', is fine)"
    )


def _title(value: Any) -> str:
    if value is None or not _text(value):
        raise _Invalid("title is empty; give the article a title")
    return _plain(value)


def _slug(value: Any) -> str:
    slug = _text(value)
    expected = wordpress_slug(slug)
    if not slug or slug != expected:
        hint = f" (WordPress would store '{expected}')" if expected else ""
        raise _Invalid(
            f"slug '{slug}' is not a valid slug{hint}; use lowercase letters, digits and hyphens"
        )
    if encoded_length(slug) > MAX_ENCODED:
        raise _Invalid(
            f"slug is longer than WordPress's {MAX_ENCODED} bytes once encoded; shorten it"
        )
    return slug


def _status(value: Any) -> str:
    if value not in STATUSES:
        raise _Invalid(f"unknown status '{_shown(value)}'; use one of: " + ", ".join(STATUSES))
    return str(value)


def _date(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as exc:
        # Written as a date, but not one of the calendar's (2026-13-45, 2026-02-30): say why.
        why = f" ({exc})" if re.match(r"\d{4}-\d\d-\d\d", text) else ""
        raise _Invalid(
            f"cannot read date '{value}'{why}; write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"
        ) from None


MAX_TERM_NAME = 200  # characters: the name column of wp_terms


def _names(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise _Invalid("must be a list of names, e.g. [News, Guides]")
    for item in items:
        if len(item.strip()) > MAX_TERM_NAME:  # WordPress would answer 500 db_insert_error
            raise _Invalid(
                f"'{item.strip()[:20]}…' is {len(item.strip())} characters; WordPress keeps at "
                f"most {MAX_TERM_NAME} in a tag or category name: shorten it"
            )
    return tuple(_plain(i) for i in items)


def _series(value: Any) -> tuple[str, int]:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise _Invalid("series needs 'name' (text) and 'part' (a number from 1)")
    part = value.get("part")
    if not isinstance(part, int) or isinstance(part, bool) or part < 1:
        raise _Invalid(f"series part '{part}' must be a whole number from 1")
    extra = set(value) - {"name", "part"}
    if extra:
        raise _Invalid(f"series has unknown key '{sorted(extra)[0]}'; it takes name and part")
    return _text(value["name"]), part


def _comment_status(value: Any) -> str:
    if value not in COMMENT_STATUSES:
        raise _Invalid(f"comment_status '{value}' must be open or closed")
    return str(value)


def _lang(value: Any) -> str:
    lang = _text(value)
    if not _LANG.match(lang):
        raise _Invalid(f"lang '{lang}' is not a language code such as bn, es or en")
    return lang


def _shown(value: Any) -> str:
    """A front-matter value as YAML writes it (``true``, ``null``), not as Python prints it."""
    return json.dumps(value) if value is None or isinstance(value, bool) else str(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"'{_shown(value)}' must be true or false")
    return value


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise _Invalid(f"'{_shown(value)}' must be one of: " + ", ".join(choices))
        return str(value)

    return check


def _login(value: Any) -> str:
    login = _text(value)
    if not login:
        raise _Invalid("is empty; give the login of a user of the site")
    return login


def _env_name(value: Any) -> str:
    name = _text(value)
    if not _ENV_NAME.match(name):
        raise _Invalid(
            f"'{name}' is not the name of an environment variable; name the variable that "
            "holds the post's password (the password itself never goes in the file)"
        )
    return name


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and k for k in value):
        raise _Invalid(f"must be a mapping of {what}")
    return value


def _meta(value: Any) -> dict[str, Any]:
    found = _mapping(value, "registered meta keys to values, e.g. {rating: 5}")
    for key, item in found.items():
        if key.startswith("_cms_sync"):
            raise _Invalid(f"'{key}' is cms-sync's own meta key; use another key")
        if item is None or isinstance(item, dt.date):
            raise _Invalid(f"'{key}' needs a value: text, a number, true/false or a list")
        _json_value(item, key)
    return dict(found)


def _json_value(value: Any, where: str) -> None:
    """A value WordPress can take as JSON: no date (YAML reads 2024-01-01 as one), no
    infinity or NaN, no integer beyond PHP's 64 bits (WordPress would read it as a float);
    lists and mappings checked item by item (``where``: flags[1].a)."""
    if isinstance(value, dt.date):
        raise _Invalid(f"{where} is a date; quote it to send it as text ('{value}')")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Invalid(f"{where} is {value}, which JSON cannot carry; write a number")
    if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
        raise _Invalid(f"{where} is beyond WordPress's 64-bit integers; write a smaller one")
    if isinstance(value, list):
        for index, item in enumerate(value):
            _json_value(item, f"{where}[{index}]")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Invalid(f"{where} has the key {key!r}; quote it, keys are text")
            _json_value(item, f"{where}.{key}")


def _taxonomies(value: Any) -> dict[str, tuple[str, ...]]:
    found = _mapping(value, "taxonomy slugs to lists of term names, e.g. {genre: [Essay]}")
    terms = {}
    for slug, names in found.items():
        if slug in ("category", "post_tag", "categories", "tags"):
            field_name = "categories" if slug.startswith("categor") else "tags"
            raise _Invalid(f"'{slug}' is set with the '{field_name}' key, not under taxonomies")
        try:
            terms[slug] = _names(names)
        except _Invalid as exc:
            raise _Invalid(f"'{slug}' {exc}") from None
    return terms


def _seo(value: Any) -> dict[str, str]:
    found = _mapping(value, "title, description and focus_keyword")
    seo = {}
    for key, text in found.items():
        if key not in SEO_KEYS:
            hint = difflib.get_close_matches(key, SEO_KEYS, n=1)
            did_you_mean = f"did you mean '{hint[0]}'? " if hint else ""
            raise _Invalid(f"unknown key '{key}'; {did_you_mean}seo takes " + ", ".join(SEO_KEYS))
        try:
            seo[key] = " ".join(_plain(text).split())
        except _Invalid as exc:
            raise _Invalid(f"{key} {exc}") from None
    return seo


def _template(value: Any) -> str:
    """A template's file name, exactly: WordPress compares it as sent, so a space around it
    is refused rather than dropped (the file would then say what the site does not hold)."""
    text = _text(value)
    if isinstance(value, str) and value != text:
        raise _Invalid(
            f"'{value}' has a space at its start or end, which no template's name has; "
            f"write '{text}'"
        )
    return text


def _menu_order(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid(f"'{_shown(value)}' must be a whole number, e.g. 2")
    if not INT32[0] <= value <= INT32[1]:
        raise _Invalid(
            f"{value} is beyond what WordPress keeps ({INT32[0]} to {INT32[1]}); use a "
            "smaller number"
        )
    return value


def parse_pulled(value: Any) -> Pulled:
    if not isinstance(value, dict) or set(value) != {"state", "source"}:
        raise _Invalid("pulled is written by `cms-sync pull` as {state: ..., source: ...}; "
                       "delete the line rather than edit it")  # fmt: skip
    state, source = str(value["state"]), str(value["source"])
    if not (_HASH.match(state) and _HASH.match(source)):
        raise _Invalid("pulled holds hashes written by `cms-sync pull`; delete the line")
    return Pulled(state, source)


FIELDS: dict[str, Callable[[Any], Any]] = {
    "title": _title,
    "slug": _slug,
    "date": _date,
    "status": _status,
    "categories": _names,
    "tags": _names,
    "excerpt": _plain,
    "lang": _lang,
    "series": _series,
    "comment_status": _comment_status,
    "featured_image": _text,
    "image_alt": lambda value: " ".join(_plain(value).split()),  # as WordPress keeps alt_text
    "pulled": parse_pulled,
    "sticky": _bool,
    "ping_status": _one_of(COMMENT_STATUSES),
    "format": _one_of(FORMATS),
    "template": _template,
    "author": _login,
    "password_env": _env_name,
    "meta": _meta,
    "taxonomies": _taxonomies,
    "seo": _seo,
    "type": _one_of(TYPES),
    "parent": _text,
    "menu_order": _menu_order,
}


def credential_problem(name: str, credential_envs: Collection[str]) -> str:
    """Why the variable ``name`` may not hold a post's password ("" when it may).

    The rule: not a variable of cms-sync's own (``CMS_SYNC_*``), not the ``password_env``
    of any ``[sites.NAME]`` profile (``credential_envs``), and not one whose name says it
    holds an application password or a token (``*APP_PASSWORD*``,
    ``*APPLICATION_PASSWORD*``, ``*TOKEN*``); letter case does not matter. Else an article
    in a pull request could publish the site's credential, or CI's, as a post password,
    which every editor of the site can read."""
    if _CREDENTIAL_NAME.search(name):
        why = "is named as a credential (cms-sync's, an application password or a token)"
    elif name.upper() in {env.upper() for env in credential_envs}:
        why = "holds the application password of a site in cms-sync.toml"
    else:
        return ""
    return (
        f"password_env: {name} {why}, which would be published as the post's password; "
        "name a variable of its own for the post's password, e.g. POST_PASSWORD"
    )


def _password(
    doc: Document, name: str | None, findings: list[Finding], credential_envs: Collection[str]
) -> Secret | None:
    """The post password from the environment variable ``name``: an error when the variable
    holds a credential of cms-sync's (see :func:`credential_problem`), is unset or empty,
    or holds the same value as one that does."""

    def error(message: str) -> None:
        findings.append(Finding(doc.path, doc.line_of("password_env"), "error", message))

    if name is None:
        return None
    refused = credential_problem(name, credential_envs)
    if refused:
        error(refused)
        return None
    if name not in os.environ:
        error(f"password_env: the environment variable {name} is not set; set it to the "
              "post's password (or remove password_env to publish without one)")  # fmt: skip
        return None
    value = os.environ[name]
    if not value.strip():
        error(f"password_env: the environment variable {name} is empty; set it to the "
              "post's password (or remove password_env to publish without one)")  # fmt: skip
        return None
    if any(value.strip() == os.environ.get(env, "").strip() for env in credential_envs):
        error(f"password_env: {name} holds an application password of cms-sync.toml's sites, "
              "which would be published as the post's password; set it to the post's own "
              "password")  # fmt: skip
        return None
    return Secret(value, name)


def _page_rules(doc: Document, values: dict[str, Any], findings: list[Finding]) -> None:
    """Keys that only one type takes: a page has no excerpt, categories...; a post no parent."""
    kind = values.get("type", "post")
    wrong = NOT_FOR_PAGES if kind == "page" else ("parent", "menu_order")
    for key in wrong:
        if key in values:
            what = "a page" if kind == "page" else "a post (type: page makes it a page)"
            findings.append(
                Finding(doc.path, doc.line_of(key), "error",
                        f"{key}: {what} has no {key} in WordPress; remove it")
            )  # fmt: skip


def unknown_key_finding(doc: Document, key: str, known: list[str]) -> Finding:
    """An error for a key nobody reads, with the closest known key: a misspelt key
    (``stickky``) would otherwise publish the post without the field it meant to set."""
    hint = difflib.get_close_matches(key, known, n=1)
    did_you_mean = f"did you mean '{hint[0]}'?" if hint else "remove it or fix its name"
    return Finding(doc.path, doc.line_of(key), "error", f"unknown key '{key}'; {did_you_mean}")


def _seo_in_meta(doc: Document, values: dict[str, Any], findings: list[Finding]) -> None:
    """A meta key an SEO plugin keeps a seo field in, set beside that seo field: two values
    for one thing (seo would win without a word)."""
    seo, meta = values.get("seo") or {}, values.get("meta") or {}
    for plugin in SEO_PLUGINS.values():
        for name, key in plugin.items():
            if name in seo and key in meta:
                findings.append(
                    Finding(doc.path, doc.line_of("meta"), "error",
                            f"meta: '{key}' is where seo: {name} (line {doc.line_of('seo')}) is "
                            f"written; set it in one place, seo: {name} (for any SEO plugin)")
                )  # fmt: skip


def build_article(
    doc: Document, default_lang: str, default_status: str, credential_envs: Collection[str] = ()
) -> tuple[Article | None, list[Finding]]:
    """Check every front-matter key of ``doc``; return the article (if usable) and findings.
    ``credential_envs``: the variables that hold application passwords (CMS_SYNC_APP_PASSWORD
    and every site profile's password_env), which password_env may not name."""
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    for key, raw in doc.meta.items():
        key = str(key)
        if key not in FIELDS:
            findings.append(unknown_key_finding(doc, key, list(FIELDS)))
            continue
        try:
            values[key] = FIELDS[key](raw)
        except _Invalid as exc:
            message = str(exc) if str(exc).startswith(key) else f"{key}: {exc}"
            findings.append(Finding(doc.path, doc.line_of(key), "error", message))
    if "title" not in doc.meta:
        findings.append(
            Finding(doc.path, 1, "error", "missing title; add 'title: ...' to the front matter")
        )
    envs = {APP_PASSWORD_ENV, *credential_envs}
    password = _password(doc, values.get("password_env"), findings, envs)
    _seo_in_meta(doc, values, findings)
    if values.get("sticky") and "password_env" in values:
        findings.append(
            Finding(doc.path, doc.line_of("sticky"), "error",
                    "sticky: WordPress refuses a sticky post with a password; remove one of them")
        )  # fmt: skip
    _page_rules(doc, values, findings)
    status = values.get("status", default_status)
    if status == "future" and "date" not in values and "date" not in doc.meta:
        findings.append(
            Finding(
                doc.path,
                doc.line_of("status"),
                "error",
                "status 'future' needs a date to publish at; add 'date:'",
            )
        )
    if any(f.severity == "error" for f in findings):
        return None, findings
    title = values["title"]
    series = values.get("series")
    image = values.get("featured_image")
    article = Article(
        path=doc.path,
        title=title,
        slug=values.get("slug") or wordpress_slug(title),
        status=status,
        lang=values.get("lang", default_lang),
        body=doc.body,
        body_line=doc.body_line,
        date=values.get("date"),
        categories=values.get("categories", ()),
        tags=values.get("tags", ()),
        excerpt=values.get("excerpt", ""),
        series_name=series[0] if series else None,
        series_part=series[1] if series else None,
        comment_status=values.get("comment_status", "open"),
        featured_image=(doc.path.parent / image) if image else None,
        image_alt=values.get("image_alt"),
        pulled=values.get("pulled"),
        key_lines=dict(doc.key_lines),
        sticky=values.get("sticky"),
        ping_status=values.get("ping_status"),
        format=values.get("format"),
        template=values.get("template"),
        author=values.get("author"),
        password=password,
        meta=values.get("meta", {}),
        taxonomies=values.get("taxonomies", {}),
        seo=values.get("seo", {}),
        type=values.get("type", "post"),
        parent=(doc.path.parent / values["parent"]) if values.get("parent") else None,
        menu_order=values.get("menu_order"),
    )
    return article, findings
