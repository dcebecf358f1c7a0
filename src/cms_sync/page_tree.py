"""Pages: each page article's ``parent:`` checked against the other files, before any site.

A parent is the path of another article file, relative to the page's own file; it must
exist, be a page itself (``type: page``) and not lead back to the page (a cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cms_sync.articles import Article
from cms_sync.findings import Finding

if TYPE_CHECKING:
    from cms_sync.project import Project


def check_parents(project: Project) -> list[Finding]:
    """One error per page whose parent is missing, not a page, or part of a cycle."""
    findings: list[Finding] = []
    for article in project.articles:
        if article.parent is None:
            continue
        written = _written(article)
        parent = project.article_at(article.parent)
        notices = {n.path.resolve() for n in project.notices.values()}
        if parent is None and article.parent.resolve() in notices:
            message = (
                f"parent: {written} is the comment-privacy notice, not a page article; name "
                "the parent page's file"
            )
        elif parent is None:
            message = f"parent: no article file '{written}'; name the parent page's file"
        elif parent.type != "page":
            message = (
                f"parent: {written} is a {parent.type}, and only a page can be a page's parent; "
                f"add 'type: page' to {written} or name another parent"
            )
        elif _cycle(project, article):
            message = f"parent: {written} leads back to this page (a cycle); name another parent"
        else:
            continue
        findings.append(Finding(article.path, article.line_of("parent"), "error", message))
    return findings


def _written(article: Article) -> str:
    """The parent as the file names it: relative to the article's folder."""
    assert article.parent is not None
    try:
        return article.parent.relative_to(article.path.parent).as_posix()
    except ValueError:
        return str(article.parent)


def _cycle(project: Project, article: Article) -> bool:
    """Whether going up from ``article``'s parent comes back to ``article``."""
    seen: set[int] = set()
    current: Article | None = article
    while current is not None and current.parent is not None and id(current) not in seen:
        seen.add(id(current))
        current = project.article_at(current.parent)
        if current is article:
            return True
    return False


def depth(project: Project, article: Article) -> int:
    """How many parent pages ``article`` has above it (0: a top-level page)."""
    levels, current = 0, project.article_at(article.parent) if article.parent else None
    while current is not None and levels < len(project.articles):
        levels += 1
        current = project.article_at(current.parent) if current.parent else None
    return levels
