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
plugin are a warning). :func:`renamed_terms` is pure too: a term an article names that the
site lacks under that name but holds at its slug was renamed in wp-admin.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import click

from cms_sync.articles import SEO_PLUGINS, Article
from cms_sync.errors import CmsSyncError
from cms_sync.findings import Finding
from cms_sync.slugs import wordpress_slug

__all__ = ["SEO_PLUGINS", "SiteFields", "SiteMismatch", "needs", "problems", "read",
           "renamed_terms"]  # fmt: skip
ROUTES = {"post": "/wp/v2/posts", "page": "/wp/v2/pages"}
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
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
    # "TYPE:TEMPLATE" -> why WordPress refuses that template for that type ("": it takes it)
    templates: Mapping[str, str] = field(default_factory=dict)

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
    """What must be read for ``articles``: "users", "taxonomies", "meta:post", "meta:page",
    "template:TYPE:NAME" for each template an article names."""
    found: set[str] = set()
    for article in articles:
        if article.template:  # "" is the default template, always there
            found.add(f"template:{article.type}:{article.template}")
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
    templates = dict(known.templates)
    for wanted_template in sorted(w for w in wanted if w.startswith("template:")):
        key = wanted_template.removeprefix("template:")
        if key not in templates:
            item_type, name = key.split(":", 1)
            templates[key] = _template_refusal(get, ROUTES[item_type], name)
    logins = known.logins
    if "users" in wanted and logins is None:
        query = {"who": "authors", "_fields": "id,slug"}
        if list_users:  # the login itself is in the edit view only
            query = {"who": "authors", "context": "edit", "_fields": "id,slug,username"}
        logins = {}
        for user in get_all("/wp/v2/users", query):
            logins[str(user.get("username") or user["slug"])] = int(user["id"])
    return SiteFields(meta, taxonomies, logins, known.warnings, known.named, templates)


# A status no site has: WordPress refuses the request for it, whatever else it holds.
_NO_STATUS = "cms-sync-check"


def _template_refusal(get: Callable[[str, dict[str, Any]], Any], route: str, name: str) -> str:
    """Why WordPress would refuse the template ``name`` for the items of ``route`` ("" when it
    takes it). The REST API lists a theme's templates to no one but administrators (and
    not in the schema), so WordPress is asked to validate a create with that template and a
    status no site has (`GET route?_method=POST`): it checks every parameter before any
    permission or write and answers 400 naming each bad one; its message for the template
    lists the ones it takes. Nothing is created. An answer of any other kind says nothing
    (a proxy that refuses _method, say): "" then, and WordPress itself decides later."""
    try:
        get(route, {"_method": "POST", "template": name, "status": _NO_STATUS})
    except CmsSyncError as exc:
        data = getattr(exc, "data", None) or {}
        params = data.get("params") if isinstance(data, dict) else None
        if isinstance(params, dict) and "status" in params:
            return str(params.get("template") or "")
    return ""


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
        refused = facts.templates.get(f"{article.type}:{article.template}")
        if article.template and refused:
            error("template", f"template: '{article.template}' is not a template for "
                  f"{article.type}s in the theme of {site_url} (WordPress: {refused}); use one "
                  "of those, or \"\" for the theme's default")  # fmt: skip
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
    problem = schema_problem(value, schema, key)
    return f"{problem[0]} on {site_url}, {problem[1]}" if problem else ""


def _kinds(schema: Mapping[str, Any]) -> list[str]:
    kinds = schema.get("type") or []
    return [kinds] if isinstance(kinds, str) else list(kinds)


def schema_problem(value: object, schema: Mapping[str, Any], where: str) -> tuple[str, str] | None:
    """What makes ``value`` fail the JSON schema WordPress registered (the keywords its
    rest_validate_value_from_schema knows), as (what the schema says, what to write);
    None when it passes. ``where`` names the value: ``flags``, ``flags[1]``, ``links[0].url``.
    Types are strict: ``'4'`` is no integer here, though WordPress would take it."""
    for keyword in ("anyOf", "oneOf"):
        options = [o for o in schema.get(keyword) or () if isinstance(o, Mapping)]
        if options and all(schema_problem(value, o, where) for o in options):
            if len(options) == 1:
                return schema_problem(value, options[0], where)
            return f"'{where}' matches none of the {len(options)} forms registered", "write one"
    kinds = _kinds(schema)
    matching = [k for k in kinds if _JSON_TYPES.get(k, lambda _v: True)(value)]
    if kinds and not matching:
        if isinstance(value, dt.date):
            value = str(value)
        return (
            f"'{where}' is registered as {' or '.join(kinds)}",
            f"but the value {value!r} is not one; write a {kinds[0]} value (quote text)",
        )
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and value not in enum:
        choices = ", ".join(repr(choice) for choice in enum[:20])
        return f"'{where}' is registered as one of {choices}", f"not {value!r}; write one of them"
    if isinstance(value, str):
        return _string_problem(value, schema, where)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_problem(value, schema, where)
    if isinstance(value, list):
        return _array_problem(value, schema, where)
    if isinstance(value, dict):
        return _object_problem(value, schema, where)
    return None


def _string_problem(value: str, schema: Mapping[str, Any], where: str) -> tuple[str, str] | None:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        return f"'{where}' is registered with at least {low} characters", f"not {len(value)}"
    if isinstance(high, int) and len(value) > high:
        return f"'{where}' is registered with at most {high} characters", f"not {len(value)}"
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            matches = re.search(pattern, value) is not None
        except re.error:  # a PCRE feature Python lacks: WordPress will say
            matches = True
        if not matches:
            return f"'{where}' is registered to match {pattern}", f"and {value!r} does not"
    return None


def _number_problem(value: float, schema: Mapping[str, Any], where: str) -> tuple[str, str] | None:
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(low, int | float) and (
        value < low or (schema.get("exclusiveMinimum") is True and value == low)
    ):
        above = "above" if schema.get("exclusiveMinimum") is True else "at least"
        return f"'{where}' is registered as {above} {low}", f"not {value}; write a larger number"
    if isinstance(high, int | float) and (
        value > high or (schema.get("exclusiveMaximum") is True and value == high)
    ):
        below = "below" if schema.get("exclusiveMaximum") is True else "at most"
        return f"'{where}' is registered as {below} {high}", f"not {value}; write a smaller number"
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step and math.fmod(value, step) != 0:
        return f"'{where}' is registered as a multiple of {step}", f"not {value}"
    return None


def _array_problem(
    value: list[Any], schema: Mapping[str, Any], where: str
) -> tuple[str, str] | None:
    items = schema.get("items")
    if isinstance(items, Mapping):
        for index, item in enumerate(value):
            found = schema_problem(item, items, f"{where}[{index}]")
            if found:
                return found
    low, high = schema.get("minItems"), schema.get("maxItems")
    if isinstance(low, int) and len(value) < low:
        return f"'{where}' is registered with at least {low} items", f"not {len(value)}"
    if isinstance(high, int) and len(value) > high:
        return f"'{where}' is registered with at most {high} items", f"not {len(value)}"
    if schema.get("uniqueItems") is True:
        seen: list[Any] = []
        for item in value:
            if item in seen:
                return f"'{where}' is registered with unique items", f"and {item!r} is twice"
            seen.append(item)
    return None


def _object_problem(
    value: dict[str, Any], schema: Mapping[str, Any], where: str
) -> tuple[str, str] | None:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required = schema.get("required")
    if not isinstance(required, list):  # draft 3: "required": true inside the property
        required = [
            n for n, p in properties.items() if isinstance(p, Mapping) and p.get("required") is True
        ]
    for name in required:
        if name not in value:
            return f"'{where}' is registered with the property {name}", "add it"
    extra = schema.get("additionalProperties")
    patterns = schema.get("patternProperties")
    for name, item in value.items():
        sub = properties.get(name)
        if sub is None and isinstance(patterns, Mapping):
            sub = next((p for r, p in patterns.items() if _search(r, name)), None)
        if sub is None and extra is False:
            known = ", ".join(properties) or "(none)"
            return f"'{where}' is registered with the properties {known} only", f"not {name}"
        if sub is None and isinstance(extra, Mapping):
            sub = extra
        found = schema_problem(item, sub, f"{where}.{name}") if isinstance(sub, Mapping) else None
        if found:
            return found
    return None


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def renamed_terms(
    articles: Iterable[Article],
    missing: Iterable[tuple[str, str]],
    slugs: Mapping[str, Mapping[str, str]],
    site_url: str,
) -> list[Finding]:
    """The terms about to be created (``missing``: taxonomy, name) whose slug a term of
    that taxonomy already holds under another name (``slugs``: taxonomy -> slug -> name, as
    read): an editor renamed it in wp-admin, and creating the old name would make a second
    term (slug ``news-2``) and move the post to it. One error a key of each article that
    names one, at the key's line."""
    renamed: dict[tuple[str, str], tuple[str, str]] = {}
    for taxonomy, name in missing:
        slug = wordpress_slug(name)
        held = slugs.get(taxonomy, {}).get(slug)
        if held is not None and held.casefold() != name.casefold():
            renamed[taxonomy, name.casefold()] = (held, slug)
    if not renamed:
        return []
    found: list[Finding] = []
    for article in articles:
        named = [("categories", "categories", article.categories), ("tags", "tags", article.tags)]
        named += [("taxonomies", slug, names) for slug, names in article.taxonomies.items()]
        for key, taxonomy, names in named:
            shown = f"taxonomies: {taxonomy}" if key == "taxonomies" else key
            for name in (html.unescape(n).strip() for n in names):
                hit = renamed.get((taxonomy, name.casefold()))
                if hit is None:
                    continue
                new, slug = hit
                twins = sorted(other for other, held in slugs.get(taxonomy, {}).items()
                               if other != slug and held.casefold() == new.casefold())  # fmt: skip
                if twins:  # writing the new name would file the post under the other term
                    message = (
                        f"{shown}: '{name}' was renamed to '{new}' on {site_url} (the term "
                        f"with slug '{slug}'), and the term with slug '{twins[0]}' is named "
                        f"'{new}' too: two terms share that name; rename one of them in "
                        f"wp-admin (or '{slug}' back to '{name}'), then publish again"
                    )
                else:
                    message = (
                        f"{shown}: '{name}' was renamed to '{new}' on {site_url} (the term "
                        f"with slug '{slug}'); write '{new}' in the file, or rename it back to "
                        f"'{name}' in wp-admin (publishing '{name}' would create a second term)"
                    )
                found.append(Finding(article.path, article.line_of(key), "error", message))
    return found
