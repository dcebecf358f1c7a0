"""The companion plugin (wordpress-plugin/) on the real WordPress, 6.1 and (compat) 7.0.4.

What the plugin promises cms-sync and readers, through HTTP as they meet it: the REST
namespace and its info, identity meta that only those who can edit the post see, the
`cms_sync_managed` list filter, writes refused with 412 when the post changed since it was
read (alone and inside /batch/v1), the consent checkbox checked by the server, the notice
under the comment form with the form in the notice's language in a block and a classic
theme, and what editors see in wp-admin. The fixtures' posts, patterns and meta are made
here through REST, as the Administrator; publish with the plugin is in
test_companion_publish.py.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import COMPANION_SOURCE
from .wordpress_site import load_harness

pytestmark = pytest.mark.compat

HEADER = "X-CMS-Sync-If-Unmodified-Since"
PATH = "articles/01-managed.md"
IDENTITY = "key=managed path=articles/01%2Dmanaged.md source=3f2a stored=9c1b fields=content"
LABELS = {  # templates/i18n/bn.yaml, as cms-sync stores them on the Bengali notice pattern
    "title_reply": "আপনার মন্তব্য দিন",
    "email_note": "আপনার ইমেল ঠিকানা প্রকাশিত হবে না। প্রয়োজনীয় ক্ষেত্রগুলি দিয়ে চিহ্নিত করা *",
    "comment": "মন্তব্য",
    "name": "নাম",
    "email": "ইমেল",
    "submit": "মন্তব্য প্রকাশ করুন",
    "notice_title": "ডেটা সুরক্ষা সম্পর্কে মৌলিক তথ্য",
    "consent": "আমি এই তথ্য পড়েছি এবং সম্মতি দিচ্ছি",
}
NOTICE_HTML = '<aside class="cms-sync-notice" lang="bn"><ol><li>দায়বদ্ধ: মিগুয়েল</li></ol></aside>'
CLASSIC_THEME = "twentytwentyone"  # Debian's wordpress-theme-twentytwentyone


def rest(wp, method: str, route: str, session: requests.Session | None = None, **kwargs: Any):
    """One REST request as the admin (or the given session); the answer, whatever its status."""
    session = session if session is not None else wp.session
    return session.request(method, f"{wp.url}/wp-json{route}", timeout=30, **kwargs)


def as_author(wp) -> requests.Session:
    session = requests.Session()
    session.auth = (wp.state["author"]["user"], wp.state["author"]["app_password"])
    return session


def notice_pattern(wp, *, consent: bool = True) -> int:
    """A published Bengali notice pattern with the comment form's labels."""
    return wp.api(
        "POST",
        "/wp/v2/blocks",
        json={
            "title": "notice:bn",
            "status": "publish",
            "content": NOTICE_HTML,
            "meta": {
                "_cms_sync_identity": "key=notice%3Abn path=articles/notice.bn.md stored=b",
                "_cms_sync_labels": json.dumps(LABELS, ensure_ascii=False),
                "_cms_sync_consent": consent,
            },
        },
    )["id"]


def managed_post(wp, notice: int = 0, **fields: Any) -> dict[str, Any]:
    """A published post with identity meta (and a notice pattern), as cms-sync makes it."""
    body = {
        "title": "Managed",
        "status": "publish",
        "content": "<p>Ours.</p>",
        "comment_status": "open",
        "meta": {"_cms_sync_identity": IDENTITY, "_cms_sync_notice": notice},
        **fields,
    }
    return wp.api("POST", "/wp/v2/posts", json=body)


def edit_view(wp, post_id: int, base: str = "posts") -> dict[str, Any]:
    return wp.api("GET", f"/wp/v2/{base}/{post_id}", params={"context": "edit"})


# The REST interface -------------------------------------------------------------------------


def test_the_namespace_is_in_the_rest_index_and_info_answers_editors_only(companion):
    wp = companion
    assert "cms-sync/v1" in requests.get(f"{wp.url}/wp-json/", timeout=30).json()["namespaces"]
    assert wp.api("GET", "/cms-sync/v1/info") == {
        "version": "0.4.0",
        "features": ["identity-meta", "precondition", "notice", "consent", "preview"],
    }
    assert rest(wp, "GET", "/cms-sync/v1/info", as_author(wp)).status_code == 200
    assert rest(wp, "GET", "/cms-sync/v1/info", requests.Session()).status_code == 401


def test_without_the_plugin_there_is_no_namespace_and_no_meta(wp):
    assert "cms-sync/v1" not in wp.api("GET", "/")["namespaces"]
    post = wp.api("POST", "/wp/v2/posts", json={"title": "x"})
    assert not any(key.startswith("_cms_sync") for key in edit_view(wp, post["id"])["meta"])


def test_identity_meta_is_seen_only_by_who_can_edit_the_post(companion):
    wp = companion
    post = managed_post(wp)
    assert edit_view(wp, post["id"])["meta"]["_cms_sync_identity"] == IDENTITY
    route = f"/wp/v2/posts/{post['id']}"
    anonymous = rest(wp, "GET", route, requests.Session()).json()
    author = as_author(wp)
    for seen in (anonymous, rest(wp, "GET", route, author).json()):
        assert not any(key.startswith("_cms_sync") for key in seen["meta"]), seen["meta"]
    # An Author may not use the edit context of another's post, nor write its meta.
    assert rest(wp, "GET", route, author, params={"context": "edit"}).status_code == 403
    listed = rest(wp, "GET", "/wp/v2/posts", author, params={"context": "edit"}).json()
    assert post["id"] not in [item["id"] for item in listed]
    attempt = {"meta": {"_cms_sync_identity": "key=stolen"}}
    assert rest(wp, "POST", route, author, json=attempt).status_code == 403
    # Pages and feeds carry no repository path.
    for url in (post["link"], f"{wp.url}/?feed=rss2"):
        assert PATH not in requests.get(url, timeout=30).text


def test_the_marker_of_older_posts_leaves_pages_and_feeds_not_the_rest_answer(companion):
    wp = companion
    marker = "<!-- cms-sync:v1 key=older path=articles/00%2Dolder.md source=a stored=b -->"
    post = wp.api(
        "POST",
        "/wp/v2/posts",
        json={"status": "publish", "title": "Older", "content": f"<p>Older.</p>\n{marker}"},
    )
    for url in (post["link"], f"{wp.url}/?feed=rss2"):
        page = requests.get(url, timeout=30).text
        assert "Older." in page and "cms-sync:v1" not in page
    # cms-sync reads the rendered content of posts an Author may not edit: it keeps the marker.
    rendered = rest(wp, "GET", f"/wp/v2/posts/{post['id']}", requests.Session()).json()
    assert "cms-sync:v1" in rendered["content"]["rendered"]


def test_patterns_carry_labels_and_consent_in_their_meta(companion):
    wp = companion
    pattern = notice_pattern(wp)
    meta = edit_view(wp, pattern, "blocks")["meta"]
    assert json.loads(meta["_cms_sync_labels"]) == LABELS
    assert meta["_cms_sync_consent"] is True
    assert meta["_cms_sync_identity"].startswith("key=notice%3Abn")


def test_the_managed_filter_finds_meta_and_marker_posts_in_every_status(companion):
    wp = companion
    with_meta = managed_post(wp)["id"]
    marked = wp.api(
        "POST",
        "/wp/v2/posts",
        json={
            "title": "Marked",
            "status": "draft",
            "content": "<p>x</p>\n<!-- cms-sync:v1 key=marked path=b.md stored=b -->",
        },
    )["id"]
    trashed = managed_post(wp, title="Trashed")["id"]
    wp.api("DELETE", f"/wp/v2/posts/{trashed}")
    wp.api("POST", "/wp/v2/posts", json={"title": "Unmanaged", "status": "publish"})
    params = {
        "cms_sync_managed": 1,
        "context": "edit",
        "status": "publish,draft,trash",
        "per_page": 2,
        "_fields": "id,meta",
    }
    first = rest(wp, "GET", "/wp/v2/posts", params=params)
    assert first.headers["X-WP-Total"] == "3" and first.headers["X-WP-TotalPages"] == "2"
    second = rest(wp, "GET", "/wp/v2/posts", params={**params, "page": 2}).json()
    found = {item["id"]: item["meta"]["_cms_sync_identity"] for item in first.json() + second}
    assert found == {with_meta: IDENTITY, marked: "", trashed: IDENTITY}
    pattern = notice_pattern(wp)
    wp.api("POST", "/wp/v2/blocks", json={"title": "Someone's pattern", "status": "publish"})
    blocks = wp.api("GET", "/wp/v2/blocks", params={"cms_sync_managed": 1, "_fields": "id"})
    assert blocks == [{"id": pattern}]


def test_pages_are_managed_as_posts_are(companion):
    """Since 0.4.0: a page keeps its identity meta (before, WordPress dropped it), the
    managed filter lists it, a stale write of it is refused, and the Pages list shows it."""
    wp = companion
    page = wp.api(
        "POST", "/wp/v2/pages",
        json={"title": "About", "status": "publish", "meta": {"_cms_sync_identity": IDENTITY}},
    )  # fmt: skip
    wp.api("POST", "/wp/v2/pages", json={"title": "Unmanaged", "status": "publish"})
    assert edit_view(wp, page["id"], "pages")["meta"]["_cms_sync_identity"] == IDENTITY
    listed = wp.api("GET", "/wp/v2/pages", params={"cms_sync_managed": 1, "_fields": "id"})
    assert listed == [{"id": page["id"]}]
    read = edit_view(wp, page["id"], "pages")["modified_gmt"]
    wp.api("POST", f"/wp/v2/pages/{page['id']}", json={"title": "Editor's"})
    stale = rest(wp, "PUT", f"/wp/v2/pages/{page['id']}", json={"title": "Ours"},
                 headers={HEADER: read})  # fmt: skip
    assert (stale.status_code, stale.json()["code"]) == (412, "cms_sync_precondition_failed")
    listing = logged_in(wp).get(f"{wp.url}/wp-admin/edit.php?post_type=page", timeout=30).text
    cells = re.findall(r"<td class='cms_sync_source[^>]*>(.*?)</td>", listing)
    assert sorted(text_of(cell) for cell in cells) == [PATH, "— Not kept in git by cms-sync"]


# Conditional writes -------------------------------------------------------------------------


def test_an_edit_between_read_and_write_is_kept_and_the_write_refused(companion):
    wp = companion
    post = managed_post(wp)
    read = edit_view(wp, post["id"])["modified_gmt"]
    # The editor saves at once, likely within the same second: the plugin still moves
    # modified_gmt forward, so the stale write cannot slip through.
    edited = wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"content": "<p>Editor's.</p>"})
    assert edited["modified_gmt"] > read
    route = f"/wp/v2/posts/{post['id']}"
    stale = rest(wp, "PUT", route, json={"content": "<p>Ours, again.</p>"}, headers={HEADER: read})
    assert stale.status_code == 412
    assert stale.json()["code"] == "cms_sync_precondition_failed"
    assert stale.json()["data"] == {"status": 412, "modified_gmt": edited["modified_gmt"]}
    assert edit_view(wp, post["id"])["content"]["raw"] == "<p>Editor's.</p>"
    fresh = {HEADER: edited["modified_gmt"]}
    assert rest(wp, "PUT", route, json={"title": "Ours"}, headers=fresh).status_code == 200
    assert rest(wp, "PUT", route, json={"title": "No header"}).status_code == 200
    bad = rest(wp, "PUT", route, json={"title": "x"}, headers={HEADER: "yesterday"})
    assert (bad.status_code, bad.json()["code"]) == (400, "cms_sync_precondition_invalid")


def test_each_batch_sub_request_is_checked_with_its_own_header(companion):
    wp = companion
    post, pattern = managed_post(wp), notice_pattern(wp)
    read = edit_view(wp, post["id"])["modified_gmt"]
    pattern_read = edit_view(wp, pattern, "blocks")["modified_gmt"]
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"title": "Editor's title"})
    requests_ = [
        {
            "method": "PUT",
            "path": f"/wp/v2/posts/{post['id']}",
            "body": {"title": "Ours"},
            "headers": {HEADER: read},
        },
        {
            "method": "PUT",
            "path": f"/wp/v2/blocks/{pattern}",
            "body": {"title": "notice:bn"},
            "headers": {HEADER: pattern_read},
        },
    ]
    answer = wp.api("POST", "/batch/v1", json={"requests": requests_})
    stale, fresh = answer["responses"]
    assert (stale["status"], stale["body"]["code"]) == (412, "cms_sync_precondition_failed")
    assert fresh["status"] == 200
    assert edit_view(wp, post["id"])["title"]["raw"] == "Editor's title"


# The comment form ---------------------------------------------------------------------------


@pytest.fixture
def theme(request, companion) -> Iterator[str]:
    """The site in the theme named by the test's parameter, for that test only."""
    name = request.param
    www = Path(companion.state["workdir"]) / "www" / "wp-content" / "themes"
    if not (www / name / "style.css").is_file():
        pytest.skip(f"{name} is not installed on WordPress {companion.state['wp_version']}")
    workdir = Path(companion.state["workdir"])
    previous = load_harness().switch_theme(workdir, name)
    try:
        yield name
    finally:
        load_harness().switch_theme(workdir, previous)


def text_of(markup: str) -> str:
    """The text a reader sees (tags dropped, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@pytest.mark.parametrize(
    "theme", ["twentytwentythree", "twentytwentyfive", CLASSIC_THEME], indirect=True
)
def test_the_notice_stands_under_the_bengali_comment_form(companion, theme):
    wp = companion
    post = managed_post(wp, notice=notice_pattern(wp))
    page = requests.get(post["link"], timeout=30).text
    form = page[page.index('<div id="respond"') : page.index("</form>")]
    assert form.startswith('<div id="respond" lang="bn"')
    assert re.search(r'id="reply-title"[^>]*>\s*আপনার মন্তব্য দিন\s*<', form)
    assert f'<span id="email-notes">{LABELS["email_note"]}</span>' in form
    labels = {
        name: text_of(html)
        for name, html in re.findall(r'<label for="([a-z-]+)"[^>]*>(.*?)</label>', form)
    }
    assert labels["comment"] == "মন্তব্য *" and labels["author"] == "নাম *"
    assert labels["email"] == "ইমেল *" and labels["cms-sync-consent"] == LABELS["consent"]
    assert 'value="মন্তব্য প্রকাশ করুন"' in form
    notice = re.search(
        r'<section class="cms-sync-comment-notice" lang="bn"[^>]*>(.*?)</section>', page, re.S
    )
    assert notice, "no notice section on the page"
    assert page.index('id="submit"') < notice.start()
    heading = re.search(r"<h3[^>]*>(.*?)</h3>", notice.group(1))
    assert heading and heading.group(1) == LABELS["notice_title"]
    assert NOTICE_HTML in notice.group(1)
    assert page.count('cms-sync-comment-notice"') == 1
    assert PATH not in page


def test_no_notice_and_no_relabelling_where_comments_are_closed_or_unmanaged(companion):
    wp = companion
    pattern = notice_pattern(wp)
    closed = managed_post(wp, notice=pattern, comment_status="closed", slug="closed")
    plain = wp.api(
        "POST",
        "/wp/v2/posts",
        json={"title": "Plain", "status": "publish", "comment_status": "open"},
    )
    for post in (closed, plain):
        page = requests.get(post["link"], timeout=30).text
        assert "cms-sync-comment-notice" not in page and "cms_sync_consent" not in page
        assert LABELS["submit"] not in page
    assert 'lang="bn"' not in requests.get(plain["link"], timeout=30).text


# Consent ------------------------------------------------------------------------------------


def comments(wp, post_id: int) -> list[dict[str, Any]]:
    found = []
    for status in ("approve", "hold"):
        found += wp.api(
            "GET", "/wp/v2/comments", params={"post": post_id, "status": status, "context": "edit"}
        )
    return found


def test_a_comment_without_consent_is_refused_by_the_server(companion):
    wp = companion
    post = managed_post(wp, notice=notice_pattern(wp))
    form = {
        "comment_post_ID": post["id"],
        "author": "পাঠক",
        "email": "reader@example.org",
        "comment": "সম্মতি ছাড়া মন্তব্য।",
    }
    refused = requests.post(
        f"{wp.url}/wp-comments-post.php", data=form, timeout=30, allow_redirects=False
    )
    assert refused.status_code == 400
    assert LABELS["consent"] in text_of(refused.text)
    assert comments(wp, post["id"]) == []
    form["cms_sync_consent"] = "yes"
    accepted = requests.post(
        f"{wp.url}/wp-comments-post.php", data=form, timeout=30, allow_redirects=False
    )
    assert accepted.status_code == 302, text_of(accepted.text)[-300:]
    [stored] = comments(wp, post["id"])
    assert stored["content"]["raw"] == "সম্মতি ছাড়া মন্তব্য।"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", stored["meta"]["cms_sync_consent_at"])


def test_rest_comments_need_consent_too_and_its_time_cannot_be_forged(companion):
    wp = companion
    post = managed_post(wp, notice=notice_pattern(wp))
    body = {"post": post["id"], "content": "Through the API."}
    refused = rest(wp, "POST", "/wp/v2/comments", json=body)
    assert (refused.status_code, refused.json()["code"]) == (400, "cms_sync_consent_required")
    stored = wp.api("POST", "/wp/v2/comments", json={**body, "cms_sync_consent": True})
    assert stored["meta"]["cms_sync_consent_at"]
    forged = {"meta": {"cms_sync_consent_at": "2000-01-01 00:00:00"}}
    assert rest(wp, "POST", f"/wp/v2/comments/{stored['id']}", json=forged).status_code == 403
    # Without consent on the notice, nothing is asked.
    other = managed_post(wp, notice=notice_pattern(wp, consent=False), slug="other")
    wp.api("POST", "/wp/v2/comments", json={"post": other["id"], "content": "No box here."})
    assert "cms_sync_consent" not in requests.get(other["link"], timeout=30).text


# wp-admin -----------------------------------------------------------------------------------


def logged_in(wp) -> requests.Session:
    """A browser-like session of the Administrator in wp-admin (cookies, not an app password)."""
    session = requests.Session()
    session.get(f"{wp.url}/wp-login.php", timeout=30)  # sets the test cookie
    form = {
        "log": wp.state["admin"]["user"],
        "pwd": wp.state["admin"]["password"],
        "testcookie": "1",
        "redirect_to": f"{wp.url}/wp-admin/",
    }
    answer = session.post(f"{wp.url}/wp-login.php", data=form, timeout=30, allow_redirects=False)
    assert answer.status_code == 302, text_of(answer.text)[-300:]
    return session


@pytest.fixture
def classic_editor(companion) -> Iterator[None]:
    """wp-admin edits posts in the classic editor (what the Classic Editor plugin does)."""
    mu_plugins = Path(companion.state["workdir"]) / "www" / "wp-content" / "mu-plugins"
    mu_plugins.mkdir(exist_ok=True)
    switch = mu_plugins / "classic-editor.php"
    switch.write_text("<?php add_filter( 'use_block_editor_for_post', '__return_false' );\n")
    try:
        yield
    finally:
        switch.unlink()


MANAGED_TEXT = f"This post is kept in git by cms-sync ({PATH}). Edits made here will show up"


def test_editors_see_the_source_in_the_posts_list_and_the_block_editor(companion):
    wp = companion
    post = managed_post(wp)
    wp.api("POST", "/wp/v2/posts", json={"title": "Unmanaged", "status": "publish"})
    admin = logged_in(wp)
    listing = admin.get(f"{wp.url}/wp-admin/edit.php", timeout=30).text
    cells = [
        text_of(cell) for cell in re.findall(r"<td class='cms_sync_source[^>]*>(.*?)</td>", listing)
    ]
    assert sorted(cells) == sorted([PATH, "— Not kept in git by cms-sync"])
    wp.api(
        "POST",
        "/wp/v2/settings",
        json={"cms_sync_repository_url": "https://git.example.org/blog/blob/main/"},
    )
    link = "https://git.example.org/blog/blob/main/articles/01-managed.md"
    assert f'<a href="{link}">' in admin.get(f"{wp.url}/wp-admin/edit.php", timeout=30).text
    editor = admin.get(f"{wp.url}/wp-admin/post.php?post={post['id']}&action=edit", timeout=30)
    data = re.search(r"window\.cmsSyncEditorNotice = (\{.*?\});", editor.text)
    assert data and "js/editor-notice.js" in editor.text
    assert json.loads(data.group(1))["message"].startswith(MANAGED_TEXT)
    assert json.loads(data.group(1))["url"] == link


def test_editors_see_that_a_post_is_kept_in_git_in_the_classic_editor(companion, classic_editor):
    wp = companion
    post = managed_post(wp)
    page = (
        logged_in(wp)
        .get(f"{wp.url}/wp-admin/post.php?post={post['id']}&action=edit", timeout=30)
        .text
    )
    notice = re.search(r'<div class="notice notice-info cms-sync-managed-notice">(.*?)</div>', page)
    assert notice and text_of(notice.group(1)).startswith(MANAGED_TEXT)
    assert "cms-sync pull" in notice.group(1) and "editor-notice.js" not in page


@pytest.mark.browser
def test_the_block_editor_says_the_post_is_kept_in_git(companion, browser):
    from .wp_admin import WPAdmin

    wp = companion
    post = managed_post(wp)
    admin = WPAdmin(browser, wp.url, wp.state["admin"]["user"], wp.state["admin"]["password"])
    admin.login()
    try:
        admin.open_post(post["id"])
        notice = browser.text(".components-notice.is-info .components-notice__content")
    finally:
        admin.logout()  # later browser tests see the site as readers do
    assert notice.startswith(MANAGED_TEXT) and "cms-sync pull" in notice


# The plugin's files -------------------------------------------------------------------------


def test_the_version_is_the_same_in_header_readme_and_info():
    main = (COMPANION_SOURCE / "cms-sync-companion.php").read_text()
    readme = (COMPANION_SOURCE / "readme.txt").read_text()
    assert re.search(r"^ \* Version:\s+0\.4\.0$", main, re.M)
    assert "define( 'CMS_SYNC_COMPANION_VERSION', '0.4.0' );" in main
    assert re.search(r"^Stable tag: 0\.4\.0$", readme, re.M)
    for field in ("Requires at least: 6.1", "Tested up to: 7.0", "Requires PHP: 7.4"):
        assert re.search(rf"^{field}$", readme, re.M), field
