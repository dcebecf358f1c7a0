"""Pages (issue 15, part 2): ``type: page`` publishes a page, with its parent (by the parent
article's path) and menu order, under the same identity, conflict and prune rules as posts.
Against the real WordPress, except the checks of ``parent:``, which need no site."""

from __future__ import annotations

import json

import pytest

from .test_publish import article, cms, kinds, publish_json
from .test_pull import pull_json


def pages(wp) -> dict[str, dict]:
    """The site's pages carrying cms-sync's marker, by slug."""
    found = wp.posts(post_type="pages")
    return {p["slug"]: p for p in found if "cms-sync:v1" in p["content"]["raw"]}


def tree(project) -> None:
    """Three levels: about > team > alice; and a post linking alice's page."""
    project.write("pages/about.md", article("About", "Who we are.", slug="about", type="page"))
    project.write("pages/team.md", article("Team", "The team.", slug="team", type="page",
                                           parent="about.md", menu_order="2"))  # fmt: skip
    project.write("pages/alice.md", article("Alice", "Alice.", slug="alice", type="page",
                                            parent="team.md", menu_order="1"))  # fmt: skip
    project.write("news.md", article("News", "Meet [Alice](pages/alice.md).", slug="news"))


@pytest.mark.wordpress
@pytest.mark.compat
def test_a_page_tree_of_three_levels_is_published_then_left_alone(wp, project):
    tree(project)
    report = publish_json(wp, project)
    assert kinds(report) == {"about": "create", "team": "create", "alice": "create",
                             "news": "create"}  # fmt: skip
    assert {i["key"]: i["item"] for i in report["items"]}["team"] == "page"
    # created, then moved under the parent created meanwhile: no one's link changed
    assert [i["key"] for i in report["items"] if i.get("old_url")] == []
    site = pages(wp)
    about_id = site["about"]["id"]
    assert site["about"]["parent"] == 0
    assert (site["team"]["parent"], site["team"]["menu_order"]) == (site["about"]["id"], 2)
    assert (site["alice"]["parent"], site["alice"]["menu_order"]) == (site["team"]["id"], 1)
    assert site["alice"]["link"] == f"{wp.url}/about/team/alice/"
    [news] = [p for p in wp.posts() if p["slug"] == "news"]
    assert f'href="{wp.url}/about/team/alice/"' in news["content"]["raw"]

    position = wp.log_position()
    again = publish_json(wp, project)
    assert set(kinds(again).values()) == {"unchanged"} and wp.writes_since(position) == []

    # Only the root's slug changes: its children stay under it (the parent is the same
    # page), only their URLs move with it, and the next run has nothing to do.
    about = project.articles / "pages" / "about.md"
    about.write_text(about.read_text("utf-8").replace("slug: about", "slug: company"))
    _, out, _ = cms(wp, project, "plan", "--json")
    planned = {i["key"]: (i["kind"], i.get("changes")) for i in json.loads(out)["items"]}
    assert planned["company"] == ("update", ["slug"]) and planned["team"][0] == "unchanged"
    assert planned["alice"][0] == "unchanged"
    assert kinds(publish_json(wp, project))["company"] == "update"
    site = pages(wp)
    assert (site["team"]["parent"], site["alice"]["parent"]) == (about_id, site["team"]["id"])
    assert site["alice"]["link"] == f"{wp.url}/company/team/alice/"
    position = wp.log_position()
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}
    assert wp.writes_since(position) == []


@pytest.mark.wordpress
def test_a_page_edited_on_the_site_is_a_conflict_and_pull_takes_its_parent_and_order(wp, project):
    tree(project)
    publish_json(wp, project)
    site = pages(wp)
    wp.api("POST", f"/wp/v2/pages/{site['alice']['id']}",
           json={"parent": site["about"]["id"], "menu_order": 7})  # fmt: skip
    code, out, _ = cms(wp, project, "plan", "--json")
    found = {i["key"]: (i["kind"], i.get("changes")) for i in json.loads(out)["items"]}
    assert code == 3 and found["alice"] == ("conflict", ["parent", "menu_order"])
    assert found["news"] == ("update", ["content"])  # it links alice, who moved
    pull_json(wp, project)
    alice = project.articles / "pages" / "alice.md"
    text = alice.read_text("utf-8")
    assert "parent: about.md" in text and "menu_order: 7" in text and "type: page" in text
    assert "ping_status" not in text  # closed, as WordPress leaves a page it is not told of
    after = kinds(publish_json(wp, project))
    assert (after["alice"], after["news"]) == ("unchanged", "update")  # news: alice's new URL
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}

    # Moved under a page no file has: the file cannot say so, so pull records no pulled:
    # state, the conflict stays, and --force puts the page back.
    other = wp.api("POST", "/wp/v2/pages", json={"title": "Other", "status": "publish"})
    wp.api("POST", f"/wp/v2/pages/{site['alice']['id']}", json={"parent": other["id"]})
    [result] = [r for r in pull_json(wp, project)["items"] if r["path"].endswith("alice.md")]
    assert [w for w in result["warnings"] if f"its parent page #{other['id']} " in w] == [
        f"{wp.url}/other/alice/: its parent page #{other['id']} has no article file, so the "
        "file keeps parent: about.md and no pulled: (plan shows the conflict): move the page "
        "back in wp-admin, or publish --force articles/pages/alice.md to put it back"
    ]
    text = alice.read_text("utf-8")
    assert "parent: about.md" in text and "pulled:" not in text
    alice.write_text(text.replace("Alice.", "Alice, edited."), encoding="utf-8")
    code, out, _ = cms(wp, project, "plan", "--json")
    found = {i["key"]: (i["kind"], i.get("changes")) for i in json.loads(out)["items"]}
    assert code == 3 and found["alice"] == ("conflict", ["content", "parent"])
    assert kinds(publish_json(wp, project, "--force", str(alice)))["alice"] == "update"
    assert pages(wp)["alice"]["parent"] == site["about"]["id"]

    # Moved to the top level: pull drops the parent: line, and the next edit keeps it there.
    wp.api("POST", f"/wp/v2/pages/{site['alice']['id']}", json={"parent": 0})
    pull_json(wp, project)
    text = alice.read_text("utf-8")
    assert "parent:" not in text and "pulled:" in text
    alice.write_text(text.replace("Alice, edited.", "Alice, edited twice."), encoding="utf-8")
    report = publish_json(wp, project)
    assert {i["key"]: i.get("changes") for i in report["items"]}["alice"] == ["content"]
    assert pages(wp)["alice"]["parent"] == 0


@pytest.mark.wordpress
def test_a_removed_page_is_an_orphan_trashed_with_prune(wp, project):
    project.write("keep.md", article("Keep", slug="keep"))
    gone = project.write("gone.md", article("Gone", slug="gone", type="page"))
    publish_json(wp, project)
    gone.unlink()
    report = publish_json(wp, project, "--prune")
    assert kinds(report) == {"keep": "unchanged", "gone": "trash"}
    assert [p["slug"] for p in wp.posts(status="trash", post_type="pages")] == ["gone__trashed"]


@pytest.mark.wordpress
def test_a_page_at_its_slug_without_marker_is_a_conflict_not_a_second_page(wp, project):
    wp.api("POST", "/wp/v2/pages", json={"title": "Contact", "slug": "contact",
                                         "status": "publish"})  # fmt: skip
    project.write("contact.md", article("Contact", slug="contact", type="page"))
    report = publish_json(wp, project, expect=3)
    assert kinds(report) == {"contact": "conflict"}
    assert len(wp.posts(post_type="pages")) == 1


@pytest.mark.wordpress
def test_links_across_types_and_a_changed_type_never_leave_two_items_at_one_url(wp, project):
    post = project.write("post.md", article("Post", "A post.", slug="the-post"))
    project.write("pages/about.md", article("About", slug="about", type="page"))
    project.write("pages/team.md", article("Team", "[post](../post.md)", slug="team",
                                           type="page", parent="about.md"))  # fmt: skip
    # A page linking a post created in the same run links it, not a pending placeholder.
    assert set(kinds(publish_json(wp, project)).values()) == {"create"}
    assert f'href="{wp.url}/the-post/"' in pages(wp)["team"]["content"]["raw"]
    position = wp.log_position()
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}
    assert wp.writes_since(position) == []
    # WordPress cannot turn a post into a page: a conflict, and nothing written.
    post.write_text(post.read_text("utf-8").replace("slug: the-post", "slug: the-post\ntype: page"))
    code, out, err = cms(wp, project, "publish")
    assert code == 3, out + err
    [old] = [p for p in wp.posts() if p["slug"] == "the-post"]
    assert f"conflict: page the-post (id {old['id']}) is a post on the site" in out
    assert f"in wp-admin, move {old['link']} to the trash, then publish again" in out
    assert "the-post" not in pages(wp) and wp.writes_since(position) == []
    wp.api("DELETE", f"/wp/v2/posts/{old['id']}")  # as the report says: the post to the trash
    assert kinds(publish_json(wp, project))["the-post"] == "create"
    assert pages(wp)["the-post"]["link"] == f"{wp.url}/the-post/"
    # And back: a page that becomes a post again, though no article is a page any more.
    for name in ("about", "team"):
        (project.articles / "pages" / f"{name}.md").unlink()
    post.write_text(post.read_text("utf-8").replace("type: page\n", ""))
    report = publish_json(wp, project, expect=3)
    assert kinds(report) == {"the-post": "conflict"}
    assert [p["slug"] for p in wp.posts(status="publish")] == []


def check(project) -> list[str]:
    from click.testing import CliRunner

    from cms_sync.cli import cli

    result = CliRunner().invoke(cli, ["--config", str(project.config), "check", "--json"])
    return [f"{f['path']}:{f['line']}: {f['message']}"
            for f in json.loads(result.stdout)["findings"]]  # fmt: skip


def test_a_parent_must_be_an_existing_page_and_not_a_cycle(project):
    project.write("post.md", article("A post", slug="a-post"))
    project.write("p1.md", article("P1", slug="p1", type="page", parent="post.md"))
    project.write("p2.md", article("P2", slug="p2", type="page", parent="missing.md"))
    project.write("p3.md", article("P3", slug="p3", type="page", parent="p4.md"))
    project.write("p4.md", article("P4", slug="p4", type="page", parent="p3.md"))
    assert check(project) == [
        "articles/p1.md:5: parent: post.md is a post, and only a page can be a page's parent; "
        "add 'type: page' to post.md or name another parent",
        "articles/p2.md:5: parent: no article file 'missing.md'; name the parent page's file",
        "articles/p3.md:5: parent: p4.md leads back to this page (a cycle); name another parent",
        "articles/p4.md:5: parent: p3.md leads back to this page (a cycle); name another parent",
    ]
