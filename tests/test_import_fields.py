"""`cms-sync import` writes every field `pull` writes, custom taxonomies included: a post
written in wp-admin with terms of a taxonomy no article names yet comes back with them, and
the next publish finds file and post in agreement. Against the real WordPress (the test
mu-plugin of test_fields.py registers the ``genre`` taxonomy)."""

from __future__ import annotations

import pytest

from .test_fields import front_matter, run_json
from .test_fields import plugins as plugins  # the fixture

pytestmark = pytest.mark.wordpress


def test_import_writes_the_terms_of_every_custom_taxonomy_and_publish_sees_them_equal(
    plugins, project
):
    wp = plugins
    essay = wp.api("POST", "/wp/v2/genres", json={"name": "Essay"})
    long_read = wp.api("POST", "/wp/v2/genres", json={"name": "Long read"})
    wp.api("POST", "/wp/v2/genres", json={"name": "Unused"})
    wp.api("POST", "/wp/v2/posts", json={
        "title": "Genres from wp-admin", "slug": "genres", "content": "<p>Text.</p>",
        "status": "publish", "genres": [essay["id"], long_read["id"]], "sticky": True,
        "template": "blank", "comment_status": "closed",
    })  # fmt: skip
    wp.api("POST", "/wp/v2/posts", json={"title": "No genre", "slug": "plain",
                                         "content": "<p>Text.</p>", "status": "publish",
                                         "comment_status": "closed"})  # fmt: skip
    into = project.articles / "imported"
    report = run_json(wp, project, "import", "--into", str(into))
    assert sorted(i["path"] for i in report["items"]) == [
        "articles/imported/genres.md", "articles/imported/plain.md"
    ]  # fmt: skip
    front = front_matter(into / "genres.md")
    assert front["taxonomies"] == {"genre": ["Essay", "Long read"]}
    assert (front["sticky"], front["template"]) == (True, "blank")
    assert "taxonomies" not in front_matter(into / "plain.md")  # none: nothing written

    plan = run_json(wp, project, "plan")
    planned = {i["key"]: (i["kind"], i.get("changes")) for i in plan["items"]}
    # taken over: each written once, only to carry cms-sync's marker (no field differs)
    assert planned == {"genres": ("update", ["identity"]), "plain": ("update", ["identity"])}
    run_json(wp, project, "publish")
    position = wp.log_position()
    run_json(wp, project, "publish")
    assert wp.writes_since(position) == []
