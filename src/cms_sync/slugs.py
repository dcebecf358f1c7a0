"""The slug WordPress will store for a title or a requested slug.

WordPress (``sanitize_title`` in save context, checked against the 6.1 source) strips
accents from Latin letters, drops ``%`` signs that are not octets, lowercases, then
percent-encodes every non-ASCII character and cuts the encoded text at 200 bytes without
splitting a character. Only *after* that cut does it turn some encoded characters into
hyphens (dashes, no-break and typographic spaces, ``/``, ``.``) and drop others (quotes,
ellipsis, zero-width joiners...), then keeps ``a-z0-9_-`` and the octets. cms-sync keeps
slugs decoded (readable); :func:`wordpress_slug` predicts the stored form, so that a long
Bengali title maps to exactly one post and ``check`` can reject a slug WordPress would change.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

MAX_ENCODED = 200

_LATIN = {"ß": "s", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
          "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
          "ı": "i", "ŀ": "l", "Ŀ": "L", "ŉ": "n", "ĸ": "k"}  # fmt: skip


def _encoded(chars: str) -> list[str]:
    return [quote(c).lower() for c in chars]


# Applied to the encoded text, in this order, as WordPress does in save context.
_HYPHENS = [*_encoded("\u00a0\u2013\u2014"),
            "&nbsp;", "&#160;", "&ndash;", "&#8211;", "&mdash;", "&#8212;", "/"]  # fmt: skip
_DROPPED = _encoded(
    "\u00ad¡¿«»‹›‘’“”‚‛„‟•©®°…™´\u02ca\u0301\u0341\u0300\u0304\u030c"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff\ufffc"
)
_WIDE_SPACES = _encoded("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                        "\u2028\u2029\u202f")  # fmt: skip


def _remove_latin_accents(text: str) -> str:
    """Latin letters lose their accents; everything else (Bengali vowel signs) stays whole."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFKD", char)
        base, marks = decomposed[0], decomposed[1:]
        if char in _LATIN:
            out.append(_LATIN[char])
        elif (ord(char) > 127 and base.isascii() and base.isalpha()
              and all(unicodedata.combining(m) for m in marks)):  # fmt: skip
            out.append(base)
        else:
            out.append(char)
    return "".join(out)


def _encode_capped(text: str) -> str:
    """Percent-encode non-ASCII characters, stopping before 200 encoded bytes."""
    out, used = [], 0
    for char in text:
        encoded = char if char.isascii() else quote(char, safe="").lower()
        if used + len(encoded) > MAX_ENCODED:
            break
        out.append(encoded)
        used += len(encoded)
    return "".join(out)


def wordpress_slug(text: str) -> str:
    """Return the (decoded) slug WordPress stores for ``text`` as a title or slug."""
    text = re.sub(r"<[^>]*>", "", _remove_latin_accents(text))
    text = re.sub(r"%(?![0-9a-fA-F]{2})", "", text)
    text = _encode_capped(text.lower()).lower()
    for encoded in _HYPHENS:
        text = text.replace(encoded, "-")
    for encoded in _DROPPED:
        text = text.replace(encoded, "")
    for encoded in _WIDE_SPACES:
        text = text.replace(encoded, "-")
    text = text.replace("%c3%97", "x")
    text = re.sub(r"&.+?;", "", text).replace(".", "-")
    text = re.sub(r"[^%a-z0-9 _-]", "", text)
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"-+", "-", text).strip("-")
    return unquote(text)


def encoded_length(slug: str) -> int:
    """Bytes of the slug as WordPress stores it (percent-encoded)."""
    return len(quote(slug, safe="-_"))


def uncut_slug(text: str) -> str:
    """The slug of ``text`` as if WordPress did not cut it at 200 bytes.

    Built word by word (each word far under the cut) and joined with hyphens, as
    :func:`wordpress_slug` joins them; used to say how much of a long title the cut drops.
    """
    return "-".join(filter(None, (wordpress_slug(word) for word in text.split())))
