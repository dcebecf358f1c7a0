"""The shortcuts for simple markup (no HTMLParser): html_tree.parse gives the tree the
parser gives, and blocks splits a body into the pieces split_html finds."""

from __future__ import annotations

import pytest

from cms_sync import blocks, html_tree
from cms_sync.block_markup import split_html


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
        '<p>A <a href="https://e.x/a?b=c">link</a>, <strong>bold</strong>, <code>x > y</code></p>',
        '<p><img alt="ছবি" src="images/x.png" /></p>',
        "<ul>\n<li>one</li>\n<li>two <em>2</em></li>\n</ul>",
        '<h2 id="part-1">Part</h2>',
        '<p><a href="?a=1&amp;b=2">entity in a value</a></p>',
        "<p><a href='single'>quoted</a></p>",
        '<p><A HREF="x">upper case</A></p>',
        "<p><input disabled> value-less</p>",
        "<p>a <!-- comment --> b</p>",
        "<p><br/>a<br>b</br></p>",
        "<p>stray</em> end</p>",
        "<ol><li>a<li>b</ol>",
        "<p>x</p>\n<style>p > a { }</style>",
        '<table>\n<thead>\n<tr>\n<th align="left">h</th>\n</tr>\n</thead>\n</table>',
        '<p>tab\tand <span class="a b" data-x="1">span</span></p>',
        "",
        "plain text",
    ],
)
def test_parse_gives_the_parsers_tree(html):
    assert html_tree.parse(html) == parsed(html)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "text <em>x</em> more",
        "<p>a</p>\n<hr>\n<p>b",
        "x<p>a</p>y",
        "<div><p>a</p></div>",
        "<hr/><hr>",
        "<p>a</em>b</p>",
        "<ul><li>a<li>b</ul>",
        "<p>one<p>two</p>",
        "<em>a</em><p>b</p><strong>c</strong>",
        "<p>a</p>   \n  <h2>b</h2>\n",
        '<img src="a" />text<p>b</p>',
        '<h2 id="x">ধারা</h2>\n<p>A <a href="b.html">link</a>.</p>\n<pre><code>x > y</code></pre>',
    ],
)
def test_simple_markup_is_split_as_split_html_does(html):
    assert blocks._split_simple(html) == split_html(html, blocks._TOP)
