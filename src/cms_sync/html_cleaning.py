"""Reduce editor HTML to the HTML markdown produces, or say why it cannot be.

The block editor wraps the same content in its own markup: a table or an image in a
``<figure>``, ``wp-block-*`` classes on most elements, a cell's alignment as a class, list
items and quoted paragraphs between block delimiters. :class:`Cleaner` removes exactly
what the editor adds by itself, maps links and images to local paths, and raises
:class:`Unmappable` with a reason for anything a person chose that markdown cannot say
(a style, a caption, an anchor, an iframe, a shortcode, a block it does not know).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString

from cms_sync.block_markup import Block, read_delimiter
from cms_sync.markdown_writer import class_list, decode_entities

# Core blocks that have a markdown form, with the attributes that may appear in their
# delimiter; any other attribute is a choice made in the editor and keeps the block raw.
BLOCK_ATTRIBUTES: dict[str, frozenset[str]] = {
    "paragraph": frozenset(),
    "heading": frozenset({"level"}),
    "list": frozenset({"ordered", "start"}),
    "list-item": frozenset(),
    "quote": frozenset(),
    "code": frozenset(),
    "preformatted": frozenset(),
    "table": frozenset({"hasFixedLayout"}),
    "image": frozenset({"id", "sizeSlug", "linkDestination"}),
    "separator": frozenset({"opacity"}),
}
# Classes the editor adds whatever the author does.
_EDITOR_CLASSES = re.compile(
    r"^(?:wp-block-(?:heading|list|quote|code|preformatted|separator)"
    r"|has-alpha-channel-opacity|has-fixed-layout|wp-image-\d+)$"
)
_ALLOWED: dict[str, frozenset[str]] = {
    name: frozenset(attrs.split())
    for name, attrs in {
        "p": "", "h1": "", "h2": "", "h3": "", "h4": "", "h5": "", "h6": "",
        "blockquote": "", "ul": "", "ol": "start", "li": "id", "hr": "", "br": "",
        "em": "", "strong": "", "code": "class", "pre": "", "a": "href title class",
        "img": "src alt title", "table": "", "thead": "", "tbody": "", "tr": "",
        "th": "style", "td": "style", "sup": "id", "div": "class",
    }.items()
}  # fmt: skip
_BLOCK_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 blockquote ul ol pre table hr div".split())
_ALIGN_STYLE = re.compile(r"^text-align: (?:left|right|center);$")
# Core shortcodes by name; others when they carry attributes or a closing tag.
_SHORTCODE = re.compile(
    r"\[/?(?:(?:audio|caption|wp_caption|embed|gallery|playlist|video)\b[^\]]*"
    r"|[A-Za-z][\w-]*\s+[\w-]+=[^\]]*|/[A-Za-z][\w-]*)\]"
)


class Unmappable(Exception):
    """The piece has no markdown form; the message says why, for the warning."""


class Cleaner:
    """Cleans one piece of a post body (parsed with bs4) in place."""

    def __init__(
        self,
        sentinel: str,
        link: Callable[[str], str | None],
        image: Callable[[str], str | None],
        *,
        autop: bool,
    ) -> None:
        self.sentinel, self.link, self.image, self.autop = sentinel, link, image, autop

    @staticmethod
    def block_problem(block: Block) -> str:
        """Why a top-level block stays raw ("" when its content may be converted)."""
        if block.broken:
            return "its block delimiters do not match"
        if block.name == "html":
            return "a Custom HTML block is HTML by choice"
        return _attribute_problem(block.name or "", set(block.attrs))

    def clean(self, soup: BeautifulSoup) -> None:
        """Reduce ``soup`` to markdown's HTML, or raise :class:`Unmappable`."""
        self._drop_delimiters(soup)
        top = [c for c in soup.children if isinstance(c, Tag) or str(c).strip()]
        if len(top) != 1 or not isinstance(top[0], Tag):
            raise Unmappable("it is not one element (stray text or tags around it)")
        for old, new in (("b", "strong"), ("i", "em")):
            for tag in soup.find_all(old):
                tag.name = new
        for figure in soup.find_all("figure"):
            _unwrap_figure(figure)
        for pre in soup.find_all("pre"):
            self._preformatted(pre, soup)
        for cell in soup.find_all(["th", "td"]):
            _cell_alignment(cell)
        for tag in soup.find_all(True):
            drop_editor_classes(tag)
            self._check(tag)
        if self.autop:
            for quote in soup.find_all("blockquote"):
                _wrap_loose_text(quote, soup)
        self._references(soup)
        self._text(soup)
        for paragraph in soup.find_all("p"):
            if not paragraph.contents:
                paragraph.decompose()

    def _drop_delimiters(self, soup: BeautifulSoup) -> None:
        """Remove the delimiters of inner blocks markdown can hold; others stop the piece."""
        for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
            try:
                delimiter = read_delimiter(str(comment))
            except ValueError:
                raise Unmappable("an inner block has attributes that are not JSON") from None
            if delimiter is None:
                raise Unmappable("an HTML comment inside has no markdown form")
            problem = _attribute_problem(delimiter[0], set(delimiter[1]))
            if problem:
                raise Unmappable(f"inner {problem}")
            comment.extract()
        soup.smooth()  # the text around each removed delimiter becomes one string again

    def _preformatted(self, pre: Tag, soup: BeautifulSoup) -> None:
        """Preformatted text (lines split by ``<br>``) becomes a code block."""
        if "wp-block-preformatted" not in class_list(pre):
            return
        if any(isinstance(c, Tag) and c.name != "br" for c in pre.children):
            raise Unmappable("formatted preformatted text has no markdown form")
        text = "".join("\n" if isinstance(c, Tag) else str(c) for c in pre.children)
        code = soup.new_tag("code")
        code.string = text
        pre.clear()
        pre.append(code)
        pre.attrs = {}

    def _check(self, tag: Tag) -> None:
        allowed = _ALLOWED.get(tag.name)
        if allowed is None:
            styled = " with an inline style" if "style" in tag.attrs else ""
            raise Unmappable(f"<{tag.name}>{styled} has no markdown form")
        for name, value in tag.attrs.items():
            if name not in allowed:
                raise Unmappable(_attribute_reason(tag.name, name))
            if name == "id" and not re.match(r"fn(?:ref\d*)?:", str(value)):
                raise Unmappable(_attribute_reason(tag.name, name))  # only footnotes' own
            if name == "style" and not _ALIGN_STYLE.match(str(value)):
                raise Unmappable("an inline style attribute has no markdown form")
            if name == "class":
                _check_classes(tag, class_list(tag))

    def _references(self, soup: BeautifulSoup) -> None:
        """Point links at article files and images at downloaded files."""
        for anchor in soup.find_all("a", href=True):
            url, hash_, fragment = self._decoded(anchor["href"]).partition("#")
            target = self.link(url) if url else None
            if target is not None:
                anchor["href"] = target + hash_ + fragment
        for img in soup.find_all("img", src=True):
            target = self.image(self._decoded(img["src"]))
            if target is not None:
                img["src"] = target

    def _text(self, soup: BeautifulSoup) -> None:
        """Refuse shortcodes; with wpautop, a newline inside a paragraph is a line break."""
        for text in soup.find_all(string=True):
            if text.find_parent(["code", "pre"]) is not None:
                continue
            shortcode = _SHORTCODE.search(str(text))
            if shortcode:
                raise Unmappable(f"shortcode {shortcode.group()} is not markdown")
            if self.autop and text.find_parent("p") is not None and "\n" in text:
                _break_lines(text, soup)

    def _decoded(self, value: Any) -> str:
        return decode_entities(str(value), self.sentinel)


def _attribute_problem(name: str, attrs: set[str]) -> str:
    if name not in BLOCK_ATTRIBUTES:
        return f"block wp:{name} has no markdown form"
    extra = sorted(attrs - BLOCK_ATTRIBUTES[name])
    return f"block wp:{name} with {', '.join(extra)} has no markdown form" if extra else ""


def _unwrap_figure(figure: Tag) -> None:
    """A table leaves its figure; an image becomes a paragraph, as markdown writes it."""
    classes = class_list(figure)
    if figure.find("figcaption"):
        kind = "an image" if "wp-block-image" in classes else "a figure"
        kind = "a table" if "wp-block-table" in classes else kind
        raise Unmappable(f"{kind} with a caption has no markdown form")
    content = [c for c in figure.children if isinstance(c, Tag) or str(c).strip()]
    if classes == ["wp-block-table"] and [getattr(c, "name", "") for c in content] == ["table"]:
        figure.unwrap()
        return
    other = [c for c in classes if c != "wp-block-image" and not c.startswith("size-")]
    if "wp-block-image" in classes and not other and len(content) == 1:
        image = content[0]
        if isinstance(image, Tag) and (image.name == "img" or (image.name == "a" and image.img)):
            figure.name, figure.attrs = "p", {}
            return
    detail = f'class "{other[0]}"' if "wp-block-image" in classes and other else "<figure>"
    raise Unmappable(f"{detail} has no markdown form")


def _cell_alignment(cell: Tag) -> None:
    """``class="has-text-align-center" data-align="center"`` → Python-Markdown's style."""
    align = cell.attrs.pop("data-align", None)
    classes = [c for c in class_list(cell) if c != f"has-text-align-{align}"]
    if align is not None:
        cell["style"] = f"text-align: {align};"
        if classes:
            cell["class"] = " ".join(classes)
        else:
            cell.attrs.pop("class", None)


def drop_editor_classes(tag: Tag) -> None:
    """Remove the classes the block editor adds by itself (``wp-block-heading``...)."""
    if "class" not in tag.attrs:
        return
    kept = [c for c in class_list(tag) if not _EDITOR_CLASSES.match(c)]
    if kept:
        tag["class"] = " ".join(kept)
    else:
        del tag["class"]


def _check_classes(tag: Tag, classes: list[str]) -> None:
    """Only Python-Markdown's own classes: code languages and footnote parts."""
    allowed: dict[str, Callable[[str], bool]] = {
        "code": lambda c: c.startswith("language-"),
        "a": lambda c: c in ("footnote-ref", "footnote-backref"),
        "div": lambda c: c == "footnote",
    }
    for name in classes:
        check = allowed.get(tag.name)
        if check is None or not check(name):
            raise Unmappable(f'class "{name}" has no markdown form')


def _attribute_reason(tag: str, attribute: str) -> str:
    if attribute == "style":
        return "an inline style attribute has no markdown form"
    if attribute == "id":
        return f"an anchor (id on <{tag}>) has no markdown form"
    if attribute == "class":
        return f"a class on <{tag}> has no markdown form"
    return f"attribute {attribute} on <{tag}> has no markdown form"


def _wrap_loose_text(quote: Tag, soup: BeautifulSoup) -> None:
    """wpautop shows a quote's bare text as a paragraph."""
    if not any(isinstance(c, Tag) and c.name in _BLOCK_TAGS for c in quote.children):
        paragraph = soup.new_tag("p")
        paragraph.extend(list(quote.contents))
        quote.append(paragraph)
        paragraph.smooth()


def _break_lines(text: NavigableString, soup: BeautifulSoup) -> None:
    """Put ``<br>`` before each newline inside a paragraph, as wpautop shows them.

    Not at the paragraph's edges, and not right after a ``<br>`` already there.
    """
    lines = str(text).split("\n")
    previous, following = text.previous_sibling, text.next_sibling
    nodes: list[Any] = []
    current = lines[0]
    for index, line in enumerate(lines[1:], start=1):
        at_start = not "".join(lines[:index]).strip()
        at_end = not "".join(lines[index:]).strip()
        breaks = not (at_start and (previous is None or getattr(previous, "name", "") == "br"))
        breaks = breaks and not (at_end and following is None)
        if breaks:
            nodes.extend([NavigableString(current), soup.new_tag("br")])
            current = "\n" + line
        else:
            current += "\n" + line
    nodes.append(NavigableString(current))
    text.replace_with(*nodes)
