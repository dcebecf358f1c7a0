"""What cms-sync knows of the site during one run: managed posts and patterns, terms, media.

Everything is read in bulk (pages of 100, one lookup per taxonomy) and cached for the
run, so the number of requests does not grow with the number of articles.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cms_sync import marker
from cms_sync.build import content_id
from cms_sync.posts import PATTERN_FIELDS, POST_FIELDS
from cms_sync.slugs import wordpress_slug
from cms_sync.wordpress import Client, WordPressError

STATUSES = "publish,future,draft,pending,private,trash"  # "any" leaves out the trash
ROUTES = {"post": "/wp/v2/posts", "pattern": "/wp/v2/blocks"}  # by kind of managed item
TAXONOMIES = {"categories": "/wp/v2/categories", "tags": "/wp/v2/tags"}
MEDIA_PREFIX = "cms-sync-"
_MEDIA_TITLE = re.compile(r"cms-sync-([0-9a-f]{12})")

# Capabilities of the user (from /users/me?context=edit) needed by each kind of write.
CAPABILITY_FOR = {
    "create posts": "edit_posts",
    "publish posts": "publish_posts",
    "edit published posts": "edit_published_posts",
    "upload media": "upload_files",
    "create categories and tags": "manage_categories",
    "trash posts": "delete_posts",
}


@dataclass
class Media:
    id: int
    url: str


@dataclass(frozen=True)
class Foreign:
    """A managed item of another user: visible, not editable by this one."""

    id: int
    link: str
    stamp: marker.Marker


@dataclass
class Site:
    """The site's state as far as this run needs it."""

    client: Client
    user: dict[str, Any] = field(default_factory=dict)
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    patterns: dict[int, dict[str, Any]] = field(default_factory=dict)
    term_ids: dict[str, dict[str, int]] = field(default_factory=dict)  # tax -> name -> id
    term_names: dict[int, str] = field(default_factory=dict)
    media: dict[str, Media] = field(default_factory=dict)  # content hash (12) -> media
    media_hashes: dict[int, str] = field(default_factory=dict)
    foreign_posts: dict[int, Foreign] = field(default_factory=dict)
    foreign_patterns: dict[int, Foreign] = field(default_factory=dict)

    def login(self) -> dict[str, Any]:
        """Confirm the credentials: a wrong application password is silently anonymous."""
        try:
            self.user = self.client.get("/wp/v2/users/me", {"context": "edit"})
        except WordPressError as exc:
            if exc.status == 401:
                raise WordPressError(
                    f"WordPress did not accept the application password for this user at "
                    f"{self.client.site_url}; create one under Users > Profile > Application "
                    "Passwords and set CMS_SYNC_APP_PASSWORD",
                    status=401,
                ) from None
            raise
        return self.user

    def missing_capabilities(self, needs: Iterable[str]) -> list[str]:
        """The needs (keys of CAPABILITY_FOR) this user's capabilities do not cover."""
        caps = self.user.get("capabilities") or {}
        return [need for need in needs if not caps.get(CAPABILITY_FOR[need])]

    @property
    def user_name(self) -> str:
        return str(self.user.get("slug") or self.user.get("name") or "")

    def can(self, capability: str) -> bool:
        return bool((self.user.get("capabilities") or {}).get(capability))

    def read_posts(self) -> None:
        """Every post carrying a marker, in pages of 100, the trash included: a post trashed
        in wp-admin is an edit to respect (a conflict), not a post to create again."""
        found = self.client.get_all(
            ROUTES["post"],
            {"status": STATUSES, "context": "edit", "search": marker.PREFIX,
             "_fields": POST_FIELDS},
        )  # fmt: skip
        self.posts = {p["id"]: p for p in found if marker.split(p["content"]["raw"])[1]}
        self.foreign_posts = self.read_foreign(ROUTES["post"], self.posts)

    def read_foreign(self, route: str, editable: dict[int, Any]) -> dict[int, Foreign]:
        """Managed items this user can see but not edit (another user's, for an Author).

        The edit view hides them, so without this look an Author would create a duplicate
        of every post an Editor published. Their marker says what was last published.
        """
        if self.can("edit_others_posts"):
            return {}
        found = self.client.get_all(route, {"search": marker.PREFIX, "_fields": "id,link,content"})
        foreign = {}
        for item in found:
            content = item["content"]  # patterns show raw in the view context, posts rendered
            stamp = marker.find_last(content.get("rendered") or content.get("raw") or "")
            if item["id"] not in editable and stamp is not None:
                foreign[item["id"]] = Foreign(item["id"], item.get("link", ""), stamp)
        return foreign

    def read_patterns(self) -> None:
        """Every synced pattern carrying a marker."""
        found = self.client.get_all(
            ROUTES["pattern"],
            {"status": "any", "context": "edit", "search": marker.PREFIX,
             "_fields": PATTERN_FIELDS},
        )  # fmt: skip
        self.patterns = {b["id"]: b for b in found if marker.split(b["content"]["raw"])[1]}
        self.foreign_patterns = self.read_foreign(ROUTES["pattern"], self.patterns)

    def read_terms(self, wanted: dict[str, set[str]]) -> None:
        """Look up the wanted term names and the terms the managed posts use."""
        for taxonomy, route in TAXONOMIES.items():
            self.term_ids.setdefault(taxonomy, {})
            used = sorted({i for p in self.posts.values() for i in p.get(taxonomy, [])})
            slugs = sorted({wordpress_slug(name) for name in wanted.get(taxonomy, set())})
            queries = [{"include": ",".join(map(str, used))}] if used else []
            queries += [{"slug": ",".join(slugs)}] if slugs else []
            for query in queries:
                for term in self.client.get_all(route, {**query, "_fields": "id,name"}):
                    self.remember_term(taxonomy, term["id"], term["name"])

    def remember_term(self, taxonomy: str, term_id: int, name: str) -> None:
        name = html.unescape(name)
        self.term_ids.setdefault(taxonomy, {})[name.casefold()] = term_id
        self.term_names[term_id] = name

    def read_media(self) -> None:
        """Index the media cms-sync uploaded by the content hash in their titles."""
        found = self.client.get_all(
            "/wp/v2/media", {"search": MEDIA_PREFIX, "_fields": "id,source_url,title"}
        )
        for item in found:
            match = _MEDIA_TITLE.search(html.unescape(item["title"]["rendered"]))
            if match:
                self.media.setdefault(match.group(1), Media(item["id"], item["source_url"]))
                self.media_hashes[item["id"]] = match.group(1)

    def upload(self, path: Path) -> Media:
        """Upload an image once: look again before retrying, uploads are not idempotent."""
        digest = content_id(path)
        if digest in self.media:
            return self.media[digest]
        try:
            item = self.client.upload_media(path, f"{MEDIA_PREFIX}{digest}-{path.name}")
        except WordPressError as exc:
            if exc.status is not None and exc.status < 500:
                raise  # refused: uploading again would be refused too
            # The answer was lost; WordPress may have stored the file: look before retrying.
            self.read_media()
            if digest in self.media:
                return self.media[digest]
            item = self.client.upload_media(path, f"{MEDIA_PREFIX}{digest}-{path.name}")
        media = Media(item["id"], item["source_url"])
        self.media[digest] = media
        self.media_hashes[media.id] = digest
        return media

    def ensure_term(self, taxonomy: str, name: str) -> int:
        """The ID of a term by name, created when missing."""
        known = self.term_ids.get(taxonomy, {}).get(name.casefold())
        if known is not None:
            return known
        try:
            term = self.client.post(TAXONOMIES[taxonomy], {"name": name})
            term_id = int(term["id"])
        except WordPressError as exc:
            if exc.code != "term_exists" or not exc.data:
                raise
            term_id = int(exc.data["term_id"])
        self.remember_term(taxonomy, term_id, name)
        return term_id
