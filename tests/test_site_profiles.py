"""Two real WordPress sites side by side, as `[sites.staging]` and `[sites.production]`:
publishing to one sends not one request to the other, the same article becomes one post on
each (linking to its own site's posts), and a file pulled from staging publishes to production
as an update or a create, never as "unchanged" or a conflict.

staging is the session's WordPress (`wp`); production is a second one started for this module.
Each site's php log counts the requests it answered.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

from .conftest import wordpress_archive
from .test_publish import article, kinds, managed


@pytest.fixture(scope="module")
def production_site(wordpress_site, request, tmp_path_factory):
    """A second throwaway WordPress (same version as the session's), stopped afterwards."""
    from .wordpress_site import WP, load_harness

    harness = load_harness()
    workdir = tmp_path_factory.mktemp("wordpress-production")
    state = harness.start(workdir, archive=wordpress_archive(request.config))
    try:
        yield WP(state)
    finally:
        harness.stop(workdir)


@pytest.fixture
def sites(wp, production_site, project):
    """(staging, production), both empty, and the project's cms-sync.toml naming them."""
    production_site.reset()
    project.config.write_text(
        'default_lang = "en"\n\n'
        f'[sites.staging]\nsite_url = "{wp.url}"\nuser = "{wp.state["admin"]["user"]}"\n'
        'password_env = "STAGING_APP_PASSWORD"\n\n'
        f'[sites.production]\nsite_url = "{production_site.url}"\n'
        f'user = "{production_site.state["admin"]["user"]}"\n'
        'password_env = "PRODUCTION_APP_PASSWORD"\n',
        encoding="utf-8",
    )
    return wp, production_site


def cms(project, sites, *args: str, expect: int = 0) -> str:
    """cms-sync with each site's password in its own variable and no CMS_SYNC_* override."""
    staging, production = sites
    env = {
        "STAGING_APP_PASSWORD": staging.state["admin"]["app_password"],
        "PRODUCTION_APP_PASSWORD": production.state["admin"]["app_password"],
        "CI": "true",
        "HOME": str(project.root),
        **dict.fromkeys(("CMS_SYNC_URL", "CMS_SYNC_USER", "CMS_SYNC_APP_PASSWORD")),
        "CMS_SYNC_SITE": None,
    }
    result = CliRunner().invoke(cli, ["--config", str(project.config), *args], env=env)
    assert result.exit_code == expect, f"{result.stdout}\n{result.stderr}"
    return result.stdout


def report(project, sites, *args: str) -> dict:
    return json.loads(cms(project, sites, *args, "--json"))


def state(site) -> dict[int, tuple[str, str, str]]:
    """Every post and pattern of a site: slug, last modification, stored content."""
    items = site.posts() + site.posts(post_type="blocks")
    return {p["id"]: (p["slug"], p["modified_gmt"], p["content"]["raw"]) for p in items}


def test_publish_to_one_site_leaves_the_other_untouched(sites, project):
    staging, production = sites
    project.write("a.md", article("Alpha", "First words.", slug="alpha", comment_status="open"))
    project.write("b.md", article("Beta", "See [the first part](a.md).", slug="beta"))

    mark = production.log_position()
    out = cms(project, sites, "--site", "staging", "publish")
    assert out.splitlines()[0] == f"site: staging ({staging.url})"
    assert production.requests_since(mark) == [] and production.posts() == []
    assert sorted(p["slug"] for p in managed(staging)) == ["alpha", "beta"]

    before, mark = state(staging), staging.log_position()
    done = report(project, sites, "publish", "--site", "production")
    assert done["site"] == {"name": "production", "url": production.url}
    assert kinds(done) == {"alpha": "create", "beta": "create", "notice:en": "create"}
    assert staging.requests_since(mark) == [] and state(staging) == before

    # The same article is one post on each site, linking to its own site's posts.
    on_production = {p["slug"]: p for p in managed(production)}
    on_staging = {p["slug"]: p for p in managed(staging)}
    assert sorted(on_production) == sorted(on_staging) == ["alpha", "beta"]
    beta = on_production["beta"]["content"]["raw"]
    assert on_production["alpha"]["link"] in beta and staging.url not in beta
    assert on_staging["alpha"]["link"] in on_staging["beta"]["content"]["raw"]
    for name in ("staging", "production"):
        assert set(kinds(report(project, sites, "plan", "--site", name)).values()) == {"unchanged"}
    markdown = cms(project, sites, "plan", "--site", "production", "--format", "markdown")
    header = ["### cms-sync plan", "", f"Site: production ({production.url})"]
    assert markdown.splitlines()[:3] == header
    status = cms(project, sites, "--site", "staging", "status")
    assert status.splitlines()[0] == f"On staging ({staging.url}):"

    # An unknown site name: one line, and neither site hears of it.
    marks = staging.log_position(), production.log_position()
    cms(project, sites, "--site", "prod", "publish", expect=1)
    assert staging.requests_since(marks[0]) == production.requests_since(marks[1]) == []


def test_a_file_pulled_from_staging_publishes_to_production(sites, project):
    staging, production = sites
    alpha = project.write("a.md", article("Alpha", "First words.", slug="alpha"))
    beta = project.write("b.md", article("Beta", "Second words.", slug="beta"))
    cms(project, sites, "--site", "staging", "publish")
    cms(project, sites, "--site", "production", "publish", str(alpha))  # beta: staging only

    # An editor changes both posts on staging; pull brings the edits into the files.
    for post in managed(staging):
        raw = post["content"]["raw"].replace(" words.", " words, edited on staging.")
        staging.api("POST", f"/wp/v2/posts/{post['id']}", json={"content": raw})
    pulled = report(project, sites, "pull", "--site", "staging")
    assert sorted(i["path"] for i in pulled["items"] if i["kind"] == "pulled") == [
        "articles/a.md",
        "articles/b.md",
    ]
    assert "pulled:" in alpha.read_text("utf-8") and "edited on staging" in beta.read_text("utf-8")
    assert set(kinds(report(project, sites, "plan", "--site", "staging")).values()) == {"unchanged"}

    # On production the pulled files are what changed: an update and a create.
    before, mark = state(staging), staging.log_position()
    planned = kinds(report(project, sites, "plan", "--site", "production"))
    assert planned == {"alpha": "update", "beta": "create"}
    done = kinds(report(project, sites, "publish", "--site", "production"))
    assert done == planned
    assert staging.requests_since(mark) == [] and state(staging) == before
    on_production = {p["slug"]: p["content"]["raw"] for p in managed(production)}
    assert sorted(on_production) == ["alpha", "beta"]
    assert all("edited on staging" in raw for raw in on_production.values())
    for name in ("staging", "production"):
        assert set(kinds(report(project, sites, "plan", "--site", name)).values()) == {"unchanged"}
