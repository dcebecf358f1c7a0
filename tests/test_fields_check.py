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
        ("menu_order: true\ntype: page", "4: error: menu_order: 'true' must be a whole number"),
        ("sticky: null", "4: error: sticky: 'null' must be true or false"),
        ("status: false", "4: error: status: unknown status 'false'; use one of"),
        (
            'template: " blank"',
            "4: error: template: ' blank' has a space at its start or end, which no template's "
            "name has; write 'blank'",
        ),
        ("template: blank", None),
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
            "4: error: unknown key 'taxonomy'; did you mean 'taxonomies'?",
        ),
        ("menu-order: 2", "4: error: unknown key 'menu-order'; did you mean 'menu_order'?"),
        ("pasword_env: PW", "4: error: unknown key 'pasword_env'; did you mean 'password_env'?"),
        ("colour: blue", "4: error: unknown key 'colour'; remove it or fix its name"),
        (
            "type: page\nmenu_order: 99999999999999",
            "5: error: menu_order: 99999999999999 is beyond what WordPress keeps "
            "(-2147483648 to 2147483647); use a smaller number",
        ),
        ("type: page\nmenu_order: -2147483648", None),
        ("meta: {rating: .inf}", "4: error: meta: rating is inf, which JSON cannot carry"),
        ("meta: {flags: [a, 2024-01-01]}", "4: error: meta: flags[1] is a date; quote it"),
        ("meta: {big: 9223372036854775808}", "4: error: meta: big is beyond WordPress's 64-bit"),
        (
            'categories: ["abc\\u202Edef"]',
            "4: error: categories: holds U+202E RIGHT-TO-LEFT OVERRIDE at character 4, an "
            "invisible control that makes the text show in another order than it is written",
        ),
        ('excerpt: "x\\u2066y"', "4: error: excerpt: holds U+2066 LEFT-TO-RIGHT ISOLATE"),
        ('tags: ["a\\u202Ab"]', "4: error: tags: holds U+202A LEFT-TO-RIGHT EMBEDDING"),
        ('slug: "ab\\u2069c"', "4: error: slug: holds U+2069 POP DIRECTIONAL ISOLATE"),
        ('series: {name: "S\\u202Bx", part: 1}', "4: error: series: holds U+202B"),
        ('seo: {title: "\\u202Dx"}', "4: error: seo: title holds U+202D"),
        (
            "seo: {title: T}\nmeta: {_yoast_wpseo_title: X}",
            "5: error: meta: '_yoast_wpseo_title' is where seo: title (line 4) is written; set "
            "it in one place, seo: title (for any SEO plugin)",
        ),
        ("seo: {title: T}\nmeta: {rank_math_description: X}", None),
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
    [finding] = check(project, "password_env: POST_PW", env={"POST_PW": ""})
    assert finding.startswith("4: error: password_env: the environment variable POST_PW is empty;")
    assert check(project, "password_env: POST_PW", env={"POST_PW": "hunter2"}) == []


PROFILES = (
    'user = "u"\n[sites.staging]\nsite_url = "https://staging.example.org"\n'
    'password_env = "STAGING_PW"\n[sites.production]\nsite_url = "https://example.org"\n'
    'password_env = "PROD_WP"\n'
)

CREDENTIAL = "is named as a credential (cms-sync's, an application password or a token)"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("CMS_SYNC_APP_PASSWORD", CREDENTIAL),
        ("cms_sync_app_password", CREDENTIAL),
        ("CMS_SYNC_USER", CREDENTIAL),
        ("STAGING_PW", "holds the application password of a site in cms-sync.toml"),
        ("prod_wp", "holds the application password of a site in cms-sync.toml"),
        ("WP_APP_PASSWORD", CREDENTIAL),
        ("GITHUB_TOKEN", CREDENTIAL),
    ],
)
def test_password_env_may_not_name_an_application_password(project, name, why):
    """An article (from a pull request, say) naming the variable of the site's application
    password would publish the credential as the post's password: refused at check, for
    every profile of the file (used or not), whether or not the variable is set."""
    project.config.write_text(PROFILES)
    secret = "abcd efgh ijkl mnop qrst uvwx"
    [finding] = check(project, f"password_env: {name}", env={name: secret, "STAGING_PW": secret})
    assert finding == (
        f"4: error: password_env: {name} {why}, which would be published as the post's "
        "password; name a variable of its own for the post's password, e.g. POST_PASSWORD"
    )
    assert secret not in finding


def test_password_env_may_not_hold_the_same_value_as_an_application_password(project):
    project.config.write_text(PROFILES)
    secret = "abcd efgh ijkl mnop qrst uvwx"
    env = {"POST_PW": secret, "STAGING_PW": secret}
    [finding] = check(project, "password_env: POST_PW", env=env)
    assert finding.startswith("4: error: password_env: POST_PW holds an application password")
    assert check(project, "password_env: POST_PW", env={**env, "POST_PW": "launch"}) == []


@pytest.mark.parametrize("command", ["plan", "publish", "preview"])
def test_the_application_password_in_use_is_never_sent_as_a_post_password(
    project, tmp_path, command
):
    """The last line: an application password from ~/.netrc (which check cannot see) that a
    post's variable also holds stops the run before any request: the site below would
    refuse every connection."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".netrc").write_text("machine 127.0.0.1 login admin password abcdefghijkl\n")
    (home / ".netrc").chmod(0o600)
    project.config.write_text('[sites.staging]\nsite_url = "http://127.0.0.1:9"\n')
    project.write("a.md", "---\ntitle: A\ncomment_status: closed\npassword_env: PW\n---\nB.\n")
    env = {"HOME": str(home), "PW": "abcd efgh ijkl", "CMS_SYNC_APP_PASSWORD": ""}
    args = ["--config", str(project.config), command, "--site", "staging"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "articles/a.md:4: error: password_env: PW holds the application password cms-sync "
        "logs in with, which would be published as the post's password; set it to the "
        "post's own password\nnothing was sent\n"
    )
