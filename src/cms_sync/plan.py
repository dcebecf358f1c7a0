"""The publish decision: desired items x what the site holds -> actions. Pure: no I/O.

Fields are compared in a form both sides share (term names, image hashes, decoded
slugs), so the decision needs no lookups.

    another user holds the item (marker seen, not editable): same source  unchanged
                                                           changed source held
    a live item of another type (a page for a post) with its marker . conflict (retype)
    no remote item with its marker, key, path or slug ............. create
    the file is what `pull` made of the item as it is now ......... unchanged
    site not edited since the last publish and the source hash as
      then (fields not even made: any difference is WordPress's own
      filtering) .................................................. unchanged
    no field differs from the site ................................ unchanged
    site edited since the last publish or pull, or the post at the
      slug has no marker (written in wp-admin), no --force/--adopt  conflict
    otherwise (the source changed; or --force, --adopt) ........... update
    another live item with the article's marker (see ``keep``),
      as cms-sync wrote it ........................................ copy (to the trash)
      edited on the site since ................................... conflict (left alone)
    a remote item with a marker no source claims (not in the trash),
      nor an article of another type ............................. orphan

A post without a marker is matched only by the article's slug: whatever holds the slug
is never a reason to create a second post beside it. A copy comes from an interrupted or
concurrent run (two publishers at once, a create answered after the client gave up).

WordPress's REST API cannot change an item's type: an article whose ``type`` changed (a post
that became a page) finds its old item among the other type's, and creating the new one
would put two live items at one URL; it is a conflict until the old one is in the trash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from cms_sync.items import Desired, Foreign, Remote

Kind = Literal["create", "update", "unchanged", "conflict", "orphan", "held", "copy"]
WRITES = ("create", "update")


@dataclass(frozen=True)
class Action:
    """What to do about one item; ``changes`` names the fields that differ; ``unmanaged``
    says the remote item carries no marker (a post at the article's slug)."""

    kind: Kind
    desired: Desired | None = None
    remote: Remote | None = None
    changes: tuple[str, ...] = field(default=())
    holder: Foreign | None = None  # for "held" and its "unchanged": another user's item
    original: Remote | None = None  # for a copy (or an edited copy's conflict): the item kept
    retype: str = ""  # for a conflict: the type of the live item that holds the article

    @property
    def unmanaged(self) -> bool:
        return self.remote is not None and self.remote.marker is None

    @property
    def key(self) -> str:
        if self.desired is not None:
            return self.desired.key
        assert self.remote is not None and self.remote.marker is not None
        return self.remote.marker.key

    @property
    def slot(self) -> str:
        """Where the action's outcome goes in the report: one per source, one per orphan
        or copy."""
        if self.original is not None and self.remote is not None:
            return f"copy:{self.remote.id}"
        return self.key if self.desired else f"orphan:{self.remote.id if self.remote else 0}"


def changed_fields(desired: Desired, remote: Remote) -> tuple[str, ...]:
    """Names of the desired fields whose value differs on the site."""
    return tuple(name for name, value in desired.fields.items() if remote.fields.get(name) != value)


def claims(desired: list[Desired], remote: list[Remote]) -> dict[str, list[Remote]]:
    """The remote items of each desired item, the one to keep first: those carrying its
    marker's key, else its source path (same key as the kept one), else (without a
    marker) the first post at its slug. More than one live item is a copy.

    Each remote item is claimed once, by the first desired item that finds it; the
    lookups are indexed, so a site of thousands of posts is matched in linear time."""
    by_key: dict[str, list[Remote]] = {}
    by_path: dict[str, list[Remote]] = {}
    by_slug: dict[object, list[Remote]] = {}
    for r in sorted(remote, key=lambda r: r.id):
        if r.marker:
            by_key.setdefault(r.marker.key, []).append(r)
            by_path.setdefault(r.marker.path, []).append(r)
        else:
            by_slug.setdefault(r.fields.get("slug"), []).append(r)
    taken: set[int] = set()  # id() of the items claimed so far

    def free(found: list[Remote]) -> list[Remote]:
        return [r for r in found if id(r) not in taken]

    found: dict[str, list[Remote]] = {}
    for want in desired:
        same = free(by_key.get(want.key, [])) or free(by_path.get(want.path, []))
        if not same and by_slug:  # only then the fields are made (a post is rendered)
            slug = want.fields.get("slug")
            same = free(by_slug.get(slug, []))[:1] if slug else []
        if not same:
            continue
        kept = keep(same, want)
        key = kept.marker.key if kept.marker else None
        mine = [kept, *(r for r in same if r is not kept and r.marker and r.marker.key == key)]
        found[want.key] = mine
        taken.update(id(r) for r in mine)
    return found


def keep(found: list[Remote], desired: Desired) -> Remote:
    """Which of the items carrying an article's identity is its item (the others are
    copies): a live one before the trash; the one the file was pulled from; else the one at
    the article's slug (its URL, which readers and links use: a page an editor duplicated,
    marker and all, and renamed is the copy); else the only one edited on the site; else
    the oldest."""
    live = [r for r in found if not r.trashed] or found
    if len(live) == 1:
        return live[0]
    pulled = desired.pulled
    named = [r for r in live if pulled is not None and r.stored_hash == pulled.state]
    slug = desired.fields.get("slug") if not named else None  # may render: only for copies
    at_slug = [r for r in live if slug and r.fields.get("slug") == slug]
    edited = [r for r in live if not r.as_written()]
    chosen = named or at_slug or (edited if len(edited) == 1 else live)
    return min(chosen, key=lambda r: r.id)


def match(desired: list[Desired], remote: list[Remote]) -> dict[str, Remote]:
    """Pair each desired item with its remote item (see ``claims`` and ``keep``)."""
    return {key: found[0] for key, found in claims(desired, remote).items()}


def holder(desired: Desired, foreign: Iterable[Foreign]) -> Foreign | None:
    """The oldest item of another user that carries ``desired``'s key or path."""
    held = [f for f in foreign if f.stamp.key == desired.key or f.stamp.path == desired.path]
    return min(held, key=lambda f: f.id, default=None)


IDENTITY = "identity"  # the change of an update that only puts cms-sync's marker on a post


def decide(
    desired: Desired, remote: Remote | None, force: bool = False, adopt: bool = False
) -> Action:
    """The action for one item of this user (see the module docstring for the table)."""
    if remote is None:
        return Action("create", desired, None, tuple(desired.fields))
    if desired.pulled_from(remote):
        return _same(desired, remote)
    source = remote.marker.source if remote.marker else ""
    edited = remote.edited_since(desired.pulled)
    if not edited and desired.source_hash == source:
        # Decided from the hashes alone: the fields (a rendered post) are not looked at.
        return Action("unchanged", desired, remote)
    changes = changed_fields(desired, remote)
    if not changes:
        return _same(desired, remote)
    overwrite = force or (adopt and remote.marker is None)
    if edited and not overwrite:
        return Action("conflict", desired, remote, changes)
    return Action("update", desired, remote, changes)


def _same(desired: Desired, remote: Remote) -> Action:
    """File and item agree. An item without cms-sync's marker (pulled or imported from a
    post written in wp-admin, or one whose marker an edit removed) is written once, only to
    carry it: known by its slug alone, it would be left behind by a later slug change, and
    a second post made."""
    if remote.marker is None:
        return Action("update", desired, remote, (IDENTITY,))
    return Action("unchanged", desired, remote)


def decide_copy(desired: Desired, copy: Remote, kept: Remote) -> Action:
    """A second live item of an article: to the trash when it holds what cms-sync wrote,
    a conflict when someone edited it (its edits are never thrown away)."""
    if copy.as_written():
        return Action("copy", desired, copy, original=kept)
    return Action("conflict", desired, copy, changed_fields(desired, copy), original=kept)


@dataclass(frozen=True)
class Elsewhere:
    """What the other types of item hold of this type's articles: their live managed
    items (with their type's name), and the keys and source paths of their articles."""

    items: tuple[tuple[str, Remote], ...] = ()
    claimed: frozenset[str] = frozenset()

    def holding(self, desired: Desired) -> tuple[str, Remote] | None:
        """The oldest live item of another type with ``desired``'s key or path."""
        found = [
            (name, r)
            for name, r in self.items
            if r.marker is not None
            and not r.trashed
            and (r.marker.key == desired.key or r.marker.path == desired.path)
        ]
        return min(found, key=lambda found: found[1].id, default=None)


def plan(
    desired: list[Desired],
    remote: list[Remote],
    *,
    foreign: Iterable[Foreign] = (),
    force: bool = False,
    adopt: bool = False,
    orphans: bool = True,
    elsewhere: Elsewhere = Elsewhere(),
) -> list[Action]:
    """Every action needed to make the site match the sources, each item's copies after
    it, orphans last (unless ``orphans`` is false: a run limited to some files cannot tell
    what is orphaned). ``elsewhere``: what the other types hold (see ``Elsewhere``)."""
    foreign = list(foreign)
    actions: list[Action] = []
    mine = []
    for want in desired:
        other = holder(want, foreign)
        if other is None:
            mine.append(want)
        elif other.stamp.source == want.source_hash:
            actions.append(Action("unchanged", want, holder=other))
        else:
            actions.append(Action("held", want, holder=other))
    found = claims(mine, remote)
    for want in mine:
        items = found.get(want.key, [])
        retyped = None if items else elsewhere.holding(want)
        if retyped is not None:  # never a second live item at the article's URL
            actions.append(Action("conflict", want, retyped[1], retype=retyped[0]))
            continue
        actions.append(decide(want, items[0] if items else None, force, adopt))
        actions += [decide_copy(want, r, items[0]) for r in items[1:] if not r.trashed]
    claimed = {id(r) for items in found.values() for r in items}
    if orphans:
        actions += [
            Action("orphan", None, r)
            for r in remote
            if id(r) not in claimed and r.marker and not r.trashed
            and not {r.marker.key, r.marker.path} & elsewhere.claimed
        ]  # fmt: skip
    return actions
