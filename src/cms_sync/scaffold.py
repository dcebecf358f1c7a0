"""`cms-sync new`: choose the slug, place the part in its series, write the article file.

The choices are plain functions: :func:`propose_slug` says what WordPress would store for
the title and why, :func:`slug_problem` checks a slug with the front-matter rules,
:func:`place_part` decides which parts move, :func:`file_name` picks an ASCII name.
:func:`resolve_slug` asks the person at a terminal; :func:`new_article` writes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import click
import yaml

from cms_sync.articles import FIELDS, Article
from cms_sync.errors import CmsSyncError, ExitCode
from cms_sync.project import Project
from cms_sync.slugs import MAX_ENCODED, encoded_length, uncut_slug, wordpress_slug


class SlugRequired(CmsSyncError):
    """A non-Latin title without --slug and nobody at a terminal to ask: a usage error."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class SlugProposal:
    """The slug proposed for a title, with what a person needs to judge it."""

    title: str
    slug: str  # what WordPress would keep of the title, ending at a whole word
    whole: str  # the title's slug before WordPress's 200-byte cut
    series: str | None
    existing: tuple[tuple[int | None, str], ...]  # (part, slug) of the series' articles

    @property
    def latin(self) -> bool:
        """A slug in ASCII letters: nothing to explain, nothing to ask."""
        return bool(self.slug) and self.slug.isascii()

    def facts(self) -> list[str]:
        """Lines that explain the proposal of a non-Latin title."""
        lines = []
        letter = next((c for c in self.whole if not c.isascii() and c.isalpha()), None)
        if letter is not None:
            size = encoded_length(letter)
            script = unicodedata.name(letter, "non-Latin").split()[0].title()
            lines.append(
                f"WordPress stores a {script} slug percent-encoded ({letter} is "
                f"{quote(letter).lower()}, {size} bytes) and cuts it at {MAX_ENCODED} bytes, "
                f"about {MAX_ENCODED // size} {script} letters."
            )
        whole = encoded_length(self.whole)
        cut = (
            f"; the whole title would be {whole}, so the rest is cut" if whole > MAX_ENCODED else ""
        )
        lines.append(f"Proposed slug: {self.slug} ({encoded_length(self.slug)} bytes encoded{cut})")
        if self.existing:
            used = ", ".join(f"part {p} {s}" if p else s for p, s in self.existing)
            lines.append(f"Slugs in series '{self.series}': {used}")
        return lines


def series_name(project: Project, requested: str | None) -> str | None:
    """The series a new article joins: the one asked for, else the (first) existing one."""
    names = sorted({a.series_name for a in project.articles if a.series_name})
    return requested or (names[0] if names else None)


def _parts(project: Project, name: str | None) -> list[Article]:
    return [a for a in project.articles if name is not None and a.series_name == name]


def propose_slug(project: Project, title: str, series: str | None) -> SlugProposal:
    """The slug WordPress would store for ``title``, trimmed to end at a whole word."""
    slug, whole = wordpress_slug(title), uncut_slug(title)
    if slug != whole and not whole.startswith(slug + "-") and "-" in slug:
        slug = slug.rsplit("-", 1)[0]  # the cut fell inside a word: drop its first letters
    existing = tuple((a.series_part, a.slug) for a in _parts(project, series))
    return SlugProposal(title, slug, whole, series, existing)


def slug_problem(project: Project, slug: str) -> str | None:
    """What is wrong with ``slug`` (the front-matter rules, then uniqueness), or None."""
    try:
        FIELDS["slug"](slug)
    except ValueError as exc:
        return str(exc)
    if any(a.slug == slug for a in project.articles):
        return f"slug '{slug}' is already used"
    return None


def resolve_slug(
    project: Project, proposal: SlugProposal, given: str | None, at_terminal: bool
) -> str:
    """The slug to write: ``given`` (--slug) when valid, a Latin title's own slug, or the
    person's answer to the proposal at a terminal; without one, a non-Latin title fails."""
    if given is not None:
        problem = slug_problem(project, given)
        if problem:
            raise click.BadParameter(problem, param_hint="'--slug'")
        return given
    if proposal.latin:
        return proposal.slug
    if not at_terminal:
        if not proposal.slug:
            raise SlugRequired(f"cannot derive a slug from '{proposal.title}'; pass --slug")
        raise SlugRequired(
            f"the title is not in Latin letters; pass --slug (proposed: {proposal.slug}, "
            f"{encoded_length(proposal.slug)} of WordPress's {MAX_ENCODED} encoded bytes)"
        )
    for line in proposal.facts():
        click.echo(line, err=True)
    click.echo("Press Enter to accept it, or type another slug.", err=True)

    def checked(value: str) -> str:
        problem = slug_problem(project, value.strip())
        if problem:
            raise click.BadParameter(problem)
        return value.strip()

    default = proposal.slug or None
    answer: str = click.prompt("Slug", default=default, value_proc=checked, err=True)
    return answer


@dataclass(frozen=True)
class Placement:
    """Where the new article goes: its series and part, and the parts that move one up; or,
    for a page (``page``), the parent page's article (None: a top-level page)."""

    series: str | None
    part: int | None
    shifted: tuple[Article, ...] = ()
    page: bool = False
    parent: Article | None = None


def place_page(project: Project, parent: Path | None) -> Placement:
    """A new page, under the page whose article file is ``parent`` (None: top level)."""
    if parent is None:
        return Placement(None, None, page=True)
    found = project.article_at(parent)
    if found is None and parent.resolve() in {n.path.resolve() for n in project.notices.values()}:
        raise click.BadParameter(
            f"{parent} is the comment-privacy notice, not a page article; name the parent "
            "page's file",
            param_hint="'--parent'",
        )
    if found is None:
        raise click.BadParameter(
            f"no article file '{parent}'; name the parent page's file", param_hint="'--parent'"
        )
    if found.type != "page":
        raise click.BadParameter(
            f"{parent} is a {found.type}, and only a page can be a page's parent; name a page's "
            "file (one with 'type: page')",
            param_hint="'--parent'",
        )
    return Placement(None, None, page=True, parent=found)


def place_part(project: Project, series: str | None, part: int | None, renumber: bool) -> Placement:
    """Part ``part`` of ``series`` (default: the next one); a taken part needs ``renumber``."""
    parts = _parts(project, series)
    if series is None:
        if part is not None:
            raise CmsSyncError("--part needs a series: pass --series NAME")
        return Placement(None, None)
    if part is None:
        return Placement(series, max((a.series_part or 0 for a in parts), default=0) + 1)
    taken = [a for a in parts if a.series_part == part]
    if taken and not renumber:
        raise CmsSyncError(
            f"part {part} of series '{series}' is {taken[0].path.name}; "
            f"pass --renumber to move parts {part} and after one up"
        )
    later = [a for a in parts if taken and (a.series_part or 0) >= part]
    return Placement(series, part, tuple(later))


def file_name(folder: Path, slug: str, part: int | None, other: str = "article") -> Path:
    """An ASCII file name from the slug (``02-slug.md``), ``part-02.md`` (or ``other``.md
    outside a series) when the slug is not ASCII; never an existing file."""
    if part is None:
        stem = slug if slug.isascii() else other
    else:
        stem = f"{part:02d}-{slug}" if slug.isascii() else f"part-{part:02d}"
    path, n = folder / f"{stem}.md", 2
    while path.exists():
        path, n = folder / f"{stem}-{n}.md", n + 1
    return path


def with_part(text: str, part: int) -> str:
    """``text`` with its front matter's ``series.part`` value set to ``part``; every other
    character stays as written (quotes, comments, flow or block style)."""
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    root = yaml.compose("\n".join(lines[1:end]))  # the article was loaded: series.part is there
    series = next(v for k, v in getattr(root, "value", []) if k.value == "series")
    node = next(v for k, v in series.value if k.value == "part")
    start, stop = node.start_mark, node.end_mark
    row = 1 + start.line
    line = lines[row]
    lines[row] = line[: start.column] + str(part) + line[stop.column :]
    return "\n".join(lines)


def new_article(
    project: Project,
    title: str,
    *,
    slug: str,
    placement: Placement,
    lang: str | None,
    now: dt.datetime,
) -> tuple[Path, list[Path]]:
    """Write the new article (and move the shifted parts one up); return the new file's
    path and the files whose part changed."""
    config = project.config
    problem = slug_problem(project, slug)
    if problem:
        raise CmsSyncError(f"{problem}; pass --slug")
    meta: dict[str, object] = {
        "title": title,
        "slug": slug,
        "date": now,
        "status": config.default_status,
        "lang": lang or config.default_lang,
    }
    if placement.series:
        meta["series"] = {"name": placement.series, "part": placement.part}
    folder = config.articles_dir
    if placement.page:  # no categories, tags or excerpt: WordPress pages have none
        meta["type"] = "page"
        if placement.parent is not None:  # beside its parent, which it names by file name
            folder = placement.parent.path.parent
            meta["parent"] = placement.parent.path.name
        meta.update({"menu_order": 0, "comment_status": "closed"})  # pages' default
    else:
        meta.update({"categories": [], "tags": [], "excerpt": "", "comment_status": "open"})
    path = file_name(folder, slug, placement.part, "page" if placement.page else "article")
    moved = {
        # bytes, not text mode: a file with CRLF line ends keeps them
        a.path: with_part(a.path.read_bytes().decode("utf-8"), (a.series_part or 0) + 1)
        for a in placement.shifted
    }
    for moved_path, text in moved.items():
        moved_path.write_bytes(text.encode("utf-8"))
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    path.write_text(f"---\n{front}---\n\nWrite the article here.\n", encoding="utf-8")
    return path, list(moved)
