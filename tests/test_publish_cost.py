"""What a run costs, counted at the server (php's request log) on a real WordPress: a no-op
publish of 30 articles makes at most 3 requests (users/me, the notice patterns, one page of
posts), with and without the companion plugin; a first publish and a one-article edit make
no more than the reads and the batches their writes need.

Each test prints nothing on success; on failure the assertion shows every request made.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from .test_publish import article, kinds, publish_json

pytestmark = [pytest.mark.wordpress, pytest.mark.compat]

N = 30
COVER = Path(__file__).parent / "fixtures" / "series" / "articles" / "images" / "cover.png"


def write_articles(project, edited: int | None = None) -> None:
    """N articles with categories and tags, a few sharing one image (in the body and as
    featured image with its alt text), two in a series."""
    project.write("images/cover.png", COVER.read_bytes())
    for n in range(N):
        body = f"Text of article {n}{' (edited)' if n == edited else ''}."
        front = {"slug": f"cost-{n}", "categories": "[Guides]", "tags": f"[cost, t{n % 3}]"}
        if n % 10 == 0:
            body += "\n\n![A cover](images/cover.png)\n"
            # The featured image's alt is compared on the attachment: only when inputs change.
            front["featured_image"] = "images/cover.png"
            front["image_alt"] = '"The cover, drawn"'
        if n < 2:
            front["series"] = f"{{name: Costs, part: {n + 1}}}"
        project.write(f"cost-{n:02}.md", article(f"Article {n}", body, **front))


def routes(lines: list[str]) -> list[str]:
    """ "GET /wp/v2/posts" for each logged request, whatever form its URL has."""
    found = []
    for line in lines:
        method, _, url = line.partition(" ")
        parts = urlsplit(url.split(" ")[0])
        route = parse_qs(parts.query).get("rest_route", [parts.path.removeprefix("/wp-json")])
        found.append(f"{method} {unquote(route[0])}")
    return found


@pytest.fixture(params=["core", "companion"])
def site(request, wp):
    """The site without the companion plugin, then with it."""
    return request.getfixturevalue("companion") if request.param == "companion" else wp


def test_a_no_op_publish_of_30_articles_makes_3_requests(site, project):
    write_articles(project)
    assert set(kinds(publish_json(site, project)).values()) == {"create"}

    start = site.log_position()
    assert set(kinds(publish_json(site, project)).values()) == {"unchanged"}
    made = site.requests_since(start)

    assert len(made) <= 3, made
    assert sorted(routes(made)) == ["GET /wp/v2/blocks", "GET /wp/v2/posts", "GET /wp/v2/users/me"]
    [posts] = [line for line in made if "/wp/v2/posts" in line]
    fields = parse_qs(urlsplit(posts.split(" ")[1]).query)["_fields"][0].split(",")
    assert "content.raw" in fields and "content" not in fields, posts  # nothing rendered


def test_a_first_publish_reads_once_and_writes_in_batches(wp, project):
    write_articles(project)
    start = wp.log_position()

    assert set(kinds(publish_json(wp, project)).values()) == {"create"}

    made = routes(wp.requests_since(start))
    reads = [r for r in made if r.startswith("GET ")]
    writes = [r for r in made if not r.startswith("GET ")]
    assert "GET /" not in made and "GET /wp/v2/users/me" in reads, made  # no discovery
    # Read once each: users/me, patterns, posts, posts at the slugs, block types, the
    # wanted terms (2), the uploaded media (1); and any post's permalink_template; the
    # managed pages, as new posts may be articles that were pages (a changed type).
    assert len(reads) <= 10, made
    # One upload and its alt text (set on the attachment after the upload), four terms
    # (Guides, cost, t0..t2 -> 1 category, 4 tags), the notice pattern and 30 posts in two
    # batches (25 + 5): each post written once.
    assert writes.count("POST /wp/v2/media") == 1, made
    assert writes.count("POST /batch/v1") <= 3, made
    assert len(writes) <= 2 + 5 + 3, made


def test_a_one_article_edit_makes_one_write_and_few_reads(wp, project):
    write_articles(project)
    publish_json(wp, project)
    write_articles(project, edited=7)
    start = wp.log_position()

    report = kinds(publish_json(wp, project))

    assert report["cost-7"] == "update" and list(report.values()).count("update") == 1
    made = routes(wp.requests_since(start))
    # users/me, patterns, posts; what the edited article's render and payload need (the
    # block types, the terms its posts use: one read a taxonomy, the media); one batch.
    assert made.count("POST /batch/v1") + made.count("PUT /wp/v2/posts") == 1, made
    assert len(made) <= 8, made
