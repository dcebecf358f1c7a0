"""`cms-sync preview --site NAME` with pages, on the real WordPress: a new page goes to the site
as a draft page (marker included, under its parent), a published page gets an autosave
(/wp/v2/pages/ID/autosaves), and each link shows the page in the site's theme, in a real
headless Chromium that never logged in; readers still see the live page, and a publish
afterwards updates the same pages: no duplicate."""

from __future__ import annotations

import json

import pytest

from .test_publish import article, kinds, publish_json
from .test_site_preview import preview, reader, shows, with_site

ABOUT, TEAM = "articles/about.md", "articles/team.md"
OLD, NEW, DRAFT = "Who we were.", "Who we are now.", "The team, not yet live."


def pages(wp) -> dict[str, dict]:
    """The site's pages by slug (the marker may be in meta: the companion plugin)."""
    return {p["slug"]: p for p in wp.posts(post_type="pages")}


def about_and_team(wp, project) -> None:
    """About published as OLD, then edited to NEW; team new, under about, status publish."""
    about = project.write("about.md", article("About", OLD, slug="about", type="page"))
    publish_json(wp, project)
    about.write_text(article("About", NEW, slug="about", type="page"), encoding="utf-8")
    project.write("team.md", article("Team", DRAFT, slug="team", type="page", parent="about.md"))


@pytest.mark.browser
@pytest.mark.compat
def test_page_links_show_the_new_text_without_login_and_publish_then_updates_the_same_pages(
    companion, project, browser
):
    about_and_team(companion, project)
    wp, before = companion, pages(companion)["about"]
    links = {item["path"]: item["url"] for item in json.loads(
        preview(project, with_site(wp, project), "--json")[0])}  # fmt: skip
    assert set(links) == {ABOUT, TEAM}
    site = pages(wp)
    assert links[ABOUT].startswith(f"{wp.url}/?page_id={before['id']}&cms_sync_preview=")
    assert links[TEAM].startswith(f"{wp.url}/?page_id={site['team']['id']}&cms_sync_preview=")

    # Readers see the live about page, and no team page: a draft under about, marker included.
    assert site["about"]["content"]["raw"] == before["content"]["raw"]
    assert site["about"]["modified_gmt"] == before["modified_gmt"]
    assert (site["team"]["status"], site["team"]["parent"]) == ("draft", before["id"])
    autosave = wp.api("GET", f"/wp/v2/pages/{before['id']}/autosaves", params={"context": "edit"})
    assert [NEW in a["content"]["raw"] for a in autosave] == [True]
    assert OLD in reader(before["link"]).text and NEW not in reader(before["link"]).text

    # The links, in a browser that never logged in: the theme's page with the new text.
    assert NEW in shows(browser, links[ABOUT])
    assert browser.text("h1.wp-block-post-title") == "About"
    assert DRAFT in shows(browser, links[TEAM])
    assert DRAFT not in shows(browser, links[TEAM].replace(f"={site['team']['id']}&", "=1&"))

    # publish afterwards: the same two pages, now live, team at its place under about.
    assert kinds(publish_json(wp, project)) == {"about": "update", "team": "update"}
    after = pages(wp)
    assert sorted(after) == ["about", "team"]
    assert after["team"]["id"] == site["team"]["id"] and after["team"]["status"] == "publish"
    assert after["team"]["link"] == f"{wp.url}/about/team/"
    assert NEW in reader(after["about"]["link"]).text


@pytest.mark.wordpress
def test_without_the_plugin_a_page_gets_wordpress_links_and_an_edited_page_is_left_alone(
    wp, project
):
    about_and_team(wp, project)
    env = with_site(wp, project)
    out, err = preview(project, env)
    site = pages(wp)
    [autosave] = wp.api("GET", f"/wp/v2/pages/{site['about']['id']}/autosaves",
                        params={"context": "edit"})  # fmt: skip
    assert out.splitlines() == [
        f"{ABOUT}: {wp.url}/wp-admin/revision.php?revision={autosave['id']}",
        f"{TEAM}: {wp.url}/?page_id={site['team']['id']}&preview=true",
    ]
    assert "the companion plugin is not active" in err

    # An editor moves the team page in wp-admin: a conflict, nothing sent for it.
    wp.api("POST", f"/wp/v2/pages/{site['team']['id']}", json={"menu_order": 3})
    (project.articles / "team.md").write_text(
        article("Team", DRAFT + " More.", slug="team", type="page", parent="about.md"),
        encoding="utf-8",
    )
    position = wp.log_position()
    out, err = preview(project, env, str(project.articles / "team.md"), expect=3)
    assert out.strip() == ""
    assert f"{TEAM}: page {site['team']['id']} was edited in WordPress since the last" in err
    assert wp.writes_since(position) == []
