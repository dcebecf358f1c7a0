"""A small HTML tree, parsed as a browser parses it and written as the block editor writes it.

The block editor does not keep a block's HTML as it was sent: it reads each block's
attributes out of the HTML and writes the block again from them. Checked in Chromium on
WordPress 6.1.9 (rich text read through the DOM's ``innerHTML``) and 7.0.4 (rich text
values written by the editor itself), both write rich text the same way: ``&``, ``<``,
``>`` and the no-break space escaped in text, and ``"`` as well in attributes; every other
character is itself (``&#8617;`` becomes ``↩``, ``&quot;`` in text ``"``). A block's own
markup (an image's ``alt``, a heading's ``id``) keeps the no-break space:
:func:`saved_attribute`.

:func:`parse` gives the tree, :func:`inner` writes a node's children again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
RAW_TEXT = frozenset("script style xmp iframe noembed noframes plaintext".split())


@dataclass
class Text:
    data: str


@dataclass
class Comment:
    data: str


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def attr(self, name: str) -> str | None:
        return next((value for key, value in self.attrs if key == name), None)

    @property
    def elements(self) -> list[Element]:
        """The element children (text and comments left out)."""
        return [child for child in self.children if isinstance(child, Element)]

    def blank(self) -> bool:
        """Whether every child that is not an element is whitespace."""
        return all(
            isinstance(c, Element) or (isinstance(c, Text) and not c.data.strip())
            for c in self.children
        )


Node = Text | Comment | Element


# Markup the parser would read exactly as written: tags with lower-case names and
# double-quoted attribute values, text, nothing to decode ("&"), no comment, no raw-text
# element. Python-Markdown writes almost every body this way; such HTML gets its tree
# without HTMLParser, which costs several times as much.
_TOKEN = re.compile(
    r'<([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9_:.-]*="[^"<>&]*")*)\s*(/?)>'  # start tag
    r"|</([a-z][a-z0-9]*)\s*>"  # end tag
    r"|([^<&]+)"  # text
)
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9_:.-]*)="([^"]*)"')


def simple_tokens(html: str) -> list[re.Match[str]] | None:
    """``html`` cut into start tags, end tags and text (the groups of _TOKEN: name,
    attributes, "/", end tag's name, text), or None when it is not simple markup."""
    found = []
    at = 0
    while at < len(html):
        token = _TOKEN.match(html, at)
        if token is None or (token.group(1) or "") in RAW_TEXT:
            return None
        found.append(token)
        at = token.end()
    return found


def _simple(html: str) -> Element | None:
    """The tree of ``html`` as _Builder makes it, or None when ``html`` is not simple."""
    tokens = simple_tokens(html)
    if tokens is None:
        return None
    root = Element("")
    stack = [root]
    for token in tokens:
        tag, attrs, closed, end, data = token.groups()
        if data is not None:
            children = stack[-1].children
            if children and isinstance(children[-1], Text):
                children[-1].data += data
            else:
                children.append(Text(data))
        elif tag is not None:
            element = Element(tag, _ATTRIBUTE.findall(attrs) if attrs else [])
            stack[-1].children.append(element)
            if not closed and tag not in VOID:
                stack.append(element)
        elif any(e.tag == end for e in stack[1:]):
            while stack.pop().tag != end:
                pass
    return root


def parse(html: str) -> Element:
    """``html`` as a tree under a nameless root element (charrefs decoded)."""
    simple = _simple(html)
    if simple is not None:
        return simple
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, [(k, v or "") for k, v in attrs])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, [(k, v or "") for k, v in attrs]))

    def handle_endtag(self, tag: str) -> None:
        if any(e.tag == tag for e in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], Text):
            children[-1].data += data
        else:
            children.append(Text(data))

    def handle_comment(self, data: str) -> None:
        self.stack[-1].children.append(Comment(data))


def text(value: str) -> str:
    """Text as the editor writes rich text (and as the DOM's innerHTML does)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\xa0", "&nbsp;")


def attribute(value: str) -> str:
    """An attribute value inside rich text (without its quotes), as the editor writes it."""
    value = value.replace("&", "&amp;").replace('"', "&quot;").replace("\xa0", "&nbsp;")
    return value.replace("<", "&lt;").replace(">", "&gt;")


def saved_attribute(value: str) -> str:
    """An attribute of a block's own markup (an image's ``alt``), as the editor's serializer
    writes it: the no-break space stays itself there."""
    value = value.replace("&", "&amp;").replace('"', "&quot;")
    return value.replace("<", "&lt;").replace(">", "&gt;")


def start_tag(
    tag: str,
    attrs: list[tuple[str, str]],
    escape: Callable[[str], str] = attribute,
    close: str = "",
) -> str:
    """``<tag a="v">``; ``close="/"`` gives the ``<img .../>`` of a block's own markup."""
    written = "".join(f' {name}="{escape(value)}"' for name, value in attrs)
    return f"<{tag}{written}{close}>"


def inner(node: Element) -> str:
    """The children of ``node`` written out (its ``innerHTML``)."""
    if node.tag in RAW_TEXT:  # a script's text is not escaped
        return "".join(c.data if isinstance(c, Text) else outer(c) for c in node.children)
    return "".join(outer(child) for child in node.children)


def outer(node: Node) -> str:
    """``node`` itself written out (its ``outerHTML``)."""
    if isinstance(node, Text):
        return text(node.data)
    if isinstance(node, Comment):
        return f"<!--{node.data}-->"
    start = start_tag(node.tag, node.attrs)
    if node.tag in VOID:
        return start
    return f"{start}{inner(node)}</{node.tag}>"
