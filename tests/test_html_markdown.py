"""html_markdown: a post's HTML back to markdown (what pull writes), checked by rendering again.

Round trip: for a markdown body M, render.py gives H; to_markdown(H) gives M2; rendering M2
must give H again, byte for byte once insignificant whitespace is normalised (see
``same_html``). Block-editor markup of each core block (WordPress 6.1 and 7.0) must come
back as the markdown a person would write, and what has no markdown form must be kept as
raw HTML with a warning, never dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cms_sync.block_markup import split_blocks
from cms_sync.blocks import PROFILES, to_blocks
from cms_sync.html_markdown import Markdown, to_markdown
from cms_sync.render import markdown_to_html
from cms_sync.source import parse_document

from .conftest import REPO
from .test_blocks import CONSTRUCTS as CONSTRUCTS_OF_BLOCKS
from .test_blocks import FUNNEL
from .test_blocks import MEDIA as BLOCK_MEDIA
from .test_blocks import body_html as blocks_body

SITE = "https://blog.example"
UPLOADS = f"{SITE}/wp-content/uploads/2026/11/"

# Elements around which whitespace never shows: Python-Markdown's block elements.
_BLOCKS = (
    "address|article|aside|blockquote|div|dl|dd|dt|figure|figcaption|footer|h[1-6]|header|hr"
    "|li|ol|p|section|table|thead|tbody|tfoot|tr|th|td|ul|nav|iframe|script"
)
_AROUND_BLOCK = re.compile(rf"\s*(</?(?:{_BLOCKS})\b[^>]*>)\s*")


def same_html(html: str) -> str:
    """``html`` with the whitespace next to block-level tags removed (never inside <pre>).

    That whitespace is insignificant: browsers ignore it, and wpautop, which WordPress
    runs when it shows a classic post, neither reads nor keeps it as text. Everything else
    (text, attributes and their order, entities, whitespace inside text) must be
    byte-identical.
    """
    parts = re.split(r"(<pre\b.*?</pre>)", html, flags=re.S)
    return "".join(p if p.startswith("<pre") else _AROUND_BLOCK.sub(r"\1", p) for p in parts)


def render(text: str, base: Path) -> str:
    """The body as publish sends it: article links and images at their site URLs."""
    html, refs = markdown_to_html(
        text, base, lambda p: f"{SITE}/{p.stem}/", lambda p: UPLOADS + p.name
    )
    assert not refs.missing_images, refs.missing_images
    return html


def link(url: str) -> str | None:
    """What pull passes: a managed post's permalink back to its article file."""
    match = re.fullmatch(rf"{SITE}/([a-z0-9-]+)/", url)
    return f"{match[1]}.md" if match and match[1] != "wp-content" else None


def image(url: str) -> str | None:
    """What pull passes: a media URL back to the file it downloaded."""
    return "images/" + url.removeprefix(UPLOADS) if url.startswith(UPLOADS) else None


def round_trip(markdown: str, base: Path) -> tuple[str, str, str, list[str]]:
    """Render ``markdown``, convert the HTML back, render that: (H, M2, H2, warnings)."""
    images = base / "images"
    images.mkdir(exist_ok=True)
    for name in re.findall(r"images/([\w.-]+)", markdown):
        (images / name).write_bytes(b"\x89PNG")
    html = render(markdown, base)
    back = to_markdown(html, link=link, image=image)
    assert back.text.endswith("\n") and not back.text.endswith("\n\n")
    return html, back.text, render(back.text, base), back.warnings


# --- the corpus: markdown constructs -------------------------------------------------

CORPUS = {
    "headings h1-h6": "# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n",
    "emphasis, strong, code": "Some *em*, **strong**, ***both***, `code` and `a*b_c`.\n",
    "nested lists": (
        "- one\n- two\n    1. two a\n    2. two b\n        - deep\n- three\n\n"
        "1. first\n2. second\n    - inner\n"
    ),
    "loose list with paragraphs": "- one\n\n    more of one\n\n- two\n\n3. three\n4. four\n",
    "links": (
        "See [part 2](02-hiring.md), [its costs](02-hiring.md#costs), "
        '[the docs](https://example.org/a_b?x=1&y=2 "The docs") and <https://example.org/>.\n'
    ),
    "images with alt and title": (
        '![A cover](images/cover.png "The cover")\n\n'
        "Inline ![a chart](images/chart.png) and ![remote](https://cdn.example/x.png).\n"
    ),
    "table with alignment": (
        "| Left | Centre | Right | None |\n| :--- | :---: | ---: | --- |\n"
        "| a | `b|c` | 1.5 | *x* |\n| d \\| e | f | 2 | |\n"
    ),
    "fenced code with a language": '```python\ndef f(x):\n    return x < 2 and "&"\n```\n',
    "fenced code holding a fence": "````\n```\nnot a fence\n```\n````\n",
    "indented code": "Text:\n\n    $ cms-sync pull\n    <done>\n",
    "blockquote with a nested list": "> Quoted *text*.\n>\n> - one\n> - two\n>\n> > deeper\n",
    "horizontal rule": "Above.\n\n---\n\nBelow.\n",
    "footnotes": (
        "A claim[^1] and another[^note].\n\n[^1]: The source.\n\n[^note]: A *longer* note.\n"
    ),
    "entities and & < >": (
        "AT&T < 5 > 3, &copy; 2026, &nbsp;&mdash; &#8212; &#x27; and &amp;copy; literally.\n"
    ),
    "bengali with digits and punctuation": (
        "ইকমার্স ম্যানেজার: ১২৩ জন, ৭টি দক্ষতা (পেশাদার)। সত্যটি হ'ল ... কি? হ্যাঁ!\n\n"
        '২০২৬ সালে: ৪৫% বিক্রয় — "অনলাইন" স্টোর।\n'
    ),
    "line breaks": "First line  \nsecond line  \nthird.\n",
    "markdown characters in text": (
        "1\\. not a list, \\# not a heading, 2 * 3 * 4, a\\*b, snake_case, \\_x\\_, "
        "\\[not a link\\](x), [sic], \\`tick\\`, C:\\\\dir and a \\> b.\n"
    ),
    "inline HTML": "Press <kbd>Ctrl</kbd> now.\n",
}


@pytest.mark.parametrize(("name", "markdown"), CORPUS.items(), ids=CORPUS.keys())
def test_each_construct_renders_to_the_same_html_after_a_round_trip(name, markdown, tmp_path):
    """Converted to markdown, not kept as raw HTML (which would round-trip trivially)."""
    html, back, html_again, warnings = round_trip(markdown, tmp_path)
    assert same_html(html_again) == same_html(html), back
    assert bool(warnings) == (name == "inline HTML"), warnings


def test_constructs_come_back_as_written(tmp_path):
    """Not only the same HTML: the markdown itself, for the constructs a person edits."""
    for name in ("nested lists", "loose list with paragraphs", "links", "footnotes",
                 "blockquote with a nested list", "table with alignment", "line breaks",
                 "bengali with digits and punctuation", "images with alt and title"):  # fmt: skip
        assert round_trip(CORPUS[name], tmp_path)[1] == CORPUS[name], name


def test_only_what_markdown_would_misread_is_escaped(tmp_path):
    text = "2 * 3, snake_case, [sic], a > b, 7. May, #hashtag, C:\\dir, (x) {y} + - ! ...\n"
    assert round_trip(text, tmp_path)[1] == text
    html = "<p>1. one *two* _three_ `four` &lt;b&gt; [x](y) # five</p>"
    back = to_markdown(html).text
    assert back == "1\\. one \\*two\\* \\_three\\_ \\`four\\` &lt;b> \\[x](y) # five\n"
    assert render(back, Path("/")) == html


# --- articles and Bengali text --------------------------------------------------------

ARTICLES = sorted((REPO / "articles").glob("*.md"))
FIXTURES = sorted((REPO / "tests" / "fixtures").glob("*/articles/*.md"))


def body_of(path: Path) -> str:
    document = parse_document(path, path.read_text(encoding="utf-8"))
    return document.body.rstrip("\n") + "\n"  # type: ignore[union-attr]


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_every_article_comes_back_as_written(path, tmp_path):
    """The repository's articles (Bengali text) come back character for character."""
    body = body_of(path)
    html, back, html_again, warnings = round_trip(body, tmp_path)
    assert same_html(html_again) == same_html(html)
    assert (back, warnings) == (body, [])


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(REPO / "tests")))
def test_fixture_articles_render_the_same_after_a_round_trip(path, tmp_path):
    """Test fixtures wrap their lines and pad their tables: the same HTML, not the same text."""
    html, _, html_again, warnings = round_trip(body_of(path), tmp_path)
    assert same_html(html_again) == same_html(html)
    assert warnings == []


def test_classic_editor_paragraphs_without_p_tags_come_back_as_paragraphs():
    """The classic editor stores paragraphs as blank-line separated text and a line break
    as a newline (wpautop shows them); a quote's bare text is a paragraph too."""
    article = (REPO / "articles" / "01-ecommerce-manager-competencies.md").read_text("utf-8")
    paragraphs = [p for p in article.split("---\n", 2)[2].split("\n\n") if p[:1] not in "#-\n"]
    stored = (
        "\n\n".join(paragraphs[:4]) + "\nএকটি নতুন লাইন\n\n<h2>শিরোনাম</h2>\n"
        "<blockquote>উদ্ধৃতি</blockquote>\nশেষ"
    )
    back = to_markdown(stored)
    assert back.warnings == []
    expected = "\n\n".join(paragraphs[:4]) + "  \nএকটি নতুন লাইন\n\n## শিরোনাম\n\n> উদ্ধৃতি\n\nশেষ\n"
    assert back.text == expected


# --- block editor markup (WordPress 6.1 and 7.0) ----------------------------------------

BLOCKS_61 = {
    "paragraph": (
        "<!-- wp:paragraph -->\n<p>Plain <strong>bold</strong>, <em>em</em>, <code>x</code> and "
        f'<a href="{SITE}/02-hiring/#costs">a link</a>&nbsp;১২৩।</p>\n<!-- /wp:paragraph -->',
        "Plain **bold**, *em*, `x` and [a link](02-hiring.md#costs)&nbsp;১২৩।\n",
    ),
    "heading": (
        "<!-- wp:heading -->\n<h2>Two</h2>\n<!-- /wp:heading -->\n\n"
        '<!-- wp:heading {"level":4} -->\n<h4>Four</h4>\n<!-- /wp:heading -->',
        "## Two\n\n#### Four\n",
    ),
    "list": (
        "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>One</li>\n<!-- /wp:list-item -->\n\n"
        '<!-- wp:list-item -->\n<li>Two<!-- wp:list {"ordered":true} -->\n<ol>'
        "<!-- wp:list-item -->\n<li>Two a</li>\n<!-- /wp:list-item --></ol>\n"
        "<!-- /wp:list --></li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->",
        "- One\n- Two\n    1. Two a\n",
    ),
    "ordered list with start": (
        '<!-- wp:list {"ordered":true,"start":3} -->\n<ol start="3"><!-- wp:list-item -->\n'
        "<li>Three</li>\n<!-- /wp:list-item --></ol>\n<!-- /wp:list -->",
        "3. Three\n",
    ),
    "quote": (
        '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n'
        "<p>Quoted</p>\n<!-- /wp:paragraph --></blockquote>\n<!-- /wp:quote -->",
        "> Quoted\n",
    ),
    "code": (
        '<!-- wp:code -->\n<pre class="wp-block-code"><code>if (a &lt; b) { x&#91;0] = "&amp;" }'
        "\nhttps:&#47;&#47;example.org</code></pre>\n<!-- /wp:code -->",
        '```\nif (a < b) { x[0] = "&" }\nhttps://example.org\n```\n',
    ),
    "preformatted": (
        '<!-- wp:preformatted -->\n<pre class="wp-block-preformatted">line one<br>line  two</pre>'
        "\n<!-- /wp:preformatted -->",
        "```\nline one\nline  two\n```\n",
    ),
    "table": (
        '<!-- wp:table -->\n<figure class="wp-block-table"><table><thead><tr><th>Name</th>'
        '<th class="has-text-align-right" data-align="right">Qty</th></tr></thead><tbody><tr>'
        '<td>A</td><td class="has-text-align-right" data-align="right">1</td></tr></tbody>'
        "</table></figure>\n<!-- /wp:table -->",
        "| Name | Qty |\n| --- | ---: |\n| A | 1 |\n",
    ),
    "image": (
        '<!-- wp:image {"id":5,"sizeSlug":"large","linkDestination":"none"} -->\n'
        f'<figure class="wp-block-image size-large"><img src="{UPLOADS}cover.png" alt="A cover"'
        ' class="wp-image-5"/></figure>\n<!-- /wp:image -->',
        "![A cover](images/cover.png)\n",
    ),
    "separator": (
        '<!-- wp:separator -->\n<hr class="wp-block-separator has-alpha-channel-opacity"/>\n'
        "<!-- /wp:separator -->",
        "---\n",
    ),
    "classic block": ("Classic <strong>text</strong>\n\nSecond", "Classic **text**\n\nSecond\n"),
}


def _as_70(markup: str) -> str:
    """The same blocks as WordPress 7.0 saves them: classes on headings, lists, tables."""
    markup = re.sub(r"<(h[1-6])>", r'<\1 class="wp-block-heading">', markup)
    markup = re.sub(r"<(ul|ol)( start=\"\d+\")?>", r'<\1\2 class="wp-block-list">', markup)
    markup = markup.replace("<!-- wp:table -->", '<!-- wp:table {"hasFixedLayout":true} -->')
    return markup.replace("<table>", '<table class="has-fixed-layout">')


BLOCKS = {f"6.1 {k}": v for k, v in BLOCKS_61.items()} | {
    f"7.0 {k}": (_as_70(html), md) for k, (html, md) in BLOCKS_61.items()
}


@pytest.mark.parametrize(("markup", "expected"), BLOCKS.values(), ids=BLOCKS.keys())
def test_core_blocks_become_plain_markdown_that_round_trips(markup, expected, tmp_path):
    back = to_markdown(markup, link=link, image=image)
    assert (back.text, back.warnings) == (expected, [])
    assert round_trip(expected, tmp_path)[1] == expected


def test_a_whole_block_post_converts_piece_by_piece():
    post = "\n\n".join(markup for markup, _ in BLOCKS_61.values() if "wp:" in markup)
    expected = "\n".join(md for markup, md in BLOCKS_61.values() if "wp:" in markup)
    back = to_markdown(post, link=link, image=image)
    assert back.warnings == []
    assert back.text == expected


def test_blocks_are_found_as_wordpress_parses_them():
    """Nested blocks stay inside their parent, ``core/`` is optional, text between
    blocks is freeform, and an opener never closed keeps the rest as it is."""
    post = (
        "<!-- wp:core/list -->\n<ul><!-- wp:list-item -->\n<li>a<!-- wp:list -->\n<ul>"
        "<!-- wp:list-item -->\n<li>b</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->"
        "</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->\n\nfree text\n\n"
        '<!-- wp:latest-posts {"postsToShow":3} /-->\n<!-- wp:paragraph -->\n<p>open'
    )
    blocks = split_blocks(post)
    assert [(b.name, b.attrs, b.broken) for b in blocks] == [
        ("list", {}, False),
        (None, {}, False),
        ("latest-posts", {"postsToShow": 3}, False),
        ("paragraph", {}, True),
    ]
    assert "".join(b.source for b in blocks) == post.replace("/-->\n<!--", "/--><!--")
    assert to_markdown(post.replace("<!-- wp:paragraph -->\n<p>open", "")).text.startswith(
        "- a\n    - b\n\nfree text\n"
    )


# --- raw HTML, kept with a warning ------------------------------------------------------

RAW = {
    "shortcode": ('[gallery ids="1,2,3"]', "shortcode [gallery"),
    "unknown block": ('<!-- wp:latest-posts {"postsToShow":3} /-->', "wp:latest-posts"),
    "inline style": ('<p style="color:red">Red <em>words</em></p>', "inline style"),
    "styled span": ('<p>Some <span style="color:#f00">red</span>.</p>', "<span>"),
    "iframe": ('<iframe src="https://www.youtube.com/embed/x" width="560"></iframe>', "<iframe>"),
    "script": ("<script>if (a < b && c) { go(); }</script>", "<script>"),
    "image with caption": (
        '<!-- wp:image {"id":6} -->\n<figure class="wp-block-image"><img src="'
        f'{UPLOADS}b.png" alt=""/><figcaption class="wp-element-caption">Cap</figcaption>'
        "</figure>\n<!-- /wp:image -->",
        "image with a caption",
    ),
    "custom HTML block": ('<!-- wp:html -->\n<div class="x">hi</div>\n<!-- /wp:html -->', "HTML"),
    "centred paragraph": (
        '<!-- wp:paragraph {"align":"center"} -->\n<p class="has-text-align-center">Mid</p>\n'
        "<!-- /wp:paragraph -->",
        "wp:paragraph with align",
    ),
    "heading anchor": (
        '<!-- wp:heading -->\n<h2 class="wp-block-heading" id="costs">Costs</h2>\n'
        "<!-- /wp:heading -->",
        "anchor",
    ),
    "read more": ("<!--more-->", "read-more"),
    "a line of = under a line break": ("<p>Title<br>=====</p>", "cannot reproduce"),
    "table without header": (
        "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>",
        "cannot reproduce",
    ),
}


@pytest.mark.parametrize(("raw", "named"), RAW.values(), ids=RAW.keys())
def test_what_markdown_cannot_say_is_kept_verbatim_with_a_warning(raw, named):
    post = f"<p>Before.</p>\n{raw}\n<p>After.</p>"
    back = to_markdown(post)
    kept = f"<p>{raw}</p>" if raw.startswith("[") else raw
    assert back.text == f"Before.\n\n{kept}\n\nAfter.\n"
    assert len(back.warnings) == 1 and named in back.warnings[0], back.warnings
    assert "\n" not in back.warnings[0]
    assert kept in markdown_to_html(back.text, Path("/"), lambda p: None, str)[0]


def test_a_warning_says_when_rendering_will_wrap_kept_text_in_a_paragraph():
    block = '<!-- wp:shortcode -->\n[gallery ids="1,2"]\n<!-- /wp:shortcode -->'
    back = to_markdown(f"<p>Before.</p>\n{block}")
    assert back.text == f"Before.\n\n{block}\n"
    assert back.warnings == [
        "kept as raw HTML (block wp:shortcode has no markdown form; rendering wraps its bare"
        ' text in <p>): <!-- wp:shortcode --> [gallery ids="1,2"] <!-- /wp:shortcode -->'
    ]
    assert "wraps" not in to_markdown(RAW["unknown block"][0]).warnings[0]


def test_two_lists_in_a_row_are_not_merged_into_one():
    post = "<ul><li>a</li></ul>\n<ul><li>b</li></ul>"
    back = to_markdown(post)
    assert back.text == "- a\n\n<ul><li>b</li></ul>\n"
    assert "merge" in back.warnings[0]


def test_empty_content_is_an_empty_body():
    assert to_markdown("") == to_markdown("\n\n") == to_markdown("<p></p>")
    assert to_markdown("").text == "\n"


# --- blocks format: what blocks.py writes comes back as the markdown that writes it -----

BLOCK_SOURCES = {
    **CONSTRUCTS_OF_BLOCKS,
    **{p.name: body_of(p) for p in (REPO / "tests" / "fixtures" / "corpus").glob("*.md")},
    **{p.name: body_of(p) for p in ARTICLES},
}


def blocks_round_trip(markdown: str, profile: str, base: Path) -> tuple[str, str, Markdown]:
    """Render ``markdown`` as blocks, pull it back (blocks format), render that again."""
    html = to_blocks(blocks_body(markdown, base), PROFILES[profile], BLOCK_MEDIA)
    funnel = {FUNNEL: "images/funnel.png"}
    back = to_markdown(html, link=link, image=funnel.get, blocks=True)
    return html, to_blocks(blocks_body(back.text, base), PROFILES[profile], BLOCK_MEDIA), back


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("name", BLOCK_SOURCES)
def test_blocks_come_back_as_markdown_that_writes_the_same_blocks(name, profile, tmp_path):
    html, again, _ = blocks_round_trip(BLOCK_SOURCES[name], profile, tmp_path)
    assert again == html


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_blocks_come_back_as_written(profile, tmp_path):
    """Captions, code languages, Custom HTML (footnotes, a loose list), anchors and
    preformatted text come back as the author wrote them, not as editor markup."""
    same = ["image caption", "code language", "footnotes", "loose list", "heading anchor",
            "preformatted", "table", "quote", "list ordered start", "image linked"]  # fmt: skip
    for name in same:
        markdown = BLOCK_SOURCES[name]
        assert blocks_round_trip(markdown, profile, tmp_path)[2].text == markdown, name
    for path in ARTICLES:
        assert blocks_round_trip(body_of(path), profile, tmp_path)[2] == Markdown(body_of(path), [])
    back = blocks_round_trip(BLOCK_SOURCES["heading anchor"], profile, tmp_path)[2]
    assert len(back.warnings) == 2 and "anchor" in back.warnings[0]


def test_a_block_markdown_cannot_say_is_kept_as_the_block_and_rendered_unchanged(tmp_path):
    block = (
        '<!-- wp:paragraph {"align":"center"} -->\n<p class="has-text-align-center">Mid</p>\n'
        "<!-- /wp:paragraph -->"
    )
    post = f"<!-- wp:paragraph -->\n<p>Before.</p>\n<!-- /wp:paragraph -->\n\n{block}"
    back = to_markdown(post, blocks=True)
    assert back.text == f"Before.\n\n{block}\n" and "align" in back.warnings[0]
    assert to_blocks(blocks_body(back.text, tmp_path)) == post
