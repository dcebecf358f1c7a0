"""Turn what the site holds into the text of source files, then write them all or none.

Used by `pull` (a changed post into its existing file) and `import` (a post written in
wp-admin into a new file). A :class:`Draft` is a file's new text in memory; images the
repository lacks are downloaded into it first. :meth:`Drafter.write` writes the images,
then each file whole, and records in each the site version it came from (``pulled:``),
so the next plan finds the file and the post in agreement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from cms_sync import marker
from cms_sync.articles import Article, build_article
from cms_sync.desired import DesiredItems, article_body
from cms_sync.errors import CmsSyncError
from cms_sync.findings import Finding
from cms_sync.html_markdown import to_markdown
from cms_sync.item_types import PAGE, PATTERN, POST
from cms_sync.items import Remote
from cms_sync.notice import HEADINGS, Notice, build_notice
from cms_sync.notice import from_html as notice_from_html
from cms_sync.plan import match
from cms_sync.project import Project
from cms_sync.site import Site
from cms_sync.site_fields import SEO_PLUGINS
from cms_sync.slugs import wordpress_slug
from cms_sync.snapshot import Snapshot
from cms_sync.source import Document, dump_document, parse_document, update_document

Json = Mapping[str, Any]
_Built = TypeVar("_Built")
_IMAGE_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]+)"')


@dataclass
class Draft:
    """A file's new text, before anything is written."""

    path: Path
    key: str  # the item's key: the article's slug, "notice:LANG"
    remote: Remote
    meta: dict[str, Any]
    body: str
    url: str  # where a person looks at the item on the site
    images: dict[Path, bytes] = field(default_factory=dict)  # files to create
    warnings: list[str] = field(default_factory=list)
    original: str = ""  # the file's text now ("" for a new file): unchanged keys keep their lines
    # The file cannot say what the site holds (a page under a page without an article
    # file): written without ``pulled:``, so plan keeps the conflict until it is resolved.
    partial: bool = False

    def text(self, meta: dict[str, Any]) -> str:
        if self.original:
            return update_document(self.original, meta, self.body)
        return dump_document(meta, self.body)


class Drafter:
    """Drafts files from the items of one snapshot."""

    def __init__(
        self, project: Project, site: Site, snapshot: Snapshot, desired: DesiredItems
    ) -> None:
        self.project, self.site, self.snapshot, self.desired = project, site, snapshot, desired
        remotes = match(desired.posts(snapshot), POST.remotes(snapshot))
        remotes |= match(desired.pages(snapshot), PAGE.remotes(snapshot))
        by_key = {a.slug: a for a in project.articles}
        self.article_at_url = {
            r.link: by_key[key] for key, r in remotes.items() if key in by_key and r.link
        }
        self.article_of_id = {r.id: by_key[key] for key, r in remotes.items() if key in by_key}
        self.local_images = dict(desired.images)  # content hash -> file in the repository

    # -- posts --------------------------------------------------------------------------
    def post(self, path: Path, remote: Remote, article: Article | None = None) -> Draft:
        """The file at ``path`` for the post ``remote``: ``article`` is what the file
        says now (None for a new file)."""
        item = self.item(remote.id)
        folder = path.parent
        draft = Draft(path, article.slug if article else unquote(item["slug"]), remote, {}, "",
                      remote.link)  # fmt: skip
        patterns = set(self.snapshot.items.get(PATTERN.name, {}))
        content = article_body(marker.split(item["content"]["raw"])[0], patterns)
        found = {url: self.image_file(url, folder, draft) for url in _IMAGE_SRC.findall(content)}

        def link(url: str) -> str | None:
            target = self.article_at_url.get(url.split("#")[0])
            if target is None:
                return None
            fragment = url.partition("#")[2]
            return os.path.relpath(target.path, folder) + (f"#{fragment}" if fragment else "")

        def image(url: str) -> str | None:
            local = found.get(url)
            return os.path.relpath(local, folder) if local else None

        blocks = self.project.config.content_format == "blocks"
        converted = to_markdown(content, link=link, image=image, blocks=blocks)
        draft.body = converted.text
        draft.warnings += [f"{remote.link}: {w}" for w in converted.warnings]
        draft.meta = self.front_matter(item, draft, article)
        return draft

    def item(self, item_id: int) -> Json:
        """A post's or a page's JSON (IDs are unique across post types)."""
        posts = self.snapshot.items.get(POST.name, {})
        return posts[item_id] if item_id in posts else self.snapshot.items[PAGE.name][item_id]

    def front_matter(self, item: Json, draft: Draft, article: Article | None) -> dict[str, Any]:
        """The file's front matter with what the post says now (its other keys kept)."""
        meta: dict[str, Any] = {}
        if article is not None:
            draft.original = article.path.read_text(encoding="utf-8")
            doc = parse_document(article.path, draft.original)
            meta = dict(doc.meta) if isinstance(doc, Document) else {}
            meta.pop("pulled", None)
        names = self.snapshot.term_names
        title = self.plain(item["title"]["raw"], "title", draft)
        slug = unquote(str(item["slug"]))
        values: dict[str, Any] = {"title": title, "status": item["status"]}
        if "slug" in meta or slug != wordpress_slug(title):
            values["slug"] = slug
        # An article without a date leaves it to WordPress: pull does not pin it either.
        if article is None or article.date is not None:
            values["date"] = _date(item, article.date if article else None)
        kind = PAGE if item["id"] in self.snapshot.items.get(PAGE.name, {}) else POST
        if kind is PAGE:
            values |= self.page_fields(item, draft, meta)
        else:
            excerpt = self.plain(item["excerpt"]["raw"], "excerpt", draft)
            if excerpt or "excerpt" in meta:
                values["excerpt"] = excerpt
            # An article without categories leaves the post under WordPress's default one.
            if article is None or article.categories:
                values["categories"] = [names.get(i, str(i)) for i in item["categories"]]
            if item["tags"] or "tags" in meta:
                values["tags"] = [names.get(i, str(i)) for i in item["tags"]]
        if item["comment_status"] != "open" or "comment_status" in meta or article is None:
            values["comment_status"] = item["comment_status"]
        if article is None:  # as `new` writes it: the language whose notice check asks for
            values["lang"] = self.project.config.default_lang
        featured = self.featured_image(int(item.get("featured_media") or 0), draft)
        if featured is not None:
            values["featured_image"] = featured
        meta.pop("featured_image", None)
        values |= self.post_fields(item, draft, article, meta, kind.name)
        return {**meta, **values}

    def page_fields(self, item: Json, draft: Draft, meta: dict[str, Any]) -> dict[str, Any]:
        """A page's type, parent (the parent page's article file, relative to this one) and
        menu order."""
        values: dict[str, Any] = {"type": PAGE.name}
        parent = int(item.get("parent") or 0)
        found = self.article_of_id.get(parent)
        if parent and found is None:
            draft.partial = True
            kept = f"parent: {meta['parent']}" if meta.get("parent") else "no parent"
            draft.warnings.append(
                f"{draft.url}: its parent page #{parent} has no article file, so the file "
                f"keeps {kept} and no pulled: (plan shows the conflict): move the page back "
                "in wp-admin, or publish --force "
                f"{self.desired.relative(draft.path)} to put it back"
            )
        elif found is not None:
            values["parent"] = os.path.relpath(found.path, draft.path.parent)
        else:  # a top-level page (an editor may have moved it there): no parent: line
            meta.pop("parent", None)
        if item.get("menu_order") or "menu_order" in meta:
            values["menu_order"] = int(item.get("menu_order") or 0)
        return values

    def post_fields(
        self, item: Json, draft: Draft, article: Article | None, meta: dict[str, Any], kind: str
    ) -> dict[str, Any]:
        """The fields WordPress keeps as they are unless an article sets them: written when
        the file has the key, or when the post holds something else than WordPress's default
        (an author other than the one who imports). The password never: only a warning."""
        values: dict[str, Any] = {}
        for key, value, default in (
            ("sticky", bool(item.get("sticky")), False),
            # What WordPress gives an item it is not told of: pings closed on a new page.
            ("ping_status", item.get("ping_status"), "closed" if kind == PAGE.name else "open"),
            ("format", item.get("format") or "standard", "standard"),
            ("template", item.get("template") or "", ""),
        ):
            if key in item and (key in meta or value != default):
                values[key] = value
        fields = self.snapshot.fields
        author = fields.login_of(int(item.get("author") or 0))
        imported = article is None and fields.logins and author != self.snapshot.user.name
        if "author" in meta or imported:
            values["author"] = author
        password = str(item.get("password") or "")
        wanted = article.password.value if article and article.password else ""
        env = article.password.env if article and article.password else ""
        if password != wanted:
            draft.warnings.append(
                f"{draft.url}: the post's password is not ${env}'s; pull never writes a password: "
                f"set {env} to the site's to keep it, or publish sets ${env}'s back"
                if password and env else
                f"{draft.url}: the post has a password the file does not give; set password_env "
                "to the name of an environment variable holding it (it is never written)"
                if password else f"{draft.url}: the post has no password; remove password_env"
            )  # fmt: skip
        site_meta = {k: v for k, v in (item.get("meta") or {}).items() if isinstance(k, str)}
        seo_keys = next((keys for keys in SEO_PLUGINS.values()
                         if any(key in site_meta for key in keys.values())), {})  # fmt: skip
        seo = {name: site_meta[key] for name, key in seo_keys.items()
               if site_meta.get(key) not in (None, "")}  # fmt: skip
        if seo or "seo" in meta:
            values["seo"] = seo
        own = {*seo_keys.values()}
        if article is not None and article.meta:
            values["meta"] = {key: site_meta.get(key) for key in article.meta}
        elif article is None:
            # A registered key's default ("", 0, false) is what WordPress answers for an unset one.
            found = {k: v for k, v in site_meta.items()
                     if k not in own and not k.startswith("_cms_sync") and v}  # fmt: skip
            if found:
                values["meta"] = found
        names = self.snapshot.term_names
        terms = {
            t.slug: [names.get(i, str(i)) for i in item.get(t.rest_base) or []]
            for t in fields.custom_taxonomies(kind)
        }
        if article is not None and article.taxonomies:
            values["taxonomies"] = terms
        elif article is None and any(terms.values()):  # import: the taxonomies the post uses
            values["taxonomies"] = {slug: found for slug, found in terms.items() if found}
        return values

    @staticmethod
    def plain(value: object, name: str, draft: Draft) -> str:
        """A text field as the file keeps it: entities decoded (WordPress escapes ``&`` for
        users without unfiltered_html), tags removed with a warning (a title is text)."""
        text = html.unescape(str(value))
        plain = re.sub(r"<[^>]*>", "", text)
        if plain != text:
            draft.warnings.append(f"{draft.url}: markup in the {name} was left out: {text!r}")
        return plain.strip()

    # -- images -------------------------------------------------------------------------
    def image_file(self, url: str, folder: Path, draft: Draft) -> Path | None:
        """The local file for an image URL: the repository's copy when there is one (by
        content), else a download into images/ beside the file (None: another site's)."""
        for digest, media in self.snapshot.media.items():
            if media.url == url and digest in self.local_images:
                return self.local_images[digest]
        if urlsplit(url).hostname != urlsplit(self.site.url).hostname:
            return None
        data = self.site.download(url)
        digest = hashlib.sha256(data).hexdigest()[:12]
        if digest in self.local_images:
            return self.local_images[digest]
        name = safe_file_name(unquote(PurePosixPath(urlsplit(url).path).name), "image")
        target = folder / "images" / name
        if target.exists() or target in draft.images:
            target = folder / "images" / f"{digest}-{name}"
        draft.images[target] = data
        self.local_images[digest] = target
        return target

    def featured_image(self, media_id: int, draft: Draft) -> str | None:
        if not media_id:
            return None
        digest = self.snapshot.media_hashes.get(media_id)
        local = self.local_images.get(digest) if digest else None
        if local is None:
            url = str(self.site.media_item(media_id)["source_url"])
            local = self.image_file(url, draft.path.parent, draft)
        return os.path.relpath(local, draft.path.parent) if local else None

    # -- notices ------------------------------------------------------------------------
    def notice(self, notice: Notice, remote: Remote) -> Draft:
        """A notice's file from its synced pattern, mapped back to its fields. What cannot
        be mapped is named in the warnings; with no heading left, there is no body."""
        item = self.snapshot.items[PATTERN.name][remote.id]
        content = marker.split(item["content"]["raw"])[0]
        back = notice_from_html(content, self.desired.renderer.labels(notice.lang))
        where = PATTERN.url(self.site.url, remote.id, remote.link)
        draft = Draft(notice.path, f"notice:{notice.lang}", remote, {}, "", where)
        draft.warnings = [f"{where}: {line}" for line in back.unmapped]
        if not back.fields:
            return draft
        draft.original = notice.path.read_text(encoding="utf-8")
        doc = parse_document(notice.path, draft.original)
        meta: dict[str, Any] = dict(doc.meta) if isinstance(doc, Document) else {}
        for key in ("pulled", *HEADINGS):
            meta.pop(key, None)
        draft.meta = {**meta, **back.fields}
        if back.policy_url:
            draft.meta["policy_url"] = back.policy_url
        converted = to_markdown(back.body)
        draft.body = converted.text
        draft.warnings += [f"{where}: {w}" for w in converted.warnings]
        return draft

    # -- writing ------------------------------------------------------------------------
    def write(self, drafts: list[Draft]) -> None:
        """Write the images, then every file whole; undo the images if a file fails."""
        created: list[Path] = []
        try:
            for draft in drafts:
                for path, data in draft.images.items():
                    if not path.exists():
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_bytes(data)
                        created.append(path)
            texts = self.final_texts(drafts)
            _warn_without_notice(drafts, self.project)
        except BaseException:
            for path in created:
                path.unlink(missing_ok=True)
            raise
        for draft, text in zip(drafts, texts, strict=True):
            replace_file(draft.path, text)

    def final_texts(self, drafts: list[Draft]) -> list[str]:
        """Each file's text with ``pulled:``: the site version it came from, and the
        source hash the next plan will compute from it."""
        articles: dict[Path, Article] = {}
        notices = dict(self.project.notices)
        for draft in drafts:
            text = draft.text(draft.meta)
            if draft.key.startswith("notice:"):
                notice = _notice_of(draft.path, text, self.project)
                notices[notice.lang] = notice
            else:
                articles[draft.path] = _article_of(draft.path, text, self.project)
        known = {a.path for a in self.project.articles}
        # A new Project, not a copy: its index of series parts must see the new titles.
        project = Project(
            self.project.config,
            [articles.get(a.path, a) for a in self.project.articles]
            + [a for path, a in articles.items() if path not in known],
            notices,
        )
        chosen = {a.path for a in self.desired.articles} | set(articles)
        selected = [a for a in project.articles if a.path in chosen]
        desired = DesiredItems(project, selected, self.desired.pattern_mode)
        wants = {
            w.key: w
            for w in [
                *desired.patterns(self.snapshot),
                *desired.posts(self.snapshot),
                *desired.pages(self.snapshot),
            ]
        }
        texts = []
        for draft in drafts:
            want = wants[articles[draft.path].slug if draft.path in articles else draft.key]
            pulled = {"state": draft.remote.stored_hash, "source": want.source_hash}
            texts.append(
                draft.text(draft.meta if draft.partial else {**draft.meta, "pulled": pulled})
            )
        return texts


def safe_file_name(name: str, fallback: str) -> str:
    """A name the site chose, made safe to create in a folder: one path component, no
    leading dot, no characters a file system or a shell would trip on."""
    name = re.sub(r"[\s\x00-\x1f/\\:*?\"<>|'`$&;!#%(){}\[\]=,]+", "-", name).strip("-.")
    return name[:120] or fallback


def _date(item: Json, was: dt.datetime | None) -> dt.datetime:
    """The post's date as the article wrote it: site time, or UTC when it had a zone."""
    if was is not None and was.tzinfo is not None and item.get("date_gmt"):
        return dt.datetime.fromisoformat(str(item["date_gmt"])).replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(item["date"]))


def _article_of(path: Path, text: str, project: Project) -> Article:
    """The article a drafted text makes, checked as `check` would."""
    lang, status = project.config.default_lang, project.config.default_status
    return _checked(path, text, lambda doc: build_article(doc, lang, status), "post")


def _notice_of(path: Path, text: str, project: Project) -> Notice:
    """The notice a drafted text makes, checked as `check` would."""
    lang = project.config.default_lang
    return _checked(path, text, lambda doc: build_notice(doc, lang), "notice pattern")


def _checked(
    path: Path,
    text: str,
    build: Callable[[Document], tuple[_Built | None, list[Finding]]],
    what: str,
) -> _Built:
    """What ``build`` makes of ``text``, or an error naming the first problem: a drafted
    file that `check` would refuse is never written."""
    doc = parse_document(path, text)
    if not isinstance(doc, Document):
        raise CmsSyncError(
            f"{doc.path}:{doc.line}: the site's version is unreadable: {doc.message}"
        )
    built, findings = build(doc)
    errors = [f for f in [*doc.findings, *findings] if f.severity == "error"]
    if built is None or errors:
        first = errors[0] if errors else None
        raise CmsSyncError(
            f"{path}:{first.line if first else 1}: the site's version is not valid"
            + (f" ({first.message})" if first else "")
            + f"; fix the {what} in wp-admin (nothing was written)"
        )
    return built


def replace_file(path: Path, text: str) -> None:
    """Write ``path`` whole: a reader sees the old file or the new one, never half."""
    temporary = path.with_name(f".{path.name}.cms-sync")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _warn_without_notice(drafts: list[Draft], project: Project) -> None:
    """Once (on the first such file), the files with comments open in a language the
    project has no notice for: `check` refuses them until one is added."""
    notices = {*project.notices, *(d.key[7:] for d in drafts if d.key.startswith("notice:"))}
    default = project.config.default_lang
    refused = [
        d for d in drafts
        if not d.key.startswith("notice:") and d.meta.get("comment_status", "open") == "open"
        and str(d.meta.get("lang", default)) not in notices
    ]  # fmt: skip
    for lang in sorted({str(d.meta.get("lang", default)) for d in refused}):
        some = sorted(
            (d for d in refused if str(d.meta.get("lang", default)) == lang), key=lambda d: d.path
        )
        names = ", ".join(d.path.name for d in some[:3]) + (", ..." if len(some) > 3 else "")
        some[0].warnings.append(
            f"comments are open on {len(some)} file(s) ({names}) and the project has no "
            f"comment-privacy notice for lang '{lang}', so check refuses them: add one (a file "
            "with kind: notice and that lang), or set comment_status: closed in them (publish "
            "then closes comments on the site)"
        )
