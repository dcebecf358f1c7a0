"""The web server: PHP's built-in ``php -S`` on 127.0.0.1, with a router in place of .htaccess.

php -S is enough for one user and a test suite, needs no Apache or nginx configuration, and
logs one line per request, which the tests use to count cms-sync's requests.  The site's URL
is baked into wp-config.php, so the port is chosen before the config is written, and chosen
again (config rewritten) if another program takes it first.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

from .processes import free_port, program, spawn, wait_for

ROUTER = Path(__file__).parent / "php" / "router.php"
PHP_SETTINGS = {
    # Errors go to stderr (the server's log), never into HTTP bodies or our JSON on stdout.
    "display_errors": "0",
    "log_errors": "1",
    "sendmail_path": "/bin/true",  # the installer mails the admin; swallow it
    "post_max_size": "64M",
    "upload_max_filesize": "64M",
    "memory_limit": "512M",
    "opcache.enable_cli": "1",  # php -S runs under the CLI SAPI, where opcache is off by default
}
# The same settings for `php` running a script (the install's setup.php).
PHP_INI = [arg for key, value in PHP_SETTINGS.items() for arg in ("-d", f"{key}={value}")]
WORKERS = "4"  # parallel requests (and WordPress's loopback requests) do not queue


def signature(workdir: Path) -> str:
    """What the command line of this site's php -S contains and no other's does."""
    return str(workdir / "router.php")


def start(
    workdir: Path, port: int | None, configure: Callable[[str], None]
) -> tuple[subprocess.Popen[bytes], int]:
    """Serve workdir/www on the given port or a free one; configure(url) writes the config
    for the URL first.  A port we picked ourselves is retried if someone grabbed it."""
    shutil.copyfile(ROUTER, workdir / "router.php")
    attempts = 1 if port is not None else 3
    for attempt in range(1, attempts + 1):
        chosen = port if port is not None else free_port()
        configure(f"http://127.0.0.1:{chosen}")
        try:
            return _start_php(workdir, chosen), chosen
        except RuntimeError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _start_php(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    log = workdir / "php.log"
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": WORKERS}
    command = [program("php"), *PHP_INI, "-S", f"127.0.0.1:{port}", "-t", str(workdir / "www")]
    proc = spawn([*command, signature(workdir)], log, env)
    wait_for(lambda: _listening(log, port), proc, f"php -S on port {port}", log)
    return proc


def _listening(log: Path, port: int) -> None:
    """Raise OSError until php has announced its server, and then check it answers.
    A bare connect is not enough: when someone else holds the port, the connect succeeds
    against *their* listener while php is about to exit with "Failed to listen"."""
    if f"(http://127.0.0.1:{port}) started" not in log.read_text(errors="replace"):
        raise OSError("php has not started listening yet")
    socket.create_connection(("127.0.0.1", port), timeout=1).close()
