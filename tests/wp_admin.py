"""wp-admin as an editor uses it, driven in the session's headless Chromium (tests/browser.py).

A small page object for the co-editing tests: log in, open a post in the block editor
(dismissing the "Welcome to the editor" guide), edit the text of a Classic block, "Convert
to blocks" and edit a paragraph, change the title, save; Quick Edit a title on the Posts
list; trash a post and restore it. Everything is done through the UI with the mouse and
the keyboard; JavaScript is only used to read the editor's state (to wait for it) and to
put the caret at the end of an element, which a click alone does not do reliably.

The two versions the tests run on differ (checked on WordPress 6.1.9 and 7.0.4):

- 6.1 draws the post in the admin page itself; 7.0 in an iframe named "editor-canvas".
- A Classic block edits inline in 6.1 (TinyMCE in the block); in 7.0 its toolbar has an
  "Edit" button that opens a "Classic Editor" dialog (TinyMCE in an iframe) with "Save".
- "Convert to blocks" is in the block toolbar on both; the save button says "Update" on
  6.1 and "Save" on 7.0 (class editor-post-publish-button on both) and is aria-disabled
  until something changed.
- The Posts list hides its row actions until the row is hovered; after "Trash" or
  "Restore" wp-admin rewrites the address (trashed=1 disappears), so the notice at the top
  (#message) is what says the action happened.

Which way an action goes is decided by what the page shows, not by the version number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from .browser import POLL, Browser

LOAD = 30.0  # seconds for a wp-admin page or the editor to load
SAVE = 20.0  # seconds for a save to come back

EDITOR = "wp.data.select('core/editor')"
BLOCKS = "wp.data.select('core/block-editor')"
CANVAS = "iframe[name='editor-canvas']"
GUIDE_CLOSE = ".edit-post-welcome-guide .components-modal__header button"
SAVE_BUTTON = ".editor-post-publish-button"
CLASSIC_DIALOG = ".block-editor-freeform-modal__content"

# The caret at the end of arguments[0], as a click at its end would leave it.
CARET_AT_END = """
const element = arguments[0];
const range = element.ownerDocument.createRange();
range.selectNodeContents(element);
range.collapse(false);
const selection = element.ownerDocument.getSelection();
selection.removeAllRanges();
selection.addRange(range);
"""


def xpath_literal(text: str) -> str:
    """``text`` as an XPath 1.0 string literal (it has no escapes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in parts) + ")"


def containing(text: str, tags: str = "p|h2|h3|h4|li") -> str:
    """XPath (relative) of the innermost text element among ``tags`` that contains ``text``."""
    names = " or ".join(f"self::{tag}" for tag in tags.split("|"))
    return f".//*[({names}) and contains(., {xpath_literal(text)})][last()]"


class WPAdmin:
    """One WordPress site's wp-admin in ``browser``, as the user ``user``."""

    def __init__(self, browser: Browser, url: str, user: str, password: str) -> None:
        self.browser = browser
        self.driver = browser.driver
        self.url = url.rstrip("/")
        self.user = user
        self.password = password

    # -- session -------------------------------------------------------------------------

    def login(self) -> None:
        """Log in through wp-login.php (nothing to do when the session already is)."""
        self.browser.open(f"{self.url}/wp-admin/")
        if "wp-login.php" not in self.browser.url:
            self.browser.find("#wpadminbar", timeout=LOAD)
            return
        self.browser.find("#user_login").send_keys(self.user)
        self.browser.find("#user_pass").send_keys(self.password)
        self.browser.click("#wp-submit")
        self.browser.find("#wpadminbar", timeout=LOAD)

    def logout(self) -> None:
        """Forget the login. Every cookie of the browser goes, whatever its path: WebDriver's
        delete_all_cookies reaches only the open page's, and wp-admin's auth cookie (path
        /wp-admin) left behind makes the next login's block editor saves fail for ever with
        "invalid nonce" (WordPress 6.1)."""
        self.browser.open(f"{self.url}/wp-login.php")
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    # -- the block editor ----------------------------------------------------------------

    def open_post(self, post_id: int) -> None:
        """Open the post in the block editor, wait until it shows its blocks, close the
        welcome guide if it is shown."""
        self.browser.open(f"{self.url}/wp-admin/post.php?post={post_id}&action=edit")
        self.browser.wait_for(
            f"window.wp && wp.data && {EDITOR} && {EDITOR}.getCurrentPostId() === {post_id}"
            f" && {BLOCKS}.getBlockCount() > 0"
            " && document.querySelector('.editor-post-title__input, iframe[name=editor-canvas]')",
            timeout=LOAD,
        )
        # The guide shows unless this user closed it before (a preference WordPress keeps).
        self.browser.wait_for(
            "document.querySelector('.edit-post-welcome-guide')"
            " || wp.data.select('core/preferences').get('core/edit-post', 'welcomeGuide')"
            " === false"
        )
        self.dismiss_guide()
        with self.canvas():
            self.browser.find(".editor-post-title__input", timeout=LOAD)

    def dismiss_guide(self) -> None:
        """Close "Welcome to the (block) editor" when it is open (it stays closed for this
        user afterwards: WordPress remembers it in the user's preferences)."""
        if self.driver.find_elements(By.CSS_SELECTOR, GUIDE_CLOSE):
            self.browser.click(GUIDE_CLOSE)
            self.browser.wait_for("!document.querySelector('.edit-post-welcome-guide')")

    @contextmanager
    def canvas(self) -> Iterator[None]:
        """Inside the post's canvas: the editor-canvas iframe on 7.0, the page itself on 6.1."""
        frames = self.driver.find_elements(By.CSS_SELECTOR, CANVAS)
        if not frames:
            yield
            return
        self.driver.switch_to.frame(frames[0])
        try:
            yield
        finally:
            self.driver.switch_to.default_content()

    def blocks(self) -> list[str]:
        """The names of the post's top-level blocks, in order."""
        names: list[str] = self.browser.execute(f"return {BLOCKS}.getBlocks().map(b => b.name)")
        return names

    def edited_content(self) -> str:
        """The post content the editor would save now."""
        return str(self.browser.execute(f"return {EDITOR}.getEditedPostContent()"))

    def edit_classic_text(self, find: str, append: str) -> None:
        """Type ``append`` at the end of the element holding ``find`` in a Classic block:
        inline on 6.1, through "Edit" and the "Classic Editor" dialog (then Save) on 7.0."""
        with self.canvas():
            block = self._classic_block(find)
            inline = block.find_elements(By.CSS_SELECTOR, ".mce-content-body")
            if inline:
                self._type_at_end(inline[0].find_element(By.XPATH, containing(find)), append)
                return
            block.click()  # selects it, so the block toolbar shows its "Edit" button
        self._toolbar_button("Edit")
        dialog = self.browser.find(CLASSIC_DIALOG)
        self.driver.switch_to.frame(dialog.find_element(By.CSS_SELECTOR, "iframe"))
        try:
            body = self.browser.find("body#tinymce")
            self._wait_until(lambda: find in body.text, f"{find!r} in the Classic Editor dialog")
            self._type_at_end(body.find_element(By.XPATH, containing(find)), append)
        finally:
            self.driver.switch_to.default_content()
        self._click_xpath(
            "//*[contains(@class, 'block-editor-freeform-modal__content')]"
            "//button[normalize-space()='Save']"
        )
        self.browser.wait_for(f"!document.querySelector('{CLASSIC_DIALOG}')")

    def convert_to_blocks(self, find: str) -> None:
        """Select the Classic block holding ``find`` and press "Convert to blocks" in its
        toolbar (the block an editor sees; a marker alone in a Classic block of its own,
        after a synced pattern, shows nothing to click)."""
        count = self.blocks().count("core/freeform")
        with self.canvas():
            block = self._classic_block(find)
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", block)
            block.click()
        self._toolbar_button("Convert to blocks")
        self.browser.wait_for(
            f"{BLOCKS}.getBlocks().filter(b => b.name === 'core/freeform').length < {count}"
        )

    def edit_paragraph(self, find: str, append: str) -> None:
        """Type ``append`` at the end of the paragraph block holding ``find``."""
        with self.canvas():
            paragraph = self.driver.find_element(
                By.XPATH,
                f"//p[@data-type='core/paragraph'][contains(., {xpath_literal(find)})]",
            )
            self._type_at_end(paragraph, append)

    def set_title(self, title: str) -> None:
        """Replace the post title in the editor."""
        with self.canvas():
            field = self.browser.find(".editor-post-title__input")
            field.click()
            self.driver.execute_script(CARET_AT_END, field)
            ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("a").key_up(
                Keys.CONTROL
            ).send_keys(title).perform()
        self.browser.wait_for(f"{EDITOR}.getEditedPostAttribute('title') === {_js_string(title)}")

    def save(self) -> None:
        """Press Update (6.1) or Save (7.0) and wait until WordPress has stored the post."""
        self.browser.wait_for(f"{EDITOR}.isEditedPostDirty()")
        self.browser.wait_for(
            f"document.querySelector('{SAVE_BUTTON}').getAttribute('aria-disabled') !== 'true'"
        )
        self.browser.click(SAVE_BUTTON)
        self.browser.wait_for(
            f"!{EDITOR}.isSavingPost() && !{EDITOR}.isEditedPostDirty()"
            f" && {EDITOR}.didPostSaveRequestSucceed()",
            timeout=SAVE,
        )

    # -- the Posts list (edit.php) --------------------------------------------------------

    def quick_edit_title(self, post_id: int, title: str) -> None:
        """Posts > hover the row > Quick Edit > type the title > Update."""
        self.browser.open(f"{self.url}/wp-admin/edit.php?post_type=post")
        self._row_action(post_id, "button.editinline")
        field = self.browser.find(f"#edit-{post_id} input.ptitle")
        field.clear()
        field.send_keys(title)
        self.browser.click(f"#edit-{post_id} button.save")
        self.browser.wait_for(
            f"!document.querySelector('#edit-{post_id}')"
            f" && document.querySelector('#post-{post_id} .row-title')"
            f" && document.querySelector('#post-{post_id} .row-title').textContent"
            f" === {_js_string(title)}",
            timeout=SAVE,
        )

    def trash(self, post_id: int) -> None:
        """Posts > hover the row > Trash."""
        self.browser.open(f"{self.url}/wp-admin/edit.php?post_type=post")
        self._row_action(post_id, ".row-actions .trash a")
        self._wait_for_notice("moved to the Trash")

    def restore(self, post_id: int) -> None:
        """Posts > Trash > hover the row > Restore (WordPress restores it as a draft)."""
        self.browser.open(f"{self.url}/wp-admin/edit.php?post_status=trash&post_type=post")
        self._row_action(post_id, ".row-actions .untrash a")
        self._wait_for_notice("restored from the Trash")

    # -- helpers -------------------------------------------------------------------------

    def _classic_block(self, find: str) -> WebElement:
        """The Classic block (in the canvas) whose text contains ``find``."""
        xpath = f"//*[@data-type='core/freeform'][contains(., {xpath_literal(find)})]"
        try:
            return self.driver.find_element(By.XPATH, xpath)
        except NoSuchElementException:
            raise AssertionError(f"no Classic block holds {find!r}") from None

    def _type_at_end(self, element: WebElement, text: str) -> None:
        """Click ``element``, put the caret at its end and type ``text``."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        width = element.size["width"]
        # Click near its right edge: the floating block toolbar may cover its left part.
        ActionChains(self.driver).move_to_element_with_offset(
            element, max(width // 2 - 4, 0), 0
        ).click().perform()
        self.driver.execute_script(CARET_AT_END, element)
        ActionChains(self.driver).send_keys(text).perform()
        self._wait_until(lambda: text.strip() in element.text, f"{text!r} typed")

    def _toolbar_button(self, label: str) -> None:
        self._click_xpath(
            "//*[contains(@class, 'block-editor-block-toolbar')]"
            f"//button[normalize-space()={xpath_literal(label)}]"
        )

    def _click_xpath(self, xpath: str) -> None:
        WebDriverWait(self.driver, 5, poll_frequency=POLL).until(
            expected_conditions.element_to_be_clickable((By.XPATH, xpath)),
            f"nothing clickable at {xpath} on {self.browser.url}",
        ).click()

    def _row_action(self, post_id: int, css: str) -> None:
        """Hover the post's row on the Posts list (row actions show on hover), click ``css``."""
        row = self.browser.find(f"#post-{post_id}", timeout=LOAD)
        ActionChains(self.driver).move_to_element(row).perform()
        self.browser.click(f"#post-{post_id} {css}")

    def _wait_for_notice(self, text: str) -> None:
        self.browser.wait_for(
            "document.querySelector('#message')"
            f" && document.querySelector('#message').textContent.includes({_js_string(text)})",
            timeout=LOAD,
        )

    def _wait_until(self, condition: Callable[[], bool], what: str) -> None:
        WebDriverWait(self.driver, 5, poll_frequency=POLL).until(
            lambda _driver: condition(), f"waited 5 s for {what} on {self.browser.url}"
        )


def _js_string(text: str) -> str:
    """``text`` as a JavaScript string literal."""
    return json.dumps(text)
