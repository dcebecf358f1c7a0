"""What the site holds, as read once at the start of a run: an immutable snapshot.

plan reads it; nothing changes it in place. A write that changes the site (a created
post, an uploaded image, a new term) gives a new snapshot with that change, made by the
``with_*`` methods, so every later decision sees the same facts the site does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cms_sync.blocks import CURRENT, Profile
from cms_sync.errors import CmsSyncError
from cms_sync.items import Foreign

# Capabilities of the user (from /users/me?context=edit) needed by each kind of write.
CAPABILITY_FOR = {
    "create posts": "edit_posts",
    "publish posts": "publish_posts",
    "edit published posts": "edit_published_posts",
    "upload media": "upload_files",
    "create categories": "manage_categories",
    "create tags": "edit_posts",
    "trash posts": "delete_posts",
}


@dataclass(frozen=True)
class User:
    """The WordPress user cms-sync writes as."""

    name: str
    capabilities: Mapping[str, bool]

    def can(self, capability: str) -> bool:
        return bool(self.capabilities.get(capability))

    def require(self, needs: Iterable[str]) -> None:
        """Stop before writing when the user lacks a capability ``needs`` (CAPABILITY_FOR keys)."""
        missing = [need for need in needs if not self.can(CAPABILITY_FOR[need])]
        if missing:
            raise CmsSyncError(
                f"WordPress user '{self.name}' may not "
                + ", ".join(missing)
                + " (missing "
                + ", ".join(sorted({CAPABILITY_FOR[need] for need in missing}))
                + "); nothing was written: ask an administrator for a role with it"
            )


@dataclass(frozen=True)
class Media:
    id: int
    url: str
    alt: str | None = None  # the attachment's alt_text; None when not read


@dataclass(frozen=True)
class Snapshot:
    """The site as this run knows it."""

    site_url: str
    user: User
    items: Mapping[str, Mapping[int, Mapping[str, Any]]]  # item type -> id -> REST JSON
    foreign: Mapping[str, Mapping[int, Foreign]]  # item type -> id -> another user's item
    term_ids: Mapping[str, Mapping[str, int]]  # taxonomy -> case-folded name -> id
    term_names: Mapping[int, str]
    media: Mapping[str, Media]  # content hash (12 hex digits) -> the first upload of it
    media_hashes: Mapping[int, str]  # media id -> content hash
    companion: bool = False  # the companion plugin is active (identity and notice in meta)
    profile: Profile = CURRENT  # how the site's block editor writes blocks (blocks format)
    profile_note: str = ""  # why the profile is a guess, for the report (blocks.detect)
    # Any post's permalink_template, read when no item of the run has one (a first publish):
    # how the site will make the permalinks of the posts this run creates.
    permalink_template: str = ""

    @classmethod
    def empty(cls, site_url: str, user: User, companion: bool = False) -> Snapshot:
        """What is known before anything is read: who we are, and whether the site runs
        the companion plugin."""
        return cls(site_url, user, {}, {}, {}, {}, {}, {}, companion)

    def with_items(self, type_name: str, found: Iterable[Mapping[str, Any]]) -> Snapshot:
        """The snapshot with these items of ``type_name`` as the site now has them."""
        items = {**self.items.get(type_name, {}), **{item["id"]: item for item in found}}
        return dataclasses.replace(self, items={**self.items, type_name: items})

    def with_media(self, digest: str, media: Media) -> Snapshot:
        return dataclasses.replace(
            self,
            media={digest: media, **self.media},  # the first upload of a file wins
            media_hashes={**self.media_hashes, media.id: digest},
        )

    def with_alt(self, digest: str, alt: str) -> Snapshot:
        """The snapshot after the alt text of the image ``digest`` was set."""
        media = dataclasses.replace(self.media[digest], alt=alt)
        return dataclasses.replace(self, media={**self.media, digest: media})

    def with_term(self, taxonomy: str, term_id: int, name: str) -> Snapshot:
        ids = {**self.term_ids.get(taxonomy, {}), name.casefold(): term_id}
        return dataclasses.replace(
            self,
            term_ids={**self.term_ids, taxonomy: ids},
            term_names={**self.term_names, term_id: name},
        )
