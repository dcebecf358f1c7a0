"""Two publishers at once, and creates answered after the client gave up, on the real
WordPress: whatever copies they leave, the next publish trashes those cms-sync wrote (and
says so), reports those edited on the site as conflicts, and `plan` lists them first.

A test mu-plugin (written into the site's wp-content/mu-plugins, removed afterwards)
makes the race happen every time: each create of a post waits until two have arrived, so
both runs have read the empty site before either inserts anything. The tests that use the
`wp` fixture are marked `wordpress` by conftest; the others run on the fake WordPress.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cms_sync.marker import split

from . import publishing
from .fake_wordpress import FakeWordPress
from .test_publish import article, cms, managed, publish_json

SLUGS = ("together-a", "together-b", "together-c")
# Every create of a post (not an update: it has an ID) notes its arrival in a file and
# waits, up to 60 s, until {count} creates have arrived (a loaded machine can hold the
# other run back for more than 20 s, and then it would see the first run's posts).
BARRIER = """<?php
add_filter( 'rest_pre_insert_post', function ( $post ) {{
	if ( empty( $post->ID ) ) {{
		file_put_contents( '{file}', "create\\n", FILE_APPEND | LOCK_EX );
		for ( $i = 0; $i < 600 && count( file( '{file}' ) ) < {count}; $i++ ) {{
			usleep( 100000 );
		}}
	}}
	return $post;
}} );
"""
# Every create of a post takes {seconds} s longer than it would; the file says when each
# starts and ends, so the test can wait for the last one WordPress finishes.
SLOW = """<?php
add_filter( 'rest_pre_insert_post', function ( $post ) {{
	if ( empty( $post->ID ) ) {{
		file_put_contents( '{file}', "start\\n", FILE_APPEND | LOCK_EX );
		sleep( {seconds} );
		file_put_contents( '{file}', "end\\n", FILE_APPEND | LOCK_EX );
	}}
	return $post;
}} );
"""


@contextlib.contextmanager
def mu_plugin(wp, name: str, php: str) -> Iterator[None]:
    """A must-use plugin on the test site while the block runs."""
    folder = Path(wp.state["workdir"]) / "www" / "wp-content" / "mu-plugins"
    folder.mkdir(exist_ok=True)
    plugin = folder / f"{name}.php"
    plugin.write_text(php, encoding="utf-8")
    try:
        yield
    finally:
        plugin.unlink()


def write_articles(project) -> list[Path]:
    """The three articles; comments open under the first (so its notice is a pattern)."""
    return [
        project.write(
            f"{slug}.md",
            article(slug.title(), slug=slug, comment_status="open" if n == 0 else "closed"),
        )
        for n, slug in enumerate(SLUGS)
    ]


def publish_together(wp, project, tmp_path: Path) -> list[dict]:
    """Two `cms-sync publish --json` processes started together on an empty site; their
    reports. Both make every post: each run's first create waits for the other's."""
    arrivals = tmp_path / "creates.txt"
    arrivals.touch()
    command = [sys.executable, "-m", "cms_sync", "--config", str(project.config)]
    env = {**os.environ, **wp.env()}
    with mu_plugin(wp, "barrier", BARRIER.format(file=arrivals, count=2)):
        runs = [
            subprocess.Popen(
                [*command, "publish", "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        answers = [run.communicate(timeout=90) for run in runs]
    for run, (out, err) in zip(runs, answers, strict=True):
        assert run.returncode == 0, out + err
    return [json.loads(out) for out, _ in answers]


def live(wp) -> dict[str, list[dict]]:
    """The managed posts not in the trash, oldest first, by the article they belong to."""
    found: dict[str, list[dict]] = {}
    for post in sorted(managed(wp), key=lambda p: p["id"]):
        if post["status"] != "trash":
            stamp = split(post["content"]["raw"])[1]
            assert stamp is not None
            found.setdefault(stamp.key, []).append(post)
    return found


def trashed(wp) -> set[int]:
    return {p["id"] for p in wp.posts(status="trash")}


def edit(wp, post: dict, words: str) -> None:
    """Change a post's body through the REST API, as an editor's save does (the identity
    marker stays where it is)."""
    raw = post["content"]["raw"].replace("Body.", words)
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"content": raw})


def next_publish_trashes_the_copies(wp, project) -> None:
    """With two posts per article on the site, the next publish trashes the newer of each
    and says so, exit 0, one post per article left at its slug (one notice pattern); the
    publish after it writes nothing."""
    posts = live(wp)
    assert {key: len(found) for key, found in posts.items()} == dict.fromkeys(SLUGS, 2)
    code, out, err = cms(wp, project, "publish")
    assert code == 0, out + err
    for key, (_, copy) in posts.items():
        assert (
            f"trashed a copy of articles/{key}.md made by an interrupted or concurrent run: "
            f"{copy['link']}"
        ) in out.splitlines()
    assert trashed(wp) == {copy["id"] for _, copy in posts.values()}
    after = live(wp)
    assert {key: [p["slug"] for p in found] for key, found in after.items()} == {
        slug: [slug] for slug in SLUGS
    }
    patterns = wp.posts(post_type="blocks") + wp.posts("trash", post_type="blocks")
    assert [p["id"] for p in wp.posts(post_type="blocks")] == [min(p["id"] for p in patterns)]
    position = wp.log_position()
    report = publish_json(wp, project)
    assert {item["kind"] for item in report["items"]} == {"unchanged"}
    assert wp.writes_since(position) == []


@pytest.mark.compat
def test_two_publishers_started_together_leave_one_post_per_article(wp, project, tmp_path):
    write_articles(project)
    publish_together(wp, project, tmp_path)
    next_publish_trashes_the_copies(wp, project)


def creates_done(log: Path) -> None:
    """Wait until WordPress has finished every slow create it started (none for 1 s)."""
    deadline, last = time.monotonic() + 60, ""
    while time.monotonic() < deadline:
        time.sleep(1)
        text = log.read_text()
        if text == last and text.count("start") == text.count("end"):
            return
        last = text
    raise AssertionError(f"slow creates still running: {last!r}")


@pytest.mark.compat
def test_creates_answered_after_the_client_gave_up_leave_no_copy_behind(
    wp, project, tmp_path, monkeypatch
):
    write_articles(project)
    log = tmp_path / "creates.txt"
    log.touch()
    with mu_plugin(wp, "slow", SLOW.format(file=log, seconds=1)):
        with monkeypatch.context() as patched:
            patched.setattr("cms_sync.wordpress.WRITE_TIMEOUT", 0.5)  # a create's answer
            code, out, err = cms(wp, project, "publish")
        creates_done(log)
    assert code == 1, out + err
    [message] = err.strip().splitlines()
    assert message.endswith(
        "/wp-json/batch/v1: no answer within 0.5 s; WordPress may have done it all the same: "
        "the next run looks before it writes"
    ), message
    # WordPress made every post after the client left, and the run sent none twice.
    assert {key: len(found) for key, found in live(wp).items()} == dict.fromkeys(SLUGS, 1)
    made = {p["id"] for p in wp.posts()} | trashed(wp)
    report = publish_json(wp, project)
    assert "create" not in {item["kind"] for item in report["items"]}
    assert {p["id"] for p in wp.posts()} | trashed(wp) == made
    assert {key: len(found) for key, found in live(wp).items()} == dict.fromkeys(SLUGS, 1)


@pytest.mark.compat
def test_a_rerun_while_wordpress_still_makes_the_timed_out_creates(
    wp, project, tmp_path, monkeypatch
):
    write_articles(project)
    arrivals = tmp_path / "creates.txt"
    arrivals.touch()
    # The first run's creates wait in WordPress until the rerun sends its own.
    with mu_plugin(wp, "barrier", BARRIER.format(file=arrivals, count=2)):
        with monkeypatch.context() as patched:
            patched.setattr("cms_sync.wordpress.WRITE_TIMEOUT", 0.5)
            code, out, err = cms(wp, project, "publish")
        assert code == 1 and "no answer within 0.5 s" in err, out + err
        code, out, err = cms(wp, project, "publish")  # CI runs the job again at once
        assert code == 0, out + err
        deadline = time.monotonic() + 30
        while sum(map(len, live(wp).values())) < 2 * len(SLUGS) and time.monotonic() < deadline:
            time.sleep(0.2)  # the first run's creates, done after it gave up
    next_publish_trashes_the_copies(wp, project)


@pytest.mark.compat
def test_an_edited_copy_is_a_conflict_never_trashed(wp, project, tmp_path):
    write_articles(project)
    publish_together(wp, project, tmp_path)
    posts = live(wp)
    (a_old, a_new), (b_old, b_new), (c_old, c_new) = (posts[slug] for slug in SLUGS)
    edit(wp, a_old, "Edited in the older post.")
    edit(wp, a_new, "Edited in the newer post.")
    edit(wp, b_new, "Edited in the newer post only.")
    code, out, err = cms(wp, project, "publish", "--json")
    assert code == 3, out + err
    items = {(i["kind"], i["id"]) for i in json.loads(out)["items"] if i["item"] == "post"}
    assert items == {
        ("conflict", a_old["id"]),  # the oldest, kept: an ordinary conflict
        ("conflict", a_new["id"]),  # its copy, edited too: a conflict, left alone
        ("unchanged", b_old["id"]),  # at the article's slug (b_new has "-2"): kept
        ("conflict", b_new["id"]),  # the copy, edited: a conflict, left alone
        ("unchanged", c_old["id"]),
        ("trash", c_new["id"]),
    }
    assert trashed(wp) & {a_old["id"], a_new["id"], b_new["id"]} == set()
    code, out, _ = cms(wp, project, "publish")
    assert code == 3
    assert f"conflict: post together-a (id {a_new['id']}) is a second post of " in out
    assert f"    in wp-admin, move {a_new['link']} to the trash if its edits are not wanted" in out


@pytest.mark.compat
def test_plan_lists_what_publish_prune_trashes_and_no_edited_copy(wp, project, tmp_path):
    paths = write_articles(project)
    publish_together(wp, project, tmp_path)
    unmanaged = wp.api("POST", "/wp/v2/posts", json={"title": "Hand-made", "status": "publish"})
    posts = live(wp)
    for post in posts["together-b"]:
        edit(wp, post, f"Edited in post {post['id']}.")
    paths[2].unlink()  # both posts of together-c are orphans now
    position = wp.log_position()
    code, out, err = cms(wp, project, "plan", "--json")
    assert code == 3, out + err
    assert wp.writes_since(position) == []
    planned = {(i["kind"], i["id"]) for i in json.loads(out)["items"] if i["item"] == "post"}
    listed = {post_id for kind, post_id in planned if kind in ("copy", "orphan")}
    a_copy = posts["together-a"][1]["id"]
    assert listed == {a_copy, *(p["id"] for p in posts["together-c"])}
    assert ("conflict", posts["together-b"][1]["id"]) in planned
    before = trashed(wp)
    report = publish_json(wp, project, "--prune", expect=3)
    assert trashed(wp) - before == listed
    assert {i["id"] for i in report["items"] if i["kind"] == "trash" and i["item"] == "post"} == (
        listed
    )
    still = {p["id"] for p in wp.posts()}
    assert {unmanaged["id"], *(p["id"] for p in posts["together-b"])} <= still


def test_posts_that_showed_a_trashed_copy_of_the_notice_show_the_kept_one(project):
    site = FakeWordPress()
    filler = site.api("POST", "/wp/v2/posts", json={"title": "Filler"})
    project.write("a.md", publishing.article("a", comment_status="open"))
    publishing.run(project, site)
    [pattern] = site.items("blocks")
    # An older copy of the pattern: the post shows the newer one, which is now the copy.
    site.api("DELETE", f"/wp/v2/posts/{filler['id']}", force="true")
    site.posts[filler["id"]] = dataclasses.replace(pattern, id=filler["id"])
    report = publishing.run(project, site)
    assert [(o.item, o.kind, o.id) for o in report.outcomes] == [
        ("pattern", "unchanged", filler["id"]),
        ("pattern", "trash", pattern.id),
        ("post", "update", publishing.managed(site)["a"].id),
    ]
    assert f'{{"ref":{filler["id"]}}}' in publishing.managed(site)["a"].content
    writes = len(site.writes())
    assert publishing.kinds(publishing.run(project, site)) == {
        "notice:en": "unchanged",
        "a": "unchanged",
    }
    assert len(site.writes()) == writes


def test_links_go_to_the_post_kept_not_to_an_older_copy_in_the_trash(project):
    site = FakeWordPress()
    filler = site.api("POST", "/wp/v2/posts", json={"title": "Filler"})
    project.write("a.md", publishing.article("a", "See [b](b.md)."))
    project.write("b.md", publishing.article("b"))
    publishing.run(project, site)
    live_b = publishing.managed(site)["b"]
    # An older copy of b that the last publish trashed (it kept the one edited since).
    site.api("DELETE", f"/wp/v2/posts/{filler['id']}", force="true")
    site.posts[filler["id"]] = dataclasses.replace(
        live_b, id=filler["id"], status="trash", slug="b__trashed", trashed_from="publish"
    )
    report = publishing.run(project, site)
    assert publishing.kinds(report) == {"a": "unchanged", "b": "unchanged"}
    assert f'href="{site.url}/b/"' in publishing.managed(site)["a"].content


def test_status_lists_a_copy_waiting_for_the_trash(project, monkeypatch):
    from .test_status import cms as status

    site = FakeWordPress()
    project.write("a.md", publishing.article("a"))
    publishing.run(project, site)
    post = publishing.managed(site)["a"]
    copy = dataclasses.replace(post, id=post.id + 10, slug="a-2")
    site.posts[copy.id] = copy
    code, out = status(project, site, monkeypatch, "status")
    assert code == 4, out
    assert "Changed here, not yet on the site (1):  cms-sync publish" in out
    assert f"articles/a.md post {copy.id} is a copy to trash: {site.url}/a-2/" in out
