"""Self-test of tests/webdriver.py: a real headless Chromium on a static page we serve."""

from __future__ import annotations

import functools
import http.server
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .webdriver import Browser, glyph_widths

pytestmark = pytest.mark.browser

HEADING = "একটি ইকমার্স ম্যানেজার"
BENGALI_LETTERS = "কখমগতি\u09be"  # ক খ ম গ ত, vowel signs ি া
TOFU = "\ue000\ue001"  # private use: no installed font has them, they render as .notdef

INDEX = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Start</title></head>
<body><h1 lang="bn">{HEADING}</h1><p><a id="next" href="next.html">Next</a></p></body></html>
"""
NEXT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Next</title></head>
<body><h1>Next page</h1><div style="height: 3000px"></div></body></html>
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a static site on 127.0.0.1, served from a thread."""
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "next.html").write_text(NEXT, encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_find_text_and_click_follow_the_link(browser: Browser, site: str) -> None:
    browser.get(f"{site}/index.html")
    assert browser.find_text("h1") == HEADING
    assert browser.current_url() == f"{site}/index.html"

    browser.click("#next")
    browser.wait_for("document.title === 'Next' && document.readyState === 'complete'")
    assert browser.current_url() == f"{site}/next.html"
    assert browser.find_text("h1") == "Next page"


def test_bengali_heading_is_drawn_with_a_bengali_font(browser: Browser, site: str) -> None:
    browser.get(f"{site}/index.html")
    fonts = browser.platform_fonts("h1")
    assert any("Bengali" in f["familyName"] and f["glyphCount"] > 0 for f in fonts), fonts


def test_bengali_letters_are_real_glyphs_not_tofu(browser: Browser, site: str) -> None:
    browser.get(f"{site}/index.html")
    *letters, box, other_box = glyph_widths(browser, BENGALI_LETTERS + TOFU, within="h1")
    # The measurement can see tofu: two different glyph-less characters, identical boxes.
    assert box == other_box > 0
    assert all(width > 0 for width in letters), letters
    assert len(set(letters)) > 1, f"all Bengali letters are {letters[0]} px wide: tofu?"
    assert any(width != box for width in letters), f"Bengali letters as wide as tofu {box}"


def test_screenshots_are_png(browser: Browser, site: str, tmp_path: Path) -> None:
    browser.get(f"{site}/next.html")
    viewport, full = tmp_path / "viewport.png", tmp_path / "full.png"
    browser.screenshot(viewport)
    browser.screenshot(full, full_page=True)
    assert viewport.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert full.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # The page is 3000 px tall, more than the 2000 px window: only the full page shows it all.
    assert png_size(full)[1] > png_size(viewport)[1]


def test_webdriver_errors_are_assertion_errors(browser: Browser, site: str) -> None:
    browser.get(f"{site}/index.html")
    with pytest.raises(AssertionError, match="boom"):
        browser.execute("throw new Error('boom')")
    with pytest.raises(AssertionError, match="no such element"):
        browser.click("#missing")
    with pytest.raises(AssertionError, match="no element matches"):
        browser.find_text("#missing")
    with pytest.raises(AssertionError, match="last value: 0"):
        browser.wait_for("document.querySelectorAll('.never').length", timeout=0.2)
    assert browser.execute("return arguments[0] + arguments[1]", 2, 3) == 5


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height
