"""The tools the benchmark runs, each as a child process against the same site.

cms-sync through its command line (publish, plan, pull), the naive sync (naive_sync.py, in
cms-sync's venv since it needs only requests, markdown and PyYAML), and the peers from PyPI,
each installed with pip into its own venv under the cache folder.  A tool that cannot do a
case returns a Result whose note says why; nothing here raises for a tool's failure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import corpus
from measure import Result, run
from report import CASES
from wp_site import Site

HERE = Path(__file__).resolve().parent
PEERS = {"m2w": "m2w==2.7.2", "wp-md": "wordpress-markdown-blog-loader==1.8.6"}


def cms_sync_command() -> list[str]:
    """cms-sync's console script beside the running interpreter (the project's venv)."""
    script = Path(sys.executable).parent / "cms-sync"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cms_sync"]


class CmsSync:
    name = "cms-sync"
    per_article: frozenset[str] = frozenset()  # cases whose cost grows with each article

    def __init__(self, site: Site, root: Path) -> None:
        self.site, self.root, self.log = site, root, root.parent / f"{root.name}.log"

    def _run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        command = [*cms_sync_command(), *args]
        env = {**self.site.env(), "CI": "true", **(env or {})}
        return run(self.site, command, cwd=self.root, env=env, log=self.log)

    def publish(self, *options: str) -> Result:
        return self._run("publish", *options)

    def publish_cold(self) -> Result:
        """A publish without the outline cache, as in a fresh clone (CI)."""
        return self._run("publish", env={"CMS_SYNC_CACHE_DIR": "off"})

    def has_jobs(self) -> bool:
        """Whether this cms-sync's publish takes --jobs N (issue 13, part 4)."""
        shown = subprocess.run(
            [*cms_sync_command(), "publish", "--help"], capture_output=True, text=True, check=False
        )
        return "--jobs" in shown.stdout

    def plan(self) -> Result:
        return self._run("plan")

    def pull(self) -> Result:
        return self._run("pull", "--force")


class NaiveSync(CmsSync):
    name = "naive"
    per_article = frozenset(CASES)  # a GET (and a write) per article in every case

    def _run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        command = [sys.executable, str(HERE / "naive_sync.py"), args[0], str(self.root)]
        return run(self.site, command, cwd=self.root, env=self.site.env(), log=self.log)

    def pull(self) -> Result:
        return self._run("pull")


def install_peer(cache: Path, name: str) -> tuple[Path | None, str]:
    """The venv python of a peer, pip-installed on first use; else None and why."""
    venv = cache / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists():
        return python, marker.read_text().strip()
    cache.mkdir(parents=True, exist_ok=True)
    log = cache / f"{name}-install.log"
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", "--no-input", PEERS[name]],
    ]
    for step in steps:
        with log.open("a") as out:
            done = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode:
            return None, f"pip install {PEERS[name]} failed (exit {done.returncode}, {log.name})"
    marker.write_text(PEERS[name] + "\n")
    return python, PEERS[name]


class Peer:
    """A peer tool in its own venv, working on its own copy of the articles (its layout)."""

    name = suffix = ""
    per_article: frozenset[str] = frozenset()
    no_plan = "no dry run"
    no_pull = "upload only"

    def __init__(self, site: Site, root: Path, python: Path, count: int) -> None:
        self.site, self.root, self.python, self.count = site, root, python, count
        self.folder = root.parent / f"{root.name}-{self.suffix}"
        self.log = root.parent / f"{root.name}-{self.suffix}.log"

    def publish(self) -> Result:
        raise NotImplementedError

    def plan(self) -> Result:
        return Result(note=self.no_plan)

    def pull(self) -> Result:
        return Result(note=self.no_pull)


class M2w(Peer):
    """m2w 2.7.2: decides from a local legacy.json of file md5s, so it never reads the site
    to know what changed; finds an existing post by listing all posts anonymously and
    matching the file name against the rendered title."""

    name, suffix = "m2w", "m2w"
    per_article = frozenset(("first publish", "template change", "notice edit"))

    def publish(self) -> Result:
        corpus.m2w_layout(self.root, self.folder / "posts", self.count)
        command = [
            str(self.python),
            str(HERE / "peer_m2w.py"),
            str(self.folder / "posts"),
            str(self.folder / "legacy.json"),
        ]
        return run(self.site, command, cwd=self.folder, env=self.site.env(), log=self.log)


class WpMd(Peer):
    """wordpress-markdown-blog-loader 1.8.6 (``wp-md posts upload``): one folder per post,
    every post and its images read and rewritten on every run."""

    name, suffix = "wp-md", "wpmd"
    per_article = frozenset(CASES[:6])  # every publish reads and rewrites every post
    no_pull = "downloads one named post, no change detection"

    def publish(self) -> Result:
        host = self.site.url.removeprefix("http://")
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".wordpress.ini").write_text(
            f"[DEFAULT]\nhost = {host}\n\n[{host}]\napi_host = {host}\n"
            f"username = {self.site.user}\n",
            encoding="utf-8",
        )
        corpus.wpmd_layout(self.root, self.folder / "posts", self.count, self.site.user)
        command = [str(self.python), str(HERE / "peer_wpmd.py"), host, "posts"]
        env = {**self.site.env(), "WP_APP_PASSWORD": self.site.password, "LOG_LEVEL": "WARNING"}
        return run(self.site, command, cwd=self.folder, env=env, log=self.log)


Tool = CmsSync | Peer
