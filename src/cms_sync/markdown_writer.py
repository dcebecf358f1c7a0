"""Write cleaned HTML as the markdown dialect cms-sync renders (render.EXTENSIONS).

markdownify walks the HTML and converts the common elements; :class:`MarkdownWriter`
adjusts it to Python-Markdown with tables, fenced_code, footnotes and sane_lists, so that
rendering the result gives the same HTML again:

- text is escaped only where Python-Markdown would read it as markup (a ``*`` between
  letters, ``_`` at a word edge, ``#`` or ``1.`` at the start of a line, ``<`` before a
  tag name, ...), so prose in any script comes back as it was written;
- list items are indented by four spaces (Python-Markdown's tab length), and blank lines
  between items appear exactly where the HTML has paragraphs in them;
- tables keep their column alignment, code keeps its language, footnotes come back as
  ``[^label]`` references and definitions.

The writer expects HTML already reduced to what markdown can say (see html_markdown);
whatever it writes is checked afterwards by rendering it again.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bs4 import Tag
from bs4.element import NavigableString
from markdownify import ATX, MarkdownConverter

_LINE_CONTAINERS = frozenset("p li h1 h2 h3 h4 h5 h6 td th blockquote div".split())
_BLOCKS = _LINE_CONTAINERS | {"ul", "ol", "pre", "table", "hr"}
_ENTITY = re.compile(r"&(?=#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z0-9]+;)")
_AS_REFERENCE = {"<": "&lt;", "&": "&amp;"}  # no backslash escape for these
_ESCAPABLE = set("\\`*_{}[]()>#+-.!|")
_LINE_START = re.compile(r"^(?:#|>|[-+*](?=\s|$)|\d+\.(?=\s|$)|-+\s*$)")
_LINE_STARTERS = frozenset({"p", "li", "blockquote", "div"})  # where a line may open a block
_FOOTNOTE_ID = re.compile(r"^fn:(.+)$")


def class_list(tag: Tag) -> list[str]:
    """The classes of ``tag`` (bs4 gives a list, or nothing)."""
    return [name for value in tag.get_attribute_list("class") if value for name in value.split()]


def decode_entities(text: str, sentinel: str) -> str:
    """``text`` with each kept entity (``sentinel`` + ``name;``) turned into its character."""
    if not sentinel or sentinel not in text:
        return text
    return re.sub(re.escape(sentinel) + r"(#?\w+;)", lambda m: html.unescape("&" + m[1]), text)


def _neighbours(text: str, index: int) -> tuple[str, str]:
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return before, after


class MarkdownWriter(MarkdownConverter):
    """markdownify set up for cms-sync's dialect; ``sentinel`` stands for ``&`` of a kept entity."""

    def __init__(self, sentinel: str) -> None:
        super().__init__(heading_style=ATX, bullets="-", escape_asterisks=False,
                         escape_underscores=False, autolinks=True)  # fmt: skip
        self.sentinel = sentinel

    # --- text -------------------------------------------------------------------------

    def decoded(self, text: str) -> str:
        """Text with the kept entities turned into the characters they stand for."""
        return decode_entities(text, self.sentinel)

    def process_text(self, el: NavigableString, parent_tags: set[str] | None = None) -> str:
        """One text node: line breaks folded, escaped where markdown would misread it."""
        tags = parent_tags or set()
        text = str(el)
        if "pre" in tags:
            return self.decoded(text)
        previous, following = el.previous_sibling, el.next_sibling
        after_break = isinstance(previous, Tag) and previous.name == "br"
        if after_break and text.startswith("\n"):
            text = text[1:]  # the writer's "  \n" already ends the line
        text = text.replace("\n", " ")
        in_block = isinstance(el.parent, Tag) and el.parent.name in _LINE_CONTAINERS
        if (previous is None and in_block) or _is_block(previous):
            text = text.lstrip()
        if (following is None and in_block) or _is_block(following):
            text = text.rstrip()
        if "_noformat" in tags:
            return self.decoded(text)
        if _footnote_target(following, "footnote-backref") is not None:
            # written with the way back (&nbsp; once WordPress 6.1's editor rewrote it)
            text = text.removesuffix(self.sentinel + "#160;").removesuffix(self.sentinel + "nbsp;")
        starts_block = isinstance(el.parent, Tag) and el.parent.name in _LINE_STARTERS
        line_start = after_break or (previous is None and starts_block)
        text = _escape(text, isinstance(previous, Tag), isinstance(following, Tag), "a" in tags)
        if line_start:
            text = _LINE_START.sub(lambda m: _escape_line_start(m.group()), text)
        if tags & {"td", "th"}:
            text = text.replace("|", "\\|")
        if following is None and tags & {"h1", "h2", "h3", "h4", "h5", "h6"}:
            text = re.sub(r"(?<!\\)#(\s*)$", r"\\#\1", text)
        return text.replace(self.sentinel, "&")

    # --- inline -----------------------------------------------------------------------

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if _footnote_target(el, "footnote-ref") is not None:
            return text
        if _footnote_target(el, "footnote-backref") is not None:
            return ""  # Python-Markdown writes the way back from each footnote itself
        href = self.decoded(str(el.get("href", "")))
        title = el.get("title")
        if text == href and not title and re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^<>\s]*$", href):
            return f"<{href}>"
        return f"[{text}]({_destination(href)}{self.title(title)})"

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        alt = re.sub(r"([\\\[\]`*_])", r"\\\1", self.decoded(str(el.get("alt", ""))))
        src = self.decoded(str(el.get("src", "")))
        return f"![{alt}]({_destination(src)}{self.title(el.get('title'))})"

    def title(self, title: Any) -> str:
        return f' "{self.decoded(str(title))}"' if title else ""

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return "  \n"

    def convert_sup(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A footnote reference as Python-Markdown writes it (cleaning lets no other sup by)."""
        label = _footnote_target(el.find("a"), "footnote-ref")
        return f"[^{label}]" if label is not None else text

    # --- blocks -----------------------------------------------------------------------

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """Fenced code with its language; indented code inside list items and quotes,
        where Python-Markdown does not look for fences."""
        code = text.removesuffix("\n")
        if parent_tags & {"li", "blockquote"}:
            return "\n\n" + _indent(code, first=True) + "\n\n"
        child = el.find("code")
        classes = class_list(child) if isinstance(child, Tag) else []
        language = next((c[len("language-") :] for c in classes if c.startswith("language-")), "")
        fence = "```"
        while re.search(rf"^{fence}", code, re.M):
            fence = "~~~" if fence == "```" else fence + "~"
        return f"\n\n{fence}{language}\n{code}\n{fence}\n\n"

    def convert_ul(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "li" in parent_tags:
            return "\n" + text.rstrip()  # right under its item's text
        return "\n\n" + text.strip("\n") + "\n\n"

    convert_ol = convert_ul

    def convert_li(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """An item indented by four spaces (Python-Markdown's tab length), after a blank
        line when both it and the item before it hold paragraphs (loose items)."""
        label = _FOOTNOTE_ID.match(str(el.get("id", "")))
        if label:
            return f"\n\n[^{label.group(1)}]: {_indent(text.strip())}\n\n"
        parent = el.parent
        marker = "- "
        if isinstance(parent, Tag) and parent.name == "ol":
            number = int(str(parent.get("start", "1"))) + len(el.find_previous_siblings("li"))
            marker = f"{number}. "
        previous = el.find_previous_sibling("li")
        blank = _is_loose(el) and isinstance(previous, Tag) and _is_loose(previous)
        return ("\n\n" if blank else "") + marker + _indent(text.strip("\n")) + "\n"

    def convert_div(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """The footnotes Python-Markdown appends (cleaning lets no other div by)."""
        return "\n\n" + text.strip("\n") + "\n\n"

    def convert_hr(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return "" if "div" in parent_tags else "\n\n---\n\n"  # the footnotes' own rule

    def convert_table(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return "\n\n" + text.strip("\n") + "\n\n"

    def convert_tr(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """One row; after the header row, the separator that carries the alignment."""
        row = "|" + text + "\n"
        if isinstance(el.parent, Tag) and el.parent.name == "thead":
            row += "|" + "".join(f" {_rule(cell)} |" for cell in el.find_all("th")) + "\n"
        return row

    def convert_td(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return f" {text.strip()} |" if text.strip() else " |"

    convert_th = convert_td


def _indent(text: str, first: bool = False) -> str:
    """Indent every line but the first (or all, with ``first``) by four spaces."""
    lines = text.split("\n")
    rest = ["    " + line if line else "" for line in lines[1:]]
    return "\n".join([("    " + lines[0]) if first and lines[0] else lines[0], *rest])


def _is_block(node: Any) -> bool:
    return isinstance(node, Tag) and node.name in _BLOCKS


def _is_loose(item: Tag) -> bool:
    first = next((c for c in item.children if not (isinstance(c, str) and not c.strip())), None)
    return isinstance(first, Tag) and first.name == "p"


def _footnote_target(anchor: Any, cls: str) -> str | None:
    """The label a footnote link (``footnote-ref`` or ``footnote-backref``) points at."""
    if not isinstance(anchor, Tag) or cls not in class_list(anchor):
        return None
    match = re.match(r"^#fn(?:ref\d*)?:(.+)$", str(anchor.get("href", "")))
    return match.group(1) if match else None


def _escape(text: str, tag_before: bool, tag_after: bool, in_link: bool) -> str:
    """Backslash what Python-Markdown would read as inline markup, and nothing else."""
    out = []
    for index, char in enumerate(text):
        before, after = _neighbours(text, index)
        edge_before = before == "" and tag_before
        edge_after = after == "" and tag_after
        if char == "\\":
            needed = after in _ESCAPABLE or edge_after
        elif char == "`":
            needed = True
        elif char == "*":
            needed = not (before.isspace() or before == "") or not (after.isspace() or after == "")
            needed = needed or edge_before or edge_after
        elif char == "_":
            intraword = before.isalnum() and after.isalnum()
            spaced = before in " \t" and after in " \t" and before and after
            needed = not (intraword or spaced)
        elif char in "[]" and in_link:
            needed = True
        elif char == "[":
            needed = after == "^" or bool(re.match(r"\[[^\]]*\](?:[(\[:]|$)", text[index:]))
        elif char == "!":
            needed = edge_after
        elif char == "<":
            needed = (after != "" and not after.isspace()) or edge_after
        elif char == "&":
            needed = bool(_ENTITY.match(text, index))
        else:
            out.append(char)
            continue
        if needed and char in _AS_REFERENCE:
            out.append(_AS_REFERENCE[char])
        else:
            out.append("\\" + char if needed else char)
    return "".join(out)


def _escape_line_start(start: str) -> str:
    """Escape what would begin a heading, quote, list item or setext underline."""
    if start[0].isdigit():
        return start[:-1] + "\\."
    return "\\" + start


def _destination(url: str) -> str:
    """A link or image destination Python-Markdown reads back unchanged."""
    if re.search(r"[\s<>]", url) or url.count("(") != url.count(")"):
        return f"<{url}>"
    return url


def _rule(cell: Tag) -> str:
    """The separator cell for a header cell's ``style="text-align: …;"``."""
    style = str(cell.get("style", ""))
    align = re.search(r"text-align:\s*(left|right|center)", style)
    return {"left": ":---", "right": "---:", "center": ":---:"}.get(
        align.group(1) if align else "", "---"
    )
