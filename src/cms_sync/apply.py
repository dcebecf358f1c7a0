"""Carry out planned writes: batches of 25, the site's answers checked, one outcome each.

With ``jobs`` > 1, up to that many batches are in flight at once (one thread and one
connection each); the answers are put back in order, and nothing returns (or raises) while
a batch is still in flight, so a run that looks at the site after a lost answer sees every
write that was sent.

A write's body ends with the identity marker, whose stored hash is what WordPress keeps
of the fields sent. When WordPress stores something else (kses filtering for an
Author), the marker is corrected in a second write, so the next run sees no edit. So is an
identity sent as post meta that WordPress did not keep (a companion plugin that does not
register it for the type): the second write puts it in the content, as without the plugin,
so no item is left that a later run cannot recognise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from cms_sync import marker
from cms_sync.item_types import IDENTITY_META, PAGE, ItemType, Json, marker_of, stored_state
from cms_sync.outcome import Outcome, dropped_markup
from cms_sync.plan import Action
from cms_sync.site import Site
from cms_sync.snapshot import Snapshot
from cms_sync.wordpress import BATCH_SIZE

Progress = Callable[[str, int, int], None]
UNMODIFIED_SINCE = "X-CMS-Sync-If-Unmodified-Since"  # the companion plugin checks it
PRECONDITION_FAILED = "cms_sync_precondition_failed"


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
    if item_type.identity_in_meta(snapshot.companion):  # nothing of it in the public HTML
        body.setdefault("meta", {})[IDENTITY_META] = stamp.payload()
    else:
        body["content"] = marker.join(str(body["content"]), stamp)
    return body


def write(
    site: Site,
    item_type: ItemType,
    planned: list[tuple[Action, Outcome]],
    snapshot: Snapshot,
    progress: Progress,
    jobs: int = 1,
) -> tuple[list[Outcome], Snapshot]:
    """Send the planned creates and updates (each with its report line) in batches, up to
    ``jobs`` at once. Returns the report lines as written and the snapshot with what
    WordPress stored."""
    bodies = [body_with_marker(item_type, action, snapshot) for action, _ in planned]
    # Answered with the fields a read takes only: WordPress then renders no post's content
    # for the answer (the_content filters), and a thousand answers stay small.
    answer_fields = "?_fields=" + quote(site.rest_fields(item_type, snapshot), safe=",")
    requests = [
        _request(item_type, action, body, snapshot, answer_fields)
        for (action, _), body in zip(planned, bodies, strict=True)
    ]
    label = f"{item_type.name}s"
    answers: list[dict[str, Any]] = [{} for _ in requests]
    done = 0
    for wave in waves([action for action, _ in planned], jobs):

        def answered(count: int, before: int = done) -> None:
            progress(label, before + count, len(requests))

        sent = send(site, [requests[n] for n in wave], answered, jobs)
        for n, answer in zip(wave, sent, strict=True):
            answers[n] = answer
        done += len(wave)
    outcomes, stored = [], []
    for (_, outcome), body, answer in zip(planned, bodies, answers, strict=True):
        result, item = _written(site, item_type, outcome, body, answer)
        outcomes.append(result)
        if item is not None:
            stored.append(item)
    before = snapshot.items.get(item_type.name, {})
    after = snapshot.with_items(item_type.name, stored)
    return outcomes, after.with_items(item_type.name, moved_with_parents(before, after))


def moved_with_parents(before: Mapping[int, Json], snapshot: Snapshot) -> list[dict[str, Any]]:
    """The pages not written whose URL moved with a page written above them (WordPress
    makes a page's URL of its ancestors' slugs): their link and permalink template as
    they are now, so that the rest of the run links them where they are."""
    items = snapshot.items.get(PAGE.name, {})
    moved = {
        n: (str(before[n].get("link") or ""), str(item.get("link") or ""))
        for n, item in items.items()
        if n in before and item is not before[n] and item.get("link") != before[n].get("link")
    }
    found = []
    for n, item in items.items():
        if n in moved or item is not before.get(n):
            continue
        up, seen = int(item.get("parent") or 0), {n}
        while up and up not in moved and up in items and up not in seen:
            seen.add(up)
            up = int(items[up].get("parent") or 0)
        old, new = moved.get(up, ("", ""))
        changed = {
            name: new + str(item[name])[len(old) :]
            for name in ("link", "permalink_template")
            if old and new and str(item.get(name) or "").startswith(old)
        }
        if changed:
            found.append({**item, **changed})
    return found


def waves(actions: list[Action], jobs: int) -> list[list[int]]:
    """The order writes go in, as lists of indexes into ``actions``: one list when batches go
    one at a time (a batch runs its writes in order, and pages come parents first); with
    ``jobs`` > 1, a page whose parent page is written too goes in a later list than its
    parent, so parallel batches never move a page under a parent not yet where it goes
    (its answer would carry a permalink of the old place, and so would the posts linking it)."""
    every = list(range(len(actions)))
    if jobs <= 1 or len(actions) <= BATCH_SIZE:
        return [every]
    index = {a.remote.id: n for n, a in enumerate(actions) if a.remote is not None}
    levels: dict[int, int] = {}
    for n in every:
        chain: list[int] = []  # n, its parent, the parent's parent... while not yet known
        up: int | None = n
        while up is not None and up not in levels and up not in chain:
            chain.append(up)
            desired = actions[up].desired
            parent = desired.fields.get("parent") if desired else None  # a page's: its ID
            up = index.get(parent) if isinstance(parent, int) and parent else None
        base = levels.get(up, -1) if up is not None else -1  # (a cycle: check refuses it)
        for above, m in enumerate(reversed(chain), 1):
            levels[m] = base + above
    found: dict[int, list[int]] = {}
    for n in every:
        found.setdefault(levels[n], []).append(n)
    return [found[depth] for depth in sorted(found)]


def send(
    site: Site, requests: list[dict[str, Any]], answered: Callable[[int], None], jobs: int
) -> list[dict[str, Any]]:
    """The answers to ``requests``, in order, sent in batches of BATCH_SIZE, up to ``jobs``
    batches at once. ``answered(count)`` is told (from this thread) as batches land. When a
    batch fails, the batches not yet sent are not sent, and the ones in flight are waited
    for before the error goes up."""
    chunks = [requests[i : i + BATCH_SIZE] for i in range(0, len(requests), BATCH_SIZE)]
    if jobs <= 1 or len(chunks) <= 1:
        return site.batch(requests, answered)
    answers: list[list[dict[str, Any]]] = [[] for _ in chunks]
    done = 0
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="cms-sync-batch") as pool:
        futures = {pool.submit(site.batch, chunk): n for n, chunk in enumerate(chunks)}
        try:
            for future in as_completed(futures):
                answers[futures[future]] = future.result()
                done += len(chunks[futures[future]])
                answered(done)
        except BaseException:
            for future in futures:
                future.cancel()  # leaving the with waits for the batches in flight
            raise
    return [answer for chunk in answers for answer in chunk]


def _request(
    item_type: ItemType, action: Action, body: dict[str, Any], snapshot: Snapshot, query: str
) -> dict[str, Any]:
    """One write of a batch. With the companion plugin an update carries the modification
    time this run read: the plugin refuses it (412) if an editor saved since."""
    if action.remote is None:
        return {"method": "POST", "path": item_type.route + query, "body": body}
    path = f"{item_type.route}/{action.remote.id}{query}"
    request: dict[str, Any] = {"method": "PUT", "path": path, "body": body}
    read = snapshot.items[item_type.name].get(action.remote.id, {}).get("modified_gmt")
    if item_type.identity_in_meta(snapshot.companion) and read:
        request["headers"] = {UNMODIFIED_SINCE: str(read)}
    return request


def _written(
    site: Site, item_type: ItemType, planned: Outcome, body: dict[str, Any], answer: dict[str, Any]
) -> tuple[Outcome, dict[str, Any] | None]:
    """The report line of one write, and the item as WordPress stored it (None if refused)."""
    data = answer.get("body") or {}
    if answer.get("status") == 412 and data.get("code") == PRECONDITION_FAILED:
        note = "was edited in WordPress while this publish ran (the companion plugin kept it)"
        return replace(planned, kind="conflict", note=note), None
    if answer.get("status") not in (200, 201) or "id" not in data:
        error = f"HTTP {answer.get('status')} {data.get('code', '')}: " + str(
            data.get("message", "WordPress refused the write")
        )
        return replace(planned, kind="error", error=error), None
    keys = item_type.sent_fields(body)
    sent, stored = stored_state(body, keys), stored_state(data, keys)
    warnings = []
    kept = marker_of(data) is not None  # the identity meta may have been dropped
    if sent != stored or not kept:
        data = _fix_marker(site, item_type, data, body, keys, in_meta=kept and "meta" in body)
    if sent != stored:
        dropped = dropped_markup(str(sent["content"]), str(stored["content"]))
        changed = [k for k in sent if sent[k] != stored[k]]
        warnings.append("WordPress changed " + ", ".join(changed))
        if dropped:
            warnings[-1] += " (removed " + ", ".join(dropped) + ": the user lacks unfiltered_html)"
    if not kept:
        warnings.append(
            f"WordPress did not keep the identity meta of this {item_type.name}, so it is in "
            "the content; update the companion plugin"
        )
    url = item_type.url(site.url, data["id"], data.get("link", ""))
    warning = "; ".join(warnings)
    return replace(planned, id=data["id"], url=url, warning=warning), data


def _fix_marker(
    site: Site,
    item_type: ItemType,
    data: dict[str, Any],
    body: dict[str, Any],
    keys: tuple[str, ...],
    in_meta: bool,
) -> dict[str, Any]:
    """Record in the marker what WordPress really stored, so the next run is a no-op: in
    the post meta when WordPress kept the meta sent (``in_meta``), else in the content."""
    sent = marker_of(body)  # what the write sent: body_with_marker always puts one
    if sent is None:
        raise ValueError(f"no identity in the write of {item_type.name} {data['id']}")
    actual = marker.state_hash(stored_state(data, keys))
    stamp = marker.Marker(sent.key, sent.path, sent.source, actual, sent.fields)
    route = f"{item_type.route}/{data['id']}"
    if in_meta:
        return site.update(route, {"meta": {IDENTITY_META: stamp.payload()}})
    content = marker.split(data["content"]["raw"])[0]
    return site.update(route, {"content": marker.join(content, stamp)})


def trash(
    site: Site, item_type: ItemType, doomed: list[Outcome], snapshot: Snapshot
) -> tuple[list[Outcome], Snapshot]:
    """Move orphans and copies to the trash (never a permanent delete). Returns their report
    lines after it and the snapshot without them, so the rest of the run (a later pass, the
    notice pattern a post refers to) neither plans them again nor takes them for the item
    kept."""
    answers = site.batch(
        [{"method": "DELETE", "path": f"{item_type.route}/{o.id}"} for o in doomed]
    )
    results, gone = [], set()
    for outcome, answer in zip(doomed, answers, strict=True):
        body = answer.get("body") or {}
        # 410 already trashed: a retried DELETE whose first answer was lost.
        if answer.get("status") == 200 or body.get("code") == "rest_already_trashed":
            results.append(replace(outcome, kind="trash"))
            gone.add(outcome.id)
        else:
            results.append(
                replace(outcome, kind="error", error=str(body.get("message", "not trashed")))
            )
    items = snapshot.items.get(item_type.name, {})
    left = {item_id: item for item_id, item in items.items() if item_id not in gone}
    return results, dataclasses.replace(snapshot, items={**snapshot.items, item_type.name: left})
