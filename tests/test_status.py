"""`cms-sync status` and `cms-sync open` (fast tier: the in-memory WordPress)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from cms_sync.cli import cli

from .fake_wordpress import FakeWordPress
from .publishing import article


def cms(project, site: FakeWordPress, monkeypatch, *args: str):
    site.install(monkeypatch)
    admin = site.users["admin"]
    env = {"CMS_SYNC_URL": site.url, "CMS_SYNC_USER": admin.login,
           "CMS_SYNC_APP_PASSWORD": admin.password, "CI": "true"}  # fmt: skip
    result = CliRunner().invoke(cli, ["-q", "--config", str(project.config), *args], env=env)
    return result.exit_code, result.stdout


def test_status_says_where_things_stand_and_exits_accordingly(project, monkeypatch):
    site = FakeWordPress()
    project.write("a.md", article("same", "Same."))
    project.write("b.md", article("edited", "Original."))
    project.write("c.md", article("draft", "Not yet.", status="draft"))
    project.write("d.md", article("later", "Soon.", status="future", date="2030-01-02 08:00"))
    assert cms(project, site, monkeypatch, "publish")[0] == 0
    site.calls.clear()
    code, out = cms(project, site, monkeypatch, "status")
    assert code == 0 and "The site matches the files (4 item(s))." in out
    assert "articles/c.md" in out and "draft" in out
    assert "articles/d.md" in out and "scheduled for 2030-01-02 08:00" in out
    project.write("a.md", article("same", "Changed here."))
    code, out = cms(project, site, monkeypatch, "status")
    assert code == 4 and "Changed here, not yet on the site (1):" in out
    assert "articles/a.md" in out and "changed: content" in out
    [post] = [p for p in site.items("posts") if p.slug == "edited"]
    site.api("POST", f"/wp/v2/posts/{post.id}", json={"content": "<p>Edited there.</p>"})
    code, out = cms(project, site, monkeypatch, "status")
    assert code == 3 and "Changed on the site since the last publish (1):" in out
    assert "articles/b.md" in out and f"post {post.id}: content" in out
    assert site.writes() == []  # status only reads


def test_open_prints_and_launches_the_post_or_its_editor(project, monkeypatch):
    site = FakeWordPress()
    path = project.write("a.md", article("opened", "Text."))
    launched: list[str] = []
    monkeypatch.setattr(click, "launch", lambda url, **_: launched.append(url))
    code, out = cms(project, site, monkeypatch, "open", str(path))
    assert code == 1  # not published yet
    cms(project, site, monkeypatch, "publish")
    [post] = site.items("posts")
    code, out = cms(project, site, monkeypatch, "open", str(path))
    assert code == 0 and out.strip() == f"{site.url}/opened/" and launched == [out.strip()]
    code, out = cms(project, site, monkeypatch, "open", "--admin", str(path))
    assert out.strip() == f"{site.url}/wp-admin/post.php?post={post.id}&action=edit"
