"""Print a publish or plan report: a table for people, JSON for programs, markdown for reviews."""

from __future__ import annotations

import json

from cms_sync.outcome import Outcome, Report

_VERBS = {
    "create": "created", "update": "updated", "unchanged": "unchanged", "conflict": "conflict(s)",
    "orphan": "orphan(s)", "copy": "copy(ies)", "trash": "trashed", "error": "error(s)",
}  # fmt: skip
_PLANNED = {
    "create": "to create", "update": "to update", "trash": "to trash",
    "copy": "copy(ies) to trash",
}  # fmt: skip
FOLD_LINES = 15  # longer diffs are folded in the markdown plan


def as_text(report: Report, diffs: bool = False) -> str:
    """A table, one line per item, then the diffs of conflicts (with ``diffs``, of every
    update too) and a summary line."""
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
        if diffs and o.kind == "update" and o.diff:
            lines += ["", f"update: {o.item} {o.key} (id {o.id}):", o.diff]
        if o.kind == "conflict":
            lines += ["", f"conflict: {o.item} {o.key} (id {o.id}) {o.note}; left alone:"]
            lines += [o.diff, *ways_out(o)]
        if o.kind == "copy":
            lines += [
                "",
                f"{o.note}: {o.url}",
                f"  publish moves it to the trash; {o.copy_of} stays",
            ]
        if o.kind == "trash" and o.copy_of:
            lines += ["", f"trashed {o.note}: {o.url}"]
        if o.old_url:
            lines += ["", f"slug change: {o.key}: {o.old_url} -> {o.new_url}", "  " + moved(o)]
    lines += [""] + [f"warning: {w}" for w in report.warnings] + [summary(report)]
    return "\n".join(line.rstrip() for line in lines)


def moved(o: Outcome) -> str:
    """What happens to the old URL of a slug change (see slug_change.py)."""
    if o.redirect:
        return o.redirect
    return "WordPress redirects the old URL to the new one (checked after publish)"


def ways_out(o: Outcome) -> list[str]:
    """The commands that settle a conflict, one per line."""
    path = o.path or "PATH"
    if o.copy_of:
        return [
            "  ways out (cms-sync never trashes a copy edited on the site):",
            f"    in wp-admin, move {o.url} to the trash if its edits are not wanted",
            f"    or take its edits into {path}, publish, then move it to the trash",
            f"    (cms-sync keeps {o.copy_of}; `cms-sync pull {path}` pulls that one)",
        ]
    if "cannot turn" in o.note:  # a changed type (publish._Run.outcome): no overwrite
        return ["  way out:", f"    in wp-admin, move {o.url} to the trash, then publish again"]
    overwrite = "--adopt" if "identity marker" in o.note else "--force"
    return [
        "  ways out:",
        f"    cms-sync pull {path}    take the site's version into the file",
        f"    cms-sync publish {overwrite} {path}    replace the site's version with the file",
        "    or edit the file to settle the difference, then publish again",
    ]


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


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _link(o: Outcome) -> str:
    return f"[{_cell(o.key)}]({o.url})" if o.url else f"`{_cell(o.key)}`"


def _details(o: Outcome) -> str:
    if o.kind == "orphan":
        return f"source `{o.path}` is gone; `publish --prune` moves it to the trash"
    if o.kind == "copy":
        return f"{_cell(o.note)}; `publish` moves it to the trash and keeps {o.copy_of}"
    if o.kind == "trash" and o.copy_of:
        return f"{_cell(o.note)}; moved to the trash, {o.copy_of} kept"
    if o.kind == "conflict" and o.copy_of:
        return (f"{_cell(o.note)}: left alone; move it to the trash in wp-admin, or take its "
                f"edits into `{o.path}` first")  # fmt: skip
    parts = [", ".join(o.changes)] if o.kind in ("update", "conflict") else []
    if o.affects:
        parts.append("shown in " + ", ".join(f"`{_cell(key)}`" for key in o.affects))
    if o.kind == "conflict" and "cannot turn" in o.note:
        parts.append(f"{_cell(o.note)}: left alone")
    elif o.kind == "conflict":
        parts.append(f"{_cell(o.note)}: left alone; `cms-sync pull {o.path}` takes the site's "
                     f"version, `publish --force {o.path}` the file's")  # fmt: skip
    if o.old_url:
        parts.append(f"slug change: {o.old_url} → {o.new_url}: {_cell(moved(o))}")
    if o.error:
        parts.append(_cell(o.error))
    return "; ".join(parts)


def as_markdown(report: Report, site: str = "") -> str:
    """The plan for a pull request: a table of what changes, then a diff per item;
    ``site`` (a site profile's name and URL) is named under the title."""
    title = "cms-sync plan" if report.dry_run else "cms-sync publish"
    shown = [o for o in report.outcomes if o.kind != "unchanged"]
    lines = [f"### {title}", "", *([f"Site: {site}", ""] if site else []), summary(report), ""]
    if not shown:
        return "\n".join([*lines, "The site already matches the articles."]) + "\n"
    lines += ["| action | item | post | details |", "|---|---|---|---|"]
    lines += [f"| **{o.kind}** | {o.item} | {_link(o)} | {_details(o)} |" for o in shown]
    for o in shown:
        if not o.diff:
            continue
        diff = ["```diff", o.diff, "```"]
        count = o.diff.count("\n") + 1
        lines += ["", f"#### {o.kind}: {o.key}", ""]
        if count > FOLD_LINES:
            diff = [f"<details><summary>diff ({count} lines)</summary>", "", *diff, "",
                    "</details>"]  # fmt: skip
        lines += diff
    return "\n".join(lines) + "\n"
