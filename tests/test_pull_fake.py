"""`cms-sync pull` against the in-memory WordPress (fast tier): an edit made on the site comes
back into its file, the next plan writes nothing, and a later edit of the file publishes
without a conflict. Nothing is written when something fails. The same against the real
WordPress and the real wp-admin is in test_pull.py and test_coediting.py."""

from __future__ import annotations

import pytest

from cms_sync.config import load_config
from cms_sync.errors import CmsSyncError
from cms_sync.project import load_project
from cms_sync.pull import import_posts, pull

from .fake_wordpress import FakeWordPress
from .publishing import MARKER, article, kinds, run


def pull_all(project, site: FakeWordPress, **options):
    loaded, findings = load_project(load_config(project.config))
    assert not [f for f in findings if f.severity == "error"], findings
    options.setdefault("dirty", lambda paths: [])
    return pull(loaded, site.client(), **options)


def post_of(site: FakeWordPress, slug: str):
    [post] = [p for p in site.items("posts") if p.slug == slug]
    return post


def edit(site: FakeWordPress, slug: str, **fields) -> None:
    site.api("POST", f"/wp/v2/posts/{post_of(site, slug).id}", json=fields)


def test_an_edit_on_the_site_comes_home_and_the_next_plan_writes_nothing(project):
    site = FakeWordPress()
    path = project.write("a.md", article("story", "The *first* words.\n\n- one\n- two"))
    run(project, site)
    post = post_of(site, "story")
    edit(site, "story", title="A better title",
         content=post.content.replace("first", "edited"))  # fmt: skip
    assert kinds(run(project, site, dry_run=True)) == {"story": "conflict"}
    report = pull_all(project, site)
    assert [(r.kind, r.path) for r in report.results] == [("pulled", "articles/a.md")]
    text = path.read_text(encoding="utf-8")
    assert "The *edited* words." in text and "title: A better title" in text
    assert "pulled: {state:" in text and MARKER not in text
    site.calls.clear()
    assert kinds(run(project, site, dry_run=True)) == {"story": "unchanged"}
    assert kinds(run(project, site)) == {"story": "unchanged"}
    assert site.writes() == []
    # A later edit of the file publishes without a conflict, over the editor's version.
    path.write_text(text.replace("- two", "- two\n- three"), encoding="utf-8")
    assert kinds(run(project, site)) == {"story": "update"}
    assert "<li>three</li>" in post_of(site, "story").content
    assert kinds(run(project, site)) == {"story": "unchanged"}


def test_a_new_title_in_a_series_is_pulled_and_the_navigation_agrees(project):
    site = FakeWordPress()
    series = "{name: Guide, part: %d}"
    path = project.write("a.md", article("part-one", "One.", series=series % 1))
    project.write("b.md", article("part-two", "Two.", series=series % 2))
    run(project, site)
    edit(site, "part-one", title="Part one, renamed")
    pull_all(project, site)
    assert "title: Part one, renamed" in path.read_text(encoding="utf-8")
    # Both posts list the parts by title: part two's navigation now needs the new title.
    assert kinds(run(project, site, dry_run=True)) == {"part-one": "unchanged",
                                                       "part-two": "update"}  # fmt: skip


def test_pull_rewrites_only_the_front_matter_lines_that_changed(project):
    site = FakeWordPress()
    front = (
        '---\ntitle: "Kept: as written"  # a comment\nslug: kept\nstatus: publish\n'
        "comment_status: closed\ntags:\n  - one\n  - two\n---\n"
    )
    path = project.write("a.md", front + "\nOld body.\n")
    run(project, site)
    edit(site, "kept", content="<p>New body.</p>")
    pull_all(project, site)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[:8] == front.split("\n")[:8]  # every line as written, comment included
    assert lines[8].startswith("pulled: {state: ") and lines[9] == "---"
    assert lines[11] == "New body."


def test_an_unchanged_post_leaves_its_file_alone(project):
    site = FakeWordPress()
    path = project.write("a.md", article("same", "Text."))
    run(project, site)
    before = path.read_bytes()
    report = pull_all(project, site)
    assert [r.kind for r in report.results] == ["unchanged"]
    assert path.read_bytes() == before


def test_a_post_without_its_marker_is_pulled_then_given_it_back_once(project):
    """Pulled, file and post agree; the next publish writes the post once, only to put the
    marker back, so that a later slug change updates it instead of making a second post."""
    site = FakeWordPress()
    path = project.write("a.md", article("lost", "Old."))
    run(project, site)
    edit(site, "lost", content="<p>Rewritten in wp-admin, marker gone.</p>")
    assert kinds(run(project, site, dry_run=True)) == {"lost": "conflict"}
    pull_all(project, site)
    assert "Rewritten in wp-admin, marker gone." in path.read_text(encoding="utf-8")
    [update] = [o for o in run(project, site).outcomes if o.kind == "update"]
    assert (update.key, update.changes) == ("lost", ("identity",))
    assert MARKER in site.items("posts")[0].content
    assert kinds(run(project, site)) == {"lost": "unchanged"}
    path.write_text(path.read_text("utf-8").replace("slug: lost", "slug: found"))
    assert kinds(run(project, site)) == {"found": "update"}
    assert [p.slug for p in site.items("posts")] == ["found"]


def test_a_post_written_in_wp_admin_at_the_slug_can_be_taken_into_the_file(project):
    site = FakeWordPress()
    site.api("POST", "/wp/v2/posts", json={
        "title": "Theirs", "slug": "theirs", "status": "publish", "comment_status": "closed",
        "content": "<p>Mine now.</p>",
    })  # fmt: skip
    path = project.write("a.md", article("theirs", "Ours."))
    assert kinds(run(project, site, dry_run=True)) == {"theirs": "conflict"}
    pull_all(project, site)
    assert "Mine now." in path.read_text(encoding="utf-8")
    assert kinds(run(project, site)) == {"theirs": "update"}  # the marker, once
    assert kinds(run(project, site)) == {"theirs": "unchanged"}
    assert len(site.items("posts")) == 1


def test_a_file_with_uncommitted_changes_is_not_overwritten_unless_forced(project):
    site = FakeWordPress()
    path = project.write("a.md", article("dirty", "Old."))
    run(project, site)
    edit(site, "dirty", content="<p>New on the site.</p>")
    before = path.read_bytes()
    with pytest.raises(CmsSyncError, match=r"articles/a.md: uncommitted changes.*--force"):
        pull_all(project, site, dirty=lambda paths: paths)
    assert path.read_bytes() == before
    pull_all(project, site, dirty=lambda paths: paths, force=True)
    assert "New on the site." in path.read_text(encoding="utf-8")


def test_a_site_failure_during_pull_leaves_every_file_as_it_was(project):
    site = FakeWordPress()
    paths = [project.write(f"{n}.md", article(f"p-{n}", "Old.")) for n in range(2)]
    run(project, site)
    for n in range(2):
        edit(site, f"p-{n}", content="<p>New.</p>")
    before = [p.read_bytes() for p in paths]
    site.unavailable("GET", "/wp/v2/categories", times=None)
    with pytest.raises(CmsSyncError):
        pull_all(project, site)
    assert [p.read_bytes() for p in paths] == before


def test_markup_without_a_markdown_form_is_kept_and_named(project):
    site = FakeWordPress()
    path = project.write("a.md", article("raw", "Text."))
    run(project, site)
    edit(site, "raw", content='<p>Text.</p>\n\n[gallery ids="1,2"]\n\n<p style="color:red">Red</p>')
    report = pull_all(project, site)
    text = path.read_text(encoding="utf-8")
    assert '[gallery ids="1,2"]' in text and 'style="color:red"' in text
    assert report.results[0].warnings and all(
        w.startswith(f"{site.url}/raw/") for w in report.results[0].warnings
    )
    # edit() replaced the whole content, marker included: written once to put it back
    assert kinds(run(project, site)) == {"raw": "update"}
    assert kinds(run(project, site)) == {"raw": "unchanged"}


def test_an_edited_notice_goes_back_into_its_fields(project):
    site = FakeWordPress()
    project.write("a.md", article("open", "Text.", comment_status="open"))
    run(project, site)
    [pattern] = site.items("blocks")
    site.api("POST", f"/wp/v2/blocks/{pattern.id}",
             json={"content": pattern.content.replace("Jane Doe", "Jane Roe")})  # fmt: skip
    assert kinds(run(project, site, dry_run=True))["notice:en"] == "conflict"
    pull_all(project, site)
    notice = (project.articles / "notice.en.md").read_text(encoding="utf-8")
    assert "controller: Jane Roe" in notice and "pulled:" in notice
    assert set(kinds(run(project, site)).values()) == {"unchanged"}


def test_import_turns_posts_written_in_wp_admin_into_files_publish_then_creates_nothing(project):
    site = FakeWordPress()
    news = site.api("POST", "/wp/v2/categories", json={"name": "News"})["id"]
    for slug, categories in (("hello", [news]), ("other", [])):
        site.api("POST", "/wp/v2/posts", json={
            "title": slug.title(), "slug": slug, "status": "publish", "categories": categories,
            "comment_status": "closed", "content": f"<p>Written in wp-admin: <em>{slug}</em>.</p>",
        })  # fmt: skip
    project.write("mine.md", article("mine", "Mine."))
    run(project, site)
    loaded, _ = load_project(load_config(project.config))
    report = import_posts(loaded, site.client(), project.articles, categories=["News"])
    assert [(r.kind, r.path) for r in report.results] == [("imported", "articles/hello.md")]
    text = (project.articles / "hello.md").read_text(encoding="utf-8")
    assert "Written in wp-admin: *hello*." in text and "categories: [News]" in text
    assert not (project.articles / "other.md").exists()
    site.calls.clear()
    # taken over: written once, only to carry the marker; nothing created
    assert kinds(run(project, site)) == {"mine": "unchanged", "hello": "update"}
    [hello] = [p for p in site.items("posts") if p.slug == "hello"]
    assert len(site.items("posts")) == 3 and MARKER in hello.content
    site.calls.clear()
    assert kinds(run(project, site)) == {"mine": "unchanged", "hello": "unchanged"}
    assert site.writes() == [] and len(site.items("posts")) == 3
    loaded, _ = load_project(load_config(project.config))
    again = import_posts(loaded, site.client(), project.articles, categories=["News"])
    assert again.results == []  # the post is an article now: nothing left to import


def test_import_names_a_category_the_site_does_not_have(project):
    site = FakeWordPress()
    loaded, _ = load_project(load_config(project.config))
    with pytest.raises(CmsSyncError, match="no categories named Nope"):
        import_posts(loaded, site.client(), project.articles, categories=["Nope"])


def test_import_filters_by_author_and_status(project):
    site = FakeWordPress()
    for user, status in (("admin", "publish"), ("editor", "publish"), ("editor", "draft")):
        site.api("POST", "/wp/v2/posts", user, json={
            "title": f"{user} {status}", "slug": f"{user}-{status}", "status": status,
            "comment_status": "closed", "content": "<p>Text.</p>",
        })  # fmt: skip
    loaded, _ = load_project(load_config(project.config))
    login = site.users["editor"].login
    report = import_posts(loaded, site.client(), project.articles, author=login, status="publish")
    assert [r.path for r in report.results] == ["articles/editor-publish.md"]
    with pytest.raises(CmsSyncError, match="no user 'nobody'"):
        import_posts(loaded, site.client(), project.articles, author="nobody")


def test_a_hostile_image_name_cannot_leave_the_images_folder():
    from cms_sync.drafts import safe_file_name

    assert safe_file_name("../../.ssh/authorized_keys", "image") == "ssh-authorized_keys"
    assert safe_file_name("..", "image") == "image"
    assert safe_file_name("ছবি ১.png", "image") == "ছবি-১.png"  # Bengali names stay readable


def test_a_title_wordpress_escaped_comes_back_as_text(project):
    site = FakeWordPress()
    path = project.write("a.md", article("qa", "Text."))
    run(project, site)
    edit(site, "qa", title="Q&amp;A <em>now</em>")
    report = pull_all(project, site)
    assert "title: Q&A now" in path.read_text(encoding="utf-8")
    assert "markup in the title was left out" in report.results[0].warnings[0]
    _, findings = load_project(load_config(project.config))
    assert not [f for f in findings if f.severity == "error"]  # check accepts the pulled file
