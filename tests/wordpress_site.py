"""The real WordPress the integration tests publish to, and helpers to look at it.

A session fixture starts one throwaway WordPress (scripts/local_wordpress.py) and stops
it at the end; every test starts from an empty site (`wp` fixture), so tests can run in
any order. `WP` talks to the site as the Administrator with plain `requests`, the way a
person in wp-admin would change things behind cms-sync's back.
"""

from __future__ import annotations

import importlib
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import requests

from .conftest import REPO


def load_harness() -> Any:
    """scripts/wordpress_harness, the package behind scripts/local_wordpress.py (scripts/ is
    not installed, so it is put on sys.path)."""
    scripts = str(REPO / "scripts")
    if scripts not in sys.path:
        sys.path.append(scripts)
    return importlib.import_module("wordpress_harness")


class WP:
    """A view of the test site: state.json plus admin REST helpers."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.url: str = state["url"]
        self.log = Path(state["workdir"]) / "php.log"
        self.session = requests.Session()
        self.session.auth = (state["admin"]["user"], state["admin"]["app_password"])

    def env(self, role: str = "admin") -> dict[str, str]:
        """Environment variables that point cms-sync at the site as ``role``."""
        return {
            "CMS_SYNC_URL": self.url,
            "CMS_SYNC_USER": self.state[role]["user"],
            "CMS_SYNC_APP_PASSWORD": self.state[role]["app_password"],
            "CI": "true",
        }

    def api(self, method: str, route: str, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.url}/wp-json{route}", timeout=30, **kwargs)
        assert response.status_code < 400, response.text
        return response.json()

    def posts(self, status: str = "any", post_type: str = "posts") -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self.session.get(
                f"{self.url}/wp-json/wp/v2/{post_type}",
                params={"status": status, "context": "edit", "per_page": 100, "page": page},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            found += response.json()
            if page >= int(response.headers.get("X-WP-TotalPages", 1)):
                return found
            page += 1

    def revisions(self, post_id: int) -> int:
        return len(self.api("GET", f"/wp/v2/posts/{post_id}/revisions"))

    def log_position(self) -> int:
        return len(self.log.read_text(errors="replace").splitlines())

    def requests_since(self, position: int) -> list[str]:
        """Request lines php logged since ``position`` (e.g. "[200]: GET /wp-json/...")."""
        lines = self.log.read_text(errors="replace").splitlines()[position:]
        return [line.split("]: ", 1)[1] for line in lines if re.search(r"\[\d{3}\]: ", line)]

    def writes_since(self, position: int) -> list[str]:
        return [
            r
            for r in self.requests_since(position)
            if r.split(" ", 1)[0] in ("POST", "PUT", "PATCH", "DELETE")
        ]

    def reset(self) -> None:
        """Delete every post, pattern, media item and term that tests made."""
        for post_type in ("posts", "blocks", "media", "pages"):
            for status in ("any", "trash"):
                items = (
                    self.posts(status, post_type)
                    if post_type != "media"
                    else (
                        self.session.get(
                            f"{self.url}/wp-json/wp/v2/media", params={"per_page": 100}, timeout=30
                        ).json()
                    )
                )
                for item in items:
                    self.session.delete(
                        f"{self.url}/wp-json/wp/v2/{post_type}/{item['id']}",
                        params={"force": "true"},
                        timeout=30,
                    )
        for taxonomy in ("categories", "tags"):
            terms = self.session.get(
                f"{self.url}/wp-json/wp/v2/{taxonomy}", params={"per_page": 100}, timeout=30
            ).json()
            for term in terms:
                if term["id"] != 1:  # "Uncategorized" cannot be deleted
                    self.session.delete(
                        f"{self.url}/wp-json/wp/v2/{taxonomy}/{term['id']}",
                        params={"force": "true"},
                        timeout=30,
                    )


def copy_project(source: Path, target: Path) -> Path:
    """A copy of a project folder with its own copy of the repository's templates."""
    shutil.copytree(source, target)
    shutil.copytree(REPO / "templates", target / "templates")
    config = target / "cms-sync.toml"
    text = config.read_text("utf-8")
    text = re.sub(r'templates_dir = ".*"\n', "", text)
    config.write_text(text, encoding="utf-8")
    return config
