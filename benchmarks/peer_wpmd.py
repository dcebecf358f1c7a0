"""Run wordpress-markdown-blog-loader (PyPI, command ``wp-md``) on a folder of blog folders,
``wp-md posts upload --host HOST BLOG`` for each, in one process.  Runs inside its own venv
(.bench-cache/wordpress-markdown-blog-loader), with .wordpress.ini in the working directory
and the password in WP_APP_PASSWORD, as its README says:

    python peer_wpmd.py HOST FOLDER

It only speaks https (the URL is ``https://{api_host}/wp-json/wp/v2``) and compares a post's
host without its port, so against http://127.0.0.1:PORT two patches are needed: the scheme,
and the host check of a post's guid on update.  Both are made here, in memory.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

from wordpress_markdown_blog_loader import api, upload  # type: ignore[import-not-found]

_read_from_config = api.WordpressEndpoint.read_from_config


def _over_http(self: api.WordpressEndpoint, host: str) -> None:
    _read_from_config(self, host)
    self.url = self.url.replace("https://", "http://", 1)


def _same_host(self: api.WordpressEndpoint, url: object) -> bool:
    parsed = url if not isinstance(url, str) else urlparse(url)
    return parsed.netloc in (self.host, self.api_host)  # type: ignore[attr-defined]


def main(host: str, folder: str) -> int:
    api.WordpressEndpoint.read_from_config = _over_http
    api.WordpressEndpoint.is_host_for = _same_host
    failed = 0
    for blog in sorted(Path(folder).iterdir()):
        try:
            code = upload.command.main(["--host", host, str(blog)], standalone_mode=False)
        except SystemExit as stop:
            code = stop.code
        except Exception as error:  # the tool's own errors: count them, go on like a shell loop
            print(f"{blog.name}: {error!r}", file=sys.stderr)
            code = 1
        failed += 1 if code else 0
    print(f"wp-md: {failed} of {len(list(Path(folder).iterdir()))} blogs failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
