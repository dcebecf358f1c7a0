#!/usr/bin/env python3
"""Start and stop a throwaway, real WordPress on 127.0.0.1 (command line of wordpress_harness).

WordPress comes from Debian's package (/usr/share/wordpress, 6.1), or with ``--archive`` from
a release tarball whose tree is under ``wordpress/`` (e.g. wordpress-7.0.4.tar.gz), unpacked
into DIR.  The work lives in scripts/wordpress_harness/; this file only parses and prints.

    python3 scripts/local_wordpress.py start DIR [--port N] [--archive PATH] [--plugin PATH]
                                                   # prints the state JSON
    python3 scripts/local_wordpress.py env DIR     # export CMS_SYNC_... lines
    python3 scripts/local_wordpress.py status DIR  # exit 1 unless all pids run
    python3 scripts/local_wordpress.py stop DIR
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import wordpress_harness as harness  # scripts/ is sys.path[0] when run as a script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    start_cmd = commands.add_parser("start", help="start a fresh site; print its state JSON")
    start_cmd.add_argument("workdir", type=Path)
    start_cmd.add_argument("--port", type=int, default=None)
    start_cmd.add_argument(
        "--archive",
        type=Path,
        default=None,
        metavar="PATH",
        help="a WordPress release .tar.gz (tree under wordpress/) instead of Debian's package",
    )
    start_cmd.add_argument(
        "--plugin",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="a plugin folder to install into wp-content/plugins and activate (repeatable)",
    )
    for name, text in (
        ("stop", "stop the recorded processes"),
        ("status", "show whether the recorded processes run (exit 1 if not all)"),
        ("env", "print export lines for CMS_SYNC_URL/USER/APP_PASSWORD"),
    ):
        commands.add_parser(name, help=text).add_argument("workdir", type=Path)
    args = parser.parse_args(argv)

    try:
        return _dispatch(args)
    except RuntimeError as error:
        print(f"local_wordpress: {error}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "start":
        began = time.monotonic()
        state = harness.start(args.workdir, args.port, args.archive, args.plugin, activate=True)
        print(json.dumps(state, indent=2))
        print(
            f"WordPress {state['wp_version']} started in {time.monotonic() - began:.1f} s",
            file=sys.stderr,
        )
        return 0
    if args.command == "stop":
        for name, outcome in harness.stop(args.workdir).items():
            print(f"{name}: {outcome}")
        return 0
    if args.command == "status":
        alive = harness.status(args.workdir)
        for name, running in alive.items():
            print(f"{name}: {'running' if running else 'not running'}")
        return 0 if all(alive.values()) else 1
    for line in harness.env_lines(args.workdir):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
