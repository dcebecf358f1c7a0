"""Translate between cms-sync items and WordPress JSON: fields, payloads, stored hashes.

Two views of a post:
- *fields*, the comparable view used by the plan: term names, image hashes, decoded slug;
- the *stored state*, what WordPress keeps verbatim (raw texts and IDs), hashed into the
  marker after every publish so that an edit made in wp-admin shows as a changed hash.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from cms_sync import marker
from cms_sync.articles import Article
from cms_sync.plan import Remote

POST_FIELDS = ",".join([
    "id", "link", "slug", "status", "date", "date_gmt", "title", "content", "excerpt",
    "categories", "tags", "featured_media", "comment_status",
])  # fmt: skip
PATTERN_FIELDS = "id,link,slug,status,title,content"


def _status(status: str) -> str:
    # WordPress turns publish-with-a-future-date into future, and future into publish
    # when the date passes: both mean "live at the date".
    return "publish" if status == "future" else status


def _names(names: tuple[str, ...] | list[str]) -> list[str]:
    return sorted({html.unescape(n).strip().casefold() for n in names})


def article_fields(article: Article, content: str, image_hash: str) -> dict[str, object]:
    """The comparable fields an article wants its post to have."""
    fields: dict[str, object] = {
        "title": article.title,
        "content": content.rstrip(),
        "excerpt": article.excerpt,
        "status": _status(article.status),
        "slug": article.slug,
        "tags": _names(article.tags),
        "featured_image": image_hash,
        "comment_status": article.comment_status,
    }
    if article.categories:  # none: WordPress files the post under its default category
        fields["categories"] = _names(article.categories)
    if article.date is not None:
        key, value = date_field(article.date)
        fields[key] = value
    return fields


def date_field(date: dt.datetime) -> tuple[str, str]:
    """``("date", local)`` for a naive date (site time), ``("date_gmt", utc)`` otherwise."""
    if date.tzinfo is None:
        return "date", date.isoformat(timespec="seconds")
    utc = date.astimezone(dt.UTC).replace(tzinfo=None)
    return "date_gmt", utc.isoformat(timespec="seconds")


def post_payload(
    article: Article, content: str, term_ids: Mapping[str, list[int]], media_id: int
) -> dict[str, Any]:
    """The JSON body of a create or update of ``article``'s post (content with marker)."""
    body: dict[str, Any] = {
        "title": article.title,
        "content": content,
        "excerpt": article.excerpt,
        "status": article.status,
        "slug": article.slug,
        "tags": term_ids["tags"],
        "featured_media": media_id,
        "comment_status": article.comment_status,
    }
    if article.categories:
        body["categories"] = term_ids["categories"]
    if article.date is not None:
        key, value = date_field(article.date)
        body[key] = value
    return body


def sent_fields(body: Mapping[str, Any], keys: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The stored-state fields a payload sets (what the marker's hash covers)."""
    return tuple(k for k in (keys or POST_STATE) if k in body)


POST_STATE = (
    "title",
    "content",
    "excerpt",
    "status",
    "slug",
    "categories",
    "tags",
    "featured_media",
    "comment_status",
)
PATTERN_STATE = ("title", "content", "status")


def stored_state(body: Mapping[str, Any], keys: tuple[str, ...] = POST_STATE) -> dict[str, object]:
    """What WordPress keeps of a post or pattern, from a payload or from a response."""

    def raw(name: str) -> str:
        value = body.get(name, "")
        return str(value.get("raw", "") if isinstance(value, dict) else value)

    state: dict[str, object] = {}
    for name in keys:
        if name == "content":
            state[name] = marker.split(raw(name))[0].rstrip()
        elif name == "status":
            state[name] = _status(raw(name))
        elif name == "slug":
            state[name] = unquote(raw(name))
        elif name in ("categories", "tags"):
            state[name] = sorted(int(i) for i in body.get(name, []))
        elif name == "featured_media":
            state[name] = int(body.get(name) or 0)
        else:
            state[name] = raw(name)
    return state


def remote_post(
    post: Mapping[str, Any], term_names: Mapping[int, str], media_hashes: Mapping[int, str]
) -> Remote | None:
    """A managed post as a plan item; None when it carries no marker."""
    content, found = marker.split(post["content"]["raw"])
    if found is None:
        return None
    media = int(post.get("featured_media") or 0)
    fields: dict[str, object] = {
        "title": post["title"]["raw"],
        "content": content.rstrip(),
        "excerpt": post["excerpt"]["raw"],
        "status": _status(post["status"]),
        "slug": unquote(post["slug"]),
        "categories": _names([term_names.get(i, f"#{i}") for i in post["categories"]]),
        "tags": _names([term_names.get(i, f"#{i}") for i in post["tags"]]),
        "featured_image": media_hashes.get(media, f"media:{media}") if media else "",
        "comment_status": post["comment_status"],
        "date": post["date"],
        "date_gmt": post.get("date_gmt") or "",
    }
    return Remote(post["id"], post["link"], found, fields, _stored_hash(post, found, POST_STATE))


def remote_pattern(block: Mapping[str, Any]) -> Remote | None:
    """A managed notice pattern as a plan item."""
    content, found = marker.split(block["content"]["raw"])
    if found is None:
        return None
    fields = {"title": block["title"]["raw"], "content": content.rstrip()}
    return Remote(
        block["id"], block.get("link", ""), found, fields, _stored_hash(block, found, PATTERN_STATE)
    )


def _stored_hash(item: Mapping[str, Any], found: marker.Marker, keys: tuple[str, ...]) -> str:
    """Hash of what the site stores now, over the fields the last publish sent."""
    sent = tuple(found.fields.split(",")) if found.fields else keys
    return marker.state_hash(stored_state(item, sent))
