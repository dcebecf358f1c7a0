"""The slug WordPress will store for a title or a requested slug.

WordPress (``sanitize_title_with_dashes`` in save context) strips accents from Latin
letters, percent-encodes every other non-ASCII character, cuts the encoded text at
200 bytes without splitting a character, lowercases, and keeps only ``a-z0-9_-`` and
the encoded characters. cms-sync keeps slugs decoded (readable) and compares them
decoded; :func:`wordpress_slug` predicts the stored form so that a long Bengali
title maps to exactly one post.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

MAX_ENCODED = 200

# Characters WordPress turns into a hyphen or drops, in save context.
_TO_HYPHEN = "\u00a0\u2013\u2014\u2010\u2011\u2012\u2015./"
_DROPPED = "¡¿«»‹›‘’“”‚‛„‟•©®°…™´˜¨ˆ¯¸¼½¾×"
_LIGATURES = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "ø": "o",
    "Ø": "O",
    "œ": "oe",
    "Œ": "OE",
    "đ": "d",
    "Đ": "D",
    "ł": "l",
    "Ł": "L",
    "þ": "th",
    "ð": "d",
}


def _remove_latin_accents(text: str) -> str:
    out = []
    for char in text:
        if char in _LIGATURES:
            out.append(_LIGATURES[char])
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        # Only Latin letters lose their accents; Bengali vowel signs also decompose
        # and must stay whole.
        if ord(char) > 127 and decomposed[0].isascii() and decomposed[0].isalpha():
            out.append(decomposed[0])
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
    text = re.sub(r"<[^>]*>", "", text)
    text = _remove_latin_accents(text)
    for char in _TO_HYPHEN:
        text = text.replace(char, "-")
    text = "".join(c for c in text if c not in _DROPPED)
    text = re.sub(r"&[^\s;]+;", "", text)
    text = _encode_capped(text).lower()
    text = re.sub(r"[^%a-z0-9 _-]", "", text)
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"-+", "-", text).strip("-")
    return unquote(text)


def encoded_length(slug: str) -> int:
    """Bytes of the slug as WordPress stores it (percent-encoded)."""
    return len(quote(slug, safe="-_"))
