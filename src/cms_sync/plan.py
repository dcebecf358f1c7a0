"""The publish decision: desired items x what the site holds -> actions. Pure: no I/O.

Fields are compared in a form both sides share (term names, image hashes, decoded
slugs), so the decision needs no lookups.

    another user holds the item (marker seen, not editable): same source  unchanged
                                                           changed source held
    no remote item with the item's marker ......................... create
    no field differs from the site ................................ unchanged
    site edited since the last publish (stored hash moved), no force  conflict
    site edited and --force, or the source changed since last time  update
    otherwise (the difference is WordPress's own filtering) ....... unchanged
    a remote item with a marker no source claims (not in the trash)  orphan
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from cms_sync.items import Desired, Foreign, Remote

Kind = Literal["create", "update", "unchanged", "conflict", "orphan", "held"]
WRITES = ("create", "update")


@dataclass(frozen=True)
class Action:
    """What to do about one item; ``changes`` names the fields that differ."""

    kind: Kind
    desired: Desired | None = None
    remote: Remote | None = None
    changes: tuple[str, ...] = field(default=())
    holder: Foreign | None = None  # for "held" and its "unchanged": another user's item

    @property
    def key(self) -> str:
        if self.desired is not None:
            return self.desired.key
        assert self.remote is not None
        return self.remote.marker.key

    @property
    def slot(self) -> str:
        """Where the action's outcome goes in the report: one per source, one per orphan."""
        return self.key if self.desired else f"orphan:{self.remote.id if self.remote else 0}"


def changed_fields(desired: Desired, remote: Remote) -> tuple[str, ...]:
    """Names of the desired fields whose value differs on the site."""
    return tuple(name for name, value in desired.fields.items() if remote.fields.get(name) != value)


def match(desired: list[Desired], remote: list[Remote]) -> dict[str, Remote]:
    """Pair each desired item with its remote item: by key, else by source path."""
    pairs: dict[str, Remote] = {}
    free = sorted(remote, key=lambda r: r.id)  # the oldest post wins over a duplicate
    for want in desired:
        found = next((r for r in free if r.marker.key == want.key), None)
        found = found or next((r for r in free if r.marker.path == want.path), None)
        if found is not None:
            pairs[want.key] = found
            free.remove(found)
    return pairs


def holder(desired: Desired, foreign: Iterable[Foreign]) -> Foreign | None:
    """The oldest item of another user that carries ``desired``'s key or path."""
    held = [f for f in foreign if f.stamp.key == desired.key or f.stamp.path == desired.path]
    return min(held, key=lambda f: f.id, default=None)


def decide(desired: Desired, remote: Remote | None, force: bool = False) -> Action:
    """The action for one item of this user (see the module docstring for the table)."""
    if remote is None:
        return Action("create", desired, None, tuple(desired.fields))
    changes = changed_fields(desired, remote)
    if not changes:
        return Action("unchanged", desired, remote)
    if remote.edited_on_site and not force:
        return Action("conflict", desired, remote, changes)
    if remote.edited_on_site or desired.source_hash != remote.marker.source:
        return Action("update", desired, remote, changes)
    return Action("unchanged", desired, remote)


def plan(
    desired: list[Desired],
    remote: list[Remote],
    *,
    foreign: Iterable[Foreign] = (),
    force: bool = False,
    orphans: bool = True,
) -> list[Action]:
    """Every action needed to make the site match the sources, orphans last (unless
    ``orphans`` is false: a run limited to some files cannot tell what is orphaned)."""
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
    pairs = match(mine, remote)
    actions += [decide(want, pairs.get(want.key), force) for want in mine]
    claimed = {id(r) for r in pairs.values()}
    if orphans:
        actions += [
            Action("orphan", None, r)
            for r in remote
            if id(r) not in claimed and r.fields.get("status") != "trash"
        ]
    return actions
