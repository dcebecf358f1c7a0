"""A naive WordPress sync, the yardstick of the benchmark: what a tool without bulk reads does.

    python naive_sync.py publish|plan|pull PROJECT_DIR  (site: CMS_SYNC_URL, _USER, _APP_PASSWORD)

For each article, in file order: GET /wp/v2/posts?slug=X, then POST a create or POST an
update of the whole post, always (it keeps no state, so it cannot know nothing changed).
The body is bare Python-Markdown, the notice is inlined as a list under every post, images
are looked up by name (one GET each per run) and uploaded when missing, terms looked up by
name and created when missing.  ``plan`` does the GETs and compares; ``pull`` does the GETs
and writes the site's HTML into a file whose post differs.  requests + markdown + PyYAML only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import markdown
import requests
import yaml

NOTICE = "comment-privacy-notice.bn.md"


class Naive:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.api = os.environ["CMS_SYNC_URL"].rstrip("/") + "/wp-json/wp/v2"
        self.http = requests.Session()
        self.http.auth = (os.environ["CMS_SYNC_USER"], os.environ["CMS_SYNC_APP_PASSWORD"])
        self.media: dict[str, dict[str, Any]] = {}
        self.terms: dict[tuple[str, str], int] = {}

    def articles(self) -> list[tuple[Path, dict[str, Any], str]]:
        found = []
        for path in sorted((self.root / "articles").glob("*.md")):
            _, front, body = path.read_text("utf-8").split("---\n", 2)
            meta = yaml.safe_load(front)
            if meta.get("kind") != "notice":
                found.append((path, meta, body))
        return found

    def notice(self) -> str:
        front = (self.root / "articles" / NOTICE).read_text("utf-8").split("---\n", 2)[1]
        fields = yaml.safe_load(front)
        items = "\n".join(f"- **{k}**: {v}" for k, v in fields.items() if k not in ("kind",))
        return markdown.markdown(items)

    def html(self, body: str, notice: str) -> str:
        for name in sorted({part.split(")")[0] for part in body.split("](images/")[1:]}):
            body = body.replace(f"](images/{name})", f"]({self.image(name)['source_url']})")
        return markdown.markdown(body) + "\n" + notice

    def image(self, name: str) -> dict[str, Any]:
        if name not in self.media:
            stem = name.rsplit(".", 1)[0]
            found = self.get("media", search=stem)
            found = [m for m in found if m["source_url"].rsplit("/", 1)[-1] == name]
            if found:
                self.media[name] = found[0]
            else:
                data = (self.root / "articles" / "images" / name).read_bytes()
                answer = self.http.post(
                    f"{self.api}/media",
                    data=data,
                    headers={
                        "Content-Disposition": f'attachment; filename="{name}"',
                        "Content-Type": "image/png",
                    },
                    timeout=60,
                )
                answer.raise_for_status()
                self.media[name] = answer.json()
        return self.media[name]

    def term(self, taxonomy: str, name: str) -> int:
        if (taxonomy, name) not in self.terms:
            found = [t for t in self.get(taxonomy, search=name) if t["name"] == name]
            if found:
                self.terms[taxonomy, name] = found[0]["id"]
            else:
                answer = self.http.post(f"{self.api}/{taxonomy}", json={"name": name}, timeout=60)
                answer.raise_for_status()
                self.terms[taxonomy, name] = answer.json()["id"]
        return self.terms[taxonomy, name]

    def get(self, route: str, **params: Any) -> list[dict[str, Any]]:
        answer = self.http.get(f"{self.api}/{route}", params=params, timeout=60)
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()
        return found

    def post_at(self, slug: str) -> dict[str, Any] | None:
        found = self.get("posts", slug=slug, status="any", context="edit")
        return found[0] if found else None

    def payload(self, meta: dict[str, Any], body: str, notice: str) -> dict[str, Any]:
        featured = meta.get("featured_image")
        return {
            "title": meta["title"],
            "slug": meta["slug"],
            "status": meta.get("status", "draft"),
            "date": str(meta["date"]).replace(" ", "T") if meta.get("date") else None,
            "comment_status": meta.get("comment_status", "closed"),
            "content": self.html(body, notice),
            "categories": [self.term("categories", c) for c in meta.get("categories", [])],
            "tags": [self.term("tags", t) for t in meta.get("tags", [])],
            "featured_media": self.image(featured.split("/")[-1])["id"] if featured else 0,
        }

    def publish(self) -> int:
        notice, written = self.notice(), 0
        for _path, meta, body in self.articles():
            post = self.post_at(meta["slug"])
            target = f"{self.api}/posts" + (f"/{post['id']}" if post else "")
            answer = self.http.post(target, json=self.payload(meta, body, notice), timeout=60)
            answer.raise_for_status()
            written += 1
        print(f"naive publish: {written} posts written")
        return 0

    def plan(self) -> int:
        print(f"naive plan: {self.compare(write=False)} posts would change")
        return 0

    def pull(self) -> int:
        print(f"naive pull: {self.compare(write=True)} files written")
        return 0

    def compare(self, write: bool) -> int:
        """GET each article's post; count those whose content differs from the file's HTML
        and, with ``write``, put the site's HTML into the file (front matter kept)."""
        notice, changed = self.notice(), 0
        for path, meta, body in self.articles():
            post = self.post_at(meta["slug"])
            if post and post["content"]["raw"].strip() == self.html(body, notice).strip():
                continue
            changed += 1
            if write and post:
                front = path.read_text("utf-8").split("---\n", 2)[1]
                path.write_text(f"---\n{front}---\n\n{post['content']['raw']}\n", "utf-8")
        return changed


def main(argv: list[str]) -> int:
    command, root = argv
    naive = Naive(Path(root))
    return {"publish": naive.publish, "plan": naive.plan, "pull": naive.pull}[command]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
