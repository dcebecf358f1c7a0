"""The site behind the REST client: the only owner of the :class:`Client` during a run.

Reads are done in bulk (pages of 100, one lookup per taxonomy), so the number of
requests does not grow with the number of articles, and give an immutable
:class:`Snapshot`. Writes go through here too, each returning what the site answered.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from cms_sync import blocks, marker, site_fields
from cms_sync.articles import Article
from cms_sync.build import content_id
from cms_sync.errors import CmsSyncError
from cms_sync.item_types import ItemType, marker_of
from cms_sync.items import Foreign
from cms_sync.slugs import wordpress_slug
from cms_sync.snapshot import Images, Later, Media, Snapshot, Terms, User, capability_for, need
from cms_sync.wordpress import Client, WordPressError

COMPANION_FIELD = "cms_sync_companion"  # the companion plugin's version, in users/me
LIVE_STATUSES = "publish,future,draft,pending,private"  # a trashed post's slug is renamed
SLUGS_PER_REQUEST = 2000  # characters of encoded slugs per lookup: URLs stay short
TAXONOMIES = {"categories": "/wp/v2/categories", "tags": "/wp/v2/tags"}
MEDIA_PREFIX = "cms-sync-"
RAW_ONLY = frozenset({"title", "content", "excerpt"})  # read as {"raw": ...} (context=edit)
_MEDIA_TITLE = re.compile(r"cms-sync-([0-9a-f]{12})")

Json = dict[str, Any]


class Site:
    """One WordPress site, reached through one authenticated client."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._routes: dict[str, tuple[str, str]] = {}  # custom taxonomies (see custom_routes)

    @property
    def url(self) -> str:
        return self._client.site_url

    @property
    def requests_made(self) -> int:
        return self._client.requests_made

    # -- reading ------------------------------------------------------------------------
    def login(self) -> tuple[User, str]:
        """Confirm the credentials (a wrong application password is silently anonymous):
        the user, and the version of the companion plugin ("" when not active), which says
        it in the user's edit view: one request for both."""
        try:
            me = self._client.get("/wp/v2/users/me", {"context": "edit"})
        except WordPressError as exc:
            if exc.status == 401:
                raise WordPressError(
                    f"WordPress did not accept the application password for this user at "
                    f"{self.url}; create one under Users > Profile > Application "
                    "Passwords and set CMS_SYNC_APP_PASSWORD",
                    status=401,
                ) from None
            raise
        user = User(str(me.get("slug") or me.get("name") or ""), me.get("capabilities") or {})
        return user, str(me.get(COMPANION_FIELD) or "")

    def read_fields(
        self, snapshot: Snapshot, articles: list[Article], root: Path | None = None
    ) -> Snapshot:
        """The snapshot with what the site says about the fields ``articles`` use (nothing
        read when they use none): an author, a taxonomy, a meta key the site lacks stops the
        run here, before anything is sent, with one ``path:line: error:`` line each (paths
        relative to ``root``)."""
        wanted = site_fields.needs(articles)
        if not wanted:
            return snapshot
        facts = self.site_facts(snapshot, wanted).fields
        found = site_fields.problems(articles, facts, self.url)
        errors = [f for f in found if f.severity == "error"]
        if errors:
            raise site_fields.SiteMismatch(
                "\n".join(f.format(root) for f in errors) + "\nnothing was sent"
            )
        warnings = tuple(f"{f.display_path(root)}:{f.line}: {f.message}" for f in found)
        named = tuple(sorted({slug for a in articles for slug in a.taxonomies}))
        facts = dataclasses.replace(facts, warnings=warnings, named=named)
        return dataclasses.replace(snapshot, fields=facts)

    def site_facts(self, snapshot: Snapshot, wanted: set[str]) -> Snapshot:
        """The snapshot with the site's facts ``wanted`` (see site_fields.needs), unchecked."""
        facts = site_fields.read(
            self._client.get, self._client.get_all, wanted, snapshot.user.can("list_users"),
            snapshot.fields,
        )  # fmt: skip
        return dataclasses.replace(snapshot, fields=facts)

    def rest_fields(self, item_type: ItemType, snapshot: Snapshot) -> str:
        """The ``_fields`` of a read of ``item_type``: its fields, and the terms of the
        custom taxonomies the articles use."""
        extra = [t.rest_base for t in snapshot.fields.custom_taxonomies(item_type.name)]
        return lean(",".join([item_type.read_fields, *extra]))

    def profile_later(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot whose block profile is read when something is first rendered."""
        return dataclasses.replace(snapshot, blocks=Later(lambda _s: self.block_profile()))

    def block_profile(self) -> tuple[blocks.Profile, str]:
        """How the site's block editor writes blocks, from its block types (one request),
        and, when the site does not say, why the current WordPress's way is assumed."""
        try:
            found = self._client.get("/wp/v2/block-types", blocks.BLOCK_TYPES_QUERY)
            return blocks.detect(found), ""
        except WordPressError as exc:
            if exc.status not in (401, 403, 404):
                raise
            reason = f"{self.url} answered {exc.status} to /wp/v2/block-types"
        except ValueError as exc:
            reason = str(exc)
        return blocks.CURRENT, (
            f"cannot tell which WordPress version's block markup to write ({reason}); "
            f"writing it as WordPress {blocks.CURRENT.name} does: on an older site the block "
            "editor may report invalid blocks; publish as a user who may edit posts"
        )

    def read_items(self, item_type: ItemType, snapshot: Snapshot) -> Snapshot:
        """Every item of ``item_type`` carrying a marker, in pages of 100. For posts the trash
        is included: a post trashed in wp-admin is an edit to respect, not one to redo. With
        the companion plugin, one query finds identity in meta and in content alike."""
        managed = item_type.identity_in_meta(snapshot.companion)  # the plugin's filter
        query = {"cms_sync_managed": 1} if managed else {"search": marker.PREFIX}
        found = self._client.get_all(
            item_type.route,
            {"status": item_type.statuses, "context": "edit", **query,
             "_fields": self.rest_fields(item_type, snapshot)},
        )  # fmt: skip
        items = {i["id"]: i for i in found if marker_of(i)}
        # Posts without a marker found at an article's slug stay known (a second read
        # after a lost answer must not forget them).
        before = snapshot.items.get(item_type.name, {})
        unmarked = {i: item for i, item in before.items() if i not in items and not marker_of(item)}
        foreign = self._read_foreign(item_type, items, snapshot.user)
        return dataclasses.replace(
            snapshot,
            items={**snapshot.items, item_type.name: {**unmarked, **items}},
            foreign={**snapshot.foreign, item_type.name: foreign},
        )

    def permalink_template(self, item_type: ItemType, snapshot: Snapshot) -> Snapshot:
        """The snapshot with the ``permalink_template`` of any item of ``item_type`` this
        user may edit (its slug as %postname%), "" when the site has none: one request."""
        found = self._client.get(
            item_type.route,
            {"per_page": 1, "status": "any", "context": "edit", "_fields": "permalink_template"},
        )
        template = str(found[0].get("permalink_template") or "") if found else ""
        return dataclasses.replace(snapshot, permalink_template=template)

    def read_at_slugs(self, item_type: ItemType, slugs: list[str], snapshot: Snapshot) -> Snapshot:
        """Add the items that hold these slugs (any status but the trash), markers or not:
        a post written in wp-admin, or one whose marker an editor deleted, must never get
        a duplicate beside it. A few requests for any number of slugs."""
        found: list[Json] = []
        for chunk in _slug_chunks(slugs):
            found += self._client.get_all(
                item_type.route,
                {"slug": ",".join(chunk), "status": LIVE_STATUSES, "context": "edit",
                 "_fields": self.rest_fields(item_type, snapshot)},
            )  # fmt: skip
        known = snapshot.items.get(item_type.name, {})
        others = dict(snapshot.foreign.get(item_type.name, {}))
        new = [i for i in found if i["id"] not in known and i["id"] not in others]
        if not snapshot.user.can(capability_for(need("edit others'", item_type.name))):
            # Another user's published post at the slug is hidden from this user's edit
            # view, and with the companion plugin so is its identity: it is held, not free.
            mine = {i["id"] for i in found}
            for chunk in _slug_chunks(slugs):
                for item in self._client.get_all(
                    item_type.route, {"slug": ",".join(chunk), "_fields": "id,link,slug"}
                ):
                    if item["id"] not in mine | set(known) | set(others):
                        stamp = marker.Marker(unquote(item["slug"]), "", "", "another user's")
                        others[item["id"]] = Foreign(item["id"], item.get("link", ""), stamp)
        snapshot = snapshot.with_items(item_type.name, new)
        return dataclasses.replace(snapshot, foreign={**snapshot.foreign, item_type.name: others})

    def post_filters(
        self, snapshot: Snapshot, terms: dict[str, set[str]], author: str | None
    ) -> dict[str, str]:
        """List filters (term IDs, author ID) for term names and a login; an unknown name
        is an error that says so, not a filter that quietly matches everything."""
        snapshot = self.read_terms(snapshot, terms)
        filters = {}
        for taxonomy, names in terms.items():
            known = snapshot.term_ids.get(taxonomy, {})
            missing = sorted(n for n in names if n.casefold() not in known)
            if missing:
                raise CmsSyncError(f"no {taxonomy} named {', '.join(missing)} on {self.url}")
            if names:
                filters[taxonomy] = ",".join(str(known[n.casefold()]) for n in sorted(names))
        if author:
            found = self._client.get("/wp/v2/users", {"slug": author, "_fields": "id"})
            if not found:
                raise CmsSyncError(f"no user '{author}' with posts on {self.url}")
            filters["author"] = str(found[0]["id"])
        return filters

    def read_unmanaged(
        self, item_type: ItemType, filters: dict[str, str], snapshot: Snapshot
    ) -> Snapshot:
        """Add every item of ``item_type`` matching ``filters`` (for import)."""
        found = self._client.get_all(
            item_type.route,
            {**filters, "context": "edit", "_fields": self.rest_fields(item_type, snapshot)},
        )
        known = snapshot.items.get(item_type.name, {})
        return snapshot.with_items(item_type.name, [i for i in found if i["id"] not in known])

    def _read_foreign(
        self, item_type: ItemType, editable: dict[int, Json], user: User
    ) -> dict[int, Foreign]:
        """Managed items this user can see but not edit (another user's, for an Author).

        The edit view hides them, so without this look an Author would create a duplicate
        of every post an Editor published. Their marker says what was last published.
        """
        if user.can(capability_for(need("edit others'", item_type.name))):
            return {}
        found = self._client.get_all(
            item_type.route, {"search": marker.PREFIX, "_fields": "id,link,content"}
        )
        foreign = {}
        for item in found:
            content = item["content"]  # patterns show raw in the view context, posts rendered
            stamp = marker.split(content.get("rendered") or content.get("raw") or "")[1]
            if item["id"] not in editable and stamp is not None:
                foreign[item["id"]] = Foreign(item["id"], item.get("link", ""), stamp)
        return foreign

    def read_terms(self, snapshot: Snapshot, wanted: dict[str, set[str]]) -> Snapshot:
        """Look up now the wanted term names and the terms the items use, those not known."""
        return dataclasses.replace(snapshot, terms=Later.ready(self._terms(snapshot, wanted)))

    def terms_later(self, snapshot: Snapshot, wanted: dict[str, set[str]]) -> Snapshot:
        """The snapshot whose terms (the wanted names, those its items use) are read when
        something first asks for a term: a run that sends no terms reads none."""
        return dataclasses.replace(snapshot, terms=Later(lambda s: self._terms(s, wanted)))

    def _terms(self, snapshot: Snapshot, wanted: dict[str, set[str]]) -> Terms:
        """The terms ``snapshot`` knows, with the items' terms and the wanted names it does
        not: one request a taxonomy for the terms the items use, and one more only for
        wanted names none of them uses (a new category, a first publish)."""
        terms = snapshot.terms.get(snapshot) if snapshot.terms.done else Terms()
        items = [i for found in snapshot.items.values() for i in found.values()]
        self._routes.update(self.custom_routes(snapshot))
        for taxonomy, (field_name, _) in self.taxonomy_routes(snapshot).items():
            ids = {i for item in items for i in item.get(field_name) or []}
            used = sorted(ids - set(terms.names))
            if used:
                terms = self._add_terms(terms, taxonomy, {"include": ",".join(map(str, used))})
            known = terms.ids.get(taxonomy, {})
            names = {name for name in wanted.get(taxonomy, set()) if name.casefold() not in known}
            if names:
                slugs = ",".join(sorted({wordpress_slug(name) for name in names}))
                terms = self._add_terms(terms, taxonomy, {"slug": slugs})
        return terms

    @staticmethod
    def custom_routes(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
        """Each custom taxonomy the articles name: its REST field and its terms' route."""
        found = [t for kind in ("post", "page") for t in snapshot.fields.custom_taxonomies(kind)]
        return {t.slug: (t.rest_base, t.route) for t in found}

    def taxonomy_routes(self, snapshot: Snapshot) -> dict[str, tuple[str, str]]:
        """Categories, tags and the custom taxonomies: taxonomy -> (REST field, route)."""
        own = {name: (name, route) for name, route in TAXONOMIES.items()}
        return {**own, **self.custom_routes(snapshot)}

    def _add_terms(self, terms: Terms, taxonomy: str, query: dict[str, str]) -> Terms:
        route = TAXONOMIES.get(taxonomy) or self._routes[taxonomy][1]
        for term in self._client.get_all(route, {**query, "_fields": "id,name,slug"}):
            name, slug = html.unescape(term["name"]), unquote(str(term.get("slug") or ""))
            terms = terms.with_term(taxonomy, term["id"], name, slug)
        return terms

    def read_media(self, snapshot: Snapshot) -> Snapshot:
        """Index now the media cms-sync uploaded by the content hash in their titles."""
        return dataclasses.replace(snapshot, images=Later.ready(self._images()))

    def media_later(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot whose media are read when something first asks for an image."""
        return dataclasses.replace(snapshot, images=Later(lambda _s: self._images()))

    def _images(self) -> Images:
        found = self._client.get_all(
            "/wp/v2/media", {"search": MEDIA_PREFIX, "_fields": "id,source_url,title,alt_text"}
        )
        images = Images()
        for item in found:
            match = _MEDIA_TITLE.search(html.unescape(item["title"]["rendered"]))
            if match:
                media = Media(item["id"], item["source_url"], item.get("alt_text"))
                images = images.with_media(match.group(1), media)
        return images

    def media_item(self, media_id: int) -> Json:
        """One media item (its ``source_url``), e.g. a featured image set in wp-admin."""
        return dict(self._client.get(f"/wp/v2/media/{media_id}", {"_fields": "id,source_url"}))

    def download(self, url: str) -> bytes:
        """A file this site serves (never another host's)."""
        return self._client.download(url)

    def redirect_of(self, url: str) -> tuple[int, str]:
        """A page's HTTP status and where it redirects, redirects not followed."""
        return self._client.redirect_of(url)

    # -- writing ------------------------------------------------------------------------
    def upload(self, path: Path, snapshot: Snapshot) -> Snapshot:
        """Upload an image once: look again before retrying, uploads are not idempotent."""
        digest = content_id(path)
        if digest in snapshot.media:
            return snapshot
        name = f"{MEDIA_PREFIX}{digest}-{path.name}"
        try:
            item = self._client.upload_media(path, name)
        except WordPressError as exc:
            if exc.status is not None and exc.status < 500:
                raise  # refused: uploading again would be refused too
            # The answer was lost; WordPress may have stored the file: look before retrying.
            snapshot = self.read_media(snapshot)
            if digest in snapshot.media:
                return snapshot
            item = self._client.upload_media(path, name)
        return snapshot.with_media(
            digest, Media(item["id"], item["source_url"], item.get("alt_text"))
        )

    def set_alt(self, digest: str, alt: str, snapshot: Snapshot) -> Snapshot:
        """Set the alt text of an uploaded image on its attachment (one request, the same
        attachment: a changed alt is never a new upload)."""
        media = snapshot.media[digest]
        stored = self._client.post(f"/wp/v2/media/{media.id}", {"alt_text": alt})
        return snapshot.with_alt(digest, str(stored.get("alt_text", alt)))

    def ensure_term(self, taxonomy: str, name: str, snapshot: Snapshot) -> Snapshot:
        """The snapshot with the term ``name``, created when missing."""
        if name.casefold() in snapshot.term_ids.get(taxonomy, {}):
            return snapshot
        try:
            route = self.taxonomy_routes(snapshot)[taxonomy][1]
            term_id = int(self._client.post(route, {"name": name})["id"])
        except WordPressError as exc:
            if exc.code != "term_exists" or not exc.data:
                raise
            term_id = int(exc.data["term_id"])
        return snapshot.with_term(taxonomy, term_id, name)

    def batch(
        self, requests: list[Json], answered: Callable[[int], None] | None = None
    ) -> list[Json]:
        """Writes through /batch/v1: one ``{"status", "body"}`` answer per request;
        ``answered(count)`` is told as batches land."""
        return self._client.batch(requests, answered)

    def update(self, route: str, body: Json) -> Json:
        """One update (PUT), answered with the item as WordPress stored it."""
        return dict(self._client.put(route, body))


def lean(fields: str) -> str:
    """REST fields with only the raw text of title, content and excerpt, all that is
    compared: WordPress then skips rendering each post's content (the_content filters) and
    the answer is about half as long."""
    return ",".join(f"{name}.raw" if name in RAW_ONLY else name for name in fields.split(","))


def _slug_chunks(slugs: list[str]) -> list[list[str]]:
    """The slugs in groups whose percent-encoded length keeps each URL short."""
    chunks: list[list[str]] = []
    size = SLUGS_PER_REQUEST
    for slug in sorted(set(slugs)):
        length = len(quote(slug)) + 1
        if size + length > SLUGS_PER_REQUEST:
            chunks.append([])
            size = 0
        chunks[-1].append(slug)
        size += length
    return chunks
