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


def test_unclaimed_remote_is_an_orphan_not_in_the_trash():
    want = desired()
    gone = desired(key="gone", path="articles/gone.md")
    trashed = remote(desired(key="old", path="articles/old.md"), id=4, status="trash")
    actions = plan([want], [remote(want, id=3), remote(gone, id=9), trashed])
    assert [(a.kind, a.remote.id if a.remote else None) for a in actions] == [
        ("unchanged", 3),
        ("orphan", 9),
    ]


def ids(actions) -> list[tuple[str, int]]:
    return [(a.kind, a.remote.id if a.remote else 0) for a in actions]


def test_a_second_post_of_an_article_as_cms_sync_wrote_it_is_a_copy_of_the_oldest():
    want = desired()
    actions = plan([want], [remote(want, id=7), remote(want, id=3), remote(want, id=5)])
    assert ids(actions) == [("unchanged", 3), ("copy", 5), ("copy", 7)]
    assert [a.original.id for a in actions[1:]] == [3, 3]
    assert [a.slot for a in actions] == ["a", "copy:5", "copy:7"]


def test_a_copy_edited_on_the_site_is_a_conflict_never_a_copy_to_trash():
    want = desired()
    both = [remote(want, id=3, edited=True, title="Site"), remote(want, id=5, edited=True)]
    actions = plan([want], both, force=True)
    assert ids(actions) == [("update", 3), ("conflict", 5)]
    assert actions[1].original is both[0] and actions[1].slot == "copy:5"


def test_the_only_copy_with_site_edits_is_kept_and_the_unedited_one_is_the_copy():
    want = desired()
    actions = plan([want], [remote(want, id=3), remote(want, id=5, edited=True, title="Site")])
    assert ids(actions) == [("conflict", 5), ("copy", 3)]


def test_the_copy_the_file_was_pulled_from_is_kept():
    from cms_sync.articles import Pulled

    old = remote(desired(), id=3, edited=True, title="Older edit")
    edited = remote(desired(), id=5, edited=True, title="Pulled")
    pulled_from = Remote(5, "", edited.marker, edited.fields, "pulled-hash")
    want = Desired("a", "articles/a.md", dict(FIELDS), Pulled("pulled-hash", "x"))
    assert ids(plan([want], [old, pulled_from])) == [("unchanged", 5), ("conflict", 3)]


def test_a_live_post_is_kept_before_one_in_the_trash_and_the_trash_is_no_copy():
    want = desired()
    trashed = remote(want, id=3, edited=True, status="trash")
    assert ids(plan([want], [trashed, remote(want, id=5)])) == [("unchanged", 5)]
    # Alone in the trash (trashed in wp-admin), it is still the article's post.
    [action] = plan([want], [trashed])
    assert (action.kind, action.remote) == ("conflict", trashed)


def test_a_copy_whose_slug_wordpress_suffixed_is_as_written():
    want = desired(slug="a")
    stamp = Marker("a", want.path, want.source_hash, "written-with-slug-a")
    copy = Remote(5, "", stamp, {**want.fields, "slug": "a-2"}, "other", "written-with-slug-a")
    kept = Remote(3, "", stamp, want.fields, "written-with-slug-a")
    assert ids(plan([want], [copy, kept])) == [("unchanged", 3), ("copy", 5)]
    # The copy edited, the post at the article's slug as written: the post readers know
    # at its URL is kept, the edited copy is a conflict (never trashed).
    edited = Remote(5, "", stamp, copy.fields, "other", "edited")
    assert ids(plan([want], [edited, kept])) == [("unchanged", 3), ("conflict", 5)]
    # Neither at the slug (an editor renamed the first): the only edited one is kept.
    renamed = Remote(3, "", stamp, {**want.fields, "slug": "a-old"}, "x", "written-with-slug-a")
    assert ids(plan([want], [edited, renamed])) == [("conflict", 5), ("copy", 3)]


def test_copies_found_by_path_after_a_slug_change_share_the_kept_key():
    old = desired(key="old-slug")
    new = desired(key="new-slug", slug="new-slug")
    other = desired(key="other", path=old.path)  # a different key at the same path: orphan
    actions = plan([new], [remote(old, id=3), remote(old, id=4), remote(other, id=6)])
    assert ids(actions) == [("update", 3), ("copy", 4), ("orphan", 6)]


def test_a_run_limited_to_some_files_still_sees_their_copies():
    want = desired()
    actions = plan([want], [remote(want, id=3), remote(want, id=5)], orphans=False)
    assert ids(actions) == [("unchanged", 3), ("copy", 5)]


def test_marker_round_trip_survives_kses_rules():
    stamp = Marker("ক-খ", "articles/a--b & c.md", "s" * 16, "t" * 16, "title,content")
    comment = stamp.comment()
    assert "--" not in comment[4:-3] and "&" not in comment
    content, found = split(join("<p>body</p>\n", stamp))
    assert (content, found) == ("<p>body</p>", stamp)
    assert split("<p>no marker</p>") == ("<p>no marker</p>", None)


def test_state_hash_ignores_key_order():
    assert state_hash({"a": 1, "b": [2]}) == state_hash({"b": [2], "a": 1})
