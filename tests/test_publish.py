"""publish and plan against a real WordPress (Debian's 6.1), one behaviour per test."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

pytestmark = pytest.mark.wordpress

NOTICE_BN = """\
---
kind: notice
lang: bn
controller: মিগুয়েল অ্যাঞ্জেল গাটান
purpose: স্প্যাম নিয়ন্ত্রণ, মন্তব্য পরিচালনা।
legal_basis: আপনার সম্মতি
recipients: আইনি বাধ্যবাধকতা ছাড়া তৃতীয় পক্ষকে জানানো হবে না।
storage: ওসেন্টাস নেটওয়ার্কস (ইইউ)
storage_region: EU
rights: সীমাবদ্ধ, পুনরুদ্ধার ও মুছে ফেলার অধিকার।
policy_url: https://example.org/privacy/
---
"""


def cms(wp, project, *args: str, role: str = "admin"):
    """Run cms-sync against the test site; return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, ["--config", str(project.config), *args], env=wp.env(role))
    return result.exit_code, result.stdout, result.stderr


def publish_json(wp, project, *args: str, role: str = "admin", expect: int = 0):
    code, out, err = cms(wp, project, "publish", "--json", *args, role=role)
    assert code == expect, f"{out}\n{err}"
    return json.loads(out)


def kinds(report) -> dict[str, str]:
    return {item["key"]: item["kind"] for item in report["items"]}


def article(title: str, body: str = "Body.", **front: str) -> str:
    lines = [f"title: {json.dumps(title, ensure_ascii=False)}"]
    front.setdefault("comment_status", "closed")
    front.setdefault("status", "publish")
    lines += [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def managed(wp) -> list[dict]:
    return [p for p in wp.posts() if "cms-sync:v1" in p["content"]["raw"]]


@pytest.mark.compat
def test_second_publish_writes_nothing(wp, project):
    project.write("a.md", article("First", "Hello *world*.", slug="first"))
    project.write("b.md", article("Second", "See [the first](a.md).", slug="second"))
    first = publish_json(wp, project)
    assert kinds(first) == {"first": "create", "second": "create"}
    [post] = [p for p in managed(wp) if p["slug"] == "second"]
    before = (post["modified_gmt"], wp.revisions(post["id"]))
    position = wp.log_position()
    second = publish_json(wp, project)
    assert kinds(second) == {"first": "unchanged", "second": "unchanged"}
    assert wp.writes_since(position) == []
    post = wp.api("GET", f"/wp/v2/posts/{post['id']}", params={"context": "edit"})
    assert (post["modified_gmt"], wp.revisions(post["id"])) == before


def test_long_bengali_title_without_slug_gives_exactly_one_post(wp, project):
    title = (
        "একটি ইকমার্স ম্যানেজারের অবশ্যই 7 পেশাদার দক্ষতা থাকতে হবে এবং "
        "আরও অনেক কিছু জানতে হবে যা এই দীর্ঘ শিরোনামে লেখা আছে"
    )
    project.write("bn.md", article(title, "লেখা।", lang="bn"))
    project.write("notice.bn.md", NOTICE_BN)
    publish_json(wp, project)
    report = publish_json(wp, project)
    assert [i["kind"] for i in report["items"] if i["item"] == "post"] == ["unchanged"]
    [post] = managed(wp)
    assert len(post["slug"]) <= 200
    assert unquote(post["slug"]) == "একটি-ইকমার্স-ম্যানেজারের"
    assert post["title"]["raw"] == title


def test_renamed_file_keeping_its_slug_updates_the_same_post(wp, project):
    path = project.write("old-name.md", article("Moving", "Before.", slug="moving"))
    publish_json(wp, project)
    [before] = managed(wp)
    path.rename(project.articles / "new-name.md")
    (project.articles / "new-name.md").write_text(article("Moving", "After.", slug="moving"))
    report = publish_json(wp, project)
    assert kinds(report) == {"moving": "update"}
    [after] = managed(wp)
    assert after["id"] == before["id"]
    assert "After." in after["content"]["raw"]
    assert "path=articles/new%2Dname.md" in after["content"]["raw"]


def test_changed_slug_same_file_updates_the_same_post(wp, project):
    project.write("a.md", article("Slugged", slug="old-slug"))
    publish_json(wp, project)
    project.write("a.md", article("Slugged", slug="new-slug"))
    report = publish_json(wp, project)
    assert kinds(report) == {"new-slug": "update"}
    [post] = managed(wp)
    assert post["slug"] == "new-slug"


@pytest.mark.compat
def test_edit_in_wordpress_is_a_conflict_left_alone_and_force_overwrites(wp, project):
    project.write("a.md", article("Edited on site", "Original text.", slug="edited"))
    project.write("b.md", article("Other", "Other text.", slug="other"))
    publish_json(wp, project)
    [post] = [p for p in managed(wp) if p["slug"] == "edited"]
    raw = post["content"]["raw"].replace("Original text.", "Fixed in wp-admin.")
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"content": raw})
    project.write("a.md", article("Edited on site", "New local text.", slug="edited"))
    project.write("b.md", article("Other", "Other text, changed.", slug="other"))
    code, out, _ = cms(wp, project, "publish")
    assert code == 3
    assert "conflict  post  edited" in out
    assert "[-Fixed in wp-admin.-]{+New local text.+}" in out  # a word diff of the markdown
    assert "cms-sync pull articles/a.md" in out and "publish --force articles/a.md" in out
    assert "update    post  other" in out
    site = wp.api("GET", f"/wp/v2/posts/{post['id']}", params={"context": "edit"})
    assert "Fixed in wp-admin." in site["content"]["raw"]
    [other] = [p for p in managed(wp) if p["slug"] == "other"]
    assert "Other text, changed." in other["content"]["raw"]
    report = publish_json(wp, project, "--force")
    assert kinds(report)["edited"] == "update"
    site = wp.api("GET", f"/wp/v2/posts/{post['id']}", params={"context": "edit"})
    assert "New local text." in site["content"]["raw"]
    assert kinds(publish_json(wp, project)) == {"edited": "unchanged", "other": "unchanged"}


@pytest.mark.compat
def test_author_without_unfiltered_html_gets_a_warning_then_unchanged(wp, project):
    body = (
        'Text.\n\n<iframe src="https://example.org/embed"></iframe>\n\n'
        "<style>p { color: red }</style>\n\n<script>alert(1)</script>"
    )
    project.write("a.md", article("By an author", body, slug="by-author", status="draft"))
    report = publish_json(wp, project, role="author")
    [item] = report["items"]
    assert item["kind"] == "create"
    assert "<iframe>" in item["warning"] and "<script>" in item["warning"]
    assert "<style>" in item["warning"]
    position = wp.log_position()
    again = publish_json(wp, project, role="author")
    assert kinds(again) == {"by-author": "unchanged"}
    assert wp.writes_since(position) == []


@pytest.mark.compat
def test_terms_by_name_are_created_once_and_statuses_apply(wp, project):
    project.write(
        "d.md",
        article(
            "Draft", slug="s-draft", status="draft", categories="[Guides, নতুন]", tags="[one, two]"
        ),
    )
    project.write(
        "p.md", article("Pending", slug="s-pending", status="pending", categories="[Guides]")
    )
    project.write(
        "l.md", article("Live", slug="s-live", status="publish", date="2024-01-02 03:04:05")
    )
    project.write("x.md", article("Private", slug="s-private", status="private"))
    project.write(
        "f.md", article("Later", slug="s-future", status="future", date="2099-01-01 09:00:00")
    )
    publish_json(wp, project)
    posts = {p["slug"]: p for p in managed(wp)}
    assert {s: posts[s]["status"] for s in posts} == {
        "s-draft": "draft",
        "s-pending": "pending",
        "s-live": "publish",
        "s-private": "private",
        "s-future": "future",
    }
    assert posts["s-live"]["date"] == "2024-01-02T03:04:05"
    assert posts["s-future"]["date"] == "2099-01-01T09:00:00"
    categories = {c["name"]: c["id"] for c in wp.api("GET", "/wp/v2/categories")}
    assert sorted(posts["s-draft"]["categories"]) == sorted(
        [categories["Guides"], categories["নতুন"]]
    )
    assert posts["s-pending"]["categories"] == [categories["Guides"]]
    tags = {t["name"] for t in wp.api("GET", "/wp/v2/tags")}
    assert tags == {"one", "two"}
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}


@pytest.mark.compat
def test_wrong_application_password_is_a_clear_error(wp, project):
    project.write("a.md", article("A"))
    env = {**wp.env(), "CMS_SYNC_APP_PASSWORD": "wrongwrongwrongwrongwrong"}
    result = CliRunner().invoke(cli, ["--config", str(project.config), "publish"], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: WordPress did not accept the application password")
    assert "wrongwrong" not in result.stderr + result.stdout
    assert managed(wp) == []


def test_missing_capability_is_named_before_any_write(wp, project):
    project.write("a.md", article("A", categories="[Brand new category]"))
    position = wp.log_position()
    code, _, err = cms(wp, project, "publish", role="author")
    assert code == 1
    assert "may not create categories (missing manage_categories)" in err
    assert wp.writes_since(position) == []


def test_an_author_may_create_tags(wp, project):
    project.write("a.md", article("A", tags="[Brand new tag]", status="draft"))
    assert kinds(publish_json(wp, project, role="author")) == {"a": "create"}
    assert [t["name"] for t in wp.api("GET", "/wp/v2/tags")] == ["Brand new tag"]


def rendered(wp, post_id: int, role: str = "admin") -> str:
    """content.rendered as the given user sees it (what themes and feeds show)."""
    import requests

    auth = (wp.state[role]["user"], wp.state[role]["app_password"])
    response = requests.get(f"{wp.url}/wp-json/wp/v2/posts/{post_id}", auth=auth, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["content"]["rendered"]


def commented(project, name: str, slug: str, body: str = "Text.") -> None:
    project.write(name, article(slug.title(), body, slug=slug, lang="bn", comment_status="open"))


@pytest.mark.compat
@pytest.mark.parametrize("role", ["admin", "author"])
def test_notice_is_one_synced_pattern_shown_in_every_post(wp, project, role):
    project.write("notice.bn.md", NOTICE_BN)
    commented(project, "a.md", "with-notice-a")
    commented(project, "b.md", "with-notice-b")
    project.write("c.md", article("Closed", slug="closed-comments", lang="bn"))
    report = publish_json(wp, project, role=role)
    assert kinds(report)["notice:bn"] == "create"
    [pattern] = [b for b in wp.posts(post_type="blocks") if "cms-sync:v1" in b["content"]["raw"]]
    posts = {p["slug"]: p for p in managed(wp)}
    assert posts["with-notice-a"]["comment_status"] == "open"
    assert posts["closed-comments"]["comment_status"] == "closed"
    for slug in ("with-notice-a", "with-notice-b"):
        assert f'<!-- wp:block {{"ref":{pattern["id"]}}} /-->' in posts[slug]["content"]["raw"]
        shown = rendered(wp, posts[slug]["id"], role)
        assert "ডেটার জন্য দায়বদ্ধ" in shown and "মিগুয়েল অ্যাঞ্জেল গাটান" in shown
    assert "ডেটার জন্য দায়বদ্ধ" not in rendered(wp, posts["closed-comments"]["id"], role)


@pytest.mark.compat
def test_notice_edit_is_one_pattern_write_and_no_post_update(wp, project):
    project.write("notice.bn.md", NOTICE_BN)
    commented(project, "a.md", "notice-edit-a")
    commented(project, "b.md", "notice-edit-b")
    publish_json(wp, project)
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}
    posts = {p["slug"]: p for p in managed(wp)}
    project.write("notice.bn.md", NOTICE_BN.replace("মিগুয়েল অ্যাঞ্জেল গাটান", "নতুন দায়িত্বশীল"))
    code, out, _ = cms(wp, project, "plan", "--json")
    assert code == 0
    assert kinds(json.loads(out)) == {
        "notice:bn": "update",
        "notice-edit-a": "unchanged",
        "notice-edit-b": "unchanged",
    }
    position = wp.log_position()
    publish_json(wp, project)
    writes = wp.writes_since(position)
    assert len(writes) == 1 and writes[0].startswith("POST /wp-json/batch/v1")
    for post in posts.values():
        assert "নতুন দায়িত্বশীল" in rendered(wp, post["id"])
        after = wp.api("GET", f"/wp/v2/posts/{post['id']}", params={"context": "edit"})
        assert after["modified_gmt"] == post["modified_gmt"]


def test_pattern_deleted_in_wp_admin_is_recreated_and_referenced(wp, project):
    project.write("notice.bn.md", NOTICE_BN)
    commented(project, "a.md", "pattern-gone")
    publish_json(wp, project)
    [pattern] = wp.posts(post_type="blocks")
    wp.api("DELETE", f"/wp/v2/blocks/{pattern['id']}", params={"force": "true"})
    report = publish_json(wp, project)
    assert kinds(report) == {"notice:bn": "create", "pattern-gone": "update"}
    [new] = wp.posts(post_type="blocks")
    [post] = managed(wp)
    assert f'{{"ref":{new["id"]}}}' in post["content"]["raw"]
    assert "ডেটার জন্য দায়বদ্ধ" in rendered(wp, post["id"])


def test_inline_notice_mode_updates_every_affected_post(wp, project):
    with project.config.open("a") as config:
        config.write('notice_mode = "inline"\n')
    project.write("notice.bn.md", NOTICE_BN)
    commented(project, "a.md", "inline-a")
    commented(project, "b.md", "inline-b")
    project.write("c.md", article("Closed", slug="inline-closed", lang="bn"))
    publish_json(wp, project)
    assert wp.posts(post_type="blocks") == []
    project.write("notice.bn.md", NOTICE_BN.replace("আপনার সম্মতি", "চুক্তি"))
    code, out, _ = cms(wp, project, "plan", "--json")
    assert code == 0
    assert kinds(json.loads(out)) == {
        "inline-a": "update",
        "inline-b": "update",
        "inline-closed": "unchanged",
    }
    assert {i["key"]: i.get("changes") for i in json.loads(out)["items"]}["inline-a"] == ["content"]
    report = publish_json(wp, project)
    assert kinds(report) == {
        "inline-a": "update",
        "inline-b": "update",
        "inline-closed": "unchanged",
    }
    for post in managed(wp):
        if post["slug"] != "inline-closed":
            assert "চুক্তি" in post["content"]["raw"]


def test_links_between_articles_become_live_permalinks(wp, project):
    project.write("one.md", article("One", "Next: [two](two.md#part).", slug="link-one"))
    project.write("two.md", article("Two", "Back to [one](one.md).", slug="link-two"))
    report = publish_json(wp, project)
    assert kinds(report) == {"link-one": "create", "link-two": "create"}
    posts = {p["slug"]: p for p in managed(wp)}
    assert f'href="{posts["link-two"]["link"]}#part"' in posts["link-one"]["content"]["raw"]
    assert f'href="{posts["link-one"]["link"]}"' in posts["link-two"]["content"]["raw"]
    assert posts["link-one"]["link"] == f"{wp.url}/link-one/"
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}


@pytest.mark.compat
def test_images_are_uploaded_once_and_reused_across_posts_and_runs(wp, project):
    from .conftest import REPO

    images = REPO / "tests" / "fixtures" / "series" / "articles" / "images"
    (project.articles / "img").mkdir()
    for name in ("funnel.png", "cover.png"):
        (project.articles / "img" / name).write_bytes((images / name).read_bytes())
    (project.articles / "img" / "copy-of-funnel.png").write_bytes(
        (images / "funnel.png").read_bytes()
    )
    project.write(
        "a.md",
        article(
            "Pictures A", "![f](img/funnel.png)", slug="pics-a", featured_image="img/cover.png"
        ),
    )
    project.write("b.md", article("Pictures B", "![f](img/copy-of-funnel.png)", slug="pics-b"))
    publish_json(wp, project)
    media = wp.api("GET", "/wp/v2/media", params={"per_page": 100})
    assert len(media) == 2
    by_id = {m["id"]: m for m in media}
    posts = {p["slug"]: p for p in managed(wp)}
    assert by_id[posts["pics-a"]["featured_media"]]["source_url"].endswith("cover.png")
    [funnel] = [m for m in media if m["source_url"].endswith("funnel.png")]
    for slug in ("pics-a", "pics-b"):
        assert f'src="{funnel["source_url"]}"' in posts[slug]["content"]["raw"]
    position = wp.log_position()
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}
    assert wp.writes_since(position) == []
    project.write("c.md", article("Pictures C", "![f](img/funnel.png)", slug="pics-c"))
    publish_json(wp, project)
    assert len(wp.api("GET", "/wp/v2/media", params={"per_page": 100})) == 2


def test_orphans_are_reported_and_pruned_to_the_trash(wp, project):
    project.write("keep.md", article("Keep", slug="orphan-keep"))
    gone = project.write("gone.md", article("Gone", slug="orphan-gone"))
    publish_json(wp, project)
    gone.unlink()
    code, out, _ = cms(wp, project, "plan", "--json")
    assert code == 0
    items = {i["key"]: i for i in json.loads(out)["items"]}
    assert items["orphan-gone"]["kind"] == "orphan"
    assert items["orphan-gone"]["path"] == "articles/gone.md"
    report = publish_json(wp, project, "--prune")
    assert kinds(report) == {"orphan-keep": "unchanged", "orphan-gone": "trash"}
    [trashed] = wp.posts(status="trash")
    assert trashed["slug"] == "orphan-gone__trashed"
    assert [p["slug"] for p in managed(wp)] == ["orphan-keep"]


def test_plan_writes_nothing_and_counts_requests(wp, project):
    for n in range(3):
        project.write(f"{n}.md", article(f"Plan {n}", slug=f"plan-{n}", categories="[Plans]"))
    position = wp.log_position()
    code, out, _ = cms(wp, project, "plan", "--json")
    assert code == 0
    report = json.loads(out)
    assert set(kinds(report).values()) == {"create"}
    assert report["requests"] == len(wp.requests_since(position)) > 0
    assert wp.writes_since(position) == []
    assert managed(wp) == []


def test_lost_answer_to_a_create_does_not_duplicate_posts(wp, project, monkeypatch):
    from cms_sync.wordpress import Client, WordPressError

    original = Client.batch
    calls = []

    def lose_first_answer(self, requests, *args):
        answers = original(self, requests, *args)  # WordPress really creates the posts
        calls.append(len(requests))
        if len(calls) == 1:
            raise WordPressError("POST /batch/v1: connection reset", status=None)
        return answers

    monkeypatch.setattr(Client, "batch", lose_first_answer)
    for n in range(3):
        project.write(f"{n}.md", article(f"Lost {n}", slug=f"lost-{n}"))
    report = publish_json(wp, project)
    assert set(kinds(report).values()) == {"create"}
    assert sorted(p["slug"] for p in managed(wp)) == ["lost-0", "lost-1", "lost-2"]
    assert calls == [3]


def test_paths_limit_the_run_to_those_articles(wp, project):
    first = project.write("a.md", article("Only this", slug="only-this"))
    project.write("b.md", article("Not this", slug="not-this"))
    code, out, err = cms(wp, project, "publish", "--json", str(first))
    assert code == 0, out + err
    assert kinds(json.loads(out)) == {"only-this": "create"}
    assert [p["slug"] for p in managed(wp)] == ["only-this"]
    # Without the other article's file in the run, the first post is not an orphan either.
    first.unlink()
    code, out, _ = cms(wp, project, "plan", "--json", str(project.articles / "b.md"))
    assert kinds(json.loads(out)) == {"not-this": "create"}


def test_an_authors_run_never_duplicates_an_editors_post(wp, project):
    project.write("a.md", article("Admin's", "First.", slug="admins-post"))
    publish_json(wp, project)  # as the Administrator
    project.write("b.md", article("Author's", slug="authors-post", status="draft"))
    report = publish_json(wp, project, role="author")
    assert kinds(report) == {"admins-post": "unchanged", "authors-post": "create"}
    assert "cannot see other users' unpublished posts" in report["warnings"][0]
    project.write("a.md", article("Admin's", "Changed.", slug="admins-post"))
    position = wp.log_position()
    report = publish_json(wp, project, role="author", expect=1)
    items = {i["key"]: i for i in report["items"]}
    assert items["authors-post"]["kind"] == "unchanged"
    assert items["admins-post"]["kind"] == "error"
    assert "may not edit it (missing edit_others_posts)" in items["admins-post"]["error"]
    assert wp.writes_since(position) == []
    assert sorted(p["slug"] for p in managed(wp)) == ["admins-post", "authors-post"]


def test_an_author_reuses_the_notice_pattern_an_editor_published(wp, project):
    project.write("notice.bn.md", NOTICE_BN)
    commented(project, "a.md", "editors-commented")
    publish_json(wp, project)
    [pattern] = wp.posts(post_type="blocks")
    commented(project, "b.md", "authors-commented")
    report = publish_json(wp, project, role="author")
    assert kinds(report)["notice:bn"] == "unchanged"
    assert len(wp.posts(post_type="blocks")) == 1
    [post] = [p for p in managed(wp) if p["slug"] == "authors-commented"]
    assert f'{{"ref":{pattern["id"]}}}' in post["content"]["raw"]
    assert "ডেটার জন্য দায়বদ্ধ" in rendered(wp, post["id"], "author")


@pytest.mark.compat
def test_a_post_trashed_in_wp_admin_is_a_conflict_not_a_new_post(wp, project):
    project.write("a.md", article("Trashed", slug="trashed-on-site"))
    publish_json(wp, project)
    [post] = managed(wp)
    wp.api("DELETE", f"/wp/v2/posts/{post['id']}")  # to the trash, as wp-admin does
    report = publish_json(wp, project, expect=3)
    [item] = report["items"]
    assert item["kind"] == "conflict" and "status" in item["changes"]
    assert [p["id"] for p in wp.posts(status="trash")] == [post["id"]]
    assert [p for p in managed(wp) if p["status"] != "trash"] == []
    report = publish_json(wp, project, "--force")
    restored = wp.api("GET", f"/wp/v2/posts/{post['id']}", params={"context": "edit"})
    assert (restored["status"], restored["slug"]) == ("publish", "trashed-on-site")
    assert kinds(publish_json(wp, project)) == {"trashed-on-site": "unchanged"}


TITLES = [
    "Hello World: Café & Crème!",
    "Ñandú — el ave más grande (2ª parte)",
    "একটি ইকমার্স ম্যানেজারের অবশ্যই 7 পেশাদার দক্ষতা থাকতে হবে",
    "ই-কমার্স: ৭টি দক্ষতা… এবং আরও",
    "100% «real» straße/Œuvre.v2",
]


@pytest.mark.compat
@pytest.mark.parametrize("title", TITLES)
def test_predicted_slug_is_what_wordpress_stores(wp, title):
    from cms_sync.slugs import wordpress_slug

    # WordPress's own slug for the title (published without a slug)...
    post = wp.api("POST", "/wp/v2/posts", json={"title": title, "status": "publish"})
    assert unquote(post["slug"]) == wordpress_slug(title)
    # ...and the slug cms-sync sends is stored as it is.
    wp.api("DELETE", f"/wp/v2/posts/{post['id']}", params={"force": "true"})
    sent = wp.api(
        "POST",
        "/wp/v2/posts",
        json={"title": "x", "slug": wordpress_slug(title), "status": "publish"},
    )
    assert unquote(sent["slug"]) == wordpress_slug(title)


def test_prune_whose_first_answer_was_lost_still_counts_as_trashed(wp, project, monkeypatch):
    from cms_sync.wordpress import Client

    project.write("keep.md", article("Keep", slug="lost-delete-keep"))
    gone = project.write("gone.md", article("Gone", slug="lost-delete-gone"))
    publish_json(wp, project)
    gone.unlink()
    original = Client.batch

    def delete_twice(self, requests, *args):
        if requests[0]["method"] != "DELETE":
            return original(self, requests, *args)
        original(self, requests)  # WordPress trashes the post; pretend the answer was lost
        return original(self, requests)  # the retry: 410 rest_already_trashed

    monkeypatch.setattr(Client, "batch", delete_twice)
    report = publish_json(wp, project, "--prune")
    assert kinds(report)["lost-delete-gone"] == "trash"
    assert [p["slug"] for p in wp.posts(status="trash")] == ["lost-delete-gone__trashed"]
