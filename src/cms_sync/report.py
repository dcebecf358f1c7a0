"""Print a publish or plan report: a table for people, JSON for programs."""

from __future__ import annotations

import json

from cms_sync.sync import Report

_VERBS = {
    "create": "created", "update": "updated", "unchanged": "unchanged", "conflict": "conflict(s)",
    "orphan": "orphan(s)", "trash": "trashed", "error": "error(s)",
}  # fmt: skip
_PLANNED = {"create": "to create", "update": "to update", "trash": "to trash"}


def as_text(report: Report) -> str:
    """A table, one line per item, then the diffs of conflicts and a summary line."""
    rows = [("ACTION", "ITEM", "KEY", "DETAILS")]
    for o in report.outcomes:
        details = o.error or (", ".join(o.changes) if o.kind in ("update", "conflict") else o.url)
        if o.warning:
            details += f" [warning: {o.warning}]"
        rows.append((o.kind, o.item, o.key, details))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
        for row in rows
    ]
    for o in report.outcomes:
        if o.kind == "conflict":
            lines += [
                "",
                f"conflict: {o.item} {o.key} (id {o.id}) was edited in WordPress "
                "after the last publish; left alone (use --force to overwrite):",
                o.diff,
            ]
    lines += ["", summary(report)]
    return "\n".join(line.rstrip() for line in lines)


def summary(report: Report) -> str:
    counts: dict[str, int] = {}
    for o in report.outcomes:
        counts[o.kind] = counts.get(o.kind, 0) + 1
    words = _PLANNED if report.dry_run else {}
    parts = [f"{n} {words.get(kind, _VERBS.get(kind, kind))}" for kind, n in counts.items()]
    prefix = "plan: " if report.dry_run else ""
    return f"{prefix}{', '.join(parts) or 'nothing to do'}; {report.requests} HTTP request(s)"


def as_json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
