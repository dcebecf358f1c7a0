"""`cms-sync pull` and `import` against a real WordPress: edits made on the site come home.

An edit is made as an editor's REST client would (the same edits in the real wp-admin are
in test_coediting.py); pull writes it into the file, the next plan writes nothing, and the
round trip site -> markdown -> site keeps every article and a corpus of markdown constructs
rendering to the same HTML.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cms_sync.build import write_render
from cms_sync.config import load_config
from cms_sync.project import load_project

from .conftest import REPO
from .test_publish import article, cms, kinds, managed, publish_json

CORPUS = REPO / "tests" / "fixtures" / "corpus"


def pull_json(wp, project_or_config, *args: str) -> dict:
    code, out, err = cms(wp, project_or_config, "pull", "--json", *args)
    assert code == 0, f"{out}\n{err}"
    return json.loads(out)


def plan_kinds(wp, project) -> dict[str, str]:
    code, out, err = cms(wp, project, "plan", "--json")
    assert code == 0, f"{out}\n{err}"
    return kinds(json.loads(out))


def rendered(config: Path, out: Path) -> dict[str, str]:
    """Each article's post HTML as `render` writes it, by file name."""
    project, _ = load_project(load_config(config))
    shutil.rmtree(out, ignore_errors=True)
    return {p.name: p.read_text("utf-8") for p in write_render(project, out)}


class Folder:
    """A copied project folder that cms() accepts (it reads ``.config``)."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.articles = config.parent / "articles"


@pytest.mark.compat
def test_an_edit_on_the_site_is_pulled_then_plan_is_empty_then_the_file_publishes(wp, project):
    path = project.write("a.md", article("Story", "The first words.\n\n- one\n- two"))
    publish_json(wp, project)
    [post] = managed(wp)
    raw = post["content"]["raw"].replace("first", "edited")
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"content": raw, "title": "Story told"})
    code, out, _ = cms(wp, project, "plan")
    assert code == 3 and "[-first-]{+edited+}" not in out and "cms-sync pull" in out
    report = pull_json(wp, project)
    assert [(i["kind"], i["path"]) for i in report["items"]] == [("pulled", "articles/a.md")]
    text = path.read_text("utf-8")
    assert "The edited words." in text and "title: Story told" in text
    assert set(plan_kinds(wp, project).values()) == {"unchanged"}
    path.write_text(text.replace("- two", "- two\n- three"), encoding="utf-8")
    assert kinds(publish_json(wp, project)) == {"story": "update"}
    [post] = managed(wp)
    assert "<li>three</li>" in post["content"]["raw"] and len(wp.posts()) == 1


def test_an_image_added_on_the_site_is_downloaded_beside_the_article(wp, project):
    path = project.write("a.md", article("Pictured", "Text."))
    publish_json(wp, project)
    png = (CORPUS / "images" / "funnel.png").read_bytes()
    media = wp.api(
        "POST", "/wp/v2/media", data=png,
        headers={"Content-Disposition": 'attachment; filename="site-only.png"',
                 "Content-Type": "image/png"},
    )  # fmt: skip
    [post] = managed(wp)
    image = (  # as the block editor inserts an image from the media library
        f'<!-- wp:image {{"id":{media["id"]},"sizeSlug":"full","linkDestination":"none"}} -->\n'
        f'<figure class="wp-block-image size-full"><img src="{media["source_url"]}" alt="Added"'
        f' class="wp-image-{media["id"]}"/></figure>\n<!-- /wp:image -->'
    )
    raw = post["content"]["raw"].replace(
        "<p>Text.</p>\n<!-- /wp:paragraph -->", f"<p>Text.</p>\n<!-- /wp:paragraph -->\n\n{image}"
    )
    wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"content": raw})
    pull_json(wp, project)
    saved = project.articles / "images" / "site-only.png"
    assert saved.read_bytes() == png
    assert "![Added](images/site-only.png)" in path.read_text("utf-8")
    assert set(plan_kinds(wp, project).values()) == {"unchanged"}
    pull_json(wp, project)  # nothing changed: no second copy
    assert sorted(p.name for p in saved.parent.iterdir()) == ["site-only.png"]


@pytest.mark.parametrize("content_format", ["classic", "blocks"])
@pytest.mark.parametrize("source", ["articles", "corpus"])
def test_publish_then_pull_keeps_every_file_rendering_the_same(
    wp, tmp_path, source, content_format
):
    if source == "articles":
        shutil.copytree(REPO / "articles", tmp_path / "p" / "articles")
        config = _as_project(REPO / "cms-sync.toml", tmp_path / "p")
    else:
        config = _corpus_project(tmp_path / "p")
    with config.open("a", encoding="utf-8") as toml:
        toml.write(f'content_format = "{content_format}"\n')
    folder = Folder(config)
    before = rendered(config, tmp_path / "before")
    publish_json(wp, folder)
    for post in managed(wp):  # an edit that leaves the body alone: pull converts it anyway
        wp.api("POST", f"/wp/v2/posts/{post['id']}", json={"excerpt": "Edited on the site."})
    report = pull_json(wp, folder)
    assert {i["kind"] for i in report["items"]} == {"pulled"}
    after = rendered(config, tmp_path / "after")
    assert after == before
    assert set(plan_kinds(wp, folder).values()) == {"unchanged"}


def _as_project(toml: Path, root: Path) -> Path:
    shutil.copytree(REPO / "templates", root / "templates")
    text = toml.read_text("utf-8").replace('site_url = "http://127.0.0.1:8088"\n', "")
    (root / "cms-sync.toml").write_text(text, encoding="utf-8")
    return root / "cms-sync.toml"


def _corpus_project(root: Path) -> Path:
    shutil.copytree(CORPUS, root / "articles")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "cms-sync.toml").write_text('default_lang = "en"\n', encoding="utf-8")
    return root / "cms-sync.toml"


@pytest.mark.compat
def test_import_takes_posts_written_in_wp_admin_and_publish_creates_nothing(wp, project):
    news = wp.api("POST", "/wp/v2/categories", json={"name": "Newsroom"})["id"]
    wp.api("POST", "/wp/v2/posts", json={
        "title": "From wp-admin", "slug": "from-wp-admin", "status": "publish",
        "categories": [news], "comment_status": "closed",
        "content": "<!-- wp:paragraph -->\n<p>Written <strong>there</strong>.</p>\n"
                   "<!-- /wp:paragraph -->",
    })  # fmt: skip
    code, out, err = cms(wp, project, "import", "--category", "Newsroom")
    assert code == 0, out + err
    text = (project.articles / "from-wp-admin.md").read_text("utf-8")
    assert "Written **there**." in text and "categories: [Newsroom]" in text
    # taken over: written once, only to carry cms-sync's marker; nothing created
    assert kinds(publish_json(wp, project)) == {"from-wp-admin": "update"}
    assert "cms-sync:v1" in wp.posts()[0]["content"]["raw"] and len(wp.posts()) == 1
    position = wp.log_position()
    assert kinds(publish_json(wp, project)) == {"from-wp-admin": "unchanged"}
    assert wp.writes_since(position) == [] and len(wp.posts()) == 1
