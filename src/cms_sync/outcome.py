"""What a publish or plan run did or would do: outcomes, the report, and field diffs.

Plain data and pure functions, shared by sync (which fills the report) and report (which
prints it).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from cms_sync.errors import ExitCode
from cms_sync.item_types import ItemType
from cms_sync.plan import Action
from cms_sync.slug_change import slug_change
from cms_sync.snapshot import Snapshot


@dataclass
class Outcome:
    """One line of the report."""

    kind: str  # create, update, unchanged, conflict, orphan, copy, trash, error
    item: str  # post or pattern
    key: str
    id: int = 0  # the WordPress ID, when the item exists there
    path: str = ""
    url: str = ""
    changes: tuple[str, ...] = ()
    diff: str = ""
    warning: str = ""
    error: str = ""
    affects: tuple[str, ...] = ()  # for a notice pattern: the posts that show it
    note: str = ""  # for a conflict: what the site did; for a copy: whose copy it is
    copy_of: str = ""  # for a copy (or an edited copy's conflict): the URL of the item kept
    old_url: str = ""  # for an update that moves a published item's URL (slug, parent): before
    new_url: str = ""  # ... and after (predicted in a plan, as WordPress gave it after publish)
    redirect: str = ""  # what becomes of the old URL (after publish: checked on the site)

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", ())}


@dataclass
class Report:
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(o.kind == "error" for o in self.outcomes):
            return ExitCode.ERROR
        if any(o.kind == "conflict" for o in self.outcomes):
            return ExitCode.CONFLICT
        return ExitCode.OK

    def as_dict(self) -> dict[str, object]:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
        return {
            "dry_run": self.dry_run,
            "requests": self.requests,
            "counts": counts,
            "warnings": self.warnings,
            "items": [o.as_dict() for o in self.outcomes],
        }


def outcome_of(
    item_type: ItemType, action: Action, snapshot: Snapshot, affects: tuple[str, ...] = ()
) -> Outcome:
    """The report line of a planned action (before anything is written)."""
    remote, desired, other = action.remote, action.desired, action.holder
    if other is not None and desired is not None:  # another user's item
        result = Outcome(
            "unchanged", item_type.name, action.key, other.id, desired.path, other.link
        )
        if action.kind == "held":
            result.kind = "error"
            result.error = (
                f"{item_type.name} {other.id} belongs to another WordPress user and "
                f"'{snapshot.user.name}' may not edit it (missing edit_others_posts); "
                "publish as an Editor"
            )
        return result
    result = Outcome(
        action.kind,
        item_type.name,
        action.key,
        remote.id if remote else 0,
        path=desired.path if desired else (remote.marker.path if remote and remote.marker else ""),
        url=item_type.url(snapshot.site_url, remote.id, remote.link) if remote else "",
        changes=action.changes,
    )
    if action.kind in ("update", "conflict") and remote is not None:
        result.diff = field_diff(action)
    moved = slug_change(item_type, action, snapshot)
    if moved is not None:
        result.old_url, result.new_url, result.redirect = moved.old, moved.new, moved.redirect
    if action.kind == "conflict" and remote is not None:
        result.note = (
            f"{item_type.name} {remote.id} holds this slug but was not published by cms-sync "
            "(it has no identity marker)"
            if action.unmanaged
            else "was edited in WordPress after the last publish"
        )
    if action.original is not None:
        kept = action.original
        result.copy_of = item_type.url(snapshot.site_url, kept.id, kept.link)
        result.note = copy_note(result.path)
        if action.kind == "conflict":
            result.note = (
                f"is a second {item_type.name} of {result.path}, made by an interrupted or "
                f"concurrent run ({item_type.name} {kept.id} is kept), and was edited in "
                "WordPress since"
            )
    if action.kind in ("create", "update", "conflict"):
        result.affects = affects
    return result


def copy_note(path: str) -> str:
    return f"a copy of {path} made by an interrupted or concurrent run"


def content_diff(old: str, new: str, name: str) -> str:
    """A unified diff of a field, line by line (tags split onto lines for HTML)."""

    def lines(text: str) -> list[str]:
        return re.sub(r">\s*<", ">\n<", text).splitlines()

    return "\n".join(
        difflib.unified_diff(
            lines(old), lines(new), f"site/{name}", f"local/{name}", lineterm="", n=1
        )
    )


def word_diff(old: str, new: str, context: int = 1) -> str:
    """The changed lines of ``new`` with words marked as git --word-diff does:
    ``[-removed-]`` and ``{+added+}``, with ``context`` unchanged lines around them."""
    before, after = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    spans: list[tuple[bool, int, int, int, int]] = []  # (same?, old from, to, new from, to)
    for tag, i, j, k, m in difflib.SequenceMatcher(None, before, after, False).get_opcodes():
        spans.append((tag == "equal", i, j, k, m))
    merged: list[tuple[bool, int, int, int, int]] = []
    for span in spans:
        # Two changes with only a space between them read as one change.
        if (
            len(merged) >= 2
            and not span[0]
            and not merged[-2][0]
            and merged[-1][0]
            and not "".join(before[merged[-1][1] : merged[-1][2]]).strip()
        ):
            merged.pop()
            first = merged.pop()
            span = (False, first[1], span[2], first[3], span[4])
        merged.append(span)
    marked = []
    for same, i, j, k, m in merged:
        gone, came = "".join(before[i:j]), "".join(after[k:m])
        if same:
            marked.append(came)
        else:
            marked.append(
                (f"[-{gone}-]" if gone.strip() else "") + (f"{{+{came}+}}" if came.strip() else "")
            )
    lines = "".join(marked).splitlines()
    changed = [n for n, line in enumerate(lines) if "[-" in line or "{+" in line]
    shown = sorted({n for c in changed for n in range(c - context, c + context + 1)})
    out: list[str] = []
    previous = -2
    for n in (n for n in shown if 0 <= n < len(lines)):
        if out and n != previous + 1:
            out.append("...")
        out.append(lines[n])
        previous = n
    return "\n".join(out)


def markdown_diff(old_html: str, new_html: str) -> str:
    """A word diff of two post bodies as markdown (site vs file): what a person edited,
    not how the block editor or the templates wrote it."""
    from cms_sync.desired import article_body
    from cms_sync.html_markdown import to_markdown

    site = to_markdown(article_body(old_html)).text
    local = to_markdown(article_body(new_html)).text
    return "--- site (markdown)\n+++ file (markdown)\n" + word_diff(site, local)


def field_diff(action: Action) -> str:
    assert action.desired is not None and action.remote is not None
    parts = []
    for name in action.changes:
        if name not in action.desired.fields:  # the marker alone (plan.IDENTITY)
            parts.append(f"{name}: written once to carry cms-sync's marker (no field differs)")
            continue
        old, new = action.remote.fields.get(name, ""), action.desired.fields[name]
        if name == "content" and action.kind == "conflict":
            parts.append(markdown_diff(str(old), str(new)))
        elif isinstance(old, str) and isinstance(new, str) and (name == "content" or "\n" in new):
            parts.append(content_diff(old, new, name))
        else:
            if isinstance(old, dict) and isinstance(new, dict):  # meta, seo, taxonomies: only
                old = {key: old.get(key) for key in new}  # the keys the file sets (compared)
            parts.append(f"{name}: {old!r} -> {new!r}")
    return "\n".join(parts)


_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)|\s(style|on[a-z]+)\s*=")


def dropped_markup(sent: str, stored: str) -> list[str]:
    """Elements and attributes present in what was sent but not in what was stored."""

    def found(text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for found_tag in _TAG.finditer(text):
            tag, attribute = found_tag.groups()
            name = f"<{tag.lower()}>" if tag else f"{attribute}="
            counts[name] = counts.get(name, 0) + 1
        return counts

    before, after = found(sent), found(stored)
    return sorted(name for name, count in before.items() if after.get(name, 0) < count)
