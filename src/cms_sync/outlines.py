"""The outline cache: what each article body points at, kept between runs.

Checking an article's links and hashing its inputs needs the local files its body links
and shows, which takes a Markdown conversion; for a thousand long articles that is seconds
of every run, although a no-op renders nothing. So the references each converted body
holds (as written, whether an image, the alt text) are kept in one small JSON file per
project, keyed by a hash of the body's text, this cms-sync's version and Python-Markdown's;
a body whose text is unchanged is not converted again until it is rendered.

The cache only ever repeats what a conversion of the same text gave, so it can be deleted
at any time (the next run converts again, as a fresh clone does). It lives outside the
project: ``$CMS_SYNC_CACHE_DIR``, else ``$XDG_CACHE_HOME/cms-sync``, else
``~/.cache/cms-sync``; ``CMS_SYNC_CACHE_DIR=off`` turns it off. A cache that cannot be read
or written is ignored; the file of a project not run for 30 days is deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import markdown

from cms_sync import __version__

Ref = tuple[str, bool, str]  # the attribute as written, whether an image, its alt text

_FORMAT = 1
_SALT = f"{_FORMAT}:{__version__}:{markdown.__version__}:"
_lock = threading.Lock()
_file: Path | None = None
_known: dict[str, list[Ref]] = {}  # read from the file
_used: dict[str, list[Ref]] = {}  # looked up or added by this run
_added = False


def _key(text: str) -> str:
    return hashlib.sha256((_SALT + text).encode("utf-8")).hexdigest()[:32]


def cache_dir() -> Path | None:
    """Where outline files go (None: turned off)."""
    chosen = os.environ.get("CMS_SYNC_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "cms-sync"


def use_project(root: Path) -> None:
    """Read the cache of the project at ``root`` (once per process and project)."""
    global _file, _known, _used, _added
    folder = cache_dir()
    chosen = None
    if folder is not None:
        name = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16]
        chosen = folder / f"outlines-{name}.json"
    with _lock:
        if chosen == _file:
            return
        _file, _known, _used, _added = chosen, {}, {}, False
        if chosen is None:
            return
        try:
            found = json.loads(chosen.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(found, dict) and found.get("salt") == _SALT:
            entries = found.get("outlines")
            if isinstance(entries, dict):
                _known = {
                    str(k): [(str(r[0]), bool(r[1]), str(r[2])) for r in v]
                    for k, v in entries.items()
                    if isinstance(v, list) and all(isinstance(r, list) and len(r) == 3 for r in v)
                }


def forget() -> None:
    """Drop what this process read and recorded (as a new process would start)."""
    global _file, _known, _used, _added
    with _lock:
        _file, _known, _used, _added = None, {}, {}, False


def recall(text: str) -> list[Ref] | None:
    """The references an earlier run recorded for ``text`` (None: not known)."""
    key = _key(text)
    with _lock:
        found = _known.get(key)
        if found is not None:
            _used[key] = found
        return found


def remember(text: str, refs: tuple[object, ...]) -> None:
    """Record what a conversion of ``text`` found (its _Reference objects)."""
    global _added
    entry = [(r.original, r.is_image, r.alt) for r in refs]  # type: ignore[attr-defined]
    key = _key(text)
    with _lock:
        if _known.get(key) != entry:
            _known[key] = entry
            _added = True
        _used[key] = entry


def save() -> None:
    """Write the outlines this run used, when it converted something new; the texts no
    longer used (edited, deleted articles) are dropped then."""
    global _added
    with _lock:
        if _file is None or not _added:
            return
        body = json.dumps({"salt": _SALT, "outlines": _used}, ensure_ascii=False)
        _added = False
    try:
        _file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=_file.parent, prefix=".outlines-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(body)
        os.replace(temporary, _file)
        _prune(_file.parent)
    except OSError:
        pass


KEPT_DAYS = 30


def _prune(folder: Path) -> None:
    """Delete the outline files of projects not run for KEPT_DAYS (temporary folders, clones
    long gone): the cache holds one file per project folder ever run."""
    cutoff = time.time() - KEPT_DAYS * 86400
    for old in folder.glob("outlines-*.json"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
