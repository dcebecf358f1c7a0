"""Shared fixtures: a throwaway project folder with this repository's templates."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
# The outline cache (src/cms_sync/outlines.py) of every test run, and of the cms-sync
# commands the tests start, goes to a folder of its own instead of ~/.cache.
os.environ.setdefault("CMS_SYNC_CACHE_DIR", tempfile.mkdtemp(prefix="cms-sync-test-cache-"))

NOTICE_EN = """\
---
kind: notice
lang: en
controller: Jane Doe
purpose: Spam control and comment management.
legal_basis: Your consent.
recipients: No data are passed to third parties except by legal obligation.
storage: Database hosted by Example Hosting (EU).
storage_region: EU
rights: You may limit, recover and delete your data at any time.
policy_url: https://example.org/privacy/
---
"""


class Project:
    """A project folder in tmp_path: cms-sync.toml, templates/, articles/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.articles = root / "articles"
        self.articles.mkdir(parents=True)
        shutil.copytree(REPO / "templates", root / "templates")
        (root / "cms-sync.toml").write_text(
            'site_url = "http://127.0.0.1:9"\ndefault_lang = "en"\ndefault_status = "draft"\n',
            encoding="utf-8",
        )

    @property
    def config(self) -> Path:
        return self.root / "cms-sync.toml"

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.articles / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project with an English notice."""
    proj = Project(tmp_path / "site")
    proj.write("notice.en.md", NOTICE_EN)
    return proj


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], Project]:
    """Factory for several independent projects in one test."""

    def make(name: str) -> Project:
        return Project(tmp_path / name)

    return make


COMPANION_SOURCE = REPO / "wordpress-plugin"
COMPANION_PLUGIN = "cms-sync-companion/cms-sync-companion"  # as /wp/v2/plugins names it
REQUIRE_TIERS = "CMS_SYNC_REQUIRE_TIERS"  # "1": a tier that cannot run fails (make test, CI)
WORDPRESS_FIXTURES = {"wordpress_site", "wp"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--wordpress-archive",
        metavar="PATH",
        default=os.environ.get("CMS_SYNC_WORDPRESS_ARCHIVE") or None,
        help="run the WordPress tests on this release .tar.gz (tree under wordpress/) instead "
        "of Debian's /usr/share/wordpress; default: $CMS_SYNC_WORDPRESS_ARCHIVE",
    )


def wordpress_archive(config: pytest.Config) -> Path | None:
    """The --wordpress-archive path, relative to where pytest was started."""
    value = config.getoption("wordpress_archive")
    return (config.invocation_params.dir / value).resolve() if value else None


def pytest_report_header(config: pytest.Config) -> str:
    archive = wordpress_archive(config)
    return f"WordPress tier: {archive or 'Debian /usr/share/wordpress'}"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the real WordPress `wordpress`, so `-m wordpress` selects it
    (and `-m "not wordpress"` leaves it out) whether or not its module says so."""
    for item in items:
        if WORDPRESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.wordpress)


def tier_unavailable(reason: str) -> NoReturn:
    """Skip the test with the reason, or fail it when CMS_SYNC_REQUIRE_TIERS=1, so a CI run
    can never pass by silently skipping a tier."""
    if os.environ.get(REQUIRE_TIERS) == "1":
        pytest.fail(f"{reason}; {REQUIRE_TIERS}=1 requires every tier", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def wordpress_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One real WordPress for the whole session, stopped at the end: Debian's 6.1, or the
    release archive given with --wordpress-archive. Skipped, naming what is missing, when the
    binaries are not installed (failed instead under CMS_SYNC_REQUIRE_TIERS=1)."""
    from .wordpress_site import WP, load_harness

    harness = load_harness()
    archive = wordpress_archive(request.config)
    missing = harness.missing_requirements(archive)
    if missing:
        tier_unavailable(
            f"WordPress tests need {', '.join(missing)} (`make test` installs the Debian "
            "packages: php-cli php-mysql mariadb-server wordpress)"
        )
    workdir = tmp_path_factory.mktemp("wordpress")
    # The companion plugin is installed, inactive: the `companion` fixture activates it.
    state = harness.start(workdir, archive=archive, plugins=[COMPANION_SOURCE])
    try:
        yield WP(state)
    finally:
        harness.stop(workdir)


@pytest.fixture
def wp(wordpress_site):
    """The real WordPress, emptied of what earlier tests published."""
    wordpress_site.reset()
    return wordpress_site


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test: selenium driving Debian's chromium and
    chromium-driver (tests/browser.py). Skipped, with the missing binaries named, when they
    are not installed (failed instead under CMS_SYNC_REQUIRE_TIERS=1)."""
    from .browser import BINARIES, Browser, missing_binaries

    missing = missing_binaries()
    if missing:
        packages = " ".join(BINARIES[name] for name in missing)
        tier_unavailable(
            f"browser tests need {' and '.join(missing)} on PATH (apt-get install {packages})"
        )
    with Browser(width=1000, height=1400) as started:
        yield started


@pytest.fixture
def companion(wp):
    """The real WordPress with the companion plugin (wordpress-plugin/) active for one test,
    through /wp/v2/plugins as wp-admin's Plugins screen does; deactivated afterwards (its
    repository URL option cleared), so every other test sees WordPress without it."""
    wp.api("POST", f"/wp/v2/plugins/{COMPANION_PLUGIN}", json={"status": "active"})
    try:
        yield wp
    finally:
        wp.api("POST", "/wp/v2/settings", json={"cms_sync_repository_url": ""})
        wp.api("POST", f"/wp/v2/plugins/{COMPANION_PLUGIN}", json={"status": "inactive"})


@pytest.fixture
def fault_proxy(wp):
    """The real WordPress behind the fault-injecting proxy of tests/fault_proxy.py, for one
    test: cms-sync pointed at ``fault_proxy.url`` (``fault_proxy.env(wp.env())``) reaches the
    site through it; ``fault_proxy.arm(...)`` injects faults; ``fault_proxy.count`` is how
    many requests reached it (0: nothing was sent)."""
    from .fault_proxy import FaultProxy

    with FaultProxy(wp.url) as proxy:
        yield proxy
