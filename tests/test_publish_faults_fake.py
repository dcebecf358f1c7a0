"""publish() when WordPress refuses a write, loses an answer or is briefly unavailable.

A real server does not do these on demand; the in-memory WordPress does, at the exact
request a test names, so each test can say what a user would see afterwards: one post per
article, no second upload, an error on the refused article only.
"""

from __future__ import annotations

import contextlib

import pytest
import requests

from cms_sync.errors import CmsSyncError

from .conftest import REPO
from .fake_wordpress import FakeWordPress
from .publishing import article, kinds, managed, run

IMAGES = REPO / "tests" / "fixtures" / "series" / "articles" / "images"


def slug_is(slug: str):
    return lambda body: body.get("slug") == slug


def creates_of(site: FakeWordPress, slug: str) -> int:
    """How many times a create of ``slug`` reached the site (in batches or alone)."""
    return sum(
        1
        for call in site.calls
        if (call.method, call.route) == ("POST", "/wp/v2/posts") and call.body.get("slug") == slug
    )


@pytest.mark.parametrize(
    ("status", "code"), [(500, "db_insert_error"), (400, "rest_invalid_param")]
)
def test_a_write_refused_in_a_batch_is_one_error_and_the_others_land(project, status, code):
    site = FakeWordPress()
    project.write("a.md", article("a"))
    project.write("b.md", article("b"))
    project.write("c.md", article("c", "Next: [b](b.md)."))  # a second pass would resend b
    site.refuse("POST", "/wp/v2/posts", status=status, code=code, when=slug_is("b"))
    report = run(project, site)
    assert kinds(report) == {"a": "create", "b": "error", "c": "create"}
    assert report.exit_code == 1
    [error] = [o for o in report.outcomes if o.kind == "error"]
    assert f"HTTP {status} {code}" in error.error
    assert sorted(managed(site)) == ["a", "c"]
    assert creates_of(site, "b") == 1  # not sent again in the same run
    site.faults.clear()
    assert kinds(run(project, site)) == {"a": "unchanged", "b": "create", "c": "update"}
    assert f'href="{site.url}/b/"' in managed(site)["c"].content


def test_an_update_refused_in_a_batch_leaves_the_post_as_it_was(project):
    site = FakeWordPress()
    project.write("a.md", article("a", "Old a."))
    project.write("b.md", article("b", "Old b."))
    run(project, site)
    post = managed(site)["a"]
    project.write("a.md", article("a", "New a."))
    project.write("b.md", article("b", "New b."))
    site.refuse("PUT", f"/wp/v2/posts/{post.id}", status=500)
    report = run(project, site)
    assert kinds(report) == {"a": "error", "b": "update"}
    assert "Old a." in post.content and "New b." in managed(site)["b"].content
    site.faults.clear()
    assert kinds(run(project, site)) == {"a": "update", "b": "unchanged"}


@pytest.mark.parametrize("lost", [requests.ConnectionError, requests.ReadTimeout])
def test_a_lost_answer_to_a_batch_of_creates_makes_no_duplicate(project, lost):
    site = FakeWordPress()
    for slug in ("a", "b", "c"):
        project.write(f"{slug}.md", article(slug))
    site.lose_answer("POST", "/batch/v1", error=lost)  # WordPress created the posts
    report = run(project, site)
    assert kinds(report) == {"a": "create", "b": "create", "c": "create"}
    assert report.exit_code == 0
    assert sorted(p.slug for p in site.items("posts")) == ["a", "b", "c"]  # no a-2
    assert [creates_of(site, slug) for slug in ("a", "b", "c")] == [1, 1, 1]
    assert set(kinds(run(project, site)).values()) == {"unchanged"}


def test_a_lost_answer_to_the_second_batch_of_30_creates_makes_no_duplicate(project):
    site = FakeWordPress()
    slugs = [f"post-{n:02}" for n in range(30)]
    for slug in slugs:
        project.write(f"{slug}.md", article(slug))
    site.lose_answer("POST", "/batch/v1", when=lambda body: len(body["requests"]) == 5)
    report = run(project, site)
    assert set(kinds(report).values()) == {"create"} and len(report.outcomes) == 30
    assert sorted(p.slug for p in site.items("posts")) == slugs
    assert site.count("POST", "/wp/v2/posts", in_batch=True) == 30


def test_a_lost_answer_to_a_pattern_create_makes_no_second_pattern(project):
    site = FakeWordPress()
    project.write("a.md", article("a", comment_status="open"))
    site.lose_answer("POST", "/batch/v1")  # the first batch creates the notice pattern
    report = run(project, site)
    assert kinds(report) == {"notice:en": "create", "a": "create"}
    [pattern] = site.items("blocks")
    assert f'{{"ref":{pattern.id}}}' in managed(site)["a"].content


@pytest.mark.parametrize("fault", ["lost", "500"])
def test_an_upload_is_made_once_when_its_answer_is_lost_or_a_500(project, fault):
    site = FakeWordPress()
    (project.articles / "cover.png").write_bytes((IMAGES / "cover.png").read_bytes())
    project.write("a.md", article("a", "![c](cover.png)"))
    if fault == "lost":
        site.lose_answer("POST", "/wp/v2/media")  # WordPress stored the file
    else:
        site.refuse("POST", "/wp/v2/media", status=500, times=1)  # it stored nothing
    report = run(project, site)
    assert kinds(report) == {"a": "create"}
    [media] = site.items("media")
    assert media.file.endswith("-cover.png")  # not cover-1.png: a single upload kept
    assert f"/{media.file}" in managed(site)["a"].content
    uploads = site.count("POST", "/wp/v2/media")
    assert uploads == (1 if fault == "lost" else 2)


def test_a_503_to_a_batch_is_not_resent_blindly_but_after_a_look(project):
    site = FakeWordPress()
    project.write("a.md", article("a"))
    project.write("b.md", article("b"))
    site.unavailable("POST", "/batch/v1")  # nothing was created
    report = run(project, site)
    assert kinds(report) == {"a": "create", "b": "create"}
    assert sorted(managed(site)) == ["a", "b"]
    assert site.count("POST", "/batch/v1") == 2  # the second after a look at the site


def test_a_site_that_stays_unavailable_is_an_error_naming_the_maintenance_page(project):
    site = FakeWordPress()
    project.write("a.md", article("a"))
    site.unavailable("GET", "/wp/v2/users/me", times=None)
    with pytest.raises(Exception, match="HTML") as caught:
        run(project, site)
    assert "503" in str(caught.value)
    # The fake answers in place of the HTTP transport, where urllib3 retries (their tests:
    # test_wordpress_client.py, test_faults.py): here the first 503 is the last.
    assert site.count("GET", "/wp/v2/users/me") == 1 and site.writes() == []


def test_a_prune_whose_answer_was_lost_trashes_once_and_the_next_run_is_clean(project):
    site = FakeWordPress()
    project.write("keep.md", article("keep"))
    gone = project.write("gone.md", article("gone"))
    run(project, site)
    gone.unlink()
    site.lose_answer("POST", "/batch/v1")  # the DELETE ran; cms-sync does not know
    with contextlib.suppress(CmsSyncError):  # the run may end on the lost answer
        run(project, site, prune=True)
    assert [(p.slug, p.status) for p in site.items("posts", "trash")] == [
        ("gone__trashed", "trash")
    ]
    assert len(site.items("posts")) == 2
    site.calls.clear()
    assert kinds(run(project, site, prune=True)) == {"keep": "unchanged"}
    assert site.writes() == []


def test_a_site_that_refuses_batches_gets_the_writes_one_by_one(project):
    site = FakeWordPress()
    site.refuse("POST", "/batch/v1", status=404, code="rest_no_route")  # a host hides it
    for slug in ("a", "b", "c"):
        project.write(f"{slug}.md", article(slug, "See [a](a.md)."))
    report = run(project, site)
    assert kinds(report) == {"a": "create", "b": "create", "c": "create"}
    assert sorted(managed(site)) == ["a", "b", "c"]
    assert site.count("POST", "/batch/v1") == 1  # asked once, then never again in the run
    assert site.count("POST", "/wp/v2/posts") == 3
    assert set(kinds(run(project, site)).values()) == {"unchanged"}


def test_a_lost_answer_to_a_delete_sent_alone_stops_the_run_and_the_next_is_clean(project):
    site = FakeWordPress()
    site.refuse("POST", "/batch/v1", status=404, code="rest_no_route")
    project.write("keep.md", article("keep"))
    gone = project.write("gone.md", article("gone"))
    run(project, site)
    gone.unlink()
    # Trashed, the answer lost. Over HTTP urllib3 sends the DELETE again (a 410, counted as
    # trashed: test_wordpress_client.py proves the resend); the fake is not HTTP.
    site.lose_answer("DELETE", r"/wp/v2/posts/\d+")
    with pytest.raises(CmsSyncError, match=r"DELETE https://blog.example/wp-json/wp/v2/posts/\d+"):
        run(project, site, prune=True)
    assert [p.slug for p in site.items("posts", "trash")] == ["gone__trashed"]
    site.calls.clear()
    assert kinds(run(project, site, prune=True)) == {"keep": "unchanged"}
    assert site.writes() == []
