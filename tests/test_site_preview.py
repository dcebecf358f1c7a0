"""`cms-sync preview --site NAME` on the real WordPress: the changed articles go to the site as
drafts or autosaves, never changing what readers see, and each gets a link that shows it in
the site's theme; with the companion plugin the link works without logging in, in a real
headless Chromium, until it expires, and a tampered or expired link shows nothing. A
publish afterwards updates the same posts: no duplicate."""

from __future__ import annotations

import json
import time

import pytest
import requests
from click.testing import CliRunner

from cms_sync.cli import cli

from .test_publish import article, kinds, publish_json

A, B = "articles/a.md", "articles/b.md"
OLD, NEW, DRAFT = "The live text readers see.", "The reviewed new text.", "A part not yet live."


def with_site(wp, project) -> dict[str, str]:
    """A [sites.staging] profile for the test site; the environment that selects it."""
    text = project.config.read_text("utf-8")
    project.config.write_text(
        text + f'\n[sites.staging]\nsite_url = "{wp.url}"\nuser = "admin"\n'
        'password_env = "STAGING_APP_PASSWORD"\n',
        encoding="utf-8",
    )
    env = wp.env()
    env["STAGING_APP_PASSWORD"] = env.pop("CMS_SYNC_APP_PASSWORD")
    del env["CMS_SYNC_URL"], env["CMS_SYNC_USER"]
    return env


def preview(project, env, *args: str, expect: int = 0):
    result = CliRunner().invoke(
        cli, ["--config", str(project.config), "preview", "--site", "staging", *args], env=env
    )
    assert result.exit_code == expect, result.output + result.stderr
    return result.stdout, result.stderr


def two_articles(wp, project):
    """Part a published as OLD, then edited to NEW; part b new, status publish."""
    a = project.write("a.md", article("Part A", OLD, slug="part-a"))
    publish_json(wp, project)
    a.write_text(article("Part A", NEW, slug="part-a"), encoding="utf-8")
    project.write("b.md", article("Part B", DRAFT, slug="part-b"))


def live(wp) -> dict[str, dict]:
    return {p["slug"]: p for p in wp.posts()}


def reader(url: str) -> requests.Response:
    return requests.get(url, timeout=30)


def shows(browser, url: str) -> str:
    """The post content the theme shows at ``url`` to a browser that never logged in ("" if
    the page has none)."""
    browser.open(url)
    return str(browser.execute("return document.querySelector('.wp-block-post-content')"
                               "?.textContent || ''"))  # fmt: skip


@pytest.mark.browser
@pytest.mark.compat
def test_links_show_the_new_text_in_the_theme_without_login_and_readers_see_the_old(
    companion, project, browser
):
    wp = companion
    two_articles(wp, project)
    before = live(wp)["part-a"]
    env = with_site(wp, project)

    position = wp.log_position()
    out, err = preview(project, env, "--json")
    links = {item["path"]: item for item in json.loads(out)}
    assert set(links) == {"articles/a.md", "articles/b.md"}, err
    # the plugin's version comes with the login (users/me): no request of its own
    assert not [r for r in wp.requests_since(position) if "/cms-sync/v1/info" in r]
    assert links[A]["title"] == "Part A" and links[A]["expires"].endswith("Z")
    text, _ = preview(project, env)
    assert text.splitlines()[0].startswith("articles/a.md: " + wp.url + "/?p=")

    # What readers see is unchanged: the published post, and no part B.
    after = live(wp)
    assert after["part-a"]["content"]["raw"] == before["content"]["raw"]
    assert after["part-a"]["modified_gmt"] == before["modified_gmt"]
    assert after["part-b"]["status"] == "draft"
    assert OLD in reader(before["link"]).text and NEW not in reader(before["link"]).text

    # The links, in a browser that never logged in: the theme's page with the new text.
    assert NEW in shows(browser, links["articles/a.md"]["url"])
    assert browser.text("h1.wp-block-post-title") == "Part A"
    assert DRAFT in shows(browser, links["articles/b.md"]["url"])
    answer = reader(links["articles/b.md"]["url"])
    assert "noindex" in answer.headers["X-Robots-Tag"]
    assert "no-cache" in answer.headers["Cache-Control"]
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    url = links[B]["url"]
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert DRAFT not in shows(browser, tampered)
    assert reader(tampered).status_code == 404

    # publish afterwards: the same two posts, now live, no duplicate.
    report = publish_json(wp, project)
    assert kinds(report) == {"part-a": "update", "part-b": "update"}
    posts = wp.posts()
    assert sorted(p["slug"] for p in posts) == ["part-a", "part-b"]
    assert {p["status"] for p in posts} == {"publish"}
    assert NEW in reader(live(wp)["part-a"]["link"]).text


@pytest.mark.browser
def test_an_expired_or_tampered_link_shows_nothing(companion, project, browser):
    wp = companion
    two_articles(wp, project)
    env = with_site(wp, project)
    links = {item["path"]: item["url"] for item in json.loads(preview(project, env, "--json")[0])}
    ids = {p["slug"]: p["id"] for p in wp.posts()}

    # Another post's ID under a valid token: nothing of either.
    other = links["articles/b.md"].replace(f"p={ids['part-b']}", f"p={ids['part-a']}")
    assert NEW not in shows(browser, other)
    # A published post's link with a forged signature: the live text only.
    forged = links["articles/a.md"][: -len("0000")] + "0000"
    page = shows(browser, forged)
    assert OLD in page and NEW not in page

    # A link that expired: asked of the plugin for one second.
    short = wp.api("POST", f"/cms-sync/v1/preview/{ids['part-b']}", json={"lifetime": 1})
    assert DRAFT in shows(browser, short["url"])
    time.sleep(2.1)
    assert DRAFT not in shows(browser, short["url"])
    assert reader(short["url"]).status_code == 404

    # A user who may not edit the post gets no link.
    author = requests.Session()
    author.auth = (wp.state["author"]["user"], wp.state["author"]["app_password"])
    refused = author.post(f"{wp.url}/wp-json/cms-sync/v1/preview/{ids['part-a']}", timeout=30)
    assert refused.status_code == 403


def test_without_the_plugin_the_links_need_a_login_and_a_second_run_sends_nothing(wp, project):
    two_articles(wp, project)
    env = with_site(wp, project)
    out, err = preview(project, env)
    ids = {p["slug"]: p["id"] for p in wp.posts()}
    autosave = wp.api("GET", f"/wp/v2/posts/{ids['part-a']}/autosaves", params={"context": "edit"})[
        0
    ]
    assert NEW in autosave["content"]["raw"]
    assert out.splitlines() == [
        f"articles/a.md: {wp.url}/wp-admin/revision.php?revision={autosave['id']}",
        f"articles/b.md: {wp.url}/?p={ids['part-b']}&preview=true",
    ]
    assert "the companion plugin is not active" in err and "need a login" in err

    position = wp.log_position()
    again, _ = preview(project, env, str(project.root / "articles/b.md"))
    assert again.splitlines() == [f"articles/b.md: {wp.url}/?p={ids['part-b']}&preview=true"]
    assert wp.writes_since(position) == []


def test_a_post_edited_on_the_site_is_not_previewed(wp, project):
    two_articles(wp, project)
    post = live(wp)["part-a"]
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"title": "An editor's title"})
    env = with_site(wp, project)
    out, err = preview(project, env, str(project.root / "articles/a.md"), expect=3)
    assert out.strip() == ""
    assert f"articles/a.md: post {post['id']} was edited in WordPress since the last publish" in err
    assert wp.api("GET", f"/wp/v2/posts/{post['id']}/autosaves") == []


def test_preview_paths_without_site_is_a_usage_error(project):
    project.write("a.md", article("Part A", OLD, slug="part-a"))
    result = CliRunner().invoke(cli, ["--config", str(project.config), "preview", "--json"])
    assert result.exit_code == 2
    assert "need --site NAME" in result.stderr
