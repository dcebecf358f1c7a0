"""One publish (or plan) run, in one direction: read the site, decide, write, report.

    articles ─► desired items ─┐
    site.read() ─► snapshot ───┴─► plan (pure) ─► apply (batched writes) ─► report

A post created in this run is linked at its permalink-to-be, predicted from the site's
permalink structure (any post's ``permalink_template``; on a site without a post, the
answer to the first creates), so each post is written once. Creates go first, then the
plan is made again from the snapshot that holds the new posts: a link that could not be
predicted (plain permalinks, ?p=ID) is filled in then, by a second write of the posts
that hold it. Types go one after the other (patterns, pages, posts): a page that links a
post created after it is written again once the post exists (see ``_Run.relink``), so no
run ends with a pending link. Conflicts are reported and left alone; copies (a second post
of an article, as cms-sync wrote it) are trashed before any write; orphans are trashed
only with ``prune``. This is the entry point of the CLI, the tests and the
benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from cms_sync import apply, site_fields
from cms_sync.apply import Progress
from cms_sync.desired import DesiredItems
from cms_sync.item_types import PAGE, PATTERN, POST, ItemType
from cms_sync.items import Desired
from cms_sync.outcome import Outcome, Report, outcome_of
from cms_sync.plan import WRITES, Action, Elsewhere, plan
from cms_sync.project import Project, normalized
from cms_sync.site import Site
from cms_sync.slug_change import check_redirects, moved_since
from cms_sync.snapshot import Snapshot, User, capability_for, need
from cms_sync.wordpress import Client, WordPressError

MAX_PASSES = 4  # the probe of an empty site, creates, updates, and a lookup after a lost answer


def publish(
    project: Project,
    client: Client,
    *,
    dry_run: bool = False,
    force: bool = False,
    adopt: bool = False,
    prune: bool = False,
    only: list[Path] | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    notices: bool = True,
) -> Report:
    """Make the site behind ``client`` match ``project`` (or, with ``dry_run``, say how).

    ``force`` overwrites what editors changed on the site; ``adopt`` overwrites only posts
    without a marker that hold an article's slug. ``only`` limits the run to those article
    files (no orphans are reported then); ``progress(label, done, total)`` is told as
    uploads and batches of writes land. ``jobs`` batches of writes are sent at once.
    ``notices=False`` reads the notice patterns but never writes them (site_preview.py).
    """
    run = _Run(project, Site(client), dry_run, force, adopt, prune, only, progress, jobs)
    run.notices = notices
    return run.report_all()


def read_site(site: Site, desired: DesiredItems, types: list[ItemType]) -> Snapshot:
    """The site as a run needs it, read once: who we are (and whether the companion plugin
    runs), the managed items of ``types``, the posts at the slugs of articles no marker
    names; the terms, the media and the block profile when something first needs them."""
    snapshot = Snapshot.empty(site.url, *site.login())
    types = _readable(snapshot.user, desired, types)
    snapshot = site.read_fields(snapshot, desired.articles, desired.project.config.root)
    if desired.renderer.blocks:  # content_format "blocks": as this site's editor writes them
        snapshot = site.profile_later(snapshot)
    for item_type in types:
        snapshot = site.read_items(item_type, snapshot)
    # An article new among the posts may have been a page (its type changed): its page
    # must be seen, or a post would go live beside it at the same URL (see plan.Elsewhere).
    new_posts = PAGE not in types and desired.unmatched_slugs(snapshot, POST)
    if new_posts and _readable(snapshot.user, desired, [PAGE]):
        snapshot = site.read_items(PAGE, snapshot)
    for item_type in [t for t in types if t.public]:  # posts, pages
        unmatched = desired.unmatched_slugs(snapshot, item_type)
        if unmatched:
            snapshot = site.read_at_slugs(item_type, unmatched, snapshot)
    snapshot = site.terms_later(snapshot, desired.terms())
    items = [i for found in snapshot.items.values() for i in found.values()]
    if desired.images or any(item.get("featured_media") for item in items):
        snapshot = site.media_later(snapshot)
    return snapshot


def _readable(user: User, desired: DesiredItems, types: list[ItemType]) -> list[ItemType]:
    """The types whose items ``user`` may edit, so read (the edit view refuses the others).
    A type some selected article is of stops the run here when the user may not write it
    (an Author and pages: one line, nothing read or sent); pages read only for ``--prune``
    are left out (a user who may not edit a page cannot trash it either)."""
    refused = [t for t in types if not user.can(capability_for(need("create", t.name)))]
    user.require(
        need("create", t.name) for t in refused if any(a.type == t.name for a in desired.articles)
    )
    return [t for t in types if t not in refused]


def _permalinks_unknown(snapshot: Snapshot) -> bool:
    """Whether nothing in the snapshot shows how the site makes permalinks: no post of the
    run's, nor any other's ``permalink_template`` (a first publish)."""
    return not snapshot.items.get(POST.name) and not snapshot.permalink_template


def _merged(first: Outcome, second: Outcome | None) -> Outcome:
    """The report line of an item synced twice in a run (see ``_Run.relink``): the second
    when it wrote (a create stays a create), else the first."""
    if second is None or first.kind not in ("create", "update", "unchanged"):
        return first
    if first.kind == "create" and second.kind == "update":
        return replace(second, kind="create", changes=first.changes)
    return second


def _probe(creates: list[Action], pending: set[str]) -> list[Action]:
    """On a site without a post, the creates to send before the others: those that link no
    post created in this run (``pending``: those that do), or else one, whose answer tells
    the permalinks of the rest."""
    ready = [a for a in creates if a.key not in pending]
    return ready or creates[:1]


class _Run:
    """The state of one run: the snapshot moves forward as writes land, nothing else."""

    def __init__(
        self,
        project: Project,
        site: Site,
        dry_run: bool,
        force: bool,
        adopt: bool,
        prune: bool,
        only: list[Path] | None,
        progress: Progress | None,
        jobs: int = 1,
    ) -> None:
        articles = project.articles
        if only:
            wanted = {normalized(p) for p in only}
            articles = [a for a in articles if normalized(a.path) in wanted]
        self.site, self.dry_run, self.force, self.prune = site, dry_run, force, prune
        self.adopt = adopt
        self.partial = bool(only)
        self.progress: Progress = progress or (lambda _label, _done, _total: None)
        self.jobs = jobs
        pattern_mode = project.config.notice_mode == "pattern"
        self.desired = DesiredItems(project, articles, pattern_mode, force=force, adopt=adopt)
        self.types: list[tuple[ItemType, Callable[[Snapshot], list[Desired]]]] = [
            (PATTERN, self.desired.patterns),
            (POST, self.desired.posts),
        ]
        if self.desired.has_pages() or prune:  # pages are read only then (see README)
            self.types.insert(1, (PAGE, self.desired.pages))
        if not pattern_mode:
            self.types = self.types[1:]
        self.planned: dict[str, tuple[Snapshot, list[Action]]] = {}
        self.notices = True  # whether notice patterns are written

    def report_all(self) -> Report:
        report = Report(self.dry_run)
        self.snapshot = read_site(self.site, self.desired, [t for t, _ in self.types])
        user = self.snapshot.user
        if not user.can("edit_others_posts"):
            report.warnings.append(
                f"WordPress user '{user.name}' cannot see other users' unpublished "
                "posts (no edit_others_posts): an article whose post another user holds as a "
                "draft would be created again; publish as an Editor to be sure"
            )
        if not self.dry_run:
            self.prepare()
        elif self.writes_planned():  # plan says what publish would stop at
            self.refuse_renamed(self.missing_terms())
        done: list[tuple[ItemType, Callable[[Snapshot], list[Desired]], list[Outcome]]] = []
        for item_type, desired in self.types:
            if self.notices or item_type is not PATTERN:
                done.append((item_type, desired, self.sync(item_type, desired)))
        if not self.dry_run:
            done = self.relink(done)
        report.outcomes.extend(o for _, _, outcomes in done for o in outcomes)
        if not self.dry_run:  # WordPress's redirect of each changed slug, asked of the site
            report.outcomes = check_redirects(self.site, report.outcomes)
        report.warnings.extend(self.snapshot.fields.warnings)
        if self.snapshot.profile_note:  # read only if something was rendered
            report.warnings.append(self.snapshot.profile_note)
        report.requests = self.site.requests_made
        return report

    def relink(
        self, done: list[tuple[ItemType, Callable[[Snapshot], list[Desired]], list[Outcome]]]
    ) -> list[tuple[ItemType, Callable[[Snapshot], list[Desired]], list[Outcome]]]:
        """Each type synced before a later type wrote something, synced again: a page that
        links a post this run created (or whose slug it changed) holds a pending (or old)
        link until then. Planned from the snapshot, so only the items whose links changed
        are written; nothing is read."""
        result = []
        for n, (item_type, desired, outcomes) in enumerate(done):
            later = [o for _, _, found in done[n + 1 :] for o in found]
            if item_type.public and any(o.kind in WRITES for o in later):
                again = {o.key: o for o in self.sync(item_type, desired)
                         if o.kind in (*WRITES, "conflict", "error")}  # fmt: skip
                outcomes = [_merged(o, again.get(o.key)) for o in outcomes]
            result.append((item_type, desired, outcomes))
        return result

    def prepare(self) -> None:
        """Everything posts depend on: media and terms (patterns are items of their own),
        looked up only when something is to be written (a no-op reads neither)."""
        snapshot, needs = self.snapshot, []
        writing = self.writes_planned()
        images = [p for h, p in self.desired.images.items() if writing and h not in snapshot.media]
        if images:
            needs.append("upload media")
        terms = self.missing_terms() if writing else []
        self.refuse_renamed(terms)
        # Tags are not hierarchical: WordPress lets whoever may assign them create them.
        needs += sorted({f"create {taxonomy}" for taxonomy, _ in terms})
        if writing and self.desired.has_pages():  # not only when their turn comes: see below
            needs += self.needs_for(PAGE, self.plan(PAGE, self.desired.pages))
        snapshot.user.require(needs)
        if _permalinks_unknown(snapshot) and self.desired.articles:
            snapshot = self.site.permalink_template(POST, snapshot)  # see DesiredItems.posts
        for done, path in enumerate(images, 1):
            snapshot = self.site.upload(path, snapshot)
            self.progress("images", done, len(images))
        # Featured images' alt text, on the attachment. image_alt is in the article, so only a
        # run where some post's inputs changed can have a new one: a no-op reads no media.
        alts = self.desired.alt_updates(snapshot) if writing or self.inputs_changed() else []
        if alts:
            snapshot.user.require(["upload media"])
        for digest, alt in alts:
            snapshot = self.site.set_alt(digest, alt, snapshot)
        for taxonomy, name in terms:
            snapshot = self.site.ensure_term(taxonomy, name, snapshot)
        self.snapshot = snapshot

    def missing_terms(self) -> list[tuple[str, str]]:
        """The (taxonomy, name) of each term the articles name that the site lacks."""
        return [
            (taxonomy, name)
            for taxonomy, names in self.desired.terms().items()
            for name in sorted(names)
            if name.casefold() not in self.snapshot.term_ids.get(taxonomy, {})
        ]

    def refuse_renamed(self, creating: list[tuple[str, str]]) -> None:
        """Stop before anything is written when a term to create was renamed on the site
        (its slug held under another name): one ``path:line: error:`` line each."""
        if not creating:
            return
        slugs = self.snapshot.terms.get(self.snapshot).slugs
        found = site_fields.renamed_terms(self.desired.articles, creating, slugs, self.site.url)
        if found:
            root = self.desired.project.config.root
            lines = "\n".join(f.format(root) for f in found)
            raise site_fields.SiteMismatch(f"{lines}\nnothing was sent")

    def sync(
        self, item_type: ItemType, desired: Callable[[Snapshot], list[Desired]]
    ) -> list[Outcome]:
        """Plan and write one type of item, in up to three passes; its report lines."""
        final: dict[str, Outcome] = {}
        created: set[str] = set()
        failed: set[str] = set()  # refused by WordPress: reported once, not sent again
        unanswered: WordPressError | None = None  # a batch that got no answer at all
        for attempt in range(MAX_PASSES):
            actions = self.plan(item_type, desired)
            writes = [a for a in actions if a.kind in WRITES and a.slot not in failed]
            if unanswered and any(a.kind == "create" and a.slot in created for a in writes):
                # Not on the site yet, but WordPress may still be making it (a create slower
                # than the timeout): never sent twice in one run; the next run looks first.
                raise unanswered
            if not self.dry_run and any(a.kind == "create" for a in writes):
                writes = [a for a in writes if a.kind == "create"]  # links first, then updates
                if item_type.public and _permalinks_unknown(self.snapshot):
                    writes = _probe(writes, self.desired.links_pending)
            for action in actions:
                prior = final.get(action.slot)
                if not (prior and prior.kind in (*WRITES, "error") and action not in writes):
                    final[action.slot] = moved_since(prior, self.outcome(item_type, action))
            if self.dry_run:
                break
            # Copies first: a trashed copy frees the slug its original may need.
            copies = [a.slot for a in actions if a.kind == "copy" and a.slot not in failed]
            failed.update(self.trash(item_type, copies, final))
            if not writes:
                break
            self.snapshot.user.require(self.needs_for(item_type, writes))
            try:
                planned = [(a, final[a.slot]) for a in writes]
                results, self.snapshot = apply.write(
                    self.site, item_type, planned, self.snapshot, self.progress, jobs=self.jobs
                )
            except WordPressError as exc:
                # A batch is a POST: WordPress may have created items before the answer
                # was lost. Look at the site again; the next pass skips what exists.
                if attempt == MAX_PASSES - 1 or (exc.status or 500) < 500:
                    raise
                created.update(a.slot for a in writes if a.kind == "create")
                unanswered = exc if exc.status is None else unanswered
                self.snapshot = self.site.read_items(item_type, self.snapshot)
                continue
            for action, result in zip(writes, results, strict=True):
                final[action.slot] = result
                if action.kind == "create" and result.kind != "error":
                    created.add(action.slot)
                elif result.kind == "error":
                    failed.add(action.slot)
        for slot in created:  # later passes only filled in links, or found the lost creates
            if final[slot].kind in ("update", "unchanged"):
                final[slot] = replace(final[slot], kind="create")
        if self.prune and not self.dry_run:
            self.trash(item_type, [slot for slot, o in final.items() if o.kind == "orphan"], final)
        return list(final.values())

    def plan(
        self, item_type: ItemType, desired: Callable[[Snapshot], list[Desired]]
    ) -> list[Action]:
        """The actions for one type of item, from the snapshot as it is now (made once for
        a snapshot: plan is a pure function of it, and each change gives a new one)."""
        made = self.planned.get(item_type.name)
        if made is not None and made[0] is self.snapshot:
            return made[1]
        actions = plan(
            desired(self.snapshot),
            item_type.remotes(self.snapshot),
            foreign=self.snapshot.foreign.get(item_type.name, {}).values(),
            force=self.force,
            adopt=self.adopt,
            orphans=not self.partial,
            elsewhere=self.elsewhere(item_type),
        )
        self.planned[item_type.name] = (self.snapshot, actions)
        return actions

    def elsewhere(self, item_type: ItemType) -> Elsewhere:
        """What the other public types hold of ``item_type``'s articles (an article whose
        type changed): their managed items no article of their own type claims, and the
        keys and paths of their articles."""
        if not item_type.public:
            return Elsewhere()
        claimed: dict[str, set[str]] = {POST.name: set(), PAGE.name: set()}
        for article in self.desired.project.articles:
            found = claimed.setdefault(article.type, set())
            found.update((article.slug, self.desired.relative(article.path)))
        items = tuple(
            (t.name, r)
            for t in (POST, PAGE)
            if t is not item_type
            for r in t.remotes(self.snapshot)
            if r.marker is not None and not {r.marker.key, r.marker.path} & claimed[t.name]
        )
        others = set().union(*(keys for name, keys in claimed.items() if name != item_type.name))
        return Elsewhere(items, frozenset(others))

    def inputs_changed(self) -> bool:
        """Whether a post's inputs (its article file among them) differ from those its post
        was last written from: the hashes tell, nothing is rendered."""
        return any(
            a.desired is not None
            and (a.remote is None or a.remote.marker is None
                 or a.desired.source_hash != a.remote.marker.source)
            for a in self.plan(POST, self.desired.posts)
        )  # fmt: skip

    def writes_planned(self) -> bool:
        """Whether the run has anything to write (an unchanged item renders nothing)."""
        held = sum(len(self.snapshot.items.get(t.name, {})) for t in (POST, PAGE))
        if held < len(self.desired.articles):
            return True  # an article without a post yet: no need to plan to know
        return any(a.kind in WRITES for t, d in self.types for a in self.plan(t, d))

    def trash(self, item_type: ItemType, slots: list[str], final: dict[str, Outcome]) -> set[str]:
        """Move the items of these report lines to the trash; the slots that failed."""
        if not slots:
            return set()
        self.snapshot.user.require([need("trash", item_type.name)])
        doomed = [final[slot] for slot in slots]
        trashed, self.snapshot = apply.trash(self.site, item_type, doomed, self.snapshot)
        final.update(zip(slots, trashed, strict=True))
        return {slot for slot, o in zip(slots, trashed, strict=True) if o.kind == "error"}

    def outcome(self, item_type: ItemType, action: Action) -> Outcome:
        result = outcome_of(item_type, action, self.snapshot, self.desired.shown_in(action.key))
        if action.retype and action.remote is not None:
            old, new = action.retype, item_type.name
            result.changes = ("type",)
            result.note = (
                f"is a {old} on the site, and WordPress cannot turn a {old} into a {new}: "
                f"move the {old} to the trash in wp-admin, then publish again to create the "
                f"{new} (or set the article's type back to {old})"
            )
        return result

    @staticmethod
    def needs_for(item_type: ItemType, actions: list[Action]) -> list[str]:
        """What writing the creates and updates among ``actions`` needs of the user (pages
        their own capabilities: publish_pages, not publish_posts)."""
        writes = [a for a in actions if a.kind in WRITES]
        if not writes:
            return []
        needs = [need("create", item_type.name)]
        if any(
            a.desired and a.desired.fields.get("status") in ("publish", "private") for a in writes
        ):
            needs.append(need("publish", item_type.name))
        if any(a.remote and a.remote.fields.get("status") == "publish" for a in writes):
            needs.append(need("edit published", item_type.name))
        return needs
