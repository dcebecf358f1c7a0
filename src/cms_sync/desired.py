"""What the articles want on the site: desired posts and notice patterns.

A post's content depends on the site (live permalinks of the articles it links to,
media URLs, the ID of its notice pattern), so it is filled in from a snapshot. The
markdown of each article is converted once per run (render.convert is cached by the
text); each pass only fills in the links and composes the templates again.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from collections.abc import Container, Mapping
from pathlib import Path
from typing import Any

from cms_sync.articles import Article
from cms_sync.build import content_id, featured_alt, render_post
from cms_sync.inputs import digest, notice_digest, series_digests
from cms_sync.item_types import PAGE, PATTERN, POST, ItemType, Wanted
from cms_sync.items import Desired, LazyFields
from cms_sync.page_tree import depth
from cms_sync.plan import match
from cms_sync.project import Project, normalized
from cms_sync.project_files import checked_image
from cms_sync.render import Image, Renderer, outline
from cms_sync.series import (
    HIDDEN,
    OPEN,
    Availability,
    Available,
    from_status,
    permalink_of,
    site_structure,
)
from cms_sync.snapshot import Snapshot

PENDING_LINK = "#cms-sync-pending"  # a link to an article whose post is created in this run
# What cms-sync adds around an article's body: the series navigation and the notice
# (inline, or a reference to the notice pattern), bare or in an HTML block.
_SERIES = re.compile(
    r'(?:<!-- wp:html -->\s*)?<nav class="cms-sync-series"[\s\S]*?</nav>(?:\s*<!-- /wp:html -->)?'
)
_NOTICE = re.compile(
    r'(?:<!-- wp:html -->\s*)?<aside class="cms-sync-notice"[\s\S]*?</aside>'
    r"(?:\s*<!-- /wp:html -->)?"
)
_PATTERN_REF = re.compile(r'<!-- wp:block \{"ref":(\d+)\} /-->')


def article_body(content: str, patterns: Container[int] | None = None) -> str:
    """A post's content without what cms-sync adds to the article's body (the series
    navigation, the notice, references to the notice ``patterns``; to any pattern when
    None): what an editor wrote, for pull and for diffs."""

    def pattern_ref(found: re.Match[str]) -> str:
        return "" if patterns is None or int(found.group(1)) in patterns else found.group(0)

    content = _PATTERN_REF.sub(pattern_ref, _NOTICE.sub("", _SERIES.sub("", content)))
    return content.strip()


def site_now(snapshot: Snapshot) -> dt.datetime:
    """Now in the site's time zone, from any post's ``date`` and ``date_gmt`` (WordPress
    gives both, a draft's too); this machine's zone when the site holds no post yet."""
    for item in snapshot.items.get(POST.name, {}).values():
        local, gmt = item.get("date"), item.get("date_gmt")
        if local and gmt:
            offset = dt.datetime.fromisoformat(local) - dt.datetime.fromisoformat(gmt)
            return dt.datetime.now(dt.timezone(offset))
    return dt.datetime.now().astimezone()


def site_availability(item: Mapping[str, Any]) -> Availability:
    """What readers can do with a post as the site holds it: a published post opens, a
    scheduled one comes at its date (site time), anything else is closed to them."""
    if item.get("status") == "publish":
        return OPEN
    if item.get("status") == "future" and item.get("date"):
        return Availability("coming", dt.datetime.fromisoformat(str(item["date"])))
    return HIDDEN


class DesiredItems:
    """The desired items of one run, for the selected ``articles`` of ``project``.

    ``force`` and ``adopt`` are the run's: they say whether an edit made on the site stands
    after the run, which the series navigation of the other parts must know."""

    def __init__(
        self,
        project: Project,
        articles: list[Article],
        pattern_mode: bool,
        *,
        force: bool = False,
        adopt: bool = False,
    ) -> None:
        self.project, self.articles, self.pattern_mode = project, articles, pattern_mode
        self.force, self.adopt = force, adopt
        self.renderer = Renderer(project.config.templates_dir, project.config.content_format)
        # The content last rendered for each article, with what it was made from.
        self._rendered: dict[Path, tuple[tuple[object, ...], str]] = {}
        # The keys of the posts of the last posts() whose content links a post not created
        # yet (PENDING_LINK), known without rendering them.
        self.links_pending: set[str] = set()

    @functools.cached_property
    def images(self) -> dict[str, Path]:
        """Every image the selected articles use, by content hash."""
        found: dict[str, Path] = {}
        for article in self.articles:
            refs = outline(article.body, article.path.parent).references(lambda _: "", str)
            paths = list(refs.images)
            if article.featured_image is not None:
                paths.append(article.featured_image)
            for path in paths:  # checked at load; again here, just before the upload reads it
                found.setdefault(content_id(path), checked_image(path, self.project.config.root))
        return found

    def image_alts(self) -> dict[str, str]:
        """The alt text each selected article gives its featured image, by content hash
        (see build.featured_alt); an image two articles feature takes the first one's."""
        found: dict[str, str] = {}
        for article in self.articles:
            alt = featured_alt(article)
            if article.featured_image is not None and alt is not None:
                found.setdefault(content_id(article.featured_image), alt)
        return found

    def alt_updates(self, snapshot: Snapshot) -> list[tuple[str, str]]:
        """The (image hash, alt text) pairs whose attachment holds another alt text now:
        an unchanged alt costs no request."""
        return [
            (digest, alt)
            for digest, alt in sorted(self.image_alts().items())
            if digest in snapshot.media and snapshot.media[digest].alt != alt
        ]

    def terms(self) -> dict[str, set[str]]:
        """The category, tag and custom taxonomies' term names the selected articles use
        (entities decoded), by taxonomy ("categories", "tags", a custom taxonomy's slug)."""
        found = {
            "categories": {html.unescape(n).strip() for a in self.articles for n in a.categories},
            "tags": {html.unescape(n).strip() for a in self.articles for n in a.tags},
        }
        for article in self.articles:
            for slug, names in article.taxonomies.items():
                found.setdefault(slug, set()).update(html.unescape(n).strip() for n in names)
        return found

    def unmatched_slugs(self, snapshot: Snapshot, item_type: ItemType = POST) -> list[str]:
        """Slugs of the articles of ``item_type`` (posts or pages) no marker on the site names
        (by key or source path): the items there, if any, must be looked up before anything
        is created."""
        stamps = [r.marker for r in item_type.remotes(snapshot) if r.marker is not None]
        stamps += [f.stamp for f in snapshot.foreign.get(item_type.name, {}).values()]
        keys, paths = {s.key for s in stamps}, {s.path for s in stamps}
        return [
            a.slug
            for a in self.articles
            if a.type == item_type.name
            and a.slug not in keys
            and self.relative(a.path) not in paths
        ]

    def has_pages(self) -> bool:
        """Whether some selected article is a page (the site's pages are read then)."""
        return any(a.type == PAGE.name for a in self.articles)

    def shown_in(self, key: str) -> tuple[str, ...]:
        """The posts that show the notice pattern ``key`` (for the report)."""
        if not key.startswith("notice:"):
            return ()
        lang = key.removeprefix("notice:")
        return tuple(a.slug for a in self.articles if a.lang == lang and self.notice_shown(a))

    def notice_shown(self, article: Article) -> bool:
        return self.project.notice_for(article) is not None

    def relative(self, path: Path) -> str:
        """The source path as the marker records it: relative to the config's folder."""
        try:
            return str(normalized(path).relative_to(self.project.config.root))
        except ValueError:
            return str(path)

    def availability(self, snapshot: Snapshot) -> Available:
        """Which parts readers can open once this run is done (for the series navigation).

        The files decide for a part this run writes: its status and date, as WordPress will
        hold them. The site decides where it knows better: a post edited in wp-admin since
        the last publish (an editor published, unpublished or rescheduled it) keeps its
        state, because the run leaves it alone as a conflict (unless --force, or --adopt
        for a post without a marker); so does a part this run does not write (``--only``).
        A part with no post on the site is closed to readers unless this run creates it;
        another user's post that this user can see is a published one.
        """
        now = site_now(snapshot)
        everyone = [a for a in self.project.articles if a.series_name is not None]
        selected = {normalized(a.path) for a in self.articles}
        wants = [Desired(a.slug, self.relative(a.path), {"slug": a.slug}) for a in everyone]
        pairs = match(wants, POST.remotes(snapshot))
        items = snapshot.items.get(POST.name, {})
        foreign = snapshot.foreign.get(POST.name, {}).values()
        found: dict[Path, Availability] = {}
        for article, want in zip(everyone, wants, strict=True):
            remote = pairs.get(want.key)
            writes = normalized(article.path) in selected
            files = from_status(article.status, article.date, now)
            if remote is None:
                held = any(f.stamp.key == want.key or f.stamp.path == want.path for f in foreign)
                found[article.path] = OPEN if held else files if writes else HIDDEN
                continue
            overwrite = self.force or (self.adopt and remote.marker is None)
            stands = not writes or (remote.edited_since(article.pulled) and not overwrite)
            found[article.path] = site_availability(items[remote.id]) if stands else files
        return lambda article: found.get(article.path, HIDDEN)

    # -- the items --------------------------------------------------------------------
    def patterns(self, snapshot: Snapshot) -> list[Desired]:
        """One notice pattern per language whose posts show a notice (pattern mode only).
        With the companion plugin it also carries the comment form's labels and whether
        the form asks for consent."""
        if not self.pattern_mode:
            return []
        langs = sorted({a.lang for a in self.articles if self.notice_shown(a)})
        companion = PATTERN.identity_in_meta(snapshot.companion)
        return [self._pattern(lang, companion) for lang in langs]

    def _pattern(self, lang: str, companion: bool) -> Desired:
        notice = self.project.notices[lang]
        # With the companion plugin its section under the comment form has the heading.
        shown = self.renderer.notice_html(notice, heading=not companion)
        content = "<!-- wp:html -->\n" + shown + "<!-- /wp:html -->"
        title = f"Comment privacy notice ({lang}) — managed by cms-sync"
        fields: dict[str, object] = {"title": title, "content": content}
        if companion:
            fields |= {
                "identity_in": "meta",
                "labels": self.form_labels(lang),
                "consent": notice.consent,
            }
        return Desired(f"notice:{lang}", self.relative(notice.path), fields, notice.pulled)

    def form_labels(self, lang: str) -> str:
        """The comment form's texts in ``lang``, as JSON for the companion plugin."""
        page = self.renderer.labels(lang).get("page") or {}
        names = {"title_reply": "leave_comment", "email_note": "email_note", "comment": "comment",
                 "name": "name", "email": "email", "submit": "submit",
                 "notice_title": "notice_title", "consent": "consent", "url": "url",
                 "cookies": "cookies", "consent_required": "consent_required"}  # fmt: skip
        labels = {key: str(page[name]) for key, name in names.items() if page.get(name)}
        return json.dumps(labels, ensure_ascii=False, sort_keys=True)

    def posts(self, snapshot: Snapshot) -> list[Desired]:
        """One desired post per article of type post, its links and images pointing where
        ``snapshot`` says they are now (pending when created later in this run)."""
        return self.items(POST, snapshot)

    def pages(self, snapshot: Snapshot) -> list[Desired]:
        """One desired page per article of type page (see ``posts``). A page whose parent
        page is not on the site yet is created without its parent, which the next pass of
        the run sets (a write cannot name an item created in the same batch)."""
        return self.items(PAGE, snapshot)

    def page_parents(self, snapshot: Snapshot) -> dict[Path, int | None]:
        """Each page article's parent as its page field wants it: 0 (top level), the ID of
        the parent article's page when it is on the site, None while it is not."""
        pages = [a for a in self.project.articles if a.type == PAGE.name]
        wants = [Desired(a.slug, self.relative(a.path), {"slug": a.slug}, a.pulled) for a in pages]
        found = match(wants, PAGE.remotes(snapshot))
        parents: dict[Path, int | None] = {}
        for article in pages:
            parent = self.project.article_at(article.parent) if article.parent else None
            page = found.get(parent.slug) if parent is not None else None
            parents[article.path] = 0 if parent is None else page.id if page else None
        return parents

    def items(self, item_type: ItemType, snapshot: Snapshot) -> list[Desired]:
        """The desired items of the articles of ``item_type`` (posts or pages)."""
        remotes = POST.remotes(snapshot) + PAGE.remotes(snapshot)  # what links may point at
        foreign = [
            *snapshot.foreign.get(POST.name, {}).values(),
            *snapshot.foreign.get(PAGE.name, {}).values(),
        ]
        stamped = [(r.id, r.marker, r.link) for r in remotes if r.marker is not None]
        stamped += [(f.id, f.stamp, f.link) for f in foreign]
        by_key: dict[str, str] = {}
        by_path: dict[str, str] = {}
        for _, stamp, url in sorted(stamped, key=lambda k: -k[0]):  # the oldest post wins,
            by_key[stamp.key] = url
            by_path[stamp.path] = url
        # A post without a marker is known by its slug only.
        for remote in remotes:
            if remote.marker is None:
                by_key.setdefault(str(remote.fields["slug"]), remote.link)
        # An article with copies links to the post plan keeps (live, pulled from, edited).
        for kind in (POST, PAGE):
            wants = [Desired(a.slug, self.relative(a.path), {"slug": a.slug}, a.pulled)
                     for a in self.project.articles if a.type == kind.name]  # fmt: skip
            by_key |= {k: r.link for k, r in match(wants, kind.remotes(snapshot)).items()}
        parents = self.page_parents(snapshot) if item_type is PAGE else {}

        available = self.availability(snapshot)
        # A post this run publishes still has its draft link (?p=ID) in the snapshot, and a
        # post it creates has none yet: link their permalinks-to-be, so the pages that link
        # them are written once, in this run.
        posts = snapshot.items.get(POST.name, {}).values()
        templates = {str(i["link"]): str(i.get("permalink_template") or "")
                     for i in posts if i.get("status") != "publish" and i.get("link")}  # fmt: skip
        structure = site_structure(
            [*(str(i.get("permalink_template") or "") for i in posts), snapshot.permalink_template]
        )

        known: dict[Path, str | None] = {}  # every page's series navigation links every part

        def link(target: Path) -> str | None:
            if target not in known:
                known[target] = find_link(target)
            return known[target]

        def find_link(target: Path) -> str | None:
            article = self.project.article_at(target)
            if article is None:
                return None
            found = by_key.get(article.slug) or by_path.get(self.relative(article.path))
            template = templates.get(found or "", "") if found else structure
            if available(article).state == "open":
                return permalink_of(template, article.slug) or found or PENDING_LINK
            return found or PENDING_LINK

        def image(path: Path) -> str | Image:
            media = snapshot.media.get(content_id(path))
            return Image(media.url, media.id) if media else f"cms-sync-pending-media:{path.name}"

        patterns = match(self.patterns(snapshot), PATTERN.remotes(snapshot))
        foreign_patterns = snapshot.foreign.get(PATTERN.name, {}).values()

        def pattern_id(lang: str) -> int:
            found = patterns.get(f"notice:{lang}")
            ids = [f.id for f in foreign_patterns if f.stamp.key == f"notice:{lang}"]
            return found.id if found else min(ids, default=0)

        # With the companion plugin the notice goes under the comment form, not the content;
        # not for a type the plugin keeps no meta of (pages, before plugin 0.4.0).
        companion = item_type.identity_in_meta(snapshot.companion) and self.pattern_mode
        root = self.project.config.root
        firsts = {a.series_name: a for a in self.articles if a.series_name}
        series = series_digests(
            {name: self.project.series_parts(a) for name, a in firsts.items()},
            available,
            link,
            root,
        )
        # Not in the hash: the site's block profile and where the site keeps each image (read
        # only when something is rendered or uploaded; see inputs.py).
        shared = (self.renderer.templates_digest, self.renderer.blocks, companion)
        unlinked = {  # the parts each series lists without a link yet
            name: {p.path for p in self.project.series_parts(a)
                   if available(p).state == "open" and link(p.path) == PENDING_LINK}
            for name, a in firsts.items()
        }  # fmt: skip
        self.links_pending = set()
        items = []
        # Parents before children: a batch runs in order, so a page moved under a parent
        # moved in the same batch answers with its final permalink.
        chosen = [a for a in self.articles if a.type == item_type.name]
        for article in sorted(chosen, key=lambda a: depth(self.project, a)):
            shown = self.notice_shown(article) and self.pattern_mode
            notice_html = None  # inline, or none
            if shown:
                notice_html = (
                    "" if companion else f'<!-- wp:block {{"ref":{pattern_id(article.lang)}}} /-->'
                )
            featured = content_id(article.featured_image) if article.featured_image else ""
            notice = pattern_id(article.lang) if shown and companion else 0
            inline = None if shown else notice_digest(self.project.notice_for(article), root)
            found = outline(article.body, article.path.parent).targets()
            pictures = [path for path, is_image in found if is_image and path.is_file()]
            targets = [
                (path, content_id(path)) if path in pictures
                else (path, is_image, None if is_image else link(path))
                for path, is_image in found
            ]  # fmt: skip
            if unlinked.get(article.series_name or "", set()) - {article.path} or any(
                t[-1] == PENDING_LINK for t in targets
            ):
                self.links_pending.add(article.slug)
            # What the site decides of the fields (which SEO plugin keeps seo): hashed only when
            # the article uses it, so that other posts' hashes stay as they were.
            site_part: list[object] = []
            if article.seo:
                site_part.append(dict(snapshot.fields.seo_keys(item_type.name)))
            parent = parents.get(article.path)
            if item_type is PAGE:  # the parent page: which it is, whether on the site yet
                site_part.append(("parent", parent or ("" if parent == 0 else None)))
            source = digest(
                shared, article, series.get(article.path), targets, notice_html,
                inline, featured, notice, *site_part, root=root,
            )  # fmt: skip

            def fields(
                article: Article = article,
                notice_html: str | None = notice_html,
                featured: str = featured,
                notice: int = notice,
                source: str = source,
                pictures: list[Path] = pictures,
                parent: int | None = parent,
            ) -> dict[str, object]:
                # Once a run: a later pass (its snapshot holds the posts just created) renders
                # again only when the inputs changed, or where the images are (not hashed).
                key = (source, snapshot.profile, *(str(image(p)) for p in pictures))
                if self._rendered.get(article.path, (None,))[0] != key:
                    content, _ = render_post(
                        self.project, self.renderer, article, link, image, notice_html,
                        available, snapshot.profile,
                    )  # fmt: skip
                    self._rendered[article.path] = (key, content)
                content = self._rendered[article.path][1]
                return item_type.wanted(
                    Wanted(article, content, featured, companion, notice, snapshot.fields, parent)
                )

            path = self.relative(article.path)
            names = tuple(
                item_type.wanted(
                    Wanted(article, "", featured, companion, notice, snapshot.fields, parent)
                )
            )
            lazy = LazyFields(fields, names)
            items.append(Desired(article.slug, path, lazy, article.pulled, source))
        return items
