"""Fixtures for the tests of action.yml and of the example workflows that use it."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from .conftest import REPO
from .github_actions import FakeGh, Runner

# What the runner fetches for `uses: OWNER/cms-sync@REF`: the repository at that ref. The
# action installs from it, so the package's files are enough (no .git, .venv, tests).
ACTION_FILES = ("action.yml", "pyproject.toml", "README.md", "src")
PLAIN_PATH = "/usr/local/bin:/usr/bin:/bin"  # no venv of this checkout: cms-sync is not on it

# Files a pull request could add to run its own code: a package to install, a module that
# shadows cms_sync, hooks Python imports at start from the current folder.
TRAPS = {
    "setup.py": "open({marker!r}, 'a').write('setup.py\\n')\n",
    "pyproject.toml": '[project]\nname = "cms-sync"\nversion = "99"\n',
    "cms_sync/__init__.py": "open({marker!r}, 'a').write('cms_sync\\n')\n",
    "cms_sync/config.py": "open({marker!r}, 'a').write('cms_sync.config\\n')\n",
    "sitecustomize.py": "open({marker!r}, 'a').write('sitecustomize\\n')\n",
    "usercustomize.py": "open({marker!r}, 'a').write('usercustomize\\n')\n",
}

SITES = """
[sites.staging]
site_url = "{url}"
user = "admin"
password_env = "STAGING_WP_APP_PASSWORD"

[sites.production]
site_url = "{url}"
user = "admin"
password_env = "PRODUCTION_WP_APP_PASSWORD"
"""


@pytest.fixture(scope="session")
def action_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository as the runner downloads it for `uses:` (GITHUB_ACTION_PATH)."""
    target = tmp_path_factory.mktemp("action") / "cms-sync"
    target.mkdir()
    for name in ACTION_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target / name)
    return target


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory, action_checkout: Path) -> Path:
    """The action's install step, run once for real (a venv, pip install of the checkout); the
    tests' runners reuse the venv as a second use of the action in one job would."""
    temp = tmp_path_factory.mktemp("runner-install")
    runner = Runner(
        workspace=temp,
        temp=temp,
        event_name="push",
        event={},
        base_env={"PATH": PLAIN_PATH, "HOME": str(temp), "LANG": "C.UTF-8"},
    )
    action = (action_checkout / "action.yml").read_text("utf-8")
    import yaml

    [install] = [s for s in yaml.safe_load(action)["runs"]["steps"] if s["id"] == "install"]
    env = runner.env(action_checkout)
    env.update({"CMS_SYNC_VERSION": "", "CMS_SYNC_PYTHON": "python3"})
    done = runner.run_script(install["run"], env, temp)
    assert done.returncode == 0, done.stdout + done.stderr
    return temp / "cms-sync-venv"


@pytest.fixture
def content_repo(tmp_path: Path) -> Callable[[str], Path]:
    """A content repository that is not this one: the series, cms-sync.toml with staging and
    production profiles on the given site, and files that would run code if anything of the
    checkout were installed or imported."""

    def make(site_url: str) -> Path:
        target = tmp_path / "workspace"
        target.mkdir()
        for name in ("articles", "templates"):
            shutil.copytree(REPO / name, target / name)
        config = (REPO / "cms-sync.toml").read_text("utf-8") + SITES.format(url=site_url)
        (target / "cms-sync.toml").write_text(config, "utf-8")
        for name, text in TRAPS.items():
            (target / name).parent.mkdir(exist_ok=True)
            (target / name).write_text(text.format(marker=str(tmp_path / "trap-ran")), "utf-8")
        return target

    return make


@pytest.fixture
def make_runner(tmp_path: Path, installed: Path) -> Callable[..., tuple[Runner, FakeGh]]:
    """A runner for one job on the workspace, with the fake gh on PATH."""

    def make(workspace: Path, event_name: str, event: dict[str, object]) -> tuple[Runner, FakeGh]:
        gh = FakeGh(tmp_path / "fake-gh")  # the pull request's comments outlive a job
        job = tmp_path / f"job-{len(list(tmp_path.glob('job-*')))}"
        temp, home = job / "runner-temp", job / "home"
        temp.mkdir(parents=True)
        home.mkdir()
        (temp / "cms-sync-venv").symlink_to(installed)
        env = {
            "PATH": f"{gh.directory}:{PLAIN_PATH}",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "FAKE_GH_DIR": str(gh.directory),
        }
        return Runner(workspace, temp, event_name, event, env), gh

    return make


def pull_request_event(number: int = 7, fork: bool = False) -> dict[str, object]:
    head = "someone/articles" if fork else "example/articles"
    return {
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"repo": {"full_name": head, "fork": fork}},
            "base": {"repo": {"full_name": "example/articles"}},
        },
    }


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A host a pull request would like the password sent to: (its URL, the requests it got,
    each as "METHOD PATH Authorization")."""
    got: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            got.append(f"GET {self.path} {self.headers.get('Authorization', '')}")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"routes": {}}')

        do_POST = do_HEAD = do_GET

        def log_message(self, *_args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", got
    finally:
        server.shutdown()
        server.server_close()
