"""Headless Chromium for the browser tests: selenium driving Debian's chromium-driver.

Why selenium: it is the maintained WebDriver client (waits, element handles, error types,
the DevTools bridge), so the tests carry no protocol code of their own. Why Debian's
binaries: this machine reaches no network but package registries, and when selenium is not
told where chromedriver is, Selenium Manager tries to download one (and a browser), which
fails. So `Browser` names both: Service(chromedriver found on PATH) and the Chromium binary.

`Browser` is one headless Chromium session with a throwaway profile and HOME. Its methods
cover what the tests do (open a URL, wait for an element or a JavaScript condition, run
JavaScript, click, screenshots, the fonts Chromium used); `browser.driver` is the selenium
WebDriver for anything else (typing into wp-admin's editor, cookies, alerts...).
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

# The binaries the browser tests run, found on PATH, and the Debian package of each.
BINARIES = {"chromium": "chromium", "chromedriver": "chromium-driver"}

WAIT = 5.0  # default seconds to wait for an element or a condition
POLL = 0.05  # seconds between two checks while waiting


def missing_binaries() -> list[str]:
    """The browser binaries not found on PATH (empty when the browser tests can run)."""
    return [name for name in BINARIES if shutil.which(name) is None]


class Browser:
    """A headless Chromium driven by selenium through Debian's chromedriver."""

    def __init__(self, *, width: int = 1000, height: int = 1400) -> None:
        missing = missing_binaries()
        if missing:
            raise RuntimeError(f"not found on PATH: {', '.join(missing)}")
        chromium, chromedriver = (shutil.which(name) for name in BINARIES)
        assert chromium and chromedriver
        # One temp dir holds the profile, a HOME (so Chromium's crash reporter and dconf do
        # not write into the real one) and chromedriver's log.
        self._root = Path(tempfile.mkdtemp(prefix="cms-sync-chromium-"))
        home = self._root / "home"
        home.mkdir()
        self.log = self._root / "chromedriver.log"
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={self._root / 'profile'}",
            f"--window-size={width},{height}",
        ):
            options.add_argument(arg)
        service = webdriver.ChromeService(
            executable_path=chromedriver,  # given, so Selenium Manager is never run
            log_output=str(self.log),
            env={
                **os.environ,
                "HOME": str(home),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_CACHE_HOME": str(home / ".cache"),
            },
        )
        try:
            self.driver = webdriver.Chrome(options=options, service=service)
        except Exception as error:
            log = self._log_tail()
            shutil.rmtree(self._root, ignore_errors=True)
            raise RuntimeError(
                f"Chromium did not start: {error}\nchromedriver log:\n{log}"
            ) from error
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)

    # -- pages and elements ------------------------------------------------------------------

    def open(self, url: str) -> None:
        """Open ``url`` and wait until it has loaded."""
        self.driver.get(url)

    @property
    def url(self) -> str:
        return self.driver.current_url

    def find(self, css: str, *, timeout: float = WAIT) -> WebElement:
        """The first element matching ``css``, waiting up to ``timeout`` s for it to appear."""
        found: WebElement = self._wait(timeout).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)),
            f"no element matches {css!r} on {self.url} after {timeout} s",
        )
        return found

    def text(self, css: str, *, timeout: float = WAIT) -> str:
        """The textContent of the first element matching ``css`` (hidden text included)."""
        return str(self.find(css, timeout=timeout).get_property("textContent"))

    def click(self, css: str, *, timeout: float = WAIT) -> None:
        """Click the first element matching ``css`` as a user would, once it is clickable."""
        self._wait(timeout).until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, css)),
            f"nothing clickable matches {css!r} on {self.url} after {timeout} s",
        ).click()

    def execute(self, script: str, *args: Any) -> Any:
        """Run ``script`` as a function body (``arguments[i]`` = args) and return its result."""
        return self.driver.execute_script(script, *args)

    def wait_for(self, expression: str, *, timeout: float = WAIT) -> Any:
        """Poll the JavaScript ``expression`` until it is truthy and return its value, e.g.
        ``browser.wait_for("document.title === 'Done'")``."""
        last = None

        def check(driver: webdriver.Chrome) -> Any:
            nonlocal last
            last = driver.execute_script(f"return ({expression});")
            return last

        try:
            return self._wait(timeout).until(check)
        except TimeoutException:
            raise TimeoutException(
                f"waited {timeout} s for {expression!r} on {self.url}; last value: {last!r}"
            ) from None

    # -- what a reader sees ------------------------------------------------------------------

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        """Save a PNG of the viewport, or with ``full_page`` of the whole document."""
        if full_page:
            size = self.cdp("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            shot = self.cdp("Page.captureScreenshot", captureBeyondViewport=True, clip=clip)
            path.write_bytes(base64.b64decode(shot["data"]))
        else:
            path.write_bytes(self.driver.get_screenshot_as_png())

    def cdp(self, command: str, **params: Any) -> Any:
        """Send a Chrome DevTools Protocol command to the current page; return its result."""
        return self.driver.execute_cdp_cmd(command, params)

    def used_fonts(self, css: str) -> list[dict[str, Any]]:
        """The fonts Chromium really drew the text of the first element matching ``css`` with:
        ``[{"familyName": ..., "postScriptName": ..., "isCustomFont": ..., "glyphCount": ...}]``.
        """
        self.find(css)
        self.cdp("DOM.enable")  # CSS.enable refuses to work before DOM is enabled
        self.cdp("CSS.enable")
        try:
            root = self.cdp("DOM.getDocument", depth=0)["root"]["nodeId"]
            node = self.cdp("DOM.querySelector", nodeId=root, selector=css)["nodeId"]
            used = self.cdp("CSS.getPlatformFontsForNode", nodeId=node)
            fonts: list[dict[str, Any]] = used["fonts"]
            return fonts
        finally:
            self.cdp("CSS.disable")

    def glyph_widths(self, text: str, *, within: str = "body") -> list[float]:
        """The drawn width in CSS pixels of each character (code point) of ``text``, each in
        its own span inside the first element matching ``within`` (so with its font and lang).

        Each span is its own shaping run, so a vowel sign is measured alone instead of joining
        its neighbour. Characters no installed font covers all render as the same .notdef box
        ("tofu"), e.g. the private-use U+E000; real glyphs of a script have varied widths.
        """
        self.find(within)
        widths = self.execute(
            """
            const [chars, within] = arguments;
            const box = document.createElement("div");
            box.style.cssText = "position:absolute;left:0;top:0;visibility:hidden;white-space:pre";
            document.querySelector(within).appendChild(box);
            try {
                return chars.map((c) => {
                    const span = document.createElement("span");
                    span.style.display = "inline-block";  // a shaping run of its own
                    span.textContent = c;
                    box.appendChild(span);
                    return span.getBoundingClientRect().width;
                });
            } finally {
                box.remove();
            }
            """,
            list(text),
            within,
        )
        return [float(width) for width in widths]

    # -- lifetime ----------------------------------------------------------------------------

    def quit(self) -> None:
        """End the session, stop chromedriver and Chromium, remove the profile; fail if a
        Chromium process of this session outlives it (it would pile up run after run)."""
        try:
            self.driver.quit()
            survivors = self._processes()
            deadline = time.monotonic() + 5
            while survivors and time.monotonic() < deadline:
                time.sleep(POLL)
                survivors = self._processes()
            if survivors:
                raise RuntimeError(f"Chromium processes outlived the session: {survivors}")
        finally:
            shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.quit()

    def _wait(self, timeout: float) -> WebDriverWait[webdriver.Chrome]:
        return WebDriverWait(self.driver, timeout, poll_frequency=POLL)

    def _processes(self) -> list[int]:
        """The processes whose command line names this session's temp dir."""
        marker = str(self._root).encode()
        found = []
        for entry in os.scandir("/proc"):
            try:
                if entry.name.isdigit() and marker in Path(entry.path, "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile
                pass
        return found

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"
