"""What the site holds, as read once at the start of a run: an immutable snapshot.

plan reads it; nothing changes it in place. A write that changes the site (a created
post, an uploaded image, a new term) gives a new snapshot with that change, made by the
``with_*`` methods, so every later decision sees the same facts the site does.

Three parts are read only when something first asks for them (:class:`Later`): the terms,
the media and the block profile. A run that renders and sends nothing (a no-op) reads none
of them; a snapshot made from another shares the answer, so each is read once a run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from cms_sync.blocks import CURRENT, Profile
from cms_sync.errors import CmsSyncError
from cms_sync.items import Foreign
from cms_sync.site_fields import SiteFields

# Capabilities of the user (from /users/me?context=edit) needed by each kind of write.
# Pages have capabilities of their own (an Author may write posts, not pages); notice
# patterns (wp_block) take the posts' ones.
CAPABILITY_FOR = {
    "create posts": "edit_posts",
    "publish posts": "publish_posts",
    "edit published posts": "edit_published_posts",
    "edit others' posts": "edit_others_posts",
    "trash posts": "delete_posts",
    "create pages": "edit_pages",
    "publish pages": "publish_pages",
    "edit published pages": "edit_published_pages",
    "edit others' pages": "edit_others_pages",
    "trash pages": "delete_pages",
    "upload media": "upload_files",
    "create categories": "manage_categories",
    "create tags": "edit_posts",
}
_NOUNS = {"page": "pages"}  # item type -> the word of its capabilities ("posts" otherwise)


def capability_for(need: str) -> str:
    """The capability a kind of write needs; a custom taxonomy's terms, by default, need
    what categories need (WordPress's default for register_taxonomy)."""
    return CAPABILITY_FOR.get(need, "manage_categories")


def need(verb: str, type_name: str) -> str:
    """A kind of write of items of ``type_name``, as CAPABILITY_FOR names it:
    ``need("create", "page")`` is "create pages"."""
    return f"{verb} {_NOUNS.get(type_name, 'posts')}"


@dataclass(frozen=True)
class User:
    """The WordPress user cms-sync writes as."""

    name: str
    capabilities: Mapping[str, bool]

    def can(self, capability: str) -> bool:
        return bool(self.capabilities.get(capability))

    def require(self, needs: Iterable[str]) -> None:
        """Stop before writing when the user lacks a capability ``needs`` (CAPABILITY_FOR keys;
        "create X" for a custom taxonomy X: manage_categories, its default)."""
        missing = [need for need in needs if not self.can(capability_for(need))]
        if missing:
            raise CmsSyncError(
                f"WordPress user '{self.name}' may not "
                + ", ".join(missing)
                + " (missing "
                + ", ".join(sorted({capability_for(need) for need in missing}))
                + "); nothing was written: ask an administrator for a role with it"
            )


@dataclass(frozen=True)
class Media:
    id: int
    url: str
    alt: str | None = None  # the attachment's alt_text; None when not read


T = TypeVar("T")


class Later(Generic[T]):
    """A part of the snapshot read from the site the first time it is asked for, once."""

    def __init__(self, read: Callable[[Snapshot], T] | None, value: T | None = None) -> None:
        self._read, self._value = read, value

    @classmethod
    def ready(cls, value: T) -> Later[T]:
        return cls(None, value)

    @property
    def done(self) -> bool:
        return self._read is None

    def get(self, snapshot: Snapshot) -> T:
        """The value, read now (as ``snapshot`` knows the site) when nobody asked before."""
        if self._read is not None:
            self._value, self._read = self._read(snapshot), None
        assert self._value is not None
        return self._value


@dataclass(frozen=True)
class Terms:
    ids: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # taxonomy -> name -> id
    names: Mapping[int, str] = field(default_factory=dict)  # id -> name
    # taxonomy -> decoded slug -> name, of the terms read with their slug: a name the site
    # lacks whose slug a term holds is that term renamed (see site_fields.renamed_terms).
    slugs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def with_term(self, taxonomy: str, term_id: int, name: str, slug: str = "") -> Terms:
        ids = {**self.ids.get(taxonomy, {}), name.casefold(): term_id}
        slugs = {**self.slugs, taxonomy: {**self.slugs.get(taxonomy, {}), slug: name}}
        return Terms(
            {**self.ids, taxonomy: ids}, {**self.names, term_id: name},
            slugs if slug else self.slugs,
        )  # fmt: skip


@dataclass(frozen=True)
class Images:
    by_hash: Mapping[str, Media] = field(default_factory=dict)  # content hash -> first upload
    hashes: Mapping[int, str] = field(default_factory=dict)  # media id -> content hash

    def with_media(self, digest: str, media: Media) -> Images:
        # The first upload of a file wins.
        return Images({digest: media, **self.by_hash}, {**self.hashes, media.id: digest})


@dataclass(frozen=True)
class Snapshot:
    """The site as this run knows it."""

    site_url: str
    user: User
    items: Mapping[str, Mapping[int, Mapping[str, Any]]]  # item type -> id -> REST JSON
    foreign: Mapping[str, Mapping[int, Foreign]]  # item type -> id -> another user's item
    terms: Later[Terms]  # the terms the run's items use and the articles name
    images: Later[Images]  # the images cms-sync uploaded
    # The companion plugin's version ("" when not active): identity and notice in meta, for
    # the types it keeps them of (ItemType.identity_in_meta).
    companion: str = ""
    # How the site's block editor writes blocks (blocks format), and why it is a guess.
    blocks: Later[tuple[Profile, str]] = field(default_factory=lambda: Later.ready((CURRENT, "")))
    # Any post's permalink_template, read when no item of the run has one (a first publish):
    # how the site will make the permalinks of the posts this run creates.
    permalink_template: str = ""
    # What the site says about the fields the articles use (users, taxonomies, meta keys).
    fields: SiteFields = field(default_factory=SiteFields)

    @classmethod
    def empty(cls, site_url: str, user: User, companion: str = "") -> Snapshot:
        """What is known before anything is read: who we are, and whether the site runs
        the companion plugin."""
        return cls(site_url, user, {}, {}, Later.ready(Terms()), Later.ready(Images()), companion)

    @property
    def term_ids(self) -> Mapping[str, Mapping[str, int]]:
        """taxonomy -> case-folded name -> id (read when first asked for)."""
        return self.terms.get(self).ids

    @property
    def term_names(self) -> Mapping[int, str]:
        return self.terms.get(self).names

    @property
    def media(self) -> Mapping[str, Media]:
        """content hash (12 hex digits) -> the first upload of it (read when first asked for)."""
        return self.images.get(self).by_hash

    @property
    def media_hashes(self) -> Mapping[int, str]:
        return self.images.get(self).hashes

    @property
    def profile(self) -> Profile:
        """How the site's block editor writes blocks: read when something is rendered."""
        return self.blocks.get(self)[0]

    @property
    def profile_note(self) -> str:
        """Why the profile is a guess, for the report; "" when it was never read."""
        return self.blocks.get(self)[1] if self.blocks.done else ""

    def with_items(self, type_name: str, found: Iterable[Mapping[str, Any]]) -> Snapshot:
        """The snapshot with these items of ``type_name`` as the site now has them."""
        items = {**self.items.get(type_name, {}), **{item["id"]: item for item in found}}
        return dataclasses.replace(self, items={**self.items, type_name: items})

    def with_media(self, digest: str, media: Media) -> Snapshot:
        images = self.images.get(self).with_media(digest, media)
        return dataclasses.replace(self, images=Later.ready(images))

    def with_alt(self, digest: str, alt: str) -> Snapshot:
        """The snapshot after the alt text of the image ``digest`` was set."""
        images = self.images.get(self)
        media = dataclasses.replace(images.by_hash[digest], alt=alt)
        by_hash = {**images.by_hash, digest: media}
        return dataclasses.replace(self, images=Later.ready(Images(by_hash, images.hashes)))

    def with_term(self, taxonomy: str, term_id: int, name: str, slug: str = "") -> Snapshot:
        terms = self.terms.get(self).with_term(taxonomy, term_id, name, slug)
        return dataclasses.replace(self, terms=Later.ready(terms))
