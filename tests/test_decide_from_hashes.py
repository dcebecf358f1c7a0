"""Publish decides from hashes: an untouched article is not rendered, and a change of any
input of a post (its file, a template, the labels, the notice, a linked part, an image's
bytes, the content format) renders it again and updates it. The site's block profile is
not an input of the hash (inputs.py): a post takes a new one when it is next written.

Against the in-memory WordPress; renders are counted at Renderer.post_content, the step
that makes a post's content (markdown is converted once, when the project is checked).
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cms_sync import render
from cms_sync.config import load_config
from cms_sync.project import load_project
from cms_sync.publish import publish

from .conftest import REPO
from .fake_wordpress import FakeWordPress
from .publishing import article, kinds, managed, run

IMAGE = REPO / "tests" / "fixtures" / "series" / "articles" / "images"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each article's post content is made, by slug."""
    counted: Counter[str] = Counter()
    original = render.Renderer.post_content

    def counting(self: render.Renderer, article: Any, *args: Any, **kwargs: Any) -> Any:
        counted[article.slug] += 1
        return original(self, article, *args, **kwargs)

    monkeypatch.setattr(render.Renderer, "post_content", counting)
    return counted


def series_project(project: Any) -> None:
    """Three parts of a series (part 2 links part 1 in its body and shows an image), and an
    article outside it; comments open, so each shows the notice."""
    image = sorted(IMAGE.iterdir())[0]
    project.write("images/pic.png", image.read_bytes())
    for part, slug in enumerate(("one", "two", "three"), 1):
        body = "## A heading\n\nText."
        if slug == "two":
            body += "\n\nBack to [part one](one.md).\n\n![A picture](images/pic.png)"
        project.write(
            f"{slug}.md",
            article(slug, body, comment_status="open", series=f"{{name: S, part: {part}}}"),
        )
    project.write("alone.md", article("alone", "## Alone\n\nNo links.", comment_status="open"))


def published(project: Any, site: FakeWordPress) -> None:
    """The project published, and published again: the state every later run starts from
    (a second run fills in what the first could not: links to posts it created)."""
    run(project, site)
    run(project, site)


def republish(project: Any, site: FakeWordPress, renders: Counter[str]) -> dict[str, str]:
    renders.clear()
    site.calls.clear()
    return kinds(run(project, site))


def test_an_untouched_project_renders_nothing(project, renders):
    site = FakeWordPress()
    series_project(project)
    assert set(kinds(run(project, site)).values()) == {"create"}
    assert renders["two"] >= 1
    run(project, site)
    again = republish(project, site, renders)
    assert set(again.values()) == {"unchanged"}
    assert renders == Counter()
    assert site.writes() == []


def test_a_first_publish_renders_only_what_it_sends(project, renders):
    site = FakeWordPress()
    series_project(project)
    run(project, site)
    post_writes = [c for c in site.calls if c.in_batch and "/wp/v2/posts" in str(c)]
    assert sum(renders.values()) == len(post_writes)  # each render is sent, none is wasted


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _config(project: Any, line: str) -> None:
    with project.config.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


# Each edit, and the articles it must update (the others stay unrendered and unchanged).
EDITS: dict[str, tuple[Callable[[Any, FakeWordPress], None], set[str]]] = {
    "the article file": (lambda p, _s: _edit(p.articles / "one.md", "Text.", "New text."), {"one"}),
    "a template": (
        lambda p, _s: _edit(
            p.root / "templates" / "post.html", "as_block(notice", "body, as_block(notice"
        ),
        {"one", "two", "three", "alone"},
    ),
    "the labels": (  # the series navigation's: "alone" is rendered, and unchanged
        lambda p, _s: _edit(p.root / "templates" / "i18n" / "en.yaml", "Other parts", "More"),
        {"one", "two", "three"},
    ),
    "a linked part's title": (
        lambda p, _s: _edit(p.articles / "one.md", 'title: "One"', 'title: "Part One"'),
        {"one", "two", "three"},
    ),
    "a linked part's status": (
        lambda p, _s: _edit(p.articles / "three.md", "status: publish", "status: draft"),
        {"one", "two", "three"},
    ),
    "an image's bytes": (
        lambda p, _s: p.write("images/pic.png", sorted(IMAGE.iterdir())[1].read_bytes()),
        {"two"},
    ),
    "the content format": (
        lambda p, _s: _config(p, 'content_format = "classic"'),
        {"one", "two", "three", "alone"},
    ),
}


@pytest.mark.parametrize("edit", EDITS)
def test_a_changed_input_renders_and_updates_its_posts(project, renders, edit):
    change, updated = EDITS[edit]
    site = FakeWordPress()
    series_project(project)
    published(project, site)
    before = {slug: post.content for slug, post in managed(site).items()}
    change(project, site)
    found = republish(project, site, renders)
    assert {k for k, v in found.items() if v == "update"} == updated
    assert set(renders) >= updated
    assert all(found[slug] == "unchanged" for slug in found.keys() - updated)
    after = {slug: post.content for slug, post in managed(site).items()}
    assert {slug for slug in before if before[slug] != after[slug]} == updated
    rendered_unchanged = set(renders) - updated
    assert set(republish(project, site, renders).values()) == {"unchanged"}  # it converges
    assert site.writes() == []
    # A post the change left as it was keeps its old source hash (nothing is written to
    # it), so it is rendered again until it is next written; a written one is not.
    assert set(renders) == rendered_unchanged


def test_an_inline_notice_edit_updates_the_posts_that_show_it(project, renders):
    site = FakeWordPress()
    _config(project, 'notice_mode = "inline"')
    series_project(project)
    project.write("closed.md", article("closed", "Comments closed."))
    published(project, site)
    _edit(project.articles / "notice.en.md", "Jane Doe", "John Roe")
    found = republish(project, site, renders)
    assert {k for k, v in found.items() if v == "update"} == {"one", "two", "three", "alone"}
    assert found["closed"] == "unchanged" and "closed" not in renders
    assert "John Roe" in managed(site)["alone"].content


def test_a_pattern_notice_edit_is_one_write_and_renders_no_post(project, renders):
    site = FakeWordPress()
    series_project(project)
    published(project, site)
    _edit(project.articles / "notice.en.md", "Jane Doe", "John Roe")
    found = republish(project, site, renders)
    assert {k for k, v in found.items() if v != "unchanged"} == {"notice:en"}
    assert renders == Counter()


def test_an_edit_on_the_site_is_still_a_conflict(project, renders):
    site = FakeWordPress()
    series_project(project)
    published(project, site)
    post = managed(site)["alone"]
    site.api("POST", f"/wp/v2/posts/{post.id}", json={"title": "Edited in wp-admin"})
    found = republish(project, site, renders)
    assert found["alone"] == "conflict"
    assert set(renders) == {"alone"}  # compared with what the files want
    assert site.writes() == []


def test_a_project_moved_elsewhere_hashes_the_same(project, renders, tmp_path):
    site = FakeWordPress()
    series_project(project)
    published(project, site)
    moved = tmp_path / "clone"
    shutil.copytree(project.root, moved)
    loaded, _ = load_project(load_config(moved / "cms-sync.toml"))
    renders.clear()
    report = publish(loaded, site.client("admin"))
    assert {o.kind for o in report.outcomes} == {"unchanged"}
    assert renders == Counter()


def test_a_new_block_profile_comes_with_the_next_write(project, renders):
    site = FakeWordPress()
    series_project(project)
    published(project, site)
    site.block_editor = "6.1"  # the site's WordPress changed: its editor writes other markup
    assert set(republish(project, site, renders).values()) == {"unchanged"}
    assert renders == Counter() and site.writes() == []
    _edit(project.articles / "alone.md", "No links.", "A link: none.")
    assert republish(project, site, renders)["alone"] == "update"
    assert set(renders) == {"alone"}
    assert '<h2 class="wp-block-heading">' not in managed(site)["alone"].content  # 6.1's way
    assert '<h2 class="wp-block-heading">' in managed(site)["one"].content


# The goldens are cms-sync's rendering; a change of them must raise render.RENDER_VERSION
# (else posts published before keep the old HTML until their files change).
GOLDEN_DIGEST = {1: "6efafd211b3c082d"}


def test_render_version_follows_the_goldens():
    digest = hashlib.sha256()
    golden = REPO / "tests" / "golden"
    for path in sorted(p for p in golden.rglob("*") if p.is_file()):
        digest.update(path.relative_to(golden).as_posix().encode() + b"\0" + path.read_bytes())
    assert GOLDEN_DIGEST.get(render.RENDER_VERSION) == digest.hexdigest()[:16], (
        "tests/golden changed: raise render.RENDER_VERSION and pin the new digest here"
    )
