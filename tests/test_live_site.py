"""The published series on the live site: the pages WordPress's theme serves to readers.

The preview tests look at what cms-sync shows before publishing; these look at what WordPress
itself serves afterwards, on Debian's 6.1 and (compat tier) on the current release: the
article under its title, the series navigation with live links, the images and theme files
served from wp-content, and the privacy notice of the synced pattern above the comment form.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from click.testing import CliRunner

from cms_sync.cli import cli

from .conftest import REPO
from .test_preview_browser import ARTIFACTS, NOTICE_LABELS, TITLE
from .wordpress_site import copy_project

pytestmark = [pytest.mark.wordpress, pytest.mark.compat]

SERIES = REPO / "tests" / "fixtures" / "series"
PART_2 = "seven-skills-one-attitude"
ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']|url\(["']?([^)"']+)["']?\)""")


def publish(wp, config: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config), "publish"], env=wp.env())
    assert result.exit_code == 0, result.output + result.stderr


def get(url: str) -> requests.Response:
    """An anonymous reader's request."""
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 200, f"{url} answered {answer.status_code}"
    return answer


@pytest.fixture
def live(wp, tmp_path: Path) -> dict[str, str]:
    """Publish the fixture series; return the live page of each published part, by slug."""
    publish(wp, copy_project(SERIES, tmp_path / "series"))
    return {post["slug"]: get(post["link"]).text for post in wp.posts(status="publish")}


def test_a_part_shows_its_title_text_and_live_series_links(wp, live):
    page = live[PART_2]
    assert re.search(r"<h1[^>]*>Seven skills &#0?38; one attitude</h1>", page)
    assert re.search(r'<h2(?: class="wp-block-heading")?>Conversion funnels</h2>', page)  # 7.0
    nav = page[page.index('class="cms-sync-series"') :]
    nav = nav[: nav.index("</nav>")]
    assert "The e-commerce manager: part 2 of 2" in nav  # part 3 is a draft
    first = f"{wp.url}/what-an-ecommerce-manager-does/"
    assert re.findall(r'href="([^"]+)"', nav)[0] == first
    assert "What an e-commerce manager does" in get(first).text


def test_the_notice_of_the_synced_pattern_stands_above_the_comment_form(live):
    page = live[PART_2]
    notice = page.index('class="cms-sync-notice"')
    shown = page[notice : page.index("</aside>", notice)]
    for text in ("Data controller", "Jane Doe", "Rights", "https://example.org/privacy/"):
        assert text in shown
    assert notice < page.index('id="commentform"')


def test_images_and_theme_files_are_served_from_wp_content(wp, live):
    served = set()
    for page in live.values():
        for match in ASSET.finditer(page):
            url = urljoin(f"{wp.url}/", match.group(1) or match.group(2))
            if url.startswith(f"{wp.url}/wp-content/"):
                served.add(url.split("?", 1)[0])
    assert any("/wp-content/uploads/" in url and url.endswith("funnel.png") for url in served)
    assert any("/wp-content/themes/" in url for url in served)
    for url in sorted(served):
        get(url)


@pytest.mark.browser
def test_the_bengali_part_1_reads_on_the_live_site_in_chromium(wp, browser, tmp_path):
    """This repository's series as a reader's browser draws it from WordPress (the theme's
    page, not cms-sync's preview); the screenshot is tests/artifacts/live-<version>.png."""
    root = tmp_path / "repo"
    for name in ("articles", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "cms-sync.toml", root)
    publish(wp, root / "cms-sync.toml")
    [post] = wp.posts(status="publish")
    browser.open(post["link"])
    assert browser.text("h1.wp-block-post-title") == TITLE
    fonts = browser.used_fonts("h1.wp-block-post-title")
    assert any("Bengali" in f["familyName"] and f["glyphCount"] > 0 for f in fonts), fonts
    labels = browser.execute(
        "return [...document.querySelectorAll('.cms-sync-notice li strong')]"
        ".map((e) => e.textContent)"
    )
    assert labels == [f"{label}:" for label in NOTICE_LABELS]
    notice_top, notice_height, form_top = browser.execute(
        "const notice = document.querySelector('.cms-sync-notice').getBoundingClientRect();"
        "return [notice.top, notice.height,"
        " document.querySelector('#commentform').getBoundingClientRect().top]"
    )
    assert notice_height > 0 and notice_top < form_top
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / f"live-{wp.state['wp_version']}.png", full_page=True)
