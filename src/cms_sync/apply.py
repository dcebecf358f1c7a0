"""Carry out planned writes: batches of 25, the site's answers checked, one outcome each.

A write's body ends with the identity marker, whose stored hash is what WordPress keeps
of the fields sent. When WordPress stores something else (kses filtering for an
Author), the marker is corrected in a second write, so the next run sees no edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cms_sync import marker
from cms_sync.item_types import ItemType, stored_state
from cms_sync.outcome import Outcome, dropped_markup
from cms_sync.plan import Action
from cms_sync.site import Site
from cms_sync.snapshot import Snapshot

Progress = Callable[[str, int, int], None]
BATCH_SIZE = 25  # WordPress's limit of sub-requests in one /batch/v1 call


def body_with_marker(item_type: ItemType, action: Action, snapshot: Snapshot) -> dict[str, Any]:
    """The body of a create or update, its content ending with the marker."""
    desired = action.desired
    assert desired is not None
    body = item_type.body(desired, snapshot)
    keys = item_type.sent_fields(body)
    stamp = marker.Marker(
        desired.key,
        desired.path,
        desired.source_hash,
        marker.state_hash(stored_state(body, keys)),
        ",".join(keys),
    )
    body["content"] = marker.join(str(body["content"]), stamp)
    return body


def write(
    site: Site,
    item_type: ItemType,
    actions: list[Action],
    snapshot: Snapshot,
    results: list[Outcome],
    progress: Progress,
) -> tuple[list[Outcome], Snapshot]:
    """Send the creates and updates of ``actions`` in batches; ``results`` holds their
    planned outcomes. Returns the outcomes as written and the snapshot with the writes."""
    bodies = [body_with_marker(item_type, a, snapshot) for a in actions]
    requests = [
        {
            "method": "PUT" if a.remote else "POST",
            "path": f"{item_type.route}/{a.remote.id}" if a.remote else item_type.route,
            "body": body,
        }
        for a, body in zip(actions, bodies, strict=True)
    ]
    answers: list[dict[str, Any]] = []
    for start in range(0, len(requests), BATCH_SIZE):
        answers += site.batch(requests[start : start + BATCH_SIZE])
        progress(f"{item_type.name}s", len(answers), len(requests))
    outcomes, stored = [], []
    for result, body, answer in zip(results, bodies, answers, strict=True):
        outcome, item = _written(site, item_type, result, body, answer)
        outcomes.append(outcome)
        if item is not None:
            stored.append(item)
    return outcomes, snapshot.with_items(item_type.name, stored)


def _written(
    site: Site, item_type: ItemType, result: Outcome, body: dict[str, Any], answer: dict[str, Any]
) -> tuple[Outcome, dict[str, Any] | None]:
    """The outcome of one write, and the item as WordPress stored it (None if refused)."""
    data = answer.get("body") or {}
    if answer.get("status") not in (200, 201) or "id" not in data:
        result.kind = "error"
        result.error = f"HTTP {answer.get('status')} {data.get('code', '')}: " + str(
            data.get("message", "WordPress refused the write")
        )
        return result, None
    keys = item_type.sent_fields(body)
    sent, stored = stored_state(body, keys), stored_state(data, keys)
    if sent != stored:
        data = _fix_marker(site, item_type, data, keys)
        dropped = dropped_markup(str(sent["content"]), str(stored["content"]))
        changed = [k for k in sent if sent[k] != stored[k]]
        result.warning = (
            "WordPress changed "
            + ", ".join(changed)
            + (
                " (removed " + ", ".join(dropped) + ": the user lacks unfiltered_html)"
                if dropped
                else ""
            )
        )
    result.id = data["id"]
    result.url = item_type.url(site.url, data["id"], data.get("link", ""))
    return result, data


def _fix_marker(
    site: Site, item_type: ItemType, data: dict[str, Any], keys: tuple[str, ...]
) -> dict[str, Any]:
    """Record in the marker what WordPress really stored, so the next run is a no-op."""
    content, old = marker.split(data["content"]["raw"])
    assert old is not None
    actual = marker.state_hash(stored_state(data, keys))
    stamp = marker.Marker(old.key, old.path, old.source, actual, old.fields)
    return site.update(f"{item_type.route}/{data['id']}", {"content": marker.join(content, stamp)})


def trash(site: Site, item_type: ItemType, orphans: list[Outcome]) -> None:
    """Move orphans to the trash (never a permanent delete); their outcomes say how it went."""
    answers = site.batch(
        [{"method": "DELETE", "path": f"{item_type.route}/{o.id}"} for o in orphans]
    )
    for outcome, answer in zip(orphans, answers, strict=True):
        body = answer.get("body") or {}
        # 410 already trashed: a retried DELETE whose first answer was lost.
        if answer.get("status") == 200 or body.get("code") == "rest_already_trashed":
            outcome.kind = "trash"
        else:
            outcome.kind = "error"
            outcome.error = str(body.get("message", "not trashed"))
