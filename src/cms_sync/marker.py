"""The identity marker every managed post (and notice pattern) carries in its content.

An HTML comment at the end of the content, for example::

    <!-- cms-sync:v1 key=ecommerce-manager path=articles/01-x.md source=3f2a... stored=9c1b... -->

``key`` ties the post to its article (the slug; ``notice:bn`` for a pattern), ``path`` is the
source file (so a changed slug still finds its post), ``source`` hashes what cms-sync last
wanted the post to be and ``stored`` hashes what WordPress stored after that publish, over
the ``fields`` cms-sync sent (a field left to WordPress, such as the default category of
an article without categories, is not compared). No
local state file is needed: a fresh clone in CI finds everything on the site.

Why a comment: post meta is writable over REST only when registered by a plugin, and
kses keeps HTML comments for every role. It filters their inside like text, though:
``&`` becomes ``&amp;`` and ``--`` becomes ``-``, so values are percent-encoded.

Content made of blocks only (content_format "blocks") gets the comment inside a Custom
HTML block of its own: a bare comment between blocks is a Classic block in the editor,
which offers to convert it; inside ``core/html`` the editor shows an HTML block and
saves it unchanged (checked on WordPress 6.1 and 7.0).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from cms_sync.block_markup import split_blocks

PREFIX = "cms-sync:v1"
_NAMES = ("key", "path", "source", "stored", "fields")
# The marker's values are percent-encoded: no spaces, quotes, "<", ">" or "&" inside.
_PAYLOAD = r"cms-sync:v1((?:\s+[a-z]+=[A-Za-z0-9%/:._]*)+)"
# Where it is, outermost first: the Custom HTML block cms-sync puts it in after blocks; a
# paragraph (block or not) that holds only the
# marker, as a comment or as escaped text ("Convert to blocks" on WordPress 7.0 does that);
# then the bare comment, as cms-sync writes it.
_PLACES = re.compile(
    r"\n*<!-- wp:html -->\s*<!--\s*" + _PAYLOAD + r"\s*-->\s*<!-- /wp:html -->"
    + r"|\n?(?:<!-- wp:paragraph -->\s*)?<p>\s*(?:<!--|&lt;!--)\s*" + _PAYLOAD
    + r"\s*(?:-->|--&gt;)\s*</p>(?:\s*<!-- /wp:paragraph -->)?"
    + r"|\n?<!--\s*" + _PAYLOAD + r"\s*-->"
)  # fmt: skip


@dataclass(frozen=True)
class Marker:
    """What a managed item says about itself."""

    key: str
    path: str
    source: str
    stored: str
    fields: str = ""  # comma-separated names of the stored fields ``stored`` covers

    def payload(self) -> str:
        """``key=… path=… source=… stored=… fields=…``, each value percent-encoded."""
        return " ".join(f"{name}={_encode(getattr(self, name))}" for name in _NAMES)

    def comment(self) -> str:
        return f"<!-- {PREFIX} {self.payload()} -->"


def parse(payload: str) -> Marker | None:
    """The marker a payload describes (as kept in the companion plugin's post meta)."""
    values = dict(pair.split("=", 1) for pair in payload.split() if "=" in pair)
    stamp = Marker(*(unquote(values.get(name, "")) for name in _NAMES))
    return stamp if stamp.key and stamp.stored else None


def _encode(value: str) -> str:
    return quote(value, safe="/:._").replace("-", "%2D")


def split(content: str) -> tuple[str, Marker | None]:
    """Return ``content`` without its marker, and the marker (None if unmanaged).

    The marker is found wherever an editor left it: at the end where cms-sync put it,
    wrapped in a paragraph by the block editor's Classic block, or turned into escaped
    text by "Convert to blocks". When there are several, the last one counts and all go.
    """
    found: Marker | None = None

    def take(match: re.Match[str]) -> str:
        nonlocal found
        stamp = parse(next(group for group in match.groups() if group))
        if stamp is None:
            return match.group(0)  # not one of ours: leave it where it is
        found = stamp
        return ""

    first = content.find(PREFIX)
    if first < 0:
        return content, None
    start = _wrapper_start(content, first)
    rest = content[:start] + _PLACES.sub(take, content[start:])
    return (rest.rstrip() if found else content), found


# What can stand between where a marker's place begins and its "cms-sync:v1": the
# wrappers of _PLACES and whitespace (what \s matches). Walking back over these characters
# from the first marker finds where the regex must start: the long body before it is not
# scanned (a post's content is read on every run, and most of it is text).
_WRAPPER_CHARS = frozenset("<!-- wp:html --><!-- wp:paragraph --><p>&lt;!--")


def _wrapper_start(content: str, at: int) -> int:
    """The first position from which ``content`` up to ``at`` is wrapper characters."""
    while at > 0 and (content[at - 1] in _WRAPPER_CHARS or content[at - 1].isspace()):
        at -= 1
    return at


def join(content: str, marker: Marker) -> str:
    """Content with the marker appended on its own line; after blocks, in a block."""
    content = content.rstrip()
    if content and all(block.name for block in split_blocks(content)):
        return f"{content}\n\n<!-- wp:html -->\n{marker.comment()}\n<!-- /wp:html -->"
    return f"{content}\n{marker.comment()}"


def state_hash(fields: dict[str, object]) -> str:
    """A short, stable hash of a post's fields (order-independent)."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
