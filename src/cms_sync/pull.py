"""`cms-sync pull` and `cms-sync import`: bring what editors did on the site into the files.

In one direction, like publish: read the site (``read_site``), decide which posts changed
since the last publish or pull (pull) or were written in wp-admin (import), draft their
files in memory, and only then write them, all or none (drafts.py). A site or network
failure leaves every file as it was.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cms_sync.apply import Progress
from cms_sync.desired import DesiredItems
from cms_sync.drafts import Draft, Drafter, safe_file_name
from cms_sync.errors import CmsSyncError
from cms_sync.item_types import PAGE, PATTERN, POST, ItemType
from cms_sync.items import Desired, Remote
from cms_sync.plan import match
from cms_sync.project import Project, normalized
from cms_sync.publish import read_site
from cms_sync.site import Site
from cms_sync.snapshot import Snapshot
from cms_sync.wordpress import Client

BUILT_IN = ("category", "post_tag")  # front matter's categories and tags


@dataclass
class Pulled:
    """What pull or import did for one file."""

    kind: str  # pulled, imported, unchanged, missing (no post yet), error (not mapped)
    path: str
    id: int = 0
    url: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class PullReport:
    results: list[Pulled] = field(default_factory=list)
    requests: int = 0


def git_dirty(paths: list[Path]) -> list[Path]:
    """The files among ``paths`` that git holds uncommitted changes of, or does not track;
    none outside a git work tree (nothing to protect them with there)."""
    if not paths:
        return []
    folder = paths[0].parent
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True,
            text=True, check=False,
        )  # fmt: skip
        if top.returncode != 0:
            return []
        status = subprocess.run(
            ["git", "status", "--porcelain", "-z", "--untracked-files=all", "--",
             *map(str, paths)],
            cwd=folder, capture_output=True, text=True, check=False,
        )  # fmt: skip
    except OSError:
        return []
    root = Path(top.stdout.strip())
    changed = {normalized(root / entry[3:]) for entry in status.stdout.split("\0") if entry}
    return [p for p in paths if normalized(p) in changed]


def pull(
    project: Project,
    client: Client,
    *,
    only: list[Path] | None = None,
    force: bool = False,
    dirty: Callable[[list[Path]], list[Path]] = git_dirty,
    progress: Progress | None = None,
) -> PullReport:
    """Write the site's version of each post (and notice) an editor changed into its file.

    ``only`` limits the run to those files; a file with uncommitted changes is refused
    (nothing is written) unless ``force``. ``progress(label, done, total)`` is told as
    each article is compared (and converted, when its post was edited).
    """
    told = progress or _silent
    articles, wanted = project.articles, {normalized(p) for p in only or []}
    if only:
        articles = [a for a in articles if normalized(a.path) in wanted]
    site, desired = Site(client), DesiredItems(project, articles, _pattern_mode(project))
    snapshot = read_site(site, desired, _types(project))
    drafter = Drafter(project, site, snapshot, desired)
    report, drafts = PullReport(), []
    wants: dict[str, Desired] = {}
    pairs: dict[str, Remote] = {}
    for item_type in (POST, PAGE):
        found = desired.items(item_type, snapshot)
        wants |= {want.key: want for want in found}
        pairs |= match(found, item_type.remotes(snapshot))
    for done, article in enumerate(articles, 1):
        want = wants[article.slug]
        remote = pairs.get(want.key)
        path = desired.relative(article.path)
        if remote is None:
            report.results.append(Pulled("missing", path))
        elif not remote.edited_since(article.pulled) or want.pulled_from(remote):
            report.results.append(Pulled("unchanged", path, remote.id, remote.link))
        else:
            drafts.append(drafter.post(article.path, remote, article))
        told("articles", done, len(articles))
    patterns = desired.patterns(snapshot)
    for key, remote in match(patterns, PATTERN.remotes(snapshot)).items():
        notice = project.notices[key.removeprefix("notice:")]
        if only and normalized(notice.path) not in wanted:
            continue
        if remote.edited_since(notice.pulled) and not _pulled_from(patterns, key, remote):
            draft = drafter.notice(notice, remote)
            if draft.meta:
                drafts.append(draft)
            else:  # the headings are gone: nothing to write, and say why
                path = desired.relative(notice.path)
                report.results.append(Pulled("error", path, remote.id, draft.url, draft.warnings))
    _refuse_dirty(drafts, force, dirty, desired)
    drafter.write(drafts)
    report.results += [_result("pulled", d, desired) for d in drafts]
    report.requests = site.requests_made
    return report


def import_posts(
    project: Project,
    client: Client,
    into: Path,
    *,
    status: str = "publish,future,draft,pending,private",
    categories: Iterable[str] = (),
    tags: Iterable[str] = (),
    author: str | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Write each post written in wp-admin (no marker, no article at its slug) that
    matches the filters into a new file in ``into``; the next publish adopts it without
    creating anything. ``progress(label, done, total)`` is told as each post is looked at."""
    told = progress or _silent
    site = Site(client)
    desired = DesiredItems(project, project.articles, _pattern_mode(project))
    terms = {"categories": set(categories), "tags": set(tags)}
    snapshot = read_site(site, desired, _types(project))
    filters = site.post_filters(snapshot, terms, author)
    snapshot = _every_taxonomy(site.site_facts(snapshot, {"users", "taxonomies"}))
    snapshot = site.read_unmanaged(POST, {"status": status, **filters}, snapshot)
    snapshot = site.read_terms(snapshot, {})  # the names of the terms those posts use
    taken = {a.slug for a in project.articles}
    drafter = Drafter(project, site, snapshot, desired)
    report, drafts = PullReport(), []
    remotes = POST.remotes(snapshot)
    for done, remote in enumerate(remotes, 1):
        told("posts", done, len(remotes))
        slug = str(remote.fields["slug"])
        if remote.marker is not None or slug in taken:
            continue
        path = into / f"{safe_file_name(slug, f'post-{remote.id}')}.md"
        if path.exists():
            warning = f"{path} exists; move it or import into another folder"
            report.results.append(Pulled("error", str(path), remote.id, remote.link, [warning]))
            continue
        drafts.append(drafter.post(path, remote))
    drafter.write(drafts)
    report.results += [_result("imported", d, desired) for d in drafts]
    report.requests = site.requests_made
    return report


def _every_taxonomy(snapshot: Snapshot) -> Snapshot:
    """The snapshot that reads and compares the posts' terms of every custom taxonomy of the
    site (an imported file names those its post has), not only those the articles name."""
    fields = snapshot.fields
    found = [t.slug for t in (fields.taxonomies or {}).values() if POST.name in t.types]
    named = tuple(sorted({*fields.named, *(s for s in found if s not in BUILT_IN)}))
    return dataclasses.replace(snapshot, fields=dataclasses.replace(fields, named=named))


def _silent(_label: str, _done: int, _total: int) -> None:
    """No progress bar."""


def _pattern_mode(project: Project) -> bool:
    return project.config.notice_mode == "pattern"


def _types(project: Project) -> list[ItemType]:
    pages = [PAGE] if any(a.type == PAGE.name for a in project.articles) else []
    return [PATTERN, *pages, POST] if _pattern_mode(project) else [*pages, POST]


def _pulled_from(patterns: list[Desired], key: str, remote: Remote) -> bool:
    return next(w for w in patterns if w.key == key).pulled_from(remote)


def _refuse_dirty(
    drafts: list[Draft],
    force: bool,
    dirty: Callable[[list[Path]], list[Path]],
    desired: DesiredItems,
) -> None:
    if not drafts or force:
        return
    refused = dirty([d.path for d in drafts])
    if refused:
        names = ", ".join(desired.relative(p) for p in refused)
        raise CmsSyncError(
            f"{names}: uncommitted changes; commit or stash them first, "
            "or pull --force to overwrite them (nothing was written)"
        )


def _result(kind: str, draft: Draft, desired: DesiredItems) -> Pulled:
    return Pulled(kind, desired.relative(draft.path), draft.remote.id, draft.url, draft.warnings)
