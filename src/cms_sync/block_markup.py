"""Split WordPress post content into blocks and top-level HTML pieces, keeping their exact text.

The block editor saves each block between comment delimiters,
``<!-- wp:name {"json":"attributes"} -->…<!-- /wp:name -->`` (or ``<!-- wp:name /-->``
for a block with no content); HTML outside any delimiter is "freeform" content, what the
classic editor saves. :func:`split_blocks` finds the top-level blocks the way WordPress's
block parser does, and :func:`split_html` cuts freeform HTML into its top-level elements,
comments and loose runs of text. Both keep every piece's source text byte for byte, so a
piece that cannot be converted can be kept exactly as WordPress stored it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

# The delimiter comment; attribute JSON never holds "-->" (WordPress escapes "--" in it).
_DELIMITER = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s+"
    r"(?P<attrs>\{.*?\}\s+)?(?P<void>/)?-->",
    re.DOTALL,
)

# Elements after which the HTML parser never waits for an end tag.
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


@dataclass(frozen=True)
class Block:
    """One top-level block, or a run of freeform HTML between blocks (``name`` None)."""

    name: str | None  # "paragraph" for core blocks, "plugin/name" for others
    source: str  # the exact text, delimiters included
    inner: str  # the HTML between the delimiters ("" for a void block)
    attrs: dict[str, Any] = field(default_factory=dict)
    broken: bool = False  # unbalanced delimiters or attributes that are not JSON


def has_blocks(content: str) -> bool:
    """Whether WordPress treats ``content`` as block content (no wpautop when shown)."""
    return "<!-- wp:" in content


def split_blocks(content: str) -> list[Block]:
    """The top-level blocks of ``content`` in order, freeform runs included."""
    blocks: list[Block] = []
    depth, start, opener = 0, 0, None
    last = 0  # end of the last top-level block
    for match in _DELIMITER.finditer(content):
        if depth == 0 and not match.group("closer"):
            _freeform(content[last : match.start()], blocks)
            if match.group("void"):
                blocks.append(_block(match, content[match.start() : match.end()], ""))
                last = match.end()
                continue
            start, opener, depth = match.start(), match, 1
        elif match.group("void"):
            continue  # a void block inside another block
        elif match.group("closer"):
            depth -= 1
            if depth == 0 and opener is not None:
                inner = content[opener.end() : match.start()]
                same = _name(match) == _name(opener)
                blocks.append(_block(opener, content[start : match.end()], inner, not same))
                last = match.end()
            elif depth < 0:  # a closer with no opener: everything up to it is freeform
                depth = 0
        else:
            depth += 1
    if depth and opener is not None:  # an opener never closed: keep the rest untouched
        blocks.append(_block(opener, content[start:], content[opener.end() :], True))
    else:
        _freeform(content[last:], blocks)
    return blocks


def _freeform(text: str, blocks: list[Block]) -> None:
    if text.strip():
        blocks.append(Block(None, text, text))


def read_delimiter(comment: str) -> tuple[str, dict[str, Any]] | None:
    """The block name and attributes of a comment's text, if it is a block delimiter.

    Raises ValueError when the attributes are not a JSON object.
    """
    match = _DELIMITER.fullmatch(f"<!--{comment}-->")
    return None if match is None else (_name(match), _attributes(match))


def _name(delimiter: re.Match[str]) -> str:
    return delimiter.group("name").removeprefix("core/")


def _attributes(delimiter: re.Match[str]) -> dict[str, Any]:
    attrs = json.loads(delimiter.group("attrs") or "{}")
    if not isinstance(attrs, dict):
        raise ValueError("block attributes are not a JSON object")
    return attrs


def _block(opener: re.Match[str], source: str, inner: str, broken: bool = False) -> Block:
    try:
        attrs = _attributes(opener)
    except ValueError:
        attrs, broken = {}, True
    return Block(_name(opener), source, inner, attrs, broken)


@dataclass(frozen=True)
class Piece:
    """A top-level part of freeform HTML, with its exact source text."""

    kind: Literal["element", "comment", "text"]  # "text": loose text and inline elements
    source: str
    tag: str = ""  # the element's name, for kind "element"


def split_html(html: str, block_level: frozenset[str]) -> list[Piece]:
    """Cut ``html`` into its top-level block elements, comments and loose runs.

    An element whose name is in ``block_level`` starts a piece of its own; text and other
    elements between such pieces form one "text" piece (whitespace-only runs are left out).
    """
    splitter = _Splitter(html, block_level)
    splitter.feed(html)
    splitter.close()
    splitter.finish(len(html))
    return splitter.pieces


class _Splitter(HTMLParser):
    """Tracks the open elements and records where each top-level piece starts and ends."""

    def __init__(self, html: str, block_level: frozenset[str]) -> None:
        super().__init__(convert_charrefs=False)
        self.html, self.block_level = html, block_level
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.open: list[str] = []  # names of the open elements
        self.piece_start: int | None = None  # where the current top-level element began
        self.piece_tag = ""
        self.text_start = 0  # where the current loose run began
        self.pieces: list[Piece] = []

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self.position()
        if not self.open and tag in self.block_level:
            self.finish(start)
            if tag in _VOID:
                self.add("element", start, start + len(self.get_starttag_text() or ""), tag)
                return
            self.piece_start, self.piece_tag = start, tag
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self.position()
        if not self.open and tag in self.block_level:
            self.finish(start)
            self.add("element", start, start + len(self.get_starttag_text() or ""), tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.open:
            return  # a stray end tag: part of whatever is around it
        while self.open.pop() != tag:
            pass  # elements closed implicitly, as a browser would
        if not self.open and self.piece_start is not None:
            end = self.html.find(">", self.position()) + 1
            self.add("element", self.piece_start, end, self.piece_tag)
            self.piece_start = None

    def handle_comment(self, data: str) -> None:
        if not self.open:
            start = self.position()
            self.finish(start)
            self.add("comment", start, start + len(data) + len("<!---->"))

    def finish(self, end: int) -> None:
        """End the loose run (if any) at ``end``; called before each top-level piece."""
        if self.piece_start is not None and end == len(self.html):  # never closed
            self.add("element", self.piece_start, end, self.piece_tag)
            self.piece_start = None
            return
        text = self.html[self.text_start : end]
        if text.strip() and self.piece_start is None:
            self.pieces.append(Piece("text", text))
        self.text_start = end

    def add(self, kind: Literal["element", "comment"], start: int, end: int, tag: str = "") -> None:
        self.pieces.append(Piece(kind, self.html[start:end], tag))
        self.text_start = end
