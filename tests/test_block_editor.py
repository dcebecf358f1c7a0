"""Posts published as blocks open in the real block editor as valid core blocks, and saving
them without a change changes nothing (WordPress 6.1, and 7.0.4 with --wordpress-archive).

Publishes this repository's articles/ (the Bengali part 1 and its notice pattern) and the
construct corpus (tests/fixtures/corpus: every block cms-sync writes, Bengali text, images)
with ``content_format = "blocks"``, without and with the companion plugin; opens every post
and the notice's synced pattern in wp-admin's block editor in Chromium and reads the
editor's own data store: every block (inner blocks too) valid by the editor's validation,
no Classic (core/freeform) and no missing block, and the content the editor would save
(``wp.blocks.serialize`` of its blocks and ``getEditedPostContent()``) byte-identical to
content.raw. Then one post is touched (a letter typed into a paragraph and deleted), saved
with Update/Save, and content.raw must be byte-identical afterwards, with `cms-sync plan`
still finding nothing to do. Last, a real edit of that paragraph in the editor is a
conflict for `plan`, and `pull` brings it into the markdown file, after which `plan` finds
nothing to do.

The golden files of tests/test_blocks.py are checked against this editor too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from .conftest import REPO
from .test_blocks import GOLDEN
from .test_coediting import admin  # noqa: F401 (the module's logged-in wp-admin fixture)
from .test_publish import cms, kinds, publish_json
from .test_pull import CORPUS, Folder

pytestmark = [pytest.mark.wordpress, pytest.mark.browser, pytest.mark.compat]

# Every block of the post in the editor (depth first), and what the editor would save.
EDITOR_STATE = """
const found = [];
const walk = (blocks) => blocks.forEach((block) => {
  found.push([block.name, block.isValid]);
  walk(block.innerBlocks);
});
const blocks = wp.data.select('core/block-editor').getBlocks();
walk(blocks);
return {blocks: found, serialized: wp.blocks.serialize(blocks),
        edited: wp.data.select('core/editor').getEditedPostContent()};
"""
# The editor's answer for markup it parses: each block's validity, and what it writes.
PARSE = """
const found = [];
const walk = (blocks) => blocks.forEach((block) => {
  found.push([block.name, block.isValid]);
  walk(block.innerBlocks);
});
const blocks = wp.blocks.parse(arguments[0]);
walk(blocks);
return {blocks: found, serialized: wp.blocks.serialize(blocks)};
"""
# The paragraph typed into before the save. Not one with ">" or a no-break space: WordPress
# 6.1 reads a block's text through the DOM (``&gt;``) but writes text typed in its own way
# (``>``), the same text to its validation; 7.0 writes both alike.
TOUCHED = "ইকমার্স ম্যানেজারের চিত্রটি স্পেনে"


def profile_of(site: Any) -> str:
    """The blocks.PROFILES name of the test site's WordPress."""
    return "6.1" if str(site.state["wp_version"]).startswith("6.1") else "7.0"


def blocks_project(root: Path) -> Folder:
    """articles/ and the corpus side by side, published as blocks."""
    articles = root / "articles"
    shutil.copytree(REPO / "articles", articles)
    shutil.copytree(CORPUS, articles, dirs_exist_ok=True)
    shutil.copytree(REPO / "templates", root / "templates")
    config = root / "cms-sync.toml"
    config.write_text('default_lang = "en"\ncontent_format = "blocks"\n', encoding="utf-8")
    return Folder(config)


def open_in_editor(session: Any, post_id: int) -> None:
    """The post (or synced pattern: 7.0 opens it without a title field) in the block editor,
    its blocks loaded."""
    session.browser.open(f"{session.url}/wp-admin/post.php?post={post_id}&action=edit")
    session.browser.wait_for(
        f"window.wp && wp.data && wp.data.select('core/editor').getCurrentPostId() === {post_id}"
        " && wp.data.select('core/block-editor').getBlockCount() > 0",
        timeout=30,
    )
    session.dismiss_guide()


def problems(state: dict[str, Any]) -> list[Any]:
    """Blocks the editor finds invalid, and Classic or missing blocks."""
    return [
        (name, valid)
        for name, valid in state["blocks"]
        if not valid or name in ("core/freeform", "core/missing")
    ]


def test_the_golden_blocks_are_what_this_editor_writes(wp, admin):  # noqa: F811
    admin.browser.open(f"{wp.url}/wp-admin/post-new.php")
    admin.browser.wait_for(
        "window.wp && wp.blocks && wp.data && wp.blocks.getBlockTypes().length > 50", timeout=30
    )
    admin.dismiss_guide()
    goldens = sorted((GOLDEN / profile_of(wp)).glob("*.html"))
    assert len(goldens) > 20
    for path in goldens:
        markup = path.read_text("utf-8").rstrip("\n")
        state = admin.browser.execute(PARSE, markup)
        assert problems(state) == [], path.name
        assert state["serialized"] == markup, path.name


@pytest.mark.parametrize("with_companion", [False, True], ids=["content-marker", "companion"])
def test_every_post_opens_as_valid_blocks_and_saves_unchanged(
    wp,
    admin,  # noqa: F811
    tmp_path,
    request,
    with_companion,
):
    if with_companion:
        request.getfixturevalue("companion")
    project = blocks_project(tmp_path / "site")
    position = wp.log_position()
    report = publish_json(wp, project)
    assert set(kinds(report).values()) == {"create"}, report
    assert report["warnings"] == []  # the profile was read from the site
    assert sum("/wp/v2/block-types" in line for line in wp.requests_since(position)) == 1
    code, out, err = cms(wp, project, "plan", "--json")
    assert code == 0 and set(kinds(json.loads(out)).values()) == {"unchanged"}, out + err
    posts = {p["slug"]: p for p in wp.posts()}
    assert set(posts) == {
        "ecommerce-manager-professional-competencies",
        "every-construct",
        "every-block",
        "other-article",
    }
    bengali = posts["ecommerce-manager-professional-competencies"]["content"]["raw"]
    assert ('<!-- wp:block {"ref":' in bengali) != with_companion  # the notice pattern
    assert ("<!-- wp:html -->\n<!-- cms-sync:v1" in bengali) != with_companion  # the marker

    [pattern] = wp.posts(post_type="blocks")  # the Bengali notice, a synced pattern
    for slug, post in [*sorted(posts.items()), ("notice pattern", pattern)]:
        open_in_editor(admin, post["id"])
        state = admin.browser.execute(EDITOR_STATE)
        assert problems(state) == [], slug
        raw = post["content"]["raw"]
        assert state["serialized"] == raw, slug
        assert state["edited"] == raw, slug

    touched = posts["every-construct"]
    admin.open_post(touched["id"])
    admin.edit_paragraph(TOUCHED, "x")
    with admin.canvas():
        ActionChains(admin.driver).send_keys(Keys.BACKSPACE).perform()
    admin.browser.wait_for(  # the letter is gone again: the blocks are as they were
        "wp.blocks.serialize(wp.data.select('core/block-editor').getBlocks())"
        f" === {json.dumps(touched['content']['raw'])}"
    )
    admin.save()
    saved = wp.api("GET", f"/wp/v2/posts/{touched['id']}", params={"context": "edit"})
    assert saved["modified_gmt"] != touched["modified_gmt"]  # the save did reach WordPress
    assert saved["content"]["raw"] == touched["content"]["raw"]
    code, out, err = cms(wp, project, "plan", "--json")
    assert code == 0, out + err
    assert set(kinds(json.loads(out)).values()) == {"unchanged"}

    # A real edit in the same editor: plan sees a conflict, pull brings it into the file.
    admin.edit_paragraph(TOUCHED, " (সম্পাদিত)")
    admin.save()
    code, out, err = cms(wp, project, "plan", "--json")
    assert code == 3 and kinds(json.loads(out))["every-construct"] == "conflict", out + err
    code, out, err = cms(wp, project, "pull", "--json")
    assert code == 0, out + err
    text = (project.articles / "constructs.md").read_text("utf-8")
    assert "স্পেনে খুব বেশি পরিচিত নয়। সংখ্যা: ১২৩৪৫, 2026। (সম্পাদিত)\n" in text
    code, out, err = cms(wp, project, "plan", "--json")
    assert code == 0 and set(kinds(json.loads(out)).values()) == {"unchanged"}, out + err
