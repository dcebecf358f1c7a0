"""The series navigation as readers will see it, decided from the files (render, preview).

Only parts readers can open are linked; a scheduled part says when it comes, unlinked;
drafts, pending and private parts are neither listed nor counted. The real-WordPress side
(the site's own state, one run updating the neighbours) is tests/test_series_publish.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cms_sync.build import content_id, featured_alt, local_links, local_name, render_post
from cms_sync.config import load_config
from cms_sync.desired import DesiredItems
from cms_sync.notice import from_html
from cms_sync.pages import build_pages
from cms_sync.project import load_project
from cms_sync.render import Renderer
from cms_sync.series import from_status, long_date
from cms_sync.snapshot import Snapshot, User

from .conftest import Project
from .fake_wordpress import FakeWordPress
from .publishing import kinds, managed, run

SERIES = "{name: Managers, part: %d}"
NEXT_YEAR = dt.date.today().year + 1


def part(project: Project, number: int, **front: str) -> Path:
    lines = [f"title: Part {number}", f"slug: part-{number}", "comment_status: closed",
             f"series: {SERIES % number}"] + [f"{k}: {v}" for k, v in front.items()]  # fmt: skip
    return project.write(f"part-{number}.md", "---\n" + "\n".join(lines) + "\n---\nText.\n")


def nav_of(project: Project, number: int) -> str:
    """The series navigation in the post HTML of part ``number`` as `render` makes it."""
    loaded, findings = load_project(load_config(project.config))
    assert not [f for f in findings if f.severity == "error"], findings
    article = next(a for a in loaded.articles if a.slug == f"part-{number}")
    renderer = Renderer(loaded.config.templates_dir)
    html, _ = render_post(loaded, renderer, article, local_links(loaded), str)
    return html[html.index("<nav") : html.index("</nav>") + len("</nav>")]


def links(nav: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', nav)


def test_a_draft_part_is_neither_linked_nor_counted(project):
    part(project, 1, status="publish")
    part(project, 2, status="draft")
    part(project, 3, status="publish")
    first = nav_of(project, 1)
    assert "Managers: part 1 of 2" in first
    assert links(first) == ["part-3.html"]
    assert "Part 2" not in first
    third = nav_of(project, 3)
    assert "Managers: part 2 of 2" in third  # its place among what readers can open
    assert links(third) == ["part-1.html"]


@pytest.mark.parametrize("status", ["pending", "private"])
def test_pending_and_private_parts_are_left_out(project, status):
    part(project, 1, status="publish")
    part(project, 2, status=status)
    nav = nav_of(project, 1)
    assert "part 1 of 1" in nav and "Part 2" not in nav and links(nav) == []


def test_default_status_decides_a_part_without_status(project):
    """The fixture's cms-sync.toml says default_status = "draft"."""
    part(project, 1, status="publish")
    part(project, 2)
    assert "part 1 of 1" in nav_of(project, 1)


@pytest.mark.parametrize("status", ["future", "publish"])
def test_a_scheduled_part_says_when_it_comes_without_a_link(project, status):
    part(project, 1, status="publish")
    part(project, 2, status=status, date=f"{NEXT_YEAR}-03-08 10:00:00")
    nav = nav_of(project, 1)
    assert "Managers: part 1 of 2" in nav  # a coming part is listed, so it counts
    assert (
        f'<li class="cms-sync-series-coming">Part 2 <span>(coming on March 8, {NEXT_YEAR})' in nav
    )
    assert links(nav) == []


def test_a_part_whose_date_has_passed_is_linked(project):
    part(project, 1, status="publish")
    part(project, 2, status="future", date="2024-03-08 10:00:00")
    assert links(nav_of(project, 1)) == ["part-2.html"]


def test_the_coming_date_is_in_bengali_words_and_digits(project):
    project.write("notice.bn.md", (project.articles / "notice.en.md").read_text().replace(
        "lang: en", "lang: bn"))  # fmt: skip
    part(project, 1, status="publish", lang="bn")
    part(project, 2, status="future", lang="bn", date=f"{NEXT_YEAR}-03-08")
    nav = nav_of(project, 1)
    year = str(NEXT_YEAR).translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert "Managers: পর্ব ১/২" in nav
    assert f"Part 2 <span>(৮ মার্চ {year} তারিখে আসছে)</span>" in nav


def test_spanish_dates_and_the_iso_fallback():
    date = dt.datetime(2027, 1, 5)
    renderer = Renderer(Path(__file__).resolve().parent.parent / "templates")
    assert long_date(date, renderer.labels("es")) == "5 de enero de 2027"
    assert long_date(date, {"digits": "0123456789"}) == "2027-01-05"


def test_a_drafts_own_page_shows_where_it_will_stand(project):
    part(project, 1, status="publish")
    part(project, 2, status="draft")
    nav = nav_of(project, 2)
    assert "part 2 of 2" in nav
    assert '<li aria-current="page"><strong>Part 2</strong></li>' in nav
    assert links(nav) == ["part-1.html"]


def test_the_date_is_compared_in_site_time():
    """A naive date is site time: at 09:00 UTC on a site two hours ahead (11:00 there), a
    part dated 10:00 is live and one dated 12:00 is still to come."""
    site = dt.timezone(dt.timedelta(hours=2))
    now = dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC).astimezone(site)
    assert from_status("publish", dt.datetime(2030, 1, 1, 10), now).state == "open"
    coming = from_status("publish", dt.datetime(2030, 1, 1, 12), now)
    assert coming.state == "coming" and coming.date == dt.datetime(2030, 1, 1, 12)
    aware = dt.datetime(2030, 1, 1, 9, 30, tzinfo=dt.UTC)  # date_gmt: compared as it is
    assert from_status("future", aware, now).state == "coming"
    assert from_status("draft", None, now).state == "hidden"


def test_the_preview_shows_the_navigation_readers_will_see(project):
    part(project, 1, status="publish")
    part(project, 2, status="draft")
    part(project, 3, status="future", date=f"{NEXT_YEAR}-03-08")
    loaded, findings = load_project(load_config(project.config))
    pages = build_pages(loaded, findings)
    page = pages.html[local_name(loaded.articles[0])]
    shown = page[page.index('<nav class="cms-sync-series"') : page.index("</nav>") + 6]
    assert shown == nav_of(project, 1)
    assert "part 1 of 2" in shown and links(shown) == []
    assert "part-2.html" in pages.html["index.html"]  # the editor still finds the draft


# -- where the site knows better (fake WordPress) ---------------------------------------------


def series_links(site: FakeWordPress, slug: str) -> list[str]:
    content = managed(site)[slug].content
    return links(content[content.index("<nav") : content.index("</nav>")])


def test_a_part_an_editor_published_in_wp_admin_is_linked_until_force_unpublishes_it(project):
    """The file says draft, an editor published the post: the run leaves part 2 alone (a
    conflict) and readers can open it, so part 1 links it; --force makes it a draft again
    and unlinks it in the same run."""
    site = FakeWordPress()
    part(project, 1, status="publish")
    part(project, 2, status="draft")
    run(project, site)
    second = managed(site)["part-2"]
    site.api("POST", f"/wp/v2/posts/{second.id}", json={"status": "publish"})
    report = run(project, site)
    assert kinds(report) == {"part-1": "update", "part-2": "conflict"}
    assert series_links(site, "part-1") == [f"{site.url}/part-2/"]
    report = run(project, site, force=True)
    assert kinds(report) == {"part-1": "update", "part-2": "update"}
    assert managed(site)["part-2"].status == "draft"
    assert series_links(site, "part-1") == []


def test_a_part_an_editor_unpublished_is_unlinked(project):
    site = FakeWordPress()
    part(project, 1, status="publish")
    part(project, 2, status="publish")
    run(project, site)
    assert series_links(site, "part-1") == [f"{site.url}/part-2/"]
    second = managed(site)["part-2"]
    site.api("POST", f"/wp/v2/posts/{second.id}", json={"status": "draft"})
    assert kinds(run(project, site)) == {"part-1": "update", "part-2": "conflict"}
    assert series_links(site, "part-1") == []


def test_a_part_outside_an_only_run_counts_as_the_site_has_it(project):
    """`publish --only part-1.md` writes part 1 alone: part 2, published in the file but not
    on the site yet, is not linked (it would answer 404 until its own run)."""
    site = FakeWordPress()
    one = part(project, 1, status="publish")
    part(project, 2, status="publish")
    run(project, site, only=[one])
    assert set(managed(site)) == {"part-1"}
    assert series_links(site, "part-1") == []


# -- the notice's own heading -----------------------------------------------------------------


def test_the_notice_has_its_heading_unless_the_companion_plugin_gives_one(project):
    part(project, 1, status="publish", comment_status="open")
    loaded, _ = load_project(load_config(project.config))
    renderer = Renderer(loaded.config.templates_dir)
    notice, labels = loaded.notices["en"], renderer.labels("en")
    shown = renderer.notice_html(notice)
    assert shown.startswith(
        '<aside class="cms-sync-notice" lang="en" aria-label="Basic information on data '
        'protection">\n<h2 class="cms-sync-notice-title">Basic information on data protection</h2>'
    )
    bare = renderer.notice_html(notice, heading=False)
    assert bare.startswith('<aside class="cms-sync-notice" lang="en">\n<ol')
    assert from_html(shown, labels) == from_html(bare, labels)  # pull reads both alike

    def pattern(companion: bool) -> str:
        snapshot = Snapshot.empty("http://site", User("admin", {}), companion)
        [found] = DesiredItems(loaded, loaded.articles, True).patterns(snapshot)
        return str(found.fields["content"])

    assert "cms-sync-notice-title" in pattern(companion=False)  # shown in the content
    assert "cms-sync-notice-title" not in pattern(companion=True)  # under the plugin's heading


# -- the featured image's alt text, as the preview shows it and publish sets it ---------------


@pytest.mark.parametrize(
    ("front", "body", "alt"),
    [
        ({"image_alt": '"At night"'}, "![Other words](images/cover.png)", "At night"),
        ({}, "![The counter from the door](images/cover.png)", "The counter from the door"),
        ({}, "![Another picture](images/other.png)", None),
        ({"image_alt": '""'}, "Text.", ""),
    ],
)  # fmt: skip
def test_the_featured_images_alt_comes_from_image_alt_else_the_body(project, front, body, alt):
    png = Path(__file__).parent / "fixtures" / "series" / "articles" / "images" / "cover.png"
    project.write("images/cover.png", png.read_bytes())
    project.write("images/other.png", png.read_bytes() + b"\0")
    lines = [
        "title: One",
        "slug: one",
        "status: publish",
        "comment_status: closed",
        "featured_image: images/cover.png",
        *(f"{k}: {v}" for k, v in front.items()),
    ]
    project.write("one.md", "---\n" + "\n".join(lines) + "\n---\n" + body + "\n")
    loaded, findings = load_project(load_config(project.config))
    assert not findings
    [article] = loaded.articles
    assert featured_alt(article) == alt
    wanted = DesiredItems(loaded, loaded.articles, True).image_alts()
    assert wanted == ({} if alt is None else {content_id(article.featured_image): alt})
    page = build_pages(loaded).html["one.html"]
    assert '<figure class="post-thumbnail"><img src="media/' in page
    shown = re.search(r'<figure class="post-thumbnail"><img [^>]*alt="([^"]*)"', page)
    assert shown is not None and shown[1] == (alt or "")


def test_image_alt_without_a_featured_image_is_a_warning(project):
    project.write(
        "one.md", "---\ntitle: One\ncomment_status: closed\nimage_alt: A cat\n---\nText.\n"
    )
    _, findings = load_project(load_config(project.config))
    assert [f.format() for f in findings] == [
        f"{project.articles / 'one.md'}:4: warning: image_alt is the featured image's alt text, "
        "but there is no featured_image; add one or remove image_alt"
    ]


def test_check_warns_of_a_body_link_from_a_published_part_to_one_readers_cannot_open(project):
    body = "See [part 2](part-2.md) and [part 3](part-3.md)."
    project.write("part-1.md", (
        "---\ntitle: Part 1\nslug: part-1\nstatus: publish\ncomment_status: closed\n"
        f"series: {SERIES % 1}\n---\nIntro.\n\n{body}\n"))  # fmt: skip
    part(project, 2, status="draft")
    part(project, 3, status="future", date=f"{NEXT_YEAR}-03-08")
    _, findings = load_project(load_config(project.config))
    where = project.articles / "part-1.md"
    closed = [("part-2.md", "status draft"), ("part-3.md", f"scheduled for {NEXT_YEAR}-03-08")]
    assert [f.format() for f in findings] == [
        f"{where}:10: warning: link to {name}, which readers cannot open ({what}): they get "
        "'not found' there until it is published; publish it first or link it later"
        for name, what in closed
    ]
    part(project, 2, status="publish")
    part(project, 3, status="publish")
    assert load_project(load_config(project.config))[1] == []
