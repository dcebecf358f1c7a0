"""Mistakes refused before any site is asked: an empty --site, a page whose parent is the
notice. No site is contacted here (CMS_SYNC_URL points at a port nobody listens on)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

PROFILES = (
    'site_url = "http://127.0.0.1:9"\nuser = "u"\n[sites.staging]\n'
    'site_url = "http://127.0.0.1:9"\n[sites.production]\nsite_url = "https://example.org"\n'
)


def run(project, *args: str):
    return CliRunner().invoke(cli, ["--config", str(project.config), *args], env={"CI": "true"})


@pytest.mark.parametrize(
    "args", [("--site", "", "plan"), ("plan", "--site", ""), ("preview", "--site", "")]
)
def test_an_empty_site_is_an_error_naming_the_known_sites(project, args):
    """`--site "$SITE"` with SITE unset in CI must not fall back to the top-level site."""
    project.config.write_text(PROFILES)
    result = run(project, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"Error: --site '' names no site; give one of the sites of {project.config} (known "
        "sites: production, staging), or leave --site out for the top-level site_url\n"
    )


def test_a_page_whose_parent_is_the_notice_is_told_so(project):
    project.write(
        "a.md", "---\ntitle: A\ntype: page\ncomment_status: closed\nparent: notice.en.md\n---\n"
    )
    result = run(project, "check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "articles/a.md:5: error: parent: notice.en.md is the comment-privacy notice, not a "
        "page article; name the parent page's file"
    )
