"""Which files cms-sync may read: inside the project, and not too big.

The one place that decides it. Every file cms-sync reads on behalf of an article (the
article file itself, the images of its body, its featured image) must resolve, symlinks
followed, inside the project root: the folder of cms-sync.toml. Otherwise a path such as
``../../x.png``, ``/etc/passwd`` or a symlink in ``articles/`` would have `publish` upload,
`render --out` copy and the preview serve a file from outside the repository; from CI on
a pull request, a file of the runner.

`load_project` asks :func:`refusal` for each file before reading it, so `check`, `render`,
`preview`, `plan`, `publish` and `pull` all stop on the same error, before anything is
sent, copied or served.
"""

from __future__ import annotations

import stat
from pathlib import Path

from cms_sync.errors import CmsSyncError

# Sizes above which a file is refused. The markdown of one article: Part 1 is 30 KB; WordPress
# answers a post of tens of MB with a database error after a long wait. An image: WordPress's
# own upload limit is the host's (PHP upload_max_filesize and post_max_size, 2 MB to a few
# hundred MB), so cms-sync sets one of its own that any reader's page can bear.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symlink followed, is ``root`` or under it."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop: certainly not a file to read
        return False


def size_text(size: int) -> str:
    """A file size as people read it: ``2.5 MB``, ``340 KB``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def refusal(path: Path, root: Path, kind: str) -> str | None:
    """Why the file ``path`` may not be read, or None: the rest of a sentence whose subject
    the caller names ("image 'x.png' ..."). ``kind`` (``article`` or ``image``) picks the size
    limit and the advice."""
    try:
        path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the reader says it does not exist
        return None
    if not inside(path, root):
        return (
            f"resolves to {path.resolve()}, outside the project ({root}); cms-sync reads only "
            f"files inside it, symlinks followed: copy the {'file' if kind == 'article' else kind}"
            " into the project"
        )
    limit = MAX_ARTICLE_BYTES if kind == "article" else MAX_IMAGE_BYTES
    try:
        mode, size = path.stat().st_mode, path.stat().st_size
    except OSError:
        return None  # missing or unreadable: the reader says so, with its own message
    if not stat.S_ISREG(mode):  # reading a named pipe would wait for ever
        what = "a folder" if stat.S_ISDIR(mode) else "a pipe, socket or device"
        return f"is {what}, not a regular file: rename or remove it"
    try:  # now, not halfway through a publish
        path.open("rb").close()
    except OSError as exc:
        return f"cannot be read ({exc.strerror}); make it readable: chmod a+r {path.name}"
    if size <= limit:
        return None
    if kind == "article":
        return (
            f"is {size_text(size)} of markdown, over the limit of {size_text(limit)} per "
            "article; split it into parts of a series"
        )
    return (
        f"is {size_text(size)}, over cms-sync's limit of {size_text(limit)} per image "
        "(WordPress's own limit is the host's upload_max_filesize, often lower); make it smaller"
    )


def checked_image(path: Path, root: Path) -> Path:
    """``path``, if it may still be read (it is checked again when copied or served: a
    symlink may have been swapped since `load_project` looked); else a CmsSyncError."""
    refused = refusal(path, root, "image")
    if refused:
        raise CmsSyncError(f"{path}: image {refused}")
    return path
