"""Apply the plan: make the site match the articles, writing only what changed.

Order of work: confirm the user, read the site in bulk, then (unless dry-run) upload
missing images, create missing terms, sync the notice patterns, and create/update posts
in batches. Links to a post created in this run are filled in by a second pass, once
its permalink exists. Conflicts are reported and left alone; orphans are trashed only
with prune.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cms_sync import marker
from cms_sync.articles import Article
from cms_sync.errors import CmsSyncError
from cms_sync.items import Items
from cms_sync.outcome import Outcome, Report, dropped_markup, field_diff
from cms_sync.plan import Action, Desired, Remote, plan
from cms_sync.posts import (
    PATTERN_STATE,
    POST_STATE,
    post_payload,
    sent_fields,
    stored_state,
)
from cms_sync.project import Project, normalized
from cms_sync.site import CAPABILITY_FOR, ROUTES, Foreign, Site
from cms_sync.wordpress import WordPressError


def slot(action: Action) -> str:
    """Where an action's outcome goes in the report: one per source, one per orphan."""
    return action.key if action.desired else f"orphan:{action.remote.id if action.remote else 0}"


MAX_PASSES = 3
BATCH_SIZE = 25  # WordPress's limit of sub-requests in one /batch/v1 call


class Sync:
    """One publish (or dry-run plan) of a project to a site."""

    def __init__(
        self,
        project: Project,
        site: Site,
        *,
        dry_run: bool = False,
        force: bool = False,
        prune: bool = False,
        only: list[Path] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.project, self.site = project, site
        self.dry_run, self.force, self.prune = dry_run, force, prune
        self.articles = project.articles
        if only:
            wanted = {normalized(p) for p in only}
            self.articles = [a for a in project.articles if normalized(a.path) in wanted]
        self.report = Report(dry_run)
        # progress(label, done, total): called as images upload and batches of writes land.
        self.progress = progress or (lambda _label, _done, _total: None)
        self.pattern_mode = project.config.notice_mode == "pattern"
        self.partial = only is not None and bool(only)
        self.items = Items(project, site, self.articles, self.pattern_mode)

    # -- reading -----------------------------------------------------------------------
    def read(self) -> None:
        self.site.login()
        self.site.read_posts()
        if self.pattern_mode:
            self.site.read_patterns()
        wanted: dict[str, set[str]] = {"categories": set(), "tags": set()}
        for article in self.articles:
            wanted["categories"].update(article.categories)
            wanted["tags"].update(article.tags)
        self.site.read_terms(wanted)
        if self.items.images or any(p.get("featured_media") for p in self.site.posts.values()):
            self.site.read_media()

    # -- the run -----------------------------------------------------------------------
    def run(self) -> Report:
        self.read()
        if not self.site.can("edit_others_posts"):
            self.report.warnings.append(
                f"WordPress user '{self.site.user_name}' cannot see other users' unpublished "
                "posts (no edit_others_posts): an article whose post another user holds as a "
                "draft would be created again; publish as an Editor to be sure"
            )
        if not self.dry_run:
            self.prepare()
        if self.pattern_mode:
            self.sync_items("pattern", self.items.desired_patterns, self.items.remote_patterns)
        self.sync_items("post", self.items.desired_posts, self.items.remote_posts)
        self.report.requests = self.site.client.requests_made
        return self.report

    def prepare(self) -> None:
        """Everything posts depend on: media, terms (patterns come in sync_items)."""
        needs = []
        missing_images = [p for h, p in self.items.images.items() if h not in self.site.media]
        if missing_images:
            needs.append("upload media")
        missing_terms = [
            (tax, name)
            for a in self.articles
            for tax, names in (("categories", a.categories), ("tags", a.tags))
            for name in names
            if name.casefold() not in self.site.term_ids.get(tax, {})
        ]
        if missing_terms:
            needs.append("create categories and tags")
        self.require(needs)
        for done, path in enumerate(missing_images, 1):
            self.site.upload(path)
            self.progress("images", done, len(missing_images))
        for taxonomy, name in missing_terms:
            self.site.ensure_term(taxonomy, name)

    def require(self, needs: list[str]) -> None:
        missing = self.site.missing_capabilities(needs)
        if missing:
            raise CmsSyncError(
                f"WordPress user '{self.site.user_name}' may not "
                + ", ".join(missing)
                + " (missing "
                + ", ".join(sorted({CAPABILITY_FOR[need] for need in missing}))
                + "); nothing was written: ask an administrator for a role with it"
            )

    def sync_items(
        self, item: str, desired: Callable[[], list[Desired]], remote: Callable[[], list[Remote]]
    ) -> None:
        """Plan and apply creates/updates for one kind of item, in up to three passes."""
        final: dict[str, Outcome] = {}
        created: set[str] = set()
        failed: set[str] = set()  # refused by WordPress: reported once, not sent again
        foreign = self.site.foreign_posts if item == "post" else self.site.foreign_patterns
        desired = self.without_foreign(item, desired, foreign, final)
        for attempt in range(MAX_PASSES):
            actions = plan(desired(), remote(), self.force)
            if self.partial:
                actions = [a for a in actions if a.kind != "orphan"]
            writes = [a for a in actions if a.kind in ("create", "update")
                      and slot(a) not in failed]  # fmt: skip
            if not self.dry_run and any(a.kind == "create" for a in writes):
                writes = [a for a in writes if a.kind == "create"]  # links first, then updates
            for action in actions:
                prior = final.get(slot(action))
                if not (prior and prior.kind in ("create", "update", "error")
                        and action not in writes):  # fmt: skip
                    final[slot(action)] = self.outcome(item, action)
            if self.dry_run or not writes:
                break
            self.require(self.needs_for(writes))
            try:
                results = self.write(item, writes)
            except WordPressError as exc:
                # A batch is a POST: WordPress may have created posts before the answer
                # was lost. Look at the site again; the next pass skips what exists.
                if attempt == MAX_PASSES - 1 or (exc.status or 500) < 500:
                    raise
                created.update(slot(a) for a in writes if a.kind == "create")
                self.reread(item)
                continue
            for action, result in zip(writes, results, strict=True):
                if result.kind == "create":
                    created.add(slot(action))
                elif result.kind == "error":
                    failed.add(slot(action))
                final[slot(action)] = result
        for key in created:  # later passes only filled in links, or found the lost creates
            if final[key].kind in ("update", "unchanged"):
                final[key].kind = "create"
        self.handle_orphans(item, [o for o in final.values() if o.kind == "orphan"])
        self.report.outcomes.extend(final.values())

    def without_foreign(
        self,
        item: str,
        desired: Callable[[], list[Desired]],
        foreign: dict[int, Foreign],
        final: dict[str, Outcome],
    ) -> Callable[[], list[Desired]]:
        """Leave out the items another user holds: unchanged if their marker says so, else an
        error (this user may not edit them); never a duplicate."""

        def editable() -> list[Desired]:
            kept = []
            for want in desired():
                held = [
                    f
                    for f in sorted(foreign.values(), key=lambda f: f.id)
                    if f.stamp.key == want.key or f.stamp.path == want.path
                ]
                if not held:
                    kept.append(want)
                    continue
                other = held[0]
                outcome = Outcome("unchanged", item, want.key, other.id, want.path, other.link)
                if other.stamp.source != want.source_hash:
                    outcome.kind = "error"
                    outcome.error = (
                        f"{item} {other.id} belongs to another WordPress user and "
                        f"'{self.site.user_name}' may not edit it (missing edit_others_posts); "
                        "publish as an Editor"
                    )
                final[want.key] = outcome
            return kept

        return editable

    def reread(self, item: str) -> None:
        if item == "post":
            self.site.read_posts()
        else:
            self.site.read_patterns()

    def payload(self, item: str, action: Action) -> dict[str, Any]:
        """The body of a write, its content ending with the marker."""
        desired = action.desired
        assert desired is not None
        if item == "pattern":
            body: dict[str, Any] = {
                "title": desired.fields["title"],
                "content": desired.fields["content"],
                "status": "publish",
            }
        else:
            article = self.article(desired.key)
            ids = {
                tax: sorted(self.site.term_ids[tax][n.casefold()] for n in names)
                for tax, names in (("categories", article.categories), ("tags", article.tags))
            }
            featured = desired.fields["featured_image"]
            media = self.site.media[str(featured)].id if featured else 0
            body = post_payload(article, str(desired.fields["content"]), ids, media)
        keys = sent_fields(body, PATTERN_STATE if item == "pattern" else POST_STATE)
        stored = marker.state_hash(stored_state(body, keys))
        stamp = marker.Marker(
            desired.key, desired.path, desired.source_hash, stored, ",".join(keys)
        )
        body["content"] = marker.join(str(body["content"]), stamp)
        return body

    def article(self, key: str) -> Article:
        return next(a for a in self.articles if a.slug == key)

    def write(self, item: str, writes: list[Action]) -> list[Outcome]:
        """Send the writes in batches; check what WordPress stored against what was sent."""
        route = ROUTES[item]
        bodies = [self.payload(item, a) for a in writes]
        requests = [
            {
                "method": "PUT" if a.remote else "POST",
                "path": f"{route}/{a.remote.id}" if a.remote else route,
                "body": body,
            }
            for a, body in zip(writes, bodies, strict=True)
        ]
        answers: list[dict[str, Any]] = []
        for start in range(0, len(requests), BATCH_SIZE):
            answers += self.site.client.batch(requests[start : start + BATCH_SIZE])
            self.progress(f"{item}s", len(answers), len(requests))
        return [
            self.written(item, route, action, body, answer)
            for action, body, answer in zip(writes, bodies, answers, strict=True)
        ]

    def written(
        self, item: str, route: str, action: Action, body: dict[str, Any], answer: dict[str, Any]
    ) -> Outcome:
        result = self.outcome(item, action)
        data = answer.get("body") or {}
        if answer.get("status") not in (200, 201) or "id" not in data:
            result.kind = "error"
            result.error = f"HTTP {answer.get('status')} {data.get('code', '')}: " + str(
                data.get("message", "WordPress refused the write")
            )
            return result
        keys = sent_fields(body, PATTERN_STATE if item == "pattern" else POST_STATE)
        sent, stored = stored_state(body, keys), stored_state(data, keys)
        if sent != stored:
            data = self.fix_marker(route, data, keys)
            dropped = dropped_markup(str(sent["content"]), str(stored["content"]))
            changed = [k for k in sent if sent[k] != stored[k]]
            result.warning = (
                "WordPress changed "
                + ", ".join(changed)
                + (
                    " (removed " + ", ".join(dropped) + ": the user lacks unfiltered_html)"
                    if dropped
                    else ""
                )
            )
        (self.site.posts if item == "post" else self.site.patterns)[data["id"]] = data
        result.url = self.url_of(item, data["id"], data.get("link", ""))
        return result

    def fix_marker(self, route: str, data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        """Record in the marker what WordPress really stored, so the next run is a no-op."""
        content, old = marker.split(data["content"]["raw"])
        assert old is not None
        actual = marker.state_hash(stored_state(data, keys))
        stamp = marker.Marker(old.key, old.path, old.source, actual, old.fields)
        answer = self.site.client.put(
            f"{route}/{data['id']}", {"content": marker.join(content, stamp)}
        )
        return dict(answer)

    def needs_for(self, writes: list[Action]) -> list[str]:
        needs = ["create posts"]
        if any(
            a.desired and a.desired.fields.get("status") in ("publish", "private") for a in writes
        ):
            needs.append("publish posts")
        if any(a.remote and a.remote.fields.get("status") == "publish" for a in writes):
            needs.append("edit published posts")
        return needs

    def url_of(self, item: str, item_id: int, link: str) -> str:
        """Where a person looks at the item: a post's permalink, a pattern's editor (synced
        patterns have no public page)."""
        if item == "pattern":
            return f"{self.site.client.site_url}/wp-admin/post.php?post={item_id}&action=edit"
        return link

    def outcome(self, item: str, action: Action) -> Outcome:
        remote, desired = action.remote, action.desired
        result = Outcome(
            action.kind,
            item,
            action.key,
            remote.id if remote else 0,
            path=desired.path if desired else (remote.marker.path if remote else ""),
            url=self.url_of(item, remote.id, remote.link) if remote else "",
            changes=action.changes,
        )
        if action.kind in ("update", "conflict") and remote is not None:
            result.diff = field_diff(action)
        if item == "pattern" and action.kind in ("create", "update", "conflict"):
            lang = action.key.removeprefix("notice:")
            result.affects = tuple(
                a.slug for a in self.articles if a.lang == lang and self.project.notice_for(a)
            )
        return result

    def handle_orphans(self, item: str, orphans: list[Outcome]) -> None:
        """Report orphans; with prune, move them to the trash (never a permanent delete)."""
        if not (self.prune and orphans) or self.dry_run:
            return
        self.require(["trash posts"])
        route = ROUTES[item]
        answers = self.site.client.batch(
            [{"method": "DELETE", "path": f"{route}/{o.id}"} for o in orphans]
        )
        for outcome, answer in zip(orphans, answers, strict=True):
            body = answer.get("body") or {}
            # 410 already trashed: a retried DELETE whose first answer was lost.
            if answer.get("status") == 200 or body.get("code") == "rest_already_trashed":
                outcome.kind = "trash"
            else:
                outcome.kind = "error"
                outcome.error = str(body.get("message", "not trashed"))
