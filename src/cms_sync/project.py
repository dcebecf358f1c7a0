"""The whole series: every article and notice loaded, checked alone and together.

`load_project` reads every ``*.md`` under the articles folder and returns the usable
articles and notices plus every finding, so `check` can report all problems in one
run and `publish` can refuse to send anything while one error remains.
"""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cms_sync import outlines
from cms_sync.articles import Article, build_article
from cms_sync.config import Config
from cms_sync.findings import Finding
from cms_sync.notice import Notice, build_notice, is_notice
from cms_sync.page_tree import check_parents
from cms_sync.project_files import refusal
from cms_sync.render import outline
from cms_sync.series import from_files
from cms_sync.source import read_document

# Markup WordPress strips from posts by users without unfiltered_html (kses).
_STRIPPED_MARKUP = re.compile(r"<(script|style|iframe|object|embed|form)\b|\sstyle\s*=", re.I)


def normalized(path: Path) -> Path:
    """An absolute path without ``..``; no filesystem calls (resolve() cost 0.1 ms a link)."""
    if path.is_absolute():  # the same answer every time: the series navigation asks N² times
        return _normalized_absolute(path)
    return Path(os.path.normpath(path.absolute()))


@functools.lru_cache(maxsize=8192)
def _normalized_absolute(path: Path) -> Path:
    return Path(os.path.normpath(path))


@dataclass
class Project:
    """The checked series of one repository."""

    config: Config
    articles: list[Article] = field(default_factory=list)
    notices: dict[str, Notice] = field(default_factory=dict)

    # Indexes built on first use; not init fields, so a copy (dataclasses.replace) with
    # other articles builds its own instead of reusing stale ones.
    _by_path: dict[Path, Article] = field(default_factory=dict, repr=False, init=False)
    _series: dict[str, list[Article]] = field(default_factory=dict, repr=False, init=False)

    def _index(self) -> None:
        # Built once the articles are loaded: every page resolves links and series parts,
        # and scanning the list (with a path resolve each) made rendering cubic.
        if len(self._by_path) != len(self.articles):
            self._by_path = {normalized(a.path): a for a in self.articles}
            self._series = {}
            for a in sorted(self.articles, key=lambda a: (a.series_part or 0, str(a.path))):
                if a.series_name is not None:
                    self._series.setdefault(a.series_name, []).append(a)

    def article_at(self, path: Path) -> Article | None:
        """The article whose source file is ``path``."""
        self._index()
        return self._by_path.get(normalized(path))

    def series_parts(self, article: Article) -> list[Article]:
        """The articles of ``article``'s series, in part order."""
        self._index()
        return list(self._series.get(article.series_name or "", [])) if article.series_name else []

    def shown(self, path: Path) -> str:
        """``path`` as messages name it: relative to the config's folder when inside it."""
        full = normalized(path)
        if full.is_relative_to(self.config.root):
            return str(full.relative_to(self.config.root))
        return str(path)

    def notice_for(self, article: Article) -> Notice | None:
        """The notice shown under ``article``: its language's, when comments are open."""
        return self.notices.get(article.lang) if article.comment_status == "open" else None


def load_project(config: Config) -> tuple[Project, list[Finding]]:
    """Read and check every source file under the articles folder."""
    project = Project(config)
    outlines.use_project(config.root)
    findings: list[Finding] = []
    notice_files: dict[str, Path] = {}
    for path in sorted(config.articles_dir.rglob("*.md")):
        refused = refusal(path, config.root, "article")
        if refused:  # not read at all: it may be anyone's file
            findings.append(Finding(path, 1, "error", f"the file {refused}"))
            continue
        doc = read_document(path)
        if isinstance(doc, Finding):
            findings.append(doc)
            continue
        findings.extend(doc.findings)
        if is_notice(doc):
            notice, found = build_notice(doc, config.default_lang)
            findings.extend(found)
            if notice is None:
                continue
            if notice.lang in notice_files:
                findings.append(
                    Finding(
                        path,
                        doc.line_of("lang"),
                        "error",
                        f"second notice for lang '{notice.lang}' "
                        f"(first: {notice_files[notice.lang].name}); keep one",
                    )
                )
                continue
            notice_files[notice.lang] = path
            project.notices[notice.lang] = notice
        else:
            article, found = build_article(
                doc, config.default_lang, config.default_status, config.password_envs
            )
            findings.extend(found)
            if article is not None:
                project.articles.append(article)
    project.articles.sort(key=lambda a: (a.series_name or "", a.series_part or 0, str(a.path)))
    findings.extend(_check_together(project))
    outlines.save()
    return project, sorted(findings)


def _check_together(project: Project) -> list[Finding]:
    """Rules that need more than one file: uniqueness, notices, references."""
    findings: list[Finding] = []
    by_slug: dict[str, list[Article]] = defaultdict(list)
    by_part: dict[tuple[str, int], list[Article]] = defaultdict(list)
    for article in project.articles:
        by_slug[article.slug].append(article)
        if article.series_name is not None and article.series_part is not None:
            by_part[(article.series_name, article.series_part)].append(article)
    for slug, same in by_slug.items():
        for other in same[1:]:
            findings.append(
                Finding(
                    other.path,
                    other.line_of("slug"),
                    "error",
                    f"slug '{slug}' is also used by {project.shown(same[0].path)}; slugs must be "
                    "unique",
                )
            )
    for (name, part), same in by_part.items():
        for other in same[1:]:
            findings.append(
                Finding(
                    other.path,
                    other.line_of("series"),
                    "error",
                    f"part {part} of series '{name}' is also "
                    f"{project.shown(same[0].path)}; give each part its own number",
                )
            )
    findings.extend(check_parents(project))
    refused: dict[Path, str | None] = {}  # each image file looked at once (shared images)
    for article in project.articles:
        findings.extend(_check_article_links(project, article, refused))
    return findings


def _check_article_links(
    project: Project, article: Article, refused: dict[Path, str | None]
) -> list[Finding]:
    findings: list[Finding] = []
    if article.comment_status == "open" and article.lang not in project.notices:
        findings.append(
            Finding(
                article.path,
                article.line_of("comment_status"),
                "error",
                f"comments are open but there is no notice for lang "
                f"'{article.lang}'; add one (kind: notice) or close comments",
            )
        )
    labels = project.config.templates_dir / "i18n" / f"{article.lang}.yaml"
    if not labels.is_file():
        findings.append(
            Finding(
                article.path,
                article.line_of("lang"),
                "warning",
                f"no labels for lang '{article.lang}' in {labels.parent.name}/; "
                "English labels are used",
            )
        )
    featured = article.featured_image
    if featured is not None and not featured.is_file():
        why = refusal(featured, project.config.root, "image") or "does not exist"
        at = article.line_of("featured_image")
        findings.append(Finding(article.path, at, "error", f"featured_image {featured.name} {why}"))

    if article.image_alt is not None and article.featured_image is None:
        findings.append(
            Finding(
                article.path,
                article.line_of("image_alt"),
                "warning",
                "image_alt is the featured image's alt text, but there is no featured_image; "
                "add one or remove image_alt",
            )
        )

    # Only whether each target exists matters here; render and publish choose the URLs.
    linked: list[Article] = []

    def exists(target: Path) -> str | None:
        found = project.article_at(target)
        linked.extend([found] if found else [])
        return "" if found else None

    refs = outline(article.body, article.path.parent).references(exists, lambda p: p.name)
    findings.extend(_closed_links(article, linked))
    findings.extend(_check_image_files(project.config.root, article, refs.written, refused))
    for target in refs.missing_images:
        # Not a file: missing, or a folder or pipe (which reading would wait on for ever).
        not_file = refusal(article.path.parent / target, project.config.root, "image")
        message = f"image '{target}' {not_file or 'does not exist'}"
        findings.append(Finding(article.path, _body_line(article, target), "error", message))
    for target in refs.missing_links:
        findings.append(
            Finding(
                article.path,
                _body_line(article, target),
                "error",
                f"link to '{target}': no such article file",
            )
        )
    for offset, line in enumerate(article.body.split("\n")):
        match = _STRIPPED_MARKUP.search(line)
        if match:
            findings.append(
                Finding(
                    article.path,
                    article.body_line + offset,
                    "warning",
                    f"'{match.group(0).strip()}' is removed by WordPress for "
                    "users without unfiltered_html (Authors); avoid it",
                )
            )
    return findings


def _closed_links(article: Article, linked: list[Article]) -> list[Finding]:
    """Links from a page readers can open to a part they cannot open yet (a draft, or one
    scheduled later): a 404 for them. The series navigation leaves such parts out by itself;
    a link in the body is the author's, so it is pointed out."""
    available = from_files()
    source = available(article).state
    findings = []
    for target in dict.fromkeys(linked):
        found = available(target)
        if source == "hidden" or found.state == "open" or source == found.state == "coming":
            continue
        what = f"scheduled for {found.date:%Y-%m-%d}" if found.date else f"status {target.status}"
        findings.append(
            Finding(
                article.path,
                _body_line(article, target.path.name),
                "warning",
                f"link to {target.path.name}, which readers cannot open ({what}): they get "
                "'not found' there until it is published; publish it first or link it later",
            )
        )
    return findings


def _check_image_files(
    root: Path, article: Article, images: dict[Path, str], known: dict[Path, str | None]
) -> list[Finding]:
    """The featured image and the body's ``images`` (path: as written) that may not be read:
    outside the project or too big (see project_files)."""
    found: list[tuple[int, str, Path]] = [
        (_body_line(article, written), f"image '{written}'", path)
        for path, written in images.items()
    ]
    featured = article.featured_image
    if featured is not None and featured.is_file():
        parent = article.path.parent  # the value as written: relative, or absolute
        written = featured.relative_to(parent) if featured.is_relative_to(parent) else featured
        found.append((article.line_of("featured_image"), f"featured_image '{written}'", featured))
    findings = []
    for line, what, path in found:
        if path not in known:
            known[path] = refusal(path, root, "image")
        refused = known[path]
        if refused:
            findings.append(Finding(article.path, line, "error", f"{what} {refused}"))
    return findings


def _body_line(article: Article, needle: str) -> int:
    """Line of the first body line that mentions ``needle``."""
    for offset, line in enumerate(article.body.split("\n")):
        if needle in line:
            return article.body_line + offset
    return article.body_line
