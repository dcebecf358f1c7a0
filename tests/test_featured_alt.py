"""The featured image's alt text taken from the body: as a reader of the page gets it,
from the markdown conversion's own record (no second parse of the HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cms_sync.articles import Article
from cms_sync.build import featured_alt


@pytest.mark.parametrize(
    ("body", "alt"),
    [
        ("![A picture](images/x.png)", "A picture"),
        ("![a &amp; b &lt; c&nbsp;d](images/x.png)", "a & b < c\xa0d"),
        ("![esc \\* star \\[x\\]](images/x.png)", "esc * star [x]"),
        ("![first](images/x.png) ![second](images/./x.png)", "first"),
        ("![ছবি](images/other.png)", None),
        ("![ref][r]\n\n[r]: images/x.png", "ref"),
    ],
)
def test_the_alt_the_body_gives_the_featured_image(tmp_path: Path, body: str, alt: str | None):
    (tmp_path / "images").mkdir()
    for name in ("x.png", "other.png"):
        (tmp_path / "images" / name).write_bytes(b"png")
    article = Article(
        tmp_path / "a.md", "A", "a", "draft", "en", body + "\n", 5,
        featured_image=tmp_path / "images" / "x.png",
    )  # fmt: skip
    assert featured_alt(article) == alt
