"""What the site says about the post fields articles may set, and the articles checked
against it before anything is sent.

Read only for the fields some article uses (a run whose articles set none reads nothing):

- ``author:`` -> the users who may write posts (``/wp/v2/users?who=authors``, one page of 100);
- ``taxonomies:`` -> the site's taxonomies shown in the REST API (``/wp/v2/taxonomies``);
- ``meta:`` or ``seo:`` -> the item type's schema (``OPTIONS /wp/v2/posts`` or ``/pages``), whose
  ``meta`` lists the registered meta keys and their types; an SEO plugin is present when the
  meta keys it uses are registered there (Yoast SEO's ``_yoast_wpseo_*``, Rank Math's
  ``rank_math_*``).

:func:`problems` is pure: the articles x these facts -> findings (an author, a taxonomy or a
meta key the site lacks, a meta value of the wrong type are errors; SEO fields without a
plugin are a warning).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import click

from cms_sync.articles import SEO_PLUGINS, Article
from cms_sync.errors import CmsSyncError
from cms_sync.findings import Finding

__all__ = ["SEO_PLUGINS", "SiteFields", "SiteMismatch", "needs", "problems", "read"]
ROUTES = {"post": "/wp/v2/posts", "page": "/wp/v2/pages"}
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


@dataclass(frozen=True)
class Taxonomy:
    """A taxonomy the REST API shows: its slug, where its terms live, what it applies to."""

    slug: str
    rest_base: str
    route: str
    hierarchical: bool
    types: tuple[str, ...]


@dataclass(frozen=True)
class SiteFields:
    """The facts read for the fields the articles use (empty: nothing was needed)."""

    meta: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # type -> key -> schema
    taxonomies: Mapping[str, Taxonomy] | None = None  # slug -> taxonomy; None: not read
    logins: Mapping[str, int] | None = None  # login -> user id; None: not read
    warnings: tuple[str, ...] = ()
    named: tuple[str, ...] = ()  # the taxonomies the articles name: those read and compared

    def login_of(self, user_id: int) -> str:
        """The login of a user id, ``#ID`` when unknown."""
        for login, found in (self.logins or {}).items():
            if found == user_id:
                return login
        return f"#{user_id}"

    def seo_keys(self, item_type: str) -> Mapping[str, str]:
        """The meta keys of the SEO plugin whose keys the site registers for ``item_type``
        (seo key -> meta key), empty when none is."""
        registered = self.meta.get(item_type, {})
        for keys in SEO_PLUGINS.values():
            if any(key in registered for key in keys.values()):
                return {name: key for name, key in keys.items() if key in registered}
        return {}

    def seo_plugin(self, item_type: str) -> str:
        keys = set(self.seo_keys(item_type).values())
        return next((name for name, k in SEO_PLUGINS.items() if keys & set(k.values())), "")

    def custom_taxonomies(self, item_type: str) -> list[Taxonomy]:
        """The taxonomies the articles name (besides categories and tags, which have keys of
        their own) that apply to ``item_type``."""
        found = [(self.taxonomies or {}).get(slug) for slug in self.named]
        return [t for t in found if t is not None and item_type in t.types]


class SiteMismatch(CmsSyncError):
    """Articles ask for what the site does not have: one ``path:line: error:`` line each."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), file=file, err=True)


def needs(articles: Iterable[Article]) -> set[str]:
    """What must be read for ``articles``: "users", "taxonomies", "meta:post", "meta:page"."""
    found: set[str] = set()
    for article in articles:
        if article.author is not None:
            found.add("users")
        if article.taxonomies:
            found.add("taxonomies")
        if article.meta or article.seo:
            found.add(f"meta:{article.type}")
    return found


def read(
    get: Callable[[str, dict[str, Any]], Any],
    get_all: Callable[[str, dict[str, Any]], list[Any]],
    wanted: set[str],
    list_users: bool,
    known: SiteFields | None = None,
) -> SiteFields:
    """The facts ``wanted`` (see :func:`needs`), through the client's ``get``/``get_all``;
    one request each (users: one per 100 authors). What ``known`` holds is not read again."""
    known = known or SiteFields()
    meta = dict(known.meta)
    for item_type in sorted(w.removeprefix("meta:") for w in wanted if w.startswith("meta:")):
        if item_type not in meta:
            schema = get(ROUTES[item_type], {"_method": "OPTIONS"}).get("schema") or {}
            found = (schema.get("properties") or {}).get("meta") or {}
            meta[item_type] = dict(found.get("properties") or {})
    taxonomies = known.taxonomies
    if "taxonomies" in wanted and taxonomies is None:
        taxonomies = {}
        for slug, item in dict(get("/wp/v2/taxonomies", {})).items():
            base = str(item.get("rest_base") or slug)
            namespace = str(item.get("rest_namespace") or "wp/v2")
            taxonomies[slug] = Taxonomy(
                slug, base, f"/{namespace}/{base}", bool(item.get("hierarchical")),
                tuple(item.get("types") or ()),
            )  # fmt: skip
    logins = known.logins
    if "users" in wanted and logins is None:
        query = {"who": "authors", "_fields": "id,slug"}
        if list_users:  # the login itself is in the edit view only
            query = {"who": "authors", "context": "edit", "_fields": "id,slug,username"}
        logins = {}
        for user in get_all("/wp/v2/users", query):
            logins[str(user.get("username") or user["slug"])] = int(user["id"])
    return SiteFields(meta, taxonomies, logins, known.warnings, known.named)


def problems(articles: Iterable[Article], facts: SiteFields, site_url: str) -> list[Finding]:
    """Each article's fields the site cannot take, as findings at the key's line."""
    found: list[Finding] = []
    seo_without: list[Article] = []
    for article in articles:

        def error(key: str, message: str, article: Article = article) -> None:
            found.append(Finding(article.path, article.line_of(key), "error", message))

        logins = facts.logins
        if article.author is not None and logins is not None and article.author not in logins:
            names = ", ".join(sorted(logins)[:10])
            error("author", f"author: no user '{article.author}' who may write posts on "
                  f"{site_url}; use the login of one of: {names}")  # fmt: skip
        if article.taxonomies and facts.taxonomies is not None:
            kind = f"{article.type}s"
            for slug in article.taxonomies:
                taxonomy = facts.taxonomies.get(slug)
                usable = sorted(
                    t.slug for t in facts.taxonomies.values()
                    if article.type in t.types and t.slug not in ("category", "post_tag")
                )  # fmt: skip
                if taxonomy is None or article.type not in taxonomy.types:
                    where = "no such taxonomy" if taxonomy is None else f"not one for {kind}"
                    error("taxonomies", f"taxonomies: '{slug}' is {where} on {site_url}; use one "
                          f"of: {', '.join(usable) or '(none)'} (or register it, with "
                          "show_in_rest)")  # fmt: skip
        registered = facts.meta.get(article.type)
        if article.meta and registered is not None:
            for key, value in article.meta.items():
                message = _meta_problem(key, value, registered, article.type, site_url)
                if message:
                    error("meta", f"meta: {message}")
        if article.seo and registered is not None and not facts.seo_keys(article.type):
            seo_without.append(article)
    if seo_without:
        first = seo_without[0]
        found.append(
            Finding(first.path, first.line_of("seo"), "warning",
                    f"seo: neither Yoast SEO nor Rank Math registers its meta keys for the REST "
                    f"API on {site_url}, so the seo fields of {len(seo_without)} article(s) are "
                    "not sent; install one of them (with its meta shown in the REST API)")
        )  # fmt: skip
    return found


def _meta_problem(
    key: str, value: object, registered: Mapping[str, Any], item_type: str, site_url: str
) -> str:
    schema = registered.get(key)
    if schema is None:
        shown = [k for k in sorted(registered) if not k.startswith("_cms_sync")]
        return (
            f"'{key}' is not a registered meta key of {item_type}s on {site_url} (WordPress "
            "ignores others); register it with register_post_meta(..., show_in_rest) or use "
            f"one of: {', '.join(shown) or '(none)'}"
        )
    kinds = schema.get("type") or []
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    if kinds and not any(_JSON_TYPES.get(k, lambda _v: True)(value) for k in kinds):
        if isinstance(value, dt.date):
            value = str(value)
        return (
            f"'{key}' is registered as {' or '.join(kinds)} on {site_url}, but the value "
            f"{value!r} is not one; write a {kinds[0]} value (quote text)"
        )
    return ""
