"""The in-memory WordPress answers as the real one does, for what cms-sync relies on.

Every check runs against the fake (fast tier) and, marked ``wordpress``, against the real
WordPress of the test suite: when WordPress and the fake disagree, the real one says which
is right.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
import requests

from .conftest import REPO
from .fake_wordpress import FakeWordPress

PNG = (REPO / "tests" / "fixtures" / "series" / "articles" / "images" / "cover.png").read_bytes()


@dataclass
class Site:
    """A WordPress (fake or real) seen through plain HTTP, as admin, author or anonymous."""

    url: str
    logins: dict[str, tuple[str, str]]
    session: requests.Session

    def __call__(self, method: str, route: str, user: str = "admin", **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if user in self.logins:
            token = base64.b64encode(":".join(self.logins[user]).encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        url = f"{self.url}/wp-json{route}"
        return self.session.request(method, url, headers=headers, timeout=30, **kwargs)

    def create(self, user: str = "admin", **body) -> dict:
        response = self("POST", "/wp/v2/posts", user, json={"status": "publish", **body})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.wordpress)])
def site(request) -> Site:
    if request.param == "fake":
        fake = FakeWordPress()
        logins = {name: (user.login, user.password) for name, user in fake.users.items()}
        return Site(fake.url, logins, fake.session())
    real = request.getfixturevalue("wp")  # the suite's WordPress, emptied
    logins = {
        r: (real.state[r]["user"], real.state[r]["app_password"]) for r in ("admin", "author")
    }
    return Site(real.url, logins, requests.Session())


def code(response: requests.Response) -> tuple[int, str]:
    return response.status_code, response.json().get("code", "")


def test_the_front_page_names_the_rest_root(site):
    response = site.session.get(site.url + "/", timeout=30)
    assert response.links["https://api.w.org/"]["url"] == f"{site.url}/wp-json/"


def test_users_me_says_the_role_capabilities_and_a_wrong_password_is_anonymous(site):
    caps = {}
    for user in ("admin", "author"):
        response = site("GET", "/wp/v2/users/me", user, params={"context": "edit"})
        caps[user] = response.json()["capabilities"]
    for cap in ("unfiltered_html", "manage_categories", "edit_others_posts", "upload_files"):
        assert caps["admin"].get(cap) is True
    for cap in ("publish_posts", "edit_published_posts", "upload_files", "delete_posts"):
        assert caps["author"].get(cap) is True
    for cap in ("unfiltered_html", "manage_categories", "edit_others_posts"):
        assert not caps["author"].get(cap)
    site.logins["wrong"] = (site.logins["admin"][0], "abcd abcd abcd abcd abcd abcd")
    assert code(site("GET", "/wp/v2/users/me", "wrong")) == (401, "rest_not_logged_in")


def test_slugs_are_made_unique_and_the_trash_renames_them(site):
    posts = [site.create(title="Same", slug="same-slug") for _ in range(3)]
    draft = site.create(title="Same", slug="same-slug", status="draft")
    assert [p["slug"] for p in [*posts, draft]] == [
        "same-slug",
        "same-slug-2",
        "same-slug-3",
        "same-slug-4",
    ]
    first = posts[0]["id"]
    trashed = site("DELETE", f"/wp/v2/posts/{first}").json()
    assert (trashed["status"], trashed["slug"]) == ("trash", "same-slug__trashed")
    assert code(site("DELETE", f"/wp/v2/posts/{first}")) == (410, "rest_already_trashed")
    listed = site("GET", "/wp/v2/posts", params={"status": "any", "slug": "same-slug"}).json()
    assert listed == []  # the trashed one is neither "any" nor holding the slug now
    restored = site("POST", f"/wp/v2/posts/{first}", json={"status": "publish"}).json()
    assert (restored["status"], restored["slug"]) == ("publish", "same-slug")


def test_lists_are_paged_with_totals_and_a_400_past_the_last_page(site):
    for n in range(3):
        site.create(title=f"Paged {n}")
    params = {"per_page": 2, "search": "Paged"}
    response = site("GET", "/wp/v2/posts", params={**params, "page": 2})
    assert (response.headers["X-WP-Total"], response.headers["X-WP-TotalPages"]) == ("3", "2")
    assert len(response.json()) == 1
    past = site("GET", "/wp/v2/posts", params={**params, "page": 3})
    assert code(past) == (400, "rest_post_invalid_page_number")


def test_search_looks_in_title_content_and_excerpt_and_edit_context_shows_raw(site):
    site.create(title="Zebra in the title")
    site.create(title="Two", content="<p>A zebra in the content</p>")
    site.create(title="Three", excerpt="zebra in the excerpt")
    site.create(title="Four", content="no stripes")
    found = site("GET", "/wp/v2/posts", params={"search": "ZEBRA", "context": "edit"}).json()
    assert sorted(p["title"]["raw"] for p in found) == ["Three", "Two", "Zebra in the title"]
    [two] = [p for p in found if p["title"]["raw"] == "Two"]
    assert two["content"]["raw"] == "<p>A zebra in the content</p>"
    view = site("GET", f"/wp/v2/posts/{two['id']}").json()
    assert "raw" not in view["content"] and "zebra" in view["content"]["rendered"]


def test_an_author_sees_only_own_posts_in_the_edit_context_and_everyones_published_ones(site):
    live = site.create(title="Admin's live okapi")
    site.create(title="Admin's draft okapi", status="draft")
    own = site.create("author", title="Author's okapi", status="draft")
    edit = {"search": "okapi", "context": "edit", "status": "any"}
    response = site("GET", "/wp/v2/posts", "author", params=edit)
    assert [p["id"] for p in response.json()] == [own["id"]]
    assert response.headers["X-WP-Total"] == "3"  # WordPress hides them after counting
    view = site("GET", "/wp/v2/posts", "author", params={"search": "okapi"}).json()
    assert [p["id"] for p in view] == [live["id"]]
    forbidden = site("GET", f"/wp/v2/posts/{live['id']}", "author", params={"context": "edit"})
    assert code(forbidden) == (403, "rest_forbidden_context")
    update = site("POST", f"/wp/v2/posts/{live['id']}", "author", json={"title": "Mine"})
    assert code(update) == (403, "rest_cannot_edit")


def test_an_authors_content_loses_scripts_iframes_and_styles(site):
    content = (
        '<p>a &amp; b & c</p><iframe src="https://example.org/x"></iframe>'
        "<script>alert(1)</script><style>p{}</style><!-- keep x=1 -->"
    )
    post = site.create("author", title="Filtered", content=content, status="draft")
    assert post["content"]["raw"] == "<p>a &amp; b &amp; c</p>alert(1)p{}<!-- keep x=1 -->"
    kept = site.create(title="Kept", content=content, status="draft")
    assert kept["content"]["raw"] == content


def test_terms_exist_once_names_are_stored_escaped_and_authors_may_add_only_tags(site):
    first = site("POST", "/wp/v2/categories", json={"name": "Tips & Tricks"})
    assert first.status_code == 201 and first.json()["name"] == "Tips &amp; Tricks"
    again = site("POST", "/wp/v2/categories", json={"name": "tips & tricks"})
    assert code(again) == (400, "term_exists")
    assert again.json()["data"]["term_id"] == first.json()["id"]
    found = site("GET", "/wp/v2/categories", params={"slug": "tips-tricks"}).json()
    assert [t["id"] for t in found] == [first.json()["id"]]
    denied = site("POST", "/wp/v2/categories", "author", json={"name": "New category"})
    assert code(denied) == (403, "rest_cannot_create")
    tag = site("POST", "/wp/v2/tags", "author", json={"name": "New tag"})
    assert tag.status_code == 201  # tags need only assign_terms, which Authors have


def test_a_batch_answers_each_sub_request_and_takes_at_most_25(site):
    requests_ = [
        {"method": "POST", "path": "/wp/v2/posts", "body": {"title": "In a batch"}},
        {"method": "POST", "path": "/wp/v2/posts", "body": {"title": "Bad", "status": "nope"}},
        {"method": "DELETE", "path": "/wp/v2/posts/999999"},
        {"method": "POST", "path": "/wp/v2/media", "body": {}},
    ]
    response = site("POST", "/batch/v1", json={"requests": requests_})
    assert response.status_code == 207
    answers = response.json()["responses"]
    assert [a["status"] for a in answers] == [201, 400, 404, 400]
    assert [a["body"].get("code") for a in answers[1:]] == [
        "rest_invalid_param",
        "rest_post_invalid_id",
        "rest_batch_not_allowed",
    ]
    assert answers[0]["body"]["title"]["raw"] == "In a batch"
    too_many = [{"method": "DELETE", "path": "/wp/v2/posts/999999"}] * 26
    assert code(site("POST", "/batch/v1", json={"requests": too_many})) == (
        400,
        "rest_invalid_param",
    )


def test_an_upload_of_the_same_name_gets_a_suffix_and_its_title_from_the_file(site):
    headers = {"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="pic.png"'}
    first = site("POST", "/wp/v2/media", data=PNG, headers=dict(headers)).json()
    second = site("POST", "/wp/v2/media", data=PNG, headers=dict(headers)).json()
    assert first["source_url"].endswith("/pic.png") and second["source_url"].endswith("/pic-1.png")
    found = site("GET", "/wp/v2/media", params={"search": "pic-1"}).json()
    assert [(m["id"], m["title"]["rendered"]) for m in found] == [(second["id"], "pic-1")]
    missing = site("POST", "/wp/v2/media", data=PNG, headers={"Content-Type": "image/png"})
    assert code(missing) == (400, "rest_upload_no_content_disposition")


def test_a_synced_pattern_shows_raw_in_the_view_context_and_inside_posts(site):
    content = "<p>Shared</p>"
    block = site("POST", "/wp/v2/blocks", json={"title": "Notice", "content": content,
                                               "status": "publish"}).json()  # fmt: skip
    assert block["link"] == f"{site.url}/{block['slug']}/"
    view = site("GET", f"/wp/v2/blocks/{block['id']}").json()
    assert view["content"]["raw"] == content and "rendered" not in view["content"]
    marker = "<!-- cms-sync:v1 key=x -->"
    ref = f'<!-- wp:block {{"ref":{block["id"]}}} /-->'
    blocks = site.create(title="Uses it", content=f"{ref}\n{marker}")
    shown = site("GET", f"/wp/v2/posts/{blocks['id']}").json()["content"]["rendered"]
    assert shown == f"{content}\n{marker}"
    classic = site.create(title="Classic", content=f"<p>Text</p>\n{marker}")
    shown = site("GET", f"/wp/v2/posts/{classic['id']}").json()["content"]["rendered"]
    assert f"<p>{marker}</p>" in shown  # wpautop, for classic content only


def test_every_update_moves_modified_even_when_nothing_changed():
    site = FakeWordPress()  # only here: WordPress keeps whole seconds, this would need sleeps
    post = site.api("POST", "/wp/v2/posts", json={"title": "T", "status": "publish"})
    again = site.api("POST", f"/wp/v2/posts/{post['id']}", json={"title": "T"})
    assert again["modified_gmt"] > post["modified_gmt"]
