"""Report formats: the markdown plan a reviewer reads on a pull request."""

from __future__ import annotations

from dataclasses import replace

from cms_sync.outcome import Outcome, Report
from cms_sync.report import FOLD_LINES, as_markdown, as_text


def report(*outcomes: Outcome) -> Report:
    return Report(dry_run=True, outcomes=list(outcomes), requests=4)


def test_nothing_to_do():
    text = as_markdown(report(Outcome("unchanged", "post", "a", 1, url="https://s/a/")))
    assert text == (
        "### cms-sync plan\n\nplan: 1 unchanged; 4 HTTP request(s)\n\n"
        "The site already matches the articles.\n"
    )


def test_table_links_live_posts_and_escapes_cells():
    text = as_markdown(
        report(
            Outcome(
                "update",
                "post",
                "a|b",
                1,
                url="https://s/a/",
                changes=("title",),
                diff="title: 'x' -> 'y'",
            ),
            Outcome("create", "post", "new"),
            Outcome("orphan", "post", "old", 9, path="articles/old.md", url="https://s/old/"),
        )
    )
    assert "| **update** | post | [a\\|b](https://s/a/) | title |" in text
    assert "| **create** | post | `new` |  |" in text
    assert (
        "| **orphan** | post | [old](https://s/old/) | source `articles/old.md` is gone; "
        "`publish --prune` moves it to the trash |"
    ) in text
    assert "#### update: a|b\n\n```diff\ntitle: 'x' -> 'y'\n```" in text


def test_long_diffs_are_folded():
    diff = "\n".join(f"+line {n}" for n in range(FOLD_LINES + 5))
    text = as_markdown(report(Outcome("update", "post", "a", 1, changes=("content",), diff=diff)))
    assert f"<details><summary>diff ({FOLD_LINES + 5} lines)</summary>" in text
    short = as_markdown(
        report(Outcome("update", "post", "a", 1, changes=("content",), diff="+one"))
    )
    assert "<details>" not in short


def test_text_table_shows_conflict_diffs_and_the_ways_out():
    edited = Outcome(
        "conflict", "post", "a", 3, path="articles/a.md", changes=("content",), diff="-old\n+new",
        note="was edited in WordPress after the last publish",
    )  # fmt: skip
    text = as_text(report(edited))
    assert text.splitlines() == [
        "ACTION    ITEM  KEY  DETAILS",
        "conflict  post  a    content",
        "",
        "conflict: post a (id 3) was edited in WordPress after the last publish; left alone:",
        "-old",
        "+new",
        "  ways out:",
        "    cms-sync pull articles/a.md    take the site's version into the file",
        "    cms-sync publish --force articles/a.md    replace the site's version with the file",
        "    or edit the file to settle the difference, then publish again",
        "",
        "plan: 1 conflict(s); 4 HTTP request(s)",
    ]


def test_a_post_written_in_wp_admin_at_the_slug_is_adopted_not_forced():
    unmanaged = Outcome(
        "conflict", "post", "a", 3, path="articles/a.md", changes=("content",), diff="-x\n+y",
        note="post 3 holds this slug but was not published by cms-sync (it has no identity marker)",
    )  # fmt: skip
    text = as_text(report(unmanaged))
    assert "cms-sync publish --adopt articles/a.md" in text
    assert "--force" not in text


def test_diff_shows_every_update_notice_patterns_included():
    notice = Outcome("update", "pattern", "notice:bn", 5, changes=("content",), diff="-old\n+new")
    assert "-old" not in as_text(report(notice))
    lines = as_text(report(notice), diffs=True).splitlines()
    assert lines[lines.index("update: pattern notice:bn (id 5):") + 1 :][:2] == ["-old", "+new"]


COPY = Outcome(
    "copy", "post", "a", 12, path="articles/a.md", url="https://s/a-2/",
    note="a copy of articles/a.md made by an interrupted or concurrent run",
    copy_of="https://s/a/",
)  # fmt: skip


def test_plan_names_each_copy_it_will_trash_and_the_post_it_keeps():
    lines = as_text(report(COPY)).splitlines()
    assert lines[1].split() == ["copy", "post", "a", "https://s/a-2/"]
    assert lines[3:] == [
        "a copy of articles/a.md made by an interrupted or concurrent run: https://s/a-2/",
        "  publish moves it to the trash; https://s/a/ stays",
        "",
        "plan: 1 copy(ies) to trash; 4 HTTP request(s)",
    ]
    assert "| **copy** | post | [a](https://s/a-2/) | a copy of articles/a.md made by" in (
        as_markdown(report(COPY))
    )


def test_publish_says_which_copies_it_trashed():
    done = Report(dry_run=False, outcomes=[replace(COPY, kind="trash")], requests=4)
    assert as_text(done).splitlines()[3:] == [
        "trashed a copy of articles/a.md made by an interrupted or concurrent run: https://s/a-2/",
        "",
        "1 trashed; 4 HTTP request(s)",
    ]


def test_an_edited_copy_is_a_conflict_whose_ways_out_never_overwrite_it():
    edited = replace(
        COPY, kind="conflict", changes=("content",), diff="-x\n+y",
        note="is a second post of articles/a.md, made by an interrupted or concurrent run "
        "(post 10 is kept), and was edited in WordPress since",
    )  # fmt: skip
    text = as_text(report(edited))
    assert "conflict: post a (id 12) is a second post of articles/a.md" in text
    assert "    in wp-admin, move https://s/a-2/ to the trash if its edits are not wanted" in text
    assert "--force" not in text and "--adopt" not in text
    assert "move it to the trash in wp-admin" in as_markdown(report(edited))
