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
    assert code == expect, out + err
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
    assert "-<p>Fixed in wp-admin.</p>" in out and "+<p>New local text.</p>" in out
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
    assert "may not create categories and tags (missing manage_categories)" in err
    assert wp.writes_since(position) == []
