"""The notice under the comment form as a reader's Chromium draws it, with the companion plugin.

A small Bengali project (comments open, the notice asking for consent) is published through
the command line with the plugin active; then, in each theme the running WordPress has
(Twenty Twenty-Three and Twenty Twenty-One on 6.1; Twenty Twenty-Three, Twenty Twenty-Five
and Twenty Twenty-One on 7.0.4), the post is opened in the session's headless Chromium:
the notice section stands below the submit button on the rendered page, under its Bengali
heading, the form speaks Bengali, Bengali glyphs are really drawn, and a comment is refused
without consent (by the server: the browser's `required` is taken off first) and stored, with
its time of consent, once the box is ticked. The screenshot of each theme is
tests/artifacts/notice-<version>-<theme>.png. HTTP-level checks of the same plugin are in
test_companion_plugin.py.

Comment flood: WordPress refuses a second comment from the same address within 15 s. Only
the accepted comment is stored, one per test, and each test starts from an emptied site
(deleting the post deletes its comments), so every theme's reader comments anonymously.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from .conftest import REPO
from .test_companion_plugin import CLASSIC_THEME, comments
from .test_companion_plugin import theme as theme  # the fixture that switches the site's theme
from .test_companion_publish import write_bn
from .test_preview_browser import ARTIFACTS
from .test_publish import publish_json

pytestmark = [pytest.mark.wordpress, pytest.mark.browser, pytest.mark.compat]

PAGE = yaml.safe_load((REPO / "templates" / "i18n" / "bn.yaml").read_text("utf-8"))["page"]
NOTICE = "section.cms-sync-comment-notice"
HEADING = f"{NOTICE} > h3"
CONSENT = "#cms-sync-consent"
THEMES = ["twentytwentythree", "twentytwentyfive", CLASSIC_THEME]

# Boxes in page coordinates (scrolled or not), and whether the element is really shown.
GEOMETRY = """
const box = (css) => {
    const element = document.querySelector(css);
    if (!element) return null;
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {top: rect.top + scrollY, bottom: rect.bottom + scrollY, left: rect.left,
            right: rect.right, height: rect.height, width: rect.width,
            shown: style.display !== 'none' && style.visibility === 'visible'};
};
return Object.fromEntries(arguments[0].map((css) => [css, box(css)]));
"""


@pytest.fixture
def post(companion, project) -> dict[str, Any]:
    """The Bengali post with comments open, published through the CLI with the plugin."""
    write_bn(project)
    publish_json(companion, project)
    [published] = companion.posts(status="publish")
    return published


def fill_comment(browser, text: str, *, consent: bool) -> None:
    """Write a comment as an anonymous reader and send it; without ``consent`` the box stays
    unticked and its `required` is removed, so the server, not the browser, has to refuse."""
    browser.find("#comment").send_keys(text)
    browser.find("#author").send_keys("পাঠক")
    browser.find("#email").send_keys("reader@example.org")
    if consent:
        browser.click(CONSENT)
    else:
        browser.execute(f"document.querySelector('{CONSENT}').removeAttribute('required')")
    assert browser.execute(f"return document.querySelector('{CONSENT}').checked") is consent
    browser.click("#submit")


@pytest.mark.usefixtures("theme")
@pytest.mark.parametrize("theme", THEMES, indirect=True)
def test_the_notice_is_drawn_below_the_bengali_form_and_consent_is_required(
    companion, post, browser, request
):
    wp, theme_name = companion, request.getfixturevalue("theme")
    browser.open(post["link"])
    browser.driver.delete_all_cookies()  # a reader, whatever an earlier test left
    browser.open(post["link"])

    # Where the notice is drawn: under the submit button, in the form's column.
    boxes = browser.execute(GEOMETRY, ["#commentform", "#submit", NOTICE, HEADING, f"{NOTICE} li"])
    form, submit, notice, heading, first_item = boxes.values()
    assert all(box and box["shown"] and box["height"] > 0 for box in boxes.values()), boxes
    assert notice["top"] >= submit["bottom"] and notice["top"] >= form["bottom"], boxes
    assert notice["left"] < form["right"] and notice["right"] > form["left"], boxes
    assert notice["top"] <= heading["top"] and heading["bottom"] <= first_item["top"], boxes
    assert browser.execute("return document.querySelectorAll(arguments[0]).length", NOTICE) == 1

    # In Bengali: the notice and its heading, the form's title, submit and consent texts.
    assert browser.find(NOTICE).get_attribute("lang") == "bn"
    assert browser.find("#respond").get_attribute("lang") == "bn"
    assert browser.find(HEADING).text == PAGE["notice_title"]
    assert "দায়বদ্ধ" in browser.find(NOTICE).text
    # (.text is what a reader sees: the hidden "Cancel reply" link in the title is not.)
    assert browser.find("#reply-title").text == PAGE["leave_comment"]
    assert browser.find("#submit").get_attribute("value") == PAGE["submit"]
    assert browser.find(f"label[for='{CONSENT[1:]}']").text == PAGE["consent"]

    # Drawn with a Bengali font, in glyphs of varied widths rather than one box for all.
    fonts = browser.used_fonts(HEADING)
    assert any("Bengali" in f["familyName"] and f["glyphCount"] > 0 for f in fonts), fonts
    *letters, box = browser.glyph_widths("ডেটাসুরক্ষ\ue000", within=NOTICE)
    assert box > 0 and box not in letters and len(set(letters)) > 2, (letters, box)

    browser.execute("document.querySelector('#respond').scrollIntoView()")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(
        ARTIFACTS / f"notice-{wp.state['wp_version']}-{theme_name}.png", full_page=True
    )

    # Without consent: WordPress's error page says so in Bengali, and nothing is stored.
    fill_comment(browser, "সম্মতি ছাড়া মন্তব্য।", consent=False)
    browser.wait_for("document.body && document.body.id === 'error-page'", timeout=30)
    assert browser.url.endswith("/wp-comments-post.php")
    assert PAGE["consent_required"] in browser.find("body").text  # in the post's language
    assert comments(wp, post["id"]) == []

    # With consent: stored (held for moderation), with the time of consent.
    browser.open(post["link"])
    fill_comment(browser, "সম্মতি দিয়ে মন্তব্য।", consent=True)
    browser.wait_for("location.hash.startsWith('#comment-')", timeout=30)  # back on the post
    [stored] = comments(wp, post["id"])
    assert stored["content"]["raw"] == "সম্মতি দিয়ে মন্তব্য।"
    assert stored["author_name"] == "পাঠক" and stored["status"] in ("hold", "approved")
    assert stored["meta"]["cms_sync_consent_at"], stored["meta"]
    assert browser.execute("return location.href").startswith(post["link"])
