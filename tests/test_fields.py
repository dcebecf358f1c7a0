"""Every post field from front matter, against the real WordPress: set in the file -> on the
site -> an unchanged plan -> `pull` and `import` give the same front matter.

A test mu-plugin registers what a site's plugins would: a custom taxonomy ``genre`` and two
meta keys shown in the REST API, and (emulating Yoast SEO or Rank Math, which cannot be
installed here) the meta keys those plugins keep their SEO title, description and focus
keyword in.
"""

from __future__ import annotations

import json
from contextlib import ExitStack

import pytest
import yaml
from click.testing import CliRunner

from cms_sync.cli import cli

from .test_concurrent_publish import mu_plugin
from .test_publish import article, kinds, managed

pytestmark = pytest.mark.wordpress

SECRET = "s3cret-Pässword"

FIELDS_PLUGIN = """<?php
add_action( 'init', function () {
	register_taxonomy( 'genre', array( 'post', 'page' ), array(
		'label' => 'Genres', 'show_in_rest' => true, 'rest_base' => 'genres',
	) );
	register_post_meta( '', 'reading_level', array(
		'type' => 'string', 'single' => true, 'show_in_rest' => true,
	) );
	register_post_meta( '', 'rating', array(
		'type' => 'integer', 'single' => true, 'show_in_rest' => true,
	) );
	register_post_meta( 'post', 'flags', array(
		'type' => 'array', 'single' => true,
		'show_in_rest' => array( 'schema' => array( 'items' => array( 'type' => 'string' ) ) ),
	) );
} );
"""

SEO_PLUGIN = """<?php
add_action( 'init', function () {{
	foreach ( array( {keys} ) as $key ) {{
		register_post_meta( '', $key, array(
			'type' => 'string', 'single' => true, 'show_in_rest' => true,
			'auth_callback' => function () {{ return current_user_can( 'edit_posts' ); }},
		) );
	}}
}} );
"""
YOAST = SEO_PLUGIN.format(
    keys="'_yoast_wpseo_title', '_yoast_wpseo_metadesc', '_yoast_wpseo_focuskw'"
)
RANK_MATH = SEO_PLUGIN.format(
    keys="'rank_math_title', 'rank_math_description', 'rank_math_focus_keyword'"
)


def cms(wp, project, *args: str, role: str = "admin", env: dict[str, str] | None = None):
    result = CliRunner().invoke(
        cli, ["--config", str(project.config), *args], env={**wp.env(role), **(env or {})}
    )
    return result.exit_code, result.stdout, result.stderr


def run_json(wp, project, command: str, *args: str, expect: int = 0, **kw):
    code, out, err = cms(wp, project, command, "--json", *args, **kw)
    assert code == expect, f"{out}\n{err}"
    return json.loads(out)


def front_matter(path) -> dict:
    text = path.read_text("utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def every_field(wp) -> dict[str, str]:
    """Every field but the password (a sticky post cannot have one)."""
    writer = wp.state["author"]["user"]
    return {
        "excerpt": '"A short summary."',
        "sticky": "true",
        "ping_status": "closed",
        "format": "aside",
        "template": "blank",
        "author": writer,
        "meta": "{reading_level: easy, rating: 4}",
        "taxonomies": "{genre: [Essay, Long read]}",
        "seo": '{title: "SEO title", description: "For the results page.", focus_keyword: fields}',
    }


def site_post(wp) -> dict:
    [post] = managed(wp)
    return wp.api("GET", f"/wp/v2/posts/{post['id']}", params={"context": "edit"})


def genre_names(wp, post: dict) -> list[str]:
    terms = wp.api("GET", "/wp/v2/genres", params={"include": ",".join(map(str, post["genres"]))})
    return sorted(t["name"] for t in terms)


@pytest.fixture
def plugins(wp):
    """The site with the genre taxonomy, the two meta keys and Yoast SEO's meta keys."""
    with ExitStack() as stack:
        stack.enter_context(mu_plugin(wp, "fields", FIELDS_PLUGIN))
        stack.enter_context(mu_plugin(wp, "seo", YOAST))
        yield wp
        for term in wp.api("GET", "/wp/v2/genres", params={"per_page": 100}):
            wp.api("DELETE", f"/wp/v2/genres/{term['id']}", params={"force": "true"})


@pytest.mark.compat
def test_every_field_goes_to_the_site_plans_unchanged_and_pulls_back(plugins, project):
    wp, env = plugins, {}
    path = project.write("a.md", article("Fields", "Body.", slug="fields", **every_field(wp)))
    assert kinds(run_json(wp, project, "publish", env=env)) == {"fields": "create"}

    post = site_post(wp)
    writer = wp.api("GET", "/wp/v2/users", params={"search": wp.state["author"]["user"]})
    assert (post["excerpt"]["raw"], post["sticky"], post["ping_status"]) == (
        "A short summary.", True, "closed",
    )  # fmt: skip
    assert (post["format"], post["template"], post["password"]) == ("aside", "blank", "")
    assert post["author"] == writer[0]["id"]
    assert {k: post["meta"][k] for k in ("reading_level", "rating")} == {
        "reading_level": "easy", "rating": 4,
    }  # fmt: skip
    assert genre_names(wp, post) == ["Essay", "Long read"]
    assert (post["meta"]["_yoast_wpseo_title"], post["meta"]["_yoast_wpseo_metadesc"]) == (
        "SEO title", "For the results page.",
    )  # fmt: skip
    assert post["meta"]["_yoast_wpseo_focuskw"] == "fields"

    position = wp.log_position()
    assert kinds(run_json(wp, project, "plan", env=env)) == {"fields": "unchanged"}
    assert kinds(run_json(wp, project, "publish", env=env)) == {"fields": "unchanged"}
    assert wp.writes_since(position) == []

    # Each field changed on the site comes back into the file with pull.
    before = front_matter(path)
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={
        "sticky": False, "format": "quote", "ping_status": "open", "template": "",
        "author": wp.api("GET", "/wp/v2/users/me")["id"], "excerpt": "Edited summary.",
        "meta": {"reading_level": "hard", "rating": 5, "_yoast_wpseo_title": "Edited SEO"},
        "genres": [*post["genres"], wp.api("POST", "/wp/v2/genres", json={"name": "Poem"})["id"]],
    })  # fmt: skip
    report = run_json(wp, project, "pull", env=env)
    assert [i["kind"] for i in report["items"]] == ["pulled"]
    after = front_matter(path)
    assert {k: after[k] for k in ("sticky", "format", "ping_status", "template", "excerpt")} == {
        "sticky": False, "format": "quote", "ping_status": "open", "template": "",
        "excerpt": "Edited summary.",
    }  # fmt: skip
    assert after["author"] == wp.state["admin"]["user"]
    assert after["meta"] == {"reading_level": "hard", "rating": 5}
    assert sorted(after["taxonomies"]["genre"]) == ["Essay", "Long read", "Poem"]
    assert after["seo"] == {**before["seo"], "title": "Edited SEO"}
    assert kinds(run_json(wp, project, "plan", env=env)) == {"fields": "unchanged"}

    # A one-key change looks like one: the diff shows the meta keys the file sets, not the
    # site's others (the SEO plugin's, flags, 7.0's footnotes).
    path.write_text(path.read_text("utf-8").replace("rating: 5", "rating: 6"), "utf-8")
    code, out, err = cms(wp, project, "plan", "--diff", env=env)
    assert code == 0, out + err
    shown = "meta: {'reading_level': 'hard', 'rating': 5} -> {'reading_level': 'hard', 'rating': 6}"
    assert shown in out, out


def test_the_password_is_never_shown_and_a_change_is_an_update(plugins, project):
    wp = plugins
    project.write("a.md", article("Locked", "Body.", slug="locked", password_env="POST_PW"))
    run_json(wp, project, "publish", env={"POST_PW": SECRET})
    assert site_post(wp)["password"] == SECRET

    code, out, err = cms(wp, project, "plan", "--diff", env={"POST_PW": "another-one"})
    assert code == 0, out + err
    assert "password: (set) -> (changed: $POST_PW)" in out
    assert SECRET not in out + err and "another-one" not in out + err
    report = run_json(wp, project, "publish", env={"POST_PW": "another-one"})
    assert [(i["kind"], i["changes"]) for i in report["items"]] == [("update", ["password"])]
    assert site_post(wp)["password"] == "another-one"

    wp.api("POST", f"/wp/v2/posts/{site_post(wp)['id']}", json={"title": "Locked (edited)"})
    report = run_json(wp, project, "pull", env={"POST_PW": "another-one"})
    assert [(i["kind"], i.get("warnings")) for i in report["items"]] == [("pulled", [])]
    text = (project.articles / "a.md").read_text("utf-8")
    assert "password_env: POST_PW" in text and "another-one" not in text

    # Changed in wp-admin: the warning names the file's variable (pull never writes a password).
    wp.api("POST", f"/wp/v2/posts/{site_post(wp)['id']}", json={"password": "from-wp-admin"})
    code, out, err = cms(wp, project, "pull", env={"POST_PW": "another-one"})
    assert code == 0 and "from-wp-admin" not in out + err, out + err
    assert "the post's password is not $POST_PW's; pull never writes a password: set POST_PW " \
        "to the site's to keep it, or publish sets $POST_PW's back" in out + err  # fmt: skip

    code, out, err = cms(wp, project, "plan", env={})
    assert code == 1 and "POST_PW is not set" in out + err
    line = text.split("\n").index("password_env: POST_PW") + 1
    assert f"articles/a.md:{line}: error: password_env" in out + err


def test_what_the_site_lacks_is_one_line_each_and_nothing_is_sent(plugins, project):
    wp = plugins
    project.write("ok.md", article("Fine", slug="fine"))
    project.write("a.md", article("Bad", slug="bad", author="nobody",
                                  taxonomies="{mood: [Happy]}",
                                  meta="{rating: lots, colour: blue}"))  # fmt: skip
    # What WordPress checks only once sent (a 400 for that post while the batch's others are
    # created): an item of an array against the registered schema, a template the theme lacks.
    project.write("b.md", article("Worse", slug="worse", meta="{flags: [ok, {a: b}]}",
                                  template="../../wp-config"))  # fmt: skip
    position = wp.log_position()
    code, out, err = cms(wp, project, "plan")
    assert code == 1, out + err
    lines = err.strip().splitlines()
    assert lines[0].startswith("articles/a.md:4: error: author: no user 'nobody' who may write")
    assert "use the login of one of:" in lines[0] and wp.state["author"]["user"] in lines[0]
    assert lines[1].startswith("articles/a.md:5: error: taxonomies: 'mood' is no such taxonomy")
    assert "use one of: genre" in lines[1]
    assert "articles/a.md:6: error: meta: 'rating' is registered as integer" in lines[2]
    assert "articles/a.md:6: error: meta: 'colour' is not a registered meta key" in lines[3]
    assert lines[4] == (
        f"articles/b.md:4: error: meta: 'flags[1]' is registered as string on {wp.url}, but "
        "the value {'a': 'b'} is not one; write a string value (quote text)"
    )
    assert lines[5] == (
        f"articles/b.md:5: error: template: '../../wp-config' is not a template for posts in "
        f"the theme of {wp.url} (WordPress: template is not one of blank.); use one of those, "
        'or "" for the theme\'s default'
    )
    assert lines[-1] == "nothing was sent"
    code, out, err = cms(wp, project, "publish")
    assert code == 1 and wp.writes_since(position) == [] and managed(wp) == []


def test_seo_fields_go_to_rank_math_keys_or_warn_without_a_plugin(wp, project):
    project.write("a.md", article("Ranked", slug="ranked", seo="{title: T, description: D}"))
    with mu_plugin(wp, "rank-math", RANK_MATH):
        run_json(wp, project, "publish")
        meta = site_post(wp)["meta"]
        assert (meta["rank_math_title"], meta["rank_math_description"]) == ("T", "D")
        assert kinds(run_json(wp, project, "plan")) == {"ranked": "unchanged"}
    project.write("b.md", article("Unranked", slug="unranked", seo="{title: T2}"))
    report = run_json(wp, project, "publish", str(project.articles / "b.md"))
    assert kinds(report) == {"unranked": "create"}
    with mu_plugin(wp, "rank-math", RANK_MATH):  # back, to look: nothing was stored
        [unranked] = [p for p in managed(wp) if p["slug"] == "unranked"]
        assert unranked["meta"]["rank_math_title"] == ""
    assert report["warnings"] == [
        "articles/b.md:4: seo: neither Yoast SEO nor Rank Math registers its meta keys for the "
        f"REST API on {wp.url}, so the seo fields of 1 article(s) are not sent; install one of "
        "them (with its meta shown in the REST API)"
    ]


def test_import_writes_every_field_but_the_password(plugins, project):
    wp = plugins
    genre = wp.api("POST", "/wp/v2/genres", json={"name": "Essay"})
    wp.api("POST", "/wp/v2/posts", json={
        "title": "Written in wp-admin", "content": "<p>Text.</p>", "status": "publish",
        "format": "aside", "ping_status": "closed", "password": SECRET,
        "author": wp.api("GET", "/wp/v2/users", params={
            "search": wp.state["author"]["user"]})[0]["id"],
        "meta": {"reading_level": "easy", "_yoast_wpseo_metadesc": "Found."},
        "genres": [genre["id"]],
    })  # fmt: skip
    report = run_json(wp, project, "import", "--into", str(project.articles / "imported"))
    [item] = report["items"]
    assert any("has a password the file does not give" in w for w in item["warnings"])
    [path] = (project.articles / "imported").glob("*.md")
    front = front_matter(path)
    assert {k: front[k] for k in ("format", "ping_status", "author")} == {
        "format": "aside", "ping_status": "closed",
        "author": wp.state["author"]["user"],
    }  # fmt: skip
    assert front["meta"] == {"reading_level": "easy"}
    assert front["seo"] == {"description": "Found."}
    assert SECRET not in path.read_text("utf-8") and "password" not in front


def test_a_term_renamed_on_the_site_stops_the_publish_that_would_make_it_again(plugins, project):
    wp = plugins
    text = article("Essay one", slug="essay-one", categories="[News]",
                   taxonomies="{genre: [Essay]}")  # fmt: skip
    path = project.write("essay.md", text)
    assert kinds(run_json(wp, project, "publish")) == {"essay-one": "create"}
    post = site_post(wp)
    # An editor renames both terms in wp-admin; their slugs stay news and essay.
    [genre] = post["genres"]
    [category] = [
        c for c in post["categories"] if wp.api("GET", f"/wp/v2/categories/{c}")["slug"] == "news"
    ]
    wp.api("POST", f"/wp/v2/genres/{genre}", json={"name": "Essays"})
    wp.api("POST", f"/wp/v2/categories/{category}", json={"name": "Newsroom"})
    assert kinds(run_json(wp, project, "plan")) == {"essay-one": "unchanged"}

    path.write_text(text.replace("Body.", "Body two."), "utf-8")
    lines = text.split("\n")
    at = {key: lines.index(next(x for x in lines if x.startswith(key))) + 1
          for key in ("categories", "taxonomies")}  # fmt: skip
    position = wp.log_position()
    for command in ("plan", "publish"):
        code, out, err = cms(wp, project, command)
        assert code == 1, out + err
        assert err.splitlines() == [
            f"articles/essay.md:{at['categories']}: error: categories: 'News' was renamed to "
            f"'Newsroom' on {wp.url} (the term with slug 'news'); write 'Newsroom' in the file, "
            "or rename it back to 'News' in wp-admin (publishing 'News' would create a second "
            "term)",
            f"articles/essay.md:{at['taxonomies']}: error: taxonomies: genre: 'Essay' was "
            f"renamed to 'Essays' on {wp.url} (the term with slug 'essay'); write 'Essays' in "
            "the file, or rename it back to 'Essay' in wp-admin (publishing 'Essay' would "
            "create a second term)",
            "nothing was sent",
        ]
    assert wp.writes_since(position) == []

    # With the new names in the file, the body change goes out on the same terms.
    path.write_text(
        text.replace("Body.", "Body two.").replace("[News]", "[Newsroom]")
        .replace("[Essay]", "[Essays]"), "utf-8",
    )  # fmt: skip
    assert kinds(run_json(wp, project, "publish")) == {"essay-one": "update"}
    after = site_post(wp)
    assert (after["genres"], category in after["categories"]) == ([genre], True)
    assert [t["slug"] for t in wp.api("GET", "/wp/v2/genres")] == ["essay"]
