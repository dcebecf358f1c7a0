"""Files outside the project, oversized files and markup in text fields: refused at check, so
render copies nothing, the preview serves nothing and publish sends nothing."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cms_sync.build import write_render
from cms_sync.cli import cli
from cms_sync.config import load_config
from cms_sync.errors import CmsSyncError
from cms_sync.preview import PreviewServer
from cms_sync.project import load_project

from .fake_wordpress import FakeWordPress
from .publishing import article, cli_env

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # enough of a PNG for a file that is only copied
SECRET = b"\x89PNG\r\n\x1a\nthe runner's secret"


def check(project, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["--config", str(project.config), *args])
    lines = [line for line in result.stderr.splitlines() if "article(s)" not in line]
    return result.exit_code, lines


@pytest.fixture
def outside(project) -> Path:
    """A file of the machine, next to the project folder and outside it."""
    path = project.root.parent / "outside.png"
    path.write_bytes(SECRET)
    return path.resolve()


def root_of(project) -> Path:
    return project.root.resolve()


def refused(project, outside: Path, what: str) -> str:
    return (
        f"{what} resolves to {outside}, outside the project ({root_of(project)}); cms-sync reads "
        "only files inside it, symlinks followed: copy the image into the project"
    )


# -- images and featured images ---------------------------------------------------------------


def test_a_body_image_above_the_project_is_an_error_at_its_line(project, outside):
    project.write("a.md", article("a", "Text.\n\n![x](../../outside.png)"))
    code, lines = check(project, "check")
    assert code == 1
    assert lines == [
        "articles/a.md:9: error: " + refused(project, outside, "image '../../outside.png'")
    ]


def test_a_body_image_by_absolute_path_is_a_site_url_never_read(project, outside, tmp_path):
    project.write("a.md", article("a", f"![x]({outside})"))
    assert check(project, "check") == (0, [])
    out = tmp_path / "out"
    assert check(project, "-q", "render", "--out", str(out)) == (0, [])
    assert f'src="{outside}"' in (out / "a.html").read_text("utf-8")
    assert not (out / "media").exists()


def test_a_symlink_inside_articles_to_an_image_outside_is_an_error(project, outside):
    (project.articles / "images").mkdir()
    (project.articles / "images" / "x.png").symlink_to(outside)
    project.write("a.md", article("a", "![x](images/x.png)"))
    code, lines = check(project, "check")
    assert (code, lines) == (
        1,
        ["articles/a.md:7: error: " + refused(project, outside, "image 'images/x.png'")],
    )


def test_a_symlink_to_an_image_inside_the_project_is_fine(project):
    (project.root / "shared").mkdir()
    (project.root / "shared" / "x.png").write_bytes(PNG)
    (project.articles / "x.png").symlink_to(project.root / "shared" / "x.png")
    project.write("a.md", article("a", "![x](x.png)", featured_image="x.png"))
    assert check(project, "check") == (0, [])


@pytest.mark.parametrize("how", ["dots", "absolute", "symlink"])
def test_a_featured_image_outside_is_an_error_at_its_key(project, outside, how):
    written = {"dots": "../../outside.png", "absolute": str(outside), "symlink": "cover.png"}[how]
    if how == "symlink":
        (project.articles / "cover.png").symlink_to(outside)
    project.write("a.md", article("a", featured_image=written))
    code, lines = check(project, "check")
    what = f"featured_image '{written}'"
    assert (code, lines) == (1, [f"articles/a.md:6: error: {refused(project, outside, what)}"])


def test_an_image_over_the_limit_is_an_error_with_its_size(project):
    big = project.articles / "big.png"
    with big.open("wb") as handle:  # sparse: 21 MB on disk in no time
        handle.truncate(21 * 1024 * 1024)
    project.write("a.md", article("a", "![x](big.png)"))
    assert check(project, "check") == (
        1,
        [
            "articles/a.md:7: error: image 'big.png' is 21.0 MB, over cms-sync's limit of "
            "20.0 MB per image (WordPress's own limit is the host's upload_max_filesize, often "
            "lower); make it smaller"
        ],
    )


# -- article files -----------------------------------------------------------------------------


def test_an_article_file_linked_outside_is_an_error_at_line_1_and_is_not_read(project):
    elsewhere = project.root.parent / "notes.md"
    elsewhere.write_text(article("secret-notes", status="nope"), encoding="utf-8")
    (project.articles / "notes.md").symlink_to(elsewhere)
    code, lines = check(project, "check")
    assert (code, lines) == (
        1,
        [
            f"articles/notes.md:1: error: the file resolves to {elsewhere.resolve()}, outside "
            f"the project ({root_of(project)}); cms-sync reads only files inside it, symlinks "
            "followed: copy the file into the project"
        ],
    )  # not read: its own error (status: nope) is not reported


def test_an_article_over_the_limit_is_an_error_with_its_size(project):
    project.write("a.md", article("a", "Long text. " * 200_000))  # 2.1 MB
    assert check(project, "check") == (
        1,
        [
            "articles/a.md:1: error: the file is 2.1 MB of markdown, over the limit of 2.0 MB "
            "per article; split it into parts of a series"
        ],
    )


# -- titles, excerpts, term names: text ------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        (
            {"title": f"'{SCRIPT}'"},
            2,
            "title: '<script>' is HTML markup; this field is plain text, shown as written in "
            "the preview but read as HTML by WordPress themes; remove the markup (a '<' before "
            "a space, as in 'a < b', is fine)",
        ),
        (
            {"excerpt": "'Read <b>this</b>'"},
            6,
            "excerpt: '<b>' is HTML markup; this field is plain text, shown as written in the "
            "preview but read as HTML by WordPress themes; remove the markup (a '<' before a "
            "space, as in 'a < b', is fine)",
        ),
        (
            {"tags": "['<b></b>']"},
            6,
            "tags: '<b>' is HTML markup; this field is plain text, shown as written in the "
            "preview but read as HTML by WordPress themes; remove the markup (a '<' before a "
            "space, as in 'a < b', is fine)",
        ),
        (
            {"categories": "[News, '<i>x']"},
            6,
            "categories: '<i>' is HTML markup; this field is plain text, shown as written in "
            "the preview but read as HTML by WordPress themes; remove the markup (a '<' before "
            "a space, as in 'a < b', is fine)",
        ),
        (
            {"title": "Q&amp;A"},
            2,
            "title: '&amp;' is an HTML character reference, which the site would show as the "
            "character and the preview as written; write the character itself",
        ),
    ],
)
def test_markup_in_a_text_field_is_an_error_at_its_key(project, front, line, message):
    text = article("a", **{k: v for k, v in front.items() if k != "title"})
    if "title" in front:
        text = text.replace('title: "A"', f"title: {front['title']}")
    project.write("a.md", text)
    assert check(project, "check") == (1, [f"articles/a.md:{line}: error: {message}"])


def test_ampersand_and_less_than_in_prose_stay_text_everywhere(project, tmp_path):
    project.write("a.md", article("a", tags="['Q&A']").replace('title: "A"', "title: 'Q&A: a < b'"))
    assert check(project, "check") == (0, [])
    check(project, "render", "--site", "--out", str(tmp_path / "out"))
    page = (tmp_path / "out" / "a.html").read_text("utf-8")
    assert '<h1 class="entry-title">Q&amp;A: a &lt; b</h1>' in page


def test_a_script_title_is_shown_as_text_in_the_preview_never_run(project):
    project.write("a.md", article("a").replace('title: "A"', f"title: '{SCRIPT}'"))
    with PreviewServer(project.config) as server:
        status, page = fetch(server.url + "a.html")
        _, index = fetch(server.url)
    assert status == 500 and "title: &#x27;&lt;script&gt;&#x27; is HTML markup" in page
    assert "<script>alert" not in page and "<script>alert" not in index


# -- render, preview and publish refuse before copying, serving or sending ---------------------


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_render_out_copies_nothing_from_outside(project, outside, tmp_path):
    project.write("a.md", article("a", "![x](../../outside.png)"))
    project.write("b.md", article("b", featured_image="../../outside.png"))
    out = tmp_path / "out"
    for args in (["render", "--out", str(out)], ["render", "--site", "--out", str(out)]):
        code, lines = check(project, *args)
        assert code == 1 and len(lines) == 3 and "nothing was done" in lines[-1]
    assert not out.exists()


def test_render_refuses_an_image_swapped_for_a_link_outside_after_the_check(
    project, outside, tmp_path
):
    image = project.articles / "x.png"
    image.write_bytes(PNG)
    project.write("a.md", article("a", "![x](x.png)"))
    loaded, findings = load_project(load_config(project.config))
    assert findings == []
    image.unlink()
    image.symlink_to(outside)
    with pytest.raises(CmsSyncError, match=r"x\.png: image resolves to .*, outside the project"):
        write_render(loaded, tmp_path / "out")
    assert list((tmp_path / "out").rglob("*.png")) == []


def test_the_preview_serves_nothing_from_outside(project, outside):
    image = project.articles / "x.png"
    image.write_bytes(PNG)
    project.write("a.md", article("a", "![x](x.png)"))
    project.write("b.md", article("b", "![x](../../outside.png)"))
    with PreviewServer(project.config) as server:
        status, page = fetch(server.url + "b.html")
        assert status == 500 and "outside the project" in page
        status, good = fetch(server.url + "a.html")
        [media] = re.findall(r'src="(media/[^"]+)"', good)
        served = [fetch(server.url + m)[1] for m in re.findall(r'"(media/[^"]+)"', page)]
        assert served == [] and fetch(server.url + media)[0] == 200
        # The image becomes a link outside while the preview runs: refused, before the rebuild.
        server.preview.stop()  # no rebuild: the page still names the image
        image.unlink()
        image.symlink_to(outside)
        status, body = fetch(server.url + media)
    assert status == 403 and "outside the project" in body and "secret" not in body


def test_publish_sends_no_request_while_a_file_is_outside(project, outside, monkeypatch):
    site = FakeWordPress()
    site.install(monkeypatch)
    project.write("a.md", article("a", featured_image="../../outside.png"))
    project.write("b.md", article("b").replace('title: "B"', f"title: '{SCRIPT}'"))
    env = cli_env(project, site)
    for command in ("publish", "plan", "pull"):
        result = CliRunner().invoke(cli, ["--config", str(project.config), command], env=env)
        assert result.exit_code == 1, result.output
        assert "2 problem(s) in the articles; nothing was done" in result.stderr
    assert site.calls == [] and site.items("media") == []


def test_a_symlink_loop_is_not_followed(project):
    loop = project.articles / "loop.png"
    loop.symlink_to(loop)
    project.write("a.md", article("a", "![x](loop.png)"))
    assert check(project, "check") == (
        1,
        ["articles/a.md:7: error: image 'loop.png' does not exist"],
    )
