"""`cms-sync new`: write a new article file with every front-matter key filled in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from cms_sync.errors import CmsSyncError
from cms_sync.project import Project
from cms_sync.slugs import wordpress_slug


def new_article(
    project: Project,
    title: str,
    *,
    series_name: str | None,
    lang: str | None,
    slug: str | None,
    now: dt.datetime,
) -> Path:
    """Create the next part of the series; return the new file's path."""
    config = project.config
    slug = slug or wordpress_slug(title)
    if not slug:
        raise CmsSyncError(f"cannot derive a slug from '{title}'; pass --slug")
    if any(a.slug == slug for a in project.articles):
        raise CmsSyncError(f"slug '{slug}' is already used; pass --slug")
    names = sorted({a.series_name for a in project.articles if a.series_name})
    name = series_name or (names[0] if names else None)
    parts = [a.series_part or 0 for a in project.articles if a.series_name == name]
    part = max(parts, default=0) + 1
    meta: dict[str, object] = {
        "title": title,
        "slug": slug,
        "date": now,
        "status": config.default_status,
        "lang": lang or config.default_lang,
    }
    if name:
        meta["series"] = {"name": name, "part": part}
    meta.update({"categories": [], "tags": [], "excerpt": "", "comment_status": "open"})
    path = config.articles_dir / f"{part:02d}-{slug}.md"
    if path.exists():
        raise CmsSyncError(f"{path} already exists; choose another title or --slug")
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    path.write_text(f"---\n{front}---\n\nWrite the article here.\n", encoding="utf-8")
    return path
