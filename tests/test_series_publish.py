"""The series navigation, the featured image's alt text and the notice's heading as readers
meet them on a real WordPress (6.1; 7.0.4 too with the compat tier).

Every page is fetched as an anonymous reader. No link of a series navigation may answer 404;
a draft is neither linked nor counted; a scheduled part says when it comes; publishing a part
rewrites its neighbours' navigation in the same run, in the same batch.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import requests

from .conftest import REPO
from .test_companion_browser import GEOMETRY
from .test_publish import article, kinds, publish_json

pytestmark = [pytest.mark.wordpress, pytest.mark.compat]

NEXT_YEAR = dt.date.today().year + 1


def part(project, number: int, status: str = "publish", **front: str) -> None:
    front = {"slug": f"part-{number}", "status": status,
             "series": f"{{name: Managers, part: {number}}}", **front}  # fmt: skip
    project.write(
        f"part-{number}.md", article(f"Part {number}", f"Text of part {number}.", **front)
    )


def reader(url: str) -> requests.Response:
    """What an anonymous reader's browser gets (redirects followed, as a browser does)."""
    return requests.get(url, timeout=30)


def published(wp) -> dict[str, str]:
    """Public page of every published post, by slug."""
    return {p["slug"]: p["link"] for p in wp.posts(status="publish")}


def series_nav(page: str) -> str:
    start = page.index('<nav class="cms-sync-series"')
    return page[start : page.index("</nav>", start)]


def nav_links(page: str) -> list[str]:
    return [link.replace("&#038;", "&") for link in re.findall(r'href="([^"]+)"', series_nav(page))]


def assert_every_series_link_opens(wp) -> None:
    """Every link in the series navigation of every published post, fetched as a reader."""
    for slug, url in published(wp).items():
        page = reader(url)
        assert page.status_code == 200, f"{slug}: {url} answered {page.status_code}"
        for link in nav_links(page.text):
            answer = reader(link)
            assert answer.status_code == 200, (
                f"{slug} links {link}, which answers {answer.status_code}"
            )


def batches(wp, position: int) -> list[str]:
    return [w for w in wp.writes_since(position) if "batch/v1" in w]


def test_a_draft_part_is_neither_linked_nor_counted(wp, project):
    part(project, 1)
    part(project, 2, "draft")
    part(project, 3)
    publish_json(wp, project)
    pages = published(wp)
    assert set(pages) == {"part-1", "part-3"}
    first = reader(pages["part-1"]).text
    assert "Managers: part 1 of 2" in series_nav(first)
    assert "Part 2" not in series_nav(first)
    assert nav_links(first) == [pages["part-3"]]
    assert "Managers: part 2 of 2" in series_nav(reader(pages["part-3"]).text)
    assert_every_series_link_opens(wp)


def test_a_scheduled_part_says_when_it_comes_without_a_link(wp, project):
    part(project, 1)
    part(project, 2, "future", date=f"{NEXT_YEAR}-03-08 10:00:00")
    publish_json(wp, project)
    [scheduled] = wp.posts(status="future")
    assert scheduled["slug"] == "part-2"
    first = reader(published(wp)["part-1"]).text
    nav = series_nav(first)
    assert "Managers: part 1 of 2" in nav
    assert f"Part 2 <span>(coming on March 8, {NEXT_YEAR})</span>" in nav
    assert nav_links(first) == []
    assert reader(scheduled["link"]).status_code == 404  # why it must not be linked
    assert_every_series_link_opens(wp)


def test_publishing_a_part_relinks_its_neighbour_in_the_same_run_and_batch(wp, project):
    part(project, 1)
    part(project, 2, "draft")
    publish_json(wp, project)
    assert nav_links(reader(published(wp)["part-1"]).text) == []

    part(project, 2)  # status: publish
    position = wp.log_position()
    report = publish_json(wp, project)
    assert kinds(report) == {"part-1": "update", "part-2": "update"}
    assert len(batches(wp, position)) == 1  # part 2 published and part 1 relinked together
    assert len(wp.writes_since(position)) == 1
    pages = published(wp)
    first = reader(pages["part-1"]).text
    assert "Managers: part 1 of 2" in series_nav(first)
    assert nav_links(first) == [pages["part-2"]]  # its permalink, not the draft's ?p=ID
    assert_every_series_link_opens(wp)
    position = wp.log_position()
    assert set(kinds(publish_json(wp, project)).values()) == {"unchanged"}
    assert wp.writes_since(position) == []

    part(project, 2, "draft")  # unpublished again: the link goes in the same batch
    position = wp.log_position()
    assert kinds(publish_json(wp, project)) == {"part-1": "update", "part-2": "update"}
    assert len(wp.writes_since(position)) == len(batches(wp, position)) == 1
    assert nav_links(reader(published(wp)["part-1"]).text) == []
    assert_every_series_link_opens(wp)


# -- the featured image's alt text ------------------------------------------------------------

COVER = REPO / "tests" / "fixtures" / "series" / "articles" / "images" / "cover.png"


def media(wp) -> list[dict]:
    return wp.api("GET", "/wp/v2/media", params={"context": "edit", "per_page": 100})


def test_the_featured_images_alt_text_is_set_changed_in_place_and_not_resent(wp, project):
    project.write("images/cover.png", COVER.read_bytes())
    front = {"featured_image": "images/cover.png"}
    part(project, 1, **front, image_alt='"A shop counter at night"')
    publish_json(wp, project)
    [image] = media(wp)
    assert image["alt_text"] == "A shop counter at night"
    page = reader(published(wp)["part-1"]).text
    assert re.search(r'<img[^>]*alt="A shop counter at night"', page), "the theme shows it"

    part(project, 1, **front, image_alt='"The counter, lit"')
    position = wp.log_position()
    assert kinds(publish_json(wp, project)) == {"part-1": "unchanged"}
    assert wp.writes_since(position) == [f"POST /wp-json/wp/v2/media/{image['id']}"]
    [changed] = media(wp)
    assert (changed["id"], changed["alt_text"]) == (image["id"], "The counter, lit")

    position = wp.log_position()
    publish_json(wp, project)
    assert wp.writes_since(position) == []  # the same alt: no request

    # Without image_alt, the alt the body gives the same image.
    project.write("part-1.md", (project.articles / "part-1.md").read_text().replace(
        'image_alt: "The counter, lit"\n', "").replace(
        "Text of part 1.", "![The counter from the door](images/cover.png)"))  # fmt: skip
    publish_json(wp, project)
    assert [m["alt_text"] for m in media(wp)] == ["The counter from the door"]


# -- the notice as readers see it in the content (no companion plugin) ------------------------


@pytest.mark.browser
def test_the_notice_in_the_content_has_its_own_heading_apart_from_the_series(wp, project, browser):
    part(project, 1, comment_status="open")  # the project's English notice, as a synced pattern
    part(project, 2)
    publish_json(wp, project)
    browser.open(published(wp)["part-1"])
    nav, notice, heading = ".cms-sync-series", "aside.cms-sync-notice", ".cms-sync-notice-title"
    boxes = browser.execute(GEOMETRY, [nav, notice, heading, f"{notice} li"])
    assert all(box and box["shown"] and box["height"] > 0 for box in boxes.values()), boxes
    assert boxes[nav]["bottom"] <= boxes[notice]["top"] <= boxes[heading]["top"], boxes
    assert boxes[heading]["bottom"] <= boxes[f"{notice} li"]["top"], boxes
    assert browser.text(heading) == "Basic information on data protection"
    assert browser.find(heading).tag_name == "h2"
    # Its own landmark, named by its heading, not inside the navigation.
    assert browser.find(notice).get_attribute("aria-label") == browser.text(heading)
    assert browser.execute(f"return document.querySelector('{nav}').contains("
                           f"document.querySelector('{notice}'))") is False  # fmt: skip
    assert browser.execute("return document.querySelectorAll(arguments[0]).length", heading) == 1
    assert_every_series_link_opens(wp)
