"""Editors change managed posts in the real wp-admin: publish never makes a second post.

Each scenario publishes a small project (or this repository's Bengali article), lets an
editor change a post on the site (in headless Chromium through the real wp-admin, see
tests/wp_admin.py, or through the REST API), then checks that `cms-sync publish` creates
no duplicate (no `-2` slug, one post per article), leaves the edited post alone and exits
3 with a conflict; and that `cms-sync pull PATH` brings the edit into the markdown file,
after which `cms-sync plan` finds nothing to do. The setup of a scenario runs once for both
of its tests (a module-scoped fixture), so the browser work is not done twice.

The projects here publish with ``content_format = "classic"``: what an editor does to a
post that opens as a Classic block (tests/test_block_editor.py has posts published as blocks).

Facts this rests on: what content.raw becomes after each action, checked on WordPress 6.1.9
and 7.0.4. cms-sync publishes `<p>Original words here.</p>\n<p>A second paragraph.</p>\n`
then, with comments open, the notice pattern `<!-- wp:block {"ref":N} /-->\n`, and last the
marker `<!-- cms-sync:v1 key=... path=... source=... stored=... fields=... -->`. The block
editor shows that as a Classic block, the pattern, and the marker alone in a second Classic
block; without the pattern the marker sits in the one Classic block with the text.

- Edit a Classic block's text and save (6.1: inline; 7.0: "Edit", the "Classic Editor"
  dialog, Save). With the pattern, on both: the text block keeps its `<p>`s, blank lines
  come around the pattern and the marker is wrapped in a paragraph:
  `<p>A second paragraph.</p>\n\n<!-- wp:block {"ref":N} /-->\n\n<p><!-- cms-sync:v1
  ... --></p>`. Without the pattern, on both: TinyMCE drops the `<p>`s, the marker stays
  bare: `Original words here. Edited.\n\nA second paragraph.\n\n<!-- cms-sync:v1 ... -->`.
- Change only the title and save. 6.1 saves the body as well, rewritten exactly as above
  (wrapped marker with the pattern; `<p>`s dropped, bare marker without). 7.0 sends only
  the title: content.raw stays byte for byte as published.
- "Convert to blocks" on the Classic block holding the text, edit a paragraph, save. The
  marker in that block: 6.1 deletes it (the post ends `<!-- wp:paragraph -->\n<p>A second
  paragraph.</p>\n<!-- /wp:paragraph -->`); 7.0 makes it a paragraph block of its own,
  `<!-- wp:paragraph -->\n<p><!-- cms-sync:v1 ... --></p>\n<!-- /wp:paragraph -->`, the
  comment not escaped (the editor shows it as a visible token; readers get an empty
  `<p class="wp-block-paragraph">` around the comment; saving it again keeps it so). The
  marker in its own Classic block after the pattern is not converted and is saved wrapped,
  on both: `<!-- wp:block {"ref":N} /-->\n\n<p><!-- cms-sync:v1 ... --></p>`.
- Quick Edit of the title on the Posts list: only the title changes; content.raw, slug,
  status, comment status, terms, excerpt and date stay as they were, on both.
- Trash, then Restore from the Trash view: content.raw unchanged, the slug comes back from
  `<slug>__trashed`, and the post returns as a **draft** (publish -> draft), on both.
- REST `POST /wp/v2/posts/ID {"content": ...}`: content.raw is what was sent; without the
  marker the post has none.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

from .conftest import NOTICE_EN, REPO, Project

pytestmark = [pytest.mark.wordpress, pytest.mark.compat]

SLUG = "co-edited"
OTHER = "bystander"
BENGALI_TITLE = "সম্পাদকের সাথে সহ-সম্পাদনা"  # no slug: WordPress percent-encodes it
BENGALI_ARTICLE = "articles/01-ecommerce-manager-competencies.md"
BENGALI_HEADING = "একটি ইকমার্স ম্যানেজার কি"


def article(title: str, body: str, **front: str) -> str:
    lines = [f"title: {json.dumps(title, ensure_ascii=False)}", "status: publish"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


@dataclass(frozen=True)
class Scenario:
    name: str
    act: Callable[[Edited, Any], None]  # (the scenario's state, wp-admin or None)
    words: str = ""  # what pull must bring into the article file
    changes: str = ""  # a field the conflict must name
    browser: bool = True
    unmanaged: bool = False  # the post is not cms-sync's: written before the first publish
    bengali_repo: bool = False  # this repository's articles/ instead of a small project
    title: str = "Co-edited"  # of the edited article; a Bengali one gets an encoded slug
    comments: str = "open"  # "open": the post ends with the notice pattern, then the marker
    # What WordPress leaves of the marker, by version (see marker_shape).
    marker: dict[str, str] = field(default_factory=dict)


@dataclass
class Edited:
    """A scenario after its setup: the project, the post the editor changed, what it holds."""

    scenario: Scenario
    site: Any  # tests.wordpress_site.WP
    config: Path
    path: Path  # the article file of the edited post
    slugs: list[str] = field(default_factory=list)  # the stored slug of every article
    post_id: int = 0
    raw: str = ""  # the post's content.raw after the editor's change

    def cms(self, *args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["--config", str(self.config), *args], env=self.site.env())
        return result.exit_code, result.stdout, result.stderr

    def report(self, command: str, expect: int) -> dict[str, Any]:
        code, out, err = self.cms(command, "--json")
        assert code == expect, f"{command} exited {code}, not {expect}\n{out}\n{err}"
        report: dict[str, Any] = json.loads(out)
        return report

    def post(self, post_id: int | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self.site.api(
            "GET", f"/wp/v2/posts/{post_id or self.post_id}", params={"context": "edit"}
        )
        return found


# -- the editors' changes --------------------------------------------------------------------


def classic_text(edited: Edited, admin: Any) -> None:
    admin.open_post(edited.post_id)
    admin.edit_classic_text("Original words", " Edited in wp-admin.")
    admin.save()


def convert_and_edit(edited: Edited, admin: Any) -> None:
    admin.open_post(edited.post_id)
    admin.convert_to_blocks("Original words")
    admin.edit_paragraph("Original words", " Converted and edited.")
    admin.save()


def title_only(edited: Edited, admin: Any) -> None:
    admin.open_post(edited.post_id)
    admin.set_title("Retitled in the block editor")
    admin.save()


def quick_edit(edited: Edited, admin: Any) -> None:
    admin.quick_edit_title(edited.post_id, "Retitled in Quick Edit")


def trash_and_restore(edited: Edited, admin: Any) -> None:
    admin.trash(edited.post_id)
    admin.restore(edited.post_id)


def rest_replace(edited: Edited, admin: Any) -> None:
    content = "<p>Replaced through the REST API.</p>\n<p>No marker left.</p>"
    edited.site.api("POST", f"/wp/v2/posts/{edited.post_id}", json={"content": content})


def unmanaged_post(edited: Edited, admin: Any) -> None:
    """An editor writes a post with the article's title in wp-admin (so WordPress gives it
    the slug the article will want) before cms-sync ever published it."""
    post = edited.site.api(
        "POST",
        "/wp/v2/posts",
        json={
            "title": edited.scenario.title,
            "status": "publish",
            "content": "<p>Written by an editor before the first publish.</p>",
        },
    )
    edited.post_id = post["id"]


def bengali_heading(edited: Edited, admin: Any) -> None:
    admin.open_post(edited.post_id)
    admin.edit_classic_text(BENGALI_HEADING, " (wp-admin-এ সম্পাদিত)")
    admin.save()


SCENARIOS = [
    Scenario(
        "block-editor-text",
        classic_text,
        words="Edited in wp-admin.",
        changes="content",
        marker={"6.1": "wrapped", "7.0": "wrapped"},
    ),
    Scenario(
        "convert-to-blocks",
        convert_and_edit,
        words="Converted and edited.",
        changes="content",
        comments="closed",
        marker={"6.1": "deleted", "7.0": "paragraph"},
    ),
    Scenario(
        "block-editor-title-only",
        title_only,
        words="Retitled in the block editor",
        changes="title",
        marker={"6.1": "wrapped", "7.0": "kept"},
    ),
    Scenario(
        "quick-edit-title",
        quick_edit,
        words="Retitled in Quick Edit",
        changes="title",
        marker={"6.1": "kept", "7.0": "kept"},
    ),
    Scenario(
        "trash-then-restore",
        trash_and_restore,
        words="status: draft",
        changes="status",
        marker={"6.1": "kept", "7.0": "kept"},
    ),
    Scenario(
        "rest-replaces-content",
        rest_replace,
        words="Replaced through the REST API.",
        changes="content",
        browser=False,
        marker={"6.1": "deleted", "7.0": "deleted"},
    ),
    Scenario(
        "bengali-article-block-editor",
        bengali_heading,
        words="(wp-admin-এ সম্পাদিত)",
        changes="content",
        bengali_repo=True,
        marker={"6.1": "wrapped", "7.0": "wrapped"},
    ),
    # Last: the pull test has no such scenario, and pytest pairs the two tests' setups by
    # position in their lists.
    Scenario("unmanaged-post-at-slug", unmanaged_post, browser=False, unmanaged=True),
    Scenario(
        "unmanaged-post-at-bengali-slug",
        unmanaged_post,
        browser=False,
        unmanaged=True,
        title=BENGALI_TITLE,
    ),
]


def param(scenario: Scenario) -> Any:
    marks = [pytest.mark.browser] if scenario.browser else []
    return pytest.param(scenario, id=scenario.name, marks=marks)


def marker_shape(raw: str) -> str:
    """What is left of the marker in content.raw: kept (a bare comment), wrapped
    (`<p><!-- ... --></p>`), paragraph (that, as a paragraph block), escaped, or deleted."""
    if "cms-sync:v1" not in raw:
        return "deleted"
    if "&lt;!-- cms-sync:v1" in raw:
        return "escaped"
    if "<!-- wp:paragraph -->\n<p><!-- cms-sync:v1" in raw:
        return "paragraph"
    if "<p><!-- cms-sync:v1" in raw:
        return "wrapped"
    return "kept"


# -- setting a scenario up -------------------------------------------------------------------


def small_project(root: Path, scenario: Scenario) -> tuple[Path, Path]:
    """The edited article (slug co-edited, or none for a Bengali title) and a bystander."""
    project = Project(root)
    project.write("notice.en.md", NOTICE_EN)
    front = {"comment_status": scenario.comments}
    if scenario.title.isascii():
        front["slug"] = SLUG
    body = "Original words here.\n\nA second paragraph."
    path = project.write(f"{SLUG}.md", article(scenario.title, body, **front))
    project.write(f"{OTHER}.md", article("Bystander", "Left alone.", slug=OTHER))
    classic(project.config)
    return project.config, path


def bengali_project(root: Path) -> tuple[Path, Path]:
    """A copy of this repository's series: the Bengali part 1 and its notice."""
    for name in ("articles", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "cms-sync.toml", root)
    classic(root / "cms-sync.toml")
    return root / "cms-sync.toml", root / BENGALI_ARTICLE


def classic(config: Path) -> None:
    """The project publishes classic HTML: a Classic block in the editor."""
    with config.open("a", encoding="utf-8") as toml:
        toml.write('content_format = "classic"\n')


def commit_all(root: Path) -> None:
    """The project as a git checkout with everything committed, as an editor's clone is
    (pull may refuse to overwrite a file with uncommitted changes)."""
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "articles"]):
        subprocess.run([*git, *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def admin(wordpress_site, browser):
    """wp-admin of the test site, logged in once for the module as the Administrator;
    logged out at the end so later browser tests see the site as readers do."""
    from .wp_admin import WPAdmin

    account = wordpress_site.state["admin"]
    session = WPAdmin(browser, wordpress_site.url, account["user"], account["password"])
    session.login()
    yield session
    session.logout()


@pytest.fixture(scope="module")
def edited(request, wordpress_site, tmp_path_factory) -> Edited:
    """The scenario set up once for both its tests: the site emptied, the project published
    (after the unmanaged post, in that scenario), then the editor's change."""
    scenario: Scenario = request.param
    wordpress_site.reset()
    root = tmp_path_factory.mktemp(scenario.name) / "site"
    if scenario.bengali_repo:
        root.mkdir(parents=True)
        config, path = bengali_project(root)
    else:
        config, path = small_project(root, scenario)
    commit_all(root)
    state = Edited(scenario, wordpress_site, config, path)
    if scenario.unmanaged:
        scenario.act(state, None)
        state.slugs = [state.post()["slug"], OTHER]
        state.raw = state.post()["content"]["raw"]
        return state
    first = state.report("publish", expect=0)
    posts = [i for i in first["items"] if i["item"] == "post"]
    assert {i["kind"] for i in first["items"]} == {"create"}, first
    state.slugs = [state.post(i["id"])["slug"] for i in posts]
    [state.post_id] = [i["id"] for i in posts if i["key"] != OTHER]
    before = state.post()
    scenario.act(state, request.getfixturevalue("admin") if scenario.browser else None)
    after = state.post()
    state.raw = after["content"]["raw"]
    # The change was saved, and left the marker as this version of WordPress does.
    assert seen(after) != seen(before), "the change was not saved"
    version = ".".join(wordpress_site.state["wp_version"].split(".")[:2])
    if version in scenario.marker:
        assert marker_shape(state.raw) == scenario.marker[version], state.raw
    return state


def seen(post: dict[str, Any]) -> tuple[str, ...]:
    """What an editor's change may alter: content, title, status, slug."""
    return (post["content"]["raw"], post["title"]["raw"], post["status"], post["slug"])


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("edited", [param(s) for s in SCENARIOS], indirect=True)
def test_publish_makes_no_duplicate_and_reports_the_conflict(edited: Edited) -> None:
    position = edited.site.log_position()
    code, out, err = edited.cms("publish")
    assert code == 3, f"publish exited {code}, not 3\n{out}\n{err}"
    assert f"(id {edited.post_id})" in out, out  # the conflict names the post
    slugs = sorted(p["slug"] for p in [*edited.site.posts("any"), *edited.site.posts("trash")])
    assert not [slug for slug in slugs if slug.endswith("-2")], slugs
    assert slugs == sorted(edited.slugs), slugs  # one post per article and nothing else
    assert edited.post()["content"]["raw"] == edited.raw  # the editor's version left alone
    report = edited.report("plan", expect=3)  # plan exits 3 on a conflict too
    conflicts = [i for i in report["items"] if i["kind"] == "conflict"]
    assert [(i["item"], i["id"]) for i in conflicts] == [("post", edited.post_id)], report
    if edited.scenario.unmanaged:
        return
    # The bystander was unchanged too. wp-admin, still open in the browser, may send its
    # heartbeat (POST admin-ajax.php) meanwhile: that is not cms-sync's.
    writes = [w for w in edited.site.writes_since(position) if "/admin-ajax.php" not in w]
    assert writes == []
    assert edited.scenario.changes in conflicts[0]["changes"], conflicts
    assert {i["kind"] for i in report["items"]} == {"unchanged", "conflict"}, report


@pytest.mark.parametrize("edited", [param(s) for s in SCENARIOS if not s.unmanaged], indirect=True)
def test_pull_brings_the_edit_home_and_plan_is_then_empty(edited: Edited) -> None:
    code, out, err = edited.cms("pull", str(edited.path))
    assert code == 0, f"pull exited {code}\n{out}\n{err}"
    assert edited.path.name in out, out
    text = edited.path.read_text(encoding="utf-8")
    assert edited.scenario.words in text, text
    assert "cms-sync:v1" not in text, text  # the marker stays on the site
    report = edited.report("plan", expect=0)
    # An edit that took the marker with it: the post is written once, only to carry it
    # again (else a later slug change would leave it behind and make a second post).
    lost = [i for i in report["items"] if i["kind"] == "update"]
    assert all(i.get("changes") == ["identity"] for i in lost), report
    assert set(report["counts"]) <= {"unchanged", "update"}, report
    if lost:
        edited.report("publish", expect=0)
        assert set(edited.report("plan", expect=0)["counts"]) == {"unchanged"}
