"""The publish decision table (plan.py is pure: no site needed)."""

from __future__ import annotations

from cms_sync.items import Desired, Remote
from cms_sync.marker import Marker, join, split, state_hash
from cms_sync.plan import plan

FIELDS = {"title": "T", "content": "<p>x</p>", "status": "publish"}


def desired(key: str = "a", path: str = "articles/a.md", **fields: object) -> Desired:
    return Desired(key, path, {**FIELDS, **fields})


def remote(
    want: Desired, *, id: int = 1, edited: bool = False, source: str | None = None, **fields: object
) -> Remote:
    stored = "stored-hash"
    marker = Marker(want.key, want.path, source or want.source_hash, stored)
    return Remote(
        id,
        f"https://site/{want.key}/",
        marker,
        {**want.fields, **fields},
        "edited-hash" if edited else stored,
    )


def kinds(actions) -> list[tuple[str, str]]:
    return [(a.kind, a.key) for a in actions]


def test_missing_remote_is_a_create():
    assert kinds(plan([desired()], [])) == [("create", "a")]


def test_identical_is_unchanged():
    want = desired()
    assert kinds(plan([want], [remote(want)])) == [("unchanged", "a")]


def test_local_change_is_an_update_listing_the_fields():
    old = desired()
    new = desired(title="New", content="<p>y</p>")
    [action] = plan([new], [remote(old)])
    assert (action.kind, action.changes) == ("update", ("title", "content"))


def test_site_edit_is_a_conflict_unless_forced():
    old = desired()
    new = desired(title="New")
    assert kinds(plan([new], [remote(old, edited=True)])) == [("conflict", "a")]
    assert kinds(plan([new], [remote(old, edited=True)], force=True)) == [("update", "a")]


def test_site_edit_equal_to_local_is_unchanged():
    want = desired()
    assert kinds(plan([want], [remote(want, edited=True)])) == [("unchanged", "a")]


def test_difference_made_by_wordpress_itself_is_not_rewritten():
    want = desired(content="<p>x</p><script>1</script>")
    # The site dropped the script when it stored the post; the source has not changed since.
    filtered = remote(want, content="<p>x</p>")
    assert kinds(plan([want], [filtered])) == [("unchanged", "a")]


def test_matching_by_path_when_the_slug_changed():
    old = desired(key="old-slug")
    new = desired(key="new-slug", slug="new-slug")
    [action] = plan([new], [remote(old)])
    assert (action.kind, action.remote is not None) == ("update", True)


def test_unclaimed_remote_is_an_orphan_and_duplicates_keep_the_oldest():
    want = desired()
    gone = desired(key="gone", path="articles/gone.md")
    actions = plan([want], [remote(want, id=7), remote(want, id=3), remote(gone, id=9)])
    assert [(a.kind, a.remote.id if a.remote else None) for a in actions] == [
        ("unchanged", 3),
        ("orphan", 7),
        ("orphan", 9),
    ]


def test_marker_round_trip_survives_kses_rules():
    stamp = Marker("ক-খ", "articles/a--b & c.md", "s" * 16, "t" * 16, "title,content")
    comment = stamp.comment()
    assert "--" not in comment[4:-3] and "&" not in comment
    content, found = split(join("<p>body</p>\n", stamp))
    assert (content, found) == ("<p>body</p>", stamp)
    assert split("<p>no marker</p>") == ("<p>no marker</p>", None)


def test_state_hash_ignores_key_order():
    assert state_hash({"a": 1, "b": [2]}) == state_hash({"b": [2], "a": 1})
