"""Rendering: golden files compared byte for byte, and the HTML WordPress keeps as sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

from .conftest import REPO

GOLDEN = REPO / "tests" / "golden"
SERIES_CONFIG = REPO / "tests" / "fixtures" / "series" / "cms-sync.toml"
PART_1 = "ecommerce-manager-professional-competencies.html"


def render(config: Path, out: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(cli, ["-q", "--config", str(config), "render", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def golden(name: str) -> dict[str, bytes]:
    root = GOLDEN / name
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_part_1_matches_the_golden_file(tmp_path):
    assert render(REPO / "cms-sync.toml", tmp_path) == golden("repo")


def test_series_fixture_matches_the_golden_files(tmp_path):
    assert render(SERIES_CONFIG, tmp_path) == golden("series")


def test_output_is_byte_identical_across_runs(tmp_path):
    assert render(SERIES_CONFIG, tmp_path / "a") == render(SERIES_CONFIG, tmp_path / "b")


def test_part_1_shows_the_whole_article_series_navigation_and_notice():
    html = (GOLDEN / "repo" / PART_1).read_text(encoding="utf-8")
    source = (REPO / "articles" / "01-ecommerce-manager-competencies.md").read_text("utf-8")
    body = source.split("---\n", 2)[2]
    # Every paragraph, heading and list item of the article is in the HTML.
    for block in filter(None, (b.strip() for b in re.split(r"\n\n|\n- ", body))):
        assert block.lstrip("#- ").strip() in html, block[:40]
    assert html.count('<h2 class="wp-block-heading">') == 3
    assert html.count('<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">') == 7
    assert html.count("একটি ইকমার্স ম্যানেজার কি") == 1  # the caption duplicate is gone
    assert "ইকমার্স ম্যানেজারের পেশাদার দক্ষতা: পর্ব ১/১" in html
    labels = ["ডেটার জন্য দায়বদ্ধ", "ডেটার উদ্দেশ্য", "আইনীকরণ", "তথ্য যোগাযোগ", "ডেটা স্টোরেজ", "অধিকার"]
    positions = [html.index(f"<strong>{label}:</strong>") for label in labels]
    assert positions == sorted(positions)
    assert "অতিরিক্ত তথ্য" not in html  # no policy link in the seed: no empty item


def test_policy_link_is_rendered_when_set():
    html = (GOLDEN / "series" / "seven-skills-one-attitude.html").read_text("utf-8")
    assert (
        "<li><strong>Additional information:</strong> "
        '<a href="https://example.org/privacy/">Full privacy policy</a></li>'
    ) in html


def test_links_between_articles_resolve_to_the_target_article():
    html = (GOLDEN / "series" / "what-an-ecommerce-manager-does.html").read_text("utf-8")
    assert '<a href="seven-skills-one-attitude.html">part 2</a>' in html
    assert '<a href="hiring-one.html#hiring">part 3</a>' in html


def test_images_are_copied_next_to_the_output(tmp_path):
    files = render(SERIES_CONFIG, tmp_path)
    image = REPO / "tests/fixtures/series/articles/images/funnel.png"
    [media] = [name for name in files if name.startswith("media/")]
    assert files[media] == image.read_bytes()
    assert f'src="{media}"' in files["seven-skills-one-attitude.html"].decode()


def test_comments_closed_means_no_notice():
    html = (GOLDEN / "series" / "hiring-one.html").read_text("utf-8")
    assert "cms-sync-notice" not in html


@pytest.mark.parametrize("name", ["repo", "series"])
def test_output_has_nothing_wordpress_would_strip(name):
    for path in (GOLDEN / name).glob("*.html"):
        html = path.read_text("utf-8")
        assert "<script" not in html and " style=" not in html and "<style" not in html


def test_soft_line_breaks_become_spaces_but_code_keeps_its_lines():
    part1 = (GOLDEN / "series" / "what-an-ecommerce-manager-does.html").read_text("utf-8")
    assert "online shop from the first visit" in part1
    part3 = (GOLDEN / "series" / "hiring-one.html").read_text("utf-8")
    assert '<pre class="wp-block-code"><code>code keeps\nits lines\n</code></pre>' in part3


def test_notice_labels_follow_the_article_language(project):
    project.write(
        "notice.es.md",
        (REPO / "tests/fixtures/series/articles/notice.en.md")
        .read_text("utf-8")
        .replace("lang: en", "lang: es"),
    )
    project.write("a.md", "---\ntitle: Hola\nlang: es\n---\nTexto.\n")
    out = project.root / "out"
    result = CliRunner().invoke(
        cli, ["-q", "--config", str(project.config), "render", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = (out / "hola.html").read_text("utf-8")
    assert "<strong>Responsable de los datos:</strong> Jane Doe" in html
    assert "<strong>Información adicional:</strong>" in html


def test_blocks_follow_the_wordpress_version_asked_for(tmp_path):
    """--wordpress 6.1: blocks as that version's editor writes them (no heading class);
    the default is the current WordPress."""
    current = render(REPO / "cms-sync.toml", tmp_path / "current")[PART_1].decode()
    result = CliRunner().invoke(
        cli,
        ["-q", "--config", str(REPO / "cms-sync.toml"), "render", "--wordpress", "6.1",
         "--out", str(tmp_path / "old")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    old = (tmp_path / "old" / PART_1).read_text("utf-8")
    assert '<!-- wp:heading -->\n<h2 class="wp-block-heading">' in current
    assert "<!-- wp:heading -->\n<h2>" in old and "wp-block-heading" not in old
    assert '<ul class="wp-block-list">' in current and "<ul>" in old
