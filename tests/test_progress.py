"""The progress bar of publish, pull and import: drawn when stderr is a terminal (a
pseudo-terminal here), never in a pipe, in CI (CI=true) or with JSON output, where it
would only be noise in a log or break the JSON a script reads."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from .test_publish import article

pytestmark = [pytest.mark.wordpress, pytest.mark.compat]

BAR = "] 3/3"  # the last drawing of a bar over three items


def run(wp, project, *args: str, terminal: bool = True, ci: bool = False) -> tuple[int, str]:
    """cms-sync in its own process, stderr on a pseudo-terminal (or a pipe); its exit code
    and what it wrote to stderr."""
    env = {**os.environ, **wp.env()}
    env.pop("CI")
    if ci:
        env["CI"] = "true"
    command = [sys.executable, "-m", "cms_sync", "--config", str(project.config), *args]
    if not terminal:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stderr
    leader, follower = pty.openpty()
    with subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower
    ) as process:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, seen.decode("utf-8", "replace")


def three_articles(project) -> None:
    for n in range(3):
        project.write(f"a-{n}.md", article(f"Article {n}", f"Text {n}.", slug=f"progress-{n}"))


def test_publish_and_pull_draw_a_bar_at_a_terminal_only(wp, project):
    three_articles(project)
    code, err = run(wp, project, "publish")
    assert code == 0, err
    assert "posts    [" + "#" * 30 + BAR in err

    wp.reset()
    code, err = run(wp, project, "publish", terminal=False)
    assert code == 0, err
    assert BAR not in err and "\r" not in err

    code, err = run(wp, project, "pull")
    assert code == 0, err
    assert "articles [" + "#" * 30 + BAR in err


def test_no_bar_in_ci_nor_with_json(wp, project):
    three_articles(project)
    code, err = run(wp, project, "publish", ci=True)
    assert code == 0, err
    assert BAR not in err
    for args in (["plan", "--json"], ["pull", "--json"], ["plan", "--format", "json"]):
        code, err = run(wp, project, *args)
        assert code == 0, err
        assert BAR not in err and "\r" not in err, args


def test_import_draws_a_bar_at_a_terminal(wp, project):
    for n in range(3):
        wp.api("POST", "/wp/v2/posts", json={"title": f"Written {n}", "status": "publish"})
    code, err = run(wp, project, "import", "--into", str(project.root / "imported"))
    assert code == 0, err
    assert "posts    [" + "#" * 30 + BAR in err
