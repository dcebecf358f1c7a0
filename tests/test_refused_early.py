"""Mistakes refused before any site is asked (an empty --site, a page whose parent is the
notice), and pull's file as the file was written; no real site is contacted here (a port
nobody listens on; the in-memory WordPress for pull)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli
from cms_sync.config import load_config
from cms_sync.project import load_project
from cms_sync.pull import pull

from .fake_wordpress import FakeWordPress
from .publishing import run as publish

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


@pytest.mark.parametrize("gap", ["", "\n", "\n\n"])
def test_pull_changes_only_what_changed_on_the_site(project, gap):
    """A file written without a blank line after its front matter (or with two) keeps its
    spacing and its body byte for byte: a pull of a new title shows in git diff as the
    title's line and the pulled: line, and nothing else."""
    site = FakeWordPress()
    original = (
        f"---\ntitle: Story\nslug: story\nstatus: draft\ncomment_status: closed\n---\n{gap}Words.\n"
    )
    path = project.write("a.md", original)
    publish(project, site)
    [post] = [p for p in site.items("posts") if p.slug == "story"]
    site.api("POST", f"/wp/v2/posts/{post.id}", json={"title": "A better title"})
    loaded, _ = load_project(load_config(project.config))
    pull(loaded, site.client(), dirty=lambda paths: [])
    lines = path.read_text("utf-8").split("\n")
    pulled = [line for line in lines if line.startswith("pulled: ")]
    assert len(pulled) == 1
    assert [line for line in lines if line not in pulled] == original.replace(
        "title: Story", "title: A better title"
    ).split("\n")
