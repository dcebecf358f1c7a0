"""Preview on the real site: the changed articles sent where readers do not see them, and a
link per article that shows each in the site's own theme.

What is sent depends on the article's post (or page: the same rules, at /wp/v2/pages),
never touching what readers see:

- no post yet, or a draft (or pending) post: the post is written as publish would write it,
  marker included, but as a draft (an article that says ``publish`` stays a draft until
  ``cms-sync publish``; the marker's source hash then differs, so publish writes it). A later
  publish finds the draft by its marker and updates it: no duplicate;
- a published (or scheduled, or private) post: an autosave (``POST /wp/v2/posts/ID/autosaves``,
  a revision of type autosave: title, content and excerpt; the post stays as it is);
- a post edited on the site since the last publish (a conflict) or held by another user:
  nothing is sent, and the report says why.

Notice patterns are never written (every post shows its pattern at once); a preview shows
the notice as the site has it.

The link: with the companion plugin 0.3.0 or later, one it signs (``POST
/cms-sync/v1/preview/ID``), which works without logging in until it expires (two days unless
the site says otherwise). Without it, WordPress's own links, which need a login: a draft's
``?p=ID&preview=true`` (a page's ``?page_id=ID&preview=true``), and for a published post its
autosave compared with the live post in wp-admin (core's preview of an autosave needs a
nonce made for a logged-in browser).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cms_sync import marker
from cms_sync.desired import DesiredItems
from cms_sync.errors import CmsSyncError, ExitCode
from cms_sync.item_types import PAGE, PATTERN, POST, ItemType, plugin_version
from cms_sync.items import Desired
from cms_sync.outcome import Outcome
from cms_sync.plan import Action, plan
from cms_sync.project import Project, normalized
from cms_sync.publish import publish, read_site
from cms_sync.site import Site
from cms_sync.snapshot import Snapshot, need
from cms_sync.wordpress import Client, WordPressError

TOKENS_SINCE = (0, 3, 0)  # the companion plugin version that signs preview links
DRAFTS = ("draft", "pending", "auto-draft")  # statuses readers never see
NO_CHANGES = "rest_autosave_no_changes"  # the autosave equals the post: WordPress drops it


@dataclass(frozen=True)
class Preview:
    """One article's preview: where to open it, and until when (None: it needs a login)."""

    path: str
    title: str
    url: str
    expires: str | None = None
    sent: str = ""  # "draft", "autosave", or "" (the draft on the site is already the file)

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "title": self.title, "url": self.url, "expires": self.expires}


@dataclass
class SitePreview:
    """What a preview run did: the links, the articles left alone and why, and a note
    when the links need a login."""

    previews: list[Preview] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "PATH: why", one line each
    login_note: str = ""
    unchanged: int = 0  # published articles whose post already is the file

    @property
    def exit_code(self) -> int:
        return ExitCode.CONFLICT if self.skipped else ExitCode.OK


def preview_on_site(
    project: Project, client: Client, only: list[Path] | None = None, lifetime: int | None = None
) -> SitePreview:
    """Send the changed articles of ``project`` (those at ``only``, when given) as drafts or
    autosaves and return a preview link for each (``lifetime``: seconds, at most the
    site's)."""
    articles = project.articles
    if only:
        wanted = {normalized(p) for p in only}
        articles = [a for a in articles if normalized(a.path) in wanted]
    site = Site(client)
    pattern_mode = project.config.notice_mode == "pattern"
    desired = DesiredItems(project, articles, pattern_mode)
    types = [*([PATTERN] if pattern_mode else []), *([PAGE] if desired.has_pages() else []), POST]
    snapshot = read_site(site, desired, types)
    result = SitePreview()
    drafts: dict[str, int] = {}  # path -> post ID (0: to create)
    autosaves: list[tuple[ItemType, Action]] = []
    kinds = {desired.relative(a.path): PAGE if a.type == PAGE.name else POST for a in articles}
    for item_type, action in _actions(desired, snapshot, types):
        assert action.desired is not None
        path, status = action.desired.path, _status(snapshot, item_type, action)
        if action.kind in ("conflict", "held"):
            result.skipped.append(f"{path}: {_why(item_type, action, snapshot)}; nothing sent")
        elif action.kind == "create" or (action.kind == "update" and status in DRAFTS):
            drafts[path] = 0
        elif action.kind == "update":
            autosaves.append((item_type, action))
        elif action.kind == "unchanged" and status in DRAFTS and action.remote is not None:
            drafts[path] = action.remote.id  # already the file: its link only
        elif action.kind == "unchanged":
            result.unchanged += 1
    written = _write_drafts(project, client, [p for p, i in drafts.items() if not i])
    drafts |= {path: outcome.id for path, outcome in written.items()}
    saved = _autosave(client, site, desired, snapshot, autosaves)
    titles = {desired.relative(a.path): a.title for a in articles}
    issue = _link_maker(client, snapshot, lifetime, result)
    for path, post_id in drafts.items():
        kind = written[path].kind if path in written else ""
        sent = "draft" if kind in ("create", "update") else ""
        result.previews.append(issue(kinds[path], path, titles[path], post_id, None, sent))
    for path, (post_id, autosave_id) in saved.items():
        result.previews.append(
            issue(kinds[path], path, titles[path], post_id, autosave_id, "autosave")
        )
    order = list(titles)
    result.previews.sort(key=lambda p: order.index(p.path))
    return result


def _actions(
    desired: DesiredItems, snapshot: Snapshot, types: list[ItemType]
) -> list[tuple[ItemType, Action]]:
    """Each selected article's action as plan sees it, with the type of its item (copies and
    orphans left out)."""
    found = []
    for item_type in [t for t in types if t.public]:  # posts, pages
        actions = plan(
            desired.items(item_type, snapshot),
            item_type.remotes(snapshot),
            foreign=snapshot.foreign.get(item_type.name, {}).values(),
            orphans=False,
        )
        found += [(item_type, a) for a in actions if a.desired is not None and a.kind != "copy"]
    return found


def _status(snapshot: Snapshot, item_type: ItemType, action: Action) -> str:
    """The item's status on the site as WordPress says it ("" when there is none)."""
    if action.remote is None:
        return ""
    items = snapshot.items.get(item_type.name, {})
    return str(items.get(action.remote.id, {}).get("status", ""))


def _why(item_type: ItemType, action: Action, snapshot: Snapshot) -> str:
    noun = item_type.name  # "post", "page"
    if action.kind == "held":
        return (
            f"its {noun} belongs to another WordPress user and '{snapshot.user.name}' may not "
            "edit it; preview as an Editor"
        )
    assert action.remote is not None
    if action.unmanaged:
        return (
            f"{noun} {action.remote.id} holds its slug but was not published by cms-sync; "
            "`cms-sync publish --adopt` takes it over"
        )
    return (
        f"{noun} {action.remote.id} was edited in WordPress since the last publish; settle it "
        "first (`cms-sync pull` or `cms-sync publish --force`)"
    )


def draft_only(project: Project, paths: list[Path]) -> Project:
    """The project with the articles at ``paths`` held back as drafts (pending stays)."""
    held = {normalized(p) for p in paths}
    return dataclasses.replace(
        project,
        articles=[
            dataclasses.replace(a, status="draft")
            if normalized(a.path) in held and a.status not in DRAFTS
            else a
            for a in project.articles
        ],
    )


def _write_drafts(project: Project, client: Client, paths: list[str]) -> dict[str, Outcome]:
    """Create or update the drafts of ``paths`` as publish does (images, terms, marker),
    notice patterns left alone; their report lines by path."""
    if not paths:
        return {}
    files = [project.config.root / p for p in paths]
    report = publish(draft_only(project, files), client, only=files, notices=False)
    failed = [o for o in report.outcomes if o.kind in ("error", "conflict")]
    if failed:
        raise CmsSyncError(
            "; ".join(f"{o.path}: {o.error or o.note}" for o in failed)
            + ": no preview link made for them"
        )
    public = (POST.name, PAGE.name)
    return {o.path: o for o in report.outcomes if o.item in public and o.path in paths}


def _autosave(
    client: Client,
    site: Site,
    desired: DesiredItems,
    snapshot: Snapshot,
    actions: list[tuple[ItemType, Action]],
) -> dict[str, tuple[int, int]]:
    """An autosave of each published post's (or page's) new title, content and excerpt (a
    page has none), its images uploaded first; the item and autosave IDs by path."""
    if not actions:
        return {}
    types = [t for t in (PAGE, POST) if any(item_type is t for item_type, _ in actions)]
    snapshot.user.require(
        need(verb, t.name) for t in types for verb in ("create", "edit published")
    )
    missing = [(h, p) for h, p in desired.images.items() if h not in snapshot.media]
    if missing:
        snapshot.user.require(["upload media"])
        for _digest, path in missing:
            snapshot = site.upload(path, snapshot)
    # images at their uploaded URLs
    fresh = {d.key: d for t in types for d in desired.items(t, snapshot)}
    saved = {}
    for item_type, action in actions:
        remote = action.remote
        assert remote is not None and action.desired is not None
        want: Desired = fresh[action.desired.key]
        content = str(want.fields["content"])
        if remote.marker is not None and not item_type.identity_in_meta(snapshot.companion):
            content = marker.join(content, remote.marker)  # restoring it keeps the identity
        body = {"title": want.fields["title"], "content": content}
        if "excerpt" in want.fields or item_type is POST:
            body["excerpt"] = want.fields.get("excerpt", "")
        try:
            answer = client.post(f"{item_type.route}/{remote.id}/autosaves", body)
        except WordPressError as exc:
            if exc.code != NO_CHANGES:
                raise
            answer = {"id": 0}  # the text is the post's: the preview is the post itself
        saved[want.path] = (remote.id, int(answer.get("id") or 0))
    return saved


def companion_version(snapshot: Snapshot) -> tuple[int, ...] | None:
    """The companion plugin's version (from the login's users/me answer, no request more);
    None when it is not active."""
    if not snapshot.companion:
        return None
    return plugin_version(snapshot.companion) or (0,)


def _link_maker(
    client: Client, snapshot: Snapshot, lifetime: int | None, result: SitePreview
) -> Callable[[ItemType, str, str, int, int | None, str], Preview]:
    """How a preview link is made on this site: signed by the companion plugin, or
    WordPress's own (a login needed, said once in ``result.login_note``)."""
    version = companion_version(snapshot)
    signed = version is not None and version >= TOKENS_SINCE
    if not signed:
        why = (
            "the companion plugin is not active"
            if version is None
            else f"the companion plugin is older than {'.'.join(map(str, TOKENS_SINCE))}"
        )
        result.login_note = (
            f"{why} on {snapshot.site_url}: these links need a login to WordPress (a draft "
            "opens in the theme; a published post's changes open in wp-admin, compared with "
            "the live post); install or update it for links that work without a login"
        )

    def issue(
        item_type: ItemType, path: str, title: str, post_id: int, autosave_id: int | None, sent: str
    ) -> Preview:
        if signed:  # the plugin's link names a page as ?page_id=
            body = {"lifetime": lifetime} if lifetime else {}
            answer = client.post(f"/cms-sync/v1/preview/{post_id}", body)
            return Preview(path, title, str(answer["url"]), str(answer["expires"]), sent)
        site = snapshot.site_url
        if autosave_id:
            url = f"{site}/wp-admin/revision.php?revision={autosave_id}"
        else:
            key = "page_id" if item_type is PAGE else "p"  # WordPress's own query keys
            url = f"{site}/?{key}={post_id}&preview=true"
        return Preview(path, title, url, None, sent)

    return issue


def as_text(result: SitePreview) -> str:
    """``PATH: URL``, one line per article."""
    return "\n".join(f"{p.path}: {p.url}" for p in result.previews)


def as_json(result: SitePreview) -> str:
    return json.dumps([p.as_dict() for p in result.previews], ensure_ascii=False, indent=2)
