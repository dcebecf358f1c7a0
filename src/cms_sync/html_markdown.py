"""Convert a post's HTML body back into the markdown dialect cms-sync renders (for pull).

The input is ``content.raw`` as WordPress stores it, without cms-sync's own parts: the
classic HTML render.py produced, that HTML edited in the classic editor (paragraphs as
blank-line separated text, shown through wpautop), or block markup saved by the block
editor (6.1 and 7.0). Each top-level block or element is handled on its own:

1. Editor markup is reduced to the HTML markdown produces: block delimiters and the
   classes the editor always adds go, a table or image leaves its ``<figure>``, a
   cell's alignment class becomes the ``style`` Python-Markdown writes, links to other
   articles and downloaded images become relative paths (``link`` and ``image``).
2. What remains must be made of elements and attributes markdown can say; anything else
   (inline styles, iframes, scripts, ids, captions, shortcodes, unknown blocks) is kept
   verbatim as raw HTML, which Python-Markdown passes through, with a warning naming it.
3. The markdown written for it (markdown_writer) is rendered again and compared with the
   HTML from step 1; a difference keeps the original as raw HTML too. So a conversion
   either renders back to the same HTML or says what it kept, and never drops content.

In blocks format (``content_format = "blocks"``) the body is what blocks.py wrote, so
pull reads it back the way it was written: a Custom HTML block's content is the article's
own HTML (converted like any other), an image block's caption is the image's title, a
code block's language class goes back on ``<code>``, and a block markdown has no form for
(a heading with an anchor, preformatted text) is kept as the plain HTML that renders to
that very block again (``<h2 id="costs">Costs</h2>``), else as the block itself, which
render passes through unchanged.

"Same HTML" here means the same element tree: the same elements, attributes and text,
with runs of whitespace in text counted as one space and whitespace at the edges of
block elements ignored (outside ``<pre>``). Browsers display such documents identically,
and it is the only way to compare editor markup with Python-Markdown's serialisation
(``<br/>`` against ``<br>``, attribute order, ``&#91;`` against ``[``). Character
references other than ``&amp; &lt; &gt;`` are kept as written (``&nbsp;`` stays
``&nbsp;``), so HTML that render.py made comes back byte for byte.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString

from cms_sync import render
from cms_sync.block_markup import Block, has_blocks, split_blocks, split_html
from cms_sync.blocks import PROFILES, to_blocks
from cms_sync.html_cleaning import Cleaner, Unmappable, drop_editor_classes
from cms_sync.markdown_writer import MarkdownWriter, decode_entities

_BLOCK_LEVEL = frozenset(markdown.Markdown().block_level_elements)
_NOWHERE = Path("/nonexistent/cms-sync-pull")  # no local file resolves against it
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt);)(?=#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_CODE_LANGUAGE = re.compile(r'^(<pre class="wp-block-code) (language-[\w+#.-]+)("><code)>')


@dataclass(frozen=True)
class Markdown:
    """A converted body and what could only be kept as raw HTML."""

    text: str  # the markdown body, ending with one newline
    warnings: list[str]  # one line each: what was kept as raw HTML and why


@dataclass
class _Part:
    """One top-level piece of the body on its way to markdown."""

    raw: str  # the exact source, kept as raw HTML when conversion fails
    html: str = ""  # the HTML to convert ("" when the piece is raw from the start)
    reason: str = ""  # why it stays raw HTML
    markdown: str = ""
    footnotes: bool = False  # the footnote list Python-Markdown appends
    block: Block | None = None  # the core block it is, in blocks format

    @property
    def chunk(self) -> str:
        """What goes into the markdown for this piece."""
        return self.raw.strip("\n") if self.reason else self.markdown


def to_markdown(
    html: str,
    *,
    link: Callable[[str], str | None] = lambda url: None,
    image: Callable[[str], str | None] = lambda url: None,
    blocks: bool = False,
) -> Markdown:
    """Convert a post body to markdown; see the module docstring for what is kept raw.

    ``link`` maps a URL to the relative path of the article it shows ("02-hiring.md"), or
    None to keep the URL; ``image`` maps an image URL to the local file it was saved to.
    ``blocks``: the project writes blocks (see the module docstring).
    """
    sentinel = _sentinel(html)
    cleaner = Cleaner(sentinel, link, image, autop=not has_blocks(html))
    writer = MarkdownWriter(sentinel)
    parts = [p for block in split_blocks(html) for p in _parts(block, cleaner.autop, blocks)]
    _mark_footnotes(parts)
    definitions = ""  # converted first: every other piece is checked with them
    for part in sorted(parts, key=lambda p: not p.footnotes):
        _convert(part, cleaner, writer, sentinel, definitions)
        if part.footnotes and not part.reason:
            definitions = part.markdown
    for part in parts:
        if part.reason and part.block is not None:
            part.raw = _plain_form(part.block) or part.raw
    _check_together(parts, definitions)
    warnings = [_warning(part) for part in parts if part.reason]
    body = "\n\n".join(part.chunk for part in parts if part.chunk)
    return Markdown(body.strip("\n") + "\n", warnings)


def _sentinel(html: str) -> str:
    """A private-use character absent from ``html``, standing for a kept entity's ``&``."""
    return next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in html)


def _parts(block: Block, autop: bool, blocks: bool) -> list[_Part]:
    """The pieces of one top-level block: known blocks whole, freeform HTML cut up (in
    blocks format, a Custom HTML block's content too)."""
    if blocks and block.name == "html" and not block.broken:
        return _parts(Block(None, block.inner, block.inner), autop, blocks=False)
    if block.name is not None and block.name != "freeform":
        part = _Part(block.source, block.inner, Cleaner.block_problem(block))
        if blocks:
            _as_written(part, block)
        return [part]
    parts = []
    for piece in split_html(block.inner, _BLOCK_LEVEL):
        if piece.kind == "comment":
            what = "the read-more marker" if "more" in piece.source else "an HTML comment"
            parts.append(_Part(piece.source, reason=f"{what} has no markdown form"))
        elif piece.kind == "element":
            parts.append(_Part(piece.source, piece.source))
        else:  # loose text: paragraphs, as wpautop would make them
            texts = re.split(r"\n\s*\n", piece.source) if autop else [piece.source]
            for text in filter(str.strip, texts):
                wrapped = f"<p>{text.strip()}</p>"
                parts.append(_Part(wrapped, wrapped))
    return parts


def _as_written(part: _Part, block: Block) -> None:
    """In blocks format: a code block's language back on ``<code>``, an image's caption as
    its title; preformatted text is not a code block (see _plain_form)."""
    part.block = block
    language = _CODE_LANGUAGE.match(block.inner.strip("\n"))
    if block.name == "code" and language and block.attrs == {"className": language[2]}:
        part.reason = ""
        part.html = _CODE_LANGUAGE.sub(r'\1\3 class="\2">', block.inner.strip("\n"))
    elif block.name == "image" and not part.reason:
        part.html = _caption_as_title(block.inner)
    elif block.name == "preformatted":
        part.reason = "preformatted text has no markdown form (code is a code block)"


def _caption_as_title(html: str) -> str:
    """An image block's plain-text caption as the image's title (the caption convention)."""
    soup = BeautifulSoup(html, "html.parser")
    caption, img = soup.find("figcaption"), soup.find("img")
    if not (isinstance(caption, Tag) and isinstance(img, Tag)) or img.get("title"):
        return html
    if any(not isinstance(child, NavigableString) for child in caption.children):
        return html
    img["title"] = caption.get_text()
    caption.decompose()
    return str(soup)


def _plain_form(block: Block) -> str | None:
    """The HTML an author would write for a core block markdown cannot say (its content
    without the classes the editor adds), when rendering it gives this very block again."""
    if "<!-- wp:" in block.inner:
        return None
    soup = BeautifulSoup(block.inner.strip("\n"), "html.parser")
    for tag in soup.find_all(True):
        drop_editor_classes(tag)
        if tag.name == "br" and tag.find_parent("pre") is not None:
            tag.replace_with("\n")  # 7.0 writes preformatted line breaks as <br>
    plain = str(soup)
    html, _ = render.convert(plain, _NOWHERE).resolve(lambda _: None, str)
    if any(to_blocks(html, profile) == block.source for profile in PROFILES.values()):
        return plain
    return None


def _mark_footnotes(parts: list[_Part]) -> None:
    """The last piece may be Python-Markdown's footnote list; anywhere else it stays raw."""
    for index, part in enumerate(parts):
        if part.html.startswith('<div class="footnote">'):
            part.footnotes = index == len(parts) - 1
            if not part.footnotes:
                part.reason = "footnotes followed by more content have no markdown form"


def _convert(
    part: _Part, cleaner: Cleaner, writer: MarkdownWriter, sentinel: str, definitions: str
) -> None:
    """Fill in ``part.markdown``, or ``part.reason`` when it has to stay raw HTML."""
    if part.reason or not part.html:
        return
    soup = BeautifulSoup(_ENTITY.sub(sentinel, part.html), "html.parser")
    try:
        cleaner.clean(soup)
    except Unmappable as exc:
        part.reason = str(exc)
        return
    part.markdown = writer.convert_soup(soup).strip("\n")
    if part.markdown and _alone(part, definitions) != _shape(soup, sentinel):
        part.reason = "markdown cannot reproduce it exactly"


def _check_together(parts: list[_Part], definitions: str) -> None:
    """Pieces that change their neighbour when rendered together stay raw.

    Each piece was checked alone; together, two lists in a row would merge into one, and
    raw HTML left open would swallow what follows. The later piece of such a pair is kept
    raw, until the whole renders as its pieces do one by one.
    """
    for _ in parts:  # each round keeps one more piece raw, or ends
        whole = "\n\n".join(part.chunk for part in parts)
        if _rendered(whole) == [shape for part in parts for shape in _alone(part, definitions)]:
            return
        for before, part in itertools.pairwise(parts):
            pair = f"{before.chunk}\n\n{part.chunk}\n\n{definitions}"
            if _rendered(pair, drop_footnotes=bool(definitions)) != (
                _alone(before, definitions) + _alone(part, definitions)
            ):
                part.reason = "it would merge with the piece before it in markdown"
                break
        else:
            return


def _alone(part: _Part, definitions: str) -> list[Any]:
    """What ``part`` renders to by itself, with the footnote definitions it may refer to."""
    if part.footnotes and not part.reason:
        return _rendered(part.markdown)
    return _rendered(f"{part.chunk}\n\n{definitions}", drop_footnotes=bool(definitions))


def _rendered(text: str, *, drop_footnotes: bool = False) -> list[Any]:
    """The element tree render.py makes of ``text``, local references left as written."""
    html, _ = render.convert(text, _NOWHERE).resolve(lambda _: None, str)
    soup = BeautifulSoup(html, "html.parser")
    if drop_footnotes:  # the definitions' own list, rendered only for the references
        for div in soup.find_all("div", class_="footnote"):
            div.decompose()
    return _shape(soup, "")


def _shape(node: Tag, sentinel: str, pre: bool = False) -> list[Any]:
    """``node``'s children as comparable data: see "same HTML" in the module docstring."""
    shape: list[Any] = []
    for child in node.children:
        if isinstance(child, Comment):
            shape.append(("<!--", str(child)))
        elif isinstance(child, NavigableString):
            text = decode_entities(str(child), sentinel)
            text = text if pre else re.sub(r"\s+", " ", text)
            if shape and isinstance(shape[-1], str):
                shape[-1] += text
            else:
                shape.append(text)
        elif isinstance(child, Tag):
            attrs = tuple(sorted((k, _attribute(v, sentinel)) for k, v in child.attrs.items()))
            inner = _shape(child, sentinel, pre or child.name == "pre")
            shape.append((child.name, attrs, inner))
    if pre:
        if shape and isinstance(shape[-1], str):
            shape[-1] = shape[-1].rstrip("\n")
        return [s for s in shape if s != ""]
    return _trim(shape, node.name in _BLOCK_LEVEL or node.name == "[document]")


def _trim(shape: list[Any], block: bool) -> list[Any]:
    """Drop whitespace next to block elements and at a block's edges."""
    out: list[Any] = []
    for index, item in enumerate(shape):
        if isinstance(item, str):
            before = shape[index - 1] if index else None
            after = shape[index + 1] if index + 1 < len(shape) else None
            if _is_block(before) or (before is None and block):
                item = item.lstrip(" ")
            if _is_block(after) or (after is None and block):
                item = item.rstrip(" ")
            if not item:
                continue
        out.append(item)
    return out


def _is_block(item: Any) -> bool:
    """Block elements, and comments: at the top level they stand between blocks."""
    return isinstance(item, tuple) and (item[0] in _BLOCK_LEVEL or item[0] == "<!--")


def _attribute(value: Any, sentinel: str) -> str:
    if isinstance(value, list):
        return " ".join(sorted(value))
    return decode_entities(str(value), sentinel)


def _warning(part: _Part) -> str:
    """One line: the reason, then the start of what was kept.

    Python-Markdown passes block-level HTML through untouched, but wraps bare text between
    such tags (the text of a shortcode block, say) in ``<p>``: the warning says so.
    """
    excerpt = re.sub(r"\s+", " ", part.raw.strip())
    if len(excerpt) > 80:
        excerpt = excerpt[:77] + "..."
    changed = _rendered(part.raw) != _shape(BeautifulSoup(part.raw, "html.parser"), "")
    note = "; rendering wraps its bare text in <p>" if changed else ""
    return f"kept as raw HTML ({part.reason}{note}): {excerpt}"
