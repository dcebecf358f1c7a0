"""The preview as a reader sees it, in a real headless Chromium (Debian's chromium)."""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from cms_sync.preview import PreviewServer

from .conftest import REPO
from .wordpress_site import copy_project

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "tests" / "artifacts"
PART_1 = "ecommerce-manager-professional-competencies.html"
TITLE = "একটি ইকমার্স ম্যানেজারের অবশ্যই 7 পেশাদার দক্ষতা থাকতে হবে"
NOTICE_LABELS = ["ডেটার জন্য দায়বদ্ধ", "ডেটার উদ্দেশ্য", "আইনীকরণ", "তথ্য যোগাযোগ",
                 "ডেটা স্টোরেজ", "অধিকার"]  # fmt: skip


@pytest.fixture
def series(tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    """The preview of a copy of this repository's series."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(REPO / "articles", root / "articles")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "cms-sync.toml", root)
    with PreviewServer(root / "cms-sync.toml") as server:
        yield server, root


def test_part_1_reads_as_on_the_original_page(browser, series):
    server, _root = series
    browser.open(server.url + PART_1)
    assert browser.text("h1.entry-title") == TITLE
    assert "ইকমার্স ম্যানেজারের চিত্রটি স্পেনে খুব বেশি পরিচিত নয়" in browser.text(".entry-content")
    # Drawn with a Bengali font, not as boxes.
    fonts = browser.used_fonts("h1.entry-title")
    assert any("Bengali" in f["familyName"] and f["glyphCount"] > 0 for f in fonts), fonts
    letters = browser.glyph_widths("কখমি", within="h1.entry-title")
    boxes = browser.glyph_widths("\ue000\ue001", within="h1.entry-title")
    assert boxes[0] == boxes[1] > 0  # the font-less baseline: every missing glyph is one box
    assert all(width > 0 for width in letters), letters
    assert len(set(letters)) > 1 and boxes[0] not in letters, (letters, boxes)
    # The six notice headings, below the comment form.
    labels = browser.execute(
        "return [...document.querySelectorAll('.comments-area .cms-sync-notice li strong')]"
        ".map((e) => e.textContent)"
    )
    assert labels == [f"{label}:" for label in NOTICE_LABELS]
    form_bottom, notice_top = browser.execute(
        "return [document.querySelector('form.comment-form').getBoundingClientRect().bottom,"
        " document.querySelector('.cms-sync-notice').getBoundingClientRect().top]"
    )
    assert notice_top > form_bottom
    assert browser.text(".comment-reply-title") == "আপনার মন্তব্য দিন"
    # The artifact shows the whole page, down to the notice, not just the window.
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / "part-1.png", full_page=True)
    page_height, window_height = browser.execute(
        "return [document.documentElement.scrollHeight, window.innerHeight]"
    )
    assert page_height > window_height
    assert png_size(ARTIFACTS / "part-1.png")[1] == page_height


def test_series_links_lead_to_the_right_pages(browser, tmp_path):
    config = copy_project(REPO / "tests" / "fixtures" / "series", tmp_path / "series")
    with PreviewServer(config) as server:
        browser.open(server.url)
        browser.click("a[href='what-an-ecommerce-manager-does.html']")
        browser.wait_for(
            "document.querySelector('h1.entry-title')?.textContent === "
            "'What an e-commerce manager does'"
        )
        browser.click(".cms-sync-series a[href='seven-skills-one-attitude.html']")
        browser.wait_for(
            "document.querySelector('h1.entry-title')?.textContent === "
            "'Seven skills & one attitude'"
        )
        # Part 3 is a draft: readers will not see it in the series, so the preview's series
        # does not link it either; the index does.
        assert (
            browser.execute(
                "return document.querySelector(\".cms-sync-series a[href='hiring-one.html']\")"
            )
            is None
        )
        browser.open(server.url)
        browser.click("a[href='hiring-one.html']")
        browser.wait_for("document.querySelector('h1.entry-title')?.textContent === 'Hiring one'")
        assert browser.text(".post-status") == "Draft"
        assert browser.execute("return document.images.length") == 0
        browser.open(server.url + "seven-skills-one-attitude.html")
        loaded = browser.execute(
            "const img = document.querySelector('.entry-content img');"
            "return img.complete && img.naturalWidth"
        )
        assert loaded == 8  # the fixture's 8x4 PNG, served from the repository


def test_saving_a_file_reloads_the_open_page(browser, series):
    server, root = series
    browser.open(server.url + PART_1)
    browser.wait_for("document.readyState === 'complete'")
    browser.execute("window.notReloaded = true")
    article = root / "articles" / "01-ecommerce-manager-competencies.md"
    article.write_text(
        article.read_text("utf-8") + "\nসংরক্ষণের পরে নতুন অনুচ্ছেদ।\n", encoding="utf-8"
    )
    browser.wait_for(
        "!window.notReloaded && document.body.innerText.includes('সংরক্ষণের পরে নতুন অনুচ্ছেদ')"
    )
    # A broken template: the page shows the error, then recovers when it is fixed.
    template = root / "templates" / "series-nav.html"
    good = template.read_text("utf-8")
    template.write_text(good.replace("{% endfor %}", "{% endfr %}"))
    browser.wait_for(
        "document.body.innerText.includes('series-nav.html')"
        " && document.body.innerText.includes('template error')"
    )
    template.write_text(good)
    browser.wait_for("document.querySelector('h1.entry-title') !== null")
    notice = root / "articles" / "comment-privacy-notice.bn.md"
    notice.write_text(notice.read_text("utf-8").replace("আপনার সম্মতি", "আপনার লিখিত সম্মতি"))
    browser.wait_for(
        "document.querySelector('.cms-sync-notice').innerText.includes('আপনার লিখিত সম্মতি')"
    )


PART_2 = """\
---
title: "ইকমার্স ম্যানেজারের দক্ষতা: দ্বিতীয় অংশ"
slug: ecommerce-manager-part-2
status: draft
lang: bn
series:
  name: ইকমার্স ম্যানেজারের পেশাদার দক্ষতা
  part: 2
---

দ্বিতীয় অংশের প্রথম অনুচ্ছেদ।
"""


def test_a_broken_draft_shows_its_errors_and_the_rest_keeps_reloading(browser, series):
    server, root = series
    part_2 = root / "articles" / "02-ecommerce-manager-part-2.md"
    part_2.write_text(PART_2, encoding="utf-8")
    browser.open(server.url)  # the index lists drafts; part 1's series leaves them out
    browser.wait_for("document.querySelector('a[href=\"ecommerce-manager-part-2.html\"]')")
    browser.open(server.url + PART_1)
    browser.execute("window.notReloaded = true")
    # A colon inside the title without quotes: part 1 reloads and still renders.
    broken = PART_2.replace('title: "ইকমার্স ম্যানেজারের দক্ষতা: দ্বিতীয় অংশ"',
                            "title: ইকমার্স ম্যানেজারের দক্ষতা: দ্বিতীয় অংশ")  # fmt: skip
    part_2.write_text(broken, encoding="utf-8")
    browser.wait_for(
        "!window.notReloaded &&"
        f" document.querySelector('h1.entry-title')?.textContent === '{TITLE}'"
    )
    # Part 2's page shows the finding, and the caret under the spot after the Bengali text.
    browser.open(server.url + "ecommerce-manager-part-2.html")
    finding = browser.text(".preview-finding")
    assert finding.startswith("articles/02-ecommerce-manager-part-2.md:2: invalid YAML"), finding
    assert browser.text(".preview-source mark") == ":"
    mark_left, spacer_right, caret = browser.execute(
        "const marker = document.querySelector('.preview-marker');"
        "return [document.querySelector('.preview-source mark').getBoundingClientRect().left,"
        " marker.firstElementChild.getBoundingClientRect().right, marker.innerText]"
    )
    assert abs(mark_left - spacer_right) < 1 and caret == "^", (mark_left, spacer_right, caret)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / "preview-broken-part-2.png")
    # Fixed: the open error page reloads into part 2.
    browser.execute("window.notReloaded = true")
    part_2.write_text(PART_2, encoding="utf-8")
    browser.wait_for(
        "!window.notReloaded && document.querySelector('h1.entry-title')?.textContent"
        " === 'ইকমার্স ম্যানেজারের দক্ষতা: দ্বিতীয় অংশ'"
    )
    # A template error: every article page shows the template's file and line, and the
    # page comes back when it is fixed.
    template = root / "templates" / "page.html"
    good = template.read_text("utf-8")
    template.write_text(good.replace("{% endblock %}", "{% endblok %}", 1), encoding="utf-8")
    browser.wait_for(
        "document.querySelector('.preview-finding')?.innerText"
        ".startsWith('templates/page.html:2: template error')"
    )
    assert (
        browser.text(".preview-source mark") == "{% block title %}{{ article.title }}{% endblok %}"
    )
    browser.open(server.url + PART_1)
    assert browser.text(".preview-finding").startswith("templates/page.html:2: ")
    template.write_text(good, encoding="utf-8")
    browser.wait_for(f"document.querySelector('h1.entry-title')?.textContent === '{TITLE}'")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (which a file that is no PNG lacks)."""
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height
