"""The items plan compares: what a source wants (Desired), what the site holds (Remote), and
managed items of another user that this one can see but not edit (Foreign). Plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cms_sync.marker import Marker, state_hash


@dataclass(frozen=True)
class Desired:
    """What a source file wants on the site, in comparable form (term names, image hashes)."""

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
class Foreign:
    """A managed item of another user: visible, not editable by this one."""

    id: int
    link: str
    stamp: Marker
