"""`cms-sync new`: the slug a person accepts or changes, ASCII file names, --part placement."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cms_sync import credentials
from cms_sync.cli import cli
from cms_sync.config import load_config
from cms_sync.project import load_project
from cms_sync.scaffold import file_name, propose_slug

TITLE = "ইকমার্স ম্যানেজারের জন্য প্রয়োজনীয় দশটি ডিজিটাল মার্কেটিং দক্ষতা এবং কৌশল"
PROPOSED = "ইকমার্স-ম্যানেজারের-জন্য"
SERIES = "ইকমার্স ম্যানেজারের পেশাদার দক্ষতা"
PART_ONE = f"""\
---
title: "একটি ইকমার্স ম্যানেজারের অবশ্যই 7 পেশাদার দক্ষতা থাকতে হবে"
slug: ecommerce-manager-professional-competencies  # English: short links
series:
  name: {SERIES}
  part: 1
comment_status: closed
---

Part one.
"""


def new(project, *args: str, input: str | None = None):
    result = CliRunner().invoke(
        cli, ["--config", str(project.config), "new", *args], input=input, catch_exceptions=False
    )
    return result


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8").split("---\n")[1])


def assert_check_passes(project) -> None:
    result = CliRunner().invoke(cli, ["--config", str(project.config), "check"])
    assert result.exit_code == 0, result.stderr


def articles(project) -> set[str]:
    return {p.name for p in project.articles.iterdir()}


@pytest.fixture
def terminal(monkeypatch):
    """CliRunner is no terminal; this makes `new` believe a person is at one."""
    monkeypatch.setattr(credentials, "interactive", lambda: True)


@pytest.fixture
def series(project):
    project.write("01-ecommerce-manager-competencies.md", PART_ONE)
    return project


def test_a_latin_title_uses_its_slug_without_asking(series):
    result = new(series, "Ten digital marketing skills")
    assert result.exit_code == 0, result.stderr
    path = series.articles / "02-ten-digital-marketing-skills.md"
    assert result.stdout == f"{path}\n"
    assert result.stderr == ""
    meta = front_matter(path)
    assert meta["slug"] == "ten-digital-marketing-skills"
    assert meta["series"] == {"name": SERIES, "part": 2}
    assert_check_passes(series)


def test_a_bengali_title_at_a_terminal_shows_why_and_accepts_the_proposal(series, terminal):
    result = new(series, TITLE, input="\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "WordPress stores a Bengali slug percent-encoded (ই is %e0%a6%87, 9 bytes) and cuts "
        "it at 200 bytes, about 22 Bengali letters.\n"
        f"Proposed slug: {PROPOSED} (200 bytes encoded; the whole title would be 603, so the "
        "rest is cut)\n"
        f"Slugs in series '{SERIES}': part 1 ecommerce-manager-professional-competencies\n"
        "Press Enter to accept it, or type another slug.\n"
        f"Slug [{PROPOSED}]: \n"
    )
    path = series.articles / "part-02.md"
    assert result.stdout == f"{path}\n"
    assert front_matter(path)["slug"] == PROPOSED
    assert_check_passes(series)


def test_a_bengali_title_at_a_terminal_takes_another_slug_and_re_asks_on_a_bad_one(
    series, terminal
):
    taken = "ecommerce-manager-professional-competencies"
    result = new(series, TITLE, input=f"Ten Skills\n{taken}\nten-digital-marketing-skills\n")
    assert result.exit_code == 0, result.stderr
    assert (
        "Error: slug 'Ten Skills' is not a valid slug (WordPress would store 'ten-skills'); "
        "use lowercase letters, digits and hyphens\n"
    ) in result.stderr
    assert f"Error: slug '{taken}' is already used\n" in result.stderr
    assert result.stderr.count(f"Slug [{PROPOSED}]: ") == 3
    path = series.articles / "02-ten-digital-marketing-skills.md"
    assert result.stdout == f"{path}\n"
    meta = front_matter(path)
    assert meta["title"] == TITLE and meta["slug"] == "ten-digital-marketing-skills"
    assert_check_passes(series)


def test_a_bengali_title_without_a_terminal_needs_slug_and_writes_nothing(series):
    before = articles(series)
    result = new(series, TITLE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: the title is not in Latin letters; pass --slug (proposed: {PROPOSED}, "
        "200 of WordPress's 200 encoded bytes)\n"
    )
    assert articles(series) == before


def test_without_a_terminal_slug_is_enough(series):
    result = new(series, TITLE, "--slug", "ten-skills")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{series.articles / '02-ten-skills.md'}\n"
    assert_check_passes(series)


def test_an_invalid_slug_option_is_a_usage_error(series):
    result = new(series, TITLE, "--slug", "Ten Skills")
    assert result.exit_code == 2
    assert "Invalid value for '--slug': slug 'Ten Skills' is not a valid slug" in result.stderr
    assert articles(series) == {"01-ecommerce-manager-competencies.md", "notice.en.md"}


def test_the_cut_inside_a_word_is_explained_and_the_proposal_ends_at_a_whole_word(project):
    loaded, _ = load_project(load_config(project.config))
    title = "ক" * 10 + " " + "খ" * 20  # 91 bytes, then only 12 of the 20 letters fit
    proposal = propose_slug(loaded, title, None)
    assert proposal.slug == "ক" * 10
    assert proposal.facts() == [
        "WordPress stores a Bengali slug percent-encoded (ক is %e0%a6%95, 9 bytes) and cuts "
        "it at 200 bytes, about 22 Bengali letters.",
        f"Proposed slug: {'ক' * 10} (90 bytes encoded; the whole title would be 271, so the "
        "rest is cut)",
    ]


def test_file_names_are_ascii_and_never_an_existing_file(project):
    assert file_name(project.articles, "কককক", None).name == "article.md"
    assert file_name(project.articles, "skills", 3).name == "03-skills.md"
    # part 1 under the name part 2 would get: the new part 2 must not overwrite it
    project.write("part-02.md", "---\ntitle: কখ\nseries: {name: S, part: 1}\n---\n")
    result = new(project, "কককক", "--slug", "কককক")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{project.articles / 'part-02-2.md'}\n"
    assert front_matter(project.articles / "part-02-2.md")["slug"] == "কককক"
    assert articles(project) == {"notice.en.md", "part-02.md", "part-02-2.md"}
    assert_check_passes(project)


CRLF_PART = "---\r\ntitle: Three\r\nseries: {name: S, part: 3}  # flow\r\n---\r\n\r\nThree.\r\n"


@pytest.fixture
def three_parts(project):
    project.write("01-one.md", "---\ntitle: One\nseries: {name: S, part: 1}\n---\n\nOne.\n")
    project.write("02-two.md", "---\ntitle: Two\nseries:\n  name: S\n  part: 2\n---\n\nTwo.\n")
    (project.articles / "03-three.md").write_bytes(CRLF_PART.encode())
    return project


def test_part_into_a_taken_place_needs_renumber(three_parts):
    before = {p: p.read_bytes() for p in three_parts.articles.iterdir()}
    result = new(three_parts, "Between", "--part", "2")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: part 2 of series 'S' is 02-two.md; pass --renumber to move parts 2 and after "
        "one up\n"
    )
    assert {p: p.read_bytes() for p in three_parts.articles.iterdir()} == before


def test_renumber_moves_the_later_parts_changing_only_their_part_line(three_parts):
    one = (three_parts.articles / "01-one.md").read_bytes()
    result = new(three_parts, "Between", "--part", "2", "--renumber")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{three_parts.articles / '02-between.md'}\n"
    assert result.stderr == (
        f"renumbered {three_parts.articles / '02-two.md'}\n"
        f"renumbered {three_parts.articles / '03-three.md'}\n"
    )
    assert (three_parts.articles / "01-one.md").read_bytes() == one
    two = (three_parts.articles / "02-two.md").read_text("utf-8")
    assert two == "---\ntitle: Two\nseries:\n  name: S\n  part: 3\n---\n\nTwo.\n"
    three = (three_parts.articles / "03-three.md").read_bytes().decode()
    assert three == CRLF_PART.replace("part: 3", "part: 4")
    assert front_matter(three_parts.articles / "02-between.md")["series"] == {
        "name": "S",
        "part": 2,
    }
    assert_check_passes(three_parts)


def test_part_into_a_free_place_moves_nothing(three_parts):
    result = new(three_parts, "Five", "--part", "5", "--renumber")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert front_matter(three_parts.articles / "05-five.md")["series"]["part"] == 5
    assert_check_passes(three_parts)


def test_part_needs_a_series(project):
    result = new(project, "Alone", "--part", "2")
    assert result.exit_code == 1
    assert result.stderr == "Error: --part needs a series: pass --series NAME\n"


def test_new_page_at_the_top_and_under_a_parent_passes_check(series):
    top = new(series, "About us", "--page")
    assert top.exit_code == 0, top.stderr
    about = series.articles / "about-us.md"
    assert top.stdout == f"{about}\n"
    meta = front_matter(about)
    assert (meta["type"], meta["slug"], meta["comment_status"]) == ("page", "about-us", "closed")
    assert "series" not in meta and "categories" not in meta and "parent" not in meta

    (series.articles / "company").mkdir()
    moved = series.articles / "company" / "about-us.md"
    about.rename(moved)
    child = new(series, "Our team", "--page", "--parent", str(moved))
    assert child.exit_code == 0, child.stderr
    team = series.articles / "company" / "our-team.md"  # beside its parent
    assert child.stdout == f"{team}\n"
    assert (front_matter(team)["parent"], front_matter(team)["menu_order"]) == ("about-us.md", 0)
    assert_check_passes(series)
    loaded, _ = load_project(load_config(series.config))
    assert loaded.article_at(team).parent == moved  # the parent check.py and publish read


def test_new_page_with_a_bad_parent_or_series_options_writes_nothing(series):
    before = articles(series)
    part_one = str(series.articles / "01-ecommerce-manager-competencies.md")
    [notice] = [str(n.path) for n in load_project(load_config(series.config))[0].notices.values()]
    cases = {
        ("--page", "--parent", part_one): "Invalid value for '--parent': "
        f"{part_one} is a post, and only a page can be a page's parent",
        ("--page", "--parent", "missing.md"): "Invalid value for '--parent': no article file "
        "'missing.md'; name the parent page's file",
        ("--page", "--parent", notice): f"Invalid value for '--parent': {notice} is the "
        "comment-privacy notice, not a page article; name the parent page's file",
        ("--parent", part_one): "--parent needs --page",
        ("--page", "--part", "2"): "--series, --part and --renumber are for posts, not --page",
    }
    for args, message in cases.items():
        result = new(series, "Contact", *args)
        assert result.exit_code == 2, result.stdout
        assert message in result.stderr
    assert articles(series) == before
