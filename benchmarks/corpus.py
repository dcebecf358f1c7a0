"""The synthetic project the benchmark publishes, and the edits its cases make.

N articles in series of ten parts (N / 10 series: a series of a thousand parts, whose
every post lists a thousand links, is no site's), comments open, each with the body of
the repository's part 1 (realistic length and script), a link to the previous article,
one of a few shared images in the body and as featured image; the Bengali notice and
templates/ copied from the repository. The peers get the same articles in the layout
their docs ask for (``m2w_layout``, ``wpmd_layout``).
"""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTICE = "comment-privacy-notice.bn.md"
IMAGES = ("shared-red.png", "shared-green.png", "shared-blue.png")
COLOURS = ((200, 40, 40), (40, 160, 60), (40, 80, 200))
SERIES = "বেঞ্চমার্ক সিরিজ"
SERIES_LENGTH = 10
ONE_EDIT = "\nএকটি সম্পাদকের পরিবর্তন: এই অনুচ্ছেদটি নতুন।\n"
TEMPLATE_EDIT = "\n<p>—</p>\n"
NOTICE_FROM, NOTICE_TO = "purpose: ", "purpose: (সম্পাদিত) "


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, written with the standard library (no imaging package needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def seed_body() -> str:
    """The body (no front matter) of the repository's part 1."""
    text = (REPO / "articles" / "01-ecommerce-manager-competencies.md").read_text("utf-8")
    return text.split("---\n", 2)[2].lstrip("\n")


def article_name(n: int) -> str:
    return f"{n:04d}.md"


def slug(n: int) -> str:
    return f"bench-part-{n}"


def title(n: int) -> str:
    return f"বেঞ্চমার্ক পর্ব {n}"


def series_of(n: int) -> str:
    return f"{SERIES} {(n - 1) // SERIES_LENGTH + 1}"


def part_of(n: int) -> int:
    return (n - 1) % SERIES_LENGTH + 1


def image_of(n: int) -> str:
    return IMAGES[n % len(IMAGES)]


def body_of(n: int, body: str) -> str:
    """Part n's body: a link to the previous part, the shared image, the seed body."""
    lines = []
    if n > 1:
        lines.append(f"আগের পর্ব: [{title(n - 1)}]({article_name(n - 1)})\n")
    lines.append(f"![ছবি {n}](images/{image_of(n)})\n")
    return "\n".join(lines) + "\n" + body


def make_project(root: Path, count: int) -> Path:
    """Write the cms-sync project for ``count`` articles into root; return cms-sync.toml."""
    articles = root / "articles"
    (articles / "images").mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "articles" / NOTICE, articles / NOTICE)
    for name, rgb in zip(IMAGES, COLOURS, strict=True):
        (articles / "images" / name).write_bytes(png(64, 48, rgb))
    body = seed_body()
    for n in range(1, count + 1):
        front = (
            f'---\ntitle: "{title(n)}"\nslug: {slug(n)}\ndate: 2026-01-01 08:00:00\n'
            f"status: publish\nlang: bn\nseries: {{name: {series_of(n)}, part: {part_of(n)}}}\n"
            f"categories: [ইকমার্স]\ntags: [বেঞ্চমার্ক]\ncomment_status: open\n"
            f"featured_image: images/{image_of(n)}\n---\n\n"
        )
        (articles / article_name(n)).write_text(front + body_of(n, body), encoding="utf-8")
    config = root / "cms-sync.toml"
    config.write_text(
        'articles_dir = "articles"\ntemplates_dir = "templates"\ndefault_lang = "bn"\n'
        'notice_mode = "pattern"\n',
        encoding="utf-8",
    )
    return config


def edit_templates(root: Path) -> None:
    """A change of templates/post.html that changes every post."""
    post = root / "templates" / "post.html"
    post.write_text(post.read_text("utf-8") + TEMPLATE_EDIT, encoding="utf-8")


def edit_notice(root: Path) -> None:
    """A reworded purpose in the Bengali notice."""
    path = root / "articles" / NOTICE
    path.write_text(path.read_text("utf-8").replace(NOTICE_FROM, NOTICE_TO, 1), encoding="utf-8")


def edited_article(count: int) -> int:
    """The article the one-article edit changes: one in the middle of the corpus."""
    return max(1, count // 2)


def edit_one(path: Path) -> None:
    path.write_text(path.read_text("utf-8") + ONE_EDIT, encoding="utf-8")


def notice_markdown(root: Path) -> str:
    """The notice as plain markdown, for tools that inline it into every post."""
    lines = (root / "articles" / NOTICE).read_text("utf-8").split("---\n", 2)[1].splitlines()
    fields = [line.split(": ", 1) for line in lines if ": " in line and not line.startswith("#")]
    return "\n".join(f"- **{key}**: {value}" for key, value in fields if key not in ("kind",))


def peer_body(root: Path, n: int, body: str) -> str:
    """What a peer publishes for part n: the body, the notice inline, the template's line
    (a peer has neither a shared notice nor templates, so both edits touch every file)."""
    footer = "\n\n" + notice_markdown(root) + "\n"
    post = (root / "templates" / "post.html").read_text("utf-8")
    if TEMPLATE_EDIT.strip() in post:
        footer += TEMPLATE_EDIT
    return body_of(n, body) + footer


def m2w_layout(root: Path, target: Path, count: int) -> None:
    """m2w: one folder of .md files whose file name is the post title (m2w finds a post by
    its title), front matter keys ``category``/``tag``/``status``/``slug``."""
    target.mkdir(parents=True, exist_ok=True)
    body = seed_body()
    one = edited_article(count)
    edited = ONE_EDIT in (root / "articles" / article_name(one)).read_text("utf-8")
    for n in range(1, count + 1):
        text = peer_body(root, n, body) + (ONE_EDIT if edited and n == one else "")
        front = (
            f'---\ntitle: "{title(n)}"\nslug: m2w-{slug(n)}\nstatus: publish\n'
            f"category: [ইকমার্স]\ntag: [বেঞ্চমার্ক]\n---\n\n"
        )
        _write_if_changed(target / f"{title(n)}.md", front + text)
    shutil.copytree(root / "articles" / "images", target / "images", dirs_exist_ok=True)


def wpmd_layout(root: Path, target: Path, count: int, author: str) -> None:
    """wordpress-markdown-blog-loader: one folder per post with index.md, images beside it,
    categories by slug (they must exist on the site), an author display name, a date."""
    body = seed_body()
    one = edited_article(count)
    edited = ONE_EDIT in (root / "articles" / article_name(one)).read_text("utf-8")
    for n in range(1, count + 1):
        folder = target / f"part-{n:04d}"
        if not (folder / "images").exists():
            shutil.copytree(root / "articles" / "images", folder / "images")
        text = peer_body(root, n, body) + (ONE_EDIT if edited and n == one else "")
        index = folder / "index.md"
        guid = _front_value(index, "guid")
        front = (
            f'---\ntitle: "{title(n)}"\nslug: wpmd-{slug(n)}\nstatus: publish\n'
            f"date: 2026-01-01T08:00:00+00:00\nauthor: {author}\ncategories: [uncategorized]\n"
            + (f"guid: {guid}\n" if guid else "")
            + "---\n\n"
        )
        _write_if_changed(index, front + text)


def _front_value(path: Path, key: str) -> str | None:
    """A value the tool wrote back into a front matter (wp-md stores the post's guid)."""
    if not path.exists():
        return None
    for line in path.read_text("utf-8").split("---\n", 2)[1].splitlines():
        if line.startswith(f"{key}: "):
            return line.split(": ", 1)[1].strip()
    return None


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text("utf-8") != text:
        path.write_text(text, encoding="utf-8")
