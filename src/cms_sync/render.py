"""Render an article to the exact HTML of its post content.

markdown body + series navigation + notice, composed by the Jinja2 templates in
templates/. Links to other article files and image paths are handed to resolver
callables, so `render` can point them at local files and `publish` at live
permalinks and media URLs. Output is deterministic: same input, same bytes.

With ``content_format = "blocks"`` the body becomes core blocks (blocks.py) as the block
editor of the site's WordPress version writes them (a :class:`blocks.Profile`; the
current WordPress when no site is known, as for `render` and the preview).
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import markdown
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from cms_sync import blocks, outlines
from cms_sync.articles import Article
from cms_sync.errors import CmsSyncError
from cms_sync.notice import HEADINGS, Notice

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists"]
# Part of every post's source hash (inputs.py): raise it when a change of cms-sync writes
# other HTML for the same files (tests/test_decide_from_hashes.py pins the goldens' digest
# to it), so that the next publish renders every post again and updates those that differ.
RENDER_VERSION = 1


@dataclass(frozen=True)
class Image:
    """An image as a site holds it: its URL and its attachment (media library) id."""

    url: str
    id: int


LinkResolver = Callable[[Path], str | None]  # article file -> URL, None if no such article
ImageResolver = Callable[[Path], str | Image]  # image file -> URL, or URL and attachment


@dataclass
class References:
    """What a body points at: files that exist and files that do not."""

    images: list[Path] = field(default_factory=list)
    written: dict[Path, str] = field(default_factory=dict)  # each image as the body writes it
    missing_images: list[str] = field(default_factory=list)
    missing_links: list[str] = field(default_factory=list)
    media: dict[str, int] = field(default_factory=dict)  # attachment id by image URL


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("#", "/")))


class _ReferenceRecorder(Treeprocessor):
    """Put a numbered token where each local link and image goes; fold soft line breaks.

    The tokens are filled in by :meth:`Converted.resolve`, so one conversion serves
    every resolver (check, render, preview, each pass of a publish). Soft line breaks
    become spaces because WordPress's wpautop turns a newline inside a paragraph into
    ``<br />`` when the post is shown.
    """

    def __init__(
        self, md: markdown.Markdown, base: Path, token: str, refs: list[_Reference]
    ) -> None:
        super().__init__(md)
        self.base, self.token, self.refs = base, token, refs

    def run(self, root: ET.Element) -> None:
        self._walk(root, in_pre=False)

    def _walk(self, element: ET.Element, in_pre: bool) -> None:
        in_pre = in_pre or element.tag == "pre"
        if element.tag == "a":
            self._record(element, "href", is_image=False)
        elif element.tag == "img":
            self._record(element, "src", is_image=True)
        for child in element:
            self._walk(child, in_pre)
            if not in_pre and child.tail:
                child.tail = child.tail.replace("\n", " ")
        if not in_pre and element.text:
            element.text = element.text.replace("\n", " ")

    def _record(self, element: ET.Element, attribute: str, *, is_image: bool) -> None:
        value = element.get(attribute, "")
        if not _is_local(value) or not (is_image or value.partition("#")[0].endswith(".md")):
            return
        alt = _plain_alt(element.get("alt", "")) if is_image else ""
        self.refs.append(_reference(self.base, value, is_image, alt))
        element.set(attribute, f"{self.token}{len(self.refs) - 1};")


_ESCAPED = re.compile(f"{markdown.util.STX}([0-9]+){markdown.util.ETX}")


def _plain_alt(alt: str) -> str:
    """An image's alt text as a reader of the page gets it: a backslash escape (still a
    placeholder while the tree is processed) and a character reference written out."""
    return html.unescape(_ESCAPED.sub(lambda found: chr(int(found.group(1))), alt))


_AMP = re.compile(r"&(?!(?:#[0-9]+|#x[0-9a-f]+|[a-z0-9]+);)", re.I)


@dataclass(frozen=True)
class _Reference:
    target: Path  # the file pointed at
    original: str  # the attribute as written, kept when the target is missing
    fragment: str  # a link's "#..." part
    is_image: bool
    alt: str = ""  # an image's alt text


def _attribute(text: str) -> str:
    """Escape a URL for an attribute as Python-Markdown's serializer does."""
    text = _AMP.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_TOKENS = re.compile(r"(cms-sync-ref-[0-9a-f]{12}:)([0-9]+);")  # one compiled pattern a run


@dataclass(frozen=True)
class Outline:
    """What a markdown body points at, without its HTML: enough to check its links and
    images and to hash its inputs, so an unchanged article is never converted (see
    :func:`outline`)."""

    refs: tuple[_Reference, ...]

    def targets(self) -> list[tuple[Path, bool]]:
        """Each local file the body points at, and whether it is an image, in order."""
        return [(ref.target, ref.is_image) for ref in self.refs]

    def image_alts(self) -> dict[Path, str]:
        """The alt text the body gives each image file (its first use)."""
        found: dict[Path, str] = {}
        for ref in self.refs:
            if ref.is_image:
                found.setdefault(ref.target, ref.alt)
        return found

    def references(self, links: LinkResolver, images: ImageResolver) -> References:
        """What the body points at, as ``links`` and ``images`` find it."""
        found = References()
        for ref in self.refs:
            _point(ref, links, images, found)
        return found


def _point(ref: _Reference, links: LinkResolver, images: ImageResolver, found: References) -> str:
    """Where one reference points (an attribute value), recorded in ``found``."""
    if ref.is_image:
        if not ref.target.is_file():  # looked at now: preview sees new files
            found.missing_images.append(ref.original)
            return _attribute(ref.original)
        found.images.append(ref.target)
        found.written.setdefault(ref.target, ref.original)
        image = images(ref.target)
        if isinstance(image, str):
            return _attribute(image)
        found.media[image.url] = image.id
        return _attribute(image.url)
    url = links(ref.target)
    if url is None:
        found.missing_links.append(ref.original.partition("#")[0])
        return _attribute(ref.original)
    return _attribute(url + (f"#{ref.fragment}" if ref.fragment else ""))


@dataclass(frozen=True)
class Converted(Outline):
    """A markdown body converted once, with a token where each local reference goes."""

    html: str = ""
    token: str = ""  # "cms-sync-ref-<digest of the text>:", so no article can contain it

    def resolve(self, links: LinkResolver, images: ImageResolver) -> tuple[str, References]:
        """The HTML with links and images pointed where ``links`` and ``images`` say."""
        found = References()

        def fill(match: re.Match[str]) -> str:
            if match.group(1) != self.token:  # another text's token (an HTML block's)
                return match.group(0)
            return _point(self.refs[int(match.group(2))], links, images, found)

        if not self.refs:
            return self.html, found
        return _TOKENS.sub(fill, self.html), found


_converters = threading.local()  # one Markdown instance a thread (the preview serves in threads)


def _converter() -> tuple[markdown.Markdown, _ReferenceRecorder]:
    """This thread's Markdown instance and its reference recorder, made once: building one
    (extensions, processors) cost a third of a conversion."""
    found = getattr(_converters, "made", None)
    if found is None:
        md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        recorder = _ReferenceRecorder(md, Path(), "", [])
        md.treeprocessors.register(recorder, "cms-refs", 15)
        found = _converters.made = (md, recorder)
    return found


@functools.lru_cache(maxsize=4096)
def convert(text: str, base: Path) -> Converted:
    """Convert markdown once per content: cached by the text and the folder it lives in."""
    refs: list[_Reference] = []
    token = f"cms-sync-ref-{hashlib.sha256(text.encode()).hexdigest()[:12]}:"
    md, recorder = _converter()
    recorder.base, recorder.token, recorder.refs = base, token, refs
    try:
        html = md.reset().convert(text)
    finally:
        recorder.refs = []
    found = Converted(tuple(refs), html, token)
    outlines.remember(text, found.refs)
    return found


def markdown_to_html(
    text: str, base: Path, links: LinkResolver, images: ImageResolver
) -> tuple[str, References]:
    """Convert markdown to HTML, resolving local links and images against ``base``."""
    return convert(text, base).resolve(links, images)


@functools.lru_cache(maxsize=4096)
def outline(text: str, base: Path) -> Outline:
    """What ``text`` points at: from the outline cache when this text was converted in an
    earlier run (outlines.py), else by converting it now."""
    known = outlines.recall(text)
    if known is None:
        return convert(text, base)
    return Outline(tuple(_reference(base, *ref) for ref in known))


def _reference(base: Path, original: str, is_image: bool, alt: str) -> _Reference:
    """A reference as the converter records it (see _ReferenceRecorder._record)."""
    path, _, fragment = original.partition("#")
    target = base / unquote(original if is_image else path)
    return _Reference(Path(os.path.normpath(target)), original, "" if is_image else fragment,
                      is_image, alt)  # fmt: skip


def localized_digits(number: int, labels: dict[str, Any]) -> str:
    """``number`` written with the language's digits (``digits:`` in its labels file)."""
    digits = str(labels.get("digits", "0123456789"))
    return str(number).translate(str.maketrans("0123456789", digits))


class Renderer:
    """Compose post content with the project's templates."""

    def __init__(self, templates_dir: Path, content_format: str = "classic") -> None:
        self.templates_dir = templates_dir
        self.blocks = content_format == "blocks"
        # Sandboxed: templates come with the content (a pull request can change them) and
        # are rendered by plan and preview, in CI with a site's password at hand; a template
        # may read what it is given, never reach Python's internals (os, files, subprocesses).
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._labels: dict[str, dict[str, Any]] = {}
        self.env.filters["digits"] = localized_digits

    @functools.cached_property
    def templates_digest(self) -> str:
        """A hash of every file under the templates folder (templates, includes, labels)."""
        digest = hashlib.sha256()
        if self.templates_dir.is_dir():
            for path in sorted(p for p in self.templates_dir.rglob("*") if p.is_file()):
                name = path.relative_to(self.templates_dir).as_posix()
                digest.update(f"{name}\0{path.stat().st_size}\0".encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def labels(self, lang: str) -> dict[str, Any]:
        """Visible texts for ``lang`` from templates/i18n/<lang>.yaml (falls back to en)."""
        if lang not in self._labels:
            path = self.templates_dir / "i18n" / f"{lang}.yaml"
            if not path.is_file():
                path = self.templates_dir / "i18n" / "en.yaml"
            try:
                self._labels[lang] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise CmsSyncError(f"{path}: cannot read labels: {exc}") from None
        return self._labels[lang]

    def notice_html(self, notice: Notice, heading: bool = True) -> str:
        """The notice block as readers see it; with its own ``heading`` unless something
        else gives it one (the companion plugin's section under the comment form)."""
        labels = self.labels(notice.lang)
        body, _ = markdown_to_html(notice.body, notice.path.parent, lambda _: None, str)
        return self._render(
            "notice.html",
            notice=notice,
            items=notice.items(),
            labels=labels,
            headings=HEADINGS,
            heading=heading,
            body=Markup(body),
        )

    def post_content(
        self,
        article: Article,
        series: dict[str, Any] | None,
        notice_html: str | None,
        links: LinkResolver,
        images: ImageResolver,
        profile: blocks.Profile = blocks.CURRENT,
    ) -> tuple[str, References]:
        """The post content of ``article``; ``series`` is its navigation (series.navigation).
        In blocks format, ``profile`` says how the site's block editor writes blocks."""
        body, refs = markdown_to_html(article.body, article.path.parent, links, images)
        if self.blocks:
            body = blocks.to_blocks(body, profile, refs.media)
        html = self._render(
            "post.html",
            article=article,
            body=Markup(body),
            series=series,
            notice=Markup(notice_html) if notice_html else None,
            labels=self.labels(article.lang),
            blocks=self.blocks,
            as_block=lambda html: Markup(blocks.html_block(str(html), profile)),
            join_blocks=lambda parts: Markup(blocks.join(str(part) for part in parts)),
        )
        return html, refs

    def page(self, name: str, **context: Any) -> str:
        """A whole preview page from a layout template, with the labels of ``context["lang"]``."""
        return self._render(name, labels=self.labels(context["lang"]), **context)

    def _render(self, name: str, **context: Any) -> str:
        """Render a template; any template problem becomes one ``file:line`` error."""
        try:
            html = self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise CmsSyncError(
                f"{exc.filename}:{exc.lineno}: template error: {exc.message}"
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise CmsSyncError(
                f"{self.templates_dir / str(exc.name)}: template not found; "
                "copy it from the cms-sync repository's templates/"
            ) from None
        except jinja2.TemplateError as exc:
            raise CmsSyncError(f"{self.templates_dir / name}: template error: {exc}") from None
        return html.strip("\n") + "\n"
