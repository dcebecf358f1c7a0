"""What cms-sync manages on a site, one object per type of item (a post, a notice pattern).

Each :class:`ItemType` knows its REST route, its fields and how to build a write's body,
so plan and apply never ask which type they hold; a new type is one new object.

An item is seen two ways:
- its *fields*, the comparable view the plan uses: term names, image hashes, decoded slug;
- its *stored state*, what WordPress keeps verbatim (raw texts and IDs), hashed into the
  marker after every publish so that an edit made in wp-admin shows as a changed hash.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from cms_sync import marker
from cms_sync.articles import Article, Secret
from cms_sync.items import Desired, Remote
from cms_sync.site_fields import SiteFields

if TYPE_CHECKING:
    from cms_sync.snapshot import Snapshot

Json = Mapping[str, Any]


def normal_status(status: str) -> str:
    """WordPress turns publish-with-a-future-date into future, and future into publish
    when the date passes: both mean "live at the date"."""
    return "publish" if status == "future" else status


def term_names(names: tuple[str, ...] | list[str]) -> list[str]:
    """Term names as compared: entities decoded, trimmed, case-folded, sorted, unique."""
    return sorted({html.unescape(n).strip().casefold() for n in names})


# marker.split of each item's content, keyed by the content's id() and checked by identity:
# a run asks it of each item several times (its identity, its content field, its stored
# hash, again for every plan pass), and the search through a long post is the costliest
# step of reading one. Forgotten with the items (see ItemType.remotes), so a thousand long
# posts are not kept twice.
_SPLITS: dict[int, tuple[str, tuple[str, marker.Marker | None]]] = {}


def split_marker(content: str) -> tuple[str, marker.Marker | None]:
    """marker.split, once per content."""
    if marker.PREFIX not in content:  # a body about to be sent: no marker to look for
        return content, None
    known = _SPLITS.get(id(content))
    if known is None or known[0] is not content:
        known = _SPLITS[id(content)] = (content, marker.split(content))
    return known[1]


def plugin_version(version: str) -> tuple[int, ...]:
    """A plugin version as numbers to compare ("0.4.0" -> (0, 4, 0)); what is not a
    number ends it."""
    numbers = []
    for part in str(version).split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


def _raw(item: Json, name: str) -> str:
    value = item.get(name, "")
    return str(value.get("raw", "") if isinstance(value, dict) else value)


@dataclass(frozen=True)
class Wanted:
    """What an article asks of its post, with what only the run knows (content, image)."""

    article: Article
    content: str
    image_hash: str
    companion: bool = False  # the companion plugin is active: identity and notice in meta
    notice: int = 0  # with the companion: the notice pattern shown under the comment form
    site: SiteFields = field(default_factory=SiteFields)  # the SEO plugin's keys, for seo
    parent: int | None = None  # a page's parent page's ID (0: none; None: not created yet)


@dataclass(frozen=True)
class Field:
    """One field of an item, defined once: its name in the plan, its REST name, how an
    article sets it (None: left to WordPress), how it is read back and how it is sent."""

    name: str
    # "meta.KEY": a post meta key (companion plugin); "meta": several meta keys (``send``
    # gives them as a mapping); "*": several REST fields (the same); "": compared, never sent
    rest: str
    read: Callable[[Json, Snapshot], object]  # the comparable value, from the site's JSON
    want: Callable[[Wanted], object | None] = lambda _wanted: None
    send: Callable[[object, Snapshot], object] = lambda value, _snapshot: value


def _text(rest: str, want: Callable[[Wanted], object | None] = lambda _w: None) -> Field:
    return Field(rest, rest, lambda item, _s: _raw(item, rest), want)


def _terms(taxonomy: str, want: Callable[[Wanted], object | None]) -> Field:
    def read(item: Json, snapshot: Snapshot) -> object:
        return term_names([snapshot.term_names.get(i, f"#{i}") for i in item[taxonomy]])

    def send(names: object, snapshot: Snapshot) -> object:
        assert isinstance(names, list)
        return sorted(snapshot.term_ids[taxonomy][n] for n in names)

    return Field(taxonomy, taxonomy, read, want, send)


def _featured_image(item: Json, snapshot: Snapshot) -> object:
    media = int(item.get("featured_media") or 0)
    return snapshot.media_hashes.get(media, f"media:{media}") if media else ""


def _media_id(image_hash: object, snapshot: Snapshot) -> object:
    return snapshot.media[str(image_hash)].id if image_hash else 0


def _date(wanted: Wanted, key: str) -> str | None:
    date = wanted.article.date
    if date is None or (key == "date") != (date.tzinfo is None):
        return None
    return date_value(date)


def date_value(date: dt.datetime) -> str:
    """A naive date as site time (sent as ``date``), an aware one in UTC (``date_gmt``)."""
    if date.tzinfo is not None:
        date = date.astimezone(dt.UTC).replace(tzinfo=None)
    return date.isoformat(timespec="seconds")


CONTENT = Field(
    "content",
    "content",
    lambda item, _s: split_marker(_raw(item, "content"))[0].rstrip(),
    lambda wanted: wanted.content.rstrip(),
)


def meta_of(item: Json) -> Mapping[str, Any]:
    """An item's post meta (WordPress answers ``[]`` when none is registered)."""
    found = item.get("meta")
    return found if isinstance(found, dict) else {}


IDENTITY_META = "_cms_sync_identity"


def marker_of(item: Json) -> marker.Marker | None:
    """An item's identity: in its post meta (companion plugin), else in its content."""
    found = marker.parse(str(meta_of(item).get(IDENTITY_META) or ""))
    return found or split_marker(_raw(item, "content"))[1]


def _identity_place(item: Json, _s: Snapshot) -> object:
    return "meta" if meta_of(item).get(IDENTITY_META) else "content"


# Where the identity lives: with the companion plugin, an item whose marker is still in its
# content differs here, so it is written once and its identity moves to post meta.
IDENTITY_PLACE = Field(
    "identity_in", "", _identity_place, lambda w: "meta" if w.companion else None
)


class Partial(dict[str, object]):
    """What the site holds of a mapping field (meta, seo, taxonomies): equal to what an
    article asks when every key the article sets holds the article's value; the site's
    other keys are not the article's to compare."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Partial) or not isinstance(other, dict):
            return dict.__eq__(self, other)
        return all(self.get(key) == value for key, value in other.items())

    def __ne__(self, other: object) -> bool:
        return not self == other


def _meta(item: Json, _s: Snapshot) -> object:
    return Partial({k: v for k, v in meta_of(item).items() if not k.startswith("_cms_sync")})


def _seo(type_name: str) -> Field:
    """The SEO plugin's title, description and focus keyword, in its own meta keys."""

    def read(item: Json, snapshot: Snapshot) -> object:
        keys = snapshot.fields.seo_keys(type_name)
        return Partial({name: meta_of(item).get(key, "") for name, key in keys.items()})

    def want(wanted: Wanted) -> object | None:
        keys = wanted.site.seo_keys(type_name)
        found = {name: text for name, text in wanted.article.seo.items() if name in keys}
        return found or None

    def send(value: object, snapshot: Snapshot) -> object:
        assert isinstance(value, dict)
        keys = snapshot.fields.seo_keys(type_name)
        return {keys[name]: text for name, text in value.items()}

    return Field("seo", "meta", read, want, send)


def _taxonomies(type_name: str) -> Field:
    """Custom taxonomies' terms by name (categories and tags have fields of their own)."""

    def read(item: Json, snapshot: Snapshot) -> object:
        names = snapshot.term_names
        return Partial({
            t.slug: term_names([names.get(i, f"#{i}") for i in item.get(t.rest_base) or []])
            for t in snapshot.fields.custom_taxonomies(type_name)
        })  # fmt: skip

    def want(wanted: Wanted) -> object | None:
        found = {slug: term_names(names) for slug, names in wanted.article.taxonomies.items()}
        return found or None

    def send(value: object, snapshot: Snapshot) -> object:
        assert isinstance(value, dict)
        taxonomies = snapshot.fields.taxonomies or {}
        return {
            taxonomies[slug].rest_base: sorted(snapshot.term_ids[slug][n] for n in names)
            for slug, names in value.items()
        }

    return Field("taxonomies", "*", read, want, send)


def _author(item: Json, snapshot: Snapshot) -> object:
    return snapshot.fields.login_of(int(item.get("author") or 0))


def _user_id(login: object, snapshot: Snapshot) -> object:
    return (snapshot.fields.logins or {})[str(login)]


def _password(item: Json, _s: Snapshot) -> object:
    return Secret(str(item.get("password") or ""))


def _send_password(value: object, _s: Snapshot) -> object:
    assert isinstance(value, Secret)
    return value.value


def _common_fields(type_name: str) -> tuple[Field, ...]:
    """The fields posts and pages share that an article sets only when it says so."""
    return (
        _text("ping_status", lambda w: w.article.ping_status),
        _text("template", lambda w: w.article.template),
        Field("author", "author", _author, lambda w: w.article.author, _user_id),
        Field("password", "password", _password, lambda w: w.article.password, _send_password),
        Field("meta", "meta", _meta, lambda w: dict(w.article.meta) or None),
        _seo(type_name),
        _taxonomies(type_name),
    )


POST_FIELDS = (
    _text("title", lambda w: w.article.title),
    CONTENT,
    _text("excerpt", lambda w: w.article.excerpt),
    Field(
        "status",
        "status",
        lambda item, _s: normal_status(item["status"]),
        lambda w: normal_status(w.article.status),
    ),
    Field("slug", "slug", lambda item, _s: unquote(item["slug"]), lambda w: w.article.slug),
    _terms("tags", lambda w: term_names(w.article.tags)),
    Field("featured_image", "featured_media", _featured_image, lambda w: w.image_hash, _media_id),
    _text("comment_status", lambda w: w.article.comment_status),
    # No categories: WordPress files the post under its default category.
    _terms("categories", lambda w: term_names(w.article.categories) or None),
    Field("date", "date", lambda item, _s: item["date"], lambda w: _date(w, "date")),
    Field(
        "date_gmt",
        "date_gmt",
        lambda item, _s: item.get("date_gmt") or "",
        lambda w: _date(w, "date_gmt"),
    ),
    IDENTITY_PLACE,
    Field(
        "notice",
        "meta._cms_sync_notice",
        lambda item, _s: int(meta_of(item).get("_cms_sync_notice") or 0),
        lambda w: w.notice if w.companion else None,
    ),
    Field(
        "sticky", "sticky", lambda item, _s: bool(item.get("sticky")), lambda w: w.article.sticky
    ),
    Field(
        "format",
        "format",
        lambda item, _s: item.get("format") or "standard",
        lambda w: w.article.format,
    ),
    *_common_fields("post"),
)
# Pages: no excerpt, categories, tags, stickiness or format; a parent and a menu order,
# always managed (a page without parent: is at the top level).
PAGE_FIELDS = (
    *(f for f in POST_FIELDS if f.name in ("title", "content", "status", "slug",
      "featured_image", "comment_status", "date", "date_gmt", "identity_in", "notice")),
    # By the parent page's ID, which neither its slug nor its file's name changes: a
    # parent renamed in the same run is still the parent (its key is the old slug until
    # its write), and an editor's move under another page is a change.
    Field("parent", "parent", lambda item, _s: int(item.get("parent") or 0), lambda w: w.parent),
    Field(
        "menu_order",
        "menu_order",
        lambda item, _s: int(item.get("menu_order") or 0),
        lambda w: w.article.menu_order or 0,
    ),
    *_common_fields("page"),
)  # fmt: skip
PATTERN_FIELDS = (
    _text("title"),
    CONTENT,
    IDENTITY_PLACE,
    Field(
        "labels",
        "meta._cms_sync_labels",
        lambda item, _s: meta_of(item).get("_cms_sync_labels") or "",
    ),
    Field(
        "consent",
        "meta._cms_sync_consent",
        lambda item, _s: bool(meta_of(item).get("_cms_sync_consent")),
    ),
)


class _RemoteFields(Mapping[str, object]):
    """A site item's comparable fields, each read when first looked at: an unchanged item
    needs neither its term names nor its images, which the snapshot reads on demand."""

    def __init__(self, fields: tuple[Field, ...], item: Json, snapshot: Snapshot) -> None:
        self._fields = {f.name: f for f in fields}
        self._item, self._snapshot = item, snapshot
        self._read: dict[str, object] = {}

    def __getitem__(self, name: str) -> object:
        if name not in self._read:
            self._read[name] = self._fields[name].read(self._item, self._snapshot)
        return self._read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)


@dataclass(frozen=True)
class ItemType:
    """A type of managed item: where it lives and how it is read and written."""

    name: str  # as the reports say it: "post", "pattern"
    route: str
    statuses: str  # the statuses a read asks for
    fields: tuple[Field, ...]
    stored: tuple[str, ...]  # REST fields the marker's stored hash covers, in marker order
    fixed: Mapping[str, object] = field(default_factory=dict)  # sent with every write
    public: bool = True  # whether readers have a page for it (a pattern has none)
    # The companion plugin's first version that registers the identity meta for this type:
    # WordPress drops a meta key it does not know without a word, so with an older plugin
    # the identity stays in the content, as without the plugin.
    meta_since: tuple[int, ...] = ()

    def identity_in_meta(self, companion: str) -> bool:
        """Whether the companion plugin of version ``companion`` ("" when not active)
        keeps this type's identity (and notice) in post meta."""
        return bool(companion) and plugin_version(companion) >= self.meta_since

    @property
    def read_fields(self) -> str:
        rest = [f.rest.partition(".")[0] for f in self.fields if f.rest not in ("", "*")]
        # A public item's permalink_template gives its permalink before it is published.
        public = ["permalink_template"] if self.public else []
        names = ["id", "link", "modified_gmt", "meta", *public, *self.stored, *rest]
        return ",".join(dict.fromkeys(names))

    def url(self, site_url: str, item_id: int, link: str) -> str:
        """Where a person looks at the item: its permalink, or its editor in wp-admin."""
        return link if self.public else f"{site_url}/wp-admin/post.php?post={item_id}&action=edit"

    def remote(self, item: Json, snapshot: Snapshot) -> Remote:
        """An item of the site as a plan item; its marker is None when it carries none."""
        found = marker_of(item)
        fields = _RemoteFields(self.fields, item, snapshot)
        sent = tuple(found.fields.split(",")) if found and found.fields else self.stored
        stored_hash, renamed_hash = _stored_hashes(self.name, item, sent)
        link = item.get("link", "")
        return Remote(item["id"], link, found, fields, stored_hash, renamed_hash)

    def wanted(self, wanted: Wanted) -> dict[str, object]:
        """The comparable fields an article wants its item to have."""
        values = ((f.name, f.want(wanted)) for f in self.fields)
        return {name: value for name, value in values if value is not None}

    def remotes(self, snapshot: Snapshot) -> list[Remote]:
        """Every item of this type the snapshot holds: managed ones, and posts without a
        marker that hold an article's slug."""
        items = snapshot.items.get(self.name, {}).values()
        found = [self.remote(i, snapshot) for i in items]
        mine = {(self.name, id(i)) for i in items}
        for key in [k for k in _HASHES if k[0] == self.name and k not in mine]:
            del _HASHES[key]
        held = {id(_raw(i, "content")) for found in snapshot.items.values() for i in found.values()}
        for content in [k for k in _SPLITS if k not in held]:
            del _SPLITS[content]
        return found

    def body(self, desired: Desired, snapshot: Snapshot) -> dict[str, Any]:
        """The JSON body of a write of ``desired`` (content without the marker)."""
        by_name = {f.name: f for f in self.fields}
        body: dict[str, Any] = {}
        for name, value in desired.fields.items():
            rest = by_name[name].rest
            if rest.startswith("meta."):
                body.setdefault("meta", {})[rest.removeprefix("meta.")] = value
                continue
            sent = by_name[name].send(value, snapshot) if rest else None
            if rest in ("meta", "*"):  # several keys at once
                assert isinstance(sent, dict)
                (body.setdefault("meta", {}) if rest == "meta" else body).update(sent)
            elif rest:
                body[rest] = sent
        return {**body, **self.fixed}

    def sent_fields(self, body: Json) -> tuple[str, ...]:
        """The stored-state fields a body sets (what the marker's hash covers): the type's
        own, each meta key an article sets ("meta.KEY"), and the terms of custom
        taxonomies (their REST names: the body's lists that are no field of the type)."""
        own = {f.rest for f in self.fields} | set(self.fixed) | set(self.stored)
        meta = body.get("meta") or {}
        return (
            *(name for name in self.stored if name in body),
            *(f"meta.{key}" for key in sorted(meta) if not key.startswith("_cms_sync")),
            *(key for key in sorted(body) if key not in own and isinstance(body[key], list)),
        )


# Stored (hashed into the marker) only when an article sets them, so sent.
_OPTIONAL_STORED = ("ping_status", "template", "author", "password")
POST = ItemType(
    "post",
    "/wp/v2/posts",
    "publish,future,draft,pending,private,trash",  # "any" leaves out the trash
    POST_FIELDS,
    stored=("title", "content", "excerpt", "status", "slug", "categories", "tags",
            "featured_media", "comment_status", *_OPTIONAL_STORED, "sticky", "format"),
)  # fmt: skip
PAGE = ItemType(
    "page",
    "/wp/v2/pages",
    "publish,future,draft,pending,private,trash",
    PAGE_FIELDS,
    stored=("title", "content", "status", "slug", "featured_media", "comment_status",
            "parent", "menu_order", *_OPTIONAL_STORED),
    meta_since=(0, 4),
)  # fmt: skip
PATTERN = ItemType(
    "pattern",
    "/wp/v2/blocks",
    "any",
    PATTERN_FIELDS,
    stored=("title", "content", "status"),
    fixed={"status": "publish"},
    public=False,
)


# The stored hashes of the items of the latest snapshot: each pass of a run makes the plan
# items of the whole snapshot again, and hashing a long post's content is most of that.
# Keyed by the item's type and id(), checked by identity (a snapshot's items never change
# in place); an item the snapshot no longer holds is forgotten (see ItemType.remotes).
_HASHES: dict[tuple[str, int], tuple[Json, tuple[str, ...], tuple[str, str]]] = {}


def _stored_hashes(type_name: str, item: Json, keys: tuple[str, ...]) -> tuple[str, str]:
    """The stored hash of ``item`` over ``keys``, and its hash without a "-N" slug suffix."""
    known = _HASHES.get((type_name, id(item)))
    if known is not None and known[0] is item and known[1] == keys:
        return known[2]
    found = marker.state_hash(stored_state(item, keys)), _renamed_hash(item, keys)
    _HASHES[(type_name, id(item))] = (item, keys, found)
    return found


def _renamed_hash(item: Json, keys: tuple[str, ...]) -> str:
    """The stored hash of ``item`` without a "-N" WordPress added to its slug ("" if none)."""
    slug = str(item.get("slug") or "")
    base = re.sub(r"-[0-9]+$", "", slug)
    if "slug" not in keys or base == slug:
        return ""
    return marker.state_hash(stored_state({**item, "slug": base}, keys))


def stored_state(item: Json, keys: tuple[str, ...]) -> dict[str, object]:
    """What WordPress keeps of an item, from a write's body or from the site's JSON."""
    state: dict[str, object] = {}
    for name in keys:
        value = item.get(name)
        if name == "content":
            state[name] = split_marker(_raw(item, name))[0].rstrip()
        elif name == "status":
            state[name] = normal_status(_raw(item, name))
        elif name == "slug":
            state[name] = unquote(_raw(item, name))
        elif name.startswith("meta."):
            state[name] = meta_of(item).get(name.removeprefix("meta."))
        elif name in _NUMBERS:
            state[name] = int(value or 0)
        elif name == "sticky":
            state[name] = bool(value)
        elif isinstance(value, list) or name in ("categories", "tags"):  # and custom terms
            state[name] = sorted(int(i) for i in value or [])
        else:
            state[name] = _raw(item, name)
    return state


_NUMBERS = ("featured_media", "author", "parent", "menu_order")
