"""Faults between cms-sync and the real WordPress, injected by tests/fault_proxy.py.

For each fault (an answer lost after WordPress did the work, 503 and 429 with Retry-After,
a 500 HTML page, a 200 challenge page that is not JSON, a connection cut mid-answer, a
stall past the client's timeout) in `cms-sync publish` (a batch of creates and updates,
creates sent one by one, a media upload) and in `cms-sync pull` (its reads), on every try:
either the run gets over it by itself (a lost answer to a write: it looks at the site and
finds the write done), or one line naming the URL and what to do, exit 1, no traceback.
Then a run without faults converges: one post per article, the intended content, the edit
made on the site kept and reported as a conflict, no file half-written. A 503 with
Retry-After once is waited for and retried. cms-sync killed with SIGKILL mid-run (its write
done by WordPress, the answer never read) converges the same way.

The client's timeouts and backoff are shortened (2 s, 0.05 s) so that stalls and retries
cost little; the faults of one command run one after the other on one small project.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

from .conftest import REPO, Project
from .fault_proxy import FaultProxy
from .test_publish import article, kinds, managed

pytestmark = pytest.mark.wordpress

WAIT = 2.0  # the client's timeouts in these tests: a stall of 3 s is past them
IMAGE = REPO / "tests" / "fixtures" / "series" / "articles" / "images" / "cover.png"

# What each fault does to a run, as the README's fault table says: the exit code and what
# the one-line error says to do (exit 3: the run got over the fault itself and only the
# edit made in wp-admin is left, a conflict).
BATCH = {
    "lose": (3, ""),
    "cut": (3, ""),
    "503": (1, "HTTP 503: the server answered with HTML, not JSON (maintenance mode or a proxy "
            "error page?); the site is unavailable for now: run again later"),
    "429": (1, "HTTP 429: the server answered with HTML, not JSON (maintenance mode or a proxy "
            "error page?); the host limits how often it may be asked: wait a few minutes, then "
            "run again"),
    "500": (1, "HTTP 500: the server answered with HTML, not JSON (maintenance mode or a proxy "
            "error page?); run again later, or see the site's error log"),
    "waf": (1, "invalid JSON in the response: <!DOCTYPE html><html><head><title>Just a "
            "moment...</title></head><body><noscript; a firewall's challenge page or a "
            "plugin's output? `cms-sync doctor` shows what answers"),
    "stall": (1, f"no answer within {WAIT:g} s; WordPress may have done it all the same: the "
              "next run looks before it writes"),
}  # fmt: skip
ONE_BY_ONE = {
    "lose": (1, "the connection closed before the whole answer came (RemoteDisconnected: "
             "Remote end closed connection without response); WordPress may have done it all "
             "the same: the next run looks before it writes"),
    "stall": BATCH["stall"],
}  # fmt: skip
UPLOAD = {
    "lose": (0, ""),
    "503": BATCH["503"],
    "waf": BATCH["waf"],
    "stall": BATCH["stall"],
}
READ = {
    "lose": "the connection closed before the whole answer came (RemoteDisconnected: Remote "
            "end closed connection without response); is the site restarting, or a proxy "
            "cutting it? (gave up after 4 retries)",
    "503": BATCH["503"][1] + " (gave up after 4 retries)",
    "500": BATCH["500"][1] + " (gave up after 4 retries)",
    "waf": BATCH["waf"][1],
    "cut": "the connection closed before the whole answer came (IncompleteRead(",
    "stall": f"no answer within {WAIT:g} s; is the site overloaded? (gave up after 1 retry: "
             "cms-sync waits at most 3 s for one request)",
}  # fmt: skip


@pytest.fixture(autouse=True)
def quick_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cms_sync.wordpress.TIMEOUT", WAIT)
    monkeypatch.setattr("cms_sync.wordpress.WRITE_TIMEOUT", WAIT)
    monkeypatch.setattr("cms_sync.wordpress.DEADLINE", 3.0)
    monkeypatch.setattr("cms_sync.wordpress.BACKOFF", 0.05)


def cms(proxy: FaultProxy, wp: Any, project: Project, *args: str) -> tuple[int, str, str]:
    """cms-sync run in-process against the site through the proxy."""
    result = CliRunner().invoke(
        cli, ["--config", str(project.config), *args], env=proxy.env(wp.env())
    )
    return result.exit_code, result.stdout, result.stderr


def publish(proxy: FaultProxy, wp: Any, project: Project, expect: int = 0) -> dict[str, Any]:
    code, out, err = cms(proxy, wp, project, "publish", "--json")
    assert code == expect, f"{out}\n{err}"
    return json.loads(out)


def failed_with(result: tuple[int, str, str], expect: tuple[int, str], url: str) -> None:
    """Exit ``expect[0]``, no traceback; when 1, one error line (the rest of stderr is the
    log: retries, notes) that names ``url`` and says ``expect[1]``."""
    code, out, err = result
    assert code == expect[0], f"{out}\n{err}"
    assert "Traceback" not in err, err
    if code == 1:
        [line] = [line for line in err.splitlines() if line.startswith("Error: ")]
        assert url in line and expect[1] in line, err


def by_slug(wp: Any) -> dict[str, list[dict[str, Any]]]:
    """The managed posts on the site (every status, the trash too), by slug."""
    posts: dict[str, list[dict[str, Any]]] = {}
    for post in managed(wp):
        posts.setdefault(post["slug"].removesuffix("__trashed"), []).append(post)
    return posts


def edit_on_the_site(wp: Any, slug: str, old: str, new: str) -> None:
    """An editor's change to the post, made behind cms-sync's back."""
    [post] = by_slug(wp)[slug]
    wp.api(
        "POST",
        f"/wp/v2/posts/{post['id']}",
        json={"content": post["content"]["raw"].replace(old, new)},
    )


def test_publish_a_batch_of_creates_and_updates_under_each_fault(
    fault_proxy: FaultProxy, wp: Any, project: Project
) -> None:
    project.write("edited.md", article("Edited", "As published.", slug="edited"))
    project.write("updated.md", article("Updated", "First words.", slug="updated"))
    publish(fault_proxy, wp, project)
    edit_on_the_site(wp, "edited", "As published.", "Changed in wp-admin.")
    for fault, expect in BATCH.items():
        # Each run has an update, a create, and the conflict to leave alone.
        project.write("updated.md", article("Updated", f"Words before {fault}.", slug="updated"))
        project.write(f"new-{fault}.md", article(f"New {fault}", "New.", slug=f"new-{fault}"))
        project.write("edited.md", article("Edited", f"File before {fault}.", slug="edited"))
        fault_proxy.arm("POST", "/batch/v1", fault, times=None, retry_after="1", delay=3)
        result = cms(fault_proxy, wp, project, "publish")
        failed_with(result, expect, f"POST {fault_proxy.url}/wp-json/batch/v1: ")
        assert fault_proxy.fired, fault
        fault_proxy.clear()
        fault_proxy.wait_idle()  # a stalled batch reaches WordPress after the client gave up

    report = publish(fault_proxy, wp, project, expect=3)

    assert kinds(report)["edited"] == "conflict"
    posts = by_slug(wp)
    assert sorted(posts) == sorted(["edited", "updated", *(f"new-{f}" for f in BATCH)])
    assert all(len(copies) == 1 for copies in posts.values()), posts
    assert "Changed in wp-admin." in posts["edited"][0]["content"]["raw"]
    assert "Words before stall." in posts["updated"][0]["content"]["raw"]
    again = publish(fault_proxy, wp, project, expect=3)
    assert set(kinds(again).values()) == {"unchanged", "conflict"}


@pytest.mark.parametrize("fault", ["lose", "stall"])
def test_publish_creates_sent_one_by_one_under_a_lost_or_late_answer(
    fault_proxy: FaultProxy, wp: Any, project: Project, fault: str
) -> None:
    fault_proxy.arm("POST", "/batch/v1", "404", times=None)  # the host hides batches
    fault_proxy.arm("POST", "/wp/v2/posts", fault, times=None, delay=3)
    slugs = ["one", "two", "three"]
    for slug in slugs:
        project.write(f"{slug}.md", article(slug.title(), "Words.", slug=slug))

    result = cms(fault_proxy, wp, project, "publish")

    failed_with(result, ONE_BY_ONE[fault], f"POST {fault_proxy.url}/wp-json/wp/v2/posts: ")
    assert fault_proxy.counts["POST"] >= 2  # the refused batch, then creates one by one
    fault_proxy.clear()
    fault_proxy.wait_idle()
    report = publish(fault_proxy, wp, project)
    posts = by_slug(wp)
    assert sorted(posts) == sorted(slugs) and all(len(p) == 1 for p in posts.values()), posts
    assert set(kinds(publish(fault_proxy, wp, project)).values()) == {"unchanged"}, report


def test_publish_an_image_upload_under_each_fault(
    fault_proxy: FaultProxy, wp: Any, project: Project
) -> None:
    (project.articles / "images").mkdir()
    for fault, expect in UPLOAD.items():
        # Another file each time (bytes after the PNG's end): uploaded, not found by digest.
        image = IMAGE.read_bytes() + fault.encode()
        (project.articles / "images" / f"{fault}.png").write_bytes(image)
        body = f"![A cover](images/{fault}.png)"
        project.write(f"{fault}.md", article(f"With {fault}", body, slug=f"with-{fault}"))
        fault_proxy.arm("POST", "/wp/v2/media", fault, times=None, retry_after="1", delay=3)
        result = cms(fault_proxy, wp, project, "publish")
        failed_with(result, expect, f"POST {fault_proxy.url}/wp-json/wp/v2/media: ")
        assert fault_proxy.fired, fault
        fault_proxy.clear()
        fault_proxy.wait_idle()

        publish(fault_proxy, wp, project)

        [post] = by_slug(wp)[f"with-{fault}"]
        shown = re.findall(r'<img [^>]*src="([^"]*)"', post["content"]["raw"])
        uploads = [m["source_url"] for m in media(wp) if m["source_url"].endswith(f"-{fault}.png")]
        assert len(shown) == 1 and shown[0].startswith(f"{wp.url}/wp-content/uploads/")
        # A stalled upload may reach WordPress after the client gave up on it and looked
        # (finding nothing yet), and so may its second try: an unused second attachment.
        assert 1 <= len(uploads) <= (2 if fault == "stall" else 1), uploads
    assert sorted(by_slug(wp)) == sorted(f"with-{f}" for f in UPLOAD)
    again = publish(fault_proxy, wp, project)
    assert set(kinds(again).values()) == {"unchanged"}


def media(wp: Any) -> list[dict[str, Any]]:
    return wp.session.get(f"{wp.url}/wp-json/wp/v2/media", params={"per_page": 100}).json()


def test_pull_under_each_read_fault_writes_nothing_then_pulls(
    fault_proxy: FaultProxy, wp: Any, project: Project
) -> None:
    path = project.write("story.md", article("Story", "The first words.", slug="story"))
    publish(fault_proxy, wp, project)
    edit_on_the_site(wp, "story", "first", "edited")
    before = path.read_bytes()
    for fault, expect in READ.items():
        fault_proxy.arm("GET", "/wp/v2/posts", fault, times=None, retry_after="0", delay=3)
        result = cms(fault_proxy, wp, project, "pull")
        failed_with(result, (1, expect), f"GET {fault_proxy.url}/wp-json/wp/v2/posts?")
        fault_proxy.clear()
        fault_proxy.wait_idle()
        assert path.read_bytes() == before
        assert sorted(p.name for p in project.articles.iterdir()) == ["notice.en.md", "story.md"]
    # A 503 with Retry-After: 1, once: waited for, retried, and the pull succeeds.
    fault_proxy.arm("GET", "/wp/v2/posts", "503", retry_after="1")

    code, _, err = cms(fault_proxy, wp, project, "pull")

    assert code == 0, err
    assert f"GET {fault_proxy.url}/wp-json/wp/v2/posts?" in err
    assert "HTTP 503; retrying in 1 s" in err
    assert "The edited words." in path.read_text("utf-8")
    assert cms(fault_proxy, wp, project, "plan")[0] == 0


@pytest.mark.parametrize("run", ["uploads-then-creates", "batch-of-updates"])
def test_killed_mid_run_then_the_rerun_converges(
    fault_proxy: FaultProxy, wp: Any, project: Project, run: str
) -> None:
    slugs = ["one", "two", "three"]
    (project.articles / "images").mkdir()
    for slug in slugs:
        (project.articles / "images" / f"{slug}.png").write_bytes(
            IMAGE.read_bytes() + slug.encode()
        )
        project.write(
            f"{slug}.md",
            article(slug.title(), f"Old words.\n\n![{slug}](images/{slug}.png)", slug=slug),
        )
    if run == "batch-of-updates":
        publish(fault_proxy, wp, project)
        for slug in slugs:
            project.write(
                f"{slug}.md",
                article(slug.title(), f"New words.\n\n![{slug}](images/{slug}.png)", slug=slug),
            )
        # The batch reaches WordPress, which writes every update; its answer never comes.
        fault_proxy.arm("POST", "/batch/v1", "hold")
        done = lambda: all("New words." in p[0]["content"]["raw"] for p in by_slug(wp).values())  # noqa: E731
    else:
        # The second of three uploads is stored by WordPress; its answer never comes.
        fault_proxy.arm("POST", "/wp/v2/media", "hold", after=1)
        done = lambda: len(media(wp)) == 2  # noqa: E731
    env = {**os.environ, **fault_proxy.env(wp.env()), "HOME": str(project.root)}
    command = [sys.executable, "-m", "cms_sync", "--config", str(project.config), "publish"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        fault_proxy.wait_fired(1, timeout=60)
        deadline = time.monotonic() + 30
        while not done() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done(), "the held write did not reach WordPress"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    fault_proxy.clear()

    report = publish(fault_proxy, wp, project)

    assert set(kinds(report).values()) == (
        {"unchanged"} if run == "batch-of-updates" else {"create"}
    )
    posts = by_slug(wp)
    assert sorted(posts) == sorted(slugs) and all(len(p) == 1 for p in posts.values()), posts
    for slug in slugs:
        raw = posts[slug][0]["content"]["raw"]
        assert ("New words." if run == "batch-of-updates" else "Old words.") in raw
        assert re.search(rf'<img [^>]*src="{wp.url}/wp-content/uploads/\S*-{slug}\.png"', raw)
    assert len(media(wp)) == 3  # one attachment per image, the held upload's too
    assert set(kinds(publish(fault_proxy, wp, project)).values()) == {"unchanged"}
