"""The publish decision: desired items x remote items -> actions. Pure: no I/O.

An *item* is a post or a notice pattern. Fields are compared in a form both sides
share (term names, image hashes, decoded slugs), so the decision needs no lookups.

    no remote item with the item's marker .......................... create
    no field differs from the site .................................. unchanged
    site edited since the last publish (stored hash moved), no force  conflict
    site edited and --force, or the source changed since last time . update
    otherwise (the difference is WordPress's own filtering) ........ unchanged
    a remote item with a marker no source claims (not in the trash) .. orphan
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from cms_sync.marker import Marker, state_hash

Kind = Literal["create", "update", "unchanged", "conflict", "orphan"]


@dataclass(frozen=True)
class Desired:
    """What a source file wants on the site."""

    key: str
    path: str
    fields: Mapping[str, object]

    @property
    def source_hash(self) -> str:
        return state_hash(dict(self.fields))


@dataclass(frozen=True)
class Remote:
    """A managed item as the site has it now."""

    id: int
    link: str
    marker: Marker
    fields: Mapping[str, object]
    stored_hash: str  # hash of the raw stored state now, comparable to marker.stored

    @property
    def edited_on_site(self) -> bool:
        return self.stored_hash != self.marker.stored


@dataclass(frozen=True)
class Action:
    kind: Kind
    desired: Desired | None = None
    remote: Remote | None = None
    changes: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        if self.desired is not None:
            return self.desired.key
        assert self.remote is not None
        return self.remote.marker.key


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


def decide(desired: Desired, remote: Remote | None, force: bool = False) -> Action:
    """The action for one item (see the module docstring for the table)."""
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


def plan(desired: list[Desired], remote: list[Remote], force: bool = False) -> list[Action]:
    """Every action needed to make the site match the sources, orphans last."""
    pairs = match(desired, remote)
    actions = [decide(want, pairs.get(want.key), force) for want in desired]
    claimed = {id(r) for r in pairs.values()}
    actions += [
        Action("orphan", None, r)
        for r in remote
        if id(r) not in claimed and r.fields.get("status") != "trash"
    ]
    return actions
