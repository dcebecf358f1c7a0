"""Helpers of the fast publish tests: run publish() against a FakeWordPress, look at the result.

Only public entry points are used (load_config, load_project, publish, the Client), so the
tests hold whatever shape the code behind them takes.
"""

from __future__ import annotations

import json
from typing import Any

from cms_sync.config import load_config
from cms_sync.project import load_project
from cms_sync.publish import publish

from .fake_wordpress import FakeWordPress, Post

MARKER = "cms-sync:v1"


def run(project: Any, site: FakeWordPress, user: str = "admin", **options: Any) -> Any:
    """publish() the project folder to ``site`` as ``user`` (or through ``client=``); other
    options as publish() takes them."""
    loaded, findings = load_project(load_config(project.config))
    errors = [f.format() for f in findings if f.severity == "error"]
    assert not errors, errors
    client = options.pop("client", None) or site.client(user)
    return publish(loaded, client, **options)


def cli_env(project: Any, site: FakeWordPress, user: str = "admin") -> dict[str, str]:
    """The environment of a CLI run against ``site`` (installed) as ``user``, without a
    terminal and with the project as home (no ~/.netrc of the machine's)."""
    return {
        "CMS_SYNC_URL": site.url,
        "CMS_SYNC_USER": user,
        "CMS_SYNC_APP_PASSWORD": site.users[user].password,
        "CI": "true",
        "HOME": str(project.root),
    }


def article(slug: str, body: str = "Some text.", **front: str) -> str:
    """An article file: title from the slug, published, comments closed unless told."""
    front = {"status": "publish", "comment_status": "closed", **front}
    lines = [f"title: {json.dumps(slug.replace('-', ' ').title())}", f"slug: {slug}"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def kinds(report: Any) -> dict[str, str]:
    """What the report says of each article or notice, by key."""
    return {outcome.key: outcome.kind for outcome in report.outcomes}


def managed(site: FakeWordPress, *statuses: str) -> dict[str, Post]:
    """The posts cms-sync manages on the site, by slug (every status unless given)."""
    return {p.slug: p for p in site.items("posts", *statuses) if MARKER in p.content}


def rendered(site: FakeWordPress, post_id: int, user: str = "admin") -> str:
    """The post as readers see it (content.rendered in the view context)."""
    return str(site.api("GET", f"/wp/v2/posts/{post_id}", user)["content"]["rendered"])


def sent(site: FakeWordPress) -> list[str]:
    """The writes inside batches, as ``"PUT /wp/v2/posts/7"``."""
    return [str(call) for call in site.calls if call.in_batch]
