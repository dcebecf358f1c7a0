"""A first publish of a series writes each post once: the parts link one another at the
permalinks WordPress will give them, predicted from the site's permalink structure before
the posts exist. Counted at the server (its request log) and in each post's revisions;
every series link is opened as an anonymous reader; the next run writes nothing.

With plain permalinks (?p=ID) a post's link is known only once it exists: the posts that
link parts created in the same run are written a second time, and only those.
"""

from __future__ import annotations

import pytest

from .test_concurrent_publish import mu_plugin
from .test_publish import kinds, publish_json
from .test_series_publish import assert_every_series_link_opens, batches, nav_links, part, reader

pytestmark = [pytest.mark.wordpress, pytest.mark.compat]

PARTS = 5
# Plain permalinks for every request while the plugin is there (Settings > Permalinks >
# Plain); the REST API is then reached at ?rest_route=.
PLAIN = "<?php add_filter( 'pre_option_permalink_structure', '__return_empty_string' );\n"


def series(project) -> None:
    for number in range(1, PARTS + 1):
        part(project, number)


def revisions(wp) -> dict[str, int]:
    return {p["slug"]: wp.revisions(p["id"]) for p in wp.posts() if p["slug"].startswith("part-")}


def hello_world(wp) -> dict:
    """The post every new WordPress site starts with, written in wp-admin."""
    return wp.api("POST", "/wp/v2/posts", json={"title": "Hello world!", "status": "publish"})


def delete(wp, *posts: dict) -> None:
    """Posts that are not parts, gone before the parts' links are checked."""
    for post in posts:
        wp.api("DELETE", f"/wp/v2/posts/{post['id']}", params={"force": "true"})


def test_a_first_publish_writes_each_part_once_at_its_predicted_permalink(wp, project):
    hello = hello_world(wp)
    series(project)
    start = wp.log_position()
    assert set(kinds(publish_json(wp, project)).values()) == {"create"}
    assert len(batches(wp, start)) == 1, wp.writes_since(start)  # the five creates, no update
    once = revisions(wp)
    assert len(once) == PARTS
    # A post written once has the revisions of its create only: one more write adds one.
    single = wp.api("POST", "/wp/v2/posts", json={"title": "Lone", "status": "publish"})
    assert set(once.values()) == {wp.revisions(single["id"])}
    delete(wp, hello, single)
    assert_every_series_link_opens(wp)
    page = reader(wp.posts(status="publish")[-1]["link"]).text
    assert len(nav_links(page)) == PARTS - 1

    again = wp.log_position()
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}
    assert wp.writes_since(again) == []


def test_on_a_site_without_any_post_only_the_first_create_is_written_again(wp, project):
    series(project)
    start = wp.log_position()
    assert set(kinds(publish_json(wp, project)).values()) == {"create"}
    # One create whose answer shows the permalinks, the four others, then that first part.
    assert len(batches(wp, start)) == 3, wp.writes_since(start)
    counts = sorted(revisions(wp).values())
    assert counts[:-1] == [counts[0]] * (PARTS - 1) and counts[-1] == counts[0] + 1
    assert_every_series_link_opens(wp)
    again = wp.log_position()
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}
    assert wp.writes_since(again) == []


def test_with_plain_permalinks_the_parts_are_linked_by_id_after_a_second_write(wp, project):
    hello = hello_world(wp)
    series(project)
    with mu_plugin(wp, "plain-permalinks", PLAIN):
        start = wp.log_position()
        assert set(kinds(publish_json(wp, project)).values()) == {"create"}
        first = batches(wp, start)
        again = wp.log_position()
        assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}
        assert wp.writes_since(again) == []
    assert len(first) == 2  # the creates, then the parts updated with their neighbours' IDs
    delete(wp, hello)
    for post in wp.posts(status="publish"):
        if post["slug"].startswith("part-"):
            links = nav_links(reader(post["link"]).text)
            assert len(links) == PARTS - 1 and all("?p=" in link for link in links), links
    assert_every_series_link_opens(wp)
