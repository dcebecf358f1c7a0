"""Run m2w (PyPI) on a folder of markdown files, as its README's m2w.py does: one call of
``m2w.up`` in REST API mode with an application password, a legacy.json of file hashes
beside the folder.  Runs inside m2w's own venv (.bench-cache/m2w):

    python peer_m2w.py FOLDER LEGACY_JSON        (site from CMS_SYNC_URL/USER/APP_PASSWORD)

m2w retries a failed run 10 times and then exits 0; with max_retries=1 a failure is told
by its "OOPS" line, which this driver turns into exit 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys

from m2w import up  # type: ignore[import-not-found]


def main(folder: str, legacy: str) -> int:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        asyncio.run(
            up(
                path_markdown=[folder],
                path_legacy_json=legacy,
                domain=os.environ["CMS_SYNC_URL"],
                username=os.environ["CMS_SYNC_USER"],
                password="",
                application_password=os.environ["CMS_SYNC_APP_PASSWORD"],
                post_metadata={"category": [], "tag": [], "status": "publish"},
                verbose=True,
                rest_api=True,
                max_retries=1,
            )
        )
    sys.stdout.write(printed.getvalue())
    return 1 if "OOPS" in printed.getvalue() else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
