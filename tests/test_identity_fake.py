"""One post per article whatever editors do to its identity marker (fast tier, fake WordPress).

The block editor's Classic block wraps the marker in a paragraph, "Convert to blocks" deletes
it (6.1) or makes it escaped text in a paragraph (7.0), a REST client may replace the content
without it, and a post may be written in wp-admin at an article's slug before the first
publish. In every case publish must find the post, never create a second one beside it, and
say what to do. The same edits made in the real wp-admin are in test_coediting.py.
"""

from __future__ import annotations

from urllib.parse import quote

from .fake_wordpress import FakeWordPress
from .publishing import MARKER, article, kinds, run

SLUG = "kept"


def one_post(site: FakeWordPress) -> tuple[int, str]:
    posts = site.items("posts")
    assert [p.slug for p in posts] == [SLUG], "a second post was created"
    return posts[0].id, posts[0].content


def edit(site: FakeWordPress, post_id: int, content: str) -> None:
    site.api("POST", f"/wp/v2/posts/{post_id}", json={"content": content})


def published(project, site: FakeWordPress) -> tuple[int, str]:
    project.write("a.md", article(SLUG, "The first words."))
    assert kinds(run(project, site)) == {SLUG: "create"}
    return one_post(site)


def test_marker_wrapped_in_a_paragraph_is_still_found(project):
    site = FakeWordPress()
    post_id, content = published(project, site)
    body, comment = content.rsplit("\n", 1)
    edit(site, post_id, f"{body.replace('first', 'edited')}\n<p>{comment}</p>")
    report = run(project, site)
    assert kinds(report) == {SLUG: "conflict"} and report.exit_code == 3
    [outcome] = report.outcomes
    assert outcome.id == post_id and "edited in WordPress" in outcome.note
    one_post(site)


def test_marker_turned_into_escaped_text_by_convert_to_blocks_is_still_found(project):
    site = FakeWordPress()
    post_id, content = published(project, site)
    _, comment = content.rsplit("\n", 1)
    escaped = comment.replace("<", "&lt;").replace(">", "&gt;")
    blocks = (
        "<!-- wp:paragraph -->\n<p>The edited words.</p>\n<!-- /wp:paragraph -->\n\n"
        f"<!-- wp:paragraph -->\n<p>{escaped}</p>\n<!-- /wp:paragraph -->"
    )
    edit(site, post_id, blocks)
    report = run(project, site)
    assert kinds(report) == {SLUG: "conflict"}
    one_post(site)
    # --force writes the file's version over it, with a marker of its own, and no copy.
    assert kinds(run(project, site, force=True)) == {SLUG: "update"}
    _, content = one_post(site)
    assert content.count(MARKER) == 1 and "&lt;!--" not in content
    assert kinds(run(project, site)) == {SLUG: "unchanged"}


def test_marker_deleted_is_found_by_slug_and_is_a_conflict_not_a_copy(project):
    site = FakeWordPress()
    post_id, _ = published(project, site)
    edit(site, post_id, "<p>Rewritten through the REST API, no marker.</p>")
    report = run(project, site)
    assert kinds(report) == {SLUG: "conflict"} and report.exit_code == 3
    [outcome] = report.outcomes
    assert outcome.id == post_id and "no identity marker" in outcome.note
    one_post(site)
    assert kinds(run(project, site, adopt=True)) == {SLUG: "update"}
    _, content = one_post(site)
    assert MARKER in content and "The first words." in content
    assert kinds(run(project, site)) == {SLUG: "unchanged"}


def test_a_post_written_in_wp_admin_at_the_slug_is_never_duplicated(project):
    site = FakeWordPress()
    theirs = site.api(
        "POST", "/wp/v2/posts", json={"title": "Theirs", "slug": SLUG, "status": "draft",
                                      "content": "<p>Written in wp-admin.</p>"},
    )  # fmt: skip
    project.write("a.md", article(SLUG, "Ours."))
    report = run(project, site)
    assert kinds(report) == {SLUG: "conflict"} and report.exit_code == 3
    assert f"post {theirs['id']} holds this slug" in report.outcomes[0].note
    assert [p.id for p in site.items("posts")] == [theirs["id"]]
    assert site.writes() == []  # not even the post's terms: nothing is sent on a conflict


def test_a_bengali_slug_is_looked_up_as_wordpress_stores_it(project):
    site = FakeWordPress()
    slug = "ইকমার্স-ম্যানেজার"
    site.api(
        "POST", "/wp/v2/posts", json={"title": "x", "slug": slug, "status": "publish",
                                      "content": "<p>Theirs.</p>"},
    )  # fmt: skip
    assert site.items("posts")[0].slug == quote(slug).lower()  # stored percent-encoded
    project.write("b.md", article(slug, "Ours."))
    assert kinds(run(project, site)) == {slug: "conflict"}
    assert len(site.items("posts")) == 1


def test_the_slug_lookup_costs_nothing_when_every_article_has_its_post(project):
    site = FakeWordPress()
    for n in range(3):
        project.write(f"{n}.md", article(f"post-{n}"))
    run(project, site)
    site.calls.clear()
    assert set(kinds(run(project, site)).values()) == {"unchanged"}
    assert not [c for c in site.calls if "slug" in c.params]
