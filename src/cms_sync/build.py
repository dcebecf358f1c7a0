"""Turn a checked project into post HTML: for `render`, preview and publish.

The resolvers decide where links and images point: `render` uses files next to the
output (``<slug>.html``, ``media/<hash>-<name>``); publish passes permalinks and
media-library URLs instead.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from pathlib import Path
from urllib.parse import quote

from cms_sync.articles import Article
from cms_sync.blocks import CURRENT, Profile
from cms_sync.project import Project, normalized
from cms_sync.project_files import checked_image
from cms_sync.render import ImageResolver, LinkResolver, References, Renderer, outline
from cms_sync.series import Available, from_files, navigation


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (identity of an image across posts and runs)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_id(path: Path) -> str:
    """Short content hash naming an image in outputs and on the site (12 hex digits)."""
    stat = path.stat()
    return _content_id(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _content_id(path: Path, _mtime_ns: int, _size: int) -> str:
    # Keyed on mtime and size too, so a saved image (preview) is hashed again.
    return file_hash(path)[:12]


def local_name(article: Article) -> str:
    """File name of an article's page in a render or preview output."""
    return f"{article.slug}.html"


def local_links(project: Project) -> LinkResolver:
    """Resolve links between articles to their rendered files, side by side."""

    known: dict[Path, str | None] = {}  # every page's series navigation links every part

    def resolve(target: Path) -> str | None:
        if target not in known:
            found = project.article_at(target)
            known[target] = None if found is None else quote(local_name(found))
        return known[target]

    return resolve


def media_name(image: Path) -> str:
    """Name of an image in an output's media/ folder: content hash + original name."""
    return f"{content_id(image)}-{image.name}"


def local_image(image: Path) -> str:
    return "media/" + quote(media_name(image))


def featured_alt(article: Article) -> str | None:
    """The featured image's alt text: ``image_alt``, else the alt the body gives the same
    image, else None (the attachment's alt is then left as the media library has it)."""
    if article.featured_image is None or article.image_alt is not None:
        return article.image_alt
    alts = outline(article.body, article.path.parent).image_alts()
    return alts.get(normalized(article.featured_image))


def render_post(
    project: Project,
    renderer: Renderer,
    article: Article,
    links: LinkResolver,
    images: ImageResolver,
    notice_html: str | None = None,
    available: Available | None = None,
    profile: Profile = CURRENT,
) -> tuple[str, References]:
    """The post content of ``article``; the notice is inline unless ``notice_html`` is given.
    ``available`` says which parts of the series readers can open (the files' say by default);
    ``profile`` how the site's block editor writes blocks (content_format "blocks")."""
    notice = project.notice_for(article)
    if notice_html is None and notice is not None:
        notice_html = renderer.notice_html(notice)
    parts = project.series_parts(article)
    labels = renderer.labels(article.lang)
    nav = navigation(article, parts, available or from_files(), links, labels)
    return renderer.post_content(article, nav, notice_html, links, images, profile)


def write_render(project: Project, out: Path, profile: Profile = CURRENT) -> list[Path]:
    """Write every article's post HTML into ``out`` and copy the images it uses (blocks as
    the ``profile`` WordPress version's editor writes them)."""
    renderer = Renderer(project.config.templates_dir, project.config.content_format)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    copied: set[Path] = set()  # an image several articles show is copied once
    links, available = local_links(project), from_files()
    for article in project.articles:
        html, refs = render_post(
            project, renderer, article, links, local_image, None, available, profile
        )
        target = out / local_name(article)
        target.write_text(html, encoding="utf-8")
        written.append(target)
        for image in refs.images:
            media = out / "media" / media_name(image)
            if media in copied:
                continue
            media.parent.mkdir(exist_ok=True)
            shutil.copyfile(checked_image(image, project.config.root), media)
            copied.add(media)
    return written
