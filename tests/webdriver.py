"""A tiny W3C WebDriver client for the browser tests, over plain `requests`.

Why not selenium: W3C WebDriver is just JSON over HTTP, and the handful of commands the
tests need (open a page, run a script, click, take a screenshot, ask Chromium's DevTools
which fonts it used) fit in one small file. So the project gains no dependency, and the
browser tests run on what Debian ships: /usr/bin/chromedriver and /usr/bin/chromium.

`Browser` starts its own chromedriver on 127.0.0.1 (chromedriver picks a free port), opens
one headless Chromium session with a throwaway profile, and on `quit()` ends exactly the
processes it started and removes the profile. Every WebDriver error becomes an
AssertionError carrying chromedriver's message, so a failing step reads like a failing test.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import requests

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

# The key under which WebDriver returns a reference to a DOM element.
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"

STARTUP_TIMEOUT = 30.0  # chromedriver listening + Chromium session created
COMMAND_TIMEOUT = 60.0  # any single HTTP call to chromedriver (page loads are capped at 30 s)
EXIT_TIMEOUT = 10.0  # Chromium / chromedriver shutting down


def missing_binaries(chromium: str = CHROMIUM, chromedriver: str = CHROMEDRIVER) -> list[str]:
    """The browser binaries that are not installed (empty when the browser tests can run)."""
    return [path for path in (chromium, chromedriver) if not os.access(path, os.X_OK)]


class Browser:
    """A headless Chromium driven through chromedriver on 127.0.0.1 (started and stopped by us)."""

    def __init__(
        self,
        *,
        width: int = 1200,
        height: int = 2000,
        chromium: str = CHROMIUM,
        chromedriver: str = CHROMEDRIVER,
    ) -> None:
        missing = missing_binaries(chromium, chromedriver)
        if missing:
            raise AssertionError(f"not installed: {', '.join(missing)}")
        self._session_id: str | None = None
        self._closed = False
        # One temp dir holds everything: the profile, a HOME (so Chromium's crash reporter
        # and dconf do not write into the real one) and chromedriver's output.
        self._root = Path(tempfile.mkdtemp(prefix="cms-sync-chromium-"))
        home = self._root / "home"
        home.mkdir()
        self._log_path = self._root / "chromedriver.log"
        self._log: IO[bytes] = self._log_path.open("wb")
        self._http = requests.Session()
        self._http.trust_env = False  # never send 127.0.0.1 traffic through a proxy
        # --port=0: chromedriver binds a free port itself (no race) and only on loopback.
        # Do NOT pass --allowed-ips: any value, even empty, makes it listen on all interfaces.
        try:
            self._driver = subprocess.Popen(
                [chromedriver, "--port=0"],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env={
                    **os.environ,
                    "HOME": str(home),
                    "XDG_CONFIG_HOME": str(home / ".config"),
                    "XDG_CACHE_HOME": str(home / ".cache"),
                },
            )
        except OSError:
            self._log.close()
            shutil.rmtree(self._root, ignore_errors=True)
            raise
        self._driver_start = _start_time(self._driver.pid)
        try:
            self._base = f"http://127.0.0.1:{self._wait_for_port()}"
            self._wait_until_ready()
            args = [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                f"--user-data-dir={self._root / 'profile'}",
                f"--window-size={width},{height}",
            ]
            capabilities = {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args},
                "timeouts": {"pageLoad": 30_000, "script": 30_000, "implicit": 0},
            }
            value = self._call(
                "POST",
                "/session",
                {"capabilities": {"alwaysMatch": capabilities}},
                timeout=STARTUP_TIMEOUT,
            )
            self._session_id = value["sessionId"]
        except BaseException as error:
            log = self._log_tail()
            try:
                self.quit()
            finally:
                if isinstance(error, AssertionError | requests.RequestException):
                    raise AssertionError(f"{error}\nchromedriver log:\n{log}") from error
            raise

    # -- WebDriver commands ------------------------------------------------------------------

    def get(self, url: str) -> None:
        """Open ``url`` and wait until it has loaded."""
        self._command("POST", "/url", {"url": url})

    def execute(self, script: str, *args: Any) -> Any:
        """Run ``script`` as the body of a function (``arguments[i]`` = args) and return its
        result; DOM elements come back as WebDriver element references."""
        return self._command("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find_text(self, css: str) -> str:
        """The textContent of the first element matching ``css``."""
        text = self.execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            css,
        )
        if text is None:
            raise AssertionError(f"no element matches {css!r} on {self.current_url()}")
        assert isinstance(text, str)
        return text

    def click(self, css: str) -> None:
        """Click the first element matching ``css`` like a user would (scrolls it into view)."""
        found = self._command("POST", "/element", {"using": "css selector", "value": css})
        self._command("POST", f"/element/{found[ELEMENT_KEY]}/click", {})

    def current_url(self) -> str:
        url = self._command("GET", "/url")
        assert isinstance(url, str)
        return url

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        """Save a PNG of the viewport, or with ``full_page`` of the whole document."""
        if full_page:
            size = self.cdp("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            params = {"format": "png", "captureBeyondViewport": True, "clip": clip}
            data = self.cdp("Page.captureScreenshot", params)["data"]
        else:
            data = self._command("GET", "/screenshot")
        path.write_bytes(base64.b64decode(data))

    def cdp(self, command: str, params: dict[str, Any] | None = None) -> Any:
        """Send a Chrome DevTools Protocol command to the current page and return its result."""
        return self._command("POST", "/goog/cdp/execute", {"cmd": command, "params": params or {}})

    def platform_fonts(self, css: str) -> list[dict[str, Any]]:
        """The fonts Chromium actually used for the text of the first element matching ``css``:
        ``[{"familyName": ..., "postScriptName": ..., "isCustomFont": ..., "glyphCount": ...}]``.
        """
        self.cdp("DOM.enable")  # CSS.enable refuses to work before DOM is enabled
        self.cdp("CSS.enable")
        try:
            root = self.cdp("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
            node = self.cdp("DOM.querySelector", {"nodeId": root, "selector": css})["nodeId"]
            if not node:
                raise AssertionError(f"no element matches {css!r} on {self.current_url()}")
            used = self.cdp("CSS.getPlatformFontsForNode", {"nodeId": node})
            fonts: list[dict[str, Any]] = used["fonts"]
            return fonts
        finally:
            self.cdp("CSS.disable")

    def wait_for(self, script: str, timeout: float = 5.0, interval: float = 0.05) -> Any:
        """Poll ``script`` until it gives a truthy value and return that value.

        ``script`` is either a function body with ``return`` (as for `execute`) or a plain
        expression such as ``document.title === 'Done'``. Raises AssertionError with the last
        value seen when ``timeout`` seconds pass first.
        """
        if not re.search(r"\breturn\b", script):
            script = f"return ({script});"
        deadline = time.monotonic() + timeout
        while True:
            value = self.execute(script)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"timed out after {timeout} s waiting for {script!r}; last value: {value!r}"
                )
            time.sleep(interval)

    # -- lifetime ----------------------------------------------------------------------------

    def quit(self) -> None:
        """End the session, stop our chromedriver, check that none of our Chromium processes
        survive (killing stragglers), and remove the profile. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        ours = self._our_processes()
        leftovers: dict[int, int] = {}
        try:
            if self._session_id is not None:
                # If this fails, chromedriver is going away anyway and leftovers get killed below.
                with contextlib.suppress(AssertionError, requests.RequestException):
                    self._call("DELETE", f"/session/{self._session_id}", timeout=EXIT_TIMEOUT)
                self._session_id = None
                _wait_gone({p: s for p, s in ours.items() if p != self._driver.pid}, EXIT_TIMEOUT)
            self._driver.terminate()
            try:
                self._driver.wait(EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._driver.kill()
                self._driver.wait(EXIT_TIMEOUT)
            leftovers = _alive(ours)
            for pid in leftovers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            _wait_gone(leftovers, EXIT_TIMEOUT)
        finally:
            self._http.close()
            self._log.close()
            shutil.rmtree(self._root, ignore_errors=True)
        if leftovers:
            raise AssertionError(f"Chromium processes survived the session (killed): {leftovers}")

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.quit()

    # -- internals ---------------------------------------------------------------------------

    def _command(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if self._session_id is None:
            raise AssertionError("the browser session is closed")
        return self._call(method, f"/session/{self._session_id}{path}", body)

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: float = COMMAND_TIMEOUT,
    ) -> Any:
        response = self._http.request(method, self._base + path, json=body, timeout=timeout)
        try:
            value = response.json()["value"]
        except (ValueError, KeyError, TypeError):
            raise AssertionError(
                f"{method} {path}: HTTP {response.status_code}: {response.text[:500]}"
            ) from None
        if response.status_code >= 400 or (isinstance(value, dict) and "error" in value):
            error = value.get("error", "?") if isinstance(value, dict) else "?"
            message = value.get("message", value) if isinstance(value, dict) else value
            raise AssertionError(f"WebDriver {method} {path}: {error}: {message}")
        return value

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            found = re.search(rb"started successfully on port (\d+)", self._log_path.read_bytes())
            if found:
                return int(found.group(1))
            if self._driver.poll() is not None:
                raise AssertionError(f"chromedriver exited with status {self._driver.returncode}")
            time.sleep(0.01)
        raise AssertionError("chromedriver did not report its port")

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                if self._call("GET", "/status", timeout=2.0).get("ready"):
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() >= deadline:
                raise AssertionError("chromedriver never became ready")
            time.sleep(0.01)

    def _log_tail(self) -> str:
        try:
            return self._log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def _our_processes(self) -> dict[int, int]:
        """pid -> start time of chromedriver and everything it spawned, plus any process
        naming our temp dir (the crash handler Chromium double-forks away from its tree)."""
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None:
                    parents[int(entry.name)] = int(stat[1])
        marker = str(self._root).encode()
        ours: set[int] = set()
        if self._driver_start is not None and _start_time(self._driver.pid) == self._driver_start:
            ours.add(self._driver.pid)
        for pid in parents:
            try:
                if marker in Path(f"/proc/{pid}/cmdline").read_bytes():
                    ours.add(pid)
            except OSError:
                pass
        grew = True
        while grew:  # add descendants until nothing new turns up
            children = {pid for pid, parent in parents.items() if parent in ours} - ours
            grew = bool(children)
            ours |= children
        started = {pid: _start_time(pid) for pid in ours}
        return {pid: start for pid, start in started.items() if start is not None}


def glyph_widths(browser: Browser, text: str, *, within: str = "body") -> list[float]:
    """The rendered width in CSS pixels of each character (code point) of ``text``, each in
    its own span inside the first element matching ``within`` (so with its font and lang).

    Each span is its own shaping run, so a vowel sign or virama is measured alone (drawn on
    a dotted circle) instead of joining the previous character. Characters no installed font
    covers all render as the same .notdef box ("tofu"), e.g. the private-use U+E000; real
    glyphs of a script have varied widths, different from the box.
    """
    widths = browser.execute(
        """
        const [chars, within] = arguments;
        const host = document.querySelector(within);
        if (!host) throw new Error("no element matches " + within);
        const box = document.createElement("div");
        box.style.cssText = "position:absolute;left:0;top:0;visibility:hidden;white-space:pre";
        host.appendChild(box);
        try {
            return chars.map((c) => {
                // inline-block: a separate shaping run, so a mark does not join its neighbour
                const span = document.createElement("span");
                span.style.display = "inline-block";
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


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: [state, ppid, ...]; None when the
    process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def _start_time(pid: int) -> int | None:
    """The process's start time (clock ticks since boot): with the pid, identifies it even if
    pids get reused. None for a process that is gone or a zombie."""
    stat = _stat(pid)
    if stat is None or stat[0] in ("Z", "X"):
        return None
    return int(stat[19])


def _alive(processes: dict[int, int]) -> dict[int, int]:
    return {pid: start for pid, start in processes.items() if _start_time(pid) == start}


def _wait_gone(processes: dict[int, int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(processes) and time.monotonic() < deadline:
        time.sleep(0.02)
