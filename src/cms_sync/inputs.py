"""What a post is made from, as one hash: the source hash publish records in the marker.

A post's content is a function of its article file (front matter and body), the templates
and labels, the notice (inline, or the ID of its pattern), what its links and its series
navigation point at (the other parts' titles, paths, availability and permalinks), the
images it shows (their bytes), the content format and cms-sync's own rendering
(render.RENDER_VERSION). Hashing those is cheap; rendering is not. So plan compares this
hash with the marker's ``source`` and renders only the posts whose inputs changed or whose
site copy was edited.

Two inputs are left out on purpose, because the site is asked for them only when something
is rendered or uploaded (a no-op reads neither): the site's block profile (how its editor
writes blocks) and where the media library keeps each image (its URL and ID; an image is
known by its bytes). A WordPress upgrade alone therefore rewrites no post: the markup of
the older editor stays valid blocks, and each post takes the new editor's markup the next
time it is written. An attachment deleted in wp-admin is uploaded again at the next
publish, but a post keeps pointing at the deleted one until its inputs change.

Paths are hashed relative to the project's folder, so a clone elsewhere (CI) computes
the same hash. ``pulled`` is left out: `pull` writes it after computing the hash.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cms_sync.articles import Article
from cms_sync.notice import Notice
from cms_sync.render import RENDER_VERSION

_LEFT_OUT = frozenset({"pulled", "key_lines", "body_line"})  # not what a reader sees


def digest(*parts: object, root: Path | None = None) -> str:
    """A short, stable hash of ``parts`` (JSON; paths relative to ``root``)."""

    def plain(value: object) -> object:
        if isinstance(value, Path):
            if root is not None and value.is_relative_to(root):
                return value.relative_to(root).as_posix()
            return value.as_posix()
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return record(value)
        if isinstance(value, set | frozenset):
            return sorted(str(v) for v in value)
        return repr(value)

    text = json.dumps([RENDER_VERSION, *parts], default=plain, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def record(value: Any) -> dict[str, object]:
    """The fields of an Article, a Notice or another dataclass that shape what readers see."""
    return {
        f.name: getattr(value, f.name)
        for f in dataclasses.fields(value)
        if f.name not in _LEFT_OUT and not _unset(value, f)
    }


def _unset(value: Any, f: dataclasses.Field[Any]) -> bool:
    """A field added later (``omit_default``) left at its default: out of the hash, so the
    hashes of posts published before it existed stay as they were."""
    if not f.metadata.get("omit_default"):
        return False
    if f.default_factory is not dataclasses.MISSING:
        return bool(getattr(value, f.name) == f.default_factory())
    return bool(getattr(value, f.name) == f.default)


def series_digests(
    parts_of: dict[str, list[Article]],
    state: Callable[[Article], object],
    link: Callable[[Path], str | None],
    root: Path,
) -> dict[Path, str]:
    """A hash a part over what its series navigation shows: the other parts' paths, titles,
    what readers can do with them (``state``) and, for those they can open, their ``link``;
    of the part itself only its place (its own link and state are not shown there, and a
    hash that held them would change without its page changing)."""
    found: dict[Path, str] = {}
    for name, parts in parts_of.items():
        rows = []
        for part in parts:
            available = state(part)
            url = link(part.path) if getattr(available, "state", "") == "open" else None
            rows.append(digest(part.path, part.title, available, url, root=root).encode())
        for at, part in enumerate(parts):
            mine = digest(name, part.path, root=root).encode()
            found[part.path] = digest(b"".join([*rows[:at], mine, *rows[at + 1 :]]).hex())
    return found


def notice_digest(notice: Notice | None, root: Path) -> str:
    return "" if notice is None else digest(notice, root=root)
