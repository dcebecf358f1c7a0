"""blocks.py: each markdown construct as the core blocks the block editor itself writes.

The golden files tests/golden/blocks/<version>/<construct>.html are what the real editor of
WordPress 6.1.9 and 7.0.4 wrote for these blocks (``wp.blocks.serialize`` of the parsed
markup, in Chromium); tests/test_block_editor.py checks them against the real editor again
on every browser run. Here the serializer must give them byte for byte, per version.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cms_sync import blocks
from cms_sync.render import markdown_to_html

from .conftest import REPO
from .fake_wordpress import FakeWordPress
from .publishing import article, kinds, managed, run

GOLDEN = REPO / "tests" / "golden" / "blocks"
SITE = "https://blog.example"
FUNNEL = f"{SITE}/wp-content/uploads/2026/11/cms-sync-0123456789ab-funnel.png"
MEDIA = {FUNNEL: 42}

# The constructs, as an author writes them (images/funnel.png is attachment 42).
CONSTRUCTS = {
    "paragraph": (
        'Plain *em*, **strong**, `code`, a [link](https://example.org/a?b=1&c=2 "Its title")'
        ", <kbd>Ctrl</kbd> and\nentities: AT&T < 5 > 3, &copy; &nbsp;&mdash; \"quoted\" 'single'.\n"
    ),
    "bengali": "ইকমার্স ম্যানেজার: ১২৩ জন, ৭টি দক্ষতা (পেশাদার)। সত্যটি হ'ল ... কি?\n",
    "line break": "First line  \nsecond line.\n",
    "headings": "# One\n\n## Two\n\n### Three\n\n###### Six\n",
    "heading anchor": '<h2 id="costs">Costs</h2>\n\n<h3 id="more-costs">More</h3>\n',
    "list nested": "- one\n- two\n    - two a\n    - two b\n- three\n",
    "list ordered": "1. one\n2. two\n    1. two a\n3. three\n",
    "list ordered start": "3. three\n4. four\n",
    "quote": "> Quoted *text*.\n>\n> - one\n> - two\n>\n> > deeper\n",
    "code language": '```python\ndef f(x):\n    return x < 2 and "&"\n```\n',
    "code indented": "    $ cms-sync pull\n    <done>\n",
    "preformatted": "<pre>line one\nline  <em>two</em></pre>\n",
    "table": (
        "| Left | Centre | Right | None |\n| :--- | :---: | ---: | --- |\n| a | `b` | ৩ | *x* |\n"
    ),
    "separator": "Above.\n\n---\n\nBelow.\n",
    "image caption": '![A funnel, "drawn"](images/funnel.png "The sales funnel")\n',
    "image linked": "[![A funnel](images/funnel.png)](https://example.org/funnel)\n",
    "image elsewhere": "![Remote](https://cdn.example/x.png)\n",
    "image inline": "Text with ![an icon](images/funnel.png) inside.\n",
    "footnotes": "A claim.[^1]\n\n[^1]: The *source*.\n",
    "loose list": "- one\n\n    more of one\n\n- two\n",
    "raw html": '<div class="note">\n<p>Raw &amp; kept.</p>\n</div>\n',
    "definition list": "<dl><dt>Term</dt><dd>Meaning &#8617;</dd></dl>\n",
}
PROFILES = sorted(blocks.PROFILES)


def body_html(markdown: str, base: Path) -> str:
    """What render gives blocks.py: Python-Markdown's HTML, images at their site URLs."""
    (base / "images").mkdir(exist_ok=True)
    (base / "images" / "funnel.png").write_bytes(b"\x89PNG")
    html, refs = markdown_to_html(markdown, base, lambda p: None, lambda p: FUNNEL)
    assert not refs.missing_images
    return html


def golden(profile: str, name: str) -> str:
    return (GOLDEN / profile / f"{name.replace(' ', '-')}.html").read_text("utf-8")


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", CONSTRUCTS)
def test_each_construct_is_written_as_the_editor_writes_it(name, profile, tmp_path):
    html = body_html(CONSTRUCTS[name], tmp_path)
    assert blocks.to_blocks(html, blocks.PROFILES[profile], MEDIA) + "\n" == golden(profile, name)


def test_the_versions_differ_where_their_editors_do(tmp_path):
    """What 7.0 writes and 6.1 does not: classes on headings, lists and tables, a heading's
    anchor in its delimiter, preformatted line breaks as <br>; Custom HTML kept as sent."""
    old, new = (golden(p, "heading anchor") for p in PROFILES)
    assert old.startswith('<!-- wp:heading -->\n<h2 id="costs">Costs</h2>')
    assert new.startswith('<!-- wp:heading {"anchor":"costs"} -->\n<h2 id="costs" class="wp')
    assert "wp-block-list" in golden("7.0", "list nested")
    assert "wp-block-list" not in golden("6.1", "list nested")
    assert '<table class="has-fixed-layout">' in golden("7.0", "table")
    assert "<table><thead>" in golden("6.1", "table")
    assert "line one<br>line" in golden("7.0", "preformatted")
    assert "line one\nline" in golden("6.1", "preformatted")
    assert "&#8617;" in golden("7.0", "definition list")  # kept as sent
    assert "↩" in golden("6.1", "definition list")  # what the DOM makes of it


def test_nothing_is_dropped_what_has_no_core_block_is_custom_html(tmp_path):
    for name in ("footnotes", "loose list", "raw html", "definition list"):
        markup = blocks.to_blocks(body_html(CONSTRUCTS[name], tmp_path), blocks.CURRENT, MEDIA)
        assert "<!-- wp:html -->" in markup, name
    footnotes = blocks.to_blocks(body_html(CONSTRUCTS["footnotes"], tmp_path), blocks.CURRENT)
    assert '<p>A claim.<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup></p>' in (
        footnotes
    )
    assert "<p>The <em>source</em>." in footnotes


def test_an_image_alone_in_its_paragraph_is_an_image_block_with_its_title_as_caption(tmp_path):
    markup = golden("7.0", "image caption")
    assert markup.startswith('<!-- wp:image {"id":42,"sizeSlug":"full","linkDestination":"none"}')
    assert f'<img src="{FUNNEL}" alt="A funnel, &quot;drawn&quot;" class="wp-image-42"/>' in markup
    assert '<figcaption class="wp-element-caption">The sales funnel</figcaption>' in markup
    assert "<!-- wp:image" not in golden("7.0", "image inline")  # inside text: stays inline


@pytest.mark.parametrize("profile", PROFILES)
def test_the_profile_is_read_from_the_sites_block_types(profile):
    """tests/golden/blocks/<version>/block-types.json: the answer of each real WordPress to
    GET /wp/v2/block-types with blocks.BLOCK_TYPES_QUERY."""
    answer = json.loads((GOLDEN / profile / "block-types.json").read_text("utf-8"))
    assert blocks.detect(answer) == blocks.PROFILES[profile]


def test_a_version_in_between_gets_what_its_block_types_say():
    answer = json.loads((GOLDEN / "6.1" / "block-types.json").read_text("utf-8"))
    for block in answer:
        if block["name"] == "core/heading":
            block["supports"] = {"className": True}  # 6.2 gave headings their class
    found = blocks.detect(answer)
    assert found.heading_class and not found.list_class and found.name == "detected"


def test_an_answer_without_the_core_blocks_is_refused():
    with pytest.raises(ValueError):
        blocks.detect([{"name": "core/paragraph"}])
    with pytest.raises(ValueError):
        blocks.detect({"code": "rest_forbidden"})


def test_the_notice_and_navigation_become_custom_html_and_blocks_stay_as_they_are():
    assert blocks.html_block('<nav class="x">\n<p>Part&#160;1</p>\n</nav>\n') == (
        '<!-- wp:html -->\n<nav class="x">\n<p>Part&#160;1</p>\n</nav>\n<!-- /wp:html -->'
    )
    assert blocks.html_block("<nav>\n<p>Part&#160;1</p>\n</nav>", blocks.PROFILES["6.1"]) == (
        "<!-- wp:html -->\n<nav>\n<p>Part&nbsp;1</p>\n</nav>\n<!-- /wp:html -->"
    )
    reference = '<!-- wp:block {"ref":12} /-->'
    assert blocks.html_block(reference) == reference and blocks.html_block("\n") == ""
    assert blocks.join(["<!-- wp:a /-->\n", "", reference]) == f"<!-- wp:a /-->\n\n{reference}"


# --- publishing in blocks format (the in-memory WordPress) --------------------------------


def blocks_project(project: Any) -> Any:
    """``project`` with content_format "blocks", an article with an image and the notice."""
    with project.config.open("a", encoding="utf-8") as toml:
        toml.write('content_format = "blocks"\n')
    shutil.copy(REPO / "tests" / "fixtures" / "corpus" / "images" / "funnel.png", project.articles)
    body = '# Title\n\n![A funnel](funnel.png "The funnel")\n\nText.'
    project.write("a.md", article("with-image", body, comment_status="open"))
    return project


def test_publish_writes_blocks_with_the_attachment_id_and_the_marker_in_a_block(project):
    site = FakeWordPress()
    report = run(blocks_project(project), site)
    assert kinds(report) == {"with-image": "create", "notice:en": "create"}
    assert report.warnings == []
    [media] = site.items("media")
    [post] = managed(site).values()
    assert f'<!-- wp:image {{"id":{media.id},"sizeSlug":"full","linkDestination":"none"}} -->' in (
        post.content
    )
    assert f'class="wp-image-{media.id}"/><figcaption class="wp-element-caption">The' in (
        post.content
    )
    assert post.content.startswith('<!-- wp:heading {"level":1} -->\n<h1 class="wp-block-heading">')
    [pattern] = site.items("blocks")
    assert f'<!-- wp:block {{"ref":{pattern.id}}} /-->\n\n<!-- wp:html -->\n<!-- cms-sync:v1 ' in (
        post.content
    )
    assert post.content.endswith(" -->\n<!-- /wp:html -->")
    assert [c for c in site.calls if c.route == "/wp/v2/block-types"] != []
    assert set(kinds(run(project, site)).values()) == {"unchanged"}


def test_the_markup_follows_the_sites_version(project):
    site = FakeWordPress()
    site.block_editor = "6.1"
    run(blocks_project(project), site)
    [post] = managed(site).values()
    assert post.content.startswith('<!-- wp:heading {"level":1} -->\n<h1>Title</h1>')


def test_block_types_that_cannot_be_read_give_the_current_markup_and_a_warning(project):
    site = FakeWordPress()
    site.refuse("GET", "/wp/v2/block-types", status=403, code="rest_forbidden")
    report = run(blocks_project(project), site)
    [warning] = report.warnings
    assert "answered 403 to /wp/v2/block-types" in warning and "WordPress 7.0" in warning
    [post] = managed(site).values()
    assert '<h1 class="wp-block-heading">' in post.content


def test_classic_format_reads_no_block_types(project):
    site = FakeWordPress()
    with project.config.open("a", encoding="utf-8") as toml:
        toml.write('content_format = "classic"\n')
    project.write("a.md", article("plain", "Text."))
    run(project, site)
    assert [c for c in site.calls if c.route == "/wp/v2/block-types"] == []
    [post] = managed(site).values()
    assert post.content.startswith("<p>Text.</p>\n<!-- cms-sync:v1 ")


def test_custom_html_on_6_1_is_written_as_the_dom_writes_it_scripts_untouched():
    """Checked in 6.1's editor: the DOM writes ``&#8617;`` as the character, a script's
    and a style's text as it is."""
    script = "<script>if (a < b && c) { x(); }</script><style>p > a {}</style>"
    raw = f"<div>a &amp; b &#8617;{script}</div>"
    assert blocks.html_block(raw, blocks.PROFILES["6.1"]) == (
        f"<!-- wp:html -->\n<div>a &amp; b ↩{script}</div>\n<!-- /wp:html -->"
    )
