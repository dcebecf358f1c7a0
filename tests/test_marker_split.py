"""marker.split looks for the marker from its first "cms-sync:v1" only: the same result as
the regex over the whole content, for every place an editor can leave the marker."""

from __future__ import annotations

import itertools
import random

import pytest

from cms_sync import marker

STAMP = marker.Marker("a-key", "articles/a.md", "0123456789abcdef", "fedcba9876543210", "title")
COMMENT = STAMP.comment()
PAYLOAD = STAMP.payload()
PLACES = [
    f"\n\n<!-- wp:html -->\n{COMMENT}\n<!-- /wp:html -->",
    f"\n<!-- wp:html -->\u00a0\u2003{COMMENT}\n\n<!-- /wp:html -->",
    f"\n<!-- wp:paragraph -->\n<p>{COMMENT}</p>\n<!-- /wp:paragraph -->",
    f"\n<!-- wp:paragraph -->\n<p>&lt;!-- cms-sync:v1 {PAYLOAD} --&gt;</p>\n<!-- /wp:paragraph -->",
    f"<p>{COMMENT}</p>",
    f"\n{COMMENT}",
    COMMENT,
    "<!-- cms-sync:v1 key= stored= -->",  # not one of ours: stays
]
BODIES = [
    "",
    "<p>Text.</p>",
    "<!-- wp:paragraph -->\n<p>that path graph ht</p>\n<!-- /wp:paragraph -->",
    "a html p wrap:<!-- -->   \n\n",
    "আমাদের লেখা।\u00a0",
    "<p>About cms-sync:v1 markers.</p>",
]


def whole(content: str) -> tuple[str, marker.Marker | None]:
    """The regex over all of the content (the behaviour split must keep)."""
    found = None

    def take(match):
        nonlocal found
        stamp = marker.parse(next(group for group in match.groups() if group))
        if stamp is None:
            return match.group(0)
        found = stamp
        return ""

    rest = marker._PLACES.sub(take, content)
    return (rest.rstrip() if found else content), found


@pytest.mark.parametrize(
    ("body", "places"),
    [(b, p) for b in BODIES for p in itertools.chain(([x] for x in PLACES), [PLACES[:3]])],
)
def test_split_is_the_whole_content_regex(body, places):
    content = body + "".join(places) + ("\n<p>after</p>" if len(places) > 1 else "")
    assert marker.split(content) == whole(content)


def test_random_contents():
    rng = random.Random(7)
    pieces = [*PLACES, *BODIES, " ", "\n", "<p>", "&lt;!--", "--&gt;", "x", "wp:html"]
    for _ in range(3000):
        content = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert marker.split(content) == whole(content), content
