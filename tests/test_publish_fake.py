"""publish() against the in-memory WordPress: the fast tier of the publish behaviours.

The same behaviours are tested against a real WordPress in test_publish.py; these run in
milliseconds, so they can also cover runs a real server will not produce on demand.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli
from cms_sync.errors import CmsSyncError
from cms_sync.wordpress import Client

from .conftest import REPO
from .fake_wordpress import FakeWordPress
from .publishing import article, cli_env, kinds, managed, rendered, run, sent

IMAGES = REPO / "tests" / "fixtures" / "series" / "articles" / "images"


def test_first_publish_creates_every_post_and_one_notice_pattern(project):
    site = FakeWordPress()
    project.write("a.md", article("first", comment_status="open"))
    project.write("b.md", article("second", "Back to [the first](a.md).", comment_status="open"))
    project.write("c.md", article("closed"))
    report = run(project, site)
    assert kinds(report) == {
        "notice:en": "create",
        "first": "create",
        "second": "create",
        "closed": "create",
    }
    assert report.exit_code == 0
    [pattern] = site.items("blocks")
    posts = managed(site)
    assert sorted(posts) == ["closed", "first", "second"]
    for slug in ("first", "second"):
        assert f'<!-- wp:block {{"ref":{pattern.id}}} /-->' in posts[slug].content
        assert "Jane Doe" in rendered(site, posts[slug].id)  # the notice, under the post
    assert "Jane Doe" not in rendered(site, posts["closed"].id)
    assert f'href="{site.url}/first/"' in posts["second"].content
    urls = {o.key: o.url for o in report.outcomes}
    assert urls["first"] == f"{site.url}/first/"
    assert report.requests == site.count()


def test_second_publish_writes_nothing(project):
    site = FakeWordPress()
    for n in range(4):
        project.write(f"{n}.md", article(f"post-{n}", comment_status="open"))
    run(project, site)
    before = {p.id: p.modified for p in site.posts.values()}
    site.calls.clear()
    report = run(project, site)
    assert set(kinds(report).values()) == {"unchanged"}
    assert site.writes() == []
    assert {p.id: p.modified for p in site.posts.values()} == before


def test_a_no_op_publish_makes_as_many_requests_for_12_articles_as_for_2(make_project):
    counts = []
    for number in (2, 12):
        project, site = make_project(f"n{number}"), FakeWordPress()
        for n in range(number):
            project.write(f"{n}.md", article(f"post-{n}", categories="[News]", tags="[a, b]"))
        run(project, site)
        site.calls.clear()
        run(project, site)
        counts.append(site.count())
    # The REST index tells whether the companion plugin runs; the block types (content_format
    # "blocks") how the site's editor writes blocks.
    assert counts[0] == counts[1] <= 10


def test_more_than_100_posts_are_read_in_pages_and_none_is_created_twice(project):
    site = FakeWordPress()
    for n in range(105):
        project.write(f"{n:03}.md", article(f"post-{n:03}"))
    assert len(run(project, site).outcomes) == 105
    assert site.count("POST", "/batch/v1") == 5  # 25 writes a batch
    site.calls.clear()
    report = run(project, site)
    assert set(kinds(report).values()) == {"unchanged"} and len(report.outcomes) == 105
    pages = [c.params["page"] for c in site.calls if c.route == "/wp/v2/posts"]
    assert pages == ["1", "2"] and site.writes() == []


def test_a_changed_article_updates_only_its_post(project):
    site = FakeWordPress()
    for slug in ("a", "b", "c"):
        project.write(f"{slug}.md", article(slug))
    run(project, site)
    before = {p.slug: p.modified for p in site.items("posts")}
    project.write("b.md", article("b", "New text."))
    site.calls.clear()
    report = run(project, site)
    assert kinds(report) == {"a": "unchanged", "b": "update", "c": "unchanged"}
    [item] = [i for i in report.as_dict()["items"] if i["key"] == "b"]
    assert list(item["changes"]) == ["content"]
    posts = managed(site)
    assert sent(site) == [f"PUT /wp/v2/posts/{posts['b'].id}"]
    assert "New text." in posts["b"].content
    assert {s: p.modified for s, p in posts.items() if s != "b"} == {
        "a": before["a"],
        "c": before["c"],
    }


def test_an_edit_on_the_site_is_a_conflict_left_alone_and_force_overwrites(project):
    site = FakeWordPress()
    project.write("a.md", article("edited", "Original text."))
    project.write("b.md", article("other", "Other text."))
    run(project, site)
    post = managed(site)["edited"]
    content = post.content.replace("Original text.", "Fixed in wp-admin.")
    site.api("POST", f"/wp/v2/posts/{post.id}", json={"content": content})
    project.write("a.md", article("edited", "New local text."))
    project.write("b.md", article("other", "Other text, changed."))
    site.calls.clear()
    report = run(project, site)
    assert kinds(report) == {"edited": "conflict", "other": "update"}
    assert report.exit_code == 3
    [conflict] = [i for i in report.as_dict()["items"] if i["kind"] == "conflict"]
    # a word diff of the markdown, site against file
    assert "[-Fixed in wp-admin.-]{+New local text.+}" in conflict["diff"]
    assert sent(site) == [f"PUT /wp/v2/posts/{managed(site)['other'].id}"]
    assert "Fixed in wp-admin." in post.content
    report = run(project, site, force=True)
    assert kinds(report) == {"edited": "update", "other": "unchanged"}
    assert report.exit_code == 0
    assert "New local text." in post.content and "Fixed in wp-admin." not in post.content
    assert set(kinds(run(project, site)).values()) == {"unchanged"}


def test_a_post_trashed_on_the_site_is_a_conflict_not_a_new_post(project):
    site = FakeWordPress()
    project.write("a.md", article("trashed-on-site"))
    run(project, site)
    [post] = site.items("posts")
    site.api("DELETE", f"/wp/v2/posts/{post.id}")  # to the trash, as wp-admin does
    site.calls.clear()
    report = run(project, site)
    [outcome] = report.outcomes
    assert (outcome.kind, outcome.id, report.exit_code) == ("conflict", post.id, 3)
    assert "status" in report.as_dict()["items"][0]["changes"]
    assert site.writes() == []
    assert site.items("posts") == [post]
    report = run(project, site, force=True)
    assert kinds(report) == {"trashed-on-site": "update"}
    assert (post.status, post.slug) == ("publish", "trashed-on-site")
    assert site.items("posts") == [post]


def test_an_orphan_is_reported_and_prune_moves_it_to_the_trash(project):
    site = FakeWordPress()
    project.write("keep.md", article("keep"))
    gone = project.write("gone.md", article("gone"))
    run(project, site)
    orphan = managed(site)["gone"]
    gone.unlink()
    site.calls.clear()
    report = run(project, site)
    assert kinds(report) == {"keep": "unchanged", "gone": "orphan"}
    [outcome] = [o for o in report.outcomes if o.kind == "orphan"]
    assert (outcome.id, outcome.path, report.exit_code) == (orphan.id, "articles/gone.md", 0)
    assert site.writes() == [] and orphan.status == "publish"
    report = run(project, site, prune=True)
    assert kinds(report) == {"keep": "unchanged", "gone": "trash"}
    assert (orphan.status, orphan.slug) == ("trash", "gone__trashed")  # never deleted for good
    assert kinds(run(project, site)) == {"keep": "unchanged"}  # the trash holds no orphans


def test_dry_run_writes_nothing_and_says_what_publish_would_do(project):
    site = FakeWordPress()
    (project.articles / "cover.png").write_bytes((IMAGES / "cover.png").read_bytes())
    project.write("a.md", article("a", "![c](cover.png)", categories="[New]", tags="[new]"))
    project.write("b.md", article("b", comment_status="open"))
    report = run(project, site, dry_run=True)
    assert kinds(report) == {"notice:en": "create", "a": "create", "b": "create"}
    assert report.dry_run and report.requests == site.count() > 0
    assert site.writes() == [] and site.posts == {} and len(site.terms) == 1
    run(project, site)
    project.write("a.md", article("a", "Changed."))
    site.calls.clear()
    assert kinds(run(project, site, dry_run=True))["a"] == "update"
    assert site.writes() == []
    assert "Changed." not in managed(site)["a"].content


def test_only_limits_the_run_to_those_articles_and_reports_no_orphans(project):
    site = FakeWordPress()
    first = project.write("a.md", article("a"))
    project.write("b.md", article("b"))
    gone = project.write("c.md", article("c"))
    run(project, site)
    project.write("a.md", article("a", "A changed."))
    project.write("b.md", article("b", "B changed."))
    gone.unlink()
    report = run(project, site, only=[first], prune=True)
    assert kinds(report) == {"a": "update"}
    posts = managed(site)
    assert "A changed." in posts["a"].content and "B changed." not in posts["b"].content
    assert posts["c"].status == "publish"


def test_terms_are_found_by_name_and_an_existing_one_is_not_created_twice(project):
    site = FakeWordPress()
    guides = site.api("POST", "/wp/v2/categories", json={"name": "Guides", "slug": "how-to"})
    project.write("a.md", article("a", categories="[Guides, Café & Crème]", tags="[one]"))
    report = run(project, site)
    assert kinds(report) == {"a": "create"}
    categories = {t.name: t.id for t in site.terms.values() if t.taxonomy == "category"}
    assert sorted(categories) == ["Café &amp; Crème", "Guides", "Uncategorized"]
    assert categories["Guides"] == guides["id"]
    post = managed(site)["a"]
    assert sorted(post.categories) == sorted([guides["id"], categories["Café &amp; Crème"]])
    site.calls.clear()
    assert kinds(run(project, site)) == {"a": "unchanged"}
    assert site.writes() == []


def test_images_are_uploaded_once_and_reused_across_posts_and_runs(project):
    site = FakeWordPress()
    (project.articles / "img").mkdir()
    for name in ("funnel.png", "cover.png"):
        (project.articles / "img" / name).write_bytes((IMAGES / name).read_bytes())
    (project.articles / "img" / "copy.png").write_bytes((IMAGES / "funnel.png").read_bytes())
    project.write("a.md", article("a", "![f](img/funnel.png)", featured_image="img/cover.png"))
    project.write("b.md", article("b", "![f](img/copy.png)"))
    run(project, site)
    media = {m.id: m for m in site.items("media")}
    assert len(media) == 2
    posts = managed(site)
    assert media[posts["a"].featured_media].file.endswith("cover.png")
    [funnel] = [m for m in media.values() if m.file.endswith("funnel.png")]
    url = site.api("GET", "/wp/v2/media")[0]["source_url"].rsplit("/", 1)[0] + "/" + funnel.file
    assert all(f'src="{url}"' in posts[slug].content for slug in ("a", "b"))
    site.calls.clear()
    assert set(kinds(run(project, site)).values()) == {"unchanged"}
    assert site.writes() == []


def test_a_notice_edit_is_one_pattern_write_and_no_post_update(project):
    site = FakeWordPress()
    project.write("a.md", article("a", comment_status="open"))
    project.write("b.md", article("b", comment_status="open"))
    run(project, site)
    notice = project.articles / "notice.en.md"
    notice.write_text(notice.read_text().replace("Jane Doe", "Joan Roe"))
    site.calls.clear()
    report = run(project, site)
    assert kinds(report) == {"notice:en": "update", "a": "unchanged", "b": "unchanged"}
    [pattern] = site.items("blocks")
    assert sent(site) == [f"PUT /wp/v2/blocks/{pattern.id}"]
    assert all("Joan Roe" in rendered(site, p.id) for p in managed(site).values())


def test_a_pattern_deleted_on_the_site_is_created_again_and_referenced(project):
    site = FakeWordPress()
    project.write("a.md", article("a", comment_status="open"))
    run(project, site)
    [old] = site.items("blocks")
    site.api("DELETE", f"/wp/v2/blocks/{old.id}", force="true")
    report = run(project, site)
    assert kinds(report) == {"notice:en": "create", "a": "update"}
    [new] = site.items("blocks")
    assert f'{{"ref":{new.id}}}' in managed(site)["a"].content
    assert "Jane Doe" in rendered(site, managed(site)["a"].id)


def test_a_site_without_pretty_permalinks_is_reached_through_rest_route(project):
    site = FakeWordPress(pretty_permalinks=False)
    project.write("a.md", article("a"))
    project.write("b.md", article("b", "See [a](a.md)."))
    assert kinds(run(project, site)) == {"a": "create", "b": "create"}
    assert f'href="{site.url}/?p={managed(site)["a"].id}"' in managed(site)["b"].content
    assert set(kinds(run(project, site)).values()) == {"unchanged"}


def test_a_wrong_application_password_is_a_clear_error_and_nothing_is_written(project):
    site = FakeWordPress()
    project.write("a.md", article("a"))
    client = Client(site.url, "admin", "wrong wrong wrong", session=site.session())
    with pytest.raises(CmsSyncError, match="did not accept the application password") as caught:
        run(project, site, client=client)
    assert "wrong" not in str(caught.value)
    assert site.writes() == []


# -- an Author (no edit_others_posts, no unfiltered_html, no manage_categories) -----------------


def test_an_author_never_duplicates_a_post_an_editor_published(project):
    site = FakeWordPress()
    project.write("a.md", article("editors-post", "First."))
    run(project, site, "editor")
    project.write("b.md", article("authors-post", status="draft"))
    report = run(project, site, "author")
    assert kinds(report) == {"editors-post": "unchanged", "authors-post": "create"}
    assert "cannot see other users' unpublished posts" in report.warnings[0]
    assert sorted(managed(site)) == ["authors-post", "editors-post"]
    project.write("a.md", article("editors-post", "Changed."))
    site.calls.clear()
    report = run(project, site, "author")
    outcomes = {o.key: o for o in report.outcomes}
    assert outcomes["authors-post"].kind == "unchanged"
    assert outcomes["editors-post"].kind == "error" and report.exit_code == 1
    assert "may not edit it (missing edit_others_posts)" in outcomes["editors-post"].error
    assert site.writes() == []
    assert sorted(managed(site)) == ["authors-post", "editors-post"]


def test_an_author_reuses_the_notice_pattern_an_editor_published(project):
    site = FakeWordPress()
    project.write("a.md", article("editors", comment_status="open"))
    run(project, site, "editor")
    project.write("b.md", article("authors", comment_status="open"))
    report = run(project, site, "author")
    assert kinds(report) == {"notice:en": "unchanged", "editors": "unchanged", "authors": "create"}
    [pattern] = site.items("blocks")
    post = managed(site)["authors"]
    assert f'{{"ref":{pattern.id}}}' in post.content
    assert "Jane Doe" in rendered(site, post.id, "author")


def test_markup_wordpress_strips_for_an_author_is_a_warning_then_unchanged(project):
    site = FakeWordPress()
    body = 'Text.\n\n<iframe src="https://example.org/x"></iframe>\n\n<script>alert(1)</script>'
    project.write("a.md", article("by-author", body, status="draft"))
    [outcome] = run(project, site, "author").outcomes
    assert outcome.kind == "create"
    assert "<iframe>" in outcome.warning and "<script>" in outcome.warning
    assert "<iframe" not in managed(site)["by-author"].content
    site.calls.clear()
    assert kinds(run(project, site, "author")) == {"by-author": "unchanged"}
    assert site.writes() == []


def test_an_author_who_may_not_create_terms_is_told_before_any_write(project):
    site = FakeWordPress()
    project.write("a.md", article("a", categories="[Brand new]"))
    with pytest.raises(
        CmsSyncError, match=r"may not create categories \(missing manage_categories\)"
    ):
        run(project, site, "author")
    assert site.writes() == []


def test_an_author_may_create_tags_wordpress_lets_them_assign(project):
    site = FakeWordPress()
    project.write("a.md", article("a", tags="[Brand new tag]"))
    assert kinds(run(project, site, "author")) == {"a": "create"}
    assert [t["name"] for t in site.api("GET", "/wp/v2/tags")] == ["Brand new tag"]


# -- the command line -------------------------------------------------------------------------


def test_the_cli_exits_3_on_a_conflict(project, monkeypatch):
    site = FakeWordPress()
    site.install(monkeypatch)
    project.write("a.md", article("a", "Text."))
    env = cli_env(project, site)

    def cms(*args: str):
        return CliRunner().invoke(cli, ["--config", str(project.config), *args], env=env)

    assert cms("publish").exit_code == 0
    post = managed(site)["a"]
    site.api("POST", f"/wp/v2/posts/{post.id}", json={"title": "Renamed in wp-admin"})
    project.write("a.md", article("a", "Text, changed."))
    result = cms("plan")
    assert result.exit_code == 3, result.output
    assert "conflict" in result.stdout and "Renamed in wp-admin" in result.stdout
    assert cms("publish").exit_code == 3
    assert post.title == "Renamed in wp-admin"
    assert cms("publish", "--force").exit_code == 0
    assert post.title == "A"
