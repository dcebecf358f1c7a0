"""The throwaway WordPress the benchmark runs against, and its request log.

One site (scripts/wordpress_harness, as the tests and the demo start it) serves the whole
run; ``reset`` empties it between tools and sizes through its private database socket,
which takes a second where deleting 1,000 posts over REST takes a minute.  Requests are
counted at the server: php -S (and the harness's router) logs one ``[status]: METHOD URI``
line per request, so a case's requests are the lines between two positions of php.log.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import REPO

WRITES = ("POST", "PUT", "PATCH", "DELETE")
REQUEST_LINE = re.compile(r"\[\d{3}\]: (\S+) (\S+)")
RESET_SQL = """
TRUNCATE wp_posts; TRUNCATE wp_postmeta; TRUNCATE wp_comments; TRUNCATE wp_commentmeta;
TRUNCATE wp_term_relationships; TRUNCATE wp_termmeta;
DELETE FROM wp_term_taxonomy WHERE term_id <> 1; DELETE FROM wp_terms WHERE term_id <> 1;
UPDATE wp_term_taxonomy SET count = 0;
"""


def harness() -> Any:
    """scripts/wordpress_harness (scripts/ is not a package on the path)."""
    scripts = str(REPO / "scripts")
    if scripts not in sys.path:
        sys.path.append(scripts)
    return importlib.import_module("wordpress_harness")


@dataclass
class Traffic:
    requests: int
    writes: int
    lines: list[str]


class Site:
    """A started site: URL, admin credentials, versions, request log, reset."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        started = time.perf_counter()
        self.state: dict[str, Any] = harness().start(workdir)
        self.start_seconds = time.perf_counter() - started
        self.url: str = self.state["url"]
        self.user: str = self.state["admin"]["user"]
        self.password: str = self.state["admin"]["app_password"]
        self.log = workdir / "php.log"

    def stop(self) -> None:
        harness().stop(self.workdir)

    def env(self) -> dict[str, str]:
        return {
            "CMS_SYNC_URL": self.url,
            "CMS_SYNC_USER": self.user,
            "CMS_SYNC_APP_PASSWORD": self.password,
        }

    def position(self) -> int:
        return self.log.stat().st_size

    def traffic_since(self, position: int) -> Traffic:
        """The requests logged after ``position``, once the log has stopped growing (php
        writes a request's line as the request shuts down, just after the answer)."""
        size = -1
        while size != self.log.stat().st_size:
            size = self.log.stat().st_size
            time.sleep(0.2)
        with self.log.open("rb") as log:
            log.seek(position)
            text = log.read().decode("utf-8", "replace")
        lines = [f"{m[1]} {m[2]}" for m in REQUEST_LINE.finditer(text)]
        writes = sum(1 for line in lines if line.split(" ", 1)[0] in WRITES)
        return Traffic(len(lines), writes, lines)

    def server_cpu(self) -> float:
        """CPU seconds used so far by the site: php -S, its worker processes and mariadbd
        (a case's share is the difference; wall time alone is at the mercy of the load)."""
        php, db = int(self.state["pids"]["php"]), int(self.state["pids"]["mariadbd"])
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that ended while we looked
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid in (php, db) or ppid == php:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def reset(self) -> None:
        """An empty site: no posts, patterns, media, comments or terms but Uncategorized."""
        self.sql(RESET_SQL)
        uploads = self.workdir / "www" / "wp-content" / "uploads"
        shutil.rmtree(uploads, ignore_errors=True)

    def sql(self, statements: str) -> str:
        """Run SQL on the site's database (root over its private socket); the output, tab
        separated without column names."""
        client = shutil.which("mariadb") or shutil.which("mysql") or "mariadb"
        done = subprocess.run(
            [client, "--user=root", f"--socket={self.state['socket']}", "-N", "wordpress"],
            input=statements,
            text=True,
            check=True,
            capture_output=True,
        )
        return done.stdout.strip()

    def versions(self) -> dict[str, str]:
        php = subprocess.run(
            ["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True, check=False
        ).stdout.strip()
        return {"wordpress": str(self.state.get("wp_version", "?")), "php": php or "?"}
