"""The post fields of front matter at `check`: a wrong type, a value WordPress would refuse,
a key a page or a post cannot have, a misspelt key: one line at the key's line, no site
needed (what only the site can say is in test_fields.py)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli


def check(project, front: str, env: dict[str, str] | None = None) -> list[str]:
    """The findings of `check` for one article with ``front`` (YAML lines) as front matter."""
    project.write("a.md", f"---\ntitle: A\ncomment_status: closed\n{front}\n---\nBody.\n")
    result = CliRunner().invoke(cli, ["--config", str(project.config), "check", "--json"],
                                env=env or {})  # fmt: skip
    found = json.loads(result.stdout)["findings"]
    return [f"{f['line']}: {f['severity']}: {f['message']}" for f in found]


@pytest.mark.parametrize(
    ("front", "finding"),
    [
        ("sticky: yes please", "4: error: sticky: 'yes please' must be true or false"),
        ("ping_status: shut", "4: error: ping_status: 'shut' must be one of: open, closed"),
        (
            "format: poem",
            "4: error: format: 'poem' must be one of: standard, aside, chat, "
            "gallery, link, image, quote, status, video, audio",
        ),
        ("menu_order: first\ntype: page", "4: error: menu_order: 'first' must be a whole number"),
        ("type: article", "4: error: type: 'article' must be one of: post, page"),
        ("meta: [a, b]", "4: error: meta: must be a mapping of registered meta keys to values"),
        ("meta: {_cms_sync_identity: x}", "4: error: meta: '_cms_sync_identity' is cms-sync's"),
        ("taxonomies: {genre: Essay}", None),
        ("taxonomies: {genre: [1, 2]}", "4: error: taxonomies: 'genre' must be a list of names"),
        (
            "taxonomies: {category: [News]}",
            "4: error: taxonomies: 'category' is set with the "
            "'categories' key, not under taxonomies",
        ),
        (
            "seo: {titel: T}",
            "4: error: seo: unknown key 'titel'; did you mean 'title'? seo "
            "takes title, description, focus_keyword",
        ),
        ("seo: {title: <b>T</b>}", "4: error: seo: title '<b>' is HTML markup"),
        ("password_env: my password", "4: error: password_env: 'my password' is not the name"),
        (
            "sticky: true\npassword_env: PW",
            "4: error: sticky: WordPress refuses a sticky post with a password; remove one of them",
        ),
        ("type: page\nexcerpt: Short", "5: error: excerpt: a page has no excerpt in WordPress"),
        ("parent: b.md", "4: error: parent: a post (type: page makes it a page) has no parent"),
        (
            "taxonomy: {genre: [Essay]}",
            "4: warning: unknown key 'taxonomy'; did you mean 'taxonomies'?",
        ),
        ("menu-order: 2", "4: warning: unknown key 'menu-order'; did you mean 'menu_order'?"),
        ("pasword_env: PW", "4: warning: unknown key 'pasword_env'; did you mean 'password_env'?"),
    ],
)
def test_a_bad_field_is_one_line_at_its_key(project, front, finding):
    found = check(project, front, env={"PW": "x"})
    if finding is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(finding), found


def test_a_password_variable_that_is_unset_is_an_error_and_the_value_never_shown(project):
    [finding] = check(project, "password_env: POST_PW", env={})
    assert finding == (
        "4: error: password_env: the environment variable POST_PW is not set; set it to the "
        "post's password (or remove password_env to publish without one)"
    )
    assert check(project, "password_env: POST_PW", env={"POST_PW": "hunter2"}) == []
