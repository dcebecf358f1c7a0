"""Python-Markdown's HTML as core blocks, written exactly as the block editor saves them.

Each top-level element becomes one block: ``<p>`` a paragraph (an image alone in its
paragraph an image block, the image's title its caption), ``<h1>``-``<h6>`` a heading,
``<ul>``/``<ol>`` a list of list items (nested lists inside their item), ``<blockquote>``
a quote holding blocks, ``<pre><code>`` a code block (a language as the block's class),
``<pre>`` preformatted text, ``<table>`` a table, ``<hr>`` a separator. Anything else
(footnotes, raw HTML, a loose list, definition lists...) is kept whole in a Custom HTML
block (``core/html``), never dropped.

The editor checks a block by writing it again from the attributes it reads, and saves
what it wrote: so the markup here must be byte for byte what it writes. That differs
between WordPress versions, so it follows a :class:`Profile` (see :func:`detect`).
Facts checked in the real editors of WordPress 6.1.9 and 7.0.4 with
``wp.blocks.serialize``; tests/test_blocks.py holds their answers.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import markdown

from cms_sync import html_tree
from cms_sync.block_markup import Piece, split_blocks, split_html
from cms_sync.html_tree import Comment, Element, Text


@dataclass(frozen=True)
class Profile:
    """How one WordPress version's editor writes the blocks cms-sync uses."""

    name: str
    heading_class: bool  # <h2 class="wp-block-heading"> (6.2+)
    list_class: bool  # <ul class="wp-block-list"> (6.6+)
    anchor_attribute: bool  # a heading's id also as "anchor" in its delimiter
    fixed_tables: bool  # tables have a fixed layout unless told (has-fixed-layout)
    rich_text: bool  # rich-text attributes (6.5+): preformatted line breaks as <br>, Custom
    # HTML kept as sent (6.1 reads it through the DOM's innerHTML)


PROFILES = {
    "6.1": Profile("6.1", False, False, False, False, False),
    "7.0": Profile("7.0", True, True, True, True, True),
}
CURRENT = PROFILES["7.0"]  # the current WordPress: render and preview use it

BLOCK_TYPES_QUERY = {  # what detect() reads: one request, a few kilobytes
    "namespace": "core",
    "_fields": "name,supports.className,attributes.anchor,attributes.hasFixedLayout,"
    "attributes.content.type",
}


def detect(block_types: Any) -> Profile:
    """The profile of a site from its ``/wp/v2/block-types`` answer (BLOCK_TYPES_QUERY).

    Each difference is read from the block type that causes it, so a version between the
    two tested ones gets what its editor does; raises ValueError for an answer without
    the core blocks (a site that hides them: the caller falls back to CURRENT).
    """
    types = {t.get("name"): t for t in block_types or [] if isinstance(t, dict)}
    heading, listing, table = (types.get(f"core/{n}") for n in ("heading", "list", "table"))
    if not (heading and listing and table):
        raise ValueError("no core/heading, core/list and core/table in the block types")

    def class_support(block: dict[str, Any]) -> bool:
        return _object(block.get("supports")).get("className") is not False

    attributes = _object(heading.get("attributes"))
    fixed = _object(_object(table.get("attributes")).get("hasFixedLayout")).get("default")
    content = _object(attributes.get("content")).get("type")
    known = Profile(
        "detected",
        heading_class=class_support(heading),
        list_class=class_support(listing),
        anchor_attribute="anchor" in attributes,
        fixed_tables=fixed is True,
        rich_text=content == "rich-text",
    )
    same = [p for p in PROFILES.values() if dataclasses.replace(known, name=p.name) == p]
    return same[0] if same else known


def _object(value: Any) -> dict[str, Any]:
    """A JSON object, or {} for anything else (PHP sends an empty object as ``[]``)."""
    return value if isinstance(value, dict) else {}


# --- writing blocks ----------------------------------------------------------------------


def block(name: str, inner: str | None, attrs: Mapping[str, Any] | None = None) -> str:
    """One block with its delimiters; ``inner`` None for a void block (``<!-- wp:x /-->``)."""
    encoded = ""
    if attrs:
        # As the editor's serializer: no spaces; "--", <, >, & and \" as \u escapes.
        text = json.dumps(dict(attrs), ensure_ascii=False, separators=(",", ":"))
        text = text.replace("--", "\\u002d\\u002d").replace("<", "\\u003c")
        text = text.replace(">", "\\u003e").replace("&", "\\u0026").replace('\\"', "\\u0022")
        encoded = " " + text
    if inner is None:
        return f"<!-- wp:{name}{encoded} /-->"
    return f"<!-- wp:{name}{encoded} -->\n{inner}\n<!-- /wp:{name} -->"


def join(parts: Iterable[str]) -> str:
    """Blocks one after the other, as the editor separates them (a blank line)."""
    return "\n\n".join(part.strip("\n") for part in parts if part.strip())


def html_block(html: str, profile: Profile = CURRENT) -> str:
    """``html`` in a Custom HTML block; what already is one block or more stays as it is."""
    html = html.strip("\n")
    if not html.strip() or _is_blocks(html):
        return html
    if not profile.rich_text:  # 6.1 reads the block's content through innerHTML
        html = html_tree.inner(html_tree.parse(html))
    return block("html", html)


def _is_blocks(html: str) -> bool:
    return html.startswith("<!-- wp:") and html.rstrip().endswith("-->")


def to_blocks(html: str, profile: Profile = CURRENT, media: Mapping[str, int] = {}) -> str:
    """The HTML Python-Markdown made of an article's body, as core blocks.

    ``media`` gives the attachment id of an image URL (an image without one is still an
    image block, as an image from another site is in the editor). Block markup written in
    the markdown as raw HTML (what `pull` keeps of a block markdown cannot say) is kept
    as it is.
    """
    writer = _Writer(profile, media)
    out = []
    for found in split_blocks(html):
        if found.name is None or found.broken:
            out += writer.top_level(found.source)
        else:
            out.append(found.source)
    return join(out)


_TOP = frozenset(markdown.Markdown().block_level_elements)  # raw HTML it leaves alone
_HEADING = re.compile(r"^h([1-6])$")
_LANGUAGE = re.compile(r"^language-[\w+#.-]+$")


def _split_simple(html: str) -> list[Piece] | None:
    """split_html(html, _TOP) for simple markup (html_tree.simple_tokens), without
    HTMLParser; None for any other HTML. The same pieces: a top-level element of _TOP up
    to its end tag (or the end), a void one alone, the loose runs between them that hold
    more than whitespace (inline elements and text)."""
    tokens = html_tree.simple_tokens(html)
    if tokens is None:
        return None
    pieces: list[Piece] = []
    open_tags: list[str] = []
    piece: tuple[int, str] | None = None  # where the top-level element began, its name
    loose = 0  # where the current loose run began

    def run_until(end: int) -> None:
        if html[loose:end].strip() and piece is None:
            pieces.append(Piece("text", html[loose:end]))

    for token in tokens:
        tag, _attrs, closed, end_tag, _data = token.groups()
        start = token.start()
        if tag is not None:
            if not open_tags and tag in _TOP:
                run_until(start)
                loose = start
                if closed or tag in html_tree.VOID:
                    pieces.append(Piece("element", token.group(0), tag))
                    loose = token.end()
                    continue
                piece = (start, tag)
            if not closed and tag not in html_tree.VOID:
                open_tags.append(tag)
        elif end_tag is not None and end_tag in open_tags:
            while open_tags.pop() != end_tag:
                pass
            if not open_tags and piece is not None:
                pieces.append(Piece("element", html[piece[0] : token.end()], piece[1]))
                piece, loose = None, token.end()
    if piece is not None:
        pieces.append(Piece("element", html[piece[0] :], piece[1]))
    else:
        run_until(len(html))
    return pieces


class _Writer:
    def __init__(self, profile: Profile, media: Mapping[str, int]) -> None:
        self.profile, self.media = profile, media

    def top_level(self, html: str) -> list[str]:
        """One block per top-level piece of ``html``."""
        out = []
        for piece in _split_simple(html) or split_html(html, _TOP):
            converted = None
            if piece.kind == "element":
                elements = html_tree.parse(piece.source).elements
                converted = self.element(elements[0]) if len(elements) == 1 else None
            out.append(converted or html_block(piece.source, self.profile))
        return out

    def element(self, element: Element) -> str | None:
        """The block for ``element``, or None when no core block holds it exactly."""
        tag = element.tag
        heading = _HEADING.match(tag)
        if tag == "p" and not element.attrs:
            return self.image(element) or self.paragraph(element)
        if heading:
            return self.heading(element, int(heading.group(1)))
        if tag in ("ul", "ol"):
            return self.listing(element)
        if tag == "blockquote" and not element.attrs:
            return self.quote(element)
        if tag == "pre" and not element.attrs:
            return self.code(element) or self.preformatted(element)
        if tag == "table" and not element.attrs:
            return self.table(element)
        if tag == "hr" and not element.attrs:
            return block("separator", '<hr class="wp-block-separator has-alpha-channel-opacity"/>')
        return None

    def rich(self, node: Element) -> str:
        return html_tree.inner(node)

    def paragraph(self, element: Element) -> str:
        return block("paragraph", f"<p>{self.rich(element)}</p>")

    def heading(self, element: Element, level: int) -> str | None:
        anchor = element.attr("id")
        if any(name != "id" for name, _ in element.attrs) or anchor == "":
            return None
        attrs: dict[str, Any] = {} if level == 2 else {"level": level}
        tag_attrs = []
        if anchor is not None:
            tag_attrs.append(("id", anchor))
            if self.profile.anchor_attribute:
                attrs["anchor"] = anchor
        if self.profile.heading_class:
            tag_attrs.append(("class", "wp-block-heading"))
        start = html_tree.start_tag(element.tag, tag_attrs, html_tree.saved_attribute)
        return block("heading", f"{start}{self.rich(element)}</{element.tag}>", attrs)

    def listing(self, element: Element) -> str | None:
        ordered = element.tag == "ol"
        start = element.attr("start")
        if any(name != "start" or not ordered for name, _ in element.attrs):
            return None
        if not element.blank() or any(e.tag != "li" for e in element.elements):
            return None
        items = [self.list_item(item) for item in element.elements]
        if any(item is None for item in items):
            return None
        attrs: dict[str, Any] = {"ordered": True} if ordered else {}
        tag_attrs = []
        if start is not None:
            if not start.isdigit():
                return None
            attrs["start"] = int(start)
            tag_attrs.append(("start", start))
        if self.profile.list_class:
            tag_attrs.append(("class", "wp-block-list"))
        opening = html_tree.start_tag(element.tag, tag_attrs, html_tree.saved_attribute)
        inner = "\n\n".join(item for item in items if item)
        return block("list", f"{opening}{inner}</{element.tag}>", attrs)

    def list_item(self, item: Element) -> str | None:
        """A list item: its text, then its nested list as an inner block."""
        if item.attrs:
            return None
        content, nested = Element("li"), []
        for child in item.children:
            if isinstance(child, Element) and child.tag in ("ul", "ol"):
                nested.append(child)
            elif nested:
                if not (isinstance(child, Text) and not child.data.strip()):
                    return None  # text after a nested list: no list item holds that
            elif isinstance(child, Element) and child.tag in _TOP:
                return None  # a loose list's paragraphs
            else:
                content.children.append(child)
        inner_lists = [self.listing(n) for n in nested]
        if any(n is None for n in inner_lists):
            return None
        text = self.rich(content)
        return block("list-item", f"<li>{text}{''.join(n or '' for n in inner_lists)}</li>")

    def quote(self, element: Element) -> str | None:
        inner = []
        for child in element.children:
            if isinstance(child, Text) and not child.data.strip():
                continue
            converted = self.element(child) if isinstance(child, Element) else None
            if converted is None:
                source = html_tree.outer(child)
                if isinstance(child, (Comment, Text)):
                    return None
                converted = html_block(source, self.profile)
            inner.append(converted)
        return block("quote", f'<blockquote class="wp-block-quote">{join(inner)}</blockquote>')

    def code(self, element: Element) -> str | None:
        if len(element.children) != 1 or not isinstance(element.children[0], Element):
            return None
        code = element.children[0]
        language = code.attr("class")
        if code.tag != "code" or any(name != "class" for name, _ in code.attrs):
            return None
        if language is not None and not _LANGUAGE.match(language):
            return None
        if code.elements:  # markdown's code is text only
            return None
        classes = "wp-block-code" + (f" {language}" if language else "")
        attrs = {"className": language} if language else {}
        pre = html_tree.start_tag("pre", [("class", classes)], html_tree.saved_attribute)
        return block("code", f"{pre}<code>{self.rich(code)}</code></pre>", attrs)

    def preformatted(self, element: Element) -> str | None:
        if any(e.tag not in ("em", "strong", "code", "a", "br") for e in element.elements):
            return None
        body = self.rich(element)
        if self.profile.rich_text:
            body = body.replace("\n", "<br>")
        return block("preformatted", f'<pre class="wp-block-preformatted">{body}</pre>')

    def table(self, element: Element) -> str | None:
        sections = []
        for section in element.elements:
            if section.tag not in ("thead", "tbody") or section.attrs:
                return None
            rows = []
            for row in section.elements:
                if row.tag != "tr" or row.attrs:
                    return None
                cells = [self.cell(cell) for cell in row.elements]
                if any(cell is None for cell in cells):
                    return None
                rows.append("<tr>" + "".join(c or "" for c in cells) + "</tr>")
            sections.append(f"<{section.tag}>{''.join(rows)}</{section.tag}>")
        if not element.blank() or not sections:
            return None
        table = '<table class="has-fixed-layout">' if self.profile.fixed_tables else "<table>"
        figure = f'<figure class="wp-block-table">{table}{"".join(sections)}</table></figure>'
        return block("table", figure)

    def cell(self, cell: Element) -> str | None:
        if cell.tag not in ("th", "td"):
            return None
        style = cell.attr("style")
        if any(name != "style" for name, _ in cell.attrs):
            return None
        attrs = []
        if style is not None:
            align = re.fullmatch(r"text-align: (left|center|right);", style)
            if align is None:
                return None
            attrs = [("class", f"has-text-align-{align[1]}"), ("data-align", align[1])]
        start = html_tree.start_tag(cell.tag, attrs, html_tree.saved_attribute)
        return f"{start}{self.rich(cell)}</{cell.tag}>"

    def image(self, paragraph: Element) -> str | None:
        """An image alone in its paragraph (maybe inside a link): an image block whose
        caption is the image's title."""
        if not paragraph.blank() or len(paragraph.elements) != 1:
            return None
        link, img = None, paragraph.elements[0]
        if img.tag == "a":
            link, img = img, (img.elements[0] if len(img.elements) == 1 else Element(""))
            if not link.blank() or any(name not in ("href",) for name, _ in link.attrs):
                return None
        if img.tag != "img" or any(n not in ("src", "alt", "title") for n, _ in img.attrs):
            return None
        src, alt = img.attr("src") or "", img.attr("alt") or ""
        media_id = self.media.get(src)
        attrs: dict[str, Any] = {}
        figure_class = "wp-block-image"
        img_attrs = [("src", src), ("alt", alt)]
        if media_id:
            attrs = {"id": media_id, "sizeSlug": "full"}
            figure_class += " size-full"
            img_attrs.append(("class", f"wp-image-{media_id}"))
        attrs["linkDestination"] = "custom" if link is not None else "none"
        picture = html_tree.start_tag("img", img_attrs, html_tree.saved_attribute, close="/")
        if link is not None:
            href = html_tree.saved_attribute(link.attr("href") or "")
            picture = f'<a href="{href}">{picture}</a>'
        caption = img.attr("title")
        if caption:
            text = html_tree.text(caption)
            picture += f'<figcaption class="wp-element-caption">{text}</figcaption>'
        return block("image", f'<figure class="{figure_class}">{picture}</figure>', attrs)
