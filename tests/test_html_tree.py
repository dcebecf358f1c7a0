"""html_tree.parse: its shortcut for a plain element gives the tree the parser gives."""

from __future__ import annotations

import pytest

from cms_sync import html_tree


def parsed(html: str) -> html_tree.Element:
    builder = html_tree._Builder()
    builder.feed(html)
    builder.close()
    return builder.root


@pytest.mark.parametrize(
    "html",
    [
        "<p>Plain text.</p>",
        "<p></p>",
        "<h2>ধারাবাহিক</h2>",
        "<p>a > b\nc\xa0d</p>",
        "<p>a &gt; b &amp; c</p>",  # charrefs: the parser decodes them
        "<p>text <em>and</em> more</p>",
        '<p id="x">text</p>',
        "<br>x</br>",
        "<script>a > b</script>",
        "<p>one</p><p>two</p>",
        "<p>unclosed",
    ],
)
def test_parse_gives_the_parsers_tree(html):
    assert html_tree.parse(html) == parsed(html)
