"""The items plan compares: what a source wants (Desired), what the site holds (Remote), and
managed items of another user that this one can see but not edit (Foreign). Plain data."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from cms_sync.articles import Pulled
from cms_sync.marker import Marker, state_hash


class LazyFields(Mapping[str, object]):
    """Fields made on first use: a post's content is rendered only when plan looks at it
    (an item whose source hash and stored hash say it is unchanged is never rendered)."""

    def __init__(
        self, make: Callable[[], Mapping[str, object]], names: tuple[str, ...] | None = None
    ) -> None:
        self._make: Callable[[], Mapping[str, object]] | None = make
        self._fields: Mapping[str, object] = {}
        self._names = names  # the fields' names when known without making them (a create's)

    @property
    def made(self) -> bool:
        return self._make is None

    def _get(self) -> Mapping[str, object]:
        if self._make is not None:
            self._fields, self._make = self._make(), None
        return self._fields

    def __getitem__(self, name: str) -> object:
        return self._get()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names if self._names is not None else self._get())

    def __len__(self) -> int:
        return len(self._names if self._names is not None else self._get())


@dataclass(frozen=True)
class Desired:
    """What a source file wants on the site, in comparable form (term names, image hashes).

    ``source``, when given, hashes everything the fields are made from (see inputs.py), so
    that plan can tell an unchanged item without making its fields; otherwise the source
    hash is the hash of the fields."""

    key: str
    path: str
    fields: Mapping[str, object]
    pulled: Pulled | None = None  # the site version the file was pulled from
    source: str = ""

    @property
    def source_hash(self) -> str:
        return self.source or state_hash(dict(self.fields))

    def pulled_from(self, remote: Remote) -> bool:
        """Whether the file is, unedited, what `cms-sync pull` made of ``remote`` as it is."""
        return (
            self.pulled is not None
            and self.pulled.state == remote.stored_hash
            and self.pulled.source == self.source_hash
        )


@dataclass(frozen=True)
class Remote:
    """An item as the site has it now: managed (with its marker) or, without a marker, a
    post that holds the slug of an article (written in wp-admin, or its marker deleted)."""

    id: int
    link: str
    marker: Marker | None
    fields: Mapping[str, object]
    stored_hash: str  # hash of the raw stored state now, comparable to marker.stored
    # The stored hash without the "-2" WordPress adds to a slug another post held when this
    # one was created ("" when its slug has none): a create whose answer was lost (a
    # timeout, a concurrent run) could not record that in the marker.
    renamed_hash: str = ""

    @property
    def trashed(self) -> bool:
        return self.fields.get("status") == "trash"

    def edited_since(self, pulled: Pulled | None) -> bool:
        """Whether the site changed the item since cms-sync last wrote it, or since the
        file was pulled from it. An item without a marker: nobody knows, so yes."""
        if pulled is not None and pulled.state == self.stored_hash:
            return False
        return self.marker is None or self.stored_hash != self.marker.stored

    def as_written(self) -> bool:
        """Whether the item holds what cms-sync wrote to it, nobody's edit since: a copy
        that is safe to trash. WordPress's own "-2" on a taken slug does not count as an
        edit here (it is one of the two posts that wanted the slug)."""
        stored = self.marker.stored if self.marker else None
        return stored is not None and stored in (self.stored_hash, self.renamed_hash)


@dataclass(frozen=True)
class Foreign:
    """A managed item of another user: visible, not editable by this one."""

    id: int
    link: str
    stamp: Marker
