"""`cms-sync status`: where things stand, in a few lines, like `git status`.

Made from a dry-run report (what publish would do) and the articles' own statuses: what
changed here and waits to be published, what editors changed on the site since (the
conflicts waiting), the drafts and scheduled parts, the orphans. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cms_sync.errors import ExitCode
from cms_sync.outcome import Outcome, Report
from cms_sync.project import Project

WAITING = {"draft": "draft", "pending": "pending review", "private": "private"}


@dataclass
class Status:
    """The state of the series against the site."""

    to_publish: list[Outcome] = field(default_factory=list)  # create, update, copy
    edited_on_site: list[Outcome] = field(default_factory=list)  # conflicts
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (path, what it waits for)
    orphans: list[Outcome] = field(default_factory=list)
    errors: list[Outcome] = field(default_factory=list)
    in_sync: int = 0

    @property
    def exit_code(self) -> int:
        """0: the site matches the files; 3: edits on the site wait; 4: changes to publish."""
        if self.errors:
            return ExitCode.ERROR
        if self.edited_on_site:
            return ExitCode.CONFLICT
        return ExitCode.CHANGES if self.to_publish or self.orphans else ExitCode.OK


def status_of(report: Report, project: Project, relative: dict[str, str]) -> Status:
    """``report`` is a dry run; ``relative`` maps an article's slug to its path as shown."""
    found = Status()
    for outcome in report.outcomes:
        if outcome.kind in ("create", "update", "copy"):  # publish trashes a copy
            found.to_publish.append(outcome)
        elif outcome.kind == "conflict":
            found.edited_on_site.append(outcome)
        elif outcome.kind == "orphan":
            found.orphans.append(outcome)
        elif outcome.kind == "error":
            found.errors.append(outcome)
        else:
            found.in_sync += 1
    for article in project.articles:
        path = relative.get(article.slug, str(article.path))
        if article.status in WAITING:
            found.waiting.append((path, WAITING[article.status]))
        elif article.status == "future" and article.date is not None:
            found.waiting.append((path, f"scheduled for {article.date:%Y-%m-%d %H:%M}"))
    return found


def as_text(status: Status) -> str:
    """The status in a few lines, each group with what to do about it."""
    lines: list[str] = []
    paths = [o.path or o.key for o in [*status.to_publish, *status.edited_on_site, *status.errors]]
    width = max([len(p) for p in paths] + [len(p) for p, _ in status.waiting] + [10])

    def group(title: str, hint: str, rows: list[str]) -> None:
        if rows:
            lines.extend([f"{title} ({len(rows)}):{hint}", *(f"  {row}" for row in rows), ""])

    group(
        "Changed here, not yet on the site", "  cms-sync publish",
        [f"{o.path or o.key:<{width}} {_change(o)}" for o in status.to_publish],
    )  # fmt: skip
    group(
        "Changed on the site since the last publish",
        "  cms-sync pull PATH, or publish --force PATH",
        [f"{o.path or o.key:<{width}} {o.item} {o.id}: {', '.join(o.changes)}"
         for o in status.edited_on_site],
    )  # fmt: skip
    group("Waiting", "", [f"{path:<{width}} {what}" for path, what in status.waiting])
    group(
        "On the site, source gone", "  cms-sync publish --prune",
        [f"{o.item} {o.id} ({o.path or o.key})" for o in status.orphans],
    )  # fmt: skip
    group("Errors", "", [f"{o.path or o.key:<{width}} {o.error}" for o in status.errors])
    if not (status.to_publish or status.edited_on_site or status.orphans or status.errors):
        lines.append(f"The site matches the files ({status.in_sync} item(s)).")
    else:
        lines.append(f"{status.in_sync} item(s) match the site.")
    return "\n".join(lines)


def _change(outcome: Outcome) -> str:
    if outcome.kind == "copy":
        return f"{outcome.item} {outcome.id} is a copy to trash: {outcome.url}"
    return "new" if outcome.kind == "create" else "changed: " + ", ".join(outcome.changes)
