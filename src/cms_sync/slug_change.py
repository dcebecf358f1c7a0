"""A changed slug: the old and the new URL in the plan, and the old URL checked after publish.

WordPress keeps old links working by itself: when a *published* post of a non-hierarchical
type (a post, not a page) gets a new slug, ``wp_check_for_changed_slugs`` stores the old one
in the ``_wp_old_slug`` meta, and ``wp_old_slug_redirect`` answers the old permalink (a 404
otherwise) with a 301 to the new one. So cms-sync sends nothing extra: it says in the plan
which URL changes, and after publish asks the old URL (one GET, redirects not followed)
whether it leads readers to the new one, and says so, or warns when it does not (the post is
no longer published, a page, a plugin that took over 404s...).

With plain permalinks (``?p=ID``) the URL holds no slug and nothing changes; a draft's link
is ``?p=ID`` too, and nobody outside has it: neither is reported as a URL change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import unquote

from cms_sync.series import permalink_of
from cms_sync.wordpress import WordPressError

if TYPE_CHECKING:
    from cms_sync.item_types import ItemType
    from cms_sync.outcome import Outcome
    from cms_sync.plan import Action
    from cms_sync.site import Site
    from cms_sync.snapshot import Snapshot

REDIRECTS = "old URL redirects to new"
BROKEN = "old URL does not redirect to new (see the warning)"
PLAIN = "URL unchanged: the site uses plain permalinks (?p=ID), old links keep working"


@dataclass(frozen=True)
class SlugChange:
    """The live URL a slug change moves, and where it moves to (``new`` is "" when the
    site's permalinks do not say it before the write)."""

    old: str
    new: str


def slug_change(item_type: ItemType, action: Action, snapshot: Snapshot) -> SlugChange | None:
    """The URL change of an update that gives a published post a new slug; None when the
    action changes no slug, or no URL readers may hold (a draft, a pattern)."""
    remote, desired = action.remote, action.desired
    if action.kind != "update" or "slug" not in action.changes or not item_type.public:
        return None
    assert remote is not None and desired is not None
    item = snapshot.items.get(item_type.name, {}).get(remote.id, {})
    if item.get("status") != "publish":
        return None  # a draft's link is ?p=ID, a scheduled post's is not public yet
    template = str(item.get("permalink_template") or "")
    new = permalink_of(template, str(desired.fields["slug"])) or remote.link
    return SlugChange(remote.link, new)


def check_redirects(site: Site, outcomes: list[Outcome]) -> list[Outcome]:
    """After publish: each outcome whose slug change was written, with ``redirect`` saying
    that its old URL leads to the new one, or a ``warning`` that it does not."""
    checked = []
    for outcome in outcomes:
        if outcome.old_url and outcome.kind == "update":
            outcome = _checked(site, outcome)
        checked.append(outcome)
    return checked


def _checked(site: Site, outcome: Outcome) -> Outcome:
    old, new = outcome.old_url, outcome.url
    if _same(old, new):
        return replace(outcome, new_url=new, redirect=PLAIN)
    try:
        status, location = site.redirect_of(old)
    except WordPressError as exc:
        status, location = exc.status or 0, ""
    if status in (301, 308) and _same(location, new):
        return replace(outcome, new_url=new, redirect=REDIRECTS)
    answer = f"HTTP {status}" + (f" to {location}" if location else "") if status else "nothing"
    why = (
        "WordPress redirects the old slug of a published post only (not of a page, nor of "
        "a post that is no longer published)"
        if status == 404
        else "a plugin or the server answers it"
    )
    warning = (
        f"old URL {old} answers {answer}, not a redirect to {new} ({why}): links to it are "
        "broken; add a redirect on the site, or keep the old slug"
    )
    joined = f"{outcome.warning}; {warning}" if outcome.warning else warning
    return replace(outcome, new_url=new, redirect=BROKEN, warning=joined)


def _same(one: str, other: str) -> bool:
    """Two URLs of one page: percent-encoding and the trailing slash aside."""
    return unquote(one).rstrip("/").lower() == unquote(other).rstrip("/").lower()
