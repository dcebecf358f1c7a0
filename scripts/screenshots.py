#!/usr/bin/env python3
"""make screenshots: the README's pictures, taken from the real pages so they stay true.

Starts the throwaway WordPress (scripts/wordpress_harness, Debian's 6.1) with the companion
plugin active, as `make demo` does, publishes a copy of this repository's series to it, and
takes with the headless Chromium of the browser tests (tests/browser.py):

- live-article.png: the top of part 1's live page;
- live-series-comments.png: its series navigation, comment form and notice;
- preview.png: part 1 in `cms-sync preview` (src/cms_sync/preview.py);
- conflict.png: `cms-sync plan` after an editor changed a sentence on the site, its real
  output drawn as a terminal would (white on black, monospace).

The PNGs go to docs/images/. Everything the script starts (MariaDB, PHP, the preview
server, Chromium) is stopped at the end, also on failure. The work folder is .screenshots/.
Run it with the project's venv: .venv/bin/python scripts/screenshots.py [--port N]
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "scripts")]

import wordpress_harness as harness  # noqa: E402  (scripts/ is not installed)
from tests.browser import Browser  # noqa: E402

from cms_sync.preview import PreviewServer  # noqa: E402

WORK = REPO / ".screenshots"
IMAGES = REPO / "docs" / "images"
WIDTH = 1000  # CSS pixels: wide enough for the theme's layout, narrow enough for the README
PART_1 = "ecommerce-manager-professional-competencies"
# The editor's change on the site that makes the conflict: one phrase of the first paragraph.
SITE_EDIT = ("খুব বেশি পরিচিত নয়", "এখনও কম পরিচিত")
# A fixed port keeps the URLs in the terminal picture the same from one run to the next.
DEFAULT_PORT = 8097

TERMINAL_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>cms-sync plan</title><style>
body {{ margin: 0; background: #fff; }}
pre {{ display: inline-block; margin: 0; padding: 16px 20px; background: #1e1e1e;
       color: #e6e6e6; font: 14px/1.45 "DejaVu Sans Mono", monospace; border-radius: 6px; }}
.prompt {{ color: #8ae234; }}
</style></head><body><pre>{text}</pre></body></html>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="the WordPress port")
    args = parser.parse_args(argv)
    missing = harness.missing_requirements()
    if missing:
        print(f"screenshots: missing {', '.join(missing)}; run make check-debian", file=sys.stderr)
        return 1
    site_dir, project = WORK / "wp", WORK / "project"
    if (site_dir / "state.json").exists():  # left over by an interrupted run
        harness.stop(site_dir)
    shutil.rmtree(WORK, ignore_errors=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    copy_series(project)
    print(f"Starting a throwaway WordPress on port {args.port} with the companion plugin ...")
    state = harness.start(site_dir, args.port, plugins=[REPO / "wordpress-plugin"], activate=True)
    try:
        env = {**os.environ, **site_env(state)}
        cms_sync(project, env, "publish")
        with Browser(width=WIDTH, height=800) as browser:
            browser.cdp("Emulation.setScrollbarsHidden", hidden=True)
            shoot_live_page(browser, f"{state['url']}/{PART_1}/")
            with PreviewServer(project / "cms-sync.toml") as server:
                shoot_preview(browser, f"{server.url}{PART_1}.html")
            edit_on_the_site(state)
            output = cms_sync(project, env, "plan", expect=3)
            shoot_terminal(browser, "cms-sync plan", output)
    finally:
        for name, outcome in harness.stop(site_dir).items():
            print(f"stopped {name}: {outcome}")
    for image in sorted(IMAGES.glob("*.png")):
        print(f"{image.relative_to(REPO)}: {image.stat().st_size // 1024} KB")
    return 0


def copy_series(project: Path) -> None:
    """This repository's articles, templates and config, so publishing writes nothing here."""
    project.mkdir(parents=True)
    for name in ("articles", "templates"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "cms-sync.toml", project)


def site_env(state: dict[str, Any]) -> dict[str, str]:
    return {
        "CMS_SYNC_URL": state["url"],
        "CMS_SYNC_USER": state["admin"]["user"],
        "CMS_SYNC_APP_PASSWORD": state["admin"]["app_password"],
        "CI": "true",  # never prompt
    }


def cms_sync(project: Path, env: dict[str, str], *args: str, expect: int = 0) -> str:
    """Run cms-sync in the project as a user would; its stdout and stderr as one text, in
    the order they were written (as a terminal shows them)."""
    command = [sys.executable, "-m", "cms_sync", *args]
    done = subprocess.run(
        command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    if done.returncode != expect:
        raise RuntimeError(f"cms-sync {' '.join(args)} exited {done.returncode}:\n{done.stdout}")
    return done.stdout


def edit_on_the_site(state: dict[str, Any]) -> None:
    """An editor changes a phrase of part 1 on the site, through the REST API as wp-admin's
    editor does, after the last publish."""
    session = requests.Session()
    session.auth = (state["admin"]["user"], state["admin"]["app_password"])
    api = f"{state['url']}/wp-json/wp/v2/posts"
    [post] = session.get(api, params={"slug": PART_1, "context": "edit"}, timeout=30).json()
    raw = post["content"]["raw"]
    if SITE_EDIT[0] not in raw:
        raise RuntimeError(f"part 1 no longer contains {SITE_EDIT[0]!r}; update SITE_EDIT")
    answer = session.post(
        f"{api}/{post['id']}", json={"content": raw.replace(*SITE_EDIT, 1)}, timeout=30
    )
    answer.raise_for_status()


def shoot_live_page(browser: Browser, url: str) -> None:
    browser.open(url)
    wait_for_fonts(browser)
    browser.screenshot(IMAGES / "live-article.png")
    shoot_region(
        browser, ".cms-sync-series", ".cms-sync-comment-notice", IMAGES / "live-series-comments.png"
    )


def shoot_preview(browser: Browser, url: str) -> None:
    browser.open(url)
    wait_for_fonts(browser)
    browser.screenshot(IMAGES / "preview.png")


def shoot_terminal(browser: Browser, command: str, output: str) -> None:
    """``output`` drawn as a terminal would show it after ``$ command``."""
    page = WORK / "terminal.html"
    text = f'<span class="prompt">$</span> {html.escape(command)}\n{html.escape(output)}'
    page.write_text(TERMINAL_PAGE.format(text=text.rstrip("\n")), "utf-8")
    browser.open(page.as_uri())
    wait_for_fonts(browser)
    shoot_region(browser, "pre", "pre", IMAGES / "conflict.png", margin=0)


def wait_for_fonts(browser: Browser) -> None:
    browser.execute("return document.fonts.ready.then(() => true);")
    browser.wait_for("document.readyState === 'complete'")


def shoot_region(browser: Browser, first: str, last: str, path: Path, margin: int = 24) -> None:
    """A PNG of the page from the top of ``first`` to the bottom of ``last`` (CSS
    selectors), the page's full width for a page region, the element's for one element."""
    box = browser.execute(
        """
        const [first, last] = [...arguments].map((css) => document.querySelector(css));
        const top = first.getBoundingClientRect(), bottom = last.getBoundingClientRect();
        const whole = first !== last;
        return {x: whole ? 0 : top.left + scrollX, y: top.top + scrollY,
                width: whole ? document.documentElement.clientWidth : top.width,
                height: bottom.bottom - top.top};
        """,
        first,
        last,
    )
    clip = {
        "x": max(box["x"] - (0 if box["x"] == 0 else margin), 0),
        "y": max(box["y"] - margin, 0),
        "width": box["width"] + (0 if box["x"] == 0 else 2 * margin),
        "height": box["height"] + 2 * margin,
        "scale": 1,
    }
    shot = browser.cdp("Page.captureScreenshot", captureBeyondViewport=True, clip=clip)
    path.write_bytes(base64.b64decode(shot["data"]))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, requests.RequestException, json.JSONDecodeError) as error:
        print(f"screenshots: {error}", file=sys.stderr)
        sys.exit(1)
