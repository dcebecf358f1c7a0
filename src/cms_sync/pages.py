"""Whole pages around the post content, for the preview and the static preview site.

Each article page shows exactly the content HTML publish sends, inside a layout like a
WordPress single post (templates/page.html): title, date, terms, featured image, the
content with its series navigation, then the comment form with the privacy notice beneath
it, as on the seed's original page. The notice is the end of the post content; the page
moves it under the form instead of showing it twice.

The live preview survives broken files: given `load_project`'s findings, an article or
notice with errors gets a page of its own that shows each error with its source line
(where its page would be), the index lists it as broken, and every other page renders.
A template error becomes an error page for each page that uses the template.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from cms_sync.articles import Article
from cms_sync.blocks import html_block
from cms_sync.build import (
    featured_alt,
    local_image,
    local_links,
    local_name,
    media_name,
    render_post,
)
from cms_sync.errors import CmsSyncError
from cms_sync.findings import Finding
from cms_sync.notice import Notice, is_notice
from cms_sync.project import Project, _check_together, normalized
from cms_sync.project_files import checked_image, refusal
from cms_sync.render import LinkResolver, Renderer
from cms_sync.slugs import wordpress_slug
from cms_sync.source import read_document

STYLESHEET = "preview.css"
RELOAD_SCRIPT = '<script src="/__preview/reload.js"></script>'


@dataclass
class Pages:
    """A built site: HTML pages by file name, and the files (images, CSS) to serve as they are.

    ``failed`` names the pages that show an error; ``names`` is the page of every article
    and notice file, broken or not (a broken file keeps the page it had, see build_pages).
    """

    html: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    names: dict[Path, str] = field(default_factory=dict)
    root: Path | None = None  # the project's: media files are copied and served from under it

    def file_at(self, name: str) -> Path | None:
        """The file to copy or serve as ``name``; a media file only while it is inside the
        project (checked again: a symlink may have been swapped since the build)."""
        source = self.files.get(name)
        if source is None or not source.is_file():
            return None
        if name.startswith("media/") and self.root is not None:
            checked_image(source, self.root)
        return source


@dataclass(frozen=True)
class Problem:
    """One error as a page shows it: ``path:line: message``, then the line with a marker.

    ``line`` 0 (or no path) means no source line to show; ``column`` is 1-based, or None
    to mark the whole line."""

    path: Path | None
    line: int
    message: str
    line_text: str | None = None
    column: int | None = None

    @classmethod
    def of(cls, finding: Finding) -> Problem:
        return cls(finding.path, finding.line, finding.message, finding.line_text, finding.column)


@dataclass
class Broken:
    """An article or notice file with errors: left out of the rendered pages, shown as such."""

    path: Path
    kind: str  # "article" or "notice"
    title: str
    lang: str
    name: str = ""  # its page
    problems: list[Problem] = field(default_factory=list)


def notice_page_name(lang: str) -> str:
    return f"notice-{lang}.html"


def build_pages(
    project: Project,
    findings: list[Finding] | None = None,
    *,
    live: bool = False,
    version: int = 0,
    names: dict[Path, str] | None = None,
) -> Pages:
    """Every page of the preview: index, one per article, one per notice.

    With ``findings`` (the live preview), files with errors get error pages instead and
    a template error becomes the error page of each page it breaks; ``names`` are the
    pages of an earlier build, so that a file whose slug can no longer be read keeps its
    page (an open tab reloads onto its errors, not onto a 404). Without, a template
    error raises, as `render --site` wants.
    """
    root = project.config.root
    broken = _broken_files(project, findings or [], names or {})
    shown = replace(
        project,
        articles=[a for a in project.articles if normalized(a.path) not in broken],
        notices={k: n for k, n in project.notices.items() if normalized(n.path) not in broken},
    )
    renderer = Renderer(project.config.templates_dir, project.config.content_format)
    pages = Pages(root=root)
    pages.files[STYLESHEET] = project.config.templates_dir / STYLESHEET
    common = {"live": live, "version": version, "stylesheet": STYLESHEET,
              "index": "index.html", "lang": project.config.default_lang}  # fmt: skip

    def add(name: str, path: Path | None, render: Callable[[], str]) -> None:
        """Render one page; in the live preview a template error becomes its error page."""
        try:
            pages.html[name] = render()
        except CmsSyncError as exc:
            if findings is None:
                raise
            problem = problem_of_message(exc.format_message())
            title = "this page cannot be rendered: a template has an error"
            pages.html[name] = error_page(title, [problem], root, live=live, version=version)
            pages.failed.add(name)
        if path is not None:
            pages.names[normalized(path)] = name

    taken = {local_name(a) for a in shown.articles} | {notice_page_name(k) for k in shown.notices}
    for item in broken.values():
        item.name = _free_name(item, taken)
        taken.add(item.name)
    links = _links(shown, broken)
    broken_notices = {b.lang: b for b in broken.values() if b.kind == "notice"}
    for article in shown.articles:
        notice_error = (
            broken_notices.get(article.lang)
            if article.comment_status == "open" and article.lang not in shown.notices
            else None
        )
        page = functools.partial(
            _article_page, shown, renderer, article, pages, common, links, notice_error, root
        )
        add(local_name(article), article.path, page)
        if notice_error is not None:
            pages.failed.add(local_name(article))
    for lang, notice in sorted(shown.notices.items()):
        add(
            notice_page_name(lang),
            notice.path,
            functools.partial(_notice_page, renderer, notice, common),
        )
    for item in broken.values():
        what = "article" if item.kind == "article" else "privacy notice"
        title = f"{_display(item.path, root)}: this {what} has errors"
        pages.html[item.name] = error_page(title, item.problems, root, live=live, version=version)
        pages.failed.add(item.name)
        pages.names[item.path] = item.name
    entries = [(a, quote(local_name(a))) for a in shown.articles]
    notices = [(lang, quote(notice_page_name(lang))) for lang in sorted(shown.notices)]
    listed = [(b, quote(b.name), _display(b.path, root)) for b in broken.values()]
    add(
        "index.html",
        None,
        lambda: renderer.page(
            "index.html", **common, entries=entries, notices=notices, broken=listed
        ),
    )
    return pages


def _notice_page(renderer: Renderer, notice: Notice, common: dict[str, object]) -> str:
    return renderer.page(
        "notice-page.html",
        **{**common, "lang": notice.lang},
        notice=Markup(renderer.notice_html(notice, heading=False)),  # the page's title is it
    )


def _article_page(
    project: Project,
    renderer: Renderer,
    article: Article,
    pages: Pages,
    common: dict[str, object],
    links: LinkResolver | None = None,
    notice_error: Broken | None = None,
    root: Path | None = None,
) -> str:
    links = links or local_links(project)
    content, refs = render_post(project, renderer, article, links, local_image)
    notice = project.notice_for(article)
    notice_html = renderer.notice_html(notice) if notice else ""
    shown = html_block(notice_html) + "\n" if renderer.blocks else notice_html  # as post.html
    if notice_html and content.endswith(shown):
        content = content[: -len(shown)].rstrip("\n") + "\n"
    else:  # a template put the notice elsewhere: keep the content whole, show it once
        notice_html = ""
    if notice_error is not None:  # where the broken notice would be, its errors
        notice_html = problems_html(
            "The privacy notice has errors; fix it and save:",
            notice_error.problems,
            root or Path.cwd(),
        )
    images = list(refs.images)
    featured = None
    if article.featured_image is not None:
        images.append(article.featured_image)
        featured = local_image(article.featured_image)
    # As themes draw it: the attachment's alt text, which publish sets from the article.
    for image in images:
        pages.files[f"media/{media_name(image)}"] = image
    return renderer.page(
        "page.html",
        **{**common, "lang": article.lang},
        article=article,
        content=Markup(content),
        notice=Markup(notice_html),
        featured=featured,
        featured_alt=featured_alt(article) or "",
        comments_open=article.comment_status == "open",
    )


def _links(shown: Project, broken: dict[Path, Broken]) -> LinkResolver:
    """Links between articles: to the rendered page, or to a broken article's error page."""
    rendered = local_links(shown)

    def resolve(target: Path) -> str | None:
        url = rendered(target)
        if url is None and normalized(target) in broken:
            return quote(broken[normalized(target)].name)
        return url

    return resolve


# -- broken files -----------------------------------------------------------------------------


def _broken_files(
    project: Project, findings: list[Finding], names: dict[Path, str]
) -> dict[Path, Broken]:
    """The files with errors of their own, each with its errors.

    An error that only follows from another file's (a link to an article that does not
    load, open comments while the notice is broken) is not counted: `check` reports it
    because publish would send a broken link, but the preview points the link at the
    broken article's page and shows the notice's errors where the notice would be.
    """
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return {}
    found: dict[Path, Broken] = {}
    for finding in errors:
        path = normalized(finding.path)
        if path not in found:
            found[path] = _describe(project, path, names)
    followed = _following(project, found)
    for finding in errors:
        if finding not in followed:
            found[normalized(finding.path)].problems.append(Problem.of(finding))
    return {path: item for path, item in found.items() if item.problems}


def _following(project: Project, broken: dict[Path, Broken]) -> set[Finding]:
    """The findings of the checks across files that disappear once the broken files are
    there: checked again with a stand-in for each broken article and notice."""
    default_lang = project.config.default_lang
    stand_ins = [
        Article(
            b.path, b.title, f"\0{b.path}", "draft", default_lang, "", 1, comment_status="closed"
        )
        for b in broken.values()
        if b.kind == "article" and project.article_at(b.path) is None
    ]
    notices = {b.lang: Notice(b.path, b.lang, {}, None, "", 1)
               for b in broken.values() if b.kind == "notice"}  # fmt: skip
    whole = replace(
        project, articles=project.articles + stand_ins, notices={**notices, **project.notices}
    )
    return set(_check_together(project)) - set(_check_together(whole))


_KIND_NOTICE = re.compile(r"^kind:\s*['\"]?notice['\"]?\s*(#.*)?$", re.M)
_LANG = re.compile(r"^lang:\s*['\"]?([A-Za-z0-9-]+)", re.M)


def _describe(project: Project, path: Path, names: dict[Path, str]) -> Broken:
    """What a broken file is, as far as it can be read: article or notice, title, lang."""
    default_lang = project.config.default_lang
    loaded = project.article_at(path)
    if loaded is not None:
        item = Broken(path, "article", loaded.title, loaded.lang, local_name(loaded))
    elif refusal(path, project.config.root, "article"):  # outside or too big: not read
        item = Broken(path, "article", path.name, default_lang)
    else:
        doc = read_document(path)
        if isinstance(doc, Finding):  # unreadable front matter: look for its lines as text
            try:
                text = path.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            lang = _LANG.search(text)
            kind = "notice" if _KIND_NOTICE.search(text) else "article"
            item = Broken(path, kind, path.name, lang.group(1) if lang else default_lang)
        else:
            meta = doc.meta
            title = meta.get("title")
            title = title.strip() if isinstance(title, str) and title.strip() else path.name
            lang = meta.get("lang")
            item = Broken(
                path,
                "notice" if is_notice(doc) else "article",
                title,
                lang if isinstance(lang, str) and lang else default_lang,
            )
            slug = meta.get("slug")
            if isinstance(slug, str) and slug and slug == wordpress_slug(slug):
                item.name = f"{slug}.html"
            elif title != path.name:
                item.name = f"{wordpress_slug(title)}.html"
    if item.kind == "notice":
        item.name = notice_page_name(item.lang)
    item.name = item.name or names.get(path) or f"{path.stem}.html"
    return item


def _free_name(item: Broken, taken: set[str]) -> str:
    """The broken file's page, unless a page that renders has that name: then its file's."""
    for name in (item.name, f"{item.path.stem}.html"):
        if name not in taken and name != "index.html":
            return name
    number = 2
    while f"{item.path.stem}-{number}.html" in taken:
        number += 1
    return f"{item.path.stem}-{number}.html"


_TEMPLATE_ERROR = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+): (?P<message>.*)$", re.S)


def problem_of_message(message: str) -> Problem:
    """The Problem in an error's message: ``file:line: ...`` (a template's syntax error)
    gives the file and line, other messages are shown as they are."""
    match = _TEMPLATE_ERROR.match(message)
    if match is None:
        return Problem(None, 0, message)
    return Problem(Path(match["path"]), int(match["line"]), match["message"])


# -- error pages ------------------------------------------------------------------------------


def _display(path: Path, root: Path) -> str:
    try:
        return str(normalized(path).relative_to(normalized(root)))
    except ValueError:
        return str(path)


def _source_line(problem: Problem, root: Path) -> str | None:
    if problem.line_text is not None:
        return problem.line_text.rstrip("\r\n")
    if problem.path is None or problem.line < 1:
        return None
    if refusal(problem.path, root, "article"):  # outside, too big, a pipe: never shown
        return None
    try:
        lines = problem.path.read_text("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return lines[problem.line - 1].rstrip("\r") if problem.line <= len(lines) else None


def _marked(line: str, column: int | None) -> str:
    """The source line with the problem highlighted, and a caret under it.

    The caret line repeats the text before the problem, invisible, so that the caret sits
    under the right letter whatever the script's glyph widths (Bengali vowel signs)."""
    if column is None or not 1 <= column <= len(line) + 1:  # the whole line is at fault
        column = len(line) - len(line.lstrip()) + 1
        before, spot, after = line[: column - 1], line[column - 1 :], ""
    else:
        before, spot, after = line[: column - 1], line[column - 1 : column], line[column:]
    return (
        f'<span class="preview-source-line">{html.escape(before)}'
        f"<mark>{html.escape(spot) or ' '}</mark>{html.escape(after)}</span>\n"
        f'<span class="preview-marker" aria-hidden="true">'
        f'<span style="visibility: hidden">{html.escape(before)}</span>^</span>'
    )


def problems_html(heading: str, problems: list[Problem], root: Path) -> str:
    """A box with each problem as ``path:line: message`` and its source line marked."""
    parts = [f'<div class="preview-error">\n<p class="preview-error-heading">'
             f"{html.escape(heading)}</p>"]  # fmt: skip
    for problem in problems:
        where = f"{_display(problem.path, root)}:{problem.line}: " if problem.path else ""
        parts.append(
            f'<p class="preview-finding"><code>{html.escape(where + problem.message)}</code></p>'
        )
        line = _source_line(problem, root)
        if line is not None:
            parts.append(f'<pre class="preview-source">{_marked(line, problem.column)}</pre>')
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def error_page(title: str, problems: list[Problem], root: Path, *, live: bool, version: int) -> str:
    """A whole page of errors, built without the project's templates (one of them may be
    what is broken), with the reload script in the live preview."""
    return (
        f'<!doctype html>\n<html lang="en" data-preview-version="{version}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>cms-sync preview: {html.escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET}">\n</head>\n<body>\n'
        '<header class="site-header"><a class="site-title" href="index.html">'
        "cms-sync preview</a></header>\n"
        f'<main class="site-main">\n<h1 class="preview-error-title">{html.escape(title)}</h1>\n'
        f"{problems_html('Fix this and save; the page reloads by itself:', problems, root)}"
        "</main>\n"
        f"{RELOAD_SCRIPT if live else ''}\n</body>\n</html>\n"
    )


def write_pages(pages: Pages, out: Path) -> list[Path]:
    """Write a built site to ``out`` (a static preview for a CI artifact)."""
    written = []
    for name, html_text in sorted(pages.html.items()):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html_text, encoding="utf-8")
        written.append(target)
    for name in sorted(pages.files):
        source = pages.file_at(name)
        if source is None:
            continue
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    return written
