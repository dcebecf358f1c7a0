"""A changed slug on the real WordPress: plan shows the old and the new URL, publish checks
that WordPress redirects the old one (pretty permalinks, /%postname%/, as the test site
has them), and warns when it does not."""

from __future__ import annotations

import json

import pytest
import requests

from .test_concurrent_publish import mu_plugin
from .test_first_publish import PLAIN
from .test_publish import article, cms, publish_json

pytestmark = pytest.mark.wordpress


def items(report: dict) -> dict[str, dict]:
    return {item["key"]: item for item in report["items"]}


def reader_get(url: str) -> requests.Response:
    """The URL as an anonymous reader's browser asks for it, redirects not followed."""
    return requests.get(url, allow_redirects=False, timeout=30)


@pytest.mark.compat
def test_a_slug_change_is_planned_with_both_urls_and_the_old_url_redirects(wp, project):
    path = project.write("a.md", article("Costs", "Text.", slug="old-costs"))
    publish_json(wp, project)
    old = f"{wp.url}/old-costs/"
    assert reader_get(old).status_code == 200
    path.write_text(article("Costs", "Text.", slug="new-costs"), encoding="utf-8")

    code, out, err = cms(wp, project, "plan")
    assert code == 0, err
    assert f"slug change: new-costs: {old} -> {wp.url}/new-costs/" in out
    assert "WordPress redirects the old URL to the new one (checked after publish)" in out
    code, out, _ = cms(wp, project, "plan", "--format", "markdown")
    assert f"slug change: {old} → {wp.url}/new-costs/" in out

    code, out, err = cms(wp, project, "publish", "--json")
    assert code == 0, err
    item = items(json.loads(out))["new-costs"]
    assert (item["old_url"], item["new_url"]) == (old, f"{wp.url}/new-costs/")
    assert item["redirect"] == "old URL redirects to new"
    assert "warning" not in item
    answer = reader_get(old)
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"{wp.url}/new-costs/"


def test_a_slug_change_that_unpublishes_the_post_warns_that_old_links_break(wp, project):
    path = project.write("a.md", article("Costs", "Text.", slug="old-costs"))
    publish_json(wp, project)
    path.write_text(article("Costs", "Text.", slug="new-costs", status="draft"), encoding="utf-8")
    code, out, err = cms(wp, project, "publish")
    assert code == 0, err
    assert f"old URL {wp.url}/old-costs/ answers HTTP 404" in out
    assert "links to it are broken; add a redirect on the site, or keep the old slug" in out
    assert "old URL does not redirect to new (see the warning)" in out
    assert reader_get(f"{wp.url}/old-costs/").status_code == 404


def test_a_draft_s_slug_change_is_no_url_change(wp, project):
    path = project.write("a.md", article("Costs", "Text.", slug="old-costs", status="draft"))
    publish_json(wp, project)
    path.write_text(article("Costs", "Text.", slug="new-costs", status="draft"), encoding="utf-8")
    code, out, _ = cms(wp, project, "plan")
    assert code == 0
    assert "slug" in out and "slug change" not in out


def test_with_plain_permalinks_a_slug_change_keeps_the_url(wp, project):
    with mu_plugin(wp, "plain-permalinks", PLAIN):
        path = project.write("a.md", article("Costs", "Text.", slug="old-costs"))
        publish_json(wp, project)
        path.write_text(article("Costs", "Text.", slug="new-costs"), encoding="utf-8")
        report = publish_json(wp, project)
    item = items(report)["new-costs"]
    assert item["kind"] == "update" and "?p=" in item["old_url"]
    assert item["old_url"] == item["new_url"]
    assert item["redirect"].startswith("URL unchanged: the site uses plain permalinks")
    assert "warning" not in item


def page_tree(project, team: str = "team", alice_parent: str = "team.md", history: bool = True):
    """about > team > alice, and about > history (or, history=False, history at the top);
    team links history, so a run that moves history writes team twice."""
    project.write("pages/about.md", article("About", "Who.", slug="about", type="page"))
    team_page = article("Team", "See [history](history.md).", slug=team, type="page",
                        parent="about.md")  # fmt: skip
    project.write("pages/team.md", team_page)
    project.write("pages/alice.md", article("Alice", "Alice.", slug="alice", type="page",
                                            parent=alice_parent))  # fmt: skip
    under = {"parent": "about.md"} if history else {}
    project.write("pages/history.md", article("History", "Then.", slug="history", type="page",
                                              **under))  # fmt: skip


def test_a_page_s_new_slug_or_parent_is_planned_with_its_new_url_and_old_links_checked(wp, project):
    page_tree(project)
    publish_json(wp, project)
    # One run: team's slug changes, alice moves up a level, history to the top.
    page_tree(project, team="crew", alice_parent="about.md", history=False)

    code, out, err = cms(wp, project, "plan")
    assert code == 0, err
    moves = {
        "crew": (f"{wp.url}/about/team/", f"{wp.url}/about/crew/"),
        "alice": (f"{wp.url}/about/team/alice/", f"{wp.url}/about/alice/"),
        "history": (f"{wp.url}/about/history/", f"{wp.url}/history/"),
    }
    for key, (old, new) in moves.items():
        assert f"slug change: {key}: {old} -> {new}" in out, out
    assert "WordPress redirects" not in out
    assert out.count("WordPress keeps no old URL of a page: links to it will break (404)") == 3

    report = publish_json(wp, project)
    found = items(report)
    for key, (old, new) in moves.items():
        assert (found[key]["old_url"], found[key]["new_url"]) == (old, new), found[key]
        answer = reader_get(old)
        if answer.status_code == 404:
            assert found[key]["redirect"] == "old URL does not redirect to new (see the warning)"
            assert f"old URL {old} answers HTTP 404" in found[key]["warning"]
        else:  # WordPress guessed the page from its slug
            assert (answer.status_code, answer.headers["Location"]) == (301, new), key
            assert found[key]["redirect"] == "old URL redirects to new"
    assert reader_get(f"{wp.url}/about/team/").status_code == 404
