"""Render cost: cms-sync's ``render`` of a project against bare Python-Markdown of the same
bodies, in one interpreter with both imported first (imports are not render time).

    python render_probe.py PROJECT_DIR OUT_DIR      (prints one JSON object)

Also counts how many times Python-Markdown converted a document during cms-sync's render,
to show whether each body is converted once.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import markdown

from cms_sync.cli import cli


def main(root: Path, out: Path) -> int:
    files = sorted(p for p in (root / "articles").glob("*.md") if "notice" not in p.name)
    started = time.perf_counter()
    for path in files:
        markdown.markdown(path.read_text("utf-8").split("---\n", 2)[2])
    bare = time.perf_counter() - started

    conversions = 0
    convert = markdown.Markdown.convert

    def counted(self: markdown.Markdown, source: str) -> str:
        nonlocal conversions
        conversions += 1
        return convert(self, source)

    markdown.Markdown.convert = counted  # type: ignore[method-assign]
    started = time.perf_counter()
    try:
        cli.main(["--config", str(root / "cms-sync.toml"), "-q", "render", "--out", str(out)],
                 standalone_mode=False)  # fmt: skip
        error = ""
    except (Exception, SystemExit) as failure:  # reported in the table, not raised
        error = repr(failure)
    cms = time.perf_counter() - started
    print(json.dumps({"articles": len(files), "bare_s": bare, "cms_s": cms,
                      "conversions": conversions, "error": error}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
