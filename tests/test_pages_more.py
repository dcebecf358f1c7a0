"""Pages, continued (issue 15): the capabilities a page write needs (edit_pages, publish_pages,
edit_published_pages, delete_pages; not the posts' ones), and parents written before their
children when batches run in parallel (--jobs). Against the real WordPress."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

from .test_concurrent_publish import mu_plugin
from .test_pages import pages
from .test_publish import article, cms, kinds, publish_json


@pytest.mark.wordpress
def test_an_author_may_write_posts_but_not_pages_one_line_and_nothing_written(wp, project):
    project.write("news.md", article("News", "Text.", slug="news", tags="[Fresh]"))
    project.write("about.md", article("About", "Who we are.", slug="about", type="page"))
    position = wp.log_position()
    for command in ("publish", "plan"):
        code, out, err = cms(wp, project, command, role="author")
        assert code == 1, out + err
        assert err == (
            f"Error: WordPress user '{wp.state['author']['user']}' may not create pages "
            "(missing edit_pages); nothing was written: ask an administrator for a role "
            "with it\n"
        )
    assert wp.writes_since(position) == []
    assert wp.posts() == [] and wp.posts(post_type="pages") == []
    assert "Fresh" not in {c["name"] for c in wp.api("GET", "/wp/v2/tags")}

    # The posts alone, as the same Author: written, and --prune does not ask for pages.
    (project.articles / "about.md").unlink()
    assert kinds(publish_json(wp, project, "--prune", role="author")) == {"news": "create"}


# A role that may write posts and draft pages, but not publish pages (no default role is so).
DRAFTER = """<?php
add_action( 'init', function () {
	if ( ! get_role( 'page_drafter' ) ) {
		add_role( 'page_drafter', 'Page drafter', array( 'read' => true, 'edit_posts' => true,
			'publish_posts' => true, 'edit_published_posts' => true, 'edit_pages' => true ) );
	}
} );
"""


@contextlib.contextmanager
def user_with_role(wp, role: str) -> Iterator[dict[str, str]]:
    """A user of ``role`` with an application password: the environment of a run as them."""
    user = wp.api("POST", "/wp/v2/users", json={
        "username": "drafter", "email": "drafter@example.com", "password": "x-Drafter-2024",
        "roles": [role],
    })  # fmt: skip
    try:
        answer = wp.api("POST", f"/wp/v2/users/{user['id']}/application-passwords",
                        json={"name": "cms-sync test"})  # fmt: skip
        env = wp.env()
        env["CMS_SYNC_USER"], env["CMS_SYNC_APP_PASSWORD"] = "drafter", answer["password"]
        yield env
    finally:
        wp.api("DELETE", f"/wp/v2/users/{user['id']}", params={"force": "true", "reassign": 1})


@pytest.mark.wordpress
def test_a_user_who_may_draft_pages_but_not_publish_them_is_stopped_before_any_write(wp, project):
    project.write("news.md", article("News", "Text.", slug="news", tags="[Fresh]"))
    about = project.write("about.md", article("About", "Who we are.", slug="about", type="page"))
    with mu_plugin(wp, "page-drafter", DRAFTER), user_with_role(wp, "page_drafter") as env:
        position = wp.log_position()
        result = CliRunner().invoke(cli, ["--config", str(project.config), "publish"], env=env)
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            "Error: WordPress user 'drafter' may not publish pages (missing publish_pages); "
            "nothing was written: ask an administrator for a role with it\n"
        )
        assert wp.writes_since(position) == []  # not the tag, not the post

        # As a draft the page is theirs to write (edit_pages), with the post.
        about.write_text(article("About", "Who we are.", slug="about", type="page",
                                 status="draft"), encoding="utf-8")  # fmt: skip
        result = CliRunner().invoke(cli, ["--config", str(project.config), "publish"], env=env)
        assert result.exit_code == 0, result.output
    assert [p["status"] for p in pages(wp).values()] == ["draft"]
    assert [p["slug"] for p in wp.posts()] == ["news"]


# The update that moves team-24 under its parent takes two seconds more: without waves, the
# batch holding its child would run (and answer) meanwhile.
SLOW_MOVE = """<?php
add_filter( 'rest_pre_insert_page', function ( $post, $request ) {
	if ( 'PUT' === $request->get_method() && 'team-24' === $request['slug'] ) {
		sleep( 2 );
	}
	return $post;
}, 10, 2 );
"""


@pytest.mark.wordpress
def test_with_jobs_a_page_is_moved_only_after_its_parent_even_across_parallel_batches(wp, project):
    # about > team-00..team-24 (one batch of 25 moves) > lead (under team-24, the next batch).
    project.write("about.md", article("About", "Us.", slug="about", type="page"))
    for n in range(25):
        project.write(f"team-{n:02}.md", article(f"Team {n}", "A team.", slug=f"team-{n:02}",
                                                 type="page", parent="about.md"))  # fmt: skip
    project.write("lead.md", article("Lead", "The lead.", slug="lead", type="page",
                                     parent="team-24.md"))  # fmt: skip
    project.write("news.md", article("News", "Meet [the lead](lead.md).", slug="news"))
    with mu_plugin(wp, "slow-move", SLOW_MOVE):
        report = publish_json(wp, project, "--jobs", "4")
    assert set(kinds(report).values()) == {"create"}
    final = f"{wp.url}/about/team-24/lead/"
    assert {i["key"]: i["url"] for i in report["items"]}["lead"] == final
    site = pages(wp)
    assert site["lead"]["parent"] == site["team-24"]["id"] and site["lead"]["link"] == final
    [news] = wp.posts()
    assert f'href="{final}"' in news["content"]["raw"]

    position = wp.log_position()
    again = publish_json(wp, project, "--jobs", "4")
    assert set(kinds(again).values()) == {"unchanged"} and wp.writes_since(position) == []


def test_waves_put_parents_before_children_only_when_batches_run_in_parallel():
    from cms_sync.apply import waves
    from cms_sync.items import Desired, Remote
    from cms_sync.plan import Action

    def write(page: int, parent: int | None = None) -> Action:  # a parent: its page's ID
        fields = {"slug": f"p{page}"} if parent is None else {"slug": f"p{page}", "parent": parent}
        return Action(
            "update", Desired(f"p{page}", f"p{page}.md", fields), Remote(page, "", None, {}, "")
        )

    actions = [write(1, 0), write(2, 1), write(3, 2), write(4, 99)]
    actions += [write(100 + n) for n in range(30)]
    assert waves(actions, jobs=1) == [list(range(34))]
    assert waves(actions, jobs=4) == [[0, *range(3, 34)], [1], [2]]
    assert waves(actions[:4], jobs=4) == [[0, 1, 2, 3]]  # one batch: it runs in order
