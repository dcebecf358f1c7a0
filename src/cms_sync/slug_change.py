"""A changed slug: the old and the new URL in the plan, and the old URL checked after publish.

WordPress keeps old links working by itself: when a *published* post of a non-hierarchical
type (a post, not a page) gets a new slug, ``wp_check_for_changed_slugs`` stores the old one
in the ``_wp_old_slug`` meta, and ``wp_old_slug_redirect`` answers the old permalink (a 404
otherwise) with a 301 to the new one. So cms-sync sends nothing extra: it says in the plan
which URL changes, and after publish asks the old URL (one GET, redirects not followed)
whether it leads readers to the new one, and says so, or warns when it does not (the post is
no longer published, a page, a plugin that took over 404s...).

Pages are hierarchical: a page's URL is its parent's path and its slug (/about/team/), and
its ``permalink_template`` holds the parent's path before ``%pagename%``. So a page's URL
changes with a new slug or a new parent, and WordPress keeps no old slug for pages: the old
URL answers 404. The plan says so instead of promising a redirect, and publish checks it.

With plain permalinks (``?p=ID``) the URL holds no slug and nothing changes; a draft's link
is ``?p=ID`` too, and nobody outside has it: neither is reported as a URL change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from cms_sync.series import permalink_of
from cms_sync.wordpress import WordPressError

if TYPE_CHECKING:
    from cms_sync.item_types import ItemType
    from cms_sync.items import Desired, Remote
    from cms_sync.outcome import Outcome
    from cms_sync.plan import Action
    from cms_sync.site import Site
    from cms_sync.snapshot import Snapshot

REDIRECTS = "old URL redirects to new"
BROKEN = "old URL does not redirect to new (see the warning)"
PLAIN = "URL unchanged: the site uses plain permalinks (?p=ID), old links keep working"
PAGE = (
    "WordPress keeps no old URL of a page: links to it will break (404) unless the site "
    "redirects them (checked after publish)"
)
PAGENAME = "%pagename%"  # a hierarchical type's permalink_template, after the parent's path


@dataclass(frozen=True)
class SlugChange:
    """The live URL a slug change moves, and where it moves to (``new`` is "" when the
    site's permalinks do not say it before the write)."""

    old: str
    new: str
    redirect: str = ""  # what the plan can say of the old URL already ("": checked after)


def slug_change(item_type: ItemType, action: Action, snapshot: Snapshot) -> SlugChange | None:
    """The URL change of an update that gives a published post a new slug (a page: a new
    slug or a new parent); None when the action changes neither, or no URL readers may
    hold (a draft, a pattern)."""
    remote, desired = action.remote, action.desired
    moves = {"slug", "parent"}.intersection(action.changes)
    if action.kind != "update" or not moves or not item_type.public:
        return None
    assert remote is not None and desired is not None
    item = snapshot.items.get(item_type.name, {}).get(remote.id, {})
    if item.get("status") != "publish":
        return None  # a draft's link is ?p=ID, a scheduled post's is not public yet
    template = str(item.get("permalink_template") or "")
    if PAGENAME in template:
        return SlugChange(remote.link, _page_url(template, item, desired, remote, snapshot), PAGE)
    new = permalink_of(template, str(desired.fields["slug"])) or remote.link
    return SlugChange(remote.link, new)


def _page_url(
    template: str, item: Mapping[str, Any], desired: Desired, remote: Remote, snapshot: Snapshot
) -> str:
    """A page's URL once written: its new parent's path (the template holds the current
    parent's), then its slug; "" when the new parent is not on the site yet."""
    before, after = template.split(PAGENAME, 1)
    slug = quote(str(desired.fields["slug"]), safe="-_").lower()
    parent = desired.fields.get("parent")
    if parent == remote.fields.get("parent"):
        return f"{before}{slug}{after}"
    if parent is None:
        return ""
    pages = snapshot.items.get("page", {})
    if parent:
        link = str(pages.get(int(str(parent)), {}).get("link") or "")
        return f"{link.rstrip('/')}/{slug}{after}" if link else ""
    # To the top level: the template without the current parent's path is the home URL.
    path = _path_of(pages.get(int(item.get("parent") or 0), {}), pages)
    home = before[: -len(path)] if path and before.endswith(path) else snapshot.site_url + "/"
    return f"{home}{slug}{after}"


def _path_of(page: Mapping[str, Any], pages: Mapping[int, Mapping[str, Any]]) -> str:
    """``about/team/``: the slugs of a page and its ancestors ("" when one is not known)."""
    parts: list[str] = []
    found: Mapping[str, Any] | None = page
    while found:
        if not found.get("slug") or len(parts) > len(pages):  # no slug, or a loop
            return ""
        parts.insert(0, str(found["slug"]))
        up = int(found.get("parent") or 0)
        found = pages.get(up) if up else None
        if up and found is None:
            return ""
    return "".join(f"{part}/" for part in parts)


def moved_since(earlier: Outcome | None, later: Outcome) -> Outcome:
    """An item's outcome from a later pass of the run, keeping the URL change an earlier pass
    found: the old URL is the one before the run (a second write, to fill in links, must not
    hide that the first moved the item). An item this run created had no URL before it: a
    later pass that moves it (a page put under the parent created meanwhile) is no change
    of anyone's link."""
    if earlier is not None and earlier.kind == "create":
        return replace(later, old_url="", new_url="", redirect="")
    if earlier is None or not earlier.old_url:
        return later
    return replace(
        later,
        old_url=earlier.old_url,
        new_url=later.new_url if later.old_url else earlier.new_url,
        redirect=later.redirect or earlier.redirect,
    )


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
