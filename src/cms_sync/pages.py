"""Whole pages around the post content, for the preview and the static preview site.

Each article page shows exactly the content HTML publish sends, inside a layout like a
WordPress single post (templates/page.html): title, date, terms, featured image, the
content with its series navigation, then the comment form with the privacy notice beneath
it, as on the seed's original page. The notice is the end of the post content; the page
moves it under the form instead of showing it twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from cms_sync.articles import Article
from cms_sync.build import local_image, local_links, local_name, media_name, render_post
from cms_sync.project import Project
from cms_sync.render import Renderer

STYLESHEET = "preview.css"


@dataclass
class Pages:
    """A built site: HTML pages by file name, and the files (images, CSS) to serve as they are."""

    html: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)


def notice_page_name(lang: str) -> str:
    return f"notice-{lang}.html"


def build_pages(project: Project, *, live: bool = False, version: int = 0) -> Pages:
    """Every page of the preview: index, one per article, one per notice."""
    renderer = Renderer(project.config.templates_dir)
    pages = Pages()
    pages.files[STYLESHEET] = project.config.templates_dir / STYLESHEET
    common = {"live": live, "version": version, "stylesheet": STYLESHEET,
              "index": "index.html", "lang": project.config.default_lang}  # fmt: skip
    for article in project.articles:
        pages.html[local_name(article)] = _article_page(project, renderer, article, pages, common)
    for lang, notice in sorted(project.notices.items()):
        pages.html[notice_page_name(lang)] = renderer.page(
            "notice-page.html",
            **{**common, "lang": lang},
            notice=Markup(renderer.notice_html(notice)),
        )
    entries = [(a, quote(local_name(a))) for a in project.articles]
    notices = [(lang, quote(notice_page_name(lang))) for lang in sorted(project.notices)]
    pages.html["index.html"] = renderer.page(
        "index.html", **common, entries=entries, notices=notices
    )
    return pages


def _article_page(
    project: Project, renderer: Renderer, article: Article, pages: Pages, common: dict[str, object]
) -> str:
    content, refs = render_post(project, renderer, article, local_links(project), local_image)
    notice = project.notice_for(article)
    notice_html = renderer.notice_html(notice) if notice else ""
    if notice_html and content.endswith(notice_html):
        content = content[: -len(notice_html)]
    else:  # a template put the notice elsewhere: keep the content whole, show it once
        notice_html = ""
    images = list(refs.images)
    featured = None
    if article.featured_image is not None:
        images.append(article.featured_image)
        featured = local_image(article.featured_image)
    for image in images:
        pages.files[f"media/{media_name(image)}"] = image
    return renderer.page(
        "page.html",
        **{**common, "lang": article.lang},
        article=article,
        content=Markup(content),
        notice=Markup(notice_html),
        featured=featured,
        comments_open=article.comment_status == "open",
    )


def write_pages(pages: Pages, out: Path) -> list[Path]:
    """Write a built site to ``out`` (a static preview for a CI artifact)."""
    written = []
    for name, html in sorted(pages.html.items()):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        written.append(target)
    for name, source in sorted(pages.files.items()):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    return written
