"""`cms-sync import` against the in-memory WordPress (fast tier): the files it writes pass
`check`, and when they cannot (comments open, no notice for the language) import says so
once, with what to do."""

from __future__ import annotations

from cms_sync.config import load_config
from cms_sync.project import load_project
from cms_sync.pull import import_posts

from .fake_wordpress import FakeWordPress


def editor_posts(site: FakeWordPress, *slugs: str) -> None:
    for slug in slugs:
        site.api("POST", "/wp/v2/posts", json={
            "title": slug.title(), "slug": slug, "status": "publish", "comment_status": "open",
            "content": "<p>Written in wp-admin.</p>",
        })  # fmt: skip


def imported(project, site: FakeWordPress):
    loaded, _ = load_project(load_config(project.config))
    report = import_posts(loaded, site.client(), project.articles)
    errors = [f for f in load_project(load_config(project.config))[1] if f.severity == "error"]
    return report, errors


def test_an_imported_post_with_comments_open_passes_check_and_names_its_language(project):
    site = FakeWordPress()
    editor_posts(site, "hello")
    report, errors = imported(project, site)
    assert [(r.kind, r.path, r.warnings) for r in report.results] == [
        ("imported", "articles/hello.md", [])
    ]
    text = (project.articles / "hello.md").read_text(encoding="utf-8")
    assert "comment_status: open\n" in text and "lang: en\n" in text
    assert errors == []


def test_without_a_notice_for_the_language_import_says_so_once(project):
    (project.articles / "notice.en.md").unlink()
    site = FakeWordPress()
    editor_posts(site, "hello", "other")
    report, errors = imported(project, site)
    warnings = [w for r in report.results for w in r.warnings]
    assert warnings == [
        "comments are open on 2 file(s) (hello.md, other.md) and the project has no "
        "comment-privacy notice for lang 'en', so check refuses them: add one (a file with "
        "kind: notice and that lang), or set comment_status: closed in them (publish then "
        "closes comments on the site)"
    ]
    assert [(f.path.name, f.message.split(";")[0]) for f in errors] == [
        (name, "comments are open but there is no notice for lang 'en'")
        for name in ("hello.md", "other.md")
    ]
