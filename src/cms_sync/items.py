"""What the plan compares: desired items built from the articles, remote items from the site.

A post's desired content depends on the site (live permalinks of the articles it links
to, media URLs, the ID of its notice pattern), so it is rebuilt from the current site
state before every pass of a publish.
"""

from __future__ import annotations

import functools
from pathlib import Path

from cms_sync.articles import Article
from cms_sync.build import content_id, render_post
from cms_sync.plan import Desired, Remote, match
from cms_sync.posts import article_fields, remote_pattern, remote_post
from cms_sync.project import Project, normalized
from cms_sync.render import Renderer
from cms_sync.site import Foreign, Site

PENDING_LINK = "#cms-sync-pending"  # a link to an article whose post is created in this run


class Items:
    """Desired and remote items of one run."""

    def __init__(
        self, project: Project, site: Site, articles: list[Article], pattern_mode: bool
    ) -> None:
        self.project, self.site, self.articles = project, site, articles
        self.renderer = Renderer(project.config.templates_dir)
        self.pattern_mode = pattern_mode

    @functools.cached_property
    def images(self) -> dict[str, Path]:
        """Every image the selected articles use, by content hash."""
        found: dict[str, Path] = {}
        for article in self.articles:
            _, refs = render_post(self.project, self.renderer, article, lambda _: "", str)
            paths = list(refs.images)
            if article.featured_image is not None:
                paths.append(article.featured_image)
            for path in paths:
                found.setdefault(content_id(path), path)
        return found

    # -- desired state -----------------------------------------------------------------
    def remote_posts(self) -> list[Remote]:
        items = (
            remote_post(p, self.site.term_names, self.site.media_hashes)
            for p in self.site.posts.values()
        )
        return [r for r in items if r is not None]

    def remote_patterns(self) -> list[Remote]:
        items = (remote_pattern(b) for b in self.site.patterns.values())
        return [r for r in items if r is not None]

    def desired_patterns(self) -> list[Desired]:
        langs = sorted({a.lang for a in self.articles if self.project.notice_for(a)})
        return [self.pattern_item(lang) for lang in langs]

    def pattern_item(self, lang: str) -> Desired:
        notice = self.project.notices[lang]
        content = "<!-- wp:html -->\n" + self.renderer.notice_html(notice) + "<!-- /wp:html -->"
        title = f"Comment privacy notice ({lang}) — managed by cms-sync"
        return Desired(
            f"notice:{lang}", self.relative(notice.path), {"title": title, "content": content}
        )

    @staticmethod
    def foreign_id(foreign: dict[int, Foreign], lang: str) -> int:
        return min((f.id for f in foreign.values() if f.stamp.key == f"notice:{lang}"), default=0)

    def relative(self, path: Path) -> str:
        """The source path as the marker records it: relative to the config's folder."""
        try:
            return str(normalized(path).relative_to(self.project.config.root))
        except ValueError:
            return str(path)

    def desired_posts(self) -> list[Desired]:
        remote = self.remote_posts()
        known = [(r.id, r.marker, r.link) for r in remote]
        known += [(f.id, f.stamp, f.link) for f in self.site.foreign_posts.values()]
        known.sort(key=lambda k: -k[0])  # the oldest post wins, as in plan.match
        by_key = {stamp.key: url for _, stamp, url in known}
        by_path = {stamp.path: url for _, stamp, url in known}

        def link(target: Path) -> str | None:
            article = self.project.article_at(target)
            if article is None:
                return None
            found = by_key.get(article.slug) or by_path.get(self.relative(article.path))
            return found or PENDING_LINK

        def image(path: Path) -> str:
            media = self.site.media.get(content_id(path))
            return media.url if media else f"cms-sync-pending-media:{path.name}"

        patterns = match(self.desired_patterns(), self.remote_patterns())

        def pattern_ref(lang: str) -> str:
            found = patterns.get(f"notice:{lang}")
            ref = found.id if found else self.foreign_id(self.site.foreign_patterns, lang)
            return f'<!-- wp:block {{"ref":{ref}}} /-->'

        items = []
        for article in self.articles:
            notice = self.project.notice_for(article)
            notice_html = pattern_ref(article.lang) if notice and self.pattern_mode else None
            content, _ = render_post(
                self.project, self.renderer, article, link, image, notice_html=notice_html
            )
            featured = content_id(article.featured_image) if article.featured_image else ""
            items.append(
                Desired(
                    article.slug,
                    self.relative(article.path),
                    article_fields(article, content, featured),
                )
            )
        return items
