"""A whole throwaway site: start it, write down what was started, report on it, stop it.

The parts are put together in order (WordPress's files, the database, the web server, the
install) and ``WORKDIR/state.json`` records the URL, the accounts and the two pids, because
``stop`` and ``status`` usually run in another process (``make demo-stop``, the end of a test
session) and must end exactly those processes and nothing else.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import database, files, webserver
from .install import admin, install
from .processes import failure, find_program, our_processes, terminate

STATE_FILE = "state.json"
PROGRAMS = (
    ("php",),
    ("mariadbd", "mysqld"),
    ("mariadb-install-db", "mysql_install_db"),
    ("mariadb", "mysql"),
)


def missing_requirements(archive: Path | None = None) -> list[str]:
    """What this machine lacks to start a site (empty when nothing): the programs, PHP's
    MySQL driver, and Debian's WordPress (or, with an archive, the archive itself)."""
    missing = [" or ".join(names) for names in PROGRAMS if find_program(*names) is None]
    php = find_program("php")
    if php is not None and not _php_has_mysqli(php):
        missing.append("PHP's mysqli extension (php-mysql)")
    if archive is None:
        if not (files.DEBIAN_TREE / "wp-includes" / "version.php").is_file():
            missing.append(f"Debian's WordPress ({files.DEBIAN_TREE})")
    elif not Path(archive).is_file():
        missing.append(f"the WordPress archive {archive}")
    return missing


def _php_has_mysqli(php: str) -> bool:
    modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout
    return "mysqli" in modules.split()


def start(
    workdir: Path,
    port: int | None = None,
    archive: Path | None = None,
    plugins: Sequence[Path] = (),
    activate: bool = False,
) -> dict[str, Any]:
    """Start MariaDB + WordPress in workdir and return (and write) the state dict.

    WordPress is Debian's (/usr/share/wordpress) unless archive names a release tarball.
    plugins are plugin folders copied into wp-content/plugins (state["plugins"] lists their
    plugin files), and activated when activate is true.
    On any failure the processes started so far are stopped and RuntimeError is raised.
    """
    workdir = Path(workdir).resolve()
    archive = Path(archive).resolve() if archive is not None else None
    workdir.mkdir(parents=True, exist_ok=True)
    _refuse_reuse(workdir)
    started: list[tuple[subprocess.Popen[bytes], str]] = []
    try:
        return _start(workdir, port, archive, started, plugins, activate)
    except BaseException as error:
        for proc, signature in reversed(started):  # php first, as stop() does
            terminate(proc.pid, signature)
        if isinstance(error, (OSError, subprocess.SubprocessError, ValueError)):
            log = workdir / ("php.log" if len(started) > 1 else "mariadb.log")
            raise failure(f"starting WordPress in {workdir} failed: {error!r}", log) from error
        raise


def _refuse_reuse(workdir: Path) -> None:
    """One site per workdir, built from scratch: never touch another run's files."""
    for leftover in ("db", "www", "unpack"):
        if (workdir / leftover).exists():
            raise RuntimeError(
                f"{workdir / leftover} exists: start needs a fresh directory "
                "(stop the old site and remove the directory first)"
            )


def _start(
    workdir: Path,
    port: int | None,
    archive: Path | None,
    started: list[tuple[subprocess.Popen[bytes], str]],
    plugins: Sequence[Path],
    activate: bool,
) -> dict[str, Any]:
    www = workdir / "www"
    theme = files.prepare(www, archive)  # first: a bad archive fails before any process runs
    plugin_files = [files.install_plugin(www, Path(source)) for source in plugins]
    sock = database.socket_path(workdir)
    started.append((database.start(workdir, sock), database.signature(workdir)))
    php, port = webserver.start(
        workdir, port, lambda url: files.write_config(www, url, sock, theme)
    )
    started.append((php, webserver.signature(workdir)))
    url = f"http://127.0.0.1:{port}"
    accounts, active_theme = install(workdir, url)
    for plugin in plugin_files if activate else []:
        admin(workdir, url, "activate-plugin", plugin)
    state: dict[str, Any] = {
        "url": url,
        **accounts,
        "pids": {"mariadbd": started[0][0].pid, "php": php.pid},
        "workdir": str(workdir),
        "socket": str(sock),
        "theme": active_theme,
        "plugins": plugin_files,
        "wp_version": files.version(www),
        "source": str(archive or files.DEBIAN_TREE),
    }
    (workdir / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
    return state


def switch_theme(workdir: Path, theme: str) -> str:
    """Make theme the site's theme (as Appearance > Themes does); return the one it replaced."""
    state = read_state(workdir)
    return admin(Path(state["workdir"]), state["url"], "switch-theme", theme)


def read_state(workdir: Path) -> dict[str, Any]:
    """The state.json written by start()."""
    path = Path(workdir).resolve() / STATE_FILE
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise RuntimeError(f"{path} not found: was the site started in {workdir}?") from None
    return state


def _signatures(state: dict[str, Any]) -> dict[str, str]:
    workdir = Path(state["workdir"])
    return {"mariadbd": database.signature(workdir), "php": webserver.signature(workdir)}


def stop(workdir: Path) -> dict[str, str]:
    """Terminate exactly the pids recorded in workdir/state.json; return what happened to each."""
    state = read_state(workdir)
    signatures = _signatures(state)
    # php first, so no request is left talking to a vanishing database.
    outcome = {
        name: terminate(int(state["pids"][name]), signatures[name]) for name in ("php", "mariadbd")
    }
    database.remove_socket_dir(Path(state.get("socket", "")))
    return outcome


def status(workdir: Path) -> dict[str, bool]:
    """Whether each recorded server is still running."""
    state = read_state(workdir)
    signatures = _signatures(state)
    return {
        name: int(pid) in our_processes(int(pid), signatures[name])
        for name, pid in state["pids"].items()
    }


def env_lines(workdir: Path) -> list[str]:
    """Shell export lines pointing cms-sync at the admin account."""
    state = read_state(workdir)
    values = {
        "CMS_SYNC_URL": state["url"],
        "CMS_SYNC_USER": state["admin"]["user"],
        "CMS_SYNC_APP_PASSWORD": state["admin"]["app_password"],
    }
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
