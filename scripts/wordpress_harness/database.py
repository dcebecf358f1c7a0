"""The site's database: a private MariaDB server with its own datadir and Unix socket.

Each site gets a fresh system database in ``WORKDIR/db`` and a server that listens on a socket
only (``--skip-networking``), so any number of sites (pytest sessions, the demo, a benchmark)
run side by side without clashing on port 3306 or touching the system's MariaDB, and root logs
in without a password because nobody else can reach the socket.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from .processes import program, run, spawn, terminate, wait_for

# sun_path is 108 bytes; MariaDB refuses longer socket paths (pytest tmp dirs get close).
MAX_SOCKET_PATH = 100
SHORT_SOCKET_PREFIX = "lwp-"
NAME = "wordpress"


def signature(workdir: Path) -> str:
    """What the command line of this site's mariadbd contains and no other's does."""
    return f"--datadir={workdir / 'db'}"


def socket_path(workdir: Path) -> Path:
    """workdir/mysql.sock, or a short private dir under /tmp when that path is too long."""
    sock = workdir / "mysql.sock"
    if len(str(sock)) <= MAX_SOCKET_PATH:
        return sock
    return Path(tempfile.mkdtemp(prefix=SHORT_SOCKET_PREFIX)) / "mysql.sock"


def remove_socket_dir(sock: Path) -> None:
    """Remove the short /tmp directory socket_path() made, if it made one."""
    if sock.parent.name.startswith(SHORT_SOCKET_PREFIX) and sock.parent.parent == Path(
        tempfile.gettempdir()
    ):
        shutil.rmtree(sock.parent, ignore_errors=True)


def start(workdir: Path, sock: Path) -> subprocess.Popen[bytes]:
    """Initialise workdir/db, start mariadbd on sock and create the empty WordPress database."""
    _init_datadir(workdir)
    proc = _start_server(workdir, sock)
    try:
        _create_database(workdir, sock)
    except BaseException:
        terminate(proc.pid, signature(workdir))
        raise
    return proc


def _init_datadir(workdir: Path) -> None:
    """Create an empty system database whose root logs in with no password."""
    run(
        [
            program("mariadb-install-db", "mysql_install_db"),
            "--no-defaults",  # ignore /etc/mysql: the system server's settings are not ours
            f"--datadir={workdir / 'db'}",
            "--auth-root-authentication-method=normal",
            # No --user: with it, the script chowns an unquoted $datadir (breaks on spaces);
            # without it the files simply belong to whoever runs us.
            "--skip-test-db",
        ],
        workdir / "mariadb-install.log",
        "mariadb-install-db",
    )


def _start_server(workdir: Path, sock: Path) -> subprocess.Popen[bytes]:
    log = workdir / "mariadb.log"
    proc = spawn(
        [
            program("mariadbd", "mysqld"),
            "--no-defaults",
            signature(workdir),
            f"--socket={sock}",
            "--skip-networking",  # socket only: concurrent instances cannot clash on 3306
            f"--pid-file={workdir / 'mariadbd.pid'}",
            f"--log-error={log}",
            # mariadbd refuses to run as root unless told to; as anyone else it needs nothing.
            *(["--user=root"] if os.geteuid() == 0 else []),
            # Throwaway data: trade crash safety for speed.
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
        ],
        log,
    )
    wait_for(lambda: _connect(sock), proc, "mariadbd", log)
    return proc


def _connect(path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(path))


def _create_database(workdir: Path, sock: Path) -> None:
    run(
        [
            program("mariadb", "mysql"),
            "--no-defaults",
            f"--socket={sock}",
            "--user=root",
            "-e",
            f"CREATE DATABASE {NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        ],
        workdir / "mariadb.log",
        "CREATE DATABASE",
    )
